"""Figures for lecture 03: derivatives, level curves, descent paths, learning rates, mini-batches,
and the non-convex landscape of :mod:`.landscape`.

Each public function returns a ``Figure``. The ``draw_*`` helpers draw into given axes
and return the artists, so that the widgets in :mod:`nnkit.lectures.l03_gradient_descent.widgets` can move
them without rebuilding the figure.
"""
from __future__ import annotations

import numpy as np
from matplotlib.ticker import FuncFormatter, NullFormatter

from nnkit.viz.grid import plane
from nnkit.viz.style import COLORS, finish, new_figure

from . import compute as descent
from . import landscape

__all__ = [
    "plain_log", "derivatives", "level_curves", "descent_path", "draw_path", "minimal_runs",
    "stability", "batch_curves", "draw_batch_curves", "gradient_spread", "two_wells",
]


def plain_log(ax, axis: str = "y"):
    """Log scale with plain-text tick labels of one format ("1e-6", "1e0", "1e3"; not mathtext,
    which is slow to redraw in a widget)."""
    getattr(ax, f"set_{axis}scale")("log")
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(lambda v, _: f"1e{np.log10(v):.0f}"))
    target.set_minor_formatter(NullFormatter())


def derivatives(x, panels):
    """One panel per function: ``f``, its analytic derivative, and finite differences as dots.

    Parameters
    ----------
    x : ndarray, shape (m,)
    panels : list of (title, f, df_analytic, df_numeric), the last three of shape (m,)
    """
    fig, axes = new_figure(len(panels), width=4.2, height=3.3)
    for ax, (title, f, df, df_num) in zip(np.atleast_1d(axes), panels):
        ax.plot(x, f, color=COLORS[0], label="$f(x)$")
        ax.plot(x, df, color=COLORS[1], label="$f'(x)$, by hand")
        ax.plot(x[::8], df_num[::8], "o", color=COLORS[5], ms=4, label="finite differences")
        finish(ax, title, "$x$", "value")
    return fig


def _bowl_contours(ax, a, b, lim=(3.0, 5.5)):
    points, _ = plane(-np.asarray(lim), lim, 120)
    xx, yy = (points[:, i].reshape(120, 120) for i in (0, 1))
    F = descent.bowl(points, a, b).reshape(120, 120)
    ax.contour(xx, yy, F, levels=[0.25, 1, 2.5, 5, 10, 17, 25, 35], colors="0.6", linewidths=0.8)
    ax.plot([0], [0], "*", color=COLORS[7], ms=9, label="minimum")
    ax.set_aspect("equal")
    ax.set_xlim(-lim[0], lim[0])
    ax.set_ylim(-lim[1], lim[1])


def level_curves(points, gradients, tangents, a=4.0, b=1.0, scale=0.1):
    r"""Level curves of :math:`a x^2 + b y^2`, the gradient at each point and the tangent there.

    Parameters
    ----------
    points, gradients, tangents : ndarray, shape (m, 2)
        Gradients are drawn scaled by ``scale``; tangents are unit vectors.
    """
    fig, ax = new_figure(width=4.6, height=6.2)
    _bowl_contours(ax, a, b, lim=(3.0, 6.5))
    P, G, T = (np.asarray(v, dtype=float) for v in (points, gradients, tangents))
    ax.quiver(P[:, 0], P[:, 1], scale * G[:, 0], scale * G[:, 1], angles="xy",
              scale_units="xy", scale=1, color=COLORS[5], width=0.008,
              label=rf"$\nabla f$ (scaled by {scale:g})")
    for i, (p, t) in enumerate(zip(P, T)):
        seg = p + np.outer([-0.6, 0.6], t)
        ax.plot(seg[:, 0], seg[:, 1], color=COLORS[0], lw=2,
                label="tangent to the level curve" if i == 0 else None)
        ax.plot(*p, "o", color=COLORS[7], ms=4)
        ax.annotate(f"({p[0]:g}, {p[1]:g})", p, textcoords="offset points", xytext=(6, -12),
                    fontsize="small")
    by = "" if b == 1 else f"{b:g}"
    finish(ax, f"Level curves of ${a:g}x^2 + {by}y^2$ and gradients", "$x$", "$y$", legend=False)
    # below the axes: inside, it would cover the gradient arrow at (0, 5)
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=2)
    return fig


