"""What the instructor tooling reads in a notebook: nbgrader's markers, the tasks, the definitions.

A solution notebook marks the instructor's code with nbgrader's markers::

    ### BEGIN SOLUTION
    ### HINT: one matrix product and one addition.     (optional, becomes the error message)
    return X @ W.T + b
    ### END SOLUTION

and instructor-only tests with ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``.
A task is a check call ``checks.<module>.<check>(<function>)`` on a line of its own;
the hidden tests that follow it, up to the next check call, belong to it.
"""
from __future__ import annotations

import ast
import pathlib
import re
import textwrap
from dataclasses import dataclass

__all__ = [
    "BEGIN_SOLUTION", "END_SOLUTION", "BEGIN_HIDDEN", "END_HIDDEN", "HINT",
    "MarkerError", "Task", "replace_regions", "solution_lines", "tasks", "assignment",
    "definitions",
]

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
HINT = "### HINT:"
DEFAULT_HINT = "replace this line with your code"

_CHECK_CALL = re.compile(r"^\s*checks\.(\w+)\.(\w+)\(\s*([A-Za-z_]\w*)\s*\)\s*;?\s*$", re.M)


class MarkerError(ValueError):
    """Unbalanced or nested markers in a solution notebook."""


@dataclass(frozen=True)
class Task:
    """One graded task of an assignment.

    Attributes
    ----------
    module : str
        The ``nnkit.checks`` module, e.g. ``"lecture01"``.
    check : str
        The check's name in that module.
    function : str
        The student's function that the check receives.
    hidden : str
        The instructor's hidden tests for this task (Python source, may be empty).
    """

    module: str
    check: str
    function: str
    hidden: str = ""

    @property
    def name(self) -> str:
        return self.check


def replace_regions(source: str, begin: str, end: str, replacement,
                    where: str = "") -> tuple[str, list[list[str]]]:
    """Replace each ``begin`` ... ``end`` region of ``source`` (markers included).

    ``replacement(indent, lines)`` returns the lines that take the region's place, where
    ``indent`` is the begin marker's indentation and ``lines`` the lines inside.
    Returns the new source and the list of regions' inner lines.
    """
    out, regions, inside, start = [], [], None, 0
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith(begin):
            if inside is not None:
                raise MarkerError(f"{where}: line {number}: {begin!r} inside another region "
                                  f"(opened on line {start}); close it with {end!r} first")
            inside, start = [], number
            indent = line[: len(line) - len(line.lstrip())]
        elif stripped.startswith(end):
            if inside is None:
                raise MarkerError(f"{where}: line {number}: {end!r} without a {begin!r} before it")
            out.extend(replacement(indent, inside))
            regions.append(inside)
            inside = None
        elif inside is not None:
            inside.append(line)
        else:
            out.append(line)
    if inside is not None:
        raise MarkerError(f"{where}: line {start}: {begin!r} is never closed with {end!r}")
    return "\n".join(out), regions


def solution_lines(nb) -> list[str]:
    """Every line of code inside a solution region (markers and hints excluded)."""
    lines = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        _, regions = replace_regions(cell.source, BEGIN_SOLUTION, END_SOLUTION,
                                     lambda indent, inner: [], where=f"cell {i}")
        lines += [l for region in regions for l in region if not l.strip().startswith(HINT)]
    return lines


