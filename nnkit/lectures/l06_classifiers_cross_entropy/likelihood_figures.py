"""Figure for "why cross-entropy": a binary cross-entropy curve split into entropy and KL divergence."""
from __future__ import annotations

import numpy as np

from ...plots.style import COLORS, finish, new_figure
from . import likelihood

__all__ = ["entropy_plus_kl"]


def entropy_plus_kl(a, curves: dict, targets=(0.25, 0.8)):
    r"""For each soft target :math:`y`, the cost :math:`C(a)`, its floor :math:`H(y)` and the gap :math:`\mathrm{KL}`.

    Parameters
    ----------
    a : ndarray, shape (m,)
        Outputs in (0, 1).
    curves : dict of float -> ndarray, shape (m,)
        The binary cross-entropy at ``a`` for each target, as section 3 computed it.
    """
    missing = [y for y in targets if y not in curves]
    if missing:
        raise ValueError(f"curves has no cost for the targets {missing}; it has {sorted(curves)}")
    fig, axes = new_figure(ncols=len(targets), width=4.2, height=3.4, sharey=True)
    for ax, y, color in zip(np.atleast_1d(axes), targets, COLORS):
        H = float(likelihood.entropy(likelihood.bernoulli(y)))
        ax.plot(a, curves[y], color=color, lw=1.8, label=f"cross-entropy $C(a)$, $y = {y:g}$")
        ax.axhline(H, color=COLORS[7], ls="--", lw=1.2, label=f"entropy $H(y) = {H:.3f}$")
        ax.fill_between(a, H, curves[y], color=color, alpha=0.2, label="KL$((y, 1-y)\\,\\|\\,(a, 1-a))$")
        ax.axvline(y, color=COLORS[7], lw=0.8, ls=":")
        ax.set_ylim(0, 3)
        finish(ax, f"Target $y = {y:g}$: $C = H(y) + $ KL", "output $a$", "cost (nats)", legend=True)
    return fig
