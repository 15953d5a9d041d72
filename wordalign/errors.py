"""One exception family for everything wordalign reports to users.

The CLI turns a :class:`WordAlignError` into a message on stderr and a non-zero exit
code; library callers catch the same types.
"""

from __future__ import annotations


class WordAlignError(Exception):
    """Base class of every error wordalign raises on purpose."""

    exit_code = 1


class InputError(WordAlignError):
    """A file or line of user input cannot be used (missing, mismatched, malformed)."""

    exit_code = 2

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        where = f"{path}:{line}: " if path and line else (f"{path}: " if path else "")
        super().__init__(f"{where}{message}")


class ModelError(WordAlignError):
    """An encoder cannot be found, converted or loaded."""

    exit_code = 3


class ConfigError(WordAlignError):
    """An option has an invalid value (unknown extractor, bad layer, bad parameter)."""

    exit_code = 2
