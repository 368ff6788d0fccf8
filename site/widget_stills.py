"""Stills of the widgets' figures, so the site shows every figure even without JavaScript.

A notebook's widgets reach the page as stored state, drawn in the browser by the Jupyter
widgets' JavaScript, which loads from a CDN. A reader who is offline (or whose network blocks
the CDN) would see nothing where a ``Live`` figure stands. So after each widget view this
extension adds the pictures its widgets held when the notebook finished running; the
stylesheet ``_static/nnkit.css`` hides the still once the live widget has been drawn.
"""
from __future__ import annotations

import html
import json
import re

from myst_nb.sphinx_ import NbMetadataCollector

VIEW = re.compile(r'(<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>)',
                  re.S)
REFERENCE = "IPY_MODEL_"


def widget_state(env, pagename: str) -> dict:
    """The page's stored widget state: model id -> model, or {} when it has no widgets."""
    for _uri, attributes in NbMetadataCollector.get_js_files(env, pagename).values():
        if attributes.get("type") == "application/vnd.jupyter.widget-state+json":
            return json.loads(html.unescape(attributes["body"])).get("state", {})
    return {}


def _references(value):
    """The model ids a model's state points to (children, layout, style...)."""
    if isinstance(value, str) and value.startswith(REFERENCE):
        yield value[len(REFERENCE):]
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _references(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _references(item)


def pictures(state: dict, model_id: str) -> list[str]:
    """Base64 PNGs shown in the tree of widgets under ``model_id``.

    Two kinds of widget show a picture: an Output widget that displayed an image (nnkit's
    ``Live``), and an Image widget, whose bytes the state keeps as a base64 buffer.
    """
    found, todo, seen = [], [model_id], set()
    while todo:
        current = todo.pop(0)
        if current in seen or current not in state:
            continue
        seen.add(current)
        model = state[current]
        if model.get("model_name") == "OutputModel":
            for output in model["state"].get("outputs", []):
                png = output.get("data", {}).get("image/png")
                if png:
                    found.append(png if isinstance(png, str) else "".join(png))
        elif model.get("model_name") == "ImageModel" and model["state"].get("format") == "png":
            found.extend(buffer["data"] for buffer in model.get("buffers", [])
                         if buffer.get("path") == ["value"] and buffer.get("encoding") == "base64")
        todo.extend(_references(model.get("state", {})))
    return found


def add_stills(app, pagename, templatename, context, doctree):
    if "body" not in context:
        return
    state = widget_state(app.env, pagename)
    if not state:
        return

    def with_still(match):
        model_id = json.loads(html.unescape(match.group(2))).get("model_id", "")
        images = "".join(f'<img alt="the figure as the notebook left it" '
                         f'src="data:image/png;base64,{png.strip()}"/>'
                         for png in pictures(state, model_id))
        still = f'<div class="nnkit-widget-still">{images}</div>' if images else ""
        return match.group(1) + still

    context["body"] = VIEW.sub(with_still, context["body"])


def setup(app):
    app.connect("html-page-context", add_stills)
    app.add_css_file("nnkit.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
