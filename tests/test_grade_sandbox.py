"""The grader against hostile submissions: every attack of the December review, in one batch.

Each attack is its own submission of exercise 06 (or 01), in nbgrader's
``submitted/<student>/<assignment>/<assignment>.ipynb`` layout, so every file has the same
name. An attack is written so that it gives the *right* answer exactly when it works (it
reached the reference, the solutions, another file, the network, a process...), and a wrong
one otherwise: the attacked task scoring 0 shows that the attack failed. The other tasks of
every submission keep their marks, a canary file and a classmate's notebook outside the
attacker's reach are untouched, and no process a submission started is alive afterwards.
"""
import copy
import csv
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid

import nbformat
import numpy as np
import pytest

from nnkit.course import _wire, sandbox
from nnkit.course.__main__ import main
from nnkit.course.view import build_view
from nnkit.course.grade import CELL_LIMIT, NO_SANDBOX_NOTE, clean_cell, feedback_names

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
A06 = "06_classifiers_cross_entropy"
A01 = "01_forward_pass"
TASKS06 = ["softmax", "cross_entropy", "cross_entropy_grad", "bce_gradient"]

needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")

# A right cross_entropy, used by an attack only when the attack worked.
RIGHT = '''
def _right(Z, y):
    m = Z.max(axis=1)
    return float(np.mean(m + np.log(np.exp(Z - m[:, None]).sum(axis=1)) - Z[np.arange(len(Z)), y]))
'''


