"""The playground's thumbnails in a real browser: a six-layer regression network, shared as a string, trains.

A small notebook made here (one cell: a default playground) opens in JupyterLab. The test
pastes a configuration string into the share box, as a student given one in a slide would,
checks that the network drawn is the one it describes (6 hidden layers of 8 units: 48 units to
choose from), presses Train and sees the surface, the thumbnails and the large unit picture
change; then pauses, picks another unit and sees the large picture change to it.
"""
from __future__ import annotations

import time

import nbformat
import pytest

from conftest import open_page
from notebooks import ROOT

NOTEBOOK = "generated/playground_units.ipynb"
SHARED = ("dataset=gaussians&loss=squared+error&layers=6&units=8"
          "&features=x1,x2,x1sq,x2sq,x1x2,sin_x1,sin_x2&epochs=1000&seed=3")
FIGURES = (".nnkit-surface-figure", ".nnkit-network-figure", ".nnkit-unit-figure")


@pytest.fixture
def units_page(served, chromium, request):
    """A notebook holding one default playground, written under the server's root and opened."""
    lab, _ = served
    path = lab.root / NOTEBOOK
    path.parent.mkdir(exist_ok=True)
    cell = ("from nnkit.lectures.l08_playground.widgets import Playground\n"
            "pg = Playground(epochs=1000)\npg")
    # The lectures' kernel, named as they name it, so JupyterLab starts it without asking.
    kernel = nbformat.read(ROOT / "lectures" / "08_playground.ipynb", as_version=4).metadata.kernelspec
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)],
                                        metadata={"kernelspec": kernel})
    nbformat.write(notebook, path)
    yield from open_page(lab, chromium, NOTEBOOK, path, request)


def watch_all(nb, selectors, seconds: float, every: float = 0.25) -> dict:
    """The distinct fingerprints each selector's images showed over ``seconds``."""
    seen = {s: [] for s in selectors}
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for selector, prints in seen.items():
            now = nb.fingerprint(selector)
            if not prints or now != prints[-1]:
                prints.append(now)
        nb.page.wait_for_timeout(every * 1000)
    return seen


def test_playground_trains_a_six_layer_regression_network_with_thumbnails(units_page):
    nb = units_page
    nb.open()
    state = nb.run_all()
    nb.wait_for_widgets()
    assert not nb.problems() and state["unexecuted"] == 0, nb.problems()
    for selector in FIGURES:
        assert nb.fingerprint(selector) is not None, f"no picture under {selector}"
    assert not nb.broken_images(), nb.broken_images()
    menu = nb.page.locator(".nnkit-unit-choice select")
    assert menu.locator("option").count() == 16, "the default 2-8-8-1 network has 16 hidden units"

    # A shared set-up, pasted: the network drawn is the one it describes.
    before = nb.fingerprint(".nnkit-network-figure")
    share = nb.page.locator(".nnkit-share input")
    share.scroll_into_view_if_needed()
    share.fill(SHARED)
    share.press("Enter")
    after = nb.wait_for_change(".nnkit-network-figure", before, timeout=30)
    assert after != before, "pasting a configuration did not redraw the network"
    nb.page.wait_for_function(
        "() => document.querySelectorAll('.nnkit-unit-choice select option').length === 48",
        timeout=15_000)
    shown = share.input_value()
    for part in ("dataset=gaussians", "layers=6", "units=8", "features=x1,x2,x1sq,x2sq,x1x2,sin_x1,sin_x2"):
        assert part in shown, f"the share box shows {shown!r}, without {part!r}"
    assert "diverged" not in nb.page.locator(".nnkit-status").inner_text()

    # Training: the surface, every thumbnail and the large picture move.
    train, pause = nb.button("nnkit-train", "Train"), nb.button("nnkit-pause", "Pause")
    train.scroll_into_view_if_needed()
    train.click()
    seen = watch_all(nb, FIGURES, seconds=6)
    for selector, prints in seen.items():
        assert len(prints) >= 3, (f"{selector} showed {len(prints)} distinct pictures in 6 s of "
                                  "training; a picture that moves shows at least 3")
        nb.timings[f"{selector[7:]} pictures in 6 s"] = len(prints)
    pause.click()
    # The click is handled between two frames; on a loaded machine that may take a while.
    nb.page.wait_for_function(
        "() => /^paused/.test(document.querySelector('.nnkit-status').innerText)", timeout=15_000)
    nb.page.wait_for_timeout(1000)  # a frame in flight may still draw once
    status = nb.page.locator(".nnkit-status").inner_text()
    assert "epoch 0/" not in status, f"nothing was trained: {status}"

    # Choosing a unit shows it large (nothing trains now, so only the choice can change it).
    before = nb.fingerprint(".nnkit-unit-figure")
    menu.select_option(label="layer 6, unit 8")
    after = nb.wait_for_change(".nnkit-unit-figure", before, timeout=15)
    assert after != before, "choosing layer 6, unit 8 did not change the large picture"
    assert not nb.problems(), nb.problems()
