"""Every differentiable piece: analytic backward against centred differences (float64, < 1e-7)."""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import nnkit as nk
from nnkit import functional as F

from strategies import batches, dims, seeds, spread_batches

TOL = 1e-7

ELEMENTWISE = {
    "Sigmoid": nk.Sigmoid,
    "Tanh": nk.Tanh,
    "ReLU": nk.ReLU,
    "Identity": nk.Identity,
    "Softplus": nk.Softplus,
    "LeakyReLU": lambda: nk.LeakyReLU(0.1),
    "ELU": lambda: nk.ELU(0.7),
    "PReLU": lambda: nk.PReLU(0.3),
    "Softmax": nk.Softmax,
}


def assert_small(error, what):
    assert error < TOL, f"{what}: relative error {error:.3g} between backward and centred differences (want < {TOL})"


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(X=batches(away_from_kinks=True), seed=seeds)
def test_activation_layers(name, X, seed):
    assert_small(nk.gradcheck(ELEMENTWISE[name](), X, rng=seed), name)


@given(X=batches(away_from_kinks=True), seed=seeds, a=st.floats(-0.9, 0.9))
def test_prelu_slope_gradient(X, seed, a):
    worst, errors = nk.gradcheck(nk.PReLU(a), X, rng=seed, details=True)
    assert set(errors) == {"X", "a"}, f"gradcheck should cover the input and the slope a; covered {set(errors)}"
    assert_small(errors["a"], "PReLU slope a")


@given(X=batches(away_from_kinks=True), out=dims, seed=seeds, init=st.sampled_from(["he", "xavier", "large"]))
def test_dense(X, out, seed, init):
    layer = nk.Dense(X.shape[1], out, init=init, rng=seed)
    layer.b[...] = np.random.default_rng(seed).standard_normal(out)
    worst, errors = nk.gradcheck(layer, X, rng=seed, details=True)
    assert set(errors) == {"X", "W", "b"}
    assert_small(worst, "Dense")


# Hypothesis favours a range's lower end (and a list's first entry): with integers(1, 3) two
# maxouts in three had a single piece, which is a Dense layer. Two pieces come first here.
@given(X=batches(away_from_kinks=True), out=dims, pieces=st.sampled_from([2, 3, 1]), seed=seeds)
def test_maxout(X, out, pieces, seed):
    layer = nk.Maxout(X.shape[1], out, pieces=pieces, rng=seed)
    layer.b[...] = np.random.default_rng(seed + 1).standard_normal(layer.b.shape)
    # Centred differences are only valid where no two pieces tie within h (rare: random
    # weights and biases make the gap between the top two pieces a continuous variable).
    Z = np.einsum("ni,poi->npo", X, layer.W) + layer.b
    if pieces > 1:
        top2 = np.sort(Z, axis=1)[:, -2:, :]
        assume(np.min(top2[:, 1] - top2[:, 0]) >= 1e-3)
    assert_small(nk.gradcheck(layer, X, rng=seed), "Maxout")


@given(X=spread_batches(), seed=seeds)
def test_batchnorm_training_mode(X, seed):
    # A near-constant column is degenerate (its normalised values are noise), and with
    # two rows x-hat is always ±1, so dX vanishes; both make the relative error
    # meaningless. spread_batches draws at least three rows and rarely such a column.
    assume(np.min(X.var(axis=0)) >= 1e-2)
    layer = nk.BatchNorm(X.shape[1])
    rng = np.random.default_rng(seed)
    layer.gamma[...] = rng.uniform(0.5, 2.0, X.shape[1])
    layer.beta[...] = rng.standard_normal(X.shape[1])
    worst, errors = nk.gradcheck(layer, X, rng=seed, details=True)
    assert set(errors) == {"X", "gamma", "beta"}
    assert_small(worst, "BatchNorm (training mode)")


@given(X=batches(), seed=seeds)
def test_batchnorm_eval_mode(X, seed):
    layer = nk.BatchNorm(X.shape[1])
    layer.running_mean[...] = 0.3
    layer.running_var[...] = 2.0
    assert_small(nk.gradcheck(layer.eval(), X, rng=seed), "BatchNorm (eval mode)")


@given(X=batches(away_from_kinks=True), seed=seeds, activation=st.sampled_from(["tanh", "sigmoid", "softplus", "elu"]),
       hidden=st.lists(st.integers(2, 5), min_size=1, max_size=3), out=dims)
def test_mlp(X, seed, activation, hidden, out):
    net = nk.MLP([X.shape[1], *hidden, out], activation=activation, rng=seed)
    for layer in net.layers:
        if isinstance(layer, nk.Dense):
            layer.b[...] = 0.1
    worst, errors = nk.gradcheck(net, X, rng=seed, details=True)
    assume_gradients_above_round_off(net, X, seed)
    assert_small(worst, f"MLP {net.sizes} {activation}")