def attacks(canary, victim, token, port, solutions):
    """name -> source of the cell that replaces ``def cross_entropy`` in exercise 06."""
    return {
        # -- delegation: the check's reference, nnkit's implementation, by every route
        "reference": "def cross_entropy(Z, y):\n    return checks.lecture06.cross_entropy.reference(Z, y)",
        "reference_import": "from nnkit.checks.lecture06 import _ce\n"
                            "def cross_entropy(Z, y):\n    return _ce(Z, y)",
        "reference_swallowed": "def cross_entropy(Z, y):\n    try:\n"
                               "        return checks.lecture06.cross_entropy.reference(Z, y)\n"
                               "    except BaseException:\n        return 0.0",
        "reference_source": "import inspect\nimport nnkit.checks.lecture06 as L\n"
                            "def cross_entropy(Z, y):\n    ns = dict(np=np, nk=nk)\n"
                            "    exec(inspect.getsource(L._ce), ns)\n    return ns['_ce'](Z, y)",
        "alias_default": "def cross_entropy(Z, y, _lse=nk.functional.logsumexp):\n"
                         "    return float(np.mean(_lse(Z, axis=1) - Z[np.arange(len(Z)), y]))",
        "importlib_getattr": "import importlib\n"
                             "def cross_entropy(Z, y):\n"
                             "    lse = getattr(importlib.import_module('nnkit.' + 'functional'), 'logsum' + 'exp')\n"
                             "    return float(np.mean(lse(Z, axis=1) - Z[np.arange(len(Z)), y]))",
        "getsource_exec": "import inspect\n"
                          "def cross_entropy(Z, y):\n    ns = {'np': np}\n"
                          "    exec(inspect.getsource(nk.functional.logsumexp), ns)\n"
                          "    return float(np.mean(ns['logsumexp'](Z, axis=1) - Z[np.arange(len(Z)), y]))",
        "reload_from_disk": "import importlib.util\n"
                            "def cross_entropy(Z, y):\n"
                            "    spec = importlib.util.spec_from_file_location('nnkit.functional', nk.functional.__file__)\n"
                            "    mod = importlib.util.module_from_spec(spec)\n    spec.loader.exec_module(mod)\n"
                            "    return float(np.mean(mod.logsumexp(Z, axis=1) - Z[np.arange(len(Z)), y]))",
        "loss_class": "def cross_entropy(Z, y):\n"
                      "    return nk.SoftmaxCrossEntropyLoss()(Z, nk.data.one_hot(y, Z.shape[1]))",
        # -- tampering with what would judge the answer, were it judged in the sandbox
        "numpy_sys_modules": "import sys, types\n"
                             "def _fake():\n    import numpy\n    fake = types.ModuleType('numpy')\n"
                             "    fake.__dict__.update(vars(numpy))\n"
                             "    fake.isclose = lambda a, b, **k: numpy.ones(numpy.shape(a), bool)\n"
                             "    fake.allclose = fake.array_equal = lambda *a, **k: True\n"
                             "    sys.modules['numpy'] = fake\n    return fake\n"
                             "def cross_entropy(Z, y, _=_fake()):\n    return 0.0",
        "numpy_comparisons": "def _patch():\n    always = lambda *a, **k: True\n"
                             "    np.isclose = lambda a, b, **k: np.ones(np.shape(a), bool)\n"
                             "    np.allclose = np.array_equal = np.testing.assert_allclose = always\n"
                             "def cross_entropy(Z, y, _=_patch()):\n    return 0.0",
        "import_hook": "import sys, importlib.abc\n"
                       "class _Hook(importlib.abc.MetaPathFinder):\n"
                       "    def find_spec(self, name, path=None, target=None):\n"
                       "        if name.startswith('nnkit.checks'):\n"
                       "            for m in list(sys.modules):\n"
                       "                if m.startswith('nnkit.checks._compare'):\n"
                       "                    sys.modules[m].difference = lambda *a, **k: None\n"
                       "        return None\n"
                       "def cross_entropy(Z, y, _=sys.meta_path.insert(0, _Hook())):\n"
                       "    for m in [m for m in sys.modules if m.startswith('nnkit.checks')]:\n"
                       "        del sys.modules[m]\n    return 0.0",
        "stack_walk": "import sys\n"
                      "def cross_entropy(Z, y):\n    f = sys._getframe()\n    while f is not None:\n"
                      "        for name in ('difference', 'isclose', '_difference'):\n"
                      "            f.f_globals[name] = lambda *a, **k: None\n"
                      "        f.f_locals.clear()\n        f = f.f_back\n    return 0.0",
        "forged_record": "import glob, json\n"
                         "def cross_entropy(Z, y):\n"
                         "    record = {'event': 'task', 'task': 'cross_entropy', 'passed': True, 'points': 1.0,\n"
                         "              'max_points': 1.0, 'message': 'passed', 'status': 'passed'}\n"
                         "    for p in glob.glob('/tmp/**', recursive=True) + glob.glob('/nnkit-view/**', recursive=True):\n"
                         "        try:\n            with open(p, 'a') as f:\n"
                         "                f.write(json.dumps(record) + '\\n')\n"
                         "        except OSError:\n            pass\n    return 0.0",
        # -- reading what it must not see
        "solutions_via_proc": "import os, json, glob\n" + RIGHT +
                              f"def cross_entropy(Z, y):\n    roots = ['/proc/%d/cwd' % os.getppid(), '/proc/1/cwd', {str(solutions)!r},\n"
                              f"             os.path.expanduser('~'), '/work', '/root', '/home']\n"
                              "    for root in roots:\n"
                              "        for p in glob.glob(root + '/**/06_*.ipynb', recursive=True):\n"
                              "            try:\n                text = open(p).read()\n            except OSError:\n"
                              "                continue\n"
                              "            if 'BEGIN SOLUTION' in text:\n                return _right(Z, y)\n"
                              "    return 0.0",
        # -- hurting others and the machine
        "canary": RIGHT + f"CANARY = {str(canary)!r}\n"
                  "def _write(text):\n    try:\n        with open(CANARY, 'w') as f:\n"
                  "            f.write(text)\n    except OSError:\n        pass\n"
                  "class _Body:\n    _write('overwritten by a class body')\n"
                  "def cross_entropy(Z, y, _=_write('overwritten by a default argument')):\n"
                  "    _write('overwritten at call time')\n"
                  "    try:\n        ok = open(CANARY).read().startswith('overwritten')\n"
                  "    except OSError:\n        ok = False\n    return _right(Z, y) if ok else 0.0",
        "classmate": RIGHT + f"VICTIM = {str(victim)!r}\n"
                     "def _spoil():\n    try:\n        with open(VICTIM, 'w') as f:\n"
                     "            f.write('{}')\n        return True\n    except OSError:\n        return False\n"
                     "def cross_entropy(Z, y, _=_spoil()):\n"
                     "    return _right(Z, y) if _spoil() else 0.0",
        "processes": RIGHT + "import os, subprocess, sys\n"
                     f"TOKEN = {token!r}\n"
                     "def _spawn():\n    started = False\n    try:\n"
                     "        subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(1000)', TOKEN],\n"
                     "                         start_new_session=True)\n        started = True\n"
                     "    except OSError:\n        pass\n    try:\n        if os.fork() == 0:\n"
                     "            os.setsid()\n            if os.fork() == 0:\n"
                     "                os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(1000)', TOKEN])\n"
                     "            os._exit(0)\n        started = True\n    except OSError:\n        pass\n"
                     "    return started\n"
                     "def cross_entropy(Z, y, _=_spawn()):\n    return _right(Z, y) if _spawn() else 0.0",
        "network": RIGHT + "import socket\n"
                   f"def cross_entropy(Z, y):\n    try:\n"
                   f"        socket.create_connection(('127.0.0.1', {port}), timeout=2).close()\n"
                   "    except OSError:\n        return 0.0\n    return _right(Z, y)",
        "memory_bomb": RIGHT + "def cross_entropy(Z, y):\n    hoard = []\n    try:\n"
                       "        while len(hoard) < 160:\n            hoard.append(bytearray(100 * 2 ** 20))\n"
                       "    except MemoryError:\n        return 0.0\n    return _right(Z, y)",
        "endless_loop": "import signal\n"
                        "def cross_entropy(Z, y, _=signal.signal(signal.SIGALRM, signal.SIG_IGN)):\n"
                        "    while True:\n        try:\n            pass\n        except BaseException:\n            pass",
        "crash": "import os, signal\ndef cross_entropy(Z, y):\n    os.kill(os.getpid(), signal.SIGSEGV)",
        "huge_error": "def cross_entropy(Z, y):\n    raise ValueError('x' * 10 ** 6 + '\\r\\n\\x00\\x1b[2J' * 1000)",
        "flood": "import os, sys\ndef cross_entropy(Z, y):\n    print('y' * 10 ** 7)\n"
                 "    os.write(1, b'z' * 10 ** 7)\n    os.write(2, b'w' * 10 ** 6)\n    return 0.0",
    }


