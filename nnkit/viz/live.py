"""``Live``: a figure redrawn from ipywidgets controls, testable without a screen."""
from __future__ import annotations

import base64
import time

import ipywidgets as W
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.ticker import FixedFormatter, FixedLocator

from . import blit

__all__ = ["Live", "BlitLive", "padded_live", "freeze_layout", "float_slider", "int_slider",
           "log_slider", "dropdown", "toggle", "with_still"]

_LAYOUT = dict(layout=W.Layout(width="340px"), style={"description_width": "110px"},
               continuous_update=True)


def float_slider(value, lo, hi, step, description):
    return W.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                         readout_format=".3g", **_LAYOUT)


def int_slider(value, lo, hi, description, step=1):
    return W.IntSlider(value=value, min=lo, max=hi, step=step, description=description, **_LAYOUT)


def log_slider(value, lo, hi, description):
    """A slider over ``10**lo .. 10**hi`` on a log scale."""
    return W.FloatLogSlider(value=value, base=10, min=lo, max=hi, step=0.05,
                            description=description, readout_format=".3g", **_LAYOUT)


def dropdown(options, value, description):
    return W.Dropdown(options=options, value=value, description=description,
                      layout=W.Layout(width="340px"), style={"description_width": "110px"})


def toggle(value, description):
    return W.Checkbox(value=value, description=description, indent=False)


def freeze_layout(fig):
    """Lay ``fig`` out once, then keep that layout: a widget's axes do not move.

    Constrained layout costs about half of every redraw, so it runs here (twice: colour
    bars need a second pass) and is then switched off with ``None`` (``"none"`` would
    leave a placeholder engine that still makes savefig draw twice). Titles get a fixed
    height, so no redraw searches for decorations above each axes; and the figure keeps
    one Agg canvas, whose renderer caches text layouts between redraws.

    Both passes only lay out, without drawing: the layout measures the ticks, labels and
    legends itself, and a draw would only have made a picture nobody sees (the course's
    widgets come out pixel for pixel as with two draws). A figure without a layout
    engine is already frozen (a widget that froze its figure before handing it to
    ``Live``) or was placed by hand: it is left as it is.
    """
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    engine = fig.get_layout_engine()
    if engine is None:
        return fig
    engine.execute(fig)
    engine.execute(fig)
    for ax in fig.axes:
        ax.set_title(ax.get_title(), y=ax.title.get_position()[1], fontsize=ax.title.get_fontsize())
    fig.set_layout_engine(None)
    return fig


class Live:
    """Controls that redraw one figure.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    update : callable
        ``update(**values)`` changes ``fig`` for the controls' values (keyword per
        control) and may return a result, kept in ``self.result``.
    controls : dict of str -> ipywidgets.ValueWidget

    Attributes
    ----------
    result : object
        What the last ``update`` returned.
    last_seconds : float
        CPU time of the last redraw (``time.process_time``): ``update`` plus rendering the
        PNG the notebook shows. CPU time, not wall time: other processes on a busy
        machine then hardly change it (``make bench`` reads it).
    picture : bytes
        The PNG of the last redraw.
    image : ipywidgets.Image
        Shows the picture. Replacing its ``value`` sends the PNG's bytes as one binary
        message; an ``Output`` widget cleared and refilled at each redraw took two
        messages, a base64 copy of the bytes and a new output area in the browser.
    """

    def __init__(self, fig, update, controls: dict, columns: int = 2):
        self.fig, self.update, self.controls = fig, update, dict(controls)
        self.image = W.Image(format="png")
        self.result, self.last_seconds = None, 0.0
        self._held, self._missed = False, False  # set() holds redraws until its last value
        for control in self.controls.values():
            control.observe(self._changed, names="value")
        rows = [W.HBox(list(self.controls.values())[i:i + columns])
                for i in range(0, len(self.controls), columns)]
        self.widget = W.VBox([*rows, self.image])
        self.update(**self.values)  # the first picture fixes the layout for every redraw
        freeze_layout(fig)
        self.redraw()

    @property
    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def set(self, **values):
        """Set controls by name, as a student would; returns ``result``.

        Several values at once redraw once, after the last of them (the picture in between
        would be seen by nobody); setting values the controls already hold does not redraw.
        """
        for name in values:
            if name not in self.controls:
                raise KeyError(f"no control named {name!r}; this figure has {list(self.controls)}")
        self._held, self._missed = True, False
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            changed, self._held, self._missed = self._missed, False, False
        if changed:
            self.redraw()
        return self.result

    def _changed(self, change):
        if self._held:
            self._missed = True
            return
        self.redraw()

    def redraw(self):
        """Call ``update`` with the current values and show the new picture."""
        start = time.process_time()
        self.result = self.update(**self.values)
        self.picture = picture = self.png()
        self.last_seconds = time.process_time() - start
        self.image.value = picture  # without a kernel (tests) nothing is sent
        return self.result

    def png(self) -> bytes:
        """The figure as PNG bytes, as the notebook shows it."""
        return blit.png(self.fig)

    def _repr_mimebundle_(self, **kwargs):
        return with_still(self.widget, self.picture, **kwargs)


