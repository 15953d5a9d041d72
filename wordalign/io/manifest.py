"""Manifests: many corpora to align with one model load, one tab-separated job per line."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from .text import STDIN, iter_lines


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
