r"""Gradient checking: compare a backward pass with centred finite differences.

The figure of merit is the relative error
:math:`\lVert a - b\rVert / \max(\lVert a\rVert + \lVert b\rVert, 10^{-12})`; in float64 a
correct layer gives well under :math:`10^{-7}`, a wrong one something near 1.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_batch, make_rng

if TYPE_CHECKING:
    from .layers import Layer

__all__ = ["numerical_gradient", "relative_error", "gradcheck"]


def numerical_gradient(f: Callable[[], Any], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    r"""Centred differences :math:`\partial f/\partial x_j \approx (f(x + h e_j) - f(x - h e_j))/2h`.

    Parameters
    ----------
    f : callable
        A function of no arguments that reads ``x`` and returns a scalar.
    x : ndarray
        Perturbed in place, one entry at a time, and restored.
    h : float

    Returns
    -------
    ndarray, same shape as ``x``
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(f"x must be a float numpy array that f reads; got {type(x).__name__}")
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("x must be contiguous so that it can be perturbed in place")
    for j in range(flat.size):
        old = flat[j]
        flat[j] = old + h
        f_plus = float(f())
        flat[j] = old - h
        f_minus = float(f())
        flat[j] = old
        gflat[j] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a: ArrayLike, b: ArrayLike) -> float:
    r""":math:`\lVert a - b\rVert / \max(\lVert a\rVert + \lVert b\rVert, 10^{-12})`, norms over whole arrays."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a has shape {a.shape} but b has shape {b.shape}; they must match")
    scale = float(np.linalg.norm(a) + np.linalg.norm(b))
    return float(np.linalg.norm(a - b)) / max(scale, 1e-12)


def gradcheck(layer_or_net: Layer, X: ArrayLike, rng: Any = None, h: float = 1e-5,
              details: bool = False) -> float | tuple[float, dict[str, float]]:
    r"""Check ``backward`` of a layer or network against centred differences.

    With a random upstream gradient :math:`G`, the scalar :math:`f = \sum Y \odot G`
    has :math:`\partial f/\partial Y = G`, so ``backward(G)`` must return
    :math:`\partial f/\partial X` and fill each parameter's gradient. The check runs on
    a copy, so the layer (its running statistics included) is left as it was.

    Parameters
    ----------
    layer_or_net : Layer
    X : ndarray, shape (n, n_0)
    rng : None, int or Generator
        For the upstream gradient.
    h : float
        Step of the centred differences. Their truncation error grows like h**2 and their
        round-off like 1e-16/h; h near (1e-16)**(1/3) balances the two in float64.
    details : bool
        Also return a dict of the relative error per array (``"X"``, ``"W"``, ...).

    Returns
    -------
    float
        The largest relative error over the input and every parameter.
    """
    _check_layer(layer_or_net)
    net = copy.deepcopy(layer_or_net)
    X = np.array(as_batch(X, "X"), dtype=np.float64)
    G = make_rng(rng).standard_normal(net.forward(X).shape)

    def f():
        return np.sum(net.forward(X) * G)

    # Centred differences of f carry a round-off of about 1e-16 |f| / h per entry.
    noise = 1e-3 * (1.0 + abs(f())) * h
    errors = {"X": _error(net.backward(G), numerical_gradient(f, X, h), noise)}
    analytic = [(p, _grad_of(p)) for p in net.parameters()]
    for i, (p, grad) in enumerate(analytic):
        key = p.name if p.name not in errors else f"{p.name}[{i}]"
        errors[key] = _error(grad, numerical_gradient(f, p.value, h), noise)
    worst = max(errors.values())
    return (worst, errors) if details else worst


def _check_layer(obj: object) -> None:
    """A clear ``TypeError`` for what is not a layer: a class, a loss, a list, a function."""
    if isinstance(obj, type):
        raise TypeError(
            f"layer_or_net must be a layer or network, an instance; got the class "
            f"{obj.__name__}. Make one first, e.g. nk.gradcheck({obj.__name__}(...), X)."
        )
    missing = [m for m in ("forward", "backward", "parameters") if not callable(getattr(obj, m, None))]
    if not missing:
        return
    if isinstance(obj, (list, tuple)):
        hint = " Wrap a list of layers in a network: nk.gradcheck(nk.Sequential([...]), X)."
    elif callable(getattr(obj, "backward", None)):
        hint = (" A loss is not a layer (its backward takes no upstream gradient): check the "
                "network, or a loss with nk.numerical_gradient.")
    else:
        hint = " To check a function, use nk.numerical_gradient."
    raise TypeError(
        f"layer_or_net must be an nnkit layer or network, with forward, backward and "
        f"parameters; got {type(obj).__name__} {obj!r:.60}, which has no "
        f"{' and no '.join(missing)}.{hint}"
    )


def _grad_of(p: Any) -> np.ndarray:
    """A copy of the gradient that ``backward`` left beside parameter ``p``."""
    if p.grad is None:
        raise RuntimeError(f"{p}: backward left no gradient d{p.name} beside it")
    return p.grad.copy()


def _error(analytic: np.ndarray, numeric: np.ndarray, noise: float) -> float:
    """``relative_error``, except that a gradient that is zero, in both the backward pass
    and the differences up to round-off, counts as exact (their ratio would be noise over
    noise, about 1). A wrong zero is still caught: the other side is then far above noise."""
    if max(np.abs(analytic).max(initial=0.0), np.abs(numeric).max(initial=0.0)) <= noise:
        return 0.0
    return relative_error(analytic, numeric)
