"""Layer semantics from API.md: shapes, initialisers, BatchNorm statistics, MLP structure."""
import numpy as np
import pytest

import nnkit as nk


def test_dense_computes_x_w_transpose_plus_b():
    layer = nk.Dense(3, 2, rng=0)
    layer.W[...] = [[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]]
    layer.b[...] = [0.5, -1.0]
    X = np.array([[1.0, 1.0, 1.0], [2.0, 0.0, -2.0]])
    assert np.allclose(layer.forward(X), [[6.5, -1.5], [-3.5, -2.0]])


@pytest.mark.parametrize("name, variance", [("xavier", 1 / 400), ("he", 2 / 400), ("small", 1e-4),
                                            ("large", 1.0)])
def test_initialiser_variances(name, variance):
    W = getattr(nk.init, name)((300, 400), rng=0)
    assert W.shape == (300, 400)
    assert abs(W.mean()) < 0.01 * np.sqrt(variance) * 10
    assert W.var() == pytest.approx(variance, rel=0.02)


def test_init_names_callables_and_seeds():
    assert not nk.Dense(3, 2, init="zeros").W.any()
    layer = nk.Dense(3, 2, init=lambda shape, rng: np.full(shape, 0.5))
    assert np.all(layer.W == 0.5)
    assert np.array_equal(nk.Dense(3, 2, rng=4).W, nk.Dense(3, 2, rng=4).W)
    assert not np.array_equal(nk.Dense(3, 2, rng=4).W, nk.Dense(3, 2, rng=5).W)


def test_mlp_structure_and_default_init():
    net = nk.MLP([2, 5, 4, 3], activation="tanh", output="sigmoid", rng=0)
    kinds = [type(layer).__name__ for layer in net.layers]
    assert kinds == ["Dense", "Tanh", "Dense", "Tanh", "Dense", "Sigmoid"]
    assert net.num_parameters() == 5 * 3 + 4 * 6 + 3 * 5
    # Xavier for tanh: variance 1/fan_in. Large layers make the estimate sharp.
    big = nk.MLP([1000, 1000, 1], activation="tanh", rng=0)
    assert big.layers[0].W.var() == pytest.approx(1 / 1000, rel=0.02)
    assert nk.MLP([1000, 1000, 1], activation="relu", rng=0).layers[0].W.var() == pytest.approx(2 / 1000, rel=0.02)
    assert nk.MLP([2, 3, 1], activation=nk.LeakyReLU(0.2)).layers[1].slope == 0.2


def test_mlp_layers_get_different_weights_from_one_seed():
    net = nk.MLP([4, 4, 4], rng=0)
    assert not np.array_equal(net.layers[0].W, net.layers[2].W)


def test_sequential_parameters_and_modes():
    net = nk.Sequential([nk.Dense(2, 3, rng=0), nk.BatchNorm(3), nk.PReLU(), nk.Maxout(3, 2, pieces=3, rng=0)])
    names = [p.name for p in net.parameters()]
    assert names == ["W", "b", "gamma", "beta", "a", "W", "b"]
    assert net.num_parameters() == (2 * 3 + 3) + 6 + 1 + 3 * (2 * 3 + 2)
    net.eval()
    assert not any(layer.training for layer in net.layers)
    net.train()
    assert all(layer.training for layer in net.layers)


def test_maxout_doubles_the_parameters_of_dense():
    assert nk.Maxout(10, 5, pieces=2).num_parameters() == 2 * nk.Dense(10, 5).num_parameters()


def test_maxout_of_relu_and_zero_is_relu():
    layer = nk.Maxout(2, 3, pieces=2, rng=0)
    layer.W[1] = 0.0
    layer.b[1] = 0.0
    X = np.random.default_rng(1).standard_normal((6, 2))
    assert np.allclose(layer.forward(X), np.maximum(X @ layer.W[0].T + layer.b[0], 0))


def test_batchnorm_normalises_and_keeps_running_statistics():
    rng = np.random.default_rng(0)
    layer = nk.BatchNorm(2, momentum=0.9)
    X = rng.normal([3.0, -1.0], [2.0, 0.5], size=(50, 2))
    Y = layer.forward(X)
    assert np.allclose(Y.mean(axis=0), 0, atol=1e-12)
    assert np.allclose(Y.var(axis=0), X.var(axis=0) / (X.var(axis=0) + 1e-5))
    assert np.allclose(layer.running_mean, 0.1 * X.mean(axis=0))
    assert np.allclose(layer.running_var, 0.9 + 0.1 * X.var(axis=0, ddof=1))
    layer.eval()
    expected = (X - layer.running_mean) / np.sqrt(layer.running_var + 1e-5)
    assert np.allclose(layer.forward(X), expected), "eval mode uses the running statistics"


def test_batchnorm_recovers_the_identity():
    X = np.random.default_rng(0).normal(2.0, 3.0, size=(40, 3))
    layer = nk.BatchNorm(3)
    layer.gamma[...] = np.sqrt(X.var(axis=0) + layer.eps)
    layer.beta[...] = X.mean(axis=0)
    assert np.allclose(layer.forward(X), X)


def test_step_and_sign_pass_no_gradient():
    for layer in (nk.Step(), nk.Sign()):
        Y = layer.forward(np.array([[-2.0, 0.0, 3.0]]))
        assert not layer.backward(np.ones_like(Y)).any()
    assert nk.Step().forward(np.array([[-1.0, 0.0, 1.0]])).tolist() == [[0.0, 1.0, 1.0]]


