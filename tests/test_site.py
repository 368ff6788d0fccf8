"""The course website (`make site`): every page exists and holds its figures, formulas, widgets.

Building the site executes every notebook (minutes), so these tests carry the ``site`` mark,
which `make test` deselects. `make site` builds the site, then runs them on that build
(``NNKIT_SITE_BUILT=1``). Run alone (``pytest -m site tests/test_site.py``), they build the
site afresh first, with the same command.
"""
from __future__ import annotations

import html.parser
import json
import os
import pathlib
import re
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.site

ROOT = pathlib.Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
HTML = SITE / "_build" / "html"
# The same command as `make site`: -E re-reads (so re-executes) every notebook. Serial, as a
# -j 2 build (forked readers) failed here once with a kernel ZeroMQ socket error.
BUILD = [sys.executable, "-m", "sphinx", "-E", "-q", "-b", "html", str(SITE), str(HTML)]
LECTURES = sorted((ROOT / "lectures").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
PAGES = LECTURES + EXERCISES
# The only things a page loads from the network: the widgets' JavaScript, when viewed.
WIDGET_SCRIPTS = ("https://cdnjs.cloudflare.com/ajax/libs/require.js/",
                  "https://cdn.jsdelivr.net/npm/@jupyter-widgets/html-manager@")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def site():
    """The built site's folder: the build `make site` just made, else a fresh build."""
    if os.environ.get("NNKIT_SITE_BUILT") == "1":
        assert (HTML / "index.html").exists(), f"NNKIT_SITE_BUILT=1 but {HTML} holds no site"
        return HTML
    start = time.perf_counter()
    done = subprocess.run(BUILD, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, (f"the site build failed ({' '.join(BUILD)}):\n"
                                  f"{done.stdout[-3000:]}\n{done.stderr[-6000:]}")
    print(f"site built in {time.perf_counter() - start:.0f} s")
    return HTML


class Page(html.parser.HTMLParser):
    """The tags of one HTML page that the checks need: images, scripts, links, math."""

    def __init__(self, path: pathlib.Path):
        super().__init__()
        self.path = path
        self.images, self.scripts, self.links, self.math = [], [], [], 0
        self.widget_views, self.widget_state, self.stills = [], {}, 0
        self.tracebacks = 0
        self._script_type = None
        self.text = path.read_text()
        self.feed(self.text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        elif tag == "script":
            self._script_type = attrs.get("type")
            if attrs.get("src"):
                self.scripts.append(attrs["src"])
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if "math" in classes:
            self.math += 1
        if "nnkit-widget-still" in classes:
            self.stills += 1
        if "traceback" in classes:
            self.tracebacks += 1

    def handle_endtag(self, tag):
        if tag == "script":
            self._script_type = None

    def handle_data(self, data):
        if self._script_type == "application/vnd.jupyter.widget-view+json":
            self.widget_views.append(json.loads(data)["model_id"])
        elif self._script_type == "application/vnd.jupyter.widget-state+json":
            self.widget_state = json.loads(data)["state"]

    def figures(self) -> list[str]:
        """Images that are PNG pictures: inline data or files under _images/."""
        return [src for src in self.images
                if src.startswith("data:image/png") or re.search(r"_images/[^/]+\.png$", src)]


def page_of(site: pathlib.Path, notebook: pathlib.Path) -> pathlib.Path:
    return site / notebook.parent.name / f"{notebook.stem}.html"


def notebook_facts(notebook: pathlib.Path) -> dict:
    nb = json.loads(notebook.read_text())
    source = lambda cell: "".join(cell["source"])  # noqa: E731
    markdown = [source(c) for c in nb["cells"] if c["cell_type"] == "markdown"]
    return {"latex": any(re.search(r"\$[^$]+\$", text) for text in markdown),
            "expected_errors": sum("raises-exception" in c.get("metadata", {}).get("tags", [])
                                   for c in nb["cells"])}


def test_there_are_lectures_and_exercises():
    assert LECTURES, f"no lecture notebooks in {ROOT / 'lectures'}: the site would be empty"
    assert EXERCISES, f"no exercise notebooks in {ROOT / 'exercises'}"


def test_home_page_has_the_syllabus_and_links_every_page(site):
    home = Page(site / "index.html")
    rows = re.findall(r"<td><p>(\d\d) ", home.text)
    numbers = [p.name[:2] for p in LECTURES]
    assert rows == numbers, f"the home page's syllabus should list lectures {numbers}, it lists {rows}"
    linked = {pathlib.PurePosixPath(link.split("#")[0]) for link in home.links}
    missing = [p.name for p in PAGES
               if pathlib.PurePosixPath(p.parent.name, f"{p.stem}.html") not in linked]
    assert not missing, (f"the home page links no page for {missing} (does each notebook "
                         "start with a '# Title' heading?)")


@pytest.mark.parametrize("notebook", [p for p in LECTURES if (ROOT / "exercises" / p.name).exists()],
                         ids=lambda p: p.stem)
def test_lecture_page_links_its_exercise_page(site, notebook):
    # The notebooks link each other with relative paths; on the site those must become links
    # between pages, not text that MyST could not resolve.
    page = Page(page_of(site, notebook))
    targets = {(page.path.parent / link.split("#")[0]).resolve() for link in page.links
               if not link.startswith(("http", "#", "mailto:"))}
    exercise = page_of(site, ROOT / "exercises" / notebook.name).resolve()
    assert exercise in targets, f"{page.path.name} has no link to {exercise.name}; its links: {page.links}"
    assert exercise.exists()


def test_formulas_are_typeset_offline(site):
    mathjax = site / "_static" / "mathjax" / "MathJax.js"
    assert mathjax.exists(), f"MathJax was not copied into the site ({mathjax} is missing)"
    home = Page(site / "index.html")
    assert home.math > 0, "the home page's syllabus has formulas but no math elements"
    assert any(s.startswith("_static/mathjax/MathJax.js") for s in home.scripts), \
        f"the home page does not load the site's own MathJax: {home.scripts}"


@pytest.mark.parametrize("notebook", PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_page_exists_with_its_figures_formulas_and_widgets(site, notebook):
    path = page_of(site, notebook)
    assert path.exists(), f"no page {path.relative_to(ROOT)} for {notebook.name}"
    page, facts = Page(path), notebook_facts(notebook)
    is_lecture = notebook.parent.name == "lectures"

    figures = page.figures()
    if is_lecture:
        assert figures, f"{path.name}: no figure (<img> of a PNG) on the page"
    for src in figures:
        if not src.startswith("data:"):
            image = (path.parent / src).resolve()
            assert image.exists(), f"{path.name}: figure {src} is missing from the site"
            assert image.read_bytes()[:8] == PNG_MAGIC, f"{path.name}: {src} is not a PNG"

    if facts["latex"]:
        assert page.math > 0, f"{path.name}: the notebook has LaTeX, the page no math"
        assert any("_static/mathjax/MathJax.js" in s for s in page.scripts), \
            f"{path.name}: has formulas but does not load the site's MathJax: {page.scripts}"

    if is_lecture:
        assert page.widget_views, f"{path.name}: no widget on the page; every lecture has one"
    unknown = [m for m in page.widget_views if m not in page.widget_state]
    assert not unknown, f"{path.name}: widgets {unknown} have no stored state to draw them from"
    if is_lecture:
        assert page.stills > 0, \
            f"{path.name}: no widget holds a figure (the still shown without JavaScript)"

    assert page.tracebacks <= facts["expected_errors"], (
        f"{path.name}: {page.tracebacks} tracebacks on the page, "
        f"{facts['expected_errors']} cells tagged raises-exception")

    external = [s for s in page.scripts if s.startswith(("http:", "https:", "//"))
                and not s.startswith(WIDGET_SCRIPTS)]
    assert not external, f"{path.name}: loads scripts from the network: {external}"
