"""Live figures of lecture 07: initialisation, preprocessing, batch norm, search layouts.

Each builder precomputes what does not depend on the controls, draws the figure
once, and returns a ``Live`` whose ``update`` only changes artists in place.
"""
from __future__ import annotations

import numpy as np

from nnkit import preprocess
from nnkit.layers import BatchNorm
from nnkit.viz.live import BlitLive, dropdown, float_slider, int_slider, log_slider
from nnkit.viz.style import COLORS, finish, new_figure

from . import compute as ex
from .figures import covariance_ellipse, draw_cloud, draw_layout, draw_ridgeline, update_ridgeline

__all__ = ["init_explorer", "preprocessing_explorer", "batchnorm_explorer", "search_explorer"]


INITS = {"small": "small N(0, 0.01²)", "large": "large N(0, 1)",
         "xavier": "Xavier N(0, 1/n_in)", "he": "He N(0, 2/n_in)"}
ACTIVATION_CHOICES = ("tanh", "relu")


def init_explorer(study: dict | None = None) -> BlitLive:
    """Initialiser and activation as dropdowns over per-layer histograms and spreads.

    Parameters
    ----------
    study : dict ``(init, activation) -> LayerStats``, optional
        As :func:`nnkit.lectures.l07_training_practice.compute.init_study` returns (computed if not given, ~2 s);
        it must hold every pair of ``INITS`` x ``ACTIVATION_CHOICES``.

    ``live.result`` is the ``LayerStats`` shown.
    """
    study = ex.init_study(tuple(INITS), ACTIVATION_CHOICES) if study is None else study
    fig, (ax_h, ax_s) = new_figure(2, 1, width=4.4, height=3.8)
    first = study["xavier", "tanh"]
    patches = draw_ridgeline(ax_h, first)
    finish(ax_h, "", "activation h", "layer")
    depth = len(first.std)
    layers = np.arange(1, depth + 1)
    # The other schemes in grey for reference, the chosen one on top.
    refs = {}
    for (init, act), stats in study.items():
        (refs[init, act],) = ax_s.plot(layers, np.where(stats.std > 0, stats.std, np.nan),
                                       color="0.85", lw=1)
    (chosen,) = ax_s.plot(layers, first.std, color=COLORS[5], marker="o", ms=4, lw=2)
    ax_s.set_yscale("log")

    def std_axis(activation):
        # The limits of the curves drawn for this activation (one range for all would squeeze
        # each choice into a corner), with fixed plain-text ticks: no locator at each redraw.
        positive = np.concatenate([st.std[st.std > 0] for (_, act), st in study.items() if act == activation])
        lo, hi = np.log10(positive.min() / 3), np.log10(positive.max() * 3)
        ax_s.set_ylim(10 ** lo, 10 ** hi)
        step = max(1, int(np.ceil((hi - lo) / 6)))
        decades = np.arange(np.ceil(lo), np.floor(hi) + 1, step)
        ax_s.set_yticks(10.0 ** decades, [f"1e{d:+03.0f}" for d in decades])
        ax_s.minorticks_off()

    std_axis("tanh")
    ax_s.set_xticks(np.arange(2, depth + 1, 2))
    finish(ax_s, "std per layer (grey: the other choices)", "layer l", "std of h in layer l")
    suptitle = fig.suptitle("")

    def update(init, activation):
        stats = study[init, activation]
        update_ridgeline(patches, stats)
        ax_h.set_xticks(np.linspace(stats.edges[0], stats.edges[-1], 5))
        ax_h.set_title(f"histogram of h per layer, on [{stats.edges[0]:g}, {stats.edges[-1]:g}]")
        for key, line in refs.items():
            line.set_visible(key[1] == activation)
        std_axis(activation)
        chosen.set_ydata(np.where(stats.std > 0, stats.std, np.nan))
        extra = (f", saturated (|h| > 0.99): {stats.saturated.mean():.0%}" if activation == "tanh"
                 else " (histograms of the positive values)")
        suptitle.set_text(f"{INITS[init]}, {activation}: "
                          f"std at layer {depth} = {stats.std[-1]:.2g}{extra}")
        return stats

    options = [(label, name) for name, label in INITS.items()]
    # The histograms' range and the spread's axis depend on the activation only: one picture
    # of the still parts per activation, both drawn now, so that every choice blits the
    # curves and titles over one of them (a full draw costs 3-4 times as much).
    moving = [*patches, ax_h.title, *refs.values(), chosen, suptitle]
    return BlitLive(fig, update, {"init": dropdown(options, "xavier", "initialiser"),
                                  "activation": dropdown(list(ACTIVATION_CHOICES), "tanh",
                                                         "activation")}, moving,
                    still_key=lambda init, activation: activation,
                    prepare=[{"activation": a} for a in ACTIVATION_CHOICES[1:]])


STEPS = ("original", "centred", "normalised", "PCA (decorrelated)", "whitened")


def preprocess_step(X, step: str, eps: float = 1e-5):
    """``X (n, d)`` after the preprocessing ``step`` (one of ``STEPS``), via ``nk.preprocess``."""
    if step == "original":
        return X
    if step == "centred":
        return preprocess.center(X)
    if step == "normalised":
        return preprocess.normalize(X)
    if step == "PCA (decorrelated)":
        return preprocess.pca(X)
    if step == "whitened":
        return preprocess.whiten(X, eps)
    raise ValueError(f"step must be one of {STEPS}; got {step!r}")


