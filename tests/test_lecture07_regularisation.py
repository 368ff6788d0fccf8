"""Lecture 07's regularisation room modules: ``regularisation`` (numbers) and ``figures_regularisation``."""

import numpy as np
import pytest

import nnkit as nk
from figure_checks import assert_labelled
from nnkit.lectures.l07_training_practice import figures_regularisation as rf
from nnkit.lectures.l07_training_practice import regularisation as reg

LOSS = nk.SoftmaxCrossEntropyLoss()


@pytest.fixture(scope="module")
def data():
    (Xtr, Ytr), (Xva, Yva), (Xte, Yte) = reg.spiral_split(90, rng=0)
    return Xtr, Ytr, Xva, Yva


def _values(net):
    return [p.value.copy() for p in net.parameters()]


def test_spiral_split_is_stratified_and_disjoint():
    parts = reg.spiral_split(150, rng=3, fractions=(0.2, 0.4, 0.4))
    assert [len(X) for X, _ in parts] == [30, 60, 60]
    for _, Y in parts:
        assert np.array_equal(np.bincount(Y, minlength=3), np.full(3, len(Y) // 3))


@pytest.mark.parametrize("kind", ["sgd_decay", "sgd_penalty", "adam_decay", "adamw", "adam"])
def test_decay_steps_train_a_copy(data, kind):
    Xtr, Ytr, _, _ = data
    net = nk.MLP([2, 8, 3], rng=0)
    before = _values(net)
    after = reg.decay_steps(net, Xtr, Ytr, kind, lam=0.1, lr=0.05, steps=3)
    assert all(np.array_equal(a, b) for a, b in zip(_values(net), before)), "net itself is left alone"
    assert any(not np.array_equal(a, b) for a, b in zip(after, before)), "the copy moved"


def test_sgd_weight_decay_on_the_weights_is_the_l2_penalty_and_not_on_the_biases(data):
    Xtr, Ytr, _, _ = data
    net = nk.MLP([2, 8, 3], rng=0)
    a = reg.decay_steps(net, Xtr, Ytr, "sgd_decay", 0.3, 0.1, steps=5)
    b = reg.decay_steps(net, Xtr, Ytr, "sgd_penalty", 0.3, 0.1, steps=5)
    assert max(np.abs(x - y).max() for x, y in zip(a, b)) < 1e-12
    # SGD's decay on every parameter (biases included) is a different update
    copy = nk.MLP([2, 8, 3], rng=0)
    opt = nk.SGD(copy.parameters(), 0.1, weight_decay=0.3)
    for _ in range(5):
        LOSS(copy.forward(Xtr), Ytr)
        copy.backward(LOSS.backward())
        opt.step()
    assert max(np.abs(x - y).max() for x, y in zip(_values(copy), b)) > 1e-6


def test_decay_steps_rejects_an_unknown_kind(data):
    Xtr, Ytr, _, _ = data
    with pytest.raises(ValueError, match="kind must be one of"):
        reg.decay_steps(nk.MLP([2, 4, 3], rng=0), Xtr, Ytr, "adagrad", 0.1, 0.1, steps=1)


def test_near_zero_counts_entries_below_the_tolerance():
    W = np.array([[0.0, 1e-4, -5e-4], [2e-3, -1.0, 0.5]])
    assert reg.near_zero(W, tol=1e-3) == 0.5
    assert reg.near_zero(W, tol=1e-5) == 1 / 6


def test_curve_regimes_keep_fits_message_and_the_losses_so_far(data):
    Xtr, Ytr, _, _ = data
    net = nk.MLP([2, 32, 32, 3], activation="leaky_relu", rng=0)
    before = _values(net)
    ok, bad = reg.curve_regimes(net, Xtr, Ytr, [0.1, 30.0], epochs=10, batch_size=10)
    assert ok.error is None and len(ok.loss) == 10
    assert bad.error is not None and "learning rate" in bad.error and len(bad.loss) < 10
    assert all(np.array_equal(a, b) for a, b in zip(_values(net), before))


def test_update_ratios_are_the_step_against_the_weights(data):
    Xtr, Ytr, _, _ = data
    net = nk.MLP([2, 8, 3], rng=0)
    ratios = reg.update_ratios(net, Xtr, Ytr, lr=0.1, steps=4)
    assert ratios.shape == (4, 2)
    # the first step of plain SGD: lr * |dW| / |W|, from the gradient at the start
    LOSS(net.forward(Xtr), Ytr)
    net.backward(LOSS.backward())
    first = [0.1 * np.linalg.norm(p.grad) / np.linalg.norm(p.value) for p in net.parameters() if p.is_weight]
    np.testing.assert_allclose(ratios[0], first, rtol=1e-12)
    np.testing.assert_allclose(reg.update_ratios(net, Xtr, Ytr, lr=0.01, steps=1)[0], np.array(first) / 10,
                               rtol=1e-12)


def test_gap_study_and_early_stopping_share_the_start():
    runs = reg.gap_study(configs=((0.0, 0.0), (1e-2, 0.0)), epochs=30, n=150, rng=1)
    plain = runs[0.0, 0.0]
    assert len(plain.history) == 30 and plain.gap == plain.val - plain.train
    assert runs[1e-2, 0.0].history.penalty and not plain.history.penalty
    stopped, restored = reg.early_stopping_run(patience=3, epochs=30, n=150, rng=1)
    k = len(stopped)
    np.testing.assert_array_equal(stopped.val_loss, plain.history.val_loss[:k])
    assert restored == stopped.val_loss[stopped.best_epoch]


def test_schedule_study_records_each_schedule():
    plans = {"flat": nk.schedules.step(0.2, 100, 1.0), "cosine": nk.schedules.cosine(0.2, 8)}
    runs = reg.schedule_study(plans, epochs=5, rng=0)
    assert runs["flat"].lr == [0.2] * 5
    np.testing.assert_allclose(runs["cosine"].lr, [plans["cosine"](t) for t in range(5)])
    assert runs["flat"].loss[0] == runs["cosine"].loss[0], "same start, same first epoch"


def test_figures_have_titles_labels_and_legends(data):
    Xtr, Ytr, _, _ = data
    regimes = reg.curve_regimes(nk.MLP([2, 32, 32, 3], activation="leaky_relu", rng=0), Xtr, Ytr,
                                [1e-4, 0.1, 30.0], epochs=10, batch_size=10)
    runs = reg.schedule_study({"a": nk.schedules.exponential(0.1, 0.9), "b": nk.schedules.step(0.1, 2)},
                              epochs=3, rng=0)
    stopped, _ = reg.early_stopping_run(patience=2, epochs=10, n=90, rng=0)
    figures = [rf.weight_magnitudes({"L1": np.array([[1e-5, 0.3]]), "L2": np.array([[0.1, 0.2]])}),
               rf.regime_curves(regimes),
               rf.train_validation({"run": stopped}, best_epoch=stopped.best_epoch),
               rf.schedule_panels(runs)]
    assert len(figures) == len(rf.__all__)
    for fig in figures:
        assert_labelled(fig)
    labels = figures[1].axes[0].get_legend_handles_labels()[1]
    assert any("NaN" in label for label in labels), labels
