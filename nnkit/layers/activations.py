r"""Elementwise activation layers: :math:`h = f(e)` forward, :math:`dE = dH \odot f'(e)` backward.

Each takes a batch ``(n, features)`` and returns the same shape. Every formula, forward
and derivative, is the one in :mod:`nnkit.functional`; the layers only keep what
``backward`` needs. :data:`ACTIVATIONS` is the one table of activations by name, which
``MLP``, the lectures and the playground all read.
"""
from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .. import functional as F
from .._validation import as_batch, check_positive, choose
from .base import Layer

__all__ = [
    "Identity", "Step", "Sign", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU",
    "Softplus", "PReLU", "Softmax", "Activation", "ACTIVATIONS", "as_activation",
]


class _Elementwise(Layer):
    """Keeps the input (``_X``) and output (``_Y``) for backward.

    They are None until the first ``forward`` (``_check_backward`` guards that), arrays
    after: typed ``Any`` so that ``_f_grad`` can use them without a check of its own.
    """

    _X: Any = None
    _Y: Any = None

    def forward(self, X: ArrayLike) -> np.ndarray:
        return self._forward(as_batch(X, "X"))

    def _forward(self, X: np.ndarray) -> np.ndarray:
        self._X = X
        self._Y = Y = self._f(X)
        return Y

    def backward(self, dY: np.ndarray) -> np.ndarray:
        dY = self._check_backward(dY, None if self._Y is None else self._Y.shape)
        return self._backward(dY)

    def _backward(self, dY: np.ndarray) -> np.ndarray:
        return dY * self._f_grad()

    def _f(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover - every activation overrides it
        raise NotImplementedError

    def _f_grad(self) -> Any:  # pragma: no cover - an array of f'(e), or a number
        raise NotImplementedError


class Identity(_Elementwise):
    r""":math:`h = e`, the output activation for regression."""

    def _f(self, X):
        return F.identity(X)

    def _f_grad(self):
        return F.identity_grad(self._X)


class Step(_Elementwise):
    r"""Unit step :math:`h = [e \ge 0]`, forward only.

    ``backward`` returns zeros: the derivative is 0 wherever it exists (and undefined
    at 0), so no error signal can pass through a step. That is why back-propagation
    needs a smooth stand-in such as the sigmoid.
    """

    def _f(self, X):
        return F.step(X)

    def _f_grad(self):
        return F.step_grad(self._X)


class Sign(_Elementwise):
    r"""Signum :math:`h = \operatorname{sign}(e)`, forward only.

    ``backward`` returns zeros for the same reason as :class:`Step`; tanh is its
    differentiable stand-in.
    """

    def _f(self, X):
        return F.sign(X)

    def _f_grad(self):
        return F.sign_grad(self._X)


class Sigmoid(_Elementwise):
    r""":math:`h = \sigma(e)`, backward :math:`\sigma' = h(1 - h)`."""

    def _f(self, X):
        return F.sigmoid(X)

    def _f_grad(self):
        return F.sigmoid_grad(self._X, self._Y)


class Tanh(_Elementwise):
    r""":math:`h = \tanh(e)`, backward :math:`1 - h^2`."""

    def _f(self, X):
        return F.tanh(X)

    def _f_grad(self):
        return F.tanh_grad(self._X, self._Y)


class ReLU(_Elementwise):
    r""":math:`h = \max(0, e)`, backward :math:`[e > 0]`."""

    def _f(self, X):
        return F.relu(X)

    def _f_grad(self):
        return F.relu_grad(self._X)


class LeakyReLU(_Elementwise):
    r""":math:`h = e` for :math:`e > 0`, else :math:`\text{slope}\cdot e`."""

    def __init__(self, slope: float = 0.01):
        self.slope = float(check_positive(slope, "slope", allow_zero=True))

    def _f(self, X):
        return F.leaky_relu(X, self.slope)

    def _f_grad(self):
        return F.leaky_relu_grad(self._X, self.slope)

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
        return F.softplus_grad(self._X)


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

    # A leaky ReLU whose slope is learned: the same formulas, with slope a.
    def _f(self, X):
        return F.leaky_relu(X, float(self.a))

    def _f_grad(self):
        return F.leaky_relu_grad(self._X, float(self.a))

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


@dataclasses.dataclass(frozen=True)
class Activation:
    """One activation in :data:`ACTIVATIONS`: its layer, its formulas and its one knob.

    Attributes
    ----------
    layer : type
        The :class:`Layer` class; ``layer()`` has the default parameter.
    f, grad : callable or None
        ``f(x[, param])`` and its derivative ``grad(x[, param])`` from
        :mod:`nnkit.functional` (what the layer computes); ``None`` for softmax, which is
        not elementwise.
    param : str or None
        The name of its one parameter (``slope``, ``alpha``, ``a``), if it has one.
    default : float or None
        That parameter's default.
    range : (float, float)
        Where figures show its outputs (histograms, colour scales): its exact range
        where the function is bounded, else a window that holds typical values.
    """

    layer: type
    f: Callable | None
    grad: Callable | None
    param: str | None = None
    default: float | None = None
    range: tuple = (-4.0, 4.0)

    def __call__(self, x: ArrayLike, param: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(f(x), f'(x))`` at ``x``, with ``param`` (``None``: the default)."""
        if self.f is None or self.grad is None:
            raise ValueError(f"{self.layer.__name__} is not elementwise; it has no f'(x)")
        if self.param is None:
            return self.f(x), self.grad(x)
        p = self.default if param is None else float(param)
        return self.f(x, p), self.grad(x, p)


ACTIVATIONS = {
    "identity": Activation(Identity, F.identity, F.identity_grad, range=(-4.0, 4.0)),
    "step": Activation(Step, F.step, F.step_grad, range=(0.0, 1.0)),
    "sign": Activation(Sign, F.sign, F.sign_grad, range=(-1.0, 1.0)),
    "sigmoid": Activation(Sigmoid, F.sigmoid, F.sigmoid_grad, range=(0.0, 1.0)),
    "tanh": Activation(Tanh, F.tanh, F.tanh_grad, range=(-1.0, 1.0)),
    "relu": Activation(ReLU, F.relu, F.relu_grad, range=(0.0, 4.0)),
    "softplus": Activation(Softplus, F.softplus, F.softplus_grad, range=(0.0, 4.0)),
    "leaky_relu": Activation(LeakyReLU, F.leaky_relu, F.leaky_relu_grad, "slope", 0.01,
                             range=(-0.5, 4.0)),
    "prelu": Activation(PReLU, F.leaky_relu, F.leaky_relu_grad, "a", 0.25, range=(-1.0, 4.0)),
    "elu": Activation(ELU, F.elu, F.elu_grad, "alpha", 1.0, range=(-1.0, 4.0)),
    "softmax": Activation(Softmax, None, None, range=(0.0, 1.0)),
}


def as_activation(spec: str | type[Layer] | Layer) -> Layer:
    """A fresh activation layer from a name in :data:`ACTIVATIONS`, a layer class or a layer (copied)."""
    if isinstance(spec, str):
        return ACTIVATIONS[choose("activation", spec, ACTIVATIONS)].layer()
    if isinstance(spec, type) and issubclass(spec, Layer):
        return spec()
    if isinstance(spec, Layer):
        return copy.deepcopy(spec)
    raise TypeError(
        f"activation must be a name ({', '.join(map(repr, ACTIVATIONS))}) or an nnkit "
        f"layer; got {spec!r}"
    )
