"""Live figures for lecture 04: the MSE minimiser, one training run, one unit's updates.

Each builder returns a :class:`~nnkit.viz.live.BlitLive`: ``update`` picks or
computes the numbers and moves artists drawn once.
"""
from __future__ import annotations

import copy

import numpy as np

from nnkit.viz.live import BlitLive, dropdown, float_slider, int_slider, toggle
from nnkit.viz.style import COLORS, finish, new_figure

from . import compute
from . import figures as P

__all__ = ["mse_explorer", "training_explorer", "unit_explorer"]


def mse_explorer(noise=1.0, n=200, kind="normal", rng=0):
    """Noise level, sample size and shape of the noise over the loss of a constant guess.

    ``result`` is ``(mean of the targets, the best constant on the grid)``.
    """
    c = np.linspace(-3.0, 5.0, 321)
    y = compute.noisy_targets(n, noise, kind, rng=rng)
    fig, (ax, ax2) = new_figure(2, width=4.4, height=3.4)
    bars, mean_line, curve, marker, mean_line2 = P.draw_mse_of_constant(
        ax, ax2, y[:, 0], c, compute.constant_losses(y, c))
    ax.set_ylim(0, 1.6)
    ax2.set_ylim(0, 10)
    finish(ax, "", "$y$", "density")
    finish(ax2, "", "constant prediction $c$", "$L(c)$")
    edges = np.linspace(-3, 5, len(bars) + 1)

    def update(noise, n, kind):
        y = compute.noisy_targets(n, noise, kind, rng=rng)
        density, _ = np.histogram(y, bins=edges, density=True)
        for bar, height in zip(bars, density):
            bar.set_height(height)
        losses = compute.constant_losses(y, c)
        best = c[np.argmin(losses)]
        curve.set_ydata(losses)
        marker.set_data([best], [losses.min()])
        for line in (mean_line, mean_line2):
            line.set_xdata([y.mean(), y.mean()])
        ax.set_title(f"{n} targets, mean {y.mean():.3f}")
        ax2.set_title(f"smallest loss at c = {best:.3f}")
        return float(y.mean()), float(best)

    controls = {"noise": float_slider(noise, 0.3, 2.0, 0.1, "noise (std)"),
                "n": int_slider(n, 10, 2000, "targets n", step=10),
                "kind": dropdown(["normal", "skewed"], kind, "noise shape")}
    return BlitLive(fig, update, controls,
                    [*bars, mean_line, curve, marker, mean_line2, ax.title, ax2.title])


def training_explorer(record, X, Y, every: int):
    """An epoch slider over a recorded training run of the semicircle network.

    Parameters
    ----------
    record : dict
        From :func:`nnkit.lectures.l04_backpropagation.compute.snapshots` (one snapshot every ``every`` epochs).
    X, Y : ndarray, shape (n, 2)

    ``result`` is the shown outputs, shape ``(n, 2)``.
    """
    epochs = record["epoch"]
    fig, (ax, ax2) = new_figure(2, width=4.4, height=3.8)
    outputs, arrows = P.draw_outputs(ax, Y, record["output"][0])
    finish(ax, "", r"$y_0$, $\hat y_0$", r"$y_1$, $\hat y_1$")
    ax2.semilogy(epochs, record["loss"], color=COLORS[0], label="training loss")
    (marker,) = ax2.plot([0], [record["loss"][0]], "o", color=COLORS[5], ms=8,
                         label="shown epoch")
    finish(ax2, "Loss during training", "epoch", "$L$")

    def update(epoch, errors):
        i = int(np.argmin(np.abs(epochs - epoch)))
        Yhat = record["output"][i]
        outputs.set_data(Yhat[:, 0], Yhat[:, 1])
        D = Y - Yhat                      # from each output to its target
        arrows.set_offsets(Yhat)
        arrows.set_UVC(D[:, 0], D[:, 1])
        arrows.set_visible(errors)
        marker.set_data([epochs[i]], [record["loss"][i]])
        ax.set_title(f"epoch {epochs[i]}: L = {record['loss'][i]:.2e}")
        return Yhat

    controls = {"epoch": int_slider(0, 0, int(epochs[-1]), "epoch", step=every),
                "errors": toggle(True, "show error vectors")}
    return BlitLive(fig, update, controls, [outputs, arrows, marker, ax.title])


def unit_explorer(net, record, X, Y, loss):
    """Hidden unit and epoch sliders over the update that one gradient step makes.

    Parameters
    ----------
    net : Sequential
        ``[Dense, activation, Dense]``, the network ``record`` was made with (it is copied).
    record : dict
        From :func:`nnkit.lectures.l04_backpropagation.compute.snapshots`.
    loss : Loss

    ``result`` is the dict of :func:`nnkit.compute.two_layer_errors` for the shown epoch.
    """
    net = copy.deepcopy(net)
    epochs = record["epoch"]
    n_hidden = net.layers[0].out_features
    fig, (ax2, ax1) = new_figure(2, width=4.4, height=3.8)
    zeros = np.zeros(len(X))
    outputs, pull, push, boundary = P.draw_unit_updates(ax2, ax1, X, Y, record["output"][0],
                                                       zeros, zeros, np.zeros(2), 0.0)
    finish(ax2, "", r"$y_0$", r"$y_1$")
    finish(ax1, "", "$x_0$", "$x_1$")
    # One scale for the pushes at every epoch and unit (the longest at the first snapshot gets
    # length 0.4), so that their shrinking during training shows in the arrows themselves.
    s = P.arrow_scale(np.vstack([-d[:, None] * X for d in _deltas_at(net, record, 0, loss, X, Y).T]), 0.4)

    def update(unit, epoch):
        i = int(np.argmin(np.abs(epochs - epoch)))
        for p, value in zip(net.parameters(), record["params"][i]):
            p.value[...] = value
        q = compute.two_layer_errors(net, loss, X, Y)
        h, delta = q["H"][:, unit], q["delta"][:, unit]
        Yhat = q["Yhat"]
        outputs.set_data(Yhat[:, 0], Yhat[:, 1])
        pull.set_offsets(Yhat)
        pull.set_UVC(*(h[:, None] * (Y - Yhat)).T)
        push.set_UVC(*(s * -delta[:, None] * X).T)
        dense1 = net.layers[0]
        boundary.set_data(*P.boundary_line(dense1.W[unit], dense1.b[unit]))
        ax2.set_title(f"epoch {epochs[i]}: column {unit} of W2")
        ax1.set_title(f"row {unit} of W1 (arrows ×{s:.2g} at every epoch)")
        return q

    controls = {"unit": int_slider(0, 0, n_hidden - 1, "hidden unit j"),
                "epoch": int_slider(0, 0, int(epochs[-1]), "epoch",
                                    step=int(epochs[1] - epochs[0]))}
    return BlitLive(fig, update, controls, [outputs, pull, push, boundary, ax2.title, ax1.title])


def _deltas_at(net, record, i, loss, X, Y):
    """The back-propagated errors (n, N) of ``net`` with the parameters of snapshot ``i``."""
    for p, value in zip(net.parameters(), record["params"][i]):
        p.value[...] = value
    return compute.two_layer_errors(net, loss, X, Y)["delta"]
