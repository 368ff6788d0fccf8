"""What the checks say: written for a student, never confusing, and no correct style refused.

The review of December 2026 (../shared/reviews/2026-12-exercises.md) wrote correct answers
in other styles and plausible wrong ones; each is kept here with what the check must say.
"""
import pathlib

import nbformat
import numpy as np
import pytest

import nnkit as nk
from nnkit import checks
from nnkit.checks._compare import difference, fmt_pair
from nnkit.course.notebooks import tasks

from test_checks import functions

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"


def _define(code, **names):
    ns = {"np": np, "nk": nk, **names}
    exec(compile(code, "<answer>", "exec"), ns)
    return ns


# ------------------------------------------------------------------ other styles pass
OTHER_STYLES = {
    "dense_forward einsum": ("dense_forward", """
def dense_forward(X, W, b):
    return np.einsum("ni,oi->no", X, W) + b
"""),
    "dense_forward lists": ("dense_forward", """
def dense_forward(X, W, b):
    return [[sum(x[i] * w[i] for i in range(len(x))) + bk for w, bk in zip(W, b)] for x in X]
"""),
    "two_layer_forward loops": ("two_layer_forward", """
def two_layer_forward(X, W1, b1, W2, b2):
    out = np.zeros((len(X), len(b2)))
    for i, x in enumerate(X):
        h = [1 / (1 + np.exp(-(W1[k] @ x + b1[k]))) for k in range(len(b1))]
        for j in range(len(b2)):
            out[i, j] = np.dot(W2[j], h) + b2[j]
    return out
"""),
    "count_parameters numpy": ("count_parameters", """
def count_parameters(sizes):
    s = np.array(sizes)
    return int(np.sum(s[1:] * (s[:-1] + 1)))
"""),
    "xor_network lists": ("xor_network", """
def xor_network():
    return [[2, 2], [-2, -2]], [-1, 3], [[1, 1]], [-2]
"""),
    "sigmoid masks": ("sigmoid", """
def sigmoid(x):
    x = np.asarray(x, dtype=float)
    flat = x.reshape(-1)
    out = np.empty_like(flat)
    pos = flat >= 0
    out[pos] = 1 / (1 + np.exp(-flat[pos]))
    z = np.exp(flat[~pos])
    out[~pos] = z / (1 + z)
    return out.reshape(x.shape)
"""),
    "leaky_relu_grad mask": ("leaky_relu_grad", """
def leaky_relu_grad(x, slope=0.01):
    g = np.ones_like(np.asarray(x, dtype=float))
    g[np.asarray(x) < 0] = slope
    return g
"""),
    "numerical_gradient save and restore": ("numerical_gradient", """
def numerical_gradient(f, x, h=1e-6):
    g = np.zeros_like(x)
    for j in range(x.size):
        old = x[j]
        x[j] = old + h
        up = f(x)
        x[j] = old - h
        down = f(x)
        x[j] = old
        g[j] = (up - down) / (2 * h)
    return g
"""),
    "sgd_epoch one example at a time": ("sgd_epoch", """
def sgd_epoch(X, y, w, lr, batch_size, rng):
    order = list(rng.permutation(len(X)))
    w = w.astype(float)
    while order:
        batch, order = order[:batch_size], order[batch_size:]
        g = np.zeros_like(w)
        for i in batch:
            g += X[i] * (X[i] @ w - y[i, 0])
        w = w - lr * g / len(batch)
    return w
"""),
    "convergence_rate by the normal equations": ("convergence_rate", """
def convergence_rate(Ns, errors):
    u, v = np.log(Ns), np.log(errors)
    u0, v0 = u - u.mean(), v - v.mean()
    return float(-(u0 @ v0) / (u0 @ u0))
"""),
    "mse_gradient ravel and einsum": ("mse_gradient", """
def mse_gradient(X, y, w):
    return np.einsum("nd,n->d", X, X @ w - y.ravel()) / X.shape[0]
"""),
    "output_layer_gradients einsum": ("output_layer_gradients", """
def output_layer_gradients(eps, h):
    return np.einsum("nk,nj->kj", eps, h), np.einsum("nk->k", eps)
"""),
    "tanh_network_gradients through the sigmoid": ("tanh_network_gradients", """
def tanh_network_gradients(X, Y, W1, b1, W2, b2):
    e1 = X @ W1.T + b1
    h = 2 * nk.functional.sigmoid(2 * e1) - 1
    eps = (h @ W2.T + b2 - Y) / len(X)
    s = nk.functional.sigmoid(2 * e1)
    delta = 4 * s * (1 - s) * (eps @ W2)
    return np.einsum("nj,ni->ji", delta, X), delta.sum(0), np.einsum("nk,nj->kj", eps, h), eps.sum(0)
"""),
    "softmax loop over rows": ("softmax", """
def softmax(Z):
    rows = []
    for z in Z:
        e = np.exp(z - np.max(z))
        rows.append(e / np.sum(e))
    return np.array(rows)
"""),
    "cross_entropy log_softmax by hand": ("cross_entropy", """
def cross_entropy(Z, y):
    m = Z.max(axis=1, keepdims=True)
    logp = Z - m - np.log(np.exp(Z - m).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(y)), y].mean())
"""),
    "batchnorm_backward staged": ("batchnorm_backward", """
def batchnorm_backward(dY, X, gamma, eps=1e-5):
    n = X.shape[0]
    mu = X.mean(0)
    xc = X - mu
    var = (xc ** 2).mean(0)
    std = np.sqrt(var + eps)
    xhat = xc / std
    dxhat = dY * gamma
    dvar = np.sum(dxhat * xc * -0.5 * std ** -3, axis=0)
    dmu = np.sum(-dxhat / std, axis=0) + dvar * np.mean(-2 * xc, axis=0)
    dX = dxhat / std + dvar * 2 * xc / n + dmu / n
    return dX, np.sum(dY * xhat, axis=0), np.sum(dY, axis=0)
"""),
    "pca_whiten by SVD": ("pca_whiten", """
def pca_whiten(X, eps=1e-5):
    Xc = X - X.mean(axis=0)
    _, S, Vt = np.linalg.svd(Xc, full_matrices=False)
    return Xc @ Vt.T / np.sqrt(S ** 2 / len(X) + eps)
"""),
    "random_search with lists": ("random_search", """
def random_search(objective, bounds, n_trials, rng):
    trials = []
    for _ in range(n_trials):
        p = {}
        for name in bounds:
            lo, hi = bounds[name]
            p[name] = float(np.power(10.0, rng.uniform(np.log10(lo), np.log10(hi))))
        trials.append((objective(p), p))
    best = min(range(n_trials), key=lambda t: trials[t][0])
    return trials[best][1], trials[best][0]
"""),
    "l2_penalty by comprehension": ("l2_penalty", """
def l2_penalty(params, grads, lam):
    weights = [k for k in params if k[0] == "W"]
    value = 0.5 * lam * sum(float((params[k] * params[k]).sum()) for k in weights)
    return value, {k: g + lam * params[k] if k in weights else g.copy() for k, g in grads.items()}
"""),
}


