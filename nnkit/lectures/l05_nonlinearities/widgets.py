r"""Live figures for lecture 05 (nonlinearities). Each builder returns a ``Live``.

Every ``update`` only changes artists of a figure drawn once, and returns the numbers
it drew, so that a test can check them without a screen.
"""
from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator, NullFormatter

import nnkit as nk
from nnkit.layers import ACTIVATIONS
from nnkit.viz.live import Live, dropdown, float_slider, int_slider, log_slider, padded_live
from nnkit.viz.style import COLORS, finish, log_minor_ticks, new_figure

from . import compute as neuron
from .figures import (
    ALIVE,
    DEAD,
    _pair_titles,
    draw_activation_pair,
    draw_unit_lines,
    unit_segments,
)

__all__ = ["activation_chooser", "weight_scale_explorer", "dying_relu_explorer",
           "depth_explorer"]


def _rescale_y(ax, values, pad: float = 0.08) -> None:
    """Fit the y limits to ``values``, rounded out to a multiple of a step (0.05, 0.5, ...)
    between a fortieth and a quarter of the span.

    Rounded, a small step of a slider mostly keeps the limits, so the widget redraws only
    its curves (``BlitLive``); the margin grows by at most that step.
    """
    lo, hi = float(np.min(values)), float(np.max(values))
    span = max(hi - lo, 0.5)
    step = 10.0 ** np.floor(np.log10(span / 2)) / 2
    ax.set_ylim(np.floor((lo - pad * span) / step) * step, np.ceil((hi + pad * span) / step) * step)


def activation_chooser(name: str = "relu", param: float = 0.25, x=None) -> Live:
    """Pick an activation and its parameter; see ``f`` and ``f'`` side by side.

    Controls: ``name`` (dropdown of ``neuron.CHOICES``) and ``param`` (slope of
    leaky ReLU, ``a`` of PReLU, ``alpha`` of ELU; the others have no parameter).
    ``result`` is ``{"f": ..., "df": ...}`` on the grid ``x``.
    """
    x = np.linspace(-4, 4, 401) if x is None else np.asarray(x, dtype=float)
    fig, (ax_f, ax_d) = new_figure(2, 1, width=4.4)
    line_f, line_d = draw_activation_pair(ax_f, ax_d, name, x, param)
    ax_f.set_ylim(-8.5, 4.5)  # the widest tick labels the controls can produce
    finish(ax_f, "title", "$e$", "$f(e)$")
    finish(ax_d, "title", "$e$", "$f'(e)$")

    def update(name, param):
        f, df = neuron.activation(name, x, param)
        line_f.set_ydata(f)
        line_d.set_ydata(df)
        _rescale_y(ax_f, f)
        _rescale_y(ax_d, df)
        has_param = ACTIVATIONS[name].param is not None
        title_f, title_d = _pair_titles(name, param if has_param else None)
        if not has_param:
            title_f += " (no parameter)"
        ax_f.set_title(title_f)
        ax_d.set_title(title_d)
        return {"f": f, "df": df}

    controls = {
        "name": dropdown(list(neuron.CHOICES), name, "activation"),
        "param": float_slider(param, 0.0, 2.0, 0.01, "parameter"),
    }
    return padded_live(fig, update, controls, animated=[line_f, line_d, ax_f.title, ax_d.title])


