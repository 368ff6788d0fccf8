"""Figures for the lectures. Every function returns a ``matplotlib.figure.Figure``.

Figures are built with the object-oriented API (``new_figure``), not pyplot's global
state, so a widget can redraw one figure many times and a test can call every
function without a screen. In a notebook, a returned figure displays itself.
Colours come from the Okabe-Ito palette, which colour-blind readers can tell apart.
"""
import matplotlib.pyplot  # noqa: F401  (registers Jupyter's display of Figure objects)

from .common import decision_surface, loss_curves
from .style import COLORS, CMAP, new_figure, finish

__all__ = ["COLORS", "CMAP", "new_figure", "finish", "decision_surface", "loss_curves"]
