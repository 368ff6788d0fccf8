"""Figures for lecture 02, universal approximation: soft steps, staircases, error rates,
the excitation / tanh / recombination example, the semicircle -> parabola network, and why
depth (the sawtooth layer by layer, deep against shallow).

Each public function returns a ``Figure``. The ``_draw_*`` helpers draw into given axes and
return the artists that ``nnkit.lectures.l02_universal_approximation.widgets`` updates in place.
"""
from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection

from nnkit import functional as F
from nnkit.lectures.l01_forward_pass.figures import _boundary
from nnkit.viz.grid import plane
from nnkit.viz.style import COLORS, CONTINUOUS, finish, new_figure

from . import depth
from .compute import _target, band_target, correction_terms, loglog_slope, staircase_net

DIVERGING = "PuOr_r"   # ColorBrewer's purple-orange: centred at 0, readable with colour-vision deficiencies

__all__ = [
    "soft_steps", "staircase", "error_rates", "ridge_stage", "ridge_live",
    "semicircle_progress", "correction_vectors", "hidden_along_arc", "tower",
    "tent_stages", "two_networks", "draw_two_networks", "width_budget", "units_needed",
]


def soft_steps(steepnesses=(1.0, 3.0, 10.0), lim: float = 3.0):
    r"""Left: the unit step and :math:`\sigma(s e)`; right: the signum and :math:`\tanh(s e)`."""
    e = np.linspace(-lim, lim, 601)
    fig, (left, right) = new_figure(ncols=2, width=4.4, height=3.4)
    left.plot(e, F.step(e), color=COLORS[7], lw=2.5, label="step $u(e)$")
    right.plot(e, F.sign(e), color=COLORS[7], lw=2.5, label="sign$(e)$")
    for k, s in enumerate(steepnesses):
        left.plot(e, F.sigmoid(s * e), color=COLORS[k], label=f"$\\sigma({s:g}\\,e)$")
        right.plot(e, F.tanh(s * e), color=COLORS[k], label=f"$\\tanh({s:g}\\,e)$")
    finish(left, "Logistic sigmoid: a soft unit step", "excitation $e$", "activation $h$")
    finish(right, "tanh: a soft signum", "excitation $e$", "activation $h$")
    return fig


def _staircase_curves(f, N, steepness, x):
    net = staircase_net(f, N, steepness)
    b, terms, _ = correction_terms(net, x[:, None])
    return net.forward(x[:, None])[:, 0], b[0], terms[:, :, 0]


def _draw_staircase(axes, f, N, steepness, points=600):
    top, bottom = axes
    f = _target(f)
    x = np.linspace(0.0, 1.0, points)
    yhat, b, terms = _staircase_curves(f, N, steepness, x)
    (target,) = top.plot(x, f(x), color=COLORS[7], lw=2, label="target $f(x)$")
    (approx,) = top.plot(x, yhat, color=COLORS[0], lw=1.8, label="network, N soft steps")
    finish(top, "Target and approximation", "input $x$", "output $\\hat y$")
    text = top.title          # the errors go in the title, where they hide no curve
    steps = LineCollection([np.column_stack([x, t]) for t in terms.T], colors=COLORS[2],
                           linewidths=1.0, label="$w^{(2)}_j h_j(x)$")
    bottom.add_collection(steps)
    bias = bottom.axhline(b, color=COLORS[5], ls="--", lw=1.2, label="bias $b^{(2)} = f(0)$")
    bottom.set_xlim(0, 1)
    bottom.set_ylim(-1.3, 1.3)
    finish(bottom, "One correction per unit", "input $x$", "correction")
    bottom.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=2)
    return dict(target=target, approx=approx, text=text, steps=steps, bias=bias, x=x)


def staircase(f, N: int, steepness: float = 10.0):
    """Target vs the N-step network of :func:`nnkit.lectures.l02_universal_approximation.compute.staircase_net`, and its pieces."""
    fig, axes = new_figure(nrows=2, width=6.0, height=2.8)
    art = _draw_staircase(axes, f, N, steepness)
    yhat, x = art["approx"].get_ydata(), art["x"]
    gap = np.abs(yhat - _target(f)(x)).max()
    art["approx"].set_label(f"network, N = {N}, steepness {steepness:g}")
    art["text"].set_text(f"Target and approximation: max error {gap:.3g}")
    axes[0].legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=2)
    return fig


