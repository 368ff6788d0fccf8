"""Figures of lecture 07 (training in practice). Every function returns a ``Figure``.

The ``draw_*`` helpers draw into a given axes and return the artists a widget later
updates in place; the public functions build whole figures from them.
"""
from __future__ import annotations

import numpy as np

from nnkit.viz.style import COLORS, finish, new_figure

__all__ = [
    "preprocessing_steps", "layer_histograms", "layer_spread", "variance_ratios",
    "feature_scatter", "running_statistics", "loss_panels", "lr_sweep", "log_sampling",
    "search_layouts", "coarse_to_fine",
]


# ---------------------------------------------------------------- preprocessing


def covariance_ellipse(X, k: float = 2.0, points: int = 100):
    """``(points, 2)`` outline of the ``k``-standard-deviation ellipse of ``X (n, 2)``."""
    mean = X.mean(axis=0)
    Xc = X - mean
    lam, U = np.linalg.eigh(Xc.T @ Xc / len(X))
    t = np.linspace(0.0, 2 * np.pi, points)
    circle = np.column_stack([np.cos(t), np.sin(t)])
    return mean + k * (circle * np.sqrt(np.maximum(lam, 0.0))) @ U.T


def draw_cloud(ax, X, color=COLORS[0]):
    """Scatter ``X (n, 2)`` with its 2-sigma ellipse; returns ``(scatter, ellipse_line)``."""
    ax.axhline(0.0, color="0.8", lw=0.8, zorder=0)
    ax.axvline(0.0, color="0.8", lw=0.8, zorder=0)
    dots = ax.scatter(X[:, 0], X[:, 1], s=6, color=color, alpha=0.5, linewidth=0)
    (ellipse,) = ax.plot(*covariance_ellipse(X).T, color=COLORS[5], lw=1.5, label="2σ ellipse")
    ax.set_aspect("equal", adjustable="datalim")
    return dots, ellipse


def preprocessing_steps(steps: dict, title: str = "Preprocessing, step by step"):
    """One panel per step: the cloud, its 2-sigma ellipse and the axes through 0.

    Parameters
    ----------
    steps : dict of str -> ndarray, shape (n, 2)
        E.g. ``{"original": X, "centred": nk.preprocess.center(X), ...}``, in order.
    """
    fig, axes = new_figure(len(steps), 1, width=2.9, height=3.0)
    axes = np.atleast_1d(axes)
    # The same square window in every panel, so that the steps can be compared.
    everything = np.vstack(list(steps.values()))
    lo, hi = everything.min(axis=0), everything.max(axis=0)
    centre, half = (lo + hi) / 2, 0.55 * (hi - lo).max()
    for i, (ax, (name, X)) in enumerate(zip(axes, steps.items())):
        draw_cloud(ax, X, COLORS[i % 5])
        ax.set_xlim(centre[0] - half, centre[0] + half)
        ax.set_ylim(centre[1] - half, centre[1] + half)
        ax.set_aspect("equal", adjustable="box")
        finish(ax, name, "$x_1$", "$x_2$", legend=False)
    fig.suptitle(title)
    return fig


# ---------------------------------------------------------------- initialisation


def draw_ridgeline(ax, stats, spacing: float = 1.0):
    """Per-layer histograms stacked upwards (layer 1 at the bottom); returns the step patches.

    Each histogram is scaled so that its tallest bin reaches 0.9 of ``spacing``.
    """
    patches = []
    for l, hist in enumerate(stats.hist):
        offset = l * spacing
        patches.append(ax.stairs(offset + _scaled(hist, spacing), stats.edges, baseline=offset,
                                 fill=True, facecolor=COLORS[4], edgecolor=COLORS[0], lw=1.0,
                                 alpha=0.8))
    ax.set_yticks(np.arange(len(stats.hist)) * spacing)
    ax.set_yticklabels([str(l + 1) for l in range(len(stats.hist))])
    _ridgeline_limits(ax, stats, spacing)
    return patches


