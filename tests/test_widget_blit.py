"""Every lecture widget that blits (a ``BlitLive``) shows what a full draw of its figure shows.

A blitting widget redraws only the artists it names over a saved picture of the rest; an
artist its ``update`` changes but does not name, or a change of ticks the background does not
notice, would leave a stale picture. So each control is moved as a student moves it
(``benchmarks.course.moves``, the benchmark's own moves) and after each move the picture is
compared with a full draw of the same figure.
"""
import io
import pathlib
import sys

import matplotlib
import numpy as np
import pytest
from PIL import Image

matplotlib.use("Agg")

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.course import moves, widget_builders  # noqa: E402
from nnkit.viz.blit import png  # noqa: E402
from nnkit.viz.live import BlitLive  # noqa: E402

BUILDERS = [(name, builder) for name, builder, problem in widget_builders()
            if builder is not None and not problem and ".l08_" not in name]


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=int)


@pytest.mark.parametrize("builder", [b for _, b in BUILDERS],
                         ids=[n.removeprefix("nnkit.lectures.") for n, _ in BUILDERS])
def test_blitted_picture_equals_a_full_draw(builder):
    live = builder()
    if not isinstance(live, BlitLive):
        pytest.skip("draws the whole figure at each redraw: nothing to compare")
    for name, control in live.controls.items():
        for attribute, value in moves(control, 3):
            setattr(control, attribute, value)
            fast = pixels(live.png())
            full = pixels(png(live.fig))
            assert fast.shape == full.shape
            differ = np.abs(fast - full).max(axis=2) > 2
            # Only where tick marks cross a spine may the two differ (blit.Frame).
            assert np.mean(differ) < 1e-3, (
                f"after {name}.{attribute} = {value!r}, {differ.sum()} pixels of the blitted "
                f"picture differ from a full draw")
