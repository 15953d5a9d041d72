"""The scorer protocol: what the aligner asks of any scorer, and what it gets back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ...encoding.runtime import Runtime


@dataclass(frozen=True)
class PairScores:
    """The matrix an extractor reads for one pair, and word weights where it wants them.

    Attributes
    ----------
    matrix : numpy.ndarray
        ``(source words, target words)`` scores: cosine similarities or link probabilities.
    word_weights : tuple of numpy.ndarray, optional
        Source and target word weights (word-vector norms) for extractors that take them.
    linkable : tuple of numpy.ndarray, optional
        Source and target boolean masks of the words that may have links (None: all); the
        scorer has nothing to say about the others, so no extractor's choice counts for them.
    owners : tuple of numpy.ndarray, optional
        For a matrix over subwords rather than words: the word of each source row and target
        column. Two words are linked when any of their subwords are.
    words : tuple of int, optional
        With ``owners``: the number of source and target words.
    """

    matrix: np.ndarray
    word_weights: tuple[np.ndarray, np.ndarray] | None = None
    linkable: tuple[np.ndarray, np.ndarray] | None = None
    owners: tuple[np.ndarray, np.ndarray] | None = None
    words: tuple[int, int] | None = None

    @property
    def word_matrix(self) -> np.ndarray:
        """The scores per word pair: ``matrix`` itself, or for subwords the best of each word pair's
        subword scores (0 where a word has no subword, as a word without a vector has)."""
        if self.owners is None:
            return self.matrix
        best = np.full(self.words, -np.inf)
        rows, cols = np.meshgrid(*self.owners, indexing="ij")
        np.maximum.at(best, (rows, cols), self.matrix)
        return np.where(np.isinf(best), 0.0, best)


class Scorer(Protocol):
    """Scores the word pairs of sentence pairs; what :class:`~wordalign.align.aligner.Aligner` needs."""

    name: str
    runtime: Runtime  # device, dtype, batch size
    device: str
    windowed_sentences: int  # sentences encoded in windows (or cut to fit) so far
    tokenizer: object  # the model's fast tokenizer

    @property
    def signature(self) -> str:
        """This scorer's part of the reproducibility signature (:func:`~wordalign.align.config.signature`)."""

    def score_batch(self, pairs: Sequence[tuple[Sequence[str], Sequence[str]]]) -> list[PairScores]:
        """One :class:`PairScores` per pair; both sides of every pair have words."""
