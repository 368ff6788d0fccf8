r"""Weight penalties: :math:`\frac{\lambda}{2}\sum\lVert W\rVert^2` (L2) or :math:`\lambda\sum\lvert W\rvert` (L1).

A penalty acts on weight matrices only, never on biases, BatchNorm's ``gamma``/``beta`` or
PReLU's slope: shrinking a bias does not make a network smoother, it only shifts it. A layer
says which of its parameters are weights in ``weight_names`` (``Dense`` and ``Maxout`` list
``"W"``), and ``Parameter.is_weight`` reads it; the shape is no guide (Maxout's bias is 2-D).

Each penalty is called on ``net.parameters()`` for its value, and its ``backward`` adds its
gradient to each weight's gradient, so it runs after the network's ``backward``::

    value = loss(net.forward(X), Y) + penalty(params)
    net.backward(loss.backward())
    penalty.backward(params)
    optimizer.step()
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ._validation import check_parameters, check_positive

__all__ = ["Penalty", "L2Penalty", "L1Penalty"]


class Penalty:
    """Base class: the strength ``lam`` and the choice of the weights among the parameters."""

    def __init__(self, lam: float):
        self.lam = float(check_positive(lam, "lam", allow_zero=True))

    def __call__(self, params: Iterable) -> float:
        """The penalty's value on the weights among ``params``."""
        return self.lam * float(sum(self._value(p.value) for p in self._weights(params)))

    def backward(self, params: Iterable) -> None:
        """Add the penalty's gradient to each weight's gradient (in place, after ``backward``)."""
        for p in self._weights(params):
            dW = p.grad
            if dW is None:
                raise RuntimeError(f"{p} has no gradient yet: call backward before the penalty's.")
            dW += self.lam * self._grad(p.value)

    def _weights(self, params: Iterable) -> list:
        name = f"{type(self).__name__}(params)"
        weights = [p for p in check_parameters(params, name) if getattr(p, "is_weight", False)]
        if not weights:
            raise ValueError(
                f"{name} holds no weight matrix, only biases or scales; a layer lists its "
                f"weights in weight_names (Dense and Maxout: 'W')."
            )
        return weights

    def _value(self, W: np.ndarray) -> float:  # pragma: no cover - subclasses override
        raise NotImplementedError

    def _grad(self, W: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.lam!r})"


class L2Penalty(Penalty):
    r""":math:`\frac{\lambda}{2}\sum_l \lVert W_l\rVert_F^2`, gradient :math:`\lambda W_l` (weight decay).

    With plain SGD this is exactly ``nk.SGD(..., weight_decay=λ)`` restricted to the weights.
    """

    def __call__(self, params: Iterable) -> float:
        return 0.5 * super().__call__(params)

    def _value(self, W: np.ndarray) -> float:
        flat = W.reshape(-1)
        return float(flat @ flat)

    def _grad(self, W: np.ndarray) -> np.ndarray:
        return W


class L1Penalty(Penalty):
    r""":math:`\lambda\sum_l \sum_{jk} \lvert (W_l)_{jk}\rvert`, subgradient :math:`\lambda\,\mathrm{sign}(W_l)`.

    At exactly 0 the subgradient taken is 0 (``np.sign(0) = 0``), so a weight that is
    zero stays zero under the penalty alone: the source of L1's sparsity.
    """

    def _value(self, W: np.ndarray) -> float:
        return float(np.abs(W).sum())

    def _grad(self, W: np.ndarray) -> np.ndarray:
        return np.sign(W)