@pytest.mark.parametrize("task, code", OTHER_STYLES.values(), ids=list(OTHER_STYLES))
def test_a_correct_answer_in_another_style_passes(task, code):
    check = checks.all_checks()[task]
    fn = _define(code)[task]
    report = check.run(fn)
    assert report.passed, report.text
    for seed in range(10):  # hidden cases of other sizes, from ten seeds
        check.assert_passes(fn, seed=seed)


# ------------------------------------------------------------------ the float policy
FLOAT32 = [
    ("dense_forward", lambda X, W, b: (X @ W.T + b).astype(np.float32)),
    ("sigmoid", lambda x: nk.functional.sigmoid(np.asarray(x, dtype=np.float32))),
    ("softmax", lambda Z: (lambda e: e / e.sum(axis=1, keepdims=True))(
        np.exp((Z - Z.max(axis=1, keepdims=True)).astype(np.float32)))),
    ("batchnorm_forward", lambda X, g, b, eps=1e-5: ((X - X.mean(0)) / np.sqrt(X.var(0) + eps)
                                                      * g + b).astype(np.float32)),
    ("sum_of_sigmoids", lambda x, c, h, s, offset=0.0: np.float32(offset) + nk.functional.sigmoid(
        s * (x[:, None] - c[None, :])).astype(np.float32) @ h.astype(np.float32)),
]


