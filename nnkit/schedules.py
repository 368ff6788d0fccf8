r"""Learning-rate schedules: callables ``epoch -> lr`` that ``fit(..., schedule=...)`` calls at each epoch's start.

Each equals, epoch by epoch, the PyTorch scheduler named beside it (stepped once per epoch,
epochs counted from 0), in its closed form:

- :func:`step`: :math:`\eta_t = \eta_0\,\gamma^{\lfloor t/s\rfloor}` (``StepLR``);
- :func:`exponential`: :math:`\eta_t = \eta_0\,\gamma^t` (``ExponentialLR``);
- :func:`cosine`: :math:`\eta_t = \eta_{min} + \frac{1}{2}(\eta_0 - \eta_{min})(1 + \cos(\pi t/T))`
  (``CosineAnnealingLR(T_max=T, eta_min=min_lr)``).
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Callable

from ._validation import check_positive

__all__ = ["Schedule", "step", "exponential", "cosine"]


class Schedule:
    """A learning rate per epoch: ``schedule(epoch) -> lr``, for ``epoch = 0, 1, ...``."""

    def __init__(self, formula: Callable[[int], float], description: str):
        self._formula, self._description = formula, description

    def __call__(self, epoch: int) -> float:
        if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral) or epoch < 0:
            raise ValueError(f"epoch must be an int >= 0 (epochs count from 0); got {epoch!r}")
        return float(self._formula(int(epoch)))

    def __repr__(self) -> str:
        return self._description


def _check_gamma(gamma: float) -> float:
    return float(check_positive(gamma, "gamma"))


def step(lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    r"""Multiply the rate by ``gamma`` every ``step_size`` epochs: :math:`\eta_0\gamma^{\lfloor t/s\rfloor}`.

    Parameters
    ----------
    lr : float
        :math:`\eta_0`, the rate of epoch 0.
    step_size : int
        :math:`s`, the epochs between two drops.
    gamma : float
        The factor of each drop (``> 0``; below 1 to decay).
    """
    lr, gamma = check_positive(lr, "lr"), _check_gamma(gamma)
    check_positive(step_size, "step_size", integer=True)
    return Schedule(lambda t: lr * gamma ** (t // step_size),
                    f"schedules.step(lr={lr!r}, step_size={step_size!r}, gamma={gamma!r})")


def exponential(lr: float, gamma: float) -> Schedule:
    r"""Multiply the rate by ``gamma`` every epoch: :math:`\eta_0\gamma^t`."""
    lr, gamma = check_positive(lr, "lr"), _check_gamma(gamma)
    return Schedule(lambda t: lr * gamma**t, f"schedules.exponential(lr={lr!r}, gamma={gamma!r})")


def cosine(lr: float, total_epochs: int, min_lr: float = 0.0) -> Schedule:
    r"""Half a cosine from ``lr`` at epoch 0 down to ``min_lr`` at epoch ``total_epochs``.

    :math:`\eta_t = \eta_{min} + \frac{1}{2}(\eta_0 - \eta_{min})(1 + \cos(\pi t/T))`. Past
    ``total_epochs`` the cosine goes on and the rate rises again, as PyTorch's does; train
    for at most ``total_epochs + 1`` epochs. At ``min_lr = 0`` the rate of epoch ``T`` is 0,
    an epoch that changes nothing.
    """
    lr = check_positive(lr, "lr")
    check_positive(total_epochs, "total_epochs", integer=True)
    min_lr = check_positive(min_lr, "min_lr", allow_zero=True)
    if min_lr > lr:
        raise ValueError(f"min_lr must be at most lr ({lr!r}) for the rate to decay; got {min_lr!r}")
    return Schedule(
        lambda t: min_lr + 0.5 * (lr - min_lr) * (1.0 + math.cos(math.pi * t / total_epochs)),
        f"schedules.cosine(lr={lr!r}, total_epochs={total_epochs!r}, min_lr={min_lr!r})",
    )
