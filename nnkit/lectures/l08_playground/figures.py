"""The playground's pictures: decision surface, loss curves, layer statistics, updated in place.

A :class:`Dashboard` holds three small figures rather than one large one, so that
each can be shown (and tested) on its own and the browser only receives the picture
that changed. ``update(experiment)`` moves the existing artists (``set_data`` on the
surface image, the loss lines, the histogram steps and the gradient bars). A new
experiment (another dataset or architecture) is shown by moving the same artists too,
replacing only the per-layer ones when the number of layers changes, so that the
figures, their ticks and their canvases' text caches are kept.
Rendering stays fast because the margins are fixed (no layout engine), only the
moving artists are drawn on a saved background (:class:`nnkit.viz.blit.Frame`), the
surface is an ``imshow`` of a coarse grid, and the PNG is written plainly with light
compression (:func:`nnkit.viz.blit.encode_png`).
"""
from __future__ import annotations

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.ticker import LogLocator, NullFormatter

from nnkit.viz.blit import Frame
from nnkit.viz.style import COLORS, finish, new_figure

__all__ = ["SURFACE_CMAP", "Dashboard", "surface_panel", "compare_surfaces", "line_figure",
           "history_figure"]


def _pale(color: str, amount: float = 0.55) -> tuple:
    """``color`` mixed with ``amount`` of white, so the data points stand out on it."""
    rgb = np.array(to_rgb(color))
    return tuple(rgb + amount * (1.0 - rgb))


# Pale blue for class 0, pale orange for class 1, white where the network is unsure
# (p = 1/2); the points keep the full colours.
SURFACE_CMAP = LinearSegmentedColormap.from_list(
    "nnkit_surface", [_pale(COLORS[0]), "#FFFFFF", _pale(COLORS[1])])
_DPI = 80


def _fixed_figure(ncols: int, width: float, height: float, fig=None, **margins):
    """Like :func:`~nnkit.viz.style.new_figure`, with fixed margins (figure fractions).

    ``new_figure`` uses constrained layout, which measures every label on every draw
    and costs more than drawing a small figure; these figures' labels do not move, so
    fixed margins serve as well. Given ``fig``, clears it and builds the axes in it
    (its canvas, and the canvas's text caches, are kept).
    """
    if fig is None:
        fig = Figure(figsize=(width, height), dpi=_DPI)
    else:
        fig.clear()
    axes = fig.subplots(1, ncols, gridspec_kw=margins)
    for ax in np.atleast_1d(axes):
        ax.set_prop_cycle(color=COLORS)
    return fig, axes


def _legend_above(ax, **kwargs) -> None:
    """Title on the left, legend in one row on the right, both above the axes.

    Outside the axes the legend is never drawn over, so it stays in the still
    background and costs nothing per frame.
    """
    _title(ax, ax.get_title(), loc="left")
    _title(ax, "")
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, labels, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=len(labels),
              frameon=False, fontsize="small", borderaxespad=0.1, handlelength=1.2,
              columnspacing=0.8, **kwargs)


def _title(ax, text: str, loc: str = "center") -> None:
    """Set a title at a fixed height just above the axes.

    A title without a set height is placed anew at every draw above whatever the axes
    draws there, which lays out every tick label once more (a sixth of a full draw
    here); nothing of ours is drawn there, so the height is the same.
    """
    ax.set_title(text, loc=loc, y=1.0)


def _pin_titles(ax) -> None:
    """:func:`_title` for the titles ``ax`` has (as :func:`~nnkit.viz.style.finish` set them)."""
    for loc in ("left", "center", "right"):
        _title(ax, ax.get_title(loc=loc), loc)


def _nice_ceiling(x: float) -> float:
    """The smallest of 1, 2, 5 times a power of ten that is at least ``x`` (> 0)."""
    power = 10.0 ** np.floor(np.log10(x))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * power >= x * (1 - 1e-12):
            return m * power
    return 10 * power  # pragma: no cover


