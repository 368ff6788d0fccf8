"""Argument checks shared by the whole library.

Every check raises ``ValueError`` or ``TypeError`` with a message that names the
argument, says what it got and what was expected. Students read these messages,
so they explain the likely cause where one is common.
"""
from __future__ import annotations

import difflib
import math
import numbers

import numpy as np

__all__ = [
    "as_array",
    "as_batch",
    "check_features",
    "check_finite",
    "check_parameters",
    "check_positive",
    "check_same_length",
    "check_same_shape",
    "make_rng",
    "choose",
]


def _describe(x) -> str:
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    return f"{type(x).__name__} {x!r}"[:120]


# The two float dtypes kept as they are. numpy's built-in dtypes are singletons, so an
# identity test answers for nearly every array at once; any other dtype object (another
# byte order, say) takes the full path below.
_FLOAT64, _FLOAT32 = np.dtype(np.float64), np.dtype(np.float32)


def as_array(x, name: str) -> np.ndarray:
    """Return ``x`` as a float array (float32 is kept, everything else becomes float64).

    Raises ``TypeError`` for anything that is not numeric (strings, objects, None).
    """
    # Every layer's forward and every loss starts here: the common case costs two tests.
    if type(x) is np.ndarray and (x.dtype is _FLOAT64 or x.dtype is _FLOAT32):
        return x
    if isinstance(x, np.ndarray) and x.dtype in (np.float64, np.float32):
        return x
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as err:  # ragged lists
        raise TypeError(f"{name} must be a numeric array; got {_describe(x)} ({err})") from None
    if arr.dtype == np.float32:
        return arr
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must be a numeric array (float or int); got {_describe(x)} "
            f"(numpy dtype {arr.dtype})"
        )
    return arr.astype(np.float64)


def as_batch(X, name: str = "X", features: int | None = None) -> np.ndarray:
    """Return ``X`` as a 2-D float array ``(n, features)``, one example per row.

    Parameters
    ----------
    X : array_like, shape (n, features)
    name : str
        The argument's name, used in error messages.
    features : int, optional
        The width the caller expects; a different width is an error.
    """
    X = as_array(X, name)
    if X.ndim != 2:
        hint = ""
        if X.ndim == 1:
            hint = (
                f" For one example use {name}.reshape(1, -1); for n examples of one "
                f"feature use {name}.reshape(-1, 1)."
            )
        raise ValueError(
            f"{name} must be a 2-D batch of shape (n, features), one example per row; "
            f"got shape {X.shape}.{hint}"
        )
    if features is not None and X.shape[1] != features:
        check_features(X, name, features)
    return X


def check_features(X: np.ndarray, name: str, features: int) -> None:
    """Refuse a batch ``X (n, f)`` whose width ``f`` is not ``features``.

    A layer inside a network gets its input from the layer before it, already a 2-D
    float batch: this is the one check left to make there.
    """
    if X.shape[1] != features:
        raise ValueError(
            f"{name} has {X.shape[1]} features per example (shape {X.shape}) but this "
            f"layer expects {features} (shape (n, {features}))."
        )


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Refuse to go on unless ``a`` and ``b`` have exactly the same shape (no broadcasting)."""
    if a.shape != b.shape:
        hint = ""
        if a.ndim + b.ndim == 3 and a.size == b.size:
            hint = (
                " numpy would broadcast these into an (n, n) matrix and give a wrong "
                f"answer silently; reshape one of them, e.g. {name_b}.reshape({a.shape})."
            )
        raise ValueError(
            f"{name_a} has shape {a.shape} but {name_b} has shape {b.shape}; "
            f"they must have the same shape.{hint}"
        )


def check_finite(x: np.ndarray, name: str, where: str = "") -> None:
    """Raise ``ValueError`` if ``x`` holds NaN or infinity, suggesting why."""
    if np.isfinite(x).all():
        return
    kind = "NaN" if np.isnan(x).any() else "infinity"
    raise ValueError(
        f"{name} contains {kind}{where}. Training may have diverged: try a lower "
        f"learning rate, or check the inputs for missing values."
    )


def check_positive(value, name: str, *, allow_zero: bool = False, integer: bool = False):
    """Check a scalar hyper-parameter and return it."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "an integer" if integer else "a number"
        raise TypeError(f"{name} must be {what}; got {_describe(value)}")
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound}; got {value!r}")
    return value


def check_same_length(X: np.ndarray, Y: np.ndarray, name_x: str = "X", name_y: str = "Y"):
    """Check that inputs and targets hold the same, non-zero number of examples."""
    if len(X) != len(Y):
        raise ValueError(
            f"{name_x} and {name_y} must hold the same number of examples; got "
            f"{len(X)} rows in {name_x} (shape {X.shape}) and {len(Y)} in {name_y} "
            f"(shape {Y.shape})."
        )
    if len(X) == 0:
        raise ValueError(f"{name_x} is empty (shape {X.shape}); expected at least one example.")


def check_parameters(params, name: str = "params") -> list:
    """Return ``params`` as a non-empty list of parameters (what ``net.parameters()`` returns).

    Parameters are recognised by their ``value`` and ``grad`` attributes, so this module
    need not import the layers.
    """
    if hasattr(params, "parameters"):
        raise TypeError(
            f"{name} got the network ({type(params).__name__}) itself; pass its parameters: "
            f"net.parameters()."
        )
    if callable(params):
        raise TypeError(
            f"{name} got the method {getattr(params, '__qualname__', params)!r} itself; call it: "
            f"pass net.parameters() (with the brackets), not net.parameters."
        )
    if isinstance(params, (str, bytes, np.ndarray)) or not hasattr(params, "__iter__"):
        raise TypeError(f"{name} must be the list that net.parameters() returns; got {_describe(params)}")
    params = list(params)
    for i, p in enumerate(params):
        if not (hasattr(p, "value") and hasattr(p, "grad")):
            raise TypeError(
                f"{name}[{i}] must be a parameter from net.parameters(); got {_describe(p)}. "
                f"Pass net.parameters(), not the arrays (net.W) themselves."
            )
    if not params:
        raise ValueError(f"{name} is empty; pass net.parameters() of a network with weights.")
    return params


def make_rng(rng) -> np.random.Generator:
    """Turn ``None``, an int seed or a ``Generator`` into a ``Generator``.

    ``None`` draws fresh entropy; pass an int for numbers that repeat run after run.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(None if rng is None else int(rng))
    raise TypeError(f"rng must be None, an int seed or a numpy.random.Generator; got {_describe(rng)}")


def choose(name: str, value: str, options) -> str:
    """Check that ``value`` is one of ``options`` and return it.

    A misspelt name gets the closest valid one suggested (``"rleu"``: did you mean
    ``'relu'``?).
    """
    if value not in options:
        valid = ", ".join(repr(o) for o in options)
        close = difflib.get_close_matches(str(value), [str(o) for o in options], n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown {name} {value!r}; expected one of {valid}.{hint}")
    return value