def test_float32_input_is_accepted():
    X = np.ones((2, 3), dtype=np.float32)
    assert nk.Dense(3, 2, rng=0).forward(X).shape == (2, 2)
    assert nk.Sigmoid().forward(X).dtype == np.float32


def test_backward_can_skip_the_input_gradient():
    X = np.random.default_rng(0).standard_normal((5, 3))
    G = np.random.default_rng(1).standard_normal((5, 2))
    full, lean = nk.MLP([3, 4, 2], rng=0), nk.MLP([3, 4, 2], rng=0)
    full.forward(X)
    lean.forward(X)
    assert full.backward(G).shape == (5, 3)
    assert lean.backward(G, input_grad=False) is None
    for a, b in zip(full.parameters(), lean.parameters()):
        assert np.array_equal(a.grad, b.grad), f"{a}: skipping dX must not change the parameter gradients"
    # A first layer without the option still works, and the result is still None.
    net = nk.Sequential([nk.BatchNorm(3), nk.Dense(3, 2, rng=0)])
    net.forward(X)
    assert net.backward(G, input_grad=False) is None and net[0].dgamma.shape == (3,)


def test_mlp_with_batchnorm_puts_it_between_dense_and_activation():
    with_bn = nk.MLP([2, 5, 4, 3], activation="tanh", output="sigmoid", rng=0, batchnorm=True)
    without = nk.MLP([2, 5, 4, 3], activation="tanh", output="sigmoid", rng=0)
    assert [type(layer).__name__ for layer in with_bn.layers] == \
        ["Dense", "BatchNorm", "Tanh", "Dense", "BatchNorm", "Tanh", "Dense", "Sigmoid"]
    assert [layer.features for layer in with_bn.layers if isinstance(layer, nk.BatchNorm)] == [5, 4]
    dense_a = [layer for layer in with_bn.layers if isinstance(layer, nk.Dense)]
    dense_b = [layer for layer in without.layers if isinstance(layer, nk.Dense)]
    for a, b in zip(dense_a, dense_b, strict=True):  # the same seed, the same weights
        assert np.array_equal(a.W, b.W) and np.array_equal(a.b, b.b)
    assert with_bn.num_parameters() == without.num_parameters() + 2 * (5 + 4)


def test_mlp_with_batchnorm_backward_matches_finite_differences():
    net = nk.MLP([3, 4, 2], activation="tanh", rng=1, batchnorm=True)
    X = np.random.default_rng(0).standard_normal((6, 3))
    _, errors = nk.gradcheck(net, X, rng=0, details=True)
    # "b" is the bias in front of the batch norm: its gradient is exactly zero (the
    # normalisation subtracts any shift), where a relative error is 0/0.
    checked = {k: v for k, v in errors.items() if k != "b"}
    assert len(checked) == 6 and max(checked.values()) < 1e-7, errors


def test_mlp_accepts_numpy_integer_widths():
    net = nk.MLP(np.array([2, 3, 1]), rng=0)
    assert net.sizes == [2, 3, 1] and all(type(s) is int for s in net.sizes)
    with pytest.raises(ValueError, match="positive ints"):
        nk.MLP([2, True, 1])


def test_evaluating_switches_to_eval_and_restores_every_layer():
    net = nk.MLP([2, 4, 4, 1], rng=0, batchnorm=True)
    X = np.random.default_rng(0).standard_normal((8, 2))
    net.layers[4].eval()  # a mixed state: one BatchNorm already in eval mode
    before = [layer.training for layer in net.layers]
    with net.evaluating() as same:
        assert same is net and not net.training
        assert not any(layer.training for layer in net.layers)
        out = net.forward(X[:1])  # one row: only possible with the running statistics
    assert out.shape == (1, 1)
    assert [layer.training for layer in net.layers] == before and net.training


def test_evaluating_restores_the_mode_when_forward_raises():
    net = nk.MLP([2, 4, 1], rng=0, batchnorm=True)
    with pytest.raises(ValueError, match="features"):
        with net.evaluating():
            net.forward(np.ones((3, 5)))  # the wrong width
    assert net.training and all(layer.training for layer in net.layers)
    net.eval()
    with net.evaluating():
        pass
    assert not net.training and not any(layer.training for layer in net.layers), \
        "a network in eval mode stays in eval mode"


def test_evaluating_on_a_single_layer():
    bn = nk.BatchNorm(2)
    with bn.evaluating():
        assert not bn.training
        bn.forward(np.ones((1, 2)))
    assert bn.training


@pytest.mark.parametrize("name", [n for n, a in nk.layers.ACTIVATIONS.items() if a.f is not None])
def test_each_activation_layer_computes_its_registered_formulas(name):
    entry = nk.layers.ACTIVATIONS[name]
    x = np.linspace(-3, 3, 25).reshape(5, 5)
    param = None if entry.param is None else 0.3
    layer = entry.layer() if entry.param is None else entry.layer(param)
    dY = np.random.default_rng(0).standard_normal(x.shape)
    f, df = entry(x, param)
    assert np.array_equal(layer.forward(x), f), f"{name}: forward is not functional.{name}"
    assert np.array_equal(layer.backward(dY), dY * df), f"{name}: backward is not its derivative"
    lo, hi = entry.range
    assert lo < hi


def test_registry_names_build_their_layers():
    for name, entry in nk.layers.ACTIVATIONS.items():
        assert type(nk.layers.as_activation(name)) is entry.layer
