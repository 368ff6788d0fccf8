r"""Figures for lecture 05 (nonlinearities). Every function returns a ``Figure``.

The ``draw_*`` helpers draw onto an existing ``Axes`` and return the artists that a
widget later changes in place; the figure functions are built from them.
"""
from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection

from nnkit.layers import ACTIVATIONS
from nnkit.viz.style import COLORS, finish, new_figure

from .compute import activation

__all__ = [
    "hard_and_soft", "sigmoid_and_tanh", "activation_pair", "activation_family",
    "stalled_training", "gradient_norms", "piecewise_outputs", "dying_relu",
    "gradient_signs", "draw_activation_pair", "draw_unit_lines", "unit_segments",
]

ALIVE, DEAD = COLORS[0], COLORS[5]


def _delta_arrow(ax, height: float, color: str, weight: int = 1) -> None:
    """The derivative of a jump of size ``weight`` at 0, in the sense of distributions:
    ``weight`` times a Dirac impulse, drawn as an arrow ('infinite here, zero elsewhere')."""
    ax.annotate("", xy=(0, height), xytext=(0, 0),
                arrowprops=dict(arrowstyle="-|>", color=color, lw=1.5))
    times = "" if weight == 1 else f"{weight} x "
    # Not the symbol delta: the course keeps it for the back-propagated error.
    ax.text(0.25, 0.92 * height, f"{times}Dirac impulse at 0", color=color, fontsize="small")


def hard_and_soft(x=None):
    r"""The hard nonlinearities and their smooth stand-ins, with their derivatives.

    Top row: unit step :math:`u` and sigmoid :math:`\sigma`; bottom row: signum and
    :math:`\tanh`. Left column the functions, right column the derivatives; the hard
    ones have derivative 0 everywhere except at 0, where (as distributions) the step's
    is a Dirac impulse and the signum's twice one.

    Parameters
    ----------
    x : ndarray, shape (m,), optional
        Where to evaluate; ``linspace(-5, 5, 401)`` by default.
    """
    x = np.linspace(-5, 5, 401) if x is None else np.asarray(x, dtype=float)
    fig, axes = new_figure(2, 2, width=4.6, height=3.0)
    for row, (hard, soft) in enumerate([("step", "sigmoid"), ("sign", "tanh")]):
        fh, dfh = activation(hard, x)
        fs, dfs = activation(soft, x)
        ax_f, ax_d = axes[row]
        ax_f.plot(x, fh, color=COLORS[5], ls="--", label=f"{hard}")
        ax_f.plot(x, fs, color=COLORS[0], label=f"{soft}")
        finish(ax_f, f"{hard} and its smooth stand-in {soft}", "$e$", "$h = f(e)$", legend=False)
        ax_f.legend(loc="upper left", frameon=False, fontsize="small")
        ax_d.plot(x, dfh, color=COLORS[5], ls="--", label=f"{hard}' (0 where it exists)")
        ax_d.plot(x, dfs, color=COLORS[0], label=f"{soft}'")
        top = 1.15 * dfs.max()
        _delta_arrow(ax_d, top, COLORS[5], weight=1 if hard == "step" else 2)  # the sign jumps by 2
        ax_d.set_ylim(-0.05 * top, 1.08 * top)
        finish(ax_d, f"derivatives: {hard}' gives no gradient", "$e$", "$f'(e)$")
    return fig


def sigmoid_and_tanh(x=None):
    r"""Sigmoid and tanh with the identity :math:`\tanh(b) = 2\sigma(2b) - 1` marked, and their derivatives."""
    x = np.linspace(-5, 5, 401) if x is None else np.asarray(x, dtype=float)
    s, ds = activation("sigmoid", x)
    t, dt = activation("tanh", x)
    s2, _ = activation("sigmoid", 2 * x)
    fig, (ax_f, ax_d) = new_figure(2, 1, width=4.6)
    ax_f.plot(x, s, label=r"$\sigma(b)$")
    ax_f.plot(x, t, label=r"$\tanh(b)$")
    ax_f.plot(x[::20], (2 * s2 - 1)[::20], "o", color=COLORS[2], ms=4, label=r"$2\sigma(2b) - 1$")
    finish(ax_f, r"tanh is a scaled, shifted sigmoid", "$b$", "$f(b)$")
    ax_d.plot(x, ds, label=r"$\sigma' = \sigma(1-\sigma)$, at most 1/4")
    ax_d.plot(x, dt, label=r"$\tanh' = 1 - \tanh^2$, at most 1")
    finish(ax_d, "their derivatives", "$b$", "$f'(b)$")
    return fig


def draw_activation_pair(ax_f, ax_d, name: str, x, param=None):
    """Draw ``f`` and ``f'`` of one activation; return the two ``Line2D``."""
    f, df = activation(name, x, param)
    (line_f,) = ax_f.plot(x, f, color=COLORS[0])
    (line_d,) = ax_d.plot(x, df, color=COLORS[5])
    for ax in (ax_f, ax_d):
        ax.axhline(0, color="0.7", lw=0.8, zorder=0)
        ax.axvline(0, color="0.7", lw=0.8, zorder=0)
    return line_f, line_d


