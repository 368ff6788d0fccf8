"""The course's own timings: widget callbacks, notebooks, ``import nnkit``.

Widget builders are found, not listed: every public function or class of a lecture's
``nnkit/lectures/lNN_<name>/widgets.py`` that can be called without arguments and gives a
widget with ``controls``. Each control is moved to new values as a student would, and
the redraw (``update`` plus the PNG the notebook shows) is read from
``live.last_seconds``, its CPU time. Builders that need arguments (recorded training runs, say) are
timed as the lectures build them: after a lecture notebook has run, its kernel times
every widget still alive.
"""
from __future__ import annotations

import importlib
import inspect
import json
import math
import pathlib
import subprocess
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOK_DIRS = ("lectures", "solutions", "exercises")

__all__ = [
    "is_lecture_widget_module", "widget_builders", "moves", "time_controls", "summarise", "time_widgets", "probe_widgets",
    "notebooks", "time_notebook", "run_notebook", "time_import",
]


def is_lecture_widget_module(name: str) -> bool:
    """Whether ``name`` is a lecture's widget module, ``nnkit.lectures.lNN_<name>.widgets``."""
    return name.startswith("nnkit.lectures.") and name.endswith(".widgets")


def widget_builders(package: str = "nnkit.lectures"):
    """``(qualified name, builder or None, problem)`` for every candidate builder.

    Candidates are the public functions and classes of each module (a module's
    ``__all__`` when it has one), ``Live`` and its subclasses aside: those draw, they
    are not lecture widgets. A candidate that cannot be imported, or needs arguments,
    comes back with the reason, so the report lists it instead of silently leaving it
    out (the lectures' own instances of those are timed by :func:`probe_widgets`).
    """
    from nnkit.viz.live import Live

    folder = ROOT / package.replace(".", "/")
    found = []
    for path in sorted(folder.glob("*/widgets.py")):
        name = f"{package}.{path.parent.name}.{path.stem}"
        try:
            module = importlib.import_module(name)
        except Exception as err:  # a module being written right now
            found.append((name, None, f"import failed: {type(err).__name__}: {err}"))
            continue
        public = getattr(module, "__all__", None)
        for attr, obj in vars(module).items():
            if attr.startswith("_") or getattr(obj, "__module__", None) != name:
                continue
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if public is not None and attr not in public:
                continue
            if inspect.isclass(obj) and issubclass(obj, Live):
                continue
            required = [p.name for p in inspect.signature(obj).parameters.values()
                        if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY,
                                                               p.POSITIONAL_OR_KEYWORD,
                                                               p.KEYWORD_ONLY)]
            problem = f"needs arguments {required}" if required else ""
            found.append((f"{name}.{attr}", obj, problem))
    return found


def moves(control, count: int = 3) -> list[tuple[str, object]]:
    """``count`` changes ``(attribute, value)`` for ``control``, each to a value it does not hold.

    Sliders step a third of their range (bouncing off the ends; integer sliders at least
    1), dropdowns and other selections go to the next option (by ``index``, which works
    for ``(label, value)`` options too), a multiple selection gains its first unchosen
    option and loses it again, check boxes toggle.
    """
    value = control.value
    if isinstance(getattr(control, "index", None), tuple):  # SelectMultiple: one more, then back
        chosen = tuple(control.index)
        extra = next((i for i in range(len(control.options)) if i not in chosen), None)
        if extra is None:
            return []
        grown = tuple(sorted((*chosen, extra)))
        return [("index", grown if i % 2 == 0 else chosen) for i in range(count)]
    if hasattr(control, "options") and hasattr(control, "index"):
        n = len(control.options)
        start = control.index if control.index is not None else 0
        return [("index", (start + i) % n) for i in range(1, count + 1)] if n > 1 else []
    if isinstance(value, bool):
        return [("value", not value if i % 2 == 0 else value) for i in range(count)]
    if hasattr(control, "min") and hasattr(control, "max"):
        log = hasattr(control, "base")  # FloatLogSlider: min and max are exponents
        lo, hi = control.min, control.max
        x = math.log(value, control.base) if log else value
        span = (hi - lo) / 3
        if isinstance(value, int):
            span = max(span, 1)
        out = []
        for _ in range(count):
            x = x + span if x + span <= hi else x - span
            v = control.base ** x if log else x
            out.append(("value", int(round(v)) if isinstance(value, int) else v))
        return out
    return []


