"""Inputs cut into blocks that workers read on their own (the Ray engine's input side; no Ray needed)."""

from __future__ import annotations

import json

import pytest

from wordalign.distributed.blocks import input_kind, plan_blocks, read_block
from wordalign.errors import ConfigError, InputError


def test_text_blocks_keep_empty_lines_and_their_line_numbers(tmp_path):
    src = ["ein Satz", "", "é und ü", *[f"s{k}" for k in range(600)]]
    tgt = ["a sentence", "an orphan", "", *[f"t{k}" for k in range(600)]]
    for name, lines in (("s.txt", src), ("t.txt", tgt)):
        (tmp_path / name).write_text("\ufeff" * (name == "s.txt") + "".join(l + "\n" for l in lines), encoding="utf-8")
    blocks = plan_blocks([str(tmp_path / "s.txt"), str(tmp_path / "t.txt")], 256)
    assert [(b.first_row, b.rows, b.first_line) for b in blocks] == [(0, 256, 1), (256, 256, 257), (512, 91, 513)]
    pairs = [pair for block in blocks for pair in read_block(block)]
    assert pairs == list(zip(src, tgt))  # the byte-order mark is not text


def test_jsonl_and_parquet_blocks_number_rows_across_files(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{"src": f"s {k}", "tgt": ["t", str(k)]} for k in range(700)]
    (tmp_path / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:300]), encoding="utf-8")
    (tmp_path / "b.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[300:]), encoding="utf-8")
    blocks = plan_blocks([str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")], 256)
    assert [(b.first_row, b.rows) for b in blocks] == [(0, 256), (256, 44), (300, 256), (556, 144)]
    assert [pair for block in blocks for pair in read_block(block)] == [(r["src"], r["tgt"]) for r in rows]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "c.parquet", row_group_size=100)
    blocks = plan_blocks([str(tmp_path / "c.parquet")], 256)
    assert [pair for block in blocks for pair in read_block(block)] == [(r["src"], r["tgt"]) for r in rows]


def test_inputs_are_checked_completely_first(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"src": "a", "tgt": "b"}\n{"src": 1, "tgt": "b"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="bad.jsonl:2: 'src' and 'tgt' must be strings or lists of words"):
        plan_blocks([str(tmp_path / "bad.jsonl")], 256)
    (tmp_path / "s.txt").write_text("a\nb\n", encoding="utf-8")
    (tmp_path / "t.txt").write_text("a\n", encoding="utf-8")
    with pytest.raises(InputError, match="line counts differ"):
        plan_blocks([str(tmp_path / "s.txt"), str(tmp_path / "t.txt")], 256)
    with pytest.raises(ConfigError, match="not a mix"):
        input_kind(["a.parquet", "b.jsonl"])
    with pytest.raises(ConfigError, match="two text files"):
        input_kind(["joint.txt"])
