"""``nnkit-course grade``: grade submitted notebooks into a CSV, one row per notebook.

For each submission the grader

1. finds its assignment (the notebook's ``nnkit.assignment`` metadata, else its file
   name) and takes the tasks and hidden tests from the matching solution notebook;
2. starts a fresh kernel and runs, cell by cell, only the submission's imports,
   definitions and constants (:func:`nnkit.course.notebooks.definitions`);
3. for each task, re-imports the checks afresh in that kernel and runs the check and the
   hidden tests on the student's function, with a time limit; the student's output is
   discarded.

A task that hangs is stopped after ``timeout`` seconds (the kernel is killed and a new
one started when the code ignores the interruption); a task that kills the kernel earns
zero and the kernel is restarted for the next task. Nothing a submission does stops the
batch. Several notebooks are graded at once (``jobs``), one kernel each.
"""
from __future__ import annotations

import asyncio
import csv
import json
import os
import pathlib
import tempfile
import time
from dataclasses import dataclass, field

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

from .notebooks import Task, assignment, definitions, tasks

__all__ = ["TaskResult", "Submission", "load_solutions", "grade", "write_csv", "feedback_text"]

GRACE = 3.0  # seconds beyond the time limit before the kernel is killed


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


def load_solutions(directory) -> dict[str, list[Task]]:
    """The tasks of every solution notebook, by assignment name (the file's stem)."""
    directory = pathlib.Path(directory)
    found = {}
    for path in sorted(directory.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        name = nb.metadata.get("nnkit", {}).get("assignment", path.stem)
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
          kernel_name: str = "python3", progress=None) -> list[Submission]:
    """Grade notebooks; returns one :class:`Submission` per notebook, in the given order.

    Parameters
    ----------
    paths : list of path
        Notebooks, or folders searched for ``*.ipynb``.
    solutions : path or dict
        The solution notebooks' folder, or what :func:`load_solutions` returned.
    timeout : float
        Seconds allowed for each cell's definitions and for each task's checks.
    jobs : int, optional
        Notebooks graded at once (default: the number of CPUs, at most 4).
    progress : callable, optional
        Called with each finished :class:`Submission`.
    """
    known = solutions if isinstance(solutions, dict) else load_solutions(solutions)
    files = _submissions(paths)
    jobs = jobs or min(4, os.cpu_count() or 1)
    return asyncio.run(_grade_all(files, known, timeout, jobs, kernel_name, progress))


async def _grade_all(files, known, timeout, jobs, kernel_name, progress):
    gate = asyncio.Semaphore(jobs)

    async def one(path):
        async with gate:
            sub = await _grade_one(path, known, timeout, kernel_name)
        if progress:
            progress(sub)
        return sub

    return await asyncio.gather(*(one(p) for p in files))


async def _grade_one(path: pathlib.Path, known, timeout, kernel_name) -> Submission:
    start = time.perf_counter()
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as err:  # noqa: BLE001 - any unreadable file is one row of feedback
        sub = Submission(path, None, notes=[f"could not read the notebook: {err}"])
        return _finish(sub, start)
    name = assignment(nb, path, known)
    sub = Submission(path, name)
    if name is None:
        sub.notes.append("cannot tell which assignment this is: the notebook has no nnkit "
                         "metadata and its file name contains none of " + ", ".join(sorted(known)))
        return _finish(sub, start)
    cells, notes = definitions(nb)
    sub.notes += notes
    outcomes = await _run(cells, known[name], timeout, kernel_name, sub.notes)
    sub.results = [outcomes[t.name] for t in known[name]]
    return _finish(sub, start)


def _finish(sub: Submission, start: float) -> Submission:
    sub.seconds = time.perf_counter() - start
    return sub


async def _run(cells, task_list, timeout, kernel_name, notes) -> dict[str, TaskResult]:
    """Run the definitions and every task, restarting the kernel after a hang or a crash."""
    outcomes: dict[str, TaskResult] = {}
    skip: set[int] = set()
    with tempfile.TemporaryDirectory(prefix="nnkit-grade-") as tmp:
        results = os.path.join(tmp, "results.jsonl")
        for _attempt in range(len(task_list) + len(cells) + 1):
            pending = [t for t in task_list if t.name not in outcomes]
            if not pending:
                break
            try:
                failure = await _session([c for c in cells if c[0] not in skip], pending, results,
                                         timeout, kernel_name, tmp, outcomes, notes)
            except Exception as err:  # noqa: BLE001 - no kernel: report it, keep the batch going
                notes.append(f"the grader could not run a kernel for this notebook: {err}")
                break
            if failure is None:
                break
            kind, what, why = failure
            if kind == "cell":
                skip.add(what)
                notes.append(f"cell {what + 1}: its definitions {why}; it was skipped.")
            else:
                task = next(t for t in task_list if t.name == what)
                outcomes[what] = TaskResult(what, False, 0.0, _points(task), f"{why}.", "crashed")
        for t in task_list:  # anything left could not be run at all
            outcomes.setdefault(t.name, TaskResult(t.name, False, 0.0, _points(t),
                                                   "could not be run.", "error"))
    return outcomes


