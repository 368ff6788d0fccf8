r"""Two-layer networks as piece-wise approximators (lecture 02), in numpy alone.

- :data:`TARGETS`: 1-D functions on [0, 1] to approximate.
- :func:`staircase_net`: N steep sigmoids whose weights are *set*, not learned, so that
  :math:`\hat y(x) = f(x_0) + \sum_{j=1}^{N} \big(f(x_j) - f(x_{j-1})\big)\,\sigma\big(s (x - t_j)/\Delta\big)`.
- :func:`approximation_errors` and :func:`loglog_slope`: the error as N grows, and its rate.
- :func:`band_target` and :func:`ridge_net`: the 2-D excitation / tanh / recombination example.
- :func:`correction_terms`: :math:`\hat y = b^{(2)} + \sum_j w^{(2)}_j h_j`, term by term.
- :func:`fit_recording`: ``nk.fit`` that also keeps the outputs at chosen epochs.
- :func:`tower_net`: Nielsen's step -> bump -> tower in 2-D, four hidden units and a sigmoid output.
"""
from __future__ import annotations

import numpy as np

from nnkit._validation import as_batch, check_positive
from nnkit.layers import Dense, Sequential, Sigmoid, Tanh
from nnkit.training import fit

__all__ = [
    "TARGETS", "staircase_net", "approximation_errors", "loglog_slope",
    "band_target", "ridge_net", "correction_terms", "fit_recording", "tower_net",
]

TARGETS = {
    "wave": lambda x: np.sin(2 * np.pi * x) + 0.5 * x,   # smooth
    "kink": lambda x: np.abs(x - 0.4),                     # continuous, not differentiable
    "jump": lambda x: (x > 0.6).astype(float),             # discontinuous
}


def _target(f):
    if isinstance(f, str):
        if f not in TARGETS:
            raise ValueError(f"target must be one of {sorted(TARGETS)} or a function; got {f!r}")
        return TARGETS[f]
    if not callable(f):
        raise TypeError(f"target must be a name or a function of x (m,) -> (m,); got {f!r}")
    return f


def staircase_net(f, N: int, steepness: float = 10.0, lo: float = 0.0, hi: float = 1.0) -> Sequential:
    r"""A 1-N-1 sigmoid network that approximates ``f`` on ``[lo, hi]`` with N soft steps.

    Knots :math:`x_j = lo + j\Delta` (:math:`j = 0..N`, :math:`\Delta = (hi - lo)/N`); unit j
    switches on at :math:`t_j = x_j - \Delta/2` and adds the correction :math:`f(x_j) - f(x_{j-1})`.
    With a true step, :math:`\hat y(x)` is ``f`` at the nearest knot.

    Parameters
    ----------
    f : callable or str
        Target, ``(m,) -> (m,)``, or a name in :data:`TARGETS`.
    N : int
        Hidden units (soft steps).
    steepness : float
        :math:`s`, the slope of each sigmoid measured per knot spacing: a step rises from
        12% to 88% over :math:`4\Delta/s`. Larger is closer to a true step.

    Returns
    -------
    Sequential
        ``[Dense(1, N), Sigmoid(), Dense(N, 1)]``: ``W1 (N, 1)``, ``b1 (N,)``, ``W2 (1, N)``, ``b2 (1,)``.
    """
    f = _target(f)
    check_positive(N, "N", integer=True)
    check_positive(steepness, "steepness")
    if not hi > lo:
        raise ValueError(f"need lo < hi; got lo={lo}, hi={hi}")
    spacing = (hi - lo) / N
    knots = lo + spacing * np.arange(N + 1)
    gain = steepness / spacing
    first, second = Dense(1, N), Dense(N, 1)
    first.W[:, 0] = gain
    first.b[...] = -gain * (knots[1:] - spacing / 2)
    values = np.asarray(f(knots), dtype=float)
    second.W[0, :] = np.diff(values)       # the correction each unit adds when it turns on
    second.b[...] = values[0]
    return Sequential([first, Sigmoid(), second])


def approximation_errors(f, Ns, steepness: float = 10.0, lo: float = 0.0, hi: float = 1.0,
                         points: int = 4001):
    """Max and root-mean-square error of :func:`staircase_net` on an even grid, per N.

    Returns
    -------
    max_error, rms_error : ndarray, shape (len(Ns),)
    """
    f = _target(f)
    x = np.linspace(lo, hi, points)
    y = np.asarray(f(x), dtype=float)
    max_error, rms_error = [], []
    for N in Ns:
        gap = staircase_net(f, int(N), steepness, lo, hi).forward(x[:, None])[:, 0] - y
        max_error.append(np.abs(gap).max())
        rms_error.append(np.sqrt(np.mean(gap ** 2)))
    return np.array(max_error), np.array(rms_error)


def loglog_slope(N, error):
    r"""Least-squares line through :math:`(\log N, \log \text{error})`.

    Returns
    -------
    slope, scale : float
        ``error ≈ scale * N**slope``.
    """
    N, error = np.asarray(N, dtype=float), np.asarray(error, dtype=float)
    if N.shape != error.shape or N.size < 2 or np.any(N <= 0) or np.any(error <= 0):
        raise ValueError(
            f"N and error must be positive arrays of one shape with at least 2 entries; "
            f"got shapes {N.shape} and {error.shape}"
        )
    slope, intercept = np.polyfit(np.log(N), np.log(error), 1)
    return float(slope), float(np.exp(intercept))


