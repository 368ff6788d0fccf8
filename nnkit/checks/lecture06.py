"""Checks for exercise 06, classifiers: a stable softmax, the cross-entropy of logits
and its gradient, and the gradient of binary cross-entropy for one sigmoid neuron."""
from __future__ import annotations

import numpy as np

import nnkit as nk

from ._check import Case, Check, Mistake


F = nk.functional
_UNSTABLE = ("np.exp overflows for logits like 1000. Subtract each row's maximum first: "
             "softmax(z) = softmax(z - max(z)), and every exponent is then <= 0.")
_KEEPDIMS = ("A reduction over axis 1 without keepdims=True has shape (n,), and numpy lines "
             "such a vector up with the columns (K of them), not with the rows: Z.max(axis=1) "
             "and e.sum(axis=1) need keepdims=True, shape (n, 1), to be subtracted from or to "
             "divide each row.")
_DIFFERENT_MAXIMA = np.array([[0.0, 1.0, 2.0], [-2000.0, -2001.0, -1999.0]])


def _keepdims_advice(exc, case):
    return _KEEPDIMS if "broadcast" in str(exc) else None


def _batch_max_softmax(Z):
    e = np.exp(Z - Z.max())
    return e / e.sum(axis=1, keepdims=True)


def _logits(rng, n, K, scale=3.0):
    return rng.normal(scale=scale, size=(n, K))


def _far_apart(rng, n, K):
    """Logits whose rows lie thousands apart, so that only a per-row shift keeps them finite."""
    return _logits(rng, n, K) + rng.normal(scale=2000.0, size=(n, 1))


def _sizes(rng, hidden):
    if hidden:
        return [(500, 10), (1, 7), (64, 2)]
    return [(int(rng.integers(1, 8)), int(rng.integers(2, 6))) for _ in range(3)]


# ------------------------------------------------------------------ softmax
def _softmax(Z):
    return F.softmax(Z, axis=1)


def _naive(Z):
    e = np.exp(Z)
    return e / e.sum(axis=1, keepdims=True)


def _softmax_cases(rng, hidden):
    fixed = [
        Case("3 examples of 3 classes: a row/column mix-up keeps the shape", (_logits(rng, 3, 3),)),
        Case("logits [[1, 2, 3], [0, 0, 0]]", (np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]),)),
        Case("logits of +-1000, where exp overflows if used naively",
             (np.array([[1000.0, 1000.0, -1000.0], [-1000.0, 0.0, 1000.0]]),)),
        Case("logits [[0, 1, 2], [-2000, -2001, -1999]]: rows with very different maxima",
             (_DIFFERENT_MAXIMA.copy(),)),
    ]
    rand = [Case(f"random logits ({n}, {K})", (_logits(rng, n, K),)) for n, K in _sizes(rng, hidden)]
    rand.append(Case("random logits (6, 4), each row shifted by thousands",
                     (_far_apart(rng, 6, 4),)))
    return rand if hidden else fixed + rand


softmax = Check(
    "softmax", _softmax, _softmax_cases,
    mistakes=[
        Mistake(_naive, "the exponent overflowed: e^1000 is inf and inf / inf is nan. " + _UNSTABLE,
                warns="overflow"),
        Mistake(_batch_max_softmax,
                "subtracting the largest logit of the whole batch is not enough: a row whose "
                "logits are all far below it underflows to 0 / 0. Subtract each row's own maximum "
                "(Z.max(axis=1, keepdims=True))."),
        Mistake(lambda Z: F.softmax(Z, axis=0),
                "normalised over the wrong axis: each row is one example, so each row must sum to "
                "1 (sum over axis=1)."),
        Mistake(lambda Z: np.exp(Z - Z.max(axis=1)) / np.exp(Z - Z.max(axis=1)).sum(axis=1, keepdims=True),
                "Z.max(axis=1) has shape (n,), and numpy lined it up with the columns, not the "
                "rows: it broadcast silently. Use Z.max(axis=1, keepdims=True), shape (n, 1)."),
        Mistake(lambda Z: (lambda e: e / e.sum(axis=1))(np.exp(Z - Z.max(axis=1, keepdims=True))),
                "e.sum(axis=1) has shape (n,), and numpy lined it up with the columns, not the "
                "rows: it broadcast silently. Use keepdims=True so the sums have shape (n, 1)."),
        Mistake(lambda Z: (lambda e: e / e.sum())(np.exp(Z - Z.max(axis=1, keepdims=True))),
                "divided by the sum over the whole batch; each row (example) is normalised by its "
                "own sum."),
    ],
    on_warning=_UNSTABLE,
    on_error=_keepdims_advice,
    forbidden=["nnkit.functional.softmax", "nnkit.functional.log_softmax",
               "nnkit.functional.logsumexp", "nnkit.Softmax.forward"],
)


