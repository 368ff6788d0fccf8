r"""Small experiments of lecture 07 (training in practice), in numpy and nnkit only.

Pure functions that the notebook, the figures, the widgets and the tests call:

* preprocessing: a correlated data cloud (:func:`correlated_cloud`);
* initialisation: the activations of a deep network layer by layer
  (:func:`hidden_activations`, :func:`layer_stats`, :func:`init_study`);
* batch normalisation: the running statistics over many batches (:func:`running_trace`);
  the networks with and without it are ``nk.MLP(sizes, batchnorm=...)``;
* babysitting: a learning-rate sweep, scored on training or validation data (:func:`lr_sweep`);
* hyper-parameter search: log-uniform sampling, grid against random layouts on a toy
  objective with one important and one unimportant parameter, and coarse-to-fine
  narrowing of a search range.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from nnkit._validation import check_positive, make_rng
from nnkit.layers import ACTIVATIONS, MLP, BatchNorm, Dense, Sequential
from nnkit.training import fit
from nnkit.viz import histogram

__all__ = [
    "correlated_cloud",
    "hidden_activations", "LayerStats", "layer_stats", "init_study",
    "running_trace",
    "lr_sweep",
    "log_uniform", "grid_layout", "random_layout", "toy_objective", "best_trial",
    "grid_vs_random", "refine_range",
]


# ---------------------------------------------------------------- preprocessing


def correlated_cloud(n: int = 500, correlation: float = 0.8, rng=0) -> np.ndarray:
    """``(n, 2)`` Gaussian cloud: mean (3, -2), standard deviations (2, 0.8), the given correlation.

    The same ``rng`` gives the same underlying draws for every ``correlation``, so a
    slider over it deforms one cloud rather than drawing new ones.
    """
    if not -1.0 < correlation < 1.0:
        raise ValueError(f"correlation must be in (-1, 1); got {correlation!r}")
    std = np.array([2.0, 0.8])
    C = np.array([[1.0, correlation], [correlation, 1.0]]) * np.outer(std, std)
    Z = make_rng(rng).standard_normal((n, 2))
    return np.array([3.0, -2.0]) + Z @ np.linalg.cholesky(C).T


# ---------------------------------------------------------------- initialisation


def hidden_activations(net: Sequential, X) -> list:
    """The output ``h^(l)`` of every activation layer of ``net`` (every layer after a Dense).

    Parameters
    ----------
    net : Sequential
        Alternating ``Dense`` and activation layers, e.g.
        ``nk.MLP([n_0, *widths], activation=f, output=f)``.
    X : ndarray, shape (n, n_0)

    Returns
    -------
    list of ndarray, each of shape (n, width)
        ``h^(1), ..., h^(L)``; the network's forward pass leaves its layers ready for
        ``backward``.
    """
    hs = []
    for layer in net.layers:
        X = layer.forward(X)
        if not isinstance(layer, Dense):
            hs.append(X)
    return hs


@dataclass
class LayerStats:
    """Summary of the activations of each hidden layer (L layers).

    Attributes
    ----------
    mean, std : ndarray, shape (L,)
        Over all examples and units of the layer.
    saturated : ndarray, shape (L,)
        Fraction of activations with ``|h| > 0.99`` (tanh's flat tails).
    hist : ndarray, shape (L, bins)
        Fraction of activations per bin over ``edges`` (edge bins include the outside).
    edges : ndarray, shape (bins + 1,)
    """

    mean: np.ndarray
    std: np.ndarray
    saturated: np.ndarray
    hist: np.ndarray
    edges: np.ndarray

    @property
    def var_ratio(self) -> np.ndarray:
        r"""``(L - 1,)``: :math:`\mathrm{Var}\,h^{(l+1)} / \mathrm{Var}\,h^{(l)}`, 0 where a variance is 0."""
        var = self.std ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(var[:-1] > 0, var[1:] / np.where(var[:-1] > 0, var[:-1], 1.0), 0.0)


def layer_stats(hs, hist_range=(-1.0, 1.0), bins: int = 40,
                positive_only: bool = False) -> LayerStats:
    """Mean, standard deviation, saturation and a histogram of each ``h`` in ``hs``.

    Parameters
    ----------
    hs : list of ndarray, each (n, width)
    hist_range : (float, float)
        Histogram range; values outside it are clipped into the edge bins, so an
        exploding layer shows as a spike at the edge.
    bins : int
    positive_only : bool
        Histogram only the positive values (for ReLU, whose exact zeros, about half of
        all values, would flatten every other bin); the fractions are then of those.
    """
    lo, hi = hist_range
    edges = np.linspace(lo, hi, bins + 1)
    hist = np.zeros((len(hs), bins))
    for l, h in enumerate(hs):
        _, hist[l] = histogram.fractions(h[h > 0] if positive_only else h, lo, hi, bins)
    return LayerStats(
        mean=np.array([h.mean() for h in hs]),
        std=np.array([h.std() for h in hs]),
        saturated=np.array([np.mean(np.abs(h) > 0.99) for h in hs]),
        hist=hist, edges=edges,
    )


def init_study(inits=("small", "large", "xavier", "he"), activations=("tanh", "relu"),
               n: int = 1000, width: int = 256, depth: int = 10, rng=0) -> dict:
    """Forward a unit Gaussian batch through a deep net for each (init, activation).

    The network is ``depth`` hidden layers ``Dense(width) -> activation``
    (``nk.MLP([width] * (depth + 1), activation=act, output=act)``). Every combination
    sees the same input ``X (n, width)`` and the same random draws (the weights differ
    only by the initialiser's scale). The histograms cover the activation's
    ``nk.layers.ACTIVATIONS[act].range``; ReLU's count its positive activations only
    (see :func:`layer_stats`).

    Returns
    -------
    dict
        ``(init, activation) -> LayerStats`` over the ``depth`` hidden layers.
    """
    X = make_rng(rng).standard_normal((n, width))
    study = {}
    for init in inits:
        for act in activations:
            net = MLP([width] * (depth + 1), activation=act, output=act, init=init, rng=rng)
            study[init, act] = layer_stats(hidden_activations(net, X), ACTIVATIONS[act].range,
                                           positive_only=act == "relu")
    return study


# ---------------------------------------------------------------- batch normalisation


def running_trace(bn: BatchNorm, X, batch_size: int, batches: int, rng=None):
    """Feed ``batches`` random mini-batches of ``X (n, d)`` through ``bn`` in training mode.

    Returns
    -------
    means, variances : ndarray, shape (batches, d)
        ``bn.running_mean`` and ``bn.running_var`` after each batch.
    """
    check_positive(batch_size, "batch_size", integer=True)
    rng = make_rng(rng)
    bn.train()
    means, variances = [], []
    for _ in range(batches):
        bn.forward(X[rng.choice(len(X), batch_size, replace=False)])
        means.append(bn.running_mean.copy())
        variances.append(bn.running_var.copy())
    return np.array(means), np.array(variances)


# ---------------------------------------------------------------- babysitting


def lr_sweep(net, loss, X, Y, lrs, epochs: int, batch_size=None, rng=0,
             validation=None) -> np.ndarray:
    """Train a fresh copy of ``net`` with plain SGD at each learning rate.

    Parameters
    ----------
    net : Layer
        Copied before each run, so every rate starts from the same weights.
    loss : Loss
    X, Y : training data
    lrs : array_like, shape (k,)
    epochs, batch_size, rng : as for :func:`nnkit.fit`
    validation : (Xv, Yv), optional
        Score each rate on these held-out examples instead of the training data.

    Returns
    -------
    ndarray, shape (k,)
        The mean training loss of the last epoch per rate, or with ``validation`` the
        validation loss after it; ``inf`` where training diverged (the training loss
        became larger than 100 times the first epoch's, or not finite).
    """
    def diverged(history) -> bool:
        return not np.isfinite(history.loss[-1]) or history.loss[-1] > 100 * history.loss[0]

    final = []
    for lr in np.asarray(lrs, dtype=float):
        # A diverging rate may overflow before the check after its epoch sees it; that
        # run is recorded as inf, which is exactly what the sweep wants to know.
        with np.errstate(over="ignore", invalid="ignore"):
            try:
                history = fit(copy.deepcopy(net), loss, X, Y, epochs=epochs, lr=lr,
                              batch_size=batch_size, rng=rng, progress=False,
                              validation=validation, callback=lambda epoch, h: diverged(h))
            except ValueError:  # the loss refuses non-finite network outputs
                final.append(np.inf)
                continue
        complete = len(history) == epochs and not diverged(history)
        score = history.val_loss if validation is not None else history.loss
        final.append(score[-1] if complete else np.inf)
    return np.array(final)


# ---------------------------------------------------------------- hyper-parameter search


def log_uniform(lo: float, hi: float, size: int, rng=None) -> np.ndarray:
    r"""``(size,)`` samples whose logarithm is uniform: :math:`10^{U(\log_{10} lo,\ \log_{10} hi)}`."""
    check_positive(lo, "lo")
    if not hi > lo:
        raise ValueError(f"hi must be larger than lo; got lo={lo!r}, hi={hi!r}")
    return 10.0 ** make_rng(rng).uniform(np.log10(lo), np.log10(hi), size)


def grid_layout(k: int) -> np.ndarray:
    """``(k*k, 2)`` points at the centres of a k x k grid of cells on the unit square."""
    check_positive(k, "k", integer=True)
    values = (np.arange(k) + 0.5) / k
    a, b = np.meshgrid(values, values, indexing="ij")
    return np.column_stack([a.ravel(), b.ravel()])


def random_layout(trials: int, rng=None) -> np.ndarray:
    """``(trials, 2)`` points uniform on the unit square."""
    check_positive(trials, "trials", integer=True)
    return make_rng(rng).uniform(0.0, 1.0, (trials, 2))


def toy_objective(important, unimportant, peak: float = 0.63, width: float = 0.08):
    r"""A validation score to maximise, over two hyper-parameters in [0, 1].

    :math:`s(a, u) = \exp\!\big(-\tfrac{(a - a^*)^2}{2 w^2}\big) + 0.03\,\sin(2\pi u)`:
    the first parameter decides almost everything, the second adds a ripple of 0.03.

    Parameters
    ----------
    important, unimportant : float or ndarray (broadcast together)
    peak, width : float
        :math:`a^*` and :math:`w`.
    """
    a, u = np.asarray(important, float), np.asarray(unimportant, float)
    return np.exp(-0.5 * ((a - peak) / width) ** 2) + 0.03 * np.sin(2 * np.pi * u)


def best_trial(points, objective=toy_objective):
    """The best score over trials ``points (m, 2)`` and its row index."""
    scores = objective(points[:, 0], points[:, 1])
    i = int(np.argmax(scores))
    return float(scores[i]), i


def grid_vs_random(k: int, seeds, objective=toy_objective):
    """The best score of a k x k grid, and of k*k random trials for each seed.

    Returns
    -------
    grid_best : float
    random_best : ndarray, shape (len(seeds),)
    """
    grid_best, _ = best_trial(grid_layout(k), objective)
    return grid_best, np.array([best_trial(random_layout(k * k, s), objective)[0] for s in seeds])


def refine_range(values, losses, keep: int = 3, margin: float = 2.0):
    """Coarse to fine: the range spanned by the ``keep`` best values, widened by ``margin``.

    Parameters
    ----------
    values : ndarray, shape (m,)
        Tried values of a positive hyper-parameter (e.g. learning rates).
    losses : ndarray, shape (m,)
        Their losses (lower is better; ``inf`` for diverged runs).
    keep : int
    margin : float
        The range ``[min / margin, max * margin]`` over the kept values: a factor on a
        log scale, since such parameters are searched in log space.

    Returns
    -------
    (lo, hi) : floats
    """
    values, losses = np.asarray(values, float), np.asarray(losses, float)
    best = values[np.argsort(losses)[:keep]]
    return float(best.min() / margin), float(best.max() * margin)
