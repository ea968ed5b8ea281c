"""One error type for bad input, so every failure names file, place and expectation."""
from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A publisher file is missing or not in the layout the parser expects.

    file:     the offending file (path relative to the raw dir when possible)
    where:    row and/or column, e.g. "row 17, column 'observation'"
    expected: what the parser needed there
    found:    what it found instead (optional)
    """

    def __init__(self, file: str | Path, where: str, expected: str, found: object = None):
        self.file = str(file)
        self.where = where
        self.expected = expected
        self.found = found
        msg = f"{self.file}: {where}: expected {expected}"
        if found is not None:
            text = repr(found)
            msg += f", found {text[:200]}"
        super().__init__(msg)

    def __reduce__(self):  # keep the fields when raised in a worker process
        return (self.__class__, (self.file, self.where, self.expected, self.found))


class ConsistencyError(InputError):
    """Two sources that must agree do not (e.g. CMD means vs ELS means)."""
