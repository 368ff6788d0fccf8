"""Checks for exercise 01, the forward pass: a dense layer, a two-layer network,
the parameter count, and XOR from threshold units."""
from __future__ import annotations

import numpy as np

import nnkit as nk

from ._check import Case, Check, Mistake


_MATMUL = ("The shapes of a matrix product do not line up. W has shape (n_out, n_in): row k "
           "holds the weights of unit k, and X has one example per row, so a layer computes "
           "X @ W.T + b.")


def _matmul_advice(exc, case):
    text = str(exc)
    if "matmul" in text or "aligned" in text or "broadcast" in text:
        return _MATMUL
    return None


def _layer(rng, n, n_in, n_out):
    return rng.normal(size=(n, n_in)), rng.normal(size=(n_out, n_in)), rng.normal(size=n_out)


# ------------------------------------------------------------------ dense_forward
def _dense(X, W, b):
    return X @ W.T + b


def _dense_cases(rng, hidden):
    fixed = [
        Case("a batch of 4 examples and a square W (3, 3), so a transposed W keeps the shape",
             _layer(rng, 4, 3, 3)),
        Case("X (5, 4), W (2, 4), b (2,)", _layer(rng, 5, 4, 2)),
        Case("a single example, X of shape (1, 4)", _layer(rng, 1, 4, 3)),
    ]
    sizes = [(rng.integers(1, 9), rng.integers(1, 7), rng.integers(1, 7)) for _ in range(3)]
    if hidden:
        sizes = [(rng.integers(20, 200), rng.integers(5, 50), rng.integers(5, 50)) for _ in range(3)]
    rand = [Case(f"random X ({n}, {i}), W ({o}, {i})", _layer(rng, n, i, o)) for n, i, o in sizes]
    return rand if hidden else fixed + rand


dense_forward = Check(
    "dense_forward", _dense, _dense_cases,
    mistakes=[
        Mistake(lambda X, W, b: X @ W + b,
                "W is used transposed. W has shape (n_out, n_in) (row k feeds unit k), so the "
                "excitation is X @ W.T + b."),
        Mistake(lambda X, W, b: X @ W.T,
                "the bias b is missing: e = X @ W.T + b."),
    ],
    forbidden=["nnkit.Dense.forward", "nnkit.Sequential.forward"],
    on_error=_matmul_advice,
)


# ------------------------------------------------------------------ two_layer_forward
def _sigmoid(x):
    return nk.functional.sigmoid(x)


def _two_layer(X, W1, b1, W2, b2):
    return _sigmoid(X @ W1.T + b1) @ W2.T + b2


def _two_layer_cases(rng, hidden):
    def net(n, n0, n1, n2):
        X, W1, b1 = _layer(rng, n, n0, n1)
        return X, W1, b1, rng.normal(size=(n2, n1)), rng.normal(size=n2)

    fixed = [
        Case("square weight matrices W1 (3, 3) and W2 (3, 3)", net(4, 3, 3, 3)),
        Case("X (6, 2), W1 (5, 2), W2 (1, 5): a regression net", net(6, 2, 5, 1)),
    ]
    sizes = [(20, 10, 30, 4), (64, 16, 8, 3)] if hidden else [
        tuple(rng.integers(1, 7, size=4)) for _ in range(3)]
    rand = [Case(f"random sizes n={n}, n0={a}, n1={b}, n2={c}", net(n, a, b, c)) for n, a, b, c in sizes]
    return rand if hidden else fixed + rand


two_layer_forward = Check(
    "two_layer_forward", _two_layer, _two_layer_cases,
    mistakes=[
        Mistake(lambda X, W1, b1, W2, b2: (X @ W1.T + b1) @ W2.T + b2,
                "the hidden activation sigma is missing. Without it the two layers collapse into "
                "one linear map: h = sigma(X @ W1.T + b1)."),
        Mistake(lambda X, W1, b1, W2, b2: _sigmoid(_two_layer(X, W1, b1, W2, b2)),
                "sigma is applied to the output as well. This network's output unit is linear "
                "(identity), as for regression: y_hat = h @ W2.T + b2."),
        Mistake(lambda X, W1, b1, W2, b2: _sigmoid(X @ W1 + b1) @ W2 + b2,
                "the weight matrices are used transposed: with W of shape (n_out, n_in), a layer "
                "computes X @ W.T + b."),
        Mistake(lambda X, W1, b1, W2, b2: np.tanh(X @ W1.T + b1) @ W2.T + b2,
                "tanh is used; this network's hidden units are logistic sigmoids."),
        Mistake(lambda X, W1, b1, W2, b2: _sigmoid(X @ W1.T) @ W2.T,
                "the biases b1 and b2 are missing."),
        Mistake(lambda X, W1, b1, W2, b2: _sigmoid(X @ W1.T + b1) @ W2 + b2,
                "W2 is used transposed (W1 is right): W2 has shape (n2, n1), so the output "
                "layer computes h @ W2.T + b2."),
        Mistake(lambda X, W1, b1, W2, b2: _sigmoid(X @ W1 + b1) @ W2.T + b2,
                "W1 is used transposed (W2 is right): W1 has shape (n1, n0), so the hidden "
                "layer computes X @ W1.T + b1."),
        Mistake(lambda X, W1, b1, W2, b2: _sigmoid(X @ W1.T + b1) @ W2.T,
                "the output bias b2 is missing: y_hat = h @ W2.T + b2."),
        Mistake(lambda X, W1, b1, W2, b2: _sigmoid(X @ W1.T) @ W2.T + b2,
                "the hidden bias b1 is missing: h = sigma(X @ W1.T + b1)."),
        Mistake(lambda X, W1, b1, W2, b2: _sigmoid((X @ W1.T + b1) @ W2.T + b2),
                "sigma is applied to the output instead of the hidden layer: the hidden units "
                "are sigmoids, h = sigma(X @ W1.T + b1), and the output is linear, "
                "y_hat = h @ W2.T + b2."),
    ],
    forbidden=["nnkit.Dense.forward", "nnkit.Sequential.forward"],
    on_error=_matmul_advice,
)


