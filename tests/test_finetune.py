"""Fine-tuning: objectives, the streamed corpus, and short real runs of the embedded encoder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from safetensors.torch import load_file

from wordalign import Aligner
from wordalign.cli import run
from wordalign.io.words import rough_words
from wordalign.train.corpus import ParallelCorpus
from wordalign.errors import ConfigError, InputError
from wordalign.extractors import bind
from wordalign.train.finetune import RESUME_FILE, _Trainer, finetune
from wordalign.train.soup import average_checkpoints
from wordalign.encoding.pooling import pool_words
from wordalign.train.objectives import centered_cosine, consistency_loss, self_training_loss
from wordalign.align.scorers.similarity import SimilarityScorer, cosine_similarity
from wordalign.io.text import ParallelInput

from conftest import GOLD

TINY = {"batch_size": 4, "max_pairs": 12, "device": "cpu", "dtype": "float32", "quiet": True}


def test_rough_words_split_marks_and_cut_unspaced_runs_into_pieces():
    assert rough_words("Hi, it's 5 Männer.") == ["Hi", ",", "it", "'", "s", "5", "Männer", "."]
    assert rough_words("你好吗。ABC か") == ["你好吗", "。", "ABC", "か"]
    assert rough_words("  ") == []

    def pieces(run):  # SubwordMapper.word_pieces: the metaspace stripped, leaving an empty piece
        return ["", run[:2], run[2:]] if len(run) > 2 else [run]

    assert rough_words("你好吗。ABC か", pieces) == ["你好", "吗", "。", "ABC", "か"]


def test_pool_words_is_the_mean_of_each_words_subwords():
    states = torch.arange(12, dtype=torch.float32).reshape(4, 3)
    pooled = pool_words(states, torch.tensor([0, 0, -1, 2]), 3)
    assert torch.equal(pooled, torch.stack([states[:2].mean(0), torch.zeros(3), states[3]]))


def test_centered_cosine_matches_the_aligners_similarity():
    rng = np.random.default_rng(0)
    src, tgt = rng.normal(size=(5, 8)), rng.normal(size=(3, 8))
    ours = centered_cosine(torch.from_numpy(src), torch.from_numpy(tgt)).numpy()
    assert np.allclose(ours, cosine_similarity(src, tgt, "pair"))


def test_self_training_loss_sharpens_the_given_links():
    similarity = torch.tensor([[0.9, 0.2, 0.1], [0.3, 0.8, 0.8], [0.1, 0.8, 0.8]], requires_grad=True)
    links = torch.from_numpy(bind("softmax", {"temperature": 0.1, "threshold": 0.6})(similarity.detach().numpy()))
    loss, count = self_training_loss(similarity, links, temperature=0.1)
    assert count == 1  # only (0, 0) is above 0.6 both ways; words 1-2 split their mass evenly
    loss.backward()
    assert similarity.grad[0, 0] < 0 and similarity.grad[0, 1] > 0  # descent raises the link, lowers rivals
    none, count = self_training_loss(torch.zeros(2, 2), torch.zeros(2, 2, dtype=torch.bool), temperature=1.0)
    assert count == 0 and float(none) == 0.0


def test_self_training_loss_asks_a_word_with_several_partners_for_their_joint_mass_only():
    # Word 0 is linked to targets 0 and 1 and already prefers 0: the loss must raise both
    # against target 2, not pull target 0 down toward an even split.
    similarity = torch.tensor([[0.9, 0.5, 0.1]], requires_grad=True)
    links = torch.tensor([[True, True, False]])
    self_training_loss(similarity, links, temperature=0.1)[0].backward()
    assert similarity.grad[0, 0] < 0 and similarity.grad[0, 2] > 0


def test_consistency_loss_rewards_the_two_directions_agreeing():
    agreeing = torch.eye(3) * 10
    assert float(consistency_loss(agreeing, temperature=0.1)) == pytest.approx(-1.0)
    # Source word 0 prefers target 0, but target 0 prefers source 1: descent must resolve the conflict
    # by raising one of the two cells that the directions already share the most.
    similarity = torch.tensor([[0.9, 0.1], [0.95, 0.2]], requires_grad=True)
    loss = consistency_loss(similarity, temperature=0.1)
    assert -1.0 <= float(loss) < 0
    loss.backward()
    assert similarity.grad.abs().sum() > 0


def write_pair(folder: Path, src: list[str], tgt: list[str]) -> tuple[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "s.txt").write_text("".join(line + "\n" for line in src), encoding="utf-8")
    (folder / "t.txt").write_text("".join(line + "\n" for line in tgt), encoding="utf-8")
    return str(folder / "s.txt"), str(folder / "t.txt")


def test_corpus_skips_pairs_with_an_empty_side_and_names_the_short_file(tmp_path):
    src, tgt = write_pair(tmp_path / "a", ["Ein Haus.", "", "Zwei"], ["A house.", "x", "Two"])
    corpus = ParallelCorpus(src, tgt)
    assert (corpus.n_pairs, corpus.n_empty) == (2, 1)
    assert list(corpus) == [(["Ein", "Haus", "."], ["A", "house", "."]), (["Zwei"], ["Two"])]
    src, tgt = write_pair(tmp_path / "b", ["a", "b", "c"], ["a", "b"])
    with pytest.raises(InputError, match=r"t\.txt:3: line counts differ"):
        ParallelCorpus(src, tgt)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 40), buffer_size=st.integers(1, 12), seed=st.integers(0, 3))
def test_shuffled_is_a_seeded_permutation(tmp_path_factory, n, buffer_size, seed):
    lines = [f"w{k}" for k in range(n)]
    corpus = ParallelCorpus(*write_pair(tmp_path_factory.mktemp("c"), lines, lines))
    first = list(corpus.shuffled(seed, buffer_size))
    assert sorted(first) == sorted(corpus) and first == list(corpus.shuffled(seed, buffer_size))


@pytest.fixture(scope="module")
def deen() -> tuple[str, str]:
    """The De-En gold sentences as training text (``TINY`` takes the first 12 pairs)."""
    return str(GOLD / "deen" / "src.txt"), str(GOLD / "deen" / "tgt.txt")


@pytest.fixture(scope="module")
def trained(deen, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ft") / "model"
    finetune(*deen, str(out), seed=3, **TINY)
    return out


def weights(directory: Path) -> dict:
    return load_file(str(directory / "model.safetensors"))


def test_checkpoint_loads_as_a_model_and_keeps_the_layer_it_was_trained_for(trained, deen):
    metadata = json.loads((trained / "wordalign.json").read_text())
    assert metadata["layer"] == 7 and metadata["finetuned"]["seed"] == 3
    assert metadata["finetuned"]["guide_params"] == {"direction": "union", "threshold": "0.8"}  # GUIDE_DEFAULTS
    assert metadata["finetuned"]["learning_rate"] == 2e-5  # started from the tuned default
    assert metadata["result"]["steps"] == 3 and metadata["result"]["pairs_seen"] == 12
    assert not (trained / RESUME_FILE).exists()
    tuned = Aligner(trained, device="cpu", dtype="float32")
    assert tuned.scorer.encoder.layer == 7 and not tuned.scorer.encoder.is_embedded
    base = Aligner(device="cpu", dtype="float32")
    pair = ("Das Haus ist klein .", "The house is small .")
    assert tuned.align(*pair).links and tuned.align(*pair).scores != base.align(*pair).scores
    before = base.scorer.encoder.model.state_dict()  # the encoder's; a saved checkpoint adds BERT's unused pooler
    changed = {k for k, v in weights(trained).items() if k in before and not torch.equal(v, before[k])}
    assert "encoder.layer.6.output.dense.weight" in changed
    assert "embeddings.word_embeddings.weight" not in changed  # the word-embedding matrix stays frozen


def test_same_seed_same_model_and_resume_equals_an_uninterrupted_run(trained, deen, tmp_path, monkeypatch):
    again = tmp_path / "again"
    finetune(*deen, str(again), seed=3, **TINY)
    reference = weights(trained)
    assert all(torch.equal(reference[k], v) for k, v in weights(again).items())

    interrupted = tmp_path / "interrupted"
    original = _Trainer.train_step

    def crash_at_step_3(self, batch, step):
        if step == 3:
            raise KeyboardInterrupt
        return original(self, batch, step)

    monkeypatch.setattr(_Trainer, "train_step", crash_at_step_3)
    with pytest.raises(KeyboardInterrupt):
        finetune(*deen, str(interrupted), seed=3, save_every=2, **TINY)
    assert (interrupted / RESUME_FILE).is_file() and not (interrupted / "config.json").exists()
    monkeypatch.setattr(_Trainer, "train_step", original)
    with pytest.raises(ConfigError, match="--resume"):
        finetune(*deen, str(interrupted), seed=3, **TINY)
    with pytest.raises(ConfigError, match="other settings .*seed"):
        finetune(*deen, str(interrupted), seed=4, resume=True, save_every=2, **TINY)
    finetune(*deen, str(interrupted), seed=3, resume=True, save_every=2, **TINY)
    assert all(torch.equal(reference[k], v) for k, v in weights(interrupted).items())
    with pytest.raises(ConfigError, match="finished model"):
        finetune(*deen, str(interrupted), seed=3, **TINY)


def test_targets_come_from_a_pass_without_dropout_and_the_trained_pass_keeps_it(deen, tmp_path, monkeypatch):
    passes = []
    original = _Trainer._vectors

    def recording(self, pairs):
        passes.append((self.model.training, torch.is_grad_enabled()))
        return original(self, pairs)

    monkeypatch.setattr(_Trainer, "_vectors", recording)
    finetune(*deen, str(tmp_path / "m"), seed=3, **TINY)
    assert passes == [(False, False), (True, True)] * 3  # per step: the guide's pass, then the trained one


@pytest.mark.parametrize("level", ["word", "subword"])
def test_the_objective_reads_the_matrix_of_the_level_aligning_reads(level, deen, tmp_path, monkeypatch):
    import wordalign.train.finetune as finetuning

    shapes, original = [], finetuning.self_training_loss
    monkeypatch.setattr(finetuning, "self_training_loss", lambda matrix, *a, **k: (
        shapes.append(tuple(matrix.shape)), original(matrix, *a, **k))[1])
    finetune(*deen, str(tmp_path / "m"), level=level, split="space", **TINY)  # the words ParallelInput reads
    pairs = list(ParallelInput(*deen))[:12]
    scores = SimilarityScorer(tmp_path / "m", level=level, device="cpu", dtype="float32").score_batch(pairs)
    assert sorted(shapes) == sorted(pair.matrix.shape for pair in scores)
    words = [(len(src), len(tgt)) for src, tgt in pairs]
    assert (sorted(shapes) == sorted(words)) == (level == "word")  # subwords: more rows or columns
    assert json.loads((tmp_path / "m" / "wordalign.json").read_text())["finetuned"]["level"] == level


def test_guide_parameters_and_learning_rate_given_override_the_defaults(deen, tmp_path):
    finetune(*deen, str(tmp_path / "m"), guide_params={"threshold": "0.3"}, learning_rate=3e-5, **TINY)
    metadata = json.loads((tmp_path / "m" / "wordalign.json").read_text())
    assert metadata["finetuned"]["guide_params"] == {"direction": "union", "threshold": "0.3"}
    assert metadata["finetuned"]["learning_rate"] == 3e-5


def test_fine_tuning_the_base_encoder_takes_the_higher_learning_rate(deen, tmp_path):
    finetune(*deen, str(tmp_path / "m"), model="embedded-base", **TINY)
    metadata = json.loads((tmp_path / "m" / "wordalign.json").read_text())
    assert metadata["finetuned"]["model"] == "embedded-base" and metadata["finetuned"]["learning_rate"] == 5e-5


def test_cli_finetune_reports_bad_input_before_loading(tmp_path, capsys, monkeypatch):
    import wordalign.train.finetune as module

    def no_model(*args, **kwargs):
        raise AssertionError("the model must not load for bad input")

    monkeypatch.setattr(module, "WordEncoder", no_model)
    src, tgt = write_pair(tmp_path, ["a b", "c"], ["a b"])
    assert run(["finetune", src, tgt, "-o", str(tmp_path / "m")]) == 2
    assert "t.txt:2: line counts differ" in capsys.readouterr().err
    assert run(["finetune", src, str(tmp_path / "missing.txt"), "-o", str(tmp_path / "m")]) == 2
    assert "missing.txt: no such file" in capsys.readouterr().err
    assert run(["finetune", src, src, "-o", str(tmp_path / "m"), "--objective", "mlm"]) == 2
    assert "objectives must be some of so, co, psi" in capsys.readouterr().err
    assert run(["finetune", "-", src, "-o", str(tmp_path / "m")]) == 2
    assert "not standard input" in capsys.readouterr().err
    assert run(["finetune", src, src, "-o", src]) == 2
    assert "is a file" in capsys.readouterr().err
    assert run(["finetune", src, src, "-o", str(tmp_path / "m"), "--resume"]) == 2
    assert "no resumable state" in capsys.readouterr().err
    assert run(["finetune", src, src, "-o", str(tmp_path / "m"), "--guide", "nope"]) == 2
    assert "Unknown extractor 'nope'" in capsys.readouterr().err
    assert run(["finetune", src, src, "-o", str(tmp_path / "m"), "--guide-param", "reg=x"]) == 2
    assert "extractor 'softmax' has no parameter reg" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()  # nothing is created for a run that cannot start


def test_cli_finetune_then_align_with_the_checkpoint(deen, tmp_path, capsys):
    out = tmp_path / "tuned"
    assert run(["finetune", *deen, "-o", str(out), "--max-pairs", "8", "--batch-size", "4",
                "--dtype", "float32", "--device", "cpu", "-q"]) == 0
    assert run(["align", *deen, "--model", str(out), "--dtype", "float32", "-q", "--shard", "0/127"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and all(lines)  # 508 // 127 pairs, each with links


def test_averaged_checkpoint_holds_the_mean_weights_and_refuses_other_settings(trained, deen, tmp_path):
    other = tmp_path / "seed4"
    finetune(*deen, str(other), seed=4, **TINY)
    soup = tmp_path / "soup"
    metadata = average_checkpoints([trained, other], soup)
    assert metadata["finetuned"]["seed"] == [3, 4] and metadata["layer"] == 7
    first, second, mean = weights(trained), weights(other), weights(soup)
    name = "encoder.layer.6.output.dense.weight"
    assert not torch.equal(first[name], second[name])
    assert all(torch.allclose(mean[k], (first[k] + second[k]) / 2) for k in mean)
    assert Aligner(soup, device="cpu", dtype="float32").align("Das Haus ist klein .", "The house is small .").links
    with pytest.raises(ConfigError, match="already exists"):
        average_checkpoints([trained, other], soup)

    longer = tmp_path / "longer"
    finetune(*deen, str(longer), seed=4, **{**TINY, "max_pairs": 8})
    with pytest.raises(ConfigError, match="other settings .*max_pairs"):
        average_checkpoints([trained, longer], tmp_path / "mixed")
    assert not (tmp_path / "mixed").exists()
