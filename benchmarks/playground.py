"""The playground's speed: frames per second while training, and the redraw after a control change.

Both are CPU time of this process (what a student's otherwise idle kernel spends), the
playground built headless as the tests build it. ``tests/test_playground.py`` checks what
a frame and a control change do; how long they take is measured only here.
"""
from __future__ import annotations

import collections
import time

import numpy as np

FRAME_RATE = 20.0          # frames per second, at least (issue 17)
CONTROL_SECONDS = 0.100    # median redraw after a control change, at most (issue 19)

# (control, a new value, the value to go back to), for every control of the playground:
# the first ten build a new experiment, the last seven change the running one in place.
# "layer 1 units" is the width slider of the first hidden layer alone.
CHANGES = [("dataset", "xor", "circles"), ("noise", 0.25, 0.1), ("seed", 3, 0),
           ("layers", 3, 2), ("units", 5, 8), ("layer 1 units", 4, 8),
           ("features", ("x1", "x2", "x1sq"), ("x1", "x2")), ("activation", "relu", "tanh"),
           ("init", "he", "xavier"), ("batch_norm", True, False),
           ("loss", "squared error", "cross-entropy"), ("train_fraction", 0.6, 0.5),
           ("optimizer", "sgd", "adam"), ("lr", 0.1, 0.01), ("regularization", "L2", "none"),
           ("regularization_rate", 0.01, 0.0), ("batch_size", 20, 10), ("epochs", 300, 200),
           ("dataset", "gaussians", "circles")]


def _playground(deep: bool = False, thumbnails: bool = True):
    from nnkit.lectures.l08_playground.compute import FEATURES
    from nnkit.lectures.l08_playground.widgets import Config, Playground

    if deep:  # the largest network the controls allow: 6 hidden layers of 8, every feature
        return Playground(Config(layers=6, units=8, n=200, epochs=100_000,
                                 features=tuple(FEATURES)), thumbnails=thumbnails)
    return Playground(Config(layers=2, units=8, n=200, epochs=100_000), thumbnails=thumbnails)


def frame_rate(frames: int = 30, deep: bool = False, thumbnails: bool = True) -> dict:
    """Frames per second (one chunk of training, the figures moved, the PNGs sent) on 200 points.

    With ``thumbnails`` (the widget's default) every frame also redraws each unit's
    thumbnail, the weights' lines and the selected unit's large picture. ``fps`` is one
    over the median frame; ``fps_all`` is frames over their total CPU time, which counts
    the frames that redraw a whole figure (new axis limits) too.
    """
    pg = _playground(deep, thumbnails)
    for _ in range(3):  # warm caches (fonts, text layout)
        pg.frame()
    cpu = []
    for _ in range(frames):
        start = time.process_time()
        pg.frame()
        cpu.append(time.process_time() - start)
    return {"sizes": pg.experiment.config.sizes, "fps": 1.0 / float(np.median(cpu)),
            "fps_all": len(cpu) / float(np.sum(cpu))}


def _control(pg, name: str):
    return pg.layer_units[0] if name == "layer 1 units" else pg.controls[name]


def control_changes(rounds: int = 2) -> dict:
    """Median CPU seconds of the redraw after each control change, by control."""
    pg = _playground()
    for name, value, back in CHANGES[:3]:  # warm caches
        _control(pg, name).value = value
        _control(pg, name).value = back
    cpu = collections.defaultdict(list)
    for _ in range(rounds):
        for name, value, back in CHANGES:
            label = f"{name} ({value})" if name == "dataset" else name
            for v in (value, back):
                start = time.process_time()
                _control(pg, name).value = v
                cpu[label].append(time.process_time() - start)
    return {name: float(np.median(times)) for name, times in cpu.items()}


def table(checks: list, quick: bool = False) -> list[str]:
    """Markdown rows; appends ``(target, value, limit)`` to ``checks`` (frame rate as seconds per frame)."""
    lines = ["| what | measured | target |", "|---|---:|---|"]
    for deep in (False, True):
        for thumbnails in (True, False):
            rate = frame_rate(10 if quick else 30, deep, thumbnails)
            sizes = "-".join(map(str, rate["sizes"]))
            what = ("with the units' thumbnails and the network drawn" if thumbnails
                    else "thumbnails off")
            ok = rate["fps"] >= FRAME_RATE
            lines.append(f"| frames per second while training, {sizes} on 200 points, {what} "
                         f"(median frame) | {rate['fps']:.0f} | ≥ {FRAME_RATE:.0f} "
                         f"{'✓' if ok else '✗'} |")
            ok = rate["fps_all"] >= FRAME_RATE
            lines.append(f"| the same, every frame counted (frames / CPU time) | "
                         f"{rate['fps_all']:.0f} | ≥ {FRAME_RATE:.0f} {'✓' if ok else '✗'} |")
            checks.append((f"playground frames per second, {sizes}, {what} (as seconds per frame)",
                           1.0 / rate["fps_all"], 1.0 / FRAME_RATE))
    changes = control_changes(1 if quick else 2)
    for name, seconds in sorted(changes.items(), key=lambda item: -item[1]):
        ok = seconds <= CONTROL_SECONDS
        lines.append(f"| redraw after changing `{name}` (median ms) | {seconds * 1e3:.0f} | "
                     f"≤ {CONTROL_SECONDS * 1e3:.0f} {'✓' if ok else '✗'} |")
        checks.append((f"playground control {name}", seconds, CONTROL_SECONDS))
    return lines


if __name__ == "__main__":  # python -m benchmarks.playground [--quick]
    import sys

    from . import machine

    print("\n".join(f"{key}: {value}" for key, value in machine.describe().items()))
    print("\n".join(table([], quick="--quick" in sys.argv)))
