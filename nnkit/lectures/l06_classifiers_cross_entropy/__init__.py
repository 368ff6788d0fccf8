"""Lecture 06, classifiers and cross-entropy: what its notebook computes and shows.

- ``compute``: the numbers (numpy and nnkit only, no drawing): the two costs of one neuron as
  functions of its logit, the learning slowdown and its cure, softmax.
- ``likelihood``: why cross-entropy (numpy only): Bernoulli and categorical likelihoods,
  entropy, cross-entropy and KL divergence.
- ``figures``: its matplotlib figures (built on :mod:`nnkit.viz`).
- ``widgets``: its live figures (ipywidgets controls, :class:`nnkit.viz.live.Live`).

Import the part you need, e.g. ``from nnkit.lectures.l06_classifiers_cross_entropy import compute``;
this package imports nothing itself, so ``compute`` never pulls in matplotlib.
"""
