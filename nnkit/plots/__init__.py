"""Figures for the lectures. Every function returns a ``matplotlib.figure.Figure``.

Figures are built with the object-oriented API (``new_figure``), not pyplot's global
state, so a widget can redraw one figure many times and a test can call every
function without a screen. In a notebook, a returned figure displays itself.
Colours come from the Okabe-Ito palette, which colour-blind readers can tell apart.
"""
import matplotlib
import matplotlib.pyplot

# matplotlib >= 3.9 loads the backend lazily, on the first pyplot figure; in a Jupyter kernel
# it is loading the inline backend that registers the PNG display of Figure objects, so load
# it now: a returned Figure then shows as a picture, not as "<Figure size ...>".
matplotlib.pyplot.switch_backend(matplotlib.get_backend())

from .common import decision_surface, loss_curves
from .style import COLORS, CMAP, new_figure, finish

__all__ = ["COLORS", "CMAP", "new_figure", "finish", "decision_surface", "loss_curves"]
