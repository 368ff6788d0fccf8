"""From a figure to PNG bytes, fast enough for a widget: one path for every live figure.

:func:`png` draws a whole figure; a :class:`Frame` draws only a figure's moving
artists over a saved picture of the rest (blitting). Both end in :func:`encode_png`.
"""
from __future__ import annotations

import collections
import struct
import zlib

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.axis import Axis
from matplotlib.text import Text

__all__ = ["png", "encode_png", "encode_rgb", "still", "Frame"]


class _Mathtext:
    """One cache of parsed mathtext (``$x_1$``, a log axis's ``$10^{-3}$``) for every canvas here.

    Each Agg renderer has its own ``MathTextParser``, and matplotlib keeps the last 50
    parses of *all* of them together, keyed by parser: with a few dozen live figures
    (lecture 08 builds five playgrounds of five figures) each renderer's labels pushed
    the others' out, and a full draw parsed them again, 10-16 ms each, most of a redraw.
    The parse depends on the string, the dpi, the font and the antialiasing and hinting
    settings, not on the renderer, so every renderer shares this one.
    """

    def __init__(self, parser, size: int = 1024):
        self._parser = parser  # a RendererAgg's own, so that its output is what Agg draws
        self._size, self._cache = size, collections.OrderedDict()

    def parse(self, s, dpi=72, prop=None, *, antialiased=None):
        if antialiased is None:
            antialiased = mpl.rcParams["text.antialiased"]
        key = (s, dpi, None if prop is None else prop.copy(), antialiased,
               mpl.rcParams["text.hinting"], mpl.rcParams["text.hinting_factor"])
        parsed = self._cache.get(key)
        if parsed is None:
            parsed = self._cache[key] = self._parser.parse(s, dpi, prop, antialiased=antialiased)
            if len(self._cache) > self._size:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return parsed


_MATHTEXT = []  # the one _Mathtext, made from the first renderer's parser


def _renderer(canvas):
    """``canvas``'s renderer, parsing mathtext through the shared cache (see :class:`_Mathtext`)."""
    renderer = canvas.get_renderer()
    if not isinstance(renderer.mathtext_parser, _Mathtext):
        if not _MATHTEXT:
            _MATHTEXT.append(_Mathtext(renderer.mathtext_parser))
        renderer.mathtext_parser = _MATHTEXT[0]
    return renderer


def png(fig) -> bytes:
    """Render ``fig`` (a full draw) to PNG bytes, as a live figure sends them."""
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    _renderer(canvas)
    canvas.draw()
    return encode_png(canvas)


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def encode_png(canvas, level: int = 1) -> bytes:
    """The canvas as an RGB PNG: rows unfiltered, zlib at a light level.

    A general PNG writer (Pillow's, which matplotlib's ``savefig`` uses) tries a filter
    per row and keeps the alpha channel; for these flat-coloured, opaque pictures neither
    pays. Measured on the playground's three figures (336x352 and 2 x 464x208 pixels,
    December 2026, two shared cores), CPU time per frame: this writer 3.8-4.0 ms for
    the three, Pillow at ``compress_level=1`` 8.5 ms, for files of about the same size;
    that is 4.5 ms of a frame of about 18 ms. It is plain PNG (signature, IHDR, one
    IDAT, IEND); the tests decode it with Pillow.
    """
    return encode_rgb(np.asarray(canvas.buffer_rgba())[:, :, :3], level)


def encode_rgb(rgb, level: int = 1) -> bytes:
    """An ``(h, w, 3)`` uint8 array as PNG bytes (the writer :func:`encode_png` uses)."""
    h, w, _ = rgb.shape
    rows = np.zeros((h, 1 + 3 * w), np.uint8)  # a leading 0 per row: filter type "none"
    rows[:, 1:] = rgb.reshape(h, -1)
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlacing
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows.tobytes(), level)) + _chunk(b"IEND", b""))


