"""The aligner with the real embedded encoder: quality sanity, batching, long and tiny inputs."""

from __future__ import annotations

from wordalign import parse_links, score_alignments

from conftest import GOLD


def read(name: str, count: int):
    folder = GOLD / name
    src = folder.joinpath("src.txt").read_text(encoding="utf-8").splitlines()[:count]
    tgt = folder.joinpath("tgt.txt").read_text(encoding="utf-8").splitlines()[:count]
    gold = [parse_links(line) for line in folder.joinpath("gold.txt").read_text().splitlines()[:count]]
    return [(s.split(" "), t.split(" ")) for s, t in zip(src, tgt)], gold


def test_simple_pair(aligner):
    pair = aligner.align("Das Haus ist klein .", "The house is small .")
    assert pair.links == [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4)]
    assert pair.pharaoh() == "0-0 1-1 2-2 3-3 4-4"


def test_quality_on_a_gold_sample_is_far_from_chance(aligner):
    pairs, gold = read("deen", 40)
    score = score_alignments(gold, [p.links for p in aligner.align_batch(pairs)])
    assert score.aer < 0.3


def test_batched_output_equals_one_pair_at_a_time(aligner):
    pairs, _ = read("zhen", 10)
    together = aligner.align_batch(pairs)
    alone = [aligner.align(*pair) for pair in pairs]
    assert [p.links for p in together] == [p.links for p in alone]
    streamed = list(aligner.align_stream(iter(pairs), chunk_size=3))
    assert [p.links for p in streamed] == [p.links for p in alone]


def test_tiny_and_empty_pairs(aligner):
    one, many, empty = aligner.align_batch([(["Haus"], ["house"]), (["Haus"], "the big house".split()), ([], ["x"])])
    assert one.links == [(0, 0)]
    assert many.links and all(i == 0 and 0 <= j < 3 for i, j in many.links)
    assert empty.links == [] and empty.unaligned_tgt == [0]


def test_long_pair_is_windowed_and_every_word_can_be_aligned(aligner):
    pairs, _ = read("deen", 60)
    src = [w for s, _ in pairs for w in s]
    tgt = [w for _, t in pairs for w in t]
    assert len(src) > 1000  # far beyond the 512-subword window
    before = aligner.scorer.windowed_sentences
    pair = aligner.align(src, tgt)
    assert aligner.scorer.windowed_sentences == before + 2
    linked = {i for i, _ in pair.links}
    assert max(linked) > len(src) - 20  # the end of the sentence was not dropped
    assert all(0 <= i < len(src) and 0 <= j < len(tgt) for i, j in pair.links)


def test_subword_level_links_words_whose_subwords_link():
    from wordalign import Aligner

    words, subwords = Aligner(device="cpu", dtype="float32", level="word"), Aligner(device="cpu", dtype="float32", level="subword")
    assert subwords.signature.replace("|level:subword", "") == words.signature
    pairs, gold = read("deen", 40)
    aligned = subwords.align_batch(pairs)
    assert score_alignments(gold, [p.links for p in aligned]).aer < 0.3
    assert [p.links for p in aligned[:5]] == [subwords.align(*pair).links for pair in pairs[:5]]
    for pair, (src, tgt) in zip(aligned, pairs):
        assert all(0 <= i < len(src) and 0 <= j < len(tgt) for i, j in pair.links)
        assert len(pair.scores) == len(pair.links) and all(-1 <= s <= 1 for s in pair.scores)
    # A word of several subwords (a German compound) links to the words of each of its parts.
    compound = subwords.align("Die Haustür ist offen", "The house door is open")
    assert {(1, 1), (1, 2)} <= set(compound.links)
    long_src = [w for s, _ in pairs for w in s]
    long_tgt = [w for _, t in pairs for w in t]
    assert max(i for i, _ in subwords.align(long_src, long_tgt).links) > len(long_src) - 20  # windows too
