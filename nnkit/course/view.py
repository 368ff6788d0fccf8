"""The sandbox's read-only view of nnkit: the core library, with the task's forbidden
functions disarmed, and nothing else.

:func:`build_view` copies nnkit's core modules (:data:`nnkit.checks._forbid.CORE`) into a
folder, rewriting the body of every function and method the task forbids into a ``raise``
of :class:`_nnkit_sandbox.Forbidden`, so their implementation is not in the sandbox at all:
neither to call, under whatever name, nor to read (``inspect.getsource`` gives the stub).
The checks, the instructor tooling and the lecture helpers are left out; in the sandbox,
:func:`stub_modules` lists them for the import hook that stands in for them. The sandbox's
own modules (:mod:`._sandbox` as ``_nnkit_sandbox``, with :mod:`._wire`) are copied beside.
"""
from __future__ import annotations

import ast
import pathlib
import shutil
import sys

from nnkit.checks._forbid import CORE

__all__ = ["build_view", "stub_modules", "NNKIT"]

NNKIT = pathlib.Path(__file__).resolve().parents[1]


def _qualname_node(tree, qualname):
    nodes = tree.body
    found = None
    for part in qualname.split("."):
        found = next((n for n in nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                         ast.ClassDef)) and n.name == part), None)
        if found is None:
            return None
        nodes = found.body
    return found


def _raising_body(node, path):
    doc = node.body[:1] if (node.body and isinstance(node.body[0], ast.Expr)
                            and isinstance(getattr(node.body[0], "value", None), ast.Constant)
                            and isinstance(node.body[0].value.value, str)) else []
    # __import__, not a module global: a copy of this source exec'd elsewhere raises too
    sandbox = ast.Call(ast.Name("__import__", ast.Load()), [ast.Constant("_nnkit_sandbox")], [])
    call = ast.Call(ast.Attribute(sandbox, "forbidden", ast.Load()), [ast.Constant(path)], [])
    node.body = doc + [ast.Raise(call, None)]


def _forbidden_targets(paths):
    """``{file below nnkit/: [(qualname, or None for the whole module; dotted path)]}`` for the
    forbidden names that live in nnkit's core (the view leaves every other module out)."""
    import inspect

    from nnkit.checks import _forbid

    targets: dict[str, list] = {}
    for path in paths:
        _, _, obj = _forbid.resolve(path)  # a name that does not resolve is an error in the check
        if isinstance(obj, type(sys)):
            source, qualname = obj.__file__, None
        else:
            func = inspect.unwrap(getattr(obj, "__func__", obj))
            source, qualname = inspect.getsourcefile(func), func.__qualname__
        try:
            rel = pathlib.Path(source).resolve().relative_to(NNKIT)
        except (TypeError, ValueError):
            raise ValueError(f"the forbidden name {path!r} is not defined in nnkit") from None
        if rel.parts[0].removesuffix(".py") in CORE:
            targets.setdefault(rel.as_posix(), []).append((qualname, path))
    return targets


def _transform(source: str, targets) -> str:
    tree = ast.parse(source)
    for qualname, path in targets:
        if qualname is None:  # the whole module is forbidden: every function and method
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    _raising_body(node, f"{path}.{node.name}")
            continue
        node = _qualname_node(tree, qualname)
        if node is None or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            raise ValueError(f"cannot find {qualname} to forbid {path}")
        _raising_body(node, path)
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def stub_modules() -> dict:
    """The modules of nnkit left out of the view, with why: ``{"nnkit.checks": "check", ...}``."""
    out = {}
    for entry in sorted(NNKIT.iterdir()):
        name = entry.stem if entry.suffix == ".py" else entry.name
        if name in CORE or name.startswith((".", "__pycache__")):
            continue
        if entry.is_dir() and not (entry / "__init__.py").exists():
            continue
        if entry.suffix not in (".py", "") or (entry.suffix == "" and not entry.is_dir()):
            continue
        out[f"nnkit.{name}"] = {"checks": "check", "course": "grader"}.get(name, "lecture")
    return out


def build_view(directory, forbidden=()) -> pathlib.Path:
    """Write the sandbox's read-only view into ``directory``: nnkit's core, with the bodies of
    the ``forbidden`` functions replaced by a ``raise``, and the sandbox's own modules."""
    directory = pathlib.Path(directory)
    targets = _forbidden_targets(forbidden)
    for source in sorted(NNKIT.rglob("*.py")):
        rel = source.relative_to(NNKIT)
        if rel.parts[0].removesuffix(".py") not in CORE or "__pycache__" in rel.parts:
            continue
        text = source.read_text(encoding="utf-8")
        if rel.as_posix() in targets:
            text = _transform(text, targets.pop(rel.as_posix()))
        out = directory / "nnkit" / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    if targets:  # pragma: no cover - every core file was visited above
        raise ValueError(f"forbidden functions in files the view misses: {sorted(targets)}")
    own = directory / "_nnkit_sandbox"
    own.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(pathlib.Path(__file__).with_name("_sandbox.py"), own / "__init__.py")
    shutil.copyfile(pathlib.Path(__file__).with_name("_wire.py"), own / "_wire.py")
    return directory
