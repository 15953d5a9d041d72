"""Batched encoding of pre-tokenized sentences into contextual word vectors."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext

import numpy as np

from .errors import ConfigError
from .models import LoadedEncoder, load_encoder
from .objectives import pool_words
from .tokenization import SubwordMapper, TokenizedSentence

log = logging.getLogger(__name__)

# Hidden-state index used when none is given: for the embedded encoder it was chosen on the
# dev splits (benchmarks/sweep.py); for other encoders two thirds of the depth, which is
# where multilingual encoders align best (layer 8 of 12 for mBERT, Jalili Sabet et al. 2020).
EMBEDDED_DEFAULT_LAYER = 7
DTYPES = ("auto", "float32", "bfloat16", "float16")


def default_layer(n_layers: int, is_embedded: bool) -> int:
    """Layer used when the caller does not choose one (see :data:`EMBEDDED_DEFAULT_LAYER`)."""
    return EMBEDDED_DEFAULT_LAYER if is_embedded else round(n_layers * 2 / 3)


def resolve_device(device: str) -> str:
    """``auto`` → ``cuda`` when a GPU is visible, else ``cpu``; anything else is checked."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"--device {device}: no CUDA GPU is visible to torch")
    if device != "cpu" and not device.startswith("cuda"):
        raise ConfigError(f"--device must be auto, cpu or cuda[:N], not {device!r}")
    return device


