r"""Why depth: a sawtooth that a deep, narrow ReLU network computes exactly and a shallow one cannot.

The tent map :math:`T(x) = 2\min(x, 1 - x)` on :math:`[0, 1]` composed :math:`k` times is a
sawtooth with :math:`2^k` linear pieces. Since :math:`T(x) = 2\,\mathrm{relu}(x) - 4\,\mathrm{relu}(x - 1/2)`
on :math:`[0, 1]`, a ReLU network of depth :math:`k` and width 2 computes it exactly
(``tent_net``). A network with one hidden layer of :math:`m` ReLU units is linear except at
the :math:`m` points :math:`x = -b_j / w_j`, so it has at most :math:`m + 1` pieces
(``count_pieces`` counts them from the slopes), and needs at least :math:`2^k - 1` units.
Numpy only.
"""
from __future__ import annotations

import numpy as np

from nnkit._validation import as_array, check_positive, make_rng
from nnkit.layers import Dense, ReLU, Sequential

__all__ = [
    "tent", "sawtooth", "tent_net", "tent_stages", "breakpoints", "count_pieces",
    "unit_kinks", "random_shallow_net", "shallow_net", "shallow_fit", "corners", "shallow_bound",
]

# T(x) = 2 relu(x) - 4 relu(x - 1/2): the two units of every layer and how they recombine.
_UNITS_W, _UNITS_B = np.array([[1.0], [1.0]]), np.array([0.0, -0.5])
_COMBINE = np.array([[2.0, -4.0]])


def tent(x):
    r"""The tent map :math:`T(x) = 2\min(x, 1 - x)`, from :math:`[0, 1]` onto :math:`[0, 1]`."""
    x = as_array(x, "x")
    return 2.0 * np.minimum(x, 1.0 - x)


def sawtooth(x, k: int):
    r""":math:`T^{k}(x) = T(T(\cdots T(x)))`, the tent map composed ``k`` times: :math:`2^k` pieces."""
    check_positive(k, "k", integer=True)
    y = as_array(x, "x")
    for _ in range(k):
        y = tent(y)
    return y


def tent_net(k: int) -> Sequential:
    r"""A ReLU network of depth ``k`` and width 2 with hand-set weights that computes :math:`T^k`.

    Layer 1 is ``Dense(1, 2)`` with :math:`W = (1, 1)^T`, :math:`b = (0, -1/2)`: units
    :math:`\mathrm{relu}(x)` and :math:`\mathrm{relu}(x - 1/2)`. Each later hidden layer first
    recombines the two units into :math:`T = 2h_1 - 4h_2` and splits that again, so its
    ``Dense(2, 2)`` has :math:`W = (1, 1)^T (2, -4)` and the same bias. The output layer
    ``Dense(2, 1)`` computes :math:`2h_1 - 4h_2`. Input shape ``(n, 1)``, output ``(n, 1)``.
    """
    check_positive(k, "k", integer=True)
    first = Dense(1, 2)
    first.W[...], first.b[...] = _UNITS_W, _UNITS_B
    layers = [first, ReLU()]
    for _ in range(k - 1):
        hidden = Dense(2, 2)
        hidden.W[...], hidden.b[...] = _UNITS_W @ _COMBINE, _UNITS_B
        layers += [hidden, ReLU()]
    out = Dense(2, 1)
    out.W[...], out.b[...] = _COMBINE, 0.0
    return Sequential(layers + [out])


def tent_stages(net: Sequential, x) -> np.ndarray:
    r"""What the network has computed after each hidden layer, :math:`2h_1 - 4h_2` there.

    Returns
    -------
    ndarray, shape (k, len(x))
        Row ``j`` is the function of ``x`` after ``j + 1`` ReLU layers (for ``tent_net``,
        :math:`T^{j+1}(x)`).
    """
    h = as_array(x, "x").reshape(-1, 1)
    stages = []
    for layer in net.layers[:-1]:
        h = layer.forward(h)
        if isinstance(layer, ReLU):
            stages.append((h @ _COMBINE.T)[:, 0])
    return np.array(stages)


