r"""Figures for lecture 06 (classifiers and cross-entropy). Every function returns a ``Figure``."""
from __future__ import annotations

import numpy as np

from nnkit import functional as F
from nnkit.viz.figures import decision_surface
from nnkit.viz.style import COLORS, finish, new_figure

from . import likelihood
from .compute import logit_costs

__all__ = ["slowdown", "cross_entropy_curves", "logit_costs_figure", "softmax_bars",
           "classifiers", "entropy_plus_kl"]

COST_LABELS = {"quadratic": "quadratic + sigmoid", "cross_entropy": "cross-entropy + sigmoid"}
STYLES = ["-", "--", ":", "-."]


def slowdown(runs: dict, x: float = 1.0, y: float = 0.0):
    r"""Learning curves of one sigmoid neuron: its cost and its output :math:`a`, per epoch.

    Parameters
    ----------
    runs : dict str -> neuron.Trajectory
        Label -> a run from ``train_neuron`` (its first column is drawn).
    x, y : float
        The input and the target the neuron trained on.
    """
    fig, (ax_c, ax_a) = new_figure(2, 1, width=4.6)
    for i, (label, run) in enumerate(runs.items()):
        style = dict(color=COLORS[i % len(COLORS)], ls=STYLES[i % len(STYLES)], label=label)
        epochs = np.arange(len(run.loss))
        ax_c.plot(epochs, run.loss[:, 0], **style)
        ax_a.plot(epochs, F.sigmoid(run.w[:, 0] * x + run.b[:, 0]), **style)
    ax_a.axhline(y, color="0.6", lw=0.8, zorder=0)
    finish(ax_c, "cost per epoch", "epoch", "cost $C$")
    finish(ax_a, f"the output approaching its target $y = {y:g}$", "epoch", r"output $a = \sigma(wx+b)$")
    return fig


def cross_entropy_curves(a, curves: dict):
    r"""Cross-entropy :math:`C(a)` for several targets :math:`y`, with the minimum of each marked.

    Parameters
    ----------
    a : ndarray, shape (k,)
        Outputs in (0, 1).
    curves : dict float -> ndarray, shape (k,)
        Target ``y`` -> cost at each ``a``.
    """
    fig, ax = new_figure(width=6.0, height=3.8)
    for i, (y, C) in enumerate(curves.items()):
        color = COLORS[i % len(COLORS)]
        ax.plot(a, C, color=color, label=f"$y = {y:g}$")
        j = int(np.argmin(C))
        ax.plot([a[j]], [C[j]], "o", color=color)
    ax.set_ylim(0, 3)
    finish(ax, "cross-entropy: never negative, lowest where $a = y$ (dots)", "output $a$", "cost $C$")
    return fig


def logit_costs_figure(y: float = 0.0, z=None):
    r"""Both costs of one sigmoid output and their slopes :math:`\partial C/\partial z`, against the logit.

    Parameters
    ----------
    y : float
        The target.
    z : ndarray, shape (k,), optional
        Logits; ``linspace(-8, 8, 401)`` by default.
    """
    z = np.linspace(-8, 8, 401) if z is None else np.asarray(z, dtype=float)
    fig, (ax_c, ax_g) = new_figure(2, 1, width=4.6)
    for i, (cost, (C, g)) in enumerate(logit_costs(z, y).items()):
        ax_c.plot(z, C, color=COLORS[i], label=COST_LABELS[cost])
        ax_g.plot(z, g, color=COLORS[i], label=COST_LABELS[cost])
    finish(ax_c, f"cost for target $y = {y:g}$", "logit $z$", "cost $C$")
    finish(ax_g, "its slope: what gradient descent feels", "logit $z$", r"$\partial C/\partial z$")
    return fig


def softmax_bars(z, label: int | None = None):
    r"""Logits and the softmax probabilities they give, as bars.

    Parameters
    ----------
    z : ndarray, shape (K,)
    label : int, optional
        The true class, outlined.
    """
    z = np.asarray(z, dtype=float)
    a = F.softmax(z)
    classes = np.arange(len(z))
    fig, (ax_z, ax_a) = new_figure(2, 1, width=4.2)
    colors = [COLORS[k % len(COLORS)] for k in classes]
    ax_z.bar(classes, z, color=colors)
    ax_a.bar(classes, a, color=colors)
    if label is not None:
        ax_a.bar([label], [a[label]], fill=False, edgecolor="black", lw=2)
    ax_z.axhline(0, color="0.6", lw=0.8)
    ax_a.set_ylim(0, 1)
    for ax in (ax_z, ax_a):
        ax.set_xticks(classes)
    finish(ax_z, "logits $z_j$", "class $j$", "$z_j$")
    finish(ax_a, r"softmax $a_j = e^{z_j} / \sum_k e^{z_k}$", "class $j$", "$a_j$")
    return fig


def classifiers(nets: dict, X, Y, accuracies: dict | None = None, resolution: int = 100):
    """Decision regions of several trained classifiers side by side.

    Parameters
    ----------
    nets : dict str -> Layer
        Title -> a trained network mapping ``(m, 2)`` to ``(m, K)`` scores.
    X : ndarray, shape (n, 2); Y : ndarray, shape (n,) int labels
    accuracies : dict str -> float, optional
        Shown in each title.
    """
    fig, axes = new_figure(len(nets), 1, width=4.4, height=4.0)
    for ax, (name, net) in zip(np.atleast_1d(axes), nets.items()):
        title = name if not accuracies else f"{name}: accuracy {accuracies[name]:.1%}"
        decision_surface(net, X, Y, ax=ax, title=title, resolution=resolution)
    return fig


# ---------------------------------------------------------------- why cross-entropy (section 9)

def entropy_plus_kl(a, curves: dict, targets=(0.25, 0.8)):
    r"""For each soft target :math:`y`, the cost :math:`C(a)`, its floor :math:`H(y)` and the gap :math:`\mathrm{KL}`.

    Parameters
    ----------
    a : ndarray, shape (m,)
        Outputs in (0, 1).
    curves : dict of float -> ndarray, shape (m,)
        The binary cross-entropy at ``a`` for each target, as section 3 computed it.
    """
    missing = [y for y in targets if y not in curves]
    if missing:
        raise ValueError(f"curves has no cost for the targets {missing}; it has {sorted(curves)}")
    fig, axes = new_figure(ncols=len(targets), width=4.2, height=3.4, sharey=True)
    for ax, y, color in zip(np.atleast_1d(axes), targets, COLORS):
        H = float(likelihood.entropy(likelihood.bernoulli(y)))
        ax.plot(a, curves[y], color=color, lw=1.8, label=f"cross-entropy $C(a)$, $y = {y:g}$")
        ax.axhline(H, color=COLORS[7], ls="--", lw=1.2, label=f"entropy $H(y) = {H:.3f}$")
        ax.fill_between(a, H, curves[y], color=color, alpha=0.2, label="KL$((y, 1-y)\\,\\|\\,(a, 1-a))$")
        ax.axvline(y, color=COLORS[7], lw=0.8, ls=":")
        ax.set_ylim(0, 3)
        finish(ax, f"Target $y = {y:g}$: $C = H(y) + $ KL", "output $a$", "cost (nats)", legend=True)
    return fig
