"""Lecture 05, nonlinearities: what its notebook computes and shows.

- ``compute``: the numbers (numpy and nnkit only, no drawing): activations and their derivatives
  side by side, one sigmoid neuron trained from many starts (saturation), gradient norms per
  layer, dead ReLU units.
- ``figures``: its matplotlib figures (built on :mod:`nnkit.viz`).
- ``widgets``: its live figures (ipywidgets controls, :class:`nnkit.viz.live.Live`).

Import the part you need, e.g. ``from nnkit.lectures.l05_nonlinearities import compute``;
this package imports nothing itself, so ``compute`` never pulls in matplotlib.
"""