def draw_path(ax, path, a=4.0, b=1.0):
    """Contours of the bowl and a descent path on ``ax``; returns ``(line, start_marker)``."""
    _bowl_contours(ax, a, b)
    (line,) = ax.plot(path[:, 0], path[:, 1], "-o", color=COLORS[5], ms=3, lw=1.2,
                      label="path")
    (start,) = ax.plot(path[:1, 0], path[:1, 1], "s", color=COLORS[0], ms=7, label="start")
    return line, start


def descent_path(path, a=4.0, b=1.0, title="Gradient descent on the bowl"):
    """A descent path over the level curves (left) and the loss along it (right).

    path : ndarray, shape (T + 1, 2)
    """
    fig, (ax, ax2) = new_figure(2, width=3.7, height=4.4, gridspec_kw={"width_ratios": [1.2, 1]})
    draw_path(ax, path, a, b)
    finish(ax, title, "$x$", "$y$")
    ax2.semilogy(np.arange(len(path)), descent.bowl(path, a, b) + 1e-300, "-o", ms=3,
                 color=COLORS[5])
    finish(ax2, "Loss along the path", "step $t$", "$f(x_t, y_t)$")
    return fig


def minimal_runs(runs: dict, target=2.0, ylim=(-3.0, 7.0), shown=12):
    r"""Runs of the minimal example for several learning rates.

    runs : dict of label -> thetas, ndarray (T + 1,); the left panel shows the first ``shown`` steps.
    """
    fig, (ax, ax2) = new_figure(2, width=4.6, height=3.6)
    for color, (label, thetas) in zip(COLORS, runs.items()):
        ax.plot(np.arange(shown + 1), thetas[:shown + 1], "-o", ms=3, color=color, label=label)
        err = np.abs(thetas - target)
        ax2.semilogy(np.arange(len(thetas)), np.where(err > 0, err, np.nan), "-o", ms=3,
                     color=color, label=label)
    ax.axhline(target, color="0.5", lw=0.8, ls="--")
    ax.set_ylim(*ylim)
    finish(ax, r"$\theta_t$ for several learning rates", "step $t$", r"$\theta_t$")
    finish(ax2, r"Distance to the target (log scale)", "step $t$", r"$|\theta_t - 2|$")
    return fig


def stability(lrs, factors: dict, found=None):
    r"""Contraction factors :math:`|1 - \eta\lambda|` against :math:`\eta`; stable below 1.

    lrs : ndarray (m,);  factors : dict of label -> ndarray (m,);  found : float, optional
    """
    fig, ax = new_figure(width=5.2, height=3.6)
    for label, f in factors.items():
        ax.plot(lrs, f, label=label)
    ax.axhline(1.0, color="0.3", lw=0.8, ls="--", label="factor 1: the edge of stability")
    if found is not None:
        ax.axvline(found, color=COLORS[5], lw=1.2, ls=":",
                   label=rf"largest stable $\eta$ found by simulation ({found:.4f})")
    ax.set_ylim(0, 2)
    finish(ax, "How much each direction shrinks per step", r"learning rate $\eta$",
           r"factor $|1 - \eta\lambda|$")
    return fig


