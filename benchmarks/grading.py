"""How long ``nnkit-course grade`` takes on a class: N correct submissions, ``--jobs J``.

``python -m benchmarks.grading [--n 300] [--jobs 2] [--write benchmarks/GRADING.md]``

The submissions are copies of the solution notebooks, the seven assignments in turn, in
nbgrader's ``submitted/<student>/<assignment>/`` layout. Reported: the wall time, the wall
time per notebook (what a class costs), the median and worst time of one notebook as its
worker saw it, the load average before and after (the machine may be shared), and
whether every submission got full marks. (The sandboxes' CPU time is not reported: the
processes of a bubblewrap PID namespace are not reaped by the grader, so their time never
reaches its ``RUSAGE_CHILDREN``.) Nothing here is asserted: speed is not a test.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import platform
import shutil
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run(n: int, jobs: int, sandbox: bool = True) -> dict:
    from nnkit.course.grade import grade, load_solutions

    solutions = sorted((ROOT / "solutions").glob("*.ipynb"))
    known = load_solutions(ROOT / "solutions")
    with tempfile.TemporaryDirectory(prefix="nnkit-bench-grade-") as tmp:
        for i in range(n):
            source = solutions[i % len(solutions)]
            folder = pathlib.Path(tmp) / f"student{i:03d}" / source.stem
            folder.mkdir(parents=True)
            shutil.copy(source, folder / source.name)
        load_before = os.getloadavg()
        start = time.perf_counter()
        subs = grade([tmp], known, timeout=60, jobs=jobs, sandbox=sandbox)
        wall = time.perf_counter() - start
        load_after = os.getloadavg()
    seconds = [s.seconds for s in subs]
    return {"n": n, "jobs": jobs, "sandbox": sandbox, "wall": wall, "per_notebook": wall / n,
            "median": statistics.median(seconds), "max": max(seconds),
            "full_marks": sum(s.score == s.max_score > 0 for s in subs),
            "load_before": load_before, "load_after": load_after}


def markdown(result: dict) -> str:
    load = ", ".join(f"{x:.2f}" for x in result["load_before"])
    after = ", ".join(f"{x:.2f}" for x in result["load_after"])
    return "\n".join([
        f"### {result['n']} correct submissions, `--jobs {result['jobs']}`"
        + ("" if result["sandbox"] else " (`--no-sandbox`)"),
        "",
        "| | |",
        "|---|---|",
        f"| machine | {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()} |",
        f"| load average (1, 5, 15 min) before / after | {load} / {after} |",
        f"| wall time | {result['wall']:.0f} s |",
        f"| wall time per notebook | {result['per_notebook']:.2f} s |",
        f"| one notebook in its worker: median, worst | {result['median']:.2f} s, {result['max']:.2f} s |",
        f"| full marks | {result['full_marks']} / {result['n']} |",
        "",
    ])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-sandbox", action="store_true")
    parser.add_argument("--write", type=pathlib.Path, default=None,
                        help="append the result to this Markdown file")
    args = parser.parse_args(argv)
    text = markdown(run(args.n, args.jobs, sandbox=not args.no_sandbox))
    print(text)
    if args.write:
        with open(args.write, "a", encoding="utf-8") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    sys.exit(main())
