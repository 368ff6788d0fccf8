r"""The playground's engine: a small experiment you can build, train a little at a time, and inspect.

Everything the playground widget shows is computed here, with numpy and nnkit alone,
so a test (or a notebook cell) drives it without a screen:

- :class:`Config`, the choices a student makes (dataset, noise, architecture,
  activation, initialisation, batch norm, loss, optimiser, learning rate, batch size);
- :func:`make_dataset` and :func:`xor_cloud`, two-class point clouds in the plane;
- :func:`build_network`, the network a config describes;
- :class:`Experiment`, the state machine: data split, network, optimiser, and a
  history that grows one *chunk* (one epoch of mini-batch steps) at a time, with the
  quantities lectures 05 to 07 taught us to watch: train and test loss and accuracy,
  the decision surface on a grid, each hidden layer's activations, and each layer's
  gradient norm.

Every task is binary (class 0 or 1), so the network has one output unit. With
cross-entropy it outputs a logit :math:`z` and the loss is ``BCEWithLogitsLoss``;
with squared error it ends in a sigmoid and the loss is ``MSELoss``, which is the
pairing that learns slowly when the sigmoid saturates (lecture 06).
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from nnkit import data
from nnkit import functional as F
from nnkit._validation import check_positive, choose, make_rng
from nnkit.layers import BatchNorm, Dense, Sequential, Sigmoid
from nnkit.layers.sequential import as_activation
from nnkit.losses import BCEWithLogitsLoss, MSELoss
from nnkit.optim import SGD, Adam

__all__ = [
    "DATASETS", "ACTIVATIONS", "INITS", "LOSSES", "OPTIMIZERS", "LIVE_FIELDS",
    "Config", "xor_cloud", "make_dataset", "split", "build_network", "make_loss",
    "make_optimizer", "plane_grid", "activation_range", "histograms", "Experiment",
]

DATASETS = ("xor", "circles", "spirals", "blobs")
ACTIVATIONS = ("tanh", "relu", "sigmoid", "leaky_relu", "elu", "softplus", "identity")
INITS = ("xavier", "he", "small", "large", "zeros")
LOSSES = ("cross-entropy", "squared error")
OPTIMIZERS = ("sgd", "momentum", "adam")
# Changing these keeps the network and carries on training; changing any other
# field builds a new experiment.
LIVE_FIELDS = frozenset({"optimizer", "lr", "batch_size", "epochs"})
MOMENTUM = 0.9


@dataclasses.dataclass(frozen=True)
class Config:
    r"""One playground set-up.

    Parameters
    ----------
    dataset : {"xor", "circles", "spirals", "blobs"}
    noise : float
        Standard deviation of the Gaussian noise on each point (for spirals, on the
        angle, in radians).
    n : int
        Number of points, train and test together.
    train_fraction : float
        Share of the points used for training, in (0, 1); the rest is the test set.
    layers : int
        Hidden layers, 0 to 4 (0 is logistic regression).
    units : int or tuple of int
        Units per hidden layer: one number for all, or one per layer.
    activation : str
        Hidden activation, one of ``ACTIVATIONS``.
    init : str
        Weight initialiser, one of ``INITS`` (see :mod:`nnkit.init`).
    batch_norm : bool
        Insert ``BatchNorm`` between each hidden ``Dense`` and its activation.
    loss : {"cross-entropy", "squared error"}
    optimizer : {"sgd", "momentum", "adam"}
        ``"momentum"`` is SGD with momentum 0.9.
    lr : float
        Learning rate :math:`\eta`.
    batch_size : int
        Examples per step; larger than the training set means full-batch steps.
    epochs : int
        Training budget: ``Experiment.done`` once this many epochs have run.
    seed : int
        Seeds the data, the split, the initial weights and the mini-batch order.
    """

    dataset: str = "circles"
    noise: float = 0.1
    n: int = 200
    train_fraction: float = 0.5
    layers: int = 2
    units: int | tuple = 8
    activation: str = "tanh"
    init: str = "xavier"
    batch_norm: bool = False
    loss: str = "cross-entropy"
    optimizer: str = "adam"
    lr: float = 0.01
    batch_size: int = 10
    epochs: int = 200
    seed: int = 0

    def __post_init__(self):
        if isinstance(self.units, list):
            object.__setattr__(self, "units", tuple(self.units))
        choose("dataset", self.dataset, DATASETS)
        choose("activation", self.activation, ACTIVATIONS)
        choose("init", self.init, INITS)
        choose("loss", self.loss, LOSSES)
        choose("optimizer", self.optimizer, OPTIMIZERS)
        check_positive(self.noise, "noise", allow_zero=True)
        check_positive(self.n, "n", integer=True)
        check_positive(self.lr, "lr")
        check_positive(self.batch_size, "batch_size", integer=True)
        check_positive(self.epochs, "epochs", integer=True)
        check_positive(self.seed, "seed", allow_zero=True, integer=True)
        check_positive(self.layers, "layers", allow_zero=True, integer=True)
        if not 0.0 < self.train_fraction < 1.0:
            raise ValueError(f"train_fraction must be in (0, 1); got {self.train_fraction!r}")
        if self.layers > 4:
            raise ValueError(f"layers must be 0 to 4 hidden layers; got {self.layers}")
        hidden = self.hidden
        if not all(isinstance(u, (int, np.integer)) and u > 0 for u in hidden):
            raise ValueError(
                f"units must be a positive int or {self.layers} of them; got {self.units!r}")
        if self.batch_norm and self.layers and self.batch_size < 2:
            raise ValueError(
                f"batch_size must be at least 2 with batch_norm=True (a batch of one row "
                f"has no variance to normalise by); got batch_size={self.batch_size}"
            )
        if min(self.train_count, self.n - self.train_count) < 2:
            raise ValueError(
                f"n={self.n} with train_fraction={self.train_fraction} leaves fewer than 2 "
                f"points in the training or the test set; use more points"
            )

    @property
    def hidden(self) -> tuple:
        """Hidden widths ``(n_1, ..., n_{L-1})``."""
        if isinstance(self.units, (tuple, list)):
            if len(self.units) != self.layers:
                raise ValueError(
                    f"units lists {len(self.units)} widths but layers={self.layers}; "
                    f"give one width per hidden layer or a single int"
                )
            return tuple(self.units)
        return (self.units,) * self.layers

    @property
    def sizes(self) -> list:
        """``[n_0, n_1, ..., n_L]`` = ``[2, *hidden, 1]``."""
        return [2, *self.hidden, 1]

    @property
    def train_count(self) -> int:
        return int(round(self.train_fraction * self.n))

    def replace(self, **changes) -> "Config":
        """A copy with some fields changed (and checked)."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise KeyError(f"Config has no field(s) {sorted(unknown)}; it has "
                           f"{[f.name for f in dataclasses.fields(self)]}")
        return dataclasses.replace(self, **changes)


