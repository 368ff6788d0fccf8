"""The grid on the plane that a network's surface is evaluated on (numpy only)."""
from __future__ import annotations

import numpy as np

__all__ = ["plane"]


def plane(lo, hi, resolution: int = 100):
    """An even ``resolution x resolution`` grid on the rectangle from ``lo`` to ``hi``.

    Parameters
    ----------
    lo, hi : float or (float, float)
        The corners: one number for a square ``[lo, hi]^2``, or one bound per axis
        ``(x1, x2)``.
    resolution : int
        Points per side.

    Returns
    -------
    points : ndarray, shape (resolution**2, 2)
        Row-major: ``points.reshape(resolution, resolution, 2)[row, col]`` is
        ``(x1[col], x2[row])``, so ``net.forward(points)[:, 0].reshape(resolution,
        resolution)`` is an image whose rows follow :math:`x_2`.
    extent : tuple (x1_lo, x1_hi, x2_lo, x2_hi)
        As ``imshow(..., origin="lower", extent=extent)`` wants it.
    """
    lo, hi = np.broadcast_to(lo, (2,)), np.broadcast_to(hi, (2,))
    x1 = np.linspace(lo[0], hi[0], resolution)
    x2 = np.linspace(lo[1], hi[1], resolution)
    xx, yy = np.meshgrid(x1, x2)
    return np.column_stack([xx.ravel(), yy.ravel()]), (x1[0], x1[-1], x2[0], x2[-1])
