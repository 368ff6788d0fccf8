"""Mutation testing of the exercise checks: do small wrong edits of the solutions lose marks?

``make mutants`` runs this file. For every task of every solution notebook it parses the
solution's function, makes every small edit of the kinds below (one edit per mutant), runs
the task's check on the mutant (its visible cases, then the instructor's hidden tests, as
the grader does) and counts the mutants that lose the task's mark:

* a sign flipped (``a - b`` -> ``a + b``, ``-x`` -> ``x``, the result negated);
* a factor or term dropped (``a * b`` -> ``a``, ``a / n`` -> ``a``, ``a + b`` -> ``a``),
  an operator swapped (``*`` <-> ``/``, ``**`` -> ``*``, ``a @ b`` -> ``b @ a``);
* a transpose dropped (``W.T`` -> ``W``);
* a wrong axis (``axis=0`` <-> ``axis=1``), a batch-wide instead of a per-row reduction
  (``axis=`` dropped), ``keepdims`` dropped, a reduction swapped (sum <-> mean, max <-> min);
* a float32 cast of the result, or of the first input (all the computation in float32);
* an off-by-one slice or index, a loop one step short (``range(n)`` -> ``range(n - 1)``);
* a comparison loosened or tightened (``<`` <-> ``<=``), a constant changed.

A mutant that survives (passes the check and the hidden tests) is either a gap in the
checks, to be closed by a case, or equivalent to the solution: those are listed in
``EQUIVALENT`` below, each with the reason. The run fails if the score (killed over all
mutants that are not known to be equivalent) is below 98 % or an unexplained mutant survives.

Usage: ``python tests/mutants.py [--task NAME] [--limit N]``.
"""
from __future__ import annotations

import argparse
import ast
import copy
import pathlib
import signal
import sys
import time
import warnings

import nbformat
import numpy as np

import nnkit as nk
from nnkit import checks
from nnkit.course.notebooks import definitions, tasks

ROOT = pathlib.Path(__file__).resolve().parents[1]
PER_TASK_LIMIT = 80     # mutants per task at most (taken evenly from all the sites)
TIMEOUT = 20            # seconds a mutant may take
TARGET = 0.98

# Mutants that compute the same function as the solution, by task: (before, after) as
# ast.unparse writes the mutated node. Each says why it cannot lose marks.
EQUIVALENT = {
    # xor_network: any weights and thresholds that compute XOR are right.
    ("xor_network", "1.0", "2.0"):
        "a weight of the OR unit doubled: 2 x1 + x2 - 0.5 >= 0 still exactly when x1 or x2.",
    ("xor_network", "0.5", "1.0"):
        "OR's threshold 1 instead of 0.5: x1 + x2 - 1 >= 0 still exactly when x1 or x2.",
    ("xor_network", "return (W1, b1, W2, b2)",
     "return (np.asarray(W1, dtype=np.float32), b1, W2, b2)"):
        "weights of +-1 are exact in float32 and the network computes XOR; the float policy "
        "is about computed results, and this task accepts any weights that work.",
    # The same function, written differently.
    ("output_error", "Y", "Yhat"): "len(Yhat) == len(Y): both are (n, K).",
    ("prelu_slope_grad", "np.minimum(x, 0.0)", "np.minimum(0.0, x)"): "minimum is symmetric.",
    ("sigmoid", "x >= 0", "x > 0"):
        "at x = 0 both forms give 1 / (1 + 1) = 1 / 2 exactly, so which one np.where picks "
        "does not matter.",
    ("leaky_relu_grad", "x > 0", "x >= 0"):
        "the derivative does not exist at 0; the task accepts 1 or the slope there.",
    ("leaky_relu_grad", "x", "x = np.asarray(x, dtype=np.float32)"):
        "only the sign of x is used, which float32 keeps (a number that rounds to 0 sits at "
        "the kink, where either value is accepted); the result is 1.0 or the slope, float64.",
    ("pca_whiten", "return Xc @ U / np.sqrt(lam + eps)", "return -(Xc @ U / np.sqrt(lam + eps))"):
        "an eigenvector's sign is arbitrary, so each column may come out with either sign.",
}


