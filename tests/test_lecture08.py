"""Lecture 08's helpers: early stopping on a validation half, and the playground's honest numbers."""
import warnings

import numpy as np
import pytest

from nnkit.lectures.l08_playground import experiments
from nnkit.lectures.l08_playground.compute import Experiment

SMALL = dict(dataset="xor", noise=0.3, train_fraction=0.1, layers=2, units=8, activation="relu", epochs=60)


def test_the_held_out_points_split_into_two_disjoint_halves_that_cover_them():
    exp = Experiment(**SMALL)
    (Xv, Yv), (Xt, Yt) = experiments.held_out_halves(exp, rng=0)
    assert len(Xv) == len(exp.X_test) // 2 and len(Xv) + len(Xt) == len(exp.X_test)
    both = np.vstack([Xv, Xt])
    assert sorted(map(tuple, both)) == sorted(map(tuple, exp.X_test)), "every held-out point, once"
    labels = {tuple(x): y for x, y in zip(exp.X_test, exp.Y_test[:, 0])}
    assert all(labels[tuple(x)] == y for x, y in zip(both, np.vstack([Yv, Yt])[:, 0])), "labels travel with points"


def test_early_stopping_retraces_the_full_run_and_keeps_its_best_validation_epoch():
    exp = Experiment(**SMALL)
    before = [d.W.copy() for d in exp.dense]
    run = experiments.early_stopping(exp, patience=5)
    assert all(np.array_equal(d.W, W) for d, W in zip(exp.dense, before)), "the experiment is left untrained"
    assert exp.steps == 0
    stopped, full = run.stopped, run.full
    assert len(full.loss) == SMALL["epochs"] and len(stopped.loss) < len(full.loss)
    # Same start and batch order: the stopped run is the full run's beginning.
    np.testing.assert_array_equal(stopped.val_loss, full.val_loss[:len(stopped.val_loss)])
    best = stopped.best_epoch
    assert stopped.val_loss[best] == min(stopped.val_loss)
    assert len(stopped.val_loss) - 1 - best == 5, "stopped after exactly `patience` epochs without improvement"
    assert np.isfinite(run.test_loss_stopped) and np.isfinite(run.test_loss_full)


def test_early_stopping_refuses_a_trained_experiment():
    exp = Experiment(**SMALL)
    exp.train(epochs=1)
    with pytest.raises(ValueError, match="untrained experiment"):
        experiments.early_stopping(exp)


def test_a_run_that_diverges_through_huge_losses_reports_them_briefly_and_warns_nothing():
    # Regression on a linear output with a huge step: the losses grow to ~1e270 before the
    # weights overflow, so the last finite record holds an enormous but finite loss.
    exp = Experiment(dataset="plane", loss="squared error", optimizer="sgd", lr=10.0, epochs=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        exp.train()
    assert exp.diverged, "the set-up should diverge"
    last = exp.last_finite["train_loss"]
    assert last > 1e6, f"expected a huge last finite loss; got {last}"
    text = exp.status()
    assert f"{last:.3g}" in text and len(text) < 400, text
