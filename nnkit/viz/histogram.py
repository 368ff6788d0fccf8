"""The histogram of a layer's activations (numpy only).

Values outside the range are counted in the first or the last bin, so that a saturated
or exploding layer shows as a spike at the edge rather than vanishing from view. The
range to use for an activation is ``nnkit.layers.ACTIVATIONS[name].range``.
"""
from __future__ import annotations

import numpy as np

__all__ = ["fractions"]


def fractions(values, lo: float, hi: float, bins: int = 30):
    """The fraction of ``values`` in each of ``bins`` equal bins over ``[lo, hi]``.

    Parameters
    ----------
    values : array_like, any shape
        NaN counts in the total but in no bin; infinities go to the edge bins.
    lo, hi : float
    bins : int

    Returns
    -------
    edges : ndarray, shape (bins + 1,)
    fraction : ndarray, shape (bins,)
        Sums to 1 unless ``values`` holds NaN; all zeros when ``values`` is empty.
    """
    edges = np.linspace(lo, hi, bins + 1)
    values = np.clip(np.asarray(values, dtype=np.float64).ravel(), lo, hi)
    total = values.size
    values = values[~np.isnan(values)]
    if not total:
        return edges, np.zeros(bins)
    # Equal bins: the bin of a value is a floor, several times faster than np.histogram.
    index = np.minimum(((values - lo) * (bins / (hi - lo))).astype(np.int64), bins - 1)
    return edges, np.bincount(index, minlength=bins) / total
