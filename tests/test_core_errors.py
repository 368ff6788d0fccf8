"""Bad input gets an error that names the argument, what it got and what was expected."""
import numpy as np
import pytest

import nnkit as nk

X = np.ones((4, 3))


def cases():
    """(description, callable, exception type, regex fragments that must all appear)."""
    dense = nk.Dense(3, 2, rng=0)
    mse, sce = nk.MSELoss(), nk.SoftmaxCrossEntropyLoss()
    Z = np.zeros((4, 3))
    return [
        ("wrong width", lambda: dense.forward(np.ones((4, 5))), ValueError,
         ["X", "5 features", r"\(4, 5\)", "expects 3", r"\(n, 3\)"]),
        ("1-D input", lambda: dense.forward(np.ones(3)), ValueError,
         ["X", "2-D", r"\(3,\)", "reshape"]),
        ("1-D input to an activation", lambda: nk.ReLU().forward(np.ones(3)), ValueError,
         ["X", "2-D", r"\(3,\)"]),
        ("(n,1) against (n,) in a loss", lambda: mse(np.ones((4, 1)), np.ones(4)), ValueError,
         ["Y", r"\(4,\)", r"\(4, 1\)", "broadcast"]),
        ("(n,) against (n,1) in a loss", lambda: mse(np.ones((4, 1)), np.ones((4, 2))), ValueError,
         ["Yhat", r"\(4, 1\)", r"\(4, 2\)", "same shape"]),
        ("label out of range", lambda: sce(Z, np.array([0, 1, 2, 3])), ValueError,
         ["Y", "label 3", "3 columns", r"0\.\.2"]),
        ("negative label", lambda: sce(Z, np.array([0, -1, 2, 1])), ValueError,
         ["Y", "label -1", r"0\.\.2"]),
        ("non-integer labels", lambda: sce(Z, np.array([0.0, 1.5, 2.0, 1.0])), TypeError,
         ["Y", "integer", "float64", "non-integer"]),
        ("labels of the wrong shape", lambda: sce(Z, np.array([0, 1])), ValueError,
         ["Y", r"\(4,\)", r"\(2,\)", "one-hot"]),
        ("probabilities above 1", lambda: nk.BCELoss()(np.array([[1.5]]), np.array([[1.0]])), ValueError,
         ["Yhat", r"\[0, 1\]", "1.5", "BCEWithLogitsLoss"]),
        ("targets outside [0, 1]", lambda: nk.BCEWithLogitsLoss()(np.array([[0.5]]), np.array([[2.0]])),
         ValueError, ["Y", r"\[0, 1\]", "2"]),
        ("NaN reaching a loss", lambda: mse(np.array([[np.nan]]), np.array([[1.0]])), ValueError,
         ["Yhat", "NaN", "diverged", "lower learning rate"]),
        ("infinity reaching a loss", lambda: sce(np.array([[np.inf, 0.0]]), np.array([0])), ValueError,
         ["Yhat", "infinity", "diverged", "learning rate"]),
        ("unknown activation", lambda: nk.MLP([2, 3, 1], activation="rleu"), ValueError,
         ["activation", "'rleu'", "'relu'", "'tanh'", "'sigmoid'"]),
        ("unknown init", lambda: nk.Dense(2, 3, init="glorot"), ValueError,
         ["init", "'glorot'", "'xavier'", "'he'", "'zeros'"]),
        ("negative learning rate", lambda: nk.SGD(dense.parameters(), lr=-0.1), ValueError,
         ["lr", "> 0", "-0.1"]),
        ("batch_size 0", lambda: nk.fit(dense, mse, X, np.ones((4, 2)), epochs=1, lr=0.1, batch_size=0),
         ValueError, ["batch_size", "> 0", "0"]),
        ("X and Y of different lengths", lambda: nk.fit(dense, mse, X, np.ones((5, 2)), epochs=1, lr=0.1),
         ValueError, ["X", "Y", "4 rows", "5", "same number"]),
        ("empty dataset", lambda: nk.fit(dense, mse, np.ones((0, 3)), np.ones((0, 2)), epochs=1, lr=0.1),
         ValueError, ["X", "empty", r"\(0, 3\)"]),
        ("backward before forward", lambda: nk.Dense(3, 2).backward(np.ones((4, 2))), RuntimeError,
         ["backward", "before forward", r"forward\(X\)"]),
        ("loss backward before the loss", lambda: nk.MSELoss().backward(), RuntimeError,
         ["backward", "before", r"loss\(Yhat, Y\)"]),
        ("non-numeric input", lambda: dense.forward([["a", "b", "c"]]), TypeError,
         ["X", "numeric", "<U1"]),
        ("None as input", lambda: dense.forward(None), TypeError, ["X", "numeric", "NoneType"]),
        ("BatchNorm on one row in training mode", lambda: nk.BatchNorm(3).forward(np.ones((1, 3))),
         ValueError, ["BatchNorm", "at least 2", r"\(1, 3\)", "eval"]),
        ("gradient of the wrong shape", lambda: (dense.forward(X), dense.backward(np.ones((4, 3)))),
         ValueError, ["dY", r"\(4, 3\)", r"\(4, 2\)"]),
        ("neither optimizer nor lr", lambda: nk.fit(dense, mse, X, np.ones((4, 2)), epochs=1), ValueError,
         ["optimizer", "lr", "exactly one"]),
        ("epochs not an int", lambda: nk.fit(dense, mse, X, np.ones((4, 2)), epochs=2.5, lr=0.1), TypeError,
         ["epochs", "integer", "2.5"]),
        ("layer class instead of instance", lambda: nk.Sequential([nk.Dense(3, 2), nk.ReLU]), TypeError,
         ["layers\\[1\\]", "instance", r"nk.ReLU\(\)"]),
        ("bad rng", lambda: nk.Dense(3, 2, rng="seed"), TypeError, ["rng", "int seed", "Generator"]),
        ("too few sizes", lambda: nk.MLP([3]), ValueError, ["sizes", "at least two", r"\[3\]"]),
        ("momentum out of range", lambda: nk.SGD(dense.parameters(), lr=0.1, momentum=1.5), ValueError,
         ["momentum", r"\[0, 1\)", "1.5"]),
        ("transform before fit", lambda: nk.preprocess.Whiten().transform(X), RuntimeError,
         ["transform before fit", "fit"]),
        ("misspelt activation", lambda: nk.MLP([2, 3, 1], activation="sigmod"), ValueError,
         ["activation", "'sigmod'", "Did you mean 'sigmoid'"]),
        ("misspelt output activation", lambda: nk.MLP([2, 3, 1], output="leaky_rel"), ValueError,
         ["activation", "'leaky_rel'", "Did you mean 'leaky_relu'"]),
        ("misspelt init", lambda: nk.Dense(2, 3, init="xavir"), ValueError,
         ["init", "'xavir'", "Did you mean 'xavier'"]),
        ("a nested list in Sequential", lambda: nk.Sequential([nk.Dense(3, 2), [nk.ReLU(), nk.Dense(2, 1)]]),
         TypeError, [r"layers\[1\]", "list of 2", "one flat list", r"\*first, \*second"]),
        ("one layer where Sequential wants a list", lambda: nk.Sequential(nk.Dense(3, 2)), TypeError,
         ["layers", "list", "one Dense", r"Sequential\(\[layer\]\)"]),
        ("gradcheck on a layer class", lambda: nk.gradcheck(nk.ReLU, X), TypeError,
         ["layer_or_net", "instance", "the class ReLU"]),
        ("gradcheck on a loss", lambda: nk.gradcheck(nk.MSELoss(), X), TypeError,
         ["layer_or_net", "MSELoss", "no forward", "not a layer", "numerical_gradient"]),
        ("gradcheck on a list of layers", lambda: nk.gradcheck([nk.Dense(3, 2)], X), TypeError,
         ["layer_or_net", "list", r"nk.Sequential\(\[...\]\)"]),
        ("gradcheck on a function", lambda: nk.gradcheck(np.tanh, X), TypeError,
         ["layer_or_net", "ufunc", "no forward", "numerical_gradient"]),
    ]


CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_error_message_teaches(case):
    _, call, kind, fragments = case
    with pytest.raises(kind) as info:
        call()
    message = str(info.value)
    missing = [f for f in fragments if not __import__("re").search(f, message)]
    assert not missing, f"message {message!r} lacks {missing}"


def test_there_are_at_least_twenty_cases():
    assert len(CASES) >= 20