def _ridgeline_limits(ax, stats, spacing):
    # A small margin, so that a pile-up in an edge bin is not hidden by the frame.
    margin = 0.03 * (stats.edges[-1] - stats.edges[0])
    ax.set_xlim(stats.edges[0] - margin, stats.edges[-1] + margin)
    ax.set_ylim(-0.1 * spacing, len(stats.hist) * spacing)


def _scaled(hist, spacing):
    top = hist.max()
    return 0.9 * spacing * hist / top if top > 0 else np.zeros_like(hist)


def update_ridgeline(patches, stats, spacing: float = 1.0):
    """Put ``stats``'s histograms into the patches ``draw_ridgeline`` returned."""
    for l, (patch, hist) in enumerate(zip(patches, stats.hist)):
        offset = l * spacing
        patch.set_data(offset + _scaled(hist, spacing), stats.edges, baseline=offset)
    _ridgeline_limits(patches[0].axes, stats, spacing)


def layer_histograms(study: dict, title: str = "Activations per layer"):
    """One ridgeline panel per entry: the histogram of ``h^(l)`` for every layer l.

    Parameters
    ----------
    study : dict of str -> LayerStats
        E.g. ``{"small": ..., "large": ..., "Xavier": ...}`` (see ``compute``).
    """
    fig, axes = new_figure(len(study), 1, width=3.2, height=3.6)
    axes = np.atleast_1d(axes)
    for i, (ax, (name, stats)) in enumerate(zip(axes, study.items())):
        draw_ridgeline(ax, stats)
        finish(ax, name, "activation $h$", "layer")
    # On one line where the panels are wide enough for it; narrower, the note goes below
    # (a title wider than the figure would reach past the picture's edges).
    sep = " " if len(study) > 2 else "\n"
    fig.suptitle(title + sep + "(values beyond the range are counted in the edge bins)", fontsize="medium")
    return fig


def layer_spread(study: dict, title: str = "Spread of the activations per layer"):
    """Standard deviation of ``h^(l)`` against the layer, one line per entry, log scale."""
    fig, ax = new_figure(width=5.5)
    for i, (name, stats) in enumerate(study.items()):
        layers = np.arange(1, len(stats.std) + 1)
        std = np.where(stats.std > 0, stats.std, np.nan)  # log scale: leave exact zeros out
        # A marker and a dash per line as well as a colour: lines that coincide stay visible.
        ax.plot(layers, std, marker="osD^vP"[i % 6], ms=4, ls=("-", "--", ":")[i % 3], mfc="none",
                color=COLORS[i % len(COLORS)], label=name)
    ax.set_yscale("log")
    finish(ax, title, "layer $l$", r"std of $h^{(l)}$")
    return fig


def variance_ratios(study: dict, title: str = "Variance ratio from one layer to the next"):
    r""":math:`\mathrm{Var}\,h^{(l+1)}/\mathrm{Var}\,h^{(l)}` per layer, with reference lines at 1/2 and 1."""
    fig, ax = new_figure(width=5.5)
    for i, (name, stats) in enumerate(study.items()):
        ratio = stats.var_ratio
        ax.plot(np.arange(2, len(ratio) + 2), ratio, marker="o", ms=3,
                color=COLORS[i % len(COLORS)], label=name)
    for level in (0.5, 1.0):
        ax.axhline(level, color="0.6", ls="--", lw=0.8)
    ax.set_ylim(0.0, 1.4)
    finish(ax, title, "layer $l + 1$", r"$\mathrm{Var}\,h^{(l+1)} / \mathrm{Var}\,h^{(l)}$")
    return fig


# ---------------------------------------------------------------- batch norm


def feature_scatter(panels: dict, title: str = "Two features over a batch"):
    """One scatter panel per entry ``name -> array (n, 2)`` (e.g. before/after batch norm)."""
    fig, axes = new_figure(len(panels), 1, width=3.4, height=3.2)
    axes = np.atleast_1d(axes)
    for i, (ax, (name, Z)) in enumerate(zip(axes, panels.items())):
        draw_cloud(ax, Z, COLORS[i % 5])
        finish(ax, name, "feature 1", "feature 2", legend=False)
    fig.suptitle(title)
    return fig


