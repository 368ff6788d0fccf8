"""Count kernel stalls: every lecture and solution notebook executed many times through nbclient.

nbval, the site build and the grader all drive kernels through nbclient (or jupyter_client,
which nbclient wraps), so this is the path on which a stall would hang them. Each run has a
bounded time per cell; a cell that runs past it while the kernel is idle is a stall, counted
and named, never a hang of this script::

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


def notebooks() -> list[pathlib.Path]:
    """Every lecture and solution notebook, in course order."""
    return sorted((ROOT / "lectures").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))


def execute_once(path: str, cell_timeout: float) -> dict:
    """Run one notebook in a fresh kernel; report how it ended, never raise."""
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=cell_timeout, kernel_name="python3", allow_errors=False,
        resources={"metadata": {"path": str(pathlib.Path(path).parent)}})
    start = time.perf_counter()
    outcome, detail = "ok", ""
    try:
        client.execute()
    except nbclient.exceptions.CellTimeoutError as err:
        outcome, detail = "stall", str(err).splitlines()[0][:300]
    except nbclient.exceptions.DeadKernelError as err:
        outcome, detail = "dead", str(err)[:300]
    except Exception as err:  # a failing cell is a failure, not a stall
        outcome, detail = "error", f"{type(err).__name__}: {str(err)[:300]}"
    index = next((i for i, c in enumerate(nb.cells)
                  if c.cell_type == "code" and not c.get("outputs") and c.source.strip()
                  and c.get("execution_count") is None), None)
    return {"notebook": str(pathlib.Path(path).relative_to(ROOT)), "outcome": outcome,
            "detail": detail, "seconds": round(time.perf_counter() - start, 2),
            "first_unexecuted_cell": index if outcome != "ok" else None}


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
    args = parser.parse_args(argv)

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    hogs = [subprocess.Popen(["yes"], stdout=subprocess.DEVNULL) for _ in range(args.hog)]
    runs = [str(p) for _ in range(args.repeat) for p in notebooks()]
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
