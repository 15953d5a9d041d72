"""Word vectors from the real embedded encoder: layers, windows, batching, devices."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordalign.encoding.encoder import WordEncoder
from wordalign.encoding.pooling import plan_windows
from wordalign.encoding.runtime import cpu_has_native_bfloat16, resolve_device, resolve_dtype
from wordalign.errors import ConfigError

from conftest import GOLD

SENTENCES = [line.split(" ") for line in (GOLD / "deen" / "src.txt").read_text().splitlines()[:12]]


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 3000), st.integers(1, 600))
def test_windows_cover_every_token_from_a_window_that_contains_it(n_tokens, width):
    starts, window_of_token = plan_windows(n_tokens, width)
    assert len(window_of_token) == n_tokens
    assert (len(starts) == 1) == (n_tokens <= width)
    for token, window in enumerate(window_of_token):
        assert starts[window] <= token < starts[window] + width
    if len(starts) > 1:
        assert starts[-1] + width == n_tokens and starts[0] == 0


@pytest.fixture(scope="module")
def encoder():
    return WordEncoder(layer=7, device="cpu", dtype="float32")


def test_one_vector_per_word(encoder):
    vectors = encoder.embed(SENTENCES)
    assert [v.shape for v in vectors] == [(len(s), 384) for s in SENTENCES]
    assert all(v.dtype == np.float32 for v in vectors)


def test_removing_upper_layers_does_not_change_lower_ones(encoder):
    full = WordEncoder(layer=12, device="cpu", dtype="float32").embed_layers(SENTENCES[:3], [7])[7]
    for a, b in zip(full, encoder.embed(SENTENCES[:3])):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_batching_and_padding_do_not_change_vectors(encoder):
    together = encoder.embed(SENTENCES)
    alone = [encoder.embed([s])[0] for s in SENTENCES[:4]]
    for a, b in zip(alone, together):
        np.testing.assert_allclose(a, b, atol=1e-4)


def test_long_sentences_are_windowed_without_losing_words():
    words = [w for s in SENTENCES for w in s]
    narrow = WordEncoder(layer=7, device="cpu", dtype="float32", max_length=48)
    wide = WordEncoder(layer=7, device="cpu", dtype="float32")
    (short_ctx,), (full_ctx,) = narrow.embed([words]), wide.embed([words])
    assert short_ctx.shape == full_ctx.shape == (len(words), 384)
    assert narrow.windowed_sentences == 1 and wide.windowed_sentences == 0
    # Each windowed word vector is still closest to the same word (or a repeat of it) in full context.
    unit = lambda m: m / np.linalg.norm(m, axis=1, keepdims=True)  # noqa: E731
    nearest = (unit(short_ctx) @ unit(full_ctx).T).argmax(axis=1)
    assert np.mean([words[k] == word for k, word in zip(nearest, words)]) > 0.95


def test_bfloat16_stays_close_to_float32(encoder):
    reduced = WordEncoder(layer=7, device="cpu", dtype="bfloat16").embed(SENTENCES[:4])
    for a, b in zip(encoder.embed(SENTENCES[:4]), reduced):
        assert cosines(a, b).min() > 0.99


def test_invalid_settings_are_config_errors():
    import torch

    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="no CUDA GPU"):
            resolve_device("cuda")
    assert resolve_device("cpu") == "cpu"
    assert resolve_dtype("auto", "cpu") == (torch.bfloat16 if cpu_has_native_bfloat16() else torch.float32)
    with pytest.raises(ConfigError, match="auto, cpu or cuda"):
        resolve_device("tpu")
    with pytest.raises(ConfigError, match="float16 needs a GPU"):
        resolve_dtype("float16", "cpu")
    with pytest.raises(ConfigError, match="between 0 and 12"):
        WordEncoder(layer=13)


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_inference_encoder_equals_transformers_bert_bit_for_bit(embedded_dir, dtype):
    """Inference runs BERT without transformers (fast start-up); training loads transformers' BertModel."""
    import torch
    from transformers import BertModel

    from wordalign.encoding.bert import BertEncoder
    from wordalign.encoding.models import load_encoder
    from wordalign.encoding.tokenization import SubwordMapper

    light, trainable = load_encoder(embedded_dir), load_encoder(embedded_dir, trainable=True)
    assert isinstance(light.model, BertEncoder) and isinstance(trainable.model, BertModel)
    sentences = [SubwordMapper(light.tokenizer)(SENTENCES[:6]), SubwordMapper(trainable.tokenizer)(SENTENCES[:6])]
    assert [(s.content, s.word_of_token.tolist()) for s in sentences[0]] == \
        [(s.content, s.word_of_token.tolist()) for s in sentences[1]]
    ids = [s.prefix + s.content + s.suffix for s in sentences[0]]
    batch = torch.full((len(ids), max(map(len, ids))), light.tokenizer.pad_token_id)
    mask = torch.zeros_like(batch)
    for row, sequence in enumerate(ids):
        batch[row, : len(sequence)], mask[row, : len(sequence)] = torch.tensor(sequence), 1
    with torch.inference_mode(), torch.autocast("cpu", dtype=getattr(torch, dtype), enabled=dtype != "float32"):
        for kind in ([batch, mask], [batch[:1, : len(ids[0])], mask[:1, : len(ids[0])]]):  # padded, and not
            expected = trainable.model(input_ids=kind[0], attention_mask=kind[1], output_hidden_states=True)
            got = light.model(input_ids=kind[0], attention_mask=kind[1], output_hidden_states=True)
            assert len(got.hidden_states) == len(expected.hidden_states) == 13
            assert all(torch.equal(a, b) for a, b in zip(got.hidden_states, expected.hidden_states))
