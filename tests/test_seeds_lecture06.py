"""Lecture 06's claims about random experiments, at ten seeds other than the notebook's.

The two spiral classifiers of section 8 are trained again with other data, weights and batch
orders; every claim the notebook asserts about them must hold at each seed.
"""
import numpy as np
import pytest

import nnkit as nk

F = nk.functional
SEEDS = range(1, 11)


@pytest.mark.seeds
@pytest.mark.parametrize("seed", SEEDS)
def test_both_classifiers_learn_the_spirals_and_agree(seed):
    X_train, y_train = nk.data.spirals(450, classes=3, noise=0.2, rng=2 * seed)
    X_test, y_test = nk.data.spirals(300, classes=3, noise=0.2, rng=2 * seed + 1)
    setups = {
        "sigmoid + cross-entropy": ("sigmoid", nk.BCELoss(), nk.data.one_hot(y_train, 3)),
        "softmax + log-likelihood": ("identity", nk.SoftmaxCrossEntropyLoss(), y_train),
    }
    outputs = {}
    for name, (output, loss, targets) in setups.items():
        net = nk.MLP([2, 64, 64, 3], activation="relu", output=output, rng=seed)
        history = nk.fit(net, loss, X_train, targets, epochs=150, batch_size=32,
                         optimizer=nk.Adam(net.parameters(), lr=0.01), rng=seed, progress=False)
        outputs[name] = net.forward(X_test)
        acc = np.mean(outputs[name].argmax(axis=1) == y_test)
        assert acc >= 0.95, f"seed {seed}, {name}: test accuracy {acc:.3f}"
        assert history.loss[-1] < 0.1 * history.loss[0], f"seed {seed}, {name}: loss did not fall tenfold"
    sig, soft = outputs["sigmoid + cross-entropy"], outputs["softmax + log-likelihood"]
    assert np.ptp(sig.sum(axis=1)) > 0.05, f"seed {seed}: the sigmoid outputs summed to a constant"
    agree = np.mean(sig.argmax(axis=1) == soft.argmax(axis=1))
    assert agree >= 0.97, f"seed {seed}: the two classifiers agree on {agree:.1%} of test points"


@pytest.mark.parametrize("seed", SEEDS)
def test_every_softmax_output_depends_on_every_logit(seed):
    z0 = np.random.default_rng(seed).normal(0, 1.5, 4)
    a0 = F.softmax(z0)
    jacobian = np.diag(a0) - np.outer(a0, a0)
    assert np.all(np.abs(jacobian) > 1e-6), f"seed {seed}: a Jacobian entry vanished"
