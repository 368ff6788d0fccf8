"""Issue 15's pieces held against PyTorch (CPU, float64): the optimisers with weight decay,
AdamW, RMSprop, the penalties' gradients, dropout's convention, the schedules, and a whole
``fit`` run. Skipped cleanly when PyTorch is not installed (it is no test dependency)."""
import numpy as np
import pytest

import nnkit as nk

torch = pytest.importorskip("torch")

SHAPES = [(3, 2), (3,), (2, 4, 3)]


def _param_sets(seed):
    rng = np.random.default_rng(seed)
    values = [rng.standard_normal(s) for s in SHAPES]
    grads = [[rng.standard_normal(s) for s in SHAPES] for _ in range(6)]
    return values, grads


class _Holder(nk.Layer):
    """A layer that only holds arrays, so that nnkit's optimisers can update them."""

    def __init__(self, values):
        self.param_names = tuple(f"p{i}" for i in range(len(values)))
        for i, v in enumerate(values):
            setattr(self, f"p{i}", v.copy())
            setattr(self, f"dp{i}", np.zeros_like(v))


OPTIMISERS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.05, betas=(0.5, 0.9), weight_decay=0.3)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.003, alpha=0.9, eps=1e-6, momentum=0.8, weight_decay=0.05)),
]


@pytest.mark.parametrize("name, kwargs", OPTIMISERS, ids=[f"{n}{k}" for n, k in OPTIMISERS])
def test_optimisers_match_torch(name, kwargs):
    values, grads = _param_sets(0)
    holder = _Holder(values)
    ours = getattr(nk, name)(holder.parameters(), **kwargs)
    tensors = [torch.tensor(v, requires_grad=True) for v in values]
    theirs = getattr(torch.optim, name)(tensors, **kwargs)
    for step in grads:
        for i, (g, t) in enumerate(zip(step, tensors)):
            setattr(holder, f"dp{i}", g.copy())
            t.grad = torch.tensor(g)
        ours.step()
        theirs.step()
    for i, t in enumerate(tensors):
        np.testing.assert_allclose(getattr(holder, f"p{i}"), t.detach().numpy(), rtol=1e-12, atol=1e-14,
                                   err_msg=f"nk.{name}({kwargs}) differs from torch.optim.{name}")


@pytest.mark.parametrize("Penalty, formula", [
    (nk.L2Penalty, lambda lam, Ws: lam / 2 * sum((W**2).sum() for W in Ws)),
    (nk.L1Penalty, lambda lam, Ws: lam * sum(W.abs().sum() for W in Ws)),
])
def test_penalties_match_torch_autograd(Penalty, formula):
    net = nk.Sequential([nk.Dense(3, 4, rng=0), nk.Tanh(), nk.Maxout(4, 2, rng=1)])
    net[0].W[0, 0] = 0.0  # L1 at its kink: torch's subgradient of |w| at 0 is 0 too
    params = net.parameters()
    for p in params:
        setattr(p.owner, "d" + p.name, np.zeros(p.shape))
    lam = 0.37
    weights = [torch.tensor(p.value, requires_grad=True) for p in params if p.is_weight]
    value = formula(lam, weights)
    value.backward()
    assert Penalty(lam)(params) == pytest.approx(value.item(), rel=1e-14)
    Penalty(lam).backward(params)
    for p, t in zip([p for p in params if p.is_weight], weights):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-14, atol=0)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_dropout_follows_torch_convention(p):
    X = np.random.default_rng(0).uniform(1.0, 2.0, (400, 50))
    ours = nk.Dropout(p, rng=0)
    theirs = torch.nn.Dropout(p)
    torch.manual_seed(0)
    x = torch.tensor(X, requires_grad=True)
    y = theirs(x)
    y.backward(torch.ones_like(x))
    torch_mask = x.grad.numpy()  # d(sum y)/dx: the scaled mask
    ours.forward(X)
    our_mask = ours.backward(np.ones_like(X))
    for mask, who in ((torch_mask, "torch"), (our_mask, "nnkit")):
        assert set(np.unique(mask)) == {0.0, 1 / (1 - p)}, f"{who}'s mask is 0 or 1/(1-p)"
        assert abs(np.mean(mask == 0) - p) < 0.01, f"{who} drops a fraction p"
    np.testing.assert_allclose(y.detach().numpy(), X * torch_mask, rtol=1e-15)
    theirs.eval()
    ours.eval()
    np.testing.assert_array_equal(theirs(torch.tensor(X)).numpy(), ours.forward(X))


def _torch_rates(make_scheduler, lr, epochs):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    scheduler = make_scheduler(opt)
    rates = []
    for _ in range(epochs):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return rates


@pytest.mark.parametrize("ours, make", [
    (nk.schedules.step(0.1, step_size=3, gamma=0.5),
     lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5)),
    (nk.schedules.step(0.1, step_size=1),
     lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=1)),
    (nk.schedules.exponential(0.1, gamma=0.93),
     lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.93)),
    (nk.schedules.cosine(0.1, total_epochs=10),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10)),
    (nk.schedules.cosine(0.1, total_epochs=7, min_lr=0.01),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=7, eta_min=0.01)),
], ids=["step", "step1", "exponential", "cosine", "cosine-min"])
def test_schedules_match_torch(ours, make):
    epochs = 25  # past the cosine's total_epochs too, where both rise again
    np.testing.assert_allclose([ours(t) for t in range(epochs)], _torch_rates(make, 0.1, epochs),
                               rtol=1e-10, atol=1e-15)


def test_a_fit_run_matches_torch():
    """Full-batch AdamW with an L2 penalty on the weights and a cosine schedule."""
    X, y = nk.data.spirals(90, rng=0)
    net = nk.MLP([2, 8, 3], activation="tanh", rng=0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).double()
    dense = [layer for layer in net.layers if isinstance(layer, nk.Dense)]
    with torch.no_grad():
        for layer, linear in zip(dense, [model[0], model[2]]):
            linear.weight.copy_(torch.tensor(layer.W))
            linear.bias.copy_(torch.tensor(layer.b))
    epochs, lam = 12, 0.01
    h = nk.fit(net, nk.SoftmaxCrossEntropyLoss(), X, y, epochs=epochs,
               optimizer=nk.AdamW(net.parameters(), lr=0.05, weight_decay=0.1),
               schedule=nk.schedules.cosine(0.05, epochs), penalty=nk.L2Penalty(lam))
    opt = torch.optim.AdamW(model.parameters(), lr=0.05, weight_decay=0.1)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    losses = []
    for _ in range(epochs):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(Xt), yt)
        penalty = lam / 2 * (model[0].weight.square().sum() + model[2].weight.square().sum())
        (loss + penalty).backward()
        opt.step()
        scheduler.step()
        losses.append(loss.item())
    np.testing.assert_allclose(h.loss, losses, rtol=1e-10)
    for layer, linear in zip(dense, [model[0], model[2]]):
        np.testing.assert_allclose(layer.W, linear.weight.detach().numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(layer.b, linear.bias.detach().numpy(), rtol=1e-9, atol=1e-12)
