"""Checks every lecture's figures and widgets share: labelled axes, live redraws that are fast."""
import time

import numpy as np
from matplotlib.figure import Figure


def assert_labelled(fig):
    """A Figure whose every visible plotting axes (colour bars aside) has a title and both axis labels."""
    assert isinstance(fig, Figure), f"expected a matplotlib Figure, got {type(fig).__name__}"
    axes = [ax for ax in fig.axes if ax.get_visible() and getattr(ax, "_colorbar", None) is None]
    assert axes, "the figure has no axes"
    for ax in axes:
        assert ax.get_title().strip(), f"an axes has no title (labels {ax.get_xlabel()!r}, {ax.get_ylabel()!r})"
        assert ax.get_xlabel().strip() and ax.get_ylabel().strip(), \
            f"axes titled {ax.get_title()!r} lacks an axis label: x={ax.get_xlabel()!r}, y={ax.get_ylabel()!r}"


def exercise(live, changes, timing_control=None, timing_values=(), limit=0.15):
    """Set controls as a student would: every change must change the picture, and the median
    redraw (``update`` plus the PNG) must stay under ``limit`` seconds.

    Parameters
    ----------
    changes : dict or list of dict
        A dict is applied one control at a time; a list, one dict at a time.
    timing_control, timing_values
        Further redraws of one control, timed with the others.

    A redraw's cost is this process's CPU time, which is what a student's otherwise idle
    kernel waits for; the wall clock (``live.last_seconds``, in the message) also counts
    whatever else a shared test machine runs.

    Returns
    -------
    float
        The median CPU seconds of a redraw.
    """
    steps = [{k: v} for k, v in changes.items()] if isinstance(changes, dict) else list(changes)
    steps += [{timing_control: value} for value in timing_values]
    cpu, wall = [], []
    for step in steps:
        before = live.png()
        start = time.process_time()
        live.set(**step)
        cpu.append(time.process_time() - start)
        wall.append(live.last_seconds)
        assert live.png() != before, f"setting {step} did not change the picture"
    median = float(np.median(cpu))
    assert median < limit, (f"median redraw {1e3 * median:.0f} ms of CPU over {len(cpu)} redraws "
                            f"(wall clock {1e3 * np.median(wall):.0f} ms); keep it under {1e3 * limit:.0f} ms")
    return median
