"""nbgrader's autograde without false alarms: hidden tests put back in silence.

nbgrader 0.9 stores each grade cell's checksum *with* its hidden tests and releases the cell
*without* them (jupyter/nbgrader#1961). Its ``OverwriteCells`` then finds every locked cell
with hidden tests "changed" in every submission, logs ``Attribute 'checksum' for cell ... has
changed!`` and copies the stored source back: one false alarm per check cell and student, in
which a real edit of a check cell is lost.

:class:`OverwriteCellsKnowingHiddenTests` does what ``OverwriteCells`` does, and stays silent
only where the submitted cell is exactly the cell as released: the stored cell with its hidden
test regions removed, with the stored type, flags, id and points (the same checksum nbgrader
computes). Every other change to a locked cell is reported as stock nbgrader reports it, so a
warning means a student edited a cell.

Use it from ``nbgrader_config.py``::

    from nnkit.course.for_nbgrader import configure
    configure(c)

This module imports nbgrader, which is not a dependency of nnkit: only nbgrader's own
configuration should import it.
"""
import copy

from nbgrader import utils
from nbgrader.api import MissingEntry
from nbgrader.converters import Autograde
from nbgrader.preprocessors import ClearHiddenTests, OverwriteCells

__all__ = ["OverwriteCellsKnowingHiddenTests", "configure"]


class OverwriteCellsKnowingHiddenTests(OverwriteCells):
    """``OverwriteCells`` that puts back the hidden tests of a cell submitted as released
    without reporting a changed checksum; any other change is reported as before."""

    _released_checksum = None

    def preprocess_cell(self, cell, resources, cell_index):
        self._released_checksum = self._checksum_as_released(cell)
        try:
            return super().preprocess_cell(cell, resources, cell_index)
        finally:
            self._released_checksum = None

    def report_change(self, name, attr, old, new):
        if attr == "checksum" and new == self._released_checksum:
            self.log.debug("Cell %s arrived as released: its hidden tests are put back", name)
            return
        super().report_change(name, attr, old, new)

    def _checksum_as_released(self, cell):
        """The checksum of the cell that ``generate_assignment`` released for ``cell``'s
        grade id (the stored cell, hidden tests removed), or None if it released none
        with hidden tests."""
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is None:
            return None
        ids = grade_id, self.notebook_id, self.assignment_id
        try:
            stored = self.gradebook.find_source_cell(*ids)
        except MissingEntry:
            return None
        released = copy.deepcopy(cell)
        released.cell_type = stored.cell_type
        released.source = stored.source
        if not ClearHiddenTests()._remove_hidden_test_region(released):
            return None
        meta = released.metadata.nbgrader
        meta["locked"] = stored.locked
        meta["grade"] = self._stored(self.gradebook.find_grade_cell, ids)
        meta["solution"] = self._stored(self.gradebook.find_solution_cell, ids)
        if meta["grade"]:
            meta["points"] = self.gradebook.find_grade_cell(*ids).max_score
        return utils.compute_checksum(released)

    @staticmethod
    def _stored(find, ids):
        try:
            find(*ids)
        except MissingEntry:
            return False
        return True


def configure(c):
    """Make ``nbgrader autograde`` use :class:`OverwriteCellsKnowingHiddenTests` in place of
    ``OverwriteCells``; ``c`` is the config object of ``nbgrader_config.py``."""
    default = list(Autograde.class_traits()["sanitize_preprocessors"].default())
    if OverwriteCells not in default:
        raise RuntimeError(f"this nbgrader's autograde does not run OverwriteCells "
                           f"(its sanitize_preprocessors are {default}): nnkit's replacement "
                           f"was written for nbgrader 0.9")
    c.Autograde.sanitize_preprocessors = [
        OverwriteCellsKnowingHiddenTests if p is OverwriteCells else p for p in default]
