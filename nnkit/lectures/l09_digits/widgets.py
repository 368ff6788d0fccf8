"""Lecture 09's live figure: a test digit, moved by a pixel or two, and the network's probabilities."""
from __future__ import annotations

import numpy as np

from ...viz.style import COLORS, finish, new_figure
from ...viz.live import BlitLive, dropdown, int_slider
from . import compute
from .figures import GREYS

__all__ = ["SUBSETS", "digit_explorer"]

SUBSETS = ("all test digits", "the misclassified ones")


def digit_explorer(net, d: compute.Digits) -> BlitLive:
    """Pick a test digit (all, or only the misclassified ones), shift it, see its probabilities.

    Controls: ``subset`` (one of ``SUBSETS``), ``index`` (the k-th digit of the subset,
    taken modulo its size), ``dx`` and ``dy`` (pixels right and down). ``live.result`` is
    ``(test row, probabilities (10,))`` of the digit shown.
    """
    pixels, y = d.raw_test, d.test[1]
    wrong = np.flatnonzero(compute.probabilities(net, d.test[0]).argmax(axis=1) != y)
    rows = {SUBSETS[0]: np.arange(len(y)), SUBSETS[1]: wrong if len(wrong) else np.arange(len(y))}

    fig, (ax_img, ax_p) = new_figure(2, 1, width=3.9, height=3.4,
                                     gridspec_kw={"width_ratios": [1, 1.5]})
    image = ax_img.imshow(np.zeros((8, 8)), cmap=GREYS, vmin=0, vmax=16, interpolation="nearest")
    ax_img.set_xticks([0, 7])
    ax_img.set_yticks([0, 7])
    finish(ax_img, "title", "pixel column", "pixel row")
    bars = ax_p.bar(range(10), np.zeros(10), color=COLORS[4])
    ax_p.set_xticks(range(10))
    ax_p.set_ylim(0, 1.05)
    finish(ax_p, "title", "digit", "probability")

    def update(subset, index, dx, dy):
        row = int(rows[subset][index % len(rows[subset])])
        moved = compute.shift(pixels[row], dx, dy)
        P = compute.probabilities(net, d.prepare(moved))[0]
        image.set_data(moved.reshape(8, 8))
        guess = int(P.argmax())
        for k, bar in enumerate(bars):
            bar.set_height(P[k])
            bar.set_color(COLORS[2] if k == y[row] else COLORS[5] if k == guess else COLORS[4])
        ax_img.set_title(f"test #{row}: a {y[row]}" + (f", moved ({dx:+d}, {dy:+d})" if dx or dy else ""))
        verdict = "right" if guess == y[row] else "wrong"
        ax_p.set_title(f"says {guess} ({P[guess]:.0%}): {verdict}  (green: the true digit)")
        return row, P

    controls = {"subset": dropdown(list(SUBSETS), SUBSETS[0], "show"),
                "index": int_slider(0, 0, len(y) - 1, "digit k"),
                "dx": int_slider(0, -2, 2, "move right"),
                "dy": int_slider(0, -2, 2, "move down")}
    # Fixed limits: the digit, the bars and the titles are drawn over the rest.
    return BlitLive(fig, update, controls, [image, *bars, ax_img.title, ax_p.title])
