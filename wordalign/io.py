"""Reading parallel text and Pharaoh alignments; writing output without half-written lines."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import ConfigError, InputError
from .types import GoldAlignment

STDIN = "-"
SEPARATOR = "|||"
_WORD_SPLIT = re.compile(r"[ \t]+")
_LINK = re.compile(r"^(\d+)([-?p])(\d+)$")


def split_words(line: str) -> list[str]:
    """Words of a pre-tokenized line: split on ASCII spaces and tabs only.

    Other Unicode spaces (such as the ideographic space U+3000) are kept as tokens, because
    gold sets tokenized that way count them as words.
    """
    stripped = line.strip(" \t")
    return _WORD_SPLIT.split(stripped) if stripped else []


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


def _split_pair(line: str, path: str, number: int) -> tuple[list[str], list[str]]:
    if line.count(SEPARATOR) != 1:
        if not line.strip():
            return [], []
        raise InputError(f"expected 'source ||| target' (exactly one '{SEPARATOR}'), "
                         f"found {line.count(SEPARATOR)}", path, number)
    src, tgt = line.split(SEPARATOR)
    return split_words(src), split_words(tgt)


@dataclass
class ParallelInput:
    """Sentence pairs from two line-aligned files, or one ``src ||| tgt`` file or stdin.

    Files are checked completely when this object is made (existence, UTF-8, line counts,
    separators), so that errors surface before any model is loaded; the pairs are then read
    again lazily, in constant memory. Standard input can be read only once and is checked
    line by line as it streams.
    """

    src_path: str
    tgt_path: str | None = None
    n_pairs: int | None = None

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
            raise InputError(f"line counts differ: {self.src_path} has {src_count} lines, "
                             f"{self.tgt_path} has {tgt_count}; the files must be line-aligned",
                             self.tgt_path, min(src_count, tgt_count) + 1)
        return src_count

    def __iter__(self) -> Iterator[tuple[list[str], list[str]]]:
        if self.tgt_path is None:
            for number, line in enumerate(iter_lines(self.src_path), 1):
                yield _split_pair(line, self.src_path, number)
            return
        for src, tgt in zip(iter_lines(self.src_path), iter_lines(self.tgt_path), strict=True):
            yield split_words(src), split_words(tgt)


@dataclass(frozen=True)
class Job:
    """One corpus of a manifest: inputs as for :class:`ParallelInput`, and the output path."""

    src: str
    tgt: str | None
    output: str


def read_manifest(path: str) -> list[Job]:
    """Read a manifest of corpora to align with one model load.

    One job per line, fields separated by tabs: ``SRC TGT OUT`` (two line-aligned files) or
    ``SRC OUT`` (a ``source ||| target`` file). Blank lines and lines starting with ``#`` are
    skipped. Relative paths are taken from the manifest's folder (the working directory for
    a manifest on stdin, ``-``), so a manifest can be used from anywhere.

    Parameters
    ----------
    path : str
        The manifest file, or ``-`` for stdin.

    Returns
    -------
    list[Job]
        The jobs in manifest order, paths resolved.

    Raises
    ------
    InputError
        Naming the manifest line: a wrong number of fields, an empty field, stdin (``-``)
        as a path, an output folder that does not exist, or an output that is listed twice
        or is one of the inputs (or the manifest).
    """
    folder = Path(path).parent if path != STDIN else Path.cwd()
    jobs, line_of_output, inputs = [], {}, {os.path.realpath(path)}
    for number, line in enumerate(iter_lines(path), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [field.strip() for field in line.split("\t")]
        if len(fields) not in (2, 3):
            raise InputError(f"expected SRC<TAB>TGT<TAB>OUT or SRC<TAB>OUT, found {len(fields)} "
                             "tab-separated fields", path, number)
        if not all(fields):
            raise InputError(f"field {fields.index('') + 1} is empty", path, number)
        if STDIN in fields:
            raise InputError("'-' (stdin/stdout) cannot be used in a manifest", path, number)
        paths = [str(folder / field) for field in fields]
        jobs.append(Job(paths[0], paths[1] if len(paths) == 3 else None, paths[-1]))
        if not Path(paths[-1]).parent.is_dir():
            raise InputError(f"the folder of output {fields[-1]!r} does not exist", path, number)
        output = os.path.realpath(paths[-1])
        if output in line_of_output:
            raise InputError(f"output {fields[-1]!r} is also the output of line {line_of_output[output]}",
                             path, number)
        line_of_output[output] = number
        inputs.update(os.path.realpath(p) for p in paths[:-1])
    if not jobs:
        raise InputError("the manifest lists no corpus", path)
    for output, number in line_of_output.items():
        if output in inputs:
            raise InputError("the output is also an input of this manifest", path, number)
    return jobs


def parse_links(text: str, path: str = "<string>", number: int = 0,
                one_based: bool = False) -> GoldAlignment:
    """Parse one Pharaoh line: ``i-j`` sure, ``i?j`` or ``ipj`` possible.

    Returns
    -------
    GoldAlignment
        0-based links; ``possible`` is the union of sure and possible links (Och & Ney 2003).
    """
    sure, possible = set(), set()
    shift = 1 if one_based else 0
    for token in text.split():
        token = token.split(":", 1)[0]  # a per-link score suffix is not part of the link
        match = _LINK.match(token)
        if not match:
            raise InputError(f"malformed link {token!r} (expected i-j, i?j or ipj)", path, number)
        i, j = int(match.group(1)) - shift, int(match.group(3)) - shift
        if i < 0 or j < 0:
            raise InputError(f"link {token!r} has an index below 1 but --one-based was given", path, number)
        (sure if match.group(2) == "-" else possible).add((i, j))
    return GoldAlignment(frozenset(sure), frozenset(sure | possible))


def read_alignments(path: str, one_based: bool = False) -> list[GoldAlignment]:
    """Read a whole Pharaoh file (gold or hypothesis), one :class:`GoldAlignment` per line."""
    return [parse_links(line, path, n, one_based) for n, line in enumerate(iter_lines(path), 1)]


PART_SUFFIX = ".part"


def complete_lines(path: Path, cut_partial: bool = True) -> int:
    """Count the complete lines of ``path``, reading it in blocks (outputs can be large).

    With ``cut_partial``, a partial last line (a run killed mid-write) is cut off first.
    """
    lines, keep, offset = 0, 0, 0
    with open(path, "r+b" if cut_partial else "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            lines += block.count(b"\n")
            last = block.rfind(b"\n")
            if last >= 0:
                keep = offset + last + 1
            offset += len(block)
        if cut_partial and keep < offset:
            handle.truncate(keep)
    return lines


@contextmanager
def output_stream(path: str | None, resume: bool = False, expected: int | None = None):
    """Yield ``(stream, lines_done)`` for the output; a file appears only once it is complete.

    A file is written line by line to ``PATH.part`` and renamed to ``PATH`` at the end, so a
    crash, Ctrl-C or kill leaves the old ``PATH`` (or none) and a ``.part`` of complete lines.
    With ``resume``, an existing ``.part`` is continued after its last complete line
    (``lines_done`` tells how many input lines to skip); a finished ``PATH`` counts as done,
    and must then hold ``expected`` lines when that is given (else :class:`InputError`).
    """
    if path is None or path == "-":
        if resume:
            raise ConfigError("--resume needs an output file (-o); stdout cannot be resumed")
        yield sys.stdout, 0
        sys.stdout.flush()
        return
    target = Path(path)
    if not target.parent.is_dir():
        raise InputError("output directory does not exist", str(target.parent))
    part = target.with_name(target.name + PART_SUFFIX)
    if resume and target.exists() and not part.exists():
        done = complete_lines(target, cut_partial=False)  # a finished output is never changed
        if expected is not None and done != expected:
            raise InputError(f"already complete with {done} lines, but the input has {expected}; "
                             "delete it to align again", path)
        with open(os.devnull, "w") as nowhere:
            yield nowhere, done
        return
    done = complete_lines(part) if resume and part.exists() else 0
    with open(part, "a" if done else "w", encoding="utf-8", newline="\n") as stream:
        yield stream, done
    os.replace(part, target)
