r"""The forward pass by hand (lecture 01), in numpy alone.

- :data:`GATES` and :func:`logic_unit`: OR, NAND and AND as single threshold units.
- :func:`xor_network`: XOR as AND(OR, NAND), a 2-2-1 ``Sequential`` with set weights.
- :func:`truth_table`: a network's outputs on the four corners of the unit square.
- :func:`best_single_unit_on_xor`: how many XOR corners random single units get right.
- :func:`parameter_count`: :math:`\sum_l n_l (n_{l-1} + 1)` from the layer sizes.
- :func:`collapse_linear`: two ``Dense`` layers with nothing between them, as one.
- :func:`forward_each` and :func:`best_time`: the per-example loop against one product.
- :func:`single_unit`, :func:`random_network` and :func:`affine_gap`: a unit with given
  weights, a network with random biases too, and how far a network is from affine.

A unit fires when its excitation :math:`e = w \cdot x + b` is :math:`\ge 0`, i.e. when
:math:`w \cdot x \ge \theta` with threshold :math:`\theta = -b`.
"""
from __future__ import annotations

import time

import numpy as np

from nnkit._validation import as_batch, check_positive, make_rng
from nnkit.data import xor
from nnkit.layers import MLP, Dense, Sequential, as_activation

__all__ = [
    "GATES", "logic_unit", "xor_network", "truth_table", "best_single_unit_on_xor",
    "parameter_count", "collapse_linear", "forward_each", "best_time",
    "single_unit", "random_network", "affine_gap",
]

# name -> (w (2,), b): the unit fires (step(e) = 1) on the corners where the gate is 1.
# Thresholds sit half-way between the corner sums, so every corner has a margin of 1/2.
GATES = {
    "or": (np.array([1.0, 1.0]), -0.5),
    "nand": (np.array([-1.0, -1.0]), 1.5),
    "and": (np.array([1.0, 1.0]), -1.5),
}


def _unit(name: str):
    if name not in GATES:
        raise ValueError(f"gate must be one of {sorted(GATES)}; got {name!r}")
    return GATES[name]


def logic_unit(gate: str, activation="step", gain: float = 1.0) -> Sequential:
    r"""One unit :math:`h = f(g\,(w \cdot x + b))` computing a logic gate on ``X (n, 2)``.

    Parameters
    ----------
    gate : {"or", "nand", "and"}
    activation : str or Layer
        ``"step"`` gives exact 0/1; ``"sigmoid"`` a smooth stand-in.
    gain : float
        :math:`g`, multiplies ``w`` and ``b``; it sharpens a sigmoid and leaves a step alone.
    """
    w, b = _unit(gate)
    dense = Dense(2, 1)
    dense.W[...] = gain * w[None, :]
    dense.b[...] = gain * b
    return Sequential([dense, as_activation(activation)])


def xor_network(W1=None, b1=None, activation="step", gain: float = 1.0) -> Sequential:
    r"""XOR as AND(OR, NAND): ``Dense(2, 2)``, activation, ``Dense(2, 1)``, activation.

    Parameters
    ----------
    W1 : array_like, shape (2, 2), optional
        Hidden weights, row 0 the OR unit, row 1 the NAND unit (default: :data:`GATES`).
    b1 : array_like, shape (2,), optional
        Hidden biases :math:`b = -\theta` (default: :data:`GATES`).
    activation : str or Layer
        Used by both layers (the LING572 slides use the sigmoid; ``"step"`` is exact).
    gain : float
        Multiplies every weight and bias, so a sigmoid network comes close to the step one.

    Returns
    -------
    Sequential
        ``[Dense(2, 2), f, Dense(2, 1), f]``; ``net.forward(X (n, 2)) -> (n, 1)``.
    """
    hidden, output = Dense(2, 2), Dense(2, 1)
    hidden.W[...] = np.vstack([GATES["or"][0], GATES["nand"][0]]) if W1 is None else W1
    hidden.b[...] = [GATES["or"][1], GATES["nand"][1]] if b1 is None else b1
    output.W[...] = GATES["and"][0][None, :]
    output.b[...] = GATES["and"][1]
    for dense in (hidden, output):
        dense.W *= gain
        dense.b *= gain
    return Sequential([hidden, as_activation(activation), output, as_activation(activation)])


