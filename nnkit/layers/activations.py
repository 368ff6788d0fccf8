r"""Elementwise activation layers: :math:`h = f(e)` forward, :math:`dE = dH \odot f'(e)` backward.

Each takes a batch ``(n, features)`` and returns the same shape.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .. import functional as F
from .._validation import as_batch, check_positive
from .base import Layer

__all__ = [
    "Identity", "Step", "Sign", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU",
    "Softplus", "PReLU", "Softmax",
]


class _Elementwise(Layer):
    """Keeps the input (``_X``) and output (``_Y``) for backward.

    They are None until the first ``forward`` (``_check_backward`` guards that), arrays
    after: typed ``Any`` so that ``_f_grad`` can use them without a check of its own.
    """

    _X: Any = None
    _Y: Any = None

    def forward(self, X: ArrayLike) -> np.ndarray:
        self._X = as_batch(X, "X")
        self._Y = self._f(self._X)
        return self._Y

    def backward(self, dY: np.ndarray) -> np.ndarray:
        dY = self._check_backward(dY, None if self._Y is None else self._Y.shape)
        return dY * self._f_grad()

    def _f(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover - every activation overrides it
        raise NotImplementedError

    def _f_grad(self) -> Any:  # pragma: no cover - an array of f'(e), or a number
        raise NotImplementedError


class Identity(_Elementwise):
    r""":math:`h = e`, the output activation for regression."""

    def _f(self, X):
        return X

    def _f_grad(self):
        return 1.0


class Step(_Elementwise):
    r"""Unit step :math:`h = [e \ge 0]`, forward only.

    ``backward`` returns zeros: the derivative is 0 wherever it exists (and undefined
    at 0), so no error signal can pass through a step. That is why back-propagation
    needs a smooth stand-in such as the sigmoid.
    """

    def _f(self, X):
        return F.step(X)

    def _f_grad(self):
        return np.zeros_like(self._X)


class Sign(_Elementwise):
    r"""Signum :math:`h = \operatorname{sign}(e)`, forward only.

    ``backward`` returns zeros for the same reason as :class:`Step`; tanh is its
    differentiable stand-in.
    """

    def _f(self, X):
        return np.sign(X)

    def _f_grad(self):
        return np.zeros_like(self._X)


class Sigmoid(_Elementwise):
    r""":math:`h = \sigma(e)`, backward :math:`\sigma' = h(1 - h)`."""

    def _f(self, X):
        return F.sigmoid(X)

    def _f_grad(self):
        return self._Y * (1.0 - self._Y)


class Tanh(_Elementwise):
    r""":math:`h = \tanh(e)`, backward :math:`1 - h^2`."""

    def _f(self, X):
        return np.tanh(X)

    def _f_grad(self):
        return 1.0 - self._Y * self._Y


class ReLU(_Elementwise):
    r""":math:`h = \max(0, e)`, backward :math:`[e > 0]`."""

    def _f(self, X):
        return np.maximum(X, 0.0)

    def _f_grad(self):
        return self._X > 0


class LeakyReLU(_Elementwise):
    r""":math:`h = e` for :math:`e > 0`, else :math:`\text{slope}\cdot e`."""

    def __init__(self, slope: float = 0.01):
        self.slope = float(check_positive(slope, "slope", allow_zero=True))

    def _f(self, X):
        return F.leaky_relu(X, self.slope)

    def _f_grad(self):
        return np.where(self._X > 0, 1.0, self.slope)

    def __repr__(self) -> str:
        return f"LeakyReLU(slope={self.slope})"


class ELU(_Elementwise):
    r""":math:`h = e` for :math:`e > 0`, else :math:`\alpha(e^{e} - 1)`."""

    def __init__(self, alpha: float = 1.0):
        self.alpha = float(check_positive(alpha, "alpha", allow_zero=True))

    def _f(self, X):
        return F.elu(X, self.alpha)

    def _f_grad(self):
        return F.elu_grad(self._X, self.alpha)

    def __repr__(self) -> str:
        return f"ELU(alpha={self.alpha})"


class Softplus(_Elementwise):
    r""":math:`h = \log(1 + e^{e})`, backward :math:`\sigma(e)`."""

    def _f(self, X):
        return F.softplus(X)

    def _f_grad(self):
        return F.sigmoid(self._X)


class PReLU(_Elementwise):
    r"""Parametric ReLU :math:`h = e` for :math:`e > 0`, else :math:`a e`, with a learned slope.

    Attributes
    ----------
    a : ndarray, shape ()
        The slope, shared by every unit; ``da`` is
        :math:`\sum_{i,k} dH_{ik}\,\min(e_{ik}, 0)` after ``backward``.
    """

    param_names = ("a",)

    def __init__(self, a: float = 0.25):
        self.a = np.array(float(a))
        self.da = np.array(0.0)

    def _f(self, X):
        return np.where(X > 0, X, self.a * X)

    def _f_grad(self):
        return np.where(self._X > 0, 1.0, self.a)

    def backward(self, dY: np.ndarray) -> np.ndarray:
        dX = super().backward(dY)
        self.da = np.array(np.sum(dY * np.minimum(self._X, 0.0)))
        return dX

    def __repr__(self) -> str:
        return f"PReLU(a={float(self.a)})"


class Softmax(Layer):
    r"""Row-wise softmax :math:`a = \operatorname{softmax}(z)`, for use as an output layer.

    For training a classifier prefer logits with ``SoftmaxCrossEntropyLoss``, which is
    stabler and cheaper; this layer exists to look at probabilities.
    Backward: :math:`dZ = a \odot (dA - \sum_k dA_k a_k)`.
    """

    _Y: Any = None

    def forward(self, X: ArrayLike) -> np.ndarray:
        self._Y = F.softmax(as_batch(X, "X"), axis=1)
        return self._Y

    def backward(self, dY: np.ndarray) -> np.ndarray:
        dY = self._check_backward(dY, None if self._Y is None else self._Y.shape)
        a = self._Y
        return a * (dY - (dY * a).sum(axis=1, keepdims=True))
