"""Timings of nnkit and of the course built on it; ``python -m benchmarks.run`` runs them all.

- :mod:`benchmarks.speed`: one SGD training step, nnkit against PyTorch and a hand-fused
  numpy step, timed interleaved in one process; ``nk.fit`` epochs per second.
- :mod:`benchmarks.course`: every widget callback, every notebook, ``import nnkit``.
- :mod:`benchmarks.machine`: what the numbers were measured on.
"""
