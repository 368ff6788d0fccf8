"""Lecture 08, the playground: what its notebook computes and shows.

- ``compute``: the numbers (numpy and nnkit only, no drawing): an experiment that trains step by
  step and measures itself, a dashboard of three figures redrawn in place, and the widget that
  joins them.
- ``figures``: its matplotlib figures (built on :mod:`nnkit.viz`).
- ``widgets``: its live figures (ipywidgets controls, :class:`nnkit.viz.live.Live`).
- ``units`` (numpy only) and ``figures_network`` (matplotlib): what each unit computes, its output
  over the plane as a thumbnail, and the network drawn with one line per weight.

Import the part you need, e.g. ``from nnkit.lectures.l08_playground import compute``;
this package imports nothing itself, so ``compute`` never pulls in matplotlib.
"""