def error_rates(Ns, errors: dict):
    """Errors against N on log-log axes, each with its least-squares line and fitted slope.

    ``errors`` maps a label to an array of errors, one per entry of ``Ns``.
    """
    Ns = np.asarray(Ns, dtype=float)
    fig, ax = new_figure(width=5.6, height=4.0)
    for k, (name, err) in enumerate(errors.items()):
        slope, scale = loglog_slope(Ns, err)
        ax.loglog(Ns, err, "os^vD"[k % 5], color=COLORS[k], label=f"{name}")
        ax.loglog(Ns, scale * Ns ** slope, "-", color=COLORS[k], lw=1,
                  label=f"fit: slope {slope:.2f}")
    finish(ax, "Approximation error vs number of hidden units", "hidden units N", "error")
    return fig


def _ridge_image(values, resolution):
    return values.reshape(resolution, resolution)


def _band_edges(ax, half_width, lim):
    x1 = np.array([-lim, lim])
    for c in (-half_width, half_width):
        ax.plot(x1, c - x1, ":", color="white", lw=1.2)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)


def _show(ax, values, extent, title, label, vmin=None, vmax=None, cmap=CONTINUOUS):
    image = ax.imshow(values, origin="lower", extent=extent, cmap=cmap, vmin=vmin,
                      vmax=vmax, interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, shrink=0.8, label=label)
    finish(ax, title, "$x_1$", "$x_2$")
    return image


def ridge_stage(stage: str, net, half_width: float = 1.0, lim: float = 3.0, resolution: int = 100):
    r"""One stage of the 2-2-1 tanh example over the square ``[-lim, lim]^2``.

    stage : {"target", "excitation", "activation", "output"}
        the band target; :math:`e^{(1)}_k` (planes); :math:`h_k = \tanh(e^{(1)}_k)` (cliffs);
        :math:`\hat y = b^{(2)} + \sum_k w^{(2)}_k h_k` next to the target.
    """
    stages = ("target", "excitation", "activation", "output")
    if stage not in stages:
        raise ValueError(f"stage must be one of {stages}; got {stage!r}")
    points, extent = plane(-lim, lim, resolution)
    target = _ridge_image(band_target(points, half_width)[:, 0], resolution)
    if stage == "target":
        fig, ax = new_figure(width=4.6, height=3.8)
        _show(ax, target, extent, "Target: +1 on the band $|x_1 + x_2| < 1$", "$y$")
        _band_edges(ax, half_width, lim)
        return fig
    fig, axes = new_figure(ncols=2, width=4.4, height=3.6)
    e = net[0].forward(points)
    if stage in ("excitation", "activation"):
        values = e if stage == "excitation" else net[1].forward(e)
        symbol = "e^{(1)}" if stage == "excitation" else "h"
        # The sign is the point (which side of its line a unit is on): a diverging map centred
        # at 0, one colour scale for both panels, and the zero line drawn.
        top = 1.0 if stage == "activation" else np.abs(values).max()
        for k, ax in enumerate(axes):
            _show(ax, _ridge_image(values[:, k], resolution), extent,
                  f"unit {k + 1}: ${symbol}_{k + 1}$" + (" (linear in $x$)" if stage ==
                                                        "excitation" else " = tanh$(e_{%d})$" % (k + 1)),
                  f"${symbol}_{k + 1}$", vmin=-top, vmax=top, cmap=DIVERGING)
            ax.plot(*_boundary(net[0].W[k], net[0].b[k], -lim, lim), color="black", lw=1.5,
                    label=f"${symbol}_{k + 1} = 0$")
            ax.set_xlim(-lim, lim)
            ax.set_ylim(-lim, lim)
            ax.legend(loc="upper right", framealpha=0.8)
        return fig
    yhat = net.forward(points)[:, 0]
    _show(axes[0], _ridge_image(yhat, resolution), extent,
          "Output $\\hat y = b^{(2)} + w^{(2)}_1 h_1 + w^{(2)}_2 h_2$", "$\\hat y$", -1.5, 1.5)
    _band_edges(axes[0], half_width, lim)
    _draw_section(axes[1], net, half_width, lim)
    return fig


