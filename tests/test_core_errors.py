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
    ] + network_cases() + regularisation_cases()


class _Summing(nk.Layer):
    """A student's layer gone wrong: forward sums each row to a number, backward drops columns."""

    def forward(self, X):
        return np.asarray(X).sum(axis=1)

    def backward(self, dY):
        return dY[:, :1]


class _Passing(nk.Layer):
    """A student's layer that passes X through, and a gradient of the wrong shape back."""

    def forward(self, X):
        return X

    def backward(self, dY):
        return dY[:, :1]


def network_cases():
    """A network checks X where it enters and dY where it comes back, once; the arrays between
    nnkit's own layers are not checked again, but those from a student's layer are."""
    net = nk.MLP([3, 4, 2], rng=0)
    unchained = nk.Sequential([nk.Dense(3, 4, rng=0), nk.ReLU(), nk.Dense(5, 2, rng=0)])
    summing = nk.Sequential([nk.Dense(3, 4, rng=0), _Summing(), nk.Dense(4, 2, rng=0)])
    passing = nk.Sequential([nk.Dense(3, 4, rng=0), _Passing(), nk.Dense(4, 2, rng=0)])
    sce = nk.SoftmaxCrossEntropyLoss()
    return [
        ("wrong width into a network", lambda: net.forward(np.ones((4, 5))), ValueError,
         ["X", "5 features", r"\(4, 5\)", "expects 3"]),
        ("1-D input to a network", lambda: net.forward(np.ones(3)), ValueError,
         ["X", "2-D", r"\(3,\)", "reshape"]),
        ("widths that do not chain", lambda: unchained.forward(X), ValueError,
         ["X", "4 features", r"\(4, 4\)", "expects 5"]),
        ("network backward before forward", lambda: nk.MLP([3, 4, 2]).backward(np.ones((4, 2))),
         RuntimeError, ["backward", "before forward"]),
        ("gradient of the wrong shape into a network",
         lambda: (net.forward(X), net.backward(np.ones((4, 3)))), ValueError,
         ["dY", r"\(4, 3\)", r"\(4, 2\)"]),
        ("a student's layer giving 1-D output in a network", lambda: summing.forward(X), ValueError,
         ["X", "2-D", r"\(4,\)"]),
        ("a student's layer giving a gradient of the wrong shape",
         lambda: (passing.forward(X), passing.backward(np.ones((4, 2)), input_grad=False)),
         ValueError, ["dY", r"\(4, 1\)", r"\(4, 4\)"]),
        ("int32 label out of range", lambda: sce(np.zeros((4, 3)), np.array([0, 1, 3, 2], np.int32)),
         ValueError, ["Y", "label 3", "3 columns"]),
        ("uint8 label out of range", lambda: sce(np.zeros((2, 3)), np.array([7, 1], np.uint8)),
         ValueError, ["Y", "label 7", "3 columns"]),
        ("infinity off the row maximum", lambda: sce(np.array([[0.0, -np.inf, 1.0]]), np.array([0])),
         ValueError, ["Yhat", "infinity"]),
    ]


