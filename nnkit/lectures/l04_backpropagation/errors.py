r"""The back-propagated error of every layer, :math:`\delta^{(l)} = \partial L / \partial e^{(l)}`, as nnkit computes it.

Lecture 04 derives the recursion
:math:`\delta^{(l)} = f'(e^{(l)}) \odot \delta^{(l+1)} W^{(l+1)}` (examples in rows) and writes
it out in numpy; ``layer_errors`` reads the same quantities out of nnkit's own backward pass,
one layer at a time, so that the two can be compared.
"""
from __future__ import annotations

from nnkit.layers import Dense

__all__ = ["layer_errors"]


def layer_errors(net, loss, X, Y) -> dict:
    r"""Run ``net`` forward and backward and keep, for each ``Dense`` layer :math:`l = 1..L`, what passes through it.

    Returns
    -------
    dict of lists, one entry per ``Dense`` layer, first layer first:
        ``"h"``: its input :math:`h^{(l-1)}` (``X`` for :math:`l = 1`), shape ``(n, n_{l-1})``;
        ``"e"``: its output, the excitation :math:`e^{(l)}`, shape ``(n, n_l)``;
        ``"delta"``: the gradient nnkit sends into it, :math:`\partial L/\partial e^{(l)}`,
        shape ``(n, n_l)`` (for the last layer, the output error :math:`\varepsilon`).
    """
    out = {"h": [], "e": [], "delta": []}
    A = X
    for layer in net.layers:
        if isinstance(layer, Dense):
            out["h"].append(A)
            A = layer.forward(A)
            out["e"].append(A)
        else:
            A = layer.forward(A)
    loss(A, Y)
    grad = loss.backward()
    deltas = []
    for layer in reversed(net.layers):
        if isinstance(layer, Dense):
            deltas.append(grad)
        grad = layer.backward(grad)
    out["delta"] = deltas[::-1]
    return out
