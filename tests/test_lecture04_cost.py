"""Lecture 04: the L-layer recursion, the cost of a gradient, and the computational graph."""
import numpy as np
import pytest

import nnkit as nk
from nnkit.lectures.l04_backpropagation import cost, errors, figures, graph

from figure_checks import assert_labelled

F = nk.functional
OTHER_SEEDS = range(1, 11)          # the notebook uses seed 0


def data(seed, n=16, n_in=3, n_out=2):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, n_in)), rng.normal(size=(n, n_out))


# ---------------------------------------------------------------- the L-layer recursion

def recursion(net, X, Y, f_grad):
    """The lecture's recursion, written out: forward keeping e, then delta from the top down."""
    dense = [layer for layer in net.layers if isinstance(layer, nk.Dense)]
    h, e = [X], []
    for l, layer in enumerate(dense):
        e.append(h[-1] @ layer.W.T + layer.b)
        h.append(net.layers[2 * l + 1].forward(e[-1]) if l < len(dense) - 1 else e[-1])
    delta = [None] * len(dense)
    delta[-1] = (h[-1] - Y) / len(X)                       # MSE: eps = (y_hat - y) / n
    for l in range(len(dense) - 2, -1, -1):
        delta[l] = f_grad(e[l]) * (delta[l + 1] @ dense[l + 1].W)
    return delta, [d.T @ hl for d, hl in zip(delta, h[:-1])]


@pytest.mark.parametrize("seed", [0, *OTHER_SEEDS])
@pytest.mark.parametrize("activation, f_grad", [("sigmoid", F.sigmoid_grad), ("tanh", F.tanh_grad)])
def test_recursion_equals_nnkit_for_four_layers(seed, activation, f_grad):
    X, Y = data(seed)
    net = nk.MLP([3, 5, 4, 6, 2], activation=activation, rng=seed)
    for layer in net.layers[::2]:
        layer.b[...] = np.random.default_rng(seed + 100).normal(size=layer.b.shape)
    delta, grads = recursion(net, X, Y, f_grad)
    seen = errors.layer_errors(net, nk.MSELoss(), X, Y)
    for l, layer in enumerate(net.layers[::2]):
        assert nk.relative_error(delta[l], seen["delta"][l]) < 1e-12
        assert nk.relative_error(grads[l], layer.dW) < 1e-12
        assert nk.relative_error(delta[l].sum(axis=0), layer.db) < 1e-12


def test_layer_errors_keeps_inputs_and_excitations():
    X, Y = data(0)
    net = nk.MLP([3, 4, 2], activation="tanh", output="sigmoid", rng=0)
    seen = errors.layer_errors(net, nk.MSELoss(), X, Y)
    assert [h.shape for h in seen["h"]] == [(16, 3), (16, 4)]
    assert np.allclose(seen["e"][0], X @ net[0].W.T + net[0].b)
    assert np.allclose(seen["h"][1], np.tanh(seen["e"][0]))
    # with a sigmoid output, the error of the last Dense includes sigma'
    a = F.sigmoid(seen["e"][1])
    assert np.allclose(seen["delta"][1], (a - Y) / 16 * a * (1 - a))


# ---------------------------------------------------------------- what a gradient costs

@pytest.mark.parametrize("sizes", [[2, 3, 1], [4, 8, 8, 3], [1, 16, 2, 16, 5]])
def test_counted_products_follow_the_formula(sizes):
    X, Y = data(1, n=7, n_in=sizes[0], n_out=sizes[-1])
    net = nk.MLP(sizes, activation="sigmoid", rng=0)
    counted = cost.count_products(net, nk.MSELoss(), X, Y)
    assert counted == cost.product_formula(sizes, 7)
    assert counted["backward"] == 2 * counted["forward"]


def test_counting_leaves_the_network_as_it_was():
    X, Y = data(2)
    net = nk.MLP([3, 4, 2], activation="tanh", rng=0)
    W_before = [layer.W for layer in net.layers[::2]]
    cost.count_products(net, nk.MSELoss(), X, Y)
    counted_grads = [p.grad.copy() for p in net.parameters()]
    assert all(type(layer.W) is np.ndarray and layer.W is W for layer, W in zip(net.layers[::2], W_before))
    assert all(type(v) is not cost._Recorded for layer in net.layers for v in vars(layer).values())
    loss = nk.MSELoss()
    loss(net.forward(X), Y)
    net.backward(loss.backward())
    for g, p in zip(counted_grads, net.parameters()):
        assert np.array_equal(g, p.grad), "counting must not change the gradients"


@pytest.mark.parametrize("widths", [[2, 5], [3, 3, 3]])
def test_finite_differences_take_two_evaluations_per_parameter(widths):
    X, Y = data(3)
    net = nk.MLP([3, *widths, 2], activation="tanh", rng=0)
    grads, evaluations = cost.difference_gradient(net, nk.MSELoss(), X, Y)
    assert evaluations == 2 * net.num_parameters()
    loss = nk.MSELoss()
    loss(net.forward(X), Y)
    net.backward(loss.backward())
    for g, p in zip(grads, net.parameters()):
        assert nk.relative_error(g, p.grad) < 1e-7


