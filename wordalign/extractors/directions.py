"""How an extractor's two directional link sets combine into one (its ``direction`` parameter)."""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError

DIRECTIONS = ("intersection", "forward", "reverse", "union")


def combine_directions(forward: np.ndarray, reverse: np.ndarray, direction: str, extractor: str) -> np.ndarray:
    """``forward & reverse``, ``forward``, ``reverse`` or ``forward | reverse``, by ``direction``."""
    if direction not in DIRECTIONS:
        raise ConfigError(f"{extractor} direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    if direction == "forward":
        return forward
    if direction == "reverse":
        return reverse
    return forward | reverse if direction == "union" else forward & reverse
