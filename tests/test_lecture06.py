"""Lecture 06 (classifiers and cross-entropy): logit_costs, its figures and widgets."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnkit as nk
from figure_checks import assert_labelled, exercise
from nnkit.lectures.l05_nonlinearities import compute as neuron
from nnkit.lectures.l06_classifiers_cross_entropy import compute
from nnkit.lectures.l06_classifiers_cross_entropy import figures as P
from nnkit.lectures.l06_classifiers_cross_entropy import widgets as W

F = nk.functional


# ---------------------------------------------------------------- compute.logit_costs

@given(z=st.floats(-12, 12, allow_nan=False), y=st.sampled_from([0.0, 0.3, 1.0]))
def test_logit_costs_slopes_match_centred_differences(z, y):
    h = 1e-6
    costs = compute.logit_costs([z], y)
    up, down = compute.logit_costs([z + h], y), compute.logit_costs([z - h], y)
    for cost, (C, slope) in costs.items():
        numeric = (up[cost][0] - down[cost][0]) / (2 * h)
        assert np.allclose(slope, numeric, rtol=1e-5, atol=1e-8), f"{cost}: dC/dz {slope} vs {numeric} at z = {z}"


def test_logit_costs_formulas():
    z = np.linspace(-10, 10, 201)
    a = F.sigmoid(z)
    costs = compute.logit_costs(z, 1.0)
    C, slope = costs["quadratic"]
    assert np.allclose(C, (a - 1) ** 2 / 2) and np.allclose(slope, (a - 1) * a * (1 - a))
    C, slope = costs["cross_entropy"]
    assert np.allclose(C, -np.log(a)) and np.allclose(slope, a - 1), "CE slope should be a - y"
    assert np.all(costs["cross_entropy"][0] >= 0), "cross-entropy is never negative"
    assert np.isfinite(compute.logit_costs([-1000.0, 1000.0], 1.0)["cross_entropy"][0]).all()


def test_quadratic_slope_vanishes_where_cross_entropy_does_not():
    costs = compute.logit_costs([8.0], 0.0)  # confidently wrong
    assert abs(costs["quadratic"][1][0]) < 1e-3 < 0.99 < costs["cross_entropy"][1][0]


# ---------------------------------------------------------------- plots

def _runs():
    run = neuron.train_neuron([2.0], [2.0], [1.0], [0.0], epochs=10)
    return {"quadratic": run, "again": run}


def _nets():
    X, Y = nk.data.blobs(60, 3, 0.3, rng=0)
    return {"a": nk.MLP([2, 4, 3], rng=0), "b": nk.MLP([2, 4, 3], output="sigmoid", rng=1)}, X, Y


PLOTS = {
    "slowdown": lambda: P.slowdown(_runs()),
    "cross_entropy_curves": lambda: P.cross_entropy_curves(np.linspace(0.1, 0.9, 9),
                                                           {0.0: np.linspace(1, 0, 9), 1.0: np.linspace(0, 1, 9)}),
    "logit_costs_figure": lambda: P.logit_costs_figure(1.0),
    "softmax_bars": lambda: P.softmax_bars([1.0, 0.0, -2.0], label=0),
    "classifiers": lambda: P.classifiers(*_nets(), accuracies={"a": 0.5, "b": 0.25}),
}


@pytest.mark.parametrize("name", list(PLOTS))
def test_plot_returns_a_labelled_figure(name):
    assert_labelled(PLOTS[name]())


def test_classifiers_titles_carry_the_accuracies():
    fig = P.classifiers(*_nets(), accuracies={"a": 0.5, "b": 0.25})
    assert [ax.get_title() for ax in fig.axes] == ["a: accuracy 50.0%", "b: accuracy 25.0%"]


# ---------------------------------------------------------------- widgets

def test_logit_explorer():
    live = W.logit_explorer(z=2.0, y=0)
    exercise(live, [{"z": -3.0}, {"y": 1}, {"z": 5.5}, {"z": 0.0}, {"y": 0}])
    expected = compute.logit_costs([0.0], 0)
    for cost in neuron.COSTS:
        assert np.allclose(live.result[cost], expected[cost]), f"{cost}: the widget should draw logit_costs"


def test_slowdown_explorer():
    live = W.slowdown_explorer()
    exercise(live, [{"w": 0.6}, {"b": 0.9}, {"lr": 0.5}, {"w": -1.0}, {"b": 3.0}])
    for cost in neuron.COSTS:
        expected = neuron.train_neuron(-1.0, 3.0, [1.0], [0.0], cost, 0.5, 300)
        assert np.allclose(live.result[cost].loss, expected.loss), f"{cost}: the widget should draw train_neuron"


def test_softmax_explorer():
    live = W.softmax_explorer()
    exercise(live, [{"z0": -2.0}, {"z1": 4.0}, {"z2": 0.5}, {"label": 2}, {"z0": 3.0}])
    z = np.array([3.0, 4.0, 0.5])
    a = F.softmax(z)
    assert np.allclose(live.result["a"], a)
    assert np.isclose(live.result["cost"], -np.log(a[2])), "the cost is -ln a_label"
    assert np.allclose(live.result["grad"], a - np.eye(3)[2]), "the gradient is a - y"