def draw_batch_curves(ax, runs: dict, lr, batch_size, per_update=False):
    """Loss curves for every batch size at one rate, against epochs or parameter updates.

    runs : dict (batch_size, lr) -> dict with ``"loss"`` (epochs,), ``"steps_per_epoch"``
    and ``"diverged"``, as :func:`nnkit.lectures.l03_gradient_descent.compute.batch_size_runs` returns it.
    Returns the list of lines (one per batch size); the selected one is drawn bold.
    """
    sizes = sorted({b for b, _ in runs})
    lines = [ax.plot([], [], color=color, label=f"batch size {b}")[0]
             for color, b in zip(COLORS, sizes)]
    # The axes do not depend on the rate or the batch size, so a widget never redraws them.
    epochs = max(len(run["loss"]) for run in runs.values())
    if per_update:
        plain_log(ax, "x")
        ax.set_xlim(1, max(len(run["full_loss"]) for run in runs.values()))
    else:
        ax.set_xlim(1, epochs)
    plain_log(ax, "y")
    ax.set_ylim(1e-4, 2.0)
    finish(ax, "", "parameter updates" if per_update else "epoch",
           "loss on all the data" if per_update else "mean training loss", legend=not per_update)
    set_batch_curves(ax, lines, runs, lr, batch_size, per_update)
    return lines


def set_batch_curves(ax, lines, runs, lr, batch_size, per_update=False):
    """Move the lines of :func:`draw_batch_curves` to another rate or batch size; set the title."""
    sizes = sorted({b for b, _ in runs})
    for line, b in zip(lines, sizes):
        run = runs[(b, lr)]
        # Per update: the loss on all the data after each update, so every batch size is
        # judged on the same examples and every curve starts at update 1.
        loss = np.asarray(run["full_loss"] if per_update else run["loss"], dtype=float)
        line.set_data(np.arange(1, len(loss) + 1), np.clip(loss, 1e-4, 1e3))
        line.set_linewidth(3.0 if b == batch_size else 1.0)
        line.set_alpha(1.0 if b == batch_size else 0.45)
    if per_update:
        ax.set_title(f"Per update, η = {lr:g}")
    else:
        gone = [b for b in sizes if runs[(b, lr)]["diverged"]]
        note = f" (diverged: batch size {', '.join(map(str, gone))})" if gone else ""
        ax.set_title(f"Per epoch, η = {lr:g}{note}")


def batch_curves(runs: dict, lr, batch_size):
    """Loss curves for every batch size at learning rate ``lr``: per epoch (left), per update (right)."""
    fig, axes = new_figure(2, width=4.4, height=3.8)
    for ax, per_update in zip(axes, (False, True)):
        draw_batch_curves(ax, runs, lr, batch_size, per_update)
    return fig


def gradient_spread(batch_sizes, spread, reference=None):
    """How far mini-batch gradients scatter around the full gradient, against batch size (log-log).

    batch_sizes, spread : ndarray (m,);  reference : ndarray (m,), optional, e.g. c / sqrt(b)
    """
    fig, ax = new_figure(width=5.0, height=3.6)
    ax.loglog(batch_sizes, spread, "o-", color=COLORS[0], label="measured")
    if reference is not None:
        ax.loglog(batch_sizes, reference, "--", color=COLORS[1],
                  label=r"$\propto 1/\sqrt{\mathrm{batch\ size}}$")
    finish(ax, "Mini-batch gradients are noisy estimates", "batch size",
           "RMS distance to the full gradient")
    return fig


def _two_wells_contours(ax, lim=((-2.8, -2.0), (3.6, 2.0))):
    """Level curves of :func:`landscape.two_wells`, its critical points, and the saddle's ridge x = 0."""
    points, _ = plane(lim[0], lim[1], 120)
    xx, yy = (points[:, i].reshape(120, 120) for i in (0, 1))
    F = landscape.two_wells(points).reshape(120, 120)
    ax.contour(xx, yy, F, levels=[-2.5, -2, -1.5, -1, -0.5, -0.3, -0.1, 0.25, 1, 2, 3.5, 5.5, 8, 12],
               colors="0.65", linewidths=0.7, negative_linestyles="solid")
    ax.axvline(0.0, color="0.35", lw=1, ls="--", label="ridge $x = 0$")
    (low, saddle, deep) = landscape.critical_points()
    ax.plot(*np.column_stack([low, deep]), "*", color=COLORS[7], ms=11, label="minima")
    ax.plot(*saddle, "X", color=COLORS[3], ms=9, label="saddle")
    ax.set_xlim(lim[0][0], lim[1][0])
    ax.set_ylim(lim[0][1], lim[1][1])
    ax.set_aspect("equal")


