"""Lecture 09 (handwritten digits): the shipped data, the room's helpers, its figures and widget,
and the lecture's claims about training runs at 10 other seeds of the split and of the weights."""
import hashlib
import pathlib
import tomllib
from importlib import resources
from types import SimpleNamespace

import numpy as np
import pytest

import nnkit as nk
from figure_checks import assert_labelled, exercise
from nnkit.lectures.l09_digits import compute as cd
from nnkit.lectures.l09_digits import figures as fg
from nnkit.lectures.l09_digits import widgets as wd

ROOT = pathlib.Path(__file__).resolve().parents[1]
SEEDS = range(1, 11)  # the notebook uses seed 0


# ------------------------------------------------------------------ the data


def test_digits_are_the_uci_test_part():
    X, y = nk.data.digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype.kind == "i"
    assert np.array_equal(X, np.round(X)) and X.min() == 0 and X.max() == 16
    # The class counts of optdigits.tes, as the data set's description lists them.
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    # Fingerprint of sklearn.datasets.load_digits() (scikit-learn 1.9.1), taken when the file
    # was made from it: the same pixels and labels in the same order.
    digest = hashlib.sha256(X.astype(np.uint8).tobytes() + y.astype(np.uint8).tobytes()).hexdigest()
    assert digest == "87ff0c9e40dc7e2c0e34e7257799c2e3f3aec1a016363bb11cad869ec428a826"


def test_digits_returns_fresh_arrays():
    X, y = nk.data.digits()
    X[0, 0], y[0] = 99.0, 7
    X2, y2 = nk.data.digits()
    assert X2[0, 0] == 0.0 and y2[0] == 0, "changing one call's arrays must not change the next call's"


def test_the_data_file_is_package_data_with_its_source():
    folder = resources.files("nnkit") / "datasets"
    assert (folder / "digits.csv.gz").is_file()
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme and "archive.ics.uci.edu" in readme and "Alpaydin" in readme
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert {"datasets/*.csv.gz", "datasets/README.md"} <= set(data["nnkit"]), \
        "pyproject.toml must ship the data file and its README inside the package"


# ------------------------------------------------------------------ compute


@pytest.fixture(scope="module")
def digits():
    return cd.prepare(3)


def test_prepare_centres_with_the_training_mean(digits):
    X, y = nk.data.digits()
    (Xtr, ytr), _, (Xte, yte) = nk.data.split(X, y, rng=3)
    mean = (Xtr / 16).mean(axis=0)
    np.testing.assert_allclose(digits.train[0], Xtr / 16 - mean, atol=1e-12)
    np.testing.assert_allclose(digits.test[0], Xte / 16 - mean, atol=1e-12)
    assert np.array_equal(digits.raw_test, Xte) and np.array_equal(digits.test[1], yte)
    np.testing.assert_allclose(digits.prepare(digits.raw_test), digits.test[0], atol=1e-12)


def test_confusion_matrix_counts_pairs():
    y = np.array([0, 0, 1, 2, 2, 2])
    p = np.array([0, 1, 1, 2, 0, 2])
    C = cd.confusion_matrix(y, p, classes=3)
    expected = np.zeros((3, 3), int)
    for t, q in zip(y, p):
        expected[t, q] += 1
    assert np.array_equal(C, expected) and C.sum() == len(y)
    with pytest.raises(ValueError, match="predicted"):
        cd.confusion_matrix(y, p[:-1], classes=3)


def test_confident_mistakes_sorts_the_wrong_ones_by_confidence():
    P = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.7, 0.3], [0.05, 0.95]])
    y = np.array([0, 0, 0, 1, 1])  # rows 1, 2 and 3 are wrong, with 0.8, 0.6 and 0.7
    assert cd.confident_mistakes(P, y, k=10).tolist() == [1, 3, 2]
    assert cd.confident_mistakes(P, y, k=2).tolist() == [1, 3]
    assert cd.confident_mistakes(P, np.array([0, 1, 1, 0, 1]), k=3).tolist() == []


def test_first_layer_images_are_the_rows_of_w():
    net = cd.new_net(rng=0)
    images = cd.first_layer_images(net)
    assert images.shape == (64, 8, 8)
    for k in (0, 17, 63):
        assert np.array_equal(images[k].ravel(), net.layers[0].W[k])
    images[0, 0, 0] = 123.0
    assert net.layers[0].W[0, 0] != 123.0, "the pictures are a copy"


def test_shift_moves_pixels_and_blanks_the_rest():
    image = np.arange(64.0).reshape(8, 8) + 1
    right = cd.shift(image.ravel(), 1, 0).reshape(8, 8)
    assert np.array_equal(right[:, 1:], image[:, :-1]) and np.all(right[:, 0] == 0)
    up_left = cd.shift(image.ravel(), -2, -1).reshape(8, 8)
    assert np.array_equal(up_left[:-1, :-2], image[1:, 2:])
    assert np.all(up_left[-1] == 0) and np.all(up_left[:, -2:] == 0)
    assert np.array_equal(cd.shift(image.ravel()).reshape(8, 8), image)
    many = np.stack([image.ravel(), 2 * image.ravel()])
    assert cd.shift(many, 1, 1).shape == (2, 64)
    with pytest.raises(ValueError, match="dx"):
        cd.shift(image.ravel(), 8, 0)


