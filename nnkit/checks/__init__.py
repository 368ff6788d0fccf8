"""Checks for the exercise notebooks: is the student's function right, and if not, why?

One module per lecture; each task is a :class:`Check` named after the function the
student writes::

    from nnkit import checks
    checks.lecture03.gradient_descent(gradient_descent)   # prints a report, returns it

A report says "passed", "not implemented yet", or which case fails, by how much and
which known mistake it looks like (a missing 1/n, a transposed W, a forgotten
sigma', an overflowing exponent, a wrong sign, a silent broadcast). A task answered
by calling nnkit's own implementation of the very thing it asks for earns nothing.
``check.run(fn)`` returns the :class:`Report` without printing; the grader
(``nnkit-course grade``) uses it. This package needs numpy and nnkit only.
"""
from . import lecture01, lecture02, lecture03, lecture04, lecture05, lecture06, lecture07
from ._check import Case, Check, CheckFailed, Mistake, Outcome, RemoteError
from ._report import Report

LECTURES = {
    "lecture01": lecture01, "lecture02": lecture02, "lecture03": lecture03,
    "lecture04": lecture04, "lecture05": lecture05, "lecture06": lecture06,
    "lecture07": lecture07,
}

__all__ = ["Check", "Case", "Mistake", "Outcome", "RemoteError", "CheckFailed", "Report", "LECTURES", "all_checks", *LECTURES]


def all_checks() -> dict[str, Check]:
    """Every task's check by name, e.g. ``all_checks()["softmax"]``."""
    found = {}
    for module in LECTURES.values():
        for name in module.__all__:
            found[name] = getattr(module, name)
    return found