# ------------------------------------------------------------------ cross_entropy
def _ce(Z, y):
    return float(np.mean(F.logsumexp(Z, axis=1) - Z[np.arange(len(Z)), y]))


def _labels(rng, n, K):
    return rng.integers(0, K, size=n)


def _ce_cases(rng, hidden):
    fixed = [
        Case("logits [[2, 1, 0], [0, 0, 3]] with labels [0, 2]",
             (np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 3.0]]), np.array([0, 2]))),
        Case("logits of +-1000 with labels [1, 0]: e^1000 overflows, and a probability of "
             "e^-2000 underflows to 0",
             (np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0]]), np.array([1, 0]))),
        Case("4 examples of 4 classes", (_logits(rng, 4, 4), _labels(rng, 4, 4))),
        Case("logits [[0, 1, 2], [-2000, -2001, -1999]] with labels [2, 0]: rows with very "
             "different maxima", (_DIFFERENT_MAXIMA.copy(), np.array([2, 0]))),
    ]
    rand = [Case(f"random logits ({n}, {K})", (_logits(rng, n, K), _labels(rng, n, K)))
            for n, K in _sizes(rng, hidden)]
    rand.append(Case("random logits (6, 4), each row shifted by thousands",
                     (_far_apart(rng, 6, 4), _labels(rng, 6, 4))))
    return rand if hidden else fixed + rand


def _ce_naive(Z, y):
    return float(np.mean(np.log(np.exp(Z).sum(axis=1)) - Z[np.arange(len(Z)), y]))


def _ce_batch_max(Z, y):
    m = Z.max()
    return float(np.mean(m + np.log(np.exp(Z - m).sum(axis=1)) - Z[np.arange(len(Z)), y]))


def _ce_shifted_then_log(Z, y):
    P = F.softmax(Z, axis=1)
    return float(-np.mean(np.log(P[np.arange(len(Z)), y])))


cross_entropy = Check(
    "cross_entropy", _ce, _ce_cases, rtol=1e-9,
    mistakes=[
        Mistake(lambda Z, y: float(np.sum(F.logsumexp(Z, axis=1) - Z[np.arange(len(Z)), y])),
                "the 1/n is missing: the cost is the mean of -log a_y over the n examples."),
        Mistake(_ce_naive,
                "the exponent overflowed: log(sum(exp(z))) computes e^1000 = inf before the log "
                "could bring it back down. Shift by each row's maximum m first: log sum exp(z) "
                "= m + log sum exp(z - m), where every exponent is <= 0.",
                warns="overflow"),
        Mistake(_ce_shifted_then_log,
                "the log of a softmax underflows even when the softmax itself is stable: a "
                "probability of e^-2000 rounds to 0, and log(0) = -inf. Never form the "
                "probability: log softmax(z)_k = z_k - logsumexp(z), with logsumexp(z) = "
                "m + log sum exp(z - m), m = max(z).",
                warns="divide by zero"),
        Mistake(_ce_batch_max,
                "the shift uses the largest logit of the whole batch: a row whose logits are "
                "all far below it underflows to log(0) = -inf. Shift each row by its own "
                "maximum, Z.max(axis=1, keepdims=True)."),
        Mistake(lambda Z, y: -_ce(Z, y), "the minus sign is missing: the cost is -log a_y >= 0."),
        Mistake(lambda Z, y: float(np.mean(F.logsumexp(Z, axis=1) - Z[:, 0])),
                "the label is ignored (column 0 is used): pick each row's own label, "
                "Z[np.arange(n), y]."),
        Mistake(lambda Z, y: float(np.mean(F.logsumexp(Z, axis=1)[:, None] - Z[np.arange(len(Z))][:, y])),
                "Z[:, y] (or Z[y]) picks an (n, n) block; pick one entry per row with "
                "Z[np.arange(n), y]."),
    ],
    on_warning=_UNSTABLE,
    forbidden=["nnkit.losses.Loss.__call__", "nnkit.functional.log_softmax", "nnkit.functional.logsumexp"],
)


