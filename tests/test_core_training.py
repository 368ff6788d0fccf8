"""Optimisers against their published algorithms, fit's bookkeeping, reproducibility, learning."""

import numpy as np
import pytest

import nnkit as nk


def _one_param_problem():
    layer = nk.Dense(1, 1, init="zeros")
    layer.W[...] = 3.0
    return layer


def test_sgd_momentum_matches_the_velocity_form():
    layer = _one_param_problem()
    opt = nk.SGD(layer.parameters(), lr=0.1, momentum=0.9)
    grads = [1.0, -2.0, 0.5]
    w, v = 3.0, 0.0
    for g in grads:
        layer.dW[...] = g
        layer.db[...] = 0.0
        opt.step()
        v = 0.9 * v + g
        w = w - 0.1 * v
    assert layer.W[0, 0] == pytest.approx(w, rel=1e-15)


def test_adam_matches_kingma_and_ba_algorithm_1():
    layer = _one_param_problem()
    opt = nk.Adam(layer.parameters(), lr=0.01, betas=(0.8, 0.99), eps=1e-8)
    w, m, v = 3.0, 0.0, 0.0
    for t, g in enumerate([1.0, -2.0, 0.5, 4.0], start=1):
        layer.dW[...] = g
        layer.db[...] = 0.0
        opt.step()
        m = 0.8 * m + 0.2 * g
        v = 0.99 * v + 0.01 * g * g
        w -= 0.01 * (m / (1 - 0.8**t)) / (np.sqrt(v / (1 - 0.99**t)) + 1e-8)
    assert layer.W[0, 0] == pytest.approx(w, rel=1e-14)


def test_optimisers_update_in_place_and_zero_grad():
    layer = nk.Dense(2, 2, rng=0)
    W = layer.W
    layer.forward(np.ones((3, 2)))
    layer.backward(np.ones((3, 2)))
    opt = nk.SGD(layer.parameters(), lr=0.1)
    before = W.copy()
    opt.step()
    assert layer.W is W and not np.array_equal(W, before), "step must update the array in place"
    opt.zero_grad()
    assert not layer.dW.any() and not layer.db.any()


def test_prelu_slope_is_trained():
    layer = nk.PReLU(0.25)
    layer.forward(np.array([[-2.0, 1.0]]))
    layer.backward(np.array([[1.0, 1.0]]))
    assert layer.da == -2.0
    nk.SGD(layer.parameters(), lr=0.1).step()
    assert float(layer.a) == pytest.approx(0.45)


def test_backward_overwrites_gradients():
    layer = nk.Dense(2, 1, rng=0)
    for _ in range(2):
        layer.forward(np.ones((1, 2)))
        layer.backward(np.ones((1, 1)))
    assert np.array_equal(layer.dW, np.ones((1, 2))), "gradients must not accumulate across backward calls"


def _spiral_run(seed):
    X, Y = nk.data.spirals(150, rng=0)
    net = nk.MLP([2, 16, 3], rng=seed)
    return nk.fit(net, nk.SoftmaxCrossEntropyLoss(), X, Y, epochs=5, batch_size=32, lr=0.5,
                  rng=seed, validation=(X[:30], Y[:30]))


def test_same_seed_same_history():
    a, b = _spiral_run(7), _spiral_run(7)
    for key in History_keys():
        assert a[key] == b[key], f"history[{key!r}] differs between two runs with the same seeds"
    assert _spiral_run(8).loss != a.loss, "a different seed should give a different run"


def History_keys():
    return nk.History.keys


def test_history_bookkeeping():
    h = _spiral_run(0)
    assert len(h.loss) == len(h.accuracy) == len(h.val_loss) == len(h.val_accuracy) == 5
    assert len(h.step_loss) == 5 * 5, "150 examples in batches of 32 make 5 steps per epoch"
    assert h["loss"] is h.loss
    sizes = np.array([32, 32, 32, 32, 22])
    first_epoch = np.dot(h.step_loss[:5], sizes) / 150
    assert h.loss[0] == pytest.approx(first_epoch), "epoch loss is the mean over that epoch's examples"
    with pytest.raises(KeyError, match="records"):
        h["val_acc"]