def tasks(nb) -> list[Task]:
    """The tasks of a solution notebook, in order, each with its hidden tests."""
    found: list[dict] = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        hidden_parts = []
        rest, regions = replace_regions(cell.source, BEGIN_HIDDEN, END_HIDDEN,
                                        lambda indent, inner: [], where=f"cell {i}")
        for region in regions:
            hidden_parts.append(textwrap.dedent("\n".join(region)))
        for match in _CHECK_CALL.finditer(rest):
            found.append({"module": match.group(1), "check": match.group(2),
                          "function": match.group(3), "hidden": []})
        if hidden_parts:
            if not found:
                raise MarkerError(f"cell {i}: hidden tests before any check call; put them after "
                                  f"the check cell of the task they test")
            found[-1]["hidden"] += hidden_parts
    names = [t["check"] for t in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise MarkerError(f"the check(s) {duplicates} are called more than once; each task "
                          f"needs exactly one check cell")
    return [Task(t["module"], t["check"], t["function"], "\n\n".join(t["hidden"])) for t in found]


def assignment(nb, path: pathlib.Path | str, known) -> str | None:
    """Which assignment a notebook belongs to: its metadata, else its file name.

    ``known`` are the assignment names (solution notebooks' stems). The metadata
    ``nnkit.assignment`` wins; otherwise the longest known name found in the file name
    (``alice_03_gradient_descent.ipynb`` -> ``03_gradient_descent``).
    """
    known = list(known)
    meta = nb.get("metadata") if isinstance(nb, dict) else None
    meta = meta.get("nnkit") if isinstance(meta, dict) else None
    meta = meta.get("assignment") if isinstance(meta, dict) else None
    if isinstance(meta, str) and meta in known:  # a hand-edited notebook may hold any type here
        return meta
    stem = pathlib.Path(path).stem
    matches = [k for k in known if k in stem]
    return max(matches, key=len) if matches else None


# ------------------------------------------------------------------ definitions
_KEEP = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def definitions(nb) -> tuple[list[tuple[int, str]], list[str]]:
    """The code the grader runs from a submission: imports, definitions and constants.

    Everything else (calls, loops, prints, plots, check cells, attribute assignments
    such as a monkeypatched check) is left out, so a notebook's experiments cannot
    hang, flood or tamper with the grading.

    Returns
    -------
    cells : list of (cell index, source)
        The kept statements of each code cell that has any.
    notes : list of str
        Cells that could not be parsed, for the feedback.
    """
    cells, notes = [], []
    raw = nb.get("cells") if isinstance(nb, dict) else None
    for i, cell in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            source = "".join(source)
        if not isinstance(source, str):
            notes.append(f"cell {i + 1}: its source is not text, so nothing it defines was graded.")
            continue
        source = _without_magics(source)
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError) as err:  # ValueError: a NUL byte in the source
            line = f"line {err.lineno}: {err.msg}" if isinstance(err, SyntaxError) else str(err)
            notes.append(f"cell {i + 1} ({_first_line(source)}) has a syntax error ({line}), "
                         f"so nothing it defines was graded.")
            continue
        except (RecursionError, MemoryError):
            notes.append(f"cell {i + 1} is nested too deeply to be parsed, so nothing it defines "
                         f"was graded.")
            continue
        kept = [node for node in tree.body if _keep(node)]
        if kept:
            try:
                cells.append((i, ast.unparse(ast.Module(body=kept, type_ignores=[]))))
            except RecursionError:
                notes.append(f"cell {i + 1} is nested too deeply to be graded.")
    return cells, notes


def _first_line(source: str) -> str:
    lines = [l.strip() for l in source.splitlines() if l.strip()]
    text = lines[0] if lines else ""
    return f"`{text[:40]}...`" if len(text) > 40 else f"`{text}`"


def _without_magics(source: str) -> str:
    # IPython's %magics and !shell lines are not Python; they are not definitions either.
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def _keep(node) -> bool:
    if isinstance(node, _KEEP):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if not all(_plain_names(t) for t in targets) or node.value is None:
            return False
        return not any(isinstance(sub, ast.Call) for sub in _outside_lambdas(node.value))
    return False


def _plain_names(target) -> bool:
    if isinstance(target, ast.Name):
        return True
    if isinstance(target, (ast.Tuple, ast.List)):
        return all(_plain_names(t) for t in target.elts)
    return False


def _outside_lambdas(node):
    """Every sub-node of ``node`` that is evaluated when the statement runs."""
    yield node
    if isinstance(node, ast.Lambda):
        yield from _outside_lambdas(node.args)  # defaults are evaluated at definition
        return
    for child in ast.iter_child_nodes(node):
        yield from _outside_lambdas(child)
