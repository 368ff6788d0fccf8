r"""Checks for exercise 04, back-propagation through the two-layer network
:math:`h = \sigma(X W_1^T + b_1)`, :math:`\hat y = h W_2^T + b_2` with
:math:`L = \frac{1}{2n}\sum_i \lVert \hat y_i - y_i\rVert^2`, and the same network with
tanh hidden units, whose gradients the student derives (the lecture does not write them out)."""
from __future__ import annotations

import numpy as np

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
    fixed = [Case("Yhat and Y of shape (4, 3)", (rng.normal(size=(4, 3)), rng.normal(size=(4, 3)))),
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
        Mistake(lambda Yh, Y: (Yh - Y) / (2 * len(Y)),
                "divided by 2n: the 1/2 in L = 1/(2n) sum ||y_hat - y||^2 cancels against the 2 "
                "that differentiating the square brings down, so epsilon = (y_hat - y) / n."),
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
        Mistake(lambda eps, W2, e1: (1 - np.tanh(e1) ** 2) * (eps @ W2),
                "this uses tanh'(e1) = 1 - tanh^2(e1); these hidden units are sigmoids, "
                "sigma'(e1) = sigma(e1) (1 - sigma(e1))."),
        Mistake(lambda eps, W2, e1: _dsigma(e1) * (eps @ W2.T),
                "W2 is used transposed: eps is (n, K) and W2 is (K, n1), so the error reaches the "
                "hidden units as eps @ W2."),
    ],
    on_error=lambda exc, case: ("eps has shape (n, K) and W2 has shape (K, n1), so eps @ W2 "
                                "has the hidden layer's shape (n, n1).") if "matmul" in str(exc) else None,
    forbidden=_FORBID,
)


# ------------------------------------------------------------------ two_layer_gradients
def _backprop(X, Y, W1, b1, W2, b2, *, dsigma=True, scale=True, sign=1.0, slope=None,
              db1_mean=False, act=None):
    e1 = X @ W1.T + b1
    h = (act or _sigma)(e1)
    eps = sign * (h @ W2.T + b2 - Y) / (len(X) if scale else 1)
    local = (slope or _dsigma)(e1) if dsigma else 1.0
    delta = local * (eps @ W2)
    db1 = delta.mean(axis=0) if db1_mean else delta.sum(axis=0)
    return delta.T @ X, db1, eps.T @ h, eps.sum(axis=0)


def _tanh_slope(e):
    return 1 - np.tanh(e) ** 2


def _backprop_cases(rng, hidden):
    fixed = [Case("n0 = n1 = K = 3: square matrices, so transposed gradients keep their shapes",
                  _net(rng, 4, 3, 3, 3)),
             Case("X (8, 2), W1 (5, 2), W2 (1, 5)", _net(rng, 8, 2, 5, 1))]
    rand = [Case(f"random n={n}, n0={a}, n1={b}, K={c}", _net(rng, n, a, b, c))
            for n, a, b, c in _sizes(rng, hidden)]
    return rand if hidden else fixed + rand


_TRANSPOSED = ("the weight gradients are transposed: each must have its matrix's shape, "
               "dW2 = eps.T @ h (K, n1) and dW1 = delta.T @ X (n1, n0).")
_DW1_TRANSPOSED = "dW1 is transposed (dW2 is right): dW1 = delta.T @ X has W1's shape (n1, n0)."
_DB1_AVERAGED = ("db1 averages delta over the examples; delta already carries the 1/n from eps, "
                 "so db1 = sum_i delta_i.")


def _transposed(*args, **kwargs):
    dW1, db1, dW2, db2 = _backprop(*args, **kwargs)
    return dW1.T, db1, dW2.T, db2


def _dW1_transposed(*args, **kwargs):
    dW1, db1, dW2, db2 = _backprop(*args, **kwargs)
    return dW1.T, db1, dW2, db2


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
                _TRANSPOSED),
        Mistake(_dW1_transposed,
                _DW1_TRANSPOSED),
        Mistake(lambda *a: _backprop(*a, db1_mean=True),
                _DB1_AVERAGED),
        Mistake(lambda *a: _backprop(*a, slope=_tanh_slope),
                "delta uses tanh'(e1) = 1 - tanh^2(e1); these hidden units are sigmoids, "
                "sigma'(e1) = sigma(e1) (1 - sigma(e1))."),
    ],
    forbidden=_FORBID,
)


# ------------------------------------------------------------------ tanh_network_gradients
def _tanh_backprop(*args, **kwargs):
    kwargs.setdefault("slope", _tanh_slope)
    return _backprop(*args, act=np.tanh, **kwargs)


def _tanh_as(slope):
    return lambda *a: _tanh_backprop(*a, slope=slope)


tanh_network_gradients = Check(
    "tanh_network_gradients", _tanh_backprop, _backprop_cases, names=("dW1", "db1", "dW2", "db2"),
    mistakes=[
        Mistake(_tanh_as(_dsigma),
                "delta uses the sigmoid's slope sigma(e1) (1 - sigma(e1)); these hidden units "
                "are tanh, whose slope is tanh'(e1) = 1 - tanh^2(e1)."),
        Mistake(_tanh_as(lambda e: np.tanh(e) * (1 - np.tanh(e))),
                "delta uses h (1 - h), the sigmoid's pattern written with h = tanh(e1); tanh's "
                "slope is 1 - h^2."),
        Mistake(_tanh_as(lambda e: 1 - e ** 2),
                "1 - h^2 needs h = tanh(e1); you squared the excitation e1 itself."),
        Mistake(_tanh_as(lambda e: 1 - np.tanh(e)),
                "the square is missing: tanh'(e1) = 1 - tanh^2(e1)."),
        Mistake(lambda *a: _tanh_backprop(*a, dsigma=False),
                "tanh'(e1) is missing from delta: the error passes back through each hidden "
                "unit's slope, delta = (1 - h^2) * (eps @ W2), elementwise."),
        Mistake(_tanh_as(lambda e: np.cosh(np.clip(e, -700, 700)) ** -1),
                "the slope 1 / cosh(e1) is missing its square: tanh' = 1 / cosh^2 = 1 - tanh^2."),
        Mistake(lambda *a: _tanh_backprop(*a, scale=False),
                "the 1/n is missing: eps = (y_hat - y) / n, because L averages over the examples."),
        Mistake(lambda *a: _tanh_backprop(*a, sign=-1.0),
                "the signs are flipped: eps = (y_hat - y) / n, not (y - y_hat) / n; these "
                "gradients point uphill."),
        Mistake(lambda *a: _transposed(*a, act=np.tanh, slope=_tanh_slope),
                _TRANSPOSED),
        Mistake(lambda *a: _dW1_transposed(*a, act=np.tanh, slope=_tanh_slope),
                _DW1_TRANSPOSED),
        Mistake(lambda *a: _tanh_backprop(*a, db1_mean=True),
                _DB1_AVERAGED),
    ],
    forbidden=_FORBID + ["nnkit.Tanh.backward", "nnkit.functional.tanh_grad"],
)
