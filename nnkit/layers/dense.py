r"""The fully connected layer :math:`e = X W^T + b`."""
from __future__ import annotations

from typing import Any, Literal, overload

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_batch, check_features, check_positive, make_rng
from ..init import initialise
from .base import Layer

__all__ = ["Dense"]


class Dense(Layer):
    r"""Affine layer :math:`e = X W^T + b` (the excitation of the lectures).

    Parameters
    ----------
    in_features, out_features : int
        :math:`n_{l-1}` and :math:`n_l`.
    init : str or callable
        Initialiser for ``W`` (see :mod:`nnkit.init`); ``b`` starts at zero.
    rng : None, int or numpy.random.Generator

    Attributes
    ----------
    W : ndarray, shape (out_features, in_features)
        Row k holds the weights feeding unit k (as ``torch.nn.Linear.weight``).
    b : ndarray, shape (out_features,)
    dW, db : ndarray
        Gradients after ``backward``.
    """

    param_names = ("W", "b")
    weight_names = ("W",)

    def __init__(self, in_features: int, out_features: int, init: Any = "he", rng: Any = None):
        check_positive(in_features, "in_features", integer=True)
        check_positive(out_features, "out_features", integer=True)
        self.in_features, self.out_features = in_features, out_features
        self.W = initialise(init, (out_features, in_features), make_rng(rng))
        self.b = np.zeros(out_features)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self._X: Any = None  # the input of the last forward, None before the first

    def forward(self, X: ArrayLike) -> np.ndarray:
        """X (n, in_features) -> e (n, out_features)."""
        return self._forward(as_batch(X, "X", self.in_features))

    def _forward(self, X: np.ndarray) -> np.ndarray:
        # X is a float batch already (see Layer._fast); only its width is left to check.
        if X.shape[1] != self.in_features:
            check_features(X, "X", self.in_features)
        self._X = X
        e = X @ self.W.T
        e += self.b  # in place: e is this call's own array
        return e

    @overload
    def backward(self, dY: np.ndarray) -> np.ndarray: ...
    @overload
    def backward(self, dY: np.ndarray, input_grad: Literal[True]) -> np.ndarray: ...
    @overload
    def backward(self, dY: np.ndarray, input_grad: Literal[False]) -> None: ...

    def backward(self, dY: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        r"""dY (n, out) -> dX (n, in); sets :math:`dW = dY^T X` and :math:`db = \sum_i dY_i`.

        ``input_grad=False`` skips :math:`dX = dY\,W` and returns ``None``: training needs no
        gradient for the data, and for a first layer that product is a third of the work.
        """
        X = self._X
        dY = self._check_backward(dY, None if X is None else (len(X), self.out_features))
        return self._backward(dY, input_grad)

    def _backward(self, dY: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        self.dW = dY.T @ self._X
        self.db = np.add.reduce(dY, axis=0)  # dY.sum(axis=0), without the method's wrapper
        return dY @ self.W if input_grad else None

    def __repr__(self) -> str:
        return f"Dense({self.in_features}, {self.out_features})"
