"""Argmax extraction (Jalili Sabet et al. 2020, SimAlign)."""

from __future__ import annotations

import numpy as np

from typing import Annotated

from .directions import DIRECTIONS, combine_directions
from .registry import OneOf


def forward_argmax(similarity: np.ndarray) -> np.ndarray:
    """Link each source word ``i`` to ``argmax_j S[i, j]``."""
    links = np.zeros(similarity.shape, dtype=bool)
    links[np.arange(similarity.shape[0]), similarity.argmax(axis=1)] = True
    return links


def reverse_argmax(similarity: np.ndarray) -> np.ndarray:
    """Link each target word ``j`` to ``argmax_i S[i, j]``."""
    return forward_argmax(similarity.T).T


def argmax(similarity: np.ndarray, *, direction: Annotated[str, OneOf(DIRECTIONS)] = "intersection") -> np.ndarray:
    """Links where a word is the most similar to its partner: forward, reverse, or both.

    ``A = {(i, j) : j = argmax_j' S[i, j'] and i = argmax_i' S[i', j]}`` for ``intersection``;
    ``forward`` keeps the first condition only, ``reverse`` the second, ``union`` either; the
    growing heuristics start from the intersection (:func:`wordalign.symmetrize.symmetrize`).

    Parameters
    ----------
    similarity : numpy.ndarray
        ``(n, m)`` word similarities ``S``.
    direction : str
        Which argmax conditions a link must meet. ``intersection``, ``forward``, ``reverse``,
        ``union``, or a growing heuristic: ``grow-diag``, ``grow-diag-final``,
        ``grow-diag-final-and`` (``gdfa``).

    References
    ----------
    Jalili Sabet, Dufter, Yvon & Schütze (2020). SimAlign: High Quality Word Alignments
    without Parallel Training Data using Static and Contextualized Embeddings. Findings of EMNLP.
    """
    return combine_directions(forward_argmax(similarity), reverse_argmax(similarity), direction, "argmax")