def _kinks_in_grid(f, x, tol, scale, depth):
    """Kinks of a continuous piece-wise linear ``f`` sampled at ``x``, refining unclear spots."""
    y = np.asarray(f(x), dtype=float).reshape(-1)
    slope = np.diff(y) / np.diff(x)
    # Rounding makes a slope wrong by about eps |y| / step: a change below that is noise.
    noise = 64 * np.finfo(float).eps * np.abs(y).max() / np.diff(x).min()
    bent = np.abs(np.diff(slope)) > max(tol * scale, noise)   # slope i differs from slope i + 1
    edges = np.flatnonzero(np.diff(np.r_[0, bent.astype(int), 0]))
    kinks = []
    for a, b in zip(edges[::2], edges[1::2]):          # bent[a:b] is one run of changes
        # Intervals a and b are straight; the kinks lie between x[a + 1] and x[b]. One change
        # means one kink at the grid point x[a + 1]; more may hide one kink or several.
        if b - a == 1 or depth == 0:
            if slope[a] != slope[b]:                   # else the bends cancel: no kink
                kinks.append(x[a] + (y[b] - y[a] - slope[b] * (x[b] - x[a])) / (slope[a] - slope[b]))
        else:                                          # look closer
            finer = np.linspace(x[a], x[b + 1], 16 * (b + 1 - a) + 1)   # 16 times finer
            kinks += _kinks_in_grid(f, finer, tol, scale, depth - 1)
    return kinks


def breakpoints(f, lo: float = 0.0, hi: float = 1.0, points: int = 4096, tol: float = 1e-7):
    r"""The kinks of a continuous piece-wise linear function on ``[lo, hi]``, from its slopes.

    ``f`` is sampled on ``points`` equal intervals (plus two beyond each end, so that a kink
    near an end is seen like any other). Where the slope changes by more than ``tol`` times
    the largest slope, there is a kink; its position is where the lines of the straight
    intervals on either side meet. A kink between grid points may hide another beside it, so
    that stretch is sampled again, 16 times finer, twice over: kinks closer together than
    1/256 of a grid step count as one.

    Parameters
    ----------
    f : callable
        ``f(x)`` for ``x`` of shape ``(m,)``, returning ``m`` values (``(m,)`` or ``(m, 1)``).

    Returns
    -------
    ndarray, shape (number of kinks,)
        Sorted positions in ``(lo, hi)``.
    """
    check_positive(points, "points", integer=True)
    if not lo < hi:
        raise ValueError(f"need lo < hi for the interval [lo, hi]; got lo={lo!r}, hi={hi!r}")
    step = (hi - lo) / points
    x = np.linspace(lo - 2 * step, hi + 2 * step, points + 5)
    scale = max(1.0, float(np.abs(np.diff(np.asarray(f(x), dtype=float).reshape(-1))).max() / step))
    kinks = np.sort(np.array(_kinks_in_grid(f, x, tol, scale, depth=2)))
    return kinks[(kinks > lo) & (kinks < hi)]


def count_pieces(f, lo: float = 0.0, hi: float = 1.0, points: int = 4096, tol: float = 1e-7) -> int:
    """The number of linear pieces of ``f`` on ``[lo, hi]``: one more than its kinks there."""
    return len(breakpoints(f, lo, hi, points, tol)) + 1


def _check_shallow(net):
    layers = getattr(net, "layers", None)
    if (layers is None or len(layers) != 3 or not isinstance(layers[0], Dense)
            or not isinstance(layers[1], ReLU) or not isinstance(layers[2], Dense)
            or layers[0].in_features != 1 or layers[2].out_features != 1):
        raise ValueError(f"net must be [Dense(1, m), ReLU(), Dense(m, 1)]; got {net!r}")
    return layers


def unit_kinks(net, lo: float = -np.inf, hi: float = np.inf) -> np.ndarray:
    r"""The kinks of a ``[Dense(1, m), ReLU, Dense(m, 1)]`` network, read from its weights.

    Unit :math:`j` bends at :math:`x = -b^{(1)}_j / w^{(1)}_j`; it bends the output only if
    :math:`w^{(1)}_j \ne 0` and :math:`w^{(2)}_j \ne 0`. Units that bend at the same point
    make one kink. Returns the distinct positions in ``(lo, hi)``, sorted.
    """
    first, _, out = _check_shallow(net)
    w, b, v = first.W[:, 0], first.b, out.W[0]
    live = (w != 0) & (v != 0)
    kinks = np.unique(-b[live] / w[live])
    return kinks[(kinks > lo) & (kinks < hi)]


