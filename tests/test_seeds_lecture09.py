"""Lecture 09's claims about training runs, at ten seeds other than the notebook's.

Each seed seeds the split (``cd.prepare(seed)``) and the initial weights and batch order
(``rng=seed``). The whole workflow of the notebook (``cd.workflow``: the rate, the L2
strength, early stopping, the test set once) runs at every seed for the MLP and for the
linear softmax classifier, and each claim must hold at 9 of the 10 seeds.
"""
from types import SimpleNamespace

import numpy as np
import pytest

import nnkit as nk
from nnkit.lectures.l09_digits import compute as cd

SEEDS = range(1, 11)  # the notebook uses seed 0


def _holds(flags, what):
    failed = [s for s, ok in dict(flags).items() if not ok]
    assert len(failed) <= 1, f"{what} should hold at 9 of 10 seeds; fails at seeds {failed}"


@pytest.mark.seeds
def test_the_workflow_claims_at_other_seeds():
    runs = {}
    for seed in SEEDS:
        d = cd.prepare(seed)
        runs[seed] = SimpleNamespace(d=d, mlp=cd.workflow(d, cd.SIZES, rng=seed),
                                     linear=cd.workflow(d, cd.LINEAR, rng=seed))
    accuracy = {s: (float(r.mlp.test_accuracy), float(r.linear.test_accuracy)) for s, r in runs.items()}
    print("(MLP, linear) test accuracy per seed:", {s: tuple(round(a, 4) for a in p) for s, p in accuracy.items()})
    _holds(((s, m >= 0.96) for s, (m, _) in accuracy.items()), f"MLP test accuracy >= 96 % ({accuracy})")
    _holds(((s, m > l) for s, (m, l) in accuracy.items()), f"MLP beats the linear classifier ({accuracy})")

    inside, slow, overshoot, train_up, gap_down, underfit, shifted = ({} for _ in range(7))
    for s, r in runs.items():
        lowest = {lr: min(h.val_loss) for lr, h in r.mlp.sweep.items()}
        good = r.mlp.sweep[r.mlp.lr]
        inside[s] = r.mlp.lr not in (cd.LRS[0], cd.LRS[-1]) and good.loss[-1] < 0.2 * good.val_loss[-1]
        slow[s] = lowest[cd.LRS[0]] > 5 * lowest[r.mlp.lr]
        overshoot[s] = lowest[cd.LRS[-1]] > 2 * lowest[r.mlp.lr]
        train_loss = [r.mlp.l2_runs[lam][1] for lam in cd.LAMS]
        val_loss = [r.mlp.l2_runs[lam][2] for lam in cd.LAMS]
        gap = np.subtract(val_loss, train_loss)
        train_up[s] = bool(np.all(np.diff(train_loss) > 0))
        gap_down[s] = gap[-1] < gap[0]
        underfit[s] = val_loss[-1] > min(val_loss)
        moved = [cd.evaluate(r.mlp.net, r.d.prepare(cd.shift(r.d.raw_test, dx, 0)), r.d.test[1])[1]
                 for dx in (1, 2)]
        shifted[s] = moved[0] < 0.75 and moved[1] < 0.2
        # early stopping is exact, not statistical: it must hold at every seed
        h = r.mlp.history
        best = int(np.argmin(h.val_loss))
        assert len(h) == best + 1 + cd.PATIENCE < cd.MAX_EPOCHS, f"seed {s}: {len(h)} epochs, best {best}"
        assert abs(cd.evaluate(r.mlp.net, *r.d.val)[0] - h.val_loss[best]) < 1e-12, \
            f"seed {s}: the network lost its best epoch's weights"
    for flags, what in ((inside, "the best rate inside the sweep, training loss far below validation"),
                        (slow, "the smallest rate far from done"), (overshoot, "the largest rate overshoots"),
                        (train_up, "training loss rises with λ"), (gap_down, "the strongest λ leaves a smaller gap"),
                        (underfit, "the strongest λ underfits"),
                        (shifted, "one pixel right: accuracy < 75 %, two: < 20 %")):
        _holds(flags.items(), what)


@pytest.mark.seeds
def test_initial_loss_tiny_subset_and_preprocessing_claims_at_other_seeds():
    start, shrunk, memorised, quiet = {}, {}, {}, {}
    loss = nk.SoftmaxCrossEntropyLoss()
    for seed in SEEDS:
        d = cd.prepare(seed)
        net = cd.new_net(rng=seed)
        Z = net.forward(d.train[0])
        start[seed] = abs(loss(Z, d.train[1]) / np.log(10) - 1) < 0.1 and 0.1 < Z.std() < 1
        net.layers[-1].W *= 0.01
        shrunk[seed] = abs(loss(net.forward(d.train[0]), d.train[1]) - np.log(10)) < 1e-3
        X_tiny, y_tiny = cd.tiny_subset(*d.train, per_class=2, rng=seed)
        tiny = cd.new_net(rng=seed)
        cd.train(tiny, X_tiny, y_tiny, lr=1e-2, epochs=200, rng=seed)
        tiny_loss, tiny_accuracy = cd.evaluate(tiny, X_tiny, y_tiny)
        memorised[seed] = tiny_accuracy == 1.0 and tiny_loss < 0.01 and cd.evaluate(tiny, *d.val)[1] < 0.9
        scaled = d.train[0] + d.center.mean  # the training pixels / 16 again
        std = scaled.std(axis=0)
        largest = np.abs(nk.preprocess.Normalize().fit(scaled).transform(d.raw_test / cd.PIXEL_MAX)).max()
        val_mean = np.abs(d.val[0].mean(axis=0)).max()
        quiet[seed] = np.sum(std < 0.05) >= 5 and largest > 10 and 1e-4 < val_mean < 0.1
    for flags, what in ((start, "initial loss within 10 % of ln 10"), (shrunk, "ln 10 with a shrunk last layer"),
                        (memorised, "20 examples memorised, validation < 90 %"),
                        (quiet, "quiet pixels blow up under per-pixel normalising; validation roughly centred")):
        _holds(flags.items(), what)
