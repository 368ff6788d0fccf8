"""Checks every lecture's figures and widgets share: labelled axes, live redraws that change."""
import io

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from nnkit.viz.blit import png
from nnkit.viz.live import BlitLive


def assert_labelled(fig):
    """A Figure whose every visible plotting axes (colour bars aside) has a title and both axis labels."""
    assert isinstance(fig, Figure), f"expected a matplotlib Figure, got {type(fig).__name__}"
    axes = [ax for ax in fig.axes if ax.get_visible() and getattr(ax, "_colorbar", None) is None]
    assert axes, "the figure has no axes"
    for ax in axes:
        assert ax.get_title().strip(), f"an axes has no title (labels {ax.get_xlabel()!r}, {ax.get_ylabel()!r})"
        assert ax.get_xlabel().strip() and ax.get_ylabel().strip(), \
            f"axes titled {ax.get_title()!r} lacks an axis label: x={ax.get_xlabel()!r}, y={ax.get_ylabel()!r}"


def exercise(live, changes, control=None, values=()):
    """Set controls as a student would: every change must change the picture.

    Parameters
    ----------
    changes : dict or list of dict
        A dict is applied one control at a time; a list, one dict at a time.
    control, values
        Further changes of one control, each of which must change the picture too.

    How long a redraw takes is measured by ``make bench`` (``benchmarks/course.py``), never
    asserted here: a slower or busier machine must not fail the tests.
    """
    steps = [{k: v} for k, v in changes.items()] if isinstance(changes, dict) else list(changes)
    steps += [{control: value} for value in values]
    for step in steps:
        before = live.png()
        live.set(**step)
        shown = live.png()
        assert shown != before, f"setting {step} did not change the picture"
        if isinstance(live, BlitLive):
            assert_like_a_full_draw(shown, live.fig, f"after setting {step}")


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=int)


def assert_like_a_full_draw(shown: bytes, fig, when: str = ""):
    """A blitted picture (PNG bytes) shows what a full draw of ``fig`` shows.

    A ``BlitLive`` redraws only the artists it names over a saved picture of the rest: an
    artist its ``update`` changes without naming it would be left stale. Only where tick
    marks cross a spine may the two pictures differ (see ``nnkit.viz.blit.Frame``).
    """
    fast, full = pixels(shown), pixels(png(fig))
    assert fast.shape == full.shape, f"{when}: the blitted picture is {fast.shape}, a full draw {full.shape}"
    differ = np.abs(fast - full).max(axis=2) > 2
    assert np.mean(differ) < 1e-3, \
        f"{when}: {differ.sum()} pixels of the blitted picture differ from a full draw"
