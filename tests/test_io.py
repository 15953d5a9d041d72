"""Reading parallel input and writing output: errors name the file and line, nothing is lost."""

from __future__ import annotations

import pytest

from wordalign.errors import ConfigError, InputError
from wordalign.io.manifest import read_manifest
from wordalign.io.output import output_stream
from wordalign.io.text import ParallelInput
from wordalign.io.words import split_words


def write(path, text: str | bytes):
    (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
    return str(path)


def test_split_words_uses_ascii_spaces_only():
    assert split_words("  a\tb  c ") == ["a", "b", "c"]
    assert split_words("会議\u3000です") == ["会議\u3000です"]
    assert split_words("   ") == []


def test_two_files_and_one_file_formats_give_the_same_pairs(tmp_path):
    src = write(tmp_path / "s", "a b\n\nc\n")
    tgt = write(tmp_path / "t", "x\ny z\nw\n")
    joint = write(tmp_path / "j", "a b ||| x\n ||| y z\nc ||| w\n")
    expected = [(["a", "b"], ["x"]), ([], ["y", "z"]), (["c"], ["w"])]
    assert list(ParallelInput(src, tgt)) == expected
    assert list(ParallelInput(joint)) == expected
    assert ParallelInput(src, tgt).n_pairs == 3


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"nope\.txt: no such file"):
        ParallelInput(str(tmp_path / "nope.txt"), write(tmp_path / "t", "x\n"))


def test_line_count_mismatch_names_both_files(tmp_path):
    src = write(tmp_path / "src.txt", "a\nb\nc\n")
    tgt = write(tmp_path / "tgt.txt", "x\ny\n")
    with pytest.raises(InputError, match=r"tgt\.txt:3: line counts differ: .*src\.txt has 3 lines, .*tgt\.txt has 2"):
        ParallelInput(src, tgt)


def test_invalid_utf8_names_the_line(tmp_path):
    src = write(tmp_path / "src.txt", b"ok\nbad \xff byte\n")
    tgt = write(tmp_path / "tgt.txt", "x\ny\n")
    with pytest.raises(InputError, match=r"src\.txt:2: invalid UTF-8 at byte 4"):
        ParallelInput(src, tgt)


def test_missing_separator_names_the_line(tmp_path):
    joint = write(tmp_path / "pairs.txt", "a ||| b\nno separator here\n")
    with pytest.raises(InputError, match=r"pairs\.txt:2: expected 'source \|\|\| target'"):
        ParallelInput(joint)


def test_crlf_line_endings_are_stripped(tmp_path):
    assert list(ParallelInput(write(tmp_path / "j", "a ||| b\r\n"))) == [(["a"], ["b"])]


def test_output_file_appears_only_when_complete(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old\n")
    with pytest.raises(RuntimeError):
        with output_stream(str(target)) as (stream, done):
            assert done == 0
            stream.write("line 1\n")
            raise RuntimeError("crash")
    assert target.read_text() == "old\n"
    assert (tmp_path / "out.txt.part").read_text() == "line 1\n"
    with output_stream(str(target)) as (stream, done):  # no --resume: start over
        assert done == 0
        stream.write("new\n")
    assert target.read_text() == "new\n" and not (tmp_path / "out.txt.part").exists()


def test_resume_continues_after_the_last_complete_line(tmp_path):
    target = tmp_path / "out.txt"
    (tmp_path / "out.txt.part").write_bytes(b"a\nb\nhalf a li")
    with output_stream(str(target), resume=True) as (stream, done):
        assert done == 2
        stream.write("c\n")
    assert target.read_text() == "a\nb\nc\n"
    with output_stream(str(target), resume=True) as (stream, done):  # finished: all done
        assert done == 3


def test_resume_needs_a_file():
    with pytest.raises(ConfigError, match="--resume needs an output file"):
        with output_stream(None, resume=True):
            pass


def test_manifest_paths_are_relative_to_its_folder_and_comments_are_skipped(tmp_path):
    (tmp_path / "sub").mkdir()
    manifest = write(tmp_path / "sub" / "jobs.tsv", "# corpora\n\na.src\ta.tgt\ta.out\n/abs/joint.txt\tjoint.out\n")
    jobs = read_manifest(manifest)
    assert [(j.src, j.tgt, j.output) for j in jobs] == [
        (str(tmp_path / "sub" / "a.src"), str(tmp_path / "sub" / "a.tgt"), str(tmp_path / "sub" / "a.out")),
        ("/abs/joint.txt", None, str(tmp_path / "sub" / "joint.out")),
    ]


@pytest.mark.parametrize("text, line, message", [
    ("a\tb\tc\td\n", 1, "found 4 tab-separated fields"),
    ("a.src\n", 1, "found 1 tab-separated fields"),
    ("a\t\tc\n", 1, "field 2 is empty"),
    ("a\tb\tmissing/c\n", 1, "folder of output 'missing/c' does not exist"),
    ("a\tb\tjobs.tsv\n", 1, "also an input"),
    ("a\tb\tout\nc\td\tout\n", 2, "also the output of line 1"),
    ("a\tb\tc.out\nc.out\tz.out\n", 1, "also an input"),
    ("-\tb\tc\n", 1, r"'-' \(stdin/stdout\) cannot be used"),
])
def test_bad_manifest_lines_are_named(tmp_path, text, line, message):
    manifest = write(tmp_path / "jobs.tsv", text)
    with pytest.raises(InputError, match=rf"jobs.tsv:{line}: .*{message}"):
        read_manifest(manifest)


def test_an_empty_manifest_is_an_error(tmp_path):
    with pytest.raises(InputError, match="lists no corpus"):
        read_manifest(write(tmp_path / "jobs.tsv", "# nothing\n"))


def test_resume_refuses_a_finished_output_of_the_wrong_length(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("0-0\n")
    with pytest.raises(InputError, match="already complete with 1 lines, but the input has 3"):
        with output_stream(str(target), resume=True, expected=3):
            pass
    with output_stream(str(target), resume=True, expected=1) as (_, done):
        assert done == 1


def test_resume_never_changes_a_finished_output(tmp_path):
    target = tmp_path / "out.txt"
    target.write_bytes(b"0-0\n1-1")  # written by someone else, no final newline
    with pytest.raises(InputError, match="already complete with 1 lines"):
        with output_stream(str(target), resume=True, expected=2):
            pass
    assert target.read_bytes() == b"0-0\n1-1"
