r"""Maxout: the maximum over several affine pieces, :math:`h_k = \max_p (X W_p^T + b_p)_k`."""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_batch, check_positive, make_rng
from ..init import initialise
from .base import Layer

__all__ = ["Maxout"]


class Maxout(Layer):
    r"""Maxout layer (Goodfellow et al., 2013).

    Each output unit takes the largest of ``pieces`` affine functions of the input:
    ReLU is the special case of two pieces, one of them fixed at zero. It has
    ``pieces`` times the parameters of a ``Dense`` layer of the same size.

    Attributes
    ----------
    W : ndarray, shape (pieces, out_features, in_features)
    b : ndarray, shape (pieces, out_features)
    dW, db : ndarray, same shapes, after ``backward``.
    """

    param_names = ("W", "b")
    weight_names = ("W",)

    def __init__(self, in_features: int, out_features: int, pieces: int = 2, rng=None,
                 init="he"):
        check_positive(in_features, "in_features", integer=True)
        check_positive(out_features, "out_features", integer=True)
        check_positive(pieces, "pieces", integer=True)
        self.in_features, self.out_features, self.pieces = in_features, out_features, pieces
        self.W = initialise(init, (pieces, out_features, in_features), make_rng(rng))
        self.b = np.zeros((pieces, out_features))
        self.dW, self.db = np.zeros_like(self.W), np.zeros_like(self.b)
        self._X: Any = None  # the input of the last forward, None before the first

    def forward(self, X: ArrayLike) -> np.ndarray:
        """X (n, in_features) -> h (n, out_features)."""
        X = self._X = as_batch(X, "X", self.in_features)
        Z = np.einsum("ni,poi->npo", X, self.W) + self.b  # (n, pieces, out)
        self._winner = Z.argmax(axis=1)  # (n, out): which piece each unit used
        return np.take_along_axis(Z, self._winner[:, None, :], axis=1)[:, 0, :]

    def backward(self, dY: np.ndarray) -> np.ndarray:
        """dY (n, out) -> dX (n, in); the gradient flows only through the winning piece."""
        X = self._X
        dY = self._check_backward(dY, None if X is None else (len(X), self.out_features))
        dZ = np.zeros((len(X), self.pieces, self.out_features))
        np.put_along_axis(dZ, self._winner[:, None, :], dY[:, None, :], axis=1)
        self.dW = np.einsum("npo,ni->poi", dZ, X)
        self.db = dZ.sum(axis=0)
        return np.einsum("npo,poi->ni", dZ, self.W)

    def __repr__(self) -> str:
        return f"Maxout({self.in_features}, {self.out_features}, pieces={self.pieces})"
