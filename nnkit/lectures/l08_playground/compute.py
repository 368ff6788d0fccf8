r"""The playground's engine: a small experiment you can build, train a little at a time, and inspect.

Everything the playground widget shows is computed here, with numpy and nnkit alone,
so a test (or a notebook cell) drives it without a screen:

- :class:`Config`, the choices a student makes (dataset, noise, input features,
  architecture, activation, initialisation, batch norm, loss, optimiser, learning rate,
  regularisation, batch size), written to and read from a short string
  (:meth:`Config.to_string`, :meth:`Config.from_string`) that can be shared;
- :func:`make_dataset`: two-class point clouds in the plane (:func:`xor_cloud` and
  :mod:`nnkit.data`'s) and two regression targets (:func:`plane`, :func:`gaussians`);
  :func:`noise_meaning` says what the noise is for each;
- :func:`feature_map`, the network's inputs (x1, x2, their squares, product and sines);
- :func:`build_network`, the ``nk.MLP`` a config describes;
- :class:`Experiment`, the state machine: data split, network, optimiser, and a
  history that grows one *chunk* (one epoch of mini-batch steps) at a time, with the
  quantities lectures 05 to 07 taught us to watch: train and test loss and accuracy,
  the decision surface on a grid, each hidden layer's activations, and each layer's
  gradient norm;
- :func:`diagnose`, which reads a run for divergence, a flat loss, dead or saturated
  units and a vanishing gradient, and says what to change.

A classification task is binary (class 0 or 1), so the network has one output unit. With
cross-entropy it outputs a logit :math:`z` and the loss is ``BCEWithLogitsLoss``;
with squared error it ends in a sigmoid and the loss is ``MSELoss``, which is the
pairing that learns slowly when the sigmoid saturates (lecture 06). A regression task
takes squared error on the output itself.
"""
from __future__ import annotations

import copy
import dataclasses
import math
import re
from urllib.parse import quote_plus, unquote_plus

import numpy as np

from nnkit import data
from nnkit import functional as F
from nnkit._validation import check_positive, choose, make_rng
from nnkit.layers import ACTIVATIONS, MLP, Dense
from nnkit.losses import BCEWithLogitsLoss, MSELoss
from nnkit.optim import SGD, Adam
from nnkit.penalties import L1Penalty, L2Penalty
from nnkit.viz import grid, histogram

__all__ = [
    "DATASETS", "REGRESSION", "FEATURES", "ACTIVATION_CHOICES", "MAX_LAYERS", "INITS", "LOSSES",
    "OPTIMIZERS", "REGULARIZATIONS", "LIVE_FIELDS",
    "Config", "xor_cloud", "plane", "gaussians", "make_dataset", "feature_map", "split", "build_network", "make_loss",
    "make_optimizer", "plane_grid", "histograms", "noise_meaning",
    "Finding", "diagnose", "Experiment",
]

# The first four are two-class problems; the last two are regression (a target in [-1, 1]).
DATASETS = ("xor", "circles", "spirals", "blobs", "plane", "gaussians")
REGRESSION = ("plane", "gaussians")
# The network's inputs, each computed from the point (x1, x2); TensorFlow Playground's seven.
FEATURES = {
    "x1": lambda X: X[:, 0], "x2": lambda X: X[:, 1],
    "x1sq": lambda X: X[:, 0] ** 2, "x2sq": lambda X: X[:, 1] ** 2,
    "x1x2": lambda X: X[:, 0] * X[:, 1],
    "sin_x1": lambda X: np.sin(X[:, 0]), "sin_x2": lambda X: np.sin(X[:, 1]),
}
REGULARIZATIONS = ("none", "L1", "L2")
# The activations the playground offers, by their names in nnkit.layers.ACTIVATIONS.
ACTIVATION_CHOICES = ("tanh", "relu", "sigmoid", "leaky_relu", "elu", "softplus", "identity")
INITS = ("xavier", "he", "small", "large", "zeros")
LOSSES = ("cross-entropy", "squared error")
OPTIMIZERS = ("sgd", "momentum", "adam")
# Changing these keeps the network and carries on training; changing any other
# field builds a new experiment.
LIVE_FIELDS = frozenset({"optimizer", "lr", "batch_size", "epochs", "regularization",
                         "regularization_rate"})