def preprocessing_explorer(n: int = 500, rng=0) -> BlitLive:
    """Preprocessing step, the data's correlation and whitening's eps over the cloud.

    ``live.result`` is the covariance matrix ``(2, 2)`` of the data shown.
    """
    Z = ex.correlated_cloud(n, 0.8, rng)
    fig, ax = new_figure(width=5.2, height=4.4)
    dots, ellipse = draw_cloud(ax, Z)
    ax.set_xlim(-5.5, 9.5)
    ax.set_ylim(-6.5, 5.5)
    ax.set_aspect("equal", adjustable="box")
    label = ax.text(0.02, 0.98, "", transform=ax.transAxes, va="top", family="monospace",
                    fontsize="small")
    finish(ax, "", "$x_1$", "$x_2$", legend=False)

    def update(step, correlation, eps):
        X = preprocess_step(ex.correlated_cloud(n, correlation, rng), step, eps)
        dots.set_offsets(X)
        ellipse.set_data(*covariance_ellipse(X).T)
        Xc = X - X.mean(axis=0)
        C = Xc.T @ Xc / len(X)
        mean = X.mean(axis=0)
        label.set_text(f"mean  [{mean[0]: .2f} {mean[1]: .2f}]\n"
                       f"cov   [{C[0, 0]: .3f} {C[0, 1]: .3f}]\n"
                       f"      [{C[1, 0]: .3f} {C[1, 1]: .3f}]")
        ax.set_title(f"{step}, correlation {correlation:.2f}"
                     + (f", eps = {eps:.2g}" if step == "whitened" else ""))
        return C

    return BlitLive(fig, update, {"step": dropdown(list(STEPS), "original", "step"),
                                  "correlation": float_slider(0.8, -0.95, 0.95, 0.05, "correlation"),
                                  "eps": log_slider(1e-5, -6, 1, "whitening eps")},
                    [dots, ellipse, label, ax.title])


def batchnorm_explorer(n: int = 400, rng=0) -> BlitLive:
    """γ and β of a one-feature batch norm over the histograms of its input and output.

    The input feature has mean 3 and standard deviation 2; at γ ≈ 2, β ≈ 3 the output
    is the input again (the identity). ``live.result`` is ``(mean, std)`` of the output.
    """
    x = 3.0 + 2.0 * np.random.default_rng(rng).standard_normal((n, 1))
    bn = BatchNorm(1)
    edges = np.linspace(-8.0, 12.0, 61)
    fig, ax = new_figure(width=6.0, height=3.6)
    # One step patch per histogram (not one rectangle per bin) and no mathtext: cheap redraws.
    ax.stairs(np.histogram(x[:, 0], edges)[0], edges, fill=True, color=COLORS[1], alpha=0.45,
              label="input x (mean 3, std 2)")
    out = ax.stairs(np.zeros(len(edges) - 1), edges, color=COLORS[0], lw=2,
                    label="output y = γ·x̂ + β")
    ax.set_ylim(0, n * 0.2)
    finish(ax, "", "value", "count")
    ax.legend(frameon=False, fontsize="small", loc="upper left")

    def update(gamma, beta):
        bn.gamma[...] = gamma
        bn.beta[...] = beta
        y = bn.forward(x)
        counts = np.histogram(y[:, 0], edges)[0]
        out.set_data(counts)
        # A small gamma piles the output into a few bins: raise the axis so no bar runs off it.
        ax.set_ylim(0, max(n * 0.2, 1.1 * counts.max()))
        mean, std = float(y.mean()), float(y.std())
        ax.set_title(f"γ = {gamma:.2f}, β = {beta:.2f}: output mean {mean:.2f}, std {std:.2f}")
        return mean, std

    return BlitLive(fig, update, {"gamma": float_slider(1.0, 0.1, 4.0, 0.05, "γ (scale)"),
                                  "beta": float_slider(0.0, -4.0, 6.0, 0.1, "β (shift)")},
                    [out, ax.title])


def search_explorer(objective=ex.toy_objective) -> BlitLive:
    """Grid or random layout, trials per side and seed over the toy objective.

    ``live.result`` is ``(best score, number of distinct important values tried)``.
    """
    fig, (ax_top, ax) = new_figure(1, 2, width=5.4, height=2.4,
                                   gridspec_kw={"height_ratios": [1, 2]}, sharex=True)
    dots, ticks, best = draw_layout(ax_top, ax, ex.grid_layout(3), objective, "")
    ax.set_title("dots: trials, ring: the best trial", fontsize="small")
    # Few ticks: every tick label is text to lay out again at each redraw.
    ax.set_xticks([0, 0.5, 1])
    ax.set_yticks([0, 0.5, 1])
    ax_top.set_yticks([0, 1])

    def update(layout, per_side, seed):
        trials = per_side * per_side
        points = ex.grid_layout(per_side) if layout == "grid" else ex.random_layout(trials, seed)
        score, i = ex.best_trial(points, objective)
        dots.set_offsets(points)
        ticks.set_offsets(np.column_stack([points[:, 0], objective(points[:, 0], 0.0)]))
        best.set_offsets(points[i:i + 1])
        distinct = len(np.unique(points[:, 0]))
        ax_top.set_title(f"{layout}, {trials} trials: {distinct} important values, best {score:.3f}")
        return score, distinct

    return BlitLive(fig, update, {"layout": dropdown(["grid", "random"], "grid", "layout"),
                                  "per_side": int_slider(3, 2, 6, "√trials"),
                                  "seed": int_slider(0, 0, 20, "seed (random)")},
                    [dots, ticks, best, ax_top.title])
