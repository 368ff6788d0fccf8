"""Checks for exercise 07, training in practice: Xavier and He initialisation, batch
normalisation forward and backward, PCA whitening, a random hyper-parameter search and the
L2 penalty with its gradient."""
from __future__ import annotations

import numpy as np

import nnkit as nk

from ._check import Case, Check, Mistake, seeded


# ------------------------------------------------------------------ init_weights
_GAIN = {"xavier": 1.0, "he": 2.0}


def _init(fan_in, fan_out, method, rng):
    return rng.standard_normal((fan_out, fan_in)) * np.sqrt(_GAIN[method] / fan_in)


def _init_cases(rng, hidden):
    fixed = [Case("fan_in = 400, fan_out = 100, He", (400, 100, "he", seeded(0))),
             Case("fan_in = 100, fan_out = 400, Xavier", (100, 400, "xavier", seeded(1))),
             Case("fan_in = 3, fan_out = 2, He", (3, 2, "he", seeded(2)))]
    rand = []
    for method in ("xavier", "he"):
        fan_in, fan_out = (int(v) for v in rng.integers(50, 600 if hidden else 300, size=2))
        seed = int(rng.integers(10_000))
        rand.append(Case(f"fan_in = {fan_in}, fan_out = {fan_out}, {method}, seed {seed}",
                         (fan_in, fan_out, method, seeded(seed))))
    return rand if hidden else fixed + rand


_UNIFORM = ("every weight is positive, as with np.random.rand or rng.random (uniform on [0, 1), "
            "which some slides write); a zero-mean Gaussian is meant: "
            "rng.standard_normal((fan_out, fan_in)), scaled.")


def _scaled(std):
    """A mistake that draws the right numbers but scales them by ``std(fan_in, fan_out, method)``."""
    def compute(fan_in, fan_out, method, rng):
        return rng.standard_normal((fan_out, fan_in)) * std(fan_in, fan_out, method)
    return compute


def _near(value, target, tol=0.05):
    return abs(value / target - 1) < tol


def _init_diagnose(got, case):
    """Name the mistake from the weights' statistics (they need not be the exact numbers)."""
    fan_in, fan_out, method = case.args[:3]
    try:
        W = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return None
    if W.shape == (fan_in, fan_out) and fan_in != fan_out:
        return ("the matrix is transposed: W has shape (fan_out, fan_in), like Dense.W, so "
                "that row k holds the weights feeding unit k.")
    if W.shape != (fan_out, fan_in) or W.size < 1000:
        return None
    std = np.sqrt(_GAIN[method] / fan_in)
    if W.min() >= 0:
        return _UNIFORM
    if abs(W.mean()) > 6 * W.std() / np.sqrt(W.size):
        return "the weights' mean is not 0: draw from a zero-mean Gaussian."
    kurtosis = np.mean((W - W.mean()) ** 4) / W.var() ** 2
    if abs(kurtosis - 3) > 0.4:
        return ("the weights do not look Gaussian (uniform ones have kurtosis 1.8, not 3): use "
                "rng.standard_normal.")
    s = W.std()
    other = "he" if method == "xavier" else "xavier"
    if _near(s, np.sqrt(_GAIN[other] / fan_in)):
        return (f"this is {other.capitalize()}'s scale; {method.capitalize()} uses variance "
                f"{'2' if method == 'he' else '1'} / fan_in.")
    if _near(s, np.sqrt(_GAIN[method] / fan_out)):
        return "the scale uses fan_out; it is fan_in, the number of inputs each unit adds up."
    if _near(s, _GAIN[method] / fan_in):
        return (f"the standard deviation is {_GAIN[method]:g} / fan_in, which is the variance; "
                f"the standard deviation is its square root.")
    if _near(s, 1.0):
        return "the weights are not scaled: multiply by sqrt(gain / fan_in)."
    if _near(s, std, 0.03):
        return ("the distribution is right, but these are not the numbers that "
                "rng.standard_normal((fan_out, fan_in)) draws: use the `rng` argument (not "
                "np.random) and draw the whole (fan_out, fan_in) matrix in one call, so that the "
                "same seed gives the same weights.")
    return None