def _section(net, half_width, lim, points=300):
    """Values along the diagonal :math:`x_1 = x_2 = u/2`, where everything varies."""
    u = np.linspace(-2 * lim, 2 * lim, points)
    X = np.column_stack([u / 2, u / 2])
    h = net[1].forward(net[0].forward(X))
    return u, h, net.forward(X)[:, 0], band_target(X, half_width)[:, 0]


def _draw_section(ax, net, half_width, lim):
    u, h, yhat, target = _section(net, half_width, lim)
    lines = dict(
        target=ax.plot(u, target, color=COLORS[7], lw=2.5, label="target $y$")[0],
        h1=ax.plot(u, h[:, 0], "--", color=COLORS[2], label="$h_1$")[0],
        h2=ax.plot(u, h[:, 1], "--", color=COLORS[5], label="$h_2$")[0],
        yhat=ax.plot(u, yhat, color=COLORS[0], lw=2, label="$\\hat y$")[0],
    )
    ax.set_ylim(-2.2, 2.2)
    finish(ax, "Along the diagonal $x_1 = x_2$", "$x_1 + x_2$", "value")
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=4)
    return lines


def _draw_ridge_live(axes, net, half_width=1.0, lim=3.0, resolution=80):
    points, extent = plane(-lim, lim, resolution)
    left, right = axes
    image = left.imshow(_ridge_image(net.forward(points)[:, 0], resolution), origin="lower",
                        extent=extent, cmap=CONTINUOUS, vmin=-1.5, vmax=1.5,
                        interpolation="nearest")
    left.figure.colorbar(image, ax=left, shrink=0.8, label="$\\hat y$")
    _band_edges(left, half_width, lim)
    text = left.text(0.02, 0.02, "", transform=left.transAxes, fontsize="small",
                     bbox=dict(facecolor="white", alpha=0.8, edgecolor="none"))
    finish(left, "Output (dotted: target band)", "$x_1$", "$x_2$")
    lines = _draw_section(right, net, half_width, lim)
    return dict(image=image, text=text, lines=lines, points=points, resolution=resolution,
                half_width=half_width, lim=lim)


def ridge_live(net, half_width: float = 1.0):
    """The output over the plane and a cut along the diagonal (the figure the widget redraws)."""
    fig, axes = new_figure(ncols=2, width=4.4, height=3.6)
    _draw_ridge_live(axes, net, half_width)
    return fig


def semicircle_progress(X, Y, outputs: dict):
    """Inputs on the semicircle, targets on the parabola, and the network's outputs per epoch.

    ``outputs`` maps an epoch to ``Yhat (n, 2)``.
    """
    # "compressed": constrained layout for an axes of fixed aspect (plain constrained layout
    # placed the title above the canvas once the equal aspect had shrunk the axes).
    fig, ax = new_figure(width=6.0, height=4.2, layout="compressed")
    ax.plot(X[:, 0], X[:, 1], color=COLORS[7], lw=1.5, label="inputs $x$ (semicircle)")
    ax.plot(Y[:, 0], Y[:, 1], color=COLORS[7], lw=3, alpha=0.35, label="targets $y$ (parabola)")
    for k, (epoch, Yhat) in enumerate(sorted(outputs.items())):
        ax.scatter(Yhat[::4, 0], Yhat[::4, 1], s=14, color=COLORS[k % 7],
                   marker="os^vD"[k % 5], label=f"outputs after {epoch} epochs")
    ax.set_aspect("equal")
    finish(ax, "Semicircle $\\to$ parabola: outputs approach the targets",
           "first coordinate", "second coordinate")
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=2)
    return fig


