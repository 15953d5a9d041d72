"""Misuse and bad input: a clear error (file and line where there is one), nothing overwritten, nothing silently wrong.

Usage errors run through the installed ``wordalign`` command; the rest in-process through the same
entry point (``wordalign.cli.run``) or the library. The fuzz tests drive ``align`` and ``score``
with random bytes, options and line counts and accept only the allowed outcomes.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wordalign import Aligner, ConfigError, InputError, align_files, score_files
from wordalign.cli import run

from conftest import GOLD, interrupted_run

WORDALIGN = str(Path(sys.executable).with_name("wordalign"))
F32 = ["--dtype", "float32", "-q"]
DEEN = GOLD / "deen"


def write(path: Path, text: str | bytes) -> str:
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return str(path)


@pytest.fixture
def pair(tmp_path):
    """Three De-En pairs as two files."""
    src = DEEN.joinpath("src.txt").read_text(encoding="utf-8").splitlines()[:3]
    tgt = DEEN.joinpath("tgt.txt").read_text(encoding="utf-8").splitlines()[:3]
    return write(tmp_path / "a.de", "\n".join(src) + "\n"), write(tmp_path / "a.en", "\n".join(tgt) + "\n")


@pytest.fixture
def no_model(monkeypatch):
    """Fail the test if the model loads: the error must come before."""
    import wordalign.align.pipeline

    monkeypatch.setattr(wordalign.align.pipeline, "Aligner", lambda *a, **k: pytest.fail("the model loaded"))


def error_of(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("wordalign: error: ") and "Traceback" not in err, err
    return err


# 1. Data loss: an output that is an input
def test_output_that_is_an_input_is_refused_before_the_model_loads(pair, tmp_path, capsys, no_model):
    src, tgt = pair
    before = Path(src).read_bytes()
    os.symlink(src, tmp_path / "link.de")
    os.link(tgt, tmp_path / "hard.en")
    joint = write(tmp_path / "joint.txt", "a b ||| c d\n")
    for argv in ([src, tgt, "-o", src], [src, tgt, "-o", tgt], [src, tgt, "-o", str(tmp_path / "link.de")],
                 [src, tgt, "-o", str(tmp_path / "hard.en")], [joint, "-o", joint]):
        assert run(["align", *argv]) == 2
        assert "is also an input" in error_of(capsys)
    assert Path(src).read_bytes() == before and not list(tmp_path.glob("*.part"))


# 2. Ctrl-C
def test_ctrl_c_exits_130_with_a_message_and_leaves_no_output(tmp_path):
    lines = DEEN.joinpath("src.txt").read_text(encoding="utf-8").splitlines()
    targets = DEEN.joinpath("tgt.txt").read_text(encoding="utf-8").splitlines()
    src, tgt = write(tmp_path / "s", "\n".join(lines * 3) + "\n"), write(tmp_path / "t", "\n".join(targets * 3) + "\n")
    # As from a terminal: a test run started in the background (`cmd &` in a script) ignores SIGINT,
    # and its children would inherit that.
    proc = subprocess.Popen([WORDALIGN, "align", src, tgt, *F32], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.stdout.readline()  # aligning
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert b"wordalign: interrupted" in err and b"Traceback" not in err


# 3. --resume continues only a .part of the same run
def test_resume_refuses_a_part_of_another_input_shard_or_configuration(tmp_path, capsys, monkeypatch):
    src = DEEN.joinpath("src.txt").read_text(encoding="utf-8").splitlines()[:7]
    tgt = DEEN.joinpath("tgt.txt").read_text(encoding="utf-8").splitlines()[:7]
    s, t, out = tmp_path / "s", tmp_path / "t", tmp_path / "out"
    write(s, "\n".join(src) + "\n")
    write(t, "\n".join(tgt) + "\n")
    part = tmp_path / "out.part"
    interrupted_run(monkeypatch, ["align", str(s), str(t), "-o", str(out), *F32], 6)
    assert part.read_text().count("\n") == 6 and not out.exists()
    capsys.readouterr()
    write(s, "\n".join(src[:5]) + "\n")  # the input changed: 5 lines now
    write(t, "\n".join(tgt[:5]) + "\n")
    assert run(["align", str(s), str(t), "-o", str(out), "--resume", *F32]) == 2
    assert "out.part: was written by a run with another inputs" in error_of(capsys)
    assert part.read_text().count("\n") == 6 and not out.exists()  # left as it was

    write(s, "\n".join(src) + "\n")
    write(t, "\n".join(tgt) + "\n")
    assert run(["align", str(s), str(t), "-o", str(out), "--resume", "--shard", "0/2", *F32]) == 2
    assert "another shard" in error_of(capsys)
    assert run(["align", str(s), str(t), "-o", str(out), "--resume", "-e", "argmax", *F32]) == 2
    assert "another signature" in error_of(capsys)
    assert run(["align", str(s), str(t), "-o", str(out), "--resume", *F32]) == 0
    assert out.read_text().count("\n") == 7 and not part.exists() and not Path(f"{part}.json").exists()

    out.unlink()
    write(part, "0-0\n")  # a part that says nothing of its making
    assert run(["align", str(s), str(t), "-o", str(out), "--resume", *F32]) == 2
    assert "has no record of the run that wrote it" in error_of(capsys)


def test_shard_resumed_as_another_shard_is_refused_before_the_model_loads(tmp_path, capsys, monkeypatch):
    src = DEEN.joinpath("src.txt").read_text(encoding="utf-8").splitlines()[:8]
    tgt = DEEN.joinpath("tgt.txt").read_text(encoding="utf-8").splitlines()[:8]
    s, t, out = write(tmp_path / "s", "\n".join(src) + "\n"), write(tmp_path / "t", "\n".join(tgt) + "\n"), tmp_path / "o"
    interrupted_run(monkeypatch, ["align", s, t, "-o", str(out), "--shard", "1/2", *F32], 2)
    capsys.readouterr()
    import wordalign.align.pipeline

    monkeypatch.setattr(wordalign.align.pipeline, "Aligner", lambda *a, **k: pytest.fail("the model loaded"))
    assert run(["align", s, t, "-o", str(out), "--shard", "1/3", "--resume", *F32]) == 2
    assert "another shard" in error_of(capsys)


# 4, 9. Standard input
def with_stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_standard_input_as_both_sides_is_refused(monkeypatch, capsys, no_model):
    with_stdin(monkeypatch, b"a\nb\nc\nd\n")
    assert run(["align", "-", "-"]) == 2
    assert "SRC and TGT cannot both be standard input" in error_of(capsys)


def test_one_side_on_standard_input_streams_and_mismatches_name_the_short_side(pair, monkeypatch, capsys):
    src, tgt = pair
    with_stdin(monkeypatch, Path(tgt).read_bytes())
    assert run(["align", src, "-", *F32]) == 0
    assert capsys.readouterr().out.count("\n") == 3
    with_stdin(monkeypatch, b"Das Haus\nist klein\n")
    assert run(["align", "-", tgt, *F32]) == 2
    assert "<stdin>:3: line counts differ: <stdin> has 2 lines" in error_of(capsys)


# 5, 18. The Python API
def test_api_takes_strings_as_sentences_and_refuses_misuse_with_wordalign_errors(aligner, tmp_path):
    assert aligner.align_batch([("Das Haus", "The house")])[0].src == ["Das", "Haus"]
    with pytest.raises(ConfigError, match="chunk_size must be at least 1"):
        list(aligner.align_stream([("a", "b")], chunk_size=0))
    with pytest.raises(ConfigError, match=r"a pair is \(source, target\)"):
        aligner.align_batch([("only one side",)])
    with pytest.raises(ConfigError, match="sequence of words"):
        aligner.align_batch([(["Das", 1], "The house")])
    with pytest.raises(ConfigError, match="unknown option layers; AlignConfig takes"):
        Aligner(layers=7)
    with pytest.raises(ConfigError, match="unknown option extracter; it takes: "):
        align_files("src.txt", "tgt.txt", extracter="argmax")


# 6, 14. Options checked before the model loads, and no .part
@pytest.mark.parametrize("option, message", [
    (["-p", "threshold=nan"], "threshold=nan is not allowed"),
    (["-p", "threshold=inf"], "threshold=inf is not allowed"),
    (["-p", "temperature=0"], "temperature=0.0 is not allowed"),
    (["-p", "threshold=-0.5"], "threshold=-0.5 is not allowed"),
    (["-p", "direction=sideways"], "direction='sideways' is not allowed"),
    (["--max-length", "0"], "max_length must be at least 1"),
    (["--batch-size", "0"], "batch_size must be at least 1"),
    (["-o", "/no/such/folder/out"], "output directory does not exist"),
    (["--signature"], "--signature needs --format jsonl"),
])
def test_bad_options_fail_before_the_model_loads(pair, tmp_path, capsys, monkeypatch, option, message):
    import wordalign.encoding.models

    monkeypatch.setattr(wordalign.encoding.models, "load_encoder", lambda *a, **k: pytest.fail("the model loaded"))
    assert run(["align", *pair, *option]) == 2
    assert message in error_of(capsys)


def test_a_window_too_small_for_words_fails_before_any_output(pair, tmp_path, capsys):
    out = tmp_path / "out.txt"
    assert run(["align", *pair, "--max-length", "2", "-o", str(out), *F32]) == 2
    assert "max_length 2 leaves no room for words" in error_of(capsys)
    assert not out.exists() and not (tmp_path / "out.txt.part").exists()


# 7. Unencodable words and byte-order marks
def test_a_word_without_subwords_gets_no_link_and_a_bom_is_not_a_word(aligner, tmp_path):
    pair = aligner.align(["Das", "\x00", "Haus"], ["The", "\x00", "house"])
    assert pair.links and all(i != 1 and j != 1 for i, j in pair.links)
    plain = align_once(tmp_path, "Das Haus ist klein .", "The house is small .")
    bom = align_once(tmp_path, "\ufeff Das Haus ist klein .", "\ufeffThe house is small .")
    assert bom == plain == "0-0 1-1 2-2 3-3 4-4"


def align_once(folder: Path, src: str, tgt: str) -> str:
    out = folder / "out.txt"
    out.unlink(missing_ok=True)
    s, t = write(folder / "s.txt", src + "\n"), write(folder / "t.txt", tgt + "\n")
    assert run(["align", s, t, "-o", str(out), *F32]) == 0
    return out.read_text(encoding="utf-8").strip()


# 8. Usage errors through the installed command
@pytest.mark.parametrize("argv, message", [
    (["align", "--no-such-option"], "No such option: --no-such-option"),
    (["align", "a", "b", "c"], "got 3 files: align takes SRC [TGT]"),
    (["align", "a", "b", "--layer", "x"], "Invalid value for '--layer'"),
    (["score", "gold.txt"], "Missing argument 'hyp'"),
    (["alignn"], "No such command 'alignn'"),
])
def test_usage_errors_are_one_line_and_exit_2(argv, message):
    result = subprocess.run([WORDALIGN, *argv], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("wordalign: error: ") and message in result.stderr
    assert "Traceback" not in result.stderr


def test_bare_wordalign_shows_the_help():
    result = subprocess.run([WORDALIGN], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "Usage: wordalign" in result.stdout and result.stderr == ""


# 10. Layer 0, the embeddings
def test_layer_0_aligns_with_the_embeddings_and_cannot_be_fine_tuned(pair, tmp_path, capsys):
    assert run(["align", *pair, "--layer", "0", *F32]) == 0
    assert capsys.readouterr().out.count("\n") == 3
    assert run(["finetune", *pair, "-o", str(tmp_path / "m"), "--layer", "0"]) == 2
    assert "layer 0 (the word embeddings) stays frozen" in error_of(capsys)
    assert not (tmp_path / "m").exists()


# 11. Outputs that cannot be written
def test_output_onto_a_directory_is_refused_before_the_model_loads(pair, tmp_path, capsys, no_model):
    (tmp_path / "folder").mkdir()
    assert run(["align", *pair, "-o", str(tmp_path / "folder")]) == 2
    assert "is a directory; -o takes the path of a file" in error_of(capsys)


def test_output_into_a_read_only_directory_is_refused_before_the_model_loads(pair, tmp_path, capsys, no_model,
                                                                              monkeypatch):
    import wordalign.io.output

    (tmp_path / "ro").mkdir()
    # The tests run as root, for whom no folder is read-only: the operating system's answer is simulated.
    monkeypatch.setattr(wordalign.io.output.os, "access", lambda path, mode: Path(path) != tmp_path / "ro")
    assert run(["align", *pair, "-o", str(tmp_path / "ro" / "out")]) == 2
    assert "ro: output directory is not writable" in error_of(capsys)


def test_an_output_that_cannot_be_replaced_is_an_error_and_leaves_nothing(pair, tmp_path, capsys, monkeypatch):
    import wordalign.io.output

    def refuse(*args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(wordalign.io.output.os, "replace", refuse)
    out = tmp_path / "out"
    assert run(["align", *pair, "-o", str(out), *F32]) == 2
    assert "out: cannot write the output: Permission denied" in error_of(capsys)
    assert not out.exists()


# 12. The model cache
def test_a_cache_root_that_is_a_file_is_a_clear_model_error(pair, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WORDALIGN_CACHE", write(tmp_path / "cache", "not a folder"))
    assert run(["align", *pair, *F32]) == 3
    err = error_of(capsys)
    assert "cannot write the model cache" in err and "set WORDALIGN_CACHE to a writable folder" in err


def test_a_damaged_conversion_is_detected_file_by_file(embedded_dir, tmp_path):
    from wordalign.encoding.models.embedded import SOURCE_RECORD, _is_complete

    copy = tmp_path / "copy"
    copy.mkdir()
    for path in embedded_dir.iterdir():
        (copy / path.name).symlink_to(path)
    assert _is_complete(copy)
    record = json.loads((embedded_dir / SOURCE_RECORD).read_text())
    (copy / "model.safetensors").unlink()
    write(copy / "model.safetensors", b"truncated")
    assert not _is_complete(copy)
    (copy / SOURCE_RECORD).unlink()
    write(copy / SOURCE_RECORD, json.dumps({k: v for k, v in record.items() if k != "files"}))
    assert not _is_complete(copy)  # a conversion that never finished its record


# 13. Training options
def test_training_options_that_cannot_train_fail_before_anything_is_made(pair, tmp_path, capsys):
    for option, message in ((["--learning-rate", "-1"], "learning_rate must be a positive number"),
                            (["--warmup", "2"], "warmup is a share of the steps"),
                            (["--epochs", "0"], "epochs must be at least 1")):
        assert run(["finetune", *pair, "-o", str(tmp_path / "m"), *option]) == 2
        assert message in error_of(capsys)
        assert not (tmp_path / "m").exists()


# 16. Messages name the right file and line
def test_mismatched_line_counts_name_the_shorter_file(tmp_path, capsys, no_model):
    src, tgt = write(tmp_path / "short.de", "a\n"), write(tmp_path / "long.en", "a\nb\nc\n")
    assert run(["align", src, tgt]) == 2
    assert "short.de:2: line counts differ" in error_of(capsys)


# 17. score
def test_score_refuses_links_past_the_sentence_bad_links_and_a_target_without_a_source(tmp_path, capsys):
    gold = write(tmp_path / "gold", "\ufeff0-0 1-1\n")  # a byte-order mark is not a link
    sentences = write(tmp_path / "pairs", "a b ||| c d\n")
    assert run(["score", gold, write(tmp_path / "hyp", "0-0 1-1\n"), "--src", sentences]) == 0
    assert capsys.readouterr().out.startswith("AER 0.00")
    assert run(["score", gold, write(tmp_path / "far", "0-0 1-5\n"), "--src", sentences]) == 2
    assert "far:1: link 1-5 points past the sentence (2 source, 2 target words)" in error_of(capsys)
    for bad in ("0-0 1-2:abc", "０-０"):
        assert run(["score", gold, write(tmp_path / "bad", bad + "\n")]) == 2
        assert "bad:1: malformed link" in error_of(capsys)
    assert run(["score", gold, gold, "--tgt", sentences]) == 2
    assert "--tgt needs --src" in error_of(capsys)


# The fuzz tests: only the allowed outcomes
LINE = st.one_of(st.text(st.characters(codec="utf-8"), max_size=20), st.sampled_from(["", " ", "a ||| b", "\x00", "\ufeff"]))
ALIGN_OPTIONS = [[], ["-e", "argmax"], ["-e", "itermax"], ["-p", "threshold=2"], ["-e", "nope"], ["--layer", "13"],
                 ["-f", "jsonl"], ["-f", "scores"], ["--shard", "1/2"], ["--shard", "2/2"], ["--setting", "monolingual"],
                 ["--centering", "sentence"], ["-p", "colour=red"], ["--max-length", "8"]]


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(src=st.lists(LINE, max_size=4), tgt=st.lists(LINE, max_size=4), raw=st.binary(max_size=12),
       options=st.lists(st.sampled_from(ALIGN_OPTIONS), max_size=2), joint=st.booleans())
def test_align_fuzz_exits_0_with_one_line_per_input_or_2_3_with_an_error_and_no_output(
        tmp_path_factory, src, tgt, raw, options, joint):
    folder = tmp_path_factory.mktemp("fuzz")
    s = write(folder / "s", ("\n".join(src) + "\n").encode("utf-8") + raw if src else raw)
    t = write(folder / "t", "\n".join(tgt) + ("\n" if tgt else ""))
    out = folder / "out"
    argv = ["align", s, *([] if joint else [t]), "-o", str(out), *F32, *[o for option in options for o in option]]
    stderr = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "stderr", stderr)
        code = run(argv)
    assert code in (0, 2, 3), stderr.getvalue()
    if code == 0:
        data = Path(s).read_bytes()
        n_lines = data.count(b"\n") + (not data.endswith(b"\n") and bool(data))
        shard = [option for option in options if option[:1] == ["--shard"]]
        expected = n_lines - n_lines // 2 if shard else n_lines  # only 1/2 can succeed
        assert out.read_text(encoding="utf-8").count("\n") == expected
    else:
        assert "wordalign: error: " in stderr.getvalue() and "Traceback" not in stderr.getvalue()
        assert not out.exists() and not Path(f"{out}.part").exists()


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(gold=st.binary(max_size=40), hyp=st.binary(max_size=40), lines=st.lists(st.sampled_from(
    ["0-0", "0-0 1?1", "1p0 2-2", "", "0-0:0.5", "{\"links\": [[0, 0]]}", "x"]), max_size=4),
    options=st.lists(st.sampled_from([["--one-based"], ["--per-sentence"], ["--json"]]), max_size=2))
def test_score_fuzz_exits_0_or_2_with_an_error(tmp_path_factory, gold, hyp, lines, options):
    folder = tmp_path_factory.mktemp("score")
    g = write(folder / "gold", gold if not lines else "\n".join(lines) + "\n")
    h = write(folder / "hyp", hyp if not lines else "\n".join(reversed(lines)) + "\n")
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "stdout", stdout)
        patch.setattr(sys, "stderr", stderr)
        code = run(["score", g, h, *[o for option in options for o in option]])
    assert code in (0, 2)
    if code == 0:
        assert "AER" in stdout.getvalue() or '"aer"' in stdout.getvalue()
    else:
        assert stderr.getvalue().startswith("wordalign: error: ") and "Traceback" not in stderr.getvalue()


def test_score_files_errors_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        score_files(str(tmp_path / "missing"), str(tmp_path / "missing"))


def test_resume_refuses_standard_input_and_a_part_of_another_format(pair, tmp_path, capsys, monkeypatch):
    with_stdin(monkeypatch, Path(pair[1]).read_bytes())
    assert run(["align", pair[0], "-", "-o", str(tmp_path / "o"), "--resume"]) == 2
    assert "--resume cannot tell whether standard input is the same" in error_of(capsys)
    out = tmp_path / "out"
    interrupted_run(monkeypatch, ["align", *pair, "-o", str(out), *F32], 1)
    capsys.readouterr()
    assert run(["align", *pair, "-o", str(out), "--resume", "-f", "scores", *F32]) == 2
    assert "another format" in error_of(capsys)


def test_only_the_first_shard_writes_the_signature_even_with_more_shards_than_lines(pair, tmp_path):
    outputs = []
    for index in range(5):  # 3 lines in 5 shards: several start at line 0
        out = tmp_path / f"shard{index}"
        assert run(["align", *pair, "-f", "jsonl", "--signature", "--shard", f"{index}/5", "-o", str(out), *F32]) == 0
        outputs.append(out.read_text(encoding="utf-8"))
    joined = "".join(outputs).splitlines()
    assert sum("signature" in json.loads(line) for line in joined) == 1 and len(joined) == 1 + 3


def test_an_unreadable_input_is_an_error_not_a_traceback(pair, capsys, monkeypatch, no_model):
    import builtins

    real_open = builtins.open

    def refuse(path, *args, **kwargs):
        if str(path) == pair[1]:
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refuse)
    assert run(["align", *pair]) == 2
    assert "a.en: cannot be read: Permission denied" in error_of(capsys)