# The playground's Train button runs to the epoch budget by design; its frames are
# what the Step button times.
SKIP_BUTTONS = ("train",)


def time_controls(widget, reps: int = 3) -> dict:
    """Move every control of ``widget`` ``reps`` times and click its buttons; seconds per callback.

    A ``Live`` reports its own redraw's CPU time (``last_seconds``: update plus the PNG); for
    any other widget with ``controls`` (the playground) it is the CPU time of this process
    for the change, its redraw included (the change runs synchronously here, so that is
    all its work; wall time would add whatever else the machine runs meanwhile).
    Returns ``{"controls": {name: [s, ...]}, "skipped": [name, ...]}``; buttons appear as
    ``"<name> button"``.
    """
    from nnkit.viz.live import Live

    is_live, calls = isinstance(widget, Live), []
    if is_live:
        update = widget.update
        widget.update = lambda **values: (calls.append(1), update(**values))[1]
    controls, skipped = {}, []
    try:
        for name, control in widget.controls.items():
            seconds = []
            for attribute, value in moves(control, reps):
                before, start = len(calls), time.process_time()
                setattr(control, attribute, value)  # as a student moves it; observers redraw
                took = time.process_time() - start
                if not is_live:
                    seconds.append(took)
                elif len(calls) > before:
                    seconds.append(widget.last_seconds)
            if seconds:
                controls[name] = seconds
            else:
                skipped.append(name)
        for name, button in getattr(widget, "buttons", {}).items():
            if name in SKIP_BUTTONS:
                continue
            seconds = []
            for _ in range(reps):
                start = time.process_time()
                button.click()
                seconds.append(time.process_time() - start)
            controls[f"{name} button"] = seconds
    finally:
        if is_live:
            widget.update = update
    return {"controls": controls, "skipped": skipped}


def summarise(name: str, timed: dict, build: float = math.nan) -> dict:
    """One table row: median and worst callback, the slowest control by its median."""
    medians = {c: float(np.median(s)) for c, s in timed["controls"].items()}
    every = [t for s in timed["controls"].values() for t in s]
    return {
        "name": name, "problem": "", "build": build, "controls": medians,
        "skipped": timed["skipped"],
        "median": float(np.median(every)) if every else math.nan,
        "worst": max(every, default=math.nan),
        "slowest": max(medians, key=medians.get) if medians else "",
    }


def time_widgets(reps: int = 3) -> list:
    """One row per builder found in the lectures' ``widgets.py`` (see :func:`summarise`)."""
    import matplotlib

    matplotlib.use("Agg")
    rows = []
    for name, builder, problem in widget_builders():
        if builder is None or problem:
            rows.append({"name": name, "problem": problem})
            continue
        try:
            start = time.perf_counter()
            widget = builder()
            build = time.perf_counter() - start
            if not hasattr(widget, "controls"):
                continue  # a helper that returns something else, not a widget
            rows.append(summarise(name, time_controls(widget, reps), build))
        except Exception as err:
            rows.append({"name": name, "problem": f"{type(err).__name__}: {err}"[:200]})
    return rows


def probe_widgets(reps: int = 3) -> list:
    """Time every widget alive in this interpreter; rows as :func:`summarise` gives.

    Run in a notebook's kernel after its cells (see :func:`time_notebook`), this times
    the widgets exactly as the lecture built them, arguments and all.
    """
    import gc

    from nnkit.viz.live import Live

    rows = []
    for obj in gc.get_objects():
        if isinstance(obj, Live):
            update = obj.update
            name = f"{update.__module__}.{update.__qualname__.split('.<locals>')[0]}"
        elif is_lecture_widget_module(str(getattr(type(obj), "__module__", ""))) \
                and hasattr(obj, "controls") and hasattr(obj, "redraw"):
            name = f"{type(obj).__module__}.{type(obj).__name__}"
        else:
            continue
        try:
            rows.append(summarise(name, time_controls(obj, reps)))
        except Exception as err:
            rows.append({"name": name, "problem": f"{type(err).__name__}: {err}"[:200]})
    return rows


def notebooks() -> list[pathlib.Path]:
    return sorted(p for d in NOTEBOOK_DIRS for p in (ROOT / d).glob("*.ipynb"))


