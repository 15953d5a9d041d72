"""The alignment-tuned default: the shipped 4-bit delta, how it is stored, applied and named."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from safetensors.numpy import load_file, save_file

from conftest import ROOT
from wordalign.encoding.models import model_identity, read_metadata
from wordalign.encoding.models.delta import FORMAT, GROUP, SHIPPED_DELTA, apply_delta, read_delta, unpack
from wordalign.encoding.models.embedded import embedded_model_dir
from wordalign.errors import ModelError
from wordalign.train.delta import quantize


@settings(max_examples=50, deadline=None)
@given(arrays(np.float32, st.tuples(st.integers(1, 4), st.sampled_from([GROUP, 2 * GROUP])),
              elements=st.floats(-0.0078125, 0.0078125, width=32)))
def test_a_quantized_matrix_reads_back_within_half_a_step(delta):
    packed, scales = quantize(delta)
    assert packed.dtype == np.uint8 and packed.shape == (delta.shape[0], delta.shape[1] // 2)
    back = unpack(packed, scales)
    step = np.repeat(scales.astype(np.float32), GROUP, axis=1)
    # Half a step, plus float16 rounding of the scale times the largest value, 7 steps.
    assert np.all(np.abs(back - delta) <= step / 2 + 7 * step * 2.0**-11 + 1e-12)
    assert np.all(back[delta == 0] == 0)


def _delta_file(path, tensors, record):
    save_file(tensors, str(path), metadata={"format": FORMAT, "record": json.dumps(record)})
    return path


def test_a_delta_adds_to_the_named_parameters_only(tmp_path):
    rng = np.random.default_rng(0)
    matrix = rng.normal(0, 1e-3, (3, GROUP)).astype(np.float32)
    packed, scales = quantize(matrix)
    path = _delta_file(tmp_path / "d.safetensors", {"w.q4": packed, "w.scale": scales,
                                                     "b": np.full(3, 0.5, np.float16)}, {"layer": 7})
    state = {"w": np.ones((3, GROUP), np.float32), "b": np.zeros(3, np.float32), "other": np.ones(2, np.float32)}
    apply_delta(state, path)
    np.testing.assert_allclose(state["w"], 1 + unpack(packed, scales))
    assert state["b"].tolist() == [0.5] * 3 and state["other"].tolist() == [1, 1]
    with pytest.raises(ModelError, match=r"does not fit the embedded encoder \(w\)"):
        apply_delta({"w": np.ones((2, GROUP), np.float32), "b": np.zeros(3, np.float32)}, path)


def test_a_damaged_delta_is_a_model_error(tmp_path):
    path = tmp_path / "d.safetensors"
    path.write_bytes(SHIPPED_DELTA.read_bytes()[:1000])
    with pytest.raises(ModelError, match="not a readable alignment delta"):
        read_delta(path)
    save_file({"x": np.zeros(2, np.float32)}, str(path), metadata={"format": "other"})
    with pytest.raises(ModelError, match="not a readable alignment delta"):
        read_delta(path)


def test_the_shipped_delta_is_the_one_the_benchmark_made():
    recorded = json.loads((ROOT / "benchmarks" / "results" / "tuned_default.json").read_text())
    assert hashlib.sha256(SHIPPED_DELTA.read_bytes()).hexdigest() == recorded["delta"]["sha256"]
    assert SHIPPED_DELTA.stat().st_size <= 8 * 2**20


def test_the_tuned_default_is_the_base_plus_the_delta(embedded_dir):
    tuned = embedded_model_dir()
    assert tuned != embedded_dir and "-aligned-" in tuned.name
    base, weights = load_file(str(embedded_dir / "model.safetensors")), load_file(str(tuned / "model.safetensors"))
    deltas = read_delta(SHIPPED_DELTA)
    assert deltas and "embeddings.word_embeddings.weight" not in deltas  # the word embeddings stay frozen
    for name, value in base.items():
        expected = value + deltas[name] if name in deltas else value
        np.testing.assert_array_equal(weights[name], expected.astype(np.float32), err_msg=name)
    assert read_metadata(tuned)["layer"] == json.loads(
        (ROOT / "benchmarks" / "results" / "tuned_default.json").read_text())["layer"]


def test_the_two_embedded_encoders_have_their_own_names():
    tuned, base = model_identity(None), model_identity("embedded-base")
    assert base == "embedded-e5-small-q4"
    assert tuned == model_identity("embedded") == f"{base}+aligned@{hashlib.sha256(SHIPPED_DELTA.read_bytes()).hexdigest()[:8]}"
