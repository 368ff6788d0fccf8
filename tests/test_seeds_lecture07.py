"""Lecture 07's claims about random experiments, at ten seeds other than the notebook's.

Each test repeats one section's nnkit computation with other random data and weights and
asserts, at every seed, the claim the notebook asserts at its own.
"""
from functools import partial

import numpy as np
import pytest

import nnkit as nk
from nnkit.lectures.l07_training_practice import compute as ex
from nnkit.lectures.l07_training_practice import regularisation as reg
from seed_checks import holds_at

SEEDS = range(1, 11)
LOSS = nk.SoftmaxCrossEntropyLoss()


def mean_and_cov(A):
    Ac = A - A.mean(axis=0)
    return A.mean(axis=0), Ac.T @ Ac / len(A)


@pytest.mark.parametrize("seed", SEEDS)
def test_training_statistics_whiten_new_data_roughly(seed):
    X_train = ex.correlated_cloud(500, 0.8, rng=3 * seed)
    X_test = ex.correlated_cloud(200, 0.8, rng=3 * seed + 1)
    whitener = nk.preprocess.Whiten(eps=1e-5).fit(X_train)
    _, cov_test = mean_and_cov(whitener.transform(X_test))
    gap = np.abs(cov_test - np.eye(2)).max()
    assert 1e-6 < gap < 0.4, f"seed {seed}: |cov - I| = {gap:.3f}"


@pytest.mark.parametrize("seed", SEEDS)
def test_initialisers_have_their_variance_and_rand_correlates_units(seed):
    fan_in = 256
    W_he = nk.init.he((256, fan_in), rng=seed)
    W_xavier = nk.init.xavier((256, fan_in), rng=seed)
    assert abs(W_he.mean()) < 0.005 and abs(W_he.var() * fan_in - 2) < 0.05, f"seed {seed}"
    assert abs(W_xavier.var() * fan_in - 1) < 0.03, f"seed {seed}"
    W_slip = np.random.default_rng(seed).random((256, fan_in)) / np.sqrt(fan_in)
    X_in = np.random.default_rng(seed + 100).standard_normal((1000, fan_in))
    off = ~np.eye(256, dtype=bool)
    corr_slip = np.corrcoef((X_in @ W_slip.T).T)[off].mean()
    corr_gauss = np.corrcoef((X_in @ W_xavier.T).T)[off].mean()
    assert corr_slip > 0.7 and abs(corr_gauss) < 0.01, f"seed {seed}: {corr_slip:.3f}, {corr_gauss:.4f}"


@pytest.mark.seeds
@pytest.mark.parametrize("seed", SEEDS)
def test_a_symmetric_start_stays_symmetric_and_fails(seed):
    X, Y = nk.data.spirals(300, classes=3, noise=0.2, rng=seed)
    runs = {}
    for name, init in {"constant": lambda shape, rng: np.full(shape, 0.1), "xavier": "xavier"}.items():
        net = nk.MLP([2, 32, 32, 3], activation="tanh", init=init, rng=seed)
        runs[name] = (net, nk.fit(net, LOSS, X, Y, epochs=300, lr=0.5, progress=False))
    sym_net, sym_hist = runs["constant"]
    for layer in [l for l in sym_net.layers if isinstance(l, nk.Dense)][:-1]:
        assert np.abs(layer.W - layer.W[0]).max() < 1e-12, f"seed {seed}: units drifted apart"
    xav = runs["xavier"][1].accuracy[-1]
    assert sym_hist.accuracy[-1] < 0.6 < 0.95 < xav, f"seed {seed}: {sym_hist.accuracy[-1]:.2f}, {xav:.2f}"