def random_shallow_net(m: int, lo: float = 0.0, hi: float = 1.0, rng=None) -> Sequential:
    r"""``[Dense(1, m), ReLU, Dense(m, 1)]`` with Gaussian weights and kinks uniform in ``(lo, hi)``.

    ``nk.MLP`` starts every bias at zero, which would put every kink at :math:`x = 0`; here
    :math:`b^{(1)}_j = -w^{(1)}_j t_j` with :math:`t_j \sim U(lo, hi)`.
    """
    check_positive(m, "m", integer=True)
    rng = make_rng(rng)
    net = Sequential([Dense(1, m, rng=rng), ReLU(), Dense(m, 1, rng=rng)])
    net[0].b[...] = -net[0].W[:, 0] * rng.uniform(lo, hi, m)
    net[2].b[...] = rng.standard_normal(1)
    return net


def shallow_net(kinks, slopes, bias: float = 0.0) -> Sequential:
    r""":math:`\hat y = b + \sum_j v_j\,\mathrm{relu}(x - t_j)`: one unit per kink :math:`t_j`."""
    kinks, slopes = as_array(kinks, "kinks").reshape(-1), as_array(slopes, "slopes").reshape(-1)
    if kinks.shape != slopes.shape or kinks.size == 0:
        raise ValueError(f"kinks and slopes must be two non-empty 1-D arrays of one length; "
                         f"got shapes {kinks.shape} and {slopes.shape}")
    m = len(kinks)
    net = Sequential([Dense(1, m), ReLU(), Dense(m, 1)])
    net[0].W[...], net[0].b[...] = 1.0, -kinks
    net[2].W[...], net[2].b[...] = slopes, bias
    return net


def shallow_fit(target, kinks, x):
    r"""The best output layer, by least squares on ``x``, for one unit :math:`\mathrm{relu}(x - t_j)` per kink.

    Only :math:`W^{(2)}, b^{(2)}` are fitted: this is the best shallow network *with these
    kinks*, not over all shallow networks of that width.

    Parameters
    ----------
    target : ndarray, shape (len(x),)
        Values to fit at the points ``x``.
    kinks : array_like, shape (m,)
        The kinks :math:`t_j`, one per hidden unit.

    Returns
    -------
    net : Sequential
        ``[Dense(1, m), ReLU, Dense(m, 1)]``.
    rms : float
        Root-mean-square error on ``x``.
    """
    x, target = as_array(x, "x").reshape(-1), as_array(target, "target").reshape(-1)
    kinks = as_array(kinks, "kinks").reshape(-1)
    if x.shape != target.shape:
        raise ValueError(f"target must have one value per point of x; got shapes {target.shape} and {x.shape}")
    features = np.column_stack([np.maximum(x[:, None] - kinks, 0.0), np.ones_like(x)])
    coef = np.linalg.lstsq(features, target, rcond=None)[0]
    net = shallow_net(kinks, coef[:-1], coef[-1])
    rms = float(np.sqrt(np.mean((net.forward(x[:, None])[:, 0] - target) ** 2)))
    return net, rms


def corners(k: int, m: int) -> np.ndarray:
    r"""The first ``m`` corners of :math:`T^k`, :math:`t_j = j / 2^k` for :math:`j = 0..m-1`.

    The one at 0 gives the first piece its slope; the others are kinks of the sawtooth.
    A shallow net with a unit on each of them reproduces the first ``m`` pieces exactly.
    """
    check_positive(k, "k", integer=True)
    check_positive(m, "m", integer=True)
    return np.arange(m) / 2.0 ** k


def shallow_bound(k: int, m) -> np.ndarray:
    r"""A lower bound on the RMS error on :math:`[0, 1]` of *every* shallow net of width ``m`` to :math:`T^k`.

    :math:`T^k` has :math:`2^{k-1}` teeth, each rising from 0 to 1 and falling back over a
    width :math:`2^{1-k}`. ``m`` units make at most ``m`` kinks, so at least
    :math:`2^{k-1} - m` teeth hold no kink, and there the network is one straight line. The
    best line through a tooth is the constant 1/2 (the tooth is symmetric and its values are
    uniform on [0, 1]), with mean squared error 1/12. Hence

    .. math:: \int_0^1 (\hat y - T^k)^2\,dx \ge \frac{2^{k-1} - m}{2^{k-1}}\cdot\frac{1}{12},
              \qquad \text{RMS} \ge \sqrt{\frac{1 - m / 2^{k-1}}{12}} \text{ for } m < 2^{k-1}.

    Zero for :math:`m \ge 2^{k-1}`, where this argument says nothing (the piece count still
    does: below :math:`2^k - 1` units the error is not zero).
    """
    check_positive(k, "k", integer=True)
    m = np.asarray(m, dtype=float)
    return np.sqrt(np.maximum(1.0 - m / 2.0 ** (k - 1), 0.0) / 12.0)