def _notebook(source_name, replacements=None, metadata=None):
    nb = copy.deepcopy(nbformat.read(SOLUTIONS / source_name, as_version=4))
    for name, new in (replacements or {}).items():
        hits = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(f"def {name}(")]
        assert len(hits) == 1, name
        hits[0].source = new
    if metadata is not None:
        nb.metadata["nnkit"] = metadata
    return nb


def _rows(path):
    with open(path, newline="", encoding="utf-8") as f:  # Python's csv defaults
        return {pathlib.Path(r["file"]).parts[-3]: r for r in csv.DictReader(f)}


def _alive(token) -> list[int]:
    found = []
    for entry in pathlib.Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if token.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.fixture
def listener():
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()
    accepted = []

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                accepted.append(1)
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join()
    server.close()


@needs_bwrap
def test_every_attack_of_the_review_fails_in_one_batch(tmp_path, listener):
    port, accepted = listener
    token = f"nnkit-attack-{uuid.uuid4().hex}"
    submitted = tmp_path / "submitted"
    outside = tmp_path / "outside"
    outside.mkdir()
    canary = outside / "canary.txt"
    canary.write_text("untouched")

    def put(student, nb, assignment=A06, raw=None):
        folder = submitted / student / assignment
        folder.mkdir(parents=True)
        path = folder / f"{assignment}.ipynb"
        if raw is not None:
            path.write_bytes(raw)
        else:
            nbformat.write(nb, path)
        return path

    victim = put("victim", _notebook(f"{A06}.ipynb"))
    victim_bytes = victim.read_bytes()
    put("good", _notebook(f"{A06}.ipynb"))
    put("untouched", nbformat.read(EXERCISES / f"{A06}.ipynb", as_version=4))
    named = attacks(canary, victim, token, port, tmp_path / "no-such-folder")
    for name, source in named.items():
        put(name, _notebook(f"{A06}.ipynb", {"cross_entropy": source}))
    # a lecture helper that computes the answer (01's count_parameters)
    put("lecture_helper", _notebook(f"{A01}.ipynb", {"count_parameters":
        "from nnkit.lectures.l01_forward_pass.compute import parameter_count\n"
        "def count_parameters(sizes):\n    return parameter_count(sizes)"}), A01)
    # malformed notebooks: each its own row with a reason
    put("bad_json", None, raw=b'{"cells": [')
    put("bad_nbformat", None, raw=json.dumps({"cells": [], "metadata": {}, "nbformat": 99,
                                              "nbformat_minor": 0}).encode())
    put("cells_not_a_list", None, raw=json.dumps({"cells": "oops", "metadata": {}, "nbformat": 4,
                                                  "nbformat_minor": 5}).encode())
    put("bad_metadata", _notebook(f"{A06}.ipynb", metadata="oops"))
    odd = json.loads(nbformat.writes(_notebook(f"{A06}.ipynb")))
    odd["cells"].insert(1, {"cell_type": "code", "source": 42, "metadata": {}, "outputs": []})
    odd["cells"].insert(1, "not a cell")
    put("odd_cells", None, raw=json.dumps(odd).encode())
    homework = submitted / "anonymous" / "homework" / "homework.ipynb"
    homework.parent.mkdir(parents=True)
    nb = _notebook(f"{A01}.ipynb")
    nb.metadata.pop("nnkit")
    nbformat.write(nb, homework)

    scores, feedback = tmp_path / "scores.csv", tmp_path / "feedback"
    before = time.perf_counter()
    assert main(["grade", str(submitted), "--csv", str(scores), "--solutions", str(SOLUTIONS),
                 "--timeout", "6", "--jobs", "2", "--feedback", str(feedback)]) == 0
    print(f"graded the batch in {time.perf_counter() - before:.0f} s")
    rows = _rows(scores)

    # Nothing escaped: the canary, the classmate, the network, the machine's processes.
    assert canary.read_text() == "untouched"
    assert victim.read_bytes() == victim_bytes
    assert accepted == []
    assert _alive(token) == []

    def score(student):
        return rows[student]["score"], rows[student]["max_score"]

    assert score("good") == score("victim") == ("4", "4")
    assert score("untouched") == ("0", "4")
    for name in named:
        row = rows[name]
        assert row["cross_entropy"] == "fail", (name, row["feedback"])
        assert all(row[t] == "pass" for t in TASKS06 if t != "cross_entropy"), (name, row["feedback"])
        assert score(name) == ("3", "4"), (name, row["feedback"])
    says = {name: next(p for p in rows[name]["feedback"].split(" | ") if p.startswith("cross_entropy:"))
            for name in named}
    for name in ("reference", "reference_import", "reference_swallowed"):
        assert "a part of the check itself" in says[name] and "no marks" in says[name], says[name]
    for name in ("alias_default", "importlib_getattr", "getsource_exec", "reload_from_disk", "loss_class"):
        assert "nnkit's own" in says[name] and "no marks" in says[name], says[name]
    assert "did not finish within 6 s" in says["endless_loop"]
    assert "SIGSEGV" in says["crash"]
    assert "ValueError" in says["huge_error"]
    for name in ("numpy_sys_modules", "numpy_comparisons", "import_hook", "stack_walk",
                 "forged_record", "flood"):
        assert says[name].startswith("cross_entropy: wrong"), says[name]
    helper = rows["lecture_helper"]
    assert score("lecture_helper") == ("3", "4") and helper["count_parameters"] == "fail"
    assert "lecture helper" in helper["feedback"]

    # Every malformed notebook is a row of its own, with a reason.
    assert "could not read the notebook" in rows["bad_json"]["feedback"]
    assert "could not read the notebook" in rows["bad_nbformat"]["feedback"]
    assert "not a notebook" in rows["cells_not_a_list"]["feedback"]
    assert score("bad_metadata") == ("4", "4")  # the file name still tells the assignment
    assert score("odd_cells") == ("4", "4") and "not text" in rows["odd_cells"]["feedback"]
    assert "cannot tell which assignment" in rows["anonymous"]["feedback"]

    # The CSV reads with the csv module's defaults; every cell is capped and clean.
    with open(scores, newline="", encoding="utf-8") as f:
        table = list(csv.reader(f))
    assert len(table) == 1 + len(rows)
    for line in table:
        for cell in line:
            assert len(cell) <= CELL_LIMIT
            assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in cell), repr(cell[:80])
    # One feedback file per submission, though every notebook has the same name.
    files = sorted(p.name for p in feedback.iterdir())
    assert len(files) == len(rows)
    assert f"victim__{A06}__{A06}.txt" in files
    assert "3 / 4" in (feedback / f"reference__{A06}__{A06}.txt").read_text()


