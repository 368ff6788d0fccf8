"""Lecture 02, why depth: the tent-map sawtooth, piece counts, shallow fits and the bound."""
import numpy as np
import pytest

import nnkit as nk
from nnkit.lectures.l02_universal_approximation import depth, figures, widgets

from figure_checks import assert_labelled, exercise

GRID = np.linspace(0.0, 1.0, 8193)
OTHER_SEEDS = range(1, 11)          # the notebook uses seed 0


def pieces_of(net, **kwargs):
    return depth.count_pieces(lambda x: net.forward(x[:, None]), **kwargs)


# ---------------------------------------------------------------- the deep, narrow network

@pytest.mark.parametrize("k", range(1, 11))
def test_tent_net_is_the_composed_tent_map(k):
    net = depth.tent_net(k)
    widths = [layer.out_features for layer in net.layers if isinstance(layer, nk.Dense)]
    assert widths == [2] * k + [1], f"depth {k}, width 2: got Dense widths {widths}"
    x = np.random.default_rng(k).uniform(0, 1, 5000)        # not only dyadic points
    gap = np.abs(net.forward(x[:, None])[:, 0] - depth.sawtooth(x, k)).max()
    assert gap < 1e-12, f"k = {k}: tent_net differs from T^k by {gap:.1e}"


def test_sawtooth_is_the_tent_map_composed():
    x = GRID
    assert np.array_equal(depth.sawtooth(x, 1), 2 * np.minimum(x, 1 - x))
    assert np.allclose(depth.sawtooth(x, 3), depth.tent(depth.tent(depth.tent(x))), rtol=0, atol=0)


def test_tent_stages_are_the_partial_compositions():
    stages = depth.tent_stages(depth.tent_net(5), GRID)
    assert stages.shape == (5, len(GRID))
    for j, stage in enumerate(stages, start=1):
        assert np.abs(stage - depth.sawtooth(GRID, j)).max() < 1e-12


@pytest.mark.parametrize("k", range(1, 9))
def test_deep_net_has_two_to_the_k_pieces(k):
    assert pieces_of(depth.tent_net(k)) == 2 ** k
    kinks = depth.breakpoints(lambda x: depth.tent_net(k).forward(x[:, None]))
    assert np.allclose(kinks, np.arange(1, 2 ** k) / 2 ** k, rtol=0, atol=1e-12), \
        "the sawtooth's kinks are j / 2^k"


# ---------------------------------------------------------------- counting pieces

def test_breakpoints_find_known_kinks_between_grid_points():
    kinks = np.array([0.1234567, 0.5, 0.50003, 0.9])     # two of them inside one grid step
    f = lambda x: np.abs(x[:, None] - kinks).sum(axis=1)
    assert np.allclose(depth.breakpoints(f), kinks, rtol=0, atol=1e-9)
    assert depth.count_pieces(f) == 5


def test_a_line_has_one_piece_and_kinks_outside_do_not_count():
    assert depth.count_pieces(lambda x: 3 * x - 1) == 1
    assert depth.count_pieces(lambda x: np.abs(x - 2.0) + np.abs(x + 1.0)) == 1


@pytest.mark.parametrize("seed", [0, *OTHER_SEEDS])
def test_random_shallow_nets_reach_m_plus_one_pieces(seed):
    for m in (1, 2, 4, 8, 16, 32, 64):
        net = depth.random_shallow_net(m, rng=seed)
        counted = pieces_of(net)
        assert counted == len(depth.unit_kinks(net, 0, 1)) + 1, "slopes and weights disagree"
        assert counted == m + 1, f"seed {seed}, m = {m}: {counted} pieces, expected m + 1"


@pytest.mark.parametrize("seed", [0, *OTHER_SEEDS])
def test_trained_shallow_nets_stay_within_m_plus_one_pieces(seed):
    x = np.linspace(0, 1, 257)[:, None]
    for m in (2, 4, 8, 16):
        net = depth.random_shallow_net(m, rng=seed)
        nk.fit(net, nk.MSELoss(), x, depth.sawtooth(x, 3), epochs=300,
               optimizer=nk.Adam(net.parameters(), lr=0.02), progress=False)
        counted = pieces_of(net)
        assert counted <= m + 1, f"seed {seed}: a trained net of width {m} has {counted} pieces"
        assert counted == len(depth.unit_kinks(net, 0, 1)) + 1, "slopes and weights disagree"


def test_unit_kinks_ignore_units_that_cannot_bend_the_output():
    net = depth.shallow_net([0.2, 0.4, 0.4, 0.7], [1.0, 2.0, -1.0, 0.0])
    assert np.allclose(depth.unit_kinks(net), [0.2, 0.4])          # 0.7 has output weight 0
    assert pieces_of(net) == 3


# ---------------------------------------------------------------- shallow fits and the bound

@pytest.mark.parametrize("k", range(1, 8))
def test_two_to_the_k_units_on_the_corners_are_exact_and_one_fewer_is_not(k):
    target = depth.sawtooth(GRID, k)
    assert depth.shallow_fit(target, depth.corners(k, 2 ** k), GRID)[1] < 1e-11
    assert depth.shallow_fit(target, depth.corners(k, 2 ** k - 1), GRID)[1] > 1e-3


def test_every_shallow_net_respects_the_lower_bound():
    k, rng = 5, np.random.default_rng(0)
    target = depth.sawtooth(GRID, k)
    for m in range(1, 40):
        bound = depth.shallow_bound(k, m)
        for kinks in (depth.corners(k, m), np.sort(rng.uniform(0, 1, m)), np.arange(m) / m):
            rms = depth.shallow_fit(target, kinks, GRID)[1]
            assert rms >= bound * (1 - 1e-3), f"m = {m}: error {rms:.4f} below the bound {bound:.4f}"


def test_the_bound_is_tight_with_no_units_and_zero_from_half_the_teeth():
    assert np.isclose(depth.shallow_bound(4, 0), np.sqrt(1 / 12))
    assert depth.shallow_bound(4, 8) == 0 and depth.shallow_bound(4, 100) == 0


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="k"):
        depth.tent_net(0)
    with pytest.raises(TypeError, match="m"):
        depth.random_shallow_net(2.5)
    with pytest.raises(ValueError, match="lo < hi"):
        depth.breakpoints(np.abs, 1.0, 0.0)
    with pytest.raises(ValueError, match="one value per point"):
        depth.shallow_fit(np.zeros(3), [0.0], np.zeros(4))
    with pytest.raises(ValueError, match="Dense"):
        depth.unit_kinks(depth.tent_net(2))


# ---------------------------------------------------------------- figures and widget

def test_figures_are_labelled():
    widths = np.arange(1, 12)
    for fig in (figures.tent_stages(3), figures.two_networks(3, 4),
                figures.width_budget(3, widths, np.ones(len(widths)), 0.0),
                figures.units_needed(np.arange(1, 7))):
        assert_labelled(fig)


def test_depth_widget_redraws_and_counts():
    live = widgets.depth_widget(k=3, m=4)
    exercise(live, {"k": 5, "m": 32})
    assert live.result["deep_pieces"] == 32 and live.result["shallow_pieces"] == 32
    assert live.result["shallow_rms"] < 1e-10
    live.set(m=31)
    assert live.result["shallow_pieces"] == 31 and live.result["shallow_rms"] > 1e-3
