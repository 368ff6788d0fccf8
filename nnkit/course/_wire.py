"""The values that cross between the grader and a sandboxed submission, and how.

Messages are JSON objects, each framed by its length (8 bytes, big-endian). Values are
plain JSON where JSON can say it, and tagged objects otherwise::

    {"__nd__": ["<f8", [2, 3], "<base64>"]}     an ndarray (numeric or bool dtypes only)
    {"__sc__": ["<f4", "<base64>"]}             a numpy scalar
    {"__tuple__": [...]}, {"__dict__": [[key, value], ...]}, {"__float__": "nan"}
    {"__object__": ["TypeName", "capped repr"]}  anything else the submission returned
    {"__rng__": {...}}                           a numpy Generator's bit-generator state
    {"__fn__": 3}                                a callable that lives on the other side

Decoding never builds anything but ``None``, ``bool``, ``int``, ``float``, ``str``,
``list``, ``tuple``, ``dict``, numpy arrays and scalars of whitelisted dtypes (and, in the
sandbox only, generators and call-back proxies): no pickle, no class of the submission's.
Every size is capped, so a hostile message costs the grader at most ``MAX_MESSAGE`` bytes.

This module needs the standard library and numpy only; it runs on both sides.
"""
from __future__ import annotations

import base64
import json
import math
import os
import select
import struct
import time

import numpy as np

__all__ = ["WireError", "Opaque", "encode", "decode", "send", "receive", "MAX_MESSAGE"]

MAX_MESSAGE = 64 * 2 ** 20   # bytes in one message
MAX_DEPTH = 20               # nesting of lists, tuples and dicts
MAX_ITEMS = 100_000          # elements of one list, tuple or dict
MAX_TEXT = 20_000            # characters of one string the sandbox sends back
_KINDS = set("biufc")        # bool, int, unsigned, float, complex: no object or str arrays
_HEADER = struct.Struct(">Q")


class WireError(Exception):
    """A message that breaks the protocol: too big, malformed, or of a forbidden type."""


class Opaque:
    """Something the submission returned that is not a plain value (its type and repr only)."""

    def __init__(self, type_name: str, text: str):
        self.type_name, self.text = str(type_name), str(text)

    def __repr__(self) -> str:
        return self.text

    def __eq__(self, other):
        return isinstance(other, Opaque) and (self.type_name, self.text) == (other.type_name, other.text)

    __hash__ = None


# ------------------------------------------------------------------ values
def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _safe_repr(x, limit: int = 200) -> str:
    try:
        text = repr(x)
    except BaseException:  # noqa: BLE001 - a hostile __repr__ must not stop the encoding
        text = f"<{type(x).__name__} object>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def encode(x, callables=None, depth: int = 0):
    """``x`` as a JSON-ready value.

    ``callables`` is a list: a callable met on the way is appended to it and sent as a
    handle (its index); without it, callables are sent as opaque objects.
    """
    if depth > MAX_DEPTH:
        return {"__object__": [type(x).__name__, "(nested too deeply)"]}
    t = type(x)
    if x is None or t is bool or t is str:
        return x if t is not str or len(x) <= MAX_TEXT else x[:MAX_TEXT] + "..."
    if t is int:
        return x if abs(x) < 2 ** 63 else {"__object__": ["int", _safe_repr(x, 60)]}
    if t is float:
        return x if math.isfinite(x) else {"__float__": repr(x)}
    if isinstance(x, np.ndarray):
        arr = np.ascontiguousarray(np.ndarray.view(x, np.ndarray))
        if arr.dtype.kind not in _KINDS or arr.dtype.hasobject:
            return {"__object__": [f"ndarray of {arr.dtype}", _safe_repr(arr)]}
        if arr.nbytes > MAX_MESSAGE:
            raise WireError(f"an array of {arr.nbytes} bytes is larger than the {MAX_MESSAGE} allowed")
        return {"__nd__": [arr.dtype.str, list(arr.shape), _b64(arr.tobytes())]}
    if isinstance(x, np.generic) and np.dtype(type(x)).kind in _KINDS:
        arr = np.asarray(x)
        return {"__sc__": [arr.dtype.str, _b64(arr.tobytes())]}
    if isinstance(x, np.random.Generator):
        try:
            return {"__rng__": _plain(x.bit_generator.state)}
        except Exception:  # noqa: BLE001 - an exotic bit generator: describe it only
            return {"__object__": ["Generator", _safe_repr(x)]}
    if isinstance(x, (list, tuple)):  # a namedtuple is sent as a tuple
        items = list(x)[: MAX_ITEMS + 1]
        if len(items) > MAX_ITEMS:
            raise WireError(f"a {t.__name__} of more than {MAX_ITEMS} items")
        out = [encode(v, callables, depth + 1) for v in items]
        return out if isinstance(x, list) else {"__tuple__": out}
    if isinstance(x, dict):
        pairs = list(x.items())[: MAX_ITEMS + 1]
        if len(pairs) > MAX_ITEMS:
            raise WireError(f"a dict of more than {MAX_ITEMS} items")
        return {"__dict__": [[encode(k, callables, depth + 1), encode(v, callables, depth + 1)]
                             for k, v in pairs]}
    if isinstance(x, (bool, int)):  # subclasses (IntEnum, numpy's bool_ is handled above)
        return encode(int(x), callables, depth)
    if isinstance(x, float):
        return encode(float(x), callables, depth)
    if isinstance(x, str):
        return encode(str.__str__(x), callables, depth)
    if callable(x) and callables is not None:
        callables.append(x)
        return {"__fn__": len(callables) - 1}
    return {"__object__": [type(x).__name__, _safe_repr(x)]}


