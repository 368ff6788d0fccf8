"""Checks for exercise 05, nonlinearities: a stable sigmoid, the derivatives of the
sigmoid, tanh and leaky ReLU, and the gradient of PReLU's slope."""
from __future__ import annotations

import numpy as np

import nnkit as nk

from ._check import Case, Check, Mistake
from ._compare import difference


F = nk.functional
_EXTREMES = np.array([-1000.0, -50.0, -5.0, -0.5, 0.0, 0.5, 5.0, 50.0, 1000.0])
_OVERFLOW = ("np.exp overflows for arguments above about 709, and these inputs reach +-1000. "
             "Exponentiate only numbers that are never positive: z = np.exp(-np.abs(x)), then "
             "1 / (1 + z) where x >= 0 and z / (1 + z) where x < 0 (np.where may choose "
             "between these two, since neither overflows anywhere).")


def _elementwise_cases(extremes=True, avoid_zero=False):
    def cases(rng, hidden):
        fixed = [Case("a 2-D array of shape (3, 4)", (rng.normal(scale=3, size=(3, 4)),)),
                 Case("a single number, x = 0.3", (0.3,))]
        if extremes:
            fixed.insert(0, Case("x from -1000 to 1000, where exp overflows if used naively",
                                 (_EXTREMES,)))
        shapes = [(1000,), (50, 40), (2, 3, 4)] if hidden else [(7,), (2, 5)]
        rand = [Case(f"random x of shape {s}", (rng.normal(scale=10, size=s),)) for s in shapes]
        cases_ = rand if hidden else fixed + rand
        if avoid_zero:
            for case in cases_:
                x = np.asarray(case.args[0], dtype=float)
                case.args = (np.where(x == 0, 0.25, x),) + case.args[1:] if x.ndim else case.args
        return cases_
    return cases


# ------------------------------------------------------------------ sigmoid
def _naive_ratio(x):
    x = np.asarray(x, dtype=float)
    return np.exp(x) / (1 + np.exp(x))


sigmoid = Check(
    "sigmoid", F.sigmoid, _elementwise_cases(),
    mistakes=[
        Mistake(_naive_ratio,
                "exp(x) / (1 + exp(x)) overflows for x = 1000: e^1000 = inf, and inf / inf = "
                "nan. That form is safe only for x < 0. " + _OVERFLOW),
        Mistake(lambda x: 1 / (1 + np.exp(np.asarray(x, dtype=float))),
                "this is sigma(-x): the sigmoid is 1 / (1 + exp(-x)), rising from 0 to 1."),
        Mistake(lambda x: 1 / (1 - np.exp(-np.asarray(x, dtype=float))),
                "the denominator is 1 + exp(-x)."),
    ],
    on_warning=_OVERFLOW,
    forbidden=["nnkit.functional.sigmoid", "nnkit.Sigmoid.forward", "nnkit.functional.softplus_grad"],
)


# ------------------------------------------------------------------ sigmoid_grad
def _as(x):
    return np.asarray(x, dtype=float)


sigmoid_grad = Check(
    "sigmoid_grad", F.sigmoid_grad, _elementwise_cases(),
    mistakes=[
        Mistake(lambda x: _as(x) * (1 - _as(x)),
                "h (1 - h) is the derivative written in terms of the output h = sigma(x); you "
                "applied it to the input x. Compute s = sigma(x) first, then s * (1 - s)."),
        Mistake(F.sigmoid, "this is sigma(x) itself; its derivative is sigma(x) (1 - sigma(x))."),
        Mistake(lambda x: F.sigmoid(x) * (1 + F.sigmoid(x)),
                "the sign inside is wrong: sigma' = sigma (1 - sigma)."),
        Mistake(lambda x: 1 - F.sigmoid(x) ** 2,
                "1 - sigma^2 is the pattern of tanh' = 1 - tanh^2; the sigmoid's is "
                "sigma (1 - sigma)."),
    ],
    on_warning=_OVERFLOW,
    forbidden=["nnkit.functional.sigmoid_grad", "nnkit.Sigmoid.backward"],
)


# ------------------------------------------------------------------ tanh_grad
def _naive_tanh(x):
    x = _as(x)
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


tanh_grad = Check(
    "tanh_grad", F.tanh_grad, _elementwise_cases(),
    mistakes=[
        Mistake(lambda x: 1 - np.tanh(_as(x)), "the square is missing: tanh' = 1 - tanh^2."),
        Mistake(lambda x: 1 - _as(x) ** 2,
                "1 - h^2 uses the output h = tanh(x); you squared the input x."),
        Mistake(lambda x: np.tanh(_as(x)) ** 2 - 1, "the sign is flipped: tanh' = 1 - tanh^2 >= 0."),
        Mistake(lambda x: 1 - _naive_tanh(x) ** 2,
                "(e^x - e^-x) / (e^x + e^-x) overflows to inf / inf = nan for |x| = 1000; use "
                "np.tanh, which is stable."),
        Mistake(lambda x: 1 / np.cosh(np.minimum(np.abs(_as(x)), 700)),
                "1 / cosh(x) is missing its square: tanh' = 1 / cosh^2(x) = 1 - tanh^2(x)."),
    ],
    on_warning=("np.cosh and np.exp overflow for |x| above about 710. Use np.tanh, which never "
                "overflows: t = np.tanh(x), then 1 - t**2."),
    forbidden=["nnkit.functional.tanh_grad", "nnkit.Tanh.backward"],
)


