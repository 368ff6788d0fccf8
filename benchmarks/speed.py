r"""One SGD training step of a ReLU MLP: nnkit against PyTorch and a hand-fused numpy step.

The step is the lectures' loop body: forward, softmax cross-entropy on integer labels,
backward, :math:`\theta \leftarrow \theta - \eta\nabla L`, in float64. The contenders:

- ``nnkit``: ``nk.MLP``, ``nk.SoftmaxCrossEntropyLoss``, ``nk.SGD``, as ``nk.fit`` runs them
  (``backward(dY, input_grad=False)``: no gradient for the data).
- ``torch``: the same network in PyTorch on the CPU (float64), when PyTorch is installed.
- ``fused``: the step written out in numpy with no layers, no checks and in-place
  arithmetic (:func:`fused_sgd_step`): the floor for any numpy library.
- ``fused+dX``, ``torch+dX``: the same, also computing :math:`\partial L/\partial X`,
  which nnkit's ``backward`` returns by default (a student's loop, a gradient check) and
  PyTorch computes only for an input that requires a gradient.

All start from the same weights (nnkit's He initialisation, copied) and train on the same
batch; :func:`check_same_update` proves that the steps agree.
"""
from __future__ import annotations

import time
from contextlib import contextmanager

import numpy as np

import nnkit as nk

__all__ = [
    "SIZES", "Problem", "torch_module", "make_problem", "fused_sgd_step", "nnkit_step", "fused_step",
    "torch_step", "contenders", "check_same_update", "interleave", "median",
    "blas_threads", "threads", "fit_speed",
]

# (layer sizes, batch size): three teaching sizes, then MNIST-sized.
SIZES = [
    ((2, 16, 2), 32),
    ((2, 64, 3), 256),
    ((64, 128, 10), 128),
    ((784, 256, 10), 128),
]
LR = 0.01


def torch_module():
    """PyTorch, or ``None`` when it is not installed (the benchmark then skips its column).

    Imported on first use, so that importing this module stays fast.
    """
    try:
        import torch
    except ImportError:
        return None
    return torch


class Problem:
    """A batch and the initial weights that every contender starts from.

    Attributes
    ----------
    sizes : tuple of int
        ``(n_0, ..., n_L)``.
    X : ndarray, shape (n, n_0)
    y : ndarray of int64, shape (n,)
        Labels in ``0..n_L-1``.
    weights : list of (W (n_l, n_{l-1}), b (n_l,))
    """

    def __init__(self, sizes, X, y, weights):
        self.sizes, self.X, self.y, self.weights = tuple(sizes), X, y, weights

    @property
    def label(self) -> str:
        return f"{'-'.join(map(str, self.sizes))} on {len(self.X)}"


