"""Lecture 05 (nonlinearities): its computing helpers, figures and widgets."""
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnkit as nk
from figure_checks import assert_labelled, exercise
from nnkit.lectures.l05_nonlinearities import compute as neuron
from nnkit.lectures.l05_nonlinearities import figures as P
from nnkit.lectures.l05_nonlinearities import widgets as W

F = nk.functional
finite = st.floats(-6, 6, allow_nan=False)


# ---------------------------------------------------------------- neuron: activations

@pytest.mark.parametrize("name", list(neuron.CHOICES))
@pytest.mark.parametrize("param", [None, 0.3])
def test_activation_derivative_matches_centred_differences(name, param):
    x = np.linspace(-4, 4, 801)
    x = x[np.abs(x) > 1e-3]  # the kinks and jumps at 0
    f, df = neuron.activation(name, x, param)
    h = 1e-6
    numeric = (neuron.activation(name, x + h, param)[0] - neuron.activation(name, x - h, param)[0]) / (2 * h)
    err = nk.relative_error(df, numeric) if np.any(numeric) else np.abs(df).max()
    assert err < 1e-7, f"{name}'(x) (param {param}) disagrees with centred differences: error {err:.2e}"
    assert f.shape == df.shape == x.shape, f"{name}: f {f.shape}, f' {df.shape}, x {x.shape}"


def test_activation_uses_its_parameter_and_nnkit_layers():
    x = np.linspace(-3, 3, 61)
    f, df = neuron.activation("prelu", x, 0.4)
    layer = nk.PReLU(a=0.4)
    assert np.array_equal(f, layer.forward(x.reshape(-1, 1))[:, 0]), "prelu should be nk.PReLU's forward"
    assert np.array_equal(df, np.where(x > 0, 1.0, 0.4)), "prelu' should be 1 or a"
    assert np.array_equal(neuron.activation("leaky_relu", x, 0.2)[0], F.leaky_relu(x, 0.2))
    assert np.array_equal(neuron.activation("elu", x)[0], F.elu(x, 1.0)), "None should take the default alpha"
    assert np.array_equal(neuron.activation("sigmoid", x, 5.0)[0], F.sigmoid(x)), "sigmoid has no parameter"


def test_activation_keeps_shape_and_names_a_bad_name():
    f, df = neuron.activation("tanh", np.zeros((2, 3)))
    assert f.shape == df.shape == (2, 3)
    with pytest.raises(ValueError, match="activation 'swish'"):
        neuron.activation("swish", [0.0])


# ---------------------------------------------------------------- neuron: one sigmoid neuron

@given(w=finite, b=finite, cost=st.sampled_from(neuron.COSTS))
def test_neuron_gradient_matches_centred_differences(w, b, cost):
    x, y = np.array([-1.5, 0.3, 2.0]), np.array([0.0, 1.0, 0.4])
    dw, db = neuron.neuron_gradient(w, b, x, y, cost)
    h = 1e-6
    num_w = (neuron.neuron_cost(w + h, b, x, y, cost) - neuron.neuron_cost(w - h, b, x, y, cost)) / (2 * h)
    num_b = (neuron.neuron_cost(w, b + h, x, y, cost) - neuron.neuron_cost(w, b - h, x, y, cost)) / (2 * h)
    assert np.allclose(dw, num_w, rtol=1e-6, atol=1e-9), f"{cost}: dC/dw {dw} vs centred differences {num_w}"
    assert np.allclose(db, num_b, rtol=1e-6, atol=1e-9), f"{cost}: dC/db {db} vs centred differences {num_b}"


@pytest.mark.parametrize("cost, loss", [("quadratic", nk.MSELoss), ("cross_entropy", nk.BCELoss)])
def test_train_neuron_is_nnkit_gradient_descent(cost, loss):
    x, y = neuron.saturation_task(20, rng=3)
    run = neuron.train_neuron([1.5, -0.5], [0.2, 0.7], x, y, cost, lr=0.5, epochs=40)
    for j, (w, b) in enumerate([(1.5, 0.2), (-0.5, 0.7)]):
        net = nk.Sequential([nk.Dense(1, 1, rng=0), nk.Sigmoid()])
        net[0].W[...], net[0].b[...] = w, b
        history = nk.fit(net, loss(), x.reshape(-1, 1), y.reshape(-1, 1), epochs=40, lr=0.5, progress=False)
        assert np.allclose(history.loss, run.loss[:40, j], rtol=1e-10, atol=0), f"{cost}, start {j}: losses differ"
        assert np.isclose(net[0].W[0, 0], run.w[-1, j], rtol=1e-10), f"{cost}, start {j}: final w differs"
        assert np.isclose(net[0].b[0], run.b[-1, j], rtol=1e-10), f"{cost}, start {j}: final b differs"