@needs_bwrap
def test_a_daemon_dies_with_its_sandbox_even_without_the_process_filter(tmp_path):
    """The PID namespace is the second line: with the seccomp filter off, a double-forked
    daemon is started, and killing the session kills it."""
    token = f"nnkit-daemon-{uuid.uuid4().hex}"
    view = build_view(tmp_path / "view")
    session = sandbox.Session(view, bwrap=sandbox.check_bubblewrap(), seccomp=False)
    session.start(time.monotonic() + 60)
    code = ("import os, sys, time\n"
            "def spawn():\n    if os.fork() == 0:\n        os.setsid()\n        if os.fork() == 0:\n"
            f"            os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(1000)', {token!r}])\n"
            "        os._exit(0)\n    time.sleep(0.5)\n    return 1\n")
    session.define([(0, code)], ["spawn"], 10)
    assert session.call("spawn", [], {}, deadline=time.monotonic() + 20)["value"] == 1
    assert _alive(token), "the daemon should run while its sandbox does"
    session.close()
    deadline = time.monotonic() + 5
    while _alive(token) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _alive(token) == []


@needs_bwrap
def test_the_sandbox_sees_no_grader_files_and_cannot_create_processes(tmp_path):
    view = build_view(tmp_path / "view", ["nnkit.functional.softmax"])
    with sandbox.Session(view, bwrap=sandbox.check_bubblewrap()) as session:
        session.start(time.monotonic() + 60)
        code = ("import os, subprocess\n"
                "def probe(paths):\n"
                "    return [os.path.exists(p) for p in paths]\n"
                "def fork():\n    try:\n        os.fork()\n    except OSError as err:\n"
                "        return err.errno\n    return 0\n"
                "def write_view():\n    try:\n        open('/nnkit-view/nnkit/x.py', 'w')\n"
                "    except OSError as err:\n        return err.errno\n    return 0\n")
        session.define([(0, code)], ["probe", "fork", "write_view"], 10)
        secret = [str(SOLUTIONS), str(ROOT / "nnkit" / "checks"), str(tmp_path), os.path.expanduser("~/.bashrc"),
                  "/etc/passwd"]
        out = session.call("probe", [secret], {}, deadline=time.monotonic() + 20)
        assert out["value"] == [False] * len(secret)
        assert session.call("fork", [], {}, deadline=time.monotonic() + 20)["value"] != 0
        assert session.call("write_view", [], {}, deadline=time.monotonic() + 20)["value"] != 0


