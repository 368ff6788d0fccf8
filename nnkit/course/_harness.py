"""The grader's half that runs inside the submission's kernel.

Before any of the submission's code runs, the kernel takes a :func:`snapshot` of nnkit's
and numpy's namespaces. It then runs ``define`` once per code cell of the submission, with
only that cell's imports, definitions and constants (see
:func:`nnkit.course.notebooks.definitions`), into a namespace of its own. For each task it
drops every ``nnkit.checks`` and ``nnkit.course`` module from ``sys.modules``, imports
them afresh, and ``run_task`` puts back anything of nnkit or numpy that the definitions
replaced. Whatever the submission did to the checks, to the library they compute their
references with, or to names such as ``checks``, is gone by then. Each result is appended to a JSON-lines file that the
grader reads, so the results of finished tasks survive a kernel that dies later.

This module needs the standard library, numpy and nnkit only.
"""
from __future__ import annotations

import contextlib
import importlib
import io
import json
import signal
import sys
import threading
import types

__all__ = ["GradingTimeout", "new_namespace", "snapshot", "restore", "define", "run_task"]


class GradingTimeout(BaseException):
    """Raised in the submission's code when its time is up (not an ``Exception``)."""


class _Sink(io.TextIOBase):
    """Swallows what the submission prints: megabytes of output cost nothing."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return len(text)


@contextlib.contextmanager
def _time_limit(seconds):
    if not seconds or threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "setitimer"):
        yield  # the grader's hard limit (it stops the kernel) still applies
        return

    def expire(signum, frame):
        raise GradingTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    # Fire again every second, in case the submission swallows the first one.
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _quiet():
    sink = _Sink()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        yield


def _append(path: str, record: dict) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


def new_namespace() -> dict:
    """A fresh module namespace for the submission, with ``np`` and ``nk`` imported."""
    import numpy
    import nnkit
    module = types.ModuleType("submission")
    module.__dict__.update(np=numpy, nk=nnkit)
    return module.__dict__


def _guarded_modules():
    import numpy
    mods = [m for name, m in sorted(sys.modules.items())
            if (name == "nnkit" or name.startswith("nnkit.")) and isinstance(m, types.ModuleType)
            and not name.startswith(("nnkit.checks", "nnkit.course"))]
    return mods + [numpy, numpy.linalg, numpy.random]


def snapshot() -> list:
    """The namespaces of nnkit's modules and classes and of numpy, as they are now."""
    state = []
    for module in _guarded_modules():
        state.append((module, dict(vars(module))))
        if module.__name__.startswith("nnkit"):
            state += [(v, dict(vars(v))) for v in vars(module).values()
                      if isinstance(v, type) and (v.__module__ or "").startswith("nnkit")]
    return state


def restore(state) -> list[str]:
    """Put back every attribute that changed since :func:`snapshot`; returns their names."""
    changed = []
    for owner, saved in state:
        current = vars(owner)
        for key, value in saved.items():
            if isinstance(value, types.ModuleType):
                continue  # a submodule binding: re-importing the checks rebinds some on purpose
            if current.get(key, _MISSING) is not value:
                try:
                    setattr(owner, key, value)
                except (AttributeError, TypeError):  # pragma: no cover - read-only slots
                    continue
                where = f"{owner.__module__}.{owner.__qualname__}" if isinstance(owner, type) \
                    else owner.__name__
                changed.append(f"{where}.{key}")
    return changed


_MISSING = object()


def define(ns: dict, cell: int, code: str, results: str, timeout: float) -> None:
    """Run one cell's definitions into ``ns``; record a note if they fail."""
    _append(results, {"event": "define", "cell": cell})
    note = None
    try:
        with _quiet(), _time_limit(timeout):
            exec(compile(code, f"<cell {cell + 1}>", "exec"), ns)
    except GradingTimeout:
        note = f"cell {cell + 1}: its definitions did not finish within {timeout:g} s."
    except BaseException as exc:  # noqa: BLE001 - the submission's error, reported as feedback
        note = f"cell {cell + 1} raised {type(exc).__name__} while defining: {_short(exc)}"
    _append(results, {"event": "defined", "cell": cell, "note": note})


def run_task(ns: dict, task: dict, results: str, timeout: float, state=()) -> None:
    """Check one task with freshly imported checks; append its result to ``results``.

    ``state`` is the :func:`snapshot` taken before the submission ran; anything it
    changed is put back first.
    """
    record = {"event": "task", "task": task["check"], "max_points": 1.0,
              "restored": restore(state)}
    try:
        check = getattr(importlib.import_module(f"nnkit.checks.{task['module']}"), task["check"])
        record["max_points"] = check.points
    except (ImportError, AttributeError):
        record.update(passed=False, points=0.0, status="error",
                      message=f"the grader has no check nnkit.checks.{task['module']}.{task['check']}")
        _append(results, record)
        return
    fn = ns.get(task["function"])
    if fn is None:
        record.update(passed=False, points=0.0, status="missing",
                      message=f"`{task['function']}` is not defined in the notebook (renamed, or "
                              f"its cell has an error?).")
        _append(results, record)
        return
    try:
        with _quiet(), _time_limit(timeout):
            report = check.run(fn)
            hidden = _hidden(ns, task.get("hidden", "")) if report.passed else None
    except GradingTimeout:
        record.update(passed=False, points=0.0, status="timeout",
                      message=f"did not finish within {timeout:g} s (an endless loop?).")
        _append(results, record)
        return
    record.update(report.to_dict())
    if hidden:
        record.update(passed=False, points=0.0, status="failed", message=hidden)
    _append(results, record)


def _hidden(ns: dict, code: str):
    """Run the instructor's hidden tests; ``None`` if they pass, else what failed."""
    if not code.strip():
        return None
    import numpy
    import nnkit
    from nnkit import checks
    scope = dict(ns)
    scope.update(np=numpy, nk=nnkit, checks=checks)
    try:
        exec(compile(code, "<hidden tests>", "exec"), scope)
    except AssertionError as exc:
        text = str(exc).strip() or "an assertion failed"
        if text.startswith("[FAIL] ") and ": " in text:  # a check's report: drop its header
            text = text.split(": ", 1)[1]
        return f"a hidden test failed: {text}"
    except NotImplementedError:
        return "not implemented yet."
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - the submission's error, reported as feedback
        return f"a hidden test raised {type(exc).__name__}: {_short(exc)}"
    return None


def _short(exc) -> str:
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else ""
    return text if len(text) <= 300 else text[:297] + "..."
