r"""Checks for exercise 09: the whole training loop on the handwritten digits.

The network is lecture 09's: :math:`h = \mathrm{ReLU}(X W_1^T + b_1)`, logits
:math:`Z = h W_2^T + b_2`, the mean softmax cross-entropy plus
:math:`\frac{\lambda}{2}(\lVert W_1\rVert^2 + \lVert W_2\rVert^2)` (no penalty on biases).
``params`` and ``grads`` are dicts with the keys ``W1, b1, W2, b2``.

``train_digits`` returns plain values, ``(model, losses)``: ``model`` is ``params`` plus
``"mean"``, the training mean of ``X / 16`` that ``predict(model, X)`` subtracts from raw
pixels. It is scored by what it does, not by equality: the check trains it on the training
part of a fixed split of ``nk.data.digits()`` and measures the accuracy of the model (with the
reference ``predict``) on the validation part; the hidden cases (the grader's) retrain it with
another seed and measure it on the test part, which the notebook never receives
(:func:`digits_data` hands out the training and validation parts only). A grader that must keep
the test data out of the students' reach entirely sets ``NNKIT_DIGITS_HELDOUT`` to a file in
``nnkit/datasets/digits.csv.gz``'s format: the hidden cases then score on that file instead.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

import nnkit as nk

from ._check import Case, Check, Mistake, seeded
from ._compare import dtype_problem, fmt

# __all__ lists the checks (nnkit.checks.all_checks reads it); digits_data is the exercise's data.
__all__ = ["loss_and_gradients", "sgd_step", "predict", "train_digits"]

_KEYS = ("W1", "b1", "W2", "b2")
SPLIT_SEED = 9          # the exercise's split of the digits, fixed for every student
PASS_ACCURACY = 0.93    # the reference reaches about 0.97
HELDOUT = "NNKIT_DIGITS_HELDOUT"


# ------------------------------------------------------------------ the data
def _parts():
    X, y = nk.data.digits()
    return nk.data.split(X, y, rng=SPLIT_SEED)


def digits_data():
    """The exercise's training and validation parts, raw pixels 0..16.

    Returns
    -------
    X_train (m, 64), y_train (m,), X_val (v, 64), y_val (v,)
    """
    (Xtr, ytr), (Xva, yva), _ = _parts()
    return Xtr, ytr, Xva, yva


def _held_out():
    """The grader's data: the file named by ``NNKIT_DIGITS_HELDOUT``, else the split's test part."""
    path = os.environ.get(HELDOUT)
    if path:
        table = np.loadtxt(path, delimiter=",", dtype=np.int64, ndmin=2)
        return table[:, :64].astype(np.float64), table[:, 64]
    return _parts()[2]


# ------------------------------------------------------------------ loss_and_gradients
def _loss_grads(params, X, y, lam, *, scale=True, relu_grad=True, sign=1.0, bias_decay=False,
                decay_grad=1.0, transposed=False):
    W1, b1, W2, b2 = (params[k] for k in _KEYS)
    n = len(X)
    e1 = X @ W1.T + b1
    h = np.maximum(e1, 0.0)
    Z = h @ W2.T + b2
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    data_loss = -log_p[np.arange(n), y].mean()
    weights = [W1, W2] + ([b1, b2] if bias_decay else [])
    loss = float(data_loss + 0.5 * lam * sum(float(np.sum(W * W)) for W in weights))
    eps = np.exp(log_p)
    eps[np.arange(n), y] -= 1.0
    eps = sign * eps / (n if scale else 1)
    delta = (eps @ W2) * ((e1 > 0) if relu_grad else 1.0)
    grads = {"W1": delta.T @ X + decay_grad * lam * W1, "b1": delta.sum(axis=0),
             "W2": eps.T @ h + decay_grad * lam * W2, "b2": eps.sum(axis=0)}
    if bias_decay:
        grads["b1"] = grads["b1"] + lam * b1
        grads["b2"] = grads["b2"] + lam * b2
    if transposed:
        grads["W1"], grads["W2"] = grads["W1"].T, grads["W2"].T
    return loss, grads


def _net(rng, n, n0, n1, K, scale=1.0):
    params = {"W1": scale * rng.normal(size=(n1, n0)) * np.sqrt(2 / n0),
              "b1": 0.1 * rng.normal(size=n1),
              "W2": scale * rng.normal(size=(K, n1)) * np.sqrt(2 / n1),
              "b2": 0.1 * rng.normal(size=K)}
    X = rng.normal(size=(n, n0))
    y = rng.integers(0, K, size=n)
    y[:K] = np.arange(min(K, n))[:n]  # every class present in larger batches
    return params, X, y


def _lg_cases(rng, hidden):
    fixed = [Case("n = 6 examples, n0 = 5, n1 = 4, K = 3 classes, lam = 0.1",
                  (*_net(rng, 6, 5, 4, 3), 0.1)),
             Case("n0 = n1 = K = 4: square weights, so transposed gradients keep their shapes",
                  (*_net(rng, 5, 4, 4, 4), 0.05)),
             Case("large weights, so that some logits are in the hundreds (exp overflows unless "
                  "shifted)", (*_net(rng, 8, 6, 5, 3, scale=60.0), 0.0)),
             Case("lam = 0 on a digits-sized layer: 20 examples, 64 -> 16 -> 10",
                  (*_net(rng, 20, 64, 16, 10), 0.0))]
    sizes = [(200, 64, 32, 10), (3, 7, 50, 5)] if hidden else \
        [tuple(int(v) for v in rng.integers(2, 9, size=4)) for _ in range(2)]
    rand = [Case(f"random n={n}, n0={a}, n1={b}, K={K}, lam = 0.01",
                 (*_net(rng, n, a, b, K), 0.01)) for n, a, b, K in sizes]
    return rand if hidden else fixed + rand


_FORBID_PIECES = ["nnkit.functional.softmax", "nnkit.functional.log_softmax",
                  "nnkit.functional.logsumexp", "nnkit.SoftmaxCrossEntropyLoss.__call__",
                  "nnkit.SoftmaxCrossEntropyLoss.backward", "nnkit.Dense.forward",
                  "nnkit.Dense.backward", "nnkit.Sequential.forward", "nnkit.Sequential.backward",
                  "nnkit.L2Penalty.__call__", "nnkit.L2Penalty.backward",
                  "nnkit.numerical_gradient", "nnkit.gradcheck"]

loss_and_gradients = Check(
    "loss_and_gradients", _loss_grads, _lg_cases, names=("loss", "grads"), rtol=1e-6, atol=1e-9,
    mistakes=[
        Mistake(lambda *a: _loss_grads(*a, scale=False),
                "the 1/n is missing from the gradients: the loss is a mean over the n examples, "
                "so eps = (softmax(Z) - Y) / n."),
        Mistake(lambda *a: _loss_grads(*a, relu_grad=False),
                "the ReLU's derivative is missing: delta = (eps @ W2) * (e1 > 0)."),
        Mistake(lambda *a: _loss_grads(*a, sign=-1.0),
                "the data gradients have the wrong sign: eps = softmax(Z) - Y (over n), not "
                "Y - softmax(Z); these gradients point uphill."),
        Mistake(lambda *a: _loss_grads(*a, bias_decay=True),
                "the biases are penalised too; L2 acts on the weight matrices W1 and W2 only."),
        Mistake(lambda *a: _loss_grads(*a, decay_grad=0.0),
                "the penalty's gradient is missing: add lam * W to dW1 and dW2."),
        Mistake(lambda *a: _loss_grads(*a, decay_grad=2.0),
                "the penalty's gradient is 2 lam W; the penalty is lam/2 ||W||^2, whose gradient "
                "is lam * W."),
        Mistake(lambda *a: _loss_grads(*a, transposed=True),
                "the weight gradients are transposed: dW2 = eps.T @ h has W2's shape (K, n1), "
                "dW1 = delta.T @ X has W1's shape (n1, n0)."),
    ],
    on_warning="exp overflowed: subtract each row's maximum logit before np.exp (exercise 06).",
    forbidden=_FORBID_PIECES,
)


# ------------------------------------------------------------------ sgd_step
def _sgd(params, grads, lr, *, sign=-1.0, use_lr=True):
    return {k: params[k] + sign * (lr if use_lr else 1.0) * grads[k] for k in params}


def _sgd_cases(rng, hidden):
    def draw(n0, n1, K):
        params = _net(rng, 1, n0, n1, K)[0]
        return params, {k: rng.normal(size=v.shape) for k, v in params.items()}

    fixed = [Case("the digits network's shapes, lr = 0.1", (*draw(64, 8, 10), 0.1)),
             Case("small shapes, lr = 0.5", (*draw(3, 2, 4), 0.5))]
    rand = [Case("random shapes, lr = 0.01", (*draw(*(int(v) for v in rng.integers(2, 9, 3))), 0.01))
            for _ in range(3 if hidden else 1)]
    return rand if hidden else fixed + rand


sgd_step = Check(
    "sgd_step", _sgd, _sgd_cases, rtol=1e-12, atol=1e-14,
    mistakes=[
        Mistake(lambda p, g, lr: _sgd(p, g, lr, sign=1.0),
                "the step goes uphill: theta <- theta - lr * grad (minus)."),
        Mistake(lambda p, g, lr: _sgd(p, g, lr, use_lr=False),
                "the learning rate is missing: theta <- theta - lr * grad."),
    ],
    forbidden=["nnkit.SGD.step", "nnkit.Adam.step"],
)


# ------------------------------------------------------------------ predict
_MODEL_KEYS = _KEYS + ("mean",)


def _predict(model, X, *, scale=True, centre=True, relu=True):
    Xs = (X / 16.0 if scale else X) - (model["mean"] if centre else 0.0)
    e1 = Xs @ model["W1"].T + model["b1"]
    h = np.maximum(e1, 0.0) if relu else e1
    return (h @ model["W2"].T + model["b2"]).argmax(axis=1)


def _model(rng, n1, scale=3.0):
    """A random model whose decisions depend on every step (scaling, centring, ReLU)."""
    return {"W1": scale * rng.normal(size=(n1, 64)) / 8, "b1": rng.normal(size=n1),
            "W2": rng.normal(size=(10, n1)), "b2": 0.5 * rng.normal(size=10),
            "mean": rng.uniform(0.0, 1.0, size=64)}


def _predict_cases(rng, hidden):
    X = nk.data.digits()[0]
    fixed = [Case("a random model with 16 hidden units, 12 raw digits (pixels 0..16)",
                  (_model(rng, 16), X[:12])),
             Case("a random model with 3 hidden units, one digit", (_model(rng, 3), X[100:101]))]
    rows = rng.choice(len(X), size=300 if hidden else 25, replace=False)
    rand = [Case(f"a random model with {n1} hidden units, {len(rows)} digits",
                 (_model(rng, n1), X[rows])) for n1 in ((64, 7) if hidden else (int(rng.integers(2, 40)),))]
    return rand if hidden else fixed + rand


predict = Check(
    "predict", _predict, _predict_cases,
    mistakes=[
        Mistake(lambda m, X: _predict(m, X, scale=False),
                "the pixels are not divided by 16: prepare X exactly as training did, X / 16 - mean."),
        Mistake(lambda m, X: _predict(m, X, centre=False),
                "the training mean is not subtracted: X / 16 - model['mean']."),
        Mistake(lambda m, X: _predict(m, X, relu=False),
                "the ReLU is missing: h = max(0, e1)."),
    ],
    on_error=lambda exc, case: ("the model is a dict with the keys W1, b1, W2, b2 and mean."
                                if isinstance(exc, KeyError) else None),
    forbidden=["nnkit.Dense.forward", "nnkit.Sequential.forward", "nnkit.ReLU.forward"],
)


# ------------------------------------------------------------------ train_digits
@dataclass
class ScoredCase(Case):
    """A training case: the function trains on ``args``; its model is scored on ``score_on``."""

    score_on: tuple = ()
    part: str = "validation"


def _reference_train(X, y, rng, epochs=30, lr=0.1, lam=1e-4, hidden=64, batch=32):
    """Lecture 09's recipe with plain SGD: /16, centre, He init, mini-batches, L2."""
    mean = (X / 16.0).mean(axis=0)
    Xs = X / 16.0 - mean
    params = {"W1": rng.standard_normal((hidden, 64)) * np.sqrt(2 / 64), "b1": np.zeros(hidden),
              "W2": rng.standard_normal((10, hidden)) * np.sqrt(2 / hidden), "b2": np.zeros(10)}
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(Xs))
        total = 0.0
        for start in range(0, len(Xs), batch):
            rows = order[start:start + batch]
            loss, grads = _loss_grads(params, Xs[rows], y[rows], lam)
            params = _sgd(params, grads, lr)
            total += loss * len(rows)
        losses.append(total / len(Xs))
    return {**params, "mean": mean}, losses


