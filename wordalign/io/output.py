"""Output that never holds half a run: written to ``OUT.part``, renamed when complete, resumable."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

from ..errors import ConfigError, InputError

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
def output_stream(path: str | None, resume: bool = False, expected: int | None = None,
                  header: Sequence[str] = ()):
    """Yield ``(stream, lines_done)`` for the output; a file appears only once it is complete.

    A file is written line by line to ``PATH.part`` and renamed to ``PATH`` at the end, so a
    crash, Ctrl-C or kill leaves the old ``PATH`` (or none) and a ``.part`` of complete lines.
    With ``resume``, an existing ``.part`` is continued after its last complete line
    (``lines_done`` tells how many input lines to skip); a finished ``PATH`` counts as done,
    and must then hold ``expected`` lines when that is given (else :class:`InputError`).

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
    """
    if path is None or path == "-":
        if resume:
            raise ConfigError("--resume needs an output file (-o); stdout cannot be resumed")
        sys.stdout.writelines(line + "\n" for line in header)
        yield sys.stdout, 0
        sys.stdout.flush()
        return
    target = Path(path)
    if not target.parent.is_dir():
        raise InputError("output directory does not exist", str(target.parent))
    part = target.with_name(target.name + PART_SUFFIX)
    if resume and target.exists() and not part.exists():
        done = complete_lines(target, cut_partial=False) - len(header)  # a finished output is never changed
        if expected is not None and done != expected:
            raise InputError(f"already complete with {done} lines, but the input has {expected}; "
                             "delete it to align again", path)
        with open(os.devnull, "w") as nowhere:
            yield nowhere, done
        return
    done = complete_lines(part) - len(header) if resume and part.exists() else -1
    with open(part, "a" if done >= 0 else "w", encoding="utf-8", newline="\n") as stream:
        if done < 0:  # a new part, or one killed before its header was complete
            stream.writelines(line + "\n" for line in header)
        yield stream, max(done, 0)
    os.replace(part, target)
