"""The project around the library: notebooks stored clean, environment files in agreement."""
import json
import pathlib
import re
import subprocess
import sys
import tomllib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for d in ("lectures", "solutions", "exercises") for p in (ROOT / d).glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
             and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs or execution counts; clear them"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_sources_hold_no_control_characters(path):
    # A "\b" written in a non-raw Python string becomes a backspace: MathJax then fails on
    # what was meant as \beta. Only newlines and tabs belong in a cell's source.
    nb = json.loads(path.read_text())
    bad = [(i, repr(ch)) for i, c in enumerate(nb["cells"]) for ch in "".join(c["source"])
           if ord(ch) < 32 and ch not in "\n\t"]
    assert not bad, f"{path.name}: control characters (cell, char) {bad[:5]}"


def _name(requirement: str) -> tuple[str, str]:
    name, bound = re.match(r"\s*([A-Za-z0-9_.-]+)\s*(.*)", requirement).groups()
    return name.lower().replace("_", "-"), bound.replace(" ", "")


def test_environment_yml_agrees_with_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    listed = project["dependencies"] + extras["course"] + extras["test"]
    wanted = dict(_name(r) for r in listed if not r.startswith("nnkit["))  # nnkit[course]: itself
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = lines.index("dependencies:") + 1
    conda = dict(_name(l.strip()[2:]) for l in lines[start:]
                 if re.match(r"^  - [A-Za-z]", l) and not l.strip()[2:].startswith(("python", "pip")))
    assert conda == wanted, (
        "environment.yml and pyproject.toml list different dependencies or bounds:\n"
        f"only in environment.yml: {sorted(set(conda.items()) - set(wanted.items()))}\n"
        f"only in pyproject.toml: {sorted(set(wanted.items()) - set(conda.items()))}"
    )


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "make test" in (ROOT / "README.md").read_text()
    assert "make lab" in (ROOT / "README.md").read_text()


def test_import_of_the_core_draws_nothing():
    # What `import nnkit` costs in time is measured by `make bench`; here, what it loads.
    code = ("import sys; import nnkit; "
            "print('matplotlib' in sys.modules, 'ipywidgets' in sys.modules, "
            "'nbformat' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    mpl, widgets, nbf = out.stdout.split()
    assert (mpl, widgets, nbf) == ("False", "False", "False"), \
        f"import nnkit pulled in matplotlib={mpl}, ipywidgets={widgets}, nbformat={nbf}"


def test_every_dependency_has_a_lower_bound_that_make_test_lowest_pins():
    # `make test-lowest` installs exactly these pins; a dependency without a lower bound
    # would escape it, and its bound would be a guess.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    listed = [r for r in project["dependencies"] + extras["course"] + extras["test"]
              if not r.startswith("nnkit[")]
    out = subprocess.run([sys.executable, str(ROOT / ".ci" / "lowest_constraints.py"),
                          "course", "test"], capture_output=True, text=True, check=True).stdout
    pins = dict(line.split("==") for line in out.split())
    for requirement in listed:
        name, bound = _name(requirement)
        lower = re.search(r">=([^,]+)", bound)
        assert lower, f"{requirement!r} states no lower bound (>=)"
        assert pins.get(name) == lower.group(1), f"{name}: pinned {pins.get(name)!r}, bound {bound!r}"


ROOMS = sorted(p for p in (ROOT / "nnkit" / "lectures").glob("l[0-9][0-9]_*") if p.is_dir())


def test_every_lecture_has_its_room_and_every_room_its_lecture():
    notebooks = {p.stem for p in (ROOT / "lectures").glob("*.ipynb")}
    rooms = {p.name[1:] for p in ROOMS if len(list(p.glob("*.py"))) > 1}  # beyond __init__.py
    assert rooms <= notebooks, f"rooms without a lecture notebook: {sorted(rooms - notebooks)}"
    for room in ROOMS:
        init = room / "__init__.py"
        assert init.exists(), f"{room.name} has no __init__.py"
        assert init.read_text().lstrip().startswith('"""'), \
            f"{room.name}/__init__.py needs a docstring saying what the room holds"


DRAWING = ("figures", "widgets")  # and a room's further drawing modules, figures_<topic>.py
COMPUTING = [f"nnkit.lectures.{p.parent.name}.{p.stem}" for room in ROOMS for p in sorted(room.glob("*.py"))
             if not p.stem.startswith(DRAWING) and p.stem != "__init__"]


@pytest.mark.parametrize("module", COMPUTING)
def test_compute_modules_draw_nothing(module):
    # Every module of a room but figures.py and widgets.py computes: numpy and nnkit only.
    code = (f"import sys, {module}; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'IPython', 'PIL') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"{module} imported {out.stdout.strip()}: it should need numpy only"


SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_every_check_call_opens_its_grade_cell(path):
    # nbgrader counts a task as failed only if its grade cell raises; the check cell raises
    # under nbgrader, so it must be the grade cell (hidden tests below it), or `nbgrader
    # validate` passes an untouched notebook (make test-nbgrader would find it, much later).
    nb = json.loads(path.read_text())
    for i, cell in enumerate(nb["cells"]):
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and re.match(r"checks\.lecture\d\d\.\w+\(", source):
            meta = cell["metadata"].get("nbgrader", {})
            assert meta.get("grade") is True and cell["metadata"].get("editable") is False, (
                f"{path.name}, cell {i}: `{source.splitlines()[0]}` should open a locked grade "
                f"cell (nbgrader metadata grade: true), with the hidden tests below it")