def _legend_below(ax, ncols=2):
    # below the axes, so that no path is hidden under it
    ax.legend(frameon=False, fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.16),
              ncols=ncols)


def two_wells(paths, ends, ridge_path, plain, heavy, heavy_low, mu):
    r"""The landscape of :mod:`.landscape`: its profile, plain descent from many starts, momentum.

    Parameters
    ----------
    paths : ndarray, shape (T + 1, m, 2)
        Plain descent from ``m`` starts (:func:`landscape.descend_many`).
    ends : ndarray of int, shape (m,)
        Which critical point each path reached (:func:`landscape.nearest_critical`: 0 the shallow
        minimum, 2 the deep one).
    ridge_path : ndarray, shape (T + 1, 2)
        Plain descent from a start on the ridge, which ends in the saddle.
    plain, heavy, heavy_low : ndarray, shape (T + 1, 2)
        Plain descent and momentum from the same start, and momentum from a start lower down.
    mu : float
        The momentum of ``heavy`` and ``heavy_low`` (for the legend).
    """
    fig, (ax0, ax1, ax2) = new_figure(3, width=4.3, height=4.6)
    x = np.linspace(-2.2, 3.0, 400)
    ax0.plot(x, landscape.two_wells(np.column_stack([x, np.zeros_like(x)])), color=COLORS[0],
             label="$f(x, 0)$")
    crit = landscape.critical_points()
    ax0.plot(crit[[0, 2], 0], landscape.two_wells(crit[[0, 2]]), "*", color=COLORS[7], ms=11,
             label="minima")
    ax0.plot(crit[1, 0], landscape.two_wells(crit[1]), "X", color=COLORS[3], ms=9, label="saddle")
    ax0.set_ylim(-3.2, 5.0)
    finish(ax0, "Profile along $y = 0$: a shallow and a deep well", "$x$", "$f(x, 0)$", legend=False)
    _legend_below(ax0, ncols=3)

    _two_wells_contours(ax1)
    for k, (where, color) in enumerate([(0, COLORS[0]), (2, COLORS[1])]):
        chosen = np.flatnonzero(ends == where)
        for n, i in enumerate(chosen):
            ax1.plot(paths[:, i, 0], paths[:, i, 1], color=color, lw=1,
                     label=f"ends at ({crit[where, 0]:g}, 0)" if n == 0 else None)
        ax1.plot(paths[0, chosen, 0], paths[0, chosen, 1], "o", color=color, ms=3.5)
    ax1.plot(ridge_path[:, 0], ridge_path[:, 1], "-", color=COLORS[3], lw=2.2,
             label="start on the ridge: ends in the saddle")
    finish(ax1, "Plain descent: the start decides", "$x$", "$y$", legend=False)
    _legend_below(ax1)

    _two_wells_contours(ax2)
    for path, color, style, label in [
        (plain, COLORS[0], "-", "plain descent"),
        (heavy, COLORS[5], "-", rf"momentum $\mu = {mu:g}$"),
        (heavy_low, COLORS[2], "--", rf"momentum $\mu = {mu:g}$"),
    ]:
        ax2.plot(path[:, 0], path[:, 1], style, color=color, lw=1.6,
                 label=f"{label} from ({path[0, 0]:g}, {path[0, 1]:g})")
        ax2.plot(*path[0], "s", color=color, ms=6)
    finish(ax2, "Momentum rolls over the shallow well", "$x$", "$y$", legend=False)
    _legend_below(ax2)
    return fig