# ---------------------------------------------------------------- data

def xor_cloud(n: int, noise: float = 0.1, rng=None, pad: float = 0.1):
    r"""A noisy two-class XOR: points in the square, labelled by the signs of their coordinates.

    Clean points are uniform on :math:`[-1, 1]^2` kept ``pad`` away from both axes;
    the label is :math:`[x_1 > 0] \oplus [x_2 > 0]` (1 in the second and fourth
    quadrants), then Gaussian noise of standard deviation ``noise`` moves each point.
    ``nk.data.xor()`` is the same problem with its four corners only.

    Returns
    -------
    X : ndarray, shape (n, 2)
    Y : ndarray, shape (n,), int labels 0 and 1
    """
    check_positive(n, "n", integer=True)
    check_positive(noise, "noise", allow_zero=True)
    rng = make_rng(rng)
    X = rng.uniform(pad, 1.0, (n, 2)) * rng.choice([-1.0, 1.0], (n, 2))
    Y = ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(int)
    return X + noise * rng.standard_normal((n, 2)), Y


def make_dataset(name: str, n: int, noise: float, rng=None):
    """Two classes in the plane, roughly within [-1.5, 1.5] squared.

    ``"circles"`` and ``"spirals"`` (two arms) come from :mod:`nnkit.data`; ``"blobs"``
    are two Gaussians of standard deviation 0.4 around (-1, -1) and (1, 1), plus the
    noise; ``"xor"`` is :func:`xor_cloud`.

    Returns
    -------
    X : ndarray, shape (n, 2)
    Y : ndarray, shape (n,), int labels 0 and 1
    """
    choose("dataset", name, DATASETS)
    rng = make_rng(rng)
    if name == "xor":
        return xor_cloud(n, noise, rng)
    if name == "circles":
        return data.circles(n, noise, rng)
    if name == "spirals":
        return data.spirals(n, classes=2, noise=noise, rng=rng)
    X, Y = data.blobs(n, centers=[[-1.0, -1.0], [1.0, 1.0]], std=0.4, rng=rng)
    return X + noise * rng.standard_normal(X.shape), Y