init_weights = Check(
    "init_weights", _init, _init_cases, rtol=1e-10, atol=1e-12, diagnose=_init_diagnose,
    mistakes=[
        Mistake(_scaled(lambda i, o, m: np.sqrt(_GAIN[{"he": "xavier", "xavier": "he"}[m]] / i)),
                "Xavier's and He's scales are swapped: Xavier has variance 1 / fan_in, He "
                "2 / fan_in (the factor 2 makes up for the half of its inputs that ReLU zeroes)."),
        Mistake(_scaled(lambda i, o, m: np.sqrt(_GAIN[m] / o)),
                "the scale uses fan_out; it is fan_in, the number of inputs each unit adds up."),
        Mistake(_scaled(lambda i, o, m: _GAIN[m] / i),
                "the standard deviation is gain / fan_in, which is the variance; the standard "
                "deviation is its square root, sqrt(gain / fan_in)."),
        Mistake(_scaled(lambda i, o, m: 1.0),
                "the weights are not scaled: multiply by sqrt(gain / fan_in)."),
        Mistake(_scaled(lambda i, o, m: np.sqrt(2.0 / (i + o)) if m == "xavier" else np.sqrt(2.0 / i)),
                "this is the original Xavier (Glorot and Bengio's) variance 2 / (fan_in + "
                "fan_out), which balances the forward and the backward pass; the lecture, and "
                "this task, use Var(w) = 1 / fan_in for Xavier."),
        Mistake(lambda i, o, m, rng: rng.random((o, i)) * np.sqrt(_GAIN[m] / i), _UNIFORM),
        Mistake(lambda i, o, m, rng: rng.standard_normal((i, o)) * np.sqrt(_GAIN[m] / i),
                "the matrix is transposed: W has shape (fan_out, fan_in), like Dense.W, so "
                "that row k holds the weights feeding unit k."),
    ],
    on_error=lambda exc, case: ("method is 'xavier' or 'he'." if isinstance(exc, KeyError) else None),
    forbidden=["nnkit.init.xavier", "nnkit.init.he", "nnkit.init.initialise", "nnkit.init.get",
               "nnkit.Dense.__init__"],
)


# ------------------------------------------------------------------ batchnorm_forward
def _bn(X, gamma, beta, eps=1e-5):
    return gamma * (X - X.mean(axis=0)) / np.sqrt(X.var(axis=0) + eps) + beta


def _bn_data(rng, n, d, tiny=False):
    X = rng.normal(loc=rng.normal(scale=3, size=d), scale=rng.uniform(0.5, 4, size=d), size=(n, d))
    if tiny:
        X[:, 0] = 5.0 + 1e-3 * rng.normal(size=n)  # variance 1e-6: eps matters
    return X, rng.uniform(0.5, 2.0, size=d), rng.normal(size=d)


def _bn_cases(rng, hidden):
    fixed = [Case("X (8, 3) whose first feature has variance about 1e-6, so eps matters",
                  _bn_data(rng, 8, 3, tiny=True)),
             Case("X (6, 2) whose first feature has variance about 1e-6, with eps = 1e-3",
                  _bn_data(rng, 6, 2, tiny=True), {"eps": 1e-3}),
             Case("X (4, 4), gamma and beta (4,)", _bn_data(rng, 4, 4)),
             Case("a batch of 2 rows, X (2, 3)", _bn_data(rng, 2, 3))]
    sizes = [(256, 32), (3, 100)] if hidden else [tuple(int(v) for v in rng.integers(2, 9, size=2))
                                                  for _ in range(2)]
    rand = [Case(f"random X {s}", _bn_data(rng, *s)) for s in sizes]
    return rand if hidden else fixed + rand