@pytest.mark.seeds
@pytest.mark.parametrize("seed", SEEDS)
def test_ten_layer_init_study(seed):
    study = ex.init_study(inits=("small", "large", "xavier", "he"), activations=("tanh", "relu"),
                          n=1000, width=256, depth=10, rng=seed)
    small, large, xavier = study["small", "tanh"], study["large", "tanh"], study["xavier", "tanh"]
    assert np.all(np.diff(small.std) < 0) and small.std[-1] < 1e-5 * small.std[0], f"seed {seed}"
    assert np.allclose(small.var_ratio, 256 * 0.01**2, rtol=0.1), f"seed {seed}: {small.var_ratio}"
    assert large.saturated.min() > 0.85, f"seed {seed}: {large.saturated}"
    assert xavier.saturated.max() < 0.02 and 0.2 < xavier.std.min() and xavier.std.max() < 0.7, f"seed {seed}"
    assert np.all(np.diff(xavier.std) < 0), f"seed {seed}: Xavier/tanh std should drift down every layer"
    assert np.all(xavier.std[1:] / xavier.std[:-1] > 0.75), f"seed {seed}: and slowly"
    for name, target in (("xavier", 0.5), ("he", 1.0)):
        ratio = study[name, "relu"].var_ratio
        assert abs(np.exp(np.log(ratio).mean()) - target) < 0.1 * target, f"seed {seed}, {name}"
        assert np.all(np.abs(ratio - target) < 0.3 * target), f"seed {seed}, {name}: {ratio}"
    he = study["he", "relu"]
    assert 0.6 < he.std[-1] / he.std[0] < 1.6, f"seed {seed}: {he.std[-1] / he.std[0]:.2f}"


