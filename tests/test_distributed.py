"""The Ray engine on a real local Ray cluster (2 CPUs), against the command line's own output."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time

import pytest

from conftest import GOLD
from wordalign.errors import ConfigError, InputError

try:
    import ray
except ImportError:  # CI installs the extra: there, its absence is a failure, not a skip
    if os.environ.get("CI"):
        raise
    pytest.skip("the Ray engine's tests need pip install 'wordalign[ray]'", allow_module_level=True)

from wordalign import align_files  # noqa: E402
from wordalign.distributed import align_dataset, align_on_ray, merge_blocks, project_dataset  # noqa: E402
from wordalign.distributed.engine import block_file  # noqa: E402

F32 = {"dtype": "float32", "quiet": True}


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """600 De-En pairs with empty lines (one side, both sides) and one sentence longer than the window."""
    folder = tmp_path_factory.mktemp("corpus")
    src = (GOLD / "deen" / "src.txt").read_text(encoding="utf-8").splitlines()
    tgt = (GOLD / "deen" / "tgt.txt").read_text(encoding="utf-8").splitlines()
    src, tgt = (src * 2)[:600], (tgt * 2)[:600]
    src[3], tgt[300], src[301], tgt[301] = "", "", "", ""
    src[400], tgt[400] = " ".join(src[:40]), " ".join(tgt[:40])  # far beyond 512 subwords: windowed
    paths = folder / "src.txt", folder / "tgt.txt"
    for path, lines in zip(paths, (src, tgt)):
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    expected = folder / "cli.pharaoh"
    align_files(str(paths[0]), str(paths[1]), output=str(expected), **F32)
    return [str(p) for p in paths], expected.read_text(encoding="utf-8"), src, tgt


def merged(out_dir, tmp_path) -> str:
    out = tmp_path / "merged.pharaoh"
    merge_blocks(str(out_dir), str(out), quiet=True)
    return out.read_text(encoding="utf-8")


def test_merged_blocks_equal_the_cli_output_byte_for_byte(cluster, corpus, tmp_path):
    inputs, expected, _, _ = corpus
    summary = align_on_ray(inputs, output=str(tmp_path / "run"), block_size=256, actors=2, **F32)
    assert (summary.blocks, summary.skipped, summary.pairs, summary.empty_pairs) == (3, 0, 600, 3)
    assert merged(tmp_path / "run", tmp_path) == expected
    assert expected.splitlines()[3] == "" and len(expected.splitlines()) == 600


def test_a_rerun_skips_finished_blocks_and_refuses_another_run(cluster, corpus, tmp_path):
    inputs, expected, _, _ = corpus
    out = tmp_path / "run"
    align_on_ray(inputs, output=str(out), block_size=256, actors=1, **F32)
    block_file(out, 1).unlink()
    with pytest.raises(InputError, match="1 of 3 blocks are not done"):
        merge_blocks(str(out), str(tmp_path / "never.pharaoh"))
    assert not (tmp_path / "never.pharaoh").exists()
    summary = align_on_ray(inputs, output=str(out), block_size=256, actors=1, **F32)
    assert (summary.skipped, summary.pairs) == (2, 256)
    assert merged(out, tmp_path) == expected
    with pytest.raises(ConfigError, match="holds the blocks of another run"):
        align_on_ray(inputs, output=str(out), block_size=256, extractor="argmax", **F32)


def aligner_actor_pids() -> list[int]:
    """Processes of live aligner actors: Ray names a worker process after its actor."""
    pids = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                title = handle.read().decode(errors="replace")
        except OSError:
            continue
        if entry.isdigit() and title.startswith("ray::") and "BlockAligner" in title:
            pids.append(int(entry))
    return pids


def test_a_killed_actor_is_replaced_and_no_pair_is_lost_or_doubled(cluster, corpus, tmp_path):
    inputs, expected, _, _ = corpus
    out = tmp_path / "run"
    done = {}
    run = threading.Thread(target=lambda: done.update(summary=align_on_ray(
        inputs, output=str(out), block_size=256, actors=1, **F32)))
    run.start()
    killed = None
    deadline = time.time() + 300
    while killed is None and time.time() < deadline and run.is_alive():
        alive = aligner_actor_pids()
        if alive and block_file(out, 0).exists():  # mid-run: a block written, others to go
            killed = alive[0]
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.2)
    run.join(timeout=600)
    assert killed is not None, "the actor finished before it could be killed"
    assert done["summary"].pairs == 600
    assert merged(out, tmp_path) == expected


def test_jsonl_and_parquet_rows_align_as_the_cli_aligns_lines(cluster, corpus, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    inputs, expected, src, tgt = corpus
    rows = [{"src": s, "tgt": t.split()} for s, t in zip(src, tgt)]  # a string or a list of words
    jsonl = tmp_path / "pairs.jsonl"
    jsonl.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows[:300]), encoding="utf-8")
    parquet = tmp_path / "pairs.parquet"
    pq.write_table(pa.Table.from_pylist([{"src": s, "tgt": t} for s, t in zip(src[300:], tgt[300:])]), parquet,
                   row_group_size=100)
    align_on_ray([str(jsonl)], output=str(tmp_path / "j"), block_size=256, **F32)
    align_on_ray([str(parquet)], output=str(tmp_path / "p"), block_size=256, **F32)
    lines = expected.splitlines(keepends=True)
    assert merged(tmp_path / "j", tmp_path) == "".join(lines[:300])
    assert merged(tmp_path / "p", tmp_path) == "".join(lines[300:])


def test_bad_input_is_refused_before_ray_starts_work(corpus, tmp_path):
    inputs, _, _, _ = corpus
    short = tmp_path / "short.txt"
    short.write_text("ein Satz\n", encoding="utf-8")
    with pytest.raises(InputError, match="line counts differ"):
        align_on_ray([inputs[0], str(short)], output=str(tmp_path / "run"), **F32)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"src": "a", "tgt": "b"}\n{"src": "a"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="bad.jsonl:2: expected a JSON object with 'src' and 'tgt'"):
        align_on_ray([str(bad)], output=str(tmp_path / "run"), **F32)
    with pytest.raises(ConfigError, match="multiple of 256"):
        align_on_ray(inputs, output=str(tmp_path / "run"), block_size=100, **F32)
    assert not (tmp_path / "run").exists()


def test_align_dataset_adds_the_alignment_columns(cluster, corpus):
    from wordalign import Aligner

    _, _, src, tgt = corpus
    pairs = [(s, t) for s, t in zip(src[:20], tgt[:20])]
    dataset = ray.data.from_items([{"src": s, "tgt": t} for s, t in pairs])
    rows = sorted(align_dataset(dataset, actors=1, dtype="float32").take_all(), key=lambda row: pairs.index(
        (row["src"], row["tgt"])))
    expected = Aligner(dtype="float32").align_batch(pairs)
    assert [row["links"] for row in rows] == [pair.pharaoh() for pair in expected]
    assert [list(row["unaligned_src"]) for row in rows] == [pair.unaligned_src for pair in expected]


def test_project_dataset_carries_spans_onto_raw_targets(cluster):
    raw = "Angela Merkel a visité Paris."
    dataset = ray.data.from_items([{"tokens": ["Angela", "Merkel", "visited", "Paris", "."], "target": raw,
                                    "spans": [{"start": 0, "end": 2, "label": "PER"},
                                              {"start": 3, "end": 4, "label": "LOC"}]}])
    row = project_dataset(dataset, actors=1, tokenize=True, dtype="float32").take_all()[0]
    assert list(row["target_tokens"]) == ["Angela", "Merkel", "a", "visité", "Paris", "."]
    assert {(raw[s["char_start"] : s["char_end"]], s["label"]) for s in row["target_spans"]} == {
        ("Angela Merkel", "PER"), ("Paris", "LOC")}


def test_a_missing_ray_names_its_install_command(monkeypatch):
    from wordalign.distributed.engine import ray_module

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ConfigError, match=r"pip install 'wordalign\[ray\]'"):
        ray_module()
