r"""Checks for exercise 04, back-propagation through the two-layer network
:math:`h = \sigma(X W_1^T + b_1)`, :math:`\hat y = h W_2^T + b_2` with
:math:`L = \frac{1}{2n}\sum_i \lVert \hat y_i - y_i\rVert^2`."""
from __future__ import annotations

import nnkit as nk

from ._check import Case, Check, Mistake


_sigma = nk.functional.sigmoid


def _dsigma(e):
    s = _sigma(e)
    return s * (1 - s)


_FORBID = ["nnkit.Dense.backward", "nnkit.Sigmoid.backward", "nnkit.Sequential.backward",
           "nnkit.losses.Loss.backward", "nnkit.numerical_gradient", "nnkit.gradcheck"]


def _net(rng, n, n0, n1, K):
    """X, Y, W1, b1, W2, b2 of a random two-layer network."""
    return (rng.normal(size=(n, n0)), rng.normal(size=(n, K)), rng.normal(size=(n1, n0)),
            rng.normal(size=n1), rng.normal(size=(K, n1)), rng.normal(size=K))


def _sizes(rng, hidden):
    if hidden:
        return [(100, 8, 16, 3), (1, 5, 4, 2), (37, 3, 50, 1)]
    return [tuple(int(v) for v in rng.integers(1, 7, size=4)) for _ in range(3)]


# ------------------------------------------------------------------ output_error
def _eps(Yhat, Y):
    return (Yhat - Y) / len(Y)


def _eps_cases(rng, hidden):
    fixed = [Case("Yhat and Y of shape (4, 2)", (rng.normal(size=(4, 2)), rng.normal(size=(4, 2)))),
             Case("one output, shape (5, 1)", (rng.normal(size=(5, 1)), rng.normal(size=(5, 1))))]
    rand = [Case(f"random shape ({n}, {K})", (rng.normal(size=(n, K)), rng.normal(size=(n, K))))
            for n, _, _, K in _sizes(rng, hidden)]
    return rand if hidden else fixed + rand


output_error = Check(
    "output_error", _eps, _eps_cases,
    mistakes=[
        Mistake(lambda Yh, Y: Yh - Y,
                "the 1/n is missing: L is an average over the n examples, so each example's "
                "error carries 1/n."),
        Mistake(lambda Yh, Y: (Y - Yh) / len(Y),
                "the sign is flipped: epsilon = dL/dy_hat = (y_hat - y) / n."),
        Mistake(lambda Yh, Y: 2 * (Yh - Y) / len(Y),
                "there is an extra factor 2: the 1/2 in L = 1/(2n) sum ||y_hat - y||^2 cancels "
                "the 2 from the square."),
        Mistake(lambda Yh, Y: (Yh - Y) / Y.size,
                "divided by n * K (every entry); divide by n, the number of examples."),
    ],
    forbidden=_FORBID,
)


# ------------------------------------------------------------------ output_layer_gradients
def _out_grads(eps, h):
    return eps.T @ h, eps.sum(axis=0)


def _out_cases(rng, hidden):
    def draw(n, n1, K):
        return rng.normal(size=(n, K)), _sigma(rng.normal(size=(n, n1)))

    fixed = [Case("eps (5, 3) and h (5, 3): K = n1, so a transposed dW2 keeps the shape", draw(5, 3, 3)),
             Case("eps (4, 1) and h (4, 6)", draw(4, 6, 1))]
    rand = [Case(f"random eps ({n}, {K}), h ({n}, {n1})", draw(n, n1, K))
            for n, _, n1, K in _sizes(rng, hidden)]
    return rand if hidden else fixed + rand


output_layer_gradients = Check(
    "output_layer_gradients", _out_grads, _out_cases, names=("dW2", "db2"),
    mistakes=[
        Mistake(lambda eps, h: (h.T @ eps, eps.sum(axis=0)),
                "dW2 is transposed: it must have W2's shape (K, n1), dW2 = sum_i eps_i h_i^T = "
                "eps.T @ h."),
        Mistake(lambda eps, h: (eps.T @ h, eps.mean(axis=0)),
                "db2 averages the errors; eps already carries the 1/n, so db2 = sum_i eps_i."),
        Mistake(lambda eps, h: (eps.T @ h / len(eps), eps.sum(axis=0) / len(eps)),
                "divided by n again; eps already carries the 1/n."),
        Mistake(lambda eps, h: (eps.T @ h, eps.sum(axis=1)),
                "db2 sums over the wrong axis: sum over the examples, axis 0."),
    ],
    forbidden=_FORBID,
)


