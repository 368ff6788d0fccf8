"""Sentences of a report that do not depend on the task: a numpy warning explained, the
inputs of a failing case, an input changed in place by rounding, a capital letter.

Written for a student: identifiers stay exactly as written (``dW2``, never ``DW2``), the
inputs are shown only when they are small enough to read, and each warning says which
operation warned, why that matters and how to avoid it.
"""
from __future__ import annotations

import linecache

import numpy as np

from ._compare import fmt

__all__ = ["explain_warning", "inputs_text", "rounding_note", "sentence"]

# First words of a sentence that are English, not an identifier the student wrote.
_ENGLISH = {"your", "item", "the", "this", "every", "each", "it", "only", "a", "an", "right"}

_WHY = {
    "overflow": "an overflow gives inf",
    "invalid value": "an invalid operation (inf - inf, inf / inf, 0 / 0) gives nan",
    "divide by zero": "a division by zero or log(0) gives inf or -inf",
}


def sentence(text: str) -> str:
    """``text`` with a capital first letter, unless it starts with an identifier (``dW2``)."""
    first = text.split(" ", 1)[0]
    return text[:1].upper() + text[1:] if first in _ENGLISH else text


def _line_of(w) -> str:
    """The source line that triggered warning ``w``, if it is the student's and known."""
    filename = str(getattr(w, "filename", "") or "")
    if not filename or "/numpy/" in filename or "/nnkit/" in filename.replace("\\", "/"):
        return ""
    line = linecache.getline(filename, getattr(w, "lineno", 0) or 0).strip()
    return line if len(line) <= 160 else line[:157] + "..."


def explain_warning(w, advice: str | None, values_right: bool) -> str:
    """Which operation warned, why a warning fails the task, and how to avoid it."""
    message = str(w.message)
    line = _line_of(w)
    where = f" in `{line}`" if line else ""
    why = next((text for key, text in _WHY.items() if key in message), "")
    parts = [f"numpy warned \"{message}\"{where}" + (f": {why}." if why else ".")]
    if values_right:
        if "where(" in line:
            parts.append("np.where(condition, a, b) evaluates both a and b for every element "
                         "and only then picks one, so the form meant for the other sign was "
                         "computed everywhere, and overflowed where it was not needed.")
        elif "cosh" in line or "sinh" in line:
            parts.append("np.cosh(1000) is inf; 1 / inf happens to be 0, so the value comes "
                         "out right, but only by luck.")
        else:
            parts.append("Your values are right only because the inf or nan was thrown away "
                         "or absorbed later (np.where computes both of its branches for every "
                         "element; 1 / inf is 0).")
    parts.append("A warning counts as a failure: the same inf or nan reaches the result on "
                 "other inputs, or in a larger computation.")
    if advice:
        parts.append(advice)
    return " ".join(parts)


def inputs_text(case, names=()) -> str:
    """``Inputs: x = [...], h = 0.001.`` when every input is small; else nothing."""
    from ._check import Fresh  # a cycle otherwise: _check imports this module

    def show(value):
        if isinstance(value, Fresh):
            return value.label
        if isinstance(value, np.ndarray) and value.size > 8:
            return None
        if isinstance(value, dict) and any(isinstance(v, np.ndarray) for v in value.values()):
            return None  # a dict of arrays does not read on one line
        if callable(value) and not isinstance(value, np.ndarray):
            return getattr(value, "__name__", None)
        text = fmt(value)
        return text if len(text) <= 120 else None

    names = list(names) + [f"argument {i + 1}" for i in range(len(names), len(case.args))]
    pairs = list(zip(names, case.args)) + list(case.kwargs.items())
    if not pairs:
        return ""
    shown = [(name, show(value)) for name, value in pairs]
    if any(text is None for _, text in shown):
        return ""
    text = ", ".join(f"{name} = {value}" for name, value in shown)
    return f"Inputs: {text}." if len(text) <= 240 else ""


def rounding_note(changed: dict) -> str:
    """A sentence if the inputs changed in place differ from the originals only by rounding."""
    for name, (now, before) in changed.items():
        if now.shape != before.shape or not np.issubdtype(now.dtype, np.floating):
            return ""
        if not np.allclose(now, before, rtol=1e-9, atol=1e-12):
            return ""
    worst = max(float(np.max(np.abs(now - before))) for now, before in changed.values())
    return (f" Its values differ from the originals only by rounding (by at most {worst:.2g}): "
            f"adding h, subtracting 2h and adding h back does not restore a float exactly, "
            f"because every addition rounds. Save the entry and put it back afterwards "
            f"(`old = x[j]` ... `x[j] = old`), or build the shifted points as new arrays "
            f"(`x + step`).")