MOMENTUM = 0.9
MAX_LAYERS = 6


@dataclasses.dataclass(frozen=True)
class Config:
    r"""One playground set-up.

    Parameters
    ----------
    dataset : {"xor", "circles", "spirals", "blobs", "plane", "gaussians"}
        The last two (``REGRESSION``) are regression: a target in [-1, 1], squared error.
    noise : float
        Standard deviation of the Gaussian noise (:func:`noise_meaning` says on what:
        each coordinate, the spirals' angle in radians, or the regression target).
    n : int
        Number of points, train and test together.
    train_fraction : float
        Share of the points used for training, in (0, 1); the rest is the test set.
    features : tuple of str
        The network's inputs, some of ``FEATURES`` (:func:`feature_map`); stored in the
        order of ``FEATURES``.
    layers : int
        Hidden layers, 0 to ``MAX_LAYERS`` (0 is logistic regression).
    units : int or tuple of int
        Units per hidden layer: one number for all, or one per layer (a tuple of equal
        widths is stored as the one number).
    activation : str
        Hidden activation, one of ``ACTIVATION_CHOICES``.
    init : str
        Weight initialiser, one of ``INITS`` (see :mod:`nnkit.init`).
    batch_norm : bool
        Insert ``BatchNorm`` between each hidden ``Dense`` and its activation.
    loss : {"cross-entropy", "squared error"}
        Regression data sets take squared error only.
    optimizer : {"sgd", "momentum", "adam"}
        ``"momentum"`` is SGD with momentum 0.9.
    lr : float
        Learning rate :math:`\eta`.
    regularization : {"none", "L1", "L2"}
        A penalty on the weight matrices (not the biases): :math:`\lambda \sum |W|` or
        :math:`\frac{\lambda}{2} \sum W^2`, added to the loss being minimised.
    regularization_rate : float
        Its strength :math:`\lambda \ge 0`.
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
    features: tuple = ("x1", "x2")
    layers: int = 2
    units: int | tuple = 8
    activation: str = "tanh"
    init: str = "xavier"
    batch_norm: bool = False
    loss: str = "cross-entropy"
    optimizer: str = "adam"
    lr: float = 0.01
    regularization: str = "none"
    regularization_rate: float = 0.0
    batch_size: int = 10
    epochs: int = 200
    seed: int = 0

    def __post_init__(self):
        if isinstance(self.units, list):
            object.__setattr__(self, "units", tuple(self.units))
        if (isinstance(self.units, tuple) and self.units and len(self.units) == self.layers
                and len(set(self.units)) == 1 and isinstance(self.units[0], (int, np.integer))):
            # One width for all layers is written as one number, so that equal networks
            # have equal configs (and equal strings).
            object.__setattr__(self, "units", int(self.units[0]))
        choose("dataset", self.dataset, DATASETS)
        if isinstance(self.features, str):
            raise TypeError(f"features must be a tuple of names, e.g. ('x1', 'x2'); "
                            f"got the str {self.features!r}")
        features = tuple(self.features)
        for name in features:
            choose("feature", name, tuple(FEATURES))
        if not features or len(set(features)) != len(features):
            raise ValueError(f"features must name at least one input, each once, from "
                             f"{', '.join(FEATURES)}; got {features!r}")
        object.__setattr__(self, "features", tuple(f for f in FEATURES if f in features))
        choose("regularization", self.regularization, REGULARIZATIONS)
        check_positive(self.regularization_rate, "regularization_rate", allow_zero=True)
        if self.dataset in REGRESSION and self.loss != "squared error":
            raise ValueError(f"loss must be 'squared error' for the regression data set "
                             f"{self.dataset!r}; got loss={self.loss!r}")
        choose("activation", self.activation, ACTIVATION_CHOICES)
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
        if self.layers > MAX_LAYERS:
            raise ValueError(f"layers must be 0 to {MAX_LAYERS} hidden layers; got {self.layers}")
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
        """``[n_0, n_1, ..., n_L]`` = ``[len(features), *hidden, 1]``."""
        return [len(self.features), *self.hidden, 1]

    @property
    def regression(self) -> bool:
        """True for a regression data set (a continuous target, no classes)."""
        return self.dataset in REGRESSION

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

    # ------------------------------------------------ sharing

    def to_string(self) -> str:
        """Every field as ``key=value`` pairs joined by ``&``, like TensorFlow Playground's URL.

        E.g. ``dataset=circles&noise=0.1&...&units=8,8&...&seed=0``. Floats are written
        exactly (``repr``), so :meth:`from_string` gives back an equal ``Config``.
        """
        return "&".join(f"{f.name}={_encode(getattr(self, f.name))}"
                        for f in dataclasses.fields(self))

    @classmethod
    def from_string(cls, text: str, base: "Config | None" = None) -> "Config":
        """The ``Config`` that :meth:`to_string` wrote.

        Fields missing from ``text`` keep their value in ``base`` (default ``Config()``),
        so a hand-written ``"dataset=xor&layers=1"`` works too.

        Raises
        ------
        ValueError
            For a pair that is not ``key=value``, an unknown or repeated key, a value of
            the wrong kind, or a combination ``Config`` refuses; the message names the key
            and what was expected.
        """
        if not isinstance(text, str):
            raise TypeError(f"from_string expects a str; got {type(text).__name__} {text!r:.60}")
        base = cls() if base is None else base
        fields = {f.name: f for f in dataclasses.fields(cls)}
        text = text.strip().lstrip("#?")
        if not text:
            raise ValueError("empty configuration string; expected key=value pairs joined by "
                             "'&', e.g. 'dataset=xor&layers=1'")
        values = {}
        for pair in text.split("&"):
            key, sep, raw = pair.partition("=")
            key = key.strip()
            if not sep or not key:
                raise ValueError(f"{pair!r} in the configuration string is not key=value; "
                                 f"expected pairs like 'layers=2' joined by '&'")
            if key not in fields:
                raise ValueError(f"unknown key {key!r} in the configuration string; expected "
                                 f"one of {', '.join(fields)}")
            if key in values:
                raise ValueError(f"key {key!r} appears twice in the configuration string")
            values[key] = _decode(key, unquote_plus(raw.strip()), fields[key].default)
        try:
            return base.replace(**values)
        except (ValueError, TypeError) as err:
            raise ValueError(f"configuration string refused: {err}") from None


def _encode(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):  # one width per layer (at least two, not all equal), or none
        return ",".join(map(str, value))
    if isinstance(value, float):
        return repr(value)
    return quote_plus(str(value), safe=",-_.")


def _decode(key: str, raw: str, like):
    """``raw`` read as the kind of value ``like`` is (the field's default)."""
    def bad(expected: str):
        return ValueError(f"{key}={raw!r} in the configuration string: expected {expected}")

    if key == "features":
        return tuple(raw.split(",")) if raw else ()
    if key == "units":
        if "," not in raw and raw:
            return _integer(raw, bad("an integer or integers separated by commas, e.g. 8,4"))
        parts = raw.split(",")
        error = bad("integers separated by commas, one per hidden layer, e.g. 8,4")
        return tuple(_integer(part, error) for part in parts) if raw else ()
    if isinstance(like, bool):
        if raw not in ("true", "false"):
            raise bad("true or false")
        return raw == "true"
    if isinstance(like, (int, np.integer)):
        return _integer(raw, bad("an integer"))
    if isinstance(like, float):
        try:
            value = float(raw)
        except ValueError:
            raise bad("a number, e.g. 0.01") from None
        if not math.isfinite(value):
            raise bad("a finite number")
        return value
    return raw


def _integer(raw: str, error: ValueError) -> int:
    if not re.fullmatch(r"[+-]?[0-9]+", raw):
        raise error
    return int(raw)


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


def plane(n: int, noise: float = 0.0, rng=None):
    r"""A regression plane: :math:`y = (x_1 + x_2)/3` plus noise, for uniform :math:`x \in [-1.5, 1.5]^2`.

    Returns
    -------
    X : ndarray, shape (n, 2)
    Y : ndarray, shape (n,), float targets (in [-1, 1] without noise)
    """
    rng = make_rng(rng)
    X = rng.uniform(-1.5, 1.5, (n, 2))
    return X, X.sum(axis=1) / 3.0 + noise * rng.standard_normal(n)


# Six bumps of alternating sign, as in TensorFlow Playground's "mix of Gaussians" (its
# centres scaled from its [-6, 6] square to ours).
_BUMPS = np.array([[-1.0, 0.625, 1.0], [0.0, 0.625, -1.0], [1.0, 0.625, 1.0],
                   [-1.0, -0.625, -1.0], [0.0, -0.625, 1.0], [1.0, -0.625, -1.0]])


def gaussians(n: int, noise: float = 0.0, rng=None, width: float = 0.35):
    r"""A regression target made of Gaussian bumps: :math:`y = \sum_k s_k e^{-\lVert x - c_k\rVert^2 / 2w^2}` plus noise.

    Six centres :math:`c_k` in two rows, signs :math:`s_k = \pm 1` alternating; ``x``
    uniform on :math:`[-1.5, 1.5]^2`.

    Returns
    -------
    X : ndarray, shape (n, 2)
    Y : ndarray, shape (n,), float targets (within about [-1, 1] without noise)
    """
    rng = make_rng(rng)
    X = rng.uniform(-1.5, 1.5, (n, 2))
    d2 = ((X[:, None, :] - _BUMPS[None, :, :2]) ** 2).sum(axis=2)
    y = np.exp(-d2 / (2 * width**2)) @ _BUMPS[:, 2]
    return X, y + noise * rng.standard_normal(n)


def feature_map(X, features) -> np.ndarray:
    """The network's inputs: the columns ``FEATURES[name](X)`` for each name in ``features``.

    Parameters
    ----------
    X : ndarray, shape (m, 2)
        Points :math:`(x_1, x_2)`.
    features : sequence of str, names in ``FEATURES``

    Returns
    -------
    ndarray, shape (m, len(features))
    """
    if tuple(features) == ("x1", "x2"):  # the identity map: no copy
        return X
    for name in features:
        choose("feature", name, tuple(FEATURES))
    return np.column_stack([FEATURES[name](X) for name in features])


def make_dataset(name: str, n: int, noise: float, rng=None):
    """Two classes, or a regression target, in the plane, roughly within [-1.5, 1.5] squared.

    ``"circles"`` and ``"spirals"`` (two arms) come from :mod:`nnkit.data`; ``"blobs"``
    are two Gaussians of standard deviation 0.4 around (-1, -1) and (1, 1), plus the
    noise; ``"xor"`` is :func:`xor_cloud`; ``"plane"`` and ``"gaussians"`` are
    :func:`plane` and :func:`gaussians` (regression).

    Returns
    -------
    X : ndarray, shape (n, 2)
    Y : ndarray, shape (n,), int labels 0 and 1 (float targets for regression)
    """
    choose("dataset", name, DATASETS)
    check_positive(noise, "noise", allow_zero=True)
    rng = make_rng(rng)
    if name == "plane":
        return plane(n, noise, rng)
    if name == "gaussians":
        return gaussians(n, noise, rng)
    if name == "xor":
        return xor_cloud(n, noise, rng)
    if name == "circles":
        return data.circles(n, noise, rng)
    if name == "spirals":
        return data.spirals(n, classes=2, noise=noise, rng=rng)
    X, Y = data.blobs(n, centers=[[-1.0, -1.0], [1.0, 1.0]], std=0.4, rng=rng)
    return X + noise * rng.standard_normal(X.shape), Y


_NOISE = {
    "xor": "σ of the Gaussian noise added to each coordinate (points lie in [-1, 1]²)",
    "circles": "σ of the Gaussian noise added to each coordinate (rings of radius 1 and 0.5)",
    "spirals": "σ of the Gaussian noise added to each point's angle, in radians "
               "(each arm turns through 4 radians)",
    "blobs": "σ of the Gaussian noise added to each coordinate, on top of the blobs' own "
             "σ = 0.4 around (-1, -1) and (1, 1)",
    "plane": "σ of the Gaussian noise added to each target y = (x₁ + x₂)/3, which lies in [-1, 1]",
    "gaussians": "σ of the Gaussian noise added to each target, a sum of bumps of height ±1",
}


def noise_meaning(dataset: str) -> str:
    """What the ``noise`` of :func:`make_dataset` means for ``dataset``, in one phrase."""
    return _NOISE[choose("dataset", dataset, DATASETS)]


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
    points, extent = grid.plane(mid - half, mid + half, resolution)
    return extent, points


# ---------------------------------------------------------------- network

def build_network(config: Config, rng=None) -> MLP:
    """The network ``config`` describes, as ``nk.MLP`` builds it.

    Each hidden layer is ``Dense -> [BatchNorm ->] activation``; the output is one
    ``Dense`` unit, followed by a ``Sigmoid`` when a classifier's loss is squared error
    (with cross-entropy the output is a logit; for regression it is the prediction).
    """
    output = "sigmoid" if config.loss == "squared error" and not config.regression else "identity"
    return MLP(config.sizes, activation=config.activation, output=output, init=config.init,
               rng=make_rng(rng), batchnorm=config.batch_norm)


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

def histograms(H: list, lo: float, hi: float, bins: int = 30):
    """Per layer, the fraction of activations in each of ``bins`` equal bins over [lo, hi].

    Values outside are counted in the first or the last bin (see
    :func:`nnkit.viz.histogram.fractions`), so a saturated or exploding layer shows as a
    spike at the edge rather than vanishing from view.

    Parameters
    ----------
    H : list of ndarray, each (n, n_l)

    Returns
    -------
    edges : ndarray, shape (bins + 1,)
    fractions : ndarray, shape (len(H), bins), each row summing to 1
    """
    edges = np.linspace(lo, hi, bins + 1)
    rows = [histogram.fractions(h, lo, hi, bins)[1] for h in H]
    return edges, np.array(rows).reshape(len(H), bins)


# ---------------------------------------------------------------- what went wrong

@dataclasses.dataclass(frozen=True)
class Finding:
    """One thing :func:`diagnose` noticed: what (``kind``), the evidence, what to change."""

    kind: str  # "diverged", "flat", "dead", "saturated" or "vanishing"
    message: str
    advice: str


# An output this close to a bound of its activation is saturated: its derivative is
# below 0.02 (tanh) or 0.01 (sigmoid), so little gradient passes it.
_SATURATED = {"tanh": lambda h: np.abs(h) > 0.99,
              "sigmoid": lambda h: (h < 0.01) | (h > 0.99)}


def diagnose(history: dict, hidden: list, activation: str, lr: float,
             diverged: str | None = None, window: int = 20, flat: float = 0.01,
             share: float = 0.5) -> list:
    r"""Why a run is not learning, from its history and its hidden activations.

    Parameters
    ----------
    history : dict
        ``Experiment.history``: ``"epoch"``, ``"train_loss"``, ``"grad_norms"`` are read.
    hidden : list of ndarray, each (m, n_l)
        Each hidden layer's activations on the training set.
    activation : str
        The hidden activation (dead units are looked for with ``"relu"``, saturation with
        ``"tanh"`` and ``"sigmoid"``).
    lr : float
        The learning rate, named in the advice.
    diverged : str, optional
        ``Experiment.diverged``; when given, that is the only finding.
    window : int
        The loss is *flat* when over the last ``window`` epochs it fell by less than a
        share ``flat`` of its value, while it is still above a tenth of where it started.
    share : float
        A layer is reported when at least this share of its units is dead (ReLU: 0 on
        every training point) or of its outputs is saturated.

    Returns
    -------
    list of Finding
        Empty when nothing looks wrong.
    """
    if diverged:
        return [Finding("diverged", diverged,
                        f"lower the learning rate (now {lr:.3g}), e.g. tenfold, and reset")]
    findings = []
    epochs, losses = np.asarray(history["epoch"], float), np.asarray(history["train_loss"], float)
    earlier = np.flatnonzero(epochs <= epochs[-1] - window)
    if earlier.size and np.isfinite(losses[[0, earlier[-1], -1]]).all():
        then, now, start = losses[earlier[-1]], losses[-1], losses[0]
        if then - now < flat * then and now > 0.1 * start:
            findings.append(Finding(
                "flat", f"the training loss has stayed near {now:.3g} for {window} epochs "
                        f"(it started at {start:.3g})",
                f"try a larger learning rate (now {lr:.3g}) or Adam, another activation or "
                f"initialisation, batch norm, or more units"))
    for l, h in enumerate(hidden, start=1):
        if activation == "relu":
            dead = int(np.sum(np.all(h <= 0, axis=0)))
            if dead and dead >= share * h.shape[1]:
                findings.append(Finding(
                    "dead", f"{dead} of {h.shape[1]} ReLU units of layer {l} are dead "
                            f"(0 on every training point, so they get no gradient)",
                    f"a dead unit never revives: reset with a lower learning rate (now {lr:.3g}), "
                    f"He initialisation, or leaky_relu / elu"))
        elif activation in _SATURATED and h.size:
            saturated = float(np.mean(_SATURATED[activation](h)))
            if saturated >= share:
                findings.append(Finding(
                    "saturated", f"{saturated:.0%} of layer {l}'s {activation} outputs are "
                                 f"saturated (their slope is near 0)",
                    "smaller initial weights (xavier), batch norm, or relu"))
    norms = np.asarray(history["grad_norms"][-1], float)
    if norms.size > 1 and np.isfinite(norms).all() and norms[-1] > 0 and norms[0] < 1e-3 * norms[-1]:
        findings.append(Finding(
            "vanishing", f"the first layer's gradient is {norms[0] / norms[-1]:.1e} of the "
                         f"output layer's",
            "relu, batch norm, or an initialisation that keeps the variance (xavier, he)"))
    return findings


def _number(x: float, spec: str = ".3f") -> str:
    """``x`` formatted, or a dash when it is not finite (never "nan" or "nan%").

    A huge finite value (a loss just before divergence) is written with an exponent,
    ``1.2e+273``, not as 274 digits.
    """
    if x is None or not math.isfinite(x):
        return "–"
    return format(x, ".3g" if abs(x) >= 1e6 and not spec.endswith("%") else spec)


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
        ``X`` is ``(n, 2)``, the points; ``Y`` is ``(n, 1)``, float 0/1 (or the target,
        for regression). The network sees :meth:`inputs` of the points.
    net : Sequential
    history : dict of str -> list
        One entry per recorded point (at the start and after every chunk):
        ``"epoch"``, ``"step"``, ``"train_loss"``, ``"test_loss"``, ``"train_acc"``,
        ``"test_acc"`` and ``"grad_norms"`` (per ``Dense`` layer, the mean over the
        chunk's steps of :math:`\lVert \partial L/\partial W^{(l)} \rVert`). Losses are
        the data's alone (without the penalty); accuracies are NaN for regression.
    diverged : str or None
        Why training stopped, when the loss or an output stopped being finite. After
        that, :meth:`probability`, :meth:`surface` and :meth:`hidden_activations` show
        the network as it was at the last finite record (:attr:`last_finite`).
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
        # The feature map, applied once to the points trained on and drawn most often.
        self._inputs_train = self.inputs(self.X_train)
        self._inputs_grid = self.inputs(self.grid)
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
        self._finite_net = None  # the network at the last record whose losses were finite
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
        # Units are compared as widths: units=8 and units=(8, 8) are the same two layers.
        changed = {k for k in changes if (config.hidden != self.config.hidden if k == "units"
                                          else getattr(config, k) != getattr(self.config, k))}
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
            return self._inputs_train, self.Y_train
        if self._order is None or self._cursor + b > n:
            # A fresh shuffle each epoch; the short tail of the last one is dropped so
            # every batch has b rows (batch norm needs at least two).
            self._order, self._cursor = self._batch_rng.permutation(n), 0
        idx = self._order[self._cursor:self._cursor + b]
        self._cursor += b
        return self._inputs_train[idx], self.Y_train[idx]

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
            self._penalize()
            self.optimizer.step()
        if not (np.isfinite(value) and all(np.isfinite(p.value).all() for p in self.optimizer.params)):
            return self._diverge("the weights")
        self.steps += 1
        self.seen += len(Xb)
        return value

    def inputs(self, X) -> np.ndarray:
        """The network's inputs for points ``X (m, 2)``: :func:`feature_map` with the config's features."""
        return feature_map(X, self.config.features)

    @property
    def penalty(self):
        """The config's ``nk.L1Penalty`` or ``nk.L2Penalty`` (on the weights, not the biases), or ``None``."""
        kind, lam = self.config.regularization, self.config.regularization_rate
        if kind == "none" or lam == 0.0:
            return None
        return (L1Penalty if kind == "L1" else L2Penalty)(lam)

    def penalty_value(self) -> float:
        r"""The penalty: :math:`\lambda \sum |W|` (L1), :math:`\frac{\lambda}{2} \sum W^2` (L2), or 0."""
        penalty = self.penalty
        return 0.0 if penalty is None else penalty(self.net.parameters())

    def _penalize(self) -> None:
        """Add the penalty's gradient to each weight's gradient, after ``backward``."""
        penalty = self.penalty
        if penalty is not None:
            penalty.backward(self.net.parameters())

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
            with np.errstate(over="ignore"):  # a huge finite gradient, just before divergence
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

    @property
    def last_finite(self) -> dict:
        """The latest history entry whose losses are finite (the start's, at worst)."""
        h = self.history
        for i in range(len(h["epoch"]) - 1, -1, -1):
            if math.isfinite(h["train_loss"][i]) and math.isfinite(h["test_loss"][i]):
                return {key: values[i] for key, values in h.items()}
        return self.last

    def diagnose(self, window: int = 20) -> list:
        """:func:`diagnose` of this run: a list of :class:`Finding`, empty when all looks well."""
        return diagnose(self.history, self.hidden_activations(), self.config.activation,
                        self.config.lr, self.diverged, window)

    def _record(self, grad_norms) -> None:
        train_loss, train_acc = self.evaluate(self.X_train, self.Y_train)
        test_loss, test_acc = self.evaluate(self.X_test, self.Y_test)
        if math.isfinite(train_loss) and math.isfinite(test_loss):
            # Kept so that a run that diverges later still shows its last sound state.
            self._finite_net = copy.deepcopy(self.net)
        for key, value in (("epoch", self.epoch), ("step", self.steps),
                           ("train_loss", train_loss), ("test_loss", test_loss),
                           ("train_acc", train_acc), ("test_acc", test_acc),
                           ("grad_norms", grad_norms)):
            self.history[key].append(value)

    @property
    def _shown_net(self):
        """The network to show: once diverged, the last finite one."""
        return self._finite_net if self.diverged and self._finite_net is not None else self.net

    def _forward_eval(self, X, net=None):
        """The output in evaluation mode (batch norm uses its running statistics)."""
        net = self.net if net is None else net
        with net.evaluating():
            return net.forward(X)

    def probability(self, X) -> np.ndarray:
        r""":math:`P(\text{class } 1 \mid x)` for each row of ``X (m, 2)``, shape ``(m,)``.

        For regression, the prediction :math:`\hat y` itself.
        """
        return self._predict(self.inputs(X))

    def _predict(self, inputs) -> np.ndarray:
        out = self._forward_eval(inputs, self._shown_net)[:, 0]
        return F.sigmoid(out) if self.config.loss == "cross-entropy" else out

    def evaluate(self, X, Y) -> tuple:
        """``(loss, accuracy)`` of the network on ``X (m, 2)``, ``Y (m, 1)``, in evaluation mode."""
        with np.errstate(over="ignore", invalid="ignore"):
            out = self._forward_eval(self.inputs(X))
        if not np.isfinite(out).all():
            return float("nan"), float("nan")
        # Finite outputs can still square to an overflow just before divergence is caught.
        with np.errstate(over="ignore"):
            loss = self._eval_loss(out, Y)
        if self.config.regression:
            return loss, float("nan")
        p = F.sigmoid(out) if self.config.loss == "cross-entropy" else out
        return loss, float(np.mean((p > 0.5) == (Y > 0.5)))

    def surface(self) -> np.ndarray:
        r""":math:`P(\text{class } 1)` (or :math:`\hat y`) on the grid, ``(resolution, resolution)``; rows follow :math:`x_2`."""
        with np.errstate(over="ignore", invalid="ignore"):
            p = self._predict(self._inputs_grid)
        unsure = 0.0 if self.config.regression else 0.5
        return np.nan_to_num(p, nan=unsure).reshape(self.resolution, self.resolution)

    def hidden_activations(self, X=None) -> list:
        """Each hidden layer's activations :math:`h^{(l)}` on ``X`` (default: the training set).

        Returns
        -------
        list of ndarray, one ``(m, n_l)`` per hidden layer, in evaluation mode
        """
        X = self._inputs_train if X is None else self.inputs(X)
        H = []
        net = self._shown_net
        with net.evaluating(), np.errstate(over="ignore", invalid="ignore"):
            for i, layer in enumerate(net.layers):
                X = layer.forward(X)
                if i in self._hidden_at:
                    H.append(X)
        return H

    def activation_histograms(self, bins: int = 30):
        """:func:`histograms` of :meth:`hidden_activations` over the activation's range
        (``nnkit.layers.ACTIVATIONS[activation].range``)."""
        return histograms(self.hidden_activations(), *ACTIVATIONS[self.config.activation].range, bins)

    def status(self) -> str:
        """One line for the progress display; after divergence, the last finite values."""
        last = self.last_finite
        where = (f" (last finite, at epoch {last['epoch']:.0f})"
                 if self.diverged or last["step"] != self.steps else "")
        text = (f"epoch {self.epoch:.0f}/{self.config.epochs} · step {self.steps} · "
                f"loss train {_number(last['train_loss'])}, test {_number(last['test_loss'])}"
                f"{where}")
        if not self.config.regression:
            text += (f" · accuracy train {_number(last['train_acc'], '.0%')}, "
                     f"test {_number(last['test_acc'], '.0%')}")
        return text if self.diverged is None else f"{text} · {self.diverged}"

    def __repr__(self) -> str:
        c = self.config
        arch = "-".join(map(str, c.sizes))
        return (f"Experiment({c.dataset}, {arch} {c.activation}, {c.loss}, "
                f"{c.optimizer} lr={c.lr:g}; {self.status()})")
