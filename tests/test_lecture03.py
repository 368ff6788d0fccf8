"""Lecture 03 (gradient descent): its computing helpers, figures and widgets."""
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnkit as nk
from figure_checks import assert_labelled, exercise
from nnkit.lectures.l03_gradient_descent import compute as descent
from nnkit.lectures.l03_gradient_descent import figures as P
from nnkit.lectures.l03_gradient_descent import landscape
from nnkit.lectures.l03_gradient_descent import widgets as WD


# --- the plane ---------------------------------------------------------------------------

def test_bowl_and_gradient_at_the_seed_points():
    P3 = np.array([[0.0, 5.0], [1.0, 1.0], [1.25, 0.0]])
    assert np.allclose(descent.bowl(P3), [25.0, 5.0, 6.25])
    assert np.allclose(descent.bowl_gradient(P3), [[0, 10], [8, 2], [10, 0]])


@given(st.floats(-5, 5), st.floats(-5, 5), st.floats(0.5, 5), st.floats(0.5, 5))
def test_bowl_gradient_matches_finite_differences(x, y, a, b):
    numeric = descent.gradient(lambda p: descent.bowl(p, a, b), [x, y])
    assert np.allclose(numeric, descent.bowl_gradient([x, y], a, b), atol=1e-5)


@given(st.floats(-3, 3), st.floats(-3, 3))
def test_tangent_is_perpendicular_to_the_gradient(x, y):
    if x * x + y * y < 1e-4:
        return
    t = descent.ellipse_tangent([x, y])
    g = descent.bowl_gradient([x, y])
    assert np.isclose(np.linalg.norm(t), 1.0)
    assert abs(g @ t) < 1e-9 * max(1.0, np.linalg.norm(g))


def test_tangent_refuses_the_minimum():
    with pytest.raises(ValueError, match="minimum"):
        descent.ellipse_tangent([0.0, 0.0])


def test_hessian_of_the_bowl():
    assert np.allclose(descent.hessian(descent.bowl_gradient, [0.2, -1.0]), np.diag([8.0, 2.0]), atol=1e-6)


def test_descend_follows_the_update_rule():
    path = descent.descend(None, [1.0, 2.0], 0.1, 3, grad=descent.bowl_gradient)
    assert path.shape == (4, 2)
    for t in range(3):
        assert np.allclose(path[t + 1], path[t] - 0.1 * descent.bowl_gradient(path[t]))
    numeric = descent.descend(descent.bowl, [1.0, 2.0], 0.1, 3)
    assert np.allclose(numeric, path, atol=1e-8)


def test_descend_stops_cleanly_when_it_blows_up():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow warning may escape
        path = descent.descend(None, [1.0], 10.0, 500, grad=lambda p: 2 * p)
    assert np.isinf(path[-1]).all() and np.isfinite(path[:10]).all()


def test_largest_stable_lr_on_the_bowl():
    assert abs(descent.largest_stable_lr(descent.bowl_gradient, [1.0, 1.0], 0.1, 0.5) - 0.25) < 1e-4
    assert abs(descent.largest_stable_lr(descent.bowl_gradient, [0.0, 1.0], 0.1, 1.5) - 1.0) < 1e-4
    with pytest.raises(ValueError, match="lo must be a stable rate"):
        descent.largest_stable_lr(descent.bowl_gradient, [1.0, 1.0], 0.3, 0.5)


# --- the minimal example --------------------------------------------------------------------

@given(st.floats(0.01, 1.15), st.floats(-5, 5).filter(lambda v: abs(v - 2) > 0.1))
def test_minimal_run_matches_the_closed_form(lr, theta0):
    run = descent.minimal_run(theta0, lr, 20)
    assert nk.relative_error(run, descent.minimal_closed_form(theta0, lr, 20)) < 1e-6


@pytest.mark.parametrize("lr, regime", [(0.1, "monotone"), (0.45, "monotone"), (0.5, "one step"),
                                        (0.55, "oscillating"), (0.95, "oscillating"),
                                        (1.0, "bouncing"), (1.05, "divergent"), (2.0, "divergent")])
def test_regimes_predicted_and_observed(lr, regime):
    assert descent.minimal_regime(lr) == regime
    assert descent.observed_regime(descent.minimal_run(5.0, lr, 40)) == regime


def test_minimal_regime_rejects_non_positive_rates():
    with pytest.raises(ValueError, match="lr must be > 0"):
        descent.minimal_regime(0.0)


# --- mini-batches -----------------------------------------------------------------------------

