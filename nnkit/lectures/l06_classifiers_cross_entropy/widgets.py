r"""Live figures for lecture 06 (classifiers and cross-entropy). Each builder returns a ``Live``."""
from __future__ import annotations

import numpy as np

import nnkit as nk
from nnkit.lectures.l05_nonlinearities import compute as neuron
from nnkit.viz.live import Live, dropdown, float_slider, padded_live
from nnkit.viz.style import COLORS, finish, new_figure

from .compute import logit_costs
from .figures import COST_LABELS

__all__ = ["logit_explorer", "slowdown_explorer", "softmax_explorer"]


def logit_explorer(z: float = 2.0, y: int = 0) -> Live:
    r"""One logit as a slider: the cost and its slope for quadratic+sigmoid and for cross-entropy.

    Controls: ``z`` (the logit) and ``y`` (the target, 0 or 1). ``result`` is
    ``logit_costs([z], y)``: the two costs and slopes at this logit.
    """
    grid = np.linspace(-8, 8, 321)
    fig, (ax_c, ax_g) = new_figure(2, 1, width=4.6)
    curves, dots = {}, {}
    for i, cost in enumerate(neuron.COSTS):
        (c_line,) = ax_c.plot(grid, grid * 0, color=COLORS[i], label=COST_LABELS[cost])
        (g_line,) = ax_g.plot(grid, grid * 0, color=COLORS[i], label=COST_LABELS[cost])
        (c_dot,) = ax_c.plot([0], [0], "o", color=COLORS[i])
        (g_dot,) = ax_g.plot([0], [0], "o", color=COLORS[i])
        curves[cost], dots[cost] = (c_line, g_line), (c_dot, g_dot)
    ax_c.set_ylim(-0.2, 8.5)
    ax_g.set_ylim(-1.1, 1.1)
    # Two-line placeholders: the layout reserves room for the two-line titles set in update.
    finish(ax_c, "title\ntitle", "logit $z$", "cost $C$", legend=False)
    finish(ax_g, "title\ntitle", "logit $z$", r"$\partial C/\partial z$", legend=False)
    # Placed for good, where neither target's curves pass (a legend placed "best" would
    # jump when y flips, and would be drawn again at every redraw).
    ax_c.legend(frameon=False, fontsize="small", loc="upper center")
    ax_g.legend(frameon=False, fontsize="small", loc="lower right")

    def update(z, y):
        on_grid, here = logit_costs(grid, y), logit_costs([z], y)
        for cost in neuron.COSTS:
            for line, values in zip(curves[cost], on_grid[cost]):
                line.set_ydata(values)
            for dot, value in zip(dots[cost], here[cost]):
                dot.set_data([z], value)
        (cq, gq), (ce, ge) = here["quadratic"], here["cross_entropy"]
        a = nk.functional.sigmoid(z)
        # Plain-text titles: mathtext in a title that changes every redraw is re-parsed each time.
        # Each number says which cost it belongs to; two lines so that none is clipped.
        ax_c.set_title(f"y = {y}, a = σ(z) = {a:.3f}\nC: quadratic {cq[0]:.3f}, cross-entropy {ce[0]:.3f}")
        ax_g.set_title(f"slope ∂C/∂z\nquadratic {gq[0]:+.4f}, cross-entropy {ge[0]:+.4f}")
        return here

    controls = {"z": float_slider(z, -8.0, 8.0, 0.1, "logit z"),
                "y": dropdown([0, 1], y, "target y")}
    # The limits are fixed: only the curves, dots and titles are drawn at each redraw.
    moving = [a for cost in neuron.COSTS for a in (*curves[cost], *dots[cost])]
    return padded_live(fig, update, controls, animated=moving + [ax_c.title, ax_g.title])