# After a lecture's cells the kernel holds a few hundred thousand objects (figures kept in
# `Out`, training histories), and a full garbage collection is due: 100-250 ms of CPU that
# would land on whichever redraw comes first, a different one at each change to the code.
# A student meets it once after running the notebook; it is not a redraw's cost. So it runs
# before the probe, and its time is reported on its own ("collect").
_PROBE = """\
import gc, json, sys, time
sys.path.insert(0, {root!r})
from benchmarks.course import probe_widgets
_start, _cpu = time.perf_counter(), time.process_time()
gc.collect()
_collect = time.process_time() - _cpu
_rows = probe_widgets({reps})
print("{marker}" + json.dumps({{"seconds": time.perf_counter() - _start, "rows": _rows,
                                "collect": _collect}}))
"""
_MARKER = "nnkit-benchmark-widgets: "

# The kernel's own CPU seconds since it started (its start-up, every cell; any child
# process it waited for too), read in the kernel after the notebook's last cell.
_CPU = """\
import os as _os
_t = _os.times()
print("{marker}" + str(_t.user + _t.system + _t.children_user + _t.children_system))
"""
_CPU_MARKER = "nnkit-benchmark-cpu: "


def _stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")


def _after(marker: str, text: str) -> str:
    return next(l for l in text.splitlines() if l.startswith(marker))[len(marker):]


def time_notebook(path, timeout: int = 600, probe_reps: int = 0):
    """Run ``path`` top to bottom in a fresh kernel: ``{"seconds": s, "cpu": s, "rows": [...]}``
    (and ``"collect"``, the CPU seconds of the garbage collection before the probe).

    ``seconds`` is the wall time (kernel start included); ``cpu`` the kernel's CPU time
    for the same (start-up and every cell), which other processes on a shared machine
    disturb far less. With ``probe_reps`` a last cell then times every widget the
    notebook built (:func:`probe_widgets`; its own time is taken off the notebook's
    wall time, and it runs after the CPU reading): ``rows``.
    """
    import nbformat
    from nbclient import NotebookClient

    from nnkit.course.kernels import patch_missed_wakeups

    patch_missed_wakeups()  # else a missed wake-up adds `timeout` seconds to a run now and then
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_CPU.format(marker=_CPU_MARKER)))
    cpu_cell = nb.cells[-1]
    if probe_reps:
        nb.cells.append(nbformat.v4.new_code_cell(
            _PROBE.format(root=str(ROOT), marker=_MARKER, reps=probe_reps)))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(pathlib.Path(path).parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    out = {"seconds": seconds, "cpu": float(_after(_CPU_MARKER, _stdout(cpu_cell))), "rows": []}
    if probe_reps:
        probe = json.loads(_after(_MARKER, _stdout(nb.cells[-1])))
        out["seconds"] -= probe["seconds"]
        out["rows"], out["collect"] = probe["rows"], probe["collect"]
    return out


def run_notebook(path, timeout: int = 600, probe_reps: int = 0) -> dict:
    """:func:`time_notebook` in a fresh Python process: ``{"seconds": s, "cpu": s, "rows": [...]}``.

    One client process per notebook, so that nothing of one notebook's kernel client
    (its sockets, its event loop) can disturb the next; it is killed after ``timeout``.
    """
    command = [sys.executable, "-m", "benchmarks.course", str(path), "--timeout", str(timeout),
               "--probe", str(probe_reps)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout + 60)
    lines = [l for l in done.stdout.splitlines() if l.startswith(_MARKER)]
    if done.returncode or not lines:
        error = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"{pathlib.Path(path).name}: {error}")
    return json.loads(lines[-1][len(_MARKER):])


def time_import(module: str = "nnkit", repeat: int = 7) -> list[float]:
    """Seconds to ``import module`` in a fresh interpreter, ``repeat`` times."""
    code = (f"import time; t = time.perf_counter(); import {module}; "
            f"print(time.perf_counter() - t)")
    return [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True, cwd=ROOT).stdout) for _ in range(repeat)]


def main(argv=None) -> None:
    """``python -m benchmarks.course NOTEBOOK [--timeout S] [--probe REPS]``: one notebook's timing."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("notebook")
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument("--probe", type=int, default=0)
    args = parser.parse_args(argv)
    print(_MARKER + json.dumps(time_notebook(args.notebook, args.timeout, args.probe)))


if __name__ == "__main__":
    main()