def test_full_batch_is_plain_gradient_descent():
    X, Y = nk.data.semicircle_parabola(20, rng=0)
    net = nk.MLP([2, 4, 2], activation="sigmoid", rng=0)
    twin = nk.MLP([2, 4, 2], activation="sigmoid", rng=0)
    h = nk.fit(net, nk.MSELoss(), X, Y, epochs=3, lr=0.5)
    loss = nk.MSELoss()
    for _ in range(3):
        loss(twin.forward(X), Y)
        twin.backward(loss.backward())
        for p in twin.parameters():
            p.value -= 0.5 * p.grad
    assert len(h.step_loss) == 3
    assert all(np.allclose(a.value, b.value, rtol=0, atol=1e-14)
               for a, b in zip(net.parameters(), twin.parameters()))


def test_callback_can_stop_training():
    X, Y = nk.data.xor()
    net = nk.MLP([2, 3, 1], rng=0)
    h = nk.fit(net, nk.MSELoss(), X, Y, epochs=50, lr=0.1, callback=lambda epoch, hist: epoch == 4)
    assert len(h.loss) == 5


def test_validation_runs_in_eval_mode_and_restores_training():
    X, Y = nk.data.blobs(60, centers=3, std=0.5, rng=0)
    net = nk.Sequential([nk.Dense(2, 8, rng=0), nk.BatchNorm(8), nk.ReLU(), nk.Dense(8, 3, rng=1)])
    h = nk.fit(net, nk.SoftmaxCrossEntropyLoss(), X, Y, epochs=3, batch_size=20, lr=0.1, rng=0,
               validation=(X, Y))
    assert net.training and net.layers[1].training
    net.eval()
    expected = nk.SoftmaxCrossEntropyLoss()(net.forward(X), Y)
    assert h.val_loss[-1] == pytest.approx(expected)


def test_xor_with_a_2_8_1_tanh_net():
    X, Y = nk.data.xor()
    net = nk.MLP([2, 8, 1], activation="tanh", output="sigmoid", rng=0)
    h = nk.fit(net, nk.BCELoss(), X, Y, epochs=1000, lr=0.5)
    predictions = (net.forward(X) > 0.5).astype(float)
    assert np.array_equal(predictions, Y), f"XOR not learned: {net.forward(X).ravel()}"
    assert h.loss[-1] < 0.05 < h.loss[0]


def test_spirals_to_95_percent():
    X, Y = nk.data.spirals(300, classes=3, rng=0)
    net = nk.MLP([2, 64, 3], activation="relu", rng=0)
    h = nk.fit(net, nk.SoftmaxCrossEntropyLoss(), X, Y, epochs=300, batch_size=32,
               optimizer=nk.Adam(net.parameters(), lr=0.01), rng=0)
    accuracy = np.mean(net.forward(X).argmax(axis=1) == Y)
    assert accuracy >= 0.95, f"training accuracy {accuracy:.3f} on spirals, want >= 0.95"
    assert h.loss[-1] < h.loss[0] / 10, f"loss went from {h.loss[0]:.3f} to only {h.loss[-1]:.3f}"


def test_progress_is_quiet_when_not_interactive(capsys):
    X, Y = nk.data.xor()
    nk.fit(nk.MLP([2, 2, 1], rng=0), nk.MSELoss(), X, Y, epochs=3, lr=0.1, progress=True)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_progress_bar_shows_in_a_terminal(monkeypatch, capsys):
    import nnkit.training as training

    monkeypatch.setattr(training, "_interactive", lambda: True)
    X, Y = nk.data.xor()
    nk.fit(nk.MLP([2, 2, 1], rng=0), nk.MSELoss(), X, Y, epochs=3, lr=0.1)
    assert "training" in capsys.readouterr().err


def test_progress_bar_is_left_out_without_tqdm(monkeypatch, capsys):
    # `pip install nnkit` alone has no tqdm: training still runs, without a bar.
    import builtins

    import nnkit.training as training

    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name.startswith("tqdm"):
            raise ImportError("No module named 'tqdm'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(training, "_interactive", lambda: True)
    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    X, Y = nk.data.xor()
    history = nk.fit(nk.MLP([2, 2, 1], rng=0), nk.MSELoss(), X, Y, epochs=3, lr=0.1)
    assert len(history.loss) == 3 and "training" not in capsys.readouterr().err