# ------------------------------------------------------------------ the mutations
_SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
         ast.Pow: ast.Mult}
_COMPARE = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt}
_REDUCTION = {"sum": "mean", "mean": "sum", "max": "min", "min": "max"}
_AXIS_CALLS = {"sum", "mean", "max", "min", "var", "std", "argmax", "argmin", "softmax"}


# Dropping a conversion changes only the type (np.float64 is a float), which the tasks accept.
_CONVERSIONS = {"float", "int", "asarray", "array", "tuple", "list", "dict"}


def _binop(node, make):
    return ast.BinOp(left=node, op=make(), right=ast.Constant(1))


def _float32(value):
    return ast.Call(func=ast.Attribute(value=ast.Name("np", ast.Load()), attr="asarray",
                                       ctx=ast.Load()),
                    args=[value], keywords=[ast.keyword(
                        arg="dtype", value=ast.Attribute(value=ast.Name("np", ast.Load()),
                                                         attr="float32", ctx=ast.Load()))])


def _mutations(node, siblings):
    """``(kind, new node)`` for every single edit of ``node`` (the node itself is not changed).

    ``siblings`` maps each parameter of the function to the look-alikes it may be confused with.
    """
    c = copy.deepcopy
    if isinstance(node, ast.BinOp):
        if type(node.op) in _SWAP:
            yield "operator swapped", ast.BinOp(c(node.left), _SWAP[type(node.op)](), c(node.right))
        if isinstance(node.op, (ast.Mult, ast.Div, ast.Add, ast.Sub)):
            yield "factor or term dropped", c(node.left)
        if isinstance(node.op, ast.Mult):
            yield "factor dropped", c(node.right)
        if isinstance(node.op, ast.MatMult):
            yield "product reversed", ast.BinOp(c(node.right), ast.MatMult(), c(node.left))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield "sign dropped", c(node.operand)
    elif isinstance(node, ast.Attribute) and node.attr == "T":
        yield "transpose dropped", c(node.value)
    elif isinstance(node, ast.Attribute) and node.attr in _REDUCTION and isinstance(node.ctx, ast.Load):
        yield "reduction swapped", ast.Attribute(c(node.value), _REDUCTION[node.attr], ast.Load())
    elif isinstance(node, ast.Call):
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        for i, kw in enumerate(node.keywords):
            if kw.arg == "axis" and name in _AXIS_CALLS:
                rest = [c(k) for j, k in enumerate(node.keywords) if j != i]
                yield "batch-wide reduction (axis dropped)", ast.Call(c(node.func), c(node.args), rest)
                if isinstance(kw.value, ast.Constant) and kw.value.value in (0, 1):
                    other = [c(k) for k in node.keywords]
                    other[i].value = ast.Constant(1 - kw.value.value)
                    yield "wrong axis", ast.Call(c(node.func), c(node.args), other)
            if kw.arg == "keepdims":
                rest = [c(k) for j, k in enumerate(node.keywords) if j != i]
                yield "keepdims dropped", ast.Call(c(node.func), c(node.args), rest)
        if len(node.args) == 1 and not node.keywords and name not in _CONVERSIONS:
            yield "call dropped", c(node.args[0])
        if len(node.args) >= 2 and not any(isinstance(a, ast.Starred) for a in node.args):
            args = [c(a) for a in node.args]
            args[0], args[1] = args[1], args[0]
            if ast.unparse(args[0]) != ast.unparse(args[1]):
                yield "arguments swapped", ast.Call(c(node.func), args, [c(k) for k in node.keywords])
        if name == "range" and node.args:
            args = [c(a) for a in node.args]
            stop = 0 if len(args) == 1 else 1
            args[stop] = _binop(args[stop], ast.Sub)
            yield "loop one step short", ast.Call(c(node.func), args, [])
    elif isinstance(node, ast.Slice):
        if node.lower is not None:
            yield "off-by-one slice", ast.Slice(_binop(c(node.lower), ast.Add), c(node.upper), c(node.step))
        else:
            yield "off-by-one slice", ast.Slice(ast.Constant(1), c(node.upper), c(node.step))
        if node.upper is not None:
            yield "off-by-one slice", ast.Slice(c(node.lower), _binop(c(node.upper), ast.Sub), c(node.step))
    elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
        yield "comparison changed", ast.Compare(c(node.left), [_COMPARE[type(node.ops[0])]()],
                                                c(node.comparators))
    elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in siblings:
        for other in siblings[node.id]:
            yield "wrong variable", ast.Name(other, ast.Load())
    elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
        value = node.value
        new = value + 1 if isinstance(value, int) else (2 * value if value else 1.0)
        yield "constant changed", ast.Constant(new)
    elif isinstance(node, ast.Return) and node.value is not None:
        value = node.value
        if isinstance(value, ast.Tuple):  # the negation and the cast apply to the first part
            first = [c(e) for e in value.elts]
            first[0] = ast.UnaryOp(ast.USub(), first[0])
            yield "result negated", ast.Return(ast.Tuple(first, ast.Load()))
            cast = [c(e) for e in value.elts]
            cast[0] = _float32(cast[0])
            yield "float32 cast", ast.Return(ast.Tuple(cast, ast.Load()))
        else:
            yield "result negated", ast.Return(ast.UnaryOp(ast.USub(), c(value)))
            yield "float32 cast", ast.Return(_float32(c(value)))


