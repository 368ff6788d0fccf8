"""Lecture 03, gradient descent: what its notebook computes and shows.

- ``compute``: the numbers (numpy and nnkit only, no drawing): the bowl and its level curves,
  descent paths, the regimes of the learning rate, mini-batch gradients and loss curves per
  batch size.
- ``landscape``: a non-convex function with two minima and a saddle (numpy only).
- ``figures``: its matplotlib figures (built on :mod:`nnkit.viz`).
- ``widgets``: its live figures (ipywidgets controls, :class:`nnkit.viz.live.Live`).

Import the part you need, e.g. ``from nnkit.lectures.l03_gradient_descent import compute``;
this package imports nothing itself, so ``compute`` never pulls in matplotlib.
"""
