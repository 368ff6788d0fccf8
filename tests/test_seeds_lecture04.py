"""Lecture 04's claims about random numbers, at ten seeds the notebook does not use.

Each test repeats a notebook cell's nnkit computation with other random data, initial weights and
shuffles (see ``seed_checks``).
"""
import copy

import numpy as np
import pytest

import nnkit as nk
from nnkit.lectures.l04_backpropagation import compute as backprop
from seed_checks import OTHER_SEEDS, holds_at


def test_mse_asks_for_the_mean_even_under_skewed_noise():
    c = np.linspace(-3.0, 5.0, 801)

    def claim(seed):
        y = backprop.noisy_targets(500, noise=1.0, kind="normal", rng=seed)
        losses = backprop.constant_losses(y, c)
        best_is_mean = abs(c[np.argmin(losses)] - y.mean()) <= 0.005 + 1e-12
        skewed = backprop.noisy_targets(2000, noise=1.0, kind="skewed", rng=seed)
        counts, edges = np.histogram(skewed, bins=40)
        mode = 0.5 * (edges[counts.argmax()] + edges[counts.argmax() + 1])
        loss_of = {name: backprop.constant_losses(skewed, [v])[0]
                   for name, v in (("mean", skewed.mean()), ("median", np.median(skewed)), ("mode", mode))}
        ok = (best_is_mean and mode < np.median(skewed) < skewed.mean()
              and loss_of["mean"] < min(loss_of["median"], loss_of["mode"]))
        return None if ok else f"mode {mode:.3f}, median {np.median(skewed):.3f}, mean {skewed.mean():.3f}, {loss_of}"

    holds_at(claim)


def test_a_network_on_noisy_data_approaches_the_conditional_mean():
    grid = np.linspace(0, 1, 400)[:, None]

    def claim(seed):
        Xs, Ys, _ = backprop.noisy_sine(2000, noise=0.3, rng=seed)
        net = nk.MLP([1, 16, 1], activation="tanh", rng=seed)
        nk.fit(net, nk.MSELoss(), Xs, Ys, epochs=150, batch_size=100,
               optimizer=nk.Adam(net.parameters(), lr=0.02), rng=seed, progress=False)
        gap = np.sqrt(np.mean((net.forward(grid) - np.sin(2 * np.pi * grid)) ** 2))
        to_targets = np.sqrt(np.mean((net.forward(Xs) - Ys) ** 2))
        X_fresh, Y_fresh, _ = backprop.noisy_sine(2000, noise=0.3, rng=seed + 1)
        train, fresh = nk.MSELoss()(net.forward(Xs), Ys), nk.MSELoss()(net.forward(X_fresh), Y_fresh)
        ok = (gap < 0.15 and to_targets > 0.25 and abs(fresh - (0.045 + gap ** 2 / 2)) < 0.005
              and abs(train - fresh) < 0.006)
        return None if ok else f"gap {gap:.3f}, to targets {to_targets:.3f}, train {train:.4f}, fresh {fresh:.4f}"

    holds_at(claim)


def test_on_few_points_the_training_loss_goes_below_the_noise_floor():
    def claim(seed):
        X20, Y20, _ = backprop.noisy_sine(20, noise=0.3, rng=seed)
        X_fresh, Y_fresh, _ = backprop.noisy_sine(2000, noise=0.3, rng=seed + 1)
        wide = nk.MLP([1, 64, 1], activation="tanh", rng=seed)
        nk.fit(wide, nk.MSELoss(), X20, Y20, epochs=3000, optimizer=nk.Adam(wide.parameters(), lr=0.01),
               progress=False)
        train, fresh = nk.MSELoss()(wide.forward(X20), Y20), nk.MSELoss()(wide.forward(X_fresh), Y_fresh)
        return None if train < 0.045 < fresh else f"train {train:.4f}, fresh {fresh:.4f}"

    holds_at(claim)


def _start(seed):
    X, Y = nk.data.semicircle_parabola(40, rng=seed)
    return X, Y, nk.MLP([2, 4, 2], activation="sigmoid", rng=seed)


