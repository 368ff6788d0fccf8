"""One look for every figure: the Okabe-Ito palette, titles, labels and legends."""
from __future__ import annotations

import base64
import functools
import sys

import matplotlib
import matplotlib.pyplot
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

__all__ = ["COLORS", "CMAP", "CONTINUOUS", "new_figure", "finish", "notebook_png"]

# matplotlib >= 3.9 loads the backend lazily, on the first pyplot figure; in a Jupyter kernel
# it is loading the inline backend that registers the PNG display of Figure objects, so load
# it now (every figure module imports this one): a returned Figure then shows as a picture,
# not as "<Figure size ...>".
matplotlib.pyplot.switch_backend(matplotlib.get_backend())


def notebook_png(fig) -> str | None:
    """A laid-out figure's picture for the notebook, from one draw; ``None``: draw it the usual way.

    The inline backend shows a figure with ``bbox_inches="tight"``, which draws it twice:
    once to find the box around everything drawn, once into that box. A figure with
    constrained layout already fits its axes, labels and legends into the canvas, so one
    draw of the canvas is the picture (35-40% less CPU per figure, and the lectures show
    73 such figures). Where something still reaches outside the canvas (a
    title wider than the figure), this returns ``None`` and the figure is drawn tight.
    """
    if not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        return None
    from . import blit  # imports the Agg canvas, which only a notebook needs here

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    box = fig.get_tightbbox(canvas.get_renderer())  # text extents are cached by the draw
    width, height = fig.get_size_inches()
    if box.x0 < 0 or box.y0 < 0 or box.x1 > width or box.y1 > height:
        return None
    return base64.b64encode(blit.encode_png(canvas)).decode("ascii")


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


def finish(ax, title: str, xlabel: str, ylabel: str, legend: bool | None = None):
    """Set the title and axis labels; add a legend when there is more than one labelled artist."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    handles, _ = ax.get_legend_handles_labels()
    if legend or (legend is None and len(handles) > 1):
        ax.legend(frameon=False, fontsize="small")
    return ax
