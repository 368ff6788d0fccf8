"""Figures for "why depth" in lecture 02: the sawtooth layer by layer, deep against shallow.

Each public function returns a ``Figure``; ``draw_two_networks`` draws into given axes and
returns the artists that ``depth_widgets`` updates in place.
"""
from __future__ import annotations

import numpy as np

from ...plots.style import COLORS, finish, new_figure
from . import depth

__all__ = ["tent_stages", "two_networks", "draw_two_networks", "width_budget", "units_needed"]

GRID = np.linspace(0.0, 1.0, 4097)


def tent_stages(k: int = 4):
    r"""One panel per hidden layer of ``tent_net(k)``: what the network has computed so far."""
    stages = depth.tent_stages(depth.tent_net(k), GRID)
    fig, axes = new_figure(ncols=k, width=2.6, height=2.6, sharey=True)
    for j, (ax, stage) in enumerate(zip(np.atleast_1d(axes), stages), start=1):
        ax.plot(GRID, depth.sawtooth(GRID, j), color=COLORS[7], lw=3.5, alpha=0.35,
                label=f"$T^{{{j}}}(x)$")
        ax.plot(GRID, stage, color=COLORS[0], lw=1.3, label=f"layer {j}")
        finish(ax, f"after layer {j}: {2 ** j} pieces", "input $x$",
               f"$T^{{{j}}}$ from $2h_1 - 4h_2$")
        ax.legend(frameon=False, fontsize="x-small", loc="lower center")
    return fig


def draw_two_networks(ax, k: int, m: int):
    """The sawtooth, the deep net's output and the shallow least-squares net with ``m`` units."""
    target = depth.sawtooth(GRID, k)
    deep = depth.tent_net(k).forward(GRID[:, None])[:, 0]
    shallow, rms = depth.shallow_fit(target, depth.corners(k, m), GRID)
    art = dict(
        target=ax.plot(GRID, target, color=COLORS[7], lw=3.5, alpha=0.35, label="target $T^k(x)$")[0],
        deep=ax.plot(GRID, deep, color=COLORS[0], lw=1.4, ls="--", label="deep: depth k, width 2")[0],
        shallow=ax.plot(GRID, shallow.forward(GRID[:, None])[:, 0], color=COLORS[5], lw=1.4,
                        label="shallow: one layer, m units")[0],
        text=ax.text(0.01, 0.02, "", transform=ax.transAxes, va="bottom", fontsize="small",
                     bbox=dict(facecolor="white", alpha=0.85, edgecolor="none")),
    )
    ax.set_ylim(-0.45, 1.1)
    finish(ax, "Deep and narrow against shallow and wide", "input $x$", "output $\\hat y$")
    ax.legend(frameon=False, fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=3)
    return art


def two_networks(k: int = 4, m: int = 8):
    """The two networks' outputs for the sawtooth with ``2**k`` pieces."""
    fig, ax = new_figure(width=7.5, height=3.4)
    draw_two_networks(ax, k, m)
    return fig


def width_budget(k: int, widths, shallow_rms, deep_rms: float):
    """RMS error against the number of hidden units: the shallow fits, the bound, the deep net."""
    widths = np.asarray(widths)
    fig, ax = new_figure(width=6.5, height=3.6)
    ax.plot(widths, shallow_rms, "o-", color=COLORS[5], ms=3.5, lw=1.2,
            label="shallow, units on the first m corners (least squares)")
    ax.plot(widths, depth.shallow_bound(k, widths), color=COLORS[7], lw=1.5, ls=":",
            label="lower bound for every shallow net of width m")
    ax.plot([2 * k], [deep_rms], "*", color=COLORS[0], ms=14,
            label=f"deep: depth {k}, width 2 ({2 * k} units)")
    ax.axvline(2 ** k - 1, color=COLORS[2], lw=1.2, ls="--",
               label=f"$2^k - 1 = {2 ** k - 1}$: fewer units cannot be exact")
    finish(ax, f"The sawtooth $T^{{{k}}}$ ({2 ** k} pieces): error against width",
           "hidden units (width budget)", "RMS error on [0, 1]", legend=True)
    return fig


def units_needed(ks):
    """Hidden units for an exact sawtooth: deep ``2k`` against shallow ``2**k - 1`` or more."""
    ks = np.asarray(ks)
    fig, ax = new_figure(width=5.5, height=3.4)
    ax.semilogy(ks, 2.0 ** ks - 1, "s-", color=COLORS[5], label="shallow: at least $2^k - 1$")
    ax.semilogy(ks, 2 * ks, "o-", color=COLORS[0], label="deep: $2k$ (depth $k$, width 2)")
    finish(ax, "Units for an exact sawtooth with $2^k$ pieces", "compositions $k$",
           "hidden units (log scale)", legend=True)
    return fig
