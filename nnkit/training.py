"""``fit``: mini-batch gradient descent on any network, with a history and a progress bar.

``fit`` reads as its three pieces: :func:`_check_arguments` (everything a run needs,
checked once), :func:`_train_epoch` (one pass over the shuffled data) and
:func:`_validate` (the validation pass in evaluation mode).
"""
from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_array, as_batch, check_positive, check_same_length, make_rng
from .layers import Layer, Sequential
from .losses import BCELoss, BCEWithLogitsLoss, Loss, SoftmaxCrossEntropyLoss
from .optim import SGD, Optimizer
from .penalties import Penalty

__all__ = ["History", "fit", "accuracy"]

Judge = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(repr=False)
class History:
    """What ``fit`` recorded.

    Attributes
    ----------
    loss : list of float
        Per epoch, the mean training loss over that epoch's examples: the loss function
        alone, *without* the penalty, so that it compares with ``val_loss``.
    step_loss : list of float
        Per optimiser step, the loss of that mini-batch (without the penalty).
    accuracy : list of float
        Per epoch, training accuracy over all of that epoch's examples (classification
        losses only).
    val_loss, val_accuracy : list of float
        Per epoch, on ``validation=(Xv, Yv)`` when given.
    lr : list of float
        Per epoch, the optimiser's learning rate during that epoch.
    penalty : list of float
        Per epoch, the mean over that epoch's examples of ``penalty(params)`` when
        ``fit(penalty=...)`` is given: ``loss[e] + penalty[e]`` is the objective minimised.
    best_epoch : int or None
        With ``early_stopping``, the epoch (from 0) whose weights the network was left with.
    """

    loss: list[float] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    penalty: list[float] = field(default_factory=list)
    best_epoch: int | None = None

    keys: ClassVar[tuple[str, ...]] = (
        "loss", "step_loss", "accuracy", "val_loss", "val_accuracy", "lr", "penalty",
    )

    def __getitem__(self, key: str) -> list[float]:
        if key not in self.keys:
            raise KeyError(f"History has no {key!r}; it records {', '.join(self.keys)}")
        return getattr(self, key)

    def __len__(self) -> int:
        return len(self.loss)

    def __repr__(self) -> str:
        last = ", ".join(f"{k}={getattr(self, k)[-1]:.4g}" for k in self.keys if getattr(self, k))
        return f"History({len(self)} epochs{': ' + last if last else ''})"


def _judge(loss: Loss) -> Judge | None:
    """The function marking each prediction right (True) or wrong, or ``None`` for a regression loss.

    Softmax cross-entropy predicts ``argmax`` of the logits; the binary losses predict 1
    where the probability is above 1/2 (the logit above 0).
    """
    if isinstance(loss, SoftmaxCrossEntropyLoss):
        return _right_class
    if isinstance(loss, BCELoss):
        return lambda Yhat, Y: (Yhat > 0.5) == (Y > 0.5)
    if isinstance(loss, BCEWithLogitsLoss):
        return lambda Yhat, Y: (Yhat > 0.0) == (Y > 0.5)
    return None


def _right_class(Yhat: np.ndarray, Y: np.ndarray) -> np.ndarray:
    labels = Y if Y.ndim == 1 else Y.argmax(axis=1)
    return Yhat.argmax(axis=1) == labels


def accuracy(loss: Loss, Yhat: np.ndarray, Y: np.ndarray) -> float | None:
    """Fraction of examples classified right, or ``None`` when ``loss`` is not a classifier's.

    Softmax cross-entropy predicts ``argmax`` of the logits; the binary losses predict 1
    where the probability is above 1/2 (the logit above 0), output by output.
    """
    judge = _judge(loss)
    if judge is None:
        return None
    right = judge(Yhat, Y)
    return np.count_nonzero(right) / right.size if right.size else float("nan")


def _interactive() -> bool:
    """True in a Jupyter kernel or a terminal; False under pytest, CI logs and pipes."""
    shell = sys.modules.get("IPython")
    if shell is not None:
        ip = shell.get_ipython()
        if ip is not None and "IPKernelApp" in getattr(ip, "config", {}):
            return True
    return sys.stderr.isatty()


def _progress_bar(epochs: int, show: bool) -> Any:
    if not (show and _interactive()):
        return None
    try:
        from tqdm.auto import tqdm  # a widget in JupyterLab, text in a terminal
    except ImportError:  # `pip install nnkit` alone: the bar comes with the extra [course]
        return None
    return tqdm(total=epochs, desc="training", unit="epoch", leave=False)


