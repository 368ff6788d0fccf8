"""``fit``: mini-batch gradient descent on any network, with a history and a progress bar."""
from __future__ import annotations

import sys

import numpy as np

from ._validation import as_array, as_batch, check_positive, check_same_length, make_rng
from .losses import BCELoss, BCEWithLogitsLoss, SoftmaxCrossEntropyLoss
from .layers import Sequential
from .optim import SGD

__all__ = ["History", "fit", "accuracy"]


class History:
    """What ``fit`` recorded.

    Attributes
    ----------
    loss : list of float
        Per epoch, the mean training loss over that epoch's examples.
    step_loss : list of float
        Per optimiser step, the loss of that mini-batch.
    accuracy : list of float
        Per epoch, training accuracy (classification losses only).
    val_loss, val_accuracy : list of float
        Per epoch, on ``validation=(Xv, Yv)`` when given.
    """

    keys = ("loss", "step_loss", "accuracy", "val_loss", "val_accuracy")

    def __init__(self):
        for key in self.keys:
            setattr(self, key, [])

    def __getitem__(self, key: str) -> list:
        if key not in self.keys:
            raise KeyError(f"History has no {key!r}; it records {', '.join(self.keys)}")
        return getattr(self, key)

    def __len__(self) -> int:
        return len(self.loss)

    def __repr__(self) -> str:
        last = ", ".join(f"{k}={getattr(self, k)[-1]:.4g}" for k in self.keys if getattr(self, k))
        return f"History({len(self)} epochs{': ' + last if last else ''})"


def accuracy(loss, Yhat, Y) -> float | None:
    """Fraction of examples classified right, or ``None`` when ``loss`` is not a classifier's.

    Softmax cross-entropy predicts ``argmax`` of the logits; the binary losses predict 1
    where the probability is above 1/2 (the logit above 0).
    """
    if isinstance(loss, SoftmaxCrossEntropyLoss):
        labels = Y if Y.ndim == 1 else Y.argmax(axis=1)
        return _fraction(Yhat.argmax(axis=1) == labels)
    if isinstance(loss, (BCELoss, BCEWithLogitsLoss)):
        threshold = 0.5 if isinstance(loss, BCELoss) else 0.0
        return _fraction((Yhat > threshold) == (Y > 0.5))
    return None


def _fraction(right: np.ndarray) -> float:
    """The mean of a boolean array (``fit`` asks once per batch: count_nonzero is the fast way)."""
    return np.count_nonzero(right) / right.size if right.size else float("nan")


def _interactive() -> bool:
    """True in a Jupyter kernel or a terminal; False under pytest, CI logs and pipes."""
    shell = sys.modules.get("IPython")
    if shell is not None:
        ip = shell.get_ipython()
        if ip is not None and "IPKernelApp" in getattr(ip, "config", {}):
            return True
    return sys.stderr.isatty()


def _progress_bar(epochs: int, show: bool):
    if not (show and _interactive()):
        return None
    from tqdm.auto import tqdm  # a widget in JupyterLab, text in a terminal

    return tqdm(total=epochs, desc="training", unit="epoch", leave=False)


def _targets(Y, n_rows):
    Y = as_array(Y, "Y") if not (isinstance(Y, np.ndarray) and Y.dtype.kind in "iu") else Y
    if Y.ndim not in (1, 2):
        raise ValueError(f"Y must have shape (n,) or (n, outputs); got {Y.shape}")
    return Y


def fit(net, loss, X, Y, *, epochs, batch_size=None, optimizer=None, lr=None, rng=None,
        shuffle=True, validation=None, progress=True, callback=None) -> History:
    """Train ``net`` on ``(X, Y)`` by mini-batch gradient descent.

    Parameters
    ----------
    net : Layer or Sequential
    loss : Loss
    X : ndarray, shape (n, n_0)
    Y : ndarray, shape (n, K) or (n,) integer labels
    epochs : int
        Passes over the data.
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

    Returns
    -------
    History
    """
    X = as_batch(X, "X")
    Y = _targets(Y, len(X))
    check_same_length(X, Y)
    check_positive(epochs, "epochs", integer=True)
    n = len(X)
    if batch_size is not None:
        check_positive(batch_size, "batch_size", integer=True)
    size = n if batch_size is None else min(batch_size, n)
    if (optimizer is None) == (lr is None):
        raise ValueError(
            "give exactly one of optimizer= (e.g. nk.Adam(net.parameters(), lr=1e-3)) or "
            f"lr= (plain SGD); got optimizer={optimizer!r} and lr={lr!r}"
        )
    if optimizer is None:
        optimizer = SGD(net.parameters(), lr)
    if validation is not None:
        Xv, Yv = as_batch(validation[0], "validation X"), _targets(validation[1], None)
        check_same_length(Xv, Yv, "validation X", "validation Y")
    rng = make_rng(rng)
    history = History()
    bar = _progress_bar(epochs, progress)
    for epoch in range(epochs):
        order = rng.permutation(n) if shuffle and size < n else None
        Xs, Ys = (X, Y) if order is None else (X[order], Y[order])
        total, correct = 0.0, 0.0
        for start in range(0, n, size):
            Xb, Yb = Xs[start:start + size], Ys[start:start + size]
            Yhat = net.forward(Xb)
            value = loss(Yhat, Yb)
            _backward(net, loss.backward())
            optimizer.step()
            history.step_loss.append(value)
            total += value * len(Xb)
            acc = accuracy(loss, Yhat, Yb)
            if acc is not None:
                correct += acc * len(Xb)
        history.loss.append(total / n)
        if acc is not None:
            history.accuracy.append(correct / n)
        if validation is not None:
            _validate(net, loss, Xv, Yv, history)
        if bar is not None:
            bar.set_postfix(loss=f"{history.loss[-1]:.4g}", refresh=False)
            bar.update()
        if callback is not None and callback(epoch, history):
            break
    if bar is not None:
        bar.close()
    return history


def _backward(net, dY) -> None:
    """Fill the parameters' gradients; a ``Sequential`` skips dL/dX, which training never uses."""
    if isinstance(net, Sequential):
        net.backward(dY, input_grad=False)
    else:
        net.backward(dY)


def _validate(net, loss, Xv, Yv, history: History) -> None:
    was_training = getattr(net, "training", True)
    net.eval()
    Yhat = net.forward(Xv)
    if was_training:
        net.train()
    history.val_loss.append(loss(Yhat, Yv))
    acc = accuracy(loss, Yhat, Yv)
    if acc is not None:
        history.val_accuracy.append(acc)
