"""nnkit.checks: right answers pass, known mistakes get their message, nothing raises.

The student functions come from the solution and exercise notebooks themselves (their
definitions, exactly as the grader extracts them), so these tests hold the checks against
the course's own code; planted mistakes are one-line edits of that code.
"""
import contextlib
import copy
import io
import linecache
import pathlib

import nbformat
import numpy as np
import pytest

import nnkit as nk
from nnkit import checks
from nnkit.checks import Report
from nnkit.checks._report import FORBIDDEN, NOT_IMPLEMENTED, PASSED
from nnkit.course.notebooks import definitions, tasks

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))


def functions(path, *replacements, extra=""):
    """The namespace made by a notebook's definitions, after ``(old, new)`` source edits."""
    nb = nbformat.read(path, as_version=4)
    for old, new in replacements:
        hits = [c for c in nb.cells if c.cell_type == "code" and old in c.source]
        assert len(hits) == 1, f"{old!r} should occur in exactly one cell of {path.name}"
        hits[0].source = hits[0].source.replace(old, new)
    if extra:
        nb.cells.append(nbformat.v4.new_code_cell(extra))
    cells, notes = definitions(nb)
    assert not notes, notes
    ns = {}
    for index, code in cells:
        # As in Jupyter, the source stays readable, so a warning can quote the student's line.
        filename = f"<{path.stem} cell {index}>"
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        exec(compile(code, filename, "exec"), ns)
    return ns


def check_of(task):
    return getattr(getattr(checks, task.module), task.check)


def test_every_task_has_a_check_and_names_are_unique():
    all_tasks = [t for p in SOLUTIONS for t in tasks(nbformat.read(p, as_version=4))]
    lectures = sorted(f"lecture{p.name[:2]}" for p in SOLUTIONS)
    assert lectures and lectures == sorted(checks.LECTURES), \
        f"one solution notebook per checks module: notebooks {lectures}, checks {sorted(checks.LECTURES)}"
    names = [t.name for t in all_tasks]
    assert len(names) == len(set(names)), f"task names repeat across notebooks: {names}"
    assert sorted(names) == sorted(checks.all_checks()), "every check is used by exactly one task"
    for p in SOLUTIONS:
        n = len(tasks(nbformat.read(p, as_version=4)))
        assert 3 <= n <= 6, f"{p.name} has {n} tasks; expected 3 to 6"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solutions_pass_every_check_and_hidden_test(path):
    ns = functions(path)
    for task in tasks(nbformat.read(path, as_version=4)):
        report = check_of(task).run(ns[task.function])
        assert report.passed and report.status == PASSED, report.text
        assert report.points == report.max_points == 1.0
        scope = dict(ns, np=np, nk=nk, checks=checks)
        exec(task.hidden, scope)  # raises if a hidden test fails


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_untouched_exercises_are_not_implemented_and_checks_do_not_raise(path):
    ns = functions(path)
    for task in tasks(nbformat.read(ROOT / "solutions" / path.name, as_version=4)):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            report = check_of(task)(ns[task.function])
        assert isinstance(report, Report)
        assert not report.passed and report.status == NOT_IMPLEMENTED and report.points == 0
        assert out.getvalue().startswith(f"[TODO] {task.check}: not implemented yet"), out.getvalue()
        with pytest.raises(AssertionError, match="not implemented"):
            check_of(task).assert_passes(ns[task.function], seed=1)


