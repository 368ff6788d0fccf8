"""``Playground``: TensorFlow Playground in a notebook, on nnkit.

The widget is a thin shell. The experiment (:class:`nnkit.lectures.l08_playground.compute.Experiment`)
trains and measures; the dashboard (:class:`nnkit.lectures.l08_playground.figures.Dashboard`)
draws; this module only wires controls and buttons to them and runs the training
loop. Every button has a method of the same name (``train``, ``pause``, ``step``,
``reset``) that a test or a notebook cell calls directly.

While it trains, the loop runs as an asyncio task on the kernel's own event loop,
one chunk (an epoch) per frame, and yields to the loop between frames with
``await asyncio.sleep(...)``: the kernel then handles the messages the browser sent
meanwhile (a Pause click, a moved slider) before the next frame. Nothing runs in a
second thread, so the network is never read and written at the same time.

An automated browser test finds the parts by their CSS classes: ``nnkit-playground``
(the whole widget), ``nnkit-train``, ``nnkit-pause``, ``nnkit-step``, ``nnkit-reset``
(buttons), ``nnkit-loss-figure``, ``nnkit-surface-figure``, ``nnkit-stats-figure``
(images), ``nnkit-progress``, ``nnkit-status`` (the state: training, paused, finished,
diverged, stalled, with what to change), ``nnkit-share`` (the configuration as a string,
which takes one pasted in), ``nnkit-noise-help`` (what the noise means for the data set), ``nnkit-control-<name>`` for each control (``<name>`` as
in :attr:`Playground.controls`, with ``_`` written ``-``) and ``nnkit-control-units-<l>``
for the width of hidden layer ``l`` (from 1).
"""
from __future__ import annotations

import asyncio
import collections
import math
import time

import ipywidgets as W

from nnkit.viz import blit
from nnkit.viz.live import dropdown, float_slider, int_slider, log_slider, toggle, with_still

from .compute import (ACTIVATION_CHOICES, DATASETS, FEATURES, INITS, LOSSES, MAX_LAYERS, OPTIMIZERS,
                      REGRESSION, REGULARIZATIONS, Config, Experiment, noise_meaning)
from .figures import Dashboard

__all__ = ["Playground", "CSS_CLASSES"]

CSS_CLASSES = {
    "root": "nnkit-playground", "train": "nnkit-train", "pause": "nnkit-pause",
    "step": "nnkit-step", "reset": "nnkit-reset", "loss": "nnkit-loss-figure",
    "surface": "nnkit-surface-figure", "stats": "nnkit-stats-figure",
    "progress": "nnkit-progress", "status": "nnkit-status", "share": "nnkit-share",
    "noise_help": "nnkit-noise-help",
}
FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1sq": "x₁²", "x2sq": "x₂²", "x1x2": "x₁x₂",
                  "sin_x1": "sin x₁", "sin_x2": "sin x₂"}
# Frames are capped at this rate, so a fast machine does not flood the browser.
MAX_FPS = 30


def _controls(c: Config) -> dict:
    """One control per ``Config`` field a student may change, named as the field."""
    units = c.units if isinstance(c.units, int) else max(c.units)
    # Each range stretches to hold the starting value, which a slider would otherwise clip.
    controls = {
        "dataset": dropdown(list(DATASETS), c.dataset, "dataset"),
        "noise": float_slider(c.noise, 0.0, max(0.5, c.noise), 0.05, "noise"),
        "train_fraction": float_slider(c.train_fraction, 0.1, 0.9, 0.1, "train share"),
        "seed": int_slider(c.seed, 0, max(99, c.seed), "seed"),
        "features": W.SelectMultiple(options=[(FEATURE_LABELS[f], f) for f in FEATURES],
                                     value=c.features, rows=len(FEATURES),
                                     description="inputs"),
        "layers": int_slider(c.layers, 0, MAX_LAYERS, "hidden layers"),
        "units": int_slider(units, 1, max(8, units), "units (all layers)"),
        "activation": dropdown(list(ACTIVATION_CHOICES), c.activation, "activation"),
        "init": dropdown(list(INITS), c.init, "initialisation"),
        "batch_norm": toggle(c.batch_norm, "batch norm"),
        "loss": dropdown(list(LOSSES), c.loss, "loss"),
        "optimizer": dropdown(list(OPTIMIZERS), c.optimizer, "optimiser"),
        "lr": log_slider(c.lr, min(-4, math.floor(math.log10(c.lr))),
                         max(1, math.ceil(math.log10(c.lr))), "learning rate"),
        "regularization": dropdown(list(REGULARIZATIONS), c.regularization, "regularisation"),
        "regularization_rate": W.BoundedFloatText(value=c.regularization_rate, min=0.0,
                                                  max=max(100.0, c.regularization_rate),
                                                  step=0.001, description="rate λ"),
        "batch_size": int_slider(c.batch_size, 1, max(100, c.batch_size), "batch size"),
        "epochs": int_slider(c.epochs, 10 if c.epochs >= 10 else 1, max(1000, c.epochs), "epochs",
                             step=10 if c.epochs % 10 == 0 else 1),
    }
    for name, control in controls.items():
        # A new data set or network is built when the slider is let go, not while dragging.
        if hasattr(control, "continuous_update"):
            control.continuous_update = False
        control.add_class("nnkit-control-" + name.replace("_", "-"))
    return controls


