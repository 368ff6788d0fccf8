"""One room per lecture: what serves a single notebook (its computations, figures, widgets).

``nnkit.lectures.lNN_<name>`` holds ``compute.py`` (numpy and the nnkit core only),
``figures.py`` (matplotlib) and ``widgets.py`` (ipywidgets), each only where the lecture
needs it. Nothing here is imported by ``import nnkit``.
"""