def split(X, Y, train_count: int, rng=None):
    """A random train/test split: ``(X_train, Y_train, X_test, Y_test)``."""
    order = make_rng(rng).permutation(len(X))
    tr, te = order[:train_count], order[train_count:]
    return X[tr], Y[tr], X[te], Y[te]


def plane_grid(X, resolution: int = 60, margin: float = 0.25):
    """A square ``resolution x resolution`` grid over the data plus a margin.

    Returns
    -------
    extent : tuple (x_lo, x_hi, y_lo, y_hi)
        As ``imshow(..., origin="lower", extent=extent)`` wants it.
    points : ndarray, shape (resolution**2, 2)
        Row-major: row ``i * resolution + j`` is the point in grid row ``i``
        (second coordinate) and column ``j`` (first coordinate).
    """
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    # Square, so circles look round; centre and half-width snapped to half units, so that the
    # axes stay put across datasets and noise levels (steadier to read, and a redraw that
    # keeps its axes is several times cheaper than one that moves them).
    mid = np.round((lo + hi) / 2 * 2) / 2
    half = np.ceil(np.max(np.maximum(hi - mid, mid - lo)) * 2) / 2
    u = np.linspace(mid[0] - half, mid[0] + half, resolution)
    v = np.linspace(mid[1] - half, mid[1] + half, resolution)
    uu, vv = np.meshgrid(u, v)
    return (u[0], u[-1], v[0], v[-1]), np.column_stack([uu.ravel(), vv.ravel()])


# ---------------------------------------------------------------- network

def build_network(config: Config, rng=None) -> Sequential:
    """The network ``config`` describes.

    Each hidden layer is ``Dense -> [BatchNorm ->] activation``; the output is one
    ``Dense`` unit, followed by a ``Sigmoid`` when the loss is squared error (with
    cross-entropy the output is a logit).
    """
    rng = make_rng(rng)
    sizes = config.sizes
    layers = []
    for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):
        layers.append(Dense(n_in, n_out, init=config.init, rng=rng))
        if config.batch_norm:
            layers.append(BatchNorm(n_out))
        layers.append(as_activation(config.activation))
    layers.append(Dense(sizes[-2], 1, init=config.init, rng=rng))
    if config.loss == "squared error":
        layers.append(Sigmoid())
    return Sequential(layers)


def make_loss(name: str):
    """``BCEWithLogitsLoss`` for cross-entropy, ``MSELoss`` for squared error."""
    choose("loss", name, LOSSES)
    return BCEWithLogitsLoss() if name == "cross-entropy" else MSELoss()


def make_optimizer(name: str, params, lr: float):
    """``SGD``, ``SGD`` with momentum 0.9, or ``Adam``."""
    choose("optimizer", name, OPTIMIZERS)
    if name == "adam":
        return Adam(params, lr=lr)
    return SGD(params, lr, momentum=MOMENTUM if name == "momentum" else 0.0)


# ---------------------------------------------------------------- statistics

