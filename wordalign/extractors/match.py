"""Maximum-weight bipartite matching (Jalili Sabet et al. 2020, SimAlign "Match")."""

from __future__ import annotations

from typing import Annotated

import numpy as np

from .registry import Range


def match(similarity: np.ndarray, *, min_similarity: Annotated[float, Range(-1, 1)] = 0.2) -> np.ndarray:
    """One-to-one links maximizing the summed similarity (the Hungarian algorithm).

    ``A = argmax_{M matching} sum_{(i, j) in M} S[i, j]``, then links with
    ``S[i, j] < min_similarity`` are dropped. Every word of the shorter side is linked
    unless dropped.

    Parameters
    ----------
    similarity : numpy.ndarray
        ``(n, m)`` word similarities ``S``.
    min_similarity : float
        Matched pairs less similar than this are not linked.

    References
    ----------
    Jalili Sabet et al. (2020), SimAlign, Findings of EMNLP; Kuhn (1955), The Hungarian
    method for the assignment problem.
    """
    from scipy.optimize import linear_sum_assignment  # 0.4 s to import: only when used

    rows, cols = linear_sum_assignment(similarity, maximize=True)
    links = np.zeros(similarity.shape, dtype=bool)
    keep = similarity[rows, cols] >= min_similarity
    links[rows[keep], cols[keep]] = True
    return links
