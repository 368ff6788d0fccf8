r"""Optimisers. All share one signature: ``Opt(params, lr, ...)``, then ``step()`` and ``zero_grad()``.

``params`` is what ``net.parameters()`` returns. ``step()`` updates every parameter
in place from the gradient that the last ``backward`` left beside it.

``weight_decay`` (SGD, Adam, RMSprop) adds :math:`\lambda\theta` to every gradient before
the update, as ``torch.optim`` does: for SGD that is exactly the gradient of an L2 penalty
:math:`\frac{\lambda}{2}\lVert\theta\rVert^2` (biases included, unlike
:class:`nnkit.L2Penalty`). ``AdamW`` instead shrinks the weights directly,
:math:`\theta \leftarrow \theta - \eta\lambda\theta`, outside Adam's per-parameter scaling.
"""
from __future__ import annotations

import numbers
from collections.abc import Iterable, Iterator

import numpy as np

from ._validation import check_parameters, check_positive
from .layers.base import Parameter

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop"]

Betas = tuple[float, float]


class Optimizer:
    """Base class: keeps the parameter list and the learning rate."""

    def __init__(self, params: Iterable, lr: float):
        self.params = check_parameters(params, f"{type(self).__name__}(params)")
        self.lr = check_positive(lr, "lr")
        self._access = _accessors(self.params)

    def zero_grad(self) -> None:
        """Set every gradient to zero."""
        for p in self.params:
            if p.grad is not None:
                p.grad[...] = 0.0

    def step(self) -> None:  # pragma: no cover - subclasses override
        raise NotImplementedError

    def _grads(self, weight_decay: float = 0.0) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Each parameter's value and gradient, plus ``weight_decay * value`` (a new array)."""
        for p, (owner, name, grad_name) in zip(self.params, self._access):
            # A layer's own attributes, read afresh each step: backward puts a new dW there,
            # and a notebook may have put a new W.
            g = getattr(owner, grad_name, None)
            if g is None:
                raise RuntimeError(f"{p} has no gradient yet: call backward before step().")
            theta = getattr(owner, name)
            yield theta, (g + weight_decay * theta if weight_decay else g)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr!r})"


def _accessors(params) -> list[tuple[object, str, str]]:
    """``(owner, value attribute, gradient attribute)`` for each parameter.

    A layer's ``Parameter`` is read straight from its layer (``layer.W``, ``layer.dW``),
    without its properties; anything else that has ``value`` and ``grad`` is read
    through them.
    """
    return [(p.owner, p.name, "d" + p.name) if type(p) is Parameter else (p, "value", "grad")
            for p in params]


