r"""Lecture 09's computations: the digits prepared, the babysitting runs, what a network learned.

The recipe, as lecture 07 orders it: split 60/20/20 (stratified), scale the pixels to
[0, 1] and centre them with the training mean; an MLP ``64-64-10`` (ReLU, He), Adam with
mini-batches of 64; the learning rate chosen from the validation loss (``lr_sweep``), then
the L2 strength (``l2_sweep``), then a longer run stopped early on the validation loss
(``train`` with ``patience``); the test set once. ``workflow`` runs all of it in one call,
for the lecture's claims at other seeds.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ... import data
from ...functional import softmax
from ...layers import MLP
from ...losses import SoftmaxCrossEntropyLoss
from ...optim import Adam
from ...penalties import L2Penalty
from ...preprocess import Center
from ...training import accuracy, fit

__all__ = ["PIXEL_MAX", "SIZES", "LINEAR", "LRS", "LAMS", "SWEEP_EPOCHS", "L2_EPOCHS", "MAX_EPOCHS",
           "PATIENCE", "BATCH", "Digits", "prepare", "new_net",
           "train", "evaluate", "tiny_subset", "lr_sweep", "best_rate", "l2_sweep", "best_lam",
           "Outcome", "workflow", "probabilities", "confusion_matrix", "confident_mistakes",
           "first_layer_images", "shift"]

PIXEL_MAX = 16.0           # each pixel counts the dark dots of a 4x4 block: 0..16
SIZES = (64, 64, 10)       # the lecture's network
LINEAR = (64, 10)          # a linear softmax classifier: one Dense layer, no hidden units
LRS = (1e-4, 1e-3, 1e-2, 1e-1, 1.0)
LAMS = (0.0, 1e-4, 1e-3, 1e-2)
SWEEP_EPOCHS, L2_EPOCHS, MAX_EPOCHS, PATIENCE, BATCH = 30, 60, 300, 15, 64

_LOSS = SoftmaxCrossEntropyLoss()


@dataclass
class Digits:
    """The three parts of one split, preprocessed with the training part's statistics.

    Attributes
    ----------
    train, val, test : tuple (X (m, 64), y (m,))
        ``X`` is ``pixels / 16`` minus the training mean of each pixel.
    raw_test : ndarray, shape (m_test, 64)
        The test part's pixels as stored, 0..16, for pictures.
    center : nnkit.preprocess.Center
        Fitted on the training pixels / 16; ``center.transform`` prepares new images.
    """

    train: tuple
    val: tuple
    test: tuple
    raw_test: np.ndarray
    center: Center

    def prepare(self, pixels) -> np.ndarray:
        """Raw pixels ``(m, 64)`` in 0..16 -> the network's input, as for the training data."""
        return self.center.transform(np.asarray(pixels, dtype=float) / PIXEL_MAX)


def prepare(rng=0, fractions=(0.6, 0.2, 0.2)) -> Digits:
    """``nk.data.digits()`` split by ``nk.data.split`` (stratified) and preprocessed."""
    X, y = data.digits()
    (Xtr, ytr), (Xva, yva), (Xte, yte) = data.split(X, y, fractions=fractions, rng=rng)
    center = Center().fit(Xtr / PIXEL_MAX)
    scaled = [center.transform(A / PIXEL_MAX) for A in (Xtr, Xva, Xte)]
    return Digits((scaled[0], ytr), (scaled[1], yva), (scaled[2], yte), Xte, center)


def new_net(sizes=SIZES, rng=0):
    """The lecture's MLP (ReLU hidden layers, He initialisation) or, for ``LINEAR``, one layer."""
    return MLP(list(sizes), activation="relu", rng=rng)


def train(net, X, y, lr, *, epochs, validation=None, lam=0.0, patience=None, rng=0):
    """Adam with mini-batches of 64 and an optional L2 penalty; ``nk.fit``'s ``History``.

    With ``patience``, training stops after that many epochs without a better validation
    loss and the network keeps its best epoch's weights (``nk.fit(early_stopping=...)``).
    """
    penalty = L2Penalty(lam) if lam else None
    return fit(net, _LOSS, X, y, epochs=epochs, batch_size=BATCH,
               optimizer=Adam(net.parameters(), lr=lr), validation=validation, penalty=penalty,
               early_stopping=patience, rng=rng, progress=False)


def evaluate(net, X, y) -> tuple[float, float]:
    """``(loss, accuracy)`` of ``net`` on ``(X, y)``, in evaluation mode; the penalty is not included."""
    Z = net.eval().forward(X)
    net.train()
    return _LOSS(Z, y), accuracy(_LOSS, Z, y)


def tiny_subset(X, y, per_class: int = 2, rng=0):
    """``per_class`` examples of every class, drawn at random: ``(X (10 per_class, d), y)``."""
    rng = np.random.default_rng(rng)
    rows = np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False)
                           for c in np.unique(y)])
    return X[rows], y[rows]


def lr_sweep(d: Digits, lrs=LRS, sizes=SIZES, epochs=SWEEP_EPOCHS, rng=0) -> dict:
    """One short run per learning rate, each from the same initial weights: ``{lr: History}``."""
    return {lr: train(new_net(sizes, rng), *d.train, lr, epochs=epochs, validation=d.val, rng=rng)
            for lr in lrs}


