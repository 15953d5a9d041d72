"""The alignment delta: what turns the embedded base encoder into the alignment-tuned default.

A safetensors file holding, for every parameter that fine-tuning changed, the difference
``tuned - base``. Matrices are stored in 4 bits: each row is cut into groups of
:data:`GROUP` values, each group has one float16 scale ``s = max|d| / 7`` and its values are
``round(d / s)`` in ``-7..7``, two to a byte (``q + 8``, low nibble first). Vectors (biases,
LayerNorm) are stored as float16. The file is written by :func:`wordalign.train.delta.write_delta`
(``benchmarks/tuned_default.py`` runs it) and applied once, when the embedded encoder is
converted into the cache.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from ...errors import ModelError

FORMAT = "wordalign-delta-q4"
GROUP = 64
LEVELS = 7  # values -7..7: symmetric, so a zero difference stays exactly zero
SHIPPED_DELTA = Path(__file__).resolve().parent / "aligned-delta.safetensors"
# Suffixes of a matrix's two tensors in the file.
PACKED, SCALES = ".q4", ".scale"


@lru_cache(maxsize=4)
def delta_digest(path: Path) -> str:
    """SHA-256 of a delta file, hex; the cache key and the signature use its start (read once per process)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def unpack(packed: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """Float32 matrix from its packed nibbles ``(rows, cols / 2)`` and scales ``(rows, cols / GROUP)``."""
    low, high = (packed & 0x0F).astype(np.int8) - 8, (packed >> 4).astype(np.int8) - 8
    values = np.empty((packed.shape[0], packed.shape[1] * 2), dtype=np.float32)
    values[:, 0::2], values[:, 1::2] = low, high
    return values * np.repeat(scales.astype(np.float32), GROUP, axis=1)


def read_delta_record(path: Path) -> dict:
    """The record of a delta file (base digest, layer, training settings), without its tensors.

    Raises
    ------
    ModelError
        The file is missing, damaged or not a delta.
    """
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), framework="numpy") as handle:
            header = handle.metadata() or {}
        if header.get("format") != FORMAT:
            raise ValueError(f"format {header.get('format')!r}, expected {FORMAT!r}")
        return json.loads(header["record"])
    except (OSError, ValueError, KeyError, SafetensorError) as exc:
        raise ModelError(f"{path}: not a readable alignment delta ({exc}); reinstall wordalign") from None


def read_delta(path: Path) -> dict[str, np.ndarray]:
    """The differences of a delta file as float32 arrays by parameter name.

    Raises
    ------
    ModelError
        The file is missing, damaged or not a delta.
    """
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    read_delta_record(path)
    try:
        tensors = load_file(str(path))
    except (OSError, SafetensorError) as exc:
        raise ModelError(f"{path}: not a readable alignment delta ({exc}); reinstall wordalign") from None
    deltas = {}
    for name, array in tensors.items():
        if name.endswith(PACKED):
            base = name[: -len(PACKED)]
            deltas[base] = unpack(array, tensors[base + SCALES])
        elif not name.endswith(SCALES):
            deltas[name] = array.astype(np.float32)
    return deltas


def apply_delta(state: dict[str, np.ndarray], path: Path) -> None:
    """Add a delta file's differences to a state dict of float32 arrays, in place.

    Raises
    ------
    ModelError
        The delta names a parameter the state lacks, or one of another shape.
    """
    for name, delta in read_delta(path).items():
        if name not in state or state[name].shape != delta.shape:
            raise ModelError(f"{path}: the delta does not fit the embedded encoder ({name})")
        state[name] = state[name] + delta