def _train_cases(rng, hidden):
    Xtr, ytr, Xva, yva = digits_data()
    if hidden:
        seed = int(rng.integers(10_000))
        return [ScoredCase(f"the training part, retrained with np.random.default_rng({seed}), "
                           f"scored on held-out digits", (Xtr, ytr, seeded(seed)),
                           score_on=_held_out(), part="held-out")]
    return [ScoredCase("the exercise's training part (digits_data()), rng "
                       "np.random.default_rng(0), scored on its validation part",
                       (Xtr, ytr, seeded(0)), score_on=(Xva, yva))]


def _losses_problem(losses):
    """What is wrong with the per-epoch losses, or ``None``."""
    try:
        values = np.asarray(losses, dtype=float).ravel()
    except (TypeError, ValueError):
        return f"losses should be a list of numbers, one per epoch; got {fmt(losses)}."
    if values.size < 2:
        return "losses should hold one number per epoch, at least two epochs."
    if not np.isfinite(values).all():
        return ("the loss became NaN or infinite during training. Either the softmax overflows "
                "(subtract each row's maximum before np.exp) or the learning rate is so large that "
                "training diverged (try a smaller one).")
    labels = ("or the labels do not belong to the rows of the batch (index X and y with the "
              "same rows)")
    if values[-1] > values[0]:
        return (f"the loss rose from {values[0]:.3g} to {values[-1]:.3g}: the update goes uphill "
                f"(theta <- theta - lr * grad), or the learning rate is too large, {labels}.")
    if values[-1] > 0.7 * values[0]:
        return (f"the loss hardly fell ({values[0]:.3g} -> {values[-1]:.3g}): check the sign of the "
                f"update and the gradients, raise the learning rate or the number of epochs, "
                f"{labels}.")
    if values[-1] > np.log(10):
        return (f"the loss ends at {values[-1]:.3g}, above ln 10 = 2.30, the loss of guessing "
                f"evenly: the network learned nothing. A learning rate far too large makes the "
                f"loss jump about like this; try 0.1.")
    return None


