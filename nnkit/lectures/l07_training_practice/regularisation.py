r"""Lecture 07's regularisation, babysitting and schedule experiments, in numpy and nnkit only.

Every function trains small networks on a small problem (the spirals, split into training,
validation and test sets by ``nk.data.split``) and returns numbers; the notebook asserts
on them and ``tests/test_seeds_lecture07.py`` asserts the same at ten other seeds:

* the problem: :func:`spiral_split`;
* weight decay: :func:`decay_steps` (SGD's ``weight_decay`` against an ``L2Penalty``;
  Adam's coupled decay against AdamW's decoupled one);
* sparsity: :func:`sparsity_study` (L1 against L2 on inputs most of which are noise);
* the train/validation gap: :func:`gap_study` (L2 strength or dropout against the gap);
* reading curves: :func:`curve_regimes` (a rate too high, too low, about right) and
  :func:`update_ratios` (the size of an update against the size of the weights);
* schedules: :func:`schedule_study`.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from nnkit import data
from nnkit._validation import make_rng
from nnkit.layers import MLP, Dense
from nnkit.losses import SoftmaxCrossEntropyLoss
from nnkit.optim import SGD, Adam, AdamW
from nnkit.penalties import L1Penalty, L2Penalty
from nnkit.training import fit

__all__ = [
    "spiral_split", "decay_steps", "sparsity_study", "near_zero", "GapRun", "gap_study", "early_stopping_run",
    "Regime", "curve_regimes", "update_ratios", "schedule_study",
]

LOSS = SoftmaxCrossEntropyLoss()


def spiral_split(n: int = 300, noise: float = 0.25, rng=0, fractions=(0.6, 0.2, 0.2)):
    """Three spirals of ``n`` points, split (by default 60/20/20) into training, validation and test sets.

    Returns
    -------
    ((Xtr, Ytr), (Xva, Yva), (Xte, Yte))
        ``X`` of shape ``(m, 2)``, integer labels ``Y`` of shape ``(m,)``; every class is in
        every part (``nk.data.split`` stratifies).
    """
    X, Y = data.spirals(n, classes=3, noise=noise, rng=rng)
    return data.split(X, Y, fractions, rng=rng)


# ---------------------------------------------------------------- weight decay


def _full_batch_steps(net, X, Y, optimizers, steps: int, penalty=None) -> list[np.ndarray]:
    """``steps`` full-batch steps of every optimiser in ``optimizers``; the parameters' values after."""
    params = net.parameters()
    for _ in range(steps):
        LOSS(net.forward(X), Y)
        net.backward(LOSS.backward())
        if penalty is not None:
            penalty.backward(params)
        for optimizer in optimizers:
            optimizer.step()
    return [p.value.copy() for p in params]


def decay_steps(net, X, Y, kind: str, lam: float, lr: float, steps: int) -> list[np.ndarray]:
    r"""The parameters of a copy of ``net`` after ``steps`` full-batch steps with decay ``lam``.

    ``kind`` is one of

    * ``"sgd_decay"``: ``nk.SGD(weights, lr, weight_decay=lam)`` on the weight matrices and
      plain ``nk.SGD`` on the biases (``L2Penalty`` leaves biases alone, SGD's decay would not);
    * ``"sgd_penalty"``: plain SGD on the loss plus ``nk.L2Penalty(lam)``;
    * ``"adam_decay"``: ``nk.Adam(..., weight_decay=lam)``, the decay inside Adam's scaling;
    * ``"adamw"``: ``nk.AdamW(..., weight_decay=lam)``, the decay outside it;
    * ``"adam"``: ``nk.Adam`` without decay.

    Returns
    -------
    list of ndarray
        The values of ``net.parameters()``, in their order, after the steps.
    """
    net = copy.deepcopy(net)
    params = net.parameters()
    weights = [p for p in params if p.is_weight]
    others = [p for p in params if not p.is_weight]
    if kind == "sgd_decay":
        optimizers = [SGD(weights, lr, weight_decay=lam), SGD(others, lr)]
        return _full_batch_steps(net, X, Y, optimizers, steps)
    if kind == "sgd_penalty":
        return _full_batch_steps(net, X, Y, [SGD(params, lr)], steps, penalty=L2Penalty(lam))
    build = {"adam_decay": lambda: Adam(params, lr, weight_decay=lam),
             "adamw": lambda: AdamW(params, lr, weight_decay=lam),
             "adam": lambda: Adam(params, lr)}
    if kind not in build:
        raise ValueError(f"kind must be one of sgd_decay, sgd_penalty, {', '.join(build)}; got {kind!r}")
    return _full_batch_steps(net, X, Y, [build[kind]()], steps)