def _pair_titles(name: str, param) -> tuple[str, str]:
    pname, default = ACTIVATIONS[name].param, ACTIVATIONS[name].default
    suffix = "" if pname is None else f" ({pname} = {default if param is None else param:.3g})"
    return f"{name}{suffix}", f"its derivative {name}'"


def activation_pair(name: str = "relu", param=None, x=None):
    """One activation ``f`` (left) and its derivative ``f'`` (right), side by side."""
    x = np.linspace(-4, 4, 401) if x is None else np.asarray(x, dtype=float)
    fig, (ax_f, ax_d) = new_figure(2, 1, width=4.4)
    draw_activation_pair(ax_f, ax_d, name, x, param)
    title_f, title_d = _pair_titles(name, param)
    finish(ax_f, title_f, "$e$", "$f(e)$")
    finish(ax_d, title_d, "$e$", "$f'(e)$")
    return fig


def activation_family(names=("relu", "leaky_relu", "prelu", "elu", "softplus"), params=None,
                      x=None):
    """Several activations on one pair of axes: functions left, derivatives right.

    Parameters
    ----------
    names : sequence of str
    params : dict name -> float, optional
        Parameter per activation (e.g. ``{"leaky_relu": 0.1}``); defaults otherwise.
    """
    x = np.linspace(-3, 3, 601) if x is None else np.asarray(x, dtype=float)
    params = params or {}
    fig, (ax_f, ax_d) = new_figure(2, 1, width=4.6)
    for i, name in enumerate(names):
        f, df = activation(name, x, params.get(name))
        pname, default = ACTIVATIONS[name].param, ACTIVATIONS[name].default
        label = name if pname is None else f"{name} ({pname}={params.get(name, default):g})"
        ls = ["-", "--", ":", "-.", (0, (5, 1))][i % 5]
        ax_f.plot(x, f, ls=ls, color=COLORS[i % len(COLORS)], label=label)
        ax_d.plot(x, df, ls=ls, color=COLORS[i % len(COLORS)], label=label)
    finish(ax_f, "the ReLU family", "$e$", "$f(e)$")
    finish(ax_d, "derivatives: which ones are 0 for $e < 0$?", "$e$", "$f'(e)$")
    return fig


def stalled_training(x, y, trajectory, labels):
    r"""One sigmoid neuron trained from several starting weights: its fit and its loss.

    Parameters
    ----------
    x, y : ndarray, shape (m,)
        Inputs and targets.
    trajectory : neuron.Trajectory
        From ``train_neuron``; columns are the starting points.
    labels : sequence of str, one per column
    """
    order = np.argsort(x)
    fig, (ax_fit, ax_loss) = new_figure(2, 1, width=4.6)
    ax_fit.plot(x[order], y[order], "o", color="0.5", ms=3, label="targets")
    for j, label in enumerate(labels):
        c = COLORS[j % len(COLORS)]
        a0, _ = activation("sigmoid", trajectory.w[0, j] * x[order] + trajectory.b[0, j])
        a1, _ = activation("sigmoid", trajectory.w[-1, j] * x[order] + trajectory.b[-1, j])
        ax_fit.plot(x[order], a0, ls=":", color=c)
        ax_fit.plot(x[order], a1, color=c, label=f"{label} (dotted: start)")
        ax_loss.plot(np.arange(len(trajectory.loss)), trajectory.loss[:, j], color=c, label=label)
    finish(ax_fit, "the neuron before (dotted) and after training", "$x$", r"$a = \sigma(wx + b)$")
    finish(ax_loss, "training stalls as the starting $w$ grows", "epoch", "quadratic cost $C$")
    return fig


def gradient_norms(norms: dict):
    r"""Gradient size per layer for several networks, on a log scale.

    Parameters
    ----------
    norms : dict str -> neuron.GradientNorms
        Network name -> its ``layer_gradient_norms``.
    """
    fig, (ax_w, ax_e) = new_figure(2, 1, width=4.6)
    for i, (name, g) in enumerate(norms.items()):
        layers = np.arange(1, len(g.weights) + 1)
        ax_w.semilogy(layers, g.weights, "o-", color=COLORS[i % len(COLORS)], label=name)
        ax_e.semilogy(layers, g.errors, "o-", color=COLORS[i % len(COLORS)], label=name)
    for ax in (ax_w, ax_e):  # one tick per layer: there is no layer 2.5
        ax.set_xticks(layers)
    finish(ax_w, r"$\|\partial L / \partial W^{(l)}\|$ per layer", "layer $l$ (1 = input side)",
           "gradient norm")
    finish(ax_e, r"$\|\delta^{(l)}\| = \|\partial L / \partial e^{(l)}\|$ per layer",
           "layer $l$ (1 = input side)", "error norm")
    return fig