batchnorm_forward = Check(
    "batchnorm_forward", _bn, _bn_cases, rtol=1e-7, atol=1e-9,
    mistakes=[
        Mistake(lambda X, g, b, eps=1e-5: g * (X - X.mean(axis=1, keepdims=True))
                / np.sqrt(X.var(axis=1, keepdims=True) + eps) + b,
                "normalised each example (row); batch norm normalises each feature (column) "
                "over the batch: mean and variance over axis 0."),
        Mistake(lambda X, g, b, eps=1e-5: g * (X - X.mean(axis=0)) / np.sqrt(X.var(axis=0, ddof=1) + eps) + b,
                "the variance divides by n - 1; batch norm uses the biased batch variance "
                "(divide by n, np.var's default)."),
        Mistake(lambda X, g, b, eps=1e-5: g * (X - X.mean(axis=0)) / X.std(axis=0) + b,
                "eps is missing: x_hat = (x - mu) / sqrt(var + eps), which keeps a feature of "
                "tiny variance from exploding."),
        Mistake(lambda X, g, b, eps=1e-5: (X - X.mean(axis=0)) / np.sqrt(X.var(axis=0) + eps),
                "gamma and beta are not applied: y = gamma * x_hat + beta."),
        Mistake(lambda X, g, b, eps=1e-5: b * (X - X.mean(axis=0)) / np.sqrt(X.var(axis=0) + eps) + g,
                "gamma and beta are swapped: y = gamma * x_hat + beta."),
        Mistake(lambda X, g, b, eps=1e-5: g * (X - X.mean(axis=0)) / (X.var(axis=0) + eps) + b,
                "divided by the variance; divide by the standard deviation sqrt(var + eps)."),
        Mistake(lambda X, g, b, eps=1e-5: g * (X - X.mean(axis=0)) / (X.std(axis=0) + eps) + b,
                "eps is added to the standard deviation; it goes under the root, sqrt(var + eps)."),
        Mistake(lambda X, g, b, eps=1e-5: _bn(X, g, b),
                "the argument eps is ignored: your result is what eps = 1e-5 gives, whatever "
                "eps is passed. Use the eps your function receives."),
    ],
    forbidden=["nnkit.BatchNorm.forward"],
)


# ------------------------------------------------------------------ batchnorm_backward
def _bn_back(dY, X, gamma, eps=1e-5, *, constants=False, mean_term=True, var_term=True,
             ddof=0, use_gamma=True, average=None):
    n = len(X)
    inv_std = 1.0 / np.sqrt(X.var(axis=0, ddof=ddof) + eps)
    xhat = (X - X.mean(axis=0)) * inv_std
    dbeta = dY.sum(axis=0)
    dgamma = (dY * xhat).sum(axis=0)
    dX = dY.copy()
    if not constants:
        dX = dX - (dbeta / n if mean_term else 0.0) - (xhat * dgamma / n if var_term else 0.0)
    if average in ("both", "dgamma"):
        dgamma = dgamma / n
    if average in ("both", "dbeta"):
        dbeta = dbeta / n
    return (gamma if use_gamma else 1.0) * inv_std * dX, dgamma, dbeta


def _bn_back_cases(rng, hidden):
    def draw(n, d, tiny=False):
        X, gamma, _ = _bn_data(rng, n, d, tiny)
        return rng.normal(size=(n, d)), X, gamma

    fixed = [Case("dY and X of shape (6, 3)", draw(6, 3)),
             Case("X (5, 2) with a feature of variance about 1e-6", draw(5, 2, tiny=True)),
             Case("X (6, 2) with a feature of variance about 1e-6, and eps = 1e-3",
                  draw(6, 2, tiny=True), {"eps": 1e-3}),
             Case("a batch of 2 rows", draw(2, 4))]
    sizes = [(128, 16), (3, 40)] if hidden else [tuple(int(v) for v in rng.integers(2, 9, size=2))
                                                 for _ in range(2)]
    rand = [Case(f"random X {s}", draw(*s)) for s in sizes]
    return rand if hidden else fixed + rand


