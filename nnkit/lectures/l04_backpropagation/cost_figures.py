"""Figures for "why back-propagation is cheap": the cost of one gradient, counted and timed."""
from __future__ import annotations

import numpy as np

from ...plots.style import COLORS, finish, new_figure

__all__ = ["gradient_cost"]


def gradient_cost(P, backprop_passes, difference_passes, timed_backprop=None, timed_differences=None):
    """Cost of one gradient in units of one forward pass, against the number of parameters ``P``.

    Parameters
    ----------
    P : array_like, shape (m,)
    backprop_passes, difference_passes : array_like, shape (m,)
        Counted: (forward + backward) / forward, and loss evaluations of centred differences.
    timed_backprop, timed_differences : array_like, shape (m,), optional
        The same ratios measured in seconds on this machine.
    """
    P = np.asarray(P)
    fig, ax = new_figure(width=6.5, height=3.8)
    ax.loglog(P, difference_passes, "s-", color=COLORS[5], label="finite differences, counted: $2P$")
    ax.loglog(P, backprop_passes, "o-", color=COLORS[0], label="back-propagation, counted (products)")
    if timed_differences is not None:
        ax.loglog(P, timed_differences, "s", color=COLORS[5], mfc="none", ms=9,
                  label="finite differences, timed")
    if timed_backprop is not None:
        ax.loglog(P, timed_backprop, "o", color=COLORS[0], mfc="none", ms=9,
                  label="back-propagation, timed")
    finish(ax, "The cost of one gradient", "parameters $P$",
           "cost / one forward pass", legend=True)
    return fig
