"""Lecture 04 (back-propagation): its training records and data, figures and widgets."""
import copy

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnkit as nk
from nnkit.lectures.l04_backpropagation import compute as backprop
from nnkit.lectures.l04_backpropagation import figures as P
from nnkit.lectures.l04_backpropagation import widgets as WB

from figure_checks import assert_labelled, exercise


# --- data with a known conditional mean ----------------------------------------------------

def test_noisy_sine_shapes_and_mean():
    X, Y, mean = backprop.noisy_sine(4000, noise=0.3, rng=0)
    assert X.shape == Y.shape == mean.shape == (4000, 1)
    assert np.all(np.diff(X[:, 0]) >= 0) and X.min() >= 0 and X.max() <= 1
    assert np.allclose(mean, np.sin(2 * np.pi * X))
    assert abs(np.std(Y - mean) - 0.3) < 0.02 and abs(np.mean(Y - mean)) < 0.02
    assert np.array_equal(backprop.noisy_sine(10, rng=3)[1], backprop.noisy_sine(10, rng=3)[1])


@pytest.mark.parametrize("kind", ["normal", "skewed"])
def test_noisy_targets_have_the_stated_mean_and_spread(kind):
    y = backprop.noisy_targets(200_000, noise=0.7, kind=kind, mean=1.5, rng=0)
    assert y.shape == (200_000, 1)
    assert abs(y.mean() - 1.5) < 0.01 and abs(y.std() - 0.7) < 0.01


def test_noisy_targets_rejects_unknown_kind():
    with pytest.raises(ValueError, match="kind must be 'normal' or 'skewed'"):
        backprop.noisy_targets(5, kind="uniform")


@given(st.integers(1, 50), st.integers(0, 100))
def test_constant_losses_is_minimised_at_the_mean(n, seed):
    y = backprop.noisy_targets(n, 1.0, rng=seed)
    c = np.array([y.mean() - 0.1, y.mean(), y.mean() + 0.1])
    losses = backprop.constant_losses(y, c)
    assert losses.shape == (3,) and losses.argmin() == 1
    assert np.allclose(losses, 0.5 * ((c - y.mean()) ** 2 + y.var()))


# --- training records -------------------------------------------------------------------------

def test_snapshots_record_the_run():
    X, Y = nk.data.semicircle_parabola(20, rng=0)
    net = nk.MLP([2, 3, 2], activation="sigmoid", rng=1)
    start = [p.value.copy() for p in net.parameters()]
    record = backprop.snapshots(net, nk.MSELoss(), X, Y, epochs=12, every=4, lr=0.5)
    assert record["epoch"].tolist() == [0, 4, 8, 12]
    assert record["output"].shape == (4, 20, 2) and record["loss"].shape == (4,)
    for a, b in zip(record["params"][0], start):
        assert np.array_equal(a, b)
    for a, p in zip(record["params"][-1], net.parameters()):
        assert np.array_equal(a, p.value)
    assert np.allclose(record["output"][-1], net.forward(X))
    assert record["loss"][-1] == pytest.approx(nk.MSELoss()(net.forward(X), Y))
    assert len(record["history"]) == 12


def test_two_layer_errors_are_the_lecture_quantities():
    X, Y = nk.data.semicircle_parabola(15, rng=2)
    net = nk.MLP([2, 5, 2], activation="sigmoid", rng=2)
    q = backprop.two_layer_errors(net, nk.MSELoss(), X, Y)
    W1, b1, W2, b2 = (p.value for p in net.parameters())
    e1 = X @ W1.T + b1
    h = nk.functional.sigmoid(e1)
    eps = (h @ W2.T + b2 - Y) / len(X)
    assert np.allclose(q["H"], h) and np.allclose(q["eps"], eps)
    assert np.allclose(q["delta"], nk.functional.sigmoid_grad(e1) * (eps @ W2))
    # it leaves nnkit's gradients of the whole batch beside the weights
    assert np.allclose(net.layers[2].dW, eps.T @ h) and np.allclose(net.layers[0].dW, q["delta"].T @ X)


# --- figures --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def run():
    X, Y = nk.data.semicircle_parabola(24, rng=0)
    net = nk.MLP([2, 4, 2], activation="sigmoid", rng=1)
    start = copy.deepcopy(net)
    record = backprop.snapshots(net, nk.MSELoss(), X, Y, epochs=60, every=5, lr=0.5)
    return start, record, X, Y


def test_every_figure_is_labelled(run):
    start, record, X, Y = run
    y = backprop.noisy_targets(100, rng=0)
    c = np.linspace(-3, 5, 50)
    Xs, Ys, mean = backprop.noisy_sine(50, rng=0)
    x = np.linspace(0, 2, 30)
    q = backprop.two_layer_errors(start, nk.MSELoss(), X, Y)
    figures = [
        P.mse_of_constant(y[:, 0], c, backprop.constant_losses(y, c)),
        P.conditional_mean(Xs, Ys, mean, Xs, mean),
        P.total_vs_partial(x, x**3 + x**4, x + 1, 1.0, 7.0, 1.0),
        P.semicircle(X, Y, record["output"][0]),
        P.unit_updates(X, Y, q["Yhat"], q["H"][:, 0], q["delta"][:, 0], start.layers[0].W[0],
                       start.layers[0].b[0], 0),
    ]
    for fig in figures:
        assert_labelled(fig)


def test_boundary_line_lies_on_the_line():
    for w, b in [(np.array([1.0, 2.0]), 0.5), (np.array([3.0, 0.1]), -1.0)]:
        xs, ys = P.boundary_line(w, b)
        assert np.allclose(w[0] * xs + w[1] * ys + b, 0.0)
    assert P.boundary_line(np.zeros(2), 1.0)[0].size == 0


# --- widgets --------------------------------------------------------------------------------

def test_mse_explorer():
    live = WB.mse_explorer(noise=1.0, n=200)
    exercise(live, [{"noise": 0.5}, {"n": 50}, {"kind": "skewed"}, {"noise": 1.5}, {"n": 1000}])
    mean, best = live.result
    assert abs(best - mean) <= 0.0125 + 1e-12, "the best constant on a 0.025 grid should sit on the mean"
    assert_labelled(live.fig)


def test_training_explorer(run):
    _, record, X, Y = run
    live = WB.training_explorer(record, X, Y, every=5)
    assert np.array_equal(live.result, record["output"][0])
    exercise(live, [{"epoch": 5}, {"epoch": 30}, {"epoch": 60}, {"errors": False}, {"epoch": 15}])
    assert np.array_equal(live.result, record["output"][3])


def test_unit_explorer(run):
    start, record, X, Y = run
    live = WB.unit_explorer(start, record, X, Y, nk.MSELoss())
    exercise(live, [{"unit": 1}, {"epoch": 30}, {"unit": 3}, {"epoch": 60}, {"unit": 0}])
    assert np.allclose(live.result["Yhat"], record["output"][-1])
    assert_labelled(live.fig)