def test_without_bubblewrap_the_grader_refuses_and_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    sub = tmp_path / f"{A06}.ipynb"
    shutil.copy(SOLUTIONS / sub.name, sub)
    assert main(["grade", str(sub), "--csv", str(tmp_path / "s.csv"), "--solutions", str(SOLUTIONS)]) == 2
    err = capsys.readouterr().err
    assert "apt-get install bubblewrap" in err and "--no-sandbox" in err
    assert not (tmp_path / "s.csv").exists()


def test_no_sandbox_grades_and_warns_in_every_row(tmp_path, capsys):
    sub = tmp_path / f"{A06}.ipynb"
    shutil.copy(SOLUTIONS / sub.name, sub)
    scores = tmp_path / "s.csv"
    assert main(["grade", str(sub), "--csv", str(scores), "--solutions", str(SOLUTIONS),
                 "--no-sandbox", "--jobs", "1"]) == 0
    row = next(csv.DictReader(open(scores, newline="")))
    assert row["score"] == row["max_score"] == "4"
    assert NO_SANDBOX_NOTE in row["feedback"]
    assert "--no-sandbox" in capsys.readouterr().err


def test_the_wire_carries_plain_values_only():
    values = [None, True, 3, -2.5, float("nan"), "text", [1, (2, 3)], {"a": 1, 2: "b"},
              np.arange(6.0).reshape(2, 3), np.float32(1.5), np.array([True, False]), np.int64(7)]
    for value in values:
        back = _wire.decode(json.loads(json.dumps(_wire.encode(value))))
        if isinstance(value, np.ndarray):
            assert back.dtype == value.dtype and np.array_equal(back, value)
        elif isinstance(value, float) and np.isnan(value):
            assert np.isnan(back)
        else:
            assert back == value and type(back) is type(value)
    # Student objects come back as their type name and repr, never as objects.
    class Sneaky(float):
        def __eq__(self, other):
            return True
    assert type(_wire.decode(_wire.encode(Sneaky(1.0)))) is float
    opaque = _wire.decode(_wire.encode(object()))
    assert isinstance(opaque, _wire.Opaque) and opaque.type_name == "object"
    for bad in ({"__nd__": ["|O", [1], "AA=="]}, {"__nd__": ["<f8", [2], "AA=="]},
                {"__pickle__": "gASVAAAA"}, {"__fn__": 0}, {"__rng__": {}}, {"a": 1, "b": 2}):
        with pytest.raises(_wire.WireError):
            _wire.decode(bad)


