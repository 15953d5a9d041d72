"""The distortion term: how far a link lies from the diagonal of its matrix."""

from __future__ import annotations

from typing import Annotated

import numpy as np

from .registry import Range

# How strongly an extractor prefers links near the diagonal; 0 turns the preference off.
Distortion = Annotated[float, Range(0)]


def diagonal_distance(shape: tuple[int, int]) -> np.ndarray:
    """``D[i, j] = |(i + 1/2) / n - (j + 1/2) / m|``, the distance between the relative positions
    of row ``i`` and column ``j`` (each taken at the middle of its slot, so both ends of the
    sentences count alike).

    Translations keep much of their word order, so among similar candidates the one near the
    diagonal is more often right: the second ``de`` of a sentence for its second ``of``.

    Parameters
    ----------
    shape : tuple of int
        ``(n, m)``, the matrix's rows and columns.

    References
    ----------
    Arase, Bao & Yokoi (2023). Unbalanced Optimal Transport for Unbalanced Word Alignment. ACL.
    """
    n, m = shape
    return np.abs((np.arange(n) + 0.5)[:, None] / n - (np.arange(m) + 0.5)[None, :] / m)
