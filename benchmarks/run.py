"""Run every benchmark, print the results as Markdown and check them against the targets.

``python -m benchmarks.run [--write benchmarks/README.md] [--quick] [--skip-notebooks]
[--only steps|notebooks]``

With ``--write`` the tables replace the block between the results markers of that file.
"""
from __future__ import annotations

import argparse
import math
import os
import pathlib
import time

import numpy as np

from . import course, machine, playground, speed

START, END = "<!-- results:start -->", "<!-- results:end -->"

# Targets of issues 7 and 19: time_nnkit / time_other at most this.
TEACHING = {"torch": 0.5, "fused": 1.5}
LARGE = {"torch": 1.2, "fused": 1.2}
NOTEBOOK_SECONDS, IMPORT_SECONDS = 30.0, 0.5
WIDGET_SECONDS = 0.100  # issue 19: CPU time of a redraw, median per control
COURSE_CPU_SECONDS = 60.0  # issue 19: every notebook together, in their kernels


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f}" if seconds >= 1e-4 else f"{seconds * 1e6:.1f}"


def _ratio(times: dict, a: str, b: str) -> float:
    """Median over rounds of the paired ratio a/b (each round ran both back to back)."""
    if b not in times:
        return math.nan
    return float(np.median(np.array(times[a]) / np.array(times[b])))


def _verdict(value: float, limit: float) -> str:
    if math.isnan(value):
        return "n/a"
    return f"{value:.2f} {'✓' if value <= limit else '✗'}"


def step_table(n_threads, seconds: float, rounds: int, checks: list, clock) -> list[str]:
    """Time every problem size; Markdown rows; append (target, value, limit) to ``checks``."""
    names = ["nnkit", "torch", "fused", "torch+dX", "fused+dX"]
    lines = [
        "| network, batch | " + " | ".join(f"{name} µs" for name in names)
        + " | nnkit/torch | nnkit/fused | nnkit/(torch+dX) | nnkit/(fused+dX) |",
        "|---|" + "---:|" * (len(names) + 4),
    ]
    for sizes, n in speed.SIZES:
        problem = speed.make_problem(sizes, n)
        limits = LARGE if sizes[0] >= 784 else TEACHING
        with speed.threads(n_threads):
            times = speed.interleave(speed.contenders(problem), seconds, rounds, clock)
        cells = [_us(speed.median(times[name])) if name in times else "–" for name in names]
        ratios = {other: _ratio(times, "nnkit", other) for other in names[1:]}
        lines.append(
            f"| {problem.label} | " + " | ".join(cells) + " | "
            f"{_verdict(ratios['torch'], limits['torch'])} (≤ {limits['torch']}) | "
            f"{_verdict(ratios['fused'], limits['fused'])} (≤ {limits['fused']}) | "
            + " | ".join("–" if math.isnan(ratios[o]) else f"{ratios[o]:.2f}"
                         for o in ("torch+dX", "fused+dX")) + " |"
        )
        for other in ("torch", "fused"):
            if not math.isnan(ratios[other]):
                checks.append((f"step {problem.label}, {n_threads} thread(s): nnkit/{other}",
                               ratios[other], limits[other]))
    return lines


