"""A computational graph drawn as CS231n draws it: values above the wires, gradients below."""
from __future__ import annotations

from ...plots.style import COLORS, new_figure

__all__ = ["draw_graph"]

_VALUE, _GRAD = COLORS[2], COLORS[5]


_SYMBOL = {"*": "×", "+": "+", "max": "max"}


def draw_graph(output, positions: dict, title: str = "A computational graph"):
    """Draw every node of ``output.graph()`` at ``positions[node.name]``, with values and gradients.

    An operation is drawn as its symbol, an input as its name; on each wire, the value that
    flows forward (above) and the gradient of the node it leaves (below; right when that node
    feeds one other node only).

    Parameters
    ----------
    output : graph.Node
        After ``output.backward()``, so that each node's ``grad`` is set.
    positions : dict of str -> (float, float)
        Where each node goes, keyed by its (unique) name.
    """
    nodes = output.graph()
    missing = [n for n in nodes if n.name not in positions]
    if missing:
        raise ValueError(f"positions has no place for the nodes {missing}; it has {sorted(positions)}")
    fig, ax = new_figure(width=8.0, height=3.6)
    for node in nodes:
        x, y = positions[node.name]
        for parent in node.parents:
            px, py = positions[parent.name]
            ax.annotate("", xy=(x - 0.18, y), xytext=(px + 0.18, py),
                        arrowprops=dict(arrowstyle="->", color="0.4", lw=1.2))
            mx, my = px + 0.3 * (x - px), py + 0.3 * (y - py)     # near the wire's start
            ax.text(mx, my + 0.12, f"{parent.value:g}", color=_VALUE, ha="center", fontsize="small")
            ax.text(mx, my - 0.22, f"{parent.grad:g}", color=_GRAD, ha="center", fontsize="small")
        ax.text(x, y, _SYMBOL.get(node.op, node.name), ha="center", va="center", fontsize="medium",
                bbox=dict(boxstyle="circle", facecolor="white", edgecolor=COLORS[0]))
    x, y = positions[output.name]
    ax.text(x + 0.45, y + 0.12, f"{output.value:g}", color=_VALUE, fontsize="small")
    ax.text(x + 0.45, y - 0.22, f"{output.grad:g}", color=_GRAD, fontsize="small")
    ax.plot([], [], color=_VALUE, label="value (forward)")
    ax.plot([], [], color=_GRAD, label="gradient $\\partial f/\\partial(\\cdot)$ (backward)")
    xs, ys = zip(*positions.values())
    ax.set_xlim(min(xs) - 0.5, max(xs) + 1.0)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title)
    ax.set_xlabel("forward pass: left to right; backward pass: right to left")
    ax.set_ylabel("inputs on the left")
    ax.legend(frameon=False, fontsize="small", loc="lower right")
    return fig
