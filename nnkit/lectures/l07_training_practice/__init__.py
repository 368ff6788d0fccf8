"""Lecture 07, training in practice: what its notebook computes and shows.

- ``compute``: the numbers (numpy and nnkit only, no drawing): initialisation studies,
  preprocessing clouds, batch norm on deep networks, random against grid search.
- ``figures``: its matplotlib figures (built on :mod:`nnkit.viz`).
- ``widgets``: its live figures (ipywidgets controls, :class:`nnkit.viz.live.Live`).

Import the part you need, e.g. ``from nnkit.lectures.l07_training_practice import compute``;
this package imports nothing itself, so ``compute`` never pulls in matplotlib.
"""