def running_statistics(means, variances, data_mean, data_var, feature: int = 0,
                       title: str = "Running statistics of batch norm"):
    """The running mean and variance of one feature against the number of batches.

    Parameters
    ----------
    means, variances : ndarray, shape (steps, d)
        ``running_mean`` and ``running_var`` after each batch.
    data_mean, data_var : ndarray, shape (d,)
        The statistics of the whole data, drawn as dashed lines.
    """
    fig, axes = new_figure(2, 1, width=4.2)
    steps = np.arange(1, len(means) + 1)
    for ax, trace, target, name in ((axes[0], means, data_mean, "mean"),
                                    (axes[1], variances, data_var, "variance")):
        ax.plot(steps, trace[:, feature], color=COLORS[0], label=f"running {name}")
        ax.axhline(target[feature], color=COLORS[5], ls="--", label=f"{name} of the data")
        finish(ax, f"running {name} (feature {feature})", "batches seen", name)
    fig.suptitle(title)
    return fig


def loss_panels(panels: dict, title: str = "Training loss", log: bool = False):
    """One panel per entry ``title -> {curve name: losses per epoch}``, sharing the y axis."""
    fig, axes = new_figure(len(panels), 1, width=4.4, sharey=True)
    axes = np.atleast_1d(axes)
    for i, (ax, (name, curves)) in enumerate(zip(axes, panels.items())):
        for j, (label, values) in enumerate(curves.items()):
            ax.plot(np.arange(1, len(values) + 1), values, color=COLORS[j], label=label)
        if log:
            ax.set_yscale("log")
        finish(ax, name, "epoch", "training loss" if i == 0 else "")
    fig.suptitle(title)
    return fig


# ---------------------------------------------------------------- babysitting and search


def lr_sweep(lrs, final, initial: float, title: str = "Learning-rate sweep",
             ylabel: str = "training loss after the sweep's epochs"):
    """Final loss (training, or as ``ylabel`` says) against the learning rate (log scale); diverged runs (inf) marked at the top."""
    lrs, final = np.asarray(lrs, float), np.asarray(final, float)
    fig, ax = new_figure(width=5.5)
    ok = np.isfinite(final)
    ax.plot(lrs[ok], final[ok], marker="o", color=COLORS[0], label="final loss")
    top = max(initial, final[ok].max()) * 1.15 if ok.any() else initial * 1.15
    if (~ok).any():
        ax.scatter(lrs[~ok], np.full((~ok).sum(), top), marker="x", s=50, color=COLORS[5],
                   label="diverged", zorder=3)
    ax.axhline(initial, color="0.5", ls="--", lw=0.9, label="loss at initialisation")
    if ok.any():
        best = np.argmin(np.where(ok, final, np.inf))
        ax.scatter([lrs[best]], [final[best]], s=90, facecolor="none", edgecolor=COLORS[2],
                   lw=2, label=f"best: lr = {lrs[best]:.3g}", zorder=4)
    ax.set_xscale("log")
    ax.set_ylim(0.0, top * 1.08)
    finish(ax, title, "learning rate (log scale)", ylabel)
    return fig


def log_sampling(uniform, log_uniform, title: str = "Sampling a learning rate in [1e-4, 1]"):
    """Histograms over decades (``log10``) of uniform and log-uniform samples."""
    fig, ax = new_figure(width=5.5)
    lo = np.floor(np.log10(min(uniform.min(), log_uniform.min())))
    hi = np.ceil(np.log10(max(uniform.max(), log_uniform.max())))
    edges = np.arange(lo, hi + 0.01, 0.25)
    ax.hist(np.log10(uniform), edges, color=COLORS[1], alpha=0.6, label="uniform in lr")
    ax.hist(np.log10(log_uniform), edges, color=COLORS[0], alpha=0.6, label="uniform in log10(lr)")
    finish(ax, title, r"$\log_{10}$ learning rate", "samples")
    return fig