_RANGES = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "relu": (0.0, 3.0),
           "leaky_relu": (-0.5, 3.0), "elu": (-1.0, 3.0), "softplus": (0.0, 3.0),
           "identity": (-3.0, 3.0)}


def activation_range(activation: str) -> tuple:
    """The range a histogram of this activation's outputs covers (bounded ones exactly)."""
    return _RANGES[choose("activation", activation, ACTIVATIONS)]


def histograms(H: list, lo: float, hi: float, bins: int = 30):
    """Per layer, the fraction of activations in each of ``bins`` equal bins over [lo, hi].

    Values outside are counted in the first or the last bin, so a saturated or
    exploding layer shows as a spike at the edge rather than vanishing from view.

    Parameters
    ----------
    H : list of ndarray, each (n, n_l)

    Returns
    -------
    edges : ndarray, shape (bins + 1,)
    fractions : ndarray, shape (len(H), bins), each row summing to 1
    """
    edges = np.linspace(lo, hi, bins + 1)
    fractions = np.zeros((len(H), bins))
    for l, h in enumerate(H):
        counts, _ = np.histogram(np.clip(h, lo, hi), bins=edges)
        fractions[l] = counts / max(h.size, 1)
    return edges, fractions


# ---------------------------------------------------------------- the experiment

