r"""Losses as small classes: ``value = loss(Yhat, Y)``, then ``loss.backward()`` gives dL/dYhat.

They follow the lectures, not PyTorch: every loss is averaged over the ``n``
examples and summed over outputs, and MSE carries a factor 1/2, so that the output
error is :math:`\varepsilon_i = (\hat y_i - y_i)/n`. As in Nielsen's ``network2.py``,
the difference between two costs is visible in the two lines of their ``backward``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from . import functional as F
from ._validation import as_array, as_batch, check_finite, check_same_shape

__all__ = ["Loss", "MSELoss", "BCELoss", "BCEWithLogitsLoss", "SoftmaxCrossEntropyLoss"]

# PyTorch's BCELoss clamps log at -100 too; it keeps log(0) finite without changing
# any loss a real network reaches.
_LOG_FLOOR = -100.0


class Loss:
    """Base class: checks the inputs, keeps what ``backward`` needs."""

    _saved: tuple[np.ndarray, np.ndarray] | None = None

    def __call__(self, Yhat: ArrayLike, Y: ArrayLike) -> float:
        """The loss of predictions ``Yhat`` (n, outputs) against targets ``Y``, as a float."""
        Yhat = as_batch(Yhat, "Yhat")
        check_finite(Yhat, "Yhat", " (the network's output)")
        Y = self._targets(Yhat, Y)
        self._saved = (Yhat, Y)
        return float(self._value(Yhat, Y))

    def backward(self) -> np.ndarray:
        """dL/dYhat, the same shape as ``Yhat``."""
        if self._saved is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward was called before the loss was computed: "
                f"call loss(Yhat, Y) first."
            )
        return self._grad(*self._saved)

    def _value(self, Yhat: np.ndarray, Y: np.ndarray) -> Any:  # pragma: no cover - every loss overrides it
        raise NotImplementedError

    def _grad(self, Yhat: np.ndarray, Y: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _targets(self, Yhat: np.ndarray, Y: ArrayLike) -> np.ndarray:
        Y = as_array(Y, "Y")
        check_same_shape(Yhat, Y, "Yhat", "Y")
        check_finite(Y, "Y", " (the targets)")
        return Y

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MSELoss(Loss):
    r""":math:`L = \frac{1}{2n}\sum_i \lVert \hat y_i - y_i \rVert^2`,
    so :math:`\partial L/\partial \hat y_i = (\hat y_i - y_i)/n`.

    PyTorch's ``MSELoss`` is the plain mean, without the 1/2 and over every element.
    """

    def _value(self, Yhat, Y):
        r = Yhat - Y
        return 0.5 * np.sum(r * r) / len(Y)

    def _grad(self, Yhat, Y):
        return (Yhat - Y) / len(Y)


def _check_probabilities(P, name: str, what: str):
    if P.size and (P.min() < 0 or P.max() > 1):
        raise ValueError(
            f"{name} must hold {what} in [0, 1]; got values from {P.min():.4g} to "
            f"{P.max():.4g}. If these are logits, use BCEWithLogitsLoss instead."
        )


class BCELoss(Loss):
    r"""Binary cross-entropy on probabilities ``a`` in [0, 1]:
    :math:`L = -\frac1n\sum_i\sum_k [y_{ik}\log a_{ik} + (1-y_{ik})\log(1-a_{ik})]`.

    Summed over outputs, averaged over examples (for one output it equals PyTorch's
    mean). Logs are floored at -100, as PyTorch does.
    """

    def _targets(self, Yhat, Y):
        _check_probabilities(Yhat, "Yhat", "probabilities (e.g. sigmoid outputs)")
        Y = super()._targets(Yhat, Y)
        _check_probabilities(Y, "Y", "targets (0/1 labels or probabilities)")
        return Y

    def _value(self, A, Y):
        with np.errstate(divide="ignore"):
            log_a = np.maximum(np.log(A), _LOG_FLOOR)
            log_1ma = np.maximum(np.log1p(-A), _LOG_FLOOR)
        return -np.sum(Y * log_a + (1 - Y) * log_1ma) / len(Y)

    def _grad(self, A, Y):
        # (a - y) / (a (1 - a)); the floor keeps a = 0 or 1 finite, as PyTorch does.
        return (A - Y) / np.maximum(A * (1 - A), 1e-12) / len(Y)


class BCEWithLogitsLoss(Loss):
    r"""Binary cross-entropy on logits :math:`z`, with :math:`a = \sigma(z)`:
    :math:`L = \frac1n\sum_{i,k}[\operatorname{softplus}(z_{ik}) - y_{ik} z_{ik}]`
    (computed as :math:`\max(z, 0) - yz + \log(1 + e^{-|z|})`),
    stable for any logit; :math:`\partial L/\partial z = (\sigma(z) - y)/n`.
    """

    def _targets(self, Yhat, Y):
        Y = super()._targets(Yhat, Y)
        _check_probabilities(Y, "Y", "targets (0/1 labels or probabilities)")
        return Y

    def _value(self, Z, Y):
        # max(z, 0) - y z is exact for 0/1 targets, so no large terms cancel.
        return np.sum(np.maximum(Z, 0.0) - Y * Z + np.log1p(np.exp(-np.abs(Z)))) / len(Y)

    def _grad(self, Z, Y):
        return (F.sigmoid(Z) - Y) / len(Y)


class SoftmaxCrossEntropyLoss(Loss):
    r"""Softmax then negative log-likelihood, on logits ``Z (n, K)``:
    :math:`L = \frac1n\sum_i[\log\sum_k e^{z_{ik}} - z_{i,y_i}]`,
    :math:`\partial L/\partial z_i = (\operatorname{softmax}(z_i) - y_i)/n`.

    Targets are integer labels ``(n,)`` in ``0..K-1`` or one-hot (or probability)
    rows ``(n, K)``.
    """

    def _targets(self, Z, Y):
        Y = np.asarray(Y)
        n, K = Z.shape
        if Y.shape == Z.shape:
            return super()._targets(Z, Y)
        if Y.ndim != 1 or len(Y) != n:
            raise ValueError(
                f"Y must be integer labels of shape ({n},) or one-hot rows of shape "
                f"{Z.shape} to match the logits Yhat {Z.shape}; got shape {Y.shape}."
            )
        # The common case in one pass: read as unsigned, a negative label is huge, so one
        # maximum bounds both ends. Out of range goes on to the message below.
        if Y.dtype == np.int64 and (not n or np.maximum.reduce(Y.view(np.uint64)) < K):
            return Y
        if Y.dtype.kind == "f" and np.all(np.isfinite(Y)) and np.all(Y == np.round(Y)):
            Y = Y.astype(np.int64)
        if Y.dtype.kind not in "iu":
            raise TypeError(
                f"Y must hold integer class labels 0..{K - 1}; got dtype {Y.dtype}"
                f"{' with non-integer values' if Y.dtype.kind == 'f' else ''}. "
                f"Use Y.astype(int) if they are whole numbers."
            )
        if n and (Y.min() < 0 or Y.max() >= K):
            bad = Y[(Y < 0) | (Y >= K)][0]
            raise ValueError(
                f"Y holds the label {bad}, but the logits have {K} columns, so labels "
                f"must be in 0..{K - 1} (got labels from {Y.min()} to {Y.max()})."
            )
        return Y

    def _value(self, Z, Y):
        n, K = Z.shape
        # Flat positions (row i, column k) -> i K + k: one index where Z[rows, cols] takes two.
        starts = np.arange(0, n * K, K)
        # Shift by the row maximum: the largest shifted logit is exactly 0, and
        # log(1 + sum of the others) goes through log1p, so a confident, correct
        # prediction keeps its tiny loss to full relative precision.
        top = starts + Z.argmax(axis=1)
        shifted = Z - Z.ravel()[top][:, None]
        exps = np.exp(shifted)
        flat = exps.ravel()  # a view: exps is this call's own, contiguous array
        flat[top] = 0.0
        others = np.add.reduce(exps, axis=1)
        # backward's softmax(Z) is these exponentials over their sum: keep it, not redo it.
        flat[top] = 1.0
        total = others + 1.0
        exps /= total[:, None]
        self._softmax = exps
        log_sum = np.log1p(others)
        if Y.ndim == 1:
            self._label_at = starts + Y
            return (np.add.reduce(log_sum) - np.add.reduce(shifted.ravel()[self._label_at])) / n
        return -np.sum(Y * (shifted - log_sum[:, None])) / n

    def _grad(self, Z, Y):
        n = len(Z)
        G = self._softmax.copy()  # softmax(Z), from _value on this same Z
        if Y.ndim == 1:
            G.ravel()[self._label_at] -= 1.0
        else:
            G -= Y
        G /= n
        return G