def band_target(X, half_width: float = 1.0) -> np.ndarray:
    r"""+1 inside the diagonal band :math:`|x_1 + x_2| < \text{half\_width}`, -1 outside.

    X (n, 2) -> (n, 1).
    """
    X = as_batch(X, "X", 2)
    return np.where(np.abs(X.sum(axis=1, keepdims=True)) < half_width, 1.0, -1.0)


def ridge_net(steepness: float = 3.0, t=(-1.0, 1.0), w2=(1.0, -1.0), b2: float = -1.0) -> Sequential:
    r"""The 2-2-1 tanh network :math:`\hat y = b^{(2)} + \sum_k w^{(2)}_k \tanh\big(s (x_1 + x_2 - t_k)\big)`.

    Both hidden units look along the diagonal, :math:`W^{(1)} = s \begin{bmatrix}1&1\\1&1\end{bmatrix}`,
    :math:`b^{(1)} = -s\,t`. The defaults reproduce :func:`band_target`: +1 between the
    two cliffs at :math:`x_1 + x_2 = -1` and :math:`= 1`, -1 outside.

    Returns
    -------
    Sequential
        ``[Dense(2, 2), Tanh(), Dense(2, 1)]``.
    """
    first, second = Dense(2, 2), Dense(2, 1)
    first.W[...] = steepness
    first.b[...] = -steepness * np.asarray(t, dtype=float)
    second.W[0, :] = w2
    second.b[...] = b2
    return Sequential([first, Tanh(), second])


def correction_terms(net, X):
    r"""Split a two-layer net's output into its bias and one correction vector per hidden unit.

    For ``net = [Dense, activation, Dense]``:
    :math:`\hat y_i = b^{(2)} + \sum_j h_{ij}\, w^{(2)}_j`, with :math:`w^{(2)}_j` column j of ``W2``.

    Returns
    -------
    b : ndarray, shape (K,)
    terms : ndarray, shape (n, N, K)
        ``terms[i, j] = h_ij * W2[:, j]``; ``b + terms.sum(axis=1)`` is ``net.forward(X)``.
    h : ndarray, shape (n, N)
        The hidden activations.
    """
    if len(net.layers) != 3 or not isinstance(net[0], Dense) or not isinstance(net[2], Dense):
        raise ValueError(f"net must be [Dense, activation, Dense]; got {net!r}")
    h = net[1].forward(net[0].forward(X))
    return net[2].b.copy(), h[:, :, None] * net[2].W.T[None, :, :], h


def fit_recording(net, loss, X, Y, at, **fit_kwargs):
    """``nk.fit`` that also records ``net.forward(X)`` before training and after the epochs in ``at``.

    Parameters
    ----------
    at : iterable of int
        1-based epoch numbers; 0 means before the first step.
    **fit_kwargs
        Passed to :func:`nnkit.fit` (``epochs`` is required there).

    Returns
    -------
    history : History
    outputs : dict of int -> ndarray, shape (n, K)
    """
    at = set(int(a) for a in at)
    outputs = {0: net.forward(X).copy()} if 0 in at else {}
    user_callback = fit_kwargs.pop("callback", None)

    def record(epoch, history):
        if epoch + 1 in at:
            outputs[epoch + 1] = net.forward(X).copy()
        return user_callback(epoch, history) if user_callback else None

    history = fit(net, loss, X, Y, callback=record, **fit_kwargs)
    return history, outputs


def tower_net(lo: float = 0.4, hi: float = 0.6, steepness: float = 200.0,
              output_steepness: float = 20.0) -> Sequential:
    r"""A tower over the square :math:`[lo, hi]^2`: steps make bumps, two bumps and a threshold a tower.

    Hidden units 1-2 are steps in :math:`x_1` at ``lo`` and ``hi``, so ``h1 - h2`` is a bump in
    :math:`x_1` (about 1 on :math:`lo < x_1 < hi`, 0 elsewhere); units 3-4 do the same in :math:`x_2`.
    The two bumps add up to a cross: about 2 on the square, 1 on its arms, 0 elsewhere. The output
    sigmoid :math:`\sigma\big(g\,(\text{bump}_1 + \text{bump}_2 - 1.5)\big)` keeps only the square
    (Nielsen, *Neural Networks and Deep Learning*, ch. 4).

    Returns
    -------
    Sequential
        ``[Dense(2, 4), Sigmoid(), Dense(4, 1), Sigmoid()]``; ``forward(X (n, 2)) -> (n, 1)``.
    """
    check_positive(steepness, "steepness")
    check_positive(output_steepness, "output_steepness")
    if not hi > lo:
        raise ValueError(f"need lo < hi; got lo={lo}, hi={hi}")
    first, second = Dense(2, 4), Dense(4, 1)
    first.W[...] = steepness * np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    first.b[...] = -steepness * np.array([lo, hi, lo, hi])
    second.W[0, :] = output_steepness * np.array([1.0, -1.0, 1.0, -1.0])
    second.b[...] = -1.5 * output_steepness
    return Sequential([first, Sigmoid(), second, Sigmoid()])
