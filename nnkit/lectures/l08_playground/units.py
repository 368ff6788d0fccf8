r"""What each unit computes: its output over the plane, and the weights that feed it (numpy only).

TensorFlow Playground draws every unit of the network as a small picture of its output
:math:`h^{(l)}_j(x)` over the plane, joined by one line per weight. This module computes
what those pictures and lines show; :mod:`.figures_network` draws them.

- :func:`layer_outputs`: every layer's output on the experiment's grid, in one forward pass;
- :func:`unit_outputs`: the hidden layers' outputs as pictures, one
  ``(resolution, resolution)`` picture per unit;
- :func:`input_pictures`, :func:`output_picture`: the same for the network's inputs (the
  features) and its output, so the drawing reads from the data to the prediction;
- :func:`weights`: the weight matrices :math:`W^{(l)}` of the network being shown;
- :func:`line_widths`: a weight's line width, proportional to :math:`|w|`;
- :class:`Layout`: where each unit's picture sits in the one tiled image, and where each
  weight's line runs.
"""
from __future__ import annotations

import numpy as np

from nnkit import functional as F
from nnkit.layers import Dense

__all__ = ["WIDTH_PER_WEIGHT", "MAX_WIDTH", "layer_outputs", "unit_outputs", "input_pictures",
           "output_picture", "pictures", "weights", "line_widths", "largest", "scaled", "Layout"]

# A weight of 1 is drawn 1.5 points wide; lines stop growing at 6 points (|w| = 4), so that a
# few large weights do not cover the picture.
WIDTH_PER_WEIGHT = 1.5
MAX_WIDTH = 6.0


def layer_outputs(experiment) -> tuple:
    r"""Every layer's output on the experiment's grid, from one forward pass.

    In evaluation mode (batch norm uses its running statistics), by the network being
    shown: after divergence, the last finite one, like :meth:`Experiment.surface`.

    Returns
    -------
    hidden : list of ndarray, one ``(R**2, n_l)`` per hidden layer
        :math:`h^{(l)}` at the grid's points (``Experiment.grid``, row-major).
    prediction : ndarray, shape (R**2,)
        :math:`P(\text{class } 1)`, or :math:`\hat y` for regression (``Experiment.surface``
        before its reshape).
    """
    net = _shown_network(experiment)
    X = experiment.inputs(experiment.grid)
    hidden = []
    with net.evaluating(), np.errstate(over="ignore", invalid="ignore"):
        for i, layer in enumerate(net.layers):
            if i and isinstance(layer, Dense):  # what enters a Dense but the first: a hidden layer's h
                hidden.append(X)
            X = layer.forward(X)
    # With cross-entropy the network's output is a logit (see compute.build_network).
    prediction = F.sigmoid(X[:, 0]) if experiment.config.loss == "cross-entropy" else X[:, 0]
    return hidden, prediction


def unit_outputs(experiment, every: int = 1) -> list:
    r"""Each hidden unit's output :math:`h^{(l)}_j` over the plane, as pictures.

    Parameters
    ----------
    experiment : Experiment
    every : int
        Keep every ``every``-th grid point along each axis (a coarser picture, e.g. for
        thumbnails); 1 keeps the whole grid.

    Returns
    -------
    list of ndarray, one ``(n_l, r, r)`` per hidden layer ``l = 1 .. L-1``
        ``[l-1][j, row, col]`` is unit ``j``'s output (counted from 0) at the grid point of
        that row (:math:`x_2`) and column (:math:`x_1`), as in :meth:`Experiment.surface`;
        ``r = ceil(resolution / every)``.
    """
    hidden, _ = layer_outputs(experiment)
    return [pictures(h, experiment.resolution, every) for h in hidden]


def input_pictures(experiment, every: int = 1) -> np.ndarray:
    """The network's inputs (the config's features) over the plane, ``(n_0, r, r)``."""
    return pictures(experiment.inputs(experiment.grid), experiment.resolution, every)


def output_picture(prediction: np.ndarray, regression: bool) -> np.ndarray:
    r"""The output on a signed scale: :math:`2P(\text{class } 1) - 1` for a classifier, :math:`\hat y` for regression.

    Either way 0 is where a classifier is unsure and the surface is white, and the
    useful range is [-1, 1]. Same shape as ``prediction``.
    """
    return prediction if regression else 2.0 * prediction - 1.0


def pictures(h: np.ndarray, resolution: int, every: int = 1) -> np.ndarray:
    """Columns of ``h (resolution**2, n)`` as ``(n, r, r)`` pictures, every ``every``-th point."""
    # Subsample before the transpose, so that only the kept points are copied.
    grid = h.reshape(resolution, resolution, -1)[::every, ::every]
    return np.ascontiguousarray(grid.transpose(2, 0, 1))


def _shown_network(experiment):
    # The experiment keeps the last finite network for its pictures once a run diverged.
    return experiment._shown_net


def weights(experiment) -> list:
    r"""The weight matrices :math:`W^{(1)}, \dots, W^{(L)}` of the network shown, each ``(n_l, n_{l-1})``.

    After divergence, those of the last finite network, like the surface.
    """
    return [layer.W for layer in _shown_network(experiment).layers if isinstance(layer, Dense)]


def line_widths(W: np.ndarray) -> np.ndarray:
    r"""Line widths in points for weights ``W``: :math:`1.5\,|w|`, at most ``MAX_WIDTH``.

    A weight that is not finite gets width 0 (it is not drawn).
    """
    width = np.minimum(WIDTH_PER_WEIGHT * np.abs(W), MAX_WIDTH)
    return np.where(np.isfinite(width), width, 0.0)


