"""Catch a task answered by calling nnkit's own implementation of the very thing it asks for.

Two detectors, so that neither an alias nor an attribute chain slips through:

* at run time, :func:`watch` replaces each forbidden function or method, wherever nnkit
  binds it, with a wrapper that records the call and then does the real work;
* before running, :func:`aliases` looks through the names the student's code reads
  (its own helpers included) for a forbidden object bound under another name, e.g.
  ``from nnkit.functional import softmax as sm`` at the top of the notebook.
"""
from __future__ import annotations

import contextlib
import functools
import importlib
import sys
import types

__all__ = ["resolve", "watch", "aliases", "CORE", "kind"]

# nnkit's core library: what graded code may use (apart from what a task forbids). The
# grader's sandbox holds these modules only; the checks, the instructor tooling and the
# lecture helpers are replaced there by stand-ins that raise when called.
CORE = frozenset({"__init__", "_validation", "functional", "layers", "losses", "init", "optim",
                  "training", "gradcheck", "data", "preprocess", "penalties", "schedules"})


def kind(path: str) -> str:
    """``"check"``, ``"core"`` or ``"lecture"``: what the forbidden ``path`` belongs to."""
    parts = path.split(".")
    if parts[:2] == ["nnkit", "checks"] or parts[:2] == ["nnkit", "course"]:
        return "check"
    if len(parts) < 2 or parts[1] in CORE or parts[1][:1].isupper() or parts[1] in (
            "numerical_gradient", "relative_error", "gradcheck", "fit", "accuracy"):
        return "core"
    return "lecture"


def resolve(path: str):
    """``"nnkit.functional.softmax"`` or ``"nnkit.Dense.forward"`` -> (owner, attribute name, object)."""
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:-1]:
            owner = getattr(owner, name)
        attr = parts[-1]
        obj = owner.__dict__[attr] if isinstance(owner, type) and attr in owner.__dict__ \
            else getattr(owner, attr)
        return owner, attr, obj
    raise ValueError(f"cannot resolve forbidden name {path!r}")


def _bindings(path: str):
    """Every (owner, attribute) that binds the object named by ``path``.

    A method is patched on the class that defines it. A function is patched in every
    nnkit module that binds it (``nnkit.numerical_gradient`` and
    ``nnkit.gradcheck.numerical_gradient`` are the same object).
    """
    owner, attr, obj = resolve(path)
    if isinstance(owner, type):
        for klass in owner.__mro__:
            if attr in klass.__dict__:
                return [(klass, attr)], klass.__dict__[attr]
        raise ValueError(f"{path}: no class in the MRO defines {attr}")  # pragma: no cover
    found = []
    for name, module in list(sys.modules.items()):
        if (name == "nnkit" or name.startswith("nnkit.")) and isinstance(module, types.ModuleType):
            for key, value in list(vars(module).items()):
                if value is obj:
                    found.append((module, key))
    return found, obj


@contextlib.contextmanager
def watch(paths):
    """Record calls to the forbidden functions while the block runs.

    Yields the list that receives the dotted name of each forbidden function called.
    Calls go through to the real function, so the student's code runs as it would.
    """
    hits: list[str] = []
    patched = []
    try:
        for path in paths:
            where, original = _bindings(path)
            wrapper = _recorder(original, path, hits, method=isinstance(where[0][0], type))
            for owner, attr in where:
                had = attr in vars(owner)
                patched.append((owner, attr, had, vars(owner).get(attr)))
                setattr(owner, attr, wrapper)
        yield hits
    finally:
        for owner, attr, had, old in reversed(patched):
            if had:
                setattr(owner, attr, old)
            else:  # pragma: no cover - patches are always on the defining owner
                delattr(owner, attr)


def _recorder(original, path, hits, method=False):
    if isinstance(original, (staticmethod, classmethod)):  # pragma: no cover - none forbidden yet
        raise TypeError(f"{path}: static and class methods are not supported")
    owner_path, attr = path.rsplit(".", 1)
    prefix = owner_path.rsplit(".", 1)[0]

    @functools.wraps(original)
    def recorded(*args, **kwargs):
        # A method is named after the class the student used (Whiten.fit, not Center.fit).
        used = type(args[0]).__name__ if method and args else None
        hits.append(f"{prefix}.{used}.{attr}" if used and not path.endswith(f".{used}.{attr}")
                    else path)
        return original(*args, **kwargs)

    recorded.__nnkit_forbidden__ = path
    return recorded


def _names(code: types.CodeType):
    """Global and attribute names read by ``code`` and by the code nested in it."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


def aliases(fn, paths, depth: int = 4) -> list[str]:
    """Forbidden objects that ``fn`` (or a helper it calls by name) reaches through a global name.

    Returns the dotted names found, e.g. ``["nnkit.functional.softmax"]``.
    """
    targets = {}
    for path in paths:
        _, original = _bindings(path)
        targets[id(original)] = path
    found: list[str] = []
    seen: set[int] = set()

    def visit(f, level):
        f = getattr(f, "__func__", f)
        code = getattr(f, "__code__", None)
        if code is None or id(f) in seen or level > depth:
            return
        seen.add(id(f))
        module = getattr(f, "__module__", "") or ""
        if module == "nnkit" or module.startswith(("nnkit.", "numpy")):
            return
        values = [f.__globals__[n] for n in _names(code) if n in f.__globals__]
        values += [c.cell_contents for c in (f.__closure__ or ()) if _filled(c)]
        values += list(f.__defaults__ or ())
        for value in values:
            if id(value) in targets:
                found.append(targets[id(value)])
            elif callable(value):
                visit(value, level + 1)

    visit(fn, 0)
    return sorted(set(found))


def _filled(cell) -> bool:
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True
