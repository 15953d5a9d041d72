"""Parallel text: two line-aligned files, or one ``source ||| target`` file or stdin."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from ..errors import InputError
from .words import split_words

STDIN = "-"
SEPARATOR = "|||"


def _decode(raw: bytes, path: str, number: int) -> str:
    try:
        return raw.decode("utf-8").rstrip("\n").rstrip("\r")
    except UnicodeDecodeError as exc:
        raise InputError(f"invalid UTF-8 at byte {exc.start} of the line", path, number) from None


def iter_lines(path: str) -> Iterator[str]:
    """Yield decoded lines of a file (or stdin for ``-``), failing with ``file:line`` on bad UTF-8."""
    if path == STDIN:
        stream: BinaryIO = sys.stdin.buffer
        yield from (_decode(raw, "<stdin>", n) for n, raw in enumerate(stream, 1))
        return
    try:
        with open(path, "rb") as stream:
            yield from (_decode(raw, path, n) for n, raw in enumerate(stream, 1))
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", path) from None


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
        if self.src_path != STDIN:
            self.n_pairs = self._validate()

    def _validate(self) -> int:
        if self.tgt_path is None:
            count = 0
            for count, line in enumerate(iter_lines(self.src_path), 1):
                _split_pair(line, self.src_path, count)
            return count
        src_count = sum(1 for _ in iter_lines(self.src_path))
        tgt_count = sum(1 for _ in iter_lines(self.tgt_path))
        if src_count != tgt_count:
            short = self.src_path if src_count < tgt_count else self.tgt_path
            raise InputError(f"line counts differ: {self.src_path} has {src_count} lines, "
                             f"{self.tgt_path} has {tgt_count}; the files must be line-aligned",
                             short, min(src_count, tgt_count) + 1)
        return src_count

    def lines(self) -> Iterator[tuple[str, str]]:
        """The raw source and target text of each pair, in order."""
        if self.tgt_path is None:
            for number, line in enumerate(iter_lines(self.src_path), 1):
                yield _split_pair(line, self.src_path, number)
            return
        yield from zip(iter_lines(self.src_path), iter_lines(self.tgt_path), strict=True)

    def __iter__(self) -> Iterator[tuple[list[str], list[str]]]:
        for src, tgt in self.lines():
            yield self.words(src), self.words(tgt)
