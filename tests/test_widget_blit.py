"""Every lecture widget that blits (a ``BlitLive``) shows what a full draw of its figure shows.

A blitting widget redraws only the artists it names over a saved picture of the rest; an
artist its ``update`` changes but does not name, or a change of ticks the background does not
notice, would leave a stale picture. So each control is moved as a student moves it
(``benchmarks.course.moves``, the benchmark's own moves) and after each move the picture is
compared with a full draw of the same figure. (``figure_checks.exercise`` makes the same
check for the widgets the lecture tests build with arguments.)
"""
import pathlib
import sys

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.course import moves, widget_builders  # noqa: E402
from figure_checks import assert_like_a_full_draw  # noqa: E402
from nnkit.viz.live import BlitLive  # noqa: E402

BUILDERS = [(name, builder) for name, builder, problem in widget_builders()
            if builder is not None and not problem and ".l08_" not in name]


# Widgets that draw the whole figure at each redraw, and why (benchmarks/README.md times them).
FULL_DRAW = {"l05_nonlinearities.widgets.depth_explorer": "every control changes the axis limits"}


@pytest.mark.parametrize("name, builder", [(n.removeprefix("nnkit.lectures."), b) for n, b in BUILDERS],
                         ids=[n.removeprefix("nnkit.lectures.") for n, _ in BUILDERS])
def test_blitted_picture_equals_a_full_draw(name, builder):
    live = builder()
    if not isinstance(live, BlitLive):
        assert name in FULL_DRAW, (f"{name} draws its whole figure at each redraw: make it a "
                                   "BlitLive, or list it in FULL_DRAW with the reason")
        return
    for control_name, control in live.controls.items():
        for attribute, value in moves(control, 3):
            setattr(control, attribute, value)
            assert_like_a_full_draw(live.png(), live.fig, f"after {control_name}.{attribute} = {value!r}")


def test_every_full_draw_widget_listed_exists_and_draws_in_full():
    found = {n.removeprefix("nnkit.lectures."): b for n, b in BUILDERS}
    for name in FULL_DRAW:
        assert name in found, f"FULL_DRAW lists {name}, which is no widget builder any more"
        assert not isinstance(found[name](), BlitLive), f"{name} blits now: take it off FULL_DRAW"
