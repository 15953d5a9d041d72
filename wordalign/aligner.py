"""Encoder + similarity + extractor → word alignments."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

import numpy as np

from .encoder import WordEncoder
from .errors import ConfigError
from .extractors import bind, get_extractor
from .io import split_words
from .models import checkpoint_metadata
from .settings import SPAN_EXTRACTOR, resolve_extractor
from .similarity import check_centering, cosine_similarity, word_norms
from .types import AlignedPair

# Chosen on the train/dev splits of the five bilingual sets (benchmarks/sweep.py).
DEFAULT_CENTERING = "pair"
CHUNK_PAIRS = 256
SCORERS = ("similarity", "span")


class Aligner:
    """Aligns pre-tokenized sentence pairs with a transformer encoder and an extractor.

    Parameters
    ----------
    model : str or path, optional
        ``None`` for the embedded encoder, or a local Hugging Face model directory.
    scorer : {"similarity", "span"}, optional
        What fills the word × word matrix: cosine similarities of word vectors, or the link
        probabilities of a span-prediction checkpoint (``wordalign train-span``,
        :class:`wordalign.span_prediction.SpanScorer`). Default: ``span`` for such a
        checkpoint, ``similarity`` otherwise.
    layer : int, optional
        Hidden-state index to take word vectors from (model-dependent default).
    extractor : str, optional
        A registered extractor name (``wordalign extractors`` lists them); default: the
        setting's (see :mod:`wordalign.settings`).
    extractor_params : dict, optional
        Keyword arguments for the extractor, over the setting's; strings are converted to the
        parameter's type.
    setting : {"bilingual", "monolingual"}
        Which dev-tuned defaults to use: translations, or same-language pairs with many
        unaligned words.
    centering : {"sentence", "pair", "none"}, optional
        Mean removal before the cosine, see :func:`wordalign.similarity.cosine_similarity`
        (default: :data:`DEFAULT_CENTERING`); only the similarity scorer has cosines.
    device, dtype, batch_size, max_length
        Passed to :class:`wordalign.encoder.WordEncoder`.

    Examples
    --------
    >>> aligner = Aligner()                                   # doctest: +SKIP
    >>> aligner.align("Das Haus ist klein", "The house is small").links   # doctest: +SKIP
    [(0, 0), (1, 1), (2, 2), (3, 3)]
    """

    def __init__(self, model=None, *, scorer: str | None = None, layer: int | None = None,
                 extractor: str | None = None, extractor_params: dict | None = None,
                 setting: str = "bilingual", centering: str | None = None, device: str = "auto",
                 dtype: str = "auto", batch_size: int = 32, max_length: int | None = None):
        metadata = checkpoint_metadata(model)
        self.scorer = _resolve_scorer(scorer, metadata, model, layer)
        span = self.scorer == "span"
        self.extractor, self.extractor_params = resolve_extractor(setting, extractor, extractor_params, span)
        if span and self.extractor == SPAN_EXTRACTOR and "threshold" in metadata:
            self.extractor_params = {"threshold": metadata["threshold"], **self.extractor_params}
        self.extract = bind(self.extractor, self.extractor_params)  # fails on a bad name before loading
        self._needs_norms = get_extractor(self.extractor).takes_word_weights and not span
        if span and centering is not None:
            raise ConfigError("--centering shapes the cosines of the similarity scorer; a span model has none")
        self.centering = check_centering(centering or DEFAULT_CENTERING)
        if span:
            from .span_prediction import SpanScorer

            # The pipeline reads ``encoder.device`` and ``encoder.windowed_sentences`` of either kind.
            self.encoder = SpanScorer(model, device=device, dtype=dtype, batch_size=batch_size,
                                      max_length=max_length)
        else:
            self.encoder = WordEncoder(model, layer=layer, device=device, dtype=dtype,
                                       batch_size=batch_size, max_length=max_length)

    def align(self, src: str | Sequence[str], tgt: str | Sequence[str]) -> AlignedPair:
        """Align one pair; a string is split into words on spaces."""
        words = [split_words(s) if isinstance(s, str) else list(s) for s in (src, tgt)]
        return self.align_batch([(words[0], words[1])])[0]

    def align_batch(self, pairs: Sequence[tuple[Sequence[str], Sequence[str]]]) -> list[AlignedPair]:
        """Align a list of pairs, encoding all their sentences in shared batches."""
        pairs = [(list(src), list(tgt)) for src, tgt in pairs]
        live = [k for k, (src, tgt) in enumerate(pairs) if src and tgt]
        results = [AlignedPair(src, tgt) for src, tgt in pairs]
        for k, (matrix, word_weights) in zip(live, self._score([pairs[k] for k in live])):
            results[k] = self._extract(pairs[k], matrix, word_weights)
        return results

    def _score(self, pairs: list) -> list[tuple[np.ndarray, tuple | None]]:
        """The word × word matrix of each pair (both sides non-empty), with word weights if needed."""
        if self.scorer == "span":
            return [(matrix, None) for matrix in self.encoder.score_batch(pairs)]
        vectors = self.encoder.embed([src for src, _ in pairs] + [tgt for _, tgt in pairs])
        scored = []
        for src, tgt in zip(vectors[: len(pairs)], vectors[len(pairs) :]):
            scored.append((cosine_similarity(src, tgt, self.centering),
                           word_norms(src, tgt) if self._needs_norms else None))
        return scored

    def align_stream(self, pairs: Iterable[tuple[Sequence[str], Sequence[str]]],
                     chunk_size: int = CHUNK_PAIRS) -> Iterator[AlignedPair]:
        """Align pairs lazily, in input order, holding ``chunk_size`` pairs at a time."""
        iterator = iter(pairs)
        while chunk := list(islice(iterator, chunk_size)):
            yield from self.align_batch(chunk)

    def _extract(self, pair, similarity: np.ndarray, word_weights) -> AlignedPair:
        rows, cols = np.nonzero(self.extract(similarity, word_weights))  # row-major: already sorted
        links = list(zip(rows.tolist(), cols.tolist()))
        return AlignedPair(pair[0], pair[1], links, similarity[rows, cols].tolist())


def _resolve_scorer(scorer: str | None, metadata: dict, model, layer: int | None) -> str:
    """``scorer`` checked against the model, or the model's own when ``None``."""
    is_span_model = metadata.get("scorer") == "span"
    if scorer is None:
        scorer = "span" if is_span_model else "similarity"
    if scorer not in SCORERS:
        raise ConfigError(f"scorer must be one of {', '.join(SCORERS)}, not {scorer!r}")
    if scorer == "span":
        if not is_span_model:
            raise ConfigError(f"--scorer span needs a checkpoint made by `wordalign train-span`; "
                              f"{model or 'the embedded encoder'} is not one")
        if layer is not None:
            raise ConfigError("--layer chooses word vectors for the similarity scorer; a span model has none to choose")
    return scorer