batchnorm_backward = Check(
    "batchnorm_backward", _bn_back, _bn_back_cases, names=("dX", "dgamma", "dbeta"),
    rtol=1e-6, atol=1e-9,
    mistakes=[
        Mistake(lambda *a: _bn_back(*a, constants=True),
                "the batch mean and variance are treated as constants (dX = gamma * dY / sigma). "
                "In training they depend on every row of X, which adds two terms: "
                "dX = gamma / sigma * (dY - mean(dY) - x_hat * mean(dY * x_hat)), means over "
                "the batch."),
        Mistake(lambda *a: _bn_back(*a, mean_term=False),
                "the term from the batch mean is missing: subtract mean(dY) over the batch."),
        Mistake(lambda *a: _bn_back(*a, var_term=False),
                "the term from the batch variance is missing: subtract x_hat * mean(dY * x_hat)."),
        Mistake(lambda dY, X, g, eps=1e-5: (_bn_back(dY, X, g, eps)[0], dY.sum(axis=0),
                                            _bn_back(dY, X, g, eps)[2]),
                "dgamma must weight dY by x_hat: dgamma = sum_i dY_i * x_hat_i."),
        Mistake(lambda dY, X, g, eps=1e-5: (_bn_back(dY, X, g, eps)[0], _bn_back(dY, X, g, eps)[2],
                                            _bn_back(dY, X, g, eps)[1]),
                "dgamma and dbeta are swapped."),
        Mistake(lambda *a, **k: _bn_back(*a, **k, average="both"),
                "dgamma and dbeta average over the batch; dY already carries the loss's 1/n, "
                "so each example's contribution is added: dbeta = sum_i dY_i, dgamma = "
                "sum_i dY_i * x_hat_i."),
        Mistake(lambda *a, **k: _bn_back(*a, **k, average="dgamma"),
                "dgamma averages over the batch; dY already carries the loss's 1/n, so each "
                "example's contribution is added: dgamma = sum_i dY_i * x_hat_i."),
        Mistake(lambda *a, **k: _bn_back(*a, **k, average="dbeta"),
                "dbeta averages over the batch; dY already carries the loss's 1/n, so each "
                "example's contribution is added: dbeta = sum_i dY_i."),
        Mistake(lambda *a, **k: _bn_back(*a, **k, ddof=1),
                "the variance divides by n - 1; batch norm uses the biased batch variance "
                "(divide by n, np.var's default), in the backward pass as in the forward."),
        Mistake(lambda *a, **k: _bn_back(*a, **k, use_gamma=False),
                "gamma is missing from dX: y = gamma * x_hat + beta, so the gradient reaching "
                "x_hat is gamma * dY, and dX = gamma / sigma * (...)."),
        Mistake(lambda dY, X, g, eps=1e-5: _bn_back(dY, X, g),
                "the argument eps is ignored: your result is what eps = 1e-5 gives, whatever "
                "eps is passed. Use the eps your function receives."),
    ],
    forbidden=["nnkit.BatchNorm.backward", "nnkit.numerical_gradient", "nnkit.gradcheck"],
)


# ------------------------------------------------------------------ pca_whiten
def _whiten(X, eps=1e-5):
    return nk.preprocess.whiten(X, eps)


def _eig(C):
    lam, U = np.linalg.eigh(C)
    order = np.argsort(lam)[::-1]
    return lam[order], U[:, order]


def _cloud(rng, n, d):
    A = rng.normal(size=(d, d)) * np.linspace(3, 0.5, d)
    return rng.normal(size=(n, d)) @ A.T + rng.normal(scale=5, size=d)


def _whiten_cases(rng, hidden):
    fixed = [Case("a correlated 2-D cloud of 200 points, centred far from 0", (_cloud(rng, 200, 2),)),
             Case("10 points in 3-D", (_cloud(rng, 10, 3),)),
             Case("a 2-D cloud with eps = 0.1", (_cloud(rng, 50, 2),), {"eps": 0.1})]
    sizes = [(1000, 10), (40, 6)] if hidden else [(int(rng.integers(20, 100)), int(rng.integers(2, 6)))
                                                  for _ in range(2)]
    rand = [Case(f"a random correlated cloud of {n} points in {d}-D", (_cloud(rng, n, d),))
            for n, d in sizes]
    return rand if hidden else fixed + rand


def _aligned(got, want):
    """``got`` with each column's sign flipped to agree with ``want`` (eigenvectors have no sign)."""
    try:
        arr = np.array(got, dtype=float)
    except (TypeError, ValueError):
        return got
    if arr.shape != want.shape or arr.ndim != 2:
        return got
    signs = np.sign(np.sum(arr * want, axis=0))
    return arr * np.where(signs == 0, 1.0, signs)


