"""Issue 15's pieces against their definitions: weight decay, AdamW, RMSprop, the penalties,
dropout, the schedules, fit's penalty/schedule/early stopping, and data.split."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nnkit as nk

from strategies import seeds


def _one_weight(w=3.0, b=-1.0):
    layer = nk.Dense(1, 1, init="zeros")
    layer.W[...], layer.b[...] = w, b
    return layer


def _steps(opt, layer, grads):
    for g in grads:
        layer.dW[...], layer.db[...] = g, 0.5 * g
        opt.step()


# Optimisers -------------------------------------------------------------------------

def test_sgd_weight_decay_adds_lambda_theta_to_the_gradient():
    layer = _one_weight()
    _steps(nk.SGD(layer.parameters(), lr=0.1, momentum=0.9, weight_decay=0.2), layer, [1.0, -2.0, 0.5])
    w, b, vw, vb = 3.0, -1.0, 0.0, 0.0
    for g in [1.0, -2.0, 0.5]:
        vw, vb = 0.9 * vw + g + 0.2 * w, 0.9 * vb + 0.5 * g + 0.2 * b
        w, b = w - 0.1 * vw, b - 0.1 * vb
    assert (layer.W[0, 0], layer.b[0]) == pytest.approx((w, b), rel=1e-14)


def test_sgd_weight_decay_on_the_weights_is_the_l2_penalty():
    X, Y = nk.data.semicircle_parabola(20, rng=0)
    nets = [nk.MLP([2, 5, 2], activation="tanh", rng=1) for _ in range(2)]
    decayed = nk.SGD([p for p in nets[0].parameters() if p.is_weight], lr=0.3, weight_decay=0.05)
    biases = nk.SGD([p for p in nets[0].parameters() if not p.is_weight], lr=0.3)
    plain, penalty = nk.SGD(nets[1].parameters(), lr=0.3), nk.L2Penalty(0.05)
    loss = nk.MSELoss()
    for _ in range(5):
        for net in nets:
            loss(net.forward(X), Y)
            net.backward(loss.backward())
        decayed.step()
        biases.step()
        penalty.backward(nets[1].parameters())
        plain.step()
    for a, b in zip(nets[0].parameters(), nets[1].parameters()):
        assert np.allclose(a.value, b.value, rtol=0, atol=1e-14), f"{a}: weight decay != L2 penalty"


def _adam_reference(w, grads, lr, b1, b2, eps, wd, decoupled):
    m = v = 0.0
    for t, g in enumerate(grads, start=1):
        if decoupled:
            w *= 1 - lr * wd
        else:
            g = g + wd * w
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        w -= lr * (m / (1 - b1**t)) / (math.sqrt(v / (1 - b2**t)) + eps)
    return w


@pytest.mark.parametrize("Opt, decoupled", [(nk.Adam, False), (nk.AdamW, True)])
def test_adam_and_adamw_weight_decay(Opt, decoupled):
    grads = [1.0, -2.0, 0.5, 4.0]
    layer = _one_weight()
    _steps(Opt(layer.parameters(), lr=0.01, betas=(0.8, 0.99), weight_decay=0.3), layer, grads)
    want = _adam_reference(3.0, grads, 0.01, 0.8, 0.99, 1e-8, 0.3, decoupled)
    assert layer.W[0, 0] == pytest.approx(want, rel=1e-14)


def test_adamw_default_decay_and_its_difference_from_adam():
    assert nk.AdamW(_one_weight().parameters()).weight_decay == 0.01
    runs = {}
    for Opt in (nk.Adam, nk.AdamW):
        layer = _one_weight()
        _steps(Opt(layer.parameters(), lr=0.01, weight_decay=0.1), layer, [1e-3] * 20)
        runs[Opt.__name__] = layer.W[0, 0]
    # Adam's coupled decay is divided by sqrt(v-hat) together with the gradient, so its step
    # stays about lr whatever the decay; AdamW's shrinking by lr*wd*w comes on top of it.
    assert runs["Adam"] != pytest.approx(runs["AdamW"], rel=1e-3)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_rmsprop_matches_its_update(momentum):
    grads = [1.0, -2.0, 0.5, 4.0]
    layer = _one_weight()
    _steps(nk.RMSprop(layer.parameters(), lr=0.01, alpha=0.9, eps=1e-8, momentum=momentum), layer, grads)
    w, s, buf = 3.0, 0.0, 0.0
    for g in grads:
        s = 0.9 * s + 0.1 * g * g
        buf = momentum * buf + g / (math.sqrt(s) + 1e-8)
        w -= 0.01 * buf
    assert layer.W[0, 0] == pytest.approx(w, rel=1e-14)


def test_rmsprop_defaults_are_torchs():
    opt = nk.RMSprop(_one_weight().parameters())
    assert (opt.lr, opt.alpha, opt.eps, opt.momentum, opt.weight_decay) == (1e-2, 0.99, 1e-8, 0.0, 0.0)


# Penalties --------------------------------------------------------------------------

def test_penalty_values_cover_weights_not_biases():
    net = nk.Sequential([nk.Dense(3, 4, rng=0), nk.PReLU(), nk.BatchNorm(4), nk.Maxout(4, 2, rng=1)])
    for p in net.parameters():
        p.value[...] = np.random.default_rng(len(p.name)).standard_normal(p.shape)
    Ws = [net[0].W, net[3].W]
    assert nk.L2Penalty(0.3)(net.parameters()) == pytest.approx(0.15 * sum((W**2).sum() for W in Ws), rel=1e-14)
    assert nk.L1Penalty(0.3)(net.parameters()) == pytest.approx(0.3 * sum(np.abs(W).sum() for W in Ws), rel=1e-14)
    assert [p.name for p in net.parameters() if p.is_weight] == ["W", "W"]


def test_l1_subgradient_at_zero_is_zero():
    layer = nk.Dense(2, 1, rng=0)
    layer.W[...] = [[0.0, -0.5]]
    layer.dW = np.zeros_like(layer.W)
    nk.L1Penalty(0.1).backward(layer.parameters())
    assert layer.dW.tolist() == [[0.0, -0.1]]


def test_penalty_backward_adds_to_the_gradient():
    layer = nk.Dense(2, 1, rng=0)
    layer.dW = np.ones_like(layer.W)
    nk.L2Penalty(0.5).backward(layer.parameters())
    assert np.allclose(layer.dW, 1.0 + 0.5 * layer.W, rtol=0, atol=1e-15)


# Dropout ----------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(11))
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_drops_p_and_scales_the_rest(seed, p):
    X = np.random.default_rng(100 + seed).uniform(1.0, 2.0, (200, 50))
    layer = nk.Dropout(p, rng=seed)
    Y = layer.forward(X)
    dropped = np.mean(Y == 0)
    sigma = math.sqrt(p * (1 - p) / X.size)
    assert abs(dropped - p) < 5 * sigma, f"dropped {dropped:.4f} of the units, want {p} ± {5 * sigma:.4f}"
    kept = Y != 0
    assert np.allclose(Y[kept], X[kept] / (1 - p), rtol=1e-15), "survivors must be scaled by 1/(1-p)"
    dY = np.random.default_rng(seed).standard_normal(X.shape)
    dX = layer.backward(dY)
    assert np.array_equal(dX == 0, ~kept) and np.allclose(dX[kept], dY[kept] / (1 - p), rtol=1e-15)


def test_dropout_in_eval_mode_and_at_p_zero_is_the_identity():
    X = np.random.default_rng(0).standard_normal((5, 4))
    for layer in (nk.Dropout(0.5, rng=0).eval(), nk.Dropout(0.0, rng=0)):
        assert np.array_equal(layer.forward(X), X)
        assert np.array_equal(layer.backward(2 * X), 2 * X)
    net = nk.Sequential([nk.Dense(4, 3, rng=0), nk.Dropout(0.5, rng=0)]).eval()
    assert np.array_equal(net.forward(X), net.forward(X)), "eval mode must be deterministic"


def test_dropout_masks_repeat_with_the_seed_and_change_every_forward():
    X = np.ones((10, 10))
    a, b = nk.Dropout(0.5, rng=3), nk.Dropout(0.5, rng=3)
    first = a.forward(X)
    assert np.array_equal(first, b.forward(X)), "same seed, same mask"
    assert not np.array_equal(first, a.forward(X)), "a fresh mask at every forward"


def test_dropout_keeps_float32():
    assert nk.Dropout(0.3, rng=0).forward(np.ones((4, 4), dtype=np.float32)).dtype == np.float32


# Schedules --------------------------------------------------------------------------

def test_schedule_closed_forms():
    step = nk.schedules.step(0.1, step_size=3, gamma=0.5)
    assert [step(t) for t in range(7)] == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025], rel=1e-15)
    exp = nk.schedules.exponential(0.2, gamma=0.9)
    assert [exp(t) for t in range(4)] == pytest.approx([0.2, 0.18, 0.162, 0.1458], rel=1e-14)
    cos = nk.schedules.cosine(0.1, total_epochs=10, min_lr=0.02)
    assert (cos(0), cos(5), cos(10)) == pytest.approx((0.1, 0.06, 0.02), rel=1e-14)
    assert all(cos(t) > cos(t + 1) for t in range(10)), "cosine decays monotonically up to total_epochs"


# fit --------------------------------------------------------------------------------

def _twin_loop(net, loss, X, Y, rates, penalty=None):
    """Full-batch gradient descent by hand: per step the loss and the penalty."""
    values, penalties = [], []
    for lr in rates:
        values.append(loss(net.forward(X), Y))
        net.backward(loss.backward())
        if penalty is not None:
            penalties.append(penalty(net.parameters()))
            penalty.backward(net.parameters())
        for p in net.parameters():
            p.value -= lr * p.grad
    return values, penalties


@pytest.mark.parametrize("penalty", [None, nk.L2Penalty(0.1), nk.L1Penalty(0.05)])
def test_fit_with_a_schedule_and_a_penalty_is_the_loop_by_hand(penalty):
    X, Y = nk.data.semicircle_parabola(20, rng=0)
    net, twin = (nk.MLP([2, 4, 2], activation="tanh", rng=0) for _ in range(2))
    schedule = nk.schedules.step(0.5, step_size=2, gamma=0.3)
    h = nk.fit(net, nk.MSELoss(), X, Y, epochs=5, lr=0.5, schedule=schedule, penalty=penalty)
    rates = [schedule(t) for t in range(5)]
    values, penalties = _twin_loop(twin, nk.MSELoss(), X, Y, rates, penalty)
    assert h.lr == rates
    assert h.loss == pytest.approx(values, rel=1e-13), "History.loss is the loss without the penalty"
    assert h.penalty == pytest.approx(penalties, rel=1e-13)
    for a, b in zip(net.parameters(), twin.parameters()):
        assert np.allclose(a.value, b.value, rtol=0, atol=1e-14)


def test_history_lr_records_a_constant_rate_too():
    X, Y = nk.data.xor()
    net = nk.MLP([2, 3, 1], rng=0)
    h = nk.fit(net, nk.MSELoss(), X, Y, epochs=3, optimizer=nk.Adam(net.parameters(), lr=0.02))
    assert h.lr == [0.02] * 3 and h.penalty == [] and h.best_epoch is None
    assert h["lr"] is h.lr


def test_accuracy_is_over_the_whole_epoch():
    X, Y = nk.data.spirals(150, rng=0)
    net, twin = nk.MLP([2, 8, 3], rng=1), nk.MLP([2, 8, 3], rng=1)
    h = nk.fit(net, nk.SoftmaxCrossEntropyLoss(), X, Y, epochs=2, batch_size=32, lr=0.5, rng=4)
    loss, rng, opt = nk.SoftmaxCrossEntropyLoss(), np.random.default_rng(4), nk.SGD(twin.parameters(), lr=0.5)
    for epoch in range(2):
        order, right = rng.permutation(150), 0
        for start in range(0, 150, 32):
            rows = order[start:start + 32]
            Yhat = twin.forward(X[rows])
            right += np.count_nonzero(Yhat.argmax(axis=1) == Y[rows])
            loss(Yhat, Y[rows])
            twin.backward(loss.backward())
            opt.step()
        assert h.accuracy[epoch] == right / 150


def test_early_stopping_keeps_the_best_epoch():
    # A single weight w moves from 0 towards the training target 1; the validation target
    # is 0.5, so the validation loss falls until w passes 0.5 and rises after.
    X, Y, Yv = np.ones((1, 1)), np.ones((1, 1)), np.full((1, 1), 0.5)
    net = nk.Dense(1, 1, init="zeros")
    h = nk.fit(net, nk.MSELoss(), X, Y, epochs=100, lr=0.1, validation=(X, Yv), early_stopping=3)
    best = int(np.argmin(h.val_loss))
    assert h.best_epoch == best and len(h) == best + 1 + 3 < 100
    twin = nk.Dense(1, 1, init="zeros")
    nk.fit(twin, nk.MSELoss(), X, Y, epochs=best + 1, lr=0.1)
    assert (net.W, net.b) == (twin.W, twin.b)


class _ScriptedValidation(nk.SoftmaxCrossEntropyLoss):
    """The validation loss follows a script (the training loss is the real one)."""

    def __init__(self, script, n_val):
        super().__init__()
        self.script, self.n_val = iter(script), n_val

    def __call__(self, Yhat, Y):
        value = super().__call__(Yhat, Y)
        return next(self.script) if len(Y) == self.n_val else value


def test_early_stopping_restores_batchnorm_statistics_and_stops_on_patience():
    X, Y = nk.data.blobs(60, centers=3, rng=0)
    Xv, Yv = X[:7], Y[:7]

    def make():
        return nk.Sequential([nk.Dense(2, 6, rng=0), nk.BatchNorm(6), nk.ReLU(), nk.Dense(6, 3, rng=1)])

    net, twin = make(), make()
    loss = _ScriptedValidation([3.0, 2.0, 1.0, 1.5, 1.0, 4.0, 5.0], n_val=7)
    h = nk.fit(net, loss, X, Y, epochs=20, batch_size=20, lr=0.1, rng=0, validation=(Xv, Yv),
               early_stopping=3)
    assert h.best_epoch == 2 and len(h) == 6, "a tie (1.0 again) is no improvement"
    nk.fit(twin, nk.SoftmaxCrossEntropyLoss(), X, Y, epochs=3, batch_size=20, lr=0.1, rng=0)
    for a, b in zip(net.parameters(), twin.parameters()):
        assert np.array_equal(a.value, b.value)
    assert np.array_equal(net[1].running_mean, twin[1].running_mean)
    assert np.array_equal(net[1].running_var, twin[1].running_var)


def test_validation_restores_training_mode_when_forward_raises():
    net = nk.Sequential([nk.Dense(2, 3, rng=0), nk.Dropout(0.5, rng=0), nk.Dense(3, 1, rng=0)])
    X, Y = np.ones((4, 2)), np.ones((4, 1))
    with pytest.raises(ValueError, match="5 features"):  # raised in the validation pass
        nk.fit(net, nk.MSELoss(), X, Y, epochs=1, lr=0.1, validation=(np.ones((4, 5)), Y))
    assert net.training and net[1].training
    h = nk.fit(net, nk.MSELoss(), X, Y, epochs=2, lr=0.1, validation=(X, Y))
    assert net.training and net[1].training and len(h.val_loss) == 2


def test_dropout_is_a_regulariser_in_fit():
    # Validation uses eval mode: the validation loss of a dropout net is deterministic.
    X, Y = nk.data.spirals(120, rng=0)
    net = nk.Sequential([nk.Dense(2, 32, rng=0), nk.ReLU(), nk.Dropout(0.3, rng=0), nk.Dense(32, 3, rng=1)])
    h = nk.fit(net, nk.SoftmaxCrossEntropyLoss(), X, Y, epochs=3, lr=0.1, rng=0, validation=(X, Y))
    net.eval()
    assert h.val_loss[-1] == pytest.approx(nk.SoftmaxCrossEntropyLoss()(net.forward(X), Y), rel=1e-14)


# data.split -------------------------------------------------------------------------

@given(counts=st.lists(st.integers(3, 40), min_size=1, max_size=5), seed=seeds,
       fractions=st.sampled_from([(0.6, 0.2, 0.2), (0.5, 0.5), (0.7, 0.15, 0.15), (0.8, 0.1, 0.05, 0.05)]))
def test_split_is_a_stratified_partition(counts, seed, fractions):
    counts = [max(c, len(fractions)) for c in counts]
    Y = np.repeat(np.arange(len(counts)), counts)
    X = np.arange(len(Y), dtype=float).reshape(-1, 1) * np.ones((1, 2))  # row i holds i
    parts = nk.data.split(X, Y, fractions=fractions, rng=seed)
    assert len(parts) == len(fractions)
    rows = np.concatenate([Xp[:, 0] for Xp, _ in parts])
    assert np.array_equal(np.sort(rows), np.arange(len(Y))), "the parts must be disjoint and cover every row"
    for (Xp, Yp), f in zip(parts, fractions):
        assert np.array_equal(Y[Xp[:, 0].astype(int)], Yp), "each row keeps its own label"
        per_class = np.bincount(Yp, minlength=len(counts))
        assert per_class.min() >= 1, f"every class in every part; got counts {per_class}"
        if min(counts) * min(fractions) >= 1:  # no part needs a row moved in to be non-empty
            assert np.all(np.abs(per_class - f * np.array(counts)) < 1), \
                f"class counts {per_class} should be within one of {f} x {counts}"
            assert abs(len(Yp) - f * len(Y)) < len(counts)
    again = nk.data.split(X, Y, fractions=fractions, rng=seed)
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(parts, again)), "same seed, same split"


def test_split_of_regression_targets():
    X, Y = nk.data.semicircle_parabola(50, rng=0)
    parts = nk.data.split(X, Y, rng=1)
    assert [len(Xp) for Xp, _ in parts] == [30, 10, 10]
    for Xp, Yp in parts:
        assert np.allclose(Yp[:, 0], Xp[:, 0]) and np.allclose(Yp[:, 1], Xp[:, 0] ** 2), "pairs stay together"
    other = nk.data.split(X, Y, rng=2)
    assert not np.array_equal(parts[0][0], other[0][0]), "another seed, another split"


def test_mlp_dropout_puts_one_dropout_after_each_hidden_activation_and_keeps_the_weights():
    plain = nk.MLP([3, 5, 4, 2], activation="tanh", rng=7)
    dropped = nk.MLP([3, 5, 4, 2], activation="tanh", rng=7, dropout=0.3)
    kinds = [type(layer).__name__ for layer in dropped.layers]
    assert kinds == ["Dense", "Tanh", "Dropout", "Dense", "Tanh", "Dropout", "Dense"], kinds
    assert all(layer.p == 0.3 for layer in dropped.layers if isinstance(layer, nk.Dropout))
    for a, b in zip(plain.parameters(), dropped.parameters()):
        assert np.array_equal(a.value, b.value), "dropout should not change the drawn weights"
    X = np.random.default_rng(0).normal(size=(6, 3))
    with dropped.evaluating():  # identity in eval mode: the same function as without dropout
        assert np.allclose(dropped.forward(X), plain.forward(X), rtol=0, atol=1e-15)
    assert not np.allclose(dropped.forward(X), plain.forward(X)), "training mode should drop units"


def test_mlp_refuses_a_dropout_rate_outside_0_1():
    with pytest.raises(ValueError, match="p"):
        nk.MLP([2, 3, 1], dropout=1.0)
