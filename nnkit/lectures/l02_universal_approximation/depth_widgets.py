"""The live figure of "why depth": sliders for the compositions k and the shallow width m."""
from __future__ import annotations

from ...plots.style import new_figure
from ...widgets.live import BlitLive, int_slider
from . import depth
from .depth_figures import GRID, draw_two_networks

__all__ = ["depth_widget"]


def depth_widget(k: int = 4, m: int = 8) -> BlitLive:
    """The sawtooth :math:`T^k`, the deep net and the best shallow net on ``m`` corners.

    ``live.result`` is ``dict(deep_pieces, shallow_pieces, shallow_rms)``.
    """
    fig, ax = new_figure(width=7.5, height=3.6)
    art = draw_two_networks(ax, k, m)

    def update(k, m):
        target = depth.sawtooth(GRID, k)
        deep = depth.tent_net(k)
        shallow, rms = depth.shallow_fit(target, depth.corners(k, m), GRID)
        art["target"].set_ydata(target)
        art["deep"].set_ydata(deep.forward(GRID[:, None])[:, 0])
        art["shallow"].set_ydata(shallow.forward(GRID[:, None])[:, 0])
        result = dict(deep_pieces=depth.count_pieces(lambda x: deep.forward(x[:, None])),
                      shallow_pieces=depth.count_pieces(lambda x: shallow.forward(x[:, None])),
                      shallow_rms=rms)
        art["text"].set_text(
            f"target: {2 ** k} pieces | deep ({2 * k} units): {result['deep_pieces']} pieces\n"
            f"shallow ({m} units): {result['shallow_pieces']} pieces, RMS error {rms:.3f}")
        return result

    controls = dict(k=int_slider(k, 1, 6, "compositions k"), m=int_slider(m, 1, 70, "shallow units m"))
    return BlitLive(fig, update, controls, animated=[art[name] for name in ("target", "deep", "shallow", "text")])
