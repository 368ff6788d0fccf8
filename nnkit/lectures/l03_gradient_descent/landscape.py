r"""A non-convex landscape for lecture 03: two minima of different depth and a saddle between them.

.. math:: f(x, y) = \tfrac14 x^4 - \tfrac13 x^3 - x^2 + y^2,
   \qquad \nabla f = \langle x^3 - x^2 - 2x,\; 2y \rangle .

The :math:`x` part has the derivative :math:`x(x + 1)(x - 2)`, so the gradient vanishes at
:math:`(-1, 0)` (a shallow minimum, :math:`f = -5/12`), at :math:`(0, 0)` (a saddle, :math:`f = 0`)
and at :math:`(2, 0)` (the deeper minimum, :math:`f = -8/3`). The two coordinates do not
interact, so the line :math:`x = 0` (the saddle's ridge) separates the two basins exactly.

Pure numpy (no drawing); descent itself is :func:`compute.descend` and
:func:`compute.optimizer_path`.
"""
from __future__ import annotations

import numpy as np

from nnkit._validation import check_positive

from . import compute as descent

__all__ = ["two_wells", "two_wells_gradient", "two_wells_hessian", "critical_points",
           "descend_many", "nearest_critical"]

# Coefficients of the x part's derivative x^3 - x^2 - 2x, highest power first.
_SLOPE_X = (1.0, -1.0, -2.0, 0.0)


def _as_points(P, name="P"):
    P = np.asarray(P, dtype=np.float64)
    if P.shape[-1:] != (2,):
        raise ValueError(f"{name} must hold points (x, y) in its last axis, shape (..., 2); got shape {P.shape}")
    return P


def two_wells(P):
    r""":math:`f(x, y) = \tfrac14 x^4 - \tfrac13 x^3 - x^2 + y^2` at every point.

    P : ndarray, shape (..., 2)  ->  ndarray, shape (...)
    """
    P = _as_points(P)
    x, y = P[..., 0], P[..., 1]
    return x**4 / 4 - x**3 / 3 - x**2 + y**2


def two_wells_gradient(P):
    r""":math:`\nabla f = \langle x^3 - x^2 - 2x,\; 2y\rangle`, derived by hand.

    P : ndarray, shape (..., 2)  ->  ndarray, shape (..., 2)
    """
    P = _as_points(P)
    x, y = P[..., 0], P[..., 1]
    return np.stack([np.polyval(_SLOPE_X, x), 2 * y], axis=-1)


def two_wells_hessian(P):
    r"""The Hessian :math:`\operatorname{diag}(3x^2 - 2x - 2,\; 2)` by hand (the coordinates do not interact).

    P : ndarray, shape (2,)  ->  ndarray, shape (2, 2)
    """
    x, _ = _as_points(P).reshape(2)
    return np.diag([np.polyval(np.polyder(_SLOPE_X), x), 2.0])


def critical_points():
    r"""Where the gradient vanishes: :math:`y = 0` and the real roots of :math:`x^3 - x^2 - 2x`.

    Returns
    -------
    ndarray, shape (3, 2)
        Sorted by :math:`x`: the shallow minimum, the saddle, the deep minimum.
    """
    roots = np.sort(np.roots(_SLOPE_X).real)
    return np.column_stack([roots, np.zeros_like(roots)])


def descend_many(starts, lr: float, steps: int, grad=two_wells_gradient):
    r"""Plain gradient descent from many starts at once (:func:`compute.descend` on all of them).

    Parameters
    ----------
    starts : ndarray, shape (m, 2)
    lr : float
    steps : int
    grad : callable, (..., 2) -> (..., 2)
        A gradient that acts on each point separately, e.g. :func:`two_wells_gradient`.

    Returns
    -------
    paths : ndarray, shape (steps + 1, m, 2)
        ``paths[t, i]`` is start ``i`` after ``t`` updates.
    """
    starts = _as_points(starts, "starts")
    if starts.ndim != 2:
        raise ValueError(f"starts must have shape (m, 2); got shape {starts.shape}")
    check_positive(lr, "lr")
    m = len(starts)
    # Stacked into one vector, each point's update reads only its own two entries.
    flat = descent.descend(None, starts.ravel(), lr, steps,
                           grad=lambda v: grad(v.reshape(m, 2)).ravel())
    return flat.reshape(steps + 1, m, 2)


def nearest_critical(points, critical=None, tol: float = 1e-6):
    """Index of the critical point each point has arrived at, or -1 when it is farther than ``tol``.

    Parameters
    ----------
    points : ndarray, shape (m, 2)
    critical : ndarray, shape (k, 2), optional
        Default :func:`critical_points`.

    Returns
    -------
    ndarray of int, shape (m,)
    """
    points = _as_points(points, "points").reshape(-1, 2)
    critical = critical_points() if critical is None else _as_points(critical, "critical")
    dist = np.linalg.norm(points[:, None, :] - critical[None, :, :], axis=-1)
    index = np.argmin(dist, axis=1)
    return np.where(dist[np.arange(len(points)), index] <= tol, index, -1)