def _point_groups(exp):
    """The four groups of points drawn (train and test, each in two colours) with their labels.

    Classes 0 and 1; for regression, targets at most 0 and above 0 (the surface's colours).
    """
    groups = []
    for X, Y, split_name in ((exp.X_train, exp.Y_train, "train"), (exp.X_test, exp.Y_test, "test")):
        for c in (0, 1):
            if exp.config.regression:
                mask = (Y[:, 0] > 0) if c else (Y[:, 0] <= 0)
                label = f"{'y > 0' if c else 'y ≤ 0'}, {split_name}"
            else:
                mask, label = Y[:, 0] == c, f"class {c}, {split_name}"
            groups.append((X[mask], label))
    return groups


def _surface_limits(exp) -> tuple:
    """The colour scale: probabilities 0 to 1, or regression targets -1 to 1."""
    return (-1.0, 1.0) if exp.config.regression else (0.0, 1.0)


def surface_panel(ax, experiment, title: str | None = None, legend: bool = True,
                  interpolation: str = "nearest"):
    """Draw the experiment's decision surface with its points on ``ax``.

    ``interpolation="nearest"`` shows the grid's cells as they are, and is the
    fastest to redraw; ``"bilinear"`` smooths them for a still picture.

    Returns
    -------
    image : AxesImage
        The surface; ``image.set_data(experiment.surface())`` redraws it.
    """
    vmin, vmax = _surface_limits(experiment)
    image = ax.imshow(experiment.surface(), origin="lower", extent=experiment.extent,
                      cmap=SURFACE_CMAP, vmin=vmin, vmax=vmax, interpolation=interpolation,
                      aspect="equal")
    exp = experiment
    for i, (X, label) in enumerate(_point_groups(exp)):
        marker, edge = ("o", "white") if i < 2 else ("^", "black")
        ax.scatter(X[:, 0], X[:, 1], s=18, marker=marker, color=COLORS[i % 2],
                   edgecolor=edge, linewidth=0.6, label=label)
    ax.set_xlim(experiment.extent[:2])
    ax.set_ylim(experiment.extent[2:])
    c = experiment.config
    finish(ax, title or f"{c.dataset}: {'-'.join(map(str, c.sizes))} {c.activation}",
           "$x_1$", "$x_2$", legend=False)
    if legend:
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.08), ncol=2, fontsize="small",
                  frameon=False, handletextpad=0.1, columnspacing=0.8, markerscale=1.3)
    return image


def compare_surfaces(experiments, titles=None):
    """Decision surfaces of several experiments side by side, each with its test accuracy.

    Returns
    -------
    Figure
    """
    experiments = list(experiments)
    fig, axes = new_figure(len(experiments), 1, width=3.4, height=3.6)
    axes = np.atleast_1d(axes)
    for i, (ax, exp) in enumerate(zip(axes, experiments)):
        title = titles[i] if titles else None
        surface_panel(ax, exp, title, legend=i == 0, interpolation="bilinear")
        ax.text(0.02, 0.02, f"test accuracy {exp.last['test_acc']:.0%}", transform=ax.transAxes,
                fontsize="small", bbox=dict(facecolor="white", alpha=0.8, linewidth=0))
    fig.colorbar(axes[-1].images[0], ax=list(axes), shrink=0.8, label="P(class 1)")
    return fig


def line_figure(lines: dict, title: str, xlabel: str, ylabel: str, logx: bool = False):
    """One line per entry ``label -> (x, y)``; a log-scaled x axis with ``logx``.

    Returns
    -------
    Figure
    """
    fig, ax = new_figure()
    for label, (x, y) in lines.items():
        ax.plot(x, y, marker="o" if len(x) < 15 else None, label=label)
    if logx:
        ax.set_xscale("log")
    finish(ax, title, xlabel, ylabel)
    return fig


