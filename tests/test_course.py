"""nnkit-course: release makes exercises/ from solutions/, grade scores submissions.

The grading tests start real kernels, so they grade many notebooks per call, two at a
time, with short time limits.
"""
import copy
import csv
import json
import pathlib
import shutil
import subprocess
import sys

import nbformat
import pytest

from nnkit.course.__main__ import main
from nnkit.course.grade import grade, load_solutions
from nnkit.course.notebooks import (
    BEGIN_HIDDEN, BEGIN_SOLUTION, END_SOLUTION, MarkerError, definitions, solution_lines, tasks,
)
from nnkit.course.release import MANIFEST, ReleaseError, exercise_notebook, release

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
NAMES = sorted(p.name for p in SOLUTIONS.glob("*.ipynb"))


# ------------------------------------------------------------------ release
def test_exercises_are_in_sync_with_solutions(tmp_path):
    result = release(SOLUTIONS, tmp_path / "ex")
    assert sorted(result.written) == NAMES
    committed = sorted(p.name for p in EXERCISES.iterdir() if p.suffix == ".ipynb" or p.name == MANIFEST)
    assert committed == sorted(NAMES + [MANIFEST]), "exercises/ holds files release did not make"
    for name in NAMES + [MANIFEST]:
        assert (tmp_path / "ex" / name).read_bytes() == (EXERCISES / name).read_bytes(), (
            f"exercises/{name} is out of date: run `make release` (nnkit-course release)")
    assert release(SOLUTIONS, EXERCISES, check=True).out_of_date == []


