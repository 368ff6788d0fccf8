"""What every layer shares: parameters, train/eval mode, and the forward-before-backward rule."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TypeVar

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["Layer", "Parameter"]

L = TypeVar("L", bound="Layer")


class Parameter:
    """A handle on one trainable array of a layer and on its gradient.

    ``value`` is the array itself (``layer.W``), ``grad`` the array beside it
    (``layer.dW``). Optimisers update ``value`` in place, so a notebook that holds
    ``layer.W`` sees the change.
    """

    __slots__ = ("owner", "name")

    def __init__(self, owner: Layer, name: str):
        self.owner = owner
        self.name = name

    @property
    def value(self) -> np.ndarray:
        return getattr(self.owner, self.name)

    @value.setter
    def value(self, new: ArrayLike) -> None:
        # ``p.value -= lr * p.grad`` lands here; write in place so the layer keeps its array.
        current = getattr(self.owner, self.name)
        if new is not current:
            current[...] = new

    @property
    def grad(self) -> np.ndarray | None:
        return getattr(self.owner, "d" + self.name, None)

    @property
    def is_weight(self) -> bool:
        """True for a weight matrix (listed in its layer's ``weight_names``), False for a
        bias, a BatchNorm scale or a PReLU slope: what the penalties regularise."""
        return self.name in getattr(self.owner, "weight_names", ())

    @property
    def shape(self) -> tuple:
        return self.value.shape

    def __repr__(self) -> str:
        return f"Parameter({type(self.owner).__name__}.{self.name}, shape={self.shape})"


class Layer:
    """Base class: ``forward(X)`` keeps what ``backward(dY)`` needs.

    Subclasses list their trainable arrays in ``param_names``; after ``backward`` the
    gradient of ``name`` sits in ``"d" + name`` (overwritten, never accumulated). Those of
    them that are weight matrices (not biases) are also listed in ``weight_names``: the
    L1 and L2 penalties act on these alone.
    """

    param_names: tuple[str, ...] = ()
    weight_names: tuple[str, ...] = ()
    # Arrays that are state but not trained (BatchNorm's running statistics): early
    # stopping saves and restores them with the parameters.
    buffer_names: tuple[str, ...] = ()
    training = True
    # A network checks the input where it enters and the gradient where it comes back,
    # then calls its layers' unchecked ``_forward(X)`` and ``_backward(dY)``: the arrays
    # between two of nnkit's layers were made by nnkit and are right already. A layer
    # class that writes ``forward`` and ``_forward`` (``backward`` and ``_backward``)
    # side by side has these; one that overrides ``forward`` or ``backward`` alone (a
    # student's layer, a deliberately wrong one in a test) is called through them, and
    # the layer after it checks what it returned (see ``__init_subclass__``).
    _fast = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = cls.__dict__
        if "forward" in own or "backward" in own:
            cls._fast = all(name in own for name in ("forward", "_forward", "backward", "_backward"))

    def __call__(self, X: ArrayLike) -> np.ndarray:
        return self.forward(X)

    def forward(self, X: ArrayLike) -> np.ndarray:  # pragma: no cover - every layer overrides it
        """X (n, features_in) -> Y (n, features_out), keeping what ``backward`` needs."""
        raise NotImplementedError

    def backward(self, dY: np.ndarray) -> np.ndarray:  # pragma: no cover
        """dL/dY (n, features_out) -> dL/dX (n, features_in), filling the parameters' gradients."""
        raise NotImplementedError

    def parameters(self) -> list[Parameter]:
        return [Parameter(self, name) for name in self.param_names]

    def num_parameters(self) -> int:
        return sum(p.value.size for p in self.parameters())

    def train(self: L) -> L:
        """Switch to training mode (the default); returns the layer."""
        self.training = True
        return self

    def eval(self: L) -> L:
        """Switch to evaluation mode; returns the layer."""
        self.training = False
        return self

    @contextlib.contextmanager
    def evaluating(self: L) -> Iterator[L]:
        """``with net.evaluating(): ...`` runs the block in evaluation mode.

        Afterwards every layer is back in the mode it was in before, also when the block
        raises: a forward pass that fails does not leave batch norm on its running
        statistics. Use it for every forward pass that should not train, e.g.
        ``with net.evaluating(): Yhat = net.forward(X_test)``.
        """
        modes = [(layer, layer.training) for layer in self._with_sublayers()]
        self.eval()
        try:
            yield self
        finally:
            for layer, training in modes:  # outer first, so inner layers get the last word
                if training:
                    layer.train()
                else:
                    layer.eval()

    def _with_sublayers(self) -> Iterator[Layer]:
        """This layer and the layers inside it, outermost first."""
        yield self

    def _check_backward(self, dY: ArrayLike, out_shape: tuple[int, ...] | None) -> np.ndarray:
        """Check that forward ran and that ``dY`` has the shape of the forward output."""
        if out_shape is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward was called before forward: call "
                f"forward(X) first, so the layer has the values it needs."
            )
        dY = np.asarray(dY)
        if dY.shape != out_shape:
            raise ValueError(
                f"dY has shape {dY.shape} but {type(self).__name__}.forward returned "
                f"shape {out_shape}; backward needs the gradient of that output, same shape."
            )
        return dY

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
