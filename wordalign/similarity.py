"""Word-by-word similarity matrices."""

from __future__ import annotations

import numpy as np

from .errors import ConfigError

CENTERINGS = ("sentence", "pair", "none")


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
    (a word its tokenizer could not encode) has similarity 0 to everything.
    """
    if check_centering(centering) == "sentence":
        src = src - src.mean(axis=0) if len(src) > 1 else src
        tgt = tgt - tgt.mean(axis=0) if len(tgt) > 1 else tgt
    elif centering == "pair":
        mean = np.concatenate([src, tgt]).mean(axis=0)
        src, tgt = src - mean, tgt - mean
    return _unit_rows(src) @ _unit_rows(tgt).T