# ------------------------------------------------------------------ leaky_relu_grad
def _leaky_cases(rng, hidden):
    base = _elementwise_cases(extremes=False, avoid_zero=True)(rng, hidden)
    cases = [Case(c.label + ", slope 0.01 (the default)", c.args) for c in base[:2]]
    cases += [Case(c.label + ", slope 0.2", c.args, {"slope": 0.2}) for c in base[2:]]
    if not hidden:
        cases.append(Case("x = [-3, 0, 3] with slope 0.1 (at 0 either 1 or the slope is accepted)",
                          (np.array([-3.0, 0.0, 3.0]),), {"slope": 0.1}))
    return cases


def _leaky_compare(got, case, reference):
    want = np.asarray(reference(case), dtype=float)
    x = np.asarray(case.args[0], dtype=float)
    slope = case.kwargs.get("slope", 0.01)
    try:
        arr = np.array(got, dtype=float)
    except (TypeError, ValueError):
        arr = None
    if arr is not None and arr.shape == want.shape and want.ndim:
        kink = (x == 0) & np.isin(arr, (1.0, slope))
        want = np.where(kink, arr, want)  # the derivative does not exist at 0: accept either
    return difference(got, want, rtol=1e-7, atol=1e-10, name="your result")


leaky_relu_grad = Check(
    "leaky_relu_grad", F.leaky_relu_grad, _leaky_cases, compare=_leaky_compare,
    mistakes=[
        Mistake(lambda x, slope=0.01: (_as(x) > 0).astype(float),
                "this is ReLU's derivative: for x < 0 the leaky ReLU's slope is `slope`, not 0."),
        Mistake(lambda x, slope=0.01: F.leaky_relu(x, slope),
                "this is the leaky ReLU itself; its derivative is 1 for x > 0 and `slope` below."),
        Mistake(lambda x, slope=0.01: np.where(_as(x) > 0, slope, 1.0),
                "the two branches are swapped: 1 for x > 0, `slope` for x < 0."),
        Mistake(lambda x, slope=0.01: np.where(_as(x) > 0, 1.0, 0.01),
                "the slope is fixed at 0.01; use the `slope` argument."),
    ],
    forbidden=["nnkit.functional.leaky_relu_grad", "nnkit.LeakyReLU.backward", "nnkit.PReLU.backward"],
)


# ------------------------------------------------------------------ prelu_slope_grad
def _prelu_da(x, dY):
    return float(np.sum(dY * np.minimum(x, 0.0)))


def _prelu_cases(rng, hidden):
    def draw(shape):
        return rng.normal(size=shape), rng.normal(size=shape)

    fixed = [Case("x and dY of shape (4, 3)", draw((4, 3))),
             Case("x all positive: no gradient reaches the slope",
                  (np.abs(rng.normal(size=(3, 2))) + 0.1, rng.normal(size=(3, 2))))]
    shapes = [(200, 30), (1, 5)] if hidden else [(int(rng.integers(1, 8)), int(rng.integers(1, 8)))
                                                  for _ in range(2)]
    rand = [Case(f"random x and dY of shape {s}", draw(s)) for s in shapes]
    return rand if hidden else fixed + rand


prelu_slope_grad = Check(
    "prelu_slope_grad", _prelu_da, _prelu_cases,
    mistakes=[
        Mistake(lambda x, dY: float(np.sum(dY * x)),
                "every input contributes here; only the negative ones do, since f(x) = a x only "
                "for x < 0: da = sum dY * min(x, 0)."),
        Mistake(lambda x, dY: float(np.sum(np.minimum(x, 0.0))),
                "the upstream gradient dY is missing: da = sum dY * min(x, 0) (chain rule)."),
        Mistake(lambda x, dY: float(np.mean(dY * np.minimum(x, 0.0))),
                "averaged instead of summed: a is shared by every unit and example, so its "
                "gradient adds up all their contributions."),
        Mistake(lambda x, dY: float(np.sum(dY * (x < 0))),
                "the factor x is missing: d(a x)/da = x, so da = sum dY * min(x, 0)."),
        Mistake(lambda x, dY: float(np.sum(dY * np.maximum(x, 0.0))),
                "the positive side is used; the slope a multiplies the negative inputs."),
    ],
    forbidden=["nnkit.PReLU.backward"],
)