def largest(h: np.ndarray) -> float:
    """The largest finite ``|value|`` of ``h``, or 1 if there is none above 0 (the scale :func:`scaled` takes)."""
    top = np.abs(h).max(initial=0.0)
    if not np.isfinite(top):  # rare (a diverging run): only then the copy that drops them
        top = np.abs(h[np.isfinite(h)]).max(initial=0.0)
    return float(top) if top > 0 else 1.0


def scaled(pictures: np.ndarray, top: float | None = None) -> np.ndarray:
    """``pictures (k, ...)`` divided by ``top`` into [-1, 1]; without ``top``, each by its own :func:`largest`.

    A layer's units share one ``top`` (the layer's :func:`largest`), so a weak unit looks
    pale beside a strong one. An all-zero picture (a dead ReLU) stays 0; values that are
    not finite become 0.
    """
    pictures = np.asarray(pictures, float)
    if top is None:
        top = np.array([largest(p) for p in pictures]).reshape(-1, *[1] * (pictures.ndim - 1))
    with np.errstate(invalid="ignore"):
        out = pictures / top
    return np.clip(np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0), -1.0, 1.0)


class Layout:
    """Where the pictures of a network ``sizes = [n_0, ..., n_L]`` go in one tiled image.

    Column ``l`` holds layer ``l``'s units, top to bottom (column 0 the inputs, the last
    the output). Each picture is ``r x r`` cells; columns are ``gap`` pictures apart, so
    the weights' lines run through the space between them, and pictures in a column are
    ``r / 4`` cells apart.

    Parameters
    ----------
    sizes : sequence of int
        Units per layer, inputs first.
    r : int
        Side of each picture, in cells.
    gap : float
        Space between columns, in pictures.

    Attributes
    ----------
    shape : (int, int)
        The tiled image's rows and columns.
    corners : list of ndarray, one ``(n_l, 2)`` per layer
        Top-left cell ``(row, col)`` of each unit's picture.
    """

    def __init__(self, sizes, r: int, gap: float = 1.5):
        self.sizes, self.r = [int(n) for n in sizes], int(r)
        step_col, self.step_row = int(round((1 + gap) * r)), r + max(1, r // 4)
        rows = max(self.sizes) * self.step_row - (self.step_row - r)
        self.shape = (rows, (len(self.sizes) - 1) * step_col + r)
        self.corners = [np.column_stack([np.arange(n) * self.step_row, np.full(n, l * step_col)])
                        for l, n in enumerate(self.sizes)]
        # Flat index of every picture cell in the tiled image, in the order of
        # np.concatenate(pictures).ravel(): one assignment fills the whole image.
        cell = (np.arange(r)[:, None] * self.shape[1] + np.arange(r)[None, :]).ravel()
        starts = np.concatenate([c[:, 0] * self.shape[1] + c[:, 1] for c in self.corners])
        self._flat = (starts[:, None] + cell[None, :]).ravel()

    @property
    def count(self) -> int:
        """Pictures in all: every unit of every layer."""
        return sum(self.sizes)

    def tile(self, pictures) -> np.ndarray:
        """One image of ``pictures`` (all units' ``(r, r)`` pictures, layer by layer), NaN between them.

        Parameters
        ----------
        pictures : sequence of ndarray, one ``(n_l, r, r)`` per layer, inputs first

        Returns
        -------
        ndarray, shape ``self.shape``; rows run downwards (``imshow``'s default origin)
            A picture's own rows follow :math:`x_2` upwards, so each is flipped on its way in.
        """
        stack = np.concatenate([np.asarray(p, float) for p in pictures])
        if stack.shape != (self.count, self.r, self.r):
            raise ValueError(f"pictures must be {self.count} of shape ({self.r}, {self.r}) for "
                             f"sizes {self.sizes}; got {stack.shape}")
        image = np.full(self.shape, np.nan)
        image.flat[self._flat] = stack[:, ::-1, :].ravel()
        return image

    def box(self, layer: int, unit: int) -> tuple:
        """``(left, top, right, bottom)`` of a unit's picture, in image coordinates (cell edges)."""
        top, left = self.corners[layer][unit]
        return left - 0.5, top - 0.5, left + self.r - 0.5, top + self.r - 0.5

    def segments(self) -> np.ndarray:
        r"""One line per weight, from the right edge of unit ``i`` in layer ``l-1`` to the left edge of unit ``j`` in layer ``l``.

        Returns
        -------
        ndarray, shape ``(sum n_l n_{l-1}, 2, 2)``, points ``(x, y)`` in image coordinates
            In the order of ``np.concatenate([W.ravel() for W in weights])``, with each
            ``W`` of shape ``(n_l, n_{l-1})`` (row ``j``, column ``i``).
        """
        half = self.r / 2 - 0.5
        parts = []
        for l in range(1, len(self.sizes)):
            src, dst = self.corners[l - 1], self.corners[l]
            start = np.column_stack([src[:, 1] + self.r - 0.5, src[:, 0] + half])  # (n_{l-1}, 2)
            end = np.column_stack([dst[:, 1] - 0.5, dst[:, 0] + half])  # (n_l, 2)
            j, i = np.meshgrid(np.arange(len(dst)), np.arange(len(src)), indexing="ij")
            parts.append(np.stack([start[i.ravel()], end[j.ravel()]], axis=1))
        return np.concatenate(parts) if parts else np.zeros((0, 2, 2))