class Experiment:
    r"""A network, its data and its optimiser, trained one chunk at a time.

    Parameters
    ----------
    config : Config, optional
        Defaults to ``Config()``; keyword arguments override its fields, e.g.
        ``Experiment(dataset="xor", layers=1)``.
    resolution : int
        Side of the grid the decision surface is evaluated on.

    Attributes
    ----------
    X_train, Y_train, X_test, Y_test : ndarray
        ``X`` is ``(n, 2)``; ``Y`` is ``(n, 1)`` float 0/1.
    net : Sequential
    history : dict of str -> list
        One entry per recorded point (at the start and after every chunk):
        ``"epoch"``, ``"step"``, ``"train_loss"``, ``"test_loss"``, ``"train_acc"``,
        ``"test_acc"`` and ``"grad_norms"`` (per ``Dense`` layer, the mean over the
        chunk's steps of :math:`\lVert \partial L/\partial W^{(l)} \rVert`).
    diverged : str or None
        Why training stopped, when the loss or an output stopped being finite.
    """

    KEYS = ("epoch", "step", "train_loss", "test_loss", "train_acc", "test_acc", "grad_norms")

    def __init__(self, config: Config | None = None, resolution: int = 60, **changes):
        config = Config() if config is None else config
        self.config = config.replace(**changes) if changes else config
        self.resolution = resolution
        # Separate streams, so that changing the architecture keeps the same data.
        data_rng, split_rng, init_rng, self._batch_rng = map(
            np.random.default_rng, np.random.SeedSequence(self.config.seed).spawn(4))
        X, Y = make_dataset(self.config.dataset, self.config.n, self.config.noise, data_rng)
        Y = Y.reshape(-1, 1).astype(float)
        self.X_train, self.Y_train, self.X_test, self.Y_test = split(
            X, Y, self.config.train_count, split_rng)
        self.extent, self.grid = plane_grid(X, resolution)
        self.net = build_network(self.config, init_rng)
        self.dense = [layer for layer in self.net.layers if isinstance(layer, Dense)]
        # The hidden activation layers: the layer just before each hidden Dense but the first.
        self._hidden_at = [i - 1 for i, layer in enumerate(self.net.layers)
                           if isinstance(layer, Dense)][1:]
        self.loss = make_loss(self.config.loss)
        self._eval_loss = make_loss(self.config.loss)
        self.optimizer = make_optimizer(self.config.optimizer, self.net.parameters(),
                                        self.config.lr)
        self.steps, self.seen, self.diverged = 0, 0, None
        self._order, self._cursor = None, 0
        self.history = {key: [] for key in self.KEYS}
        self._record([np.nan] * len(self.dense))

    # ------------------------------------------------ changing the set-up

    def reconfigure(self, **changes) -> "Experiment":
        """Apply control changes: live ones in place, others by building anew.

        Learning rate, batch size and epoch budget change in place; a new optimiser
        keeps the weights and starts its own state (velocity, moments) from zero.
        Anything else (data, architecture, loss, seed) returns a fresh ``Experiment``.

        Returns
        -------
        Experiment
            ``self`` when every change was live, else a new experiment.
        """
        config = self.config.replace(**changes)
        changed = {k for k in changes if getattr(config, k) != getattr(self.config, k)}
        if not changed <= LIVE_FIELDS:
            return Experiment(config, self.resolution)
        old, self.config = self.config, config
        if config.optimizer != old.optimizer:
            self.optimizer = make_optimizer(config.optimizer, self.net.parameters(), config.lr)
        self.optimizer.lr = config.lr
        return self

    # ------------------------------------------------ training

    @property
    def epoch(self) -> float:
        """Epochs so far: examples seen divided by the training-set size."""
        return self.seen / len(self.X_train)

    @property
    def done(self) -> bool:
        """True once the epoch budget is spent or training diverged."""
        return self.diverged is not None or self.epoch >= self.config.epochs - 1e-9

    @property
    def batch(self) -> int:
        """The batch size in use (at most the training-set size)."""
        return min(self.config.batch_size, len(self.X_train))

    @property
    def steps_per_chunk(self) -> int:
        """Steps in one chunk: one epoch of full mini-batches."""
        return max(1, len(self.X_train) // self.batch)

    def _next_batch(self):
        n, b = len(self.X_train), self.batch
        if b == n:
            return self.X_train, self.Y_train
        if self._order is None or self._cursor + b > n:
            # A fresh shuffle each epoch; the short tail of the last one is dropped so
            # every batch has b rows (batch norm needs at least two).
            self._order, self._cursor = self._batch_rng.permutation(n), 0
        idx = self._order[self._cursor:self._cursor + b]
        self._cursor += b
        return self.X_train[idx], self.Y_train[idx]

    def step(self) -> float:
        """One optimiser step on the next mini-batch; returns its loss (NaN once diverged)."""
        if self.diverged:
            return float("nan")
        Xb, Yb = self._next_batch()
        # Overflow is how divergence looks; it is caught below, not warned about.
        with np.errstate(over="ignore", invalid="ignore"):
            Yhat = self.net.forward(Xb)
            if not np.isfinite(Yhat).all():
                return self._diverge("the network's output")
            value = self.loss(Yhat, Yb)
            self.net.backward(self.loss.backward())
            self.optimizer.step()
        if not (np.isfinite(value) and all(np.isfinite(p.value).all() for p in self.optimizer.params)):
            return self._diverge("the weights")
        self.steps += 1
        self.seen += len(Xb)
        return value

    def _diverge(self, what: str) -> float:
        self.diverged = (f"training diverged at epoch {self.epoch:.1f}: {what} stopped being "
                         f"finite; lower the learning rate (now {self.config.lr:.3g}) and reset")
        return float("nan")

    def train_chunk(self, steps: int | None = None) -> dict:
        """Take ``steps`` steps (default: one epoch's worth), then record the metrics.

        Returns
        -------
        dict
            The new history entry (one value per key of ``history``).
        """
        steps = self.steps_per_chunk if steps is None else steps
        norms = np.zeros(len(self.dense))
        taken = 0
        for _ in range(steps):
            if self.done:
                break
            self.step()
            if self.diverged:
                break
            norms += [np.linalg.norm(layer.dW) for layer in self.dense]
            taken += 1
        if taken:
            self._record(list(norms / taken))
        return self.last

    def train(self, epochs: int | None = None) -> dict:
        """Train ``epochs`` more epochs (default: to the budget), recording after each.

        Stops early at the budget or on divergence. Returns the last history entry.
        """
        target = self.config.epochs if epochs is None else self.epoch + epochs
        while self.epoch < target - 1e-9 and not self.done:
            self.train_chunk(min(self.steps_per_chunk, math.ceil(
                (target - self.epoch) * len(self.X_train) / self.batch - 1e-9)))
        return self.last

    # ------------------------------------------------ what we watch

    @property
    def last(self) -> dict:
        """The latest history entry."""
        return {key: values[-1] for key, values in self.history.items()}

    def first_epoch(self, key: str, threshold: float, above: bool = True):
        """The first recorded epoch at which ``history[key]`` reached ``threshold``, or ``None``.

        ``above=False`` looks for the first value at or below it (for losses).
        """
        for epoch, value in zip(self.history["epoch"], self.history[key]):
            if (value >= threshold) if above else (value <= threshold):
                return epoch
        return None

    def _record(self, grad_norms) -> None:
        train_loss, train_acc = self.evaluate(self.X_train, self.Y_train)
        test_loss, test_acc = self.evaluate(self.X_test, self.Y_test)
        for key, value in (("epoch", self.epoch), ("step", self.steps),
                           ("train_loss", train_loss), ("test_loss", test_loss),
                           ("train_acc", train_acc), ("test_acc", test_acc),
                           ("grad_norms", grad_norms)):
            self.history[key].append(value)

    def _forward_eval(self, X):
        """The output in evaluation mode (batch norm uses its running statistics)."""
        self.net.eval()
        try:
            return self.net.forward(X)
        finally:
            self.net.train()

    def probability(self, X) -> np.ndarray:
        r""":math:`P(\text{class } 1 \mid x)` for each row of ``X (m, 2)``, shape ``(m,)``."""
        out = self._forward_eval(X)[:, 0]
        return F.sigmoid(out) if self.config.loss == "cross-entropy" else out

    def evaluate(self, X, Y) -> tuple:
        """``(loss, accuracy)`` of the network on ``X (m, 2)``, ``Y (m, 1)``, in evaluation mode."""
        with np.errstate(over="ignore", invalid="ignore"):
            out = self._forward_eval(X)
        if not np.isfinite(out).all():
            return float("nan"), float("nan")
        p = F.sigmoid(out) if self.config.loss == "cross-entropy" else out
        return self._eval_loss(out, Y), float(np.mean((p > 0.5) == (Y > 0.5)))

    def surface(self) -> np.ndarray:
        r""":math:`P(\text{class } 1)` on the grid, ``(resolution, resolution)``; rows follow :math:`x_2`."""
        with np.errstate(over="ignore", invalid="ignore"):
            p = self.probability(self.grid)
        return np.nan_to_num(p, nan=0.5).reshape(self.resolution, self.resolution)

    def hidden_activations(self, X=None) -> list:
        """Each hidden layer's activations :math:`h^{(l)}` on ``X`` (default: the training set).

        Returns
        -------
        list of ndarray, one ``(m, n_l)`` per hidden layer, in evaluation mode
        """
        X = self.X_train if X is None else X
        H = []
        self.net.eval()
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                for i, layer in enumerate(self.net.layers):
                    X = layer.forward(X)
                    if i in self._hidden_at:
                        H.append(X)
        finally:
            self.net.train()
        return H

    def activation_histograms(self, bins: int = 30):
        """:func:`histograms` of :meth:`hidden_activations` over the activation's range."""
        return histograms(self.hidden_activations(), *activation_range(self.config.activation), bins)

    def status(self) -> str:
        """One line for the progress display."""
        last = self.last
        text = (f"epoch {self.epoch:.0f}/{self.config.epochs} · step {self.steps} · "
                f"loss train {last['train_loss']:.3f}, test {last['test_loss']:.3f} · "
                f"accuracy train {last['train_acc']:.0%}, test {last['test_acc']:.0%}")
        return text if self.diverged is None else f"{text} · {self.diverged}"

    def __repr__(self) -> str:
        c = self.config
        arch = "-".join(map(str, c.sizes))
        return (f"Experiment({c.dataset}, {arch} {c.activation}, {c.loss}, "
                f"{c.optimizer} lr={c.lr:g}; {self.status()})")
