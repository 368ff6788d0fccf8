"""Lecture 02, universal approximation: why depth (``depth``, ``depth_figures``, ``depth_widgets``)."""
