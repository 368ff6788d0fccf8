r"""The cost of one sigmoid neuron as a function of its logit (lecture 06), in numpy alone.

The neuron itself, its two costs and its training are lecture 05's
(:mod:`nnkit.lectures.l05_nonlinearities.compute`); lecture 06 compares the costs.
"""
from __future__ import annotations

import numpy as np

from nnkit._validation import as_array
from nnkit.lectures.l05_nonlinearities.compute import COSTS, neuron_cost, neuron_gradient

__all__ = ["logit_costs"]


def logit_costs(z, y: float) -> dict:
    r"""Both costs of one example and their slopes, as functions of the neuron's logit ``z``.

    With :math:`a = \sigma(z)`: quadratic :math:`C = (a - y)^2/2` with
    :math:`\partial C/\partial z = (a - y)\sigma'(z)`, and cross-entropy
    :math:`C = -[y\log a + (1 - y)\log(1 - a)]` with :math:`\partial C/\partial z = a - y`.

    Parameters
    ----------
    z : array_like, shape (k,)
        Logits to evaluate at.
    y : float
        The target, in [0, 1].

    Returns
    -------
    dict
        ``{"quadratic": (C, dC_dz), "cross_entropy": (C, dC_dz)}``, arrays of shape (k,).
    """
    z = as_array(z, "z").reshape(-1)
    # The neuron with w = 0 and b = z on the input x = 1 has logit z, so dC/db = dC/dz.
    w, x, t = np.zeros_like(z), np.ones(1), np.full(1, float(y))
    return {cost: (neuron_cost(w, z, x, t, cost), neuron_gradient(w, z, x, t, cost)[1])
            for cost in COSTS}
