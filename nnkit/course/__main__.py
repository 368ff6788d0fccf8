"""Command line: ``nnkit-course release`` and ``nnkit-course grade`` (or ``python -m nnkit.course``)."""
from __future__ import annotations

import argparse
import pathlib
import sys
import time

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nnkit-course",
        description="Instructor tools for the nnkit course: make the exercise notebooks from "
                    "the solutions, and grade submitted notebooks.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    rel = sub.add_parser(
        "release", help="regenerate exercises/ from solutions/",
        description="Regenerate the student notebooks from the solution notebooks: solution "
                    "code becomes `# YOUR CODE HERE` + `raise NotImplementedError(hint)`, hidden "
                    "tests are removed, outputs cleared. Refuses to overwrite an exercise "
                    "notebook edited by hand since the last release, unless --force.")
    rel.add_argument("--solutions", type=pathlib.Path, default=pathlib.Path("solutions"),
                     help="folder of solution notebooks (default: ./solutions)")
    rel.add_argument("--exercises", type=pathlib.Path, default=pathlib.Path("exercises"),
                     help="folder to write the exercise notebooks to (default: ./exercises)")
    rel.add_argument("--force", action="store_true",
                     help="overwrite exercise notebooks even if they were edited by hand")
    rel.add_argument("--check", action="store_true",
                     help="write nothing; exit 1 if the exercises are out of date")

    gr = sub.add_parser(
        "grade", help="grade submitted notebooks into a CSV",
        description="Grade notebooks. Each task of each notebook runs in a bubblewrap sandbox "
                    "of its own (no network, no view of the solutions, the grader's files or "
                    "other submissions; limits on memory, CPU time, processes and file size); "
                    "the checks and hidden tests of the matching solution notebook run in the "
                    "grader, on the values the student's functions return. One CSV row per "
                    "notebook: file, score, max_score, pass/fail per task, feedback.")
    gr.add_argument("submissions", nargs="+", type=pathlib.Path, metavar="NOTEBOOK",
                    help="submitted notebooks, or folders of them")
    gr.add_argument("--csv", type=pathlib.Path, required=True, help="where to write the scores")
    gr.add_argument("--solutions", type=pathlib.Path, default=pathlib.Path("solutions"),
                    help="folder of solution notebooks (default: ./solutions)")
    gr.add_argument("--timeout", type=float, default=60.0, metavar="S",
                    help="seconds allowed per cell of definitions and per task (default: 60)")
    gr.add_argument("--jobs", type=int, default=None, metavar="N",
                    help="notebooks graded at once, one kernel each (default: CPUs, at most 4)")
    gr.add_argument("--feedback", type=pathlib.Path, default=None, metavar="DIR",
                    help="also write one feedback file per notebook into DIR (named after its "
                         "path, e.g. alice__06_x.txt)")
    gr.add_argument("--memory", type=int, default=2048, metavar="MB",
                    help="address space allowed to each sandboxed process (default: 2048)")
    gr.add_argument("--no-sandbox", action="store_true",
                    help="run the submissions' code without bubblewrap (only for trusted "
                         "notebooks; every row's feedback says so)")
    return parser


def _release(args) -> int:
    from .release import ReleaseError, release

    try:
        result = release(args.solutions, args.exercises, force=args.force, check=args.check)
    except ReleaseError as err:
        print(f"nnkit-course release: {err}", file=sys.stderr)
        return 1
    if args.check:
        if result.out_of_date:
            print("out of date (run `nnkit-course release`): " + ", ".join(result.out_of_date))
            return 1
        print(f"{args.exercises} is up to date with {args.solutions}.")
        return 0
    for name in result.written:
        print(f"wrote   {args.exercises / name}")
    for name in result.removed:
        print(f"removed {args.exercises / name} (its solution notebook is gone)")
    print(f"{len(result.written)} written, {len(result.unchanged)} unchanged, "
          f"{len(result.removed)} removed.")
    return 0


def _grade(args) -> int:
    from .grade import NO_SANDBOX_NOTE, feedback_names, feedback_text, grade, load_solutions, write_csv
    from .sandbox import SandboxUnavailable

    try:
        solutions = load_solutions(args.solutions)
    except (FileNotFoundError, ValueError) as err:
        print(f"nnkit-course grade: {err}", file=sys.stderr)
        return 2
    if args.timeout <= 0 or (args.jobs is not None and args.jobs < 1) or args.memory < 256:
        print("nnkit-course grade: --timeout must be > 0, --jobs >= 1 and --memory >= 256",
              file=sys.stderr)
        return 2
    missing = [str(p) for p in args.submissions if not p.exists()]
    if missing:
        print(f"nnkit-course grade: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2

    def progress(sub):
        print(f"{sub.path}: {sub.score:g}/{sub.max_score:g} ({sub.seconds:.1f} s)", flush=True)

    if args.no_sandbox:
        print(f"nnkit-course grade: {NO_SANDBOX_NOTE}", file=sys.stderr)
    start = time.perf_counter()
    try:
        subs = grade(args.submissions, solutions, timeout=args.timeout, jobs=args.jobs,
                     progress=progress, sandbox=not args.no_sandbox, memory_mb=args.memory)
    except SandboxUnavailable as err:
        print(f"nnkit-course grade: refusing to run submissions' code without a sandbox: {err}",
              file=sys.stderr)
        return 2
    write_csv(subs, args.csv)
    if args.feedback:
        args.feedback.mkdir(parents=True, exist_ok=True)
        for sub, name in zip(subs, feedback_names([s.path for s in subs])):
            text = f"{sub.path}: {sub.score:g} / {sub.max_score:g}\n\n{feedback_text(sub)}\n"
            (args.feedback / name).write_text(text, encoding="utf-8", errors="replace")
    print(f"graded {len(subs)} notebook(s) in {time.perf_counter() - start:.1f} s -> {args.csv}")
    return 0


def main(argv=None) -> int:
    """Entry point of the ``nnkit-course`` command."""
    args = _parser().parse_args(argv)
    return _release(args) if args.command == "release" else _grade(args)


if __name__ == "__main__":
    sys.exit(main())
