"""Every lecture in a real browser: JupyterLab, headless Chromium, Run All, then the widgets.

For each notebook: open it in a new tab, run all cells from the Run menu, wait until the
kernel is idle, and check what a student would see: no error output, no traceback or warning
on stderr, every image decoded, every formula typeset, every widget rendered. Then move the
first slider of every figure a slider redraws, with the mouse and then with three presses of
an arrow key, and check each time that the picture changes (each press is timed to its new
picture, in the page). In the playground, press Train and check that the
loss curve moves (reporting how many distinct pictures a second Chromium painted, and how
many frames the kernel drew meanwhile), then Pause and check that it stops.
"""
from __future__ import annotations

import statistics

from notebooks import ROOT, find_notebooks


def test_there_are_notebooks_to_open(request):
    notebooks = find_notebooks(request.config.getoption("--notebooks"))
    assert notebooks, (f"no notebooks found (default: {ROOT / 'lectures'}/*.ipynb); "
                       "the browser test would check nothing")


def test_notebook_runs_and_its_figures_respond(notebook_page, notebook):
    nb = notebook_page
    nb.open()
    state = nb.run_all()
    nb.wait_for_widgets()

    problems = nb.problems()
    assert not problems, f"{notebook.name} shows errors after Run All:\n" + "\n".join(problems)
    assert state["unexecuted"] == 0, \
        f"{notebook.name}: {state['unexecuted']} code cells did not run after Run All"

    broken = nb.broken_images()
    assert not broken, f"{notebook.name}: images that did not decode: {broken}"
    nb.timings["images"] = nb.image_count()

    math = nb.math()
    assert not math["errors"], f"{notebook.name}: MathJax could not typeset: {math['errors']}"
    if math["cells_with_latex"]:
        assert math["typeset"] > 0, \
            f"{notebook.name}: {math['cells_with_latex']} Markdown cells hold LaTeX, none typeset"

    figures = nb.live_figures()
    if notebook.parent.name == "lectures":
        assert figures, (f"{notebook.name}: no figure redrawn by a slider (a widget picture "
                         "beside an ipywidgets slider); every lecture needs one")
    round_trips = []
    for figure in figures:
        for how, move in (("dragging", nb.drag_slider),
                          ("three arrow keys on", lambda id: nb.step_slider(id, presses=3))):
            moved = move(figure["id"])
            before, after = moved["readout"]
            assert before != after, \
                f"{notebook.name}: {how} slider {figure['label']!r} left its value at {before}"
            assert moved["figure"][1] != moved["figure"][0], (
                f"{notebook.name}: {how} slider {figure['label']!r} moved it from {before} to "
                f"{after} but its figure did not change within 15 s")
        assert None not in moved["seconds"], (
            f"{notebook.name}: an arrow key on slider {figure['label']!r} brought no new "
            f"picture within 15 s (seconds per press: {moved['seconds']})")
        round_trips.extend(moved["seconds"])
    nb.timings["key presses"] = len(round_trips)
    if round_trips:
        nb.timings["key to new picture (median)"] = statistics.median(round_trips)
        nb.timings["key to new picture (slowest)"] = max(round_trips)

    problems = nb.problems()
    assert not problems, f"{notebook.name} shows errors after moving sliders:\n" + \
        "\n".join(problems)

    train = nb.button("nnkit-train", "Train")
    if "playground" in notebook.name or train.count():
        check_training(nb, notebook.name, train)


def check_training(nb, name, train):
    """Train makes the loss curve move; Pause makes it stop."""
    assert train.count(), f"{name}: no Train button (class nnkit-train or text 'Train')"
    pause = nb.button("nnkit-pause", "Pause")
    assert pause.count(), f"{name}: no Pause button (class nnkit-pause or text 'Pause')"
    loss = nb.loss_figure_selector(train)
    before = nb.fingerprint(loss)
    assert before is not None, f"{name}: no loss figure to watch ({loss} holds no image)"

    train.scroll_into_view_if_needed()
    train.click()
    # First the rate the browser shows pictures at (the budget of 200 epochs lasts longer
    # than this even at the loop's cap of 30 frames a second), then the coarser watch.
    epoch = nb.playground_epoch()
    painted = nb.count_painted(loss, seconds=3)
    epochs = nb.playground_epoch() - epoch if epoch is not None else None
    assert painted is not None and painted["distinct"] >= 2, (
        f"{name}: while training, the loss figure ({loss}) showed {painted} at the browser's "
        "paints in 3 s; a curve that moves shows at least 2")
    nb.timings["distinct loss pictures painted per second while training"] = (
        painted["distinct"] / painted["seconds"])
    if epochs is not None:  # one frame per epoch: what the kernel drew meanwhile
        nb.timings["frames drawn per second by the kernel meanwhile"] = epochs / painted["seconds"]
    seen = nb.watch(loss, seconds=6)
    assert len(seen) >= 3 and seen[-1] != before, (
        f"{name}: after Train the loss figure ({loss}) showed {len(seen)} distinct pictures "
        "in 6 s; a curve that moves shows at least 3")
    nb.timings["loss pictures in 6 s of training"] = len(seen)

    pause.click()
    nb.page.wait_for_timeout(1500)  # a step in flight may still draw once
    still = nb.watch(loss, seconds=3)
    assert len(still) == 1, \
        f"{name}: the loss figure kept changing after Pause ({len(still)} pictures in 3 s)"

    problems = nb.problems()
    assert not problems, f"{name} shows errors after training:\n" + "\n".join(problems)
