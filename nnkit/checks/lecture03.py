"""Checks for exercise 03, gradient descent: centred differences, the descent loop,
the MSE gradient of a linear model and one epoch of mini-batch SGD."""
from __future__ import annotations

import numpy as np

from ._check import Case, Check, Mistake, seeded


# ------------------------------------------------------------------ numerical_gradient
def seed_polynomial(v):
    """10 x^3 y^2 + 5 x y^3 + 4 x + y, with v = (x, y)."""
    x, y = v
    return 10 * x ** 3 * y ** 2 + 5 * x * y ** 3 + 4 * x + y


def bowl(v):
    """4 x^2 + y^2, with v = (x, y)."""
    x, y = v
    return 4 * x ** 2 + y ** 2


def wavy(v):
    """exp(x) + y^3, with v = (x, y): not a quadratic, so the step h matters."""
    x, y = v
    return np.exp(x) + y ** 3


def parabola(v):
    """x^2 + 35 x + 12, with v = (x,)."""
    return v[0] ** 2 + 35 * v[0] + 12


class _Quadratic:
    """0.5 v^T A v + b^T v + sum(sin v), a random smooth function of d variables."""

    def __init__(self, rng, d):
        M = rng.normal(size=(d, d))
        self.A, self.b = M @ M.T, rng.normal(size=d)
        self.__name__ = f"a random function of {d} variables"

    def __call__(self, v):
        return 0.5 * v @ self.A @ v + self.b @ v + np.sin(v).sum()


def _centred(f, x, h=1e-6):
    g = np.zeros_like(x)
    for j in range(x.size):
        e = np.zeros_like(x)
        e.flat[j] = h
        g.flat[j] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def _forward(f, x, h=1e-6):
    g = np.zeros_like(x)
    for j in range(x.size):
        e = np.zeros_like(x)
        e.flat[j] = h
        g.flat[j] = (f(x + e) - f(x)) / h
    return g


def _numgrad_cases(rng, hidden):
    fixed = [
        Case("the lecture's 10x^3y^2 + 5xy^3 + 4x + y at (1, 2), default h",
             (seed_polynomial, np.array([1.0, 2.0]))),
        Case("exp(x) + y^3 at (0.5, 1) with a large h = 0.1: the result depends on h",
             (wavy, np.array([0.5, 1.0])), {"h": 0.1}),
        Case("4x^2 + y^2 at (1.25, 0) with h = 1e-3 (large enough to tell the formulas apart)",
             (bowl, np.array([1.25, 0.0])), {"h": 1e-3}),
        Case("x^2 + 35x + 12 at x = 3, h = 1e-2", (parabola, np.array([3.0])), {"h": 1e-2}),
    ]
    dims = [20, 50] if hidden else [3, 5]
    rand = []
    for d in dims:
        f = _Quadratic(rng, d)
        rand.append(Case(f"{f.__name__} at a random point, h = 1e-4",
                         (f, rng.normal(size=d)), {"h": 1e-4}))
    return rand if hidden else fixed + rand


numerical_gradient = Check(
    "numerical_gradient", _centred, _numgrad_cases, rtol=1e-6, atol=1e-8,
    mistakes=[
        Mistake(_forward,
                "these are forward differences (f(x + h) - f(x)) / h, whose error shrinks like h; "
                "centred differences (f(x + h) - f(x - h)) / 2h are accurate to order h**2."),
        Mistake(lambda f, x, h=1e-6: 2 * _centred(f, x, h),
                "the difference f(x + h) - f(x - h) spans 2h: divide by 2h, not h."),
        Mistake(lambda f, x, h=1e-6: 0.5 * _forward(f, x, h),
                "forward differences divided by 2h: use (f(x + h) - f(x - h)) / 2h."),
        Mistake(lambda f, x, h=1e-6: -_centred(f, x, h),
                "the sign is flipped: (f(x + h) - f(x - h)) / 2h."),
        Mistake(lambda f, x, h=1e-6: _centred(f, x),
                "the argument h is ignored: your result is what h = 1e-6 gives, whatever h is "
                "passed. Use the h your function receives."),
    ],
    forbidden=["nnkit.numerical_gradient", "nnkit.gradcheck"],
)


# ------------------------------------------------------------------ gradient_descent
def _descend(grad, theta0, lr, steps):
    path = [np.array(theta0, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] - lr * grad(path[-1]))
    return np.array(path)


def bowl_gradient(v):
    """The gradient (8x, 2y) of 4x^2 + y^2."""
    return np.array([8.0 * v[0], 2.0 * v[1]])


def toy_gradient(theta):
    """The gradient 2 (theta - 2) of the loss (theta - 2)^2 (target 2, y_hat = theta)."""
    return 2.0 * (theta - 2.0)


