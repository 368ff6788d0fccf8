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
(images), ``nnkit-progress``, ``nnkit-status``, and ``nnkit-control-<name>`` for each
control (``<name>`` as in :attr:`Playground.controls`, with ``_`` written ``-``).
"""
from __future__ import annotations

import asyncio
import collections
import math
import time

import ipywidgets as W

from nnkit.viz.live import dropdown, float_slider, int_slider, log_slider, toggle

from .compute import ACTIVATIONS, DATASETS, INITS, LOSSES, OPTIMIZERS, Config, Experiment
from .figures import Dashboard

__all__ = ["Playground", "CSS_CLASSES"]

CSS_CLASSES = {
    "root": "nnkit-playground", "train": "nnkit-train", "pause": "nnkit-pause",
    "step": "nnkit-step", "reset": "nnkit-reset", "loss": "nnkit-loss-figure",
    "surface": "nnkit-surface-figure", "stats": "nnkit-stats-figure",
    "progress": "nnkit-progress", "status": "nnkit-status",
}
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
        "layers": int_slider(c.layers, 0, 4, "hidden layers"),
        "units": int_slider(units, 1, max(8, units), "units per layer"),
        "activation": dropdown(list(ACTIVATIONS), c.activation, "activation"),
        "init": dropdown(list(INITS), c.init, "initialisation"),
        "batch_norm": toggle(c.batch_norm, "batch norm"),
        "loss": dropdown(list(LOSSES), c.loss, "loss"),
        "optimizer": dropdown(list(OPTIMIZERS), c.optimizer, "optimiser"),
        "lr": log_slider(c.lr, min(-4, math.floor(math.log10(c.lr))),
                         max(1, math.ceil(math.log10(c.lr))), "learning rate"),
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
        for control in self.controls.values():
            control.observe(self._changed, names="value")
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
            column("Data", ["dataset", "noise", "train_fraction", "seed"]),
            column("Network", ["layers", "units", "activation", "init", "batch_norm"]),
            column("Training", ["loss", "optimizer", "lr", "batch_size", "epochs"]),
        ], layout=wrap)
        root = W.VBox([bar, self.status, pictures, controls])
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
        state = ("training" if self.running else "finished" if exp.done and not exp.diverged
                 else "paused")
        rate = (f" · {self.frames_per_second:.0f} frames/s"
                if self.running and self.frame_seconds else "")
        problem = f"<br><span style='color:#D55E00'>{self.error}</span>" if self.error else ""
        self.status.value = f"<b>{state}</b> · {exp.status()}{rate}{problem}"

    # ------------------------------------------------ the controls

    def set(self, **values) -> Experiment:
        """Set controls by name, as a student would; each change takes effect. Returns the experiment."""
        for name, value in values.items():
            if name not in self.controls:
                raise KeyError(f"no control named {name!r}; the playground has {list(self.controls)}")
            self.controls[name].value = value
        if self.error:
            raise ValueError(self.error)
        return self.experiment

    def _changed(self, _change=None) -> None:
        # Read every control, not just the one that moved, so that after a refused
        # combination (batch norm with batches of one) the next valid one brings all in.
        values = {n: control.value for n, control in self.controls.items()}
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

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
