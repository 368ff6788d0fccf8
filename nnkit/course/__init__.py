"""Instructor tooling: ``nnkit-course release`` and ``nnkit-course grade``.

``release`` (:mod:`nnkit.course.release`) generates the student notebooks in
``exercises/`` from the instructor's ``solutions/``; ``grade`` (:mod:`nnkit.course.grade`)
grades submitted notebooks into a CSV. Both need nbformat (and grade nbclient); they are
imported on use, so the grading kernel can import :mod:`nnkit.course._harness` cheaply.
"""