# ------------------------------------------------------------------ count_parameters
def _count(sizes):
    return int(sum(n * (m + 1) for m, n in zip(sizes[:-1], sizes[1:])))


def _count_cases(rng, hidden):
    fixed = [
        Case("sizes [3, 4, 2]", ([3, 4, 2],)),
        Case("sizes [2, 2, 1] (the XOR network)", ([2, 2, 1],)),
        Case("sizes [784, 100, 10]", ([784, 100, 10],)),
        Case("sizes [4] (inputs only, no layer)", ([4],)),
        Case("sizes [3, 5, 5, 2]", ([3, 5, 5, 2],)),
    ]
    lengths = rng.integers(2, 7, size=4 if hidden else 3)
    rand = [[int(v) for v in rng.integers(1, 300 if hidden else 60, size=k)] for k in lengths]
    rand = [Case(f"sizes {s}", (s,)) for s in rand]
    return rand if hidden else fixed + rand


count_parameters = Check(
    "count_parameters", _count, _count_cases,
    mistakes=[
        Mistake(lambda s: int(sum(n * m for m, n in zip(s[:-1], s[1:]))),
                "the biases are not counted: layer l has n_l * n_(l-1) weights plus n_l biases."),
        Mistake(lambda s: int(sum((n + 1) * m for m, n in zip(s[:-1], s[1:]))),
                "the +1 is on the wrong side: each of the n_l units has one bias, so layer l "
                "has n_l * (n_(l-1) + 1) parameters."),
        Mistake(lambda s: int(sum(s)),
                "this counts units, not parameters."),
        Mistake(lambda s: int(sum(n * (m + 1) for m, n in zip(s[:-2], s[1:-1]))),
                "the last layer is missing from the sum."),
    ],
    forbidden=["nnkit.MLP.__init__", "nnkit.Layer.num_parameters", "nnkit.Dense.__init__"],
)


# ------------------------------------------------------------------ xor_network
def _step(x):
    return (x >= 0).astype(float)


def _xor_compare(got, case, reference):
    if not isinstance(got, (tuple, list)) or len(got) != 4:
        return ("xor_network should return a tuple (W1, b1, W2, b2); got "
                f"{type(got).__name__ if got is not None else 'None (did you forget `return`?)'}.")
    try:
        W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in got)
    except (TypeError, ValueError):
        return "the four returned values must be numeric arrays."
    if W1.ndim != 2 or W1.shape[1] != 2:
        return (f"W1 has shape {W1.shape}; expected (k, 2): k hidden units, each reading the 2 "
                f"inputs (row j of W1 feeds hidden unit j).")
    k = W1.shape[0]
    for name, arr, shape in (("b1", b1, (k,)), ("W2", W2, (1, k)), ("b2", b2, (1,))):
        if arr.shape != shape:
            hint = " It looks transposed." if arr.shape == shape[::-1] else ""
            return f"{name} has shape {arr.shape}; with W1 of shape {W1.shape} it must be {shape}.{hint}"
    X, Y = nk.data.xor()
    out = _step(_step(X @ W1.T + b1) @ W2.T + b2)
    if np.array_equal(out, Y):
        return None
    rows = ", ".join(f"{tuple(int(v) for v in x)} -> {int(o)}" for x, o in zip(X, out[:, 0]))
    hint = ""
    if out.all():
        hint = (" The output fires for every input: combine OR and NAND with an AND unit "
                "(it fires only when both hidden units do).")
    elif not out.any():
        hint = " The output never fires: check the output unit's threshold."
    return (f"your network computes {rows}; XOR needs (0, 0) -> 0, (0, 1) -> 1, (1, 0) -> 1, "
            f"(1, 1) -> 0. Remember the step is u(e) = 1 for e >= 0, so a unit with e = 0 "
            f"fires.{hint}")


def _no_reference():
    return None


xor_network = Check(
    "xor_network", _no_reference, lambda rng, hidden: [Case("the four corners of the unit square")],
    compare=_xor_compare,
)
