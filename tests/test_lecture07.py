"""Lecture 07 (training in practice): its computing helpers, figures and widgets."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure

import nnkit as nk
from figure_checks import exercise
from nnkit.lectures.l07_training_practice import compute as ex
from nnkit.lectures.l07_training_practice import figures as pp
from nnkit.lectures.l07_training_practice import widgets as wp


@pytest.fixture(scope="module")
def small_study():
    # Small enough to be quick, large enough for the variance arguments to show.
    return ex.init_study(n=300, width=128, depth=10, rng=0)


# ------------------------------------------------------------------ experiments: initialisation


def test_hidden_activations_are_the_activation_outputs():
    net = nk.MLP([4, 6, 6, 6], activation="tanh", output="tanh", init="xavier", rng=1)
    X = np.random.default_rng(0).standard_normal((10, 4))
    hs = ex.hidden_activations(net, X)
    h = X
    expected = []
    for dense, act in zip(net.layers[::2], net.layers[1::2]):
        h = np.tanh(h @ dense.W.T + dense.b)
        expected.append(h)
    assert len(hs) == 3
    for got, want in zip(hs, expected):
        np.testing.assert_allclose(got, want, atol=1e-14)
    np.testing.assert_allclose(hs[-1], net.forward(X), atol=1e-14)


def test_layer_stats_summaries_and_histogram():
    hs = [np.array([[-2.0, -0.995, 0.0, 0.5]]), np.array([[0.1, 0.1, 0.1, 0.1]])]
    stats = ex.layer_stats(hs, hist_range=(-1.0, 1.0), bins=4)
    np.testing.assert_allclose(stats.mean, [np.mean(hs[0]), 0.1])
    np.testing.assert_allclose(stats.std, [np.std(hs[0]), 0.0], atol=1e-15)
    np.testing.assert_allclose(stats.saturated, [0.5, 0.0])
    # -2 is clipped into the first bin, with -0.995; 0 opens bin 2 and 0.5 bin 3
    np.testing.assert_allclose(stats.hist[0], [0.5, 0.0, 0.25, 0.25])
    np.testing.assert_allclose(stats.hist.sum(axis=1), 1.0)
    np.testing.assert_allclose(stats.edges, [-1.0, -0.5, 0.0, 0.5, 1.0])
    assert stats.var_ratio.shape == (1,) and stats.var_ratio[0] == 0.0


def test_layer_stats_positive_only_ignores_the_zeros():
    h = np.array([[0.0, 0.0, 0.0, 1.0, 3.0]])
    stats = ex.layer_stats([h, np.zeros((2, 2))], hist_range=(0.0, 4.0), bins=2, positive_only=True)
    np.testing.assert_allclose(stats.hist, [[0.5, 0.5], [0.0, 0.0]])
    assert stats.mean[0] == pytest.approx(0.8), "the summaries still cover every value"


def test_var_ratio_is_the_ratio_of_variances():
    rng = np.random.default_rng(0)
    hs = [s * rng.standard_normal((50, 20)) for s in (1.0, 0.5, 2.0)]
    stats = ex.layer_stats(hs)
    np.testing.assert_allclose(stats.var_ratio, [hs[1].var() / hs[0].var(), hs[2].var() / hs[1].var()])


def test_init_study_reproduces_the_variance_arguments(small_study):
    def mean_ratio(key):
        return np.exp(np.log(small_study[key].var_ratio).mean())

    assert abs(mean_ratio(("he", "relu")) - 1.0) < 0.1, "He keeps ReLU's variance"
    assert abs(mean_ratio(("xavier", "relu")) - 0.5) < 0.05, "Xavier halves ReLU's variance"
    assert abs(mean_ratio(("small", "tanh")) - 128 * 1e-4) < 0.002, "small: ratio n_in * 0.01^2"
    assert small_study["large", "tanh"].saturated.min() > 0.8, "large weights saturate tanh"
    assert small_study["xavier", "tanh"].saturated.max() < 0.05


def test_init_study_is_seeded():
    a = ex.init_study(("xavier",), ("tanh",), n=20, width=16, depth=3, rng=3)
    b = ex.init_study(("xavier",), ("tanh",), n=20, width=16, depth=3, rng=3)
    np.testing.assert_array_equal(a["xavier", "tanh"].std, b["xavier", "tanh"].std)


# ------------------------------------------------------------------ experiments: batch norm


def test_running_trace_follows_the_moving_average():
    X = np.random.default_rng(0).normal(2.0, 3.0, (500, 2))
    bn = nk.BatchNorm(2)
    means, variances = ex.running_trace(bn, X, batch_size=16, batches=200, rng=1)
    assert means.shape == variances.shape == (200, 2)
    np.testing.assert_array_equal(means[-1], bn.running_mean)
    # the first entry is one step away from the initial (0, 1)
    assert np.all(np.abs(means[0]) < 0.1 * 2.0 + 1.0)
    np.testing.assert_allclose(bn.running_mean, X.mean(axis=0), atol=0.6)
    np.testing.assert_allclose(bn.running_var, X.var(axis=0), rtol=0.3)


# ------------------------------------------------------------------ experiments: babysitting and search


def test_lr_sweep_marks_divergence_and_leaves_the_net_alone():
    X, Y = nk.data.blobs(60, centers=3, std=0.5, rng=0)
    net = nk.MLP([2, 8, 3], rng=0)
    W_before = net.layers[0].W.copy()
    loss = nk.SoftmaxCrossEntropyLoss()
    start = loss(net.forward(X), Y)
    final = ex.lr_sweep(net, loss, X, Y, [1e-6, 0.5, 1e4], epochs=20)
    assert final.shape == (3,)
    assert abs(final[0] - start) < 1e-3, "a tiny rate barely moves the loss"
    assert final[1] < 0.5 * start, "a good rate trains"
    assert np.isinf(final[2]), "a huge rate diverges and is reported as inf"
    np.testing.assert_array_equal(net.layers[0].W, W_before)


@given(st.floats(1e-8, 1.0), st.floats(1.5, 1e6), st.integers(1, 50))
def test_log_uniform_stays_in_range(lo, factor, size):
    hi = lo * factor
    x = ex.log_uniform(lo, hi, size, rng=0)
    assert x.shape == (size,)
    assert np.all(x >= lo * (1 - 1e-12)) and np.all(x <= hi * (1 + 1e-12))


def test_log_uniform_is_uniform_per_decade():
    x = ex.log_uniform(1e-3, 1.0, 30000, rng=0)
    per_decade = np.histogram(np.log10(x), bins=[-3, -2, -1, 0])[0] / len(x)
    np.testing.assert_allclose(per_decade, 1 / 3, atol=0.01)
    with pytest.raises(ValueError, match="hi must be larger"):
        ex.log_uniform(1.0, 0.1, 5)


@given(st.integers(1, 8))
def test_grid_layout_has_k_distinct_values_per_parameter(k):
    points = ex.grid_layout(k)
    assert points.shape == (k * k, 2)
    for column in points.T:
        values = np.unique(column)
        assert len(values) == k
        np.testing.assert_allclose(values, (np.arange(k) + 0.5) / k)


def test_random_layout_is_seeded_and_distinct():
    a, b = ex.random_layout(9, rng=4), ex.random_layout(9, rng=4)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (9, 2) and np.all((a >= 0) & (a < 1))
    assert len(np.unique(a[:, 0])) == 9


def test_toy_objective_depends_mostly_on_the_important_parameter():
    a = np.linspace(0, 1, 1001)
    assert abs(a[np.argmax(ex.toy_objective(a, 0.0))] - 0.63) < 1e-3
    u = np.linspace(0, 1, 101)
    spread = np.ptp(ex.toy_objective(0.63, u))
    assert 0.05 < spread <= 0.06 + 1e-12, "the unimportant parameter moves the score by at most 0.06"


def test_best_trial_and_grid_vs_random():
    points = np.array([[0.1, 0.5], [0.62, 0.2], [0.9, 0.9]])
    score, i = ex.best_trial(points)
    assert i == 1 and score == pytest.approx(float(ex.toy_objective(0.62, 0.2)))
    grid_best, random_best = ex.grid_vs_random(3, seeds=range(50))
    assert grid_best == ex.best_trial(ex.grid_layout(3))[0]
    assert random_best.shape == (50,)
    assert random_best[7] == ex.best_trial(ex.random_layout(9, 7))[0]
    assert np.mean(random_best >= grid_best) > 0.8


def test_refine_range_spans_the_best_values():
    values = np.array([1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0])
    losses = np.array([1.0, 0.8, 0.3, 0.2, 0.5, np.inf])
    lo, hi = ex.refine_range(values, losses, keep=3, margin=2.0)
    assert (lo, hi) == pytest.approx((1e-2 / 2, 1.0 * 2))


def test_correlated_cloud():
    X = ex.correlated_cloud(20000, correlation=-0.5, rng=0)
    assert abs(np.corrcoef(X.T)[0, 1] + 0.5) < 0.02
    np.testing.assert_allclose(X.mean(axis=0), [3.0, -2.0], atol=0.05)
    np.testing.assert_allclose(X.std(axis=0), [2.0, 0.8], rtol=0.02)
    with pytest.raises(ValueError, match="correlation"):
        ex.correlated_cloud(10, correlation=1.0)


def test_preprocess_step_uses_nnkit_and_refuses_unknown_steps():
    X = ex.correlated_cloud(100, 0.5, rng=0)
    np.testing.assert_array_equal(wp.preprocess_step(X, "whitened", 1e-3), nk.preprocess.whiten(X, 1e-3))
    np.testing.assert_array_equal(wp.preprocess_step(X, "PCA (decorrelated)"), nk.preprocess.pca(X))
    with pytest.raises(ValueError, match="step must be one of"):
        wp.preprocess_step(X, "standardised")


# ------------------------------------------------------------------ figures


def _siblings_labelled(ax, which):
    group = ax.get_shared_x_axes() if which == "x" else ax.get_shared_y_axes()
    get = "get_xlabel" if which == "x" else "get_ylabel"
    return any(getattr(other, get)() for other in group.get_siblings(ax))


def _check_figure(fig):
    assert isinstance(fig, Figure)
    suptitle = fig.get_suptitle()
    assert suptitle or all(ax.get_title() for ax in fig.axes), "every figure needs a title"
    for ax in fig.axes:
        assert _siblings_labelled(ax, "x") and _siblings_labelled(ax, "y"), \
            f"axes {ax.get_title()!r} has an unlabelled axis"
        handles, _ = ax.get_legend_handles_labels()
        if len(handles) > 1:
            assert ax.get_legend() is not None, f"axes {ax.get_title()!r} has several lines but no legend"


def _figures(study):
    X = ex.correlated_cloud(200, 0.7, rng=0)
    rng = np.random.default_rng(0)
    means, variances = rng.random((20, 2)), rng.random((20, 2))
    yield pp.preprocessing_steps({"original": X, "whitened": nk.preprocess.whiten(X)})
    yield pp.layer_histograms({"Xavier": study["xavier", "tanh"], "large": study["large", "tanh"]})
    yield pp.layer_spread({"He": study["he", "relu"], "small": study["small", "relu"]})
    yield pp.variance_ratios({"He": study["he", "relu"], "Xavier": study["xavier", "relu"]})
    yield pp.feature_scatter({"before": X, "after": nk.preprocess.normalize(X)})
    yield pp.running_statistics(means, variances, np.zeros(2), np.ones(2))
    yield pp.loss_panels({"a": {"x": [3, 2, 1], "y": [3, 1, 0.5]}, "b": {"x": [2, 1]}})
    yield pp.lr_sweep([1e-3, 1e-2, 1e-1, 1.0], [1.0, 0.5, 0.2, np.inf], initial=1.1)
    yield pp.log_sampling(rng.uniform(1e-4, 1, 100), ex.log_uniform(1e-4, 1, 100, rng=0))
    yield pp.search_layouts({"grid": ex.grid_layout(3), "random": ex.random_layout(9, 0)},
                            ex.toy_objective)
    yield pp.coarse_to_fine({"coarse": ([1e-3, 1e-1, 10.0], [1.0, 0.3, np.inf], (1e-4, 30.0)),
                             "fine": ([0.05, 0.2], [0.25, 0.2], (0.01, 1.0))})


def test_every_figure_has_a_title_and_labelled_axes(small_study):
    figures = list(_figures(small_study))
    assert len(figures) == len(pp.__all__), "every public plot function is covered"
    for fig in figures:
        _check_figure(fig)


def test_lr_sweep_marks_diverged_runs():
    fig = pp.lr_sweep([1e-2, 1.0, 10.0], [0.5, 0.2, np.inf], initial=1.0)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "diverged" in labels and any(l.startswith("best: lr = 1") for l in labels)


# ------------------------------------------------------------------ widgets


def test_init_explorer(small_study):
    live = wp.init_explorer(small_study)
    assert set(live.controls) == {"init", "activation"}
    exercise(live, [{"init": "large"}, {"activation": "relu"}, {"init": "he"},
                             {"init": "small"}, {"activation": "tanh"}, {"init": "xavier"}])
    assert live.result is small_study["xavier", "tanh"]
    live.set(init="he", activation="relu")
    assert live.result is small_study["he", "relu"]
    _check_figure(live.fig)


def test_preprocessing_explorer():
    live = wp.preprocessing_explorer(n=300)
    exercise(live, [{"step": "centred"}, {"step": "normalised"}, {"correlation": 0.3},
                             {"step": "whitened"}, {"eps": 0.5}, {"step": "PCA (decorrelated)"}])
    C = live.result
    assert abs(C[0, 1]) < 1e-12, "PCA shows a diagonal covariance"
    live.set(step="whitened", eps=1e-6)
    np.testing.assert_allclose(live.result, np.eye(2), atol=1e-4)
    live.set(eps=1.0)
    assert live.result[1, 1] < 0.5, "a large eps leaves the weak direction short of unit variance"
    _check_figure(live.fig)


def test_batchnorm_explorer():
    live = wp.batchnorm_explorer()
    exercise(live, [{"gamma": 2.0}, {"beta": 3.0}, {"gamma": 0.5}, {"beta": -1.0},
                             {"gamma": 3.0}])
    mean, std = live.result
    assert mean == pytest.approx(-1.0, abs=1e-12) and std == pytest.approx(3.0, rel=1e-5)
    _check_figure(live.fig)


def test_search_explorer():
    live = wp.search_explorer()
    assert live.result == (pytest.approx(ex.best_trial(ex.grid_layout(3))[0]), 3)
    exercise(live, [{"layout": "random"}, {"per_side": 4}, {"seed": 5}, {"layout": "grid"},
                             {"per_side": 2}])
    assert live.result[1] == 2
    live.set(layout="random", per_side=3)
    assert live.result[1] == 9, "random search tries as many important values as trials"
    _check_figure(live.fig)