# One-line edits of the solutions that make the classic mistakes, and what the check must say.
PLANTED = [
    # the six mistakes the course promises to recognise
    ("04_backpropagation", "output_error", "return (Yhat - Y) / len(Y)", "return Yhat - Y",
     "the 1/n is missing"),
    ("01_forward_pass", "dense_forward", "return X @ W.T + b", "return X @ W + b",
     "W is used transposed"),
    ("04_backpropagation", "hidden_error", "return s * (1 - s) * (eps @ W2)", "return eps @ W2",
     "sigma'(e1) is missing"),
    ("06_classifiers_cross_entropy", "softmax", "shifted = Z - Z.max(axis=1, keepdims=True)",
     "shifted = Z", "the exponent overflowed"),
    ("03_gradient_descent", "gradient_descent", "theta = theta - lr * grad(theta)",
     "theta = theta + lr * grad(theta)", "wrong sign"),
    ("03_gradient_descent", "mse_gradient", "residual = X @ w - y[:, 0]", "residual = X @ w - y",
     "broadcast silently"),
    # more of each kind, across the lectures
    ("01_forward_pass", "two_layer_forward", "hidden = nk.functional.sigmoid(dense_forward(X, W1, b1))",
     "hidden = dense_forward(X, W1, b1)", "sigma is missing"),
    ("01_forward_pass", "count_parameters", "total += n_next * (n_prev + 1)",
     "total += n_next * n_prev", "biases are not counted"),
    ("02_universal_approximation", "sum_of_sigmoids", "(x[:, None] - centers[None, :])",
     "(x - centers)", "elementwise"),
    ("02_universal_approximation", "staircase", "return values[0], centers, np.diff(values)",
     "return values[0], centers, values[1:]", "increment"),
    ("02_universal_approximation", "convergence_rate", "return float(-slope)", "return float(slope)",
     "sign is flipped"),
    ("03_gradient_descent", "numerical_gradient", "grad[j] = (f(x + step) - f(x - step)) / (2 * h)",
     "grad[j] = (f(x + step) - f(x)) / h", "forward differences"),
    ("03_gradient_descent", "sgd_epoch", "order = rng.permutation(len(X))", "order = np.arange(len(X))",
     "shuffle"),
    ("04_backpropagation", "output_layer_gradients", "dW2 = eps.T @ h", "dW2 = h.T @ eps",
     "dW2 is transposed"),
    ("04_backpropagation", "two_layer_gradients", "delta = hidden_error(eps, W2, e1)",
     "delta = eps @ W2", "sigma'(e1) is missing"),
    ("05_nonlinearities", "sigmoid",
     "z = np.exp(-np.abs(x))\n    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))",
     "return 1 / (1 + np.exp(-x))", "overflows"),
    ("05_nonlinearities", "sigmoid_grad", "s = sigmoid(x)\n    return s * (1 - s)",
     "return x * (1 - x)", "applied it to the input x"),
    ("05_nonlinearities", "tanh_grad", "return 1 - t ** 2", "return 1 - t", "square is missing"),
    ("05_nonlinearities", "leaky_relu_grad", "return np.where(x > 0, 1.0, slope)",
     "return np.where(x > 0, 1.0, 0.0)", "ReLU's derivative"),
    ("05_nonlinearities", "prelu_slope_grad", "np.sum(dY * np.minimum(x, 0.0))",
     "np.sum(np.minimum(x, 0.0))", "upstream gradient dY is missing"),
    ("06_classifiers_cross_entropy", "cross_entropy", "return float(np.mean(log_sum - Z[np.arange(n), y]))",
     "return float(np.sum(log_sum - Z[np.arange(n), y]))", "the 1/n is missing"),
    ("06_classifiers_cross_entropy", "cross_entropy",
     "m = Z.max(axis=1)\n    log_sum = m + np.log(np.exp(Z - m[:, None]).sum(axis=1))",
     "log_sum = np.log(np.exp(Z).sum(axis=1))", "the exponent overflowed: log(sum(exp(z)))"),
    ("06_classifiers_cross_entropy", "cross_entropy_grad", "return G / n", "return G", "1/n is missing"),
    ("06_classifiers_cross_entropy", "bce_gradient", "r = (a - y) / len(X)",
     "r = (a - y) * a * (1 - a) / len(X)", "quadratic cost's gradient"),
    ("07_training_practice", "init_weights", '{"xavier": 1.0, "he": 2.0}[method]',
     '{"xavier": 2.0, "he": 1.0}[method]', "scale"),
    ("07_training_practice", "init_weights",
     "return rng.standard_normal((fan_out, fan_in)) * np.sqrt(gain / fan_in)",
     "return rng.random((fan_out, fan_in)) * np.sqrt(gain / fan_in)", "np.random.rand"),
    ("07_training_practice", "batchnorm_forward", "var = X.var(axis=0)", "var = X.var(axis=0, ddof=1)",
     "n - 1"),
    ("07_training_practice", "batchnorm_backward",
     "dX = gamma * inv_std * (dY - dY.mean(axis=0) - xhat * (dY * xhat).mean(axis=0))",
     "dX = gamma * inv_std * dY", "treated as constants"),
    ("07_training_practice", "pca_whiten", "return Xc @ U / np.sqrt(lam + eps)",
     "return Xc @ U / (lam + eps)", "square root"),
    ("07_training_practice", "pca_whiten", "lam, U = lam[order], U[:, order]", "pass",
     "increasing order"),
    ("07_training_practice", "random_search",
     "params = {name: 10 ** rng.uniform(np.log10(lo), np.log10(hi))",
     "params = {name: rng.uniform(lo, hi)", "uniform between lo and hi"),
    # the review's gaps: each lost its marks without the right message, or passed
    ("06_classifiers_cross_entropy", "softmax", "shifted = Z - Z.max(axis=1, keepdims=True)",
     "shifted = Z - Z.max()", "largest logit of the whole batch"),
    ("06_classifiers_cross_entropy", "cross_entropy_grad", "shifted = Z - Z.max(axis=1, keepdims=True)",
     "shifted = Z - Z.max()", "largest logit of the whole batch"),
    ("06_classifiers_cross_entropy", "cross_entropy", "m = Z.max(axis=1)",
     "m = np.full(len(Z), Z.max())", "largest logit of the whole batch"),
    ("06_classifiers_cross_entropy", "softmax", "e.sum(axis=1, keepdims=True)", "e.sum(axis=1)",
     "keepdims=True"),
    ("03_gradient_descent", "numerical_gradient", "grad = np.zeros(x.shape)",
     "h = 1e-6\n    grad = np.zeros(x.shape)", "h is ignored"),
    ("07_training_practice", "random_search", "if value < best_value:", "if value <= best_value:",
     "on a tie"),
    ("07_training_practice", "l2_penalty", 'if name.startswith("W"):', 'if name[0] in "Wb":',
     "the biases are penalised too"),
    ("07_training_practice", "l2_penalty", "value += lam / 2 * np.sum(W ** 2)",
     "value += lam * np.sum(W ** 2)", "the 1/2 is missing from the value"),
    ("07_training_practice", "l2_penalty", "new_grads[name] = g + lam * W", "new_grads[name] = g",
     "left out of the gradient"),
    ("04_backpropagation", "output_error", "return (Yhat - Y) / len(Y)",
     "return (Yhat - Y) / (2 * len(Y))", "divided by 2n"),
    ("02_universal_approximation", "convergence_rate",
     "slope, _ = np.polyfit(np.log(Ns), np.log(errors), 1)",
     "slope = np.mean(np.diff(np.log(errors)) / np.diff(np.log(Ns)))", "telescopes"),
    ("07_training_practice", "init_weights",
     "return rng.standard_normal((fan_out, fan_in)) * np.sqrt(gain / fan_in)",
     "scale = np.sqrt(2 / (fan_in + fan_out)) if method == 'xavier' else np.sqrt(gain / fan_in)\n"
     "    return rng.standard_normal((fan_out, fan_in)) * scale", "original Xavier"),
    ("07_training_practice", "batchnorm_backward", "dgamma = (dY * xhat).sum(axis=0)",
     "dgamma = (dY * xhat).mean(axis=0)", "dgamma averages"),
    ("07_training_practice", "pca_whiten", "return Xc @ U / np.sqrt(lam + eps)",
     "return Xc @ U / np.sqrt(lam)", "eps is missing or ignored"),
    ("04_backpropagation", "tanh_network_gradients", "delta = (1 - h ** 2) * (eps @ W2)",
     "delta = h * (1 - h) * (eps @ W2)", "sigmoid's pattern"),
    ("04_backpropagation", "two_layer_gradients",
     "delta = hidden_error(eps, W2, e1)\n    return delta.T @ X, delta.sum(axis=0), dW2, db2",
     "delta = hidden_error(eps, W2, e1)\n    return X.T @ delta, delta.sum(axis=0), dW2, db2",
     "dW1 is transposed"),
    ("01_forward_pass", "two_layer_forward", "return dense_forward(hidden, W2, b2)",
     "return hidden @ W2 + b2", "W2 is used transposed (W1 is right)"),
    ("03_gradient_descent", "sgd_epoch",
     "for start in range(0, len(X), batch_size):\n        batch = order[start:start + batch_size]",
     "for batch in np.array_split(order, -(-len(X) // batch_size)):", "np.array_split"),
    ("09_digits", "loss_and_gradients", "delta = (eps @ W2) * (e1 > 0)", "delta = eps @ W2",
     "ReLU's derivative is missing"),
    ("09_digits", "loss_and_gradients", "eps /= n", "pass", "the 1/n is missing"),
    ("09_digits", "loss_and_gradients", "shifted = Z - Z.max(axis=1, keepdims=True)", "shifted = Z",
     "subtract each row's maximum"),
    ("09_digits", "sgd_step", "params[key] - lr * grads[key]", "params[key] + lr * grads[key]",
     "uphill"),
    # the whole loop: the failures the exercise promises to name
    ("09_digits", "train_digits", "params = sgd_step(params, grads, lr)",
     "params = sgd_step(params, grads, -lr)", "loss rose"),
    ("09_digits", "train_digits", "epochs, lr, lam, hidden, batch = 30, 0.1,",
     "epochs, lr, lam, hidden, batch = 30, 1e-5,", "loss hardly fell"),
    ("09_digits", "train_digits", "epochs, lr, lam, hidden, batch = 30, 0.1,",
     "epochs, lr, lam, hidden, batch = 30, 50.0,", "above ln 10"),
    ("09_digits", "predict", 'return (h @ model["W2"].T + model["b2"]).argmax(axis=1)',
     'return (h @ model["W2"].T + model["b2"])', "has shape (12, 10); expected (12,)"),
    ("09_digits", "predict", 'h = np.maximum((X / 16.0 - model["mean"]) @', 'h = np.maximum((X - model["mean"]) @',
     "not divided by 16"),
    ("09_digits", "train_digits", 'return {**params, "mean": mean}, losses',
     'return {**params, "mean": X.mean(axis=0)}, losses', "about chance"),
    ("09_digits", "train_digits", "y[rows], lam)", "y[order[:len(rows)]], lam)",
     "labels do not belong to the rows"),
    ("09_digits", "train_digits", 'return {**params, "mean": mean}, losses', 'return params, losses',
     "the keys ['W1', 'b1', 'W2', 'b2', 'mean']"),
]


