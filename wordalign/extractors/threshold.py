"""Links whose score reaches a threshold: the extractor of span-prediction probabilities."""

from __future__ import annotations

from typing import Annotated

import numpy as np

from .registry import Range


def threshold_links(scores: np.ndarray, *, threshold: Annotated[float, Range(0, 1, open_low=True)] = 0.4) -> np.ndarray:
    """Links whose score is at least a threshold (span-prediction probabilities).

    ``A = {(i, j) : M[i, j] >= c}``. On the averaged probabilities of both span directions,
    Nagata et al. (2020) take ``c = 0.4``; ``wordalign train-span`` tunes ``c`` on dev data and
    stores it in the checkpoint, which then overrides this default.

    Parameters
    ----------
    scores : numpy.ndarray
        ``(n, m)`` link probabilities ``M``.
    threshold : float
        ``c``.

    References
    ----------
    Nagata, Chousa & Nishino (2020). A Supervised Word Alignment Method based on
    Cross-Language Span Prediction using Multilingual BERT. EMNLP.
    """
    return scores >= threshold