def _model_problem(model):
    """What is wrong with the shape of the returned model, or ``None``."""
    if not isinstance(model, dict) or set(model) != set(_MODEL_KEYS):
        keys = sorted(model) if isinstance(model, dict) else fmt(model)
        return (f"the model should be a dict with the keys {list(_MODEL_KEYS)} (the parameters and "
                f"the training mean of X / 16); got {keys}.")
    try:
        arrays = {k: np.asarray(v, dtype=float) for k, v in model.items()}
    except (TypeError, ValueError):
        return "every entry of the model should be a numeric array."
    for key, value in model.items():
        found = dtype_problem(value, f"model[{key!r}]", rtol=1e-7)
        if found:
            return found
    n1 = arrays["W1"].shape[0] if arrays["W1"].ndim == 2 else -1
    want = {"W1": (n1, 64), "b1": (n1,), "W2": (10, n1), "b2": (10,), "mean": (64,)}
    for key, shape in want.items():
        if arrays[key].shape != shape:
            return (f"model[{key!r}] has shape {arrays[key].shape}; expected {shape} for a "
                    f"64-{max(n1, 0)}-10 network.")
    return None


def _mean_loss_problem(model, losses, X, y):
    """``None`` unless the last epoch's loss is far below what the trained model's loss is.

    The last epoch's mean is taken while the weights still move, and it includes the student's
    L2 penalty (of a strength the check does not know), so it may lie above the final weights'
    cross-entropy, but not far below it: a loss summed over the batches without the batch
    sizes, or divided by them twice, is.
    """
    params = {k: np.asarray(model[k], dtype=float) for k in _KEYS}
    actual = _loss_grads(params, X / 16.0 - np.asarray(model["mean"], dtype=float), y, 0.0)[0]
    last = float(np.asarray(losses, dtype=float).ravel()[-1])
    if (last + 1e-3) / (actual + 1e-3) > 1 / 3:
        return None
    return (f"losses[-1] = {last:.3g}, far below the trained model's mean cross-entropy on the "
            f"training digits, {actual:.3g}: each entry of losses should be the mean loss over "
            f"that epoch's examples (a batch's mean loss times its size, summed over the batches, "
            f"divided by m).")