def _parts(X, eps, cov_div=0, centre=True, standardise=False):
    Xc = X - X.mean(axis=0) if centre else X
    if standardise:
        Xc = Xc / Xc.std(axis=0)
    lam, U = _eig(Xc.T @ Xc / (len(X) - cov_div))
    return Xc, lam, U


def _pca_mistake(build):
    def compute(X, eps=1e-5):
        return build(X, eps)
    return compute


def _unprojected_offset(X, eps):
    _, lam, U = _parts(X, eps)
    return X @ U / np.sqrt(lam + eps)


def _ascending(X, eps):
    Xc, lam, U = _parts(X, eps)
    return Xc @ U[:, ::-1] / np.sqrt(lam[::-1] + eps)


_PCA_MISTAKES = [
    (lambda X, eps: (lambda Xc, lam, U: X @ U / np.sqrt(lam + eps))(*_parts(X, eps, centre=False)),
     "the data are not centred: subtract the mean of each feature before the covariance "
     "and the projection."),
    (_unprojected_offset,
     "the projection uses X instead of the centred X - mean; the result keeps an offset."),
    (lambda X, eps: (lambda Xc, lam, U: Xc @ U / (lam + eps))(*_parts(X, eps)),
     "divided by the eigenvalue (a variance); divide by its square root, sqrt(lambda + eps)."),
    (_ascending,
     "the components come in increasing order (np.linalg.eigh's order); sort them by "
     "decreasing eigenvalue, the largest variance first."),
    (lambda X, eps: (lambda Xc, lam, U: Xc @ U / np.sqrt(lam + eps) @ U.T)(*_parts(X, eps)),
     "this is ZCA whitening (rotated back with U^T); PCA whitening stays in the eigenbasis: "
     "(X - mean) @ U / sqrt(lambda + eps)."),
    (lambda X, eps: (lambda Xc, lam, U: Xc @ U.T / np.sqrt(lam + eps))(*_parts(X, eps)),
     "U is used transposed: np.linalg.eigh returns the eigenvectors as columns, so project "
     "with Xc @ U."),
    (lambda X, eps: (lambda Xc, lam, U: Xc @ U / np.sqrt(lam + eps))(*_parts(X, eps, cov_div=1)),
     "the covariance divides by n - 1 (np.cov's default); this course's covariance is "
     "Xc.T @ Xc / n."),
    (lambda X, eps: (lambda Xc, lam, U: Xc @ U)(*_parts(X, eps)),
     "this is PCA only (decorrelated); whitening also divides each component by "
     "sqrt(lambda + eps)."),
    (lambda X, eps: (lambda Xc, lam, U: Xc @ U / np.sqrt(lam))(*_parts(X, eps)),
     "eps is missing or ignored: divide each component by sqrt(lambda + eps), with the eps "
     "your function receives; eps keeps a direction of almost no variance from being blown up."),
    (lambda X, eps: (lambda Xc, lam, U: Xc @ U / np.sqrt(lam + eps))(*_parts(X, eps, standardise=True)),
     "each feature was divided by its standard deviation before the PCA; whitening takes the "
     "covariance of the centred data as it is, and the division by sqrt(lambda + eps) after "
     "the rotation is what gives every direction unit variance."),
]


pca_whiten = Check(
    "pca_whiten", _whiten, _whiten_cases, rtol=1e-6, atol=1e-8, align=_aligned,
    mistakes=[Mistake(_pca_mistake(build), message) for build, message in _PCA_MISTAKES],
    forbidden=["nnkit.preprocess.whiten", "nnkit.preprocess.pca", "nnkit.preprocess.Center.fit",
               "nnkit.preprocess.Center.fit_transform"],
)


# ------------------------------------------------------------------ random_search
def _search(objective, bounds, n_trials, rng, *, log=True, worst=False, by_name=False,
            last_on_tie=False, grid=False):
    logs = {k: (np.log10(lo), np.log10(hi)) for k, (lo, hi) in bounds.items()}
    if grid:
        columns = {k: np.logspace(a, b, n_trials) for k, (a, b) in logs.items()}
        trials = [{k: float(columns[k][t]) for k in bounds} for t in range(n_trials)]
    elif by_name:
        columns = {k: rng.uniform(a, b, size=n_trials) for k, (a, b) in logs.items()}
        trials = [{k: float(10 ** columns[k][t]) for k in bounds} for t in range(n_trials)]
    else:
        trials = [{k: float(10 ** rng.uniform(a, b)) if log else float(rng.uniform(*bounds[k]))
                   for k, (a, b) in logs.items()} for _ in range(n_trials)]
    best, best_value = None, None
    for params in trials:
        value = float(objective(params))
        if best is None or (value > best_value if worst else value < best_value) or (
                last_on_tie and value == best_value):
            best, best_value = params, value
    return best, best_value


