"""Scorer + extractor → word alignments of sentence pairs."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from itertools import islice

import numpy as np

from ..encoding.models import checkpoint_metadata, model_identity
from ..encoding.tokenization import SubwordMapper
from ..errors import ConfigError, InputError
from ..extractors import bind, get_extractor
from ..extractors.registry import resolve_params
from ..io.words import split_words
from ..options import build
from ..segment.split import Segmenter
from ..types import AlignedPair
from .config import AlignConfig, signature
from .presets import SPAN_EXTRACTOR, resolve_extractor, resolve_level, setting_model
from .scorers import SCORERS, SUPERVISED, PairScores, SimilarityScorer

# Chosen on the train/dev splits of the five bilingual sets (benchmarks/sweep.py).
DEFAULT_CENTERING = "pair"
CHUNK_PAIRS = 256


class Aligner:
    """Aligns sentence pairs (pre-tokenized, or raw with ``tokenize``) with a scorer and an extractor.

    Parameters
    ----------
    model : str or path, optional
        A local Hugging Face model directory, ``"embedded"`` (the alignment-tuned embedded
        encoder) or ``"embedded-base"`` (before tuning); ``None`` for the setting's
        (:data:`~wordalign.align.presets.DEFAULT_MODEL`).
    config : AlignConfig, optional
        A whole configuration; ``model`` and keyword options given too override its fields.
    **options
        The fields of :class:`~wordalign.align.config.AlignConfig`: ``scorer`` (``similarity``,
        or ``span`` for a ``wordalign train-span`` checkpoint; default: the model's), ``layer``,
        ``extractor`` and ``extractor_params`` (over the setting's defaults, see
        :mod:`wordalign.align.presets`; strings are converted to the parameter's type),
        ``setting``, ``centering`` (similarity scorer only; default :data:`DEFAULT_CENTERING`),
        ``level`` (``subword``: the extractor reads subword similarities), ``device``, ``dtype``,
        ``batch_size``, ``max_length``, ``tokenize`` (strings are raw text, split by
        :class:`~wordalign.segment.split.Segmenter`; the words keep their character offsets),
        ``src_lang``, ``tgt_lang`` (which segmenter splits Han text).

    Attributes
    ----------
    scorer : Scorer
        What fills each pair's matrix (:mod:`wordalign.align.scorers`).
    signature : str
        How this aligner aligns, in one line (:func:`~wordalign.align.config.signature`).

    Examples
    --------
    >>> aligner = Aligner()                                   # doctest: +SKIP
    >>> aligner.align("Das Haus ist klein", "The house is small").links   # doctest: +SKIP
    [(0, 0), (1, 1), (2, 2), (3, 3)]
    """

    def __init__(self, model=None, *, config: AlignConfig | None = None, **options):
        if model is not None:
            options["model"] = model
        base = {} if config is None else {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}
        config = build(AlignConfig, {**base, **options})
        self.config = config = dataclasses.replace(config, model=setting_model(config.setting, config.model))
        metadata = checkpoint_metadata(config.model)
        scorer = _resolve_scorer(config.scorer, metadata, config.model, config.layer)
        span = scorer.name in SUPERVISED
        self.extractor, self.extractor_params = resolve_extractor(config.setting, config.extractor,
                                                                  config.extractor_params, span)
        if span and self.extractor == SPAN_EXTRACTOR and "threshold" in metadata:
            self.extractor_params = {"threshold": metadata["threshold"], **self.extractor_params}
        self.extract = bind(self.extractor, self.extractor_params)  # fails on a bad name before loading
        runtime = {"device": config.device, "dtype": config.dtype, "batch_size": config.batch_size,
                   "max_length": config.max_length}
        if span:
            if config.centering is not None:
                raise ConfigError("--centering shapes the cosines of the similarity scorer; a span model has none")
            if config.level not in (None, "word"):
                raise ConfigError("--level subword reads subword cosines of the similarity scorer; a span model "
                                  "scores words")
            self.scorer = scorer(config.model, **runtime)
        else:
            self.scorer = SimilarityScorer(
                config.model, layer=config.layer, centering=config.centering or DEFAULT_CENTERING,
                word_weights=get_extractor(self.extractor).takes_word_weights,
                level=resolve_level(config.setting, config.level), **runtime)

    @property
    def signature(self) -> str:
        from .. import __version__

        config = self.config
        words = (f"tokenize(src_lang={config.src_lang or 'auto'},tgt_lang={config.tgt_lang or 'auto'})"
                 if config.tokenize else "")
        return signature(__version__, model_identity(config.model), self.scorer.signature, self.extractor,
                         resolve_params(self.extractor, self.extractor_params), self.scorer.runtime.dtype_name, words)

    @cached_property
    def segmenters(self) -> tuple[Segmenter, Segmenter]:
        """How raw source and target text is split into words (``tokenize``); a run of a script
        without spaces and without a segmenter (Thai, Khmer, ...) is cut into the encoder's
        subword pieces."""
        pieces = SubwordMapper(self.scorer.tokenizer).piece_spans
        return Segmenter(self.config.src_lang, pieces), Segmenter(self.config.tgt_lang, pieces)

    def align(self, src: str | Sequence[str], tgt: str | Sequence[str], tokenize: bool | None = None) -> AlignedPair:
        """Align one pair (see :meth:`align_batch`)."""
        return self.align_batch([(src, tgt)], tokenize)[0]

    def align_batch(self, pairs: Sequence[tuple[str | Sequence[str], str | Sequence[str]]],
                    tokenize: bool | None = None) -> list[AlignedPair]:
        """Align a list of pairs, encoding all their sentences in shared batches.

        A side given as a list is its words. A string is split on spaces, or with ``tokenize``
        (default: the aligner's ``tokenize`` option) treated as raw text and split by
        :attr:`segmenters`; its words are then :class:`~wordalign.segment.split.Word` strings that
        carry their ``[start, end)`` offsets in the string.
        """
        tokenize = self.config.tokenize if tokenize is None else tokenize
        pairs = [_pair(pair, self.segmenters if tokenize else None) for pair in pairs]
        live = [k for k, (src, tgt) in enumerate(pairs) if src and tgt]
        results = [AlignedPair(src, tgt) for src, tgt in pairs]
        try:
            scored = self.scorer.score_batch([pairs[k] for k in live])
        except InputError as exc:
            if exc.pair is None:
                raise
            raise InputError(exc.reason, pair=live[exc.pair]) from None  # its index among ``pairs``
        for k, scores in zip(live, scored):
            rows, cols = np.nonzero(extract_links(self.extract, scores))  # row-major: sorted
            results[k] = AlignedPair(*pairs[k], list(zip(rows.tolist(), cols.tolist())),
                                     scores.word_matrix[rows, cols].tolist())
        return results

    def align_stream(self, pairs: Iterable[tuple[str | Sequence[str], str | Sequence[str]]],
                     chunk_size: int = CHUNK_PAIRS) -> Iterator[AlignedPair]:
        """Align pairs lazily, in input order, holding ``chunk_size`` pairs at a time."""
        if chunk_size < 1:
            raise ConfigError(f"chunk_size must be at least 1, not {chunk_size}")
        iterator = iter(pairs)
        while chunk := list(islice(iterator, chunk_size)):
            yield from self.align_batch(chunk)


def extract_links(extract, scores: PairScores) -> np.ndarray:
    """A pair's ``(source words, target words)`` boolean links: ``extract`` run on its scores.

    Where some words have no vector, the extractor runs on the others alone, so that those
    words neither get links nor take part in the competition for them. On a subword matrix
    (``scores.owners``), two words are linked when any of their subwords are.

    Parameters
    ----------
    extract : callable
        ``extract(matrix, word_weights) -> bool matrix``, a bound extractor
        (:func:`~wordalign.extractors.bind`).
    scores : PairScores
        What a scorer returned for the pair.
    """
    if scores.owners is not None:
        links = np.zeros(scores.words, dtype=bool)
        if scores.matrix.size:  # else a side none of whose words has a subword vector
            rows, cols = np.nonzero(extract(scores.matrix, scores.word_weights))
            links[scores.owners[0][rows], scores.owners[1][cols]] = True
        return links
    if scores.linkable is None or (scores.linkable[0].all() and scores.linkable[1].all()):
        return extract(scores.matrix, scores.word_weights)
    src_ok, tgt_ok = scores.linkable
    links = np.zeros(scores.matrix.shape, dtype=bool)
    if src_ok.any() and tgt_ok.any():
        weights = None if scores.word_weights is None else (scores.word_weights[0][src_ok],
                                                             scores.word_weights[1][tgt_ok])
        links[np.ix_(src_ok, tgt_ok)] = extract(scores.matrix[np.ix_(src_ok, tgt_ok)], weights)
    return links


def _words(side: str | Sequence[str], segmenter: Segmenter | None) -> list[str]:
    if isinstance(side, str):
        return split_words(side) if segmenter is None else segmenter(side)
    words = list(side)
    if not all(isinstance(word, str) for word in words):
        raise ConfigError(f"a side of a pair is a string or a sequence of words (strings), not {side!r}")
    return words


def _pair(pair, segmenters: tuple[Segmenter, Segmenter] | None) -> tuple[list[str], list[str]]:
    """A ``(source, target)`` pair as two lists of words; strings split by ``segmenters`` if given."""
    try:
        if isinstance(pair, str):
            raise ValueError(pair)
        src, tgt = pair
    except (TypeError, ValueError):
        raise ConfigError(f"a pair is (source, target), not {pair!r}") from None
    src_segmenter, tgt_segmenter = segmenters or (None, None)
    return _words(src, src_segmenter), _words(tgt, tgt_segmenter)


def _resolve_scorer(scorer: str | None, metadata: dict, model, layer: int | None) -> type:
    """The scorer class ``scorer`` names, checked against the model; the model's own when None."""
    trained = metadata.get("scorer") if metadata.get("scorer") in SUPERVISED else None
    name = scorer or trained or SimilarityScorer.name
    if name not in SCORERS:
        raise ConfigError(f"scorer must be one of {', '.join(SCORERS)}, not {name!r}")
    if name in SUPERVISED:
        if name != trained:
            what = f"a {trained} checkpoint" if trained else "not one"
            raise ConfigError(f"--scorer {name} needs a checkpoint made by `wordalign train-span --head {name}`; "
                              f"{model or 'the embedded encoder'} is {what}")
        if layer is not None:
            raise ConfigError("--layer chooses word vectors for the similarity scorer; a span model has none to choose")
    return SCORERS[name]