def _train_compare(got, case, reference):
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        return ("train_digits should return (model, losses): the dict of trained parameters and "
                f"mean, and the list of per-epoch training losses; got {fmt(got)}.")
    model, losses = got
    problem = _losses_problem(losses) or _model_problem(model)
    if problem:
        return problem
    X, y = case.score_on
    accuracy = float(np.mean(_predict(model, X) == y))
    case.accuracy = accuracy
    if accuracy >= PASS_ACCURACY:
        return _mean_loss_problem(model, losses, *case.args[:2])
    if accuracy < 0.2:
        return (f"{case.part} accuracy {accuracy:.1%}, about chance (10 %), although the loss fell. "
                f"Look for labels or shapes: is model['mean'] the training mean of X / 16, the one "
                f"training subtracted, and do the labels pick the right column of the softmax in "
                f"the gradient?")
    return (f"{case.part} accuracy {accuracy:.1%}, below {PASS_ACCURACY:.0%}: train for more "
            f"epochs, try another learning rate, and check the preprocessing (the reference reaches "
            f"about 97 %).")


class _ScoredCheck(Check):
    """A check whose report also gives the accuracy that each passing case reached."""

    def run(self, fn, seed=None, hidden=False, echo=False):
        self._last = []
        report = super().run(fn, seed=seed, hidden=hidden, echo=echo)
        if report.passed and self._last:
            reached = ", ".join(f"{part} accuracy {acc:.1%}" for part, acc in self._last)
            report.message = f"{report.message[:-1]}: {reached}."
        return report

    def _diagnose(self, got, case, *more):
        return None  # _train_compare names the mistake itself; no reference run is needed

    def _one(self, fn, case, echo):
        outcome = super()._one(fn, case, echo)
        if outcome is None and hasattr(case, "accuracy"):
            self._last.append((case.part, case.accuracy))
        return outcome


train_digits = _ScoredCheck(
    "train_digits", _reference_train, _train_cases, compare=_train_compare,
    forbidden=_FORBID_PIECES + ["nnkit.fit", "nnkit.SGD.step", "nnkit.Adam.step",
                                "nnkit.AdamW.step", "nnkit.RMSprop.step"],
    on_warning="numpy warned during training: an overflowing exp (subtract the row maximum) or a "
               "learning rate so large that the weights blow up.",
)
