r"""Small experiments on units and their gradients (lecture 05), in numpy alone.

- :data:`CHOICES` and :func:`activation`: the lecture's activations and, by name, an
  activation and its derivative (from ``nnkit.layers.ACTIVATIONS``), for plots and widgets.
- :func:`train_neuron`: gradient descent on one sigmoid neuron :math:`a = \sigma(wx + b)`,
  from many starting points at once, with the quadratic or the cross-entropy cost
  (lecture 06 uses it too, for the learning slowdown and its cure).
- :func:`layer_gradient_norms`: :math:`\lVert \partial L/\partial W^{(l)} \rVert` and
  :math:`\lVert \delta^{(l)} \rVert` for every ``Dense`` layer after one backward pass.
- :func:`dead_units`, :func:`dead_fraction_by_bias`: which ReLU units are zero on every
  example (the dying ReLU).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from nnkit import functional as F
from nnkit._validation import as_array, as_batch, check_positive, choose, make_rng
from nnkit.layers import ACTIVATIONS, Dense

__all__ = [
    "CHOICES", "activation",
    "COSTS", "saturation_task", "Trajectory", "neuron_cost", "neuron_gradient", "train_neuron",
    "GradientNorms", "layer_gradient_norms", "dead_units",
    "dead_fraction_by_bias",
]

# The activations lecture 05 compares, by their names in nnkit.layers.ACTIVATIONS, which
# holds each one's layer, formulas and parameter.
CHOICES = ("step", "sign", "sigmoid", "tanh", "relu", "softplus", "leaky_relu", "prelu", "elu")


def activation(name: str, x, param: float | None = None):
    r"""An activation :math:`f` and its derivative :math:`f'`, evaluated at ``x``.

    Parameters
    ----------
    name : str
        One of :data:`CHOICES`.
    x : array_like, any shape
    param : float, optional
        ``slope`` of ``leaky_relu``, ``a`` of ``prelu``, ``alpha`` of ``elu`` (ignored by
        the others); ``None`` takes the default.

    Returns
    -------
    f, df : ndarray, the shape of ``x``
        The formulas that the activation's layer computes in ``forward`` and ``backward``.
    """
    return ACTIVATIONS[choose("activation", name, CHOICES)](as_array(x, "x"), param)


COSTS = ("quadratic", "cross_entropy")


def saturation_task(m: int = 50, rng=0):
    r"""Data a neuron that learned a steep increasing step must unlearn: :math:`y = \sigma(-2x)`.

    Parameters
    ----------
    m : int
        Number of examples.
    rng : None, int or Generator

    Returns
    -------
    x : ndarray, shape (m,), uniform on [-2, 2]
    y : ndarray, shape (m,), targets in (0, 1)
    """
    check_positive(m, "m", integer=True)
    x = make_rng(rng).uniform(-2.0, 2.0, m)
    return x, F.sigmoid(-2.0 * x)


class Trajectory(NamedTuple):
    r"""Gradient descent on one neuron, from ``s`` starting points.

    Row ``t`` holds the values after ``t`` updates, ``t = 0 .. epochs``.

    Attributes
    ----------
    w, b : ndarray, shape (epochs + 1, s)
    loss : ndarray, shape (epochs + 1, s)
        The cost at ``(w[t], b[t])``.
    """

    w: np.ndarray
    b: np.ndarray
    loss: np.ndarray


def _neuron_inputs(w, b, x, y):
    w, b = as_array(w, "w").reshape(-1), as_array(b, "b").reshape(-1)
    if len(w) != len(b) and 1 not in (len(w), len(b)):
        raise ValueError(f"w and b must hold one value per starting point (or one of them a single "
                         f"value); got w {w.shape} and b {b.shape}")
    w, b = np.broadcast_arrays(w, b)
    x, y = as_array(x, "x").reshape(-1), as_array(y, "y").reshape(-1)
    if x.shape != y.shape:
        raise ValueError(f"x and y must hold one target per input; got x {x.shape} and y {y.shape}")
    return w, b, x, y


def _cost_and_gradient(w, b, x, y, cost):
    """Cost (s,) and gradients dw, db (s,) from one evaluation of the neuron."""
    z = w[:, None] * x + b[:, None]  # (s, m)
    a = F.sigmoid(z)
    dz = (a - y) / len(x)  # cross-entropy's dC/dz; the quadratic cost adds sigma'(z)
    if cost == "quadratic":
        C = 0.5 * np.mean((a - y) ** 2, axis=1)
        dz = dz * a * (1.0 - a)
    else:
        C = np.mean(F.softplus(z) - y * z, axis=1)
    return C, dz @ x, dz.sum(axis=1)


def neuron_cost(w, b, x, y, cost: str = "quadratic") -> np.ndarray:
    r"""The cost of the neuron :math:`a = \sigma(wx + b)` over ``m`` examples.

    quadratic: :math:`C = \frac{1}{2m}\sum_x (a - y)^2`;
    cross_entropy: :math:`C = -\frac1m\sum_x [y\log a + (1-y)\log(1-a)]`, computed as
    :math:`\frac1m\sum_x[\operatorname{softplus}(z) - yz]`, which is finite for every ``z``.

    Parameters
    ----------
    w, b : float or array_like, shape (s,)
        ``s`` neurons (starting points), broadcast against each other.
    x, y : array_like, shape (m,)
        Scalar inputs and their targets in [0, 1].

    Returns
    -------
    ndarray, shape (s,)
    """
    choose("cost", cost, COSTS)
    return _cost_and_gradient(*_neuron_inputs(w, b, x, y), cost)[0]


def neuron_gradient(w, b, x, y, cost: str = "quadratic"):
    r""":math:`(\partial C/\partial w, \partial C/\partial b)` of :func:`neuron_cost`.

    The output error is :math:`\partial C/\partial z = (a - y)\sigma'(z)/m` for the
    quadratic cost and :math:`(a - y)/m` for cross-entropy: the :math:`\sigma'(z)` that
    slows the quadratic cost down cancels. Then :math:`\partial C/\partial w = \sum_x
    (\partial C/\partial z)\,x` and :math:`\partial C/\partial b = \sum_x \partial C/\partial z`.

    Returns
    -------
    dw, db : ndarray, shape (s,)
    """
    choose("cost", cost, COSTS)
    return _cost_and_gradient(*_neuron_inputs(w, b, x, y), cost)[1:]


def train_neuron(w, b, x, y, cost: str = "quadratic", lr: float = 0.15,
                 epochs: int = 300) -> Trajectory:
    r"""Full-batch gradient descent :math:`w \leftarrow w - \eta\,\partial C/\partial w` on one neuron.

    All ``s`` starting points train at once, independently (vectorised over ``s``).

    Parameters
    ----------
    w, b : float or array_like, shape (s,)
        Starting weights and biases.
    x, y : array_like, shape (m,)
        Inputs and targets.
    cost : {"quadratic", "cross_entropy"}
    lr : float
        The learning rate :math:`\eta`.
    epochs : int

    Returns
    -------
    Trajectory
        ``w``, ``b``, ``loss`` of shape (epochs + 1, s).
    """
    choose("cost", cost, COSTS)
    check_positive(lr, "lr")
    check_positive(epochs, "epochs", integer=True)
    w, b, x, y = _neuron_inputs(w, b, x, y)
    ws, bs, losses = np.empty((3, epochs + 1, len(w)))
    ws[0], bs[0] = w, b
    for t in range(epochs + 1):
        losses[t], dw, db = _cost_and_gradient(ws[t], bs[t], x, y, cost)
        if t < epochs:
            ws[t + 1] = ws[t] - lr * dw
            bs[t + 1] = bs[t] - lr * db
    return Trajectory(ws, bs, losses)


class GradientNorms(NamedTuple):
    r"""Per ``Dense`` layer ``l = 1 .. L`` (input first), after one backward pass.

    Attributes
    ----------
    weights : ndarray, shape (L,)
        :math:`\lVert \partial L/\partial W^{(l)} \rVert` (Frobenius norm).
    errors : ndarray, shape (L,)
        :math:`\lVert \delta^{(l)} \rVert = \lVert \partial L/\partial e^{(l)} \rVert`, the error
        that reaches the layer's excitation, over the whole batch.
    """

    weights: np.ndarray
    errors: np.ndarray


def layer_gradient_norms(net, loss, X, Y) -> GradientNorms:
    r"""How big the gradient is in every ``Dense`` layer of ``net``, input layer first.

    Runs one forward pass, the loss and one backward pass through ``net.layers`` (as
    ``Sequential.backward`` does), noting the error :math:`\delta^{(l)}` that arrives at each
    ``Dense`` output. The parameters are not changed; the gradients are left in the layers.

    Parameters
    ----------
    net : Sequential
    loss : Loss
    X : ndarray, shape (n, n_0)
    Y : ndarray, the targets ``loss`` expects

    Returns
    -------
    GradientNorms
        ``weights`` and ``errors``, each of shape (number of Dense layers,).
    """
    loss(net.forward(as_batch(X, "X")), Y)
    grad = loss.backward()
    weights, errors = [], []
    for layer in reversed(net.layers):
        if isinstance(layer, Dense):
            errors.append(np.sqrt(np.sum(grad * grad)))
        grad = layer.backward(grad)
        if isinstance(layer, Dense):
            weights.append(np.sqrt(np.sum(layer.dW * layer.dW)))
    if not weights:
        raise ValueError(f"net has no Dense layer; got layers {[type(l).__name__ for l in net.layers]}")
    return GradientNorms(np.array(weights[::-1]), np.array(errors[::-1]))


def dead_units(E) -> np.ndarray:
    r"""Which ReLU units are dead: their excitation is :math:`e \le 0` on every example.

    A dead unit outputs 0 and has :math:`\mathrm{ReLU}'(e) = 0` everywhere on the data, so
    no gradient reaches its incoming weights and it cannot come back to life.

    Parameters
    ----------
    E : ndarray, shape (n, units)
        Excitations :math:`e = X W^T + b` of a layer.

    Returns
    -------
    ndarray of bool, shape (units,)
    """
    return np.all(as_batch(E, "E") <= 0.0, axis=0)


def dead_fraction_by_bias(X, W, biases) -> np.ndarray:
    r"""Fraction of dead units when every unit of the layer ``W`` gets the same bias ``b``.

    Unit :math:`j` is dead iff :math:`\max_i (x_i \cdot w_j) + b \le 0`, so one product
    :math:`X W^T` answers for every bias at once.

    Parameters
    ----------
    X : ndarray, shape (n, n_0)
    W : ndarray, shape (units, n_0)
    biases : array_like, shape (k,)

    Returns
    -------
    ndarray, shape (k,)
    """
    top = (as_batch(X, "X") @ as_batch(W, "W").T).max(axis=0)  # (units,)
    biases = as_array(biases, "biases").reshape(-1)
    return np.mean(top[None, :] + biases[:, None] <= 0.0, axis=1)