def draw_layout(ax_top, ax, points, objective, title):
    """Trials over the objective's heat map (``ax``) and the important axis alone (``ax_top``).

    Returns ``(dots, ticks, best)``: the scatter of trials, the marks of the tried
    important values on the top axis, and the marker of the best trial.
    """
    grid = np.linspace(0.0, 1.0, 200)
    a, u = np.meshgrid(grid, grid, indexing="xy")
    ax.imshow(objective(a, u), origin="lower", extent=(0, 1, 0, 1), cmap="Greys",
              aspect="auto", alpha=0.75)
    dots = ax.scatter(points[:, 0], points[:, 1], s=30, color=COLORS[0], zorder=3)
    i = int(np.argmax(objective(points[:, 0], points[:, 1])))
    best = ax.scatter(points[i:i + 1, 0], points[i:i + 1, 1], s=140, facecolor="none",
                      edgecolor=COLORS[5], lw=2, zorder=4)
    finish(ax, "", "important parameter", "unimportant parameter", legend=False)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax_top.plot(grid, objective(grid, 0.0), color="0.4", label="score")
    ticks = ax_top.scatter(points[:, 0], objective(points[:, 0], 0.0), s=24, color=COLORS[0],
                           zorder=3, label="tried values")
    ax_top.set_xlim(0, 1)
    ax_top.set_ylim(-0.1, 1.15)
    finish(ax_top, title, "", "score")  # shares the x label of the heat map
    ax_top.legend(frameon=False, fontsize="x-small", loc="upper left")
    return dots, ticks, best


def search_layouts(layouts: dict, objective,
                   title: str = "Grid against random search (dots: trials, ring: best trial)"):
    """For each ``name -> points (m, 2)``: the trials over the objective, and their important values.

    Parameters
    ----------
    layouts : dict of str -> ndarray, shape (m, 2)
        Trials on the unit square: column 0 the important parameter, 1 the unimportant.
    objective : callable ``(important, unimportant) -> score``
    """
    fig, axes = new_figure(len(layouts), 2, width=3.8, height=2.3,
                           gridspec_kw={"height_ratios": [1, 2]}, sharex="col")
    axes = axes.reshape(2, len(layouts))
    for j, (name, points) in enumerate(layouts.items()):
        draw_layout(axes[0, j], axes[1, j], points, objective, name)
    fig.suptitle(title)
    return fig


def coarse_to_fine(stages: dict, title: str = "Coarse to fine search of the learning rate",
                   ylabel: str = "training loss"):
    """Loss of every trial against its learning rate (log scale), one colour per stage.

    Parameters
    ----------
    stages : dict of str -> (lrs, losses, (lo, hi))
        Each stage's trials and the range it sampled from (shaded).
    """
    stages = {name: (np.asarray(lrs, float), np.asarray(losses, float), span)
              for name, (lrs, losses, span) in stages.items()}
    fig, ax = new_figure(width=6.0)
    finite = [l[np.isfinite(l)] for _, l, _ in stages.values()]
    top = max(float(f.max()) for f in finite if f.size) * 1.15
    for i, (name, (lrs, losses, (lo, hi))) in enumerate(stages.items()):
        color = COLORS[i % len(COLORS)]
        ax.axvspan(lo, hi, color=color, alpha=0.08 + 0.07 * i)
        ok = np.isfinite(losses)
        ax.scatter(lrs[ok], losses[ok], color=color, s=30, label=f"{name} ({len(lrs)} trials)",
                   zorder=3)
        ax.scatter(lrs[~ok], np.full((~ok).sum(), top), color=color, s=40, marker="x", zorder=3)
    ax.axhline(top, color="0.7", ls=":", lw=0.8)
    leftmost = min(float(np.min(lrs)) for lrs, _, _ in stages.values())
    ax.text(leftmost, top, " diverged", va="bottom", fontsize="small", color="0.4")
    ax.set_xscale("log")
    finish(ax, title, "learning rate (log scale)", ylabel)
    return fig