# ------------------------------------------------------------------ hidden_error
def _delta(eps, W2, e1):
    return _dsigma(e1) * (eps @ W2)


def _delta_cases(rng, hidden):
    def draw(n, n1, K):
        return rng.normal(size=(n, K)), rng.normal(size=(K, n1)), rng.normal(size=(n, n1))

    fixed = [Case("eps (4, 3), W2 (3, 3): a square W2, so a transposed W2 keeps the shape", draw(4, 3, 3)),
             Case("eps (6, 2), W2 (2, 5), e1 (6, 5)", draw(6, 5, 2))]
    rand = [Case(f"random eps ({n}, {K}), W2 ({K}, {n1})", draw(n, n1, K))
            for n, _, n1, K in _sizes(rng, hidden)]
    return rand if hidden else fixed + rand


hidden_error = Check(
    "hidden_error", _delta, _delta_cases,
    mistakes=[
        Mistake(lambda eps, W2, e1: eps @ W2,
                "sigma'(e1) is missing: the error passes back through the sigmoid, so "
                "delta = sigma'(e1) * (eps @ W2), elementwise."),
        Mistake(lambda eps, W2, e1: e1 * (1 - e1) * (eps @ W2),
                "sigma' = h (1 - h) needs h = sigma(e1); you applied it to e1 itself."),
        Mistake(lambda eps, W2, e1: _sigma(e1) * (eps @ W2),
                "you multiplied by sigma(e1); the derivative is sigma'(e1) = sigma(e1) (1 - sigma(e1))."),
        Mistake(lambda eps, W2, e1: _dsigma(e1) * (eps @ W2.T),
                "W2 is used transposed: eps is (n, K) and W2 is (K, n1), so the error reaches the "
                "hidden units as eps @ W2."),
    ],
    on_error=lambda exc, case: ("eps has shape (n, K) and W2 has shape (K, n1), so eps @ W2 "
                                "has the hidden layer's shape (n, n1).") if "matmul" in str(exc) else None,
    forbidden=_FORBID,
)


# ------------------------------------------------------------------ two_layer_gradients
def _backprop(X, Y, W1, b1, W2, b2, *, dsigma=True, scale=True, sign=1.0):
    e1 = X @ W1.T + b1
    h = _sigma(e1)
    eps = sign * (h @ W2.T + b2 - Y) / (len(X) if scale else 1)
    delta = (_dsigma(e1) if dsigma else 1.0) * (eps @ W2)
    return delta.T @ X, delta.sum(axis=0), eps.T @ h, eps.sum(axis=0)


def _backprop_cases(rng, hidden):
    fixed = [Case("n0 = n1 = K = 3: square matrices, so transposed gradients keep their shapes",
                  _net(rng, 4, 3, 3, 3)),
             Case("X (8, 2), W1 (5, 2), W2 (1, 5)", _net(rng, 8, 2, 5, 1))]
    rand = [Case(f"random n={n}, n0={a}, n1={b}, K={c}", _net(rng, n, a, b, c))
            for n, a, b, c in _sizes(rng, hidden)]
    return rand if hidden else fixed + rand


def _transposed(*args):
    dW1, db1, dW2, db2 = _backprop(*args)
    return dW1.T, db1, dW2.T, db2


two_layer_gradients = Check(
    "two_layer_gradients", _backprop, _backprop_cases, names=("dW1", "db1", "dW2", "db2"),
    mistakes=[
        Mistake(lambda *a: _backprop(*a, dsigma=False),
                "sigma'(e1) is missing from delta: delta = sigma'(e1) * (eps @ W2)."),
        Mistake(lambda *a: _backprop(*a, scale=False),
                "the 1/n is missing: eps = (y_hat - y) / n, because L averages over the examples."),
        Mistake(lambda *a: _backprop(*a, sign=-1.0),
                "the signs are flipped: eps = y_hat - y (over n), not y - y_hat; these gradients "
                "point uphill."),
        Mistake(_transposed,
                "the weight gradients are transposed: each must have its matrix's shape, "
                "dW2 = eps.T @ h (K, n1) and dW1 = delta.T @ X (n1, n0)."),
    ],
    forbidden=_FORBID,
)
