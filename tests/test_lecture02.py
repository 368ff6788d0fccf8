"""Lecture 02 (universal approximation): its computing helpers, figures and widgets."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import nnkit as nk
from nnkit.lectures.l02_universal_approximation import compute as approx, figures, widgets

from figure_checks import assert_labelled, exercise

NS = 2 ** np.arange(2, 9)


# ---------------------------------------------------------------- the hand-built staircase

def test_staircase_net_shapes_and_weights():
    net = approx.staircase_net("wave", 5, steepness=10.0)
    W1, b1, W2, b2 = net[0].W, net[0].b, net[2].W, net[2].b
    assert (W1.shape, b1.shape, W2.shape, b2.shape) == ((5, 1), (5,), (1, 5), (1,))
    knots = np.linspace(0, 1, 6)
    f = approx.TARGETS["wave"]
    assert np.allclose(W1, 10.0 * 5)
    assert np.allclose(-b1 / W1[:, 0], knots[1:] - 0.1), "unit j should switch on half-way, at x_j - spacing/2"
    assert np.allclose(W2[0], np.diff(f(knots))) and np.isclose(b2[0], f(0.0))


def test_true_steps_give_f_at_the_nearest_knot():
    f, N = approx.TARGETS["kink"], 6
    net = approx.staircase_net(f, N, steepness=1e4, lo=0.0, hi=1.0)
    x = np.linspace(0, 1, 1001)
    x = x[np.abs((x * N) % 1 - 0.5) > 0.01]
    assert np.allclose(net.forward(x[:, None])[:, 0], f(np.round(x * N) / N), rtol=0, atol=1e-12)


def test_staircase_on_another_interval():
    net = approx.staircase_net(np.cos, 40, steepness=20.0, lo=-2.0, hi=3.0)
    x = np.linspace(-2, 3, 501)
    assert np.abs(net.forward(x[:, None])[:, 0] - np.cos(x)).max() < 0.05


def test_error_falls_like_one_over_n_for_the_smooth_target():
    max_err, rms_err = approx.approximation_errors("wave", NS)
    assert np.all(np.diff(max_err) < 0) and np.all(np.diff(rms_err) < 0)
    slope, scale = approx.loglog_slope(NS, max_err)
    assert -1.15 < slope < -0.9, f"max-error slope {slope:.3f}"
    assert np.all(max_err <= (2 * np.pi + 0.5) / (2 * NS)), "above the step bound max|f'|/(2N)"


def test_error_does_not_fall_for_a_jump():
    max_err, rms_err = approx.approximation_errors("jump", NS)
    assert max_err.min() > 0.4
    assert -0.6 < approx.loglog_slope(NS, rms_err)[0] < -0.4


@given(st.floats(-3, -0.2), st.floats(0.1, 10))
def test_loglog_slope_recovers_a_power_law(p, c):
    N = np.array([2.0, 5, 11, 40, 100])
    slope, scale = approx.loglog_slope(N, c * N ** p)
    assert np.isclose(slope, p, atol=1e-9) and np.isclose(scale, c, rtol=1e-9)


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="target"):
        approx.staircase_net("sine", 4)
    with pytest.raises(ValueError, match="N"):
        approx.staircase_net("wave", 0)
    with pytest.raises(ValueError, match="lo < hi"):
        approx.staircase_net("wave", 4, lo=1.0, hi=0.0)
    with pytest.raises(ValueError, match="positive"):
        approx.loglog_slope([1, 2], [0.1, 0.0])


# ---------------------------------------------------------------- the 2-D band and corrections

def test_ridge_net_reproduces_the_band_away_from_its_edges():
    X = np.random.default_rng(0).uniform(-3, 3, size=(4000, 2))
    u = X.sum(axis=1)
    target = approx.band_target(X)[:, 0]
    assert set(np.unique(target)) == {-1.0, 1.0}
    assert np.array_equal(target == 1, np.abs(u) < 1)
    yhat = approx.ridge_net(steepness=3.0).forward(X)[:, 0]
    clear = np.abs(np.abs(u) - 1) > 0.5
    assert np.abs(yhat - target)[clear].max() < 0.2
    sharper = approx.ridge_net(steepness=10.0).forward(X)[:, 0]
    assert np.abs(sharper - target)[clear].max() < 1e-3


@given(st.integers(1, 6), st.integers(1, 3), st.integers(0, 2**16))
def test_correction_terms_add_up_to_the_output(N, K, seed):
    net = nk.MLP([2, N, K], activation="sigmoid", rng=seed)
    X = np.random.default_rng(seed).normal(size=(5, 2))
    b, terms, h = approx.correction_terms(net, X)
    assert terms.shape == (5, N, K) and h.shape == (5, N) and b.shape == (K,)
    assert np.allclose(b + terms.sum(axis=1), net.forward(X), rtol=1e-12, atol=1e-12)


def test_correction_terms_need_a_two_layer_net():
    with pytest.raises(ValueError, match="Dense, activation, Dense"):
        approx.correction_terms(nk.MLP([2, 3, 3, 1], rng=0), np.zeros((1, 2)))


def test_fit_recording_keeps_requested_epochs_and_learns_the_parabola():
    X, Y = nk.data.semicircle_parabola(100, rng=0)
    net = nk.MLP([2, 6, 2], activation="sigmoid", rng=1)
    seen = []
    history, outputs = approx.fit_recording(
        net, nk.MSELoss(), X, Y, at=[0, 5, 800], epochs=800,
        optimizer=nk.Adam(net.parameters(), lr=0.02), progress=False,
        callback=lambda epoch, h: seen.append(epoch),
    )
    assert sorted(outputs) == [0, 5, 800] and len(seen) == 800, "the user's callback must still run"
    assert np.allclose(outputs[800], net.forward(X))
    assert history.loss[-1] < history.loss[0] / 100


# ---------------------------------------------------------------- figures

@pytest.fixture(scope="module")
def trained():
    X, Y = nk.data.semicircle_parabola(60, rng=0)
    net = nk.MLP([2, 4, 2], activation="sigmoid", rng=1)
    _, outputs = approx.fit_recording(net, nk.MSELoss(), X, Y, at=[0, 50], epochs=50,
                                      optimizer=nk.Adam(net.parameters(), lr=0.05), progress=False)
    return net, X, Y, outputs


@pytest.mark.parametrize("name", ["soft_steps", "staircase", "error_rates", "ridge_target",
                                  "ridge_excitation", "ridge_activation", "ridge_output", "ridge_live",
                                  "semicircle_progress", "correction_vectors", "hidden_along_arc"])
def test_figures_are_titled_and_labelled(name, trained):
    net, X, Y, outputs = trained
    ridge = approx.ridge_net()
    build = {
        "soft_steps": lambda: figures.soft_steps(),
        "staircase": lambda: figures.staircase("kink", 6),
        "error_rates": lambda: figures.error_rates([2, 4, 8], {"max": [0.4, 0.2, 0.1]}),
        "ridge_target": lambda: figures.ridge_stage("target", ridge),
        "ridge_excitation": lambda: figures.ridge_stage("excitation", ridge),
        "ridge_activation": lambda: figures.ridge_stage("activation", ridge),
        "ridge_output": lambda: figures.ridge_stage("output", ridge),
        "ridge_live": lambda: figures.ridge_live(ridge),
        "semicircle_progress": lambda: figures.semicircle_progress(X, Y, outputs),
        "correction_vectors": lambda: figures.correction_vectors(net, X[10], X, Y),
        "hidden_along_arc": lambda: figures.hidden_along_arc(net, X),
    }[name]
    assert_labelled(build())


def test_ridge_stage_rejects_unknown_stage():
    with pytest.raises(ValueError, match="stage"):
        figures.ridge_stage("squash", approx.ridge_net())


# ---------------------------------------------------------------- widgets

def test_staircase_widget_error_shrinks_with_n():
    live = widgets.staircase_widget()
    assert_labelled(live.fig)
    exercise(live, dict(N=20, steepness=3.0, target="kink"), "N", [4, 8, 16, 32, 64])
    errors = [live.set(N=n)["max_error"] for n in (4, 16, 64)]
    assert errors[0] > errors[1] > errors[2], f"max error should shrink as N grows: {errors}"
    live.set(target="jump")
    assert live.result["max_error"] > 0.4, "a jump keeps a large max error"


def test_ridge_widget_error_grows_when_a_cliff_moves():
    live = widgets.ridge_widget()
    assert_labelled(live.fig)
    start = live.result
    assert start < 0.3, f"the default weights should fit the band; RMS {start:.3f}"
    exercise(live, dict(s=10.0, b=-0.5, t1=-0.5, t2=1.5, w1=0.5, w2=-0.5), "t1",
             [-1.5, -1.0, -0.5, 0.0, 0.5])
    assert live.result > start


def test_tower_net_is_one_on_its_square_and_zero_off_it():
    net = approx.tower_net(lo=0.2, hi=0.5)
    axis = np.linspace(0.0, 1.0, 101)
    P = np.array(np.meshgrid(axis, axis)).reshape(2, -1).T
    y = net.forward(P)[:, 0]
    inside = np.all((P > 0.22) & (P < 0.48), axis=1)
    outside = np.any((P < 0.18) | (P > 0.52), axis=1)
    assert y[inside].min() > 0.99 and y[outside].max() < 0.01, (y[inside].min(), y[outside].max())
    with pytest.raises(ValueError, match="lo < hi"):
        approx.tower_net(lo=0.6, hi=0.4)


def test_tower_figure_is_labelled():
    assert_labelled(figures.tower(approx.tower_net()))