def test_timings_are_positive_and_complete():
    X, Y = data(4)
    net = cost.growing_nets([4], n_in=3, n_out=2)[0]
    t = cost.time_gradients(net, nk.MSELoss(), X, Y, repeats=2)
    assert set(t) == {"forward", "backward", "differences"} and min(t.values()) > 0


def test_growing_nets_grow():
    nets = cost.growing_nets([2, 4, 8], hidden_layers=3)
    assert [n.sizes for n in nets][1] == [2, 4, 4, 4, 1]
    assert np.all(np.diff([n.num_parameters() for n in nets]) > 0)


# ---------------------------------------------------------------- the computational graph

def worked_example(x=3.0, y=-4.0, z=2.0, w=-1.0):
    X, Yn, Z, Wn = (graph.Node(v, name) for v, name in [(x, "x"), (y, "y"), (z, "z"), (w, "w")])
    f = (X * Yn + Z.maximum(Wn)) * 2
    f.backward()
    return f, (X, Yn, Z, Wn)


@pytest.mark.parametrize("seed", [0, *OTHER_SEEDS])
def test_gates_give_the_chain_rule(seed):
    x, y, z, w = np.random.default_rng(seed).normal(size=4) * 3
    f, nodes = worked_example(x, y, z, w)
    assert np.isclose(f.value, 2 * (x * y + max(z, w)))
    grads = [n.grad for n in nodes]
    expected = [2 * y, 2 * x, 2.0 * (z >= w), 2.0 * (w > z)]      # multiply swaps, max routes
    assert np.allclose(grads, expected, rtol=1e-15)

    def fd(i):
        p = np.array([x, y, z, w], dtype=float)
        p[i] += 1e-6
        up = 2 * (p[0] * p[1] + max(p[2], p[3]))
        p[i] -= 2e-6
        return (up - 2 * (p[0] * p[1] + max(p[2], p[3]))) / 2e-6
    assert np.allclose(grads, [fd(i) for i in range(4)], atol=1e-6)


def test_a_node_used_twice_adds_its_gradients():
    x = graph.Node(3.0, "x")
    f = x * x + x                                  # df/dx = 2x + 1
    f.backward()
    assert f.value == 12 and x.grad == 7
    f.backward()                                   # a second backward starts afresh
    assert x.grad == 7


def test_graph_lists_inputs_first():
    f, (x, y, z, w) = worked_example()
    order = f.graph()
    assert order[-1] is f and len(order) == 9      # 4 inputs, the constant 2, 4 operations
    position = {id(n): i for i, n in enumerate(order)}
    assert all(position[id(p)] < position[id(n)] for n in order for p in n.parents)


def test_node_rejects_non_numbers():
    with pytest.raises(TypeError, match="value"):
        graph.Node("3")


# ---------------------------------------------------------------- figures

def test_figures_are_labelled():
    P = np.array([10, 100, 1000])
    assert_labelled(figures.gradient_cost(P, [3, 3, 3], 2 * P, [2, 2.5, 3], 3 * P))
    f, nodes = worked_example()
    names = iter("asm")
    for node in f.graph():
        if node.op and node is not f:
            node.name = next(names)
    f.name = "f"
    positions = {"x": (0, 3), "y": (0, 2), "z": (0, 1), "w": (0, 0), "a": (1, 2.5), "m": (1, 0.5),
                 "s": (2, 1.5), "2": (2, 0.2), "f": (3, 1.2)}
    assert_labelled(figures.draw_graph(f, positions))
    with pytest.raises(ValueError, match="positions"):
        figures.draw_graph(f, {"x": (0, 0)})


@pytest.mark.parametrize("seed", OTHER_SEEDS)
def test_notebook_recursion_holds_at_other_seeds(seed):
    """The notebook's 2-6-5-4-2 sigmoid net on the semicircle data, other weights and biases."""
    X, Y = nk.data.semicircle_parabola(40, rng=seed)
    net = nk.MLP([2, 6, 5, 4, 2], activation="sigmoid", rng=seed)
    bias_rng = np.random.default_rng(seed)
    for layer in net.layers[::2]:
        layer.b[...] = bias_rng.normal(size=layer.b.shape)
    delta, grads = recursion(net, X, Y, F.sigmoid_grad)
    seen = errors.layer_errors(net, nk.MSELoss(), X, Y)
    for l, layer in enumerate(net.layers[::2]):
        assert nk.relative_error(delta[l], seen["delta"][l]) < 1e-12
        assert nk.relative_error(grads[l], layer.dW) < 1e-12
    loss = nk.MSELoss()
    fd = nk.numerical_gradient(lambda: loss(net.forward(X), Y), net[0].W)
    assert nk.relative_error(grads[0], fd) < 1e-7


@pytest.mark.parametrize("seed", OTHER_SEEDS)
def test_difference_gradients_agree_at_other_seeds(seed):
    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(64, 2)), rng.normal(size=(64, 1))
    for net in cost.growing_nets([2, 4, 8, 16], rng=seed):
        grads, evaluations = cost.difference_gradient(net, nk.MSELoss(), X, Y)
        assert evaluations == 2 * net.num_parameters()
        cost.count_products(net, nk.MSELoss(), X, Y)          # fills the gradients
        assert max(nk.relative_error(g, p.grad) for g, p in zip(grads, net.parameters())) < 1e-7