@pytest.mark.parametrize("task, answer", FLOAT32, ids=[t for t, _ in FLOAT32])
def test_a_float32_answer_is_refused_naming_the_dtype_and_the_tolerance(task, answer):
    check = checks.all_checks()[task]
    bare = checks.Check(task, check.reference, check._cases, rtol=check.rtol, atol=check.atol)
    report = bare.run(answer)
    assert not report.passed
    assert "float32" in report.message and f"{check.rtol:g}" in report.message, report.message
    assert "float64" in report.message


def test_numbers_that_differ_are_printed_differently():
    want, got = -0.48822612, -0.4882263470
    a, b = fmt_pair(want, got)
    assert a != b and float(a) == pytest.approx(want, abs=1e-7)
    text = difference(np.array([got]), np.array([want]), rtol=1e-9, atol=0)
    assert f"expected {a}, got {b}" in text, text
    for digits in range(1, 16):  # differences down to the last digits of float64
        x = 1.0 / 3.0
        y = x * (1 + 10.0 ** -digits)
        p, q = fmt_pair(x, y)
        assert p != q, (digits, p, q)


def test_every_solution_notebook_states_the_float_and_warning_policy():
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        intro = nbformat.read(path, as_version=4).cells[0].source
        assert "float64" in intro and "float32" in intro, path.name
        assert "warning" in intro and "counts as a failure" in intro, path.name


WARNED_TASKS = ["sum_of_sigmoids", "sigmoid", "sigmoid_grad", "tanh_grad", "softmax",
                "cross_entropy", "cross_entropy_grad", "tanh_network_gradients"]


def test_each_task_that_can_overflow_says_a_warning_fails():
    statements = {}
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for task in tasks(nb):
            cells = [c for c in nb.cells if c.cell_type == "markdown"
                     and f"`{task.function}(" in c.source]
            statements[task.check] = cells[0].source
    for task in WARNED_TASKS:
        assert "warning counts as a failure" in statements[task], task


# ------------------------------------------------------------------ warnings explained
def _solution_ns(notebook, *edits):
    return functions(SOLUTIONS / f"{notebook}.ipynb", *edits)


def test_the_np_where_trap_is_explained():
    ns = _solution_ns("05_nonlinearities", (
        "z = np.exp(-np.abs(x))\n    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))",
        "return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))"))
    report = checks.lecture05.sigmoid.run(ns["sigmoid"])
    assert not report.passed and report.message.startswith("right values"), report.message
    assert "overflow encountered in exp" in report.message
    assert "np.where(x >= 0, 1 / (1 + np.exp(-x))" in report.message  # the line that warned
    assert "evaluates both a and b for every element" in report.message
    assert "A warning counts as a failure" in report.message


def test_an_exact_formula_that_warns_is_told_why():
    ns = _solution_ns("05_nonlinearities", ("t = np.tanh(x)\n    return 1 - t ** 2",
                                            "return 1 / np.cosh(x) ** 2"))
    report = checks.lecture05.tanh_grad.run(ns["tanh_grad"])
    assert not report.passed and "overflow encountered in cosh" in report.message, report.message
    assert "only by luck" in report.message and "np.tanh" in report.message


def test_the_other_naive_form_is_told_about_itself():
    ns = _solution_ns("05_nonlinearities", (
        "z = np.exp(-np.abs(x))\n    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))",
        "return np.exp(x) / (1 + np.exp(x))"))
    report = checks.lecture05.sigmoid.run(ns["sigmoid"])
    assert "exp(x) / (1 + exp(x)) overflows for x = 1000" in report.message, report.message
    assert "For x = -1000" not in report.message


def test_keepdims_advice_is_reached_when_the_shapes_do_not_broadcast():
    ns = _solution_ns("06_classifiers_cross_entropy",
                      ("shifted = Z - Z.max(axis=1, keepdims=True)", "shifted = Z - Z.max(axis=1)"))
    with pytest.raises(AssertionError, match="keepdims=True, shape \\(n, 1\\)"):
        checks.lecture06.softmax.assert_passes(ns["softmax"], seed=1601)
    report = checks.lecture06.softmax.run(ns["softmax"])
    assert "Z.max(axis=1) has shape (n,)" in report.message, report.message