def test_tiny_subset_takes_each_class_equally(digits):
    X, y = cd.tiny_subset(*digits.train, per_class=2, rng=0)
    assert X.shape == (20, 64) and np.bincount(y).tolist() == [2] * 10
    rows = [np.flatnonzero((digits.train[0] == x).all(axis=1)) for x in X]
    assert all(len(r) >= 1 for r in rows) and len({int(r[0]) for r in rows}) == 20


def test_best_rate_and_best_lam_pick_the_lowest_validation_loss():
    runs = {1e-3: SimpleNamespace(val_loss=[1.0, 0.5]), 1e-2: SimpleNamespace(val_loss=[0.9, 0.2, 0.3]),
            1.0: SimpleNamespace(val_loss=[np.inf, np.nan])}
    assert cd.best_rate(runs) == 1e-2
    assert cd.best_lam({0.0: (None, 0.0, 0.3), 1e-3: (None, 0.1, 0.2), 1e-2: (None, 0.2, 0.25)}) == 1e-3


def test_probabilities_are_a_softmax_in_eval_mode(digits):
    net = cd.new_net(rng=0)
    P = cd.probabilities(net, digits.test[0][:7])
    assert P.shape == (7, 10) and np.allclose(P.sum(axis=1), 1)
    np.testing.assert_allclose(P, nk.functional.softmax(net.forward(digits.test[0][:7])), atol=1e-15)
    assert cd.probabilities(net, digits.test[0][0]).shape == (1, 10)


# ------------------------------------------------------------------ figures and widget


@pytest.fixture(scope="module")
def trained(digits):
    net = cd.new_net(rng=0)
    cd.train(net, *digits.train, 1e-2, epochs=15, rng=0)
    return net


def test_figures_are_labelled(digits, trained):
    X, y = nk.data.digits()
    sweep = cd.lr_sweep(digits, (1e-3, 1e-2), epochs=2)
    runs = cd.l2_sweep(digits, 1e-2, (0.0, 1e-2), epochs=2)
    history = cd.train(cd.new_net(rng=0), *digits.train, 1e-2, epochs=30, validation=digits.val,
                       patience=2)
    P = cd.probabilities(trained, digits.test[0])
    figures = [fg.digit_grid(X, y), fg.class_counts({"a": y[:100], "b": y[100:200]}),
               fg.pixel_spread(digits.train[0].std(axis=0)), fg.sweep_curves(sweep), fg.l2_gap(runs),
               fg.early_stopping(history, 2),
               fg.confusion(cd.confusion_matrix(digits.test[1], P.argmax(axis=1))),
               fg.mistakes(digits.raw_test, digits.test[1], P, cd.confident_mistakes(P, digits.test[1], 5)),
               fg.weight_images(cd.first_layer_images(trained))]
    for fig in figures:
        assert_labelled(fig)


def test_mosaic_places_tiles_with_gaps():
    tiles = np.arange(3 * 2 * 2, dtype=float).reshape(3, 2, 2)
    M = fg.mosaic(tiles, cols=2)
    assert M.shape == (5, 5)
    assert np.array_equal(M[:2, :2], tiles[0]) and np.array_equal(M[:2, 3:], tiles[1])
    assert np.array_equal(M[3:, :2], tiles[2]) and np.isnan(M[2]).all() and np.isnan(M[3:, 3:]).all()


def test_digit_explorer_shows_the_probabilities_of_the_digit_shown(digits, trained):
    live = wd.digit_explorer(trained, digits)
    assert_labelled(live.fig)
    exercise(live, [{"index": 5}, {"dx": 2}, {"dy": -1}, {"subset": wd.SUBSETS[1]}, {"index": 1}])
    row, P = live.result
    moved = cd.shift(digits.raw_test[row], 2, -1)
    np.testing.assert_allclose(P, cd.probabilities(trained, digits.prepare(moved))[0], atol=1e-15)
    live.set(dx=0, dy=0)
    row, P = live.result
    assert P.argmax() != digits.test[1][row], "the misclassified subset shows misclassified digits"
    live.set(subset=wd.SUBSETS[0], index=len(digits.test[1]) - 1)
    assert live.result[0] == len(digits.test[1]) - 1


# ------------------------------------------------------------------ the lecture's claims at other seeds


@pytest.fixture(scope="module")
def runs_at_seeds():
    out = {}
    for seed in SEEDS:
        d = cd.prepare(seed)
        out[seed] = SimpleNamespace(d=d, mlp=cd.workflow(d, cd.SIZES, rng=seed),
                                    linear=cd.workflow(d, cd.LINEAR, rng=seed))
    return out