@pytest.mark.parametrize("name", NAMES)
def test_no_solution_code_or_hidden_test_reaches_the_exercise(name):
    solution = nbformat.read(SOLUTIONS / name, as_version=4)
    exercise = nbformat.read(EXERCISES / name, as_version=4)
    text = "\n".join(c.source for c in exercise.cells)
    lines = {l.strip() for l in text.splitlines()}
    secret = [l.strip() for l in solution_lines(solution) if l.strip()]
    assert secret, f"{name} has no solution code"
    leaked = [l for l in secret if l in lines or (len(l) >= 20 and l in text)]
    assert not leaked, f"solution lines found in exercises/{name}: {leaked}"
    hidden = "\n".join(t.hidden for t in tasks(solution))
    assert hidden.strip(), f"{name} has no hidden tests"
    assert not any(l.strip() and l.strip() in lines for l in hidden.splitlines() if len(l.strip()) > 12)
    for marker in ("### BEGIN", "### END", "### HINT", "HIDDEN TESTS"):
        assert marker not in text
    code = [c for c in exercise.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    source = "\n".join(c.source for c in code)
    n_tasks = len(tasks(solution))
    assert source.count("# YOUR CODE HERE") == source.count("raise NotImplementedError(") == n_tasks
    for c in code:
        compile(c.source, name, "exec")
    assert exercise.metadata["nnkit"]["assignment"] == name[:-6]
    assert not any("nbgrader" in c.metadata for c in exercise.cells)
    check_cells = [c for c in code if c.source.startswith("checks.")]
    assert len(check_cells) == n_tasks and all(c.metadata.get("editable") is False for c in check_cells)
    # nbgrader can take the solution notebook as its source: its cells carry nbgrader's metadata
    kinds = [c.metadata["nbgrader"] for c in solution.cells if "nbgrader" in c.metadata]
    assert sum(k["solution"] for k in kinds) == sum(k["grade"] for k in kinds) == n_tasks


def _course(tmp_path):
    shutil.copytree(SOLUTIONS, tmp_path / "solutions")
    return tmp_path / "solutions", tmp_path / "exercises"


def test_release_refuses_to_overwrite_hand_edits_unless_forced(tmp_path, capsys):
    sol, ex = _course(tmp_path)
    args = ["release", "--solutions", str(sol), "--exercises", str(ex)]
    assert main(args) == 0
    target = ex / "03_gradient_descent.ipynb"
    released = target.read_text()
    # An edit of a solution notebook is released without fuss.
    nb = nbformat.read(sol / "03_gradient_descent.ipynb", as_version=4)
    nb.cells[0].source += "\n\nA new sentence."
    nbformat.write(nb, sol / "03_gradient_descent.ipynb")
    assert main(args) == 0 and "A new sentence." in target.read_text()
    assert main(args + ["--check"]) == 0
    # A hand edit of an exercise is protected...
    target.write_text(target.read_text().replace("A new sentence.", "Edited by hand."))
    edited = target.read_text()
    capsys.readouterr()
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "edited by hand" in err and "03_gradient_descent.ipynb" in err and "--force" in err
    assert target.read_text() == edited, "a refused release must not write anything"
    assert main(args + ["--check"]) == 1
    # ...until --force throws it away.
    assert main(args + ["--force"]) == 0
    assert "Edited by hand." not in target.read_text() and "A new sentence." in target.read_text()
    assert released != target.read_text()


def test_release_refuses_files_it_did_not_make_and_removes_its_stale_ones(tmp_path):
    sol, ex = _course(tmp_path)
    ex.mkdir()
    shutil.copy(EXERCISES / "01_forward_pass.ipynb", ex)
    (ex / "01_forward_pass.ipynb").write_text((ex / "01_forward_pass.ipynb").read_text() + " ")
    with pytest.raises(ReleaseError, match="not made by it"):
        release(sol, ex)
    release(sol, ex, force=True)
    (sol / "02_universal_approximation.ipynb").unlink()
    result = release(sol, ex)
    assert result.removed == ["02_universal_approximation.ipynb"]
    assert not (ex / "02_universal_approximation.ipynb").exists()
    assert "02_universal_approximation.ipynb" not in json.loads((ex / MANIFEST).read_text())["notebooks"]


def test_release_stops_while_another_one_runs(tmp_path):
    sol, ex = _course(tmp_path)
    ex.mkdir()
    (ex / (MANIFEST + ".lock")).write_text("")
    with pytest.raises(ReleaseError, match="another release is running"):
        release(sol, ex)


@pytest.mark.parametrize("source, says", [
    (f"{BEGIN_SOLUTION}\nx = 1\n", "never closed"),
    (f"x = 1\n{END_SOLUTION}\n", "without"),
    (f"{BEGIN_SOLUTION}\n{BEGIN_SOLUTION}\n{END_SOLUTION}\n{END_SOLUTION}\n", "inside another region"),
    (f"if True:\n{BEGIN_SOLUTION}\n    x = 1\n{END_SOLUTION}\n", "not valid Python"),
])
def test_release_names_broken_markers(source, says):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# t"),
                                         nbformat.v4.new_code_cell(source)])
    with pytest.raises(MarkerError, match=says) as err:
        exercise_notebook(nb, "solutions/x.ipynb")
    assert "solutions/x.ipynb, cell 1" in str(err.value)


def test_release_rewrites_regions_with_hints_and_drops_hidden_cells():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(f"def f(x):\n    '''Doc.'''\n    {BEGIN_SOLUTION}\n"
                                  f"    ### HINT: square it.\n    return x ** 2\n    {END_SOLUTION}"),
        nbformat.v4.new_code_cell(f"{BEGIN_HIDDEN}\nassert f(2) == 4\n### END HIDDEN TESTS"),
        nbformat.v4.new_code_cell(f"{BEGIN_SOLUTION}\ny = 3\n{END_SOLUTION}\nprint(y)"),
        nbformat.v4.new_markdown_cell(f"Why?\n{BEGIN_SOLUTION}\nBecause.\n{END_SOLUTION}"),
    ])
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="old")]
    nb.cells[0].execution_count = 3
    out = exercise_notebook(nb)
    assert [c.cell_type for c in out.cells] == ["code", "code", "markdown"]
    assert out.cells[0].source == ("def f(x):\n    '''Doc.'''\n    # YOUR CODE HERE\n"
                                   "    raise NotImplementedError(\"square it.\")")
    assert out.cells[0].outputs == [] and out.cells[0].execution_count is None
    assert out.cells[1].source.startswith("# YOUR CODE HERE\nraise NotImplementedError(\"replace this line")
    assert out.cells[2].source == "Why?\nYOUR ANSWER HERE"