# ------------------------------------------------------------------ in place, by rounding
def test_an_in_place_perturbation_undone_by_arithmetic_is_explained():
    ns = _define("""
def numerical_gradient(f, x, h=1e-6):
    g = np.zeros_like(x)
    for j in range(x.size):
        x[j] += h
        up = f(x)
        x[j] -= 2 * h
        down = f(x)
        x[j] += h
        g[j] = (up - down) / (2 * h)
    return g
""")
    report = checks.lecture03.numerical_gradient.run(ns["numerical_gradient"])
    assert not report.passed and "changed its input x in place" in report.message, report.message
    assert "only by rounding" in report.message and "old = x[j]" in report.message


# ------------------------------------------------------------------ written for a student
def test_identifiers_keep_their_case():
    report = checks.lecture04.output_layer_gradients.run(
        lambda eps, h: (eps.T @ h, eps.sum(axis=0)[:, None]))
    assert "db2 has shape" in report.message and "Db2" not in report.message, report.message
    report = checks.lecture04.two_layer_gradients.run(
        lambda X, Y, W1, b1, W2, b2: (np.zeros_like(W1), np.zeros_like(b1), np.ones_like(W2),
                                      np.zeros_like(b2)))
    assert "dW1 is wrong" in report.message and "DW1" not in report.message, report.message
    report = checks.lecture01.xor_network.run(lambda: None)
    assert "xor_network should return" in report.message and "Xor" not in report.message
    report = checks.lecture01.xor_network.run(
        lambda: (np.ones((2, 2)), np.ones(2), np.ones((1, 2)), np.ones((1, 1))))
    assert "b2 has shape" in report.message and "B2" not in report.message, report.message


def test_one_case_reads_as_one_case():
    ns = _solution_ns("01_forward_pass")
    report = checks.lecture01.xor_network.run(ns["xor_network"])
    assert report.message == "passed the case.", report.message
    report = checks.lecture01.xor_network.run(
        lambda: (np.eye(2), np.zeros(2), np.ones((1, 2)), np.zeros(1)))
    assert "Inputs" not in report.message and "()" not in report.message, report.message
    report = checks.lecture01.dense_forward.run(_solution_ns("01_forward_pass")["dense_forward"])
    assert report.message == "passed all 6 cases.", report.message


def test_inputs_are_named_when_small_and_left_out_when_large():
    report = checks.lecture03.numerical_gradient.run(lambda f, x, h=1e-6: np.ones_like(x))
    assert "Inputs: f = seed_polynomial, x = [1., 2.]." in report.message, report.message
    wrong = lambda X, W, b: X @ W.T + b + 1.0  # noqa: E731
    report = checks.lecture01.dense_forward.run(wrong)  # X (4, 3): too large to be read
    assert "Inputs" not in report.message, report.message
    with pytest.raises(AssertionError) as raised:
        checks.lecture01.dense_forward.assert_passes(wrong, seed=3)
    assert "Inputs" not in str(raised.value)


def _texts():
    for name, check in checks.all_checks().items():
        for case in check.cases() + check.cases(seed=5, hidden=True):
            yield name, case.label
        for mistake in check.mistakes:
            yield name, mistake.message


def test_no_internal_jargon_in_the_feedback_or_the_tasks():
    for name, text in _texts():
        assert "seed slides" not in text and "the seed's" not in text, (name, text)
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            assert "seed slides" not in cell.source, path.name


def test_the_xor_network_label_is_right():
    labels = [c.label for c in checks.lecture01.count_parameters.cases()]
    xor = [label for label in labels if "XOR" in label]
    assert xor == ["sizes [2, 2, 1] (the XOR network)"], labels
    assert nk.MLP([2, 2, 1], rng=0).num_parameters() == 9  # what the XOR network has


def test_a_dict_of_arrays_is_left_out_of_the_inputs():
    def no_gradient(params, grads, lam):
        return lam / 2 * sum(float(np.sum(v ** 2)) for k, v in params.items() if k[0] == "W"), grads

    report = checks.lecture07.l2_penalty.run(no_gradient)
    assert not report.passed and "left out of the gradient" in report.message, report.message
    assert "Inputs:" not in report.message and "array(" not in report.message, report.message
