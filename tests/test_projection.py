"""Annotation projection: tagging schemes, span and token rules on hand-made cases, the command end to end."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordalign import ConfigError, InputError
from wordalign.cli import run
from wordalign.projection.labels import Span, spans_from_tags, tags_from_spans
from wordalign.projection.metrics import entity_scores
from wordalign.projection.spans import project_spans, resolve_collisions
from wordalign.projection.tokens import project_tokens


def test_schemes_read_their_tags():
    assert spans_from_tags(["B-PER", "I-PER", "O", "B-LOC"]) == [Span(0, 2, "PER"), Span(3, 4, "LOC")]
    assert spans_from_tags(["I-PER", "I-PER", "B-PER", "O"], "iob1") == [Span(0, 2, "PER"), Span(2, 3, "PER")]
    assert spans_from_tags(["S-PER", "B-LOC", "I-LOC", "E-LOC", "O"], "bioes") == [Span(0, 1, "PER"), Span(1, 4, "LOC")]


def test_a_tag_that_breaks_iob2_is_an_error_with_its_line_unless_repaired():
    with pytest.raises(InputError, match=r"en\.conll:12: tag 'I-PER' continues no PER span"):
        spans_from_tags(["O", "I-PER"], path="en.conll", lines=[11, 12])
    assert spans_from_tags(["O", "I-PER", "I-PER"], repair=True) == [Span(1, 3, "PER")]
    with pytest.raises(InputError, match="belongs to BIOES"):
        spans_from_tags(["S-PER"])
    with pytest.raises(InputError, match="neither O nor"):
        spans_from_tags(["PER"])


spans_strategy = st.lists(st.tuples(st.integers(1, 3), st.integers(0, 2), st.sampled_from(["PER", "LOC"])), max_size=5)


@settings(max_examples=100, deadline=None)
@given(spans_strategy, st.sampled_from(["iob2", "iob1", "bioes"]))
def test_writing_then_reading_tags_gives_the_spans_back(pieces, scheme):
    spans, position = [], 0
    for length, gap, label in pieces:
        position += gap
        spans.append(Span(position, position + length, label))
        position += length
    assert spans_from_tags(tags_from_spans(spans, position + 1, scheme), scheme) == spans


# Span rules, on hand-made sentences whose right answer is known.
def project(spans, links, src, tgt, scores=None, **rules):
    return project_spans(spans, links, scores, src.split(), tgt.split(), **rules)


def test_a_gap_inside_the_target_span_is_filled():
    # "European Parliament" → "Parlamento Europeo" ... with an article aligned to nothing in between
    src, tgt = "the European Court of Auditors", "el Tribunal de Cuentas Europeo"
    report = project([Span(1, 5, "ORG")], [(1, 4), (2, 1), (4, 3)], src, tgt, gap=1)
    assert [p.span for p in report.projected] == [Span(1, 5, "ORG")]
    narrow = project([Span(1, 5, "ORG")], [(1, 4), (2, 1), (4, 3)], src, tgt, gap=0)
    assert [p.span for p in narrow.projected] == [Span(3, 5, "ORG")] and narrow.split  # a group of two is kept


def test_punctuation_links_do_not_drag_a_span_sideways():
    src, tgt = "Mr Barón Crespo ,", "Herr Barón Crespo ,"
    links = [(0, 0), (1, 1), (2, 2), (2, 3)]  # the name also linked to the comma
    assert [p.span for p in project([Span(1, 3, "PER")], links, src, tgt).projected] == [Span(1, 3, "PER")]
    kept = project([Span(1, 3, "PER")], links, src, tgt, ignore_punctuation=False)
    assert [p.span for p in kept.projected] == [Span(1, 4, "PER")]


def test_group_rules_choose_largest_highest_scoring_or_the_whole_range():
    src, tgt = "Paris", "a Paris b c Paris"
    links, scores = [(0, 1), (0, 3), (0, 4)], [0.9, 0.2, 0.3]
    spans = [Span(0, 1, "LOC")]
    assert project(spans, links, src, tgt, scores, gap=0).projected[0].span == Span(3, 5, "LOC")  # longest group
    assert project(spans, links, src, tgt, scores, gap=0, group="score").projected[0].span == Span(1, 2, "LOC")
    assert project(spans, links, src, tgt, scores, gap=0, group="range").projected[0].span == Span(1, 5, "LOC")


def test_entities_in_another_order_both_survive_and_a_collision_is_reported():
    # "Schulz and Barroso" / "Barroso y Schulz": the order differs between the languages
    src, tgt = "Schulz and Barroso", "Barroso y Schulz"
    spans = [Span(0, 1, "PER"), Span(2, 3, "PER")]
    report = project(spans, [(0, 2), (1, 1), (2, 0)], src, tgt)
    assert [(p.span, p.source) for p in report.projected] == [(Span(0, 1, "PER"), Span(2, 3, "PER")),
                                                              (Span(2, 3, "PER"), Span(0, 1, "PER"))]
    # Both sources linked to the same target word: one wins (the higher score), the other is reported.
    clash = project(spans, [(0, 2), (2, 2)], src, tgt, scores=[0.4, 0.9])
    assert [p.source for p in clash.projected] == [Span(2, 3, "PER")]
    assert [p.source for p in clash.collided] == [Span(0, 1, "PER")]
    assert not project(spans, [], src, tgt).projected and len(project(spans, [], src, tgt).dropped) == 2


def test_collisions_prefer_the_longer_span_whatever_the_source_order():
    from wordalign.projection.spans import Projected

    short, long = (Projected(Span(2, 3, "LOC"), Span(0, 1, "LOC"), 5.0),
                   Projected(Span(1, 4, "ORG"), Span(5, 8, "ORG"), 1.0))
    for candidates in ([short, long], [long, short]):
        kept, lost = resolve_collisions(candidates)
        assert kept == [long] and lost == [short]


def test_token_labels_follow_the_strongest_link_and_unaligned_words_get_the_default():
    # POS tags: "the old house" → "das alte Haus ." ; the period has no link
    labels = project_tokens(["DET", "ADJ", "NOUN"], [(0, 0), (1, 1), (2, 2), (1, 2)], [0.9, 0.8, 0.7, 0.2], 4,
                            unaligned="PUNCT")
    assert labels == ["DET", "ADJ", "NOUN", "PUNCT"]
    # a target word linked to two source words takes the label of the stronger link
    assert project_tokens(["ADJ", "NOUN"], [(0, 0), (1, 0)], [0.3, 0.6], 1) == ["NOUN"]


def test_entity_scores_count_exact_spans_and_labels_only():
    gold = [[Span(0, 2, "PER"), Span(3, 4, "LOC")]]
    score = entity_scores(gold, [[Span(0, 2, "PER"), Span(3, 4, "ORG"), Span(5, 6, "LOC")]])
    assert (score.correct, score.predicted, score.gold) == (1, 3, 2)
    assert score.f1 == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))


# The command, end to end with the real encoder and with given links.
CONLL = "Mr\tO\nSchulz\tB-PER\nand\tO\nMr\tO\nBarroso\tB-PER\n.\tO\n\nThe\tO\nhouse\tO\n\n"


@pytest.fixture
def files(tmp_path):
    source = tmp_path / "en.conll"
    source.write_text(CONLL, encoding="utf-8")
    target = tmp_path / "de.txt"
    target.write_text("Herr Barroso und Herr Schulz .\nDas Haus\n", encoding="utf-8")
    return source, target


def test_project_aligns_and_writes_target_conll(files, tmp_path, capsys):
    source, target = files
    out = tmp_path / "de.conll"
    assert run(["project", str(source), str(target), "-o", str(out), "--dtype", "float32", "-q"]) == 0
    assert out.read_text(encoding="utf-8") == ("Herr\tO\nBarroso\tB-PER\nund\tO\nHerr\tO\nSchulz\tB-PER\n.\tO\n\n"
                                               "Das\tO\nHaus\tO\n\n")


def test_project_through_given_links_to_jsonl_and_token_labels(files, tmp_path, capsys):
    source, target = files
    links = tmp_path / "links.txt"
    links.write_text("0-0 1-4 2-2 3-3 4-1 5-5\n0-0 1-1\n", encoding="utf-8")
    assert run(["project", str(source), str(target), "--links", str(links), "-f", "jsonl", "-q"]) == 0
    first = json.loads(capsys.readouterr().out.splitlines()[0])
    assert first["spans"] == [{"start": 1, "end": 2, "label": "PER"}, {"start": 4, "end": 5, "label": "PER"}]
    assert run(["project", str(source), str(target), "--links", str(links), "--kind", "tokens", "-q"]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == ["Herr\tO", "Barroso\tB-PER"]


def test_project_input_errors_name_file_and_line_and_write_nothing(files, tmp_path, capsys, monkeypatch):
    import wordalign.align.aligner

    monkeypatch.setattr(wordalign.align.aligner, "Aligner", lambda *a, **k: pytest.fail("the model loaded"))
    source, target = files
    out = tmp_path / "out.conll"
    bad = tmp_path / "bad.conll"
    bad.write_text("Mr\tO\nSchulz\tI-PER\n\n", encoding="utf-8")
    cases = [
        ([str(bad), str(target)], "bad.conll:2: tag 'I-PER' continues no PER span"),
        ([str(source), str(tmp_path / "missing.txt")], "missing.txt: no such file"),
        ([str(source), str(target), "--links", str(tmp_path / "links")], "links: no such file"),
        ([str(source), str(target), "--scheme", "bio"], "scheme must be one of iob2, iob1, bioes"),
        ([str(source), str(target), "--gap", "-1"], "gap must be 0 or more"),
    ]
    (tmp_path / "links").write_text("0-0\n", encoding="utf-8")
    cases[2] = ([str(source), str(target), "--links", str(tmp_path / "links")], "links:2: 1 lines of links for 2 sentences")
    short = tmp_path / "short.txt"
    short.write_text("Herr Barroso\n", encoding="utf-8")
    cases.append(([str(source), str(short)], "short.txt: 2 source sentences"))
    far = tmp_path / "far"
    far.write_text("0-9\n0-0\n", encoding="utf-8")
    cases.append(([str(source), str(target), "--links", str(far)], "far:1: link 0-9 points past the sentence"))
    for argv, message in cases:
        assert run(["project", *argv, "-o", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("wordalign: error: ") and message in err, err
        assert not out.exists()
    with pytest.raises(ConfigError, match="unknown option gaps"):
        from wordalign.projection.project import project_files

        project_files(str(source), str(target), gaps=1)


def test_project_refuses_standard_input_and_empty_sentences_in_conll(files, tmp_path, capsys):
    source, target = files
    assert run(["project", str(source), "-"]) == 2
    assert "give file paths, not standard input" in capsys.readouterr().err
    gaps = tmp_path / "gaps.txt"
    gaps.write_text("Herr Barroso und Herr Schulz .\n\n", encoding="utf-8")
    assert run(["project", str(source), str(gaps)]) == 2
    assert "gaps.txt:2: an empty sentence cannot be written as CoNLL" in capsys.readouterr().err


def test_bioes_spans_must_be_closed_and_overlapping_spans_cannot_be_tagged():
    with pytest.raises(InputError, match="not closed by E-PER"):
        spans_from_tags(["B-PER", "O"], "bioes")
    assert spans_from_tags(["B-PER", "O"], "bioes", repair=True) == [Span(0, 1, "PER")]
    with pytest.raises(ValueError, match="overlapping spans"):
        tags_from_spans([Span(0, 2, "A"), Span(1, 3, "B")], 3)


def test_token_labels_from_jsonl_with_an_empty_sentence(tmp_path, capsys):
    source = tmp_path / "pos.jsonl"
    source.write_text('{"tokens": ["the", "house"], "labels": ["DET", "NOUN"]}\n{"tokens": [], "labels": []}\n')
    target, links = tmp_path / "de.txt", tmp_path / "links"
    target.write_text("das Haus\nja\n")
    links.write_text("0-0 1-1\n\n")
    assert run(["project", str(source), str(target), "--links", str(links), "--kind", "tokens", "-q"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert records == [{"tokens": ["das", "Haus"], "labels": ["DET", "NOUN"]}, {"tokens": ["ja"], "labels": ["O"]}]


def test_projection_aligns_with_the_encoder_and_extractor_measured_best_for_it(monkeypatch):
    import wordalign.align.aligner
    from wordalign.align.config import AlignConfig
    from wordalign.projection.project import projection_aligner

    monkeypatch.setattr(wordalign.align.aligner, "Aligner", lambda config: config)
    default = projection_aligner(AlignConfig())
    assert (default.model, default.extractor, default.level) == ("embedded-base", "ot-unbalanced", "word")
    chosen = projection_aligner(AlignConfig(model="embedded", extractor="softmax", level="subword"))
    assert (chosen.model, chosen.extractor, chosen.level) == ("embedded", "softmax", "subword")
