"""The grader's half that runs inside the sandbox, next to the submission's code.

The grader copies this module (as the package ``_nnkit_sandbox``) and :mod:`._wire` into
a read-only *view* that also holds the core of nnkit, in which the functions the task
forbids have lost their bodies (they raise :class:`Forbidden`), and nothing else: the
checks, the instructor tooling and the lecture helpers are not there at all. Importing
any of those gives a stand-in whose every call raises :class:`Forbidden`.

:func:`main` then serves the grader over two pipes: ``define`` runs the submission's
definitions, cell by cell, into a namespace of their own; ``call`` calls one of its
functions on the inputs the grader sent and answers with what happened (the value, the
exception's type and text, the warnings, what was printed, which inputs changed, which
forbidden functions were called). A callable among the inputs stays in the grader: each
call of it is a round trip (``callback``). Nothing here decides whether an answer is
right, so nothing the submission changes here can make a wrong answer pass.

Standard library and numpy only; nnkit is imported from the view.
"""
from __future__ import annotations

import builtins
import contextlib
import importlib.abc
import importlib.util
import io
import linecache
import signal
import sys
import traceback
import types
import warnings

__all__ = ["Forbidden", "forbidden", "main"]

HITS: list[str] = []       # forbidden paths called during the current call
KINDS = {}                 # path prefix -> why it is unavailable ("check", "lecture", "nnkit")


class Forbidden(BaseException):
    """Raised by a function the graded code may not use (a ``BaseException``, not an ``Exception``)."""

    def __init__(self, path: str, kind: str = "nnkit"):
        super().__init__(f"{path} is not available to graded code ({kind})")
        self.path, self.kind = path, kind


def forbidden(path: str, kind: str = "nnkit") -> Forbidden:
    """Record that ``path`` was called and return the exception to raise."""
    HITS.append(path)
    return Forbidden(path, kind)


class Unavailable:
    """Stands in for anything of a module the view leaves out (``nnkit.checks``, lecture helpers)."""

    __slots__ = ("_path", "_kind")

    def __init__(self, path, kind):
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_kind", kind)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Unavailable(f"{self._path}.{name}", self._kind)

    def __call__(self, *args, **kwargs):
        raise forbidden(self._path, self._kind)

    def __repr__(self) -> str:
        return f"<{self._path}: not available in the grader's sandbox>"


class _StubLoader(importlib.abc.Loader):
    def __init__(self, kind):
        self.kind = kind

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        name, kind = module.__name__, self.kind

        def __getattr__(attr):
            if attr.startswith("__"):
                raise AttributeError(attr)
            return Unavailable(f"{name}.{attr}", kind)

        module.__getattr__ = __getattr__
        module.__path__ = []
        module.__doc__ = "Not available in the grader's sandbox."


class _StubFinder(importlib.abc.MetaPathFinder):
    def __init__(self, prefixes: dict):
        self.prefixes = prefixes

    def find_spec(self, name, path=None, target=None):
        for prefix, kind in self.prefixes.items():
            if name == prefix or name.startswith(prefix + "."):
                return importlib.util.spec_from_loader(name, _StubLoader(kind), is_package=True)
        return None


class _Bounded(io.TextIOBase):
    """Keeps the first ``limit`` characters printed, counts the rest."""

    def __init__(self, limit=4000):
        self.parts, self.limit, self.count = [], limit, 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        room = self.limit - self.count
        if room > 0:
            self.parts.append(text[:room])
        self.count += len(text)
        return len(text)

    @property
    def text(self):
        return "".join(self.parts)


class GradingTimeout(BaseException):
    """A cell's definitions ran out of time."""


@contextlib.contextmanager
def _time_limit(seconds):
    def expire(signum, frame):
        raise GradingTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)  # again every second if swallowed
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _short(exc, limit=2000) -> str:
    try:
        text = str(exc)
    except BaseException:  # noqa: BLE001 - a hostile __str__
        text = ""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _raised_in(exc):
    """The innermost function of the submission's code where ``exc`` was raised."""
    name = None
    try:
        for frame, _ in traceback.walk_tb(exc.__traceback__):
            module = str(frame.f_globals.get("__name__", ""))
            if module.startswith(("numpy", "nnkit", "_nnkit_sandbox")):
                continue
            name = str(frame.f_code.co_name)
    except BaseException:  # noqa: BLE001
        return None
    return name


def _error(exc):
    kind = type(exc)
    mro = [k.__name__ for k in kind.__mro__ if isinstance(k.__name__, str)]
    builtin = next((k.__name__ for k in kind.__mro__ if getattr(builtins, k.__name__, None) is k), "")
    out = {"type": kind.__name__, "builtin": builtin, "mro": mro[:20], "message": _short(exc),
           "where": _raised_in(exc)}
    if isinstance(exc, Forbidden):
        out["forbidden"] = exc.path
    return out


