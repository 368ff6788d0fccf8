r"""A computational graph of scalars: each operation keeps, beside its value, how to send a gradient back.

Three gates carry the whole of back-propagation's bookkeeping:

* **add** distributes: :math:`\partial(a + b)/\partial a = \partial(a + b)/\partial b = 1`, so
  both inputs receive the output's gradient unchanged;
* **multiply** swaps: :math:`\partial(ab)/\partial a = b`, so each input receives the output's
  gradient times the *other* input;
* **max** routes: the larger input receives the whole gradient, the other nothing.

A node used by several others adds up what they send back (the total derivative of the
lecture). After the style of micrograd (Karpathy), with names for drawing the graph.
"""
from __future__ import annotations

import numbers

__all__ = ["Node"]


class Node:
    """One scalar value in a graph, and :math:`\\partial f/\\partial(\\text{this})` after ``f.backward()``.

    Parameters
    ----------
    value : float
    name : str
        A label for tables and drawings.
    """

    def __init__(self, value, name: str = "", op: str = "", parents=()):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"value must be a real number; got {value!r}")
        self.value, self.name, self.op = float(value), name, op
        self.parents = tuple(parents)
        self.grad = 0.0
        self._send_back = lambda: None

    @staticmethod
    def _node(other) -> "Node":
        return other if isinstance(other, Node) else Node(other, name=f"{other:g}")

    def __add__(self, other) -> "Node":
        other = self._node(other)
        out = Node(self.value + other.value, op="+", parents=(self, other))

        def send_back():                       # add distributes
            self.grad += out.grad
            other.grad += out.grad
        out._send_back = send_back
        return out

    def __mul__(self, other) -> "Node":
        other = self._node(other)
        out = Node(self.value * other.value, op="*", parents=(self, other))

        def send_back():                       # multiply swaps
            self.grad += other.value * out.grad
            other.grad += self.value * out.grad
        out._send_back = send_back
        return out

    __radd__ = __add__
    __rmul__ = __mul__

    def maximum(self, other) -> "Node":
        """:math:`\\max(a, b)`; at a tie the gradient goes to ``self``."""
        other = self._node(other)
        out = Node(max(self.value, other.value), op="max", parents=(self, other))

        def send_back():                       # max routes
            if self.value >= other.value:
                self.grad += out.grad
            else:
                other.grad += out.grad
        out._send_back = send_back
        return out

    def graph(self) -> list:
        """Every node this one depends on, inputs before the nodes that use them."""
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for parent in node.parents:
                    visit(parent)
                order.append(node)
        visit(self)
        return order

    def backward(self) -> None:
        """Set ``grad`` of every node in the graph to :math:`\\partial(\\text{self})/\\partial(\\text{node})`."""
        order = self.graph()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):           # each node is done before its inputs
            node._send_back()

    def __repr__(self) -> str:
        label = self.name or self.op or "node"
        return f"Node({label}: value={self.value:g}, grad={self.grad:g})"
