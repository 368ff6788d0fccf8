"""Lecture 09, handwritten digits: the whole workflow on real data.

- ``compute``: the digits split and preprocessed, the training runs of the babysitting steps
  (learning-rate sweep, L2 sweep, early stopping), the whole selection in one call
  (``workflow``), and what a trained network shows (confusion matrix, confident mistakes,
  first-layer weights as images). numpy and the nnkit core only.
- ``figures``: the digit grid, class counts, loss curves of the sweeps, the confusion matrix,
  the mistakes and the weight images (matplotlib).
- ``widgets``: pick a test digit, shift it, see the network's probabilities (ipywidgets).
"""
