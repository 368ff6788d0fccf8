"""Live figures: ipywidgets controls bound to a function that redraws a figure.

A ``Live`` keeps the figure and the controls apart from the drawing: its ``update``
is a plain function ``update(**values)`` that changes the figure (and may return a
result), so a test sets a control's value headless and checks what changed.
"""
from .live import BlitLive, Live, dropdown, float_slider, freeze_layout, int_slider, log_slider, toggle

__all__ = ["Live", "BlitLive", "freeze_layout", "float_slider", "int_slider", "log_slider", "dropdown", "toggle"]
