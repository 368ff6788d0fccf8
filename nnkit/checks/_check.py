"""The check machinery: run a student's function on cases, compare, explain the mistake.

A :class:`Check` knows a task's reference solution, its cases (fixed ones chosen to
expose known mistakes first, then random ones from a seeded generator), the known
mistakes (each a function computing the wrong answer from the same inputs, with the
message to print when the student's result matches it) and the nnkit functions that
the task must not call.

``check(fn)`` prints the report and returns it; ``check.run(fn)`` only returns it;
``check.assert_passes(fn, seed=...)`` raises ``AssertionError`` unless ``fn`` passes on
a fresh set of random cases (hidden tests).

Each case is checked in two halves: :meth:`Check.call` runs the student's function and
records an :class:`Outcome` (the value, the error, the warnings, the inputs changed in
place, the forbidden functions called), and :meth:`Check.judge` decides from that record
alone. In a notebook both halves run in the student's kernel. The grader passes a proxy
whose ``__nnkit_call__`` runs the call in a sandboxed process and brings back only the
record's values; references, mistakes and scores stay in the grader's process.
"""
from __future__ import annotations

import contextlib
import copy
import inspect
import io
import os
import sys
import traceback
import warnings
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from . import _forbid
from ._compare import difference, fmt, wrong_dtype
from ._feedback import explain_warning, inputs_text, rounding_note, sentence
from ._report import FAILED, FORBIDDEN, NOT_IMPLEMENTED, PASSED, Report

__all__ = ["Case", "Mistake", "Fresh", "Check", "Outcome", "RemoteError", "CheckFailed", "seeded"]


@dataclass
class Fresh:
    """An argument built anew for every call (a generator, a call-counting objective).

    ``make()`` is called once for the student's function and once for each reference,
    so that no call sees state another one left behind.
    """

    make: Callable[[], Any]
    label: str = ""


def seeded(seed: int) -> Fresh:
    """A fresh ``numpy.random.Generator`` seeded with ``seed`` for every call."""
    return Fresh(lambda: np.random.default_rng(seed), f"np.random.default_rng({seed})")


@dataclass
class Case:
    """One input to the student's function.

    Attributes
    ----------
    label : str
        Says what the case is about ("a square W, so a transposed W keeps the shape").
    args : tuple
        Positional arguments; ``Fresh`` values are built anew per call, arrays copied.
    kwargs : dict
    """

    label: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


@dataclass
class Mistake:
    """A known wrong answer: ``compute`` gives it from the case's arguments.

    ``warns``, if given, is text that a numpy warning raised by the student's call must
    contain for the mistake to be named (two mistakes can give the same inf, one by an
    overflow in ``exp``, the other by ``log(0)``).
    """

    compute: Callable
    message: str
    warns: str | None = None


@dataclass
class Outcome:
    """What one call of the student's function did: all that :meth:`Check.judge` looks at.

    Attributes
    ----------
    value : object
        What it returned (``None`` when it raised).
    error : BaseException or None
        What it raised. From the grader's sandbox this is a stand-in of the same built-in
        type (or a :class:`RemoteError`) carrying the message only.
    where : str or None
        The innermost function of the student's code the error came from.
    warnings : list
        The warnings issued during the call (``.category`` and ``.message`` each).
    changed : dict
        The array arguments it changed in place: name -> (after the call, before it).
    forbidden : list of str
        The forbidden functions it called, outermost first.
    """

    value: Any = None
    error: BaseException | None = None
    where: str | None = None
    warnings: list = field(default_factory=list)
    changed: dict = field(default_factory=dict)
    forbidden: list = field(default_factory=list)


class CheckFailed(AssertionError):
    """A check failed where failing must stop the cell (hidden tests, nbgrader); ``.report``
    says how. In IPython only the report is shown, not a traceback."""

    def __init__(self, report):
        super().__init__(report.text)
        self.report = report

    def _render_traceback_(self):
        return [self.report.text]


class RemoteError(Exception):
    """An exception raised in the sandbox whose type is not a built-in one: its name and text."""

    def __init__(self, type_name: str, message: str):
        super().__init__(message)
        self.type_name = type_name