def correction_vectors(net, x, X, Y):
    r"""For one input ``x (2,)``: :math:`\hat y = b^{(2)} + \sum_j h_j w^{(2)}_j` as a chain of arrows.

    ``X, Y`` draw the semicircle and the parabola for reference.
    """
    b, terms, h = correction_terms(net, np.asarray(x, dtype=float)[None, :])
    fig, ax = new_figure(width=6.0, height=4.4)
    ax.plot(X[:, 0], X[:, 1], color=COLORS[7], lw=1, alpha=0.5, label="semicircle")
    ax.plot(Y[:, 0], Y[:, 1], color=COLORS[7], lw=3, alpha=0.3, label="parabola")
    ax.scatter(*x, s=60, color=COLORS[7], marker="x", label="input $x$", zorder=3)
    start = b.copy()
    ax.scatter(*start, s=40, color=COLORS[5], label="bias $b^{(2)}$", zorder=3)
    for j, step in enumerate(terms[0]):
        ax.annotate("", start + step, start,
                    arrowprops=dict(arrowstyle="->", color=COLORS[j % 7], lw=1.8))
        ax.plot([], [], color=COLORS[j % 7], label=f"$h_{j + 1} w^{{(2)}}_{j + 1}$, $h_{j + 1}$ = {h[0, j]:.2f}")
        start = start + step
    ax.scatter(*start, s=70, color=COLORS[0], marker="*", label="output $\\hat y$", zorder=4)
    ax.set_aspect("equal", adjustable="datalim")
    finish(ax, "Output = bias + correction vectors scaled by $h_j$",
           "first coordinate", "second coordinate")
    ax.legend(frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig


def hidden_along_arc(net, X):
    r"""Each hidden activation :math:`h_j` against the angle :math:`\theta` of the input on the arc."""
    theta = np.arctan2(X[:, 1], X[:, 0])
    h = net[1].forward(net[0].forward(X))
    fig, ax = new_figure(width=5.6, height=3.6)
    for j in range(h.shape[1]):
        ax.plot(theta, h[:, j], color=COLORS[j % 7], label=f"$h_{j + 1}$")
    finish(ax, "First layer: soft decisions along the arc", "angle $\\theta$ of the input (rad)",
           "activation $h_j$")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def tower(net, lim=(0.0, 1.0), resolution: int = 150):
    r"""Left: the two bumps added, a cross (before the output sigmoid); right: the tower it thresholds.

    ``net`` is :func:`nnkit.lectures.l02_universal_approximation.compute.tower_net`'s network.
    """
    points, extent = plane(*lim, resolution)
    fig, (left, right) = new_figure(ncols=2, width=4.4, height=3.6)
    h = net[1].forward(net[0].forward(points))
    cross = (h[:, 0] - h[:, 1]) + (h[:, 2] - h[:, 3])
    _show(left, _ridge_image(cross, resolution), extent, "Two bumps added: a cross",
          "bump$_1$ + bump$_2$", vmin=0, vmax=2)
    _show(right, _ridge_image(net.forward(points)[:, 0], resolution), extent,
          "Output sigmoid keeps the square: a tower", "$\\hat y$", vmin=0, vmax=1)
    return fig


# ---------------------------------------------------------------- why depth (section 7)

DEPTH_GRID = np.linspace(0.0, 1.0, 4097)


def tent_stages(k: int = 4):
    r"""One panel per hidden layer of ``tent_net(k)``: what the network has computed so far."""
    stages = depth.tent_stages(depth.tent_net(k), DEPTH_GRID)
    fig, axes = new_figure(ncols=k, width=2.6, height=2.6, sharey=True)
    for j, (ax, stage) in enumerate(zip(np.atleast_1d(axes), stages), start=1):
        ax.plot(DEPTH_GRID, depth.sawtooth(DEPTH_GRID, j), color=COLORS[7], lw=3.5, alpha=0.35,
                label=f"$T^{{{j}}}(x)$")
        ax.plot(DEPTH_GRID, stage, color=COLORS[0], lw=1.3, label=f"layer {j}")
        finish(ax, f"after layer {j}: {2 ** j} pieces", "input $x$",
               f"$T^{{{j}}}$ from $2h_1 - 4h_2$")
        ax.legend(frameon=False, fontsize="x-small", loc="lower center")
    return fig


def draw_two_networks(ax, k: int, m: int):
    """The sawtooth, the deep net's output and the shallow least-squares net with ``m`` units."""
    target = depth.sawtooth(DEPTH_GRID, k)
    deep = depth.tent_net(k).forward(DEPTH_GRID[:, None])[:, 0]
    shallow, rms = depth.shallow_fit(target, depth.corners(k, m), DEPTH_GRID)
    art = dict(
        target=ax.plot(DEPTH_GRID, target, color=COLORS[7], lw=3.5, alpha=0.35, label="target $T^k(x)$")[0],
        deep=ax.plot(DEPTH_GRID, deep, color=COLORS[0], lw=1.4, ls="--", label="deep: depth k, width 2")[0],
        shallow=ax.plot(DEPTH_GRID, shallow.forward(DEPTH_GRID[:, None])[:, 0], color=COLORS[5], lw=1.4,
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
