r"""Figures for lecture 04: the MSE minimiser, total vs partial derivatives, the semicircle run,
a computational graph (values forward, gradients backward) and the cost of one gradient.

Each public function returns a ``Figure``. The ``draw_*`` helpers draw into given axes
and return the artists that :mod:`nnkit.lectures.l04_backpropagation.widgets` moves.
"""
from __future__ import annotations

import numpy as np

from nnkit.viz.style import COLORS, finish, new_figure

__all__ = [
    "mse_of_constant", "draw_mse_of_constant", "conditional_mean", "total_vs_partial",
    "semicircle", "draw_outputs", "unit_updates", "draw_unit_updates", "boundary_line", "arrow_scale",
    "gradient_cost", "draw_graph",
]


# Arrow heads that stay visible on short arrows (quiver's defaults drop them below a few widths).
ARROWS = dict(angles="xy", scale_units="xy", scale=1, width=0.005, headwidth=4, headlength=5,
              headaxislength=4.5, minlength=0.2)


def draw_mse_of_constant(ax_hist, ax_loss, y, c, losses, bins=30, span=(-3, 5)):
    """Histogram of ``y`` (left) and the loss of each constant guess (right); returns the artists.

    ``span`` is the histogram's range; ``None`` fits it to the data.
    """
    span = (float(np.min(y)), float(np.max(y))) if span is None else span
    _, _, bars = ax_hist.hist(y, bins=bins, range=span, color=COLORS[4], label="targets $y$")
    mean_line = ax_hist.axvline(np.mean(y), color=COLORS[5], lw=2, label="mean of $y$")
    (curve,) = ax_loss.plot(c, losses, color=COLORS[0], label="loss of the constant $c$")
    best = int(np.argmin(losses))
    (marker,) = ax_loss.plot([c[best]], [losses[best]], "v", color=COLORS[7], ms=9,
                             label="smallest loss on the grid")
    mean_line2 = ax_loss.axvline(np.mean(y), color=COLORS[5], lw=2, ls="--", label="mean of $y$")
    return bars, mean_line, curve, marker, mean_line2


def mse_of_constant(y, c, losses):
    r"""The targets of one input and :math:`L(c) = \frac{1}{2n}\sum_i (y_i - c)^2` over a grid of constants.

    y : ndarray (n,);  c, losses : ndarray (m,)
    """
    fig, (ax, ax2) = new_figure(2, width=4.4, height=3.4)
    draw_mse_of_constant(ax, ax2, y, c, losses, span=None)   # no empty stretch of axis
    lo, hi = max(float(np.min(y)), float(np.min(c))), min(float(np.max(y)), float(np.max(c)))
    ax2.set_xlim(lo, hi)
    inside = (c >= lo) & (c <= hi)
    ax2.set_ylim(0, 1.05 * float(np.max(losses[inside])))
    finish(ax, f"{len(y)} noisy targets for one input", "$y$", "count")
    finish(ax2, "MSE of a constant prediction", "constant prediction $c$", "$L(c)$")
    return fig


def conditional_mean(X, Y, mean, xs, fit):
    r"""Noisy data, the conditional mean :math:`E[y \mid x]` and a network trained with MSE.

    X, Y, mean : ndarray (n, 1);  xs, fit : ndarray (m, 1)
    """
    fig, ax = new_figure(width=6.0, height=3.8)
    ax.plot(X[:, 0], Y[:, 0], ".", color=COLORS[4], ms=3, alpha=0.5, label="noisy targets $y_i$")
    ax.plot(X[:, 0], mean[:, 0], color=COLORS[7], lw=2.5, label=r"$E[y \mid x]$")
    ax.plot(xs[:, 0], fit[:, 0], "--", color=COLORS[5], lw=2, label=r"network $\hat y(x)$")
    finish(ax, "A network trained with MSE approaches the conditional mean", "$x$", "$y$")
    return fig


def total_vs_partial(x, total_curve, partial_curve, x0, total_slope, partial_slope):
    r"""Two ways to move :math:`x` in :math:`f(x, y)`: with :math:`y = y(x)` following, or with :math:`y` held.

    x, total_curve, partial_curve : ndarray (m,);  x0, total_slope, partial_slope : float
    """
    fig, ax = new_figure(width=5.6, height=3.8)
    # The curves wide and pale, the tangents thin, dark, dashed and short, so that a tangent
    # stays visible where it touches its curve.
    ax.plot(x, total_curve, color=COLORS[0], lw=4, alpha=0.45, label=r"$f(x, y(x))$: $y$ follows $x$")
    ax.plot(x, partial_curve, color=COLORS[1], lw=4, alpha=0.45,
            label=rf"$f(x, y_0)$: $y$ held at $y({x0:g})$")
    f0 = np.interp(x0, x, total_curve)
    near = x[np.abs(x - x0) <= 0.35 * (x.max() - x.min())]
    for slope, color, name in ((total_slope, COLORS[0], "total"),
                               (partial_slope, COLORS[5], "partial")):
        ax.plot(near, f0 + slope * (near - x0), "--", color=color, lw=1.8,
                label=f"tangent, slope {slope:.3g} ({name} derivative)")
    ax.plot([x0], [f0], "o", color=COLORS[7])
    ax.set_ylim(min(total_curve.min(), partial_curve.min()) - 0.5,
                max(total_curve.max(), partial_curve.max()) + 0.5)
    finish(ax, "Total and partial derivative at the same point", "$x$", "$f$")
    return fig


