"""Span prediction: a word marked in one sentence, the span that translates it in the other.

The pair is one encoder input, question-answering style (Nagata, Chousa & Nishino 2020):
``[CLS] query words with • marked • word [SEP] context words [SEP]``. A start/end head scores
every context word as the first and last word of the answer span, and the ``[CLS]`` position
as "no answer" (the marked word is unaligned). Both directions are asked, and their word
probabilities averaged into a source × target matrix; blended with a similarity prior (the
model's own word vectors, or the default aligner's, :mod:`.prior`) where its dev split chose one,
it is what the ``threshold`` extractor reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ...encoding.encoder import WordEncoder
from ...encoding.models import LoadedEncoder, load_encoder
from ...encoding.pooling import length_sorted_batches, pad_sequences
from ...encoding.runtime import Runtime, sequence_limit
from ...errors import ConfigError, InputError
from ...extractors import get_extractor
from .base import PairScores
from .prior import DEFAULT_PRIOR, DefaultAlignerPrior, link_prior
from .similarity import cosine_similarity

# Marks the query word on both sides; a single piece in the XLM-R/e5 and mBERT vocabularies.
DEFAULT_MARKER = "•"
NULL_POSITION = 0  # the [CLS] token: the answer of a word with no translation


@dataclass(frozen=True)
class SpanQuery:
    """One encoder input: a query sentence with one word marked, and the context sentence.

    Attributes
    ----------
    ids, type_ids : list[int]
        Token ids and segment ids (``None`` for tokenizers without segments).
    first_token, last_token : numpy.ndarray
        Per context word, the position of its first and last token in ``ids``; ``-1`` for a
        word that the tokenizer turned into no token (it can be no answer).
    windowed : bool
        Whether the query sentence was cut to a window around the marked word to fit.
    """

    ids: list[int]
    type_ids: list[int] | None
    first_token: np.ndarray
    last_token: np.ndarray
    windowed: bool = False


def build_queries(tokenizer, query: Sequence[str], context: Sequence[str], marker: str,
                  max_length: int | None = None) -> list[SpanQuery]:
    """One :class:`SpanQuery` per word of ``query``, asking for its span in ``context``.

    A query longer than ``max_length`` tokens keeps the whole context (the answer is in it)
    and a window of the query sentence around the marked word: words are dropped from the
    end farther from it until the query fits. Only a context too long on its own is an error.
    """
    if not query:
        return []
    marked = [[*query[:i], marker, query[i], marker, *query[i + 1 :]] for i in range(len(query))]
    with_types = "token_type_ids" in getattr(tokenizer, "model_input_names", ["token_type_ids"])
    encoded = _encode(tokenizer, marked, context)
    queries = [_query(encoding, len(context), with_types) for encoding in encoded]
    for k, built in enumerate(queries):
        if max_length is not None and len(built.ids) > max_length:
            window = _query_window(encoded[k], k, len(built.ids) - max_length)
            queries[k] = _query(_encode(tokenizer, [marked[k][window]], context)[0], len(context), with_types,
                                windowed=True)
            if len(queries[k].ids) > max_length:
                raise InputError(f"a sentence of {len(context)} words is too long to be searched for a span: "
                                 f"it needs {len(queries[k].ids)} tokens with one marked word, and the model "
                                 f"takes at most {max_length}")
    return queries


def _encode(tokenizer, marked: list[list[str]], context: Sequence[str]) -> list:
    """The ``tokenizers`` encodings of each marked query paired with the context, untruncated."""
    backend = tokenizer.backend_tokenizer
    backend.no_truncation()
    backend.no_padding()
    return backend.encode_batch([(query, list(context)) for query in marked], is_pretokenized=True,
                                add_special_tokens=True)


def _query(encoding, n_context: int, with_types: bool, windowed: bool = False) -> SpanQuery:
    first = np.full(n_context, -1, dtype=np.int64)
    last = np.full(n_context, -1, dtype=np.int64)
    for position, (word, sequence) in enumerate(zip(encoding.word_ids, encoding.sequence_ids)):
        if sequence == 1 and word is not None:
            if first[word] < 0:
                first[word] = position
            last[word] = position
    type_ids = encoding.type_ids if with_types else None
    return SpanQuery(encoding.ids, type_ids, first, last, windowed)


def _query_window(encoding, k: int, excess: int) -> slice:
    """Words of marked query ``k`` to keep (its marker, word, marker are at ``k .. k + 2``) so
    that at least ``excess`` tokens go, dropping the farther end first."""
    tokens = np.bincount([w for w, s in zip(encoding.word_ids, encoding.sequence_ids) if s == 0 and w is not None])
    begin, end, dropped = 0, len(tokens), 0
    while dropped < excess and (begin < k or end > k + 3):
        if end > k + 3 and (end - (k + 3) >= k - begin):
            end -= 1
            dropped += tokens[end]
        else:
            dropped += tokens[begin]
            begin += 1
    return slice(begin, end)


def candidate_log_probs(logits, positions, valid):
    """Log-probabilities over "no answer" and the context words, from token logits.

    Parameters
    ----------
    logits : torch.Tensor
        ``(batch, tokens)`` start (or end) logits of the head.
    positions : torch.Tensor
        ``(batch, 1 + words)`` token position of each candidate; column 0 is the null position.
    valid : torch.Tensor
        ``(batch, 1 + words)`` bool, False for padding and for words without tokens.

    Returns
    -------
    torch.Tensor
        ``(batch, 1 + words)`` log-softmax over the valid candidates, ``-inf`` elsewhere.
    """
    import torch

    gathered = torch.gather(logits.float(), 1, positions).masked_fill(~valid, float("-inf"))
    return torch.log_softmax(gathered, dim=1)


def word_probabilities(start_log_probs, end_log_probs):
    """Probability that each context word lies inside the answer span.

    With start and end distributions ``p_s``, ``p_e`` over null and words ``1..n``, taken
    as independent: ``P(j ∈ span) = P(start ≤ j) · P(end ≥ j) = (Σ_{s≤j} p_s(s)) ·
    (Σ_{e≥j} p_e(e))`` over words only, so the mass of "no answer" lowers every word.

    Parameters
    ----------
    start_log_probs, end_log_probs : torch.Tensor
        ``(batch, 1 + words)`` as :func:`candidate_log_probs` returns.

    Returns
    -------
    torch.Tensor
        ``(batch, words)`` probabilities in ``[0, 1]``.

    References
    ----------
    Nagata, Chousa & Nishino (2020). A Supervised Word Alignment Method based on
    Cross-Language Span Prediction using Multilingual BERT. EMNLP.
    """
    import torch

    starts = start_log_probs[:, 1:].exp()
    ends = end_log_probs[:, 1:].exp()
    started = torch.cumsum(starts, dim=1)
    not_ended = torch.flip(torch.cumsum(torch.flip(ends, [1]), dim=1), [1])
    return (started * not_ended).clamp(0.0, 1.0)


def collate(queries: Sequence[SpanQuery], pad_id: int):
    """Pad queries into tensors: ids, type ids (or None), mask, candidate positions, validity."""
    import torch

    ids, mask = pad_sequences([q.ids for q in queries], pad_id)
    type_ids = pad_sequences([q.type_ids for q in queries], 0)[0] if queries[0].type_ids is not None else None
    words = max(len(q.first_token) for q in queries)
    first = torch.full((len(queries), 1 + words), NULL_POSITION, dtype=torch.long)
    last = first.clone()
    for row, query in enumerate(queries):
        first[row, 1 : 1 + len(query.first_token)] = torch.as_tensor(query.first_token)
        last[row, 1 : 1 + len(query.last_token)] = torch.as_tensor(query.last_token)
    valid = first >= 0
    valid[:, 1:] &= torch.arange(words)[None, :] < torch.as_tensor([len(q.first_token) for q in queries])[:, None]
    return ids, type_ids, mask, first.clamp(min=0), last.clamp(min=0), valid


def similarity_prior(src: np.ndarray, tgt: np.ndarray) -> np.ndarray:
    """Link probabilities from word-vector similarity alone, as a prior for the span probabilities.

    :func:`~wordalign.align.scorers.prior.link_prior` (``sqrt(softmax_j(S / T) · softmax_i(S / T))``)
    of the pair-centered cosines ``S`` of :func:`~wordalign.align.scorers.similarity.cosine_similarity`,
    at the ``softmax`` extractor's temperature ``T``, without distortion.

    Parameters
    ----------
    src, tgt : numpy.ndarray
        ``(n, d)`` and ``(m, d)`` word vectors.
    """
    return link_prior(cosine_similarity(src, tgt, "pair"), get_extractor("softmax").defaults["temperature"])


def blend(span: np.ndarray, prior: np.ndarray, weight: float) -> np.ndarray:
    """``(1 - w) · span + w · prior``: span probabilities steadied by the similarity prior.

    With a few hundred gold pairs the span head links too much on some pairs (low
    precision); a prior from word vectors that already align translations well (the
    encoder's own, or the default aligner's) cuts those links. ``w = 0`` is the span model alone.
    """
    return span if weight == 0 else (1 - weight) * span + weight * prior


def model_inputs(ids, type_ids, mask, device: str) -> dict:
    """The keyword arguments of a transformers model for a batch of :func:`collate`-d queries."""
    inputs = {"input_ids": ids.to(device), "attention_mask": mask.to(device)}
    if type_ids is not None:
        inputs["token_type_ids"] = type_ids.to(device)
    return inputs


def span_logits(model, ids, type_ids, mask, device: str):
    """Start and end logits of the span head, ``(batch, tokens)`` each."""
    output = model(**model_inputs(ids, type_ids, mask, device))
    return output.start_logits, output.end_logits


class SpanScorer:
    """Scores sentence pairs with a span-prediction checkpoint (``wordalign train-span``).

    Parameters
    ----------
    model : str or path, or a loaded encoder
        A checkpoint directory; training passes the :class:`~wordalign.encoding.models.LoadedEncoder`
        it is training, so that its dev scores come from this very code.
    marker : str, optional
        The query-word marker (default: the checkpoint's).
    prior_weight, prior_layer : optional
        Weight ``w`` of the similarity prior (:func:`blend`) and where it comes from: the
        hidden-state index of this model's encoder whose word vectors give it
        (:func:`similarity_prior`), or ``"default"`` for the default aligner's probabilities
        (:class:`~wordalign.align.scorers.prior.DefaultAlignerPrior`). Default: the
        checkpoint's, which training tunes on its dev split; ``w = 0`` without one.
    device, dtype, batch_size, max_length
        As for :class:`~wordalign.encoding.encoder.WordEncoder`; ``batch_size`` counts queries (one per
        word and direction), ``max_length`` caps a query's tokens (default: the model's limit).
    """

    name = "span"
    head = "span"  # the head :func:`~wordalign.encoding.models.load_encoder` puts on the encoder

    def __init__(self, model, *, marker: str | None = None, prior_weight: float | None = None,
                 prior_layer: int | str | None = None, device: str = "auto", dtype: str = "auto",
                 batch_size: int = 32, max_length: int | None = None):
        self.runtime = Runtime.resolve(device, dtype, batch_size)
        loaded = model if isinstance(model, LoadedEncoder) else load_encoder(model, head=self.head)
        self.model, self.tokenizer = loaded.model, loaded.tokenizer
        self.marker = marker or loaded.metadata.get("marker", DEFAULT_MARKER)
        prior = loaded.metadata.get("prior", {})
        self.prior_weight = prior.get("weight", 0.0) if prior_weight is None else prior_weight
        self.prior_layer = prior.get("layer") if prior_layer is None else prior_layer
        if not 0 <= self.prior_weight <= 1:
            raise ConfigError(f"prior_weight must be between 0 and 1, not {self.prior_weight}")
        if self.prior_weight and self.prior_layer is None:
            raise ConfigError("a similarity prior needs the layer of its word vectors (prior_layer)")
        if self.prior_weight and self.prior_layer not in self.prior_sources:
            raise ConfigError(f"prior_layer must be one of {', '.join(map(str, self.prior_sources))}, "
                              f"not {self.prior_layer!r}")
        self.model.to(self.device)
        self.max_length = sequence_limit(self.tokenizer, self.model.config, max_length)
        self.pad_id = self.tokenizer.pad_token_id or 0
        self.windowed_sentences = 0  # query sentences cut to fit, counted once per sentence and direction
        # The prior's word vectors come from this very model (its encoder without the span
        # head), so a checkpoint stays self-contained.
        self.word_encoder = WordEncoder(
            LoadedEncoder(self.model.base_model, self.tokenizer, loaded.source, loaded.is_embedded, {}),
            layer=self.model.config.num_hidden_layers, device=device, dtype=dtype, batch_size=batch_size,
            max_length=max_length)
        self._default_prior: DefaultAlignerPrior | None = None  # loaded when first asked for

    @property
    def prior_sources(self) -> list[int | str]:
        """Every prior :meth:`priors` can give: each layer of this model, then the default aligner's."""
        return [*range(1, self.model.config.num_hidden_layers + 1), DEFAULT_PRIOR]

    @property
    def device(self) -> str:
        return self.runtime.device

    @property
    def signature(self) -> str:
        source = self.prior_layer if self.prior_layer == DEFAULT_PRIOR else f"layer{self.prior_layer}"
        prior = f"{self.prior_weight}@{source}" if self.prior_weight else "none"
        return f"scorer:{self.name}|prior:{prior}"

    def queries(self, src: Sequence[str], tgt: Sequence[str]) -> list[SpanQuery]:
        """Every query of a pair: each source word asking into the target, then the reverse."""
        forward = build_queries(self.tokenizer, src, tgt, self.marker, self.max_length)
        reverse = build_queries(self.tokenizer, tgt, src, self.marker, self.max_length)
        self.windowed_sentences += any(q.windowed for q in forward) + any(q.windowed for q in reverse)
        return forward + reverse

    def score_batch(self, pairs: Sequence[tuple[Sequence[str], Sequence[str]]]) -> list[PairScores]:
        """The :meth:`link_probabilities` of each pair (the scorer protocol)."""
        return [PairScores(matrix) for matrix in self.link_probabilities(pairs)]

    def link_probabilities(self, pairs: Sequence[tuple[Sequence[str], Sequence[str]]]) -> list[np.ndarray]:
        """The ``(len(src), len(tgt))`` matrix of link probabilities of each pair.

        :meth:`head_probabilities`, blended with the :meth:`priors` of ``prior_layer`` when
        ``prior_weight`` is not 0 (:func:`blend`). Every side must have at least one word.
        """
        spans = self.head_probabilities(pairs)
        if not self.prior_weight:
            return spans
        priors = self.priors(pairs, (self.prior_layer,))[self.prior_layer]
        return [blend(span, prior, self.prior_weight) for span, prior in zip(spans, priors)]

    def priors(self, pairs: Sequence[tuple[Sequence[str], Sequence[str]]],
               layers: Sequence[int | str]) -> dict[int | str, list[np.ndarray]]:
        """The prior of each pair from each of ``layers``: :func:`similarity_prior` of this model's
        word vectors at a layer number, the default aligner's at ``"default"``."""
        priors = {}
        own = [layer for layer in layers if layer != DEFAULT_PRIOR]
        if own:
            self.model.eval()
            vectors = self.word_encoder.embed_layers([src for src, _ in pairs] + [tgt for _, tgt in pairs], own)
            priors = {layer: [similarity_prior(src, tgt) for src, tgt in zip(by_layer[: len(pairs)],
                                                                             by_layer[len(pairs) :])]
                      for layer, by_layer in vectors.items()}
        if DEFAULT_PRIOR in layers:
            if self._default_prior is None:
                self._default_prior = DefaultAlignerPrior(self.device, self.runtime.dtype_name,
                                                          self.runtime.batch_size)
            priors[DEFAULT_PRIOR] = self._default_prior(pairs)
        return priors

    def head_probabilities(self, pairs: Sequence[tuple[Sequence[str], Sequence[str]]]) -> list[np.ndarray]:
        """The ``(len(src), len(tgt))`` matrix of the head's probabilities of each pair, both directions averaged.

        ``M[i, j] = (P(j | i) + P(i | j)) / 2``, with ``P(j | i)`` what :meth:`query_probabilities`
        gives context word ``j`` when source word ``i`` is marked (for span prediction,
        ``P(j ∈ span(i))``), and the reverse.
        """
        queries, owners = [], []
        for k, (src, tgt) in enumerate(pairs):
            try:
                queries += self.queries(src, tgt)
            except InputError as exc:
                raise InputError(exc.reason, pair=k) from None
            owners += [(k, 0, i) for i in range(len(src))] + [(k, 1, j) for j in range(len(tgt))]
        forward = [np.zeros((len(s), len(t)), dtype=np.float32) for s, t in pairs]
        reverse = [np.zeros((len(t), len(s)), dtype=np.float32) for s, t in pairs]
        self.model.eval()
        with self.runtime.inference():
            for batch in length_sorted_batches([len(query.ids) for query in queries], self.runtime.batch_size):
                probabilities = self.query_probabilities(*collate([queries[q] for q in batch], self.pad_id))
                probabilities = probabilities.float().cpu().numpy()
                for row, q in enumerate(batch):
                    k, direction, word = owners[q]
                    target = forward[k] if direction == 0 else reverse[k]
                    target[word] = probabilities[row, : target.shape[1]]
        return [(f + r.T) / 2 for f, r in zip(forward, reverse)]

    def query_probabilities(self, ids, type_ids, mask, first, last, valid):
        """``(batch, words)``: each context word's probability of lying in the marked word's
        answer span (:func:`word_probabilities`), for a batch of :func:`collate`-d queries."""
        start_logits, end_logits = span_logits(self.model, ids, type_ids, mask, self.device)
        device = start_logits.device
        return word_probabilities(candidate_log_probs(start_logits, first.to(device), valid.to(device)),
                                  candidate_log_probs(end_logits, last.to(device), valid.to(device)))
