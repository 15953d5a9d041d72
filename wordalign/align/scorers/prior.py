"""Priors for a supervised head: link probabilities from word-vector similarity alone.

A trained head's probabilities are blended with one of these (:func:`~.span.blend`): the
similarities of the checkpoint's own word vectors at one of its layers, or those of the default
unsupervised aligner (:class:`DefaultAlignerPrior`), which the head's training has not moved.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...extractors import get_extractor
from ...extractors.softmax import directional_probabilities
from ..presets import DEFAULT_LEVEL, SETTING_PARAMS, setting_model
from .base import PairScores
from .similarity import SimilarityScorer

# The name a prior "layer" takes for the default aligner's probabilities (beside the layer
# numbers of the checkpoint's own word vectors).
DEFAULT_PRIOR = "default"


def link_prior(similarity: np.ndarray, temperature: float, distortion: float = 0.0) -> np.ndarray:
    """Link probabilities of a similarity matrix: both directions of the ``softmax`` extractor.

    ``P[i, j] = sqrt(softmax_j(S')[i, j] · softmax_i(S')[i, j])`` with ``S' = (S - k D) / T``,
    ``D`` the distance from the diagonal
    (:func:`~wordalign.extractors.distortion.diagonal_distance`): the geometric mean of the
    two directional probabilities that the ``softmax`` extractor cuts at its threshold.

    Parameters
    ----------
    similarity : numpy.ndarray
        ``(n, m)`` similarities ``S``.
    temperature : float
        ``T``.
    distortion : float
        ``k``; 0 turns it off.

    Returns
    -------
    numpy.ndarray
        ``(n, m)`` values in ``[0, 1]``.

    References
    ----------
    Dou & Neubig (2021). Word Alignment by Fine-tuning Embeddings on Parallel Corpora. EACL.
    """
    forward, reverse = directional_probabilities(similarity, temperature, distortion)
    return np.sqrt(forward * reverse).astype(np.float32)


class DefaultAlignerPrior:
    """The default bilingual aligner's link probabilities, per word pair.

    Its encoder, level, and ``softmax`` temperature and distortion (:mod:`~wordalign.align.presets`),
    as :func:`link_prior`; over subwords, a word pair takes its best subword pair's probability.
    Unlike a checkpoint's own layers, these vectors were not moved by training the head on a few
    hundred pairs, and they carry the alignment tuning of the default encoder.

    Parameters
    ----------
    device, dtype, batch_size
        As for :class:`~wordalign.align.scorers.similarity.SimilarityScorer`.
    """

    def __init__(self, device: str = "auto", dtype: str = "auto", batch_size: int = 32):
        setting = "bilingual"
        params = {**get_extractor("softmax").defaults, **SETTING_PARAMS[setting].get("softmax", {})}
        self.temperature, self.distortion = params["temperature"], params["distortion"]
        self.scorer = SimilarityScorer(setting_model(setting, None), level=DEFAULT_LEVEL[setting], device=device,
                                       dtype=dtype, batch_size=batch_size)

    def __call__(self, pairs: Sequence[tuple[Sequence[str], Sequence[str]]]) -> list[np.ndarray]:
        """The ``(len(src), len(tgt))`` prior of each pair."""
        return [PairScores(link_prior(scores.matrix, self.temperature, self.distortion), owners=scores.owners,
                           words=scores.words).word_matrix.astype(np.float32)
                for scores in self.scorer.score_batch(pairs)]
