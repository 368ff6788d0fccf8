r"""Preprocessing: zero-centring, normalising, PCA and whitening.

The functions transform one array. Where a transform learned on training data must
be re-applied to new data, use the fitted classes: ``Whiten().fit(X_train)``, then
``.transform(X_test)``. Covariances are :math:`X^T X / n` of the centred data.
"""
from __future__ import annotations

import numpy as np

from ._validation import as_batch

__all__ = ["center", "normalize", "pca", "whiten", "Center", "Normalize", "PCA", "Whiten"]


class Center:
    r"""Subtract the training mean: :math:`x - \bar x`.

    Attributes (after ``fit``)
    --------------------------
    mean : ndarray, shape (d,)
    """

    def fit(self, X):
        """Learn the statistics of ``X (n, d)``; returns ``self``."""
        X = as_batch(X, "X")
        if len(X) == 0:
            raise ValueError(f"X is empty (shape {X.shape}); expected at least one row to fit")
        self.mean = X.mean(axis=0)
        self._fit_more(X - self.mean)
        return self

    def _fit_more(self, Xc):
        pass

    def transform(self, X):
        """Apply the fitted transform to ``X (m, d)``."""
        if not hasattr(self, "mean"):
            raise RuntimeError(f"{type(self).__name__}.transform before fit: call fit(X_train) first")
        X = as_batch(X, "X", len(self.mean))
        return self._apply(X - self.mean)

    def _apply(self, Xc):
        return Xc

    def fit_transform(self, X):
        return self.fit(X).transform(X)


class Normalize(Center):
    r"""Centre, then divide each feature by its standard deviation.

    Constant features (standard deviation 0) are left at 0 rather than divided by 0.
    """

    def _fit_more(self, Xc):
        std = Xc.std(axis=0)
        self.std = np.where(std > 0, std, 1.0)

    def _apply(self, Xc):
        return Xc / self.std


class PCA(Center):
    r"""Centre, then rotate onto the eigenvectors of the covariance (decorrelates).

    Attributes (after ``fit``)
    --------------------------
    components : ndarray, shape (d, d)
        Column j is the j-th eigenvector, by decreasing variance; each sign is chosen
        so that its largest entry is positive, for repeatable output.
    variances : ndarray, shape (d,)
        Eigenvalues of the covariance, decreasing.
    """

    def _fit_more(self, Xc):
        cov = Xc.T @ Xc / len(Xc)
        variances, U = np.linalg.eigh(cov)
        order = np.argsort(variances)[::-1]
        variances, U = variances[order], U[:, order]
        signs = np.sign(U[np.abs(U).argmax(axis=0), np.arange(U.shape[1])])
        self.variances, self.components = np.maximum(variances, 0.0), U * signs

    def _apply(self, Xc):
        return Xc @ self.components


class Whiten(PCA):
    r"""PCA, then divide each component by :math:`\sqrt{\lambda_j + \epsilon}`: covariance ≈ identity."""

    def __init__(self, eps: float = 1e-5):
        self.eps = eps

    def _apply(self, Xc):
        return Xc @ self.components / np.sqrt(self.variances + self.eps)


def center(X):
    """``X (n, d)`` with each column's mean subtracted."""
    return Center().fit_transform(X)


def normalize(X):
    """``X (n, d)`` centred and scaled to unit variance per column."""
    return Normalize().fit_transform(X)


def pca(X):
    """``X (n, d)`` centred and rotated onto its principal axes (diagonal covariance)."""
    return PCA().fit_transform(X)


def whiten(X, eps: float = 1e-5):
    """``X (n, d)`` decorrelated and scaled to (almost) identity covariance."""
    return Whiten(eps).fit_transform(X)