def test_csv_cells_and_feedback_names():
    dirty = "a\x00b\rc\nd\x1b[2Je" + "x" * 20_000
    clean = clean_cell(dirty)
    assert len(clean) <= CELL_LIMIT and not any(ord(ch) < 32 for ch in clean)
    assert clean.startswith("a b c d [2Je")
    names = feedback_names(["s/alice/06/06_x.ipynb", "s/bob/06/06_x.ipynb", "s/bob/06/06 x.ipynb"])
    assert names == ["alice__06__06_x.txt", "bob__06__06_x.txt", names[2]]
    assert len(set(names)) == 3


def test_a_failing_check_raises_under_nbgrader_only(monkeypatch, capsys):
    from nnkit import checks

    def unfinished(Z):
        raise NotImplementedError("replace this line")

    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert checks.lecture06.softmax(unfinished).status == "not implemented"
    assert capsys.readouterr().out.startswith("[TODO] softmax")
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    with pytest.raises(checks.CheckFailed) as err:
        checks.lecture06.softmax(unfinished)
    assert err.value._render_traceback_() == [err.value.report.text]
    assert "[TODO] softmax" in capsys.readouterr().out
    def softmax(Z):
        e = np.exp(Z - Z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    assert checks.lecture06.softmax(softmax).passed  # a passing check never raises