def weight_scale_explorer(w0: float = 1.0, lr: float = 1.0, epochs: int = 300, rng=0) -> Live:
    r"""Start one sigmoid neuron at weight ``w0`` on data it must unlearn; watch training stall.

    Data: ``neuron.saturation_task(50, rng)``; quadratic cost, full-batch gradient descent.
    Controls: ``w0`` (log scale, 0.3 to 100) and ``lr``. ``result`` is the
    ``neuron.Trajectory`` of the run (one column).
    """
    x, y = neuron.saturation_task(50, rng)
    order = np.argsort(x)
    xs = x[order]
    reference = neuron.train_neuron(0.5, 0.0, x, y, "quadratic", lr, epochs)
    fig, (ax_fit, ax_loss) = new_figure(2, 1, width=4.6)
    ax_fit.plot(xs, y[order], "o", color="0.5", ms=3, label="targets")
    (start,) = ax_fit.plot(xs, xs * 0, ":", color=COLORS[5], label="start")
    (end,) = ax_fit.plot(xs, xs * 0, color=COLORS[0], label="after training")
    ax_fit.set_ylim(-0.05, 1.05)
    finish(ax_fit, "title", "$x$", r"$a = \sigma(wx + b)$", legend=False)
    # Placed for good where no start's curves pass: a fixed legend is drawn once (BlitLive).
    ax_fit.legend(frameon=False, fontsize="small", loc="center right")
    steps = np.arange(epochs + 1)
    ax_loss.plot(steps, reference.loss[:, 0], color="0.6", ls="--", label="start $w = 0.5$")
    (curve,) = ax_loss.plot(steps, reference.loss[:, 0], color=COLORS[0], label="this start")
    ax_loss.set_ylim(0, 0.4)
    finish(ax_loss, "title", "epoch", "quadratic cost $C$", legend=False)
    ax_loss.legend(frameon=False, fontsize="small", loc="center right")

    def update(w0, lr):
        run = neuron.train_neuron(w0, 0.0, x, y, "quadratic", lr, epochs)
        start.set_ydata(nk.functional.sigmoid(run.w[0, 0] * xs + run.b[0, 0]))
        end.set_ydata(nk.functional.sigmoid(run.w[-1, 0] * xs + run.b[-1, 0]))
        curve.set_ydata(run.loss[:, 0])
        mean_slope = np.mean(nk.functional.sigmoid_grad(w0 * x))
        # Plain text, not mathtext: a title that changes every redraw would be re-parsed.
        ax_fit.set_title(f"start w = {w0:.3g}: mean σ′(wx) = {mean_slope:.2g}")
        drop = 1 - run.loss[-1, 0] / run.loss[0, 0]
        ax_loss.set_title(f"cost fell by {100 * drop:.0f}% in {epochs} epochs")
        return run

    controls = {
        "w0": log_slider(w0, -0.5, 2.0, "start weight w"),
        "lr": float_slider(lr, 0.1, 3.0, 0.1, "learning rate"),
    }
    # Fixed limits: a redraw draws the three curves and two titles over the rest, kept.
    return padded_live(fig, update, controls,
                       animated=[start, end, curve, ax_fit.title, ax_loss.title])


def dying_relu_explorer(X=None, W=None, bias: float = 0.0, rng=0) -> Live:
    r"""Lower the common bias of a ReLU layer on a data cloud and watch its units die.

    Parameters
    ----------
    X : ndarray, shape (n, 2), optional
        The data; ``nk.data.blobs(200, [[0, 0]], 1.0, rng)`` by default.
    W : ndarray, shape (units, 2), optional
        The layer's weights; a He-initialised ``Dense(2, 40)`` by default.

    Control: ``bias``. ``result`` is ``{"dead": bool mask (units,), "fraction": float}``.
    """
    if X is None:
        X, _ = nk.data.blobs(200, [[0.0, 0.0]], 1.0, rng=rng)
    if W is None:
        W = nk.Dense(2, 40, rng=rng).W
    limits = (-4.0, 4.0)
    biases = np.linspace(-8.0, 1.0, 181)
    fractions = neuron.dead_fraction_by_bias(X, W, biases)
    fig, (ax_c, ax_f) = new_figure(2, 1, width=4.4, height=3.9)
    ax_c.scatter(X[:, 0], X[:, 1], s=6, color="0.45", label="data")
    lines = draw_unit_lines(ax_c, W, np.zeros(len(W)), np.zeros(len(W), bool), limits)
    ax_c.set_aspect("equal")
    ax_c.plot([], [], color=ALIVE, label="alive unit: $e = 0$")
    ax_c.plot([], [], color=DEAD, ls="--", label=r"dead unit: $e \leq 0$ on all data")
    finish(ax_c, "title", "$x_1$", "$x_2$", legend=False)
    # Below the square, not over it: inside, the legend would hide unit lines and data.
    ax_c.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, frameon=False, fontsize="small")
    ax_f.plot(biases, fractions, color=COLORS[5], label="fraction of dead units")
    (marker,) = ax_f.plot([0.0], [0.0], "o", color=COLORS[7], label="this bias")
    finish(ax_f, "dead units as the bias falls", "common bias $b$", "fraction dead")
    XW = X @ W.T  # (n, units): the excitation without the bias, computed once

    def update(bias):
        dead = neuron.dead_units(XW + bias)
        lines.set_segments(unit_segments(W, np.full(len(W), bias), limits))
        lines.set_color([DEAD if d else ALIVE for d in dead])
        lines.set_linestyle([(0, (4, 2)) if d else "solid" for d in dead])
        fraction = float(np.mean(dead))
        marker.set_data([bias], [fraction])
        ax_c.set_title(f"bias {bias:.2f}: {int(dead.sum())} of {len(dead)} units dead")
        return {"dead": dead, "fraction": fraction}

    return padded_live(fig, update, {"bias": float_slider(bias, -8.0, 1.0, 0.05, "common bias b")},
                       animated=[lines, marker, ax_c.title])


