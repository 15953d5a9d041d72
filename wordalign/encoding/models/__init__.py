"""Where encoders come from: the embedded default or any Hugging Face model directory."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from ...errors import ModelError
from ..tokenization import FastTokenizer
from .embedded import embedded_model_dir

EMBEDDED = "embedded"
# Written by ``wordalign finetune`` next to config.json: how the checkpoint was made and
# which layer it was trained to align with.
CHECKPOINT_METADATA = "wordalign.json"
log = logging.getLogger(__name__)


@dataclass
class LoadedEncoder:
    """A transformer encoder, its fast tokenizer, and where they came from."""

    model: object
    tokenizer: object
    source: str
    is_embedded: bool
    metadata: dict


def names_embedded(model: str | os.PathLike | None) -> bool:
    """Whether a ``--model`` value means the embedded encoder (``None`` or ``"embedded"``)."""
    return model is None or str(model) == EMBEDDED


def resolve_model(model: str | os.PathLike | None) -> tuple[str, bool]:
    """Return ``(path or hub name, is_embedded)`` for a ``--model`` value (``None`` = embedded)."""
    if names_embedded(model):
        return str(embedded_model_dir()), True
    return str(model), False


def load_encoder(model: str | os.PathLike | None = None, span_head: bool = False,
                 trainable: bool = False) -> LoadedEncoder:
    """Load a transformer encoder and its fast tokenizer.

    Parameters
    ----------
    model : str or path, optional
        ``None`` or ``"embedded"`` for the embedded multilingual-e5-small; a local directory
        with ``config.json`` and a fast tokenizer (mBERT, XLM-R, LaBSE, fine-tuned
        checkpoints); or a hub name, which works only where the hub is reachable.
    span_head : bool
        Load it with a question-answering (start/end) head, as span prediction uses: the
        trained head of a ``wordalign train-span`` checkpoint, or a new one for training.
    trainable : bool
        Load it for training: always a transformers model, which can be saved. For inference,
        a BERT encoder without a head is run by :class:`~wordalign.encoding.bert.BertEncoder`
        with its tokenizer loaded by the ``tokenizers`` library
        (:class:`~wordalign.encoding.tokenization.FastTokenizer`): the same outputs, seconds
        sooner, since transformers is never imported.
    """
    source, is_embedded = resolve_model(model)
    local = Path(source).expanduser()
    if local.exists() and not (local / "config.json").is_file():
        raise ModelError(f"{local} is not a Hugging Face model directory (no config.json)")
    if not (span_head or trainable) and local.is_dir() and _plain_bert(local):
        from ..bert import BertEncoder

        try:
            loaded = BertEncoder.from_directory(local), FastTokenizer.from_directory(local)
        except Exception as exc:  # the tokenizers library raises a bare Exception for a bad tokenizer.json
            raise ModelError(f"cannot load the model in {local}: {exc}") from exc
        return LoadedEncoder(*loaded, source, is_embedded, read_metadata(local))
    return _load_with_transformers(source, local, is_embedded, span_head)


def _plain_bert(directory: Path) -> bool:
    """Whether :class:`~wordalign.encoding.bert.BertEncoder` runs this directory's model, without
    importing torch to find out: a BERT encoder with safetensors weights and a ``tokenizer.json``."""
    try:
        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (config.get("model_type") == "bert" and config.get("hidden_act") == "gelu"
            and config.get("position_embedding_type", "absolute") == "absolute" and not config.get("is_decoder")
            and (directory / "model.safetensors").is_file() and (directory / "tokenizer.json").is_file())


def _load_with_transformers(source: str, local: Path, is_embedded: bool, span_head: bool) -> LoadedEncoder:
    from transformers import AutoModel, AutoModelForQuestionAnswering, AutoTokenizer
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # "pooler (or span head) weights newly initialized" is noise for us
    hf_logging.disable_progress_bar()
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, use_fast=True)
        encoder = (AutoModelForQuestionAnswering if span_head else AutoModel).from_pretrained(source)
    except (OSError, ValueError) as exc:
        if local.exists():
            raise ModelError(f"cannot load the model in {local}: {exc}") from exc
        raise ModelError(
            f"cannot load model '{source}': it is not a local directory and the model hub "
            "could not provide it (offline?). Download it where a hub is reachable "
            "(e.g. `huggingface-cli download NAME --local-dir DIR`) and pass --model DIR."
        ) from exc
    finally:
        hf_logging.set_verbosity(verbosity)
        hf_logging.enable_progress_bar()
    return LoadedEncoder(encoder.eval(), tokenizer, source, is_embedded, read_metadata(local))


def checkpoint_metadata(model: str | os.PathLike | None) -> dict:
    """The ``wordalign.json`` of ``--model`` (see :func:`read_metadata`), read without loading it."""
    if names_embedded(model):  # without resolving: that would convert the embedded one
        return {}
    return read_metadata(Path(model).expanduser())


def read_metadata(directory: Path) -> dict:
    """The ``wordalign.json`` of a fine-tuned checkpoint, or ``{}`` for any other model."""
    path = directory / CHECKPOINT_METADATA
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: unreadable checkpoint metadata ({exc})") from exc
