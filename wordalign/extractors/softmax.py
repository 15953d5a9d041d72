"""Softmax-threshold extraction (Dou & Neubig 2021, awesome-align)."""

from __future__ import annotations

import numpy as np

from typing import Annotated

from .directions import DIRECTIONS, combine_directions
from .distortion import Distortion, diagonal_distance
from .registry import OneOf, Range


def softmax(values: np.ndarray, axis: int) -> np.ndarray:
    """Numerically stable softmax along ``axis``."""
    shifted = np.exp(values - values.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def softmax_threshold(similarity: np.ndarray, *, temperature: Annotated[float, Range(0, open_low=True)] = 0.07,
                      threshold: Annotated[float, Range(0, 1, open_high=True)] = 0.25,
                      direction: Annotated[str, OneOf(DIRECTIONS)] = "intersection",
                      distortion: Distortion = 0.0) -> np.ndarray:
    """Links whose probability exceeds a threshold: in both directions, in one, or in either.

    ``P_fwd = softmax_j((S - k D) / T)``, ``P_rev = softmax_i((S - k D) / T)``, with ``D`` the
    distance of each cell from the diagonal
    (:func:`~wordalign.extractors.distortion.diagonal_distance`);
    ``A = {(i, j) : P_fwd[i, j] > c and P_rev[i, j] > c}`` for ``intersection``; ``forward``
    keeps the first condition only, ``reverse`` the second, ``union`` either. awesome-align
    applies the intersection to dot products of raw hidden states with ``T = 1``,
    ``c = 0.001``, ``k = 0``; on centered cosine similarities ``T = 0.07``, ``c = 0.25`` did
    best on tuning data (benchmarks/sweep.py), and on the tuned default's subword similarities
    ``k = 0.2``, the bilingual setting's value (benchmarks/sweep_softmax.py). ``union`` makes
    the self-training targets of ``wordalign finetune`` (see
    :data:`wordalign.train.finetune.GUIDE_DEFAULTS`).

    Parameters
    ----------
    similarity : numpy.ndarray
        ``(n, m)`` word similarities ``S``.
    temperature : float
        ``T``; lower is sharper. Must be positive.
    threshold : float
        ``c``, the probability a link must exceed.
    direction : str
        Which directional conditions a link must meet. ``intersection``, ``forward``, ``reverse``,
        ``union``, or a growing heuristic: ``grow-diag``, ``grow-diag-final``,
        ``grow-diag-final-and`` (``gdfa``).
    distortion : float
        ``k``, the similarity a link loses per unit of distance from the diagonal: among
        similar candidates, the one in the expected place wins. 0 turns it off.

    References
    ----------
    Dou & Neubig (2021). Word Alignment by Fine-tuning Embeddings on Parallel Corpora. EACL.
    """
    forward, reverse = directional_probabilities(similarity, temperature, distortion)
    return combine_directions(forward > threshold, reverse > threshold, direction, "softmax")


def directional_probabilities(similarity: np.ndarray, temperature: float,
                              distortion: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """``P_fwd = softmax_j((S - k D) / T)`` and ``P_rev = softmax_i((S - k D) / T)``: what
    :func:`softmax_threshold` cuts (its Parameters name ``S``, ``T`` and ``k``)."""
    if distortion:
        similarity = similarity - distortion * diagonal_distance(similarity.shape)
    scaled = similarity / temperature
    return softmax(scaled, axis=1), softmax(scaled, axis=0)
