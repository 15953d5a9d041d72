"""Inputs cut into blocks of rows that workers read on their own: two text files, JSON lines, Parquet.

A block is a row range of one input plus where it starts (a byte offset for text, a row for
Parquet), so a worker reads its rows without reading the rows before them. Rows are numbered
across all inputs in the order given: row ``k`` is line ``k`` of the merged output.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import ConfigError, InputError
from ..io.text import ParallelInput, decode_line, iter_lines

KINDS = ("text", "jsonl", "parquet")


@dataclass(frozen=True)
class Block:
    """Rows ``[first_row, first_row + rows)`` of the whole input, read from one input."""

    index: int
    kind: str
    paths: tuple[str, ...]  # text: (src, tgt); jsonl and parquet: (file,)
    offsets: tuple[int, ...]  # text: byte offsets in src and tgt; jsonl: byte offset; parquet: row in file
    first_line: int  # 1-based line (or row) in its input, for error messages
    first_row: int
    rows: int

    def as_dict(self) -> dict:
        return asdict(self)


def input_kind(paths: Sequence[str]) -> str:
    """``parquet`` or ``jsonl`` by file extension (all inputs alike), else ``text`` for exactly two files."""
    suffixes = {Path(path).suffix.lower() for path in paths}
    if suffixes <= {".parquet"}:
        return "parquet"
    if suffixes <= {".jsonl", ".json"}:
        return "jsonl"
    if len(paths) == 2 and not suffixes & {".parquet", ".jsonl", ".json"}:
        return "text"
    raise ConfigError("--engine ray reads two text files SRC TGT, or .parquet or .jsonl files (one pair per row "
                      "with 'src' and 'tgt'), not a mix")


def plan_blocks(paths: Sequence[str], block_size: int) -> list[Block]:
    """Check every input completely (as ``wordalign align`` does before the model loads) and cut
    it into blocks of ``block_size`` rows; each input starts a new block."""
    kind = input_kind(paths)
    if kind == "text":
        ParallelInput(*paths)  # line counts, UTF-8: file:line errors before anything starts
        return _text_blocks(*paths, block_size)
    blocks: list[Block] = []
    for path in paths:
        if not os.path.isfile(path):
            raise InputError("no such file", path)
        starts = _jsonl_starts(path) if kind == "jsonl" else _parquet_rows(path)
        first_row = blocks[-1].first_row + blocks[-1].rows if blocks else 0
        count = len(starts) if kind == "jsonl" else starts
        for begin in range(0, count, block_size):
            offset = starts[begin] if kind == "jsonl" else begin
            blocks.append(Block(len(blocks), kind, (path,), (offset,), begin + 1, first_row + begin,
                                min(block_size, count - begin)))
    return blocks


def _text_blocks(src: str, tgt: str, block_size: int) -> list[Block]:
    src_offsets, tgt_offsets = _line_offsets(src, block_size), _line_offsets(tgt, block_size)
    total = sum(1 for _ in iter_lines(src))
    return [Block(k, "text", (src, tgt), (src_offsets[k], tgt_offsets[k]), k * block_size + 1, k * block_size,
                  min(block_size, total - k * block_size)) for k in range(len(src_offsets)) if k * block_size < total]


def _line_offsets(path: str, every: int) -> list[int]:
    """Byte offsets of lines ``0, every, 2 * every, ...``."""
    offsets, position = [], 0
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle):
            if number % every == 0:
                offsets.append(position)
            position += len(raw)
    return offsets


def _jsonl_starts(path: str) -> list[int]:
    """Byte offset of every row of a JSON-lines file, each row checked."""
    starts, position = [], 0
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            _json_pair(decode_line(raw, path, number), path, number)
            starts.append(position)
            position += len(raw)
    return starts


def _json_pair(line: str, path: str, number: int):
    try:
        row = json.loads(line)
        src, tgt = row["src"], row["tgt"]
    except (ValueError, KeyError, TypeError):
        raise InputError("expected a JSON object with 'src' and 'tgt' (strings or lists of words)", path,
                         number) from None
    for side in (src, tgt):
        if not (isinstance(side, str) or isinstance(side, list) and all(isinstance(w, str) for w in side)):
            raise InputError("'src' and 'tgt' must be strings or lists of words", path, number)
    return src, tgt


def _parquet_rows(path: str) -> int:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        metadata, names = parquet.metadata, set(parquet.schema_arrow.names)
    except (OSError, ValueError) as exc:
        raise InputError(f"not a readable Parquet file ({exc})", path) from None
    if not {"src", "tgt"} <= names:
        raise InputError(f"a Parquet input needs columns 'src' and 'tgt', found {sorted(names)}", path)
    return metadata.num_rows


def read_block(block: Block) -> Iterator[tuple]:
    """The ``(src, tgt)`` pairs of a block, each side as the input has it (a string or a list of words)."""
    if block.kind == "text":
        with open(block.paths[0], "rb") as src, open(block.paths[1], "rb") as tgt:
            src.seek(block.offsets[0])
            tgt.seek(block.offsets[1])
            for number in range(block.first_line, block.first_line + block.rows):
                yield decode_line(src.readline(), block.paths[0], number), decode_line(tgt.readline(), block.paths[1],
                                                                                      number)
    elif block.kind == "jsonl":
        with open(block.paths[0], "rb") as handle:
            handle.seek(block.offsets[0])
            for number in range(block.first_line, block.first_line + block.rows):
                yield _json_pair(decode_line(handle.readline(), block.paths[0], number), block.paths[0], number)
    else:
        import pyarrow.parquet as pq

        table = _parquet_slice(pq.ParquetFile(block.paths[0]), block.offsets[0], block.rows)
        yield from zip(table.column("src").to_pylist(), table.column("tgt").to_pylist())


def _parquet_slice(parquet, first: int, rows: int):
    """Rows ``[first, first + rows)`` of a Parquet file, reading only the row groups they are in."""
    groups, group_start, table_start = [], 0, 0
    for group in range(parquet.num_row_groups):
        size = parquet.metadata.row_group(group).num_rows
        if group_start < first + rows and first < group_start + size:
            if not groups:
                table_start = group_start
            groups.append(group)
        group_start += size
    return parquet.read_row_groups(groups, columns=["src", "tgt"]).slice(first - table_start, rows)
