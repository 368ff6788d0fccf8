"""Lecture 01, the forward pass: what its notebook computes and shows.

- ``compute``: the numbers (numpy and nnkit only, no drawing): logic gates as threshold units,
  XOR as a 2-2-1 network, the parameter count, two linear layers collapsing to one, the per-
  example loop against one matrix product.
- ``figures``: its matplotlib figures (built on :mod:`nnkit.viz`).
- ``widgets``: its live figures (ipywidgets controls, :class:`nnkit.viz.live.Live`).

Import the part you need, e.g. ``from nnkit.lectures.l01_forward_pass import compute``;
this package imports nothing itself, so ``compute`` never pulls in matplotlib.
"""
