"""The drawing machinery every lecture shares.

- :mod:`nnkit.viz.style`: the Okabe-Ito palette (colour-blind readers can tell its
  colours apart), ``new_figure`` and ``finish`` (title, axis labels, legend).
- :mod:`nnkit.viz.figures`: figures several lectures draw: decision surfaces, loss curves.
- :mod:`nnkit.viz.live`: ``Live`` and ``BlitLive``, a figure redrawn from ipywidgets
  controls and testable without a screen, and the sliders they use.
- :mod:`nnkit.viz.blit`: the one way a figure becomes PNG bytes: a full draw, or only its
  moving artists drawn over a saved background (``Frame``), then one encoder.
- :mod:`nnkit.viz.grid` and :mod:`nnkit.viz.histogram`: the plane grid that surfaces are
  evaluated on, and the histogram of activations; numpy only, so a lecture's ``compute``
  may use them.

Figures are built with the object-oriented API (``new_figure``), not pyplot's global
state, so a widget can redraw one figure many times and a test can call every
function without a screen. In a notebook, a returned figure displays itself.
This package imports nothing itself: each module brings what it needs.
"""
