r"""Gradient descent as lecture 03 studies it: paths, learning rates, mini-batches.

Pure numpy on top of nnkit (no drawing). Three groups of functions:

- the plane: the bowl :math:`f(x, y) = a x^2 + b y^2` of lecture 03, its level curves,
  a numerical gradient of any function, and :func:`descend`, the update rule
  :math:`\theta_{t+1} = \theta_t - \eta \nabla f(\theta_t)` returning the whole path;
- the minimal example :math:`\hat y(\theta) = \theta`, loss :math:`(\theta - 2)^2`;
- mini-batches: index batches for one epoch, the flat gradient of a network on a batch,
  loss curves per batch size and rate.
"""
from __future__ import annotations

import copy

import numpy as np

from nnkit._validation import as_batch, check_positive, make_rng
from nnkit.gradcheck import numerical_gradient
from nnkit.layers.base import Parameter
from nnkit.optim import SGD
from nnkit.training import fit

__all__ = [
    "bowl", "bowl_gradient", "gradient", "hessian", "ellipse_tangent", "descend", "optimizer_path",
    "largest_stable_lr", "minimal_loss", "minimal_run", "minimal_closed_form",
    "minimal_regime", "observed_regime", "batches", "flat_gradient", "minibatch_gradients",
    "batch_size_runs",
]


# --- functions on the plane ---------------------------------------------------------

def bowl(P, a: float = 4.0, b: float = 1.0):
    r""":math:`f(x, y) = a x^2 + b y^2` at every point.

    Parameters
    ----------
    P : ndarray, shape (..., 2)
        Points ``(x, y)`` in the last axis.

    Returns
    -------
    ndarray, shape (...)
    """
    P = np.asarray(P, dtype=np.float64)
    return a * P[..., 0] ** 2 + b * P[..., 1] ** 2


def bowl_gradient(P, a: float = 4.0, b: float = 1.0):
    r""":math:`\nabla f = \langle 2a x, 2b y\rangle` (:math:`\langle 8x, 2y\rangle` for the defaults).

    P : ndarray, shape (..., 2) -> ndarray, shape (..., 2)
    """
    P = np.asarray(P, dtype=np.float64)
    return np.stack([2 * a * P[..., 0], 2 * b * P[..., 1]], axis=-1)


def gradient(f, point, h: float = 1e-6):
    r"""Gradient of a scalar function ``f(p)`` at ``point`` by centred differences.

    Parameters
    ----------
    f : callable
        ``f(p)`` with ``p`` of shape ``(d,)`` returns a scalar.
    point : array_like, shape (d,)

    Returns
    -------
    ndarray, shape (d,)
        Computed with :func:`nnkit.numerical_gradient` on a copy of ``point``.
    """
    p = np.array(point, dtype=np.float64).reshape(-1)
    return numerical_gradient(lambda: f(p), p, h)


def hessian(grad, point, h: float = 1e-6):
    r"""Matrix of second derivatives :math:`H_{jk} = \partial_k (\nabla f)_j`, by centred differences of ``grad``.

    grad : callable, (d,) -> (d,);  point : (d,)  ->  ndarray, shape (d, d)
    """
    p = np.array(point, dtype=np.float64).reshape(-1)
    return np.stack([numerical_gradient(lambda: grad(p)[j], p, h) for j in range(p.size)])


def ellipse_tangent(point, a: float = 4.0, b: float = 1.0):
    r"""Unit tangent of the level curve :math:`a x^2 + b y^2 = c` through ``point``.

    The curve is parametrised as :math:`(r_x\cos t, r_y\sin t)` with
    :math:`r_x = \sqrt{c/a}`, :math:`r_y = \sqrt{c/b}`; the tangent is its velocity
    :math:`(-r_x\sin t, r_y\cos t)`, found without using the gradient.

    point : array_like, shape (2,) (not the minimum)  ->  ndarray, shape (2,)
    """
    x, y = np.asarray(point, dtype=np.float64)
    c = a * x**2 + b * y**2
    if c == 0:
        raise ValueError(f"point must differ from the minimum (0, 0); got {tuple(point)!r}")
    rx, ry = np.sqrt(c / a), np.sqrt(c / b)
    t = np.arctan2(y / ry, x / rx)
    v = np.array([-rx * np.sin(t), ry * np.cos(t)])
    return v / np.linalg.norm(v)


