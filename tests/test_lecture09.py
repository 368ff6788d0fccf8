"""Lecture 09 (handwritten digits): the shipped data, the room's helpers, its figures and widget.

The lecture's claims about training runs, at 10 other seeds, are in test_seeds_lecture09.py."""
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


def test_workflow_makes_the_notebook_s_choices():
    # The notebook runs the MLP's steps one cell at a time (sections 4.3-5) and cd.workflow
    # only for the linear classifier; the seed tests run cd.workflow. At the notebook's seed
    # and split, the two must agree, so that those tests test the notebook's procedure.
    seed = 0
    d = cd.prepare(seed)
    lr = cd.best_rate(cd.lr_sweep(d, cd.LRS, rng=seed))
    lam = cd.best_lam(cd.l2_sweep(d, lr, cd.LAMS, rng=seed))
    net = cd.new_net(cd.SIZES, rng=seed)
    cd.train(net, *d.train, lr, epochs=cd.MAX_EPOCHS, validation=d.val, lam=lam,
             patience=cd.PATIENCE, rng=seed)
    mlp = cd.workflow(d, cd.SIZES, rng=seed)
    assert (mlp.lr, mlp.lam) == (lr, lam), f"workflow chose {mlp.lr:g}, {mlp.lam:g}; the steps {lr:g}, {lam:g}"
    assert (mlp.test_loss, mlp.test_accuracy) == cd.evaluate(net, *d.test)


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
