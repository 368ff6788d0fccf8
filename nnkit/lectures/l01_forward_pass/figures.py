"""Figures for lecture 01, the forward pass: units, gates, XOR, output activations, timing.

Each public function returns a ``Figure``. The ``_draw_*`` helpers draw into given axes and
return the artists that ``nnkit.lectures.l01_forward_pass.widgets`` updates in place.
"""
from __future__ import annotations

import numpy as np
from matplotlib import patheffects
from matplotlib.colors import ListedColormap

from nnkit import functional as F
from nnkit.data import xor
from nnkit.viz.grid import plane
from nnkit.viz.style import COLORS, CONTINUOUS, finish, new_figure

from .compute import GATES, logic_unit, truth_table

__all__ = [
    "neuron_response", "gate_units", "xor_views", "output_activations",
    "network_functions", "batch_timing",
]

TWO_CLASSES = ListedColormap([COLORS[0], COLORS[1]], name="okabe_ito_two")

def _boundary(w, b, lo, hi):
    r"""Two points of the line :math:`w_1 x_1 + w_2 x_2 + b = 0` spanning ``[lo, hi]``, or NaNs."""
    w1, w2 = float(w[0]), float(w[1])
    if abs(w2) >= abs(w1) and abs(w2) > 1e-12:
        x1 = np.array([lo, hi])
        return x1, -(w1 * x1 + b) / w2
    if abs(w1) > 1e-12:
        x2 = np.array([lo, hi])
        return -(w2 * x2 + b) / w1, x2
    return np.array([np.nan, np.nan]), np.array([np.nan, np.nan])


def _unit_image(unit, points, resolution):
    return unit.forward(points)[:, 0].reshape(resolution, resolution)


def _draw_neuron(ax, unit, lim=2.0, resolution=100):
    points, extent = plane(-lim, lim, resolution)
    image = ax.imshow(_unit_image(unit, points, resolution), origin="lower", extent=extent,
                      cmap=CONTINUOUS, aspect="auto", interpolation="nearest")
    w, b = unit[0].W[0], unit[0].b[0]
    # white with a black edge: visible on every colour of the map and in the legend
    (line,) = ax.plot(*_boundary(w, b, -lim, lim), "--", color="white", lw=1.5, label="$e = 0$",
                      path_effects=[patheffects.withStroke(linewidth=3, foreground="black")])
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.figure.colorbar(image, ax=ax, shrink=0.85, label="h = f(e)")
    finish(ax, "One neuron: $h = f(w \\cdot x + b)$", "$x_1$", "$x_2$", legend=False)
    ax.legend(loc="upper right", framealpha=0.8)
    return dict(image=image, line=line, points=points, resolution=resolution, lim=lim)


def neuron_response(unit, lim: float = 2.0, resolution: int = 100):
    """The output of one unit ``[Dense(2, 1), activation]`` over the square ``[-lim, lim]^2``.

    The dashed line is where the excitation is zero, :math:`w \\cdot x + b = 0`.
    """
    fig, ax = new_figure(width=5.0, height=4.0)
    _draw_neuron(ax, unit, lim, resolution)
    return fig


def _corners(ax, values):
    """Mark the four corners, coloured by ``values`` (0/1), labelled with the value."""
    X, _ = xor()
    for (x1, x2), v in zip(X, values):
        cls = int(round(float(v)))
        ax.scatter([x1], [x2], s=90, color=COLORS[cls], edgecolor="black", zorder=3)
        ax.annotate(f"{float(v):.2g}", (x1, x2), xytext=(7, 7), textcoords="offset points",
                    fontsize="small")


def _linear_text(w, b) -> str:
    """LaTeX for :math:`w_1 x_1 + w_2 x_2 + b`, writing coefficients of +-1 as signs."""
    text = ""
    for k, c in enumerate(w, start=1):
        sign = "-" if c < 0 else ("+" if text else "")
        size = "" if abs(c) == 1 else f"{abs(c):g}"
        text += f"{sign}{size}x_{k} "
    return text + f"{'-' if b < 0 else '+'} {abs(b):g}"


def gate_units(activation="step", lim=(-0.5, 1.5), resolution=100):
    """OR, NAND and AND as single units: the region where each fires, and its truth table."""
    fig, axes = new_figure(ncols=3, width=3.4, height=3.3)
    points, extent = plane(*lim, resolution)
    for ax, name in zip(axes, ("or", "nand", "and")):
        unit = logic_unit(name, activation)
        ax.imshow(_unit_image(unit, points, resolution), origin="lower", extent=extent,
                  cmap=TWO_CLASSES, vmin=0, vmax=1, alpha=0.35, interpolation="nearest")
        w, b = GATES[name]
        ax.plot(*_boundary(w, b, *lim), "--", color="black", lw=1)
        _corners(ax, truth_table(unit)[1])
        ax.set_xlim(*lim)
        ax.set_ylim(*lim)
        finish(ax, f"{name.upper()} unit\nfires where ${_linear_text(w, b)} \\geq 0$",
               "$x_1$ (input p)", "$x_2$ (input q)")
    return fig


