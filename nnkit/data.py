r"""Toy datasets, each returning ``(X, Y)`` with one example per row.

``n`` is the total number of points, split as evenly as possible over the classes
(the first ``n % classes`` classes get one more). Classification sets return integer
labels of shape ``(n,)``, ordered by class; ``fit`` shuffles.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._validation import as_array, check_positive, make_rng

__all__ = ["xor", "semicircle_parabola", "circles", "spirals", "blobs", "one_hot", "split"]


def _split(n: int, classes: int) -> list[int]:
    check_positive(n, "n", integer=True)
    if n < classes:
        raise ValueError(f"n must be at least the number of classes ({classes}); got {n}")
    return [n // classes + (k < n % classes) for k in range(classes)]


def _labels(counts) -> np.ndarray:
    return np.repeat(np.arange(len(counts)), counts)


def xor():
    """The four corners of the unit square and their XOR.

    Returns
    -------
    X : ndarray, shape (4, 2)
    Y : ndarray, shape (4, 1), float 0/1
    """
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array([[0.0], [1.0], [1.0], [0.0]])


def semicircle_parabola(n: int, rng=None):
    r"""Points on the upper unit semicircle and their images on the parabola :math:`y_1 = y_0^2`.

    An angle :math:`\theta \sim U(0, \pi)` (sorted) gives the input
    :math:`x = (\cos\theta, \sin\theta)`, which lies on :math:`x_0^2 + x_1^2 = 1,\ x_1 \ge 0`.
    Its target keeps the horizontal coordinate, :math:`y = (\cos\theta, \cos^2\theta)`,
    the point of the parabola straight below or above it.

    Returns
    -------
    X : ndarray, shape (n, 2)
    Y : ndarray, shape (n, 2)
    """
    check_positive(n, "n", integer=True)
    theta = np.sort(make_rng(rng).uniform(0.0, np.pi, n))
    X = np.column_stack([np.cos(theta), np.sin(theta)])
    return X, np.column_stack([X[:, 0], X[:, 0] ** 2])


def circles(n: int, noise: float = 0.1, rng=None, factor: float = 0.5):
    """Two concentric rings: class 0 of radius 1, class 1 of radius ``factor``.

    Returns
    -------
    X : ndarray, shape (n, 2)
    Y : ndarray, shape (n,), int labels 0 and 1
    """
    check_positive(noise, "noise", allow_zero=True)
    counts = _split(n, 2)
    rng = make_rng(rng)
    parts = []
    for radius, m in zip((1.0, factor), counts):
        angle = rng.uniform(0.0, 2 * np.pi, m)
        parts.append(radius * np.column_stack([np.cos(angle), np.sin(angle)]))
    X = np.vstack(parts) + noise * rng.standard_normal((n, 2))
    return X, _labels(counts)


def spirals(n: int, classes: int = 3, noise: float = 0.2, rng=None):
    r"""CS231n's interleaved spirals.

    Class k has radius ``linspace(0, 1)`` and angle ``linspace(4k, 4(k+1))`` plus
    ``noise`` times a standard normal (in radians); the point is
    :math:`r(\sin t, \cos t)`.

    Returns
    -------
    X : ndarray, shape (n, 2)
    Y : ndarray, shape (n,), int labels 0..classes-1
    """
    check_positive(classes, "classes", integer=True)
    check_positive(noise, "noise", allow_zero=True)
    counts = _split(n, classes)
    rng = make_rng(rng)
    parts = []
    for k, m in enumerate(counts):
        r = np.linspace(0.0, 1.0, m)
        t = np.linspace(4.0 * k, 4.0 * (k + 1), m) + noise * rng.standard_normal(m)
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
    return np.vstack(parts), _labels(counts)


def blobs(n: int, centers=3, std: float = 0.5, rng=None):
    """Gaussian blobs, one class per centre.

    Parameters
    ----------
    centers : int or array_like, shape (k, d)
        An int k places k centres evenly on a circle of radius 2 in the plane.
    std : float
        Standard deviation of every blob.

    Returns
    -------
    X : ndarray, shape (n, d)
    Y : ndarray, shape (n,), int labels 0..k-1
    """
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        check_positive(int(centers), "centers", integer=True)
        angle = 2 * np.pi * np.arange(centers) / centers
        centers = 2.0 * np.column_stack([np.cos(angle), np.sin(angle)])
    centers = as_array(centers, "centers")
    if centers.ndim != 2:
        raise ValueError(f"centers must be an int or an array of shape (k, d); got shape {centers.shape}")
    check_positive(std, "std", allow_zero=True)
    counts = _split(n, len(centers))
    Y = _labels(counts)
    return centers[Y] + std * make_rng(rng).standard_normal((n, centers.shape[1])), Y


def one_hot(labels, classes: int | None = None) -> np.ndarray:
    """Integer labels ``(n,)`` -> one-hot rows ``(n, classes)``."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be integers of shape (n,); got {labels.dtype} {labels.shape}")
    classes = int(labels.max()) + 1 if classes is None else classes
    return np.eye(classes)[labels]