def _in_unit_interval(value: float, name: str) -> float:
    """Check a decay rate such as ``momentum`` or ``alpha``: a number in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1); got {value!r}")
    return float(value)


def _check_betas(betas: Betas) -> Betas:
    try:
        b1, b2 = betas
    except (TypeError, ValueError):
        raise ValueError(f"betas must be a pair (beta1, beta2); got {betas!r}") from None
    if not (0.0 <= b1 < 1.0 and 0.0 <= b2 < 1.0):
        raise ValueError(f"betas must both be in [0, 1); got {betas!r}")
    return float(b1), float(b2)


def _check_decay(weight_decay: float) -> float:
    return float(check_positive(weight_decay, "weight_decay", allow_zero=True))


class SGD(Optimizer):
    r"""Gradient descent with momentum: :math:`v \leftarrow \mu v + g`, :math:`\theta \leftarrow \theta - \eta v`.

    With ``momentum=0`` this is the lectures' :math:`\theta \leftarrow \theta - \eta\nabla L`.
    The velocity form matches ``torch.optim.SGD``; ``weight_decay`` :math:`\lambda` makes
    :math:`g = \nabla L + \lambda\theta`.
    """

    def __init__(self, params: Iterable, lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0):
        super().__init__(params, lr)
        self.momentum = _in_unit_interval(momentum, "momentum")
        self.weight_decay = _check_decay(weight_decay)
        self.velocity = [np.zeros_like(p.value) for p in self.params]

    def step(self) -> None:
        lr, mu = self.lr, self.momentum
        if not (mu or self.weight_decay):  # the lectures' plain step, kept short
            for theta, g in self._grads():
                theta -= lr * g
            return
        for (theta, g), v in zip(self._grads(self.weight_decay), self.velocity):
            if mu:
                v *= mu
                v += g
                g = v
            theta -= lr * g


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015, algorithm 1), a first-order method with per-parameter step sizes.

    :math:`m \leftarrow \beta_1 m + (1-\beta_1)g`, :math:`v \leftarrow \beta_2 v + (1-\beta_2)g^2`,
    :math:`\theta \leftarrow \theta - \eta\,\hat m/(\sqrt{\hat v} + \epsilon)` with the
    bias-corrected :math:`\hat m = m/(1-\beta_1^t)`, :math:`\hat v = v/(1-\beta_2^t)`,
    as ``torch.optim.Adam``. ``weight_decay`` :math:`\lambda` makes :math:`g = \nabla L + \lambda\theta`
    (coupled: the decay is then rescaled per parameter like the gradient; see :class:`AdamW`).
    (Hasegawa-Johnson's ECE 417 notes on neural nets group Adam with second-order methods; it
    uses first derivatives only.)
    """

    decoupled = False

    def __init__(self, params: Iterable, lr: float = 1e-3, betas: Betas = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(params, lr)
        self.betas, self.eps, self.t = _check_betas(betas), check_positive(eps, "eps"), 0
        self.weight_decay = _check_decay(weight_decay)
        self.m = [np.zeros_like(p.value) for p in self.params]
        self.v = [np.zeros_like(p.value) for p in self.params]

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        c1, c2 = 1 - b1**self.t, 1 - b2**self.t
        coupled = 0.0 if self.decoupled else self.weight_decay
        for (theta, g), m, v in zip(self._grads(coupled), self.m, self.v):
            if self.decoupled and self.weight_decay:
                theta *= 1.0 - self.lr * self.weight_decay
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            theta -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as ``torch.optim.AdamW``.

    Each step first shrinks :math:`\theta \leftarrow (1 - \eta\lambda)\theta`, then takes
    Adam's step on the plain gradient. Unlike ``Adam(weight_decay=λ)``, every weight decays
    at the same rate whatever its gradient's scale.
    """

    decoupled = True

    def __init__(self, params: Iterable, lr: float = 1e-3, betas: Betas = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.01):
        super().__init__(params, lr, betas, eps, weight_decay)


class RMSprop(Optimizer):
    r"""RMSprop (Tieleman & Hinton, 2012), as ``torch.optim.RMSprop`` (not centred).

    :math:`s \leftarrow \alpha s + (1-\alpha)g^2`; without momentum
    :math:`\theta \leftarrow \theta - \eta\,g/(\sqrt{s} + \epsilon)`; with momentum
    :math:`b \leftarrow \mu b + g/(\sqrt{s} + \epsilon)`, :math:`\theta \leftarrow \theta - \eta b`.
    ``weight_decay`` :math:`\lambda` makes :math:`g = \nabla L + \lambda\theta`.
    """

    def __init__(self, params: Iterable, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, momentum: float = 0.0, weight_decay: float = 0.0):
        super().__init__(params, lr)
        self.alpha, self.eps = _in_unit_interval(alpha, "alpha"), check_positive(eps, "eps")
        self.momentum = _in_unit_interval(momentum, "momentum")
        self.weight_decay = _check_decay(weight_decay)
        self.square_avg = [np.zeros_like(p.value) for p in self.params]
        self.buffer = [np.zeros_like(p.value) for p in self.params]

    def step(self) -> None:
        a, mu = self.alpha, self.momentum
        for (theta, g), s, buf in zip(self._grads(self.weight_decay), self.square_avg, self.buffer):
            s *= a
            s += (1 - a) * g * g
            step = g / (np.sqrt(s) + self.eps)
            if mu:
                buf *= mu
                buf += step
                step = buf
            theta -= self.lr * step