def history_figure(experiments: dict, key: str = "train_loss", title: str | None = None,
                   ylabel: str | None = None):
    """One history entry (e.g. ``"train_acc"``) against epochs, one line per experiment.

    Parameters
    ----------
    experiments : dict of str -> Experiment
    key : str
        A key of ``Experiment.history``.
    """
    lines = {label: (exp.history["epoch"], exp.history[key]) for label, exp in experiments.items()}
    label = key.replace("_", " ").replace("acc", "accuracy")
    return line_figure(lines, title or label, "epoch", ylabel or label)


class _PaintedImage:
    """Stands in for an ``AxesImage`` (``interpolation="nearest"``) among a Frame's moving artists.

    Drawing the image through matplotlib resamples the grid to the screen's pixels at each
    frame, half the cost of the surface's frame. Nearest-neighbour resampling sends each
    screen row to one grid row and each column to one grid column, so we find those once,
    by drawing the image with its cells numbered (row in red, column in green) on a
    scratch canvas, and then paint each frame's colours with one numpy gather: the same
    pixels (the tests compare it with a full draw). The map is found again whenever the
    image, the axes or the canvas move.
    """

    def __init__(self, image):
        self.image, self.axes = image, image.axes
        self._key, self._where, self._rows, self._cols = None, None, None, None

    def get_zorder(self):
        return self.image.get_zorder()

    def get_visible(self):
        return self.image.get_visible()

    def set_visible(self, visible) -> None:
        self.image.set_visible(visible)

    def _find_map(self, renderer) -> None:
        data = self.image.get_array()
        rows, cols = data.shape[:2]
        if max(rows, cols) > 256:
            raise ValueError(f"a painted image numbers its cells in one byte; got {rows}x{cols}")
        numbered = np.zeros((rows, cols, 4), np.uint8)
        numbered[..., 0] = np.arange(rows)[:, None]
        numbered[..., 1] = np.arange(cols)[None, :]
        numbered[..., 3] = 255
        scratch = RendererAgg(int(renderer.width), int(renderer.height), renderer.dpi)
        self.image.set_data(numbered)
        try:
            self.image.draw(scratch)
        finally:
            self.image.set_data(data)
        drawn = np.asarray(scratch.buffer_rgba())
        ys, xs = np.nonzero(drawn[..., 3])
        if not ys.size:  # outside the axes: nothing to paint
            self._where = None
            return
        self._where = (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1))
        self._rows = drawn[self._where][:, 0, 0].astype(np.intp)
        self._cols = drawn[self._where][0, :, 1].astype(np.intp)

    def draw(self, renderer) -> None:
        if not self.image.get_visible():
            return
        ax = self.axes
        key = (renderer.width, renderer.height, tuple(self.image.get_extent()),
               tuple(ax.viewLim.bounds), tuple(ax.bbox.bounds), self.image.get_array().shape)
        if key != self._key:
            self._find_map(renderer)
            self._key = key
        if self._where is None:
            return
        colors = self.image.to_rgba(self.image.get_array(), bytes=True)
        np.asarray(renderer.buffer_rgba())[self._where] = colors[self._rows][:, self._cols]


