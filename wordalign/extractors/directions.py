"""How an extractor's two directional link sets combine into one (its ``direction`` parameter)."""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from ..symmetrize import symmetrize

# The growing heuristics of Koehn et al. (2005), as ``wordalign symmetrize`` applies them.
GROWING = ("grow-diag", "grow-diag-final", "grow-diag-final-and", "gdfa")
DIRECTIONS = ("intersection", "forward", "reverse", "union", *GROWING)


def combine_directions(forward: np.ndarray, reverse: np.ndarray, direction: str, extractor: str) -> np.ndarray:
    """``forward & reverse``, ``forward``, ``reverse``, ``forward | reverse``, or a growing
    heuristic of :func:`wordalign.symmetrize.symmetrize` from the intersection towards the union."""
    if direction not in DIRECTIONS:
        raise ConfigError(f"{extractor} direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    if direction == "forward":
        return forward
    if direction == "reverse":
        return reverse
    if direction in GROWING:
        links = np.zeros(forward.shape, dtype=bool)
        grown = symmetrize(zip(*np.nonzero(forward)), zip(*np.nonzero(reverse)), direction)
        if grown:
            links[tuple(np.array(sorted(grown)).T)] = True
        return links
    return forward | reverse if direction == "union" else forward & reverse
