"""The browser test's setup: one JupyterLab server and one headless Chromium for the session.

Every wait is bounded: playwright's waits by the page's default timeout (30 s) or their own,
Run All by its own limit, and every test by pytest-timeout (pyproject.toml). A notebook that
gets stuck fails with a screenshot, the browser console and the kernel's last messages in
screenshots/browser/, and the run goes on with the next notebook.

Run it with ``make test-browser``. Plain ``make test`` does not collect this folder (pytest's
testpaths list tests/, lectures/, solutions/ and exercises/ only).
"""
from __future__ import annotations

import os
import pathlib
import re

import pytest

from jlab import JupyterLab, copy_notebooks
from nbpage import NotebookPage
from notebooks import ROOT, find_notebooks

CHROMIUM = os.environ.get("NNKIT_CHROMIUM", "/usr/bin/chromium")
# --headless and friends: no GPU, no sandbox (containers, root), and no traffic but ours.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = ROOT / "screenshots" / "browser"


def pytest_addoption(parser):
    group = parser.getgroup("nnkit browser test")
    group.addoption("--notebooks", action="append", default=None, metavar="GLOB",
                    help="notebooks to open (default: lectures/*.ipynb); may be repeated")
    group.addoption("--screenshots", choices=("failures", "all"), default="failures",
                    help="when to save a screenshot of the notebook to screenshots/browser/")


def selected_notebooks(config) -> list[pathlib.Path]:
    return find_notebooks(config.getoption("--notebooks"))


def pytest_generate_tests(metafunc):
    if "notebook" in metafunc.fixturenames:
        notebooks = selected_notebooks(metafunc.config)
        metafunc.parametrize("notebook", notebooks, ids=[p.name for p in notebooks])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def served(tmp_path_factory, request):
    """A JupyterLab serving scratch copies of the selected notebooks; stopped by its PID."""
    scratch = tmp_path_factory.mktemp("jupyterlab")
    root = scratch / "root"
    root.mkdir()
    notebooks = selected_notebooks(request.config)
    relative = dict(zip(notebooks, copy_notebooks(notebooks, root)))
    lab = JupyterLab(root, scratch).start()
    yield lab, relative
    lab.stop()


@pytest.fixture(scope="session")
def chromium():
    if not pathlib.Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: install Debian's package "
                    "(apt-get install -y chromium) or set NNKIT_CHROMIUM")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def notebook_page(served, chromium, notebook, request):
    """The notebook opened in a new tab; on failure a screenshot goes to screenshots/browser/."""
    lab, relative = served
    yield from open_page(lab, chromium, relative[notebook], notebook, request)


def open_page(lab, chromium, relative_path, notebook, request):
    """Yield a :class:`NotebookPage` of ``relative_path`` (under the server's root) in a new tab.

    Afterwards: a screenshot, the console and the kernel's messages on failure, the page's
    timings in the summary, and the kernels shut down.
    """
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    nb = NotebookPage(page, lab.notebook_url(relative_path))
    yield nb
    report = getattr(request.node, "report_call", None)
    failed = report is None or report.failed
    if failed or request.config.getoption("--screenshots") == "all":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", notebook.stem)
        try:
            # show the first error output, if there is one, in the picture
            page.evaluate("""() => { const bad = document.querySelector(
                '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
                if (bad) bad.scrollIntoView(); }""")
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
        except Exception as error:  # the page may be gone; the log below still helps
            console.append(f"screenshot failed: {error}")
        (SCREENSHOTS / f"{name}.console.txt").write_text("\n".join(console) + "\n")
        (SCREENSHOTS / f"{name}.kernel.txt").write_text("\n".join(nb.kernel_messages()) + "\n")
    request.config.stash.setdefault(TIMINGS, []).append((notebook.name, nb.timings))
    lab.shutdown_kernels()
    context.close()


TIMINGS = pytest.StashKey[list]()


def pytest_terminal_summary(terminalreporter, config):
    rows = config.stash.get(TIMINGS, [])
    if not rows:
        return
    terminalreporter.section("browser timings (seconds) and counts")
    for name, timings in rows:
        parts = ", ".join(f"{key} {value:.2f}" if isinstance(value, float) else f"{key} {value}"
                          for key, value in timings.items())
        terminalreporter.write_line(f"{name}: {parts}")
