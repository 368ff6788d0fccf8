"""What each unit computes: the thumbnails, the network's weight lines, the unit shown large; all headless."""
import io

import numpy as np
import pytest
from PIL import Image

from nnkit import functional as F
from nnkit.lectures.l08_playground import units as U
from nnkit.lectures.l08_playground.compute import FEATURES, Config, Experiment, feature_map
from nnkit.lectures.l08_playground.figures_network import NEGATIVE, POSITIVE, UNIT_CMAP, NetworkView
from nnkit.lectures.l08_playground.widgets import CSS_CLASSES, Playground
from nnkit.viz.blit import png

ALL = tuple(FEATURES)


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=int)


def hand_forward(exp, act):
    """Each hidden layer's h on the grid, from the Dense layers' W and b alone (no batch norm)."""
    h, H = feature_map(exp.grid, exp.config.features), []
    for d in exp.dense[:-1]:
        h = act(h @ d.W.T + d.b)
        H.append(h)
    return H


# ---------------------------------------------------------------- the numbers

@pytest.mark.parametrize("activation, act", [("tanh", np.tanh), ("relu", lambda e: np.maximum(e, 0)),
                                             ("sigmoid", F.sigmoid)])
def test_unit_outputs_are_each_layers_activations_on_the_grid(activation, act):
    exp = Experiment(dataset="gaussians", loss="squared error", layers=3, units=(3, 5, 2),
                     features=ALL, activation=activation, epochs=50)
    exp.train(epochs=5)  # trained weights, not the initial ones
    R = exp.resolution
    got = U.unit_outputs(exp)
    expected = hand_forward(exp, act)
    assert [g.shape for g in got] == [(3, R, R), (5, R, R), (2, R, R)]
    for l, (g, h) in enumerate(zip(got, expected), start=1):
        for j in range(h.shape[1]):
            # grid row-major: row i (x2), column k (x1)
            assert np.allclose(g[j], h[:, j].reshape(R, R), rtol=1e-12, atol=1e-14), \
                f"layer {l}, unit {j + 1}: the picture is not that unit's output on the grid"
    coarse = U.unit_outputs(exp, every=4)
    assert all(np.array_equal(c, g[:, ::4, ::4]) for c, g in zip(coarse, got))
    assert coarse[0].shape == (3, 15, 15)


def test_unit_outputs_use_batch_norm_in_evaluation_mode_and_the_prediction_is_the_surface():
    exp = Experiment(layers=2, batch_norm=True, epochs=50)
    exp.train(epochs=3)
    hidden, prediction = U.layer_outputs(exp)
    reference = exp.hidden_activations(exp.grid)  # the experiment's own path
    assert len(hidden) == 2 and all(np.allclose(a, b, rtol=1e-12) for a, b in zip(hidden, reference))
    assert np.allclose(prediction.reshape(exp.resolution, -1), exp.surface(), rtol=1e-12)


def test_after_divergence_the_units_show_the_last_finite_network():
    exp = Experiment(optimizer="sgd", lr=10.0, init="large", activation="identity", layers=4,
                     epochs=200)
    exp.train(epochs=3)
    assert exp.diverged and exp.steps > 0
    h, R = exp.grid, exp.resolution
    finite = [layer for layer in exp._finite_net.layers if hasattr(layer, "W")]
    for l, (got, d) in enumerate(zip(U.unit_outputs(exp), finite[:-1]), start=1):
        h = h @ d.W.T + d.b  # identity activation
        assert np.allclose(got, h.T.reshape(-1, R, R), rtol=1e-10), f"layer {l}"
    assert all(np.array_equal(a, d.W) for a, d in zip(U.weights(exp), finite))
    assert not np.array_equal(U.weights(exp)[0], exp.dense[0].W), "steps were taken since"
    view = NetworkView(exp)
    assert np.isfinite(view.tiles[~np.isnan(view.tiles)]).all()
    assert np.ptp(np.nan_to_num(view.tiles)) > 0, "the last finite pictures, not blank ones"