def piecewise_outputs(x, outputs: dict):
    """Outputs of small 1-D networks: piecewise constant (step units) vs piecewise linear (ReLU).

    Parameters
    ----------
    x : ndarray, shape (m,)
    outputs : dict str -> ndarray, shape (m,)
    """
    fig, ax = new_figure(width=6.0)
    for i, (name, out) in enumerate(outputs.items()):
        ax.plot(x, out, color=COLORS[i % len(COLORS)], label=name)
    finish(ax, "what the hidden units make of a 1-D input", "$x$", r"network output $\hat y$")
    return fig


def unit_segments(W, b, limits) -> np.ndarray:
    r"""The line :math:`w_j \cdot x + b_j = 0` of each unit, as a segment long enough to cross ``limits``.

    Parameters
    ----------
    W : ndarray, shape (units, 2)
    b : ndarray, shape (units,)
    limits : (lo, hi)
        The square plotted.

    Returns
    -------
    ndarray, shape (units, 2, 2): two end points per unit.
    """
    norm2 = np.sum(W * W, axis=1)
    foot = -(b / norm2)[:, None] * W  # the point of the line nearest the origin
    along = np.column_stack([-W[:, 1], W[:, 0]]) / np.sqrt(norm2)[:, None]
    reach = 3.0 * max(abs(limits[0]), abs(limits[1]))
    return np.stack([foot - reach * along, foot + reach * along], axis=1)


def draw_unit_lines(ax, W, b, dead, limits):
    """Each unit's boundary as a line, blue if alive on the data and red (dashed) if dead."""
    lines = LineCollection(unit_segments(W, b, limits), linewidths=1.0)
    lines.set_color([DEAD if d else ALIVE for d in dead])
    lines.set_linestyle([(0, (4, 2)) if d else "solid" for d in dead])
    ax.add_collection(lines)
    ax.set_xlim(*limits)
    ax.set_ylim(*limits)
    return lines


def dying_relu(X, W, bias: float, dead, biases, fractions, limits=(-4, 4)):
    r"""A ReLU layer on a data cloud, every unit with the same bias: which units are dead.

    Parameters
    ----------
    X : ndarray, shape (n, 2)
        The data cloud.
    W : ndarray, shape (units, 2)
        The layer's weights.
    bias : float
        The bias every unit has.
    dead : ndarray of bool, shape (units,)
        Which units are dead at ``bias`` (``neuron.dead_units``).
    biases, fractions : ndarray, shape (k,)
        The dead fraction as a function of the common bias.
    """
    fig, (ax_c, ax_f) = new_figure(2, 1, width=4.4, height=3.9)
    ax_c.scatter(X[:, 0], X[:, 1], s=6, color="0.45", label="data")
    draw_unit_lines(ax_c, W, np.full(len(W), float(bias)), dead, limits)
    ax_c.plot([], [], color=ALIVE, label="alive unit: $e = 0$")
    ax_c.plot([], [], color=DEAD, ls="--", label=r"dead unit: $e \leq 0$ on all data")
    ax_c.set_aspect("equal")
    finish(ax_c, f"bias {bias:.2f}: {int(np.sum(dead))} of {len(dead)} units dead", "$x_1$", "$x_2$",
           legend=False)
    # Below the square, not over it: inside, the legend would hide unit lines and data.
    ax_c.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, frameon=False, fontsize="small")
    ax_f.plot(biases, fractions, color=COLORS[5], label="fraction of dead units")
    ax_f.plot([bias], [np.mean(dead)], "o", color=COLORS[7], label="this bias")
    finish(ax_f, "dead units as the bias falls", "common bias $b$", "fraction dead")
    return fig


def gradient_signs(grads: dict):
    r"""Per-example gradients on a neuron's two incoming weights.

    When the neuron's inputs are all positive (sigmoid outputs), every example's gradient
    :math:`\delta_i h_i` lies in the first or third quadrant: all components share a sign.

    Parameters
    ----------
    grads : dict str -> ndarray, shape (n, 2)
        Name of the input activation -> per-example :math:`(\partial L/\partial w_1, \partial L/\partial w_2)`.
    """
    fig, ax = new_figure(width=5.0, height=4.2)
    for i, (name, G) in enumerate(grads.items()):
        G = G / np.abs(G).max()
        ax.scatter(G[:, 0], G[:, 1], s=10, color=COLORS[i % len(COLORS)], label=name,
                   alpha=0.7)
    ax.axhline(0, color="0.6", lw=0.8)
    ax.axvline(0, color="0.6", lw=0.8)
    ax.fill_between([0, 1.05], 0, 1.05, color=COLORS[2], alpha=0.08, lw=0)
    ax.fill_between([-1.05, 0], -1.05, 0, color=COLORS[2], alpha=0.08, lw=0)
    finish(ax, "per-example gradient on one neuron's two weights",
           r"$\partial L/\partial w_1$ (scaled)", r"$\partial L/\partial w_2$ (scaled)")
    return fig
