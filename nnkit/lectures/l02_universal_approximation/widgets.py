"""Live figures for lecture 02: the N-step approximation, the 2-2-1 tanh band, deep against shallow.

Each builder returns a :class:`~nnkit.viz.live.Live`; ``update`` rebuilds the (tiny) network
with nnkit's computing functions and changes the drawn artists' data in place.
"""
from __future__ import annotations

import numpy as np

from nnkit.viz.live import BlitLive, dropdown, float_slider, freeze_layout, int_slider, log_slider
from nnkit.viz.style import new_figure

from . import depth
from .compute import TARGETS, _target, band_target, ridge_net
from .figures import (DEPTH_GRID, _draw_ridge_live, _draw_staircase, _section, _staircase_curves,
                      draw_two_networks)

__all__ = ["staircase_widget", "ridge_widget", "depth_widget"]


def staircase_widget(N: int = 8, steepness: float = 10.0, target: str = "wave") -> BlitLive:
    """Sliders for N and the steepness (per knot spacing) over target and approximation.

    ``live.result`` is ``dict(max_error=float, rms_error=float)`` on the drawn grid.
    """
    fig, axes = new_figure(nrows=2, width=6.0, height=2.6)
    art = _draw_staircase(axes, target, N, steepness)
    axes[0].legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=2)   # off the curves
    freeze_layout(fig)
    x = art["x"]

    def update(N, steepness, target):
        f = _target(target)
        y = f(x)
        yhat, b, terms = _staircase_curves(f, N, steepness, x)
        art["target"].set_ydata(y)
        art["approx"].set_ydata(yhat)
        art["steps"].set_segments([np.column_stack([x, t]) for t in terms.T])
        art["bias"].set_ydata([b, b])
        axes[0].set_ylim(y.min() - 0.25, y.max() + 0.25)
        gap = yhat - y
        result = dict(max_error=float(np.abs(gap).max()), rms_error=float(np.sqrt(np.mean(gap ** 2))))
        art["text"].set_text(f"N = {N}: max error {result['max_error']:.3g}, "
                             f"RMS error {result['rms_error']:.3g}")
        return result

    controls = dict(
        N=int_slider(N, 1, 64, "hidden units N"),
        steepness=log_slider(steepness, 0, 2, "steepness s"),
        target=dropdown(list(TARGETS), target, "target f"),
    )
    # The limits change with the target only: one picture of the still parts per target,
    # all drawn now, so that every redraw draws just the curves over one of them.
    moving = [art[name] for name in ("target", "approx", "steps", "bias", "text")]
    return BlitLive(fig, update, controls, moving, columns=3,
                    still_key=lambda N, steepness, target: target,
                    prepare=[{"target": name} for name in TARGETS if name != target])


def ridge_widget(half_width: float = 1.0) -> BlitLive:
    r"""The 2-2-1 tanh example with its six numbers as sliders.

    :math:`\hat y = b^{(2)} + w^{(2)}_1 \tanh(s(x_1 + x_2 - t_1)) + w^{(2)}_2 \tanh(s(x_1 + x_2 - t_2))`.
    ``live.result`` is the RMS error against the band target on the grid.
    """
    fig, axes = new_figure(ncols=2, width=4.4, height=3.6)
    art = _draw_ridge_live(axes, ridge_net(), half_width)
    freeze_layout(fig)
    target = band_target(art["points"], half_width)[:, 0]
    res = art["resolution"]

    def update(s, t1, t2, w1, w2, b):
        net = ridge_net(s, (t1, t2), (w1, w2), b)   # six numbers: rebuilding is cheapest
        yhat = net.forward(art["points"])[:, 0]
        art["image"].set_data(yhat.reshape(res, res))
        u, h, section, _ = _section(net, half_width, art["lim"])
        art["lines"]["h1"].set_ydata(h[:, 0])
        art["lines"]["h2"].set_ydata(h[:, 1])
        art["lines"]["yhat"].set_ydata(section)
        rms = float(np.sqrt(np.mean((yhat - target) ** 2)))
        art["text"].set_text(f"RMS error vs target: {rms:.3f}")
        return rms

    controls = dict(
        s=log_slider(3.0, -0.5, 1.5, "steepness s"),
        b=float_slider(-1.0, -2, 2, 0.05, "$b^{(2)}$"),
        t1=float_slider(-1.0, -3, 3, 0.05, "cliff 1 at $t_1$"),
        t2=float_slider(1.0, -3, 3, 0.05, "cliff 2 at $t_2$"),
        w1=float_slider(1.0, -2, 2, 0.05, "$w^{(2)}_1$"),
        w2=float_slider(-1.0, -2, 2, 0.05, "$w^{(2)}_2$"),
    )
    # The band's dotted edges lie over the image: redrawn with it.
    moving = [art["image"], *axes[0].lines, art["text"],
              *(art["lines"][name] for name in ("h1", "h2", "yhat"))]
    return BlitLive(fig, update, controls, moving)


def depth_widget(k: int = 4, m: int = 8) -> BlitLive:
    """The sawtooth :math:`T^k`, the deep net and the best shallow net on ``m`` corners.

    ``live.result`` is ``dict(deep_pieces, shallow_pieces, shallow_rms)``.
    """
    fig, ax = new_figure(width=7.5, height=3.6)
    art = draw_two_networks(ax, k, m)

    def update(k, m):
        target = depth.sawtooth(DEPTH_GRID, k)
        deep = depth.tent_net(k)
        shallow, rms = depth.shallow_fit(target, depth.corners(k, m), DEPTH_GRID)
        art["target"].set_ydata(target)
        art["deep"].set_ydata(deep.forward(DEPTH_GRID[:, None])[:, 0])
        art["shallow"].set_ydata(shallow.forward(DEPTH_GRID[:, None])[:, 0])
        result = dict(deep_pieces=depth.count_pieces(lambda x: deep.forward(x[:, None])),
                      shallow_pieces=depth.count_pieces(lambda x: shallow.forward(x[:, None])),
                      shallow_rms=rms)
        art["text"].set_text(
            f"target: {2 ** k} pieces | deep ({2 * k} units): {result['deep_pieces']} pieces\n"
            f"shallow ({m} units): {result['shallow_pieces']} pieces, RMS error {rms:.3f}")
        return result

    controls = dict(k=int_slider(k, 1, 6, "compositions k"), m=int_slider(m, 1, 70, "shallow units m"))
    return BlitLive(fig, update, controls, animated=[art[name] for name in ("target", "deep", "shallow", "text")])