def _points(task: Task) -> float:
    from nnkit import checks
    module = getattr(checks, task.module, None)
    return float(getattr(getattr(module, task.check, None), "points", 1.0))


_SETUP = ("import nnkit.course._harness as __nnkit_harness\n"
          "__nnkit_ns = __nnkit_harness.new_namespace()\n"
          "__nnkit_state = __nnkit_harness.snapshot()")
_FRESH = ("import sys as __nnkit_sys\n"
          "for __nnkit_m in [m for m in list(__nnkit_sys.modules) "
          "if m.startswith(('nnkit.checks', 'nnkit.course'))]:\n"
          "    del __nnkit_sys.modules[__nnkit_m]\n"
          "import nnkit.course._harness as __nnkit_harness\n")


async def _session(cells, pending, results, timeout, kernel_name, cwd, outcomes, notes):
    """One kernel: definitions, then tasks. Returns None, or what stopped the kernel."""
    nb = nbformat.v4.new_notebook()
    if os.name == "posix":  # Unix sockets in the scratch folder: no ports to race for
        km = AsyncKernelManager(kernel_name=kernel_name, transport="ipc", ip=os.path.join(cwd, "kernel"))
    else:  # pragma: no cover - Windows has no Unix sockets
        km = AsyncKernelManager(kernel_name=kernel_name)
    client = NotebookClient(nb, km=km, timeout=timeout + GRACE, allow_errors=True,
                            interrupt_on_timeout=False, shutdown_kernel="immediate",
                            resources={"metadata": {"path": cwd}}, record_timing=False)
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONWARNINGS": "ignore"}
    async with client.async_setup_kernel(env=env, cleanup_kc=True):
        if await _execute(client, _SETUP) is not None:
            raise RuntimeError("the grading kernel could not import nnkit.course")
        for index, code in cells:
            stopped = await _execute(client, f"__nnkit_harness.define(__nnkit_ns, {index}, {code!r}, "
                                             f"{results!r}, {timeout!r})")
            if stopped:
                return "cell", index, stopped
        notes += [r["note"] for r in _records(results, "defined") if r.get("note")
                  and r["note"] not in notes]
        for task in pending:
            payload = {"module": task.module, "check": task.check, "function": task.function,
                       "hidden": task.hidden}
            stopped = await _execute(client, _FRESH + f"__nnkit_harness.run_task(__nnkit_ns, "
                                                      f"{payload!r}, {results!r}, {timeout!r}, "
                                                      f"__nnkit_state)")
            if stopped:
                return "task", task.name, stopped
            found = [r for r in _records(results, "task") if r["task"] == task.name]
            if found:
                r = found[-1]
                if r.get("restored"):
                    note = ("the notebook's definitions changed " + ", ".join(r["restored"][:5])
                            + "; graded with the originals.")
                    if note not in notes:
                        notes.append(note)
                outcomes[task.name] = TaskResult(task.name, bool(r["passed"]), float(r["points"]),
                                                 float(r["max_points"]), r["message"], r["status"])
            else:
                outcomes[task.name] = TaskResult(task.name, False, 0.0, _points(task),
                                                 "the grader could not run this check.", "error")
    return None


async def _execute(client, source) -> str | None:
    """Run one cell; ``None`` when it finished, else why the kernel had to be stopped."""
    cell = nbformat.v4.new_code_cell(source)
    client.nb.cells.append(cell)
    try:
        await client.async_execute_cell(cell, len(client.nb.cells) - 1)
    except Exception as err:  # noqa: BLE001 - a dead or hung kernel is a result, not a crash
        kind = type(err).__name__
        if "Timeout" in kind:
            return f"did not finish, even after the time limit ({client.timeout - GRACE:g} s)"
        return "stopped the Python kernel (a crash, os._exit, or memory exhausted)"
    finally:
        cell.outputs = []  # a flood of output is not kept
    return None


def _records(path: str, event: str) -> list[dict]:
    if not os.path.exists(path):
        return []
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if record.get("event") == event:
                out.append(record)
    return out


# ------------------------------------------------------------------ output
def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def feedback_text(sub: Submission, sep: str = "\n") -> str:
    """The feedback for one submission: one line per task, then notes."""
    lines = [f"{r.task}: {'passed' if r.passed else r.message}" for r in sub.results]
    return sep.join(lines + sub.notes)


def write_csv(submissions, path) -> list[str]:
    """Write the scores; returns the header. Task columns hold ``pass`` or ``fail``."""
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
            writer.writerow([str(sub.path), _number(sub.score), _number(sub.max_score),
                             *(status.get(c, "") for c in columns),
                             feedback_text(sub, sep=" | ").replace("\n", " ")])
    return header