def make_problem(sizes, n, seed=0) -> Problem:
    """A standard-normal batch of ``n`` rows, random labels, and nnkit's initial weights."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, sizes[0]))
    y = rng.integers(0, sizes[-1], n)
    net = nk.MLP(list(sizes), rng=seed)
    weights = [(layer.W.copy(), layer.b.copy()) for layer in net.layers if isinstance(layer, nk.Dense)]
    return Problem(sizes, X, y, weights)


def fused_sgd_step(params, X, y, lr, input_grad=False):
    r"""One SGD step of a ReLU MLP with softmax cross-entropy, written out in numpy.

    Parameters
    ----------
    params : list of (W (n_l, n_{l-1}), b (n_l,))
        Updated in place.
    X : ndarray, shape (n, n_0)
    y : ndarray of int, shape (n,)
    lr : float
    input_grad : bool
        Also compute :math:`\partial L/\partial X` (returned second), as nnkit's backward does.

    Returns
    -------
    float
        The loss before the update (and dL/dX when ``input_grad``).
    """
    n = len(X)
    hs = [X]  # h^(0) = X, then every hidden layer's ReLU output
    for W, b in params[:-1]:
        e = hs[-1] @ W.T
        e += b
        hs.append(np.maximum(e, 0.0, out=e))
    W, b = params[-1]
    z = hs[-1] @ W.T
    z += b
    z -= z.max(axis=1, keepdims=True)  # softmax is shift-invariant; exp(z) <= 1 now
    p = np.exp(z)
    s = p.sum(axis=1)
    rows = np.arange(n)
    loss = (np.log(s).sum() - z[rows, y].sum()) / n
    p /= s[:, None]
    p[rows, y] -= 1.0
    p /= n
    delta = p  # dL/de of the output layer, (softmax - one_hot) / n
    for l in range(len(params) - 1, -1, -1):
        W, b = params[l]
        h = hs[l]
        dW = delta.T @ h
        db = delta.sum(axis=0)
        if l or input_grad:
            delta = delta @ W  # before W changes
            if l:
                delta *= h > 0
        dW *= lr
        W -= dW
        db *= lr
        b -= db
    return (loss, delta) if input_grad else loss


def nnkit_step(problem: Problem, nk=nk):
    """The step as a student writes it; returns ``(step, net)``.

    ``nk`` may be another copy of the library, to compare two versions of it.
    """
    net = nk.MLP(list(problem.sizes), rng=0)
    dense = [layer for layer in net.layers if isinstance(layer, nk.Dense)]
    for layer, (W, b) in zip(dense, problem.weights):
        layer.W[...], layer.b[...] = W, b
    loss, opt = nk.SoftmaxCrossEntropyLoss(), nk.SGD(net.parameters(), lr=LR)
    X, y = problem.X.copy(), problem.y.copy()

    def step():
        value = loss(net.forward(X), y)
        net.backward(loss.backward(), input_grad=False)
        opt.step()
        return value

    return step, net


def fused_step(problem: Problem, input_grad=False):
    """:func:`fused_sgd_step` on a copy of the weights; returns ``(step, params)``."""
    params = [(W.copy(), b.copy()) for W, b in problem.weights]
    X, y = problem.X.copy(), problem.y.copy()

    def step():
        return fused_sgd_step(params, X, y, LR, input_grad)

    return step, params


def torch_step(problem: Problem, input_grad=False):
    """The step in PyTorch (float64, CPU); returns ``(step, model)``, or ``None`` without torch.

    With ``input_grad`` the batch requires a gradient, so that backward also computes
    dL/dX, as nnkit's does.
    """
    torch = torch_module()
    if torch is None:
        return None
    layers = []
    for l, (W, b) in enumerate(problem.weights):
        linear = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
        if l < len(problem.weights) - 1:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    X, y = torch.from_numpy(problem.X.copy()), torch.from_numpy(problem.y.copy())
    X.requires_grad_(input_grad)

    def step():
        opt.zero_grad(set_to_none=True)
        X.grad = None
        value = torch.nn.functional.cross_entropy(model(X), y)
        value.backward()
        opt.step()
        return value.item()  # nnkit's loss returns a float too

    return step, model


def contenders(problem: Problem) -> dict:
    """Name -> zero-argument step function, each on its own copy of the weights."""
    steps = {"nnkit": nnkit_step(problem)[0]}
    steps["fused"] = fused_step(problem)[0]
    steps["fused+dX"] = fused_step(problem, input_grad=True)[0]
    if torch_module() is not None:
        steps["torch"] = torch_step(problem)[0]
        steps["torch+dX"] = torch_step(problem, input_grad=True)[0]
    return steps


def updated_weights(problem: Problem, steps: int = 1) -> dict:
    """Each contender's weights after ``steps`` steps: name -> list of (W, b) arrays."""
    step, net = nnkit_step(problem)
    for _ in range(steps):
        step()
    out = {"nnkit": [(l.W.copy(), l.b.copy()) for l in net.layers if isinstance(l, nk.Dense)]}
    step, params = fused_step(problem)
    for _ in range(steps):
        step()
    out["fused"] = params
    made = torch_step(problem)
    if made is not None:
        step, model = made
        for _ in range(steps):
            step()
        linears = [m for m in model if hasattr(m, "weight")]
        out["torch"] = [(m.weight.detach().numpy().copy(), m.bias.detach().numpy().copy())
                        for m in linears]
    return out