def valley(params):
    """A validation loss whose best learning rate is 1e-3 and whose best decay is 1e-4."""
    return (np.log10(params["lr"]) + 3) ** 2 + 0.1 * (np.log10(params["decay"]) + 4) ** 2


def lr_only(params):
    """A validation loss of the learning rate alone, best at 3e-2."""
    return abs(np.log10(params["lr"] / 3e-2))


def plateau(params):
    """A validation loss with whole values only, so that trials tie: 0 for lr in (1e-3, 1e-1)."""
    return float(np.floor(abs(np.log10(params["lr"]) + 2)))


def _search_cases(rng, hidden):
    two = {"lr": (1e-5, 1e-1), "decay": (1e-6, 1e-2)}
    fixed = [Case("the valley objective, lr in [1e-5, 1e-1], decay in [1e-6, 1e-2], 30 trials",
                  (valley, two, 30, seeded(0))),
             Case("one parameter, lr in [1e-4, 1], 10 trials", (lr_only, {"lr": (1e-4, 1.0)}, 10, seeded(1))),
             Case("a single trial", (valley, two, 1, seeded(2))),
             Case("the plateau objective, whose losses are whole numbers so that trials tie, "
                  "lr in [1e-4, 1], 20 trials", (plateau, {"lr": (1e-4, 1.0)}, 20, seeded(3)))]
    rand = []
    for _ in range(2):
        seed = int(rng.integers(10_000))
        trials = int(rng.integers(50, 500) if hidden else rng.integers(2, 40))
        rand.append(Case(f"the valley objective, {trials} trials, seed {seed}",
                         (valley, two, trials, seeded(seed))))
    return rand if hidden else fixed + rand


random_search = Check(
    "random_search", _search, _search_cases, rtol=1e-9, atol=1e-12, names=("best_params", "best_value"),
    mistakes=[
        Mistake(lambda *a: _search(*a, log=False),
                "the values are uniform between lo and hi, so almost all of them land in the top "
                "decade (between 1e-2 and 1e-1 for lr). Sample the exponent uniformly: "
                "10 ** rng.uniform(log10(lo), log10(hi))."),
        Mistake(lambda *a: _search(*a, worst=True),
                "this returns the worst trial; keep the lowest validation loss."),
        Mistake(lambda *a: _search(*a, by_name=True),
                "the numbers are drawn parameter by parameter (all trials of lr, then all of "
                "decay); draw them trial by trial, one value per parameter in the order of "
                "bounds, so that your trials match the check's."),
        Mistake(lambda *a: _search(*a, last_on_tie=True),
                "on a tie this keeps the later trial; keep the first one (replace the best only "
                "when a loss is strictly lower: <, not <=)."),
        Mistake(lambda *a: _search(*a, grid=True),
                "the values come from an evenly spaced grid (np.logspace), not from random "
                "draws: draw each one with 10 ** rng.uniform(log10(lo), log10(hi)). Random "
                "samples try a new value of every parameter in every trial, where a grid "
                "repeats the few values it has."),
    ],
)


# ------------------------------------------------------------------ l2_penalty
def _l2(params, grads, lam, *, half=True, biases=False, into_grad=True, grad_factor=1.0,
        only=None, squared=True):
    """``(lam/2 sum ||W||^2, grads + lam W)`` over the entries named ``W...``; or a named mistake."""
    def penalised(name):
        return (name.startswith("W") or (biases and name.startswith("b"))) and (only is None or name == only)

    value = 0.0
    for name, value_array in params.items():
        if penalised(name):
            value += float(np.sum(value_array ** 2)) if squared else float(np.linalg.norm(value_array))
    value *= lam / 2 if half else lam
    new = {}
    for name, g in grads.items():
        extra = grad_factor * lam * params[name] if penalised(name) and into_grad else 0.0
        new[name] = g + extra
    return value, new


