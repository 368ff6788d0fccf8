"""The network drawn as TensorFlow Playground draws it: each unit a picture, each weight a line.

A :class:`NetworkView` holds two figures, redrawn in place as the network trains:

- ``"network"``: every unit's output over the plane (:func:`.units.unit_outputs`), the
  inputs on the left and the output on the right, all drawn as ONE image (the pictures
  tiled by :class:`.units.Layout`), and one line per weight whose width is proportional to
  :math:`|w|` and whose colour is its sign (orange positive, blue negative: the Okabe-Ito
  pair, the surface's colours); the selected unit is framed;
- ``"unit"``: the selected hidden unit's picture, large and at the grid's full resolution.

Each frame moves the artists (``set_data`` on the two images, ``set_linewidths`` and
``set_color`` on the one ``LineCollection``) and draws only them on a saved background
(:class:`nnkit.viz.blit.Frame`).

Colours: each picture shows :math:`h / \\max|h|` on a blue-white-orange scale, the maximum
taken over the unit's whole layer (so a weak unit looks pale beside a strong one), over
each input alone, and fixed for the output (:func:`.units.output_picture`).
"""
from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.collections import LineCollection
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap, Normalize, to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from nnkit.viz.blit import Frame
from nnkit.viz.style import COLORS

from . import units as U
from .figures import _fixed_figure

__all__ = ["UNIT_CMAP", "POSITIVE", "NEGATIVE", "NetworkView"]

# Negative blue, zero white, positive orange: the surface's colours at full strength.
UNIT_CMAP = LinearSegmentedColormap.from_list(
    "nnkit_units", [COLORS[0], "#FFFFFF", COLORS[1]]).with_extremes(bad="white")  # bad: between pictures
POSITIVE, NEGATIVE = np.array(to_rgba(COLORS[1])), np.array(to_rgba(COLORS[0]))
FEATURE_TEXT = {"x1": "$x_1$", "x2": "$x_2$", "x1sq": "$x_1^2$", "x2sq": "$x_2^2$",
                "x1x2": "$x_1x_2$", "sin_x1": r"$\sin x_1$", "sin_x2": r"$\sin x_2$"}


class Pixels(Artist):
    """A picture of values in [-1, 1] drawn pixel for pixel into a box of the axes.

    ``imshow`` resamples its array to the screen and colour-maps it on every draw, which for
    the tiled pictures cost about 6 ms a frame; here the colours come from a 256-entry table
    and the cells are enlarged by repeating them (nearest neighbour, as
    ``interpolation="nearest"`` shows them), with index maps kept while the box stays put.

    Parameters
    ----------
    ax : Axes
    cmap : Colormap
        Maps -1 to 1; NaN is drawn in its "bad" colour.
    extent : (left, right, bottom, top)
        The box in data coordinates; row 0 of the array is drawn at its top.
    """

    def __init__(self, ax, cmap, extent, **kwargs):
        super().__init__(**kwargs)
        self.extent = tuple(extent)
        self._A = np.zeros((1, 1))
        table = cmap(np.linspace(0.0, 1.0, 256), bytes=True)
        self._table = np.vstack([table, cmap(np.nan, bytes=True)])  # entry 256: NaN
        self._maps = None
        ax.add_artist(self)
        self.set_clip_on(False)

    def set_data(self, A) -> None:
        """The values to draw, ``(rows, cols)``, row 0 at the top; NaN where nothing is."""
        self._A = np.asarray(A, float)

    def get_array(self) -> np.ndarray:
        return self._A

    def set_extent(self, extent) -> None:
        self.extent = tuple(extent)

    def rgba(self, width: int, height: int) -> np.ndarray:
        """The picture as ``(height, width, 4)`` uint8 pixels, row 0 at the top."""
        key = (self._A.shape, width, height)
        if self._maps is None or self._maps[0] != key:
            rows = (np.arange(height) + 0.5) * self._A.shape[0] // height
            cols = (np.arange(width) + 0.5) * self._A.shape[1] // width
            self._maps = (key, rows.astype(np.intp), cols.astype(np.intp))
        _, rows, cols = self._maps
        with np.errstate(invalid="ignore"):
            index = np.clip((self._A + 1.0) * 127.5 + 0.5, 0, 255)
        index = np.where(np.isnan(self._A), 256, index).astype(np.intp)
        # Colour the cells, then repeat them: each pixel as one 32-bit word, taken along
        # one axis at a time, is 8 times faster than indexing the pixels' colours in 2-D.
        cells = self._table.view(np.uint32)[:, 0][index]
        return cells.take(rows, axis=0).take(cols, axis=1).view(np.uint8).reshape(height, width, 4)

    def draw(self, renderer) -> None:
        if not self.get_visible():
            return
        left, right, bottom, top = self.extent
        corners = self.axes.transData.transform([[left, bottom], [right, top]])
        x0, y0 = np.rint(corners.min(axis=0)).astype(int)
        x1, y1 = np.rint(corners.max(axis=0)).astype(int)
        if x1 <= x0 or y1 <= y0:
            return
        gc = renderer.new_gc()
        # Agg puts the array's first row at the bottom of the box.
        renderer.draw_image(gc, x0, y0, self.rgba(x1 - x0, y1 - y0)[::-1])
        gc.restore()
        self.stale = False