def cpu_has_native_bfloat16() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX512-BF16 or AMX)."""
    import torch

    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, probe, lambda: False)() for probe in probes)


def resolve_dtype(dtype: str, device: str):
    """Map a ``--dtype`` name to the torch dtype the forward pass runs in.

    ``auto`` is bfloat16 autocast on a CPU with native bfloat16, where benchmarks/dtype.py
    measured it 1.7-1.9x faster than float32 with AER within 0.06 points on all five standard
    sets; float32 elsewhere (on GPUs it has not been measured yet).
    """
    import torch

    if dtype not in DTYPES:
        raise ConfigError(f"--dtype must be one of {', '.join(DTYPES)}, not {dtype!r}")
    if dtype == "float16" and device == "cpu":
        raise ConfigError("--dtype float16 needs a GPU; use bfloat16 on CPU")
    if dtype == "auto":
        return torch.bfloat16 if device == "cpu" and cpu_has_native_bfloat16() else torch.float32
    return {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[dtype]


def autocast(device: str, dtype):
    """Autocast to ``dtype`` on ``device`` (``cpu``, ``cuda:N``); a no-op context for float32."""
    import torch

    if dtype == torch.float32:
        return nullcontext()
    return torch.autocast(device_type=device.split(":")[0], dtype=dtype)


def plan_windows(n_tokens: int, width: int) -> tuple[list[int], np.ndarray]:
    """Cover ``n_tokens`` content tokens with overlapping windows of ``width`` tokens.

    Windows start every ``width // 2`` tokens, the last one flush with the end. Each token
    takes its vector from the window in which it is farthest from an edge, so every token
    sees at least a quarter window of context on each side where the sentence allows.

    Returns
    -------
    starts : list[int]
        First token of each window.
    window_of_token : numpy.ndarray
        ``(n_tokens,)`` index into ``starts``.
    """
    if n_tokens <= width:
        return [0], np.zeros(n_tokens, dtype=np.int64)
    stride = max(1, width // 2)
    starts = list(range(0, n_tokens - width, stride)) + [n_tokens - width]
    positions = np.arange(n_tokens)[:, None]
    begin = np.asarray(starts)[None, :]
    margin = np.minimum(positions - begin, begin + width - 1 - positions)
    return starts, margin.argmax(axis=1)


class WordEncoder:
    """Contextual word vectors from one hidden layer of a transformer encoder.

    Parameters
    ----------
    model : str or path, or a loaded encoder, optional
        See :func:`wordalign.models.load_encoder`; ``None`` is the embedded encoder. A
        :class:`~wordalign.models.LoadedEncoder` is used as it is, with all its blocks.
    layer : int, optional
        Hidden-state index (0 = embeddings, ``n`` = output of the n-th block). Default: the
        layer a fine-tuned checkpoint was trained for, else :func:`default_layer`.
    device : str
        ``auto``, ``cpu`` or ``cuda[:N]``.
    dtype : str
        ``auto``, ``float32``, ``bfloat16`` or ``float16``.
    batch_size : int
        Sequences per forward pass; sequences are sorted by length first, so padding is small.
    max_length : int, optional
        Longest sequence fed to the encoder, special tokens included; longer sentences are
        encoded in overlapping windows. Defaults to the model's limit.

    Notes
    -----
    A word's vector is the mean of its subword vectors (Jalili Sabet et al. 2020,
    SimAlign). Blocks above ``layer`` are removed from a model it loads, since they are never used.
    """

    def __init__(self, model=None, *, layer: int | None = None, device: str = "auto",
                 dtype: str = "auto", batch_size: int = 32, max_length: int | None = None):
        import torch

        if batch_size < 1:
            raise ConfigError("batch_size must be at least 1")
        # A loaded encoder is shared with its owner (the span scorer's prior): its blocks stay.
        shared = isinstance(model, LoadedEncoder)
        loaded = model if shared else load_encoder(model)
        self.source, self.is_embedded = loaded.source, loaded.is_embedded
        config = loaded.model.config
        n_layers = config.num_hidden_layers
        if layer is None:
            layer = loaded.metadata.get("layer", default_layer(n_layers, self.is_embedded))
        self.layer = layer
        if not 0 <= self.layer <= n_layers:
            raise ConfigError(f"layer must be between 0 and {n_layers} for this model, not {self.layer}")
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype, self.device)
        self.model = (loaded.model if shared else drop_layers_above(loaded.model, self.layer)).to(self.device)
        self.mapper = SubwordMapper(loaded.tokenizer)
        self.pad_id = loaded.tokenizer.pad_token_id or 0
        limit = min(getattr(loaded.tokenizer, "model_max_length", 512) or 512,
                    getattr(config, "max_position_embeddings", 512) or 512)
        self.max_length = min(max_length or limit, limit)
        self.batch_size = batch_size
        self.hidden_size = config.hidden_size
        self.windowed_sentences = 0
        self._torch = torch

    def embed(self, sentences: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Return one ``(n_words, hidden)`` float32 array of word vectors per sentence.

        A word that its tokenizer turns into no subword at all gets a zero vector.
        """
        return self.embed_layers(sentences, (self.layer,))[self.layer]

    def embed_layers(self, sentences: Sequence[Sequence[str]],
                     layers: Sequence[int]) -> dict[int, list[np.ndarray]]:
        """Like :meth:`embed`, for several layers at most ``self.layer`` from one forward pass."""
        if any(not 0 <= layer <= self.layer for layer in layers):
            raise ConfigError(f"layers must be between 0 and {self.layer} for this encoder")
        tokenized, segments, placements = self.segment(sentences)
        states = self._forward(segments, layers)
        return {layer: [self._pool(sentence, states[layer], *placement)
                        for sentence, placement in zip(tokenized, placements)] for layer in layers}

    def segment(self, sentences: Sequence[Sequence[str]]) -> tuple[list[TokenizedSentence], list[list[int]], list]:
        """Tokenize sentences and cut them into encoder inputs of at most ``max_length`` ids.

        Each sentence that needs more than one window adds one to ``windowed_sentences``.

        Parameters
        ----------
        sentences : sequence of sequence of str
            Pre-tokenized sentences.

        Returns
        -------
        tokenized : list[TokenizedSentence]
        segments : list[list[int]]
            Token ids of every encoder input, special tokens included; a sentence longer than
            the window gives several (see :func:`plan_windows`).
        placements : list[tuple]
            Per sentence: index of its first segment, window starts, window of each token.
        """
        tokenized = self.mapper([list(words) for words in sentences])
        segments, placements = [], []
        for sentence in tokenized:
            width = self.max_length - len(sentence.prefix) - len(sentence.suffix)
            if width < 1:
                raise ConfigError(f"max_length {self.max_length} leaves no room for words")
            starts, window_of_token = plan_windows(len(sentence.content), width)
            if len(starts) > 1:
                self.windowed_sentences += 1
            first = len(segments)
            for start in starts:
                segments.append(sentence.prefix + sentence.content[start : start + width] + sentence.suffix)
            placements.append((first, starts, window_of_token))
        return tokenized, segments, placements

    def padded_batches(self, segments: list[list[int]]) -> Iterator[tuple[list[int], object, object]]:
        """Length-sorted batches of at most ``batch_size`` segments, padded on the right.

        Parameters
        ----------
        segments : list[list[int]]
            Token ids per encoder input, as :meth:`segment` returns them.

        Yields
        ------
        tuple
            ``(segment indices, input_ids, attention_mask)``, the tensors ``(batch, longest)``
            on the CPU.
        """
        torch = self._torch
        order = sorted(range(len(segments)), key=lambda k: len(segments[k]))
        for begin in range(0, len(order), self.batch_size):
            batch = order[begin : begin + self.batch_size]
            longest = len(segments[batch[-1]])
            ids = torch.full((len(batch), longest), self.pad_id, dtype=torch.long)
            mask = torch.zeros((len(batch), longest), dtype=torch.long)
            for row, k in enumerate(batch):
                ids[row, : len(segments[k])] = torch.as_tensor(segments[k])
                mask[row, : len(segments[k])] = 1
            yield batch, ids, mask

    @contextmanager
    def inference(self):
        """Context for forward passes: no autograd, autocast to ``self.dtype`` when not float32."""
        with self._torch.inference_mode(), self.autocast():
            yield

    def autocast(self):
        """Autocast to ``self.dtype`` (training uses it too); a no-op context for float32."""
        return autocast(self.device, self.dtype)

    def hidden_states(self, ids, mask) -> tuple:
        """The encoder's forward pass on one padded batch (run it inside :meth:`inference`).

        Parameters
        ----------
        ids, mask : torch.Tensor
            ``(batch, length)`` input ids and attention mask, as :meth:`padded_batches` yields.

        Returns
        -------
        tuple of torch.Tensor
            Hidden states ``(batch, length, hidden)`` of every layer up to ``self.layer``,
            on the device; index 0 is the embedding output.
        """
        result = self.model(input_ids=ids.to(self.device), attention_mask=mask.to(self.device),
                            output_hidden_states=True)
        return result.hidden_states

    def _pool(self, sentence: TokenizedSentence, states, first, starts, window_of_token) -> np.ndarray:
        torch = self._torch
        offset = len(sentence.prefix)
        n_content = len(sentence.content)
        if n_content == 0:
            return np.zeros((sentence.n_words, self.hidden_size), dtype=np.float32)
        if len(starts) == 1:
            tokens = states[first][offset : offset + n_content]
        else:
            tokens = torch.stack([states[first + w][offset + t - starts[w]] for t, w in enumerate(window_of_token)])
        return pool_words(tokens.float(), torch.as_tensor(sentence.word_of_token), sentence.n_words).numpy()

    def _forward(self, segments: list[list[int]], layers: Sequence[int]) -> dict[int, list]:
        """Run the encoder over id sequences; return their hidden states per layer, on the CPU."""
        out = {layer: [None] * len(segments) for layer in layers}
        with self.inference():
            for batch, ids, mask in self.padded_batches(segments):
                states = self.hidden_states(ids, mask)
                for layer in layers:
                    hidden = states[layer].float().cpu()
                    for row, k in enumerate(batch):
                        out[layer][k] = hidden[row, : len(segments[k])]
        return out


def drop_layers_above(model, layer: int):
    """Keep only the blocks below ``layer`` where the architecture exposes them as a list.

    Works on a bare encoder and on one with a head (through ``model.base_model``).
    """
    encoder = getattr(model.base_model, "encoder", None)
    blocks = getattr(encoder, "layer", None)
    if blocks is not None and layer < len(blocks):
        encoder.layer = blocks[:layer]
        model.config.num_hidden_layers = layer
    return model
