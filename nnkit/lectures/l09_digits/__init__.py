"""Lecture 09, handwritten digits: a network trained on scikit-learn's 8x8 digits.

Its modules follow the other rooms: ``compute`` (numpy and nnkit only), ``figures``
(matplotlib) and ``widgets`` (ipywidgets), each where the lecture needs it.
"""
