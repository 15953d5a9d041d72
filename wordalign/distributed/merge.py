"""Join the blocks of a Ray run into one output, a line per input row, in input order."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from ..errors import ConfigError, InputError
from ..io.output import check_output, output_stream

log = logging.getLogger("wordalign")


def merge_blocks(out_dir: str, output: str | None = None, quiet: bool = False) -> int:
    """Write the lines of every block of ``out_dir`` in row order, without their row numbers.

    Parameters
    ----------
    out_dir : str
        The folder ``wordalign align --engine ray -o`` wrote.
    output : str, optional
        The merged file (written whole or not at all); stdout when None or ``-``.
    quiet : bool
        No summary line on stderr.

    Returns
    -------
    int
        Lines written.

    Raises
    ------
    InputError
        A block is missing (the run did not finish: run the same command again), or a block's
        rows are not the ones it should hold.
    """
    from .engine import BLOCKS, RUN_RECORD, block_file

    folder = Path(out_dir)
    try:
        record = json.loads((folder / RUN_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ConfigError(f"{folder} holds no run of `wordalign align --engine ray` ({RUN_RECORD} missing)") from None
    missing = [k for k in range(record["blocks"]) if not block_file(folder, k).is_file()]
    if missing:
        raise InputError(f"{len(missing)} of {record['blocks']} blocks are not done (first: {missing[0]}); run the "
                         "same `wordalign align --engine ray` command again to finish them", folder / BLOCKS)
    check_output(output, [path for path, _ in record["inputs"]])
    expected = 0
    with output_stream(output) as (stream, _):
        for k in range(record["blocks"]):
            path = block_file(folder, k)
            with open(path, encoding="utf-8") as block:
                for number, line in enumerate(block, 1):
                    row, tab, text = line.partition("\t")
                    if not tab or row != str(expected):
                        raise InputError(f"expected row {expected}, found {row!r}: the block is damaged; delete it "
                                         "and run the same command again", path, number)
                    stream.write(text)
                    expected += 1
        if expected != record["rows"]:
            raise InputError(f"the blocks hold {expected} rows, the input {record['rows']}", folder / BLOCKS)
    if not quiet:
        log.info("merged %d blocks, %d lines", record["blocks"], expected)
    return expected
