"""Lecture 02, universal approximation: what its notebook computes and shows.

- ``compute``: the numbers (numpy and nnkit only, no drawing): staircases of steep sigmoids,
  ridge networks in the plane, the measured rate at which the error falls.
- ``depth``: why depth (numpy and nnkit only): the tent-map sawtooth that a ReLU network of
  depth k and width 2 computes exactly, piece counts from the slopes, shallow fits and the
  lower bound on their error.
- ``figures``: its matplotlib figures (built on :mod:`nnkit.viz`).
- ``widgets``: its live figures (ipywidgets controls, :class:`nnkit.viz.live.Live`).

Import the part you need, e.g. ``from nnkit.lectures.l02_universal_approximation import compute``;
this package imports nothing itself, so ``compute`` never pulls in matplotlib.
"""
