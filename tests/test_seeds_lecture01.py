"""Lecture 01's claims about random numbers, at ten seeds the notebook does not use.

Each test repeats a notebook cell's nnkit computation with other random inputs or weights and
asserts the notebook's claim at every seed (see ``seed_checks``).
"""
import numpy as np

import nnkit as nk
from nnkit import functional as F
from nnkit.lectures.l01_forward_pass import compute as forward
from seed_checks import holds_at


def test_a_sharper_sigmoid_approaches_the_step_at_every_seed():
    w, b, gains = np.array([1.0, -0.5]), 0.5, np.array([1.0, 5.0, 25.0])

    def claim(seed):
        points = np.random.default_rng(seed).uniform(-2, 2, size=(2000, 2))
        e = points @ w + b
        far = np.abs(e) > 0.2
        step = forward.single_unit(w, b, nk.Step()).forward(points)
        if not np.array_equal(step, forward.single_unit(w, b, nk.Step(), gain=5.0).forward(points)):
            return "scaling w and b changed a step unit"
        gaps = np.array([np.abs(forward.single_unit(w, b, nk.Sigmoid(), gain=c).forward(points) - step)[far].max()
                         for c in gains])
        formula = F.sigmoid(-gains * np.abs(e[far]).min())
        ok = np.allclose(gaps, formula, rtol=1e-12, atol=0) and gaps[0] > gaps[1] > gaps[2]
        return None if ok else f"gaps {gaps}, formula {formula}"

    holds_at(claim)


def test_random_single_units_reach_three_xor_corners_never_four():
    def claim(seed):
        best = forward.best_single_unit_on_xor(100_000, rng=seed)
        return None if best == 3 else f"best unit got {best} corners"

    holds_at(claim)


def test_training_changes_every_parameter_and_no_hyper_parameter():
    X, Y = nk.data.xor()

    def claim(seed):
        net = nk.MLP([2, 4, 1], activation="tanh", rng=seed)
        architecture, count = repr(net), net.num_parameters()
        before = [p.value.copy() for p in net.parameters()]
        nk.fit(net, nk.MSELoss(), X, Y, epochs=1, lr=0.5, progress=False)
        changed = [not np.allclose(p.value, b0, rtol=0, atol=1e-6) for p, b0 in zip(net.parameters(), before)]
        ok = all(changed) and repr(net) == architecture and net.num_parameters() == count
        return None if ok else f"changed {changed}"

    holds_at(claim)


def test_deep_identity_networks_are_affine_and_tanh_networks_are_not():
    def claim(seed):
        rng = np.random.default_rng(seed)
        x, x2 = rng.normal(scale=2.0, size=(100, 3)), rng.normal(scale=2.0, size=(100, 3))
        linear = forward.affine_gap(nk.MLP([3, 16, 16, 16, 16, 2], activation="identity", rng=seed), x, x2)
        bent = forward.affine_gap(nk.MLP([3, 16, 16, 16, 16, 2], activation="tanh", rng=seed), x, x2)
        return None if linear < 1e-12 and bent > 1e-2 else f"identity gap {linear:.1e}, tanh gap {bent:.1e}"

    holds_at(claim)


def test_random_networks_draw_lines_or_bend_and_miss_the_origin():
    line = np.linspace(-3, 3, 200)

    def claim(seed):
        curves = {name: np.array([forward.random_network([1, 16, 16, 1], activation=name, rng=seed * 10 + k)
                                  .forward(line[:, None])[:, 0] for k in range(4)])
                  for name in ("identity", "tanh")}
        bend = {name: np.abs(np.diff(c, 2, axis=1)).max(axis=1) for name, c in curves.items()}
        at_zero = curves["tanh"][:, 99:101].mean(axis=1)
        ok = bend["identity"].max() < 1e-12 and bend["tanh"].min() > 1e-4 and np.abs(at_zero).max() > 0.1
        return None if ok else f"bends {bend}, values at 0 {at_zero}"

    holds_at(claim)


def test_softmax_couples_the_outputs_and_sigmoid_does_not():
    def claim(seed):
        Z = np.random.default_rng(seed).normal(scale=2.0, size=(6, 3))
        raised = Z + [1.0, 0.0, 0.0]
        sig_moved = nk.Sigmoid().forward(raised) != nk.Sigmoid().forward(Z)
        soft_moved = nk.Softmax().forward(raised) != nk.Softmax().forward(Z)
        two = nk.Softmax().forward(Z[:, :2])[:, 0]
        ok = (sig_moved[:, 0].all() and not sig_moved[:, 1:].any() and soft_moved.all()
              and np.allclose(nk.Softmax().forward(Z).sum(axis=1), 1.0, rtol=0, atol=1e-15)
              and np.allclose(two, F.sigmoid(Z[:, 0] - Z[:, 1]), rtol=0, atol=1e-15))
        return None if ok else "a softmax or sigmoid property failed"

    holds_at(claim)
