"""Layers: each a small class whose ``forward`` keeps what its ``backward`` needs."""
from .activations import (
    ELU, Identity, LeakyReLU, PReLU, ReLU, Sigmoid, Sign, Softmax, Softplus, Step, Tanh,
)
from .base import Layer, Parameter
from .batchnorm import BatchNorm
from .dense import Dense
from .dropout import Dropout
from .maxout import Maxout
from .sequential import ACTIVATIONS, MLP, Sequential, as_activation

__all__ = [
    "Layer", "Parameter", "Dense", "Identity", "Step", "Sign", "Sigmoid", "Tanh", "ReLU",
    "LeakyReLU", "ELU", "Softplus", "PReLU", "Softmax", "Maxout", "BatchNorm", "Dropout",
    "Sequential", "MLP", "ACTIVATIONS", "as_activation",
]