def assume_gradients_above_round_off(net, X, seed):
    """Centred differences carry a round-off error of about 1e-16 |f| / h = 1e-11 |f| per
    entry. When a vanishing gradient (deep sigmoid chains, saturated tanh units) is a
    thousand times smaller than f, that round-off, not the backward pass, decides the
    relative error; such draws test float arithmetic rather than nnkit and are filtered out."""
    G = np.random.default_rng(seed).standard_normal(net.forward(X).shape)
    f = abs(np.sum(net.forward(X) * G))
    dX = net.backward(G)
    smallest = min(np.linalg.norm(g) for g in [dX, *(p.grad for p in net.parameters())])
    assume(smallest > 1e-3 * (1 + f))


def _loss_gradcheck(loss, Yhat, Y):
    loss(Yhat, Y)
    analytic = loss.backward()
    # h = 1e-5 balances truncation (h**2) against round-off (1e-16/h), as gradcheck does.
    numeric = nk.numerical_gradient(lambda: loss(Yhat, Y), Yhat, h=1e-5)
    return nk.relative_error(analytic, numeric)


@given(Yhat=batches(), seed=seeds)
def test_mse(Yhat, seed):
    Y = np.random.default_rng(seed).standard_normal(Yhat.shape)
    assert_small(_loss_gradcheck(nk.MSELoss(), Yhat, Y), "MSELoss")


@given(Z=batches(), seed=seeds)
def test_bce_on_probabilities(Z, seed):
    A = F.sigmoid(Z)  # values in (0.047, 0.953): away from the clamps
    Y = np.random.default_rng(seed).uniform(0, 1, A.shape)
    assert_small(_loss_gradcheck(nk.BCELoss(), A, Y), "BCELoss")


@given(Z=batches(elements=st.floats(-20, 20)), seed=seeds)
def test_bce_with_logits(Z, seed):
    Y = np.random.default_rng(seed).integers(0, 2, Z.shape).astype(float)
    assert_small(_loss_gradcheck(nk.BCEWithLogitsLoss(), Z, Y), "BCEWithLogitsLoss")


@given(Z=batches(elements=st.floats(-20, 20)), seed=seeds, one_hot=st.booleans())
def test_softmax_cross_entropy(Z, seed, one_hot):
    labels = np.random.default_rng(seed).integers(0, Z.shape[1], len(Z))
    Y = nk.data.one_hot(labels, Z.shape[1]) if one_hot else labels
    assert_small(_loss_gradcheck(nk.SoftmaxCrossEntropyLoss(), Z, Y), "SoftmaxCrossEntropyLoss")


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus"])
@given(x=batches(away_from_kinks=True))
def test_functional_derivatives(name, x):
    f, f_grad = getattr(F, name), getattr(F, name + "_grad")
    numeric = np.vectorize(lambda v: (f(v + 1e-6) - f(v - 1e-6)) / 2e-6)(x)
    assert_small(nk.relative_error(f_grad(x), numeric), f"functional.{name}_grad")


class _OffTanh(nk.Tanh):
    """A tanh layer whose backward is 10% too large."""

    def backward(self, dY):
        return 1.1 * super().backward(dY)


def test_gradcheck_catches_a_backward_off_by_ten_percent():
    class OffW(nk.Dense):
        def backward(self, dY):
            dX = super().backward(dY)
            self.dW = 0.9 * self.dW
            return dX

    X = np.random.default_rng(0).standard_normal((5, 3))
    assert nk.gradcheck(nk.Tanh(), X, rng=0) < TOL
    assert nk.gradcheck(_OffTanh(), X, rng=0) > 1e-2, "a 10% error in dX must be reported"
    assert nk.gradcheck(OffW(3, 2, rng=0), X, rng=0) > 1e-2, "a 10% error in dW must be reported"


def test_a_network_runs_a_subclass_s_own_forward_and_backward():
    # Inside a network nnkit's layers skip their checks (the network checked once), but a
    # subclass that overrides forward or backward is called through them, as written.
    class Doubled(nk.Dense):
        def forward(self, X):
            return 2.0 * super().forward(X)

    X = np.random.default_rng(0).standard_normal((5, 3))
    plain = nk.Sequential([nk.Dense(3, 4, rng=0), nk.Tanh(), nk.Dense(4, 2, rng=1)])
    off = nk.Sequential([nk.Dense(3, 4, rng=0), _OffTanh(), nk.Dense(4, 2, rng=1)])
    doubled = nk.Sequential([Doubled(3, 4, rng=0), nk.Tanh(), nk.Dense(4, 2, rng=1)])
    assert nk.gradcheck(plain, X, rng=0) < TOL
    assert nk.gradcheck(off, X, rng=0) > 1e-2, "the subclass's backward must be the one run"
    assert np.array_equal(doubled.forward(X), plain.layers[2].forward(
        np.tanh(2.0 * plain.layers[0].forward(X)))), "the subclass's forward must be the one run"


