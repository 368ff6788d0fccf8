"""Networks as lists of layers: ``Sequential`` and the ``MLP`` builder."""
from __future__ import annotations

import copy
from typing import Literal, overload

import numpy as np
from numpy.typing import ArrayLike

from .._validation import choose, make_rng
from .activations import (
    ELU, Identity, LeakyReLU, PReLU, ReLU, Sigmoid, Sign, Softmax, Softplus, Step, Tanh,
)
from .base import Layer
from .dense import Dense

__all__ = ["Sequential", "MLP", "ACTIVATIONS", "as_activation"]


class Sequential(Layer):
    """Layers applied in order; ``backward`` runs them in reverse.

    Parameters
    ----------
    layers : list of Layer
    """

    def __init__(self, layers):
        layers = list(layers)
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"layers[{i}] must be an nnkit layer (with forward and backward); "
                    f"got {type(layer).__name__}. Did you pass the class instead of an "
                    f"instance, e.g. nk.ReLU instead of nk.ReLU()?"
                )
        self.layers = layers

    def forward(self, X: ArrayLike) -> np.ndarray:
        """X (n, n_0) -> output (n, n_L)."""
        for layer in self.layers:
            X = layer.forward(X)
        return np.asarray(X)  # X itself (asarray copies nothing); typed for an empty list

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
        first, rest = self.layers[0], self.layers[1:]
        for layer in reversed(rest):
            dY = layer.backward(dY)
        if not input_grad and isinstance(first, Dense):
            first.backward(dY, input_grad=False)
            return None
        dX = first.backward(dY)
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

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self):
        return len(self.layers)

    def __repr__(self) -> str:
        inner = ",\n  ".join(map(repr, self.layers))
        return f"{type(self).__name__}([\n  {inner}\n])"


ACTIVATIONS = {
    "identity": Identity, "sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU,
    "leaky_relu": LeakyReLU, "elu": ELU, "softplus": Softplus, "prelu": PReLU,
    "step": Step, "sign": Sign, "softmax": Softmax,
}
_RELU_FAMILY = (ReLU, LeakyReLU, PReLU, ELU)


def as_activation(spec) -> Layer:
    """A fresh activation layer from a name, a layer class or a layer (copied)."""
    if isinstance(spec, str):
        return ACTIVATIONS[choose("activation", spec, ACTIVATIONS)]()
    if isinstance(spec, type) and issubclass(spec, Layer):
        return spec()
    if isinstance(spec, Layer):
        return copy.deepcopy(spec)
    raise TypeError(
        f"activation must be a name ({', '.join(map(repr, ACTIVATIONS))}) or an nnkit "
        f"layer; got {spec!r}"
    )


class MLP(Sequential):
    """A multi-layer perceptron: ``Dense`` layers with an activation between them.

    Parameters
    ----------
    sizes : list of int
        ``[n_0, n_1, ..., n_L]``: input width, hidden widths, output width.
    activation : str or Layer
        Hidden activation, e.g. ``"relu"``, ``"tanh"``, ``nk.LeakyReLU(0.1)``.
    output : str or Layer
        Output activation: ``"identity"`` (regression or logits), ``"sigmoid"``, ...
        With ``"identity"`` no layer is added after the last ``Dense``.
    init : str, callable or None
        ``None`` picks He for the ReLU family and Xavier otherwise.
    rng : None, int or numpy.random.Generator
    """

    def __init__(self, sizes, activation="relu", output="identity", init=None, rng=None):
        sizes = list(sizes)
        if len(sizes) < 2 or not all(isinstance(s, int) and s > 0 for s in sizes):
            raise ValueError(
                f"sizes must list at least two positive ints [n_0, ..., n_L]; got {sizes!r}"
            )
        hidden = as_activation(activation)
        if init is None:
            init = "he" if isinstance(hidden, _RELU_FAMILY) else "xavier"
        rng = make_rng(rng)
        layers: list[Layer] = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Dense(n_in, n_out, init=init, rng=rng))
            if i < len(sizes) - 2:
                layers.append(copy.deepcopy(hidden))
        out = as_activation(output)
        if not isinstance(out, Identity):
            layers.append(out)
        super().__init__(layers)
        self.sizes = sizes
