"""Lecture 04, back-propagation: what its notebook computes and shows.

- ``compute``: the numbers (numpy and nnkit only, no drawing): training records (snapshots of
  one run), the lecture's h, epsilon and delta from nnkit's backward pass, noisy targets with a
  known mean.
- ``errors``: the back-propagated error of every layer of an L-layer network, from nnkit's backward.
- ``cost``: what one gradient costs, counted (matrix products, loss evaluations) and timed.
- ``graph``: a computational graph of scalars whose gates send gradients back.
- ``figures``: its matplotlib figures (built on :mod:`nnkit.viz`).
- ``widgets``: its live figures (ipywidgets controls, :class:`nnkit.viz.live.Live`).

Import the part you need, e.g. ``from nnkit.lectures.l04_backpropagation import compute``;
this package imports nothing itself, so ``compute`` never pulls in matplotlib.
"""
