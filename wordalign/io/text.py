"""Parallel text: two line-aligned files, or one ``source ||| target`` file or stdin."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import BinaryIO

from ..errors import STDIN, ConfigError, InputError, shown_path
from .words import split_words

SEPARATOR = "|||"
BOM = "\ufeff"


def decode_line(raw: bytes, path: str, number: int) -> str:
    """One line of a text file as text: without its line end, nor a byte-order mark on line 1.

    Raises
    ------
    InputError
        The line is not valid UTF-8 (named by ``path`` and ``number``).
    """
    try:
        line = raw.decode("utf-8").rstrip("\n").rstrip("\r")
    except UnicodeDecodeError as exc:
        raise InputError(f"invalid UTF-8 at byte {exc.start} of the line", path, number) from None
    # A byte-order mark starts some files written on Windows; it is not text (as a word it
    # would shift every index of the line).
    return line.removeprefix(BOM) if number == 1 else line


def iter_lines(path: str) -> Iterator[str]:
    """Yield decoded lines of a file (or stdin for ``-``), failing with ``file:line`` on bad UTF-8."""
    if path == STDIN:
        stream: BinaryIO = sys.stdin.buffer
        yield from (decode_line(raw, path, n) for n, raw in enumerate(stream, 1))
        return
    try:
        with open(path, "rb") as stream:
            yield from (decode_line(raw, path, n) for n, raw in enumerate(stream, 1))
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", path) from None
    except OSError as exc:  # permissions, a device error
        raise InputError(f"cannot be read: {exc.strerror or exc}", path) from None


def _split_pair(line: str, path: str, number: int) -> tuple[str, str]:
    if line.count(SEPARATOR) != 1:
        if not line.strip():
            return "", ""
        raise InputError(f"expected 'source ||| target' (exactly one '{SEPARATOR}'), "
                         f"found {line.count(SEPARATOR)}", path, number)
    src, tgt = line.split(SEPARATOR)
    return src, tgt


@dataclass
class ParallelInput:
    """Sentence pairs from two line-aligned files, or one ``src ||| tgt`` file or stdin.

    Files are checked completely when this object is made (existence, UTF-8, line counts,
    separators), so that errors surface before any model is loaded; the pairs are then read
    again lazily, in constant memory. Standard input can be read only once and is checked
    line by line as it streams.

    Parameters
    ----------
    src_path : str
        Source file, or the ``src ||| tgt`` file when ``tgt_path`` is None; ``-`` is stdin.
    tgt_path : str, optional
        Target file, line-aligned with ``src_path``.
    words : callable
        Splits one side of a line into words (:mod:`wordalign.io.words`); pre-tokenized text
        by default.
    """

    src_path: str
    tgt_path: str | None = None
    words: Callable[[str], list[str]] = field(default=split_words, repr=False)
    n_pairs: int | None = field(default=None, init=False)

    def __post_init__(self):
        if self.src_path == STDIN and self.tgt_path == STDIN:
            raise ConfigError("SRC and TGT cannot both be standard input: give a file for one of them, "
                              "or 'src ||| tgt' lines on standard input as SRC alone")
        if STDIN not in (self.src_path, self.tgt_path):
            self.n_pairs = self._validate()
        else:  # the file side is checked now; standard input only as it streams
            for path in (self.src_path, self.tgt_path):
                if path not in (None, STDIN):
                    for _ in iter_lines(path):
                        pass

    def _validate(self) -> int:
        if self.tgt_path is None:
            count = 0
            for count, line in enumerate(iter_lines(self.src_path), 1):
                _split_pair(line, self.src_path, count)
            return count
        src_count = sum(1 for _ in iter_lines(self.src_path))
        tgt_count = sum(1 for _ in iter_lines(self.tgt_path))
        if src_count != tgt_count:
            raise self._mismatch(src_count, tgt_count)
        return src_count

    def _mismatch(self, src_count: int, tgt_count: int, streamed: bool = False) -> InputError:
        """The error for files of different lengths, naming the shorter one where it ends; a
        side still ``streamed`` has at least its count."""
        short = self.src_path if src_count < tgt_count else self.tgt_path
        longer = max(src_count, tgt_count)
        src, tgt = (f"{shown_path(path)} has {count}{' or more' if streamed and count == longer else ''}"
                    for path, count in ((self.src_path, src_count), (self.tgt_path, tgt_count)))
        return InputError(f"line counts differ: {src} lines, {tgt}; the files must be line-aligned",
                          short, min(src_count, tgt_count) + 1)

    def lines(self) -> Iterator[tuple[str, str]]:
        """The raw source and target text of each pair, in order."""
        if self.tgt_path is None:
            for number, line in enumerate(iter_lines(self.src_path), 1):
                yield _split_pair(line, self.src_path, number)
            return
        for number, (src, tgt) in enumerate(zip_longest(iter_lines(self.src_path), iter_lines(self.tgt_path)), 1):
            if src is None or tgt is None:  # only where standard input is one side: files are counted first
                raise self._mismatch(number - (src is None), number - (tgt is None), streamed=True)
            yield src, tgt

    def __iter__(self) -> Iterator[tuple[list[str], list[str]]]:
        for src, tgt in self.lines():
            yield self.words(src), self.words(tgt)
