"""``nnkit-course release``: generate the student notebooks in exercises/ from solutions/.

Each solution region becomes ``# YOUR CODE HERE`` and ``raise NotImplementedError(hint)``
at the region's indentation (the hint is the region's ``### HINT:`` line, if any), hidden
tests are removed (a cell left empty is dropped), outputs are cleared and nbgrader's cell
metadata is dropped (other metadata, such as ``editable: false``, is kept). The output is
deterministic, so releasing twice gives the same bytes.

``exercises/.course-release.json`` records the hash of every notebook written. A
notebook whose bytes no longer match it was edited by hand since the last release;
release then stops without writing anything, unless ``force`` is given.
"""
from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import pathlib
from dataclasses import dataclass, field

import nbformat

from .notebooks import (
    BEGIN_HIDDEN, BEGIN_SOLUTION, DEFAULT_HINT, END_HIDDEN, END_SOLUTION, HINT, MarkerError,
    replace_regions,
)

__all__ = ["MANIFEST", "ReleaseError", "ReleaseResult", "exercise_notebook", "release"]

MANIFEST = ".course-release.json"
LOCK = MANIFEST + ".lock"


class ReleaseError(RuntimeError):
    """Release refused: hand-edited exercises, bad markers, or another release running."""


@dataclass
class ReleaseResult:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    out_of_date: list[str] = field(default_factory=list)


def _code_replacement(indent: str, inner: list[str]) -> list[str]:
    hints = [l.strip()[len(HINT):].strip() for l in inner if l.strip().startswith(HINT)]
    hint = " ".join(hints) or DEFAULT_HINT
    literal = f'"{hint}"' if '"' not in hint and "\\" not in hint else repr(hint)
    return [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError({literal})"]


def _markdown_replacement(indent: str, inner: list[str]) -> list[str]:
    return [f"{indent}YOUR ANSWER HERE"]


def exercise_notebook(solution, where: str = "notebook"):
    """The student's version of a solution notebook (a new ``NotebookNode``)."""
    nb = copy.deepcopy(solution)
    cells = []
    for i, cell in enumerate(nb.cells):
        label = f"{where}, cell {i}"
        if cell.cell_type == "code":
            source, hidden = replace_regions(cell.source, BEGIN_HIDDEN, END_HIDDEN,
                                             lambda indent, inner: [], label)
            source, regions = replace_regions(source, BEGIN_SOLUTION, END_SOLUTION,
                                              _code_replacement, label)
            if hidden and not source.strip():
                continue
            if regions:
                _must_compile(source, label)
            cell.source = source
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
        elif cell.cell_type == "markdown":
            cell.source, _ = replace_regions(cell.source, BEGIN_SOLUTION, END_SOLUTION,
                                             _markdown_replacement, label)
        # nbgrader's metadata describes the instructor's version; the exercise is not one.
        cell.metadata.pop("nbgrader", None)
        cells.append(cell)
    nb.cells = cells
    nbformat.validate(nb)
    return nb


def _must_compile(source: str, label: str) -> None:
    if any(l.lstrip().startswith(("%", "!")) for l in source.splitlines()):
        return  # IPython syntax: cannot be compiled as plain Python
    try:
        compile(source, label, "exec")
    except SyntaxError as err:
        raise MarkerError(f"{label}: the exercise version is not valid Python (line {err.lineno}: "
                          f"{err.msg}). Put the markers around whole statements.") from None


def _text(nb) -> str:
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def _locked(directory: pathlib.Path):
    directory.mkdir(parents=True, exist_ok=True)
    lock = directory / LOCK
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        raise ReleaseError(f"{lock} exists: another release is running. If none is, a previous "
                           f"one was interrupted; delete the file and try again.") from None
    try:
        os.close(fd)
        yield
    finally:
        lock.unlink(missing_ok=True)


def release(solutions, exercises, *, force: bool = False, check: bool = False) -> ReleaseResult:
    """Regenerate ``exercises`` from ``solutions``.

    Parameters
    ----------
    solutions, exercises : path
    force : bool
        Overwrite exercise notebooks edited by hand since the last release.
    check : bool
        Write nothing; report in ``out_of_date`` what a release would change.

    Raises
    ------
    ReleaseError
        When an exercise notebook was edited by hand (and not ``force``), or the markers
        of a solution notebook are broken.
    """
    solutions, exercises = pathlib.Path(solutions), pathlib.Path(exercises)
    sources = sorted(p for p in solutions.glob("*.ipynb"))
    if not sources:
        raise ReleaseError(f"no solution notebooks (*.ipynb) in {solutions}; run from the course "
                           f"folder or pass --solutions DIR")
    wanted = {}
    for path in sources:
        try:
            nb = nbformat.read(path, as_version=4)
            wanted[path.name] = (_text(exercise_notebook(nb, str(path))), _sha(path.read_bytes()))
        except MarkerError as err:
            raise ReleaseError(str(err)) from None

    guard = contextlib.nullcontext() if check else _locked(exercises)
    with guard:
        return _apply(wanted, exercises, force=force, check=check)


def _apply(wanted: dict, exercises: pathlib.Path, *, force: bool, check: bool) -> ReleaseResult:
    manifest_path = exercises / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    released = manifest.get("notebooks", {})
    result = ReleaseResult()
    conflicts = []
    for name, (text, _) in wanted.items():
        target = exercises / name
        if not target.exists():
            result.written.append(name)
            continue
        current = target.read_bytes()
        if current == text.encode():
            result.unchanged.append(name)
        elif released.get(name, {}).get("sha256") == _sha(current):
            result.written.append(name)
        else:
            conflicts.append(name)
            result.written.append(name)
    for name, entry in released.items():
        target = exercises / name
        if name not in wanted and target.exists():
            if entry.get("sha256") == _sha(target.read_bytes()):
                result.removed.append(name)
            else:
                conflicts.append(name)
    new_manifest = _manifest_text({n: {"sha256": _sha(t.encode()), "solution_sha256": s}
                                   for n, (t, s) in wanted.items()})
    if check:
        result.out_of_date = sorted(set(result.written + result.removed))
        if not manifest_path.exists() or manifest_path.read_text(encoding="utf-8") != new_manifest:
            result.out_of_date.append(MANIFEST)
        return result
    if conflicts and not force:
        listing = "\n  ".join(str(exercises / n) for n in sorted(conflicts))
        raise ReleaseError(
            f"these exercise notebooks were edited by hand since the last release (or were not "
            f"made by it):\n  {listing}\nEdit the solution notebooks instead and release again; "
            f"to throw the hand edits away, run release with --force.")
    for name in result.written:
        (exercises / name).write_text(wanted[name][0], encoding="utf-8")
    for name in result.removed:
        (exercises / name).unlink()
    manifest_path.write_text(new_manifest, encoding="utf-8")
    return result


def _manifest_text(notebooks: dict) -> str:
    data = {"generated_by": "nnkit-course release; do not edit (it records what release wrote)",
            "notebooks": dict(sorted(notebooks.items()))}
    return json.dumps(data, indent=1, sort_keys=True) + "\n"