class NetworkView:
    """Pictures of what each unit computes and lines for the weights, for one :class:`Experiment`.

    Parameters
    ----------
    experiment : Experiment
    scale : float
        Multiplies the figures' sizes.
    every : int
        The thumbnails use every ``every``-th point of the experiment's grid along each
        axis (4: 15 x 15 cells of the 60 x 60 grid); the large picture uses them all.

    Attributes
    ----------
    figures : dict of str -> Figure: ``"network"`` and ``"unit"``
    selected : (int, int) or None
        The unit shown large: ``(layer, unit)``, both counted from 1 (layer 1 is the first
        hidden layer); ``None`` when the network has no hidden layer.
    layout : units.Layout
        Where each picture and line of the ``"network"`` figure goes.
    tiles : ndarray
        The tiled image as drawn last: every picture scaled into [-1, 1], NaN between them.
    """

    NAMES = ("network", "unit")

    def __init__(self, experiment, scale: float = 1.0, every: int = 4):
        self.scale, self.every = scale, every
        self.experiment, self.figures, self._frames = None, {}, {}
        self.selected, self.tiles = None, None
        self._build_network()
        self._build_unit()
        self.rebuild(experiment)

    # ------------------------------------------------ building

    def rebuild(self, experiment) -> None:
        """Show a new experiment: a new layout when the sizes, the inputs or the grid changed."""
        old, self.experiment = self.experiment, experiment
        c = experiment.config
        if old is None or (old.config.sizes, old.config.features, old.resolution) != (
                c.sizes, c.features, experiment.resolution):
            self._relayout()
        if old is None or old.extent != experiment.extent:
            self._big.set_extent(experiment.extent)
            self._unit_ax.set_xlim(experiment.extent[:2])
            self._unit_ax.set_ylim(experiment.extent[2:])
            self._frames["unit"].stale = True
        # The inputs do not change while the experiment trains: their pictures are made once.
        self._inputs = U.scaled(U.input_pictures(experiment, self.every))
        self.select(*(self.selected or (1, 1)))
        self.update()

    def _build_network(self) -> None:
        fig, ax = _fixed_figure(1, 6.2 * self.scale, 3.4 * self.scale, left=0.08, right=0.99,
                                bottom=0.02, top=0.86)
        self.figures["network"], self._net_ax = fig, ax
        ax.set_axis_off()
        for spine in ax.spines.values():  # a blitted frame draws its axes' spines
            spine.set_visible(False)
        ax.set_aspect("equal")
        self._tiles = Pixels(ax, UNIT_CMAP, (0, 1, 0, 1))
        self._lines = LineCollection([], capstyle="butt", zorder=1.5)
        ax.add_collection(self._lines)
        # Drawn around the picture, in the space between pictures, so no picture covers it.
        self._box = Rectangle((0, 0), 1, 1, fill=False, edgecolor=COLORS[7], linewidth=1.5,
                              zorder=3)
        ax.add_patch(self._box)
        title = fig.text(0.01, 0.985, "What each unit computes: its output over the plane",
                         va="top", fontsize="medium")
        handles = [Line2D([], [], color=POSITIVE, linewidth=2, label="weight > 0"),
                   Line2D([], [], color=NEGATIVE, linewidth=2, label="weight < 0")]
        legend = fig.legend(handles=handles, loc="upper right", ncol=2, frameon=False,
                            fontsize="small", handlelength=1.2, bbox_to_anchor=(0.99, 1.0))
        self._labels = []
        # The title and the legend never change: pictures of their own, so that a new
        # layout draws only the labels. Those are placed by the layout: the sizes and
        # the inputs say what the background shows.
        self._frames["network"] = Frame(
            fig, [self._tiles, self._lines, self._box], fixed=[title, legend],
            key=lambda: (tuple(self.layout.sizes), self.layout.r,
                         tuple(self.experiment.config.features), ax.get_xlim(), ax.get_ylim()))

    def _build_unit(self) -> None:
        fig, ax = _fixed_figure(1, 3.3 * self.scale, 3.2 * self.scale, left=0.15, right=0.72,
                                bottom=0.14, top=0.9)
        self.figures["unit"], self._unit_ax = fig, ax
        ax.set_aspect("equal")
        self._big = Pixels(ax, UNIT_CMAP, (0, 1, 0, 1))
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        self._none = ax.text(0.5, 0.5, "no hidden layer", ha="center", va="center",
                             transform=ax.transAxes, visible=False)
        ax.set_title(" ", fontsize="medium")
        # One scale for every frame, so the colour bar is drawn once.
        bar = fig.colorbar(ScalarMappable(Normalize(-1.0, 1.0), UNIT_CMAP),
                           cax=fig.add_axes((0.75, 0.14, 0.035, 0.76)))
        bar.set_ticks([-1.0, -0.5, 0.0, 0.5, 1.0])
        bar.set_label("$h$ / max $|h|$ of its layer", fontsize="small")
        # The colour bar and the title (the unit's name) are kept as pictures of their own:
        # a new plane redraws only the axes' ticks, a new unit only the title.
        self._frames["unit"] = Frame(fig, [self._big], fixed=[ax.title, bar.ax, ax.xaxis, ax.yaxis],
                                     key=lambda: (ax.get_xlim(), ax.get_ylim(),
                                                  self._none.get_visible()),
                                     states={ax.title: ax.get_title})

    def _relayout(self) -> None:
        """Place the pictures and lines for the network's sizes; label the inputs and the layers."""
        exp, ax = self.experiment, self._net_ax
        r = -(-exp.resolution // self.every)
        self.layout = layout = U.Layout(exp.config.sizes, r)
        rows, cols = layout.shape
        self._tiles.set_extent((-0.5, cols - 0.5, rows - 0.5, -0.5))
        self._lines.set_segments(layout.segments())
        for text in self._labels:
            text.remove()
        self._labels = []
        for unit, feature in enumerate(exp.config.features):
            top, left = layout.corners[0][unit]
            self._labels.append(ax.text(left - 1.5, top + r / 2, FEATURE_TEXT[feature],
                                        ha="right", va="center", fontsize="small"))
        last = len(layout.sizes) - 1
        for l in range(len(layout.sizes)):
            name = "inputs" if l == 0 else "output" if l == last else f"layer {l}"
            self._labels.append(ax.text(layout.corners[l][0, 1] + r / 2, -1.5, name,
                                        ha="center", va="bottom", fontsize="small"))
        ax.set_xlim(-0.5, cols - 0.5)
        ax.set_ylim(rows - 0.5, -0.5)
        self._frames["network"].stale = True

    # ------------------------------------------------ choosing a unit

    @property
    def choices(self) -> list:
        """Every hidden unit as ``(label, (layer, unit))``, e.g. ``("layer 2, unit 3", (2, 3))``."""
        hidden = self.experiment.config.hidden
        return [(f"layer {l}, unit {j}", (l, j))
                for l, n in enumerate(hidden, start=1) for j in range(1, n + 1)]

    def select(self, layer: int, unit: int) -> None:
        """Show hidden unit ``unit`` of layer ``layer`` (both from 1) large, and frame its thumbnail.

        A unit beyond the network's size is brought within it (the last layer, the last
        unit), so that a smaller network keeps a selection; with no hidden layer there is none.
        """
        hidden = self.experiment.config.hidden
        old = self.selected
        if not hidden:
            self.selected = None
        else:
            layer = min(max(int(layer), 1), len(hidden))
            self.selected = (layer, min(max(int(unit), 1), hidden[layer - 1]))
        shown = self.selected is not None
        was_none = self._none.get_visible()
        self._none.set_visible(not shown)
        self._big.set_visible(shown)
        self._box.set_visible(shown)
        title = "layer {}, unit {}: its output $h$".format(*self.selected) if shown else " "
        if self._unit_ax.get_title() != title:
            self._unit_ax.set_title(title, fontsize="medium")
            self._frames["unit"].changed(self._unit_ax.title)
        if was_none != self._none.get_visible():
            self._frames["unit"].stale = True  # "no hidden layer" is part of the background
        if shown:
            left, top, right, bottom = self.layout.box(self.selected[0], self.selected[1] - 1)
            self._box.set_bounds(left - 1, top - 1, right - left + 2, bottom - top + 2)
        if old != self.selected and self.tiles is not None:
            self.update()

    # ------------------------------------------------ updating

    def update(self, experiment=None) -> None:
        """Move the pictures and lines to the experiment's current state (a new one: rebuild)."""
        if experiment is not None and experiment is not self.experiment:
            return self.rebuild(experiment)
        exp, every, R = self.experiment, self.every, self.experiment.resolution
        hidden, prediction = U.layer_outputs(exp)
        # One scale per layer, over the whole grid: the thumbnails and the large picture agree.
        tops = [U.largest(h) for h in hidden]
        thumbs = [U.scaled(U.pictures(h, R, every), top) for h, top in zip(hidden, tops)]
        out = U.scaled(U.pictures(U.output_picture(prediction, exp.config.regression)[:, None],
                                  R, every), 1.0)
        self.tiles = self.layout.tile([self._inputs, *thumbs, out])
        self._tiles.set_data(self.tiles)
        W = np.concatenate([w.ravel() for w in U.weights(exp)])
        self._lines.set_linewidths(U.line_widths(W))
        self._lines.set_color(np.where((W >= 0)[:, None], POSITIVE, NEGATIVE))
        if self.selected is not None:
            layer, unit = self.selected
            h = U.scaled(hidden[layer - 1][:, unit - 1].reshape(R, R), tops[layer - 1])
            self._big.set_data(h[::-1])  # row 0 drawn at the top

    def unit_picture(self) -> np.ndarray | None:
        """The large picture as drawn: the selected unit's ``h`` over its layer's max ``|h|``, ``(R, R)``, rows following :math:`x_2`."""
        return None if self.selected is None else self._big.get_array()[::-1]

    # ------------------------------------------------ output

    def png(self, name: str) -> bytes:
        """The named figure as PNG bytes, drawing only what moved since the last frame."""
        if name not in self._frames:
            raise KeyError(f"no figure named {name!r}; the network view has {list(self.NAMES)}")
        return self._frames[name].render()
