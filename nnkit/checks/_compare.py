"""Compare a student's result with the expected one and say, in words, how they differ.

:func:`difference` returns ``None`` when the results agree, else one sentence that
names the part that differs (``dW2``), its shape or the worst entry, so the student
knows where to look.

The float policy: every task computes in float64, numpy's default. A result of another
floating dtype (float32, float16) is refused with a message naming the dtype and the
tolerance, whatever its values: float32 keeps about 7 significant digits, which is the
size of the tolerance, so it would otherwise pass or fail by luck. Integer results are
accepted where their values are right. Two numbers that differ are always printed with
enough digits to show the difference.
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["difference", "shape_hint", "fmt", "fmt_pair", "dtype_problem", "wrong_dtype"]


def fmt(x) -> str:
    """A short, readable rendering of a number or a small array (shapes for large ones)."""
    if isinstance(x, np.ndarray):
        if x.size <= 12:
            mags = np.abs(x[np.isfinite(x) & (x != 0)]) if x.dtype.kind == "f" else np.ones(1)
            plain = bool(mags.size == 0 or (mags.min() >= 1e-3 and mags.max() < 1e6))
            text = np.array2string(x, precision=4, separator=", ", max_line_width=10 ** 6,
                                   suppress_small=plain)
            return " ".join(text.split())  # one line, for reports and CSV cells
        return f"array of shape {x.shape}"
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.6g}"
    if isinstance(x, (list, tuple)) and len(x) <= 8:
        return repr(x)
    if callable(x):
        return getattr(x, "__name__", "a function")
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def fmt_pair(want, got) -> tuple[str, str]:
    """Two numbers printed with the fewest significant digits (at least 6) that tell them apart."""
    want, got = float(want), float(got)
    for digits in range(6, 18):
        a, b = f"{want:.{digits}g}", f"{got:.{digits}g}"
        if a != b:
            return a, b
    return repr(want), repr(got)


_DIGITS = {np.dtype(np.float16): 3, np.dtype(np.float32): 7}


def dtype_problem(got, name: str, rtol: float):
    """A sentence if ``got`` holds floating numbers of a dtype other than float64, else ``None``."""
    try:
        dtype = np.asarray(got).dtype
    except (TypeError, ValueError):
        return None
    if dtype.kind == "c":
        return f"{name} has the complex dtype {dtype}; these tasks work with real numbers (float64)."
    if dtype.kind != "f" or dtype == np.float64:
        return None
    digits = _DIGITS.get(dtype)
    keeps = f", which keeps about {digits} significant digits" if digits else ""
    return (f"{name} has dtype {dtype}{keeps}. The tasks compute in float64 (numpy's default) "
            f"and the check compares with a relative tolerance of {rtol:g}, so a {dtype} "
            f"answer is refused whatever its values. Remove the cast to {dtype} "
            f"(`.astype(np.{dtype})`, `dtype=np.{dtype}`) and compute in float64.")


def wrong_dtype(got, want, *, rtol: float, name: str = "your result", names=None):
    """The :func:`dtype_problem` of the first part of ``got`` that has one, else ``None``."""
    if isinstance(want, tuple) and isinstance(got, (tuple, list)) and len(got) == len(want):
        for i, (g, w) in enumerate(zip(got, want)):
            found = wrong_dtype(g, w, rtol=rtol, name=names[i] if names else f"item {i} of {name}")
            if found:
                return found
        return None
    if isinstance(want, dict) and isinstance(got, dict):
        for key in want:
            if key in got:
                found = wrong_dtype(got[key], want[key], rtol=rtol, name=f"{name}[{key!r}]")
                if found:
                    return found
        return None
    if isinstance(want, (tuple, dict, bool, np.bool_, numbers.Integral)):
        return None
    return dtype_problem(got, name, rtol)


def shape_hint(got: tuple, want: tuple) -> str:
    """A likely reason why an array came back with shape ``got`` instead of ``want``."""
    if len(got) == 2 and got == want[::-1] and got != want:
        return " It looks transposed."
    if len(want) == 1 and got in ((want[0], 1), (1, want[0])):
        return f" Return a 1-D array of shape {want}: e.g. `.ravel()`, or drop `keepdims=True`."
    if len(want) == 2 and want[1] == 1 and got == (want[0],):
        return f" Keep the column: shape {want}, e.g. `.reshape(-1, 1)`."
    if len(got) == len(want) + 1 and got[:len(want)] == want or (
            len(got) == 2 and len(want) >= 1 and got[0] == got[1] == want[0]):
        return (" An extra axis appeared: either a sum over an axis is missing, or a column "
                "(n, 1) met a vector (n,) and numpy broadcast them silently into an (n, n) "
                "matrix. Print the shapes of the arrays you add or subtract.")
    if len(got) == len(want) + 1 and got[1:] == want:
        return " An extra leading axis appeared: did you forget to sum or average over it?"
    if len(got) == len(want) + 1:
        return " An extra axis appeared: did you forget to sum over it?"
    return ""


def difference(got, want, *, rtol: float, atol: float, name: str = "the result", names=None):
    """``None`` if ``got`` matches ``want``, else a sentence saying how it differs.

    ``want`` may be a number, an array, a tuple of those (``names`` labels the parts)
    or a dict; ``got`` must have the same structure, and arrays the same shape (no
    broadcasting is accepted).
    """
    if isinstance(want, tuple):
        if not isinstance(got, (tuple, list)):
            what = ", ".join(names) if names else f"{len(want)} values"
            return f"{name} should be a tuple ({what}); got {_kind(got)}."
        if len(got) != len(want):
            return f"{name} should hold {len(want)} values; got {len(got)}."
        for i, (g, w) in enumerate(zip(got, want)):
            label = names[i] if names else f"item {i} of {name}"
            found = difference(g, w, rtol=rtol, atol=atol, name=label)
            if found:
                return found
        return None
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return f"{name} should be a dict with keys {sorted(want)}; got {_kind(got)}."
        if set(got) != set(want):
            return f"{name} should have the keys {sorted(want)}; got {sorted(got)}."
        for key in want:
            found = difference(got[key], want[key], rtol=rtol, atol=atol, name=f"{name}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(want, (bool, np.bool_)):
        return None if got is want or got == want else f"{name} should be {want}; got {fmt(got)}."
    if isinstance(want, numbers.Integral):
        return _integer(got, int(want), name)
    return _array(got, np.asarray(want, dtype=np.float64), rtol, atol, name)


def _kind(x) -> str:
    if x is None:
        return "None (did you forget `return`?)"
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape}"
    return type(x).__name__


def _integer(got, want: int, name: str):
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (numbers.Real, np.ndarray)):
        return f"{name} should be a whole number; got {_kind(got)}."
    value = np.asarray(got)
    if value.size != 1:
        return f"{name} should be a single number; got an array of shape {value.shape}."
    if value.dtype.kind not in "iu":
        kind = f"the {value.dtype} number {value.item()!r}" if value.dtype.kind == "f" else _kind(got)
        return (f"{name} should be a whole number of type int (a count); got {kind}. Count "
                f"with integers, or convert with int(...).")
    if float(value) != want:
        got_v = value.item()
        shown = repr(got_v) if isinstance(got_v, float) else fmt(got_v)
        return f"{name} should be {want}; got {shown}."
    return None


def _array(got, want: np.ndarray, rtol: float, atol: float, name: str):
    if got is None or isinstance(got, (str, bytes, dict)):
        return f"{name} should be {'a number' if want.ndim == 0 else 'an array'}; got {_kind(got)}."
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"{name} should be numeric; got {_kind(got)} that numpy cannot turn into numbers."
    wrong_dtype = dtype_problem(got, name, rtol)
    if wrong_dtype:
        return wrong_dtype
    if want.ndim == 0:
        if arr.size != 1:
            return f"{name} should be a single number; got an array of shape {arr.shape}."
        arr = arr.reshape(())
    elif arr.shape != want.shape:
        return (f"{name} has shape {arr.shape}; expected {want.shape}."
                + shape_hint(arr.shape, want.shape))
    bad = ~np.isfinite(arr) & np.isfinite(want)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        kind = "nan" if np.isnan(arr[where]) else "inf"
        at = f" at index {where}" if where else ""
        return (f"{name} contains {kind}{at} where {fmt(want[where])} was expected: "
                f"something overflowed or divided by zero.")
    close = np.isclose(arr, want, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    err = np.where(close, 0.0, np.abs(arr - want))
    where = np.unravel_index(np.argmax(err), err.shape)
    at = f" at index {tuple(int(i) for i in where)}" if where else ""
    got_v, want_v = arr[where], want[where]
    want_s, got_s = fmt_pair(want_v, got_v)
    count = int((~close).sum())
    entries = "" if close.size == 1 else (
        f"; {count} of {close.size} entries differ" if count > 1 else f"; 1 of {close.size} entries differs")
    text = (f"{name} is wrong{at}: expected {want_s}, got {got_s} "
            f"(difference {fmt(abs(got_v - want_v))}{entries}).")
    if np.allclose(arr, want, rtol=3e-6, atol=atol):
        text += (" The difference is in the 6th to 8th significant digit, the precision of "
                 "float32: is part of your computation in float32 (an input cast with "
                 "np.float32 or .astype)? The tasks compute in float64.")
    return text
