"""nbgrader as a peer: the same notebooks, the same scores (``make test-nbgrader``).

Runs in its own virtual environment (``.venv-nbgrader``, nbgrader 0.9.x and nnkit): nbgrader
is not a dependency of the course. The test builds an nbgrader course from ``solutions/``
(``nbgrader generate_assignment``), fills each release notebook once with the solutions and
leaves it once untouched, runs ``nbgrader autograde`` and ``nnkit-course grade`` on the same
submissions, and checks that

* both give the same score to every submission (full marks, zero);
* autograde warns about no checksum (the locked cells arrive as nbgrader released them);
* ``nbgrader validate`` fails on an untouched release notebook and passes on a solved one.

Timings are printed (``pytest -s``), not asserted.
"""
import csv
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
BIN = pathlib.Path(sys.executable).parent
NAMES = sorted(p.stem for p in SOLUTIONS.glob("*.ipynb"))
STUDENTS = {"solved": "with the solutions", "untouched": "as released"}

nbgrader = pytest.importorskip("nbgrader", reason="run through `make test-nbgrader`")


def _run(args, cwd, timeout=1800):
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # alembic
    start = time.perf_counter()
    out = subprocess.run([str(BIN / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True,
                         text=True, timeout=timeout)
    return out, time.perf_counter() - start


def _solution_code(cell) -> str:
    """A solution cell's code without nbgrader's markers and the hints."""
    keep = [line for line in cell.source.splitlines()
            if not line.strip().startswith(("### BEGIN SOLUTION", "### END SOLUTION", "### HINT:"))]
    return "\n".join(keep)


def _fill(release, solution):
    """The release notebook with every solution cell replaced by the instructor's code."""
    nb = nbformat.read(release, as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: _solution_code(c)
               for c in nbformat.read(solution, as_version=4).cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cell.source = answers[meta["grade_id"]]
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        "c.ExecutePreprocessor.timeout = 300\n")
    for name in NAMES:
        (root / "source" / name).mkdir(parents=True)
        shutil.copy(SOLUTIONS / f"{name}.ipynb", root / "source" / name / f"{name}.ipynb")
    timings = {"generate_assignment": 0.0}
    for name in NAMES:
        out, seconds = _run(["nbgrader", "generate_assignment", name, "--force"], root)
        assert out.returncode == 0, out.stdout + out.stderr
        timings["generate_assignment"] += seconds
    for student in STUDENTS:
        for name in NAMES:
            release = root / "release" / name / f"{name}.ipynb"
            target = root / "submitted" / student / name / f"{name}.ipynb"
            target.parent.mkdir(parents=True)
            if student == "solved":
                nbformat.write(_fill(release, SOLUTIONS / f"{name}.ipynb"), target)
            else:
                shutil.copy(release, target)
    logs = []
    timings["autograde"] = 0.0
    for name in NAMES:
        out, seconds = _run(["nbgrader", "autograde", name, "--create", "--force"], root)
        assert out.returncode == 0, out.stdout + out.stderr
        logs.append(out.stdout + out.stderr)
        timings["autograde"] += seconds
    out, timings["nnkit-course grade"] = _run(
        ["nnkit-course", "grade", str(root / "submitted"), "--csv", str(root / "nnkit.csv"),
         "--solutions", str(SOLUTIONS), "--jobs", "2"], root)
    assert out.returncode == 0, out.stdout + out.stderr
    print("\n" + "\n".join(f"{k}: {v:.0f} s" for k, v in timings.items()))
    return root, "\n".join(logs)


def _nbgrader_scores(root):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return {(s, n): (gb.find_submission_notebook(n, n, s).score,
                         gb.find_submission_notebook(n, n, s).max_score)
                for s in STUDENTS for n in NAMES}


def _nnkit_scores(root):
    with open(root / "nnkit.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    out = {}
    for row in rows:
        parts = pathlib.Path(row["file"]).parts
        out[(parts[-3], parts[-2])] = (float(row["score"]), float(row["max_score"]))
    return out


def test_nbgrader_and_nnkit_course_give_the_same_scores(course):
    root, _ = course
    theirs, ours = _nbgrader_scores(root), _nnkit_scores(root)
    assert set(theirs) == set(ours)
    for key in theirs:
        assert theirs[key] == ours[key], (key, theirs[key], ours[key])
    for name in NAMES:
        solved, untouched = ours[("solved", name)], ours[("untouched", name)]
        assert solved[0] == solved[1] > 0 and untouched[0] == 0, (name, solved, untouched)


def _hidden_cells():
    """The grade_id of every cell of solutions/ that holds hidden tests."""
    return {c.metadata["nbgrader"]["grade_id"] for n in NAMES
            for c in nbformat.read(SOLUTIONS / f"{n}.ipynb", as_version=4).cells
            if "### BEGIN HIDDEN TESTS" in c.source}


def test_autograde_changes_no_cell_but_the_hidden_tests_it_restores(course):
    """nbgrader 0.9.6 stores a grade cell's source *with* its hidden tests (SaveCells runs
    before ClearHiddenTests in generate_assignment), so when autograde puts the hidden tests
    back into a released cell it logs "Attribute 'checksum' for cell X has changed!" for
    every such cell (overwritecells.py). Those notices, one per task and submission, are the
    only ones allowed: no other cell, attribute or point value may have changed."""
    _, log = course
    notices = re.findall(r"\[AutogradeApp \| WARNING\] (.*)", log)
    changed = [re.match(r"Attribute '(\w+)' for cell (\S+) has changed!", n) for n in notices]
    assert all(changed), [n for n, m in zip(notices, changed) if not m]
    hidden = _hidden_cells()
    assert {m.group(1) for m in changed} <= {"checksum"}
    assert sorted(m.group(2) for m in changed) == sorted(hidden) * len(STUDENTS) or \
        sorted(m.group(2) for m in changed) == sorted(list(hidden) * len(STUDENTS))
    from nnkit.course.notebooks import tasks
    assert len(hidden) == sum(len(tasks(nbformat.read(SOLUTIONS / f"{n}.ipynb", as_version=4)))
                              for n in NAMES)


def test_validate_fails_on_an_untouched_release_notebook_and_passes_when_solved(course):
    root, _ = course
    for name in NAMES:
        untouched = root / "submitted" / "untouched" / name / f"{name}.ipynb"
        solved = root / "submitted" / "solved" / name / f"{name}.ipynb"
        out, _ = _run(["nbgrader", "validate", str(untouched)], root)
        assert "VALIDATION FAILED" in out.stdout, (name, out.stdout[-2000:], out.stderr[-2000:])
        out, _ = _run(["nbgrader", "validate", str(solved)], root)
        assert "Success! Your notebook passes all the tests." in out.stdout, (name, out.stdout[-2000:])