def slowdown_explorer(w: float = 2.0, b: float = 2.0, lr: float = 0.15, epochs: int = 300) -> Live:
    r"""Nielsen's neuron (input 1, target 0) from a chosen start, trained with both costs.

    Controls: starting ``w`` and ``b``, learning rate ``lr``. Left: the output
    :math:`a` per epoch; right: the cost relative to where it started. ``result`` is
    ``{"quadratic": Trajectory, "cross_entropy": Trajectory}``.
    """
    x, y = np.ones(1), np.zeros(1)
    steps = np.arange(epochs + 1)
    fig, (ax_a, ax_c) = new_figure(2, 1, width=4.6)
    lines = {}
    for i, cost in enumerate(neuron.COSTS):
        (a_line,) = ax_a.plot(steps, steps * 0.0, color=COLORS[i], label=COST_LABELS[cost])
        (c_line,) = ax_c.plot(steps, steps * 0.0, color=COLORS[i], label=COST_LABELS[cost])
        lines[cost] = (a_line, c_line)
    ax_a.axhline(0.0, color="0.6", lw=0.8, zorder=0)
    ax_a.set_ylim(-0.03, 1.03)
    ax_c.set_ylim(-0.03, 1.03)
    finish(ax_a, "title", "epoch", r"output $a = \sigma(w + b)$", legend=False)
    finish(ax_c, "cost relative to its start", "epoch", "$C_t / C_0$", legend=False)
    # One legend for both panels, below them: inside, a legend placed "best" would jump as
    # the curves move (and be drawn again at every redraw); here no curve passes under it.
    fig.legend(*ax_a.get_legend_handles_labels(), loc="outside lower center", ncols=2,
               frameon=False, fontsize="small")

    def update(w, b, lr):
        runs = {}
        for cost in neuron.COSTS:
            run = runs[cost] = neuron.train_neuron(w, b, x, y, cost, lr, epochs)
            a_line, c_line = lines[cost]
            a_line.set_ydata(nk.functional.sigmoid(run.w[:, 0] + run.b[:, 0]))
            c_line.set_ydata(run.loss[:, 0] / run.loss[0, 0])
        a0 = nk.functional.sigmoid(w + b)
        ax_a.set_title(f"start a = {a0:.3f}, σ′(z) = {a0 * (1 - a0):.3f}")
        return runs

    controls = {"w": float_slider(w, -4.0, 4.0, 0.1, "start w"),
                "b": float_slider(b, -4.0, 4.0, 0.1, "start b"),
                "lr": float_slider(lr, 0.01, 1.0, 0.01, "learning rate")}
    moving = [line for cost in neuron.COSTS for line in lines[cost]]
    return padded_live(fig, update, controls, animated=moving + [ax_a.title])


def softmax_explorer(z0: float = 2.0, z1: float = 1.0, z2: float = -1.0, label: int = 0) -> Live:
    r"""Three logits as sliders: the softmax probabilities, the cost :math:`-\log a_y` and its gradient.

    Controls: ``z0``, ``z1``, ``z2`` and the true class ``label``. Left: the probabilities
    :math:`a_j`; right: :math:`\partial C/\partial z_j = a_j - y_j` from
    ``nk.SoftmaxCrossEntropyLoss``. ``result`` is ``{"a", "cost", "grad"}``.
    """
    classes = np.arange(3)
    fig, (ax_a, ax_g) = new_figure(2, 1, width=4.2)
    bars_a = ax_a.bar(classes, np.zeros(3), color=COLORS[:3])
    bars_g = ax_g.bar(classes, np.zeros(3), color=COLORS[:3])
    zero = ax_g.axhline(0, color="0.6", lw=0.8)  # above the bars: a blit redraws it with them
    ax_a.set_ylim(0, 1)
    ax_g.set_ylim(-1.05, 1.05)
    for ax in (ax_a, ax_g):
        ax.set_xticks(classes)
    finish(ax_a, "title", "class $j$", "$a_j$")
    finish(ax_g, r"gradient $a_j - y_j$", "class $j$", r"$\partial C/\partial z_j$")
    loss = nk.SoftmaxCrossEntropyLoss()

    def update(z0, z1, z2, label):
        z = np.array([[z0, z1, z2]])
        cost = loss(z, np.array([label]))
        grad = loss.backward()[0]
        a = nk.functional.softmax(z)[0]
        for k in classes:
            bars_a[k].set_height(a[k])
            bars_a[k].set_edgecolor("black" if k == label else "none")
            bars_a[k].set_linewidth(2.0 if k == label else 0.0)
            bars_g[k].set_height(grad[k])
        ax_a.set_title(f"softmax; true class {label}: C = −ln a{'₀₁₂'[label]} = {cost:.3f}")
        return {"a": a, "cost": cost, "grad": grad}

    controls = {"z0": float_slider(z0, -6.0, 6.0, 0.1, "logit z_0"),
                "z1": float_slider(z1, -6.0, 6.0, 0.1, "logit z_1"),
                "z2": float_slider(z2, -6.0, 6.0, 0.1, "logit z_2"),
                "label": dropdown([0, 1, 2], label, "true class")}
    return padded_live(fig, update, controls, animated=[*bars_a, *bars_g, zero, ax_a.title])