def test_scaled_pictures_share_their_layers_scale_and_survive_dead_units():
    h = np.array([[[0.5, -2.0]], [[0.0, 0.0]], [[1.0, 1.0]]])  # 3 pictures of 1x2
    assert np.array_equal(U.scaled(h, U.largest(h)), h / 2.0)
    assert np.array_equal(U.scaled(h), [[[0.25, -1.0]], [[0.0, 0.0]], [[1.0, 1.0]]])
    assert np.array_equal(U.scaled(np.array([np.nan, np.inf, 3.0]), 1.0), [0.0, 0.0, 1.0])


def test_line_widths_are_proportional_to_the_weights_size():
    W = np.array([[-2.0, 0.0, 0.5], [10.0, np.nan, -0.1]])
    assert np.allclose(U.line_widths(W), [[2 * U.WIDTH_PER_WEIGHT, 0, 0.5 * U.WIDTH_PER_WEIGHT],
                                          [U.MAX_WIDTH, 0, 0.1 * U.WIDTH_PER_WEIGHT]])


def test_layout_places_every_unit_apart_and_one_line_per_weight():
    sizes = [7, 8, 3, 1]
    layout = U.Layout(sizes, 15)
    boxes = [layout.box(l, j) for l, n in enumerate(sizes) for j in range(n)]
    assert len(boxes) == layout.count == 19
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            (l1, t1, r1, b1), (l2, t2, r2, b2) = boxes[a], boxes[b]
            assert r1 <= l2 or r2 <= l1 or b1 <= t2 or b2 <= t1, "two pictures overlap"
    segments = layout.segments()
    assert segments.shape == (7 * 8 + 8 * 3 + 3, 2, 2)
    # The weight W2[j, i] (layer 2, row j, column i): from unit i of layer 1 to unit j of layer 2.
    k = 7 * 8 + 2 * 8 + 5  # j=2, i=5 in layer 2's block
    (x0, y0), (x1, y1) = segments[k]
    left, top, right, bottom = layout.box(1, 5)
    assert x0 == right and top < y0 < bottom
    left, top, right, bottom = layout.box(2, 2)
    assert x1 == left and top < y1 < bottom
    with pytest.raises(ValueError, match="pictures must be 19"):
        layout.tile([np.zeros((7, 15, 15))])


# ---------------------------------------------------------------- the drawing

def pixel_of(ax, fig, x, y):
    """The (row, column) of the PNG pixel at data point (x, y)."""
    px, py = ax.transData.transform((x, y))
    return int(fig.bbox.height - py), int(px)


def test_the_thumbnails_drawn_are_the_units_outputs():
    exp = Experiment(dataset="gaussians", loss="squared error", layers=6, units=8, features=ALL,
                     epochs=50)
    exp.train(epochs=4)
    view = NetworkView(exp)
    hidden = U.unit_outputs(exp)
    r, layout = view.layout.r, view.layout
    picture = pixels(view.png("network"))
    ax, fig = view._net_ax, view.figures["network"]
    checked = 0
    for l, h in enumerate(hidden, start=1):
        top = np.abs(h).max()
        for j in range(h.shape[0]):
            row, col = layout.corners[l][j]
            thumb = (h[j] / top)[::4, ::4][::-1]  # drawn with x2 upwards
            assert np.allclose(view.tiles[row:row + r, col:col + r], thumb, rtol=1e-12), \
                f"layer {l}, unit {j + 1}: its thumbnail is not its output"
            for a, b in ((2, 3), (7, 7), (12, 10)):  # cells of the thumbnail, on screen
                y, x = pixel_of(ax, fig, col + b, row + a)
                expected = np.array(UNIT_CMAP(thumb[a, b] / 2 + 0.5)[:3]) * 255
                assert np.abs(picture[y, x] - expected).max() <= 3, (
                    f"layer {l}, unit {j + 1}, cell {(a, b)}: drawn {picture[y, x]}, expected "
                    f"{expected.round()}")
                checked += 1
    assert checked == 48 * 3