def truth_table(net):
    """The outputs of ``net`` on the corners (0,0), (0,1), (1,0), (1,1).

    Returns
    -------
    X : ndarray, shape (4, 2)
    out : ndarray, shape (4,)  (the first output column)
    """
    X, _ = xor()
    return X, net.forward(X)[:, 0]


def best_single_unit_on_xor(units: int = 100_000, rng=None) -> int:
    """The most XOR corners (of 4) that any of ``units`` random step units gets right.

    Weights and biases are drawn from N(0, 1); all units are evaluated in one product.
    """
    check_positive(units, "units", integer=True)
    rng = make_rng(rng)
    W, b = rng.standard_normal((units, 2)), rng.standard_normal(units)
    X, Y = xor()
    fires = (X @ W.T + b) >= 0                      # (4, units)
    correct = (fires == (Y > 0.5)).sum(axis=0)      # (units,)
    return int(correct.max())


def parameter_count(sizes) -> int:
    r""":math:`\sum_{l=1}^{L} n_l (n_{l-1} + 1)` for ``sizes = [n_0, ..., n_L]``.

    Layer l has an ``(n_l, n_{l-1})`` weight matrix and ``n_l`` biases.
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes must list at least two positive widths [n_0, ..., n_L]; got {sizes}")
    return sum(n * (n_prev + 1) for n_prev, n in zip(sizes[:-1], sizes[1:]))


def collapse_linear(first: Dense, second: Dense) -> Dense:
    r"""One ``Dense`` equal to ``second(first(X))``: :math:`W = W_2 W_1`, :math:`b = W_2 b_1 + b_2`.

    ``first``: ``(n_1, n_0)``, ``second``: ``(n_2, n_1)``; the result is ``(n_2, n_0)``.
    """
    if second.in_features != first.out_features:
        raise ValueError(
            f"second takes {second.in_features} inputs but first gives {first.out_features}; "
            f"the layers do not compose"
        )
    layer = Dense(first.in_features, second.out_features)
    layer.W[...] = second.W @ first.W
    layer.b[...] = second.W @ first.b + second.b
    return layer


def forward_each(net, X) -> np.ndarray:
    """The LING572 slides' "bad idea": ``net.forward`` on one example (a 1-row batch) at a time.

    X (n, n_0) -> (n, n_L), the same numbers as ``net.forward(X)``.
    """
    X = as_batch(X, "X")
    return np.vstack([net.forward(x[None, :]) for x in X])


def best_time(fn, repeats: int = 5) -> float:
    """The shortest of ``repeats`` wall-clock timings of ``fn()``, in seconds.

    The minimum is the least disturbed by other programs on the machine.
    """
    check_positive(repeats, "repeats", integer=True)
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def single_unit(w, b: float, activation="sigmoid", gain: float = 1.0) -> Sequential:
    r"""One unit :math:`h = f(g\,(w \cdot x + b))` on ``X (n, len(w))``: ``[Dense, activation]``."""
    w = np.asarray(w, dtype=float).ravel()
    dense = Dense(len(w), 1)
    dense.W[0] = gain * w
    dense.b[0] = gain * b
    return Sequential([dense, as_activation(activation)])


def random_network(sizes, activation="tanh", rng=None, bias_std: float = 1.0):
    """``MLP(sizes, activation)`` with biases drawn from N(0, ``bias_std``^2) as well.

    ``MLP`` starts every bias at zero, so all its 1-D curves pass through the origin (and odd
    activations give odd functions); a picture of *random* networks needs random biases.
    """
    rng = make_rng(rng)
    net = MLP(sizes, activation=activation, rng=rng)
    for layer in net.layers:
        if isinstance(layer, Dense):
            layer.b[...] = bias_std * rng.standard_normal(layer.b.shape)
    return net


def affine_gap(net, X1, X2, alpha: float = 0.3) -> float:
    r"""Largest :math:`|g(\alpha x + (1-\alpha) x') - (\alpha g(x) + (1-\alpha) g(x'))|` over the
    rows of ``X1, X2 (n, n_0)``, for :math:`g` = ``net.forward``; 0 (to rounding) iff affine on them."""
    X1, X2 = as_batch(X1, "X1"), as_batch(X2, "X2")
    if X1.shape != X2.shape:
        raise ValueError(f"X1 and X2 must have one shape; got {X1.shape} and {X2.shape}")
    mixed = net.forward(alpha * X1 + (1 - alpha) * X2)
    return float(np.abs(mixed - (alpha * net.forward(X1) + (1 - alpha) * net.forward(X2))).max())