def _siblings(fn):
    """Each parameter's look-alikes among the others (W1 -> W2, b1 -> b2, X -> Y)."""
    names = [a.arg for a in fn.args.args]
    return {n: [m for m in names if m != n and m[:1].lower() == n[:1].lower()
                or {n, m} in ({"X", "Y"}, {"Yhat", "Y"})] for n in names}


# First parameters that hold the task's numbers (not a function, a size or a generator).
_ARRAY_INPUTS = {"X", "x", "Z", "Yhat", "eps", "dY", "Ns"}


def _statements(fn):
    """``fn``'s body without its docstring."""
    return fn.body[1:] if (fn.body and isinstance(fn.body[0], ast.Expr)
                           and isinstance(fn.body[0].value, ast.Constant)) else fn.body


def _body_nodes(fn):
    """The nodes of ``fn``'s body in walk order, without its docstring."""
    nodes = []
    for stmt in _statements(fn):
        nodes.extend(ast.walk(stmt))
    return nodes


def _replace(root, old, new):
    for parent in ast.walk(root):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
                return
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if item is old:
                        value[i] = new
                        return
    raise LookupError("node not found")  # pragma: no cover


def mutants(source: str, function: str):
    """``(kind, before, after, mutated source)`` for each single edit of ``function``."""
    tree = ast.parse(source)
    fn = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == function)
    siblings = _siblings(fn)
    found, seen = [], {ast.unparse(tree)}
    for index, node in enumerate(_body_nodes(fn)):
        for kind, new in _mutations(node, siblings):
            copy_tree = copy.deepcopy(tree)
            copy_fn = next(n for n in ast.walk(copy_tree)
                           if isinstance(n, ast.FunctionDef) and n.name == function)
            target = _body_nodes(copy_fn)[index]
            _replace(copy_tree, target, ast.fix_missing_locations(new))
            ast.fix_missing_locations(copy_tree)
            text = ast.unparse(copy_tree)
            if text in seen:
                continue
            seen.add(text)
            found.append((kind, ast.unparse(node), ast.unparse(new), text))
    first = fn.args.args[0].arg if fn.args.args else None
    if first in _ARRAY_INPUTS:  # the whole computation in float32, from the input on
        cast_tree = copy.deepcopy(tree)
        cast_fn = next(n for n in ast.walk(cast_tree)
                       if isinstance(n, ast.FunctionDef) and n.name == function)
        line = ast.parse(f"{first} = np.asarray({first}, dtype=np.float32)").body[0]
        cast_fn.body.insert(len(cast_fn.body) - len(_statements(cast_fn)), line)
        ast.fix_missing_locations(cast_tree)
        found.append(("float32 input", first, ast.unparse(line), ast.unparse(cast_tree)))
    return found