def test_definitions_keep_imports_functions_and_constants_only():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import numpy as np\nSLOPE = 0.1\nPAIR = (1, -2.5)\n"
                                  "N = np.array([1])\nprint('hi')\nwhile True: pass"),
        nbformat.v4.new_code_cell("%matplotlib inline\ndef f(x):\n    return SLOPE * x\n"
                                  "g = lambda x: f(x) + 1\nchecks.lecture01.f = None\nf(3)"),
        nbformat.v4.new_code_cell("def broken(:\n    pass"),
        nbformat.v4.new_markdown_cell("def not_code(): pass"),
    ])
    cells, notes = definitions(nb)
    assert [i for i, _ in cells] == [0, 1]
    ns = {}
    for _, code in cells:
        exec(code, ns)
    assert ns["g"](2) == pytest.approx(1.2) and ns["PAIR"] == (1, -2.5)
    assert "N" not in ns and "print" not in cells[0][1] and "while" not in cells[0][1]
    assert len(notes) == 1 and "cell 3" in notes[0] and "syntax error" in notes[0]


def test_python_dash_m_and_the_console_script():
    out = subprocess.run([sys.executable, "-m", "nnkit.course", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "release" in out.stdout and "grade" in out.stdout, out.stderr
    script = pathlib.Path(sys.executable).with_name("nnkit-course")
    if script.exists():  # installed with the package (pyproject's [project.scripts])
        out = subprocess.run([str(script), "grade", "--help"], capture_output=True, text=True)
        assert out.returncode == 0 and "--csv" in out.stdout and "--timeout" in out.stdout
    assert main(["release", "--check", "--solutions", str(SOLUTIONS), "--exercises", str(EXERCISES)]) == 0


# ------------------------------------------------------------------ grade
def _rows(path):
    with open(path, newline="") as f:
        return {pathlib.Path(r["file"]).name: r for r in csv.DictReader(f)}


def test_solutions_get_full_marks_and_untouched_exercises_zero(tmp_path, capsys):
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in NAMES:  # what students hand in: renamed copies (metadata tells the assignment)
        shutil.copy(SOLUTIONS / name, subs / f"solution_{name}")
        shutil.copy(EXERCISES / name, subs / f"untouched_{name}")
    scores = tmp_path / "scores.csv"
    assert main(["grade", str(subs), "--csv", str(scores), "--solutions", str(SOLUTIONS),
                 "--timeout", "20", "--jobs", "2"]) == 0
    rows = _rows(scores)
    header = next(csv.reader(open(scores)))
    task_names = [t.name for n in NAMES for t in tasks(nbformat.read(SOLUTIONS / n, as_version=4))]
    assert header == ["file", "score", "max_score", *task_names, "feedback"]
    assert len(rows) == 2 * len(NAMES)
    for name in NAMES:
        own = [t.name for t in tasks(nbformat.read(SOLUTIONS / name, as_version=4))]
        good, bad = rows[f"solution_{name}"], rows[f"untouched_{name}"]
        assert good["score"] == good["max_score"] == str(len(own)), good
        assert bad["score"] == "0" and bad["max_score"] == str(len(own)), bad
        assert all(good[t] == "pass" and bad[t] == "fail" for t in own)
        assert all(good[t] == bad[t] == "" for t in task_names if t not in own)
        assert bad["feedback"].count("not implemented yet") == len(own)
    out = capsys.readouterr().out
    assert f"graded {2 * len(NAMES)} notebook(s)" in out
    print(out)  # per-notebook grading times, for the record (pytest -s shows them)


def _submission(path, source, edits=(), cells=(), metadata=True):
    nb = nbformat.read(SOLUTIONS / source, as_version=4)
    nb = copy.deepcopy(nb)
    for old, new in edits:
        hits = [c for c in nb.cells if old in c.source]
        assert len(hits) == 1, old
        hits[0].source = hits[0].source.replace(old, new)
    for src in cells:
        nb.cells.append(nbformat.v4.new_code_cell(src))
    if not metadata:
        nb.metadata.pop("nnkit")
    nbformat.write(nb, path)


TAMPERING = [
    # rebinding the names a check cell uses
    "checks.lecture06.softmax = lambda f: print('[PASS] softmax')\nclass checks:\n    pass",
    # monkeypatching the framework at the top level (never runs: not a definition)
    "import nnkit.checks._check as _c\n_c.Check.run = lambda self, fn, **kw: None",
    # tampering at definition time, through a default argument: runs, then is undone
    "def sneaky(_=setattr(__import__('nnkit.checks.lecture06', fromlist=['x']).softmax, 'run',\n"
    "                     lambda fn, **kw: __import__('nnkit.checks', fromlist=['x'])"
    ".Report('softmax', True, 'passed', 'passed', 1.0, 1.0))):\n    pass",
    "def sneakier(_=setattr(__import__('nnkit.course.grade', fromlist=['x']), '_grade_task',\n"
    "                       lambda *a: None)):\n    pass",
    # a fake grading cell of its own
    "### BEGIN HIDDEN TESTS\nassert True\n### END HIDDEN TESTS",
]
# Tampering with the library the checks compare with: every wrong answer of the right shape
# would look right if the checks ran where the submission runs. They run in the grader.
NUMPY_TAMPERING = ("def sneakiest(_=setattr(__import__('numpy'), 'isclose',\n"
                   "    lambda a, b, **kw: __import__('numpy').ones(__import__('numpy').shape(a), bool))):\n"
                   "    pass")


def test_mistakes_misbehaviour_and_tampering_are_graded_without_stopping_the_batch(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    _submission(subs / "a_03_gradient_descent.ipynb", "03_gradient_descent.ipynb", [
        ("theta = theta - lr * grad(theta)", "theta = theta + lr * grad(theta)"),      # sign
        ("residual = X @ w - y[:, 0]", "residual = X @ w - y")])                       # broadcast
    _submission(subs / "b_04_backpropagation.ipynb", "04_backpropagation.ipynb", [
        ("return (Yhat - Y) / len(Y)", "return Yhat - Y"),                             # 1/n
        ("return s * (1 - s) * (eps @ W2)", "return eps @ W2")], [NUMPY_TAMPERING])    # sigma'
    _submission(subs / "c_06_classifiers_cross_entropy.ipynb", "06_classifiers_cross_entropy.ipynb", [
        ("shifted = Z - Z.max(axis=1, keepdims=True)", "shifted = Z")], TAMPERING)     # overflow
    _submission(subs / "d_01_forward_pass.ipynb", "01_forward_pass.ipynb", [
        ("return X @ W.T + b", "return X @ W + b"),                                    # transposed
        ("total = 0\n", "return nk.MLP(sizes).num_parameters()\n"),                    # nnkit's own
        ("return W1, b1, W2, b2", "while True:\n        pass")])                       # endless
    _submission(subs / "e_05_nonlinearities.ipynb", "05_nonlinearities.ipynb", [
        ("t = np.tanh(x)", "for _ in range(20):\n        print('x' * 10 ** 6)\n    t = np.tanh(x)"),
        ("return np.where(x > 0, 1.0, slope)", "return np.where(x > 0, 1.0, slope"),  # syntax
        ("return float(np.sum(dY * np.minimum(x, 0.0)))", "import os\n    os._exit(3)")],  # crash
        ["while True:\n    pass", "print('y' * 10 ** 8)"])          # top-level code never runs
    _submission(subs / "f_02_universal_approximation.ipynb", "02_universal_approximation.ipynb", [
        ("grid = np.linspace(lo, hi, N + 1)",                                          # stubborn
         "while True:\n        try:\n            sum(range(10 ** 5))\n        except BaseException:\n"
         "            pass")])
    _submission(subs / "homework.ipynb", "01_forward_pass.ipynb", metadata=False)
    (subs / "g_01_forward_pass.ipynb").write_text("this is not a notebook")

    scores, feedback = tmp_path / "scores.csv", tmp_path / "feedback"
    assert main(["grade", str(subs), "--csv", str(scores), "--solutions", str(SOLUTIONS),
                 "--timeout", "4", "--jobs", "2", "--feedback", str(feedback)]) == 0
    rows = _rows(scores)
    assert len(rows) == 8

    def expect(file, score, outcomes):
        row = rows[file]
        assert row["score"] == str(score), (file, row)
        for task, (status, says) in outcomes.items():
            assert row[task] == status, (file, task, row["feedback"])
            text = next(part for part in row["feedback"].split(" | ") if part.startswith(task + ":"))
            assert says in text, (file, task, text)

    expect("a_03_gradient_descent.ipynb", 1, {
        "gradient_descent": ("fail", "wrong sign"), "mse_gradient": ("fail", "broadcast silently"),
        "sgd_epoch": ("fail", "wrong"), "numerical_gradient": ("pass", "passed")})
    expect("b_04_backpropagation.ipynb", 1, {
        "output_error": ("fail", "the 1/n is missing"), "hidden_error": ("fail", "sigma'(e1) is missing"),
        "output_layer_gradients": ("pass", "passed"), "two_layer_gradients": ("fail", "wrong")})
    # numpy.isclose was replaced in the sandbox; the comparison runs in the grader, so no matter.
    # The tampering changed nothing: the overflow is still caught, the rest still passes.
    expect("c_06_classifiers_cross_entropy.ipynb", 2, {
        "softmax": ("fail", "the exponent overflowed"), "cross_entropy": ("pass", "passed"),
        "cross_entropy_grad": ("fail", "nan"), "bce_gradient": ("pass", "passed")})
    expect("d_01_forward_pass.ipynb", 0, {
        "dense_forward": ("fail", "W is used transposed"),
        "count_parameters": ("fail", "earns no marks"),
        "xor_network": ("fail", "did not finish within 4 s")})
    expect("e_05_nonlinearities.ipynb", 3, {
        "sigmoid": ("pass", "passed"), "sigmoid_grad": ("pass", "passed"),
        "tanh_grad": ("pass", "passed"), "leaky_relu_grad": ("fail", "not defined"),
        "prelu_slope_grad": ("fail", "stopped the sandbox: its Python process exited with status 3")})
    assert "syntax error" in rows["e_05_nonlinearities.ipynb"]["feedback"]
    expect("f_02_universal_approximation.ipynb", 2, {
        "staircase": ("fail", "did not finish within 4 s"),
        "sum_of_sigmoids": ("pass", "passed"), "convergence_rate": ("pass", "passed")})
    unknown, unreadable = rows["homework.ipynb"], rows["g_01_forward_pass.ipynb"]
    assert unknown["score"] == "0" and "cannot tell which assignment" in unknown["feedback"]
    assert unreadable["score"] == "0" and "could not read" in unreadable["feedback"]
    assert "W is used transposed" in (feedback / "d_01_forward_pass.txt").read_text()


def test_the_tampering_would_work_on_a_naive_grader():
    """Control for the test above: in a process where the submission's definitions ran,
    the definition-time tampering makes wrong answers pass."""
    import numpy as np

    from nnkit.checks import lecture04, lecture06

    def naive(Z):
        e = np.exp(Z)
        return e / e.sum(axis=1, keepdims=True)

    def no_mean(Yhat, Y):
        return Yhat - Y

    assert not lecture06.softmax.run(naive).passed and not lecture04.output_error.run(no_mean).passed
    isclose = np.isclose
    try:
        exec(TAMPERING[2], {})
        exec(NUMPY_TAMPERING, {})
        assert lecture06.softmax.run(naive).passed and lecture04.output_error.run(no_mean).passed
    finally:
        del lecture06.softmax.run  # the instance attribute the tampering added
        np.isclose = isclose
    assert not lecture06.softmax.run(naive).passed and not lecture04.output_error.run(no_mean).passed


def test_load_solutions_reads_tasks_and_hidden_tests():
    known = load_solutions(SOLUTIONS)
    assert sorted(known) == [n[:-6] for n in NAMES]
    first = known["01_forward_pass"][0]
    assert (first.module, first.check, first.function) == ("lecture01", "dense_forward", "dense_forward")
    assert "assert_passes" in first.hidden
    assert grade([], known) == []
