"""Lecture 09's figures. Every function returns a ``matplotlib.figure.Figure``.

Many small images are drawn as one mosaic in one axes (``mosaic``), so that every figure has
a title and labelled axes and draws fast.
"""
from __future__ import annotations

import numpy as np

from ...viz.style import COLORS, finish, new_figure

__all__ = ["mosaic", "digit_grid", "class_counts", "pixel_spread", "sweep_curves", "l2_gap",
           "early_stopping", "confusion", "mistakes", "weight_images"]

GREYS = "gray_r"     # ink dark on white, as the digits were written
DIVERGING = "PuOr"   # a colour-blind-safe diverging map for signed weights


def mosaic(images, cols: int, gap: int = 1) -> np.ndarray:
    """Tile ``images (m, h, w)`` into rows of ``cols``, separated by ``gap`` NaN pixels.

    Returns
    -------
    ndarray, shape (rows (h + gap) - gap, cols (w + gap) - gap)
        NaN between and after the tiles (drawn as background).
    """
    images = np.asarray(images, dtype=float)
    m, h, w = images.shape
    rows = -(-m // cols)
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), np.nan)
    for k, image in enumerate(images):
        r, c = divmod(k, cols)
        out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = image
    return out


def _centres(count: int, size: int = 8, gap: int = 1) -> np.ndarray:
    return np.arange(count) * (size + gap) + (size - 1) / 2


def digit_grid(X, y, per_class: int = 12, rng=0):
    """The first ``per_class`` examples of each digit (in a random order), one row per digit."""
    order = np.random.default_rng(rng).permutation(len(y))
    rows = [order[y[order] == c][:per_class] for c in range(10)]
    fig, ax = new_figure(width=6.0, height=5.6)
    ax.imshow(mosaic(X[np.concatenate(rows)].reshape(-1, 8, 8), per_class), cmap=GREYS,
              vmin=0, vmax=16, interpolation="nearest")
    ax.set_yticks(_centres(10), [str(c) for c in range(10)])
    ax.set_xticks(_centres(per_class), [str(k + 1) for k in range(per_class)], fontsize="small")
    finish(ax, f"{per_class} examples of each digit (8 × 8 pixels, ink 0 to 16)", "example", "digit")
    return fig


def class_counts(parts: dict):
    """Grouped bars: how many examples of each digit each part holds, ``{name: y}``."""
    fig, ax = new_figure(width=6.4, height=3.4)
    width = 0.8 / len(parts)
    for k, (name, y) in enumerate(parts.items()):
        counts = np.bincount(y, minlength=10)
        ax.bar(np.arange(10) + (k - (len(parts) - 1) / 2) * width, counts, width,
               color=COLORS[k], label=f"{name} ({len(y)})")
    ax.set_xticks(range(10))
    finish(ax, "Examples per digit in each part", "digit", "examples", legend=True)
    return fig


def pixel_spread(std):
    """The training standard deviation of each pixel, as an 8x8 picture."""
    fig, ax = new_figure(width=4.6, height=3.8)
    image = ax.imshow(np.asarray(std).reshape(8, 8), cmap="viridis", interpolation="nearest")
    fig.colorbar(image, ax=ax, label="std of the pixel (in units of 16)")
    finish(ax, "How much each pixel varies (training part)", "pixel column", "pixel row")
    return fig


def sweep_curves(histories: dict):
    """Training and validation loss per epoch, one colour per learning rate, ``{lr: History}``."""
    fig, (ax_t, ax_v) = new_figure(2, 1, width=4.4, height=3.4, sharey=True)
    for k, (lr, h) in enumerate(histories.items()):
        epochs = np.arange(1, len(h.loss) + 1)
        ax_t.plot(epochs, h.loss, color=COLORS[k], label=f"lr = {lr:g}")
        ax_v.plot(epochs, h.val_loss, color=COLORS[k], label=f"lr = {lr:g}")
    ax_t.set_yscale("log")
    finish(ax_t, "training loss", "epoch", "cross-entropy", legend=True)
    finish(ax_v, "validation loss", "epoch", "cross-entropy", legend=False)
    fig.suptitle("Adam, batches of 64: one run per learning rate from the same start")
    return fig