def fit_table(seconds: float, rounds: int) -> list[str]:
    lines = [
        "| spirals, 300 points, 2-64-3 | steps per epoch | `nk.fit` epochs/s | bare loop epochs/s "
        "| fit / loop time |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in speed.fit_speed(seconds=seconds, rounds=rounds):
        batch = "full batch" if row["batch_size"] is None else f"batch_size={row['batch_size']}"
        lines.append(f"| {batch} | {row['steps_per_epoch']} | {row['fit']:,.0f} | "
                     f"{row['loop']:,.0f} | {row['loop'] / row['fit']:.2f} |")
    return lines


def _slowest_first(rows) -> list:
    """Timed rows by their slowest control's median, slowest first; rows not timed last."""
    def key(row):
        controls = row.get("controls") or {}
        return -max(controls.values()) if controls and not row.get("problem") else math.inf
    return sorted(rows, key=key)


def _widget_rows(rows, checks: list, where: str = "") -> list[str]:
    lines = []
    for row in rows:
        short = row["name"].removeprefix("nnkit.lectures.")
        label = f"`{short}`" + (f" ({where})" if where else "")
        build = f"{row['build'] * 1e3:.0f}" if not math.isnan(row.get("build", math.nan)) else "–"
        if row["problem"]:
            lines.append(f"| {label} | – | – | – | not timed: {row['problem']} | n/a |")
            continue
        if not row["controls"]:
            lines.append(f"| {label} | {build} | – | – | no control changed the figure "
                         f"({', '.join(row['skipped'])}) | n/a |")
            continue
        slow = row["controls"][row["slowest"]]
        ok = max(row["controls"].values()) <= WIDGET_SECONDS
        lines.append(f"| {label} | {build} | {row['median'] * 1e3:.0f} | "
                     f"{row['worst'] * 1e3:.0f} | {row['slowest']} ({slow * 1e3:.0f}) | "
                     f"{'✓' if ok else '✗'} |")
        checks.append((f"widget {short}{' in ' + where if where else ''} "
                       f"(slowest: {row['slowest']})", slow, WIDGET_SECONDS))
    return lines


WIDGET_HEADER = [
    "| widget | build ms | median callback ms | worst callback ms | slowest control "
    f"(its median, ms) | every control's median ≤ {WIDGET_SECONDS * 1e3:.0f} ms |",
    "|---|---:|---:|---:|---|---|",
]


def widget_table(reps: int, checks: list) -> list[str]:
    rows = course.time_widgets(reps)
    if not rows:
        return ["No widget builders found in `nnkit/lectures/*/widgets.py`."]
    return WIDGET_HEADER + _widget_rows(_slowest_first(rows), checks)


def notebook_tables(reps: int, checks: list) -> list[str]:
    """Every notebook's kernel CPU and wall time, slowest first, and the course's total;
    then every widget that the lectures built, timed in their kernels."""
    paths = course.notebooks()
    if not paths:
        return ["No notebooks in lectures/, solutions/ or exercises/ yet."]
    timed, failed = [], []
    probed = []  # every lecture's rows, each with its notebook, sorted together at the end
    collects = []  # (CPU s of the garbage collection before a lecture's probe, notebook)
    for path in paths:
        name = str(path.relative_to(course.ROOT))
        lecture = path.parent.name == "lectures" and reps > 0
        try:
            # Two moves per control there: the playground's controls retrain from scratch.
            result = course.run_notebook(path, probe_reps=min(reps, 2) if lecture else 0)
        except Exception as err:
            failed.append(f"| {name} | failed: {type(err).__name__}: {str(err)[:120]} | – | ✗ |")
            checks.append((f"notebook {name} (failed)", math.inf, NOTEBOOK_SECONDS))
            continue
        timed.append((result["cpu"], result["seconds"], name))
        probed += [dict(row, where=path.stem) for row in result["rows"]]
        if "collect" in result:
            collects.append((result["collect"], path.stem))
        checks.append((f"notebook {name}", result["seconds"], NOTEBOOK_SECONDS))
    lines = ["| notebook | kernel CPU s | wall s (fresh kernel, start to end) | wall ≤ 30 s |",
             "|---|---:|---:|---|"]
    for cpu, seconds, name in sorted(timed, reverse=True):
        lines.append(f"| {name} | {cpu:.1f} | {seconds:.1f} | "
                     f"{'✓' if seconds <= NOTEBOOK_SECONDS else '✗'} |")
    lines += failed
    total = sum(cpu for cpu, _, _ in timed) if not failed else math.inf
    lines.append(f"| **all {len(paths)} notebooks** | **{total:.1f}** "
                 f"{'✓' if total <= COURSE_CPU_SECONDS else '✗'} (≤ {COURSE_CPU_SECONDS:.0f}) | "
                 f"{sum(s for _, s, _ in timed):.1f} | |")
    checks.append(("the course's kernel CPU, every notebook", total, COURSE_CPU_SECONDS))
    if reps > 0:
        lines += ["", "### Widget callbacks as the lectures build them (timed in each lecture's "
                  "kernel after its cells; CPU time, slowest first)", ""]
        rows = [line for row in _slowest_first(probed)
                for line in _widget_rows([row], checks, where=row["where"])]
        lines += WIDGET_HEADER + rows if rows else ["No widgets found in the lectures."]
        if collects:
            worst, where = max(collects)
            lines += ["", "Before timing, each kernel ran one full garbage collection (after a "
                      "lecture's cells one is due, and would land on whichever redraw came "
                      f"first): {np.median([c for c, _ in collects]) * 1e3:.0f} ms of CPU "
                      f"median, {worst * 1e3:.0f} ms at most ({where})."]
    return lines


def import_table(repeat: int, checks: list) -> list[str]:
    lines = ["| import (fresh interpreter) | median ms | min ms | target |",
             "|---|---:|---:|---|"]
    for module in ("nnkit", "nnkit.viz", "nnkit.viz.live"):
        times = course.time_import(module, repeat)
        target = ""
        if module == "nnkit":  # the core: numpy only, fast
            ok = np.median(times) <= IMPORT_SECONDS
            target = f"≤ {IMPORT_SECONDS * 1e3:.0f} {'✓' if ok else '✗'}"
            checks.append(("import nnkit", float(np.median(times)), IMPORT_SECONDS))
        lines.append(f"| `import {module}` | {np.median(times) * 1e3:.0f} | "
                     f"{min(times) * 1e3:.0f} | {target} |")
    return lines


def run(quick=False, notebooks=True, widgets=True, only=None) -> str:
    """Everything, as the Markdown block for the README; ``only="steps"`` or ``"notebooks"``:
    just the tables of one SGD step, or of the notebooks (run without the widget probe)."""
    began = time.perf_counter()
    seconds, rounds = (0.3, 5) if quick else (4.0, 21)
    about = machine.describe()
    # numpy's BLAS threads in this process (`make` sets one, as for the tests and the lab),
    # one thread, and every core: each is a configuration, PyTorch given as many threads.
    effective = speed.blas_threads()
    configs = [None] if effective is None else sorted({1, effective, os.cpu_count() or 1})
    checks: list = []
    out = ["### Machine", "", "| | |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in about.items()]
    for n_threads in configs if only in (None, "steps") else []:
        # One thread: CPU time of this thread, which other processes disturb far less
        # than wall time. Several: wall time, the only fair clock for parallel work.
        clock = time.thread_time if n_threads == 1 else time.perf_counter
        heading = ("numpy's BLAS and PyTorch as they come" if n_threads is None else
                   f"{n_threads} thread{'s' if n_threads > 1 else ''} for numpy's BLAS and for "
                   f"PyTorch" + (" (numpy's setting in this process)"
                                 if n_threads == effective else ""))
        what = "thread CPU time" if n_threads == 1 else "wall time"
        out += ["", f"### One SGD step, float64: {heading}; µs of {what}, medians", ""]
        out += step_table(n_threads, seconds, rounds, checks, clock)
    if only:
        notebooks, widgets = only == "notebooks", False
    else:
        out += ["", "### `nk.fit` on spirals (wall time, numpy's threads as set in this process)",
                ""] + fit_table(seconds / 2, 3 if quick else 7)
    reps = 1 if quick else 3
    if widgets:
        out += ["", "### Widget callbacks (update + PNG, CPU time, headless), every builder "
                "that needs no arguments, slowest first", ""] + widget_table(reps, checks)
        out += ["", "### The playground (CPU time, headless)", ""]
        out += playground.table(checks, quick)
    if notebooks:
        out += ["", "### Notebooks", ""] + notebook_tables(reps if widgets else 0, checks)
    if not only:
        out += ["", "### Import", ""] + import_table(3 if quick else 7, checks)
    missed = [(name, value, limit) for name, value, limit in checks
              if not (value <= limit)]
    out += ["", "### Targets", "",
            f"{len(checks) - len(missed)} of {len(checks)} targets hold."]
    out += [f"- missed: {name}: {value:.3g} > {limit:g}" for name, value, limit in missed]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    out += ["", f"Measured in {time.perf_counter() - began:.0f} s; load average at the end: {load}."]
    return "\n".join(out)


def write(path, block: str) -> None:
    """Put ``block`` between the results markers of ``path`` (appending them if missing)."""
    path = pathlib.Path(path)
    text = path.read_text() if path.exists() else ""
    if START in text and END in text:
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1]
    else:
        head, tail = text + ("\n" if text else ""), "\n"
    path.write_text(f"{head}{START}\n{block}\n{END}{tail}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", metavar="README", help="put the tables into this file")
    parser.add_argument("--quick", action="store_true", help="tiny budgets, for a smoke test")
    parser.add_argument("--skip-notebooks", action="store_true")
    parser.add_argument("--skip-widgets", action="store_true")
    parser.add_argument("--only", choices=["steps", "notebooks"],
                        help="only the tables of one SGD step (about a minute), or only the "
                             "notebooks' CPU and wall times (a few minutes, widgets not probed)")
    args = parser.parse_args(argv)
    if speed.torch_module() is None:
        print("PyTorch is not installed: its column is skipped "
              "(`pip install torch==2.13.0+cpu` or any CPU build adds it).")
    block = run(args.quick, not args.skip_notebooks, not args.skip_widgets, args.only)
    print(block)
    if args.write:
        write(args.write, block)
        print(f"\nwritten to {args.write}")


if __name__ == "__main__":
    main()