def descend(f, start, lr: float, steps: int, grad=None):
    r"""Run :math:`\theta_{t+1} = \theta_t - \eta\nabla f(\theta_t)` and return the path.

    Parameters
    ----------
    f : callable
        ``f(p)``, ``p`` of shape ``(d,)``, returns a scalar (the loss).
    start : array_like, shape (d,) or scalar
    lr : float
        The learning rate :math:`\eta`.
    steps : int
    grad : callable, optional
        ``grad(p) -> (d,)``. Without it the gradient is taken by finite differences
        (:func:`gradient`), so a run does not rely on a hand-derived formula.

    Returns
    -------
    path : ndarray, shape (steps + 1, d)
        ``path[0]`` is ``start``. A run that blows up past 1e150 is cut there and the
        rest filled with ``inf``, so that no overflow warning is raised.
    """
    check_positive(steps, "steps", integer=True, allow_zero=True)
    theta = np.array(start, dtype=np.float64).reshape(-1)
    path = np.full((steps + 1, theta.size), np.inf)
    path[0] = theta
    for t in range(steps):
        g = gradient(f, theta) if grad is None else np.asarray(grad(theta), dtype=np.float64)
        theta = theta - lr * g
        if not np.all(np.abs(theta) < 1e150):
            break
        path[t + 1] = theta
    return path


class _Point:
    """A point of the plane as an optimiser sees a layer: the array ``theta`` and its gradient."""

    def __init__(self, start):
        self.theta = np.array(start, dtype=np.float64).reshape(-1)
        self.dtheta = np.zeros_like(self.theta)

    def parameters(self):
        return [Parameter(self, "theta")]


def optimizer_path(make_optimizer, grad, start, steps: int):
    r"""The path of any nnkit optimiser on a function of a point, e.g. Adam on the bowl.

    Parameters
    ----------
    make_optimizer : callable
        ``params -> Optimizer``, e.g. ``lambda params: nk.Adam(params, lr=0.1)``.
    grad : callable, (d,) -> (d,)
    start : array_like, shape (d,)

    Returns
    -------
    path : ndarray, shape (steps + 1, d)
    """
    check_positive(steps, "steps", integer=True, allow_zero=True)
    point = _Point(start)
    optimizer = make_optimizer(point.parameters())
    path = [point.theta.copy()]
    for _ in range(steps):
        point.dtheta[...] = grad(point.theta)
        optimizer.step()
        path.append(point.theta.copy())
    return np.array(path)