def _draw_xor_plane(ax, net, lim=(-0.5, 1.5), resolution=100):
    points, extent = plane(*lim, resolution)
    image = ax.imshow(net.forward(points)[:, 0].reshape(resolution, resolution), origin="lower",
                      extent=extent, cmap=TWO_CLASSES, vmin=0, vmax=1, alpha=0.35,
                      interpolation="nearest")
    hidden = net[0]
    lines = [ax.plot(*_boundary(hidden.W[k], hidden.b[k], *lim), style, color=COLORS[c],
                     lw=2, label=label)[0]
             for k, (style, c, label) in enumerate([("-", 2, "OR unit: $e_1 = 0$"),
                                                    ("--", 5, "NAND unit: $e_2 = 0$")])]
    X, Y = xor()
    for cls, marker in ((0, "o"), (1, "s")):
        mask = Y[:, 0] == cls
        ax.scatter(X[mask, 0], X[mask, 1], s=80, marker=marker, color=COLORS[cls],
                   edgecolor="black", zorder=3, label=f"XOR = {cls}")
    text = ax.text(0.02, 0.02, "", transform=ax.transAxes, fontsize="small", va="bottom",
                   bbox=dict(facecolor="white", alpha=0.8, edgecolor="none"))
    ax.set_xlim(*lim)
    ax.set_ylim(*lim)
    finish(ax, "XOR network: output 1 on the orange region", "$x_1$ (input p)", "$x_2$ (input q)")
    # below the axes, so that no corner or region of the plane hides behind it
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    return dict(image=image, lines=lines, text=text, points=points, resolution=resolution, lim=lim)


def xor_views(net):
    """Two views of the XOR network ``[Dense(2, 2), f, Dense(2, 1), f]``.

    Left, the input plane: the OR and NAND lines and the region where the output is 1.
    Right, the hidden plane: where the four corners land, :math:`(h_{or}, h_{nand})`, and the
    AND unit's line, which separates them there.
    """
    fig, (left, right) = new_figure(ncols=2, width=4.3, height=4.0)
    _draw_xor_plane(left, net)
    X, Y = xor()
    H = net[1].forward(net[0].forward(X))
    for (h1, h2), (x1, x2), y in zip(H, X, Y[:, 0]):
        right.scatter([h1], [h2], s=80, marker="os"[int(y)], color=COLORS[int(y)],
                      edgecolor="black", zorder=3)
    for (h1, h2), group in _group_by_position(H, X):
        right.annotate(", ".join(f"({int(a)},{int(b)})" for a, b in group), (h1, h2),
                       xytext=(6, -14), textcoords="offset points", fontsize="small")
    w, b = net[2].W[0], net[2].b[0]
    right.plot(*_boundary(w, b, -0.5, 1.5), ":", color="black", lw=1.5,
               label="AND unit: $e^{(2)} = 0$")
    right.set_xlim(-0.3, 1.4)
    right.set_ylim(-0.3, 1.4)
    finish(right, "Hidden plane: the corners become separable", "$h_1$ (OR)", "$h_2$ (NAND)")
    right.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.14))
    return fig


def _group_by_position(H, X):
    groups = {}
    for h, x in zip(np.round(H, 2), X):
        groups.setdefault(tuple(h), []).append(x)
    return groups.items()


def _draw_output_activations(axes, z):
    z = np.asarray(z, dtype=float)
    values = {"identity": z, "sigmoid": F.sigmoid(z), "softmax": F.softmax(z)}
    names = [f"$z_{k + 1}$" for k in range(len(z))]
    bars, titles = {}, {}
    for ax, (name, v) in zip(axes, values.items()):
        bars[name] = ax.bar(names, v, color=COLORS[:len(z)])
        titles[name] = ax.set_title("")
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xlabel("output unit")
    axes[0].set_ylim(-5, 5)
    axes[1].set_ylim(0, 1.05)
    axes[2].set_ylim(0, 1.05)
    for ax, label in zip(axes, ("$\\hat y = z$", "$\\hat y = \\sigma(z)$", "$\\hat y = $softmax$(z)$")):
        ax.set_ylabel(label)
    return dict(bars=bars, axes=axes)


def _label_output_activations(artists, z):
    z = np.asarray(z, dtype=float)
    values = {"identity": z, "sigmoid": F.sigmoid(z), "softmax": F.softmax(z)}
    tasks = {"identity": "regression", "sigmoid": "binary / multi-label",
             "softmax": "multi-class"}
    for ax, (name, v) in zip(artists["axes"], values.items()):
        for bar, height in zip(artists["bars"][name], v):
            bar.set_height(height)
        ax.set_title(f"{name} ({tasks[name]})\nsum = {v.sum():.3f}", fontsize="medium")
    return values


def output_activations(z=(2.0, 1.0, -1.0)):
    """The same logits ``z (K,)`` through identity, sigmoid (each unit alone) and softmax (all together)."""
    fig, axes = new_figure(ncols=3, width=3.0, height=3.2)
    artists = _draw_output_activations(axes, z)
    _label_output_activations(artists, z)
    return fig


def network_functions(nets: dict, x):
    """One panel per entry ``name -> list of nets``: each net's output on the 1-D inputs ``x (n,)``."""
    fig, axes = new_figure(ncols=len(nets), width=4.0, height=3.4)
    axes = np.atleast_1d(axes)
    for ax, (name, group) in zip(axes, nets.items()):
        for k, net in enumerate(group):
            ax.plot(x, net.forward(x[:, None])[:, 0], color=COLORS[k % len(COLORS)],
                    label=f"seed {k}")
        finish(ax, f"hidden activation: {name}", "input $x$", "output $\\hat y$", legend=False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(handles), frameon=False)
    return fig


def batch_timing(batch_sizes, loop_seconds, matrix_seconds):
    """Forward-pass time against batch size, per-example loop vs one matrix product (log-log)."""
    fig, ax = new_figure(width=5.2, height=3.6)
    ax.loglog(batch_sizes, loop_seconds, "o-", color=COLORS[5], label="loop over examples")
    ax.loglog(batch_sizes, matrix_seconds, "s-", color=COLORS[0], label="one matrix product")
    finish(ax, "Forward pass: loop vs matrix", "batch size n", "seconds (best of repeats)", legend=False)
    ax.legend(frameon=False)
    return fig
