"""nbgrader as a peer: the same notebooks, the same scores (``make test-nbgrader``).

Runs in its own virtual environment (``.venv-nbgrader``, nbgrader 0.9.x and nnkit): nbgrader
is not a dependency of the course. The test builds an nbgrader course from ``solutions/``
(``nbgrader generate_assignment``), fills each release notebook once with the solutions and
leaves it once untouched, runs ``nbgrader autograde`` and ``nnkit-course grade`` on the same
submissions, and checks that

* both give the same score to every submission (full marks, zero);
* autograde, configured with ``nnkit.course.for_nbgrader.configure`` (what the README tells
  instructors to put in ``nbgrader_config.py``), logs no warning at all, and puts every locked
  cell back as the instructor wrote it, hidden tests included; stock nbgrader logs a false
  checksum alarm per cell with hidden tests and submission
  (``test_stock_nbgrader_warns_when_it_restores_hidden_tests``), which the configured one does
  not, while it still reports a check cell a student edited;
* ``nbgrader validate`` fails on an untouched release notebook and passes on a solved one.

Filling works as a student does: in each solution cell, each of nbgrader's stubs is
replaced by the instructor's code of that region; nothing else changes.

Timings are printed (``pytest -s``), not asserted.
"""
import csv
import json
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


def _answered(stubbed: str, solution: str, where: str) -> str:
    """``stubbed`` (a released solution cell) with each of nbgrader's stubs replaced by the
    code of the matching solution region of ``solution``, as a student would type it."""
    from nbgrader.preprocessors import ClearSolutions
    from nnkit.course.notebooks import BEGIN_SOLUTION, END_SOLUTION, HINT, replace_regions

    stub = ClearSolutions().code_stub["python"].split("\n")
    _, regions = replace_regions(solution, BEGIN_SOLUTION, END_SOLUTION, lambda *_: [], where)
    answers = iter([l for l in region if not l.strip().startswith(HINT)] for region in regions)
    lines, out, i = stubbed.split("\n"), [], 0
    while i < len(lines):
        if [l.strip() for l in lines[i:i + len(stub)]] == stub:
            out += next(answers)
            i += len(stub)
        else:
            out.append(lines[i])
            i += 1
    assert next(answers, None) is None, f"{where}: fewer stubs than solution regions"
    return "\n".join(out)


def _fill(release, solution):
    """The release notebook, each solution region answered with the instructor's code."""
    nb = nbformat.read(release, as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source
               for c in nbformat.read(solution, as_version=4).cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cell.source = _answered(cell.source, answers[meta["grade_id"]],
                                    f"{solution.name}: {meta['grade_id']}")
    return nb


def _assert_only_solutions_differ(release, submission):
    """Every cell but the solution cells' source, and the notebook's metadata, unchanged."""
    ours, theirs = json.loads(submission.read_text()), json.loads(release.read_text())
    assert {k: v for k, v in ours.items() if k != "cells"} == \
        {k: v for k, v in theirs.items() if k != "cells"}, submission
    assert len(ours["cells"]) == len(theirs["cells"]), submission
    for mine, given in zip(ours["cells"], theirs["cells"]):
        if given["metadata"].get("nbgrader", {}).get("solution"):
            mine, given = ({k: v for k, v in c.items() if k != "source"} for c in (mine, given))
        assert mine == given, (submission, given.get("source"))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        "c.ExecutePreprocessor.timeout = 300\n"
        "from nnkit.course.for_nbgrader import configure\n"
        "configure(c)\n")
    for name in NAMES:
        (root / "source" / name).mkdir(parents=True)
        shutil.copy(SOLUTIONS / f"{name}.ipynb", root / "source" / name / f"{name}.ipynb")
    timings = {"generate_assignment": 0.0}
    for name in NAMES:
        out, seconds = _run(["nbgrader", "generate_assignment", name, "--force"], root)
        assert out.returncode == 0, out.stdout + out.stderr
        assert "| ERROR]" not in out.stdout + out.stderr, out.stdout + out.stderr
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
            _assert_only_solutions_differ(release, target)
    logs = {}
    timings["autograde"] = 0.0
    for name in NAMES:
        out, seconds = _run(["nbgrader", "autograde", name, "--create", "--force"], root)
        assert out.returncode == 0, out.stdout + out.stderr
        logs[name] = out.stdout + out.stderr
        timings["autograde"] += seconds
    out, timings["nnkit-course grade"] = _run(
        ["nnkit-course", "grade", str(root / "submitted"), "--csv", str(root / "nnkit.csv"),
         "--solutions", str(SOLUTIONS), "--jobs", "2"], root)
    assert out.returncode == 0, out.stdout + out.stderr
    print("\n" + "\n".join(f"{k}: {v:.0f} s" for k, v in timings.items()))
    return root, logs


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


