"""Output that never holds half a run: written to ``OUT.part``, renamed when complete, resumable."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, InputError, WordAlignError
from ..options import option

PART_SUFFIX = ".part"


@dataclass(frozen=True)
class OutputOptions:
    """Where a command writes, and whether it talks: options of the commands that write data."""

    output: str | None = option(None, "Write here instead of stdout; OUT.part until complete.", "--output", "-o")
    quiet: bool = option(False, "No progress bar or summary on stderr.", "--quiet", "-q")


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


def record_path(part: Path) -> Path:
    """Where the record of the run that writes ``part`` is kept, beside it."""
    return part.with_name(part.name + ".json")


def check_output(path: str | None, inputs: Sequence[str | None] = (), resume: bool = False,
                 record: dict | None = None) -> None:
    """Refuse, before anything loads, an output that cannot be written, that would overwrite an
    input (through a symbolic or hard link too), or whose ``.part`` another run wrote.

    Parameters
    ----------
    path : str, optional
        The output file; None or ``-`` for stdout (nothing to check).
    inputs : sequence of str
        The input files (``-`` and None are skipped).
    resume : bool
        Whether an existing ``.part`` will be continued.
    record : dict, optional
        What this run is (see :func:`output_stream`); with ``resume``, the keys it has are
        compared with those the ``.part`` was written with.
    """
    if path is None or path == "-":
        return
    target = Path(path)
    if target.is_dir():
        raise InputError("is a directory; -o takes the path of a file to write", path)
    if not target.parent.is_dir():
        raise InputError("output directory does not exist", str(target.parent))
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise InputError("output directory is not writable", str(target.parent))
    for source in inputs:
        if source not in (None, "-") and _same_file(target, Path(source)):
            raise InputError(f"is also an input ({source}): writing it would destroy the input; "
                             "choose another output", path)
    part = target.with_name(target.name + PART_SUFFIX)
    if resume and record is not None and part.exists():
        _check_record(part, record)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _check_record(part: Path, record: dict) -> None:
    """Refuse to continue a ``.part`` that a run with other input or options wrote."""
    try:
        saved = json.loads(record_path(part).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError("has no record of the run that wrote it, so it cannot be continued safely; "
                         "delete it to align again", str(part)) from None
    different = [key for key in record if saved.get(key) != record[key]]
    if different:
        raise InputError(f"was written by a run with another {' and '.join(different)}; resume with the same "
                         "input and options, or delete it to align again", str(part))


@contextmanager
def output_stream(path: str | None, resume: bool = False, expected: int | None = None,
                  header: Sequence[str] = (), record: dict | None = None):
    """Yield ``(stream, lines_done)`` for the output; a file appears only once it is complete.

    A file is written line by line to ``PATH.part`` and renamed to ``PATH`` at the end, so a
    crash, Ctrl-C or kill leaves the old ``PATH`` (or none) and a ``.part`` of complete lines.
    With ``resume``, an existing ``.part`` is continued after its last complete line
    (``lines_done`` tells how many input lines to skip), if the run that wrote it had the same
    ``record``; a finished ``PATH`` counts as done, and must then hold ``expected`` lines when
    that is given (else :class:`InputError`). A :class:`~wordalign.errors.WordAlignError`
    raised while writing removes a ``.part`` this call began: only an interrupted run leaves one.

    Parameters
    ----------
    path : str, optional
        The output file; stdout when None or ``-``.
    resume : bool
        Continue ``PATH.part`` (or keep a finished ``PATH``).
    expected : int, optional
        Lines the whole output will have, without the header.
    header : sequence of str
        Lines written first (a signature); they are not counted in ``lines_done``.
    record : dict, optional
        What this run is (signature, shard, inputs): kept in ``PATH.part.json`` while the
        ``.part`` exists, and compared on ``resume``; None writes and checks no record.
    """
    if path is None or path == "-":
        if resume:
            raise ConfigError("--resume needs an output file (-o); stdout cannot be resumed")
        sys.stdout.writelines(line + "\n" for line in header)
        yield sys.stdout, 0
        sys.stdout.flush()
        return
    target = Path(path)
    check_output(path)
    part = target.with_name(target.name + PART_SUFFIX)
    if resume and target.exists() and not part.exists():
        done = complete_lines(target, cut_partial=False) - len(header)  # a finished output is never changed
        if expected is not None and done != expected:
            raise InputError(f"already complete with {done} lines, but the input has {expected}; "
                             "delete it to align again", path)
        with open(os.devnull, "w") as nowhere:
            yield nowhere, done
        return
    done = -1
    if resume and part.exists():
        if record is not None:
            _check_record(part, record)
        done = complete_lines(part) - len(header)
        if expected is not None and done > expected:
            raise InputError(f"has {done} complete lines, more than the {expected} this input gives; "
                             "delete it to align again", str(part))
    try:
        with open(part, "a" if done >= 0 else "w", encoding="utf-8", newline="\n") as stream:
            if done < 0:  # a new part, or one killed before its header was complete
                if record is not None:
                    record_path(part).write_text(json.dumps(record), encoding="utf-8")
                stream.writelines(line + "\n" for line in header)
            try:
                yield stream, max(done, 0)
            except WordAlignError:
                if done < 0:  # a user's error found mid-run: no half output of this run stays
                    stream.close()
                    part.unlink(missing_ok=True)
                    record_path(part).unlink(missing_ok=True)
                raise
        os.replace(part, target)
        record_path(part).unlink(missing_ok=True)
    except OSError as exc:
        raise InputError(f"cannot write the output: {exc.strerror or exc}", path) from None