def regularisation_cases():
    """Issue 15's pieces: optimisers, penalties, dropout, schedules, fit's options, split."""
    net = nk.MLP([3, 4, 2], rng=0)
    params, mse, Y = net.parameters(), nk.MSELoss(), np.ones((4, 2))
    y = np.array([0, 0, 1, 1])
    cases = [
        (f"{opt.__name__} given net.parameters uncalled", lambda opt=opt: opt(net.parameters, lr=0.1),
         TypeError, ["params", "method", "call it", r"net\.parameters\(\)"])
        for opt in (nk.SGD, nk.Adam, nk.AdamW, nk.RMSprop)
    ]
    return cases + [
        ("optimiser given the network", lambda: nk.Adam(net, lr=0.1), TypeError,
         ["params", "network", "MLP", r"net\.parameters\(\)"]),
        ("penalty given net.parameters uncalled", lambda: nk.L2Penalty(0.1)(net.parameters), TypeError,
         ["params", "call it", r"net\.parameters\(\)"]),
        ("arrays instead of parameters", lambda: nk.SGD([net[0].W], lr=0.1), TypeError,
         [r"params\)\[0\]", "parameter", "net.parameters()", r"array of shape \(4, 3\)"]),
        ("negative weight decay", lambda: nk.SGD(params, lr=0.1, weight_decay=-1e-3), ValueError,
         ["weight_decay", ">= 0", "-0.001"]),
        ("negative weight decay in Adam", lambda: nk.Adam(params, weight_decay=-1.0), ValueError,
         ["weight_decay", ">= 0", "-1.0"]),
        ("negative weight decay in AdamW", lambda: nk.AdamW(params, weight_decay=-0.5), ValueError,
         ["weight_decay", ">= 0", "-0.5"]),
        ("RMSprop alpha 1", lambda: nk.RMSprop(params, alpha=1.0), ValueError,
         ["alpha", r"\[0, 1\)", "1.0"]),
        ("RMSprop momentum -0.1", lambda: nk.RMSprop(params, momentum=-0.1), ValueError,
         ["momentum", r"\[0, 1\)", "-0.1"]),
        ("AdamW betas not a pair", lambda: nk.AdamW(params, betas=0.9), ValueError,
         ["betas", "pair", "0.9"]),
        ("negative L2 lambda", lambda: nk.L2Penalty(-0.1), ValueError, ["lam", ">= 0", "-0.1"]),
        ("negative L1 lambda", lambda: nk.L1Penalty(-2), ValueError, ["lam", ">= 0", "-2"]),
        ("L1 lambda a string", lambda: nk.L1Penalty("0.1"), TypeError, ["lam", "number", "'0.1'"]),
        ("penalty on biases alone", lambda: nk.L2Penalty(0.1)([params[1]]), ValueError,
         ["no weight matrix", "weight_names"]),
        ("dropout p = 1", lambda: nk.Dropout(1.0), ValueError, ["p", r"\[0, 1\)", "1.0", "every unit"]),
        ("dropout p < 0", lambda: nk.Dropout(-0.2), ValueError, ["p", r"\[0, 1\)", "-0.2"]),
        ("dropout backward before forward", lambda: nk.Dropout(0.5).backward(np.ones((2, 2))),
         RuntimeError, ["Dropout", "before forward"]),
        ("step gamma 0", lambda: nk.schedules.step(0.1, 10, gamma=0.0), ValueError,
         ["gamma", "> 0", "0.0"]),
        ("exponential gamma < 0", lambda: nk.schedules.exponential(0.1, -0.5), ValueError,
         ["gamma", "> 0", "-0.5"]),
        ("step size 0", lambda: nk.schedules.step(0.1, 0), ValueError, ["step_size", "> 0", "0"]),
        ("cosine total_epochs 2.5", lambda: nk.schedules.cosine(0.1, 2.5), TypeError,
         ["total_epochs", "integer", "2.5"]),
        ("cosine min_lr above lr", lambda: nk.schedules.cosine(0.1, 10, min_lr=0.5), ValueError,
         ["min_lr", "at most lr", "0.1", "0.5"]),
        ("schedule at a negative epoch", lambda: nk.schedules.exponential(0.1, 0.9)(-1), ValueError,
         ["epoch", ">= 0", "-1"]),
        ("schedule giving a negative rate",
         lambda: nk.fit(net, mse, X, Y, epochs=2, lr=0.1, schedule=lambda t: 0.1 - t), ValueError,
         [r"schedule\(1\)", "> 0", "-0.9"]),
        ("schedule not callable", lambda: nk.fit(net, mse, X, Y, epochs=1, lr=0.1, schedule=0.1),
         TypeError, ["schedule", "callable", "0.1"]),
        ("patience 0", lambda: nk.fit(net, mse, X, Y, epochs=1, lr=0.1, validation=(X, Y), early_stopping=0),
         ValueError, ["early_stopping", "patience", "> 0", "got 0"]),
        ("early stopping without validation", lambda: nk.fit(net, mse, X, Y, epochs=1, lr=0.1, early_stopping=3),
         ValueError, ["early_stopping=3", "validation"]),
        ("penalty a number", lambda: nk.fit(net, mse, X, Y, epochs=1, lr=0.1, penalty=0.01), TypeError,
         ["penalty", "L2Penalty", "0.01"]),
        ("fractions not summing to 1", lambda: nk.data.split(X, y, fractions=(0.6, 0.2, 0.1)), ValueError,
         ["fractions", "sum to 1", "0.9"]),
        ("a zero fraction", lambda: nk.data.split(X, y, fractions=(1.0, 0.0)), ValueError,
         ["fractions", "positive", r"\(1.0, 0.0\)"]),
        ("a class too small to split", lambda: nk.data.split(X, y), ValueError,
         ["class 0", "2 example", "3 parts"]),
        ("split X and Y of different lengths", lambda: nk.data.split(X, y[:3]), ValueError,
         ["X", "Y", r"\(4, 3\)", r"\(3,\)"]),
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
