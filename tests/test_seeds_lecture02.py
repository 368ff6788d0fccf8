"""Lecture 02's claims about random numbers, at ten seeds the notebook does not use.

Section 6 trains a 2-6-2 sigmoid network on the semicircle -> parabola map: each test here trains
it again with other initial weights, other training points and other fresh points (see
``seed_checks``). Sections 1 and 5 check properties on random points; those are repeated too.
"""
import numpy as np
import pytest

import nnkit as nk
from nnkit.lectures.l02_universal_approximation import compute as approx
from seed_checks import OTHER_SEEDS, holds_at


def _train(seed):
    """The notebook's run at ``seed``: (history, outputs per snapshot, net, X, Y)."""
    X, Y = nk.data.semicircle_parabola(200, rng=seed)
    mapper = nk.MLP([2, 6, 2], activation="sigmoid", rng=seed)
    history, outputs = approx.fit_recording(
        mapper, nk.MSELoss(), X, Y, at=[0, 20, 200, 2000],
        epochs=2000, optimizer=nk.Adam(mapper.parameters(), lr=0.02), progress=False,
    )
    return history, outputs, mapper, X, Y


@pytest.fixture(scope="module")
def runs():
    return {seed: _train(seed) for seed in OTHER_SEEDS}


def test_training_brings_outputs_closer_at_every_snapshot_and_cuts_the_loss_1000_fold(runs):
    def claim(seed):
        history, outputs, _, _, Y = runs[seed]
        d = [np.linalg.norm(out - Y, axis=1).mean() for _, out in sorted(outputs.items())]
        ratio = history.loss[0] / history.loss[-1]
        ok = all(a > b for a, b in zip(d, d[1:])) and ratio > 1000
        return None if ok else f"distances {np.round(d, 4)}, loss ratio {ratio:.0f}"

    holds_at(claim)


def test_fresh_points_are_within_0_1_of_their_targets(runs):
    def claim(seed):
        mapper = runs[seed][2]
        X_new, Y_new = nk.data.semicircle_parabola(200, rng=seed + 1)
        worst = np.linalg.norm(mapper.forward(X_new) - Y_new, axis=1).max()
        return None if worst < 0.1 else f"worst fresh distance {worst:.3f}"

    holds_at(claim)


def test_the_chain_of_corrections_ends_near_the_parabola(runs):
    def claim(seed):
        _, _, mapper, X, _ = runs[seed]
        x = X[60]
        b2, pieces, _ = approx.correction_terms(mapper, x[None, :])
        end = b2 + pieces[0].sum(axis=0)
        gap = np.linalg.norm(end - [x[0], x[0] ** 2])
        return None if gap < 0.05 else f"output {end} for x = {x}: {gap:.3f} from the parabola"

    holds_at(claim)


def test_training_leaves_the_hidden_units_gentle(runs):
    def claim(seed):
        mapper = runs[seed][2]
        A = np.linalg.norm(mapper[0].W, axis=1)
        return None if A.max() < 6 else f"A_j = {A.round(2)}"

    holds_at(claim)


def test_correction_terms_add_up_for_random_networks():
    def claim(seed):
        rng = np.random.default_rng(seed)
        net, X = nk.MLP([2, 5, 2], activation="sigmoid", rng=seed), rng.normal(size=(7, 2))
        b, terms, _ = approx.correction_terms(net, X)
        return None if np.allclose(b + terms.sum(axis=1), net.forward(X), rtol=0, atol=1e-14) else "sum differs"

    holds_at(claim)


def test_the_band_network_on_random_points():
    band_net = approx.ridge_net(steepness=3.0)
    t = np.array([-1.0, 1.0])

    def claim(seed):
        points = np.random.default_rng(seed).uniform(-3, 3, size=(5000, 2))
        u = points.sum(axis=1)
        e = band_net[0].forward(points)
        H = band_net[1].forward(e)
        far = np.abs(u[:, None] - t) > 1
        yhat, target = band_net.forward(points)[:, 0], approx.band_target(points)[:, 0]
        clear = np.abs(np.abs(u) - 1) > 0.5
        ok = (np.allclose(e, 3.0 * (u[:, None] - t), rtol=0, atol=1e-13)
              and np.all(np.abs(H[far]) > np.tanh(3.0) - 1e-12)
              and np.array_equal(np.sign(H), np.sign(u[:, None] - t))
              and np.array_equal(np.sign(yhat[clear]), target[clear])
              and np.abs(yhat - target)[clear].max() < 0.2)
        return None if ok else "a band property failed"

    holds_at(claim)