def test_train_neuron_shapes_and_starting_point():
    run = neuron.train_neuron(np.array([2.0, 0.6, 1.0]), 0.5, [1.0], [0.0], epochs=7)
    assert run.w.shape == run.b.shape == run.loss.shape == (8, 3)
    assert np.array_equal(run.w[0], [2.0, 0.6, 1.0]) and np.all(run.b[0] == 0.5)


def test_cross_entropy_cost_is_stable_and_matches_bce():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        C = neuron.neuron_cost([1000.0, -1000.0], 0.0, [1.0], [0.0], "cross_entropy")
    assert np.allclose(C, [1000.0, 0.0]), f"CE at z = +-1000 with y = 0 should be 1000 and 0; got {C}"
    a = F.sigmoid(np.array([[0.3 * 2.0 + 0.1]]))
    expected = nk.BCELoss()(a, np.array([[1.0]]))
    assert np.isclose(neuron.neuron_cost(0.3, 0.1, [2.0], [1.0], "cross_entropy")[0], expected, rtol=1e-12)


def test_neuron_errors_name_the_arguments():
    with pytest.raises(ValueError, match=r"x \(3,\) and y \(2,\)"):
        neuron.neuron_cost(1.0, 0.0, [1.0, 2.0, 3.0], [0.0, 1.0])
    with pytest.raises(ValueError, match=r"w \(2,\) and b \(3,\)"):
        neuron.neuron_gradient([1.0, 2.0], [0.0, 0.0, 0.0], [1.0], [0.0])
    with pytest.raises(ValueError, match="cost 'hinge'"):
        neuron.train_neuron(1.0, 0.0, [1.0], [0.0], "hinge")
    with pytest.raises(ValueError, match="lr must be > 0"):
        neuron.train_neuron(1.0, 0.0, [1.0], [0.0], lr=0.0)


def test_saturation_task_is_seeded():
    x, y = neuron.saturation_task(30, rng=5)
    x2, _ = neuron.saturation_task(30, rng=5)
    assert x.shape == y.shape == (30,) and np.array_equal(x, x2)
    assert np.all(np.abs(x) <= 2) and np.allclose(y, F.sigmoid(-2 * x))


# ---------------------------------------------------------------- neuron: networks

def test_layer_gradient_norms_match_a_plain_backward_pass():
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((10, 4)), rng.standard_normal((10, 2))
    net = nk.MLP([4, 5, 3, 2], activation="tanh", rng=1)
    g = neuron.layer_gradient_norms(net, nk.MSELoss(), X, Y)
    loss = nk.MSELoss()
    loss(net.forward(X), Y)
    dY = loss.backward()
    net.backward(dY)
    dense = [layer for layer in net.layers if isinstance(layer, nk.Dense)]
    assert np.allclose(g.weights, [np.linalg.norm(d.dW) for d in dense], rtol=1e-12)
    assert np.isclose(g.errors[-1], np.linalg.norm(dY), rtol=1e-12), "the last error is dL/dYhat"
    # The error at the first Dense output is dL/de1 = (dL/dh1) * tanh'(e1).
    e1 = X @ dense[0].W.T + dense[0].b
    delta1 = net[1].backward(net[2].backward(net[3].backward(net[4].backward(dY))))
    assert np.isclose(g.errors[0], np.linalg.norm(delta1), rtol=1e-12)
    assert np.allclose(delta1, (net[2].backward(net[3].backward(net[4].backward(dY)))) * F.tanh_grad(e1))


def test_layer_gradient_norms_needs_a_dense_layer():
    with pytest.raises(ValueError, match="no Dense layer"):
        neuron.layer_gradient_norms(nk.Sequential([nk.Tanh()]), nk.MSELoss(), np.ones((2, 1)), np.ones((2, 1)))


def test_dead_units():
    E = np.array([[-1.0, 0.0, 2.0], [-3.0, -1.0, -1.0]])
    assert neuron.dead_units(E).tolist() == [True, True, False]
    with pytest.raises(ValueError, match="2-D batch"):
        neuron.dead_units(np.zeros(3))


@given(bias=st.floats(-6, 2, allow_nan=False))
def test_dead_fraction_by_bias_matches_the_forward_pass(bias):
    X, _ = nk.data.blobs(50, [[0.0, 0.0]], 1.0, rng=0)
    layer = nk.Dense(2, 12, rng=2)
    layer.b[...] = bias
    direct = neuron.dead_units(layer.forward(X)).mean()
    assert neuron.dead_fraction_by_bias(X, layer.W, [bias])[0] == direct


