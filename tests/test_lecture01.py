"""Lecture 01 (the forward pass): its computing helpers, figures and widgets."""

import time

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nnkit as nk
from figure_checks import assert_labelled, exercise
from nnkit.lectures.l01_forward_pass import compute as forward, figures, widgets

CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
TRUTH = {"or": [0, 1, 1, 1], "nand": [1, 1, 1, 0], "and": [0, 0, 0, 1]}


# ---------------------------------------------------------------- computing helpers

@pytest.mark.parametrize("gate", sorted(TRUTH))
def test_logic_units_compute_their_truth_tables(gate):
    X, out = forward.truth_table(forward.logic_unit(gate))
    assert np.array_equal(X, CORNERS)
    assert out.tolist() == TRUTH[gate], f"{gate}: expected {TRUTH[gate]}, got {out.tolist()}"
    _, soft = forward.truth_table(forward.logic_unit(gate, "sigmoid", gain=10.0))
    assert np.abs(soft - TRUTH[gate]).max() < 0.01, f"sigmoid {gate} with gain 10: {soft}"


def test_logic_unit_rejects_unknown_gate():
    with pytest.raises(ValueError, match="xor"):
        forward.logic_unit("xor")


def test_xor_network_truth_table_step_and_sigmoid():
    _, out = forward.truth_table(forward.xor_network())
    assert out.tolist() == [0, 1, 1, 0], f"step XOR network gave {out}"
    _, soft = forward.truth_table(forward.xor_network(activation="sigmoid", gain=10.0))
    assert np.abs(soft - [0, 1, 1, 0]).max() < 0.01, f"sigmoid XOR network gave {soft}"
    # the gain matters: without it the sigmoid network is far from the truth table
    _, weak = forward.truth_table(forward.xor_network(activation="sigmoid"))
    assert np.abs(weak - [0, 1, 1, 0]).max() > 0.3


def test_xor_network_takes_hidden_weights():
    net = forward.xor_network(W1=[[1.0, 1.0], [-1.0, -1.0]], b1=[-2.5, 1.5])   # OR never fires on corners
    _, out = forward.truth_table(net)
    assert out.tolist() == [0, 0, 0, 0]
    assert net.num_parameters() == 9


def test_no_single_unit_solves_xor_but_three_corners_are_reachable():
    assert forward.best_single_unit_on_xor(20_000, rng=1) == 3


@given(st.lists(st.integers(min_value=1, max_value=30), min_size=2, max_size=6))
def test_parameter_count_equals_nnkit_count(sizes):
    assert forward.parameter_count(sizes) == nk.MLP(sizes, rng=0).num_parameters()


def test_parameter_count_known_values_and_errors():
    assert forward.parameter_count([2, 2, 1]) == 9
    assert forward.parameter_count([784, 100, 10]) == 784 * 100 + 100 + 100 * 10 + 10
    for bad in ([3], [3, 0, 1]):
        with pytest.raises(ValueError, match="sizes"):
            forward.parameter_count(bad)


@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5), st.integers(0, 2**16))
def test_collapse_linear_equals_two_layers(n0, n1, n2, seed):
    rng = np.random.default_rng(seed)
    first, second = nk.Dense(n0, n1, rng=rng), nk.Dense(n1, n2, rng=rng)
    first.b[...], second.b[...] = rng.normal(size=n1), rng.normal(size=n2)
    X = rng.normal(size=(4, n0))
    one = forward.collapse_linear(first, second)
    assert one.W.shape == (n2, n0) and one.b.shape == (n2,)
    assert np.allclose(one.forward(X), second.forward(first.forward(X)), rtol=1e-12, atol=1e-12)


def test_collapse_linear_refuses_layers_that_do_not_compose():
    with pytest.raises(ValueError, match="do not compose"):
        forward.collapse_linear(nk.Dense(2, 3), nk.Dense(4, 1))


def test_forward_each_matches_batch_forward_and_best_time_is_a_minimum(monkeypatch):
    net = nk.MLP([5, 7, 3], activation="tanh", rng=0)
    X = np.random.default_rng(1).normal(size=(20, 5))
    assert np.allclose(forward.forward_each(net, X), net.forward(X), rtol=0, atol=1e-13)
    # A clock under the test's control: the four calls take 3, 1, 2 and 5 seconds.
    ticks = iter(np.cumsum([0, 3, 0, 1, 0, 2, 0, 5]).tolist())
    monkeypatch.setattr(time, "perf_counter", lambda: next(ticks))
    calls = []
    seconds = forward.best_time(lambda: calls.append(1), repeats=4)
    assert len(calls) == 4 and seconds == 1


# ---------------------------------------------------------------- figures

@pytest.mark.parametrize("build", [
    lambda: figures.neuron_response(forward.logic_unit("or", "sigmoid")),
    lambda: figures.gate_units(),
    lambda: figures.xor_views(forward.xor_network()),
    lambda: figures.output_activations((1.0, 0.0, -2.0)),
    lambda: figures.network_functions({"identity": [nk.MLP([1, 4, 1], activation="identity", rng=0)],
                                       "tanh": [nk.MLP([1, 4, 1], activation="tanh", rng=0)]},
                                      np.linspace(-2, 2, 50)),
    lambda: figures.batch_timing([1, 10, 100], [1e-5, 1e-4, 1e-3], [1e-5, 2e-5, 5e-5]),
], ids=["neuron_response", "gate_units", "xor_views", "output_activations",
        "network_functions", "batch_timing"])
def test_figures_are_titled_and_labelled(build):
    assert_labelled(build())


# ---------------------------------------------------------------- widgets

def test_neuron_widget_redraws_and_computes_the_unit():
    live = widgets.neuron_widget()
    assert_labelled(live.fig)
    exercise(live, dict(w1=2.0, w2=1.0, b=-1.0, activation="tanh"), "b", [-0.5, 0.0, 0.5, 1.0, 1.5])
    h = live.result
    assert h.shape == (100, 100) and h.min() < -0.9 and h.max() > 0.9, "tanh output should span (-1, 1)"
    live.set(activation="step")
    assert set(np.unique(live.result)) <= {0.0, 1.0}, "a step unit outputs only 0 and 1"


def test_xor_widget_counts_matching_corners():
    live = widgets.xor_widget()
    assert_labelled(live.fig)
    assert live.result["correct"] == 4 and live.result["outputs"].tolist() == [0, 1, 1, 0]
    exercise(live, dict(w_or_1=0.5, w_or_2=0.6, theta_or=0.3, w_nand_1=-0.7, w_nand_2=-1.2,
                        theta_nand=-1.0), "theta_or", [0.1, 0.2, 0.4, 0.6, 0.8])
    live.set(theta_or=2.5)                                    # OR never fires on a corner
    assert live.result["outputs"].tolist() == [0, 0, 0, 0] and live.result["correct"] == 2


def test_output_activation_widget_softmax_sums_to_one():
    live = widgets.output_activation_widget()
    assert_labelled(live.fig)
    exercise(live, dict(z1=-2.0, z2=3.0, z3=0.5), "z1", [-1.0, 0.0, 1.0, 2.0, 3.0])
    result = live.result
    assert np.allclose(result["identity"], [3.0, 3.0, 0.5])
    assert np.isclose(result["softmax"].sum(), 1.0)
    assert np.allclose(result["sigmoid"], nk.functional.sigmoid(np.array([3.0, 3.0, 0.5])))
