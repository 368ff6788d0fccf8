r"""Lecture 08's overfitting cure by early stopping, run with ``nk.fit`` on a playground set-up.

Early stopping picks the epoch to keep by a *validation* loss; judged on the same points it
chose by, that loss would flatter it. So :func:`early_stopping` splits the experiment's
held-out points in two: a validation half that ``nk.fit(..., early_stopping=patience)``
watches, and a test half that only judges the result. The same run without stopping, from the
same initial weights and the same batch order, is the comparison.

numpy and nnkit only.
"""
from __future__ import annotations

import copy
import dataclasses

import numpy as np

from nnkit.training import History, fit

from .compute import Experiment, make_optimizer

__all__ = ["Stopped", "held_out_halves", "early_stopping"]


@dataclasses.dataclass(frozen=True)
class Stopped:
    """The two runs :func:`early_stopping` makes, and their losses on the test half.

    Attributes
    ----------
    stopped, full : History
        ``nk.fit``'s histories with and without ``early_stopping``; ``stopped.best_epoch``
        (counted from 0) is the epoch whose weights were kept.
    test_loss_stopped, test_loss_full : float
        The data loss (no penalty) of each final network on the test half.
    """

    stopped: History
    full: History
    test_loss_stopped: float
    test_loss_full: float


def held_out_halves(experiment: Experiment, rng=None):
    """The experiment's test points split at random into a validation and a test half.

    Returns
    -------
    (X_val, Y_val), (X_test, Y_test) : ndarrays, X of shape (m, 2), Y of shape (m, 1)
        The first half has ``m = len(X_test) // 2`` rows, the second the rest.
    """
    order = np.random.default_rng(rng).permutation(len(experiment.X_test))
    half = len(order) // 2
    val, test = order[:half], order[half:]
    X, Y = experiment.X_test, experiment.Y_test
    return (X[val], Y[val]), (X[test], Y[test])


def _train(experiment: Experiment, validation, patience, seed) -> tuple:
    """``nk.fit`` on a copy of the experiment's untrained network; returns ``(net, history)``."""
    c = experiment.config
    net = copy.deepcopy(experiment.net)
    history = fit(net, experiment.loss, experiment.inputs(experiment.X_train), experiment.Y_train,
                  epochs=c.epochs, batch_size=c.batch_size,
                  optimizer=make_optimizer(c.optimizer, net.parameters(), c.lr),
                  rng=seed, validation=validation, progress=False, penalty=experiment.penalty,
                  early_stopping=patience)
    return net, history


def early_stopping(experiment: Experiment, patience: int = 20) -> Stopped:
    """Train the experiment's set-up twice with ``nk.fit``: with early stopping and without.

    Parameters
    ----------
    experiment : Experiment
        Untrained (``experiment.steps == 0``); its config gives the optimiser, learning rate,
        batch size, epoch budget, penalty and seed. The experiment itself is not changed.
    patience : int
        Epochs without a lower validation loss before stopping.

    Returns
    -------
    Stopped
    """
    if experiment.steps:
        raise ValueError(f"early_stopping needs an untrained experiment (it starts from its initial "
                         f"weights); got one after {experiment.steps} steps")
    seed = experiment.config.seed
    (X_val, Y_val), (X_test, Y_test) = held_out_halves(experiment, rng=seed)
    validation = (experiment.inputs(X_val), Y_val)
    stopped_net, stopped = _train(experiment, validation, patience, seed)
    full_net, full = _train(experiment, validation, None, seed)

    def test_loss(net) -> float:
        with net.evaluating():
            return float(experiment.loss(net.forward(experiment.inputs(X_test)), Y_test))

    return Stopped(stopped, full, test_loss(stopped_net), test_loss(full_net))
