"""Symmetrization against atools' own outputs (tests/golden/symmetrization), the command, and its errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordalign import ConfigError
from wordalign.cli import run
from wordalign.extractors import bind
from wordalign.symmetrize import METHODS, invert, symmetrize

GOLDEN = Path(__file__).parent / "golden" / "symmetrization"
SETS = ("deen", "roen", "zhen", "edge")


def read(path: Path) -> list[set]:
    return [{tuple(map(int, link.split("-"))) for link in line.split()}
            for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("method", METHODS)
def test_every_heuristic_reproduces_atools(name, method, tmp_path, capsys):
    assert run(["symmetrize", str(GOLDEN / f"{name}.fwd"), str(GOLDEN / f"{name}.rev"), "--method", method]) == 0
    out = capsys.readouterr().out
    assert [{tuple(map(int, l.split("-"))) for l in line.split()} for line in out.splitlines()] == \
        read(GOLDEN / f"{name}.{method}")
    assert all(line.split() == sorted(line.split(), key=lambda l: tuple(map(int, l.split("-"))))
               for line in out.splitlines())  # sorted within the line


@pytest.mark.parametrize("name", SETS)
def test_invert_reproduces_atools(name, capsys):
    assert run(["symmetrize", "--invert", str(GOLDEN / f"{name}.fwd")]) == 0
    got = [{tuple(map(int, l.split("-"))) for l in line.split()} for line in capsys.readouterr().out.splitlines()]
    assert got == read(GOLDEN / f"{name}.invert")


links = st.sets(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=20)


@settings(max_examples=200, deadline=None)
@given(links, links)
def test_heuristics_lie_between_intersection_and_union(forward, reverse):
    meet, join = forward & reverse, forward | reverse
    grown = [symmetrize(forward, reverse, m) for m in ("grow-diag", "grow-diag-final-and", "grow-diag-final")]
    assert all(meet <= g <= join for g in grown)
    assert grown[0] <= grown[1] and grown[0] <= grown[2]  # the final steps only add
    assert invert(invert(forward)) == forward


def test_directional_extractors_grow_in_one_step():
    sim = np.random.default_rng(3).uniform(-1, 1, (6, 7))
    for extractor in ("argmax", "softmax"):
        forward = bind(extractor, {"direction": "forward"})(sim)
        reverse = bind(extractor, {"direction": "reverse"})(sim)
        expected = symmetrize(zip(*np.nonzero(forward)), zip(*np.nonzero(reverse)), "grow-diag-final-and")
        assert set(zip(*np.nonzero(bind(extractor, {"direction": "gdfa"})(sim)))) == expected


def test_bad_input_names_file_and_line(tmp_path, capsys):
    fwd, rev = tmp_path / "fwd", tmp_path / "rev"
    fwd.write_text("0-0\n1-1\n")
    rev.write_text("0-0\n")
    assert run(["symmetrize", str(fwd), str(rev)]) == 2
    assert "rev:2: line counts differ" in capsys.readouterr().err
    rev.write_text("0-0\n1-x\n")
    assert run(["symmetrize", str(fwd), str(rev), "-o", str(tmp_path / "out")]) == 2
    assert "rev:2: malformed link '1-x'" in capsys.readouterr().err and not (tmp_path / "out").exists()
    assert run(["symmetrize", str(fwd), str(fwd), "--method", "grow"]) == 2
    assert "method must be one of intersect" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="one FILE with --invert"):
        from wordalign.symmetrize import symmetrize_files

        symmetrize_files(str(fwd), str(fwd), invert=True)


def test_invert_keeps_possible_links_possible(tmp_path, capsys):
    gold = tmp_path / "gold"
    gold.write_text("0-1 2?0\n\n")
    assert run(["symmetrize", "--invert", str(gold), "-q"]) == 0
    assert capsys.readouterr().out == "0?2 1-0\n\n"