def largest_stable_lr(grad, start, lo: float, hi: float, steps: int = 600, tol: float = 1e-6):
    r"""The largest :math:`\eta` in ``[lo, hi]`` for which gradient descent does not blow up.

    Bisection on simulated runs towards a minimum at the origin: a rate counts as
    stable when the distance to the origin after ``steps`` updates is no larger than
    halfway through (a run that grows in any direction ends up growing overall).
    ``lo`` must be stable and ``hi`` unstable.

    grad : callable, (d,) -> (d,);  start : (d,)  ->  float
    """
    def stable(lr):
        path = descend(None, start, lr, steps, grad=grad)
        return bool(np.linalg.norm(path[-1]) <= np.linalg.norm(path[steps // 2]))

    if not stable(lo) or stable(hi):
        raise ValueError(
            f"lo must be a stable rate and hi an unstable one; got lo={lo} "
            f"({'stable' if stable(lo) else 'unstable'}) and hi={hi} "
            f"({'stable' if stable(hi) else 'unstable'})"
        )
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if stable(mid) else (lo, mid)
    return lo


# --- the minimal example: y_hat(theta) = theta, target 2 -----------------------------

def minimal_loss(theta, target: float = 2.0):
    r""":math:`\mathcal L(\theta) = (\hat y(\theta) - y)^2` with :math:`\hat y(\theta) = \theta` (the LING572 slides' loss, no 1/2)."""
    return float(np.sum((np.asarray(theta, dtype=np.float64) - target) ** 2))


def minimal_run(theta0: float, lr: float, steps: int, target: float = 2.0):
    """Gradient descent on :func:`minimal_loss` with a finite-difference gradient.

    Returns
    -------
    thetas : ndarray, shape (steps + 1,)
    """
    return descend(lambda p: minimal_loss(p, target), [theta0], lr, steps)[:, 0]


def minimal_closed_form(theta0: float, lr: float, steps: int, target: float = 2.0):
    r""":math:`\theta_t = y + (1 - 2\eta)^t(\theta_0 - y)`, the solution of the update rule.

    Returns
    -------
    thetas : ndarray, shape (steps + 1,)
    """
    t = np.arange(steps + 1)
    return target + (1.0 - 2.0 * lr) ** t * (theta0 - target)


def minimal_regime(lr: float) -> str:
    r"""What the analytic factor :math:`r = 1 - 2\eta` predicts.

    ``"monotone"`` (:math:`0 < \eta < 1/2`), ``"one step"`` (:math:`\eta = 1/2`),
    ``"oscillating"`` (:math:`1/2 < \eta < 1`), ``"bouncing"`` (:math:`\eta = 1`: the
    error keeps its size and flips sign), ``"divergent"`` (:math:`\eta > 1`).
    """
    check_positive(lr, "lr")
    r = 1.0 - 2.0 * lr
    if r == 0:
        return "one step"
    if r == -1:
        return "bouncing"
    if abs(r) > 1:
        return "divergent"
    return "monotone" if r > 0 else "oscillating"


def observed_regime(thetas, target: float = 2.0, tol: float = 1e-9) -> str:
    """Classify a simulated run from its numbers alone (same labels as :func:`minimal_regime`).

    thetas : ndarray, shape (T + 1,), T >= 2, not starting at the target. Steps after the
        error falls below ``tol`` times its start are ignored.
    """
    d = np.asarray(thetas, dtype=np.float64) - target
    size = np.abs(d) / abs(d[0])
    if np.all(size[1:] <= tol):
        return "one step"
    # Once the error is down to rounding level its sign is noise: judge the steps before.
    tiny = np.flatnonzero(~(size > tol))
    if tiny.size:
        d, size = d[:tiny[0]], size[:tiny[0]]
    if len(d) < 3:
        return "unclassified"
    flips = np.all(np.sign(d[1:]) == -np.sign(d[:-1]))
    if flips and np.allclose(size, 1.0, rtol=0, atol=1e-6):
        return "bouncing"
    if not np.all(np.isfinite(size)) or size[-1] > 1:
        return "divergent"
    shrinking = np.all(np.diff(size) < 0)
    if flips and shrinking:
        return "oscillating"
    if np.all(np.sign(d) == np.sign(d[0])) and shrinking:
        return "monotone"
    return "unclassified"


# --- mini-batches ----------------------------------------------------------------------

def batches(n: int, batch_size: int, rng=None, shuffle: bool = True):
    """Index arrays of one epoch: a (shuffled) permutation of ``0..n-1`` cut into batches.

    Returns
    -------
    list of ndarray
        ``ceil(n / batch_size)`` arrays; all of length ``batch_size`` but perhaps the last.
    """
    check_positive(n, "n", integer=True)
    check_positive(batch_size, "batch_size", integer=True)
    order = make_rng(rng).permutation(n) if shuffle else np.arange(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def flat_gradient(net, loss, X, Y):
    """Forward, loss and backward on ``(X, Y)``; every parameter's gradient in one vector.

    Returns
    -------
    g : ndarray, shape (p,)
        The gradients of ``net.parameters()`` in order, flattened; ``p`` parameters.
    value : float
        The loss.
    """
    value = loss(net.forward(X), Y)
    net.backward(loss.backward())
    return np.concatenate([p.grad.ravel() for p in net.parameters()]), value


def minibatch_gradients(net, loss, X, Y, batch_size: int, rng=None):
    """The flat gradient of each mini-batch of one epoch, at fixed parameters (no update).

    Returns
    -------
    G : ndarray, shape (B, p)
        One row per batch.
    sizes : ndarray, shape (B,)
        The batch sizes.
    """
    X = as_batch(X, "X")
    parts = batches(len(X), batch_size, rng)
    G = np.stack([flat_gradient(net, loss, X[idx], Y[idx])[0] for idx in parts])
    return G, np.array([len(idx) for idx in parts])


def batch_size_runs(make_net, loss, X, Y, batch_sizes, lrs, *, epochs: int, rng=0):
    """Train a fresh network with plain SGD for every (batch size, learning rate) pair.

    Parameters
    ----------
    make_net : callable
        ``make_net()`` returns a new network, the same initial weights every call.
    batch_sizes, lrs : sequences
    epochs : int
    rng : int
        Seed for the shuffling, the same for every run.

    Returns
    -------
    dict (batch_size, lr) -> dict
        ``"loss"`` list of per-epoch mean losses (shorter if the run diverged),
        ``"full_loss"`` the loss on all of ``X`` after each update (the fair comparison per
        update: every batch size is judged on the same data),
        ``"steps_per_epoch"`` int, ``"diverged"`` bool (the loss overflowed, or ended above where it began).
    """
    X = as_batch(X, "X")
    runs = {}
    for b in batch_sizes:
        for lr in lrs:
            kept = []
            diverged = False
            net = make_net()
            tracked = _FullLossSGD(net, copy.deepcopy(loss), X, Y, lr)
            # A diverging run overflows on purpose: silence the warnings, keep the record.
            with np.errstate(over="ignore", invalid="ignore"):
                try:
                    fit(net, loss, X, Y, epochs=epochs, batch_size=b, optimizer=tracked, rng=rng,
                        progress=False, callback=lambda e, h: kept.append(h.loss[-1]))
                except ValueError:  # nnkit refuses a non-finite output: the run diverged
                    diverged = True
            diverged = diverged or not kept or not kept[-1] < kept[0]
            runs[(b, lr)] = {"loss": kept, "full_loss": tracked.full_loss,
                             "steps_per_epoch": -(-len(X) // b), "diverged": diverged}
    return runs


class _FullLossSGD(SGD):
    """Plain SGD that also records the loss on all the data after every step."""

    def __init__(self, net, loss, X, Y, lr):
        super().__init__(net.parameters(), lr)
        self._net, self._loss, self._X, self._Y, self.full_loss = net, loss, X, Y, []

    def step(self):
        super().step()
        out = self._net.forward(self._X)
        self.full_loss.append(self._loss(out, self._Y) if np.all(np.isfinite(out)) else np.inf)