@pytest.mark.parametrize("notebook, task, old, new, says", PLANTED,
                         ids=[f"{p[1]}:{(p[4] or p[3])[:24]}" for p in PLANTED])
def test_planted_mistake_fails_with_its_message(notebook, task, old, new, says):
    ns = functions(ROOT / "solutions" / f"{notebook}.ipynb", (old, new))
    report = checks.all_checks()[task].run(ns[task])
    assert not report.passed and report.points == 0, report.text
    says = says or "It looks like this mistake"
    assert says in report.message, f"expected {says!r} in:\n{report.message}"


def test_a_wrong_answer_without_a_known_mistake_says_where_and_by_how_much():
    ns = functions(ROOT / "solutions" / "01_forward_pass.ipynb",
                   ("return X @ W.T + b", "return X @ W.T + b + 0.5 * (X @ W.T > 1)"))
    report = checks.lecture01.dense_forward.run(ns["dense_forward"])
    assert not report.passed
    assert "wrong on" in report.message and "at index" in report.message
    assert "expected" in report.message and "difference" in report.message
    assert "It looks like" not in report.message


def test_wrong_shape_is_named():
    report = checks.lecture04.output_layer_gradients.run(lambda eps, h: (h.T @ eps, eps.sum(axis=0)))
    assert not report.passed and "transposed" in report.message
    report = checks.lecture02.sum_of_sigmoids.run(
        lambda x, c, h, s, offset=0.0: offset + h * nk.functional.sigmoid(s * (x[:, None] - c)))
    assert "shape" in report.message and "not added up" in report.message