def l2_gap(runs: dict):
    """Left: train (dashed) and validation (solid) loss per epoch per L2 strength; right: the
    final losses and their gap, ``{lam: (History, train_loss, val_loss)}``."""
    fig, (ax_c, ax_g) = new_figure(2, 1, width=4.6, height=3.6)
    lams = list(runs)
    for k, lam in enumerate(lams):
        h = runs[lam][0]
        epochs = np.arange(1, len(h.loss) + 1)
        ax_c.plot(epochs, h.loss, "--", color=COLORS[k])
        ax_c.plot(epochs, h.val_loss, color=COLORS[k], label=f"λ = {lam:g}")
    ax_c.set_yscale("log")
    finish(ax_c, "dashed: training, solid: validation", "epoch", "cross-entropy (no penalty)",
           legend=True)
    x = np.arange(len(lams))
    train = [runs[lam][1] for lam in lams]
    val = [runs[lam][2] for lam in lams]
    ax_g.bar(x - 0.2, train, 0.4, color=COLORS[4], label="training")
    ax_g.bar(x + 0.2, val, 0.4, color=COLORS[5], label="validation")
    for xi, t, v in zip(x, train, val):
        ax_g.annotate(f"gap {v - t:.3f}", (xi, v), textcoords="offset points", xytext=(0, 3),
                      ha="center", fontsize="small")
    ax_g.set_xticks(x, [f"{lam:g}" for lam in lams])
    finish(ax_g, "final losses and their gap", "L2 strength λ", "cross-entropy (no penalty)",
           legend=True)
    return fig


def early_stopping(history, patience: int):
    """Training and validation loss of an early-stopped run; the kept epoch marked."""
    fig, ax = new_figure(width=6.0, height=3.6)
    epochs = np.arange(1, len(history.loss) + 1)
    best = int(np.argmin(history.val_loss))
    ax.plot(epochs, history.loss, color=COLORS[0], label="training")
    ax.plot(epochs, history.val_loss, color=COLORS[5], label="validation")
    ax.axvline(best + 1, color="0.4", ls=":", label=f"kept: epoch {best + 1}")
    ax.axvspan(best + 1, len(epochs), color="0.9", zorder=0,
               label=f"{patience} epochs without a better validation loss")
    ax.set_yscale("log")
    finish(ax, "Early stopping keeps the best validation epoch", "epoch",
           "cross-entropy", legend=True)
    return fig


def confusion(C):
    """The confusion matrix with its counts; the diagonal is what was right."""
    C = np.asarray(C)
    fig, ax = new_figure(width=5.4, height=4.6)
    image = ax.imshow(np.log1p(C), cmap="Blues", interpolation="nearest")
    for (i, j), count in np.ndenumerate(C):
        if count:
            ax.text(j, i, str(count), ha="center", va="center", fontsize="small",
                    color="white" if C[i, j] > C.max() / 2 else "black")
    ax.set_xticks(range(len(C)))
    ax.set_yticks(range(len(C)))
    fig.colorbar(image, ax=ax, label="log(1 + count)")
    accuracy = np.trace(C) / C.sum()
    finish(ax, f"Test set: {np.trace(C)} of {C.sum()} right ({accuracy:.1%})", "predicted digit",
           "true digit")
    return fig


def mistakes(pixels, y, P, order):
    """The test digits listed in ``order``, each with its true label, the answer and its probability."""
    order = np.asarray(order)
    fig, ax = new_figure(width=max(3.0, 0.75 * len(order) + 0.8), height=2.6)
    ax.imshow(mosaic(np.asarray(pixels)[order].reshape(-1, 8, 8), max(len(order), 1)),
              cmap=GREYS, vmin=0, vmax=16, interpolation="nearest")
    predicted = P[order].argmax(axis=1)
    ax.set_xticks(_centres(len(order)),
                  [f"{t} → {p}\n{P[i, p]:.0%}" for i, t, p in zip(order, y[order], predicted)],
                  fontsize="small")
    ax.set_yticks([])
    finish(ax, "The most confidently wrong test digits", "true → predicted, its probability", "8 × 8 image")
    return fig


def weight_images(images, cols: int = 16):
    """The first layer's weight rows as 8x8 pictures, one per hidden unit, on one symmetric scale."""
    images = np.asarray(images)
    limit = np.abs(images).max()
    rows = -(-len(images) // cols)
    fig, ax = new_figure(width=7.0, height=0.55 * rows + 1.4)
    shown = ax.imshow(mosaic(images, cols), cmap=DIVERGING, vmin=-limit, vmax=limit,
                      interpolation="nearest")
    ax.set_xticks(_centres(cols)[::4], [str(k) for k in range(0, cols, 4)])
    ax.set_yticks(_centres(rows), [str(r * cols) for r in range(rows)])
    fig.colorbar(shown, ax=ax, label="weight", shrink=0.8)
    finish(ax, "What each hidden unit looks for: its 64 input weights", "unit (column in the row)",
           "first unit of the row")
    return fig