def with_still(widget, picture: bytes, **kwargs) -> dict:
    """A widget's display data plus a still picture of its figure.

    JupyterLab, with a kernel, draws the live widget (its renderer ranks above images).
    A viewer without one (GitHub, nbviewer, ``jupyter nbconvert`` of an executed notebook
    with no stored widget state) skips the widget and shows the PNG instead of a blank.
    """
    bundle = widget._repr_mimebundle_(**kwargs)
    bundle["image/png"] = base64.b64encode(picture).decode("ascii")
    return bundle


def padded_live(fig, update, controls: dict, animated=None) -> Live:
    """A ``Live`` whose one-off layout leaves room for tick labels that grow as the
    controls change the axis limits (``Live`` lays the figure out once, then keeps it).

    With ``animated`` (the artists ``update`` changes) it is a :class:`BlitLive`.
    """
    fig.get_layout_engine().set(w_pad=0.12, h_pad=0.06)
    if animated is None:
        return Live(fig, update, controls)
    return BlitLive(fig, update, controls, animated)


def _ticks(axis) -> tuple:
    """What decides an axis's ticks besides its limits: the kinds of locator and formatter,
    and the places and labels ``set_xticks`` fixed (a new ``FixedLocator`` at each call)."""
    def fixed(ticker):
        if isinstance(ticker, FixedLocator):
            return tuple(ticker.locs)
        return tuple(ticker.seq) if isinstance(ticker, FixedFormatter) else None

    return tuple((type(ticker).__name__, fixed(ticker))
                 for ticker in (axis.get_major_locator(), axis.get_major_formatter(),
                                axis.get_minor_locator(), axis.get_minor_formatter()))


class BlitLive(Live):
    """A :class:`Live` that re-renders only its moving artists over a cached background.

    Rendering a whole figure costs 50-150 ms, mostly text layout; redrawing a few
    lines over a saved picture of everything else costs a few (see
    :class:`nnkit.viz.blit.Frame`). The background is drawn again whenever an axes'
    visibility, limits, scales, fixed ticks or legend change.

    Parameters
    ----------
    fig, update, controls
        As for :class:`Live`.
    animated : list of Artist
        The artists ``update`` changes; everything else must stay as it was drawn.
    still_key : callable, optional
        ``still_key(**values)``: what the still parts depend on, when a control changes
        them (e.g. that control's value). The background is then kept per key (and
        limits and ticks), so that a choice seen before blits instead of drawing all.
    prepare : list of dict, optional
        Values of some controls (the others as they start) whose backgrounds are drawn
        when the widget is built, so that even the first move to them blits.
    """

    def __init__(self, fig, update, controls: dict, animated, columns: int = 2,
                 still_key=None, prepare=()):
        self.animated = list(animated)
        self._frame, self._signature = None, None
        self._still_key, self._keep = still_key, max(4, len(prepare) + 1)
        self._preparing = None  # the values whose background is being drawn ahead
        super().__init__(fig, update, controls, columns)
        for values in prepare:
            self._preparing = {**self.values, **values}
            self.update(**self._preparing)
            self._frame._draw_background()  # kept by the frame under _still
        self._preparing = None
        if prepare:
            self.update(**self.values)  # back to what the controls say (and the picture shows)
            self._frame.stale = True  # the next frame takes that background back, kept

    def _static_signature(self):
        parts = []
        for ax in self.fig.axes:
            legend = ax.get_legend()
            parts.append((ax.get_visible(), ax.get_xlim(), ax.get_ylim(), ax.get_xscale(),
                          ax.get_yscale(), _ticks(ax.xaxis), _ticks(ax.yaxis),
                          tuple(t.get_text() for t in legend.get_texts()) if legend else ()))
        return tuple(parts)

    def _still(self):
        """What the background shows: the still key of the values drawn, and the axes."""
        values = self._preparing if self._preparing is not None else self.values
        return self._still_key(**values), self._static_signature()

    def png(self) -> bytes:
        if self._frame is None:  # after the first update and freeze_layout: the layout is final
            self._frame = blit.Frame(self.fig, self.animated, self.fig.canvas,
                                     key=None if self._still_key is None else self._still,
                                     keep=self._keep)
        signature = self._static_signature() if self._still_key is None else self._still()
        if signature != self._signature:
            self._frame.stale = True
            self._signature = signature
        return self._frame.render()