_WARNING = re.compile(r"\[AutogradeApp \| WARNING\] (.*)")
# nbgrader logs an error in nbgrader_config.py and goes on without the rest of the file.
_ERROR = re.compile(r"\[\w+ \| ERROR\] (.*)")


def _restorations(root, name):
    """The notices stock nbgrader logs when it puts back the hidden tests of a submission of
    assignment ``name`` whose locked cells are as released: one per locked cell whose
    gradebook checksum (taken over the cell with its hidden tests) is not the checksum of
    the released cell, e.g. ``Attribute 'checksum' for cell c has changed! (should be: <with
    hidden tests>, got: <released>)``."""
    from nbgrader.api import Gradebook

    released = {c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader["checksum"]
                for c in nbformat.read(root / "release" / name / f"{name}.ipynb", as_version=4).cells
                if c.metadata.get("nbgrader", {}).get("locked")}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        stored = {c.name: c.checksum for c in gb.find_notebook(name, name).source_cells if c.locked}
    assert set(stored) == set(released), name
    return {cell: f"Attribute 'checksum' for cell {cell} has changed! "
                  f"(should be: {stored[cell]}, got: {released[cell]})"
            for cell in stored if stored[cell] != released[cell]}


def _hidden_cells(notebook):
    """The grade_id of every cell of a source notebook that holds hidden tests."""
    return {c.metadata["nbgrader"]["grade_id"] for c in nbformat.read(notebook, as_version=4).cells
            if "### BEGIN HIDDEN TESTS" in c.source}


def test_autograde_logs_no_warning_and_restores_every_hidden_test(course):
    """No warning at all: the locked cells arrive byte-identical to the release, and
    autograde puts each back as the instructor wrote it, hidden tests included (so the
    scores above are taken with the hidden tests)."""
    root, logs = course
    from nnkit.course.notebooks import tasks
    restored = 0
    for name in NAMES:
        source = SOLUTIONS / f"{name}.ipynb"
        assert set(_restorations(root, name)) == _hidden_cells(source), name
        assert len(_hidden_cells(source)) == len(tasks(nbformat.read(source, as_version=4)))
        assert _ERROR.findall(logs[name]) == [], (name, logs[name][-3000:])
        assert _WARNING.findall(logs[name]) == [], (name, _WARNING.findall(logs[name]))
        want = {c.metadata["nbgrader"]["grade_id"]: c.source
                for c in nbformat.read(source, as_version=4).cells if "nbgrader" in c.metadata
                and c.metadata["nbgrader"]["locked"]}
        for student in STUDENTS:
            graded = nbformat.read(root / "autograded" / student / name / f"{name}.ipynb",
                                   as_version=4)
            got = {c.metadata["nbgrader"]["grade_id"]: c.source for c in graded.cells
                   if "nbgrader" in c.metadata and c.metadata["nbgrader"].get("locked")}
            assert got == want, (name, student)
            restored += len(_hidden_cells(source))
    print(f"\nautograde warnings: 0; hidden tests put back in {restored} cells")


