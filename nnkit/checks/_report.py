"""The result of one check: what the student sees and what the grader records."""
from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["Report", "PASSED", "FAILED", "NOT_IMPLEMENTED", "FORBIDDEN"]

PASSED = "passed"
FAILED = "failed"
NOT_IMPLEMENTED = "not implemented"
FORBIDDEN = "uses nnkit's implementation"

_MARK = {PASSED: "[PASS]", NOT_IMPLEMENTED: "[TODO]"}


@dataclass
class Report:
    """The outcome of checking one task.

    Attributes
    ----------
    task : str
        The task's name, which is the name of the function the student writes.
    passed : bool
    message : str
        What is right, or which case fails, by how much, and which mistake it looks like.
    status : str
        ``"passed"``, ``"failed"``, ``"not implemented"`` or ``"uses nnkit's implementation"``.
    points, max_points : float
        ``points`` is ``max_points`` when passed, else 0.
    """

    task: str
    passed: bool
    message: str
    status: str = FAILED
    points: float = 0.0
    max_points: float = 1.0

    @property
    def text(self) -> str:
        """The report as printed under a check cell."""
        mark = _MARK.get(self.status, "[FAIL]")
        return f"{mark} {self.task}: {self.message}"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Report":
        return cls(**{k: d[k] for k in ("task", "passed", "message", "status", "points", "max_points")})

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Report(task={self.task!r}, passed={self.passed}, status={self.status!r})"

    def _ipython_display_(self):
        # The check already printed this report in the cell that ran it; show it again
        # only when the report is displayed from another cell.
        try:
            from IPython import get_ipython
            shell = get_ipython()
        except ImportError:  # pragma: no cover - IPython is there whenever this is called
            shell = None
        count = getattr(shell, "execution_count", None)
        if getattr(self, "_printed_in", None) != count:
            print(self.text)