def depth_explorer(depth: int = 10, activation: str = "sigmoid", init: str = "xavier",
                   width: int = 32, rng=0) -> Live:
    r"""The error :math:`\lVert\delta^{(l)}\rVert` per layer of a deep net, for a chosen activation and init.

    One forward and backward pass of ``nk.MLP([width] * (depth + 1) + [1])`` on 100 random
    inputs with random regression targets (MSE). A dashed grey line shows ReLU with He
    init for comparison. Controls: ``depth``, ``activation``, ``init``. ``result`` is the
    ``neuron.GradientNorms`` drawn.
    """
    data = np.random.default_rng(rng)
    X, Y = data.standard_normal((100, width)), data.standard_normal((100, 1))

    cache = {}

    def norms(depth, activation, init):
        key = (depth, activation, init)
        if key not in cache:
            net = nk.MLP([width] * (depth + 1) + [1], activation=activation, init=init, rng=rng)
            cache[key] = neuron.layer_gradient_norms(net, nk.MSELoss(), X, Y)
        return cache[key]

    fig, ax = new_figure(width=6.0, height=3.8)
    ref = norms(depth, "relu", "he")
    (ref_line,) = ax.semilogy(np.arange(1, depth + 2), ref.errors, "--", color="0.6",
                              label="ReLU, He init")
    (line,) = ax.semilogy(np.arange(1, depth + 2), ref.errors, "o-", color=COLORS[0],
                          label="chosen")
    ax.yaxis.set_minor_formatter(NullFormatter())  # decades only: labels keep their width
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # layers are whole numbers
    ax.set_ylim(1e-12, 10.0)  # the widest labels, so the frozen layout leaves room for them
    finish(ax, "title", "layer $l$ (1 = input side)", r"$\|\delta^{(l)}\|$", legend=True)

    def update(depth, activation, init):
        g, ref = norms(depth, activation, init), norms(depth, "relu", "he")
        layers = np.arange(1, depth + 2)
        line.set_data(layers, g.errors)
        ref_line.set_data(layers, ref.errors)
        both = np.concatenate([g.errors, ref.errors])
        ax.set_xlim(0.5, depth + 1.5)
        lo, hi = min(both.min(), 1e-2 * both.max()) / 3, both.max() * 3  # >= 2 decades
        ax.set_ylim(lo, hi)
        log_minor_ticks(ax.yaxis)  # none over many decades: a comb that costs a third of a redraw
        ratio = g.errors[0] / g.errors[-1]
        ax.set_title(f"{activation}, {init} init: input/output error ratio {ratio:.1e}")
        return g

    controls = {
        "depth": int_slider(depth, 2, 20, "hidden layers"),
        "activation": dropdown(["sigmoid", "tanh", "relu"], activation, "activation"),
        "init": dropdown(["small", "xavier", "he"], init, "init"),
    }
    return padded_live(fig, update, controls)