def _one_task_course(root, configured):
    """A one-task assignment with a plain and a hidden-test check cell, generated, and
    autograded for three submissions: untouched, the plain check edited, the visible line
    of the hidden-test cell edited. Returns {student: autograde's warnings}."""
    from nbformat.v4 import new_code_cell, new_notebook

    def meta(grade_id, **kind):
        return {"nbgrader": {"grade": False, "solution": False, "locked": False, "task": False,
                             "grade_id": grade_id, "schema_version": 3, **kind}}

    source = root / "source" / "ps1" / "ps1.ipynb"
    source.parent.mkdir(parents=True)
    nbformat.write(new_notebook(cells=[
        new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
                      metadata=meta("f", solution=True)),
        new_code_cell("assert f() == 1", metadata=meta("plain", grade=True, locked=True, points=1)),
        new_code_cell("assert f() == 1\n### BEGIN HIDDEN TESTS\nassert f() + f() == 2\n"
                      "### END HIDDEN TESTS",
                      metadata=meta("hidden", grade=True, locked=True, points=1)),
    ]), source)
    config = f"c = get_config()\nc.CourseDirectory.root = {str(root)!r}\n"
    if configured:
        config += "from nnkit.course.for_nbgrader import configure\nconfigure(c)\n"
    (root / "nbgrader_config.py").write_text(config)
    out, _ = _run(["nbgrader", "generate_assignment", "ps1"], root)
    assert out.returncode == 0, out.stdout + out.stderr
    release = root / "release" / "ps1" / "ps1.ipynb"
    submissions = {"untouched": nbformat.read(release, as_version=4)}
    for student, cell in [("plain_edited", 1), ("hidden_edited", 2)]:
        nb = nbformat.read(release, as_version=4)
        nb.cells[cell].source = nb.cells[cell].source.replace("assert f() == 1", "assert True")
        submissions[student] = nb
    warnings = {}
    for student, nb in submissions.items():
        (root / "submitted" / student / "ps1").mkdir(parents=True)
        nbformat.write(nb, root / "submitted" / student / "ps1" / "ps1.ipynb")
        out, _ = _run(["nbgrader", "autograde", "ps1", "--student", student, "--create"], root)
        assert out.returncode == 0, out.stdout + out.stderr
        assert _ERROR.findall(out.stdout + out.stderr) == [], out.stdout + out.stderr
        warnings[student] = _WARNING.findall(out.stdout + out.stderr)
        graded = nbformat.read(root / "autograded" / student / "ps1" / "ps1.ipynb", as_version=4)
        assert [c.source for c in graded.cells[1:]] == \
            [c.source for c in nbformat.read(source, as_version=4).cells[1:]], student
    assert set(_restorations(root, "ps1")) == _hidden_cells(source) == {"hidden"}
    return warnings, _restorations(root, "ps1")["hidden"]


def test_stock_nbgrader_warns_when_it_restores_hidden_tests(tmp_path):
    """Why ``configure`` is needed (jupyter/nbgrader#1961): generate_assignment runs
    ComputeChecksums and SaveCells *before* ClearHiddenTests, so the gradebook holds each
    grade cell's checksum with its hidden tests and the release the one without; stock
    autograde's OverwriteCells compares the two for every locked cell and logs "Attribute
    'checksum' ... has changed!" before it copies the stored source back, for a notebook
    submitted untouched too. If the untouched submission's warning is gone, nbgrader fixed
    it and ``configure`` can go."""
    warnings, restoration = _one_task_course(tmp_path, configured=False)
    assert warnings["untouched"] == [restoration]
    assert len(warnings["plain_edited"]) == 2 and restoration in warnings["plain_edited"]
    assert any("for cell plain has changed" in w for w in warnings["plain_edited"])
    assert len(warnings["hidden_edited"]) == 1 and "for cell hidden has changed" in \
        warnings["hidden_edited"][0] and warnings["hidden_edited"] != [restoration]


def test_configured_nbgrader_warns_only_about_edited_cells(tmp_path):
    """With ``configure``: silent on the untouched submission, one warning for each edited
    check cell, the hidden-test cell's included; every cell is put back all the same."""
    warnings, _ = _one_task_course(tmp_path, configured=True)
    assert warnings["untouched"] == []
    assert len(warnings["plain_edited"]) == 1 and "for cell plain has changed" in \
        warnings["plain_edited"][0]
    assert len(warnings["hidden_edited"]) == 1 and "for cell hidden has changed" in \
        warnings["hidden_edited"][0]


def test_validate_fails_on_an_untouched_release_notebook_and_passes_when_solved(course):
    root, _ = course
    for name in NAMES:
        untouched = root / "submitted" / "untouched" / name / f"{name}.ipynb"
        solved = root / "submitted" / "solved" / name / f"{name}.ipynb"
        out, _ = _run(["nbgrader", "validate", str(untouched)], root)
        assert "VALIDATION FAILED" in out.stdout, (name, out.stdout[-2000:], out.stderr[-2000:])
        out, _ = _run(["nbgrader", "validate", str(solved)], root)
        assert "Success! Your notebook passes all the tests." in out.stdout, (name, out.stdout[-2000:])
