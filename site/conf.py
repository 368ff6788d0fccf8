"""The course as a static website: Sphinx, MyST-NB and the book theme (`make site`).

Every lecture and exercise notebook is executed afresh at build time, so the pages show the
figures, formulas and widgets of a run on this commit. ``lectures`` and ``exercises`` here are
copies of the repository's folders, made as the build starts (links would make MyST resolve a
lecture's link to its exercise outside the site, and drop it). The build needs no network: formulas are typeset by the
MathJax that the ``jupyter-server-mathjax`` package ships, copied into the site. The widgets'
JavaScript (which draws the stored sliders and pictures) loads from a CDN when the page is
viewed, as in every Jupyter Book; without it, each widget's figure still shows as a picture
(widget_stills.py).
"""
import pathlib
import shutil
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))  # widget_stills.py beside this file

project = "nnkit"
html_title = "Neural networks from first principles"
author = "the nnkit authors"
copyright = "the nnkit authors, MIT licence"

extensions = ["myst_nb", "widget_stills"]
root_doc = "index"
exclude_patterns = ["_build", "**/.ipynb_checkpoints", "README.md"]
html_static_path = ["_static"]

# -- notebooks ------------------------------------------------------------------------------
# MyST-NB runs the notebooks through nbclient in this process: poll the kernel's sockets in
# slices, or a missed wake-up now and then stalls a cell until its timeout (nnkit/course/kernels.py).
from nnkit.course.kernels import patch_missed_wakeups  # noqa: E402

patch_missed_wakeups()
nb_execution_mode = "force"          # every build runs every notebook on the current code
nb_execution_timeout = 180           # seconds per cell; a notebook takes under 30 s in all
nb_execution_raise_on_error = True   # an error in a notebook fails the build
nb_execution_show_tb = True          # ... and prints its traceback
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# -- formulas: MathJax 2 from the jupyter-server-mathjax wheel, served from _static ----------
MATHJAX_DIR = "mathjax"
mathjax_path = f"{MATHJAX_DIR}/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
myst_update_mathjax = False  # MyST's settings are for MathJax 3
# Typeset the formulas Sphinx marks up as \( \) and \[ \]; leave code and outputs alone.
mathjax2_config = {
    "tex2jax": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]],
                "processEscapes": False, "processEnvironments": False, "processRefs": False,
                "ignoreClass": "cell_input|cell_output|highlight"},
    # the wheel ships the STIX web fonts only (as the classic Jupyter Notebook used them)
    "HTML-CSS": {"availableFonts": [], "preferredFont": None, "webFont": "STIX-Web",
                 "imageFont": None},
    "messageStyle": "none",
}

# -- look ------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": True,
    "repository_url": "",
}
html_last_updated_fmt = None


def _copy_mathjax(app, exception):
    """Copy the MathJax that jupyter-server-mathjax ships into ``_static/mathjax``."""
    if exception is not None or app.builder.format != "html":
        return
    import jupyter_server_mathjax

    source = pathlib.Path(jupyter_server_mathjax.__file__).parent / "static"
    target = pathlib.Path(app.outdir) / "_static" / MATHJAX_DIR
    if not (target / "MathJax.js").exists():
        shutil.copytree(source, target, dirs_exist_ok=True)


def _copy_notebooks(app):
    """Copy the lecture and exercise notebooks into the site's source, fresh for each build."""
    source = pathlib.Path(app.srcdir)
    for folder in ("lectures", "exercises"):
        target = source / folder
        if target.is_symlink():
            target.unlink()
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir()
        for notebook in sorted((source.parent / folder).glob("*.ipynb")):
            shutil.copy2(notebook, target / notebook.name)


def setup(app):
    app.connect("builder-inited", _copy_notebooks)
    app.connect("build-finished", _copy_mathjax)
