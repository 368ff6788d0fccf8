"""Live figures for lecture 03: the descent path, the minimal example, batch size against rate.

Each builder returns a :class:`~nnkit.viz.live.Live`; its ``update`` only moves artists
of a figure drawn once, and returns the numbers it showed (for tests and asserts).
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np

from nnkit.viz.live import BlitLive, float_slider
from nnkit.viz.style import COLORS, finish, new_figure

from . import compute as descent
from . import figures as P

__all__ = ["path_explorer", "minimal_explorer", "batch_explorer"]


def path_explorer(lr=0.1, x0=1.5, y0=4.0, steps=30, a=4.0, b=1.0):
    r"""Learning rate and starting point over the level curves of :math:`a x^2 + b y^2`.

    ``result`` is the path, shape ``(steps + 1, 2)``.
    """
    def run(lr, x0, y0):
        return descent.descend(None, [x0, y0], lr, steps,
                               grad=lambda p: descent.bowl_gradient(p, a, b))

    path = run(lr, x0, y0)
    fig, (ax, ax2) = new_figure(2, width=3.7, height=4.4, gridspec_kw={"width_ratios": [1.2, 1]})
    line, start = P.draw_path(ax, path, a, b)
    finish(ax, "", "$x$", "$y$")
    (curve,) = ax2.plot(np.arange(steps + 1), np.ones(steps + 1), "-o", ms=3, color=COLORS[5])
    P.plain_log(ax2)
    ax2.set_ylim(1e-14, 1e11)   # wide enough for the fastest and the worst rate on the slider
    finish(ax2, "", "step $t$", "$f(x_t, y_t)$")

    def update(lr, x0, y0):
        path = run(lr, x0, y0)
        line.set_data(path[:, 0], path[:, 1])
        start.set_data([x0], [y0])
        loss = descent.bowl(path, a, b)
        curve.set_ydata(np.clip(loss, 1e-14, 1e11))
        worst = max(abs(1 - 2 * a * lr), abs(1 - 2 * b * lr))
        # Plain text, not mathtext: a new mathtext string costs a parse on every redraw.
        ax.set_title(f"η = {lr:.3g}: " + ("converges" if worst < 1 else "does not converge"))
        ax2.set_title(f"Loss; slowest factor {worst:.2f}")
        return path

    controls = {"lr": float_slider(lr, 0.01, 0.3, 0.005, "learning rate η"),
                "x0": float_slider(x0, -1.9, 1.9, 0.1, "start x"),
                "y0": float_slider(y0, -5.0, 5.0, 0.1, "start y")}
    return BlitLive(fig, update, controls, [line, start, curve, ax.title, ax2.title])


def minimal_explorer(lr=0.3, theta0=5.0, steps=12, target=2.0):
    r"""The learning rate of the minimal example :math:`(\theta - 2)^2`: iterates on the parabola and over time.

    ``result`` is ``(thetas, analytic regime, observed regime)``.
    """
    fig, (ax, ax2) = new_figure(2, width=4.4, height=3.6)
    grid = np.linspace(-2.0, 6.0, 200)
    ax.plot(grid, (grid - target) ** 2, color="0.5", label=r"$(\theta - 2)^2$")
    (zig,) = ax.plot([], [], "-o", color=COLORS[5], ms=4, label="iterates")
    ax.set_xlim(-2, 6)
    ax.set_ylim(-0.5, 17)
    finish(ax, "", r"$\theta$", "loss")
    (traj,) = ax2.plot(np.arange(steps + 1), np.zeros(steps + 1), "-o", color=COLORS[0], ms=3)
    ax2.axhline(target, color="0.5", ls="--", lw=0.8)
    ax2.set_ylim(-2, 6)
    finish(ax2, r"$\theta_t$ against the step", "step $t$", r"$\theta_t$")

    def update(lr):
        thetas = descent.minimal_run(theta0, lr, steps, target)
        shown = np.clip(thetas, -50, 50)
        zig.set_data(shown, (shown - target) ** 2)
        traj.set_ydata(shown)
        predicted, seen = descent.minimal_regime(lr), descent.observed_regime(thetas, target)
        ax.set_title(f"η = {lr:.2f}: 1 − 2η = {1 - 2 * lr:+.2f}, {predicted}")
        return thetas, predicted, seen

    return BlitLive(fig, update, {"lr": float_slider(lr, 0.05, 1.2, 0.05, "learning rate η")},
                    [zig, traj, ax.title])


def batch_explorer(runs: dict, batch_size=None, lr=None):
    """Batch size and learning rate over loss curves, per epoch (left) and per update (right).

    Parameters
    ----------
    runs : dict
        From :func:`nnkit.lectures.l03_gradient_descent.compute.batch_size_runs`; every redraw only picks from it.

    ``result`` is the selected run's per-epoch losses.
    """
    sizes = sorted({b for b, _ in runs})
    rates = sorted({r for _, r in runs})
    batch_size = sizes[0] if batch_size is None else batch_size
    lr = rates[len(rates) // 2] if lr is None else lr
    fig, axes = new_figure(2, width=4.4, height=3.8)
    lines = [P.draw_batch_curves(ax, runs, lr, batch_size, per_update)
             for ax, per_update in zip(axes, (False, True))]

    def update(batch_size, lr):
        for ax, ax_lines, per_update in zip(axes, lines, (False, True)):
            P.set_batch_curves(ax, ax_lines, runs, lr, batch_size, per_update)
        return runs[(batch_size, lr)]["loss"]

    layout = dict(layout=W.Layout(width="340px"), style={"description_width": "110px"})
    controls = {
        "batch_size": W.SelectionSlider(options=sizes, value=batch_size,
                                        description="batch size", **layout),
        "lr": W.SelectionSlider(options=rates, value=lr, description="learning rate η",
                                **layout),
    }
    return BlitLive(fig, update, controls,
                    [*lines[0], *lines[1], axes[0].title, axes[1].title])