def _plain(state):
    """A bit generator's state (dicts of ints and arrays) as plain values."""
    if isinstance(state, dict):
        return {str(k): _plain(v) for k, v in state.items()}
    if isinstance(state, np.ndarray):
        return {"__nd__": [state.dtype.str, list(state.shape), _b64(state.tobytes())]}
    if isinstance(state, (np.integer, int)):
        return int(state)
    return state


def _array(spec):
    if not (isinstance(spec, list) and len(spec) == 3):
        raise WireError("malformed array")
    dtype, shape, data = spec
    try:
        dt = np.dtype(dtype)
    except (TypeError, ValueError):
        raise WireError(f"unknown dtype {dtype!r}") from None
    if dt.kind not in _KINDS or dt.hasobject or not isinstance(shape, list) or len(shape) > 32 \
            or not all(type(n) is int and 0 <= n for n in shape) or not isinstance(data, str):
        raise WireError(f"an array of dtype {dtype!r} and shape {shape!r} is not accepted")
    raw = base64.b64decode(data.encode("ascii"), validate=True)
    count = math.prod(shape)
    if count * dt.itemsize != len(raw):
        raise WireError("an array's data does not match its shape")
    return np.frombuffer(raw, dtype=dt).reshape(shape).copy()


def decode(x, make_rng=None, make_callable=None, depth: int = 0):
    """The value that :func:`encode` sent. ``make_rng`` and ``make_callable`` are given on the
    side that accepts generators and call-back handles; elsewhere those tags are refused."""
    if depth > MAX_DEPTH + 2:
        raise WireError("nested too deeply")
    t = type(x)
    if x is None or t in (bool, int, float, str):
        return x
    if t is list:
        if len(x) > MAX_ITEMS:
            raise WireError("too many items")
        return [decode(v, make_rng, make_callable, depth + 1) for v in x]
    if t is not dict or len(x) != 1:
        raise WireError(f"unexpected {t.__name__} in a message")
    (tag, body), = x.items()
    if tag == "__nd__":
        return _array(body)
    if tag == "__sc__":
        if not (isinstance(body, list) and len(body) == 2):
            raise WireError("malformed scalar")
        arr = _array([body[0], [], body[1]])
        return arr[()]
    if tag == "__float__":
        if body not in ("nan", "inf", "-inf"):
            raise WireError("malformed float")
        return float(body)
    if tag == "__tuple__" and type(body) is list:
        return tuple(decode(body, make_rng, make_callable, depth + 1))
    if tag == "__dict__" and type(body) is list:
        out = {}
        for pair in body:
            if not (type(pair) is list and len(pair) == 2):
                raise WireError("malformed dict")
            key = decode(pair[0], make_rng, make_callable, depth + 1)
            try:
                out[key] = decode(pair[1], make_rng, make_callable, depth + 1)
            except TypeError:
                raise WireError("an unhashable dict key") from None
        return out
    if tag == "__object__" and type(body) is list and len(body) == 2:
        return Opaque(str(body[0])[:200], str(body[1])[:400])
    if tag == "__rng__" and make_rng is not None:
        return make_rng(body)
    if tag == "__fn__" and make_callable is not None and type(body) is int:
        return make_callable(body)
    raise WireError(f"a value tagged {tag!r} is not accepted here")


def rng_from_state(state) -> np.random.Generator:
    """A generator in the given bit-generator state (``Generator.bit_generator.state``)."""
    if not isinstance(state, dict) or state.get("bit_generator") not in ("PCG64", "PCG64DXSM",
                                                                         "Philox", "SFC64", "MT19937"):
        raise WireError("malformed generator state")
    plain = decode_state(state)
    bit = getattr(np.random, plain["bit_generator"])()
    bit.state = plain
    return np.random.Generator(bit)


def decode_state(state):
    if isinstance(state, dict) and set(state) == {"__nd__"}:
        return _array(state["__nd__"])
    if isinstance(state, dict):
        return {k: decode_state(v) for k, v in state.items()}
    return state


# ------------------------------------------------------------------ framing
def send(fd: int, message: dict) -> None:
    """Write one message to ``fd``."""
    data = json.dumps(message, allow_nan=False, separators=(",", ":")).encode("utf-8")
    if len(data) > MAX_MESSAGE:
        raise WireError(f"a message of {len(data)} bytes is larger than the {MAX_MESSAGE} allowed")
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read(fd: int, n: int, deadline: float | None) -> bytes:
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def receive(fd: int, deadline: float | None = None) -> dict:
    """Read one message from ``fd``; ``TimeoutError`` after ``deadline`` (``time.monotonic``)."""
    (size,) = _HEADER.unpack(_read(fd, _HEADER.size, deadline))
    if size > MAX_MESSAGE:
        raise WireError(f"a message of {size} bytes is larger than the {MAX_MESSAGE} allowed")
    try:
        message = json.loads(_read(fd, size, deadline).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise WireError(f"not a valid message: {type(err).__name__}") from None
    if not isinstance(message, dict):
        raise WireError("a message must be a JSON object")
    return message
