r"""Weight initialisers.

Each takes ``shape = (fan_out, fan_in, ...)`` as for ``Dense.W`` and returns a
float64 array. ``fan_in`` is ``shape[1]`` times any trailing dimensions; for Maxout's
``(pieces, out, in)`` it is the last dimension.
"""
from __future__ import annotations

import numpy as np

from ._validation import choose, make_rng

__all__ = ["zeros", "small", "large", "xavier", "he", "get", "NAMES"]


def _fan_in(shape) -> int:
    if len(shape) < 2:
        raise ValueError(f"shape must have at least 2 dimensions (fan_out, fan_in); got {shape}")
    return int(shape[-1])


def zeros(shape, rng=None) -> np.ndarray:
    """All zeros. Every hidden unit then computes the same thing, forever."""
    return np.zeros(shape)


def small(shape, rng=None, std: float = 0.01) -> np.ndarray:
    r"""Gaussian :math:`\mathcal N(0, 0.01^2)`: activations shrink layer by layer."""
    return std * make_rng(rng).standard_normal(shape)


def large(shape, rng=None, std: float = 1.0) -> np.ndarray:
    r"""Gaussian :math:`\mathcal N(0, 1)`: tanh and sigmoid units saturate."""
    return std * make_rng(rng).standard_normal(shape)


def xavier(shape, rng=None) -> np.ndarray:
    r"""Gaussian with variance :math:`1/\text{fan\_in}` (Glorot & Bengio, 2010), for tanh.

    The seed slides write ``np.random.rand`` (uniform on [0, 1)); a zero-mean
    Gaussian is meant.
    """
    return make_rng(rng).standard_normal(shape) / np.sqrt(_fan_in(shape))


def he(shape, rng=None) -> np.ndarray:
    r"""Gaussian with variance :math:`2/\text{fan\_in}` (He et al., 2015), for ReLU.

    ReLU zeroes half of its inputs, halving the variance; the factor 2 restores it.
    """
    return make_rng(rng).standard_normal(shape) * np.sqrt(2.0 / _fan_in(shape))


NAMES = {"zeros": zeros, "small": small, "large": large, "xavier": xavier, "he": he}


def get(init):
    """Return the initialiser named ``init``, or ``init`` itself if it is callable.

    A callable must accept ``(shape, rng)`` and return an array of that shape.
    """
    if callable(init):
        return init
    if not isinstance(init, str):
        raise TypeError(
            f"init must be a name ({', '.join(map(repr, NAMES))}) or a callable "
            f"(shape, rng) -> array; got {init!r}"
        )
    return NAMES[choose("init", init, NAMES)]


def initialise(init, shape, rng) -> np.ndarray:
    """Draw an array of ``shape`` with ``init`` and check what a user callable returned."""
    W = np.asarray(get(init)(shape, rng), dtype=np.float64)
    if W.shape != tuple(shape):
        raise ValueError(f"init returned an array of shape {W.shape}; expected {tuple(shape)}")
    return W
