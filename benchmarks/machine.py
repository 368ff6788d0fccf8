"""What the numbers were measured on: CPU, cores, load, library versions, BLAS."""
from __future__ import annotations

import os
import pathlib
import platform

import numpy as np

__all__ = ["describe"]


def _cpu_model() -> str:
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _numpy_blas() -> str:
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    except Exception:  # numpy < 1.26 prints only
        return "unknown"
    text = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    try:
        from threadpoolctl import threadpool_info

        arch = [i.get("architecture") for i in threadpool_info() if i["user_api"] == "blas"]
        if arch and arch[0]:
            text += f" (kernel {arch[0]})"
    except ImportError:
        pass
    return text


def _torch() -> tuple[str, str]:
    try:
        import torch
    except ImportError:
        return "not installed", ""
    config = torch.__config__.show()
    blas = next((part.split("=", 1)[1] for part in config.replace(",", "\n").split()
                 if part.startswith("BLAS_INFO=")), "?")
    return torch.__version__, blas


def describe() -> dict:
    """Name -> text for the README's machine table."""
    torch_version, torch_blas = _torch()
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",) * 3
    return {
        "CPU": _cpu_model(),
        "cores": str(os.cpu_count()),
        "load average (1, 5, 15 min) at start": ", ".join(f"{x:.2f}" for x in load),
        "Python": platform.python_version(),
        "numpy": np.__version__,
        "numpy's BLAS": _numpy_blas(),
        "torch": torch_version + (f" (BLAS: {torch_blas})" if torch_blas else ""),
    }
