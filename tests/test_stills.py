"""An executed notebook shows each widget's figure without a kernel (GitHub, nbviewer).

A widget output holds only a reference to a model in the kernel; a viewer without the
kernel and without stored widget state draws nothing for it. nnkit's live figures add a
PNG of their picture to the same output, which such a viewer shows instead.
"""
import base64
import io
import pathlib

import nbformat
import numpy as np
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from PIL import Image

from nnkit.course.kernels import patch_missed_wakeups

ROOT = pathlib.Path(__file__).resolve().parents[1]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CELLS = [
    "from nnkit.lectures.l01_forward_pass.widgets import neuron_widget\nneuron_widget()",
    "from nnkit.lectures.l08_playground.widgets import Playground\n"
    "pg = Playground(epochs=3)\npg.train()\npg",
]


def executed():
    patch_missed_wakeups()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    NotebookClient(nb, timeout=120, startup_timeout=120, kernel_name="python3",
                   # run from the checkout, so the kernel imports this nnkit
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    return nb


def test_each_widget_output_carries_a_still_that_a_viewer_without_kernel_shows():
    nb = executed()
    outputs = [[o for o in cell.outputs if o.output_type == "execute_result"] for cell in nb.cells]
    assert [len(o) for o in outputs] == [1, 1], "each cell ends with one displayed widget"
    for (output,), minimum in zip(outputs, [(200, 200), (300, 500)]):
        assert WIDGET_VIEW in output.data, "JupyterLab still gets the live widget"
        picture = np.asarray(Image.open(io.BytesIO(base64.b64decode(output.data["image/png"]))))
        assert picture.shape[0] >= minimum[0] and picture.shape[1] >= minimum[1], picture.shape
        assert len(np.unique(picture.reshape(-1, picture.shape[2]), axis=0)) > 20, \
            "the still is a drawn figure, not a blank"
    nb.metadata.pop("widgets", None)  # as a notebook saved without its widget state
    html, _ = HTMLExporter().from_notebook_node(nb)
    for (output,) in outputs:
        assert f'src="data:image/png;base64,{output.data["image/png"]}' in html.replace("\n", ""), \
            "nbconvert (and so nbviewer) shows the still in place of the widget"