@pytest.mark.parametrize("seed", SEEDS)
def test_batch_norm_identity_holds_for_its_batch_only(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(loc=[5.0, -3.0, 0.5], scale=[4.0, 0.2, 1.0], size=(256, 3))
    other = rng.normal(loc=[5.0, -3.0, 0.5], scale=[4.0, 0.2, 1.0], size=(32, 3))
    bn = nk.BatchNorm(3)
    bn.gamma[...], bn.beta[...] = np.sqrt(X.var(axis=0) + bn.eps), X.mean(axis=0)
    assert np.abs(bn.forward(X) - X).max() < 1e-12, f"seed {seed}"
    assert np.abs(bn.forward(other) - other).max() > 0.05, f"seed {seed}"


@pytest.mark.parametrize("seed", SEEDS)
def test_running_statistics_settle_near_the_data(seed):
    population = np.random.default_rng(seed).normal([5.0, -3.0, 0.5], [4.0, 0.2, 1.0], size=(20000, 3))
    bn = nk.BatchNorm(3)
    ex.running_trace(bn, population, batch_size=64, batches=300, rng=seed + 100)
    mean_gap = np.abs(bn.running_mean - population.mean(axis=0)) / np.sqrt(population.var(axis=0))
    var_gap = np.abs(bn.running_var / population.var(axis=0) - 1)
    assert mean_gap.max() < 0.1 and var_gap.max() < 0.15, f"seed {seed}: {mean_gap}, {var_gap}"


@pytest.mark.seeds
def test_batch_norm_speeds_up_and_rescues_training():
    eval_accuracies = []
    for seed in SEEDS:
        X, Y = nk.data.spirals(300, classes=3, noise=0.2, rng=seed)
        sizes = [2, 32, 32, 32, 32, 32, 32, 3]
        curves, nets = {}, {}
        for init in ("he", "small"):
            for batchnorm in (False, True):
                net = nk.MLP(sizes, init=init, rng=seed, batchnorm=batchnorm)
                curves[init, batchnorm] = nk.fit(net, LOSS, X, Y, epochs=150, lr=0.1, progress=False).loss
                nets[init, batchnorm] = net
        assert curves["he", True][19] < 0.5 * curves["he", False][19], f"seed {seed}"
        assert np.all(np.abs(np.array(curves["small", False]) - np.log(3)) < 1e-3), f"seed {seed}"
        assert curves["small", True][-1] < 0.25, f"seed {seed}: {curves['small', True][-1]:.3f}"
        net = nets["small", True]
        with net.evaluating():
            eval_accuracies.append(nk.accuracy(LOSS, net.forward(X), Y))
    # The notebook says "above 90 % at 8 or more of the 10 other seeds" (9 on an Intel Xeon, 8 on an AMD EPYC).
    assert np.sum(np.array(eval_accuracies) > 0.9) >= 8, f"eval-mode accuracies {np.round(eval_accuracies, 3)}"


@pytest.mark.parametrize("seed", SEEDS)
def test_initial_loss_is_ln_k(seed):
    for K in (3, 5, 10):
        X, Y = nk.data.blobs(300, centers=K, std=0.5, rng=seed)
        start = LOSS(nk.MLP([2, 32, 32, K], init="small", rng=seed).forward(X), Y)
        assert abs(start - np.log(K)) < 1e-3, f"seed {seed}, K = {K}: {start:.5f}"
    X, Y = nk.data.spirals(300, classes=3, noise=0.2, rng=seed)
    assert LOSS(nk.MLP([2, 32, 32, 3], init="large", rng=seed).forward(X), Y) > 1.3 * np.log(3), f"seed {seed}"


def _split(seed):
    X, Y = nk.data.spirals(300, classes=3, noise=0.2, rng=seed)
    return (X, Y), nk.data.split(X, Y, fractions=(0.6, 0.2, 0.2), rng=seed)


@pytest.mark.seeds
@pytest.mark.parametrize("seed", SEEDS)
def test_tiny_subset_is_memorised_and_the_validation_sweep_has_an_inner_best(seed):
    (X, Y), ((Xtr, Ytr), (Xva, Yva), (Xte, Yte)) = _split(seed)
    tiny = np.random.default_rng(seed).choice(len(X), size=20, replace=False)
    net = nk.MLP([2, 32, 32, 3], rng=seed)
    hist = nk.fit(net, LOSS, X[tiny], Y[tiny], epochs=200, optimizer=nk.Adam(net.parameters(), lr=1e-2),
                  progress=False)
    assert hist.accuracy[-1] == 1.0 and hist.loss[-1] < 0.01, f"seed {seed}: {hist.loss[-1]:.4f}"

    sweep_net = nk.MLP([2, 32, 32, 3], rng=seed)
    start = LOSS(sweep_net.forward(Xva), Yva)
    lrs = np.logspace(-4, 1.5, 12)
    final = ex.lr_sweep(sweep_net, LOSS, Xtr, Ytr, lrs, epochs=50, validation=(Xva, Yva))
    best = int(np.argmin(final))
    assert final[0] > 0.95 * start and np.isinf(final[-1]), f"seed {seed}: {final}"
    assert 0 < best < len(lrs) - 1 and final[best] < 0.5 * start, f"seed {seed}: {final}"
    first_diverged = int(np.argmax(np.isinf(final)))
    assert first_diverged - 3 <= best < first_diverged, f"seed {seed}: best {best}, diverges from {first_diverged}"

    # 4.5: the update/weight ratio at the smallest and at the chosen rate
    ratio_low = np.median(reg.update_ratios(sweep_net, Xtr, Ytr, lrs[0], steps=50))
    ratio_best = np.median(reg.update_ratios(sweep_net, Xtr, Ytr, lrs[best], steps=50))
    assert ratio_low < 1e-4 and 3e-3 < ratio_best < 0.1, f"seed {seed}: {ratio_low:.2g}, {ratio_best:.2g}"

    coarse_lrs = ex.log_uniform(1e-4, 30.0, 8, rng=seed + 100)
    coarse = ex.lr_sweep(sweep_net, LOSS, Xtr, Ytr, coarse_lrs, epochs=50, validation=(Xva, Yva))
    lo, hi = ex.refine_range(coarse_lrs, coarse, keep=3)
    fine_lrs = ex.log_uniform(lo, hi, 8, rng=seed + 200)
    fine = ex.lr_sweep(sweep_net, LOSS, Xtr, Ytr, fine_lrs, epochs=50, validation=(Xva, Yva))
    assert 1e-4 <= lo < hi <= 60 and np.log10(hi / lo) < np.log10(30.0 / 1e-4), f"seed {seed}"
    assert np.median(fine) < np.median(coarse), f"seed {seed}: {np.median(fine):.3f} vs {np.median(coarse):.3f}"

    # 7.4: the rate with the lowest validation loss of all, retrained, on the test set once
    tried, scores = np.concatenate([lrs, coarse_lrs, fine_lrs]), np.concatenate([final, coarse, fine])
    final_net = nk.MLP([2, 32, 32, 3], rng=seed)
    final_hist = nk.fit(final_net, LOSS, Xtr, Ytr, epochs=50, lr=float(tried[np.argmin(scores)]),
                        validation=(Xva, Yva), progress=False)
    assert abs(final_hist.val_loss[-1] - scores.min()) < 1e-9, f"seed {seed}"
    with final_net.evaluating():
        test_accuracy = nk.accuracy(LOSS, final_net.forward(Xte), Yte)
    assert test_accuracy > 0.8, f"seed {seed}: test accuracy {test_accuracy:.3f}"


@pytest.mark.parametrize("seed", SEEDS)
def test_log_space_sampling(seed):
    uniform = np.random.default_rng(seed).uniform(1e-4, 1.0, 10000)
    log_uniform = ex.log_uniform(1e-4, 1.0, 10000, rng=seed)
    per_decade = np.histogram(np.log10(log_uniform), bins=[-4, -3, -2, -1, 0])[0] / 10000
    assert abs(np.mean(uniform >= 0.1) - 0.9) < 0.01 and np.all(np.abs(per_decade - 0.25) < 0.02), f"seed {seed}"


# ------------------------------------------------------------------ babysitting, regularisation, schedules


@pytest.mark.parametrize("seed", SEEDS)
def test_the_split_is_a_partition_with_every_class_in_proportion(seed):
    (X, _), parts = _split(seed)
    rows = np.concatenate([Xp for Xp, _ in parts])
    def in_order(A):
        return A[np.lexsort(A.T)]

    assert np.array_equal(in_order(rows), in_order(X)), f"seed {seed}"
    for _, Yp in parts:
        assert np.all(np.abs(np.bincount(Yp, minlength=3) / len(Yp) - 1 / 3) < 0.02), f"seed {seed}"


@pytest.mark.parametrize("seed", SEEDS)
def test_loss_curves_too_low_good_and_too_high(seed):
    _, ((Xtr, Ytr), _, _) = _split(seed)
    net = nk.MLP([2, 32, 32, 3], activation="leaky_relu", rng=seed)
    too_low, good, too_high = reg.curve_regimes(net, Xtr, Ytr, lrs=[1e-4, 0.3, 30.0], epochs=30, rng=seed)
    non_finite = too_high.error is not None and ("NaN" in too_high.error or "infinity" in too_high.error)
    assert non_finite and "learning rate" in too_high.error, f"seed {seed}: {too_high.error}"
    assert too_high.loss[0] > 100 * np.log(3), f"seed {seed}: {too_high.loss[0]:.3g}"
    assert too_low.error is None and 0 < 1 - too_low.loss[-1] / too_low.loss[0] < 0.05, f"seed {seed}"
    assert good.error is None and good.loss[-1] < 0.5 * good.loss[0], f"seed {seed}: {good.loss[-1]:.3f}"


@pytest.mark.parametrize("seed", SEEDS)
def test_weight_decay_is_l2_in_sgd_and_differs_between_adam_and_adamw(seed):
    _, ((Xtr, Ytr), _, _) = _split(seed)
    net = nk.MLP([2, 32, 32, 3], rng=seed)
    by_optimiser = reg.decay_steps(net, Xtr, Ytr, "sgd_decay", 0.1, 0.05, steps=20)
    by_penalty = reg.decay_steps(net, Xtr, Ytr, "sgd_penalty", 0.1, 0.05, steps=20)
    assert max(np.abs(a - b).max() for a, b in zip(by_optimiser, by_penalty)) < 1e-12, f"seed {seed}"
    theta0 = [p.value.copy() for p in net.parameters()]
    adam_1 = reg.decay_steps(net, Xtr, Ytr, "adam", 0.1, 0.05, steps=1)
    adamw_1 = reg.decay_steps(net, Xtr, Ytr, "adamw", 0.1, 0.05, steps=1)
    assert max(np.abs(w - (a - 0.05 * 0.1 * t)).max() for w, a, t in zip(adamw_1, adam_1, theta0)) < 1e-12
    W_decay = reg.decay_steps(net, Xtr, Ytr, "adam_decay", 0.1, 0.05, steps=20)[0]
    W_w = reg.decay_steps(net, Xtr, Ytr, "adamw", 0.1, 0.05, steps=20)[0]
    assert np.abs(W_decay - W_w).max() / np.abs(W_w).max() > 0.1, f"seed {seed}"
    assert np.linalg.norm(W_decay) < np.linalg.norm(W_w), f"seed {seed}"


@pytest.mark.seeds
@pytest.mark.parametrize("seed", SEEDS)
def test_l1_makes_weights_sparse_and_l2_does_not(seed):
    zeros = {name: reg.near_zero(W, tol=1e-3) for name, W in reg.sparsity_study(lam=3e-3, rng=seed).items()}
    assert zeros["L1"] > 0.15 and zeros["L2"] < 0.02, f"seed {seed}: {zeros}"


@pytest.mark.parametrize("seed", SEEDS)
def test_the_initial_objective_rises_with_the_penalty(seed):
    _, ((Xtr, Ytr), _, _) = _split(seed)
    net = nk.MLP([2, 64, 64, 3], rng=seed)
    data_loss = LOSS(net.forward(Xtr), Ytr)
    sum_sq = sum(np.sum(layer.W ** 2) for layer in net.layers if isinstance(layer, nk.Dense))
    values = [data_loss + nk.L2Penalty(lam)(net.parameters()) for lam in (0.0, 1e-3, 1e-2, 1e-1)]
    assert all(a < b for a, b in zip(values, values[1:])), f"seed {seed}: {values}"
    for lam, value in zip((0.0, 1e-3, 1e-2, 1e-1), values):
        assert abs(value - data_loss - lam / 2 * sum_sq) < 1e-12 * max(value, 1), f"seed {seed}"


@pytest.mark.seeds
def test_l2_closes_the_gap_and_early_stopping_keeps_the_best_epoch():
    def claim(seed):
        gaps = reg.gap_study(configs=((0.0, 0.0), (1e-3, 0.0), (1e-2, 0.0), (0.0, 0.5)), rng=seed)
        plain, small_l2, strong_l2, dropout_run = gaps[0.0, 0.0], gaps[1e-3, 0.0], gaps[1e-2, 0.0], gaps[0.0, 0.5]
        # At every seed: memorised, the gap narrowed, a stronger penalty fits less, dropout too.
        assert plain.train < 0.05 and plain.gap > 0.05, f"seed {seed}: {plain.train:.3f}, {plain.gap:.3f}"
        assert small_l2.gap < plain.gap, f"seed {seed}: {small_l2.gap:.3f} vs {plain.gap:.3f}"
        assert plain.train < small_l2.train < strong_l2.train, f"seed {seed}"
        assert dropout_run.train > plain.train, f"seed {seed}"
        stopped, restored_val = reg.early_stopping_run(patience=20, rng=seed)
        best = stopped.best_epoch
        assert best == int(np.argmin(stopped.val_loss)) and len(stopped) == best + 21 < 300, f"seed {seed}"
        assert restored_val == stopped.val_loss[best] and restored_val < plain.val, f"seed {seed}"
        # The notebook says L2 lowered the validation loss "at 9 of 10 other seeds".
        return None if small_l2.val < plain.val else f"validation {small_l2.val:.3f} vs {plain.val:.3f}"

    holds_at(claim, seeds=SEEDS, need=9)


@pytest.mark.seeds
@pytest.mark.parametrize("seed", SEEDS)
def test_every_decay_calms_the_end_of_training(seed):
    E = 60
    plans = {"constant": nk.schedules.step(0.5, step_size=E, gamma=1.0),
             "step": nk.schedules.step(0.5, step_size=20, gamma=0.3),
             "exponential": nk.schedules.exponential(0.5, gamma=0.95),
             "cosine": nk.schedules.cosine(0.5, total_epochs=E)}
    runs = reg.schedule_study(plans, epochs=E, rng=seed)
    for name, history in runs.items():
        assert np.allclose(history.lr, [plans[name](t) for t in range(E)], rtol=1e-12), f"seed {seed}, {name}"
    wobble = {name: np.std(h.loss[-10:]) for name, h in runs.items()}
    assert all(wobble[name] < 0.5 * wobble["constant"] for name in ("step", "exponential", "cosine")), \
        f"seed {seed}: {wobble}"
    last = {name: h.loss[-1] for name, h in runs.items()}
    assert last["exponential"] > max(last["step"], last["cosine"]), f"seed {seed}: {last}"
    assert last["cosine"] < min(last["step"], last["exponential"]), f"seed {seed}: {last}"