@given(st.integers(1, 50), st.integers(1, 20), st.integers(0, 10))
def test_batches_partition_the_data(n, m, seed):
    parts = descent.batches(n, m, rng=seed)
    assert np.array_equal(np.sort(np.concatenate(parts)), np.arange(n))
    assert len(parts) == -(-n // m) and all(len(p) == m for p in parts[:-1])


@given(st.sampled_from([1, 2, 4, 8, 16]), st.integers(0, 5))
def test_mean_of_equal_minibatch_gradients_is_the_full_gradient(m, seed):
    X, Y = nk.data.semicircle_parabola(16, rng=seed)
    net = nk.MLP([2, 3, 2], activation="tanh", rng=seed)
    full, value = descent.flat_gradient(net, nk.MSELoss(), X, Y)
    G, sizes = descent.minibatch_gradients(net, nk.MSELoss(), X, Y, m, rng=seed)
    assert G.shape == (16 // m, full.size) and np.all(sizes == m)
    assert nk.relative_error(G.mean(axis=0), full) < 1e-12
    assert value == pytest.approx(nk.MSELoss()(net.forward(X), Y))


def test_flat_gradient_matches_finite_differences():
    X, Y = nk.data.semicircle_parabola(10, rng=0)
    net = nk.MLP([2, 3, 2], activation="sigmoid", rng=0)
    g, _ = descent.flat_gradient(net, nk.MSELoss(), X, Y)
    loss = nk.MSELoss()
    numeric = np.concatenate([nk.numerical_gradient(lambda: loss(net.forward(X), Y), p.value).ravel()
                              for p in net.parameters()])
    assert nk.relative_error(g, numeric) < 1e-7


def test_batch_size_runs_record_divergence_quietly():
    X, Y = nk.data.semicircle_parabola(16, rng=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        runs = descent.batch_size_runs(lambda: nk.MLP([2, 3, 2], activation="sigmoid", rng=1),
                                       nk.MSELoss(), X, Y, [4, 16], [0.3, 30.0], epochs=8)
    assert set(runs) == {(4, 0.3), (4, 30.0), (16, 0.3), (16, 30.0)}
    assert runs[(4, 0.3)]["steps_per_epoch"] == 4 and runs[(16, 0.3)]["steps_per_epoch"] == 1
    assert not runs[(4, 0.3)]["diverged"] and len(runs[(4, 0.3)]["loss"]) == 8
    assert runs[(4, 30.0)]["diverged"] and runs[(16, 30.0)]["diverged"]


# --- the non-convex landscape ----------------------------------------------------------------

@given(st.floats(-3, 4), st.floats(-3, 3))
def test_two_wells_gradient_matches_finite_differences(x, y):
    p = np.array([x, y])
    numeric = nk.numerical_gradient(lambda: landscape.two_wells(p), p)
    analytic = landscape.two_wells_gradient(p)
    err = np.linalg.norm(numeric - analytic) / max(1.0, np.linalg.norm(analytic))
    assert err < 1e-7, f"gradient at {p}: by hand {analytic}, finite differences {numeric}"


def test_two_wells_gradient_relative_error_at_random_points():
    P = np.random.default_rng(7).uniform(-3, 4, size=(50, 2))
    numeric = np.array([nk.numerical_gradient(lambda: landscape.two_wells(p), p) for p in P])
    assert nk.relative_error(landscape.two_wells_gradient(P), numeric) < 1e-7


def test_two_wells_hessian_by_hand_matches_finite_differences():
    for p in np.random.default_rng(8).uniform(-3, 4, size=(10, 2)):
        numeric = descent.hessian(landscape.two_wells_gradient, p)
        assert nk.relative_error(landscape.two_wells_hessian(p), numeric) < 1e-7, f"Hessian at {p}"


def test_critical_points_are_two_minima_and_a_saddle():
    low, saddle, deep = landscape.critical_points()
    assert np.allclose([low, saddle, deep], [[-1, 0], [0, 0], [2, 0]], atol=1e-12)
    for p in (low, saddle, deep):
        assert np.linalg.norm(landscape.two_wells_gradient(p)) < 1e-12, f"gradient should vanish at {p}"
    signs = {tuple(np.sign(np.linalg.eigvalsh(descent.hessian(landscape.two_wells_gradient, p))))
             for p in (low, deep)}
    assert signs == {(1.0, 1.0)}, "both minima should have two positive curvatures"
    curv = np.linalg.eigvalsh(descent.hessian(landscape.two_wells_gradient, saddle))
    assert curv[0] < 0 < curv[1], f"the saddle's Hessian should have eigenvalues of both signs; got {curv}"
    assert np.allclose(curv, [-2.0, 2.0], atol=1e-6)
    assert np.isclose(landscape.two_wells(low), -5 / 12) and np.isclose(landscape.two_wells(deep), -8 / 3)


def test_descend_many_is_descend_from_each_start():
    starts = np.array([[-2.0, 1.0], [0.5, -1.5], [3.0, 0.2]])
    paths = landscape.descend_many(starts, 0.03, 40)
    assert paths.shape == (41, 3, 2)
    for i, s in enumerate(starts):
        one = descent.descend(None, s, 0.03, 40, grad=landscape.two_wells_gradient)
        assert np.array_equal(paths[:, i], one), f"start {s}: the stacked run differs from a run on its own"


def test_nearest_critical():
    points = np.array([[-1.0, 1e-8], [1e-7, 0.0], [2.0, -3e-7], [1.0, 0.0]])
    assert landscape.nearest_critical(points).tolist() == [0, 1, 2, -1]


@pytest.mark.parametrize("bad, match", [(np.zeros(3), "shape"), (np.zeros((2, 3)), "shape")])
def test_landscape_rejects_points_that_are_not_pairs(bad, match):
    with pytest.raises(ValueError, match=match):
        landscape.two_wells(bad)
    with pytest.raises(ValueError, match="starts"):
        landscape.descend_many(bad, 0.1, 3)


def test_descend_many_wants_a_list_of_points():
    with pytest.raises(ValueError, match=r"starts must have shape \(m, 2\)"):
        landscape.descend_many(np.zeros(2), 0.1, 3)
    with pytest.raises(ValueError, match="lr"):
        landscape.descend_many(np.zeros((1, 2)), -0.1, 3)


# --- figures --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def runs():
    X, Y = nk.data.semicircle_parabola(32, rng=0)
    return descent.batch_size_runs(lambda: nk.MLP([2, 4, 2], activation="sigmoid", rng=1),
                                   nk.MSELoss(), X, Y, [1, 8, 32], [0.1, 1.0, 3.0], epochs=6)


def _two_wells_figure():
    starts = np.array([[-2.0, 1.0], [1.0, -1.0]])
    paths = landscape.descend_many(starts, 0.03, 300)
    ridge = descent.descend(None, [0.0, 1.5], 0.03, 300, grad=landscape.two_wells_gradient)
    heavy = descent.optimizer_path(lambda p: nk.SGD(p, lr=0.03, momentum=0.9),
                                   landscape.two_wells_gradient, [-2.5, 1.0], 300)
    return P.two_wells(paths, landscape.nearest_critical(paths[-1]), ridge, ridge, heavy, heavy, mu=0.9)


def test_two_wells_figure_has_its_legend_entries():
    fig = _two_wells_figure()
    labels = [[t.get_text() for t in ax.get_legend().get_texts()] for ax in fig.axes]
    assert "saddle" in labels[0] and "minima" in labels[0]
    assert {"ends at (-1, 0)", "ends at (2, 0)"} <= set(labels[1]), labels[1]
    assert any("momentum" in t for t in labels[2]) and any("plain" in t for t in labels[2]), labels[2]


def test_every_figure_is_labelled(runs):
    x = np.linspace(-1, 1, 17)
    three = np.array([[0.0, 5.0], [1.0, 1.0], [1.25, 0.0]])
    path = descent.descend(None, [1.5, 4.0], 0.2, 10, grad=descent.bowl_gradient)
    figures = [
        P.derivatives(x, [("one", x**2, 2 * x, 2 * x), ("two", np.exp(x), np.exp(x), np.exp(x))]),
        P.level_curves(three, descent.bowl_gradient(three),
                       np.array([descent.ellipse_tangent(p) for p in three])),
        P.descent_path(path),
        P.minimal_runs({"a": descent.minimal_run(5.0, 0.3, 15), "b": descent.minimal_run(5.0, 1.1, 15)}),
        P.stability(np.linspace(0, 0.5, 11), {"x": np.linspace(0, 1, 11)}, found=0.25),
        P.batch_curves(runs, 1.0, 8),
        P.batch_curves(runs, 3.0, 1),
        P.gradient_spread(np.array([1, 4, 16]), np.array([1.0, 0.5, 0.25]), np.array([1.0, 0.5, 0.25])),
        _two_wells_figure(),
    ]
    for fig in figures:
        assert_labelled(fig)


# --- widgets --------------------------------------------------------------------------------

def test_path_explorer():
    live = WD.path_explorer(lr=0.1)
    assert live.result.shape == (31, 2)
    exercise(live, [{"lr": 0.2}, {"x0": -1.0}, {"y0": 2.0}, {"lr": 0.26}, {"x0": 0.5}, {"y0": -3.0}])
    assert np.linalg.norm(live.result[-1]) > np.linalg.norm(live.result[0]), "eta 0.26 should diverge"
    assert_labelled(live.fig)


def test_minimal_explorer():
    live = WD.minimal_explorer(lr=0.3)
    exercise(live, [{"lr": 0.5}, {"lr": 0.8}, {"lr": 1.0}, {"lr": 1.1}, {"lr": 0.2}])
    thetas, predicted, observed = live.result
    assert predicted == observed == "monotone" and len(thetas) == 13
    live.set(lr=1.1)
    assert live.result[1] == live.result[2] == "divergent"


def test_batch_explorer(runs):
    live = WD.batch_explorer(runs, batch_size=1, lr=0.1)
    exercise(live, [{"batch_size": 8}, {"lr": 1.0}, {"batch_size": 32}, {"lr": 3.0},
                       {"batch_size": 1}])
    assert live.result == runs[(1, 3.0)]["loss"]
    assert_labelled(live.fig)
