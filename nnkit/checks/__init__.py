"""Checks for the exercise notebooks: is the student's function right, and if not, why?

One module per lecture; each task is a :class:`Check` named after the function the
student writes::

    from nnkit import checks
    checks.lecture03.gradient_descent(gradient_descent)   # prints a report, returns it

A report says "passed", "not implemented yet", or which case fails, by how much and
which known mistake it looks like (a missing 1/n, a transposed W, a forgotten
sigma', an overflowing exponent, a wrong sign, a silent broadcast). A task answered
by calling nnkit's own implementation of the very thing it asks for earns nothing.
Tasks compute in float64: a float32 answer is refused with a message naming the dtype and
the tolerance, and a numpy warning (an overflow in ``exp``) fails the task with an
explanation of which operation warned, why, and how to avoid it.
``check.run(fn)`` returns the :class:`Report` without printing; the grader
(``nnkit-course grade``) uses it. This package needs numpy and nnkit only.
"""
import importlib
import pkgutil
import re

from ._check import Case, Check, CheckFailed, Mistake, Outcome, RemoteError
from ._report import Report

# Every module lectureNN.py here, imported (which binds it as ``checks.lectureNN``): adding
# a lecture's checks is adding its file.
LECTURES = {
    info.name: importlib.import_module(f"{__name__}.{info.name}")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name)
    if re.fullmatch(r"lecture\d\d", info.name)
}

__all__ = ["Check", "Case", "Mistake", "Report", "LECTURES", "tasks_of", "all_checks", *LECTURES]


def tasks_of(module) -> dict[str, Check]:
    """The checks a lecture's module defines, by task name, in the order it defines them."""
    return {name: obj for name, obj in vars(module).items()
            if isinstance(obj, Check) and obj.task == name}


def all_checks() -> dict[str, Check]:
    """Every task's check by name, e.g. ``all_checks()["softmax"]``."""
    return {name: check for module in LECTURES.values() for name, check in tasks_of(module).items()}
