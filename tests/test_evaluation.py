"""The scorer against hand-computed values and an independent reference implementation."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordalign import InputError, parse_links, score_files
from wordalign.evaluation import score_alignments


def reference_scores(gold_lines: list[str], hyp_lines: list[str]) -> tuple[float, float, float]:
    """AER, precision, recall computed straight from Och & Ney's definitions, on strings."""
    a_total = s_total = a_and_s = a_and_p = 0
    for gold, hyp in zip(gold_lines, hyp_lines):
        sure = {t for t in gold.split() if "-" in t}
        possible = sure | {t.replace("?", "-") for t in gold.split() if "?" in t}
        hyp_links = set(hyp.split())
        a_total += len(hyp_links)
        s_total += len(sure)
        a_and_s += len(hyp_links & sure)
        a_and_p += len(hyp_links & possible)
    return 1 - (a_and_s + a_and_p) / (a_total + s_total), a_and_p / a_total, a_and_s / s_total


def test_hand_computed_example():
    gold = [parse_links("0-0 1-1 1?2"), parse_links("0-1")]
    score = score_alignments(gold, [{(0, 0), (1, 2), (2, 2)}, {(0, 1)}])
    # A = 4 links; S = 3; A∩S = 2 ({0-0}, {0-1}); A∩P = 3 (plus 1-2)
    assert score.precision == pytest.approx(3 / 4)
    assert score.recall == pytest.approx(2 / 3)
    assert score.aer == pytest.approx(1 - 5 / 7)
    assert score.f1 == pytest.approx(2 * 0.75 * (2 / 3) / (0.75 + 2 / 3))


links = st.sets(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=12)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(links, links, links), min_size=1, max_size=6))
def test_matches_reference_implementation(rows):
    gold_lines, hyp_lines = [], []
    for sure, possible_only, hyp in rows:
        possible_only -= sure
        gold_lines.append(" ".join([f"{i}-{j}" for i, j in sure] + [f"{i}?{j}" for i, j in possible_only]))
        hyp_lines.append(" ".join(f"{i}-{j}" for i, j in hyp))
    if not any(h for _, _, h in rows) or not any(s for s, _, _ in rows):
        return  # the reference divides by zero there; covered by the next test
    ours = score_alignments([parse_links(g) for g in gold_lines], [parse_links(h).sure for h in hyp_lines])
    aer, precision, recall = reference_scores(gold_lines, hyp_lines)
    assert (ours.aer, ours.precision, ours.recall) == pytest.approx((aer, precision, recall))


def test_empty_hypothesis_has_no_precision_and_says_so(tmp_path):
    score = score_alignments([parse_links("0-0 1-1")], [set()])
    assert (score.precision, score.recall, score.aer, score.f1) == (None, 0.0, 1.0, 0.0)
    gold, hyp = tmp_path / "gold.txt", tmp_path / "hyp.txt"
    gold.write_text("0-0 1-1\n")
    hyp.write_text("\n")
    report = score_files(str(gold), str(hyp))
    assert "P n/a" in report.text() and "precision n/a: the hypothesis has no link" in report.text()
    assert json.loads(report.json())["corpus"]["precision"] is None


def test_possible_marks_p_and_question_mark_are_equivalent():
    assert parse_links("0p1 2-3") == parse_links("0?1 2-3")
    assert parse_links("1-1 2p2", one_based=True) == parse_links("0-0 1?1")


def test_score_files_checks_lines_and_links(tmp_path):
    gold, hyp = tmp_path / "gold.txt", tmp_path / "hyp.txt"
    gold.write_text("0-0 1-1\n0-0\n")
    hyp.write_text("0-0 1-x\n0-0\n")
    with pytest.raises(InputError, match=r"hyp\.txt:1: malformed link '1-x'"):
        score_files(str(gold), str(hyp))
    hyp.write_text("0-0\n")
    with pytest.raises(InputError, match=r"line counts differ.*2 lines.*1"):
        score_files(str(gold), str(hyp))
    hyp.write_text("0-0 1-1\n0-1\n")
    report = score_files(str(gold), str(hyp), per_sentence=True)
    corpus, sentences = report.corpus, report.sentences
    assert [s.aer for s in sentences] == [0.0, 1.0]
    assert corpus.hits_sure == 2 and corpus.hypothesis_links == 3


def test_one_based_rejects_zero(tmp_path):
    gold = tmp_path / "gold.txt"
    gold.write_text("0-1\n")
    with pytest.raises(InputError, match=r"gold\.txt:1: .*--one-based"):
        score_files(str(gold), str(gold), one_based=True)


def test_null_alignment_scores_compare_unlinked_words():
    gold = [parse_links("0-0 1?1")]  # gold null words: src 2, tgt 2
    score = score_alignments(gold, [{(0, 0)}], lengths=[(3, 3)])  # predicted null: src 1, 2; tgt 1, 2
    assert score.null_precision == pytest.approx(2 / 4)
    assert score.null_recall == pytest.approx(2 / 2)
    assert score.null_f1 == pytest.approx(2 * 0.5 / 1.5)
    assert score_alignments(gold, [{(0, 0)}]).null_f1 is None