def _targets(Y: ArrayLike, name: str = "Y") -> np.ndarray:
    Y = as_array(Y, name) if not (isinstance(Y, np.ndarray) and Y.dtype.kind in "iu") else Y
    if Y.ndim not in (1, 2):
        raise ValueError(f"{name} must have shape (n,) or (n, outputs); got {Y.shape}")
    return Y


@dataclass
class _Run:
    """Everything one training run needs, checked: what ``_train_epoch`` reads."""

    net: Layer
    loss: Loss
    X: np.ndarray
    Y: np.ndarray
    batch: int
    optimizer: Optimizer
    rng: np.random.Generator
    shuffle: bool
    penalty: Penalty | None
    params: list
    judge: Judge | None
    validation: tuple[np.ndarray, np.ndarray] | None


def fit(net: Layer, loss: Loss, X: ArrayLike, Y: ArrayLike, *, epochs: int,
        batch_size: int | None = None, optimizer: Optimizer | None = None,
        lr: float | None = None, rng: Any = None, shuffle: bool = True,
        validation: tuple[ArrayLike, ArrayLike] | None = None, progress: bool = True,
        callback: Callable[[int, History], Any] | None = None,
        penalty: Penalty | None = None, schedule: Callable[[int], float] | None = None,
        early_stopping: int | None = None) -> History:
    """Train ``net`` on ``(X, Y)`` by mini-batch gradient descent.

    Parameters
    ----------
    net : Layer or Sequential
    loss : Loss
    X : ndarray, shape (n, n_0)
    Y : ndarray, shape (n, K) or (n,) integer labels
    epochs : int
        Passes over the data (at most, with ``early_stopping`` or a ``callback``).
    batch_size : int or None
        ``None`` is full-batch gradient descent.
    optimizer : Optimizer, optional
        Or give ``lr`` alone for plain SGD.
    rng : None, int or Generator
        Shuffles the examples each epoch; the same seed gives the same history.
    validation : (Xv, Yv), optional
        Evaluated after each epoch in evaluation mode.
    progress : bool
        A progress bar in a notebook or terminal; silent when not interactive.
    callback : callable, optional
        ``callback(epoch, history)`` after each epoch; return ``True`` to stop early.
    penalty : Penalty, optional
        ``nk.L2Penalty(lam)`` or ``nk.L1Penalty(lam)``: its gradient joins the loss's at
        every step. ``History.loss`` and ``step_loss`` stay the loss *without* it (they
        compare with ``val_loss``); ``History.penalty`` records the penalty.
    schedule : callable, optional
        ``schedule(epoch) -> lr`` (see :mod:`nnkit.schedules`), set as the optimiser's
        rate at the start of each epoch. ``History.lr`` records the rate either way.
    early_stopping : int, optional
        Patience: stop after this many epochs without a lower validation loss, and leave
        the network with the weights (and BatchNorm statistics) of its best epoch, whose
        number is ``History.best_epoch``. Needs ``validation``.

    Returns
    -------
    History
    """
    run = _check_arguments(net, loss, X, Y, epochs, batch_size, optimizer, lr, rng, shuffle,
                           validation, penalty, schedule, early_stopping)
    history = History()
    best = _BestEpoch(net, early_stopping) if early_stopping is not None else None
    bar = _progress_bar(epochs, progress)
    try:
        for epoch in range(epochs):
            if schedule is not None:
                run.optimizer.lr = check_positive(schedule(epoch), f"schedule({epoch})")
            history.lr.append(run.optimizer.lr)
            _train_epoch(run, history)
            if run.validation is not None:
                _validate(run, history)
            if bar is not None:
                bar.set_postfix(loss=f"{history.loss[-1]:.4g}", refresh=False)
                bar.update()
            stop = best is not None and best.update(epoch, history.val_loss[-1])
            if (callback is not None and callback(epoch, history)) or stop:
                break
    finally:
        if bar is not None:
            bar.close()
    if best is not None:
        history.best_epoch = best.restore()
    return history


