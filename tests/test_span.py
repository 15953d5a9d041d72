"""Span prediction: answers, span probabilities, and short real training runs of the embedded encoder."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from safetensors.torch import load_file

from wordalign import Aligner, align_files, score_files, train_span, tune_span
from wordalign.cli import run
from wordalign.errors import ConfigError, InputError
from wordalign.encoding.models import load_encoder
from wordalign.align.scorers import BinaryScorer
from wordalign.align.scorers.binary import word_logits
from wordalign.align.scorers.prior import DefaultAlignerPrior
from wordalign.align.scorers.span import (
    DEFAULT_MARKER,
    SpanQuery,
    SpanScorer,
    blend,
    build_queries,
    candidate_log_probs,
    similarity_prior,
    word_probabilities,
)
from wordalign.train.objectives import binary_alignment_loss
from wordalign.train.span import SpanExample, answer_candidates, span_examples, start_at_base_rate
from wordalign.types import GoldAlignment

from conftest import GOLD

TINY = {"blocks": 2, "epochs": 2, "batch_size": 8, "device": "cpu", "dtype": "float32", "quiet": True}


def test_answers_are_the_runs_of_linked_words_or_no_answer():
    tokens = np.array([1, 2, 3, 4, 5, 6])
    assert answer_candidates([1, 2, 4], tokens) == ((2, 5), (3, 5))  # candidates count "no answer" as 0
    assert answer_candidates([0], tokens) == ((1,), (1,))
    assert answer_candidates([], tokens) == ((0,), (0,))
    assert answer_candidates([2], np.array([1, 2, -1])) == ((0,), (0,))  # a word without tokens cannot be an answer


logits = st.lists(st.floats(-20, 20), min_size=2, max_size=9)


@settings(max_examples=80, deadline=None)
@given(logits, st.data())
def test_span_probabilities_are_probabilities_and_peak_on_a_certain_span(start, data):
    end = data.draw(st.lists(st.floats(-20, 20), min_size=len(start), max_size=len(start)))
    positions = torch.arange(len(start))[None, :]
    valid = torch.ones_like(positions, dtype=torch.bool)
    probabilities = word_probabilities(candidate_log_probs(torch.tensor([start]), positions, valid),
                                       candidate_log_probs(torch.tensor([end]), positions, valid))[0]
    assert probabilities.shape == (len(start) - 1,)
    assert ((probabilities >= 0) & (probabilities <= 1)).all()
    # All mass on start 1 and end 2 (words 0 and 1): exactly those words are in the span.
    certain_start = torch.full((1, len(start)), -1e4)
    certain_end = certain_start.clone()
    certain_start[0, 1] = certain_end[0, min(2, len(start) - 1)] = 0.0
    sure = word_probabilities(candidate_log_probs(certain_start, positions, valid),
                              candidate_log_probs(certain_end, positions, valid))[0]
    expected = np.zeros(len(start) - 1)
    expected[: min(2, len(start) - 1)] = 1.0
    assert np.allclose(sure.numpy(), expected, atol=1e-6)


def test_no_answer_mass_lowers_every_word_and_invalid_words_get_nothing():
    logit = torch.tensor([[5.0, 0.0, 0.0, 9.0]])
    positions = torch.arange(4)[None, :]
    valid = torch.tensor([[True, True, True, False]])
    probabilities = word_probabilities(candidate_log_probs(logit, positions, valid),
                                       candidate_log_probs(logit, positions, valid))[0]
    assert probabilities[2] == 0 and (probabilities[:2] < 0.01).all()


@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_the_similarity_prior_is_a_probability_that_favours_the_most_similar_words(n, m, seed):
    rng = np.random.default_rng(seed)
    src, tgt = rng.normal(size=(n, 8)), rng.normal(size=(m, 8))
    prior = similarity_prior(src, tgt)
    assert prior.shape == (n, m) and np.all((prior >= 0) & (prior <= 1 + 1e-6))
    same = similarity_prior(src, src)  # every word is its own best translation
    assert n == 1 or np.all(np.argmax(same, axis=1) == np.arange(n))
    span = rng.uniform(size=(n, m)).astype(np.float32)
    assert blend(span, prior, 0.0) is span
    assert np.allclose(blend(span, prior, 0.25), 0.75 * span + 0.25 * prior)


def test_the_default_aligners_prior_peaks_where_the_default_aligner_links():
    pair = ("Das kleine Haus steht am Fluss .".split(), "The little house stands by the river .".split())
    prior = DefaultAlignerPrior(device="cpu", dtype="float32")([pair])[0]
    assert prior.shape == (7, 8) and np.all((prior >= 0) & (prior <= 1 + 1e-6))
    linked = np.zeros(prior.shape, dtype=bool)
    linked[tuple(zip(*Aligner(device="cpu", dtype="float32").align(*pair).links))] = True
    assert prior[linked].min() > prior[~linked].max()


def test_queries_mark_the_word_and_locate_every_context_word(embedded_dir):
    tokenizer = load_encoder(embedded_dir).tokenizer
    queries = build_queries(tokenizer, ["Das", "Haus"], ["The", "little", "house"], DEFAULT_MARKER)
    assert len(queries) == 2
    marked = [tokenizer.backend_tokenizer.id_to_token(i) for i in queries[1].ids]
    assert marked.count("▁" + DEFAULT_MARKER) == 2
    assert "".join(marked[marked.index("▁" + DEFAULT_MARKER) + 1 :]).startswith("▁Haus▁" + DEFAULT_MARKER)
    words = ["".join(marked[f : l + 1]) for f, l in zip(queries[1].first_token, queries[1].last_token)]
    assert words == ["▁The", "▁little", "▁house"]


def test_a_query_too_long_keeps_the_context_and_a_window_around_the_marked_word(embedded_dir):
    tokenizer = load_encoder(embedded_dir).tokenizer
    query, context = [f"w{i}" for i in range(40)], ["a", "b", "c"]
    assert not any(q.windowed for q in build_queries(tokenizer, query, context, DEFAULT_MARKER))
    cut = build_queries(tokenizer, query, context, DEFAULT_MARKER, max_length=40)
    assert all(len(q.ids) <= 40 and q.windowed for q in cut)
    middle = "".join(tokenizer.backend_tokenizer.id_to_token(i) for i in cut[20].ids)
    assert f"▁{DEFAULT_MARKER}▁w20▁{DEFAULT_MARKER}" in middle and "▁w0" not in middle
    assert [len(q.first_token) for q in cut] == [3] * 40
    with pytest.raises(InputError, match="too long to be searched for a span"):
        build_queries(tokenizer, query, [f"x{i}" for i in range(60)], DEFAULT_MARKER, max_length=40)


@pytest.fixture(scope="module")
def tiny_files(tmp_path_factory):
    """Twelve De-En training pairs and four dev pairs from the gold splits."""
    folder = tmp_path_factory.mktemp("span-data")
    for split, n in (("train", 12), ("dev", 4)):
        for name in ("src", "tgt", "gold"):
            lines = (GOLD / "splits" / f"deen_{split}" / f"{name}.txt").read_text(encoding="utf-8").splitlines()
            (folder / f"{split}.{name}").write_text("\n".join(lines[:n]) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def tiny_model(tiny_files, tmp_path_factory):
    out = tmp_path_factory.mktemp("span-model") / "model"
    f = tiny_files
    summary = train_span(str(f / "train.src"), str(f / "train.tgt"), str(f / "train.gold"), str(out),
                         dev_src=str(f / "dev.src"), dev_tgt=str(f / "dev.tgt"), dev_gold=str(f / "dev.gold"), **TINY)
    return out, summary


def test_checkpoint_reloads_as_a_span_aligner_and_reproduces_its_dev_score(tiny_model, tiny_files, tmp_path):
    out, summary = tiny_model
    metadata = json.loads((out / "wordalign.json").read_text())
    assert metadata["scorer"] == "span" and metadata["threshold"] == summary.threshold
    assert metadata["trained"]["blocks"] == 2 and summary.dev_aer == metadata["tuned_on"]["aer"]
    # The barely trained model leans on the prior: reloading must blend it back in the same way.
    assert metadata["prior"] == {"weight": summary.prior_weight, "layer": summary.prior_layer}
    assert summary.prior_weight > 0 and summary.prior_layer in (1, 2, "default")
    assert summary.dev_aer <= min(epoch["aer"] for epoch in summary.dev_history)
    aligner = Aligner(str(out), device="cpu", dtype="float32")
    assert aligner.scorer.name == "span" and aligner.extractor_params == {"threshold": summary.threshold}
    hyp = tmp_path / "dev.pharaoh"
    code = run(["align", str(tiny_files / "dev.src"), str(tiny_files / "dev.tgt"), "--model", str(out),
                "--dtype", "float32", "-o", str(hyp), "-q"])
    assert code == 0
    assert score_files(str(tiny_files / "dev.gold"), str(hyp)).corpus.aer == summary.dev_aer


def test_a_span_model_blends_in_the_default_aligners_prior_when_asked(tiny_model):
    pair = ("Das kleine Haus steht am Fluss .".split(), "The little house stands by the river .".split())
    scorer = SpanScorer(str(tiny_model[0]), prior_weight=0.5, prior_layer="default", device="cpu", dtype="float32")
    prior = DefaultAlignerPrior(device="cpu", dtype="float32")([pair])[0]
    head = scorer.head_probabilities([pair])[0]
    assert np.allclose(scorer.link_probabilities([pair])[0], 0.5 * head + 0.5 * prior)
    assert "default" in scorer.prior_sources and scorer.signature.endswith("0.5@default")
    with pytest.raises(ConfigError, match="prior_layer must be one of 1, 2, default"):
        SpanScorer(str(tiny_model[0]), prior_weight=0.5, prior_layer=3, device="cpu", dtype="float32")


def test_tune_span_stores_the_choice_that_training_made_on_the_same_dev_split(tiny_model, tiny_files, tmp_path):
    out, summary = tiny_model
    copy = tmp_path / "copy"  # the tiny checkpoint without its tuning
    copy.mkdir()
    for path in out.iterdir():
        if path.name != "wordalign.json":
            (copy / path.name).symlink_to(path)
    metadata = json.loads((out / "wordalign.json").read_text())
    untuned = {k: v for k, v in metadata.items() if k not in ("prior", "tuned_on")}
    (copy / "wordalign.json").write_text(json.dumps({**untuned, "threshold": 0.9}))
    f = tiny_files
    code = run(["tune-span", str(copy), str(f / "dev.src"), str(f / "dev.tgt"), str(f / "dev.gold"),
                "--device", "cpu", "--dtype", "float32"])
    assert code == 0
    assert json.loads((copy / "wordalign.json").read_text()) == metadata
    with pytest.raises(ConfigError, match="not a checkpoint made by `wordalign train-span`"):
        tune_span(str(tmp_path), str(f / "dev.src"), str(f / "dev.tgt"), str(f / "dev.gold"))


def test_training_windows_a_query_too_long_for_the_model_as_inference_does(tiny_model):
    out, _ = tiny_model
    scorer = SpanScorer(str(out), device="cpu", dtype="float32", max_length=40)
    query, context = [f"w{i}" for i in range(40)], ["x0", "x1", "x2"]
    gold = GoldAlignment(frozenset({(20, 1)}), frozenset({(20, 1)}))
    examples, too_long = span_examples(scorer, [(query, context)], [gold], sure_only=False)
    assert len(examples) == 40 and all(e.query.windowed and len(e.query.ids) <= 40 for e in examples)
    assert examples[20].starts == examples[20].ends == (2,)  # context word 1, after "no answer"
    assert examples[0].starts == (0,)
    assert too_long == 3  # the reverse queries: the long sentence as context does not fit on its own


def test_partial_links_ask_only_about_linked_words(tiny_model):
    out, _ = tiny_model
    scorer = SpanScorer(str(out), device="cpu", dtype="float32")
    pair = (["a", "b", "c"], ["x", "y"])
    gold = GoldAlignment(frozenset({(1, 0)}), frozenset({(1, 0), (2, 0)}))
    every, _ = span_examples(scorer, [pair], [gold], sure_only=True)
    linked, _ = span_examples(scorer, [pair], [gold], sure_only=True, skip_unlinked=True)
    assert len(every) == 5 and sum(e.starts == (0,) for e in every) == 3  # "no answer" for a, c and y
    assert [(e.starts, e.ends) for e in linked] == [((1,), (1,)), ((2,), (2,))]  # b → x, x → b
    possible, _ = span_examples(scorer, [pair], [gold], sure_only=False, skip_unlinked=True)
    assert len(possible) == 3  # c is linked through its possible link


def test_empty_lines_keep_their_place(tiny_model, tmp_path):
    out, _ = tiny_model
    src, tgt, hyp = tmp_path / "s", tmp_path / "t", tmp_path / "h"
    src.write_text("Das Haus\n\nein Hund\n", encoding="utf-8")
    tgt.write_text("the house\nsomething\n\n", encoding="utf-8")
    align_files(str(src), str(tgt), output=str(hyp), model=str(out), device="cpu", dtype="float32", quiet=True)
    lines = hyp.read_text().split("\n")
    assert len(lines) == 4 and lines[1] == lines[2] == "" and lines[3] == ""


def test_same_seed_gives_the_same_model(tiny_model, tiny_files, tmp_path):
    out, _ = tiny_model
    f = tiny_files
    again = tmp_path / "again"
    train_span(str(f / "train.src"), str(f / "train.tgt"), str(f / "train.gold"), str(again),
               dev_src=str(f / "dev.src"), dev_tgt=str(f / "dev.tgt"), dev_gold=str(f / "dev.gold"), **TINY)
    first, second = load_file(out / "model.safetensors"), load_file(again / "model.safetensors")
    assert first.keys() == second.keys()
    assert all(torch.equal(first[k], second[k]) for k in first)


def test_training_further_from_a_span_checkpoint_keeps_its_head_blocks_and_marker(tiny_model, tiny_files, tmp_path):
    out, _ = tiny_model
    start = tmp_path / "start"  # the tiny checkpoint, with another marker in its metadata
    start.mkdir()
    for path in out.iterdir():
        if path.name != "wordalign.json":
            (start / path.name).symlink_to(path)
    metadata = json.loads((out / "wordalign.json").read_text())
    (start / "wordalign.json").write_text(json.dumps({**metadata, "marker": "§"}))
    f = tiny_files
    further = tmp_path / "further"
    train_span(str(f / "train.src"), str(f / "train.tgt"), str(f / "train.gold"), str(further),
               model=str(start), **{**TINY, "blocks": None, "epochs": 1, "learning_rate": 1e-12})
    trained = json.loads((further / "wordalign.json").read_text())
    assert trained["marker"] == "§" and trained["trained"]["model"] == str(start)
    assert trained["trained"]["blocks"] == 2  # all its blocks, not 2/3 of them
    before, after = load_file(out / "model.safetensors"), load_file(further / "model.safetensors")
    assert torch.allclose(before["qa_outputs.weight"], after["qa_outputs.weight"])  # its head, not a new one


def test_bad_gold_and_options_are_reported_before_training(tiny_files, tmp_path):
    f = tiny_files
    bad = tmp_path / "bad.gold"
    lines = (f / "train.gold").read_text().splitlines()
    bad.write_text("\n".join(lines[:2] + ["0-99"] + lines[3:]) + "\n")
    with pytest.raises(InputError, match=r"bad\.gold:3: link \d+-\d+ points past the sentence"):
        train_span(str(f / "train.src"), str(f / "train.tgt"), str(bad), str(tmp_path / "m"), **TINY)
    bad.write_text("\n".join(lines[:5]) + "\n")
    with pytest.raises(InputError, match="5 lines of links for 12 sentence pairs"):
        train_span(str(f / "train.src"), str(f / "train.tgt"), str(bad), str(tmp_path / "m"), **TINY)
    with pytest.raises(ConfigError, match="all three"):
        train_span(str(f / "train.src"), str(f / "train.tgt"), str(f / "train.gold"), str(tmp_path / "m"),
                   dev_src=str(f / "dev.src"), **TINY)
    with pytest.raises(ConfigError, match="links must be one of"):
        train_span(str(f / "train.src"), str(f / "train.tgt"), str(f / "train.gold"), str(tmp_path / "m"),
                   **{**TINY, "links": "maybe"})
    assert not (tmp_path / "m").exists()


def test_cli_refuses_span_options_that_do_not_fit_the_model(tiny_model, tiny_files, capsys):
    out, _ = tiny_model
    src, tgt = str(tiny_files / "dev.src"), str(tiny_files / "dev.tgt")
    assert run(["align", src, tgt, "--scorer", "span", "-q"]) == 2
    assert "needs a checkpoint made by `wordalign train-span --head span`; embedded is not one" in capsys.readouterr().err
    assert run(["align", src, tgt, "--model", str(out), "--layer", "3", "-q"]) == 2
    assert "a span model has none to choose" in capsys.readouterr().err
    assert run(["align", src, tgt, "--model", str(out), "--centering", "pair", "-q"]) == 2
    assert "a span model has none" in capsys.readouterr().err
    assert run(["align", src, tgt, "--scorer", "cosine", "-q"]) == 2


def test_a_sentence_too_long_for_the_span_model_names_its_file_and_line_and_leaves_no_output(tiny_model, tmp_path,
                                                                                               capsys):
    out, _ = tiny_model
    src = tmp_path / "src.txt"
    src.write_text("Das Haus\n" * 300 + "Das Haus\n", encoding="utf-8")
    tgt = tmp_path / "tgt.txt"
    tgt.write_text("The house\n" * 300 + " ".join(f"w{i}" for i in range(60)) + "\n", encoding="utf-8")
    hyp = tmp_path / "out.pharaoh"
    code = run(["align", str(src), str(tgt), "--model", str(out), "--max-length", "40", "-o", str(hyp),
                "--dtype", "float32", "-q"])
    assert code == 2
    err = capsys.readouterr().err
    assert f"{src}:301: a sentence of 60 words is too long to be searched for a span" in err
    assert not hyp.exists() and not (tmp_path / "out.pharaoh.part").exists()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-30, 30), min_size=3, max_size=9), st.data())
def test_binary_word_logits_are_the_first_tokens_and_the_loss_counts_only_real_words(token_logits, data):
    tokens = len(token_logits)
    words = data.draw(st.integers(2, tokens - 1))
    first = torch.tensor([[0] + data.draw(st.lists(st.integers(1, tokens - 1), min_size=words, max_size=words))])
    valid = torch.ones_like(first, dtype=torch.bool)
    valid[0, -1] = False  # padding, or a word without tokens
    logits = word_logits(torch.tensor([token_logits]), first, valid)
    assert logits.shape == (1, words)
    assert torch.equal(logits[0, :-1], torch.tensor(token_logits)[first[0, 1:-1]])
    assert logits[0, -1] == float("-inf")
    probabilities = logits.sigmoid()
    assert ((probabilities >= 0) & (probabilities <= 1)).all() and probabilities[0, -1] == 0
    aligned = torch.tensor([data.draw(st.lists(st.booleans(), min_size=words, max_size=words))])
    counted = logits[0, :-1]
    expected = torch.nn.functional.binary_cross_entropy_with_logits(counted, aligned[0, :-1].float())
    assert torch.allclose(binary_alignment_loss(logits, aligned), expected)


@pytest.fixture(scope="module")
def tiny_binary_model(tiny_files, tmp_path_factory):
    out = tmp_path_factory.mktemp("binary-model") / "model"
    f = tiny_files
    summary = train_span(str(f / "train.src"), str(f / "train.tgt"), str(f / "train.gold"), str(out), head="binary",
                         dev_src=str(f / "dev.src"), dev_tgt=str(f / "dev.tgt"), dev_gold=str(f / "dev.gold"), **TINY)
    return out, summary


def test_a_binary_checkpoint_reloads_as_a_binary_aligner_and_reproduces_its_dev_score(tiny_binary_model, tiny_files,
                                                                                      tmp_path, capsys):
    out, summary = tiny_binary_model
    metadata = json.loads((out / "wordalign.json").read_text())
    assert metadata["scorer"] == "binary" and metadata["trained"]["head"] == "binary"
    assert "classifier.weight" in load_file(out / "model.safetensors")
    aligner = Aligner(str(out), device="cpu", dtype="float32")
    assert isinstance(aligner.scorer, BinaryScorer) and "scorer:binary" in aligner.signature
    assert aligner.extractor_params == {"threshold": summary.threshold}
    hyp = tmp_path / "dev.pharaoh"
    src, tgt = str(tiny_files / "dev.src"), str(tiny_files / "dev.tgt")
    assert run(["align", src, tgt, "--model", str(out), "--dtype", "float32", "-o", str(hyp), "-q"]) == 0
    assert score_files(str(tiny_files / "dev.gold"), str(hyp)).corpus.aer == summary.dev_aer
    assert run(["align", src, tgt, "--model", str(out), "--scorer", "span", "-q"]) == 2
    assert "needs a checkpoint made by `wordalign train-span --head span`" in capsys.readouterr().err
    tuned = tune_span(str(out), str(tiny_files / "dev.src"), str(tiny_files / "dev.tgt"), str(tiny_files / "dev.gold"),
                      device="cpu", dtype="float32")
    assert tuned.score.aer == summary.dev_aer


def test_a_binary_head_can_start_from_a_span_checkpoint(tiny_model, tiny_files, tmp_path):
    out, _ = tiny_model
    f = tiny_files
    further = tmp_path / "further"
    train_span(str(f / "train.src"), str(f / "train.tgt"), str(f / "train.gold"), str(further), model=str(out),
               head="binary", **{**TINY, "blocks": None, "epochs": 1})
    trained = json.loads((further / "wordalign.json").read_text())
    assert trained["scorer"] == "binary" and trained["trained"]["blocks"] == 2
    weights = load_file(further / "model.safetensors")
    assert "classifier.weight" in weights and "qa_outputs.weight" not in weights
    with pytest.raises(ConfigError, match="head must be one of span, binary"):
        train_span(str(f / "train.src"), str(f / "train.tgt"), str(f / "train.gold"), str(tmp_path / "m"),
                   head="ternary", **TINY)


def test_a_new_binary_head_starts_at_the_share_of_linked_words():
    model = torch.nn.Module()
    model.classifier = torch.nn.Linear(4, 1)
    query = SpanQuery([0], None, np.array([1, 2, -1, 3]), np.array([1, 2, -1, 3]))  # 3 words with tokens
    start_at_base_rate(model, [SpanExample(query, (0,)), SpanExample(query, ())])
    share = 1 / 6
    assert torch.allclose(model.classifier.bias, torch.tensor([np.log(share / (1 - share))], dtype=torch.float32))
