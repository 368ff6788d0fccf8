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