def still(columns) -> bytes:
    """One PNG of several figures as last drawn: each column's figures stacked, columns side by side.

    A widget shows its figures as separate live pictures; a notebook viewed without a
    kernel (GitHub, nbviewer) can show one picture per output, so this puts them together.

    Parameters
    ----------
    columns : list of list of Figure
        Figures already drawn on Agg canvases (their pixels are read, not redrawn).
    """
    def pixels(fig):
        return np.asarray(fig.canvas.buffer_rgba())[:, :, :3]

    def pad(block, height=None, width=None):
        h, w, _ = block.shape
        out = np.full((height or h, width or w, 3), 255, np.uint8)  # white, as the figures
        out[:h, :w] = block
        return out

    stacks = []
    for figures in columns:
        blocks = [pixels(fig) for fig in figures]
        width = max(b.shape[1] for b in blocks)
        stacks.append(np.concatenate([pad(b, width=width) for b in blocks], axis=0))
    height = max(s.shape[0] for s in stacks)
    return encode_rgb(np.concatenate([pad(s, height=height) for s in stacks], axis=1))


class Frame:
    """A figure whose still parts are drawn once and whose moving artists are drawn on a copy.

    Most of the cost of drawing a small figure is its text (ticks, labels, titles).
    While the axis limits stay put that text does not change, so we keep a picture of
    the figure without the moving artists (the *background*) and, for each frame,
    paste it back and draw only those artists on top, in z-order (this is what
    matplotlib calls blitting). Set ``stale = True`` when anything else changes, e.g.
    the limits; the next frame then draws everything. The picture matches a full draw
    wherever no still artist lies above a moving one; the spines and any legend inside
    the axes are redrawn with the moving artists for that reason, which leaves only the
    few pixels where tick marks cross a spine (the tests compare the two).

    Artists that lie *above* the moving ones but change rarely (the data points over a
    decision surface, a title) can be given as ``overlay``: they are drawn once on a
    transparent canvas, and each frame lays that picture over the moving artists with
    numpy, on the few pixels it covers, instead of drawing them again. Call
    :meth:`changed` with those that changed (or set ``overlay_stale = True`` for all). With
    an overlay, the spines and inside legends go there rather than into the moving
    artists. A legend inside the axes placed for good (any ``loc`` but ``"best"``, which
    moves with the data) always goes there.

    A full draw (``stale``) draws the overlay again, since new limits move what is drawn in
    data coordinates, but for the overlay artists also given as ``fixed``: those placed in
    axes or figure coordinates (a title, a legend above the axes, a colour bar) keep their
    pictures until :meth:`changed` names them (or an axes of equal aspect changes its box).
    A fixed ``Axis`` (its ticks, tick labels and label: most of a small figure's drawing)
    is drawn again at a full draw only if its limits, ticks or label changed, and its
    pictures of the last few of those are kept: new limits redraw the axes that moved,
    not the figure, and limits moved back redraw nothing. ``states`` maps other fixed
    artists to a function saying all their picture shows (a legend's labels, say): after
    :meth:`changed`, a picture kept for the same state is taken instead of drawing. An
    overlay lies above the moving artists, so an axis belongs there only when they never
    cross it (ticks out, no grid).

    ``key``, a function of no arguments, describes everything the background shows (the
    axes' limits, their labels, ...) as a hashable value. The backgrounds of the last
    ``keep`` keys are kept, and a full draw whose key was drawn before pastes that
    background instead of drawing it again.
    """

    def __init__(self, fig, moving, canvas=None, overlay=(), fixed=(), key=None, keep: int = 4,
                 states=None):
        self.fig = fig
        # Reusing a figure's canvas keeps its renderer, whose caches of text metrics
        # and parsed mathtext make the next full draw several times faster.
        reuse = isinstance(canvas, FigureCanvasAgg) and canvas.figure is fig
        self.canvas = canvas if reuse else FigureCanvasAgg(fig)
        # Spines and legends inside the axes sit above the data: redraw them too, so
        # that z-order holds. (A legend outside the axes is never covered.)
        renderer = self.canvas.get_renderer()
        extra, placed = [], []
        for ax in {m.axes for m in moving if m.axes is not None}:
            extra += ax.spines.values()
            legend = ax.get_legend()
            if legend is not None and legend.get_window_extent(renderer).overlaps(
                    ax.get_window_extent(renderer)):
                # A legend placed "best" moves with the data, so it is drawn at each frame;
                # one placed for good is mostly text that does not change: an overlay.
                (placed if getattr(legend, "_loc", 0) != 0 else extra).append(legend)  # 0: "best"
        overlay = [*overlay, *(legend for legend in placed if legend not in overlay)]
        overlay += [artist for artist in fixed if artist not in overlay]
        self.fixed = set(fixed)
        self.states = dict(states or {})
        if overlay:
            overlay += [a for a in extra if a not in overlay]
            extra = []
        by_z = lambda artists: sorted(artists, key=lambda a: a.get_zorder())
        self.moving = by_z([*moving, *extra])
        self.overlay = by_z(overlay)
        self.stale = True
        self.overlay_stale = True
        self._background = None
        # Each overlay artist's picture: flat pixel indices, their colours and opacities.
        self._covers = {}
        self.key, self.keep = key, keep
        self._kept = collections.OrderedDict()  # (canvas size, axes' boxes, key) -> background
        self._placement = None  # the axes' boxes when the overlay was drawn
        self._states = {}  # a fixed axis -> its state (_state) when its picture was drawn
        self._kept_covers = collections.OrderedDict()  # (axis, placement, state) -> picture

    def inherit(self, old: "Frame") -> None:
        """Keep the backgrounds ``old`` (a frame of the same figure, with the same ``key``) kept,
        and the pictures of the fixed artists both frames show (a new depth in the playground
        changes the moving artists, not the spines or an axis whose ticks stayed): the first
        render drops those whose axes moved or whose state changed, as for any full draw."""
        if old.fig is self.fig and old.canvas is self.canvas:
            self._kept, self._kept_covers = old._kept, old._kept_covers
            self._placement = old._placement
            for artist in self.fixed & old.fixed:
                if artist in old._covers and not old.overlay_stale:
                    self._covers[artist] = old._covers[artist]
                    self._states[artist] = old._states.get(artist)
            self.overlay_stale = not self._covers

    def changed(self, *artists) -> None:
        """Say that these overlay artists changed: the next frame draws them again (or, for
        one whose state ``states`` says, takes the picture kept for that state)."""
        for artist in artists:
            self._covers.pop(artist, None)

    def _hidden(self, artists):
        """Hide ``artists`` for a draw; returns what puts them back.

        Text is made transparent rather than invisible: an invisible title has no
        extent, and the axes would misplace it while drawing the background.
        """
        alphas, shown = {}, {}
        for artist in artists:
            if isinstance(artist, Text):
                alphas[artist] = artist.get_alpha()
                artist.set_alpha(0.0)
            else:
                shown[artist] = artist.get_visible()  # a widget may have hidden it
                artist.set_visible(False)

        def restore():
            for artist, alpha in alphas.items():
                artist.set_alpha(alpha)
            for artist, visible in shown.items():
                artist.set_visible(visible)
        return restore

    def _state(self, artist):
        """What a fixed artist's picture shows besides where its axes is, or ``None`` if unknown.

        An axis: its limits, ticks and label; an artist given in ``states``: what its
        function says. Any other keeps its picture until :meth:`changed` names it.
        """
        if artist in self.states:
            return self.states[artist]()
        if not isinstance(artist, Axis):
            return None
        return (tuple(artist.get_view_interval()), artist.label.get_text(),
                tuple(artist.get_majorticklocs()), tuple(artist.get_minorticklocs()))

    def _moved_axes(self) -> None:
        """Forget the pictures of the fixed axes whose limits or ticks changed since they were drawn."""
        for artist in self.fixed:
            if artist in self._covers and self._states.get(artist) != self._state(artist):
                del self._covers[artist]

    def _draw_overlay(self) -> None:
        """Draw each overlay artist without a picture alone on a transparent canvas; keep its pixels.

        A fixed axis's picture is kept for each of its last few states, so that limits
        moved back (a control moved back and forth) take the picture drawn before.
        """
        if self.overlay_stale:
            self._covers.clear()
            self.overlay_stale = False
        renderer = _renderer(self.canvas)
        rgba = np.asarray(self.canvas.buffer_rgba()).reshape(-1, 4)
        for artist in self.overlay:
            if artist in self._covers:
                continue
            state = self._state(artist) if artist in self.fixed else None
            kept = (artist, self._placement, state)
            if state is not None and kept in self._kept_covers:
                self._covers[artist] = self._kept_covers[kept]
                self._kept_covers.move_to_end(kept)
            else:
                renderer.clear()  # white at opacity 0
                artist.draw(renderer)
                where = np.flatnonzero(rgba[:, 3])
                self._covers[artist] = (where, rgba[where, :3].astype(np.uint32),
                                        rgba[where, 3:].astype(np.uint32))
                if state is not None:
                    self._kept_covers[kept] = self._covers[artist]
                    while len(self._kept_covers) > 4 * self.keep * len(self.fixed):
                        self._kept_covers.popitem(last=False)
            self._states[artist] = state

    def _place(self, renderer) -> tuple:
        """Where every axes is drawn, as a draw would place it (equal aspect moves the box)."""
        for ax in self.fig.axes:
            locator = ax.get_axes_locator()
            ax.apply_aspect(locator(ax, renderer) if locator else None)
        return tuple(tuple(ax.get_position().bounds) for ax in self.fig.axes)

    def _draw_background(self) -> tuple:
        """Draw the still parts (or take the kept picture of the same key) as the background.

        Returns where the axes are (:meth:`_place`).
        """
        renderer = _renderer(self.canvas)
        placement = self._place(renderer)
        # What is left out of the background (the moving and overlay artists) is part of
        # what it shows: a frame of other artists never takes another frame's background.
        key = None if self.key is None else (renderer.width, renderer.height, placement,
                                             frozenset([*self.moving, *self.overlay]), self.key())
        if key in self._kept:
            self._background = self._kept[key]
            self._kept.move_to_end(key)
            return placement
        restore = self._hidden([*self.moving, *self.overlay])
        self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        restore()
        if key is not None and self.keep > 0:
            self._kept[key] = self._background
            while len(self._kept) > self.keep:
                self._kept.popitem(last=False)
        return placement

    def render(self) -> bytes:
        """The figure as PNG bytes: the background (drawn again if stale), then the moving artists."""
        if self.stale:
            placement = self._draw_background()
            self.stale = False
            moved = placement != self._placement  # an axes of equal aspect took another box
            self._placement = placement
            for artist in [a for a in self._covers if a not in self.fixed
                           or (moved and a.axes is not None)]:
                del self._covers[artist]  # drawn again below; the fixed ones stay
            self._moved_axes()  # new limits, ticks or labels: only a full draw brings them
        if self.overlay and (self.overlay_stale or len(self._covers) < len(self.overlay)):
            self._draw_overlay()
        self.canvas.restore_region(self._background)
        renderer = _renderer(self.canvas)
        for artist in self.moving:
            artist.draw(renderer)
        pixels = np.asarray(self.canvas.buffer_rgba()).reshape(-1, 4)
        for artist in self.overlay:  # in z-order
            # "over" compositing, as Agg blends: colour * a + below * (1 - a), a in 0..255
            where, color, alpha = self._covers[artist]
            below = pixels[where, :3].astype(np.uint32)
            pixels[where, :3] = (color * alpha + below * (255 - alpha) + 127) // 255
        return encode_png(self.canvas)