def test_the_weight_lines_follow_the_weights_as_they_train():
    exp = Experiment(layers=2, units=(4, 3), epochs=50, lr=0.05)
    view = NetworkView(exp)
    before = view._lines.get_linewidths().copy()
    for _ in range(3):
        exp.train_chunk()
        view.update()
        W = np.concatenate([d.W.ravel() for d in exp.dense])
        assert W.size == 2 * 4 + 4 * 3 + 3 == len(view._lines.get_segments())
        assert np.allclose(view._lines.get_linewidths(), np.minimum(1.5 * np.abs(W), 6.0))
        colors = view._lines.get_colors()
        assert np.array_equal(colors[W >= 0], np.tile(POSITIVE, ((W >= 0).sum(), 1)))
        assert np.array_equal(colors[W < 0], np.tile(NEGATIVE, ((W < 0).sum(), 1)))
        assert 0 < (W < 0).sum() < W.size, "both signs are drawn"
    assert not np.allclose(view._lines.get_linewidths(), before), "training moved the lines"


def test_fast_frames_of_the_network_show_what_a_full_draw_shows():
    exp = Experiment(layers=3, epochs=100)
    view = NetworkView(exp)
    exp.train(epochs=4)
    view.update()
    view.png("network"), view.png("unit")  # frames that draw the backgrounds
    exp.train_chunk()
    view.update()
    blitted = {name: pixels(view.png(name)) for name in NetworkView.NAMES}
    for name, fast in blitted.items():
        wrong = (np.abs(fast - pixels(png(view.figures[name]))).max(axis=2) > 2).sum()
        assert wrong < 1e-3 * fast[..., 0].size, f"{name}: {wrong} pixels differ from a full draw"


def test_the_large_picture_is_the_selected_unit_with_x2_upwards():
    exp = Experiment(layers=2, units=(5, 3), epochs=50)
    exp.train(epochs=3)
    view = NetworkView(exp)
    hidden = U.unit_outputs(exp)
    view.select(2, 3)
    view.update()
    assert view.selected == (2, 3)
    assert np.allclose(view.unit_picture(), hidden[1][2] / np.abs(hidden[1]).max(), rtol=1e-12)
    picture = pixels(view.png("unit"))
    ax, fig = view._unit_ax, view.figures["unit"]
    x1 = np.linspace(*exp.extent[:2], exp.resolution)
    x2 = np.linspace(*exp.extent[2:], exp.resolution)
    for i, k in ((5, 50), (50, 5), (30, 30)):  # grid row i (x2), column k (x1)
        y, x = pixel_of(ax, fig, x1[k], x2[i])
        expected = np.array(UNIT_CMAP(view.unit_picture()[i, k] / 2 + 0.5)[:3]) * 255
        assert np.abs(picture[y, x] - expected).max() <= 3, f"grid point {(i, k)} drawn wrongly"
    assert view.select(9, 9) is None and view.selected == (2, 3), "brought within the network"


# ---------------------------------------------------------------- the widget, headless

def test_selecting_a_unit_changes_the_large_thumbnail():
    pg = Playground(dataset="plane", loss="squared error", layers=3, units=4, epochs=50)
    pg.train(epochs=5)
    assert pg.thumbnails and pg.network.selected == (1, 1)
    menu = pg.view_controls["unit"]
    assert len(menu.options) == 12 and menu.value == (1, 1)
    before = pg.unit_images["unit"].value
    net_before = pg.unit_images["network"].value
    pg.set(unit=(3, 2))
    H = pg.unit_outputs()
    assert pg.network.selected == (3, 2) == menu.value
    assert np.allclose(pg.network.unit_picture(), H[2][1] / np.abs(H[2]).max())
    assert pg.unit_images["unit"].value != before, "the large picture should change"
    assert pg.unit_images["network"].value != net_before, "the frame should move to the unit"
    menu.value = (2, 4)  # as a student picks it
    assert pg.network.selected == (2, 4)
    assert np.allclose(pg.network.unit_picture(), H[1][3] / np.abs(H[1]).max())


