"""Toy datasets and preprocessing."""
import numpy as np
import pytest

import nnkit as nk
from nnkit import preprocess as P


def test_xor():
    X, Y = nk.data.xor()
    assert X.shape == (4, 2) and Y.shape == (4, 1) and Y.dtype == np.float64
    assert np.array_equal(Y[:, 0], np.logical_xor(X[:, 0], X[:, 1]))


def test_semicircle_maps_onto_parabola():
    X, Y = nk.data.semicircle_parabola(50, rng=0)
    assert np.allclose((X**2).sum(axis=1), 1) and np.all(X[:, 1] >= 0)
    assert np.allclose(Y[:, 1], Y[:, 0] ** 2) and np.allclose(Y[:, 0], X[:, 0])


@pytest.mark.parametrize("make, classes", [
    (lambda n, rng: nk.data.circles(n, noise=0.1, rng=rng), 2),
    (lambda n, rng: nk.data.spirals(n, classes=4, rng=rng), 4),
    (lambda n, rng: nk.data.blobs(n, centers=3, std=0.3, rng=rng), 3),
])
def test_classification_sets(make, classes):
    X, Y = make(101, 0)
    assert X.shape == (101, 2) and Y.shape == (101,) and Y.dtype.kind == "i"
    counts = np.bincount(Y)
    assert len(counts) == classes and counts.max() - counts.min() <= 1, "n is split evenly"
    X2, Y2 = make(101, 0)
    assert np.array_equal(X, X2) and np.array_equal(Y, Y2), "same seed, same data"


def test_spirals_follow_cs231n_without_noise():
    X, Y = nk.data.spirals(300, classes=3, noise=0.0, rng=0)
    k = 1
    r = np.linspace(0, 1, 100)
    t = np.linspace(4 * k, 4 * (k + 1), 100)
    assert np.allclose(X[Y == k], np.column_stack([r * np.sin(t), r * np.cos(t)]))


def test_circles_radii():
    X, Y = nk.data.circles(200, noise=0.0, rng=0)
    radius = np.linalg.norm(X, axis=1)
    assert np.allclose(radius[Y == 0], 1.0) and np.allclose(radius[Y == 1], 0.5)


@pytest.fixture
def cloud():
    rng = np.random.default_rng(0)
    return rng.multivariate_normal([5.0, -3.0], [[4.0, 1.8], [1.8, 1.0]], size=500)


def test_center_and_normalize(cloud):
    assert np.allclose(P.center(cloud).mean(axis=0), 0, atol=1e-12)
    N = P.normalize(cloud)
    assert np.allclose(N.mean(axis=0), 0, atol=1e-12) and np.allclose(N.std(axis=0), 1)


def test_pca_decorrelates_in_decreasing_variance(cloud):
    Z = P.pca(cloud)
    cov = Z.T @ Z / len(Z)
    assert abs(cov[0, 1]) < 1e-10 and cov[0, 0] > cov[1, 1]


def test_whiten_gives_identity_covariance(cloud):
    Z = P.whiten(cloud)
    assert np.allclose(Z.T @ Z / len(Z), np.eye(2), atol=1e-4)


def test_fitted_transforms_reapply_training_statistics(cloud):
    train, test = cloud[:400], cloud[400:]
    w = P.Whiten().fit(train)
    assert np.allclose(w.transform(train), P.whiten(train))
    manual = (test - train.mean(axis=0)) @ w.components / np.sqrt(w.variances + 1e-5)
    assert np.allclose(w.transform(test), manual)
    with pytest.raises(ValueError, match="expects 2"):
        w.transform(np.ones((3, 5)))
