r"""Back-propagation as lecture 04 studies it: training records and data with a known answer.

Pure numpy on top of nnkit (no drawing):

- training records: snapshots of one run, and the lecture's :math:`h`,
  :math:`\varepsilon`, :math:`\delta` from nnkit's backward pass;
- noisy targets with a known mean :math:`E[y \mid x]`, and the MSE of a constant guess.
"""
from __future__ import annotations

import copy

import numpy as np

from nnkit._validation import as_batch, check_positive, make_rng
from nnkit.losses import MSELoss
from nnkit.training import fit

__all__ = ["snapshots", "two_layer_errors", "noisy_sine", "noisy_targets", "constant_losses"]


# --- training records --------------------------------------------------------------------

def snapshots(net, loss, X, Y, *, epochs: int, every: int = 1, **fit_kwargs):
    """Train ``net`` with :func:`nnkit.fit` and keep its outputs and parameters along the way.

    Parameters
    ----------
    net, loss, X, Y, epochs, **fit_kwargs
        As for :func:`nnkit.fit` (``lr`` or ``optimizer``, ``batch_size``, ``rng``...).
    every : int
        Keep a snapshot every ``every`` epochs (and before the first).

    Returns
    -------
    dict with
        ``"epoch"`` (S,) ints, ``"output"`` (S, n, K), ``"params"`` a list of S lists of
        parameter arrays (copies, in ``net.parameters()`` order), ``"loss"`` (S,) the loss
        on all of ``X`` at that moment, and ``"history"`` the :class:`nnkit.History`.
    """
    record = {"epoch": [], "output": [], "params": [], "loss": []}

    def keep(epoch):
        out = net.forward(X)
        record["epoch"].append(epoch)
        record["output"].append(out)
        record["params"].append([p.value.copy() for p in net.parameters()])
        record["loss"].append(loss(out, Y))

    def callback(epoch, history):
        if (epoch + 1) % every == 0:
            keep(epoch + 1)

    keep(0)
    fit_kwargs.setdefault("progress", False)
    record["history"] = fit(net, copy.copy(loss), X, Y, epochs=epochs, callback=callback,
                            **fit_kwargs)
    for key in ("epoch", "output", "loss"):
        record[key] = np.array(record[key])
    return record


def two_layer_errors(net, loss, X, Y):
    r"""The lecture's quantities for a ``[Dense, activation, Dense]`` network, from nnkit's backward.

    Returns
    -------
    dict with ``"H"`` (n, N) hidden activations :math:`h_i`, ``"Yhat"`` (n, K),
    ``"eps"`` (n, K) output errors :math:`\varepsilon_i = \partial L/\partial e^{(2)}_i`,
    ``"delta"`` (n, N) back-propagated errors :math:`\delta_i = \partial L/\partial e^{(1)}_i`.
    """
    dense1, act, dense2 = net.layers
    H = act.forward(dense1.forward(X))
    Yhat = dense2.forward(H)
    loss(Yhat, Y)
    eps = loss.backward()
    delta = act.backward(dense2.backward(eps))
    dense1.backward(delta)
    return {"H": H, "Yhat": Yhat, "eps": eps, "delta": delta}


def noisy_sine(n: int, noise: float = 0.3, rng=None):
    r"""Regression data with known conditional mean: :math:`y = \sin(2\pi x) + \text{noise}\cdot\xi`.

    :math:`x \sim U(0, 1)` (sorted), :math:`\xi \sim N(0, 1)`, so :math:`E[y \mid x] = \sin(2\pi x)`.

    Returns
    -------
    X : ndarray, shape (n, 1)
    Y : ndarray, shape (n, 1), noisy targets
    mean : ndarray, shape (n, 1), :math:`E[y \mid x]` at each ``X``
    """
    check_positive(n, "n", integer=True)
    check_positive(noise, "noise", allow_zero=True)
    rng = make_rng(rng)
    X = np.sort(rng.uniform(0.0, 1.0, (n, 1)), axis=0)
    mean = np.sin(2 * np.pi * X)
    return X, mean + noise * rng.standard_normal((n, 1)), mean


def noisy_targets(n: int, noise: float = 1.0, kind: str = "normal", mean: float = 1.0, rng=None):
    r"""``n`` noisy targets of one input, with known mean.

    ``kind="normal"``: :math:`y = \mu + \text{noise}\cdot\xi`; ``kind="skewed"``:
    :math:`y = \mu + \text{noise}\,(\xi^2 - 1)/\sqrt 2` (a shifted chi-square, whose most
    likely value lies below its mean). Both have mean :math:`\mu` and standard
    deviation ``noise``.

    Returns
    -------
    y : ndarray, shape (n, 1)
    """
    check_positive(n, "n", integer=True)
    xi = make_rng(rng).standard_normal((n, 1))
    if kind == "normal":
        return mean + noise * xi
    if kind == "skewed":
        return mean + noise * (xi**2 - 1) / np.sqrt(2)
    raise ValueError(f"kind must be 'normal' or 'skewed'; got {kind!r}")


def constant_losses(y, c):
    r"""nnkit's MSE of predicting the constant :math:`c` for every target: :math:`\frac{1}{2n}\sum_i (c - y_i)^2`.

    y : ndarray (n, 1);  c : ndarray (m,)  ->  ndarray (m,)
    """
    y = as_batch(y, "y")
    loss = MSELoss()
    return np.array([loss(np.full_like(y, value), y) for value in np.asarray(c, dtype=float)])