def test_thumbnails_switch_off_and_on():
    pg = Playground(layers=2, epochs=50)
    assert pg._units_box.layout.display is None
    pg.set(thumbnails=False)
    assert pg._units_box.layout.display == "none" and not pg.thumbnails
    frozen = pg.unit_images["network"].value
    pg.step()
    assert pg.unit_images["network"].value == frozen, "hidden thumbnails are not redrawn"
    pg.set(thumbnails=True)
    assert pg._units_box.layout.display is None
    assert pg.unit_images["network"].value != frozen, "shown again: at the current state"
    fresh = NetworkView(pg.experiment)
    assert np.array_equal(pg.network.tiles, fresh.tiles, equal_nan=True)
    lazy = Playground(layers=1, thumbnails=False)
    assert lazy.network is None, "nothing is built while switched off"
    assert lazy.select_unit(1, 5) == (1, 5) and lazy.thumbnails and lazy.network is not None


def test_thumbnails_follow_architecture_changes():
    pg = Playground(dataset="gaussians", loss="squared error", layers=6, units=8, features=ALL,
                    epochs=50)
    assert pg.network.layout.sizes == [7, 8, 8, 8, 8, 8, 8, 1]
    pg.set(unit=(6, 8))
    pg.set(layers=2, units=(3, 2))
    assert pg.network.layout.sizes == [7, 3, 2, 1]
    assert pg.network.selected == (2, 2), "the selection is brought within the smaller network"
    assert pg.view_controls["unit"].value == (2, 2) and len(pg.view_controls["unit"].options) == 5
    pg.set(layers=0)
    assert pg.network.selected is None and pg.view_controls["unit"].options == ()
    assert pg.network._none.get_visible() and pg.unit_images["unit"].value
    pg.set(layers=1, features=("x1", "x2"), dataset="circles")
    assert pg.network.selected == (1, 1) and pg.network.layout.sizes == [2, 3, 1]  # its own width
    assert [t.get_text() for t in pg.network._labels][:2] == ["$x_1$", "$x_2$"]
    H = pg.unit_outputs()
    assert len(H) == 1 and H[0].shape == (3, 60, 60)


def test_browser_hooks_of_the_thumbnails():
    pg = Playground()
    for name in ("network", "unit"):
        assert CSS_CLASSES[name] in pg.unit_images[name]._dom_classes
    assert "nnkit-thumbnails" in pg.view_controls["thumbnails"]._dom_classes
    assert "nnkit-unit-choice" in pg.view_controls["unit"]._dom_classes
    with pytest.raises(KeyError, match="no control named"):
        pg.set(thumbnail=True)


def test_six_layer_regression_thumbnails_change_as_it_trains():
    pg = Playground.from_string("dataset=gaussians&loss=squared+error&layers=6&units=8&"
                                "features=x1,x2,x1sq,x2sq,x1x2,sin_x1,sin_x2&epochs=100")
    assert pg.experiment.config == Config(dataset="gaussians", loss="squared error", layers=6,
                                          features=ALL, epochs=100)
    seen = {pg.unit_images["network"].value}
    tiles = pg.network.tiles.copy()
    for _ in range(3):
        pg.frame()
        seen.add(pg.unit_images["network"].value)
    assert len(seen) == 4, "every frame draws new thumbnails"
    assert not np.allclose(np.nan_to_num(pg.network.tiles), np.nan_to_num(tiles))


def test_the_still_picture_holds_the_thumbnails_when_they_are_shown():
    pg = Playground(layers=2, epochs=20)
    pg.step()
    shown = pixels(pg.still())
    net = pixels(pg.unit_images["network"].value)
    pg.set(thumbnails=False)
    hidden = pixels(pg.still())
    assert shown.shape[1] == hidden.shape[1] + net.shape[1], "a third column: network and unit"
    assert np.array_equal(shown[:net.shape[0], -net.shape[1]:], net), "the network as last sent"
