"""nnkit: neural networks from first principles, in numpy.

``import nnkit as nk`` gives the layers, losses, optimisers, ``fit``, gradient
checking, and the modules ``nk.functional``, ``nk.init``, ``nk.data`` and
``nk.preprocess``. The shared drawing machinery (``nnkit.viz``), each lecture's
room (``nnkit.lectures.lNN_<name>``), the exercise checks (``nnkit.checks``) and the
instructor tooling (``nnkit.course``) are imported on their own, so the core needs
numpy alone.
"""
from . import data, functional, init, preprocess
from . import schedules
from .gradcheck import gradcheck, numerical_gradient, relative_error
from .layers import (
    ELU, MLP, BatchNorm, Dense, Dropout, Identity, Layer, LeakyReLU, Maxout, Parameter, PReLU,
    ReLU, Sequential, Sigmoid, Sign, Softmax, Softplus, Step, Tanh,
)
from .losses import BCELoss, BCEWithLogitsLoss, Loss, MSELoss, SoftmaxCrossEntropyLoss
from .optim import SGD, Adam, AdamW, Optimizer, RMSprop
from .penalties import L1Penalty, L2Penalty, Penalty
from .training import History, accuracy, fit

__version__ = "0.1.0"

__all__ = [
    "data", "functional", "init", "preprocess", "schedules",
    "Layer", "Parameter", "Dense", "Identity", "Step", "Sign", "Sigmoid", "Tanh", "ReLU",
    "LeakyReLU", "ELU", "Softplus", "PReLU", "Softmax", "Maxout", "BatchNorm",
    "Dropout", "Sequential", "MLP",
    "Loss", "MSELoss", "BCELoss", "BCEWithLogitsLoss", "SoftmaxCrossEntropyLoss",
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Penalty", "L2Penalty", "L1Penalty",
    "History", "fit", "accuracy",
    "numerical_gradient", "relative_error", "gradcheck",
]