def _layer_units(c: Config) -> list:
    """One width slider per possible hidden layer; those beyond ``c.layers`` are hidden."""
    default = c.units if isinstance(c.units, int) else max(c.units, default=8)
    widths = [*c.hidden, *[default] * (MAX_LAYERS - c.layers)]
    sliders = []
    for l, width in enumerate(widths, start=1):
        slider = int_slider(width, 1, max(8, width), f"layer {l} units")
        slider.layout = W.Layout(width="300px")  # its own: each is shown or hidden alone
        slider.continuous_update = False
        slider.add_class(f"nnkit-control-units-{l}")
        sliders.append(slider)
    return sliders


def _fit(control, value) -> None:
    """Stretch a slider's range to hold ``value`` (a slider would clip it silently), then set it."""
    if isinstance(control, W.FloatLogSlider):
        exponent = math.log10(value)
        control.min = min(control.min, math.floor(exponent))
        control.max = max(control.max, math.ceil(exponent))
    elif isinstance(control, (W.IntSlider, W.FloatSlider, W.BoundedFloatText)):
        control.min = min(control.min, value)
        control.max = max(control.max, value)
    control.value = value


def _button(description: str, icon: str, tooltip: str, css: str):
    button = W.Button(description=description, icon=icon, tooltip=tooltip,
                      layout=W.Layout(width="90px"))
    button.add_class(css)
    return button


