"""One look for every figure: the Okabe-Ito palette, titles, labels and legends."""
from __future__ import annotations

import matplotlib
import matplotlib.pyplot
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

__all__ = ["COLORS", "CMAP", "CONTINUOUS", "new_figure", "finish"]

# matplotlib >= 3.9 loads the backend lazily, on the first pyplot figure; in a Jupyter kernel
# it is loading the inline backend that registers the PNG display of Figure objects, so load
# it now (every figure module imports this one): a returned Figure then shows as a picture,
# not as "<Figure size ...>".
matplotlib.pyplot.switch_backend(matplotlib.get_backend())

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