# ------------------------------------------------------------------ cross_entropy_grad
def _ce_grad(Z, y, *, scale=True, sign=1.0):
    G = F.softmax(Z, axis=1)
    G[np.arange(len(Z)), y] -= 1.0
    return sign * G / (len(Z) if scale else 1)


cross_entropy_grad = Check(
    "cross_entropy_grad", _ce_grad, _ce_cases,
    mistakes=[
        Mistake(lambda Z, y: _ce_grad(Z, y, scale=False),
                "the 1/n is missing: the cost averages over the examples, so does its gradient."),
        Mistake(lambda Z, y: _ce_grad(Z, y, sign=-1.0),
                "the sign is flipped: dC/dz_j = (a_j - y_j) / n."),
        Mistake(lambda Z, y: F.softmax(Z, axis=1) / len(Z),
                "the one-hot target is not subtracted: dC/dz_j = (a_j - y_j) / n, and y_j = 1 "
                "for the true class."),
        Mistake(lambda Z, y: (F.softmax(Z, axis=1) - 1) / len(Z),
                "1 is subtracted from every entry; only the true class has y_j = 1."),
        Mistake(lambda Z, y: _naive(Z) / len(Z) - nk.data.one_hot(y, Z.shape[1]) / len(Z),
                "the exponent overflowed: e^1000 is inf. " + _UNSTABLE, warns="overflow"),
        Mistake(lambda Z, y: (_batch_max_softmax(Z) - nk.data.one_hot(y, Z.shape[1])) / len(Z),
                "the softmax is shifted by the largest logit of the whole batch: a row whose "
                "logits are all far below it becomes 0 / 0 = nan. Shift each row by its own "
                "maximum, Z.max(axis=1, keepdims=True)."),
    ],
    on_warning=_UNSTABLE,
    forbidden=["nnkit.losses.Loss.backward", "nnkit.Softmax.backward", "nnkit.functional.softmax",
               "nnkit.functional.log_softmax"],
)


# ------------------------------------------------------------------ bce_gradient
def _bce_grad(X, y, w, b, *, quadratic=False, scale=True, sign=1.0):
    z = X @ w + b
    a = F.sigmoid(z)
    r = sign * (a - y) * (F.sigmoid_grad(z) if quadratic else 1.0) / (len(X) if scale else 1)
    return X.T @ r, float(r.sum())


def _bce_cases(rng, hidden):
    def draw(n, d):
        return (rng.normal(size=(n, d)), rng.integers(0, 2, size=n).astype(float),
                rng.normal(size=d), float(rng.normal()))

    fixed = [Case("X (6, 2), labels y (6,) of 0 and 1, w (2,), b", draw(6, 2)),
             Case("one neuron with one input 1, target 0, started saturated (w = 2, b = 2)",
                  (np.array([[1.0]]), np.array([0.0]), np.array([2.0]), 2.0))]
    sizes = [(300, 10), (1, 4)] if hidden else [tuple(int(v) for v in rng.integers(1, 8, size=2))
                                                 for _ in range(2)]
    rand = [Case(f"random X ({n}, {d})", draw(n, d)) for n, d in sizes]
    return rand if hidden else fixed + rand


bce_gradient = Check(
    "bce_gradient", _bce_grad, _bce_cases, names=("dw", "db"),
    mistakes=[
        Mistake(lambda *a: _bce_grad(*a, quadratic=True),
                "that is the quadratic cost's gradient, (a - y) sigma'(z) x. With cross-entropy "
                "the sigma'(z) cancels: dC/dw_j = (1/n) sum_i x_ij (a_i - y_i). That is why it "
                "does not slow down when the neuron saturates."),
        Mistake(lambda *a: _bce_grad(*a, scale=False),
                "the 1/n is missing: the cost averages over the n examples."),
        Mistake(lambda *a: _bce_grad(*a, sign=-1.0),
                "the sign is flipped: dC/dz = a - y."),
    ],
    forbidden=["nnkit.losses.Loss.backward", "nnkit.Sigmoid.backward"],
)