class _Bowl:
    """The gradient A theta - b of a random convex quadratic."""

    def __init__(self, rng, d):
        M = rng.normal(size=(d, d))
        self.A, self.b = M @ M.T / d + np.eye(d), rng.normal(size=d)
        self.__name__ = f"the gradient of a random {d}-D bowl"

    def __call__(self, theta):
        return self.A @ theta - self.b


def _descent_cases(rng, hidden):
    fixed = [
        Case("grad of 4x^2 + y^2 from (1, 1), lr = 0.1, 5 steps",
             (bowl_gradient, np.array([1.0, 1.0]), 0.1, 5)),
        Case("grad of (theta - 2)^2 from theta = 0, lr = 0.75 (it oscillates), 6 steps",
             (toy_gradient, np.array([0.0]), 0.75, 6)),
        Case("zero steps: the path is just the start", (bowl_gradient, np.array([0.5, -2.0]), 0.1, 0)),
    ]
    rand = []
    for d in ([10, 30] if hidden else [2, 4]):
        g = _Bowl(rng, d)
        rand.append(Case(f"{g.__name__}, lr = 0.05, {d + 3} steps",
                         (g, rng.normal(size=d), 0.05, d + 3)))
    return rand if hidden else fixed + rand


def _aliased(grad, theta0, lr, steps):
    return np.tile(_descend(grad, theta0, lr, steps)[-1], (steps + 1, 1))


gradient_descent = Check(
    "gradient_descent", _descend, _descent_cases,
    mistakes=[
        Mistake(lambda g, t, lr, s: _descend(lambda v: -g(v), t, lr, s),
                "the update has the wrong sign: it climbs the loss. Gradient descent steps "
                "against the gradient, theta <- theta - lr * grad(theta)."),
        Mistake(lambda g, t, lr, s: _descend(g, t, lr, s)[1:],
                "row 0 of the path must be the starting point theta0, so the path has "
                "steps + 1 rows."),
        Mistake(lambda g, t, lr, s: _descend(g, t, lr, s)[-1],
                "only the last theta is returned; return the whole path, one row per iterate."),
        Mistake(_aliased,
                "every row equals the last theta: the same array was appended each time and then "
                "changed in place (theta -= ...). Append a copy, or write theta = theta - ...."),
        Mistake(lambda g, t, lr, s: _descend(g, t, lr, s + 1)[1:],
                "the path is shifted by one step: row 0 must be theta0 itself."),
    ],
    forbidden=["nnkit.SGD.step", "nnkit.fit"],
)


# ------------------------------------------------------------------ mse_gradient
def _mse_grad(X, y, w):
    return X.T @ (X @ w - y[:, 0]) / len(X)


def _regression(rng, n, d):
    return rng.normal(size=(n, d)), rng.normal(size=(n, 1)), rng.normal(size=d)


def _mse_cases(rng, hidden):
    fixed = [
        Case("X (5, 3), y (5, 1), w (3,)", _regression(rng, 5, 3)),
        Case("a single example, X (1, 2), y (1, 1)", _regression(rng, 1, 2)),
    ]
    sizes = [(500, 20), (33, 7)] if hidden else [tuple(rng.integers(2, 9, size=2)) for _ in range(3)]
    rand = [Case(f"random X ({n}, {d}), y ({n}, 1), w ({d},)", _regression(rng, n, d)) for n, d in sizes]
    return rand if hidden else fixed + rand


def _broadcast(X, y, w):
    return X.T @ (X @ w - y) / len(X)


mse_gradient = Check(
    "mse_gradient", _mse_grad, _mse_cases,
    mistakes=[
        Mistake(lambda X, y, w: X.T @ (X @ w - y[:, 0]),
                "the 1/n is missing: L averages over the n examples, so its gradient does too."),
        Mistake(lambda X, y, w: X.T @ (y[:, 0] - X @ w) / len(X),
                "the sign is flipped: dL/dw = X^T (X w - y) / n points uphill, towards larger loss."),
        Mistake(lambda X, y, w: 2 * X.T @ (X @ w - y[:, 0]) / len(X),
                "there is an extra factor 2: L = 1/(2n) sum (x_i.w - y_i)^2, and the 1/2 cancels "
                "the 2 of the square."),
        Mistake(_broadcast,
                "X @ w has shape (n,) but y has shape (n, 1); subtracting them broadcast silently "
                "into an (n, n) matrix. Flatten y first (y[:, 0] or y.ravel())."),
        Mistake(lambda X, y, w: _broadcast(X, y, w).sum(axis=1),
                "X @ w (n,) minus y (n, 1) broadcast silently into an (n, n) matrix before the "
                "sum. Flatten y first (y[:, 0] or y.ravel())."),
        Mistake(lambda X, y, w: _broadcast(X, y, w).mean(axis=1),
                "X @ w (n,) minus y (n, 1) broadcast silently into an (n, n) matrix before the "
                "mean. Flatten y first (y[:, 0] or y.ravel())."),
        Mistake(lambda X, y, w: X.T @ (X @ w - y[:, 0]) / len(X) ** 2,
                "divided by n twice."),
    ],
    forbidden=["nnkit.losses.Loss.backward", "nnkit.Dense.backward"],
)


