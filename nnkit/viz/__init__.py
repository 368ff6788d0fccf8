"""The drawing machinery every lecture shares: style, common figures, live figures.

- :mod:`nnkit.viz.style`: the Okabe-Ito palette (colour-blind readers can tell its
  colours apart), ``new_figure`` and ``finish`` (title, axis labels, legend).
- :mod:`nnkit.viz.figures`: figures several lectures draw: decision surfaces, loss curves.
- :mod:`nnkit.viz.live`: ``Live`` and ``BlitLive``, a figure redrawn from ipywidgets
  controls and testable without a screen, and the sliders they use (imported on its
  own: it needs ipywidgets).

Figures are built with the object-oriented API (``new_figure``), not pyplot's global
state, so a widget can redraw one figure many times and a test can call every
function without a screen. In a notebook, a returned figure displays itself.
"""
import matplotlib
import matplotlib.pyplot

# matplotlib >= 3.9 loads the backend lazily, on the first pyplot figure; in a Jupyter kernel
# it is loading the inline backend that registers the PNG display of Figure objects, so load
# it now: a returned Figure then shows as a picture, not as "<Figure size ...>".
matplotlib.pyplot.switch_backend(matplotlib.get_backend())

from .figures import decision_surface, loss_curves  # noqa: E402
from .style import CMAP, COLORS, finish, new_figure  # noqa: E402

__all__ = ["COLORS", "CMAP", "new_figure", "finish", "decision_surface", "loss_curves"]
