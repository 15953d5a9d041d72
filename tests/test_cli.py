"""The command line end to end with the real embedded encoder, against golden files.

Regenerate the golden files after an intended change of output:
    WORDALIGN_UPDATE_GOLDEN=1 python -m pytest tests/test_cli.py
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wordalign.cli import run
from wordalign.align.pipeline import align_manifest

from conftest import GOLD, interrupted_run

GOLDEN = Path(__file__).resolve().parent / "golden"
# Golden output is float32: `--dtype auto` picks bfloat16 only on CPUs that have it natively.
F32 = ["--dtype", "float32"]
DEEN = GOLD / "deen"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("WORDALIGN_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The first 6 De-En gold pairs, with an empty-source pair inserted as line 3."""
    folder = tmp_path_factory.mktemp("sample")
    src = DEEN.joinpath("src.txt").read_text(encoding="utf-8").splitlines()[:6]
    tgt = DEEN.joinpath("tgt.txt").read_text(encoding="utf-8").splitlines()[:6]
    src.insert(2, "")
    tgt.insert(2, "an orphan line")
    (folder / "src.txt").write_text("\n".join(src) + "\n", encoding="utf-8")
    (folder / "tgt.txt").write_text("\n".join(tgt) + "\n", encoding="utf-8")
    (folder / "joint.txt").write_text("".join(f"{s} ||| {t}\n" for s, t in zip(src, tgt)), encoding="utf-8")
    return folder


def test_align_pharaoh_golden_with_empty_line(sample, capsys, caplog):
    with caplog.at_level(logging.WARNING, logger="wordalign"):
        assert run(["align", str(sample / "src.txt"), str(sample / "tgt.txt"), "--quiet", *F32]) == 0
    out = capsys.readouterr().out
    lines = out.split("\n")[:-1]
    assert len(lines) == 7 and lines[2] == ""
    assert "1 pairs have an empty side" in caplog.text
    check_golden("sample.pharaoh", out)


def test_jsonl_and_scores_formats_golden(sample, capsys):
    assert run(["align", str(sample / "joint.txt"), "-f", "jsonl", "-q", *F32]) == 0
    out = capsys.readouterr().out
    records = [json.loads(line) for line in out.splitlines()]
    assert records[2]["src"] == [] and records[2]["links"] == [] and records[2]["unaligned_tgt"] == [0, 1, 2]
    assert all(len(r["links"]) == len(r["scores"]) for r in records)
    check_golden("sample.jsonl", out)
    assert run(["align", str(sample / "joint.txt"), "-f", "scores", "-e", "itermax", "-q", *F32]) == 0
    check_golden("sample.itermax.scores", capsys.readouterr().out)


def test_output_file_is_written(sample, tmp_path, capsys):
    out = tmp_path / "out.pharaoh"
    assert run(["align", str(sample / "src.txt"), str(sample / "tgt.txt"), "-o", str(out), "-q", *F32]) == 0
    assert capsys.readouterr().out == ""
    assert out.read_text() == (GOLDEN / "sample.pharaoh").read_text()


def test_bad_input_fails_before_the_model_loads_and_writes_nothing(tmp_path, capsys, monkeypatch):
    import wordalign.align.pipeline

    def no_model(*args, **kwargs):
        raise AssertionError("the model was loaded before the input was validated")

    monkeypatch.setattr(wordalign.align.pipeline, "Aligner", no_model)
    src, tgt, out = tmp_path / "src.txt", tmp_path / "tgt.txt", tmp_path / "out.txt"
    src.write_text("a b\nc d\n")
    tgt.write_text("x y\n")
    assert run(["align", str(src), str(tgt), "-o", str(out)]) == 2
    assert "tgt.txt:2: line counts differ" in capsys.readouterr().err
    assert not out.exists()
    assert run(["align", str(tmp_path / "missing.txt"), str(tgt)]) == 2
    assert "missing.txt: no such file" in capsys.readouterr().err
    tgt.write_bytes(b"x y\n\xc3\x28\n")
    assert run(["align", str(src), str(tgt)]) == 2
    assert "tgt.txt:2: invalid UTF-8" in capsys.readouterr().err


def test_unknown_extractor_and_bad_param_are_reported(sample, capsys):
    assert run(["align", str(sample / "joint.txt"), "-e", "nope"]) == 2
    assert "Unknown extractor 'nope'. Available: argmax" in capsys.readouterr().err
    assert run(["align", str(sample / "joint.txt"), "-p", "threshold"]) == 2
    assert "--param expects KEY=VALUE" in capsys.readouterr().err