# ---------------------------------------------------------------- sparsity


def near_zero(W: np.ndarray, tol: float = 1e-3) -> float:
    """The fraction of the entries of ``W`` with ``|w| < tol``."""
    return float(np.mean(np.abs(W) < tol))


def sparsity_study(lam: float = 3e-3, noise_features: int = 18, epochs: int = 150,
                   lr: float = 0.3, rng=0) -> dict:
    """First-layer weights after training with an L1 and with an L2 penalty of strength ``lam``.

    The inputs are the spirals' two coordinates plus ``noise_features`` columns of pure
    noise, so most first-layer weights have nothing to learn. Both runs start from the same
    weights, see the same mini-batches and differ only in the penalty.

    Returns
    -------
    dict
        ``"L1"`` and ``"L2"`` -> the first ``Dense`` layer's ``W``, shape ``(16, 2 + noise_features)``.
    """
    gen = make_rng(rng)
    X, Y = data.spirals(300, classes=3, noise=0.2, rng=gen)
    X = np.hstack([X, gen.standard_normal((len(X), noise_features))])
    start = MLP([X.shape[1], 16, 3], activation="tanh", rng=gen)
    seed = int(gen.integers(2**31))
    weights = {}
    for name, penalty in (("L1", L1Penalty(lam)), ("L2", L2Penalty(lam))):
        net = copy.deepcopy(start)
        fit(net, LOSS, X, Y, epochs=epochs, batch_size=30, lr=lr, penalty=penalty, rng=seed,
            progress=False)
        weights[name] = next(layer for layer in net.layers if isinstance(layer, Dense)).W.copy()
    return weights


# ---------------------------------------------------------------- the train/validation gap


@dataclass
class GapRun:
    """One run of :func:`gap_study`: its history and the final network's losses in evaluation mode.

    Attributes
    ----------
    history : History
        ``loss`` (training, as trained: with dropout active) and ``val_loss`` per epoch.
    train, val : float
        The final network's training and validation loss in evaluation mode (no dropout),
        so that the two compare: ``val - train`` is the gap.
    """

    history: object
    train: float
    val: float

    @property
    def gap(self) -> float:
        return self.val - self.train


def gap_study(configs=((0.0, 0.0), (1e-3, 0.0), (1e-2, 0.0), (0.0, 0.5)), sizes=(2, 64, 64, 3),
              epochs: int = 300, lr: float = 0.01, n: int = 400, noise: float = 0.35, rng=0) -> dict:
    """One network trained with each ``(lam, p)``: L2 strength and dropout rate; its final losses.

    Noisy spirals of :func:`spiral_split`, split 20/40/40 (80 training examples for
    about 4 400 weights: easy to memorise; 160 validation examples, enough to see it),
    full-batch Adam, the same initial weights and dropout masks for every run.

    Returns
    -------
    dict
        ``(lam, p) -> GapRun``.
    """
    (Xtr, Ytr), (Xva, Yva), _ = spiral_split(n, noise=noise, rng=rng, fractions=(0.2, 0.4, 0.4))
    runs = {}
    for lam, p in configs:
        net = MLP(list(sizes), rng=rng, dropout=p)
        history = fit(net, LOSS, Xtr, Ytr, epochs=epochs, optimizer=Adam(net.parameters(), lr),
                      validation=(Xva, Yva), penalty=L2Penalty(lam) if lam else None,
                      progress=False)
        with net.evaluating():
            train, val = LOSS(net.forward(Xtr), Ytr), LOSS(net.forward(Xva), Yva)
        runs[lam, p] = GapRun(history, train, val)
    return runs


