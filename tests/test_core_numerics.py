"""Stable numerics: ±1000 in, finite values and gradients out, and no numpy warnings."""
import warnings

import numpy as np
import pytest

import nnkit as nk
from nnkit import functional as F

EXTREME = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]])


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus",
                                  "softmax", "log_softmax", "logsumexp"])
def test_functions_finite_at_extremes(name):
    out = getattr(F, name)(EXTREME)
    assert np.all(np.isfinite(out)), f"functional.{name} gave {out} for {EXTREME}"
    grad = getattr(F, name + "_grad", None)
    if grad is not None:
        assert np.all(np.isfinite(grad(EXTREME)))


def test_extreme_values_are_right():
    assert F.sigmoid(np.array([-1000.0, 1000.0])).tolist() == [0.0, 1.0]
    assert F.softplus(np.array([1000.0]))[0] == 1000.0
    assert F.softmax(np.array([[1000.0, -1000.0]])).tolist() == [[1.0, 0.0]]
    assert F.log_softmax(np.array([[1000.0, -1000.0]]))[0, 1] == -2000.0
    assert F.logsumexp(np.array([1000.0, 1000.0])) == pytest.approx(1000 + np.log(2))
    # Full relative precision in the far tail, where 1 - sigmoid would round to 0:
    assert F.sigmoid(np.array([-40.0]))[0] == pytest.approx(np.exp(-40.0), rel=1e-12)


@pytest.mark.parametrize("layer", [nk.Sigmoid(), nk.Softplus(), nk.Tanh(), nk.ELU(), nk.Softmax(),
                                   nk.PReLU(), nk.LeakyReLU()])
def test_layers_finite_at_extremes(layer):
    Y = layer.forward(EXTREME)
    dX = layer.backward(np.ones_like(Y))
    assert np.all(np.isfinite(Y)) and np.all(np.isfinite(dX)), f"{layer}: {Y}, {dX}"


@pytest.mark.parametrize("loss, Y", [
    (nk.BCEWithLogitsLoss(), np.array([[0.0, 1.0, 1.0, 0.0, 1.0]])),
    (nk.SoftmaxCrossEntropyLoss(), np.array([0])),
    (nk.SoftmaxCrossEntropyLoss(), np.array([[1.0, 0.0, 0.0, 0.0, 0.0]])),
])
def test_logit_losses_finite_at_extremes(loss, Y):
    value = loss(EXTREME, Y)
    assert np.isfinite(value) and value > 0
    assert np.all(np.isfinite(loss.backward()))


def test_logit_losses_exact_at_extremes():
    # log softmax of the -1000 logit against a +1000 one is -2000: the loss says so.
    assert nk.SoftmaxCrossEntropyLoss()(EXTREME, np.array([0])) == pytest.approx(2000.0)
    assert nk.BCEWithLogitsLoss()(np.array([[-1000.0]]), np.array([[1.0]])) == pytest.approx(1000.0)


def test_finite_logits_whose_sum_overflows_are_accepted():
    # 1e308 + 1e308 overflows, yet every logit is finite: a finiteness check that took a
    # shortcut through the sum would refuse these. Two equal logits give log 2.
    Z = np.array([[1e308, 1e308], [-1e308, -1e308]])
    loss = nk.SoftmaxCrossEntropyLoss()
    assert loss(Z, np.array([0, 1])) == pytest.approx(np.log(2.0), rel=1e-15)
    assert np.array_equal(loss.backward(), np.full((2, 2), 0.25) - [[0.5, 0.0], [0.0, 0.5]])


def test_bce_on_saturated_probabilities_is_finite():
    loss = nk.BCELoss()
    value = loss(np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]]))
    assert value == pytest.approx(200.0), "log is floored at -100 per term, as in PyTorch"
    assert np.all(np.isfinite(loss.backward()))
    assert loss(np.array([[0.0, 1.0]]), np.array([[0.0, 1.0]])) == 0.0


def test_float32_is_kept_by_functions():
    x = np.array([[-1000.0, 0.0, 1000.0]], dtype=np.float32)
    assert F.sigmoid(x).dtype == np.float32
    assert F.softmax(x).dtype == np.float32