def _type_name(exc) -> str:
    return exc.type_name if isinstance(exc, RemoteError) else type(exc).__name__


class _Bounded(io.TextIOBase):
    """A stdout stand-in that passes on the first ``limit`` characters, then drops the rest."""

    def __init__(self, target, limit: int):
        self.target, self.limit, self.count = target, limit, 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        room = self.limit - self.count
        if self.target is not None and room > 0:
            self.target.write(text[:room])
            if len(text) > room:
                self.target.write("\n[... more output from your function was cut off by the check]\n")
        self.count += len(text)
        return len(text)


class Check:
    """A task's check. See the module docstring.

    Parameters
    ----------
    task : str
        The task's name: the name of the function the student writes.
    reference : callable
        The right answer from the same arguments.
    cases : callable
        ``cases(rng, hidden) -> list[Case]``: fixed cases first, then random ones drawn
        from ``rng``; ``hidden=True`` asks for other and larger random cases.
    mistakes : list of Mistake
    forbidden : list of str
        Dotted names of the nnkit functions and methods the answer must not call.
    rtol, atol : float
        Tolerances for comparing numbers.
    names : tuple of str, optional
        Names of the parts when the function returns a tuple.
    on_error : callable, optional
        ``on_error(exc, case) -> str or None``: advice for an exception.
    on_warning : str, optional
        What to say when numpy warns (overflow, invalid value) during the call.
    compare : callable, optional
        ``compare(got, case, reference_fn) -> str or None`` replaces the comparison with
        the reference, for tasks whose answer is not unique (statistics, signs).
    diagnose : callable, optional
        ``diagnose(got, case) -> str or None``: a known mistake recognised by a test
        other than equality with a wrong answer (tried after ``mistakes``).
    align : callable, optional
        ``align(got, want) -> got``: undo a freedom of the answer before comparing
        (an eigenvector's sign), for the reference and for each mistake alike.
    points : float
    """

    def __init__(self, task, reference, cases, mistakes=(), forbidden=(), *, rtol=1e-7,
                 atol=1e-10, names=None, on_error=None, on_warning=None, compare=None,
                 diagnose=None, align=None, points=1.0, echo_limit=4000):
        self.task, self.reference, self._cases = task, reference, cases
        self.mistakes, self.forbidden = list(mistakes), list(forbidden)
        self.rtol, self.atol, self.names = rtol, atol, names
        self.on_error, self.on_warning, self._compare = on_error, on_warning, compare
        self._diagnose_extra, self.align = diagnose, align
        self.points, self.echo_limit = float(points), echo_limit
        self.seed = zlib.crc32(task.encode())

    def __repr__(self) -> str:
        return f"<check {self.task}>"

    def __call__(self, fn) -> Report:
        """Check ``fn``, print the report, and return it.

        Under nbgrader (``nbgrader validate`` and ``autograde`` set ``NBGRADER_EXECUTION``)
        a failing check also raises :class:`CheckFailed`, so that its grade cell fails; a
        student running the notebook only sees the report.
        """
        report = self.run(fn, echo=True)
        print(report.text)
        try:
            from IPython import get_ipython
            report._printed_in = getattr(get_ipython(), "execution_count", None)
        except ImportError:  # pragma: no cover
            pass
        if not report.passed and os.environ.get("NBGRADER_EXECUTION"):
            raise CheckFailed(report)
        return report

    def assert_passes(self, fn, seed: int) -> None:
        """Raise :class:`CheckFailed` (an ``AssertionError``) with the report unless ``fn``
        passes on hidden cases."""
        report = self.run(fn, seed=seed, hidden=True)
        if not report.passed:
            raise CheckFailed(report)

    def cases(self, seed=None, hidden: bool = False) -> list[Case]:
        rng = np.random.default_rng(self.seed if seed is None else seed)
        return self._cases(rng, hidden)

    # ----------------------------------------------------------------- running
    def run(self, fn, seed=None, hidden: bool = False, echo: bool = False) -> Report:
        """Check ``fn`` and return a :class:`Report`; never raises for the student's errors."""
        if not callable(fn):
            return self._fail(f"expected the function `{self.task}`; got {fmt(fn)}.")
        used = _forbid.aliases(fn, self.forbidden)
        if used:
            return self._forbidden(used)
        cases = self.cases(seed, hidden)
        for case in cases:
            outcome = self._one(fn, case, echo)
            if outcome is not None:
                return outcome
        kind = "hidden case" if hidden else "case"
        done = f"passed the {kind}." if len(cases) == 1 else f"passed all {len(cases)} {kind}s."
        return Report(self.task, True, done, PASSED, self.points, self.points)

    def _fail(self, message: str, status: str = FAILED) -> Report:
        return Report(self.task, False, message, status, 0.0, self.points)

    def _forbidden(self, used) -> Report:
        names = ", ".join(f"`{u}`" for u in used)
        kind = _forbid.kind(used[0])
        if kind == "check":
            return self._fail(
                f"your function calls {names}, a part of the check itself. The checks' answers "
                f"are not available to graded code, so this task earns no marks.", FORBIDDEN)
        if kind == "lecture":
            return self._fail(
                f"your function calls {names}, a lecture helper that does the work for it. Graded "
                f"code may use numpy and nnkit's core library only, so this task earns no "
                f"marks; write it yourself with numpy.", FORBIDDEN)
        return self._fail(
            f"your function calls nnkit's own {names}. This task asks you to write it "
            f"yourself with numpy, so it earns no marks; use nnkit's version only to compare "
            f"with yours, outside your function.", FORBIDDEN)

    def _one(self, fn, case: Case, echo: bool):
        """``None`` if ``fn`` is right on ``case``, else the failing :class:`Report`."""
        return self.judge(case, self.call(fn, case, echo))

    # The two halves of a check. ``call`` runs the student's function and records what it
    # did; ``judge`` decides from that record alone. In a notebook both run in the
    # student's kernel; the grader runs ``call`` in a sandbox (``fn`` is then a proxy with a
    # ``__nnkit_call__`` method) and ``judge`` in its own process.
    def call(self, fn, case: Case, echo: bool = False) -> "Outcome":
        """Run ``fn`` on a fresh copy of the case's arguments, watching what it does."""
        args, kwargs, pristine = _materialise(case, _parameter_names(self.reference))
        remote = getattr(fn, "__nnkit_call__", None)
        if remote is not None:
            return remote(args, kwargs, names=list(_argument_names(self.reference, case)),
                          forbidden=self.forbidden)
        sink = _Bounded(sys.stdout if echo else None, self.echo_limit if echo else 0)
        with warnings.catch_warnings(record=True) as caught, \
                np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"), \
                contextlib.redirect_stdout(sink), _forbid.watch(self.forbidden) as hits:
            warnings.simplefilter("always")
            try:
                got, error = fn(*args, **kwargs), None
            except (Exception, SystemExit) as exc:  # the student's bug, judged below
                got, error = None, exc
        changed = {name: (now, before) for name, (now, before) in pristine.items()
                   if now.shape != before.shape or not np.array_equal(now, before, equal_nan=True)}
        return Outcome(got, error, _raised_in(error) if error is not None else None,
                       list(caught), changed, hits[:1])

    def judge(self, case: Case, outcome: "Outcome"):
        """``None`` if the recorded call is right on ``case``, else the failing :class:`Report`."""
        error = outcome.error
        if isinstance(error, NotImplementedError):
            where = outcome.where
            inner = f" (raised in `{where}`, which `{self.task}` calls)" \
                if where and where != self.task else ""
            hint = f" Hint: {error}" if str(error) else ""
            return self._fail(f"not implemented yet{inner}.{hint}", NOT_IMPLEMENTED)
        if outcome.forbidden:  # the first recorded call is the outermost one, the one the student wrote
            return self._forbidden(outcome.forbidden[:1])
        if error is not None:
            return self._fail(self._describe_error(error, case, outcome.where))
        got, caught, changed = outcome.value, outcome.warnings, outcome.changed
        if changed:
            return self._fail(
                f"on {case.label}, your function changed its input {', '.join(changed)} in "
                f"place.{rounding_note(changed)} Work on a copy (e.g. `x = x.copy()` or "
                f"`x = x - m` rather than `x -= m`).")
        if self._compare is None:
            dtype = wrong_dtype(got, self._reference_on(case), rtol=self.rtol, names=self.names)
            if dtype:
                return self._fail(f"on {case.label}: {dtype}")
        diff = self._difference(got, case)
        warned = [w for w in caught if issubclass(w.category, RuntimeWarning)]
        if diff is None and not warned:
            return None
        if diff is None:
            return self._fail(f"right values on {case.label}, but "
                              + explain_warning(warned[0], self.on_warning, values_right=True))
        lines = [f"wrong on {case.label}."]
        targeted = self._diagnose(got, case, [str(w.message) for w in warned])
        if targeted:
            lines.append(f"It looks like this mistake: {targeted}")
        lines.append(sentence(diff))
        if warned and not targeted:
            lines.append(sentence(explain_warning(warned[0], self.on_warning, values_right=False)))
        lines.append(inputs_text(case, _parameter_names(self.reference)))
        return self._fail(" ".join(line for line in lines if line))

    def _difference(self, got, case):
        if self._compare is not None:
            return self._compare(got, case, self._reference_on)
        want = self._reference_on(case)
        return difference(self._aligned(got, want), want, rtol=self.rtol, atol=self.atol,
                          name="your result", names=self.names)

    def _aligned(self, got, want):
        return got if self.align is None else self.align(got, want)

    def _reference_on(self, case: Case, compute=None):
        args, kwargs, _ = _materialise(case)
        return (compute or self.reference)(*args, **kwargs)

    def _diagnose(self, got, case, warned=()):
        """The message of the first known mistake whose answer equals the student's."""
        want = self._reference_on(case)
        for mistake in self.mistakes:
            if mistake.warns and not any(mistake.warns in w for w in warned):
                continue
            try:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    wrong = self._reference_on(case, mistake.compute)
            except Exception:  # the mistake does not apply to these shapes
                continue
            same_as_right = difference(self._aligned(wrong, want), want, rtol=self.rtol,
                                       atol=self.atol) is None
            if not same_as_right and difference(self._aligned(got, wrong), wrong, rtol=self.rtol,
                                                atol=self.atol) is None:
                return mistake.message
        if self._diagnose_extra is not None:
            return self._diagnose_extra(got, case)
        return None

    def _describe_error(self, exc, case, where=None) -> str:
        place = f" in `{where}`" if where and where != self.task else ""
        text = f"raised {_type_name(exc)}{place} on {case.label}: {_short(exc)}"
        advice = self.on_error(exc, case) if self.on_error else None
        return f"{text} {advice}" if advice else text


