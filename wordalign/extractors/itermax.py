"""Iterative argmax (Jalili Sabet et al. 2020, SimAlign "Itermax")."""

from __future__ import annotations

import numpy as np

from typing import Annotated

from .argmax import argmax
from .registry import Range


def itermax(similarity: np.ndarray, *, iterations: Annotated[int, Range(1)] = 2,
            alpha: Annotated[float, Range(0, 1, open_low=True)] = 0.8) -> np.ndarray:
    """Mutual argmax, repeated to give still-unaligned words a second chance.

    Round 1 is the argmax intersection. In each later round, with ``u_i``/``u_j`` = 1 for a
    word that has no link yet, the similarity (rescaled to ``[0, 1]`` as ``(S + 1) / 2``) is
    weighted by ``w_ij = min(1, alpha * (u_i + u_j))`` and the mutual argmax of the weighted
    matrix adds links between pairs with at least one unaligned word. Stops early when a
    round adds nothing, or when one side has no unaligned word left.

    Parameters
    ----------
    similarity : numpy.ndarray
        ``(n, m)`` word similarities ``S`` (cosines in ``[-1, 1]``).
    iterations : int
        Rounds, the first included.
    alpha : float
        Weight of a pair with one unaligned word in later rounds (two give ``min(1, 2 alpha)``).

    References
    ----------
    Jalili Sabet, Dufter, Yvon & Schütze (2020). SimAlign, Findings of EMNLP, §2.3.
    """
    links = argmax(similarity, direction="intersection")
    if min(similarity.shape) <= 2:
        return links
    positive = (similarity + 1.0) / 2.0
    for _ in range(iterations - 1):
        free_src = ~links.any(axis=1)
        free_tgt = ~links.any(axis=0)
        if not free_src.any() or not free_tgt.any():
            break
        weight = np.minimum(1.0, alpha * (free_src[:, None].astype(float) + free_tgt[None, :]))
        candidates = argmax(positive * weight, direction="intersection") & (weight > 0)
        added = candidates & ~links
        if not added.any():
            break
        links |= added
    return links
