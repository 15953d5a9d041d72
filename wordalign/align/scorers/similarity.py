"""The similarity scorer: cosines of contextual word vectors, centered per pair."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...encoding.encoder import WordEncoder
from ...errors import ConfigError
from .base import PairScores

CENTERINGS = ("sentence", "pair", "none")
# What the matrix's rows and columns are: words (subword vectors averaged) or the subwords
# themselves, with a word pair linked when any of their subwords are.
LEVELS = ("word", "subword")


def check_centering(centering: str) -> str:
    """Return ``centering`` if it is one of :data:`CENTERINGS`, else raise :class:`ConfigError`."""
    if centering not in CENTERINGS:
        raise ConfigError(f"centering must be one of {', '.join(CENTERINGS)}, not {centering!r}")
    return centering


def word_norms(src: np.ndarray, tgt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Euclidean norms of the source and target word vectors (word masses for OT extractors)."""
    return np.linalg.norm(src, axis=1), np.linalg.norm(tgt, axis=1)


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def cosine_similarity(src: np.ndarray, tgt: np.ndarray, centering: str = "pair") -> np.ndarray:
    """``S[i, j] = cos(x_i - m_x, y_j - m_y)`` for source word vectors ``x`` and target ``y``.

    Parameters
    ----------
    src, tgt : numpy.ndarray
        ``(n, d)`` and ``(m, d)`` word vectors.
    centering : {"sentence", "pair", "none"}
        What is subtracted first. ``sentence``: each sentence's mean word vector (for a
        sentence of two words or more; a single word has no contrast to keep). ``pair``: the
        mean over both sentences' words. ``none``: plain cosine.

    Notes
    -----
    Contextual embeddings share a large common direction (anisotropy), so raw cosines of
    unrelated words are high and close together. Removing a local mean (a per-sentence form
    of the centering of Mu & Viswanath 2018, "All-but-the-Top") spreads them out; it is
    computed from the pair alone, so results do not depend on batching. A zero vector
    (a word its tokenizer could not encode, see :func:`encoded_words`) takes no part in the
    means and has similarity 0 to everything.
    """
    check_centering(centering)
    src_ok, tgt_ok = encoded_words(src, tgt)
    if not (src_ok.all() and tgt_ok.all()):
        matrix = np.zeros((len(src), len(tgt)))
        if src_ok.any() and tgt_ok.any():
            matrix[np.ix_(src_ok, tgt_ok)] = cosine_similarity(src[src_ok], tgt[tgt_ok], centering)
        return matrix
    if centering == "sentence":
        src = src - src.mean(axis=0) if len(src) > 1 else src
        tgt = tgt - tgt.mean(axis=0) if len(tgt) > 1 else tgt
    elif centering == "pair":
        mean = np.concatenate([src, tgt]).mean(axis=0)
        src, tgt = src - mean, tgt - mean
    return _unit_rows(src) @ _unit_rows(tgt).T


def encoded_words(src: np.ndarray, tgt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which source and target words have a vector: a word whose pieces carry nothing (none at
    all, or only ``<unk>`` or a bare ``▁``: a control character, a space of another script) has
    a zero vector (:class:`~wordalign.encoding.tokenization.SubwordMapper`)."""
    return np.abs(src).sum(axis=1) > 0, np.abs(tgt).sum(axis=1) > 0


class SimilarityScorer:
    """Cosine similarities of contextual word vectors (Jalili Sabet et al. 2020).

    Parameters
    ----------
    model : str or path, optional
        As for :class:`~wordalign.encoding.encoder.WordEncoder`.
    layer : int, optional
        Hidden-state index of the word vectors (the model's default when None).
    centering : {"sentence", "pair", "none"}
        See :func:`cosine_similarity`.
    word_weights : bool
        Also return the word-vector norms, for extractors that take word weights (OT's ``marginals=norm``).
    level : {"word", "subword"}
        ``word``: the matrix is over words, each the mean of its subword vectors. ``subword``:
        over the subwords themselves (SimAlign's "bpe" level; the punctuation pieces of a word
        with other pieces left out, see :meth:`WordEncoder.embed_subwords`), with each row and
        column's word in :attr:`PairScores.owners`; the aligner links two words when any of
        their subwords are.
    device, dtype, batch_size, max_length
        As for :class:`~wordalign.encoding.encoder.WordEncoder`.

    References
    ----------
    Jalili Sabet, Dufter, Yvon & Schütze (2020). SimAlign. Findings of EMNLP.
    """

    name = "similarity"

    def __init__(self, model=None, *, layer: int | None = None, centering: str = "pair", word_weights: bool = False,
                 level: str = "word", device: str = "auto", dtype: str = "auto", batch_size: int = 32,
                 max_length: int | None = None):
        self.centering = check_centering(centering)
        if level not in LEVELS:
            raise ConfigError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
        self.word_weights, self.level = word_weights, level
        self.encoder = WordEncoder(model, layer=layer, device=device, dtype=dtype, batch_size=batch_size,
                                   max_length=max_length)

    @property
    def runtime(self):
        return self.encoder.runtime

    @property
    def device(self) -> str:
        return self.encoder.device

    @property
    def tokenizer(self):
        return self.encoder.mapper.tokenizer

    @property
    def windowed_sentences(self) -> int:
        return self.encoder.windowed_sentences

    @property
    def signature(self) -> str:
        level = "" if self.level == "word" else f"|level:{self.level}"
        return f"scorer:{self.name}|layer:{self.encoder.layer}|centering:{self.centering}{level}"

    def score_batch(self, pairs: Sequence[tuple[Sequence[str], Sequence[str]]]) -> list[PairScores]:
        """The :func:`cosine_similarity` matrix of each pair, all sentences encoded in shared batches;
        a word without a vector (:func:`encoded_words`) is not linkable."""
        sentences = [src for src, _ in pairs] + [tgt for _, tgt in pairs]
        if self.level == "subword":
            return self._subword_scores(sentences, len(pairs))
        vectors = self.encoder.embed(sentences)
        return [PairScores(cosine_similarity(src, tgt, self.centering),
                           word_norms(src, tgt) if self.word_weights else None, encoded_words(src, tgt))
                for src, tgt in zip(vectors[: len(pairs)], vectors[len(pairs) :])]

    def _subword_scores(self, sentences, n_pairs: int) -> list[PairScores]:
        """The cosines of every subword pair, centered over the pair's subwords."""
        pieces = self.encoder.embed_subwords(sentences)
        scores = []
        for (src, src_owner), (tgt, tgt_owner), src_words, tgt_words in zip(
                pieces[:n_pairs], pieces[n_pairs:], sentences[:n_pairs], sentences[n_pairs:]):
            scores.append(PairScores(cosine_similarity(src, tgt, self.centering),
                                     word_norms(src, tgt) if self.word_weights else None,
                                     owners=(src_owner, tgt_owner), words=(len(src_words), len(tgt_words))))
        return scores