def test_delta_adds_the_paths_through_every_output_and_no_single_path_is_enough():
    def claim(seed):
        X, Y, net = _start(seed)
        q = backprop.two_layer_errors(net, nk.MSELoss(), X, Y)
        e1, W2, eps = X @ net[0].W.T + net[0].b, net[2].W, q["eps"]
        paths = [(nk.functional.sigmoid_grad(e1) * (eps[:, l:l + 1] @ W2[l:l + 1])).T @ X for l in range(2)]
        errors = [nk.relative_error(p, net[0].dW) for p in paths]
        ok = nk.relative_error(sum(paths), net[0].dW) < 1e-12 and min(errors) > 0.05
        return None if ok else f"single-path errors {errors}"

    holds_at(claim)


def test_random_initial_outputs_are_bunched_and_far_from_their_targets():
    def claim(seed):
        X, Y, net = _start(seed)
        Yhat0 = net.forward(X)
        mean_error = np.linalg.norm(Yhat0 - Y, axis=1).mean()
        target_spread = np.linalg.norm(Y - Y.mean(axis=0), axis=1).mean()
        output_spread = np.linalg.norm(Yhat0 - Yhat0.mean(axis=0), axis=1).mean()
        ok = mean_error > 0.9 * target_spread and output_spread < 0.5 * target_spread
        return None if ok else f"error {mean_error:.3f}, spreads: targets {target_spread:.3f}, outputs {output_spread:.3f}"

    holds_at(claim)


def test_each_row_of_w1_moves_along_minus_sign_delta_times_x():
    def claim(seed):
        X, Y, untrained = _start(seed)
        for i in range(len(X)):
            one = copy.deepcopy(untrained)
            delta = backprop.two_layer_errors(one, nk.MSELoss(), X[i:i + 1], Y[i:i + 1])["delta"][0]
            before = one[0].W.copy()
            nk.SGD(one.parameters(), lr=0.5).step()
            move = one[0].W - before
            cosine = move @ X[i] / (np.linalg.norm(move, axis=1) * np.linalg.norm(X[i]))
            if not np.allclose(cosine, -np.sign(delta), atol=1e-12):
                return f"token {i}: cos {cosine}, delta {delta}"
        delta = backprop.two_layer_errors(untrained, nk.MSELoss(), X, Y)["delta"]
        return None if (delta > 0).any() and (delta < 0).any() else "every delta_ki has the same sign"

    holds_at(claim)


@pytest.fixture(scope="module")
def records():
    out = {}
    for seed in OTHER_SEEDS:
        X, Y, untrained = _start(seed)
        out[seed] = (X, Y, untrained,
                     backprop.snapshots(copy.deepcopy(untrained), nk.MSELoss(), X, Y, epochs=1000, every=10, lr=0.5))
    return out


def test_training_cuts_the_loss_100_fold_monotonically_onto_the_parabola(records):
    def claim(seed):
        X, Y, _, record = records[seed]
        first, last = record["loss"][0], record["loss"][-1]
        rms_after = np.sqrt(np.mean(np.sum((record["output"][-1] - Y) ** 2, axis=1)))
        ok = last < 0.01 * first and np.all(np.diff(record["loss"]) < 0) and rms_after < 0.06
        return None if ok else f"loss {first:.4f} -> {last:.5f}, RMS after {rms_after:.3f}"

    holds_at(claim)


def test_the_first_coordinate_is_learned_first(records):
    def claim(seed):
        X, Y, _, record = records[seed]
        rms = np.sqrt(np.mean((record["output"] - Y) ** 2, axis=1))
        at_100 = rms[list(record["epoch"]).index(100)]
        return None if at_100[0] < 0.5 * at_100[1] else f"RMS at epoch 100: {at_100}"

    holds_at(claim)


def test_pulls_and_pushes_shrink_during_training(records):
    def claim(seed):
        X, Y, untrained, record = records[seed]
        probe = copy.deepcopy(untrained)
        sizes = []
        for i in (0, -1):
            for p, value in zip(probe.parameters(), record["params"][i]):
                p.value[...] = value
            q = backprop.two_layer_errors(probe, nk.MSELoss(), X, Y)
            pull = np.linalg.norm(q["H"][:, :, None] * (Y - q["Yhat"])[:, None, :], axis=2).sum(axis=0)
            push = (np.abs(q["delta"]) * np.linalg.norm(X, axis=1)[:, None]).sum(axis=0)
            sizes.append((pull, push))
        (pull_0, push_0), (pull_end, push_end) = sizes
        ok = np.all(pull_end < pull_0) and np.all(push_end < push_0)
        return None if ok else f"pulls {pull_0} -> {pull_end}, pushes {push_0} -> {push_end}"

    holds_at(claim)
