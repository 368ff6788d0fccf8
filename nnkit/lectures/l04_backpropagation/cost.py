r"""Why back-propagation is cheap: what a gradient costs by back-propagation and by finite differences.

Counts are exact: ``count_products`` runs nnkit's own ``forward`` and ``backward`` on arrays
that record every matrix product numpy is asked for, and ``difference_gradient`` counts the
loss evaluations that centred differences need. Times (``time_gradients``) are observations
of one machine, never something to assert. Numpy only.

For a ``Dense`` layer of ``n_in -> n_out`` on ``n`` examples, the forward product
:math:`X W^T` takes :math:`n\,n_{in}\,n_{out}` multiply-adds; the backward pass takes two
products of the same size, :math:`dW = dY^T X` and :math:`dX = dY\,W`. So one backward pass
costs about two forward passes, whatever the number of parameters :math:`P`, while centred
differences cost :math:`2P` forward passes.
"""
from __future__ import annotations

import contextlib
import time

import numpy as np

from nnkit.gradcheck import numerical_gradient
from nnkit.layers import Dense, MLP

__all__ = [
    "count_products", "product_formula", "difference_gradient", "time_gradients", "growing_nets",
]


class _Recorded(np.ndarray):
    """An array whose matrix products add their multiply-adds to ``_Recorded.tally``."""

    tally = None  # a one-element list while a count runs

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain = [np.asarray(a) if isinstance(a, _Recorded) else a for a in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(np.asarray(o) if isinstance(o, _Recorded) else o for o in kwargs["out"])
        result = getattr(ufunc, method)(*plain, **kwargs)
        if ufunc is np.matmul and method == "__call__" and _Recorded.tally is not None:
            a, b = plain                                   # (n, k) @ (k, m): n k m multiply-adds
            _Recorded.tally[0] += a.shape[0] * a.shape[1] * b.shape[1]
        return result.view(_Recorded) if isinstance(result, np.ndarray) else result


@contextlib.contextmanager
def _recording(net):
    """Let every ``Dense`` weight matrix record its products; put the plain arrays back after."""
    dense = [layer for layer in net.layers if isinstance(layer, Dense)]
    originals = [layer.W for layer in dense]
    _Recorded.tally = [0]
    try:
        for layer in dense:
            layer.W = layer.W.view(_Recorded)              # the same memory, only counted
        yield _Recorded.tally
    finally:
        _Recorded.tally = None
        for layer, W in zip(dense, originals):
            layer.W = W
        for layer in net.layers:                           # what forward kept, and the gradients
            for name, value in vars(layer).items():
                if isinstance(value, _Recorded):
                    setattr(layer, name, np.asarray(value))


def count_products(net, loss, X, Y) -> dict:
    r"""Multiply-adds in the matrix products of one forward and one backward pass of ``net``.

    Runs ``net.forward``, ``loss`` and ``net.backward`` as they are, on arrays that count every
    matrix product; the gradients land in the layers as usual. Elementwise work (activations,
    biases, the loss) is not counted: it is :math:`n\,n_l` per layer, a factor :math:`n_{l-1}`
    below the products.

    Returns
    -------
    dict with ``"forward"`` and ``"backward"`` (ints, multiply-adds).
    """
    with _recording(net) as tally:
        Yhat = net.forward(np.asarray(X, dtype=float).view(_Recorded))
        forward = tally[0]
        loss(np.asarray(Yhat), Y)
        net.backward(loss.backward())
        backward = tally[0] - forward
    return {"forward": int(forward), "backward": int(backward)}


def product_formula(sizes, n: int) -> dict:
    r"""The lecture's count for an MLP ``sizes = [n_0, ..., n_L]`` on ``n`` examples.

    Forward :math:`n\sum_l n_{l-1} n_l`; backward twice that (:math:`dW` and :math:`dX` per layer).
    """
    forward = n * sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    return {"forward": forward, "backward": 2 * forward}


def difference_gradient(net, loss, X, Y, h: float = 1e-6):
    r"""The gradient of every parameter by centred differences, and the loss evaluations it took.

    Each evaluation is one forward pass of ``net`` on ``X`` and one loss.

    Returns
    -------
    grads : list of ndarray
        One per parameter, in the order of ``net.parameters()``.
    evaluations : int
        :math:`2P` for :math:`P` parameters.
    """
    evaluations = [0]

    def value():
        evaluations[0] += 1
        return loss(net.forward(X), Y)

    grads = [numerical_gradient(value, p.value, h) for p in net.parameters()]
    return grads, evaluations[0]


def _best_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def time_gradients(net, loss, X, Y, repeats: int = 20, differences: bool = True) -> dict:
    """Seconds for one forward pass, one backward pass and one finite-difference gradient.

    The best of ``repeats`` runs for the passes and of three for the differences (the best
    run is the one least disturbed by whatever else the machine does). A measurement of this
    machine, not a guarantee.
    """
    def forward():
        return loss(net.forward(X), Y)

    def backward():
        net.backward(loss.backward())

    forward()
    out = {"forward": _best_time(forward, repeats), "backward": _best_time(backward, repeats)}
    if differences:
        out["differences"] = _best_time(lambda: difference_gradient(net, loss, X, Y), 3)
    return out


def growing_nets(widths, hidden_layers: int = 2, n_in: int = 2, n_out: int = 1,
                 activation: str = "tanh", rng=0):
    """``MLP([n_in, w, ..., w, n_out])`` for each width ``w``: networks of growing ``P``."""
    return [MLP([n_in, *[int(w)] * hidden_layers, n_out], activation=activation, rng=rng)
            for w in widths]
