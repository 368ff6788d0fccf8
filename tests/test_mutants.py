"""The mutation tester itself (``make mutants`` runs it on every task): it makes the edits it
promises, and it tells a mutant that loses its mark from one that does not."""
import pathlib

import nbformat

from mutants import EQUIVALENT, loses_marks, mutants
from nnkit.course.notebooks import tasks

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_the_promised_kinds_of_mutant_are_made():
    source = '''
def softmax(Z):
    """Doc."""
    shifted = Z - Z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e[:, :] / e.sum(axis=1, keepdims=True).T
'''
    found = mutants(source, "softmax")
    kinds = {kind for kind, *_ in found}
    for kind in ("operator swapped", "factor or term dropped", "transpose dropped", "wrong axis",
                 "batch-wide reduction (axis dropped)", "keepdims dropped", "float32 cast",
                 "off-by-one slice", "result negated", "call dropped", "reduction swapped"):
        assert kind in kinds, kind
    assert len({text for *_, text in found}) == len(found), "every mutant is different"
    assert all('"""Doc."""' in text for *_, text in found), "the docstring is never mutated"


def _task(notebook, name):
    path = ROOT / "solutions" / f"{notebook}.ipynb"
    nb = nbformat.read(path, as_version=4)
    return nb, path, next(t for t in tasks(nb) if t.check == name)


def test_a_wrong_mutant_loses_its_mark_and_an_equivalent_one_keeps_it():
    nb, path, task = _task("06_classifiers_cross_entropy", "softmax")
    batch_wide = ("def softmax(Z):\n    shifted = Z - Z.max()\n    e = np.exp(shifted)\n"
                  "    return e / e.sum(axis=1, keepdims=True)\n")
    assert loses_marks(nb, path, task, batch_wide) == "check"
    nb, path, task = _task("05_nonlinearities", "prelu_slope_grad")
    assert ("prelu_slope_grad", "np.minimum(x, 0.0)", "np.minimum(0.0, x)") in EQUIVALENT
    same = "def prelu_slope_grad(x, dY):\n    return float(np.sum(dY * np.minimum(0.0, x)))\n"
    assert loses_marks(nb, path, task, same) is None
