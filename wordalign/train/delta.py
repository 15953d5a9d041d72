"""Store what fine-tuning changed in the embedded encoder as a small 4-bit delta file.

The format is :mod:`wordalign.encoding.models.delta`'s; ``benchmarks/tuned_default.py`` makes
the delta that the embedded default ships with.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from ..encoding.models import EMBEDDED_BASE, read_metadata
from ..encoding.models.delta import FORMAT, GROUP, LEVELS, PACKED, SCALES
from ..encoding.models.embedded import base_weights_digest, embedded_model_dir
from ..errors import ConfigError


def quantize(delta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Packed 4-bit values and float16 scales of a matrix, per group of :data:`GROUP` along each row.

    ``s = max|d| / 7`` per group and ``q = round(d / s)`` in ``-7..7``, stored as ``q + 8``,
    two to a byte (low nibble first); :func:`~wordalign.encoding.models.delta.unpack` inverts it
    up to half a step. The scale is rounded to float16 before ``q`` is computed, so that the
    rounding of ``q`` sees the scale that will be read back.

    Parameters
    ----------
    delta : numpy.ndarray
        ``(rows, cols)`` float32 differences, ``cols`` a multiple of :data:`GROUP`.
    """
    rows, cols = delta.shape
    if cols % GROUP:
        raise ConfigError(f"a delta matrix needs a multiple of {GROUP} columns, not {cols}")
    groups = delta.reshape(rows, cols // GROUP, GROUP)
    largest = np.abs(groups).max(axis=2)
    scales = (largest / LEVELS).astype(np.float16)
    # A group too small for a float16 scale gets the smallest one rather than none.
    scales = np.where((scales == 0) & (largest > 0), np.float16(2.0**-24), scales)
    safe = np.where(scales == 0, 1, scales).astype(np.float32)[:, :, None]
    values = (np.clip(np.rint(groups / safe), -LEVELS, LEVELS).astype(np.int8) + 8).astype(np.uint8)
    values = values.reshape(rows, cols)
    return values[:, 0::2] | (values[:, 1::2] << 4), scales


def write_delta(tuned_dir: str | os.PathLike, path: str | os.PathLike) -> dict:
    """Write the difference between a checkpoint fine-tuned from ``embedded-base`` and that base.

    Every parameter that differs is stored: matrices in 4 bits (:func:`quantize`), vectors as
    float16. The word embeddings stay frozen in fine-tuning, so they never appear. The file's
    record names the base it applies to, the layer the checkpoint was trained for and the run's
    settings. Written to a temporary name and renamed, so ``path`` is never half-written.

    Returns
    -------
    dict
        The record stored in the file.
    """
    from safetensors.numpy import load_file, save_file

    tuned_dir = Path(tuned_dir)
    metadata = read_metadata(tuned_dir)
    trained_from = metadata.get("finetuned", {}).get("model")
    if trained_from != EMBEDDED_BASE:
        raise ConfigError(f"{tuned_dir} was fine-tuned from {trained_from!r}; a delta must start from "
                          "the untuned embedded encoder (wordalign finetune --model embedded-base)")
    base = load_file(str(embedded_model_dir(tuned=False) / "model.safetensors"))
    tuned = load_file(str(tuned_dir / "model.safetensors"))
    tensors = {}
    for name, value in sorted(tuned.items()):
        if name not in base or np.array_equal(value, base[name]):
            continue
        difference = value.astype(np.float32) - base[name].astype(np.float32)
        if difference.ndim == 2:
            tensors[name + PACKED], tensors[name + SCALES] = quantize(difference)
        else:
            tensors[name] = difference.astype(np.float16)
    # Paths and times are this machine's; the record keeps what reproduces the run, so that a
    # rerun of the same settings writes the same bytes.
    settings = {k: v for k, v in metadata["finetuned"].items() if k not in ("src", "tgt")}
    result = {k: v for k, v in metadata.get("result", {}).items() if k not in ("output_dir", "seconds")}
    record = {"base": base_weights_digest(), "layer": metadata["layer"], "group": GROUP,
              "finetuned": settings, "result": result}
    path = Path(path)
    staging = path.with_name(path.name + ".tmp")
    save_file(tensors, str(staging), metadata={"format": FORMAT, "record": json.dumps(record, sort_keys=True)})
    os.replace(staging, path)
    return record