# ------------------------------------------------------------------ running
class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def _namespace(nb, path):
    cells, _ = definitions(nb)
    ns = {}
    for index, code in cells:
        exec(compile(code, f"<{path.stem} cell {index}>", "exec"), ns)
    return ns, cells


def loses_marks(nb, path, task, source):
    """How the mutant ``source`` of the task's function loses its mark, or ``None`` if it does not.

    ``"check"``: its check fails on the visible cases; ``"hidden"``: only the hidden tests
    fail; ``"error"``: the mutant does not even run, or takes too long.
    """
    ns, _ = _namespace(nb, path)
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIMEOUT)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            exec(compile(source, f"<mutant of {task.function}>", "exec"), ns)
            check = getattr(getattr(checks, task.module), task.check)
            if not check.run(ns[task.function]).passed:
                return "check"
            try:
                exec(task.hidden, dict(ns, np=np, nk=nk, checks=checks))
            except Exception:  # an assert of the hidden tests, or assert_passes
                return "hidden"
        return None
    except _Timeout:
        return "error"
    except Exception:  # the mutant does not even define its function
        return "error"
    finally:
        signal.alarm(0)


def _evenly(items, limit):
    if len(items) <= limit:
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", help="only this task (a check's name)")
    parser.add_argument("--limit", type=int, default=PER_TASK_LIMIT)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    total = killed = equivalent = 0
    survivors, per_task, how = [], {}, {"check": 0, "hidden": 0, "error": 0}
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        _, cells = _namespace(nb, path)
        for task in tasks(nb):
            if args.task and task.check != args.task:
                continue
            source = next(code for _, code in cells if f"def {task.function}(" in code)
            found = _evenly(mutants(source, task.function), args.limit)
            dead = 0
            for kind, before, after, text in found:
                lost = loses_marks(nb, path, task, text)
                if lost:
                    dead += 1
                    how[lost] += 1
                    continue
                reason = EQUIVALENT.get((task.check, before, after))
                if reason:
                    equivalent += 1
                else:
                    survivors.append((task.check, kind, before, after))
            total += len(found)
            killed += dead
            per_task[task.check] = (dead, len(found))
    seconds = time.perf_counter() - start
    for name, (dead, count) in per_task.items():
        print(f"{name:26s} {dead:3d} of {count:3d} mutants lose marks")
    scored = total - equivalent
    score = killed / scored if scored else 1.0
    print(f"\n{killed} of {total} mutants lose marks ({killed / max(total, 1):.1%}); "
          f"{equivalent} are known to be equivalent; score {score:.1%} "
          f"(target {TARGET:.0%}), in {seconds:.0f} s.")
    print(f"Killed by the visible check: {how['check']}; only by the hidden tests: "
          f"{how['hidden']}; not running: {how['error']}.")
    for name, kind, before, after in survivors:
        print(f"SURVIVOR {name}: {kind}: `{before}` -> `{after}`")
    too_few = [name for name, (_, count) in per_task.items() if count < 5]
    if too_few:
        print(f"fewer than 5 mutants for: {', '.join(too_few)}")
    return 0 if score >= TARGET and not survivors and not too_few else 1


if __name__ == "__main__":
    sys.exit(main())