def _l2_layers(rng, sizes):
    params, grads = {}, {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{l}"] = rng.normal(size=(n_out, n_in))
        params[f"b{l}"] = rng.normal(size=n_out)
        grads[f"W{l}"] = rng.normal(scale=0.1, size=(n_out, n_in))
        grads[f"b{l}"] = rng.normal(scale=0.1, size=n_out)
    return params, grads


def _l2_cases(rng, hidden):
    fixed = [Case("two layers W1 (3, 2), b1 (3,), W2 (2, 3), b2 (2,), lam = 0.1",
                  (*_l2_layers(rng, (2, 3, 2)), 0.1)),
             Case("three layers 4 -> 5 -> 3 -> 2, lam = 0.5", (*_l2_layers(rng, (4, 5, 3, 2)), 0.5)),
             Case("one layer W1 (1, 3), b1 (1,), lam = 2.0", (*_l2_layers(rng, (3, 1)), 2.0)),
             Case("two layers, lam = 0 (no penalty)", (*_l2_layers(rng, (2, 4, 3)), 0.0))]
    rand = []
    for _ in range(2):
        depth = int(rng.integers(1, 5))
        sizes = tuple(int(v) for v in rng.integers(1, 60 if hidden else 8, size=depth + 1))
        lam = float(10 ** rng.uniform(-4, 0))
        rand.append(Case(f"random layers {' -> '.join(map(str, sizes))}, lam = {lam:.3g}",
                         (*_l2_layers(rng, sizes), lam)))
    return rand if hidden else fixed + rand


l2_penalty = Check(
    "l2_penalty", _l2, _l2_cases, rtol=1e-9, atol=1e-12, names=("value", "grads"),
    mistakes=[
        Mistake(lambda p, g, lam: _l2(p, g, lam, biases=True),
                "the biases are penalised too; the penalty sums over the weight matrices W only "
                "(a bias shifts a unit, it does not make the network steeper), so b's gradient "
                "is left as it was."),
        Mistake(lambda p, g, lam: _l2(p, g, lam, half=False),
                "the 1/2 is missing from the value: R = lam / 2 * sum ||W||^2, whose gradient "
                "is lam * W (the 1/2 cancels the 2 of the derivative)."),
        Mistake(lambda p, g, lam: _l2(p, g, lam, half=False, grad_factor=2.0),
                "the 1/2 is missing: this is the penalty lam * sum ||W||^2 with its gradient "
                "2 lam W; the lecture's penalty is lam / 2 * sum ||W||^2, gradient lam * W."),
        Mistake(lambda p, g, lam: _l2(p, g, lam, into_grad=False),
                "the penalty is left out of the gradient: the value is right, but each weight's "
                "gradient must become grads[name] + lam * W, or training never feels the penalty."),
        Mistake(lambda p, g, lam: _l2(p, g, lam, grad_factor=0.5),
                "the gradient is lam / 2 * W; the 1/2 of the penalty cancels against the 2 of "
                "d(w^2)/dw = 2w, so the gradient is lam * W."),
        Mistake(lambda p, g, lam: _l2(p, g, lam, squared=False),
                "the norms are not squared: R = lam / 2 * sum ||W||^2, the sum of the squared "
                "entries (np.sum(W ** 2)), not of np.linalg.norm(W)."),
        Mistake(lambda p, g, lam: _l2(p, g, lam, only="W1"),
                "only W1 is penalised; the penalty sums over every weight matrix W1, W2, ..."),
    ],
    on_error=lambda exc, case: ("params and grads are dicts with the same keys ('W1', 'b1', ...)."
                                if isinstance(exc, KeyError) else None),
    # An optimiser with weight_decay adds lam * W to each gradient: delegation too.
    forbidden=["nnkit.L2Penalty.__call__", "nnkit.L2Penalty.backward", "nnkit.SGD.step",
               "nnkit.Adam.step", "nnkit.AdamW.step", "nnkit.RMSprop.step"],
)
