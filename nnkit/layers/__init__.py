"""Layers: each a small class whose ``forward`` keeps what its ``backward`` needs."""
from .activations import (
    ACTIVATIONS, ELU, Activation, Identity, LeakyReLU, PReLU, ReLU, Sigmoid, Sign, Softmax,
    Softplus, Step, Tanh, as_activation,
)
from .base import Layer, Parameter
from .batchnorm import BatchNorm
from .dense import Dense
from .dropout import Dropout
from .maxout import Maxout
from .sequential import MLP, Sequential

__all__ = [
    "Layer", "Parameter", "Dense", "Identity", "Step", "Sign", "Sigmoid", "Tanh", "ReLU",
    "LeakyReLU", "ELU", "Softplus", "PReLU", "Softmax", "Maxout", "BatchNorm", "Dropout",
    "Sequential", "MLP", "Activation", "ACTIVATIONS", "as_activation",
]
