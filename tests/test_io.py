"""Reading parallel input and writing output: errors name the file and line, nothing is lost."""

from __future__ import annotations

import pytest

from wordalign.errors import InputError
from wordalign.io import ParallelInput, atomic_output, split_words


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


def test_atomic_output_publishes_only_complete_files(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old\n")
    with pytest.raises(RuntimeError):
        with atomic_output(str(target)) as stream:
            stream.write("half")
            raise RuntimeError("crash")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    with atomic_output(str(target)) as stream:
        stream.write("new\n")
    assert target.read_text() == "new\n"
