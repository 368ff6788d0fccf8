"""The shared drawing machinery: the plane grid, the histogram, the one PNG path, blitting."""
import base64
import io

import matplotlib
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

matplotlib.use("Agg")

from nnkit.viz import histogram  # noqa: E402
from nnkit.viz.blit import Frame, encode_png, png, still  # noqa: E402
from nnkit.viz.grid import plane  # noqa: E402
from nnkit.viz.live import BlitLive, Live, dropdown, float_slider, toggle  # noqa: E402
from nnkit.viz.style import (  # noqa: E402
    LOG_MINOR_DECADES, finish, log_minor_ticks, new_figure, notebook_png)


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=int)


# ---------------------------------------------------------------- the plane grid

def test_plane_grid_layout():
    points, extent = plane(-1, 1, 5)
    assert points.shape == (25, 2) and extent == (-1, 1, -1, 1)
    assert np.array_equal(points.reshape(5, 5, 2)[0, :, 0], np.linspace(-1, 1, 5))   # x1 along a row
    assert np.array_equal(points.reshape(5, 5, 2)[:, 0, 1], np.linspace(-1, 1, 5))   # x2 down a column


def test_plane_grid_takes_one_bound_per_axis():
    points, extent = plane((-1.0, 10.0), (3.0, 20.0), 3)
    assert extent == (-1.0, 3.0, 10.0, 20.0)
    assert np.array_equal(points[:3, 0], [-1.0, 1.0, 3.0]) and np.array_equal(points[::3, 1], [10, 15, 20])


# ---------------------------------------------------------------- the histogram

def test_histogram_counts_tails_in_the_edge_bins():
    edges, f = histogram.fractions(np.array([[-5.0, 0.0, 0.5, 9.0]]), -1.0, 1.0, bins=4)
    assert np.allclose(edges, [-1, -0.5, 0, 0.5, 1])
    assert np.allclose(f, [0.25, 0.0, 0.25, 0.5])


def test_histogram_of_nothing_and_of_nan():
    assert np.array_equal(histogram.fractions(np.zeros((0, 3)), 0.0, 1.0, 5)[1], np.zeros(5))
    _, f = histogram.fractions([np.nan, np.inf, -np.inf, 0.5], 0.0, 1.0, 2)
    assert np.allclose(f, [0.25, 0.5]), "NaN counts in the total only; infinities go to the edges"


@given(st.lists(st.floats(-10, 10), min_size=1, max_size=200), st.integers(1, 40))
def test_histogram_agrees_with_numpy_on_clipped_values(values, bins):
    values = np.array(values)
    edges, f = histogram.fractions(values, -2.0, 3.0, bins)
    clipped = np.clip(values, -2.0, 3.0)
    # Away from the bin edges (where rounding may pick either side) numpy's histogram agrees.
    width = 5.0 / bins
    offset = (clipped + 2.0) / width
    inner = (np.abs(offset - np.round(offset)) > 1e-9) | (clipped == -2.0) | (clipped == 3.0)
    expected, _ = np.histogram(clipped[inner], bins=edges)
    _, got = histogram.fractions(values[inner], -2.0, 3.0, bins)
    if inner.any():
        assert np.allclose(got, expected / inner.sum())
    assert np.isclose(f.sum(), 1.0)


# ---------------------------------------------------------------- log axes

@pytest.mark.parametrize("decades, minors_per_decade", [
    (1.0, 8), (3.0, 2), (LOG_MINOR_DECADES, 2), (LOG_MINOR_DECADES + 1.0, 0), (12.0, 0)])
def test_log_axes_mark_every_integer_within_a_decade_then_2_and_5_then_nothing(
        decades, minors_per_decade):
    fig, ax = new_figure()
    ax.semilogy([0, 1], [1.0, 10.0 ** decades])
    ax.set_ylim(1.0, 10.0 ** decades)
    finish(ax, "t", "x", "y")
    minors = ax.yaxis.get_minorticklocs()
    inside = minors[(minors > 1.0) & (minors < 10.0 ** decades)]
    assert len(inside) == round(minors_per_decade * decades)
    if minors_per_decade == 2:  # the 1-2-5 steps
        mantissa = inside / 10.0 ** np.floor(np.log10(inside))
        assert np.allclose(np.sort(np.unique(np.round(mantissa, 6))), [2.0, 5.0])
    # the linear x axis keeps matplotlib's minor ticks (none)
    assert len(ax.xaxis.get_minorticklocs()) == 0


def test_log_minor_ticks_follow_new_limits():
    fig, ax = new_figure()
    ax.set_yscale("log")
    ax.set_ylim(1e-12, 1.0)
    log_minor_ticks(ax.yaxis)
    assert len(ax.yaxis.get_minorticklocs()) == 0
    ax.set_ylim(1e-3, 1.0)
    log_minor_ticks(ax.yaxis)
    minors = ax.yaxis.get_minorticklocs()
    assert len(minors[(minors > 1e-3) & (minors < 1.0)]) == 6  # 2 and 5 in each of 3 decades


