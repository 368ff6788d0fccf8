r"""Optimisers. All share one signature: ``Opt(params, lr, ...)``, then ``step()`` and ``zero_grad()``.

``params`` is what ``net.parameters()`` returns. ``step()`` updates every parameter
in place from the gradient that the last ``backward`` left beside it.
"""
from __future__ import annotations

import numpy as np

from ._validation import check_positive

__all__ = ["Optimizer", "SGD", "Adam"]


class Optimizer:
    """Base class: keeps the parameter list and the learning rate."""

    def __init__(self, params, lr):
        self.params = list(params)
        if not self.params:
            raise ValueError("params is empty; pass net.parameters() of a network with weights.")
        self.lr = check_positive(lr, "lr")

    def zero_grad(self) -> None:
        """Set every gradient to zero."""
        for p in self.params:
            if p.grad is not None:
                p.grad[...] = 0.0

    def step(self) -> None:  # pragma: no cover - subclasses override
        raise NotImplementedError

    def _grads(self):
        for p in self.params:
            g = p.grad
            if g is None:
                raise RuntimeError(f"{p} has no gradient yet: call backward before step().")
            yield p.value, g


class SGD(Optimizer):
    r"""Gradient descent with optional momentum: :math:`v \leftarrow \mu v + g`, :math:`\theta \leftarrow \theta - \eta v`.

    With ``momentum=0`` this is the lectures' :math:`\theta \leftarrow \theta - \eta\nabla L`.
    The velocity form matches ``torch.optim.SGD``.
    """

    def __init__(self, params, lr, momentum: float = 0.0):
        super().__init__(params, lr)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1); got {momentum!r}")
        self.momentum = momentum
        self.velocity = [np.zeros_like(p.value) for p in self.params]

    def step(self) -> None:
        lr, mu = self.lr, self.momentum
        for (theta, g), v in zip(self._grads(), self.velocity):
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
    as ``torch.optim.Adam``. (One of the seeds calls Adam second-order; it uses
    gradients only.)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, lr)
        b1, b2 = betas
        if not (0.0 <= b1 < 1.0 and 0.0 <= b2 < 1.0):
            raise ValueError(f"betas must both be in [0, 1); got {betas!r}")
        self.betas, self.eps, self.t = (b1, b2), check_positive(eps, "eps"), 0
        self.m = [np.zeros_like(p.value) for p in self.params]
        self.v = [np.zeros_like(p.value) for p in self.params]

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        c1, c2 = 1 - b1**self.t, 1 - b2**self.t
        for (theta, g), m, v in zip(self._grads(), self.m, self.v):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            theta -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)
