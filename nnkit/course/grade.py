"""``nnkit-course grade``: grade submitted notebooks into a CSV, one row per notebook.

Every submission is treated as hostile code. For each notebook the grader

1. reads it defensively (any unreadable, malformed or oversized file is one row saying why)
   and finds its assignment (the notebook's ``nnkit.assignment`` metadata, else its file
   name) and the tasks and hidden tests of the matching solution notebook;
2. for each task, starts a fresh sandboxed Python process (:mod:`nnkit.course.sandbox`)
   and runs there, cell by cell, only the submission's imports, definitions and constants
   (:func:`nnkit.course.notebooks.definitions`), with a time limit per cell;
3. runs the task's check and hidden tests *in the grader's own process*: their inputs are
   sent to the sandbox, the student's function is called there, and only the outputs come
   back (values, exception type and text, warnings, inputs changed in place, forbidden
   functions called). References, mistakes and scores never enter the sandbox.

A task that hangs, crashes, exhausts its memory or breaks the protocol earns zero; its
sandbox is killed with everything it started, and the next task starts afresh. Nothing a
submission does stops the batch: the CSV is always written. Several notebooks are graded
at once (``jobs``), each in a worker process of its own.
"""
from __future__ import annotations

import concurrent.futures
import csv
import hashlib
import json
import multiprocessing
import os
import pathlib
import re
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field

from .notebooks import Task, assignment, definitions, tasks

__all__ = ["TaskResult", "Submission", "load_solutions", "grade", "write_csv", "feedback_text",
           "feedback_names", "CELL_LIMIT", "NO_SANDBOX_NOTE"]

CELL_LIMIT = 10_000          # characters in one CSV cell
MAX_NOTEBOOK = 20 * 2 ** 20  # bytes: a larger file is not read
STARTUP = 60.0               # seconds for a sandbox to start (a loaded machine is slow)
NO_SANDBOX_NOTE = ("WARNING: graded with --no-sandbox: this notebook's code ran without "
                   "isolation and could read or change the grader's files.")


@dataclass
class TaskResult:
    task: str
    passed: bool
    points: float
    max_points: float
    message: str
    status: str = ""