class Dashboard:
    """The playground's three figures, redrawn in place from an :class:`~nnkit.lectures.l08_playground.compute.Experiment`.

    Parameters
    ----------
    experiment : Experiment
    scale : float
        Multiplies every figure's size (1.5 suits a projector).

    Attributes
    ----------
    figures : dict of str -> Figure
        ``"surface"`` (decision surface, data on top), ``"loss"`` (train and test loss
        per epoch), ``"stats"`` (hidden-activation histograms and gradient norms).
    """

    NAMES = ("surface", "loss", "stats")
    # Frames in a row that must want tighter limits before an axis shrinks to them.
    SHRINK_AFTER = 20

    def __init__(self, experiment, scale: float = 1.0):
        self.scale = scale
        self.experiment, self.figures, self._frames = None, {}, {}
        self._shrinking = {}  # (axes, axis) -> frames in a row that wanted tighter limits
        self._pool = {}  # Dense layers -> (stairs, legend or note, bars): see _layer_artists
        self.rebuild(experiment)

    # ------------------------------------------------ building

    def rebuild(self, experiment) -> None:
        """Show a new experiment (new data or architecture).

        The first time, builds the three figures. Afterwards it moves the existing
        artists to the new experiment (points, surface, limits, titles), so that a
        changed control redraws only what changed; only the statistics figure is built
        again, inside the same figure and canvas, when the number of layers changes.
        """
        old, self.experiment = self.experiment, experiment
        if old is None or not self.figures:
            self._build_surface(experiment)
            self._build_loss(experiment)
            self._build_stats(experiment)
        else:
            self._retarget_surface(experiment)
            self._retarget_loss(experiment)
            self._retarget_stats(experiment)
        self.update()

    def _figure(self, name, ncols, width, height, **margins):
        fig, axes = _fixed_figure(ncols, width * self.scale, height * self.scale,
                                  fig=self.figures.get(name), **margins)
        self.figures[name] = fig
        return fig, axes

    def _frame(self, name, fig, moving, overlay=(), fixed=(), key=None, states=None) -> None:
        old = self._frames.get(name)
        frame = Frame(fig, moving, old.canvas if old is not None else None, overlay, fixed, key,
                      states=states)
        if old is not None:
            frame.inherit(old)  # the backgrounds drawn for other layer counts
        self._frames[name] = frame

    def _build_surface(self, exp) -> None:
        fig, ax = self._figure("surface", 1, 4.2, 4.4, left=0.16, right=0.97, bottom=0.1, top=0.8)
        self._surface = surface_panel(ax, exp)
        self._surface_ax = ax
        _pin_titles(ax)
        # Only the surface moves while training. The points over it and the title (the
        # architecture) are an overlay, drawn again only when they change, so that
        # neither a frame nor a new architecture on the same data redraws a tick or label.
        # The title, the legend (above the axes) and the spines do not move with the limits,
        # and each axis is drawn again only when its own limits move: a wider plane redraws
        # the points and the two axes, not the figure. The title's and the legend's
        # pictures are kept by their text (the legend has two: classes, or signs of y).
        legend = ax.get_legend()
        fixed = [ax.title, *ax.spines.values(), ax.xaxis, ax.yaxis]
        states = {ax.title: ax.get_title}
        if legend is not None:  # above the axes: a new kind of task renames it
            fixed.append(legend)
            states[legend] = lambda: tuple(t.get_text() for t in legend.get_texts())
        self._frame("surface", fig, [_PaintedImage(self._surface)], overlay=ax.collections,
                    fixed=fixed, key=lambda: (ax.get_xlim(), ax.get_ylim()), states=states)

    def _build_loss(self, exp) -> None:
        fig, ax = self._figure("loss", 1, 5.8, 2.6, left=0.1, right=0.98, bottom=0.18, top=0.89)
        self._train_line, = ax.plot([], [], color=COLORS[0], label="train")
        self._test_line, = ax.plot([], [], color=COLORS[1], label="test")
        finish(ax, f"Loss ({exp.config.loss})", "epoch", "loss", legend=False)
        _legend_above(ax)
        self._loss_ax = ax
        self._loss_title = ax._left_title  # the Text that ax.set_title(loc="left") sets
        # Says where a run diverged (its losses end there; the lines show the finite part).
        self._loss_note = ax.text(0.98, 0.9, "", transform=ax.transAxes, ha="right", va="top",
                                  color=COLORS[1], fontsize="small")
        # The title (the loss's name) and the legend sit above the axes, and each axis is
        # drawn again only when its limits move: a new loss or a new scale redraws those alone.
        self._frame("loss", fig, [self._train_line, self._test_line, self._loss_note],
                    fixed=[self._loss_title, ax.get_legend(), ax.xaxis, ax.yaxis],
                    key=lambda: (ax.get_xlim(), ax.get_ylim()),
                    states={self._loss_title: self._loss_title.get_text})

    def _build_stats(self, exp) -> None:
        fig, (hist_ax, grad_ax) = self._figure("stats", 2, 5.8, 2.6, left=0.1, right=0.98,
                                                bottom=0.18, top=0.89, wspace=0.62)
        edges, _ = exp.activation_histograms()
        self._hist_ax, self._grad_ax = hist_ax, grad_ax
        self._layer_artists(exp)
        hist_ax.set_xlim(edges[0], edges[-1])
        finish(hist_ax, "Hidden activations", f"$h$ ({exp.config.activation})",
               "fraction of values", legend=False)
        grad_ax.set_yscale("log")
        grad_ax.yaxis.set_minor_formatter(NullFormatter())  # label whole decades only
        grad_ax.set_ylim(1e-4, 1.0)  # until the first step gives gradients to scale to
        finish(grad_ax, "Gradient norms", "layer $l$ (last: output)",
               r"$\|\partial L/\partial W^{(l)}\|$")
        # Marks at 2 and 5 between the labelled decades (every integer would be 8 marks
        # a decade, a tenth of the cost of drawing this figure, for little more to read).
        grad_ax.yaxis.set_minor_locator(LogLocator(subs=(2.0, 5.0)))
        for ax in (hist_ax, grad_ax):
            _pin_titles(ax)
        self._stats_frame()

    def _stats_frame(self) -> None:
        """The statistics' frame: the per-layer artists move; the legend (or the note that
        there is no hidden layer) and each axis are drawn alone, again only when they change."""
        hist_ax, grad_ax = self._hist_ax, self._grad_ax
        legend = self._hist_legend if self._stairs else self._no_hidden
        # What is left in the background (the titles, the axes' faces) moves with nothing:
        # one background for every depth and every scale.
        self._frame("stats", self.figures["stats"], [*self._stairs, *self._bars],
                    fixed=[legend, hist_ax.xaxis, hist_ax.yaxis, grad_ax.xaxis, grad_ax.yaxis,
                           *hist_ax.spines.values(), *grad_ax.spines.values()],
                    key=lambda: (hist_ax.get_title(), grad_ax.get_title()),
                    # One legend (or note) per depth, kept with its artists: its picture too.
                    states={legend: lambda: len(self._bars)})

    def _layer_artists(self, exp) -> None:
        """The stats figure's artists that come one per layer: histograms, their legend, bars.

        Made once for each number of layers and kept (:attr:`_pool`): a network that goes
        back to a depth it had takes its artists again, instead of making a histogram, a
        bar and a legend entry per layer anew (most of the cost of a new depth).
        """
        n = len(exp.dense)
        if n not in self._pool:
            self._pool[n] = self._new_layer_artists(n)
        stairs, note, container = self._pool[n]
        hist_ax, grad_ax = self._hist_ax, self._grad_ax
        for artist in [*stairs, note]:
            if artist.axes is None:  # kept from an earlier visit: back on its axes
                hist_ax.add_artist(artist)
        if container not in grad_ax.containers:
            for bar in container:
                grad_ax.add_artist(bar)
            grad_ax.add_container(container)
        edges, fractions = exp.activation_histograms()
        for step, f in zip(stairs, fractions):  # the edges of this activation
            step.set_data(values=f, edges=edges)
        self._stairs, self._bar_container, self._bars = stairs, container, list(container)
        self._no_hidden = None if stairs else note
        self._hist_legend = note if stairs else None
        layers = np.arange(1, n + 1)
        grad_ax.set_xticks(layers, [str(l) for l in layers])

    def _new_layer_artists(self, n: int) -> tuple:
        """``(stairs, legend or note, bars)`` for ``n`` Dense layers (``n - 1`` hidden)."""
        hist_ax, grad_ax = self._hist_ax, self._grad_ax
        edges, fractions = self.experiment.activation_histograms()
        stairs = [hist_ax.stairs(f, edges, color=COLORS[l % len(COLORS)], linewidth=1.5,
                                 label=str(l + 1)) for l, f in enumerate(fractions)]
        if not stairs:
            note = hist_ax.text(0.5, 0.5, "no hidden layer", ha="center", va="center",
                                transform=hist_ax.transAxes)
        else:  # a column right of the axes: never drawn over, so never redrawn
            note = Legend(hist_ax, stairs, [s.get_label() for s in stairs], title="layer",
                          loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
                          fontsize="small", title_fontsize="small", handlelength=1.0,
                          borderaxespad=0.2)
            hist_ax.add_artist(note)
        layers = np.arange(1, n + 1)
        return stairs, note, grad_ax.bar(layers, np.ones(n), color=COLORS[2])

    # ------------------------------------------------ moving to a new experiment

    def _retarget_surface(self, exp) -> None:
        """The same drawing as ``surface_panel`` for ``exp``, made by moving the artists."""
        ax = self._surface_ax
        self._surface.set_data(exp.surface())
        self._surface.set_extent(exp.extent)
        self._surface.set_clim(*_surface_limits(exp))
        groups = _point_groups(exp)
        frame = self._frames["surface"]
        for collection, (xy, _) in zip(ax.collections, groups):
            if not np.array_equal(collection.get_offsets(), xy):  # new data, not a new network
                collection.set_offsets(xy)
                frame.changed(collection)
        legend = ax.get_legend()
        if legend is not None:
            for text, (_, label) in zip(legend.get_texts(), groups):
                if text.get_text() != label:  # regression and back
                    text.set_text(label)
                    frame.changed(legend)
        self._set_limits("surface", ax.set_xlim, ax.get_xlim, exp.extent[:2])
        self._set_limits("surface", ax.set_ylim, ax.get_ylim, exp.extent[2:])
        c = exp.config
        title = f"{c.dataset}: {'-'.join(map(str, c.sizes))} {c.activation}"
        if ax.get_title() != title:
            _title(ax, title)
            frame.changed(ax.title)

    def _retarget_loss(self, exp) -> None:
        ax = self._loss_ax
        title = f"Loss ({exp.config.loss})"
        if ax.get_title(loc="left") != title:
            _title(ax, title, loc="left")
            self._frames["loss"].changed(self._loss_title)

    def _retarget_stats(self, exp) -> None:
        """New layers' artists if their number changed; new edges and label if the
        activation changed; the gradient axis back to its starting limits."""
        hist_ax, grad_ax = self._hist_ax, self._grad_ax
        if len(exp.dense) != len(self._bars):
            # Replace only the per-layer artists: the axes keep their ticks, whose
            # making is most of the cost of a new figure.
            for artist in [*self._stairs, self._hist_legend, self._no_hidden]:
                if artist is not None:
                    artist.remove()  # kept in the pool for a later visit
            self._bar_container.remove()
            self._layer_artists(exp)
            grad_ax.relim()
            grad_ax.autoscale_view()
            if not self._stairs:  # as on a new axes without data
                hist_ax.set_ylim(0.0, 1.0)
            self._stats_frame()
        label = f"$h$ ({exp.config.activation})"
        if hist_ax.get_xlabel() != label:
            edges, fractions = exp.activation_histograms()
            for stairs, f in zip(self._stairs, fractions):
                stairs.set_data(values=f, edges=edges)
            hist_ax.set_xlabel(label)
            self._set_limits("stats", hist_ax.set_xlim, hist_ax.get_xlim, (edges[0], edges[-1]))
            self._frames["stats"].stale = True
        self._set_limits("stats", grad_ax.set_ylim, grad_ax.get_ylim, (1e-4, 1.0))

    # ------------------------------------------------ updating

    def update(self, experiment=None, names=NAMES) -> None:
        """Move the artists of the figures ``names`` to the experiment's current state.

        Passing another experiment than the one shown rebuilds the figures for it.
        """
        if experiment is not None and experiment is not self.experiment:
            return self.rebuild(experiment)
        exp = self.experiment
        if "surface" in names:
            self._surface.set_data(exp.surface())
        if "loss" in names:
            self._update_loss(exp)
        if "stats" in names:
            self._update_stats(exp)

    def _set_limits(self, name, setter, getter, limits) -> None:
        """Change axis limits only when they differ; a change redraws the whole figure."""
        if not np.allclose(getter(), limits):
            setter(*limits)
            self._frames[name].stale = True

    def _update_loss(self, exp) -> None:
        h = exp.history
        epoch = np.asarray(h["epoch"])
        train, test = np.asarray(h["train_loss"]), np.asarray(h["test_loss"])
        self._train_line.set_data(epoch, train)
        self._test_line.set_data(epoch, test)
        # Markers while the lines are short, so that a run of one or two finite records shows.
        finite = int(np.isfinite(train).sum())
        for line in (self._train_line, self._test_line):
            marker = "o" if finite < 3 else "None"
            if line.get_marker() != marker:
                line.set_marker(marker)
                line.set_markersize(4)
        note = (f"diverged at epoch {exp.epoch:.1f}; last finite loss at epoch "
                f"{exp.last_finite['epoch']:.0f}" if exp.diverged else "")
        if self._loss_note.get_text() != note:
            self._loss_note.set_text(note)
        both = np.concatenate([train, test])
        both = both[np.isfinite(both)]
        top = both.max() if both.size and both.max() > 0 else 1.0
        # Limits grow in steps of 1, 2, 5 x 10^k, so the axes (and their text) change
        # rarely and most frames only redraw the two lines.
        ax = self._loss_ax
        right = _nice_ceiling(max(epoch[-1], 10.0))
        self._set_limits("loss", ax.set_xlim, ax.get_xlim, (0.0, right))
        self._set_limits("loss", ax.set_ylim, ax.get_ylim, (0.0, _nice_ceiling(1.05 * top)))

    def _steady_limits(self, name, ax, axis: str, limits, fits: bool) -> None:
        """Axis limits that follow the data without flickering.

        The axis moves to ``limits`` at once, unless the data still ``fits`` the current
        limits and ``limits`` lie within them: then only after ``SHRINK_AFTER`` frames in
        a row that want them. A value near a step of the scale would otherwise move the
        axis (and redraw the whole figure) back and forth.
        """
        getter, setter = getattr(ax, f"get_{axis}lim"), getattr(ax, f"set_{axis}lim")
        key = (id(ax), axis)
        (lo, hi), (new_lo, new_hi) = getter(), limits
        if not (fits and lo <= new_lo and new_hi <= hi):
            self._shrinking.pop(key, None)
            self._set_limits(name, setter, getter, limits)
            return
        self._shrinking[key] = self._shrinking.get(key, 0) + 1
        if self._shrinking[key] >= self.SHRINK_AFTER:
            self._shrinking.pop(key)
            self._set_limits(name, setter, getter, limits)

    def _update_stats(self, exp) -> None:
        if self._stairs:
            _, fractions = exp.activation_histograms()
            for stairs, f in zip(self._stairs, fractions):
                stairs.set_data(values=f)
            top = min(1.0, _nice_ceiling(max(fractions.max(), 0.05)))
            ax = self._hist_ax
            self._steady_limits("stats", ax, "y", (0.0, 1.05 * top),
                                fractions.max() <= ax.get_ylim()[1])
        norms = np.asarray(exp.last["grad_norms"], dtype=float)
        good = norms[np.isfinite(norms) & (norms > 0)]
        for bar, value in zip(self._bars, norms):
            bar.set_height(value if np.isfinite(value) and value > 0 else 1e-30)
        if good.size:
            # Whole decades, so that the axis moves rarely and the layers compare at a glance.
            lo, hi = np.floor(np.log10(good.min())), np.ceil(np.log10(good.max()))
            ax = self._grad_ax
            limits = (10.0 ** min(lo, hi - 2), 10.0 ** hi)
            bottom, top = ax.get_ylim()
            self._steady_limits("stats", ax, "y", limits,
                                bottom <= good.min() and good.max() <= top)

    # ------------------------------------------------ output

    def png(self, name: str) -> bytes:
        """The named figure as PNG bytes, drawing only what moved since the last frame."""
        if name not in self._frames:
            raise KeyError(f"no figure named {name!r}; the dashboard has {list(self.figures)}")
        return self._frames[name].render()
