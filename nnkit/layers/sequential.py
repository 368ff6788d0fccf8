"""Networks as lists of layers: ``Sequential`` and the ``MLP`` builder."""
from __future__ import annotations

import copy
import numbers
from collections.abc import Iterator
from typing import Literal, overload

import numpy as np
from numpy.typing import ArrayLike

from .._validation import make_rng
from .activations import ELU, Identity, LeakyReLU, PReLU, ReLU, as_activation
from .base import Layer
from .batchnorm import BatchNorm
from .dense import Dense
from .dropout import Dropout

__all__ = ["Sequential", "MLP"]


class Sequential(Layer):
    """Layers applied in order; ``backward`` runs them in reverse.

    Parameters
    ----------
    layers : list of Layer
    """

    def __init__(self, layers):
        if isinstance(layers, Layer):
            raise TypeError(
                f"layers must be a list of nnkit layers; got one {type(layers).__name__}. "
                f"Wrap it in a list: Sequential([layer])."
            )
        layers = list(layers)
        for i, layer in enumerate(layers):
            if isinstance(layer, (list, tuple)):
                raise TypeError(
                    f"layers[{i}] is a {type(layer).__name__} of {len(layer)} items; Sequential "
                    f"takes one flat list of layers. Join the lists, e.g. "
                    f"Sequential([*first, *second]), or nest a network as Sequential([...])."
                )
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"layers[{i}] must be an nnkit layer (with forward and backward); "
                    f"got {type(layer).__name__}. Did you pass the class instead of an "
                    f"instance, e.g. nk.ReLU instead of nk.ReLU()?"
                )
        self.layers = layers

    def forward(self, X: ArrayLike) -> np.ndarray:
        """X (n, n_0) -> output (n, n_L)."""
        if not self.layers:
            return np.asarray(X)
        return self._forward(X, checked=False)

    def _forward(self, X, checked: bool = True):
        # The first layer checks X (unless a network around this one did); after that the
        # batch is nnkit's own, and only a layer that is not (Layer._fast) is followed by
        # a checked call. A width that does not match is still caught: Dense checks it.
        for layer in self.layers:
            X = layer._forward(X) if checked and layer._fast else layer.forward(X)
            checked = layer._fast
        return X

    @overload
    def backward(self, dY: np.ndarray) -> np.ndarray: ...
    @overload
    def backward(self, dY: np.ndarray, input_grad: Literal[True]) -> np.ndarray: ...
    @overload
    def backward(self, dY: np.ndarray, input_grad: Literal[False]) -> None: ...

    def backward(self, dY: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """dL/dOutput (n, n_L) -> dL/dX (n, n_0), filling every layer's gradients.

        ``input_grad=False`` lets a first ``Dense`` layer skip dL/dX (``fit`` does this)
        and returns ``None``.
        """
        return self._backward(dY, input_grad, checked=False)

    def _backward(self, dY, input_grad: bool = True, checked: bool = True):
        # The last layer checks dY (forward ran, same shape as its output); after that
        # as in _forward: unchecked from one of nnkit's layers to the next.
        layers = self.layers
        for i in range(len(layers) - 1, 0, -1):
            layer = layers[i]
            dY = layer._backward(dY) if checked and layer._fast else layer.backward(dY)
            checked = layer._fast
        first = layers[0]
        if not input_grad and isinstance(first, Dense):
            if checked and first._fast:
                first._backward(dY, False)
            else:
                first.backward(dY, input_grad=False)
            return None
        dX = first._backward(dY) if checked and first._fast else first.backward(dY)
        return dX if input_grad else None

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def train(self):
        for layer in self.layers:
            layer.train()
        self.training = True
        return self

    def eval(self):
        for layer in self.layers:
            layer.eval()
        self.training = False
        return self

    def _with_sublayers(self) -> Iterator[Layer]:
        yield self
        for layer in self.layers:
            yield from layer._with_sublayers()

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self):
        return len(self.layers)

    def __repr__(self) -> str:
        inner = ",\n  ".join(map(repr, self.layers))
        return f"{type(self).__name__}([\n  {inner}\n])"


_RELU_FAMILY = (ReLU, LeakyReLU, PReLU, ELU)


def _widths(sizes) -> list[int]:
    """``sizes`` as a list of Python ints: at least two, each a positive integer (numpy's too)."""
    sizes = list(sizes)
    if len(sizes) < 2 or not all(isinstance(s, numbers.Integral) and not isinstance(s, bool)
                                 and int(s) > 0 for s in sizes):
        raise ValueError(
            f"sizes must list at least two positive ints [n_0, ..., n_L]; got {sizes!r}"
        )
    return [int(s) for s in sizes]


class MLP(Sequential):
    """A multi-layer perceptron: ``Dense`` layers with an activation between them.

    Each hidden layer is ``Dense -> [BatchNorm ->] activation``; the last ``Dense`` is
    followed by the output activation.

    Parameters
    ----------
    sizes : list of int
        ``[n_0, n_1, ..., n_L]``: input width, the width of each hidden layer, output width.
    activation : str or Layer
        Hidden activation, e.g. ``"relu"``, ``"tanh"``, ``nk.LeakyReLU(0.1)``; a name is
        one of :data:`nnkit.layers.ACTIVATIONS`.
    output : str or Layer
        Output activation: ``"identity"`` (regression or logits), ``"sigmoid"``, ...
        With ``"identity"`` no layer is added after the last ``Dense``.
    init : str, callable or None
        ``None`` picks He for the ReLU family and Xavier otherwise.
    rng : None, int or numpy.random.Generator
        Draws the weights, layer by layer from the input; with or without ``batchnorm``
        the same seed gives the same weights.
    batchnorm : bool
        Put a ``BatchNorm`` between each hidden ``Dense`` and its activation.
    dropout : float
        If above 0, a ``Dropout(dropout)`` after each hidden activation. Its masks come from
        ``rng`` too, drawn during training, so the weights are those of the same seed
        without dropout.
    """

    def __init__(self, sizes, activation="relu", output="identity", init=None, rng=None,
                 batchnorm: bool = False, dropout: float = 0.0):
        sizes = _widths(sizes)
        hidden = as_activation(activation)
        if init is None:
            init = "he" if isinstance(hidden, _RELU_FAMILY) else "xavier"
        rng = make_rng(rng)
        layers: list[Layer] = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Dense(n_in, n_out, init=init, rng=rng))
            if i < len(sizes) - 2:
                if batchnorm:
                    layers.append(BatchNorm(n_out))
                layers.append(copy.deepcopy(hidden))
                if dropout:
                    layers.append(Dropout(dropout, rng=rng))
        out = as_activation(output)
        if not isinstance(out, Identity):
            layers.append(out)
        super().__init__(layers)
        self.sizes, self.batchnorm, self.dropout = sizes, bool(batchnorm), float(dropout)