FORBIDDEN_ANSWERS = {
    "attribute chain": ("softmax", "def softmax(Z):\n    return nk.functional.softmax(Z, axis=1)"),
    "alias bound before the check": (
        "softmax", "from nnkit.functional import softmax as _sm\n\n"
                   "def softmax(Z):\n    return _sm(Z, axis=1)"),
    "through a helper": ("softmax", "def _helper(Z):\n    return nk.functional.softmax(Z, axis=1)\n\n"
                                    "def softmax(Z):\n    return _helper(Z)"),
    "through a layer": ("softmax", "def softmax(Z):\n    return nk.Softmax().forward(Z)"),
    "a method": ("dense_forward", "def dense_forward(X, W, b):\n"
                                  "    layer = nk.Dense(W.shape[1], W.shape[0])\n"
                                  "    layer.W[...], layer.b[...] = W, b\n    return layer.forward(X)"),
    "a re-exported function": ("numerical_gradient",
                               "def numerical_gradient(f, x, h=1e-6):\n"
                               "    return nk.numerical_gradient(lambda: f(x), x.copy(), h)"),
    "a loss object": ("cross_entropy", "def cross_entropy(Z, y):\n"
                                       "    return nk.SoftmaxCrossEntropyLoss()(Z, y)"),
    "a preprocessing class": ("pca_whiten", "def pca_whiten(X, eps=1e-5):\n"
                                            "    return nk.preprocess.Whiten(eps).fit_transform(X)"),
    "a penalty object": ("l2_penalty", "def l2_penalty(params, grads, lam):\n"
                                       "    net = nk.MLP([2, 3, 2])\n"
                                       "    return nk.L2Penalty(lam)(net.parameters()), grads"),
    "an optimiser's weight decay": (
        "l2_penalty", "def l2_penalty(params, grads, lam):\n"
                      "    new = {}\n"
                      "    for k, W in params.items():\n"
                      "        if not k.startswith('W'):\n"
                      "            new[k] = grads[k]\n"
                      "            continue\n"
                      "        layer = nk.Dense(W.shape[1], W.shape[0])\n"
                      "        layer.W[...], layer.dW[...] = W, 0.0\n"
                      "        layer.b[...], layer.db[...] = 0.0, 0.0\n"
                      "        nk.SGD(layer.parameters(), lr=1.0, weight_decay=lam).step()\n"
                      "        new[k] = grads[k] + (W - layer.W)  # the step was lr * lam * W\n"
                      "    value = lam / 2 * sum(np.sum(W ** 2) for k, W in params.items() if k.startswith('W'))\n"
                      "    return value, new"),
}


