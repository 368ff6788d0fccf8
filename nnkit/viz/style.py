"""One look for every figure: the Okabe-Ito palette, titles, labels and legends."""
from __future__ import annotations

import base64
import functools
import sys

import matplotlib
import matplotlib.pyplot
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import LogLocator, NullLocator

__all__ = ["COLORS", "CMAP", "CONTINUOUS", "OVERHANG_PIXELS", "LOG_MINOR_DECADES", "new_figure",
           "finish", "log_minor_ticks", "notebook_png"]

# matplotlib >= 3.9 loads the backend lazily, on the first pyplot figure; in a Jupyter kernel
# it is loading the inline backend that registers the PNG display of Figure objects, so load
# it now (every figure module imports this one): a returned Figure then shows as a picture,
# not as "<Figure size ...>".
matplotlib.pyplot.switch_backend(matplotlib.get_backend())


# How far a laid-out figure may reach past its canvas and still be shown as drawn: the
# anti-aliased edge of a glyph (tall mathtext titles reach 0.2 pixels above the top).
OVERHANG_PIXELS = 1.5


def notebook_png(fig) -> str | None:
    """A figure's picture for the notebook, from one draw; ``None``: draw it the usual way.

    The inline backend shows a figure with ``bbox_inches="tight"``, which draws it twice:
    once to find the box around everything drawn, once into that box. A figure with
    constrained layout already fits its axes, labels and legends into the canvas, so one
    draw of the canvas is the picture (35-40% less CPU per figure, and the lectures show
    73 such figures). A figure without a layout engine (placed by hand, or a widget's,
    whose layout was frozen) is drawn once too and cut to the tight box, padded by
    ``savefig.pad_inches`` as the inline backend pads it. Where something reaches outside
    the canvas by more than :data:`OVERHANG_PIXELS` (a title wider than the figure), the
    draw does not hold it: this returns ``None`` and the figure is drawn tight.
    """
    engine = fig.get_layout_engine()
    laid_out = isinstance(engine, ConstrainedLayoutEngine)
    if not laid_out and engine is not None:
        return None
    from . import blit  # imports the Agg canvas, which only a notebook needs here

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    box = fig.get_tightbbox(canvas.get_renderer())  # text extents are cached by the draw
    width, height = fig.get_size_inches()
    slack = OVERHANG_PIXELS / fig.dpi
    if box.x0 < -slack or box.y0 < -slack or box.x1 > width + slack or box.y1 > height + slack:
        return None
    rgb = np.asarray(canvas.buffer_rgba())[:, :, :3]
    if not laid_out:
        rgb = _tight_crop(rgb, box.padded(matplotlib.rcParams["savefig.pad_inches"]), fig)
    return base64.b64encode(blit.encode_rgb(rgb)).decode("ascii")


def _tight_crop(rgb, box, fig):
    """The part of the drawn ``(h, w, 3)`` picture inside ``box`` (inches, from the lower left),
    as ``bbox_inches="tight"`` would draw it: where the box passes the canvas, the figure's
    face colour fills in."""
    dpi = fig.dpi
    h, w, _ = rgb.shape
    out_w, out_h = int(box.width * dpi), int(box.height * dpi)
    # Agg counts rows from the bottom: the tight picture keeps the box's lower edge, and
    # truncating its height to whole pixels drops the top row's fraction.
    left, top = round(box.x0 * dpi), h - round(box.y0 * dpi) - out_h
    face = np.round(np.array(fig.get_facecolor()[:3]) * 255).astype(np.uint8)
    out = np.empty((out_h, out_w, 3), np.uint8)
    out[:] = face
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + out_h, h), min(left + out_w, w)
    out[r0 - top:r1 - top, c0 - left:c1 - left] = rgb[r0:r1, c0:c1]
    return out


def _show_laid_out_figures_in_one_draw() -> None:
    """In an IPython kernel, put :func:`notebook_png` in front of the inline backend's PNG."""
    IPython = sys.modules.get("IPython")  # not imported: no kernel, nothing to do
    shell = IPython.get_ipython() if IPython is not None else None
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["image/png"]
    tight = formatter.type_printers.get(Figure)
    if tight is None or getattr(tight, "__wrapped__", None) is not None:
        return  # no inline backend, or already in place

    @functools.wraps(tight)
    def show(fig):
        picture = notebook_png(fig)
        return tight(fig) if picture is None else picture

    formatter.for_type(Figure, show)


_show_laid_out_figures_in_one_draw()

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
CMAP = ListedColormap(COLORS[:4], name="okabe_ito")
CONTINUOUS = "viridis"  # perceptually uniform and readable with colour-vision deficiencies


def new_figure(ncols: int = 1, nrows: int = 1, width: float = 5.0, height: float = 3.6,
               layout: str | None = "constrained", **kwargs):
    """A figure not tracked by pyplot, with its axes.

    ``layout=None`` skips constrained layout, which a figure redrawn many times a second
    (a widget's) may not afford; set margins with ``fig.subplots_adjust`` then.

    Returns
    -------
    fig : Figure
    axes : Axes or ndarray of Axes (as ``plt.subplots`` would)
    """
    fig = Figure(figsize=(width * ncols, height * nrows), layout=layout, dpi=90)
    axes = fig.subplots(nrows, ncols, **kwargs)
    for ax in getattr(axes, "flat", [axes]):
        ax.set_prop_cycle(color=COLORS)
    return fig, axes


# Log axes spanning more decades than this get no minor marks (see log_minor_ticks).
LOG_MINOR_DECADES = 5


def log_minor_ticks(axis) -> None:
    """Minor marks of a log ``axis`` (``ax.xaxis`` or ``ax.yaxis``) for its current limits.

    Within about a decade, matplotlib's own: a mark at every integer, some of them
    labelled, as there are few major labels to read by. Up to :data:`LOG_MINOR_DECADES`
    decades, marks at 2 and 5 only, the 1-2-5 steps a log scale is read by; beyond, none:
    a comb too dense to tell apart. Every mark is a tick with its line and label text to
    lay out, and 8 a decade on two log axes were half the cost of drawing a still.
    """
    lo, hi = sorted(axis.get_view_interval())
    decades = np.log10(hi / lo) if lo > 0 else np.inf
    if decades <= 1.5:
        axis.set_minor_locator(LogLocator(subs="auto"))
    elif decades <= LOG_MINOR_DECADES:
        axis.set_minor_locator(LogLocator(subs=(2.0, 5.0)))
    else:
        axis.set_minor_locator(NullLocator())


def finish(ax, title: str, xlabel: str, ylabel: str, legend: bool | None = None):
    """Set the title and axis labels; add a legend when there is more than one labelled artist.

    A log axis gets the minor marks of :func:`log_minor_ticks` for its limits now (call it
    again after changing them).
    """
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    for axis in (ax.xaxis, ax.yaxis):
        if axis.get_scale() == "log":
            log_minor_ticks(axis)
    handles, _ = ax.get_legend_handles_labels()
    if legend or (legend is None and len(handles) > 1):
        ax.legend(frameon=False, fontsize="small")
    return ax
