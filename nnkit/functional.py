r"""Activation functions, their derivatives, and softmax, written to be stable.

Every function takes an array of any shape (or a number) and works elementwise,
except ``softmax``, ``log_softmax`` and ``logsumexp``, which reduce along ``axis``.
``<name>_grad(x)`` is the derivative :math:`f'(x)` with respect to the input,
evaluated at the input. For every finite input, ±1000 included, the results are
finite and numpy emits no ``RuntimeWarning``.
"""
from __future__ import annotations

import numpy as np

from ._validation import as_array

__all__ = [
    "identity", "identity_grad",
    "step", "step_grad",
    "sign", "sign_grad",
    "sigmoid", "sigmoid_grad",
    "tanh", "tanh_grad",
    "relu", "relu_grad",
    "leaky_relu", "leaky_relu_grad",
    "elu", "elu_grad",
    "softplus", "softplus_grad",
    "softmax", "log_softmax", "logsumexp",
]


def identity(x):
    r""":math:`f(x) = x`."""
    return as_array(x, "x")


def identity_grad(x):
    r""":math:`f'(x) = 1`."""
    return np.ones_like(as_array(x, "x"))


def step(x):
    r"""Unit step :math:`u(x) = 1` if :math:`x \ge 0` else 0."""
    x = as_array(x, "x")
    return (x >= 0).astype(x.dtype)


def step_grad(x):
    r"""Zero everywhere it exists: the step gives gradient descent nothing to follow."""
    return np.zeros_like(as_array(x, "x"))


def sign(x):
    r"""Signum: :math:`-1, 0, +1` for negative, zero and positive inputs."""
    return np.sign(as_array(x, "x"))


def sign_grad(x):
    r"""Zero everywhere it exists, like the step."""
    return np.zeros_like(as_array(x, "x"))


def sigmoid(x):
    r"""Logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})`.

    Computed from :math:`e^{-|x|}`, which never overflows, so that both tails keep
    full relative precision.
    """
    x = as_array(x, "x")
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


def sigmoid_grad(x, y=None):
    r""":math:`\sigma'(x) = \sigma(x)(1 - \sigma(x))`.

    ``y``, optional: :math:`\sigma(x)` when the caller has it already (a layer keeps its
    output), so that it is not computed twice.
    """
    s = sigmoid(x) if y is None else y
    return s * (1.0 - s)


def tanh(x):
    r"""Hyperbolic tangent :math:`\tanh(x) = 2\sigma(2x) - 1`."""
    return np.tanh(as_array(x, "x"))


def tanh_grad(x, y=None):
    r""":math:`\tanh'(x) = 1 - \tanh^2(x)`.

    ``y``, optional: :math:`\tanh(x)` when the caller has it already.
    """
    t = tanh(x) if y is None else y
    return 1.0 - t * t


def relu(x):
    r""":math:`\max(0, x)`."""
    return np.maximum(as_array(x, "x"), 0.0)


def relu_grad(x):
    r"""1 for :math:`x > 0`, else 0 (the value at the kink, 0, is a convention)."""
    x = as_array(x, "x")
    return (x > 0).astype(x.dtype)


def leaky_relu(x, slope: float = 0.01):
    r""":math:`x` for :math:`x > 0`, else :math:`\text{slope}\cdot x`."""
    x = as_array(x, "x")
    return np.where(x > 0, x, slope * x)


def leaky_relu_grad(x, slope: float = 0.01):
    r"""1 for :math:`x > 0`, else ``slope``."""
    x = as_array(x, "x")
    return np.where(x > 0, 1.0, slope).astype(x.dtype, copy=False)


def elu(x, alpha: float = 1.0):
    r""":math:`x` for :math:`x > 0`, else :math:`\alpha(e^x - 1)`."""
    x = as_array(x, "x")
    # min(x, 0) keeps exp from overflowing on the branch np.where throws away.
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def elu_grad(x, alpha: float = 1.0):
    r"""1 for :math:`x > 0`, else :math:`\alpha e^x`."""
    x = as_array(x, "x")
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def softplus(x):
    r""":math:`\log(1 + e^x)`, a smooth ReLU, via ``logaddexp`` so it never overflows."""
    return np.logaddexp(0.0, as_array(x, "x"))


def softplus_grad(x):
    r""":math:`\frac{d}{dx}\log(1 + e^x) = \sigma(x)`."""
    return sigmoid(x)


def logsumexp(z, axis: int = -1, keepdims: bool = False):
    r""":math:`\log \sum_k e^{z_k}`, shifted by :math:`\max_k z_k` so no term overflows."""
    z = as_array(z, "z")
    m = z.max(axis=axis, keepdims=True)
    out = m + np.log(np.exp(z - m).sum(axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def log_softmax(z, axis: int = -1):
    r""":math:`\log \operatorname{softmax}(z)_k = z_k - \log\sum_j e^{z_j}`."""
    z = as_array(z, "z")
    return z - logsumexp(z, axis=axis, keepdims=True)


def softmax(z, axis: int = -1):
    r""":math:`\operatorname{softmax}(z)_k = e^{z_k} / \sum_j e^{z_j}`.

    Subtracting :math:`\max_j z_j` first changes nothing mathematically and keeps
    every exponent at most 0, so logits of ±1000 are fine.
    """
    z = as_array(z, "z")
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
