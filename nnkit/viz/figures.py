"""Figures several lectures share: decision surfaces and loss curves."""
from __future__ import annotations

import numpy as np

from nnkit.layers import Sigmoid

from .grid import plane
from .style import CMAP, COLORS, finish, new_figure

__all__ = ["predict_classes", "decision_surface", "loss_curves"]


def predict_classes(net, points) -> np.ndarray:
    """Class per row of ``points``, in evaluation mode: argmax of several outputs; for one
    output, > 1/2 when the network ends in a sigmoid (a probability) and > 0 otherwise (a logit)."""
    with net.evaluating():
        out = net.forward(points)
    if out.shape[1] > 1:
        return out.argmax(axis=1)
    last = net.layers[-1] if hasattr(net, "layers") and net.layers else net
    threshold = 0.5 if isinstance(last, Sigmoid) else 0.0
    return (out[:, 0] > threshold).astype(int)


def decision_surface(net, X, Y, ax=None, title="Decision regions", resolution=150):
    """Colour the plane by the class ``net`` predicts, with the data on top.

    Parameters
    ----------
    net : Layer
        Maps ``(m, 2)`` to ``(m, K)`` scores.
    X : ndarray, shape (n, 2)
    Y : ndarray, shape (n,) int labels, or (n, 1) 0/1 targets
    """
    fig, ax = new_figure() if ax is None else (ax.figure, ax)
    labels = np.asarray(Y).reshape(len(X), -1)
    labels = labels[:, 0].astype(int) if labels.shape[1] == 1 else labels.argmax(axis=1)
    margin = 0.3
    points, _ = plane(X.min(axis=0) - margin, X.max(axis=0) + margin, resolution)
    xx, yy = (points[:, i].reshape(resolution, resolution) for i in (0, 1))
    classes = predict_classes(net, points).reshape(xx.shape)
    k = max(int(labels.max()), int(classes.max())) + 1
    ax.contourf(xx, yy, classes, levels=np.arange(k + 1) - 0.5, cmap=CMAP, alpha=0.3,
                vmin=-0.5, vmax=CMAP.N - 0.5)
    for c in range(k):
        mask = labels == c
        ax.scatter(X[mask, 0], X[mask, 1], s=14, color=COLORS[c % len(COLORS)],
                   edgecolor="white", linewidth=0.4, label=f"class {c}")
    finish(ax, title, "$x_1$", "$x_2$")
    return fig


def loss_curves(curves: dict, ax=None, title="Training loss", xlabel="epoch", log=False):
    """One line per named sequence of losses, e.g. ``{"train": h.loss, "validation": h.val_loss}``."""
    fig, ax = new_figure() if ax is None else (ax.figure, ax)
    for name, values in curves.items():
        ax.plot(np.arange(1, len(values) + 1), values, label=name)
    if log:
        ax.set_yscale("log")
    finish(ax, title, xlabel, "loss", legend=len(curves) > 1)
    return fig
