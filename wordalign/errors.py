"""One exception family for everything wordalign reports to users.

The CLI turns a :class:`WordAlignError` into a message on stderr and a non-zero exit
code; library callers catch the same types.
"""

from __future__ import annotations


class WordAlignError(Exception):
    """Base class of every error wordalign raises on purpose."""

    exit_code = 1


STDIN = "-"


def shown_path(path: str) -> str:
    """How messages name a file: standard input (``-``) is ``<stdin>``."""
    return "<stdin>" if path == STDIN else path


class InputError(WordAlignError):
    """A file or line of user input cannot be used (missing, mismatched, malformed).

    Parameters
    ----------
    message : str
        What is wrong.
    path, line : optional
        Where: the message starts with ``path:line:``.
    pair : int, optional
        Raised about one pair of a batch, before its file and line are known: the index of
        that pair, for the caller that knows them (:meth:`located`).
    """

    exit_code = 2

    def __init__(self, message: str, path: str | None = None, line: int | None = None, pair: int | None = None):
        self.reason, self.path, self.line, self.pair = message, path, line, pair
        where = f"{shown_path(path)}:{line}: " if path and line else (f"{shown_path(path)}: " if path else "")
        super().__init__(f"{where}{message}")

    def located(self, path: str, line: int) -> InputError:
        """The same error at ``path:line``."""
        return InputError(self.reason, path, line)


class ModelError(WordAlignError):
    """An encoder cannot be found, converted or loaded."""

    exit_code = 3


class ConfigError(WordAlignError):
    """An option has an invalid value (unknown extractor, bad layer, bad parameter)."""

    exit_code = 2
