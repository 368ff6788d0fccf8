"""Figures of lecture 07's regularisation, loss-curve and schedule sections. Each returns a ``Figure``."""
from __future__ import annotations

import numpy as np

from nnkit.viz.style import COLORS, finish, new_figure

__all__ = ["weight_magnitudes", "regime_curves", "train_validation", "schedule_panels"]


def weight_magnitudes(weights: dict, tol: float = 1e-3,
                      title: str = "First-layer weights after training with a penalty"):
    """Histograms of ``log10 |w|`` per penalty, with the near-zero threshold ``tol`` marked.

    Parameters
    ----------
    weights : dict of str -> ndarray
        Penalty name -> weight matrix.
    """
    fig, ax = new_figure(width=6.0)
    logs = {name: np.log10(np.maximum(np.abs(W).ravel(), 1e-12)) for name, W in weights.items()}
    lo = np.floor(min(v.min() for v in logs.values()))
    hi = np.ceil(max(v.max() for v in logs.values()))
    edges = np.linspace(lo, hi, 40)
    for i, (name, values) in enumerate(logs.items()):
        share = np.mean(values < np.log10(tol))
        ax.hist(values, edges, color=COLORS[i % len(COLORS)], alpha=0.6,
                label=f"{name}: {share:.0%} below {tol:g}")
    ax.axvline(np.log10(tol), color="0.3", ls="--", lw=1.0, label=f"|w| = {tol:g}")
    finish(ax, title, r"$\log_{10} |w|$", "weights", legend=True)
    return fig


def regime_curves(regimes, title: str = "Reading loss curves: three learning rates"):
    """Training loss per epoch for each :class:`~.regularisation.Regime`, on a log scale.

    A run stopped by an error (a NaN) is drawn at the top edge, its value written beside
    it, and ends in a cross where the NaN came; the axis stays scaled to the other runs.
    """
    fig, ax = new_figure(width=6.0)
    finite = [max(r.loss) for r in regimes if not r.error and r.loss]
    top = 10 * max(finite) if finite else None
    for i, regime in enumerate(regimes):
        color = COLORS[i % len(COLORS)]
        epochs = np.arange(1, len(regime.loss) + 1)
        if not regime.error or top is None:
            ax.plot(epochs, regime.loss, color=color, label=f"lr = {regime.lr:g}")
            continue
        shown = np.minimum(regime.loss, top)
        ax.plot(epochs, shown, color=color, marker="^", label=f"lr = {regime.lr:g} (then NaN: fit stops)")
        ax.scatter([len(epochs) + 1], [shown[-1]], marker="x", s=60, color=color, zorder=3)
        if regime.loss[-1] > top:
            ax.annotate(f" loss {regime.loss[-1]:.1e}, off the scale", (epochs[-1], top),
                        xytext=(8, -14), textcoords="offset points", color=color, fontsize="small")
    ax.set_yscale("log")
    finish(ax, title, "epoch", "training loss (log scale)", legend=True)
    return fig


def train_validation(histories: dict, title: str = "Training against validation loss",
                     best_epoch: int | None = None, log: bool = True):
    """Training (solid) and validation (dashed) loss per epoch, one colour per named run.

    ``best_epoch`` (from 0), if given, is marked with a vertical line (early stopping).
    """
    fig, ax = new_figure(width=6.0)
    for i, (name, history) in enumerate(histories.items()):
        color = COLORS[i % len(COLORS)]
        epochs = np.arange(1, len(history.loss) + 1)
        ax.plot(epochs, history.loss, color=color, label=f"{name}: training")
        ax.plot(epochs, history.val_loss, color=color, ls="--", label=f"{name}: validation")
    if best_epoch is not None:
        ax.axvline(best_epoch + 1, color="0.3", ls=":", lw=1.2, label=f"best epoch {best_epoch + 1}")
    if log:
        ax.set_yscale("log")
    finish(ax, title, "epoch", "loss" + (" (log scale)" if log else ""), legend=True)
    return fig


def schedule_panels(histories: dict, title: str = "One problem, four learning-rate schedules"):
    """Left: the rate per epoch (``History.lr``); right: the training loss per epoch."""
    fig, (ax_lr, ax_loss) = new_figure(ncols=2, width=5.0)
    for i, (name, history) in enumerate(histories.items()):
        color = COLORS[i % len(COLORS)]
        epochs = np.arange(1, len(history.lr) + 1)
        ax_lr.plot(epochs, history.lr, color=color, label=name)
        ax_loss.plot(epochs, history.loss, color=color, label=name)
    ax_loss.set_yscale("log")
    finish(ax_lr, "Learning rate", "epoch", "learning rate", legend=True)
    finish(ax_loss, "Training loss", "epoch", "training loss (log scale)", legend=True)
    fig.suptitle(title)
    return fig