def best_rate(histories: dict) -> float:
    """The rate whose run reached the lowest validation loss (a diverged run never wins)."""
    best = {lr: np.nanmin(h.val_loss) if np.isfinite(h.val_loss).any() else np.inf
            for lr, h in histories.items()}
    return min(best, key=best.get)


def l2_sweep(d: Digits, lr, lams=LAMS, sizes=SIZES, epochs=L2_EPOCHS, rng=0) -> dict:
    """One run per L2 strength at a fixed number of epochs.

    Returns
    -------
    dict ``lam -> (History, train_loss, val_loss)``
        The two losses of the final weights, without the penalty, so that their gap
        ``val_loss - train_loss`` measures overfitting alone.
    """
    out = {}
    for lam in lams:
        net = new_net(sizes, rng)
        history = train(net, *d.train, lr, epochs=epochs, validation=d.val, lam=lam, rng=rng)
        out[lam] = (history, evaluate(net, *d.train)[0], evaluate(net, *d.val)[0])
    return out


def best_lam(runs: dict) -> float:
    """The L2 strength whose final validation loss is lowest."""
    return min(runs, key=lambda lam: runs[lam][2])


@dataclass
class Outcome:
    """What ``workflow`` chose and measured.

    Attributes
    ----------
    lr, lam : float
        The chosen learning rate and L2 strength.
    sweep, l2_runs : dict
        What ``lr_sweep`` and ``l2_sweep`` returned, on which the choices were made.
    history : History
        The early-stopped run; ``net`` holds the weights of its best epoch.
    test_loss, test_accuracy : float
        Of ``net`` on the test part, measured once.
    """

    lr: float
    lam: float
    sweep: dict
    l2_runs: dict
    history: object
    net: object
    test_loss: float
    test_accuracy: float


def workflow(d: Digits, sizes=SIZES, rng=0) -> Outcome:
    """The lecture's steps in one call: rate, then L2 strength, then early stopping, then the test.

    Every choice is made on the validation part; the test part is used once, at the end.
    """
    sweep = lr_sweep(d, sizes=sizes, rng=rng)
    lr = best_rate(sweep)
    l2_runs = l2_sweep(d, lr, sizes=sizes, rng=rng)
    lam = best_lam(l2_runs)
    net = new_net(sizes, rng)
    history = train(net, *d.train, lr, epochs=MAX_EPOCHS, validation=d.val, lam=lam,
                    patience=PATIENCE, rng=rng)
    return Outcome(lr, lam, sweep, l2_runs, history, net, *evaluate(net, *d.test))


def probabilities(net, X) -> np.ndarray:
    """``softmax`` of the network's logits in evaluation mode: ``(m, 10)``, rows summing to 1."""
    Z = net.eval().forward(np.atleast_2d(X))
    net.train()
    return softmax(Z)


def confusion_matrix(y, predicted, classes: int = 10) -> np.ndarray:
    """``C[i, j]`` = how many examples of class ``i`` were predicted as ``j``: ``(classes, classes)``."""
    y, predicted = np.asarray(y), np.asarray(predicted)
    if y.shape != predicted.shape or y.ndim != 1:
        raise ValueError(f"y and predicted must be label vectors of one shape (n,); got {y.shape} "
                         f"and {predicted.shape}")
    C = np.zeros((classes, classes), dtype=int)
    np.add.at(C, (y, predicted), 1)
    return C


def confident_mistakes(P, y, k: int = 10) -> np.ndarray:
    """Indices of the ``k`` wrongly classified rows whose wrong answer had the highest probability.

    Parameters
    ----------
    P : ndarray, shape (m, K)
        Class probabilities.
    y : ndarray, shape (m,)
    """
    predicted = P.argmax(axis=1)
    wrong = np.flatnonzero(predicted != y)
    order = np.argsort(-P[wrong, predicted[wrong]], kind="stable")
    return wrong[order[:k]]


def first_layer_images(net) -> np.ndarray:
    """The first layer's weights ``W (n_1, 64)``, one 8x8 picture per hidden unit: ``(n_1, 8, 8)``.

    Row k of ``W`` holds the weights unit k gives to the 64 pixels, so it is a picture of
    the pattern that excites that unit most.
    """
    W = net.layers[0].W
    return W.reshape(len(W), 8, 8).copy()


def shift(pixels, dx: int = 0, dy: int = 0) -> np.ndarray:
    """Images ``(m, 64)`` moved ``dx`` pixels right and ``dy`` down, blank (0) where they leave."""
    for name, value in (("dx", dx), ("dy", dy)):
        if not isinstance(value, (int, np.integer)) or abs(value) > 7:
            raise ValueError(f"{name} must be a whole number of pixels in -7..7; got {value!r}")
    images = np.atleast_2d(pixels).reshape(-1, 8, 8)
    out = np.zeros_like(images)
    rows_to = slice(max(dy, 0), 8 + min(dy, 0))
    rows_from = slice(max(-dy, 0), 8 + min(-dy, 0))
    cols_to = slice(max(dx, 0), 8 + min(dx, 0))
    cols_from = slice(max(-dx, 0), 8 + min(-dx, 0))
    out[:, rows_to, cols_to] = images[:, rows_from, cols_from]
    return out.reshape(len(images), 64)
