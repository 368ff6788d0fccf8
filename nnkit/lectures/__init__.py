"""One room per lecture notebook: what serves that lecture and no other.

``lNN_<notebook name>`` holds lecture NN's code (``lectures/NN_<notebook name>.ipynb``):
``compute`` (numpy and nnkit only), ``figures`` (matplotlib) and ``widgets``
(ipywidgets), each where the lecture needs it. The library they build on is the core
(``nnkit`` itself) and the shared drawing machinery (:mod:`nnkit.viz`); the exercise
checks are in :mod:`nnkit.checks`. A later lecture may import an earlier one's room.
Nothing is imported here, so ``import nnkit`` stays numpy-only.
"""
