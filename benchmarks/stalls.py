"""Count kernel stalls: every lecture and solution notebook executed many times through nbclient.

The site build and the benchmarks drive kernels through nbclient's asyncio
client, which is where the stalls were seen (nbval uses the blocking client). Each run has a
bounded time per cell. A stall is a cell whose reply reached the client at least
``STALL_SECONDS`` after the kernel went idle (unpatched, it then lasts until the cell's
timeout, or for ever without one); it is counted and named, never a hang of this script.
``NNKIT_STALLS_UNPATCHED=1`` runs without :func:`nnkit.course.kernels.patch_missed_wakeups`::

    python -m benchmarks.stalls --repeat 20 --jobs 2 --hog 1 --out stalls.jsonl

``--hog`` starts that many CPU-bound processes for the duration (the load under which the
stalls were first seen: two notebooks at a time and a third process on two cores).
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
# A reply that reaches the client this long after the kernel went idle is a stall: on a
# loaded machine the normal delay is well under a second; unpatched stalls last until the
# cell's timeout.
STALL_SECONDS = 10.0


def notebooks() -> list[pathlib.Path]:
    """Every lecture and solution notebook, in course order."""
    return sorted((ROOT / "lectures").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))


def execute_once(path: str, cell_timeout: float) -> dict:
    """Run one notebook in a fresh kernel; report how it ended, never raise."""
    import nbclient
    import nbformat

    if os.environ.get("NNKIT_STALLS_UNPATCHED") != "1":  # set it to see the stalls again
        from nnkit.course.kernels import patch_missed_wakeups

        patch_missed_wakeups()
    nb = nbformat.read(path, as_version=4)
    marks: list[tuple[str, float]] = []  # (event, wall clock): where the time went
    sent: dict[int, float] = {}
    waits: dict[int, float] = {}  # cell index -> seconds from the request sent to its reply

    def mark(event):
        def hook(cell_index=None, **_):
            now = time.perf_counter()
            marks.append((event, now))
            if event == "cell done":  # nbclient calls it right after sending the request
                sent[cell_index] = now
            elif event == "cell replied":
                waits[cell_index] = now - sent.get(cell_index, now)
        return hook

    client = nbclient.NotebookClient(
        nb, timeout=cell_timeout, kernel_name="python3", allow_errors=False,
        resources={"metadata": {"path": str(pathlib.Path(path).parent)}},
        on_notebook_start=mark("kernel ready"), on_cell_start=mark("cell start"),
        on_cell_execute=mark("cell sent"), on_cell_executed=mark("cell replied"),
        on_cell_complete=mark("cell done"), on_notebook_complete=mark("cells done"))
    start = time.perf_counter()
    outcome, detail = "ok", ""
    try:
        client.execute()
    except nbclient.exceptions.CellTimeoutError as err:
        outcome, detail = "timeout", str(err).splitlines()[0][:300]
    except nbclient.exceptions.DeadKernelError as err:
        outcome, detail = "dead", str(err)[:300]
    except Exception as err:  # a failing cell is a failure, not a stall
        outcome, detail = "error", f"{type(err).__name__}: {str(err)[:300]}"
    index = next((i for i, c in enumerate(nb.cells)
                  if c.cell_type == "code" and not c.get("outputs") and c.source.strip()
                  and c.get("execution_count") is None), None)
    slowest = max(((cell_seconds(c), i) for i, c in enumerate(nb.cells)), default=(0.0, None))
    # How long the client waited beyond what the kernel spent: the stall, if any.
    late = max(((wait - cell_seconds(nb.cells[i]), i) for i, wait in waits.items()),
               default=(0.0, None))
    if outcome == "ok" and late[0] >= STALL_SECONDS:
        outcome, detail = "stall", (f"cell {late[1]}: the reply came {late[0]:.1f} s after the "
                                    "kernel went idle")
    return {"notebook": str(pathlib.Path(path).relative_to(ROOT)), "outcome": outcome,
            "detail": detail, "seconds": round(time.perf_counter() - start, 2),
            "first_unexecuted_cell": index if outcome != "ok" else None,
            "slowest_cell": slowest[1], "slowest_cell_seconds": round(slowest[0], 2),
            "slowest_cell_timing": timing(nb.cells[slowest[1]]) if slowest[1] is not None else {},
            "late_cell": late[1], "late_seconds": round(late[0], 2),
            "phases": phases(start, marks, time.perf_counter()),
            "marks": [(event, round(t - start, 2)) for event, t in marks]}


def phases(start: float, marks: list, end: float) -> dict:
    """Seconds of the longest wait of each kind: kernel start, a cell, between cells, shutdown."""
    times = [("start", start)] + marks + [("end", end)]
    longest: dict[str, float] = {}
    for (was, t0), (now, t1) in zip(times, times[1:]):
        kind = {"start": "kernel start", "cell sent": "a cell", "cells done": "shutdown",
                "cell replied": "reply to outputs"}.get(was, "between cells")
        longest[kind] = round(max(longest.get(kind, 0.0), t1 - t0), 2)
    return longest


def timing(cell) -> dict:
    """nbclient's timestamps of a cell: busy, execute_input, execute_reply, idle."""
    return dict(cell.get("metadata", {}).get("execution", {}))


def cell_seconds(cell) -> float:
    """From the request's acknowledgement (busy) to the kernel's idle, as nbclient recorded it."""
    import datetime

    stamps = timing(cell)
    try:
        begin = datetime.datetime.fromisoformat(stamps["iopub.status.busy"].replace("Z", "+00:00"))
        end = datetime.datetime.fromisoformat(stamps["iopub.status.idle"].replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return 0.0
    return (end - begin).total_seconds()


def versions() -> dict:
    import importlib.metadata as md
    names = ("ipykernel", "jupyter_client", "nbclient", "pyzmq", "tornado", "nbval")
    return {name: md.version(name) for name in names}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--hog", type=int, default=1, help="CPU-bound processes to run alongside")
    parser.add_argument("--cell-timeout", type=float, default=120.0)
    parser.add_argument("--out", default="stalls.jsonl")
    parser.add_argument("--only", default="", help="run only notebooks whose path contains this")
    args = parser.parse_args(argv)

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    hogs = [subprocess.Popen(["yes"], stdout=subprocess.DEVNULL) for _ in range(args.hog)]
    runs = [str(p) for _ in range(args.repeat) for p in notebooks() if args.only in str(p)]
    counts: dict[str, int] = {}
    started = time.perf_counter()
    try:
        with open(args.out, "w") as out, concurrent.futures.ProcessPoolExecutor(args.jobs) as pool:
            out.write(json.dumps({"versions": versions(), "runs": len(runs), "jobs": args.jobs,
                                  "hog": args.hog}) + "\n")
            futures = [pool.submit(execute_once, run, args.cell_timeout) for run in runs]
            for done in concurrent.futures.as_completed(futures):
                result = done.result()
                counts[result["outcome"]] = counts.get(result["outcome"], 0) + 1
                out.write(json.dumps(result) + "\n")
                out.flush()
                if result["outcome"] != "ok":
                    print(f"{result['outcome']}: {result['notebook']} cell "
                          f"{result['first_unexecuted_cell']}: {result['detail']}", flush=True)
    finally:
        for hog in hogs:
            hog.kill()
    minutes = (time.perf_counter() - started) / 60
    print(f"{len(runs)} runs in {minutes:.1f} min with {versions()}: {counts}")
    return 0 if set(counts) <= {"ok"} else 1


if __name__ == "__main__":
    sys.exit(main())