def _parameter_names(fn) -> list[str]:
    try:
        return list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):  # pragma: no cover - references are plain functions
        return []


def _argument_names(reference, case: Case):
    names = _parameter_names(reference)
    return names + [f"argument {i + 1}" for i in range(len(names), len(case.args))]


def _materialise(case: Case, names=()):
    """Fresh copies of the case's arguments, and the arrays' pristine copies by name."""
    pristine = {}

    def build(value, name):
        if isinstance(value, Fresh):
            return value.make()
        if isinstance(value, np.ndarray):
            copy_ = value.copy()
            pristine[name] = (copy_, value.copy())
            return copy_
        if callable(value):
            return value
        return copy.deepcopy(value)

    names = list(names) + [f"argument {i + 1}" for i in range(len(names), len(case.args))]
    args = tuple(build(v, names[i]) for i, v in enumerate(case.args))
    kwargs = {k: build(v, k) for k, v in case.kwargs.items()}
    return args, kwargs, pristine


def _short(exc) -> str:
    text = str(exc).strip().splitlines()
    text = text[0] if text else ""
    return text if len(text) <= 300 else text[:297] + "..."


def _raised_in(exc) -> str | None:
    """The name of the innermost function of the student's code where ``exc`` was raised."""
    name = None
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        module = frame.f_globals.get("__name__", "")
        if module.startswith(("nnkit.checks", "numpy")):
            continue
        if module == "nnkit" or module.startswith("nnkit."):
            continue
        name = frame.f_code.co_name
    return name