def arrow_scale(vectors, length: float) -> float:
    """The factor that makes the longest of ``vectors (m, 2)`` as long as ``length``."""
    longest = float(np.max(np.linalg.norm(vectors, axis=-1), initial=0.0))
    return length / longest if longest > 0 else 1.0


def draw_outputs(ax, Y, Yhat):
    r"""Targets, outputs and error vectors in the output plane; returns ``(outputs, arrows)``.

    The arrows are :math:`y_i - \hat y_i = -n\,\varepsilon_i`, drawn from each output to its target
    (where the output should go): their heads sit on the spread-out targets, not on the bunch of
    outputs, where they would hide under the dots.
    """
    ax.plot(Y[:, 0], Y[:, 1], "-", color="0.55", lw=1.5, label="targets $y_i$ (parabola)")
    (outputs,) = ax.plot(Yhat[:, 0], Yhat[:, 1], "o", color=COLORS[5], ms=4,
                         label=r"outputs $\hat y_i$")
    D = Y - Yhat
    arrows = ax.quiver(Yhat[:, 0], Yhat[:, 1], D[:, 0], D[:, 1], color=COLORS[3], **ARROWS,
                       label=r"$y_i - \hat y_i = -n\,\varepsilon_i$")
    ax.set_xlim(-1.6, 1.6)
    ax.set_ylim(-0.9, 1.6)
    return outputs, arrows


def semicircle(X, Y, Yhat, title="Outputs and their errors"):
    r"""The semicircle :math:`\to` parabola example: inputs, targets, outputs, error vectors.

    X, Y, Yhat : ndarray (n, 2)
    """
    fig, (ax, ax2) = new_figure(2, width=4.4, height=3.8)
    ax.plot(X[:, 0], X[:, 1], "o", color=COLORS[0], ms=4, label="inputs $x_i$")
    ax.set_aspect("equal")
    ax.set_xlim(-1.3, 1.3)
    ax.set_ylim(-0.3, 1.3)
    draw_outputs(ax2, Y, Yhat)
    finish(ax, "Inputs: the upper semicircle", "$x_0$", "$x_1$")
    finish(ax2, title, r"$y_0$, $\hat y_0$", r"$y_1$, $\hat y_1$")
    return fig


def draw_unit_updates(ax2, ax1, X, Y, Yhat, h, delta, w1, b1):
    r"""What one gradient step does to column :math:`j` of :math:`W^{(2)}` and row :math:`k = j` of :math:`W^{(1)}`.

    Left (output plane): at each output, the vector :math:`h_{ji}(y_i - \hat y_i)`;
    column :math:`j` moves by their sum times :math:`\eta/n`. Right (input plane): at
    each input, :math:`-\delta_{ki} x_i`; row :math:`k` moves by their sum times
    :math:`\eta`; the line is where unit :math:`k` switches, :math:`\bar w_k x + b_k = 0`.

    h, delta : ndarray (n,), the unit's activations and back-propagated errors;
    w1 : (2,) row k of W1; b1 : float.  Returns the artists.
    """
    ax2.plot(Y[:, 0], Y[:, 1], "-", color="0.55", lw=1.5, label="targets (parabola)")
    (outputs,) = ax2.plot(Yhat[:, 0], Yhat[:, 1], "o", color=COLORS[5], ms=3,
                          label=r"outputs $\hat y_i$")
    pull = ax2.quiver(Yhat[:, 0], Yhat[:, 1], *(h[:, None] * (Y - Yhat)).T, color=COLORS[0],
                      **ARROWS, label=r"$h_{ji}\,(y_i - \hat y_i)$")
    ax2.set_xlim(-1.6, 1.6)
    ax2.set_ylim(-0.9, 1.6)
    ax1.plot(X[:, 0], X[:, 1], "o", color="0.6", ms=3, label="inputs $x_i$")
    push = ax1.quiver(X[:, 0], X[:, 1], *(-delta[:, None] * X).T, color=COLORS[2], **ARROWS,
                      label=r"$-\delta_{ki}\,x_i$ (scaled)")
    (boundary,) = ax1.plot([], [], color=COLORS[3], lw=2, label=r"$\bar w_k x + b_k = 0$")
    ax1.set_aspect("equal")
    ax1.set_xlim(-1.5, 1.5)
    ax1.set_ylim(-0.5, 1.5)
    return outputs, pull, push, boundary


