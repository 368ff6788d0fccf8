"""Lecture 07, training in practice: what its notebook computes and shows.

- ``compute``: the numbers (numpy and nnkit only, no drawing): initialisation studies,
  preprocessing clouds, batch norm on deep networks, random against grid search.
- ``regularisation``: the numbers of its regularisation, loss-curve and schedule sections
  (numpy and nnkit only): weight decay in SGD, Adam and AdamW, L1 sparsity, the
  train/validation gap, early stopping, learning rates too high and too low, update/weight
  ratios, schedules.
- ``figures``: its matplotlib figures (built on :mod:`nnkit.viz`); ``figures_regularisation``
  those of the regularisation, loss-curve and schedule sections.
- ``widgets``: its live figures (ipywidgets controls, :class:`nnkit.viz.live.Live`).

Import the part you need, e.g. ``from nnkit.lectures.l07_training_practice import compute``;
this package imports nothing itself, so ``compute`` never pulls in matplotlib.
"""
