"""The benchmark's measuring code, on a tiny budget: it keeps working and compares like with like.

No timing targets are asserted here (timings on shared CI machines are noise); `make bench`
checks those. What is asserted: the hand-fused numpy step and PyTorch's step update the
weights exactly as nnkit's step does, so the benchmark compares the same computation.
"""
import math
import pathlib
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import course, run, speed  # noqa: E402


@pytest.mark.parametrize("sizes, n", speed.SIZES, ids=lambda v: str(v))
def test_every_contender_makes_nnkits_update(sizes, n):
    problem = speed.make_problem(sizes, n)
    worst = speed.check_same_update(problem, steps=3)  # raises with the layer and the difference
    assert worst <= 1e-12, f"{problem.label}: largest relative difference {worst:.3g}"


def test_the_comparison_notices_a_different_step():
    problem = speed.make_problem((2, 16, 2), 32)
    step, net = speed.nnkit_step(problem)
    step()
    params = [(W.copy(), b.copy()) for W, b in problem.weights]
    speed.fused_sgd_step(params, problem.X, problem.y, lr=2 * speed.LR)
    W_nnkit, W_fused = net.layers[0].W, params[0][0]
    assert not np.allclose(W_nnkit, W_fused, rtol=1e-6), "a step with twice the rate should differ"


def test_fused_step_returns_nnkits_loss_and_input_gradient():
    problem = speed.make_problem((64, 128, 10), 16)
    import nnkit as nk

    net = nk.MLP([64, 128, 10], rng=0)
    for layer, (W, b) in zip(net.layers[::2], problem.weights):
        layer.W[...], layer.b[...] = W, b
    loss = nk.SoftmaxCrossEntropyLoss()
    value = loss(net.forward(problem.X), problem.y)
    dX = net.backward(loss.backward())
    params = [(W.copy(), b.copy()) for W, b in problem.weights]
    fused_value, fused_dX = speed.fused_sgd_step(params, problem.X, problem.y, speed.LR,
                                                 input_grad=True)
    assert fused_value == pytest.approx(value, rel=1e-13), f"loss {fused_value} vs nnkit {value}"
    np.testing.assert_allclose(fused_dX, dX, rtol=1e-11, atol=1e-16,
                               err_msg="the fused step's dL/dX differs from nnkit's")


def test_interleave_times_every_contender_every_round():
    steps = speed.contenders(speed.make_problem((2, 16, 2), 32))
    times = speed.interleave(steps, seconds=0.05, rounds=3)
    assert set(times) == set(steps)
    for name, t in times.items():
        assert len(t) == 3 and all(np.isfinite(s) and s > 0 for s in t), f"{name}: {t}"


def test_fit_speed_reports_epochs_per_second():
    rows = speed.fit_speed(n=30, hidden=4, epochs=2, batch_sizes=(None, 8), seconds=0.05,
                           rounds=2)
    assert [r["steps_per_epoch"] for r in rows] == [1, 4]
    assert all(r["fit"] > 0 and r["loop"] > 0 for r in rows), rows


def test_time_widget_moves_every_kind_of_control():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from nnkit.viz.live import Live, dropdown, float_slider, int_slider, log_slider, toggle

    fig = Figure(figsize=(2, 2))
    line, = fig.add_subplot().plot([0, 1], [0, 1])
    seen = []

    def update(a, k, lr, kind, on):
        seen.append((a, k, lr, kind, on))
        line.set_ydata([0, a])

    controls = {"a": float_slider(0.5, 0.0, 1.0, 0.01, "a"), "k": int_slider(1, 0, 1, "k"),
                "lr": log_slider(0.1, -3, 0, "lr"),
                "kind": dropdown([("first", 1), ("second", 2)], 1, "kind"),
                "on": toggle(True, "on")}
    live = Live(fig, update, controls)
    built = len(seen)
    timed = course.time_controls(live, reps=2)
    assert timed["skipped"] == [], timed
    assert set(timed["controls"]) == set(controls)
    assert all(len(s) == 2 and all(t > 0 for t in s) for s in timed["controls"].values()), timed
    assert len(seen) - built == 2 * len(controls), "each move should redraw once"
    assert len({v[2] for v in seen}) > 1 and len({v[3] for v in seen}) == 2


def test_moves_of_a_multiple_selection_add_an_option_and_take_it_back():
    import ipywidgets as W

    features = W.SelectMultiple(options=["x1", "x2", "x1sq"], value=["x1", "x2"])
    steps = course.moves(features, count=3)
    assert steps == [("index", (0, 1, 2)), ("index", (0, 1)), ("index", (0, 1, 2))], steps
    for attribute, value in steps:
        setattr(features, attribute, value)
    assert features.value == ("x1", "x2", "x1sq")
    assert course.moves(W.SelectMultiple(options=["a"], value=["a"])) == [], "nothing left to add"


def test_widget_builders_are_found_or_explained():
    for name, builder, problem in course.widget_builders():
        assert course.is_lecture_widget_module(name.rsplit(".", 1)[0]), name
        assert builder is not None or problem, f"{name}: neither a builder nor a reason"


def test_run_notebook_times_it_and_the_widgets_it_built(tmp_path):
    import nbformat

    path = tmp_path / "tiny.ipynb"
    source = """\
import matplotlib
matplotlib.use("Agg")
from matplotlib.figure import Figure
from nnkit.viz.live import Live, float_slider
fig = Figure(figsize=(2, 2))
line, = fig.add_subplot().plot([0, 1], [0, 1])
def update(a):
    line.set_ydata([0, a])
live = Live(fig, update, {"a": float_slider(0.5, 0.0, 1.0, 0.1, "a")})"""
    # A cell that keeps the kernel's CPU busy for 0.3 s: the CPU reported is the kernel's.
    spin = """\
import time
_until = time.process_time() + 0.3
while time.process_time() < _until:
    pass"""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source),
                                         nbformat.v4.new_code_cell(spin)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    result = course.run_notebook(path, timeout=120, probe_reps=2)
    assert result["seconds"] > 0, result
    assert result["cpu"] >= 0.3, f"the kernel spent 0.3 s of CPU in a cell: {result}"
    [row] = result["rows"]
    assert row["name"] == "__main__.update" and row["problem"] == "", row
    assert set(row["controls"]) == {"a"} and np.isfinite(row["worst"]) and row["worst"] > 0, row


def test_time_import_measures_a_fresh_interpreter():
    times = course.time_import("nnkit", repeat=2)
    assert len(times) == 2 and all(0 < t < 10 for t in times), times


def test_write_replaces_only_the_results_block(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Benchmarks\nprose\n")
    run.write(readme, "first")
    run.write(readme, "second")
    text = readme.read_text()
    assert text.startswith("# Benchmarks\nprose\n") and "first" not in text
    assert text.count(run.START) == 1 and f"{run.START}\nsecond\n{run.END}" in text


def test_verdict_marks_a_miss():
    assert run._verdict(0.4, 0.5).endswith("✓") and run._verdict(0.6, 0.5).endswith("✗")
    assert run._verdict(math.nan, 0.5) == "n/a"