def early_stopping_run(patience: int = 20, epochs: int = 300, sizes=(2, 64, 64, 3), lr: float = 0.01,
                       n: int = 400, noise: float = 0.35, rng=0):
    """The unregularised run of :func:`gap_study`, with ``fit(..., early_stopping=patience)``.

    Returns
    -------
    history : History
        ``best_epoch`` is the epoch whose weights the network was left with.
    restored_val : float
        The validation loss of the network ``fit`` returned, recomputed afterwards.
    """
    (Xtr, Ytr), (Xva, Yva), _ = spiral_split(n, noise=noise, rng=rng, fractions=(0.2, 0.4, 0.4))
    net = MLP(list(sizes), rng=rng)
    history = fit(net, LOSS, Xtr, Ytr, epochs=epochs, optimizer=Adam(net.parameters(), lr),
                  validation=(Xva, Yva), early_stopping=patience, progress=False)
    with net.evaluating():
        restored_val = LOSS(net.forward(Xva), Yva)
    return history, restored_val


# ---------------------------------------------------------------- reading loss curves


@dataclass
class Regime:
    """One training run of :func:`curve_regimes`: its losses, and the error that stopped it.

    Attributes
    ----------
    lr : float
    loss : list of float
        Per epoch, as far as the run got.
    error : str or None
        The message of the error ``fit`` raised (a non-finite output), else ``None``.
    """

    lr: float
    loss: list
    error: str | None


def curve_regimes(net, X, Y, lrs, epochs: int, batch_size: int = 30, rng=0) -> list[Regime]:
    """Train a copy of ``net`` with plain SGD at each rate; keep each run's losses and error.

    A rate far too high makes the outputs overflow; ``fit`` then stops with the loss's
    error, whose message :class:`Regime` keeps, and the losses recorded so far.
    """
    regimes = []
    for lr in lrs:
        losses: list[float] = []

        def record(epoch, history, out=losses):
            out.append(history.loss[-1])

        error = None
        with np.errstate(over="ignore", invalid="ignore"):
            try:
                fit(copy.deepcopy(net), LOSS, X, Y, epochs=epochs, lr=float(lr), batch_size=batch_size,
                    rng=rng, progress=False, callback=record)
            except ValueError as exc:  # the loss refuses a non-finite network output
                error = str(exc)
        regimes.append(Regime(float(lr), losses, error))
    return regimes


def update_ratios(net, X, Y, lr: float, steps: int) -> np.ndarray:
    r"""Per full-batch SGD step, :math:`\lVert \Delta W\rVert / \lVert W\rVert` of each weight matrix.

    The steps train a copy of ``net``; ``net`` itself is left as it was.

    Returns
    -------
    ndarray, shape (steps, L)
        ``L`` weight matrices; the update is the change of ``W`` the step made.
    """
    net = copy.deepcopy(net)
    weights = [p for p in net.parameters() if p.is_weight]
    optimizer = SGD(net.parameters(), lr)
    ratios = np.empty((steps, len(weights)))
    for t in range(steps):
        LOSS(net.forward(X), Y)
        net.backward(LOSS.backward())
        before = [p.value.copy() for p in weights]
        optimizer.step()
        ratios[t] = [np.linalg.norm(p.value - w) / np.linalg.norm(w) for p, w in zip(weights, before)]
    return ratios


# ---------------------------------------------------------------- schedules


def schedule_study(schedules: dict, epochs: int, sizes=(2, 32, 32, 3), batch_size: int = 30,
                   rng=0) -> dict:
    """One network trained by SGD from the same start and batches under each schedule.

    Parameters
    ----------
    schedules : dict
        name -> ``schedule(epoch) -> lr`` (or ``None`` for the constant rate ``lr`` of the
        first schedule at epoch 0).

    Returns
    -------
    dict
        name -> ``History`` (``lr``, ``loss``, ``val_loss`` per epoch).
    """
    (Xtr, Ytr), (Xva, Yva), _ = spiral_split(300, noise=0.2, rng=rng)
    start = MLP(list(sizes), rng=rng)
    lr0 = next(s for s in schedules.values() if s is not None)(0)
    runs = {}
    for name, schedule in schedules.items():
        net = copy.deepcopy(start)
        runs[name] = fit(net, LOSS, Xtr, Ytr, epochs=epochs, lr=lr0, batch_size=batch_size, rng=rng,
                         validation=(Xva, Yva), schedule=schedule, progress=False)
    return runs