# ---------------------------------------------------------------- plots

def _trajectory():
    x, y = neuron.saturation_task(20, rng=0)
    return x, y, neuron.train_neuron([0.5, 8.0], 0.0, x, y, epochs=20)


def _norms():
    X, Y = np.random.default_rng(0).standard_normal((20, 8)), np.random.default_rng(1).standard_normal((20, 1))
    return neuron.layer_gradient_norms(nk.MLP([8, 8, 8, 1], "sigmoid", rng=0), nk.MSELoss(), X, Y)


PLOTS = {
    "hard_and_soft": lambda: P.hard_and_soft(),
    "sigmoid_and_tanh": lambda: P.sigmoid_and_tanh(),
    "activation_pair": lambda: P.activation_pair("elu", 0.5),
    "activation_family": lambda: P.activation_family(params={"leaky_relu": 0.1}),
    "stalled_training": lambda: P.stalled_training(*_trajectory(), ["w = 0.5", "w = 8"]),
    "gradient_norms": lambda: P.gradient_norms({"sigmoid": _norms()}),
    "piecewise_outputs": lambda: P.piecewise_outputs(np.linspace(0, 1, 5), {"a": np.arange(5.0)}),
    "dying_relu": lambda: P.dying_relu(np.zeros((3, 2)), np.eye(2), -1.0, np.array([True, False]),
                                       np.linspace(-2, 1, 4), np.linspace(1, 0, 4)),
    "gradient_signs": lambda: P.gradient_signs({"sigmoid": np.ones((4, 2)), "tanh": -np.ones((4, 2))}),
}


@pytest.mark.parametrize("name", list(PLOTS))
def test_plot_returns_a_labelled_figure(name):
    assert_labelled(PLOTS[name]())


def test_unit_segments_lie_on_the_unit_lines():
    W, b = np.array([[1.0, 2.0], [-0.5, 0.3]]), np.array([0.5, -1.0])
    seg = P.unit_segments(W, b, (-4, 4))
    for j in range(2):
        for point in seg[j]:
            assert abs(point @ W[j] + b[j]) < 1e-12, "both end points must satisfy w . x + b = 0"


# ---------------------------------------------------------------- widgets

def test_activation_chooser():
    live = W.activation_chooser("relu")
    exercise(live, [{"name": "elu"}, {"param": 1.7}, {"name": "prelu"}, {"param": 0.05},
                             {"name": "sigmoid"}, {"name": "leaky_relu"}])
    x = np.linspace(-4, 4, 401)
    f, df = neuron.activation("leaky_relu", x, 0.05)
    assert np.array_equal(live.result["f"], f) and np.array_equal(live.result["df"], df)
    assert "slope = 0.05" in live.fig.axes[0].get_title()


def test_weight_scale_explorer():
    live = W.weight_scale_explorer(w0=1.0)
    exercise(live, [{"w0": 20.0}, {"lr": 2.0}, {"w0": 3.0}, {"w0": 60.0}, {"lr": 0.5}])
    x, y = neuron.saturation_task(50, 0)
    expected = neuron.train_neuron(60.0, 0.0, x, y, "quadratic", 0.5, 300)
    assert np.allclose(live.result.loss, expected.loss), "the widget should draw train_neuron's run"
    assert 1 - live.result.loss[-1, 0] / live.result.loss[0, 0] < 0.1, "w0 = 60 should stall"


def test_dying_relu_explorer():
    X, _ = nk.data.blobs(100, [[0.0, 0.0]], 1.0, rng=1)
    layer = nk.Dense(2, 30, rng=1)
    live = W.dying_relu_explorer(X, layer.W)
    exercise(live, [{"bias": -2.0}, {"bias": -4.0}, {"bias": -6.0}, {"bias": -3.0}, {"bias": -5.0}])
    assert live.result["fraction"] == neuron.dead_fraction_by_bias(X, layer.W, [-5.0])[0]
    layer.b[...] = -5.0
    assert np.array_equal(live.result["dead"], neuron.dead_units(layer.forward(X)))


def test_depth_explorer():
    live = W.depth_explorer(depth=4)
    exercise(live, [{"depth": 8}, {"activation": "relu"}, {"init": "he"}, {"activation": "tanh"},
                             {"depth": 12}])
    assert len(live.result.errors) == 13, "12 hidden layers and the output layer"
    data = np.random.default_rng(0)
    X, Y = data.standard_normal((100, 32)), data.standard_normal((100, 1))
    net = nk.MLP([32] * 13 + [1], activation="tanh", init="he", rng=0)
    assert np.allclose(live.result.errors, neuron.layer_gradient_norms(net, nk.MSELoss(), X, Y).errors)