# ---------------------------------------------------------------- one PNG path

def test_encoder_writes_the_canvas_pixels():
    fig, ax = new_figure()
    ax.plot([0, 1], [1, 0], label="a line")
    data = png(fig)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    canvas = np.asarray(fig.canvas.buffer_rgba(), dtype=int)[:, :, :3]
    assert np.array_equal(pixels(data), canvas)
    assert encode_png(fig.canvas) == data


def test_a_laid_out_figure_is_one_draw_of_its_canvas_unless_something_sticks_out():
    fig, ax = new_figure()
    ax.plot([0, 1], [0, 1], label="a line")
    ax.set_title("short")
    picture = Image.open(io.BytesIO(base64.b64decode(notebook_png(fig))))
    assert picture.size == (round(fig.get_figwidth() * fig.dpi), round(fig.get_figheight() * fig.dpi))
    assert np.array_equal(np.asarray(picture), np.asarray(fig.canvas.buffer_rgba())[:, :, :3])
    ax.set_title("a title far wider than this figure, which constrained layout cannot shrink " * 2)
    assert notebook_png(fig) is None, "what reaches outside the canvas must be drawn tight instead"


def test_a_figure_without_layout_is_one_draw_cut_to_the_tight_box():
    from IPython.core.pylabtools import print_figure  # the inline backend's tight drawing

    fig, ax = new_figure(width=4.3, height=2.7, layout=None)
    ax.plot([0, 1], [0, 1], label="a line")
    ax.legend()
    ax.set(title="short", xlabel="x")
    fig.subplots_adjust(bottom=0.25)
    mine, tight = (pixels(base64.b64decode(notebook_png(fig))), pixels(print_figure(fig, "png")))
    assert mine.shape == tight.shape, f"the tight box, padded as the inline backend pads it: {mine.shape} vs {tight.shape}"
    # The same picture up to anti-aliasing: the tight drawing starts at a fraction of a pixel.
    differ = np.mean(np.abs(mine - tight).max(axis=2) > 40)
    assert differ < 0.05, f"{differ:.1%} of the pixels differ from the tight drawing"
    assert mine[0, 0].tolist() == [255, 255, 255] and mine.shape[1] < fig.get_figwidth() * fig.dpi, \
        "cut to the box: narrower than the canvas, with the figure's white padding"
    fig.subplots_adjust(bottom=0.0)  # now the x label hangs below the canvas
    assert notebook_png(fig) is None, "what reaches outside the canvas must be drawn tight instead"
    placed, _ = new_figure(layout="tight")
    assert notebook_png(placed) is None, "another layout engine: the inline backend draws it"


def test_frame_matches_a_full_draw_and_keeps_hidden_artists_hidden():
    fig, (left, right) = new_figure(2, 1, layout=None)
    line, = left.plot([0, 1], [0, 1], lw=3)
    dots, = right.plot([0, 1], [1, 0], "o")
    left.set_title("moving title")
    frame = Frame(fig, [line, dots, left.title])
    frame.render()
    line.set_ydata([1, 0])
    dots.set_visible(False)
    left.set_title("another title")
    fast = pixels(frame.render())
    full = pixels(png(fig))
    diff = np.abs(fast - full).max(axis=2)
    assert np.mean(diff > 2) < 1e-3, f"{np.sum(diff > 2)} pixels differ from a full draw"
    frame.stale = True
    frame.render()
    assert not dots.get_visible(), "redrawing the background must not show a hidden artist"


def test_frame_pastes_a_placed_legend_over_the_lines_that_move_under_it():
    fig, ax = new_figure(layout=None)
    line, = ax.plot([0, 1], [0.9, 0.9], lw=4, label="a line under the legend")
    ax.plot([0, 1], [0.1, 0.2], label="a still line")
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left")  # placed for good: drawn once, pasted at each frame
    frame = Frame(fig, [line])
    frame.render()
    for y in (0.95, 0.85, 0.5):
        line.set_ydata([y, y])
        fast, full = pixels(frame.render()), pixels(png(fig))
        diff = np.abs(fast - full).max(axis=2)
        assert np.mean(diff > 2) < 1e-3, f"at y = {y}: {np.sum(diff > 2)} pixels differ"


def test_blit_live_follows_a_toggle():
    fig, ax = new_figure()
    line, = ax.plot([0, 1], [0, 1])
    ax.set_title("t")

    def update(show):
        line.set_visible(show)

    live = BlitLive(fig, update, {"show": toggle(True, "show")}, [line])
    shown = live.png()
    live.set(show=False)
    hidden = live.png()
    assert hidden != shown
    live.set(show=True)
    assert pixels(live.png()).tolist() == pixels(shown).tolist()


