r"""Why cross-entropy: it is a negative log-likelihood, and it is entropy plus a KL divergence.

A classifier's output is read as a probability model of the label. For a sigmoid output
:math:`a`, :math:`p(y \mid x) = a^y (1 - a)^{1 - y}` (Bernoulli); for a softmax output
:math:`a`, :math:`p(y \mid x) = \prod_k a_k^{y_k} = a_y` (categorical, one-hot :math:`y`). The
functions below compute these likelihoods *as products of powers*, the way the model is
defined, so that they can be compared with nnkit's losses, which never form them. For two
distributions :math:`p, q` over :math:`K` outcomes, in nats (natural logarithms):

.. math:: H(p) = -\sum_k p_k \ln p_k, \quad H(p, q) = -\sum_k p_k \ln q_k, \quad
          \mathrm{KL}(p \,\|\, q) = \sum_k p_k \ln\frac{p_k}{q_k}, \quad H(p, q) = H(p) + \mathrm{KL}(p \,\|\, q),

with :math:`0 \ln 0 = 0`. Numpy only.
"""
from __future__ import annotations

import numpy as np

from nnkit._validation import as_array, check_same_shape

__all__ = [
    "bernoulli_likelihood", "bernoulli_nll", "categorical_likelihood", "categorical_nll",
    "bernoulli", "entropy", "cross_entropy", "kl_divergence",
]


def _probabilities(a, name: str, open_interval: bool = False) -> np.ndarray:
    a = as_array(a, name)
    bad = (a <= 0) | (a >= 1) if open_interval else (a < 0) | (a > 1)
    if bad.any() or not np.isfinite(a).all():
        where = "strictly between 0 and 1" if open_interval else "in [0, 1]"
        raise ValueError(f"{name} must hold probabilities {where}; got values from "
                         f"{np.nanmin(a):.4g} to {np.nanmax(a):.4g}")
    return a


def bernoulli_likelihood(A, Y) -> np.ndarray:
    r""":math:`p(y_i \mid x_i) = \prod_j a_{ij}^{y_{ij}} (1 - a_{ij})^{1 - y_{ij}}` for each example.

    Parameters
    ----------
    A : ndarray, shape (n, d)
        Sigmoid outputs, the model's probability that each label is 1.
    Y : ndarray, shape (n, d)
        Labels, 0 or 1.

    Returns
    -------
    ndarray, shape (n,)
    """
    A = _probabilities(A, "A", open_interval=True)
    Y = as_array(Y, "Y")
    check_same_shape(A, Y, "A", "Y")
    if not np.isin(Y, (0.0, 1.0)).all():
        raise ValueError("Y must hold labels 0 or 1 for a Bernoulli likelihood; for soft targets "
                         "use cross_entropy(bernoulli(Y), bernoulli(A))")
    return np.prod(A ** Y * (1 - A) ** (1 - Y), axis=-1)


def bernoulli_nll(A, Y) -> float:
    r"""Negative log-likelihood per example, :math:`-\frac1n \ln \prod_i p(y_i \mid x_i)`."""
    return float(-np.mean(np.log(bernoulli_likelihood(A, Y))))


def categorical_likelihood(A, labels) -> np.ndarray:
    r""":math:`p(y_i \mid x_i) = \prod_k a_{ik}^{y_{ik}}` with one-hot :math:`y_i`: the probability of the true class.

    Parameters
    ----------
    A : ndarray, shape (n, K)
        Softmax outputs, each row a distribution over the K classes.
    labels : ndarray of int, shape (n,)

    Returns
    -------
    ndarray, shape (n,)
    """
    A = _probabilities(A, "A", open_interval=True)
    labels = np.asarray(labels)
    if labels.shape != (len(A),) or labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be integers of shape ({len(A)},); got {labels.dtype} of shape {labels.shape}")
    if len(A) and (labels.min() < 0 or labels.max() >= A.shape[1]):
        raise ValueError(f"labels must lie in 0..{A.shape[1] - 1}; got {labels.min()} to {labels.max()}")
    onehot = (labels[:, None] == np.arange(A.shape[1])).astype(float)
    return np.prod(A ** onehot, axis=1)


def categorical_nll(A, labels) -> float:
    r"""Negative log-likelihood per example, :math:`-\frac1n \sum_i \ln a_{i, y_i}`."""
    return float(-np.mean(np.log(categorical_likelihood(A, labels))))


def bernoulli(a) -> np.ndarray:
    """The two-outcome distribution ``(a, 1 - a)`` of each entry, along a new last axis."""
    a = _probabilities(a, "a")
    return np.stack([a, 1.0 - a], axis=-1)


def _distributions(p, q):
    p, q = _probabilities(p, "p"), _probabilities(q, "q")
    check_same_shape(p, q, "p", "q")
    for name, d in (("p", p), ("q", q)):
        if not np.allclose(d.sum(axis=-1), 1.0, rtol=0, atol=1e-9):
            raise ValueError(f"{name} must sum to 1 along its last axis; got sums "
                             f"{np.round(d.sum(axis=-1), 6).ravel()[:5]}")
    return p, q


def _p_ln(p, x):
    """:math:`p \\ln x`, taken as 0 where p = 0 (the limit), without evaluating ln 0."""
    return np.where(p > 0, p * np.log(np.where(p > 0, x, 1.0)), 0.0)


def entropy(p) -> np.ndarray:
    r""":math:`H(p) = -\sum_k p_k \ln p_k` along the last axis."""
    p = _probabilities(p, "p")
    return 0.0 - np.sum(_p_ln(p, p), axis=-1)          # 0.0 - : no "-0.0" for a certain outcome


def cross_entropy(p, q) -> np.ndarray:
    r""":math:`H(p, q) = -\sum_k p_k \ln q_k` along the last axis (infinite where q is 0 and p is not)."""
    p, q = _distributions(p, q)
    with np.errstate(divide="ignore"):
        return -np.sum(_p_ln(p, q), axis=-1)


def kl_divergence(p, q) -> np.ndarray:
    r""":math:`\mathrm{KL}(p \,\|\, q) = \sum_k p_k \ln(p_k / q_k)` along the last axis, each term computed as one logarithm."""
    p, q = _distributions(p, q)
    with np.errstate(divide="ignore"):
        ratio = np.divide(p, q, out=np.full_like(p, np.inf), where=q > 0)
    return np.sum(_p_ln(p, ratio), axis=-1)
