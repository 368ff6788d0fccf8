"""Hypothesis strategies for nnkit's tests: batches of random shapes and values."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

dims = st.integers(min_value=1, max_value=5)
batch_sizes = st.integers(min_value=2, max_value=6)
seeds = st.integers(min_value=0, max_value=2**16)
values = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False, allow_infinity=False)


@st.composite
def batches(draw, n=batch_sizes, d=dims, elements=values, away_from_kinks=False):
    """A float64 batch (n, d). With ``away_from_kinks`` every entry has |x| > 0.01, so
    finite differences with h = 1e-6 never straddle the kink of ReLU-like functions, and no
    gradient is so tiny that round-off in f (about 1e-16 |f| / h) dominates its relative error."""
    shape = (draw(n), draw(d))
    X = draw(arrays(np.float64, shape, elements=elements))
    if away_from_kinks:
        X = np.where(np.abs(X) < 0.01, np.where(X < 0, -0.5, 0.5), X)
    return X


@st.composite
def spread_batches(draw, n=st.integers(min_value=3, max_value=8), d=dims):
    """A float64 batch (n, d) whose every column is spread out, for batch norm's gradient.

    Column j holds n draws of N(mean_j, std_j^2), mean_j in [-3, 3] and std_j in [1, 3],
    from a drawn seed. Batch norm divides by each column's spread, and a near-constant
    column (variance under 1e-2, which the tests ``assume`` away) makes its x-hat round-off
    noise; hypothesis's own floats repeat values so often that two draws in three held
    such a column, while here about one in a hundred does (almost all with three rows).
    """
    shape = (draw(n), draw(d))
    mean = draw(arrays(np.float64, shape[1], elements=st.floats(-3.0, 3.0)))
    std = draw(arrays(np.float64, shape[1], elements=st.floats(1.0, 3.0)))
    # A stream of its own: were X drawn from default_rng(seed) with the seed a test uses for
    # its upstream gradient G, then G = (X - mean) / std would lie in the span of 1 and x-hat,
    # whose gradient batch norm sends to zero.
    return mean + std * np.random.default_rng([draw(seeds), 1]).standard_normal(shape)
