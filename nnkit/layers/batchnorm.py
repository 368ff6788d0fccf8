r"""Batch normalisation (Ioffe & Szegedy, 2015): normalise each feature over the batch."""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_batch, check_positive
from .base import Layer

__all__ = ["BatchNorm"]


class BatchNorm(Layer):
    r"""Batch normalisation over a batch ``(n, features)``.

    Training mode (the default):
    :math:`\hat x = (x - \mu_B)/\sqrt{\sigma_B^2 + \epsilon}`, :math:`y = \gamma \hat x + \beta`,
    with the batch mean and the biased batch variance of each feature. The running
    statistics follow ``running = momentum * running + (1 - momentum) * batch``, of the
    mean and of the unbiased variance, as PyTorch keeps them (PyTorch's own ``momentum``
    argument is ``1 - momentum`` here). After ``.eval()`` the running statistics are used.

    Attributes
    ----------
    gamma, beta : ndarray, shape (features,)
    dgamma, dbeta : ndarray, shape (features,), after ``backward``
    running_mean, running_var : ndarray, shape (features,)
    """

    param_names = ("gamma", "beta")
    buffer_names = ("running_mean", "running_var")

    def __init__(self, features: int, eps: float = 1e-5, momentum: float = 0.9):
        check_positive(features, "features", integer=True)
        check_positive(eps, "eps")
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"momentum must be in [0, 1]; got {momentum!r}")
        self.features, self.eps, self.momentum = features, eps, momentum
        self.gamma, self.beta = np.ones(features), np.zeros(features)
        self.dgamma, self.dbeta = np.zeros(features), np.zeros(features)
        self.running_mean, self.running_var = np.zeros(features), np.ones(features)
        self._xhat: Any = None  # x-hat of the last forward, None before the first
        self._inv_std: Any = None

    def forward(self, X: ArrayLike) -> np.ndarray:
        """X (n, features) -> y (n, features)."""
        X = as_batch(X, "X", self.features)
        if self.training:
            n = len(X)
            if n < 2:
                raise ValueError(
                    f"BatchNorm in training mode needs a batch of at least 2 rows to "
                    f"estimate a variance; got X of shape {X.shape}. Use a larger batch, "
                    f"or call .eval() to use the running statistics."
                )
            mean, var = X.mean(axis=0), X.var(axis=0)
            m = self.momentum
            self.running_mean = m * self.running_mean + (1 - m) * mean
            self.running_var = m * self.running_var + (1 - m) * var * n / (n - 1)
        else:
            mean, var = self.running_mean, self.running_var
        self._inv_std = 1.0 / np.sqrt(var + self.eps)
        self._xhat = (X - mean) * self._inv_std
        self._batch_stats = self.training
        return self.gamma * self._xhat + self.beta

    def backward(self, dY: np.ndarray) -> np.ndarray:
        r"""dY (n, features) -> dX (n, features).

        In training mode the mean and variance depend on every row, so (bars are means
        over the batch)

        .. math:: dX = \frac{\gamma}{\sqrt{\sigma^2+\epsilon}}\,
                  \big(dY - \overline{dY} - \hat x\,\overline{dY\odot\hat x}\big)
        """
        xhat = self._xhat
        dY = self._check_backward(dY, None if xhat is None else xhat.shape)
        self.dbeta = dY.sum(axis=0)
        self.dgamma = (dY * xhat).sum(axis=0)
        scale = self.gamma * self._inv_std
        if not self._batch_stats:
            return dY * scale
        n = len(dY)
        return scale * (dY - self.dbeta / n - xhat * (self.dgamma / n))

    def __repr__(self) -> str:
        return f"BatchNorm({self.features})"
