"""Which notebooks the browser test opens."""
from __future__ import annotations

import glob
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEFAULT = [str(ROOT / "lectures" / "*.ipynb")]


def find_notebooks(patterns: list[str] | None) -> list[pathlib.Path]:
    """The notebooks matching the glob ``patterns`` (default: every lecture), sorted."""
    return sorted({pathlib.Path(p).resolve() for pattern in patterns or DEFAULT
                   for p in glob.glob(pattern)})
