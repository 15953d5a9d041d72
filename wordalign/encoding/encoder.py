"""Batched encoding of pre-tokenized sentences into contextual word vectors."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from ..errors import ConfigError
from .models import LoadedEncoder, load_encoder
from .pooling import length_sorted_batches, pad_sequences, plan_windows, pool_words
from .runtime import Runtime, sequence_limit
from .tokenization import SubwordMapper, TokenizedSentence

# Hidden-state index used when none is given: for the embedded encoder it was chosen on the
# dev splits (benchmarks/sweep.py); for other encoders two thirds of the depth, which is
# where multilingual encoders align best (layer 8 of 12 for mBERT, Jalili Sabet et al. 2020).
EMBEDDED_DEFAULT_LAYER = 7


def default_layer(n_layers: int, is_embedded: bool) -> int:
    """Layer used when the caller does not choose one (see :data:`EMBEDDED_DEFAULT_LAYER`)."""
    return EMBEDDED_DEFAULT_LAYER if is_embedded else round(n_layers * 2 / 3)


class WordEncoder:
    """Contextual word vectors from one hidden layer of a transformer encoder.

    Parameters
    ----------
    model : str or path, or a loaded encoder, optional
        See :func:`wordalign.encoding.models.load_encoder`; ``None`` is the embedded encoder.
        A :class:`~wordalign.encoding.models.LoadedEncoder` is used as it is, with all its blocks.
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
    trainable : bool
        Load the model for training (see :func:`~wordalign.encoding.models.load_encoder`).

    Notes
    -----
    A word's vector is the mean of its subword vectors (:func:`~wordalign.encoding.pooling.pool_words`).
    Blocks above ``layer`` are removed from a model it loads, since they are never used.
    """

    def __init__(self, model=None, *, layer: int | None = None, device: str = "auto",
                 dtype: str = "auto", batch_size: int = 32, max_length: int | None = None,
                 trainable: bool = False):
        self.runtime = Runtime.resolve(device, dtype, batch_size)
        # A loaded encoder is shared with its owner (the span scorer's prior): its blocks stay.
        shared = isinstance(model, LoadedEncoder)
        loaded = model if shared else load_encoder(model, trainable=trainable)
        self.source, self.is_embedded = loaded.source, loaded.is_embedded
        config = loaded.model.config
        n_layers = config.num_hidden_layers
        if layer is None:
            layer = loaded.metadata.get("layer", default_layer(n_layers, self.is_embedded))
        self.layer = layer
        if not 0 <= self.layer <= n_layers:
            raise ConfigError(f"layer must be between 0 and {n_layers} for this model, not {self.layer}")
        self.model = (loaded.model if shared else drop_layers_above(loaded.model, self.layer)).to(self.device)
        self.mapper = SubwordMapper(loaded.tokenizer)
        self.pad_id = loaded.tokenizer.pad_token_id or 0
        self.max_length = sequence_limit(loaded.tokenizer, config, max_length)
        probe = self.mapper([["x"]])[0]
        if self.max_length - len(probe.prefix) - len(probe.suffix) < 1:  # before any output is opened
            raise ConfigError(f"max_length {self.max_length} leaves no room for words: the model adds "
                              f"{len(probe.prefix) + len(probe.suffix)} special tokens to every input")
        self.hidden_size = config.hidden_size
        self.windowed_sentences = 0

    @property
    def device(self) -> str:
        return self.runtime.device

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
            the window gives several (see :func:`~wordalign.encoding.pooling.plan_windows`).
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
            on the CPU (:func:`~wordalign.encoding.pooling.pad_sequences`).
        """
        for batch in length_sorted_batches([len(segment) for segment in segments], self.runtime.batch_size):
            yield (batch, *pad_sequences([segments[k] for k in batch], self.pad_id))

    def hidden_states(self, ids, mask) -> tuple:
        """The encoder's forward pass on one padded batch.

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

    def word_states(self, sentences: Sequence[TokenizedSentence]) -> list:
        """Differentiable word vectors at ``self.layer``, one ``(n_words, hidden)`` tensor each.

        For training: the sentences must fit ``max_length`` whole (no windows), and the caller
        chooses the autograd mode and whether the model is in train or eval mode.
        """
        return [pool_words(tokens, owners, sentence.n_words)
                for sentence, tokens, owners in self._content_states(sentences)]

    def subword_states(self, sentences: Sequence[TokenizedSentence]) -> list:
        """Differentiable vectors at ``self.layer`` of the subwords that :meth:`embed_subwords`
        returns, one ``(k, hidden)`` tensor each; as :meth:`word_states` for training."""
        import torch

        return [tokens[torch.as_tensor(self.mapper.linking(sentence), device=tokens.device)]
                for sentence, tokens, _ in self._content_states(sentences)]

    def _content_states(self, sentences: Sequence[TokenizedSentence]) -> list:
        """``(sentence, content token states, word of each token)`` per sentence, with gradients."""
        import torch

        out = [None] * len(sentences)
        for order, ids, mask in self.padded_batches([s.prefix + s.content + s.suffix for s in sentences]):
            with self.runtime.autocast():
                states = self.hidden_states(ids, mask)[self.layer].float()
            for row, k in enumerate(order):
                sentence = sentences[k]
                offset = len(sentence.prefix)
                tokens = states[row, offset : offset + len(sentence.content)]
                out[k] = (sentence, tokens, torch.as_tensor(sentence.word_of_token, device=tokens.device))
        return out

    def embed_subwords(self, sentences: Sequence[Sequence[str]]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Return, per sentence, the vectors of its subwords and the word each belongs to.

        Only the subwords that stand for their word (:meth:`SubwordMapper.linking`: those
        :meth:`embed` pools, less the punctuation pieces of a word with other pieces) are
        returned: ``(vectors (k, hidden) float32, owners (k,) int)``, in sentence order.
        """
        import torch

        tokenized, segments, placements = self.segment(sentences)
        states = self._forward(segments, (self.layer,))[self.layer]
        out = []
        for sentence, placement in zip(tokenized, placements):
            owners = np.asarray(sentence.word_of_token, dtype=np.int64)
            linking = self.mapper.linking(sentence)
            tokens = self._token_states(sentence, states, *placement)[torch.as_tensor(linking)]
            out.append((tokens.float().numpy(), owners[linking]))
        return out

    def _pool(self, sentence: TokenizedSentence, states, first, starts, window_of_token) -> np.ndarray:
        import torch

        if not sentence.content:
            return np.zeros((sentence.n_words, self.hidden_size), dtype=np.float32)
        tokens = self._token_states(sentence, states, first, starts, window_of_token)
        return pool_words(tokens.float(), torch.as_tensor(sentence.word_of_token), sentence.n_words).numpy()

    @staticmethod
    def _token_states(sentence: TokenizedSentence, states, first, starts, window_of_token):
        """The content tokens' states of one sentence, each from the window that placed it best."""
        import torch

        offset = len(sentence.prefix)
        if len(starts) == 1:
            return states[first][offset : offset + len(sentence.content)]
        return torch.stack([states[first + w][offset + t - starts[w]] for t, w in enumerate(window_of_token)])

    def _forward(self, segments: list[list[int]], layers: Sequence[int]) -> dict[int, list]:
        """Run the encoder over id sequences; return their hidden states per layer, on the CPU."""
        out = {layer: [None] * len(segments) for layer in layers}
        with self.runtime.inference():
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
    keep = max(layer, 1)  # layer 0 (the embeddings) keeps one block: a model without blocks cannot run
    if blocks is not None and keep < len(blocks):
        encoder.layer = blocks[:keep]
        model.config.num_hidden_layers = keep
    return model
