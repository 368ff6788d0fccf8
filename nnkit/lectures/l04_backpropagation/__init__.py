"""Lecture 04, back-propagation: the L-layer errors (``errors``), the cost of a gradient (``cost``), computational graphs (``graph``)."""