def _check_arguments(net, loss, X, Y, epochs, batch_size, optimizer, lr, rng, shuffle,
                     validation, penalty, schedule, early_stopping) -> _Run:
    """Check every argument of ``fit`` once, before any training; build the run."""
    X = as_batch(X, "X")
    Y = _targets(Y)
    check_same_length(X, Y)
    check_positive(epochs, "epochs", integer=True)
    if batch_size is not None:
        check_positive(batch_size, "batch_size", integer=True)
    if (optimizer is None) == (lr is None):
        raise ValueError(
            "give exactly one of optimizer= (e.g. nk.Adam(net.parameters(), lr=1e-3)) or "
            f"lr= (plain SGD); got optimizer={optimizer!r} and lr={lr!r}"
        )
    if optimizer is None:
        optimizer = SGD(net.parameters(), lr)
    elif not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an nnkit optimiser such as nk.SGD(...); got {optimizer!r}")
    if penalty is not None and not (callable(penalty) and hasattr(penalty, "backward")):
        raise TypeError(f"penalty must be a penalty such as nk.L2Penalty(1e-3); got {penalty!r}")
    if schedule is not None and not callable(schedule):
        raise TypeError(
            f"schedule must be a callable epoch -> lr such as nk.schedules.step(0.1, 10); got {schedule!r}"
        )
    checked_validation = None
    if validation is not None:
        Xv, Yv = as_batch(validation[0], "validation X"), _targets(validation[1], "validation Y")
        check_same_length(Xv, Yv, "validation X", "validation Y")
        checked_validation = (Xv, Yv)
    if early_stopping is not None:
        check_positive(early_stopping, "early_stopping (the patience, in epochs)", integer=True)
        if validation is None:
            raise ValueError(
                f"early_stopping={early_stopping!r} watches the validation loss: give "
                f"validation=(Xv, Yv) too."
            )
    n = len(X)
    return _Run(net, loss, X, Y, n if batch_size is None else min(batch_size, n), optimizer,
                make_rng(rng), shuffle, penalty, net.parameters(), _judge(loss), checked_validation)


def _train_epoch(run: _Run, history: History) -> None:
    """One pass over the data in mini-batches; appends to ``history`` the epoch's records."""
    net, loss, optimizer, penalty, params, judge = (
        run.net, run.loss, run.optimizer, run.penalty, run.params, run.judge)
    n, size = len(run.X), run.batch
    X, Y = run.X, run.Y
    if run.shuffle and size < n:
        order = run.rng.permutation(n)
        X, Y = X[order], Y[order]
    total = penalty_total = 0.0
    right = judged = 0
    for start in range(0, n, size):
        Xb, Yb = X[start:start + size], Y[start:start + size]
        Yhat = net.forward(Xb)
        value = loss(Yhat, Yb)
        _backward(net, loss.backward())
        if penalty is not None:
            penalty_total += penalty(params) * len(Xb)
            penalty.backward(params)
        optimizer.step()
        history.step_loss.append(value)
        total += value * len(Xb)
        if judge is not None:
            marks = judge(Yhat, Yb)
            right += np.count_nonzero(marks)
            judged += marks.size
    history.loss.append(total / n)
    if judge is not None:
        history.accuracy.append(right / judged)
    if penalty is not None:
        history.penalty.append(penalty_total / n)


def _backward(net: Layer, dY: np.ndarray) -> None:
    """Fill the parameters' gradients; a ``Sequential`` skips dL/dX, which training never uses."""
    if isinstance(net, Sequential):
        net.backward(dY, input_grad=False)
    else:
        net.backward(dY)


def _validate(run: _Run, history: History) -> None:
    """The validation pass, in evaluation mode; the mode is restored even if forward raises."""
    assert run.validation is not None
    Xv, Yv = run.validation
    with run.net.evaluating():
        Yhat = run.net.forward(Xv)
    history.val_loss.append(run.loss(Yhat, Yv))
    acc = accuracy(run.loss, Yhat, Yv)
    if acc is not None:
        history.val_accuracy.append(acc)


def _leaves(net: Layer) -> list[Layer]:
    """The layers of ``net`` that hold arrays (a ``Sequential``'s, recursively)."""
    inner = getattr(net, "layers", None)
    return [net] if inner is None else [leaf for layer in inner for leaf in _leaves(layer)]


class _BestEpoch:
    """Early stopping: the lowest validation loss so far, and a copy of the network's arrays then."""

    def __init__(self, net: Layer, patience: int):
        self.patience, self.waited = patience, 0
        self.best, self.epoch = math.inf, 0
        self.params = net.parameters()
        self.buffers = [(layer, name) for layer in _leaves(net)
                        for name in getattr(layer, "buffer_names", ())]
        self.saved: list[np.ndarray] = []
        self.saved_buffers: list[np.ndarray] = []

    def update(self, epoch: int, val_loss: float) -> bool:
        """Record the epoch; True once ``patience`` epochs in a row brought no improvement."""
        if val_loss < self.best:
            self.best, self.epoch, self.waited = val_loss, epoch, 0
            self.saved = [p.value.copy() for p in self.params]
            self.saved_buffers = [np.copy(getattr(layer, name)) for layer, name in self.buffers]
            return False
        self.waited += 1
        return self.waited >= self.patience

    def restore(self) -> int:
        """Put the best epoch's arrays back (in place for parameters); return its number."""
        for p, value in zip(self.params, self.saved):
            p.value[...] = value
        for (layer, name), value in zip(self.buffers, self.saved_buffers):
            setattr(layer, name, value)
        return self.epoch