class Playground:
    """TensorFlow Playground in a notebook: choose, train, watch.

    Parameters
    ----------
    config : Config, optional
        The starting set-up; keyword arguments override its fields.
    scale : float
        Figure size multiplier (1.5 for a projector).

    Attributes
    ----------
    experiment : Experiment
        What is being trained now (replaced when the data or the network changes).
    dashboard : Dashboard
    controls : dict of str -> ipywidgets control, named as the ``Config`` fields
        (``"units"`` sets every hidden layer's width at once)
    layer_units : list of ipywidgets.IntSlider
        The width of each hidden layer; those beyond ``layers`` are hidden.
    share : ipywidgets.Text
        The configuration as a string (:meth:`to_string`); a string typed or pasted in is
        applied when submitted (:meth:`load_string`).
    buttons : dict of str -> ipywidgets.Button: ``"train"``, ``"pause"``, ``"step"``, ``"reset"``
    images : dict of str -> ipywidgets.Image: ``"surface"``, ``"loss"``, ``"stats"``
    running : bool
        True while the training loop runs.
    frame_seconds : deque of float
        Duration of the recent frames (a chunk of training plus redrawing).
    """

    def __init__(self, config: Config | None = None, scale: float = 1.0, **changes):
        config = Config() if config is None else config
        self.experiment = Experiment(config.replace(**changes) if changes else config)
        self.dashboard = Dashboard(self.experiment, scale)
        self.running, self.error, self._task, self._run_id = False, None, None, 0
        self.frame_seconds = collections.deque(maxlen=30)
        self.controls = _controls(self.experiment.config)
        self.layer_units = _layer_units(self.experiment.config)
        self._quiet = False  # True while several controls are set at once
        for name, control in self.controls.items():
            control.observe(self._all_units if name == "units" else self._changed, names="value")
        for slider in self.layer_units:
            slider.observe(self._changed, names="value")
        self._shared = self.experiment.config.to_string()
        self.share = W.Text(value=self._shared, description="share", continuous_update=False,
                            tooltip="this set-up as text: copy it, or paste one and press Enter",
                            layout=W.Layout(width="940px"))
        self.share.add_class(CSS_CLASSES["share"])
        self.share.observe(self._pasted, names="value")
        self.buttons = {name: _button(name.capitalize(), icon, tip, CSS_CLASSES[name])
                        for name, icon, tip in (
                            ("train", "play", "train until the epoch budget; Pause stops"),
                            ("pause", "pause", "stop after the current epoch"),
                            ("step", "step-forward", "train one epoch"),
                            ("reset", "refresh", "start again from the same initial weights"))}
        for name, button in self.buttons.items():
            button.on_click(lambda _button, name=name: getattr(self, name)())
        self.images = {name: W.Image(format="png") for name in Dashboard.NAMES}
        for name, image in self.images.items():
            image.add_class(CSS_CLASSES[name])
        self.progress = W.FloatProgress(min=0.0, max=1.0, description="progress",
                                        layout=W.Layout(width="260px"))
        self.progress.add_class(CSS_CLASSES["progress"])
        self.status = W.HTML()
        self.status.add_class(CSS_CLASSES["status"])
        # What the noise slider means for this data set (radians for the spirals).
        self.noise_help = W.HTML(layout=W.Layout(width="300px"))
        self.noise_help.add_class(CSS_CLASSES["noise_help"])
        self.widget = self._layout()
        self.redraw()

    def _layout(self):
        """Buttons and progress on top, then the pictures, then the controls in three columns.

        The pictures sit above the controls, so that on a laptop or a projector the
        surface stays in view while a slider moves.
        """
        c = self.controls
        column = lambda title, names: W.VBox([W.HTML(f"<b>{title}</b>"), *(c[n] for n in names)],
                                             layout=W.Layout(width="310px"))
        for control in c.values():
            if not isinstance(control, W.Checkbox):
                control.layout.width = "300px"
                control.style.description_width = "100px"
        bar = W.HBox([*self.buttons.values(), self.progress])
        wrap = W.Layout(flex_flow="row wrap", align_items="flex-start")
        pictures = W.HBox([self.images["surface"],
                           W.VBox([self.images["loss"], self.images["stats"]])], layout=wrap)
        controls = W.HBox([
            W.VBox([W.HTML("<b>Data</b>"), c["dataset"], c["noise"], self.noise_help,
                    c["train_fraction"], c["seed"]], layout=W.Layout(width="310px")),
            W.VBox([W.HTML("<b>Network</b>"), c["features"], c["layers"], c["units"],
                    *self.layer_units,
                    *(c[n] for n in ("activation", "init", "batch_norm"))],
                   layout=W.Layout(width="310px")),
            column("Training", ["loss", "optimizer", "lr", "regularization",
                                "regularization_rate", "batch_size", "epochs"]),
        ], layout=wrap)
        for slider in self.layer_units:
            slider.style.description_width = "100px"
        self._show_layer_units()
        root = W.VBox([bar, self.status, pictures, controls, self.share])
        root.add_class(CSS_CLASSES["root"])
        return root

    # ------------------------------------------------ the buttons

    def train(self, epochs: int | None = None):
        """Train, as the Train button does.

        With ``epochs`` (a notebook cell, a test): train that many epochs now,
        synchronously, then redraw; returns the last history entry. Without it (the
        button): start the training loop in the background on the running event loop,
        to the epoch budget, and return its ``asyncio.Task`` (``await pg.train()`` in a
        cell waits for the end); ``pause()`` stops it. Outside any event loop the loop
        runs to the end before returning ``None``.
        """
        if epochs is not None:
            self.pause()
            self.experiment.train(epochs)
            self.redraw()
            return self.experiment.last
        if self.running or self.experiment.done:
            self._show()
            return None
        self.running = True
        self._run_id += 1
        self._show()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            self._task = None
            asyncio.run(self._loop(self._run_id))
        else:
            self._task = loop.create_task(self._loop(self._run_id))
        return self._task

    def pause(self) -> None:
        """Stop the training loop after the frame it is drawing."""
        self.running = False
        self._run_id += 1  # a loop still waiting between frames sees it is outdated
        self._show()

    def step(self):
        """Pause, then train one epoch and redraw. Returns the new history entry."""
        self.pause()
        if not self.experiment.done:
            self.frame()
        else:
            self._show()
        return self.experiment.last

    def reset(self) -> None:
        """Pause and start again from the same data and initial weights (``seed`` changes them)."""
        self.pause()
        self._replace(Experiment(self.experiment.config, self.experiment.resolution))

    # ------------------------------------------------ the loop

    async def _loop(self, run_id: int) -> None:
        current = lambda: self.running and self._run_id == run_id
        try:
            while current() and not self.experiment.done:
                start = time.perf_counter()
                self.frame()
                # Let the kernel read the browser's messages (Pause, sliders) between frames.
                await asyncio.sleep(max(0.0, 1.0 / MAX_FPS - (time.perf_counter() - start)))
        except Exception as err:  # shown to the student rather than lost with the task
            self.error = f"training stopped: {type(err).__name__}: {err}"
        finally:
            if self._run_id == run_id:
                self.running = False
                self._show()

    def frame(self) -> dict:
        """One frame: train one chunk, then redraw. Returns the new history entry."""
        start = time.perf_counter()
        self.experiment.train_chunk()
        self.redraw()
        self.frame_seconds.append(time.perf_counter() - start)
        return self.experiment.last

    def redraw(self) -> None:
        """Move the figures to the experiment's state and send the new pictures."""
        self.dashboard.update(self.experiment)
        for name, image in self.images.items():
            image.value = self.dashboard.png(name)
        self._show()

    @property
    def frames_per_second(self) -> float:
        """Frames per second over the recent frames (0 before any)."""
        return len(self.frame_seconds) / sum(self.frame_seconds) if self.frame_seconds else 0.0

    def _show(self) -> None:
        exp = self.experiment
        self.progress.max = float(exp.config.epochs)
        self.progress.value = min(exp.epoch, self.progress.max)
        self.progress.bar_style = ("danger" if exp.diverged or self.error else
                                   "success" if exp.done else "info" if self.running else "")
        findings = exp.diagnose()
        state = ("diverged" if exp.diverged else "training" if self.running
                 else "finished" if exp.done else "paused")
        if any(f.kind == "flat" for f in findings) and not exp.diverged:
            state = f"{state}, stalled"
        rate = (f" · {self.frames_per_second:.0f} frames/s"
                if self.running and self.frame_seconds else "")
        notes = "".join(f"<br><span style='color:#D55E00'>{f.message}: {f.advice}</span>"
                        for f in findings if f.kind != "diverged")  # divergence is in the status
        problem = f"<br><span style='color:#D55E00'>{self.error}</span>" if self.error else ""
        self.status.value = f"<b>{state}</b> · {exp.status()}{rate}{notes}{problem}"
        help_ = f"<small>noise: {noise_meaning(exp.config.dataset)}</small>"
        if self.noise_help.value != help_:
            self.noise_help.value = help_
            self.controls["noise"].tooltip = noise_meaning(exp.config.dataset)
        shared = exp.config.to_string()
        if shared != self._shared:  # only when the set-up changed, so typing is not overwritten
            self._shared = shared
            self.share.value = shared

    # ------------------------------------------------ sharing

    def to_string(self) -> str:
        """The set-up as a short string (see :meth:`Config.to_string`): every control and the seed."""
        return self.experiment.config.to_string()

    @classmethod
    def from_string(cls, text: str, scale: float = 1.0) -> "Playground":
        """A new playground set up as ``text`` (from :meth:`to_string`) says."""
        return cls(Config.from_string(text), scale)

    def load_string(self, text: str) -> Experiment:
        """Set every control as ``text`` says and start a new experiment from it.

        Keys missing from ``text`` keep their current values. A malformed string changes
        nothing: the error is shown in the status line and raised as ``ValueError``.
        """
        try:
            config = Config.from_string(text, base=self.experiment.config)
        except (ValueError, TypeError) as err:
            self.error = str(err)
            self._show()
            raise ValueError(self.error) from None
        self.error = None
        self._set_controls(config)
        self.pause()
        self._replace(Experiment(config, self.experiment.resolution))
        return self.experiment

    def _pasted(self, change) -> None:
        if change["new"] == self._shared:  # our own update, or nothing new
            return
        try:
            self.load_string(change["new"])
        except ValueError:
            pass  # shown in the status line; the text stays for the student to correct

    def _set_controls(self, config: Config) -> None:
        """Move every control to ``config`` without reacting to each move."""
        self._quiet = True
        try:
            for name, control in self.controls.items():
                value = getattr(config, name)
                if name == "units":  # the all-layers width: the widest, or the one width
                    value = max(config.hidden) if config.layers else (
                        control.value if isinstance(value, tuple) else value)
                _fit(control, value)
            # One width for all: every layer slider takes it, so an added layer has it too.
            widths = config.hidden if isinstance(config.units, tuple) else [config.units] * MAX_LAYERS
            for slider, width in zip(self.layer_units, widths):
                _fit(slider, width)
        finally:
            self._quiet = False
        self._show_layer_units()

    # ------------------------------------------------ the controls

    def set(self, **values) -> Experiment:
        """Set controls by name, as a student would; each change takes effect. Returns the experiment.

        ``units`` takes one width for every hidden layer or a tuple of one per layer.
        A value beyond a slider's range stretches the range (rather than being clipped).
        """
        for name, value in values.items():
            if name not in self.controls:
                raise KeyError(f"no control named {name!r}; the playground has {list(self.controls)}")
            if name == "units" and isinstance(value, (tuple, list)):
                self._quiet = True
                try:
                    for slider, width in zip(self.layer_units, value):
                        _fit(slider, width)
                finally:
                    self._quiet = False
                self._changed()
            else:
                _fit(self.controls[name], value)
        if self.error:
            raise ValueError(self.error)
        return self.experiment

    def _all_units(self, change) -> None:
        """The all-layers width moved: every layer takes it."""
        if self._quiet:
            return
        self._quiet = True
        try:
            for slider in self.layer_units:
                _fit(slider, change["new"])
        finally:
            self._quiet = False
        self._changed()

    def _show_layer_units(self) -> None:
        layers = self.controls["layers"].value
        for l, slider in enumerate(self.layer_units):
            slider.layout.display = None if l < layers else "none"

    def _values(self) -> dict:
        values = {n: control.value for n, control in self.controls.items()}
        if values["layers"]:
            values["units"] = tuple(s.value for s in self.layer_units[:values["layers"]])
        return values

    def _changed(self, _change=None) -> None:
        if self._quiet:
            return
        self._show_layer_units()
        # Read every control, not just the one that moved, so that after a refused
        # combination (batch norm with batches of one) the next valid one brings all in.
        values = self._values()
        old = self.experiment.config
        if (values["dataset"] in REGRESSION) != old.regression:
            # A new kind of task takes its own loss: squared error for regression.
            values["loss"] = "squared error" if values["dataset"] in REGRESSION else "cross-entropy"
            self._quiet = True
            try:
                self.controls["loss"].value = values["loss"]
            finally:
                self._quiet = False
        try:
            new = self.experiment.reconfigure(**values)
        except (ValueError, TypeError) as err:
            self.error = str(err)
            self._show()
            return
        self.error = None
        if new is self.experiment:
            self._show()
        else:
            self.pause()
            self._replace(new)

    def _replace(self, experiment: Experiment) -> None:
        self.experiment = experiment
        self.frame_seconds.clear()
        self.redraw()

    def still(self) -> bytes:
        """One PNG of the figures as last drawn: the surface, then the others stacked beside it."""
        figures = self.dashboard.figures
        rest = [fig for name, fig in figures.items() if name != "surface"]
        return blit.still([[figures["surface"]], rest])

    def _repr_mimebundle_(self, **kwargs):
        return with_still(self.widget, self.still(), **kwargs)