# ------------------------------------------------------------------ sgd_epoch
def _epoch(X, y, w, lr, batch_size, rng, *, shuffle=True, keep_last=True, sign=1.0, scale="batch"):
    n = len(X)
    order = rng.permutation(n) if shuffle else np.arange(n)
    w = np.array(w, dtype=float)
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        if len(idx) < batch_size and not keep_last:
            break
        Xb, yb = X[idx], y[idx]
        g = Xb.T @ (Xb @ w - yb[:, 0])
        g = g / {"batch": len(idx), "n": n, "none": 1}[scale]
        w = w - sign * lr * g
    return w


def _epoch_split(X, y, w, lr, batch_size, rng):
    n = len(X)
    order = rng.permutation(n)
    w = np.array(w, dtype=float)
    for idx in np.array_split(order, -(-n // batch_size)):
        w = w - lr * _mse_grad(X[idx], y[idx], w)
    return w


def _epoch_reshuffled(X, y, w, lr, batch_size, rng):
    n = len(X)
    w = np.array(w, dtype=float)
    for start in range(0, n, batch_size):
        idx = rng.permutation(n)[start:start + batch_size]
        w = w - lr * _mse_grad(X[idx], y[idx], w)
    return w


def _epoch_full(X, y, w, lr, batch_size, rng):
    n = len(X)
    rng.permutation(n)
    w = np.array(w, dtype=float)
    for _ in range(0, n, batch_size):
        w = w - lr * _mse_grad(X, y, w)
    return w


def _epoch_cases(rng, hidden):
    def data(n, d):
        X, y, w = _regression(rng, n, d)
        return X, y, w

    fixed = [
        Case("n = 10 examples in batches of 3 (the last batch holds 1), lr = 0.1",
             (*data(10, 3), 0.1, 3, seeded(0))),
        Case("n = 6, batch_size = 6: one full-batch step, lr = 0.2", (*data(6, 2), 0.2, 6, seeded(1))),
        Case("n = 5, batch_size = 1: plain SGD, lr = 0.05", (*data(5, 4), 0.05, 1, seeded(2))),
    ]
    rand = []
    for _ in range(3 if hidden else 2):
        n, d = (int(rng.integers(50, 300)), int(rng.integers(3, 15))) if hidden else (
            int(rng.integers(4, 20)), int(rng.integers(1, 5)))
        b, seed = int(rng.integers(1, n + 1)), int(rng.integers(1000))
        rand.append(Case(f"random n = {n}, d = {d}, batch_size = {b}, rng seed {seed}",
                         (*data(n, d), 0.05, b, seeded(seed))))
    return rand if hidden else fixed + rand


sgd_epoch = Check(
    "sgd_epoch", _epoch, _epoch_cases, rtol=1e-9,
    mistakes=[
        Mistake(lambda *a: _epoch(*a, shuffle=False),
                "the examples are visited in their stored order: shuffle first with "
                "order = rng.permutation(n) and take the batches from order."),
        Mistake(lambda *a: _epoch(*a, keep_last=False),
                "the last, smaller batch is dropped; an epoch visits every example once."),
        Mistake(lambda *a: _epoch(*a, sign=-1.0),
                "the update has the wrong sign: w <- w - lr * gradient."),
        Mistake(lambda *a: _epoch(*a, scale="none"),
                "each step's gradient is a sum over the batch: average it (divide by the number "
                "of examples in the batch)."),
        Mistake(lambda *a: _epoch(*a, scale="n"),
                "each batch's gradient is divided by n, the size of the whole set; divide by the "
                "number of examples in that batch."),
        Mistake(_epoch_full,
                "every step uses the gradient of the whole set; a mini-batch step uses only the "
                "examples of its batch, X[idx] and y[idx]."),
        Mistake(_epoch_split,
                "the batches have nearly equal sizes (np.array_split gives 3, 3, 2, 2 for 10 "
                "examples in batches of 3); cut order into consecutive slices of batch_size, "
                "order[start:start + batch_size], so that only the last batch is smaller."),
        Mistake(_epoch_reshuffled,
                "a fresh permutation is drawn for every batch, so some examples are visited "
                "twice and others never; shuffle once, before the loop, and slice that one order."),
    ],
    forbidden=["nnkit.fit", "nnkit.SGD.step"],
)