def check_same_update(problem: Problem, steps: int = 3, rtol: float = 1e-12) -> float:
    """Raise ``AssertionError`` unless every contender's weights agree after ``steps`` steps.

    Returns the largest relative difference from nnkit's weights.
    """
    weights = updated_weights(problem, steps)
    reference, worst = weights.pop("nnkit"), 0.0
    moved = max(np.abs(W - W0).max() for (W, _), (W0, _) in zip(reference, problem.weights))
    assert moved > 1e-6, f"{problem.label}: nnkit's weights did not move ({moved:.3g}); nothing compared"
    for name, params in weights.items():
        for l, ((W, b), (W_ref, b_ref)) in enumerate(zip(params, reference)):
            for got, want in ((W, W_ref), (b, b_ref)):
                diff = np.abs(got - want).max() / max(np.abs(want).max(), 1e-300)
                worst = max(worst, diff)
                assert diff <= rtol, (
                    f"{problem.label}: {name}'s layer {l} weights differ from nnkit's by "
                    f"{diff:.3g} (relative) after {steps} steps; expected <= {rtol:g}"
                )
    return worst


def median(values) -> float:
    return float(np.median(values))


def interleave(steps: dict, seconds: float = 2.0, rounds: int = 15,
               clock=time.perf_counter) -> dict:
    """Time every step function in turn, round after round; name -> per-step seconds, one per round.

    Each round runs every contender for a block of about ``seconds / rounds / len(steps)``
    seconds, in an order shuffled anew each round, so that slow drift in the machine's
    load falls on all contenders alike, and so does whatever one contender leaves behind
    for the next (PyTorch's OpenMP threads keep spinning for a while after each call). ``clock`` is wall time by
    default; ``time.thread_time`` (CPU time of this thread) is steadier on a busy
    machine when every contender runs on one thread.
    """
    names = list(steps)
    block = seconds / rounds / len(names)
    reps = {}
    for name in names:  # warm up, then size each block from one timed call
        steps[name]()
        start = clock()
        steps[name]()
        reps[name] = max(1, int(block / max(clock() - start, 1e-7)))
    times = {name: [] for name in names}
    order = np.random.default_rng(0)
    for r in range(-1, rounds):  # round -1 is not recorded: it warms caches and clocks
        for name in [names[i] for i in order.permutation(len(names))]:
            step, k = steps[name], reps[name]
            start = clock()
            for _ in range(k):
                step()
            if r >= 0:
                times[name].append((clock() - start) / k)
    return times


def blas_threads() -> int | None:
    """Threads numpy's BLAS uses, or ``None`` when threadpoolctl is not installed."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    counts = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    return max(counts) if counts else 1


@contextmanager
def threads(n: int | None):
    """Run numpy's BLAS and PyTorch with ``n`` threads each (``None``: leave both as they are)."""
    if n is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    torch = torch_module()
    before = torch.get_num_threads() if torch is not None else None
    with threadpool_limits(limits=n, user_api="blas"):
        if torch is not None:
            torch.set_num_threads(n)
        try:
            yield
        finally:
            if torch is not None:
                torch.set_num_threads(before)


def fit_speed(n=300, hidden=64, epochs=20, batch_sizes=(None, 32), seconds=2.0, rounds=5):
    """``nk.fit`` epochs per second on spirals, against the same steps in a bare loop.

    Returns a list of dicts: ``batch_size``, ``fit`` and ``loop`` (epochs per second,
    medians over ``rounds``), ``steps_per_epoch``.
    """
    X, Y = nk.data.spirals(n, classes=3, rng=0)
    rows = []
    for batch_size in batch_sizes:
        size = n if batch_size is None else batch_size

        def run_fit():
            net = nk.MLP([2, hidden, 3], rng=0)
            nk.fit(net, nk.SoftmaxCrossEntropyLoss(), X, Y, epochs=epochs,
                   batch_size=batch_size, lr=0.1, rng=0, progress=False)

        def run_loop():
            net, loss = nk.MLP([2, hidden, 3], rng=0), nk.SoftmaxCrossEntropyLoss()
            opt, rng = nk.SGD(net.parameters(), lr=0.1), np.random.default_rng(0)
            for _ in range(epochs):
                order = rng.permutation(n) if size < n else np.arange(n)
                Xs, Ys = X[order], Y[order]
                for start in range(0, n, size):
                    loss(net.forward(Xs[start:start + size]), Ys[start:start + size])
                    net.backward(loss.backward(), input_grad=False)
                    opt.step()

        times = interleave({"fit": run_fit, "loop": run_loop}, seconds=seconds, rounds=rounds)
        rows.append({
            "batch_size": batch_size,
            "steps_per_epoch": -(-n // size),
            "fit": epochs / median(times["fit"]),
            "loop": epochs / median(times["loop"]),
        })
    return rows