def test_gradcheck_leaves_the_layer_as_it_was():
    layer = nk.BatchNorm(3)
    X = np.random.default_rng(0).standard_normal((6, 3))
    nk.gradcheck(layer, X, rng=0)
    assert np.array_equal(layer.running_mean, np.zeros(3)), "gradcheck must not change running statistics"


def test_numerical_gradient_restores_x():
    x = np.array([1.0, -2.0, 3.0])
    g = nk.numerical_gradient(lambda: np.sum(x**3), x)
    assert np.array_equal(x, [1.0, -2.0, 3.0])
    assert np.allclose(g, 3 * x**2, rtol=1e-8)


def test_relative_error_formula():
    assert nk.relative_error([3.0, 4.0], [3.0, 4.0]) == 0.0
    assert nk.relative_error([1.0, 0.0], [0.0, 0.0]) == pytest.approx(1.0)
    assert nk.relative_error([0.0], [0.0]) == 0.0
    assert nk.relative_error([2.0], [1.0]) == pytest.approx(1 / 3)


def test_gradcheck_accepts_an_exactly_zero_gradient():
    # A bias in front of batch norm has no effect on the output: its gradient is exactly 0,
    # and the differences are round-off. That is a match, not an error of about 1.
    net = nk.Sequential([nk.Dense(3, 4, rng=0), nk.BatchNorm(4)])
    X = np.random.default_rng(0).standard_normal((6, 3))
    worst, errors = nk.gradcheck(net, X, rng=0, details=True)
    assert errors["b"] == 0.0 and worst < TOL
    # ...but a wrong zero is still caught.
    class Lazy(nk.Dense):
        def backward(self, dY):
            dX = super().backward(dY)
            self.db = np.zeros_like(self.db)
            return dX
    assert nk.gradcheck(Lazy(3, 2, rng=0), X, rng=0) > 0.5


# Regularisation (issue 15): the penalties' gradients and dropout's backward.

class _SameMask(nk.Dropout):
    """Dropout drawing the same mask at every forward, so that centred differences see
    one fixed function (a fresh mask per call would make f random)."""

    def __init__(self, p, seed):
        super().__init__(p, rng=seed)
        self.seed = seed

    def forward(self, X):
        self.rng = np.random.default_rng(self.seed)
        return super().forward(X)


def _penalised_net(seed, n_in, out):
    """A net with both kinds of weight matrix (Dense's 2-D W, Maxout's 3-D W), weights
    kept away from 0 where L1 has its kink, and non-zero biases."""
    net = nk.Sequential([nk.Dense(n_in, 4, rng=seed), nk.Tanh(), nk.Maxout(4, out, pieces=2, rng=seed + 1)])
    rng = np.random.default_rng(seed)
    for p in net.parameters():
        v = rng.uniform(0.05, 1.0, p.shape) * rng.choice([-1.0, 1.0], p.shape)
        p.value[...] = v
    return net


@pytest.mark.parametrize("Penalty", [nk.L2Penalty, nk.L1Penalty])
@given(seed=seeds, n_in=dims, out=dims, lam=st.floats(1e-3, 10.0))
def test_penalty_gradient(Penalty, seed, n_in, out, lam):
    net = _penalised_net(seed, n_in, out)
    params, penalty = net.parameters(), Penalty(lam)
    grads = {}
    for p in params:  # the gradient the network's backward left: the penalty adds to it
        grads[p] = np.random.default_rng(seed).standard_normal(p.shape)
        setattr(p.owner, "d" + p.name, grads[p].copy())
    penalty.backward(params)
    for p in params:
        added = p.grad - grads[p]
        numeric = nk.numerical_gradient(lambda: penalty(params), p.value, h=1e-5)
        if p.is_weight:
            assert_small(nk.relative_error(added, numeric), f"{Penalty.__name__} on {p}")
        else:
            assert not added.any() and not numeric.any(), f"{Penalty.__name__} must leave {p} alone"


@given(X=batches(n=st.integers(1, 6)), seed=seeds, p=st.floats(0.0, 0.9))
def test_dropout_backward_through_the_same_mask(X, seed, p):
    assert_small(nk.gradcheck(_SameMask(p, seed), X, rng=seed), f"Dropout(p={p})")


@given(X=batches(away_from_kinks=True), seed=seeds, p=st.floats(0.1, 0.9))
def test_network_with_dropout(X, seed, p):
    net = nk.Sequential([nk.Dense(X.shape[1], 5, rng=seed), nk.Tanh(), _SameMask(p, seed),
                         nk.Dense(5, 2, rng=seed + 1)])
    assume_gradients_above_round_off(net, X, seed)
    assert_small(nk.gradcheck(net, X, rng=seed), f"Dense-Tanh-Dropout({p})-Dense")
