"""Lecture 02, universal approximation: what its notebook computes and shows.

- ``compute``: the numbers (numpy and nnkit only, no drawing): staircases of steep sigmoids,
  ridge networks in the plane, the measured rate at which the error falls.
- ``figures``: its matplotlib figures (built on :mod:`nnkit.viz`).
- ``widgets``: its live figures (ipywidgets controls, :class:`nnkit.viz.Live`).

Import the part you need, e.g. ``from nnkit.lectures.l02_universal_approximation import compute``;
this package imports nothing itself, so ``compute`` never pulls in matplotlib.
"""