def _holds(flags, what):
    flags = dict(flags)
    failed = [s for s, ok in flags.items() if not ok]
    assert len(failed) <= 1, f"{what} should hold at 9 of 10 seeds; fails at seeds {failed}"


@pytest.mark.slow
def test_test_accuracy_at_least_96_percent(runs_at_seeds):
    accuracy = {s: float(r.mlp.test_accuracy) for s, r in runs_at_seeds.items()}
    print("MLP test accuracy per seed:", {s: round(a, 4) for s, a in accuracy.items()})
    _holds(((s, a >= 0.96) for s, a in accuracy.items()), f"test accuracy >= 96 % ({accuracy})")


@pytest.mark.slow
def test_the_mlp_beats_the_linear_classifier(runs_at_seeds):
    pairs = {s: (float(r.mlp.test_accuracy), float(r.linear.test_accuracy)) for s, r in runs_at_seeds.items()}
    print("(MLP, linear) test accuracy per seed:", {s: tuple(round(a, 4) for a in p) for s, p in pairs.items()})
    _holds(((s, m > l) for s, (m, l) in pairs.items()), f"MLP > linear ({pairs})")


@pytest.mark.slow
def test_the_sweeps_read_as_the_lecture_says(runs_at_seeds):
    inside, slow, overshoot, train_up, gap_down, underfit = {}, {}, {}, {}, {}, {}
    for s, r in runs_at_seeds.items():
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
    for flags, what in ((inside, "the best rate inside the sweep, training loss far below validation"), (slow, "the smallest rate far from done"),
                        (overshoot, "the largest rate overshoots"), (train_up, "training loss rises with λ"),
                        (gap_down, "the strongest λ leaves a smaller gap"), (underfit, "the strongest λ underfits")):
        _holds(flags.items(), what)


@pytest.mark.slow
def test_early_stopping_keeps_the_best_epoch(runs_at_seeds):
    for s, r in runs_at_seeds.items():
        h = r.mlp.history
        best = int(np.argmin(h.val_loss))
        assert len(h) == best + 1 + cd.PATIENCE < cd.MAX_EPOCHS, f"seed {s}: {len(h)} epochs, best {best}"
        val_now = cd.evaluate(r.mlp.net, *r.d.val)[0]
        assert abs(val_now - h.val_loss[best]) < 1e-12, f"seed {s}: the network lost its best weights"


@pytest.mark.slow
def test_a_shifted_digit_is_not_recognised(runs_at_seeds):
    flags = {}
    for s, r in runs_at_seeds.items():
        moved = [cd.evaluate(r.mlp.net, r.d.prepare(cd.shift(r.d.raw_test, dx, 0)), r.d.test[1])[1]
                 for dx in (1, 2)]
        flags[s] = moved[0] < 0.75 and moved[1] < 0.2
    _holds(flags.items(), "one pixel right: accuracy < 75 %, two: < 20 %")


def test_initial_loss_tiny_subset_and_preprocessing_claims_at_other_seeds():
    start, shrunk, memorised, quiet = {}, {}, {}, {}
    for seed in SEEDS:
        d = cd.prepare(seed)
        net = cd.new_net(rng=seed)
        loss = nk.SoftmaxCrossEntropyLoss()
        Z = net.forward(d.train[0])
        start[seed] = abs(loss(Z, d.train[1]) / np.log(10) - 1) < 0.1 and 0.1 < Z.std() < 1
        net.layers[-1].W *= 0.01
        shrunk[seed] = abs(loss(net.forward(d.train[0]), d.train[1]) - np.log(10)) < 1e-3
        X_tiny, y_tiny = cd.tiny_subset(*d.train, per_class=2, rng=seed)
        tiny = cd.new_net(rng=seed)
        cd.train(tiny, X_tiny, y_tiny, lr=1e-2, epochs=200, rng=seed)
        tiny_loss, tiny_accuracy = cd.evaluate(tiny, X_tiny, y_tiny)
        memorised[seed] = tiny_accuracy == 1.0 and tiny_loss < 0.01 and cd.evaluate(tiny, *d.val)[1] < 0.9
        scaled = (d.train[0] + d.center.mean)  # the training pixels / 16 again
        std = scaled.std(axis=0)
        normalise = nk.preprocess.Normalize().fit(scaled)
        largest = np.abs(normalise.transform(d.raw_test / cd.PIXEL_MAX)).max()
        val_mean = np.abs(d.val[0].mean(axis=0)).max()
        quiet[seed] = np.sum(std < 0.05) >= 5 and largest > 10 and 1e-4 < val_mean < 0.1
    for flags, what in ((start, "initial loss within 10 % of ln 10"), (shrunk, "ln 10 with a shrunk last layer"),
                        (memorised, "20 examples memorised, validation < 90 %"),
                        (quiet, "quiet pixels blow up under per-pixel normalising; validation roughly centred")):
        _holds(flags.items(), what)
