"""Instructor tooling: ``nnkit-course release`` and ``nnkit-course grade``.

``release`` (:mod:`nnkit.course.release`) generates the student notebooks in
``exercises/`` from the instructor's ``solutions/``; ``grade`` (:mod:`nnkit.course.grade`)
grades submitted notebooks into a CSV, running each submission's code in a bubblewrap
sandbox (:mod:`nnkit.course.sandbox`) and judging the values it returns in the grader's own
process. Both need nbformat; they are imported on use.
"""