@dataclass
class Submission:
    path: pathlib.Path
    assignment: str | None
    results: list[TaskResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return sum(r.points for r in self.results)

    @property
    def max_score(self) -> float:
        return sum(r.max_points for r in self.results)


@dataclass(frozen=True)
class _Options:
    timeout: float
    sandbox: bool
    bwrap: str | None
    memory_mb: int
    views: str


def load_solutions(directory) -> dict[str, list[Task]]:
    """The tasks of every solution notebook, by assignment name (the file's stem)."""
    import nbformat

    directory = pathlib.Path(directory)
    found = {}
    for path in sorted(directory.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        meta = nb.metadata.get("nnkit", {})
        name = meta.get("assignment", path.stem) if isinstance(meta, dict) else path.stem
        found[name] = tasks(nb)
    if not found:
        raise FileNotFoundError(f"no solution notebooks in {directory}; pass --solutions DIR")
    return found


def _submissions(paths) -> list[pathlib.Path]:
    out = []
    for p in map(pathlib.Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in q.parts)
        else:
            out.append(p)
    return out


def grade(paths, solutions, *, timeout: float = 60.0, jobs: int | None = None,
          progress=None, sandbox: bool = True, memory_mb: int = 2048) -> list[Submission]:
    """Grade notebooks; returns one :class:`Submission` per notebook, in the given order.

    Parameters
    ----------
    paths : list of path
        Notebooks, or folders searched for ``*.ipynb``.
    solutions : path or dict
        The solution notebooks' folder, or what :func:`load_solutions` returned.
    timeout : float
        Seconds allowed for each cell's definitions and for each task (check and hidden tests).
    jobs : int, optional
        Notebooks graded at once (default: the number of CPUs, at most 4).
    progress : callable, optional
        Called with each finished :class:`Submission`.
    sandbox : bool
        Run the submissions' code in bubblewrap (:class:`~nnkit.course.sandbox.SandboxUnavailable`
        if it cannot be used). ``False`` runs it in plain child processes and says so in
        every row's notes.
    memory_mb : int
        The address space allowed to each sandboxed process.
    """
    from . import sandbox as sb

    known = solutions if isinstance(solutions, dict) else load_solutions(solutions)
    files = _submissions(paths)
    if not files:
        return []
    bwrap = sb.check_bubblewrap() if sandbox else None
    jobs = max(1, jobs or min(4, os.cpu_count() or 1))
    with tempfile.TemporaryDirectory(prefix="nnkit-grade-views-") as views:
        _build_views(views, known)
        opts = _Options(float(timeout), bool(sandbox), bwrap, int(memory_mb), views)
        if jobs == 1 or len(files) == 1:
            subs = []
            for path in files:
                subs.append(_grade_one(path, known, opts))
                if progress:
                    progress(subs[-1])
            return subs
        return _in_workers(files, known, opts, jobs, progress)


def _build_views(directory, known) -> None:
    from .view import build_view

    for task_list in known.values():
        for task in task_list:
            check = _check_of(task)
            forbidden = check.forbidden if check is not None else []
            build_view(os.path.join(directory, _view_name(task)), forbidden)


def _view_name(task: Task) -> str:
    return f"{task.module}.{task.check}"


def _in_workers(files, known, opts, jobs, progress) -> list[Submission]:
    """Grade in ``jobs`` worker processes; a worker that dies costs only its notebook."""
    results: dict[int, Submission] = {}
    pending = list(range(len(files)))
    tries = {i: 0 for i in pending}
    context = multiprocessing.get_context("spawn")
    while pending:
        with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
            futures = {pool.submit(_grade_one, files[i], known, opts): i for i in pending}
            pending = []
            for future in concurrent.futures.as_completed(futures):
                i = futures[future]
                try:
                    results[i] = future.result()
                except Exception as err:  # noqa: BLE001 - a broken worker: retry once, then report
                    tries[i] += 1
                    if tries[i] < 2:
                        pending.append(i)
                        continue
                    results[i] = Submission(files[i], None, notes=[
                        f"the grader's worker failed on this notebook ({type(err).__name__}: {err})."])
                if progress:
                    progress(results[i])
    return [results[i] for i in range(len(files))]


# ------------------------------------------------------------------ one notebook
def _read(path: pathlib.Path):
    import nbformat

    size = path.stat().st_size
    if size > MAX_NOTEBOOK:
        raise ValueError(f"the file is {size / 2 ** 20:.0f} MB; notebooks over "
                         f"{MAX_NOTEBOOK // 2 ** 20} MB are not graded")
    text = path.read_bytes().decode("utf-8-sig")  # a byte-order mark is no reason to fail
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("cells", data.get("worksheets")), list):
        raise ValueError("the file is JSON but not a notebook (no list of cells)")
    try:
        return nbformat.reads(text, as_version=4, capture_validation_error={}), None
    except Exception as err:  # noqa: BLE001 - malformed cells: grade what can be read
        if data.get("nbformat") != 4:
            raise
        return nbformat.from_dict(data), (f"the notebook does not follow nbformat 4 "
                                          f"({type(err).__name__}); the cells that could be "
                                          f"read were graded.")


def _grade_one(path, known, opts: _Options) -> Submission:
    start = time.perf_counter()
    path = pathlib.Path(path)
    sub = Submission(path, None)
    try:
        _grade_into(sub, known, opts)
    except Exception as err:  # noqa: BLE001 - the grader's own failure is one row, not the batch's
        sub.notes.append(f"the grader failed on this notebook ({type(err).__name__}: {err}); "
                         f"the tasks not graded score 0.")
    if not opts.sandbox:
        sub.notes.insert(0, NO_SANDBOX_NOTE)
    sub.seconds = time.perf_counter() - start
    return sub


def _grade_into(sub: Submission, known, opts: _Options) -> None:
    try:
        nb, problem = _read(sub.path)
    except Exception as err:  # noqa: BLE001 - any unreadable file is one row of feedback
        sub.notes.append(f"could not read the notebook: {type(err).__name__}: {err}")
        return
    if problem:
        sub.notes.append(problem)
    name = assignment(nb, sub.path, known)
    sub.assignment = name
    if name is None:
        sub.notes.append("cannot tell which assignment this is: the notebook has no nnkit "
                         "metadata and its file name contains none of " + ", ".join(sorted(known)))
        return
    cells, notes = definitions(nb)
    sub.notes += notes
    functions = sorted({t.function for t in known[name]})
    skip: set[int] = set()
    for task in known[name]:
        sub.results.append(_grade_task(task, cells, functions, skip, opts, sub.notes))


def _check_of(task: Task):
    from nnkit import checks

    return getattr(getattr(checks, task.module, None), task.check, None)


def _note(notes, text):
    if text not in notes:
        notes.append(text)


def _grade_task(task: Task, cells, functions, skip, opts: _Options, notes) -> TaskResult:
    """One task in a sandbox of its own; the definitions run again there."""
    from . import sandbox as sb

    check = _check_of(task)
    if check is None:
        return TaskResult(task.name, False, 0.0, 1.0,
                          f"the grader has no check nnkit.checks.{task.module}.{task.check}.", "error")
    points = check.points

    def result(message, status, passed=False):
        return TaskResult(task.name, passed, points if passed else 0.0, points, message, status)

    for _attempt in range(len(cells) + 1):
        session = sb.Session(os.path.join(opts.views, _view_name(task)), sandbox=opts.sandbox,
                             bwrap=opts.bwrap, memory_mb=opts.memory_mb,
                             cpu_seconds=int(opts.timeout * (len(cells) + 2) + STARTUP))
        try:
            try:
                session.start(time.monotonic() + STARTUP)
            except sb.SessionError as err:
                return result(f"the grader could not start a sandbox for it ({err}).", "error")
            try:
                defined, kinds = session.define([c for c in cells if c[0] not in skip],
                                                functions, opts.timeout)
            except sb.SessionTimeout as err:
                if getattr(err, "cell", None) is None or err.cell in skip:
                    return result("its definitions did not finish.", "timeout")
                skip.add(err.cell)
                _note(notes, f"cell {err.cell + 1}: its definitions did not finish, even after "
                             f"the time limit ({opts.timeout:g} s); it was skipped.")
                continue
            for text in defined:
                _note(notes, text)
            kind = kinds.get(task.function, "missing")
            if kind == "missing":
                return result(f"`{task.function}` is not defined in the notebook (renamed, or its "
                              f"cell has an error?).", "missing")
            if kind != "function":
                return result(f"`{task.function}` should be a function; it is {kind}.", "failed")
            end = time.monotonic() + opts.timeout
            proxies = {f: sb.RemoteFunction(session, f, lambda: end)
                       for f, k in kinds.items() if k == "function"}
            report = check.run(proxies[task.function])
            if report.passed and task.hidden.strip():
                failed = _hidden(task.hidden, proxies, check)
                if failed:
                    return result(*failed)
            return TaskResult(task.name, bool(report.passed), float(report.points),
                              float(report.max_points), report.message, report.status)
        except sb.SessionTimeout:
            return result(f"did not finish within {opts.timeout:g} s (an endless loop?).", "timeout")
        except sb.SessionLost as err:
            return result(f"stopped the sandbox: {err} (a crash, os._exit, or memory "
                          f"exhausted).", "crashed")
        finally:
            session.close()
    return result("its definitions did not finish.", "timeout")


def _hidden(code: str, proxies, check):
    """Run the instructor's hidden tests in the grader, on proxies of the student's functions.

    Returns ``None`` if they pass, else ``(message, status)``.
    """
    import numpy
    import nnkit
    from nnkit import checks
    from nnkit.checks._report import FAILED, NOT_IMPLEMENTED

    from . import sandbox as sb

    scope = {"np": numpy, "nk": nnkit, "checks": checks, "__name__": "hidden_tests", **proxies}
    try:
        exec(compile(code, "<hidden tests>", "exec"), scope)
    except checks.CheckFailed as exc:
        return f"a hidden test failed: {exc.report.message}", exc.report.status
    except AssertionError as exc:
        return f"a hidden test failed: {str(exc).strip() or 'an assertion failed'}", FAILED
    except NotImplementedError:
        return "not implemented yet.", NOT_IMPLEMENTED
    except sb.ForbiddenUse as exc:
        report = check._forbidden(exc.paths)
        return report.message, report.status
    except sb.SubmissionRaised as exc:
        return f"a hidden test raised {exc.type_name}: {_short(str(exc))}", FAILED
    except sb.SessionError:
        raise
    except Exception as exc:  # noqa: BLE001 - the hidden test choked on what the function returned
        return f"a hidden test raised {type(exc).__name__}: {_short(str(exc))}", FAILED
    return None


def _short(text: str) -> str:
    lines = text.strip().splitlines()
    text = lines[0] if lines else ""
    return text if len(text) <= 300 else text[:297] + "..."


# ------------------------------------------------------------------ output
def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def feedback_text(sub: Submission, sep: str = "\n") -> str:
    """The feedback for one submission: one line per task, then notes."""
    lines = [f"{r.task}: {'passed' if r.passed else r.message}" for r in sub.results]
    return sep.join(lines + sub.notes)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def clean_cell(text, limit: int = CELL_LIMIT) -> str:
    """``text`` fit for one CSV cell: no NUL or control characters, at most ``limit`` characters."""
    text = _CONTROL.sub(" ", str(text))
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cs"))
    if len(text) > limit:
        text = text[: limit - 30] + " [... feedback cut short]"
    return text


def write_csv(submissions, path) -> list[str]:
    """Write the scores; returns the header. Task columns hold ``pass`` or ``fail``.

    Every cell is free of control characters and at most :data:`CELL_LIMIT` characters
    long, so the file reads with Python's ``csv`` module defaults.
    """
    columns: list[str] = []
    for sub in submissions:
        for r in sub.results:
            if r.task not in columns:
                columns.append(r.task)
    header = ["file", "score", "max_score", *columns, "feedback"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for sub in submissions:
            status = {r.task: ("pass" if r.passed else "fail") for r in sub.results}
            row = [str(sub.path), _number(sub.score), _number(sub.max_score),
                   *(status.get(c, "") for c in columns), feedback_text(sub, sep=" | ")]
            writer.writerow([clean_cell(c) for c in row])
    return header


def feedback_names(paths) -> list[str]:
    """One distinct feedback file name per submission path.

    The name is the path below the submissions' common folder, with separators turned
    into ``__``: ``submitted/alice/06/06_x.ipynb`` and ``submitted/bob/06/06_x.ipynb``
    give ``alice__06__06_x.txt`` and ``bob__06__06_x.txt``.
    """
    resolved = [pathlib.Path(os.path.abspath(p)) for p in paths]
    if not resolved:
        return []
    root = pathlib.Path(os.path.commonpath([str(p.parent) for p in resolved]))
    names, seen = [], set()
    for p in resolved:
        parts = list(p.relative_to(root).with_suffix("").parts)
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", "__".join(parts)).strip("._")[:150] or "notebook"
        if name in seen:
            digest = hashlib.sha1(str(p).encode("utf-8", "surrogateescape")).hexdigest()[:8]
            name = f"{name}-{digest}"
        seen.add(name)
        names.append(name + ".txt")
    return names
