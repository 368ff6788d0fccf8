"""Lecture 06, why cross-entropy: likelihoods, entropy + KL, the log-sum-exp form."""
import warnings

import numpy as np
import pytest

import nnkit as nk
from nnkit.lectures.l06_classifiers_cross_entropy import likelihood as lik

F = nk.functional
SEEDS = [0, *range(1, 11)]          # the notebook's seed and 10 others


@pytest.mark.parametrize("seed", SEEDS)
def test_bce_is_the_bernoulli_negative_log_likelihood(seed):
    rng = np.random.default_rng(seed)
    Z = rng.normal(0, 2, (50, 3))
    Y = rng.integers(0, 2, (50, 3)).astype(float)
    A = F.sigmoid(Z)
    nll = lik.bernoulli_nll(A, Y)
    assert np.isclose(nll, nk.BCELoss()(A, Y), rtol=1e-12)
    assert np.isclose(nll, nk.BCEWithLogitsLoss()(Z, Y), rtol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_cross_entropy_is_the_categorical_negative_log_likelihood(seed):
    rng = np.random.default_rng(seed)
    Z, labels = rng.normal(0, 2, (40, 5)), rng.integers(0, 5, 40)
    nll = lik.categorical_nll(F.softmax(Z, axis=1), labels)
    assert np.isclose(nll, nk.SoftmaxCrossEntropyLoss()(Z, labels), rtol=1e-12)
    assert np.isclose(nll, nk.SoftmaxCrossEntropyLoss()(Z, nk.data.one_hot(labels, 5)), rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_likelihood_of_many_examples_underflows_and_its_log_does_not(seed):
    rng = np.random.default_rng(seed)
    A, Y = rng.uniform(0.05, 0.95, (2000, 1)), rng.integers(0, 2, (2000, 1)).astype(float)
    assert np.prod(lik.bernoulli_likelihood(A, Y)) == 0.0
    assert np.isfinite(lik.bernoulli_nll(A, Y)) and lik.bernoulli_nll(A, Y) > 0.1


@pytest.mark.parametrize("seed", SEEDS)
def test_cross_entropy_is_entropy_plus_kl_and_kl_is_never_negative(seed):
    rng = np.random.default_rng(seed)
    p, q = rng.dirichlet(np.ones(6), 500), rng.dirichlet(np.ones(6), 500)
    p[:50, 0] = 0.0                                   # zero-probability outcomes: 0 ln 0 = 0
    p[:50] /= p[:50].sum(axis=1, keepdims=True)
    H, CE, KL = lik.entropy(p), lik.cross_entropy(p, q), lik.kl_divergence(p, q)
    assert np.allclose(CE, H + KL, rtol=1e-12, atol=1e-14)
    assert np.all(KL > 0) and np.allclose(lik.kl_divergence(p, p), 0, atol=1e-15)


def test_soft_target_minimum_is_its_entropy():
    a = np.round(np.linspace(0.001, 0.999, 999), 3)
    for y in (0.1, 0.25, 0.5, 0.8):
        C = np.array([nk.BCELoss()(np.array([[ai]]), np.array([[y]])) for ai in a])
        KL = lik.kl_divergence(lik.bernoulli(np.full_like(a, y)), lik.bernoulli(a))
        assert np.allclose(C - lik.entropy(lik.bernoulli(y)), KL, rtol=1e-9, atol=1e-12)
        assert a[KL.argmin()] == y and KL.min() < 1e-15 and np.all(KL[a != y] > 0)


def test_entropy_of_known_distributions():
    assert np.isclose(lik.entropy(np.full(4, 0.25)), np.log(4))
    assert lik.entropy(np.array([1.0, 0.0, 0.0])) == 0.0
    assert np.isclose(lik.entropy(lik.bernoulli(0.5)), np.log(2))
    assert np.isinf(lik.cross_entropy(np.array([0.5, 0.5]), np.array([1.0, 0.0])))
    assert np.isinf(lik.kl_divergence(np.array([0.5, 0.5]), np.array([1.0, 0.0])))


def test_logsumexp_form_at_plus_and_minus_1000():
    Z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0], [1000.0, 999.0, -1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        top = Z.max(axis=1, keepdims=True)
        shifted = top[:, 0] + np.log(np.exp(Z - top).sum(axis=1))
        lse = F.logsumexp(Z, axis=1)
    assert np.allclose(shifted, lse, rtol=1e-15)
    assert np.allclose(lse, [1000.0, -1000 + np.log(3), 1000 + np.log1p(np.exp(-1.0))], rtol=1e-15)
    labels = np.array([1, 0, 2])
    by_form = np.mean(lse - Z[np.arange(3), labels])
    assert np.isclose(by_form, nk.SoftmaxCrossEntropyLoss()(Z, labels), rtol=1e-13)


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        lik.bernoulli_likelihood(np.array([[0.0]]), np.array([[1.0]]))
    with pytest.raises(ValueError, match="labels 0 or 1"):
        lik.bernoulli_likelihood(np.array([[0.3]]), np.array([[0.5]]))
    with pytest.raises(ValueError, match="shape"):
        lik.bernoulli_likelihood(np.full((3, 1), 0.5), np.ones(3))
    with pytest.raises(ValueError, match="labels must lie"):
        lik.categorical_likelihood(np.full((2, 2), 0.5), np.array([0, 2]))
    with pytest.raises(ValueError, match="sum to 1"):
        lik.kl_divergence(np.array([0.5, 0.6]), np.array([0.5, 0.5]))


def test_entropy_plus_kl_figure_is_labelled():
    from nnkit.lectures.l06_classifiers_cross_entropy import figures

    from figure_checks import assert_labelled

    a = np.linspace(0.01, 0.99, 99)
    curves = {y: -(y * np.log(a) + (1 - y) * np.log(1 - a)) for y in (0.25, 0.8)}
    assert_labelled(figures.entropy_plus_kl(a, curves))
    with pytest.raises(ValueError, match="targets"):
        figures.entropy_plus_kl(a, curves, targets=(0.5,))


@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_soft_target_exceeds_its_entropy_by_the_kl(seed):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(3), 1)
    xent = nk.SoftmaxCrossEntropyLoss()
    best = xent(np.log(p) + rng.normal(), p)
    assert np.isclose(best, lik.entropy(p)[0], rtol=1e-12)
    assert np.allclose(xent.backward(), 0.0, atol=1e-15)
    for z in rng.normal(0, 2, (20, 1, 3)):
        gap = xent(z, p) - best
        assert gap > 0 and np.isclose(gap, lik.kl_divergence(p, F.softmax(z, axis=1))[0], rtol=1e-10)
