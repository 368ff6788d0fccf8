"""Lecture 09's claims about training runs, at ten seeds other than the notebook's.

Each seed seeds the split (``cd.prepare(seed)``) and the initial weights and batch order
(``rng=seed``). The whole workflow of the notebook (``cd.workflow``: the rate, the L2
strength, early stopping, the test set once) runs at every seed for the MLP and for the
linear softmax classifier. The notebook says its statistical claims hold at 9 of 10 seeds;
early stopping's bookkeeping is exact and must hold at all ten (see ``seed_checks``).
"""
import functools
from types import SimpleNamespace

import numpy as np
import pytest

import nnkit as nk
from nnkit.lectures.l09_digits import compute as cd
from seed_checks import OTHER_SEEDS, holds_at

pytestmark = pytest.mark.seeds


@functools.cache
def runs(seed):
    """The notebook's workflow at ``seed``, for the MLP and the linear classifier (computed once)."""
    d = cd.prepare(seed)
    return SimpleNamespace(d=d, mlp=cd.workflow(d, cd.SIZES, rng=seed),
                           linear=cd.workflow(d, cd.LINEAR, rng=seed))


def test_test_accuracy_at_least_96_percent_and_above_the_linear_classifier():
    def accurate(seed):
        r = runs(seed)
        return None if r.mlp.test_accuracy >= 0.96 else f"test accuracy {r.mlp.test_accuracy:.4f}"

    def beats_linear(seed):
        r = runs(seed)
        m, l = r.mlp.test_accuracy, r.linear.test_accuracy
        return None if m > l else f"MLP {m:.4f}, linear {l:.4f}"

    print("(MLP, linear) test accuracy per seed:",
          {s: (round(float(runs(s).mlp.test_accuracy), 4), round(float(runs(s).linear.test_accuracy), 4))
           for s in OTHER_SEEDS})
    holds_at(accurate, need=9)
    holds_at(beats_linear, need=9)


def test_the_sweeps_read_as_the_notebook_says():
    def sweep(seed):
        r = runs(seed)
        lowest = {lr: min(h.val_loss) for lr, h in r.mlp.sweep.items()}
        good = r.mlp.sweep[r.mlp.lr]
        if r.mlp.lr in (cd.LRS[0], cd.LRS[-1]):
            return f"the best rate {r.mlp.lr:g} is at an end of the sweep"
        if not good.loss[-1] < 0.2 * good.val_loss[-1]:
            return f"training loss {good.loss[-1]:.4f} not far below validation {good.val_loss[-1]:.4f}"
        if not lowest[cd.LRS[0]] > 5 * lowest[r.mlp.lr]:
            return "the smallest rate is not far from done"
        if not lowest[cd.LRS[-1]] > 2 * lowest[r.mlp.lr]:
            return "the largest rate does not overshoot"
        return None

    def penalty(seed):
        r = runs(seed)
        train_loss = [r.mlp.l2_runs[lam][1] for lam in cd.LAMS]
        val_loss = [r.mlp.l2_runs[lam][2] for lam in cd.LAMS]
        gap = np.subtract(val_loss, train_loss)
        if not np.all(np.diff(train_loss) > 0):
            return f"training loss does not rise with λ: {np.round(train_loss, 4)}"
        if not gap[-1] < gap[0]:
            return f"the strongest λ's gap {gap[-1]:.4f} is not below no penalty's {gap[0]:.4f}"
        if not val_loss[-1] > min(val_loss):
            return "the strongest λ does not underfit"
        return None

    holds_at(sweep, need=9)
    holds_at(penalty, need=9)


def test_early_stopping_keeps_the_best_epoch():
    def kept(seed):
        r = runs(seed)
        h = r.mlp.history
        best = int(np.argmin(h.val_loss))
        if not len(h) == best + 1 + cd.PATIENCE < cd.MAX_EPOCHS:
            return f"{len(h)} epochs, best {best}"
        if abs(cd.evaluate(r.mlp.net, *r.d.val)[0] - h.val_loss[best]) >= 1e-12:
            return "the network lost its best epoch's weights"
        return None

    holds_at(kept)


def test_a_shifted_digit_is_not_recognised():
    def shifted(seed):
        r = runs(seed)
        moved = [cd.evaluate(r.mlp.net, r.d.prepare(cd.shift(r.d.raw_test, dx, 0)), r.d.test[1])[1]
                 for dx in (1, 2)]
        return None if moved[0] < 0.75 and moved[1] < 0.2 else f"accuracy moved 1 and 2 right: {moved}"

    holds_at(shifted, need=9)


def test_initial_loss_tiny_subset_and_preprocessing():
    loss = nk.SoftmaxCrossEntropyLoss()

    def initial(seed):
        d = cd.prepare(seed)
        net = cd.new_net(rng=seed)
        Z = net.forward(d.train[0])
        start = loss(Z, d.train[1])
        net.layers[-1].W *= 0.01
        shrunk = loss(net.forward(d.train[0]), d.train[1])
        ok = abs(start / np.log(10) - 1) < 0.1 and 0.1 < Z.std() < 1 and abs(shrunk - np.log(10)) < 5e-3
        return None if ok else f"initial loss {start:.3f}, logits' spread {Z.std():.2f}, shrunk {shrunk:.5f}"

    def memorised(seed):
        d = cd.prepare(seed)
        X_tiny, y_tiny = cd.tiny_subset(*d.train, per_class=2, rng=seed)
        tiny = cd.new_net(rng=seed)
        cd.train(tiny, X_tiny, y_tiny, lr=1e-2, epochs=200, rng=seed)
        tiny_loss, tiny_accuracy = cd.evaluate(tiny, X_tiny, y_tiny)
        val_accuracy = cd.evaluate(tiny, *d.val)[1]
        ok = tiny_accuracy == 1.0 and tiny_loss < 0.01 and val_accuracy < 0.9
        return None if ok else f"20 examples: accuracy {tiny_accuracy}, loss {tiny_loss:.4f}, validation {val_accuracy:.2f}"

    def quiet(seed):
        d = cd.prepare(seed)
        scaled = d.train[0] + d.center.mean  # the training pixels / 16 again
        std = scaled.std(axis=0)
        largest = np.abs(nk.preprocess.Normalize().fit(scaled).transform(d.raw_test / cd.PIXEL_MAX)).max()
        val_mean = np.abs(d.val[0].mean(axis=0)).max()
        ok = np.sum(std < 0.05) >= 5 and largest > 10 and 1e-4 < val_mean < 0.1
        return None if ok else f"{np.sum(std < 0.05)} quiet pixels, largest {largest:.1f}, validation mean {val_mean:.3f}"

    holds_at(initial, need=9)
    holds_at(memorised, need=9)
    holds_at(quiet, need=9)