def test_live_set_redraws_once_for_several_values_and_not_for_unchanged_ones():
    fig, ax = new_figure()
    line, = ax.plot([0, 1], [0, 1])
    calls = []

    def update(a, b):
        calls.append((a, b))
        line.set_ydata([a, b])

    live = Live(fig, update, {"a": float_slider(0.0, 0, 1, 0.1, "a"),
                              "b": float_slider(0.0, 0, 1, 0.1, "b")})
    calls.clear()
    live.set(a=0.5, b=0.7)
    assert calls == [(0.5, 0.7)], f"two values at once should redraw once, with both; got {calls}"
    live.set(a=0.5, b=0.7)
    assert calls == [(0.5, 0.7)], "values the controls already hold should not redraw"
    live.controls["a"].value = 0.2  # a student's move still redraws at once
    assert calls[-1] == (0.2, 0.7)
    with pytest.raises(KeyError, match="no control named 'c'"):
        live.set(a=0.9, c=1)
    assert live.values["a"] == 0.2, "an unknown name changes nothing"


def test_blit_live_keeps_one_background_per_still_key_and_draws_the_prepared_ones_at_build():
    fig, ax = new_figure()
    line, = ax.plot([0, 1], [0, 1])
    ax.set_title("t")

    def update(scale, offset):
        ax.set_ylim(0, scale)  # the still parts (limits, tick labels) depend on the scale only
        line.set_ydata([offset, offset + 1])

    controls = {"scale": dropdown([1, 2, 4], 1, "scale"), "offset": float_slider(0.0, 0, 1, 0.1, "offset")}
    live = BlitLive(fig, update, controls, [line], still_key=lambda scale, offset: scale,
                    prepare=[{"scale": 2}])
    assert ax.get_ylim() == (0, 1), "after preparing, the figure is back at the controls' values"
    full_draws = []
    draw = fig.canvas.draw
    fig.canvas.draw = lambda: (full_draws.append(1), draw())[1]
    for scale, offset, drawn in ((2, 0.0, 0), (1, 0.5, 0), (4, 0.5, 1), (2, 0.3, 1), (4, 0.1, 1)):
        live.set(scale=scale, offset=offset)
        assert len(full_draws) == drawn, f"at scale {scale}: {len(full_draws)} full draws, expected {drawn}"
        fig.canvas.draw = draw  # the check below draws in full
        fast, full = pixels(live.picture), pixels(png(fig))
        fig.canvas.draw = lambda: (full_draws.append(1), draw())[1]
        diff = np.abs(fast - full).max(axis=2)
        assert np.mean(diff > 2) < 1e-3, f"at scale {scale}: {np.sum(diff > 2)} pixels differ from a full draw"


# ---------------------------------------------------------------- stills for viewers without a kernel

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def displayed(obj) -> dict:
    """What IPython sends to the notebook when a cell ends with ``obj``."""
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(obj)
    return data


def test_live_figure_is_displayed_as_its_widget_and_a_still_of_its_picture():
    fig, ax = new_figure()
    line, = ax.plot([0, 1], [0, 1])
    ax.set_title("t")
    live = BlitLive(fig, lambda show: line.set_visible(show), {"show": toggle(True, "show")}, [line])
    data = displayed(live)
    assert data[WIDGET_VIEW]["model_id"] == live.widget.model_id, "JupyterLab must get the live widget"
    assert base64.b64decode(data["image/png"]) == live.picture == live.png()
    live.set(show=False)
    later = base64.b64decode(displayed(live)["image/png"])
    assert later == live.picture and pixels(later).tolist() != pixels(base64.b64decode(data["image/png"])).tolist(), \
        "the still shows the figure as it is when displayed, not as it first was"


def test_still_places_columns_side_by_side_and_stacks_each_column():
    figures = []
    for color, (width, height) in (("red", (2, 3)), ("blue", (3, 1)), ("green", (2, 1))):
        fig, ax = new_figure(width=width, height=height)
        ax.set_facecolor(color)
        png(fig)
        figures.append(fig)
    big, top, bottom = (np.asarray(f.canvas.buffer_rgba())[:, :, :3] for f in figures)
    picture = pixels(still([[figures[0]], figures[1:]]))
    assert picture.shape == (max(big.shape[0], top.shape[0] + bottom.shape[0]),
                             big.shape[1] + max(top.shape[1], bottom.shape[1]), 3)
    w = big.shape[1]
    assert np.array_equal(picture[:big.shape[0], :w], big)
    assert np.array_equal(picture[:top.shape[0], w:w + top.shape[1]], top)
    assert np.array_equal(picture[top.shape[0]:top.shape[0] + bottom.shape[0], w:w + bottom.shape[1]], bottom)
    assert (picture[big.shape[0]:, :w] == 255).all(), "the shorter column is padded with white"


@pytest.mark.parametrize("module", ["nnkit.viz.grid", "nnkit.viz.histogram"])
def test_numeric_helpers_need_numpy_only(module):
    import subprocess
    import sys

    code = f"import sys, {module}; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", f"{module} pulled in matplotlib"