def test_score_golden(capsys):
    hyp = GOLDEN / "sample.pharaoh"
    gold = GOLDEN / "sample.gold"
    assert run(["score", str(gold), str(hyp)]) == 0
    check_golden("sample.score.txt", capsys.readouterr().out)
    assert run(["score", str(gold), str(hyp), "--json", "--per-sentence"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["sentences"]) == 7 and 0 < report["corpus"]["aer"] < 1
    assert report["corpus"]["null_f1"] is None


def test_score_with_sentences_adds_null_alignment(sample, capsys):
    assert run(["score", str(GOLDEN / "sample.gold"), str(GOLDEN / "sample.pharaoh"), "--src", str(sample / "joint.txt")]) == 0
    assert "null P " in capsys.readouterr().out


def test_extractors_listing_golden(capsys):
    assert run(["extractors"]) == 0
    check_golden("extractors.txt", capsys.readouterr().out)


def test_console_script_reads_stdin_and_survives_a_closed_pipe(sample):
    joint = (sample / "joint.txt").read_bytes()
    proc = subprocess.run([sys.executable, "-m", "wordalign", "align", "-", "-q", *F32], input=joint,
                          capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode() == (GOLDEN / "sample.pharaoh").read_text()
    head = subprocess.run(f"{sys.executable} -m wordalign align - -q | head -1", shell=True, input=joint,
                          capture_output=True, timeout=300)
    assert head.returncode == 0 and b"Traceback" not in head.stderr


def test_shards_concatenate_to_the_whole_run(sample, tmp_path):
    parts = []
    for index in range(3):
        out = tmp_path / f"shard{index}.pharaoh"
        assert run(["align", str(sample / "joint.txt"), "--shard", f"{index}/3", "-o", str(out), "-q", *F32]) == 0
        parts.append(out.read_text())
    assert [p.count("\n") for p in parts] == [2, 2, 3]
    assert "".join(parts) == (GOLDEN / "sample.pharaoh").read_text()


def test_bad_shard_is_a_usage_error(sample, capsys):
    assert run(["align", str(sample / "joint.txt"), "--shard", "3/3"]) == 2
    assert "0 <= i < n" in capsys.readouterr().err


def test_resume_after_a_partial_line_equals_an_uninterrupted_run(sample, tmp_path, monkeypatch):
    expected = (GOLDEN / "sample.pharaoh").read_text()
    out = tmp_path / "out.pharaoh"
    argv = ["align", str(sample / "joint.txt"), "-o", str(out), "-q", *F32]
    interrupted_run(monkeypatch, argv, 3)
    part = tmp_path / "out.pharaoh.part"
    assert part.read_text() == "".join(expected.splitlines(keepends=True)[:3]) and not out.exists()
    with open(part, "a", encoding="utf-8") as handle:
        handle.write("0-0 1-")  # killed in the middle of a line
    assert run([*argv, "--resume"]) == 0
    assert out.read_text() == expected


def test_a_killed_run_leaves_complete_lines_and_resumes_byte_identically(tmp_path):
    lines = DEEN.joinpath("src.txt").read_text().splitlines()
    targets = DEEN.joinpath("tgt.txt").read_text().splitlines()
    joint = tmp_path / "corpus.txt"
    joint.write_text("".join(f"{s} ||| {t}\n" for s, t in zip(lines * 2, targets * 2)), encoding="utf-8")
    out, part = tmp_path / "out.pharaoh", tmp_path / "out.pharaoh.part"
    command = [sys.executable, "-m", "wordalign", "align", str(joint), "-o", str(out), "-q", "--batch-size", "8"]
    proc = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    while time.time() < deadline and (not part.exists() or part.read_text().count("\n") < 40):
        time.sleep(0.2)
    proc.kill()
    proc.wait()
    partial = part.read_bytes()
    assert not out.exists() and partial.count(b"\n") >= 40
    assert partial.endswith(b"\n")  # only complete lines
    resumed = subprocess.run(command + ["--resume"], capture_output=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr.decode()
    whole = tmp_path / "whole.pharaoh"
    assert run(["align", str(joint), "-o", str(whole), "-q", "--batch-size", "8"]) == 0
    assert out.read_bytes() == whole.read_bytes()
    assert out.read_text().count("\n") == 2 * len(lines)


def test_manifest_aligns_every_corpus_with_one_model_load(sample, tmp_path, monkeypatch):
    import wordalign.align.pipeline

    loads = []
    real_aligner = wordalign.align.pipeline.Aligner
    monkeypatch.setattr(wordalign.align.pipeline, "Aligner", lambda *a, **k: loads.append(1) or real_aligner(*a, **k))
    manifest = tmp_path / "jobs.tsv"
    manifest.write_text(f"{sample / 'src.txt'}\t{sample / 'tgt.txt'}\ttwo_files.pharaoh\n"
                        f"{sample / 'joint.txt'}\tout/joint.pharaoh\n", encoding="utf-8")
    (tmp_path / "out").mkdir()
    assert run(["align", "--manifest", str(manifest), "-q", *F32]) == 0
    expected = (GOLDEN / "sample.pharaoh").read_text()
    assert (tmp_path / "two_files.pharaoh").read_text() == expected
    assert (tmp_path / "out" / "joint.pharaoh").read_text() == expected
    assert loads == [1]


def test_manifest_resume_skips_finished_outputs_and_continues_the_partial_one(sample, tmp_path, monkeypatch):
    expected = (GOLDEN / "sample.pharaoh").read_text()
    manifest = tmp_path / "jobs.tsv"
    manifest.write_text(f"{sample / 'joint.txt'}\tfirst.pharaoh\n{sample / 'joint.txt'}\tsecond.pharaoh\n")
    interrupted_run(monkeypatch, ["align", "--manifest", str(manifest), "-q", *F32], 7 + 4)
    finished_earlier = "finished earlier\n" * 7  # as many lines as the input: taken as done
    (tmp_path / "first.pharaoh").write_text(finished_earlier)
    with open(tmp_path / "second.pharaoh.part", "a") as part:
        part.write("0-")
    summaries = align_manifest(str(manifest), resume=True, quiet=True, dtype="float32")
    assert [s.pairs for s in summaries] == [0, 3]  # nothing of the finished corpus is aligned again
    assert (tmp_path / "first.pharaoh").read_text() == finished_earlier
    assert (tmp_path / "second.pharaoh").read_text() == expected


def test_manifest_inputs_are_all_checked_before_the_model_loads(sample, tmp_path, capsys, monkeypatch):
    import wordalign.align.pipeline

    monkeypatch.setattr(wordalign.align.pipeline, "Aligner", lambda *a, **k: pytest.fail("model loaded"))
    manifest = tmp_path / "jobs.tsv"
    manifest.write_text(f"{sample / 'joint.txt'}\tgood.pharaoh\n{sample / 'src.txt'}\t{tmp_path / 'short.txt'}\tbad.pharaoh\n")
    (tmp_path / "short.txt").write_text("one line\n")
    assert run(["align", "--manifest", str(manifest)]) == 2
    assert "short.txt:2: line counts differ" in capsys.readouterr().err
    assert not (tmp_path / "good.pharaoh").exists()
    assert run(["align", str(sample / "joint.txt"), "--manifest", str(manifest)]) == 2
    assert "give no SRC or TGT with it" in capsys.readouterr().err
    assert run(["align"]) == 2
    assert "give SRC [TGT], or --manifest FILE" in capsys.readouterr().err


def test_signature_names_the_configuration_in_jsonl_summary_and_score(sample, tmp_path, capsys, caplog):
    out = tmp_path / "out.jsonl"
    with caplog.at_level(logging.INFO, logger="wordalign"):
        assert run(["align", str(sample / "joint.txt"), "-f", "jsonl", "--signature", "-o", str(out), *F32]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    signature = json.loads(lines[0])["signature"]
    from wordalign.encoding.models.delta import SHIPPED_DELTA, delta_digest

    assert signature == (f"wordalign:0.2.0|model:embedded-e5-small-q4+aligned@{delta_digest(SHIPPED_DELTA)[:8]}|"
                         "scorer:similarity|layer:7|centering:pair|level:subword|"
                         "extractor:softmax(temperature=0.07,threshold=0.25,direction=intersection,distortion=0.2)|"
                         "dtype:float32")
    assert lines[1:] == (GOLDEN / "sample.jsonl").read_text(encoding="utf-8").splitlines()
    assert signature in caplog.text  # the summary line names it too
    assert run(["score", str(GOLDEN / "sample.gold"), str(out)]) == 0
    text = capsys.readouterr().out
    assert text.splitlines() == [*(GOLDEN / "sample.score.txt").read_text().splitlines(), f"signature: {signature}"]
    assert run(["score", str(GOLDEN / "sample.gold"), str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["signature"] == signature


def test_equal_configurations_have_equal_signatures(aligner):
    from wordalign import Aligner

    same = Aligner(extractor="softmax", extractor_params={"threshold": "0.25"}, layer=7, device="cpu",
                   dtype="float32", batch_size=8)
    assert same.signature == aligner.signature
    other = Aligner(config=same.config, extractor="argmax", extractor_params={}, centering="sentence")
    assert "|centering:sentence|level:subword|extractor:argmax(direction=intersection)|" in other.signature


def test_signature_needs_jsonl(sample, capsys):
    assert run(["align", str(sample / "joint.txt"), "--signature"]) == 2
    assert "--signature needs --format jsonl" in capsys.readouterr().err
