"""The core passes `ruff check` and `mypy` as configured in pyproject.toml ([tool.ruff], [tool.mypy]).

Both tools are in the `test` extra, so this never skips: a missing tool fails with its error.
The core is the list in [tool.mypy] `files`; ruff checks the same list.
"""
import pathlib
import subprocess
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
CORE = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]["files"]


def _run(*command):
    done = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True)
    return done.returncode, (done.stdout + done.stderr).strip()


def test_core_list_names_the_core():
    names = {pathlib.Path(p).stem for p in CORE}
    assert {"functional", "layers", "losses", "init", "optim", "training", "gradcheck", "data",
            "preprocess", "penalties", "schedules", "_validation"} <= names
    assert all((ROOT / p).exists() for p in CORE), f"[tool.mypy] files lists a missing path: {CORE}"


def test_ruff_check_is_clean_on_the_core():
    code, output = _run("ruff", "check", "--no-cache", *CORE)
    assert code == 0, f"ruff check {' '.join(CORE)}:\n{output}"


def test_mypy_is_clean_on_the_core():
    code, output = _run("mypy", "--no-incremental")  # the files come from [tool.mypy]
    assert code == 0, f"mypy:\n{output}"