@pytest.mark.parametrize("task, code", FORBIDDEN_ANSWERS.values(), ids=list(FORBIDDEN_ANSWERS))
def test_calling_nnkits_own_implementation_earns_nothing(task, code):
    ns = {"np": np, "nk": nk}
    exec(code, ns)
    report = checks.all_checks()[task].run(ns[task])
    assert not report.passed and report.points == 0 and report.status == FORBIDDEN, report.text
    assert "nnkit's own" in report.message and "earns no marks" in report.message
    if "Whiten" in code:  # named as the student wrote it, not after the base class
        assert "Whiten" in report.message and "Center" not in report.message, report.message
    # the real functions are back in place afterwards
    assert nk.functional.softmax.__module__ == "nnkit.functional"
    assert not hasattr(nk.functional.softmax, "__nnkit_forbidden__")
    assert not hasattr(nk.Dense.forward, "__nnkit_forbidden__")


def test_using_nnkit_for_something_else_is_fine():
    # two_layer_forward may use nk.functional.sigmoid; cross_entropy_grad may use the student's softmax.
    ns = functions(ROOT / "solutions" / "06_classifiers_cross_entropy.ipynb")
    assert checks.lecture06.cross_entropy_grad.run(ns["cross_entropy_grad"]).passed
    ns = functions(ROOT / "solutions" / "01_forward_pass.ipynb")
    assert checks.lecture01.two_layer_forward.run(ns["two_layer_forward"]).passed


def _raise(exc):
    raise exc


@pytest.mark.parametrize("answer, says", [
    (lambda X, W, b: None, "None (did you forget `return`?)"),
    (lambda X, W, b: "hello", "str"),
    (lambda X, W, b: [[1, 2]], "has shape (1, 2)"),
    (lambda X, W, b: _raise(ValueError("boom")), "raised ValueError"),
    (lambda X, W, b: _raise(SystemExit(3)), "raised SystemExit"),
    (lambda X, W, b: W @ X + b, "The shapes of a matrix product do not line up"),
    (lambda *args, **kw: iter(()), "numeric"),
    (42, "expected the function"),
])
def test_garbage_gives_a_report_not_an_exception(answer, says):
    report = checks.lecture01.dense_forward.run(answer)
    assert isinstance(report, Report) and not report.passed, report.text
    assert says in report.message, report.message