def boundary_line(w1, b1, lim=3.0):
    r"""Two points of the line :math:`w_0 x_0 + w_1 x_1 + b = 0` (a tiny ``w`` gives an empty line).

    w1 : (2,), b1 : float -> xs (2,), ys (2,)
    """
    w0, w1_ = w1
    if abs(w1_) >= abs(w0) and abs(w1_) > 1e-12:
        xs = np.array([-lim, lim])
        return xs, -(b1 + w0 * xs) / w1_
    if abs(w0) > 1e-12:
        ys = np.array([-lim, lim])
        return -(b1 + w1_ * ys) / w0, ys
    return np.array([]), np.array([])


def unit_updates(X, Y, Yhat, h, delta, w1, b1, j):
    """Figure of :func:`draw_unit_updates` for hidden unit ``j``."""
    fig, (ax2, ax1) = new_figure(2, width=4.4, height=3.8)
    outputs, pull, push, boundary = draw_unit_updates(ax2, ax1, X, Y, Yhat, h, delta, w1, b1)
    s = arrow_scale(-delta[:, None] * X, 0.4)
    push.set_UVC(*(s * -delta[:, None] * X).T)
    boundary.set_data(*boundary_line(w1, b1))
    finish(ax2, f"Layer 2: column {j} moves along these", r"$y_0$", r"$y_1$")
    finish(ax1, f"Layer 1: row {j} moves along these", "$x_0$", "$x_1$")
    return fig


# ---------------------------------------------------------------- why back-propagation is cheap (section 8)

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


# ---------------------------------------------------------------- a computational graph (section 7)

_VALUE, _GRAD = COLORS[2], COLORS[5]


_SYMBOL = {"*": "×", "+": "+", "max": "max"}


def draw_graph(output, positions: dict, title: str = "A computational graph"):
    """Draw every node of ``output.graph()`` at ``positions[node.name]``, with values and gradients.

    An operation is drawn as its symbol, an input as its name; on each wire, the value that
    flows forward (above) and the gradient of the node it leaves (below; right when that node
    feeds one other node only).

    Parameters
    ----------
    output : graph.Node
        After ``output.backward()``, so that each node's ``grad`` is set.
    positions : dict of str -> (float, float)
        Where each node goes, keyed by its (unique) name.
    """
    nodes = output.graph()
    missing = [n for n in nodes if n.name not in positions]
    if missing:
        raise ValueError(f"positions has no place for the nodes {missing}; it has {sorted(positions)}")
    fig, ax = new_figure(width=8.0, height=3.6)
    for node in nodes:
        x, y = positions[node.name]
        for parent in node.parents:
            px, py = positions[parent.name]
            ax.annotate("", xy=(x - 0.18, y), xytext=(px + 0.18, py),
                        arrowprops=dict(arrowstyle="->", color="0.4", lw=1.2))
            mx, my = px + 0.3 * (x - px), py + 0.3 * (y - py)     # near the wire's start
            ax.text(mx, my + 0.12, f"{parent.value:g}", color=_VALUE, ha="center", fontsize="small")
            ax.text(mx, my - 0.22, f"{parent.grad:g}", color=_GRAD, ha="center", fontsize="small")
        ax.text(x, y, _SYMBOL.get(node.op, node.name), ha="center", va="center", fontsize="medium",
                bbox=dict(boxstyle="circle", facecolor="white", edgecolor=COLORS[0]))
    x, y = positions[output.name]
    ax.text(x + 0.45, y + 0.12, f"{output.value:g}", color=_VALUE, fontsize="small")
    ax.text(x + 0.45, y - 0.22, f"{output.grad:g}", color=_GRAD, fontsize="small")
    ax.plot([], [], color=_VALUE, label="value (forward)")
    ax.plot([], [], color=_GRAD, label="gradient $\\partial f/\\partial(\\cdot)$ (backward)")
    xs, ys = zip(*positions.values())
    ax.set_xlim(min(xs) - 0.5, max(xs) + 1.0)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title)
    ax.set_xlabel("forward pass: left to right; backward pass: right to left")
    ax.set_ylabel("inputs on the left")
    ax.legend(frameon=False, fontsize="small", loc="lower right")
    return fig
