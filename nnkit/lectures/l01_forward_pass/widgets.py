"""Live figures for lecture 01: one neuron, the XOR network, output activations.

Each builder returns a :class:`~nnkit.viz.live.BlitLive`; its ``update`` sets the network's
weights in place, recomputes through nnkit and changes the drawn artists' data.
"""
from __future__ import annotations

import numpy as np
from matplotlib.ticker import AutoLocator, MaxNLocator

from nnkit.data import xor
from nnkit.layers import ACTIVATIONS, Dense, Sequential, as_activation
from nnkit.viz.live import BlitLive, dropdown, float_slider
from nnkit.viz.live import freeze_layout as _freeze
from nnkit.viz.style import new_figure

from .compute import truth_table, xor_network
from .figures import (
    _boundary,
    _draw_neuron,
    _draw_output_activations,
    _draw_xor_plane,
    _label_output_activations,
    _unit_image,
)

__all__ = ["freeze_layout", "neuron_widget", "xor_widget", "output_activation_widget"]

_STEPS = [1, 2, 5, 10]   # tick spacings with short labels (0.5, not 0.25)

# The activations to pick from; the colour limits are each one's ACTIVATIONS[name].range,
# so the colour bar means the same across redraws.
_CHOICES = ("step", "sigmoid", "tanh", "relu")


def freeze_layout(fig, ticks: int = 4):
    """Trim every numeric axis to at most ``ticks`` labels (text is most of a redraw's cost),
    then lay the figure out once for good (:func:`nnkit.viz.live.freeze_layout`)."""
    for ax in fig.axes:
        colorbar = getattr(ax, "_colorbar", None)
        if colorbar is not None:
            colorbar.locator = MaxNLocator(ticks, steps=_STEPS)
            continue
        for axis in (ax.xaxis, ax.yaxis):
            if isinstance(axis.get_major_locator(), AutoLocator):
                axis.set_major_locator(MaxNLocator(ticks, steps=_STEPS))
    return _freeze(fig)


def neuron_widget(w=(1.0, -0.5), b=0.5, activation="sigmoid") -> BlitLive:
    """Sliders for :math:`w_1, w_2, b` and a choice of activation over one unit's output.

    ``live.result`` is the unit's output on the 100 x 100 grid, shape (100, 100).
    """
    unit = Sequential([Dense(2, 1), as_activation(activation)])
    unit[0].W[0] = w
    unit[0].b[0] = b
    fig, ax = new_figure(width=5.0, height=4.0)
    art = _draw_neuron(ax, unit)
    art["image"].set_clim(-1, 1)     # lay out for the widest colour-bar labels ("-1.00")
    freeze_layout(fig)

    def update(w1, w2, b, activation):
        unit[0].W[0] = (w1, w2)
        unit[0].b[0] = b
        unit.layers[1] = as_activation(activation)
        h = _unit_image(unit, art["points"], art["resolution"])
        art["image"].set_data(h)
        art["image"].set_clim(*ACTIVATIONS[activation].range)
        art["line"].set_data(*_boundary((w1, w2), b, -art["lim"], art["lim"]))
        return h

    controls = dict(
        w1=float_slider(w[0], -3, 3, 0.1, "$w_1$"),
        w2=float_slider(w[1], -3, 3, 0.1, "$w_2$"),
        b=float_slider(b, -3, 3, 0.1, "bias $b$"),
        activation=dropdown(list(_CHOICES), activation, "activation f"),
    )
    # The weights move only the image and the line, drawn over the rest. An activation has
    # its own colour-bar range: one picture of the still parts per activation, all drawn
    # now, so that a new activation blits too instead of drawing the whole figure.
    return BlitLive(fig, update, controls, [art["image"], art["line"]],
                    still_key=lambda w1, w2, b, activation: activation,
                    prepare=[{"activation": name} for name in _CHOICES if name != activation])


def xor_widget() -> BlitLive:
    r"""The XOR network's hidden weights and thresholds as sliders over its decision regions.

    Unit k fires when :math:`w_{k1} x_1 + w_{k2} x_2 \ge \theta_k` (bias :math:`b_k = -\theta_k`);
    the output unit stays AND. ``live.result`` is ``dict(outputs=(4,), correct=int)``: the
    network's outputs on the corners (0,0), (0,1), (1,0), (1,1) and how many match XOR.
    """
    net = xor_network()
    fig, ax = new_figure(width=5.2, height=4.6)
    art = _draw_xor_plane(ax, net)
    freeze_layout(fig)
    _, targets = xor()

    def update(w_or_1, w_or_2, theta_or, w_nand_1, w_nand_2, theta_nand):
        net[0].W[...] = [[w_or_1, w_or_2], [w_nand_1, w_nand_2]]
        net[0].b[...] = [-theta_or, -theta_nand]
        out = net.forward(art["points"])[:, 0]
        art["image"].set_data(out.reshape(art["resolution"], art["resolution"]))
        for k, line in enumerate(art["lines"]):
            line.set_data(*_boundary(net[0].W[k], net[0].b[k], *art["lim"]))
        _, corners = truth_table(net)
        correct = int(np.sum(corners == targets[:, 0]))
        art["text"].set_text("outputs on (0,0) (0,1) (1,0) (1,1): "
                             + " ".join(f"{v:g}" for v in corners) + f"\n{correct} of 4 match XOR")
        return dict(outputs=corners, correct=correct)

    controls = dict(
        w_or_1=float_slider(1.0, -2, 2, 0.1, "OR $w_1$"),
        w_or_2=float_slider(1.0, -2, 2, 0.1, "OR $w_2$"),
        theta_or=float_slider(0.5, -2, 3, 0.05, r"OR $\theta$"),
        w_nand_1=float_slider(-1.0, -2, 2, 0.1, "NAND $w_1$"),
        w_nand_2=float_slider(-1.0, -2, 2, 0.1, "NAND $w_2$"),
        theta_nand=float_slider(-1.5, -3, 2, 0.05, r"NAND $\theta$"),
    )
    # The corners lie above the regions: redrawn with them.
    return BlitLive(fig, update, controls, [art["image"], *art["lines"], *ax.collections,
                                            art["text"]])


def output_activation_widget(z=(2.0, 1.0, -1.0)) -> BlitLive:
    """Three logits as sliders; bars show them through identity, sigmoid and softmax.

    ``live.result`` is ``dict(identity=(3,), sigmoid=(3,), softmax=(3,))``.
    """
    fig, axes = new_figure(ncols=3, width=3.0, height=3.2)
    art = _draw_output_activations(axes, z)
    _label_output_activations(art, z)
    freeze_layout(fig)

    def update(z1, z2, z3):
        return _label_output_activations(art, (z1, z2, z3))

    controls = {f"z{k + 1}": float_slider(v, -5, 5, 0.1, f"logit $z_{k + 1}$")
                for k, v in enumerate(z)}
    # The fixed limits keep every tick: only the bars, the zero lines over them and the
    # titles are drawn at a redraw.
    moving = [a for ax in axes for a in (*ax.patches, *ax.lines, ax.title)]
    return BlitLive(fig, update, controls, moving, columns=3)