def test_changing_an_input_in_place_is_reported():
    def pca_whiten(X, eps=1e-5):
        X -= X.mean(axis=0)
        return nk.functional.identity(X)  # anything: the mutation is found first

    report = checks.lecture07.pca_whiten.run(pca_whiten)
    assert not report.passed and "changed its input" in report.message


def test_numpy_warnings_fail_even_with_the_right_values():
    report = checks.lecture05.sigmoid.run(lambda x: 1 / (1 + np.exp(-np.asarray(x, dtype=float))))
    assert not report.passed and "numpy warned" in report.message and "overflow" in report.message


def test_not_implemented_in_a_helper_names_the_helper():
    ns = functions(ROOT / "exercises" / "05_nonlinearities.ipynb")
    ns["sigmoid_grad"] = functions(ROOT / "solutions" / "05_nonlinearities.ipynb")["sigmoid_grad"]
    ns["sigmoid_grad"].__globals__["sigmoid"] = ns["sigmoid"]
    report = checks.lecture05.sigmoid_grad.run(ns["sigmoid_grad"])
    assert report.status == NOT_IMPLEMENTED and "raised in `sigmoid`" in report.message


def test_report_prints_once_and_round_trips(capsys):
    ns = functions(ROOT / "solutions" / "05_nonlinearities.ipynb")
    report = checks.lecture05.tanh_grad(ns["tanh_grad"])
    assert capsys.readouterr().out == "[PASS] tanh_grad: passed all 5 cases.\n"
    assert report.passed and report.task == "tanh_grad" and report.message.startswith("passed")
    assert Report.from_dict(report.to_dict()) == report
    assert "passed=True" in repr(report) and str(report) == report.text


def test_what_a_function_prints_is_cut_off(capsys):
    def chatty(X, W, b):
        print("x" * 100_000)
        return X @ W.T + b

    assert checks.lecture01.dense_forward(chatty).passed
    assert len(capsys.readouterr().out) < 6 * 4000 + 1000


def test_hidden_runs_use_other_cases_than_the_visible_ones():
    check = checks.lecture03.mse_gradient
    visible = check.cases()
    hidden = check.cases(seed=1303, hidden=True)
    assert [c.label for c in visible] != [c.label for c in hidden]
    memo = {}

    def hard_coded(X, y, w):  # returns the right answers for the visible cases only
        key = (X.shape, float(X.sum()))
        return memo[key] if key in memo else np.zeros(X.shape[1])

    for case in visible:
        X, y, w = case.args
        memo[(X.shape, float(X.sum()))] = X.T @ (X @ w - y[:, 0]) / len(X)
    assert check.run(hard_coded).passed
    with pytest.raises(AssertionError, match="mse_gradient"):
        check.assert_passes(hard_coded, seed=1303)


def test_checks_are_reproducible():
    for check in checks.all_checks().values():
        a, b = check.cases(), check.cases()
        assert [c.label for c in a] == [c.label for c in b]
        for ca, cb in zip(a, b):
            for x, y in zip(ca.args, cb.args):
                if isinstance(x, np.ndarray):
                    assert np.array_equal(x, y)


def test_checks_import_only_numpy_and_nnkit_core():
    import subprocess
    import sys
    code = ("import sys; import nnkit.checks; "
            "bad = [m for m in ('matplotlib', 'ipywidgets', 'nbformat', 'nbclient') if m in sys.modules]; "
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


# ------------------------------------------------------------------ every listed mistake
def _every_mistake():
    return [(task, i) for task, check in checks.all_checks().items()
            for i in range(len(check.mistakes))]


def _without_forbidden(check):
    # A mistake's own code may call nnkit (F.softmax(Z, axis=0)); here only its message matters.
    bare = copy.copy(check)
    bare.forbidden = []
    return bare


@pytest.mark.parametrize("task, index", _every_mistake(),
                         ids=[f"{t}-{i}" for t, i in _every_mistake()])
def test_every_listed_mistake_is_named_on_the_visible_cases(task, index):
    check = checks.all_checks()[task]
    mistake = check.mistakes[index]

    def planted(*args, **kwargs):
        return mistake.compute(*args, **kwargs)

    report = _without_forbidden(check).run(planted)
    assert not report.passed, f"{task}: the mistake {mistake.message!r} passes every visible case"
    assert mistake.message in report.message, (
        f"{task}: planted {mistake.message!r}\nbut the check said: {report.message}")