class Server:
    def __init__(self, wire, fd_in, fd_out):
        self.wire, self.fd_in, self.fd_out = wire, fd_in, fd_out
        self.ns = None

    # -------------------------------------------------------------- plumbing
    def send(self, message):
        self.wire.send(self.fd_out, message)

    def receive(self):
        return self.wire.receive(self.fd_in)

    def serve(self):
        """Answer requests until ``exit`` (or the grader goes away)."""
        while True:
            try:
                message = self.receive()
            except EOFError:
                return
            if not self.handle(message):
                return

    def handle(self, message) -> bool:
        op = message.get("op")
        if op == "define":
            self.send(self.define(message))
        elif op == "call":
            self.send(self.call(message))
        elif op == "exit":
            return False
        else:
            self.send({"op": "error", "message": f"unknown request {op!r}"})
        return True

    # -------------------------------------------------------------- requests
    def define(self, message):
        np = sys.modules["numpy"]
        nnkit = importlib.import_module("nnkit")
        module = types.ModuleType("submission")
        module.__dict__.update(np=np, nk=nnkit)
        self.ns = module.__dict__
        notes = []
        timeout = float(message.get("timeout", 60))
        for index, code in message.get("cells", []):
            self.send({"op": "cell", "index": index})
            name = f"<cell {index + 1}>"  # so that a warning can quote the student's line
            linecache.cache[name] = (len(code), None, code.splitlines(True), name)
            sink = _Bounded(0)
            try:
                with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), \
                        warnings.catch_warnings(), _time_limit(timeout):
                    warnings.simplefilter("ignore")
                    exec(compile(code, f"<cell {index + 1}>", "exec"), self.ns)
            except GradingTimeout:
                notes.append(f"cell {index + 1}: its definitions did not finish within {timeout:g} s.")
            except BaseException as exc:  # noqa: BLE001 - the submission's error is feedback
                notes.append(f"cell {index + 1} raised {type(exc).__name__} while defining: "
                             f"{_short(exc, 300).splitlines()[0] if _short(exc, 300) else ''}")
        kinds = {}
        for name in message.get("functions", []):
            value = self.ns.get(name)
            kinds[name] = "missing" if value is None else (
                "function" if callable(value) else f"not callable ({type(value).__name__})")
        return {"op": "defined", "notes": notes, "functions": kinds}

    def call(self, message):
        np = sys.modules["numpy"]
        fn = (self.ns or {}).get(message.get("function"))
        try:
            args = self.wire.decode(message.get("args", []), self.wire.rng_from_state, self._callback)
            kwargs = self.wire.decode(message.get("kwargs", {"__dict__": []}),
                                      self.wire.rng_from_state, self._callback)
        except Exception as exc:  # noqa: BLE001 - a grader bug; say so
            return {"op": "result", "error": {"type": "GraderError", "builtin": "", "mro": [],
                                              "message": f"bad inputs: {exc}", "where": None}}
        names = list(message.get("names", []))
        names += [f"argument {i + 1}" for i in range(len(names), len(args))]
        pristine = [(names[i], a, a.copy()) for i, a in enumerate(args) if isinstance(a, np.ndarray)]
        pristine += [(k, v, v.copy()) for k, v in kwargs.items() if isinstance(v, np.ndarray)]
        del HITS[:]
        sink = _Bounded(4000)
        value, error = None, None
        with warnings.catch_warnings(record=True) as caught, \
                np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"), \
                contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            warnings.simplefilter("always")
            try:
                if not callable(fn):
                    raise TypeError(f"{message.get('function')} is not a function")
                value = fn(*args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 - reported, judged by the grader
                error = exc
        hits = list(dict.fromkeys(HITS))
        if isinstance(error, Forbidden) and error.path not in hits:
            hits.insert(0, error.path)
        changed, room = [], 8 * 2 ** 20  # bytes of changed inputs sent back, before and after
        for name, now, before in pristine:
            try:
                same = now.shape == before.shape and np.array_equal(now, before, equal_nan=True)
            except BaseException:  # noqa: BLE001
                same = False
            if not same:
                room -= 2 * before.nbytes
                try:
                    pair = [self.wire.encode(np.asarray(now)), self.wire.encode(before)] \
                        if room >= 0 else None
                except BaseException:  # noqa: BLE001
                    pair = None
                changed.append([name, pair])
        out = {"op": "result", "warnings": [], "changed": changed, "forbidden": hits,
               "printed": sink.text, "error": None, "value": None}
        for w in caught[:20]:
            category = w.category if isinstance(w.category, type) else Warning
            filename = str(getattr(w, "filename", ""))
            line = linecache.getline(filename, w.lineno).strip() if filename.startswith("<cell ") else ""
            out["warnings"].append({"mro": [k.__name__ for k in category.__mro__][:10],
                                    "message": _short(w.message, 500), "line": line[:200]})
        if error is not None:
            out["error"] = _error(error)
        else:
            try:
                out["value"] = self.wire.encode(value)
            except BaseException as exc:  # noqa: BLE001 - too big, or a hostile object
                out["error"] = {"type": "ValueError", "builtin": "ValueError", "mro": [],
                                "where": None,
                                "message": f"the grader cannot take back what it returned: {_short(exc, 300)}"}
        return out

    def _callback(self, handle):
        wire = self.wire

        def call_back(*args, **kwargs):
            self.send({"op": "callback", "handle": handle, "args": wire.encode(list(args)),
                       "kwargs": wire.encode(dict(kwargs))})
            while True:
                reply = self.receive()
                op = reply.get("op")
                if op == "return":
                    return wire.decode(reply.get("value"), wire.rng_from_state, self._callback)
                if op == "raise":
                    kind = getattr(builtins, str(reply.get("type")), None)
                    if not (isinstance(kind, type) and issubclass(kind, Exception)):
                        kind = RuntimeError
                    raise kind(str(reply.get("message", "")))
                if not self.handle(reply):  # a nested call of the submission's functions
                    raise SystemExit(0)

        call_back.__name__ = call_back.__qualname__ = f"function_{handle}"
        return call_back


def main(fd_in: int, fd_out: int) -> None:
    """Set up the submission's interpreter and serve the grader."""
    from . import _wire as wire

    config = wire.receive(fd_in)
    KINDS.update(config.get("stubs", {}))
    sys.meta_path.insert(0, _StubFinder(dict(KINDS)))
    sys.dont_write_bytecode = True
    import numpy  # noqa: F401 - before any of the submission's code
    import nnkit  # noqa: F401 - the view's
    server = Server(wire, fd_in, fd_out)
    server.send({"op": "ready", "python": sys.version.split()[0]})
    server.serve()