def split(X, Y, fractions: Sequence[float] = (0.6, 0.2, 0.2), rng=None):
    """Split ``(X, Y)`` at random into disjoint parts, e.g. training, validation and test sets.

    Integer labels ``Y`` of shape ``(n,)`` are stratified: each class is split in the given
    fractions on its own (rounded, at least one example per part), so every class is in
    every part in about its overall proportion, and each part's size is within a few
    examples (at most one per class) of ``fractions · n``. Any other ``Y`` (float targets
    of a regression, one-hot rows) is split as one group. Rows keep their original order
    within a part; together the parts hold every row exactly once.

    Parameters
    ----------
    X : array_like, shape (n, ...)
    Y : array_like, shape (n,) or (n, outputs)
    fractions : sequence of float
        Two or more positive fractions summing to 1; the default gives 60 % training,
        20 % validation, 20 % test.
    rng : None, int or numpy.random.Generator
        The same seed gives the same split.

    Returns
    -------
    tuple of (X_part, Y_part)
        One pair per fraction: ``((Xtr, Ytr), (Xva, Yva), (Xte, Yte))`` for the default.
    """
    X, Y = np.asarray(X), np.asarray(Y)
    if X.ndim == 0 or Y.ndim == 0 or len(X) != len(Y):
        raise ValueError(
            f"X and Y must hold the same number of examples, one per row; got X of shape "
            f"{X.shape} and Y of shape {Y.shape}"
        )
    f = _check_fractions(fractions)
    rng = make_rng(rng)
    parts: list[list[np.ndarray]] = [[] for _ in f]
    for label, rows in _groups(Y):
        rows = rng.permutation(rows)
        sizes = _part_sizes(len(rows), f, label)
        for part, chunk in zip(parts, np.split(rows, np.cumsum(sizes)[:-1])):
            part.append(chunk)
    picked = [np.sort(np.concatenate(chunks)) for chunks in parts]
    return tuple((X[rows], Y[rows]) for rows in picked)


def _check_fractions(fractions) -> np.ndarray:
    try:
        f = np.asarray(fractions, dtype=np.float64)
    except (TypeError, ValueError):
        f = np.array([np.nan])
    if f.ndim != 1 or len(f) < 2 or not np.all(np.isfinite(f)) or np.any(f <= 0):
        raise ValueError(
            f"fractions must be two or more positive numbers, e.g. (0.6, 0.2, 0.2); got {fractions!r}"
        )
    if abs(f.sum() - 1.0) > 1e-9:
        raise ValueError(f"fractions must sum to 1; got {fractions!r}, which sums to {f.sum():.6g}")
    return f


def _groups(Y: np.ndarray):
    """(label, row indices) per class for integer labels (n,); one group of all rows otherwise."""
    if Y.ndim == 1 and Y.dtype.kind in "biu":
        return [(f"class {c!r}", np.flatnonzero(Y == c)) for c in np.unique(Y).tolist()]
    return [("the data", np.arange(len(Y)))]


def _part_sizes(m: int, fractions: np.ndarray, label: str) -> np.ndarray:
    """Split ``m`` rows in ``fractions`` by largest remainders, at least one row per part."""
    k = len(fractions)
    if m < k:
        raise ValueError(
            f"{label} has {m} example(s), too few for {k} parts: every part needs at least "
            f"one of each class. Use fewer parts or more data."
        )
    exact = m * fractions
    sizes = np.floor(exact).astype(int)
    extra = np.argsort(sizes - exact, kind="stable")[: m - sizes.sum()]
    sizes[extra] += 1
    for empty in np.flatnonzero(sizes == 0):
        sizes[np.argmax(sizes)] -= 1
        sizes[empty] = 1
    return sizes
