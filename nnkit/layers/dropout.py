r"""Inverted dropout (Srivastava et al., 2014): zero each unit with probability :math:`p` while training."""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_batch, make_rng
from .base import Layer

__all__ = ["Dropout"]


class Dropout(Layer):
    r"""Inverted dropout, as ``torch.nn.Dropout``.

    In training mode (the default) :math:`Y = X \odot M` with the mask
    :math:`M_{ij} = \mathbb{1}[u_{ij} \ge p] / (1 - p)`, :math:`u_{ij} \sim U(0, 1)`, drawn
    afresh at every ``forward``: each unit is dropped with probability :math:`p`, and the
    survivors are scaled up so that :math:`\mathbb{E}[Y] = X`. After ``.eval()`` it is the
    identity, with nothing to rescale at test time. ``backward`` sends :math:`dY \odot M`
    through the mask of the last ``forward``. (A fresh mask per ``forward`` makes a network
    random, so ``nk.gradcheck`` needs it in eval mode, or a mask that repeats: the tests
    reseed ``rng`` before each forward.)

    Parameters
    ----------
    p : float in [0, 1)
        The probability of dropping a unit (``p=0`` keeps every unit).
    rng : None, int or numpy.random.Generator
        Draws the masks; the same seed gives the same masks.
    """

    def __init__(self, p: float = 0.5, rng: Any = None):
        self.p = _check_probability(p)
        self.rng = make_rng(rng)
        self._mask: np.ndarray | None = None
        self._shape: tuple[int, ...] | None = None

    def forward(self, X: ArrayLike) -> np.ndarray:
        """X (n, features) -> Y (n, features)."""
        X = as_batch(X, "X")
        self._shape = X.shape
        if not self.training or self.p == 0.0:
            self._mask = None
            return X
        keep = self.rng.random(X.shape) >= self.p
        self._mask = keep.astype(X.dtype) / X.dtype.type(1.0 - self.p)
        return X * self._mask

    def backward(self, dY: np.ndarray) -> np.ndarray:
        """dY (n, features) -> dX (n, features), through the same mask as the forward."""
        dY = self._check_backward(dY, self._shape)
        return dY if self._mask is None else dY * self._mask

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"


def _check_probability(p: float) -> float:
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p < 1:
        raise ValueError(
            f"p, the probability of dropping a unit, must be a number in [0, 1); got {p!r}"
            + (" (p = 1 would drop every unit)" if p == 1 else "")
        )
    return float(p)
