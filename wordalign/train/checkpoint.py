"""Trained models saved as Hugging Face directories with their ``wordalign.json``, never half-written."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from ..encoding.models import CHECKPOINT_METADATA, read_metadata


def write_checkpoint(out: Path, model, tokenizer, metadata: dict) -> None:
    """Save a model directory with its ``wordalign.json``; ``config.json`` goes last, so a
    directory that a crash left partial never loads."""
    from transformers.utils import logging as hf_logging

    staging = out / ".saving"
    shutil.rmtree(staging, ignore_errors=True)
    hf_logging.disable_progress_bar()  # its bar would interleave with ours on stderr
    model.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    (staging / CHECKPOINT_METADATA).write_text(json.dumps(metadata, indent=1, ensure_ascii=False), encoding="utf-8")
    for path in sorted(staging.iterdir(), key=lambda p: p.name == "config.json"):
        os.replace(path, out / path.name)
    staging.rmdir()


def update_metadata(directory: Path, changes: dict) -> dict:
    """Merge ``changes`` into a checkpoint's ``wordalign.json``, replaced whole (never half-written)."""
    metadata = {**read_metadata(directory), **changes}
    staging = directory / f"{CHECKPOINT_METADATA}.new"
    staging.write_text(json.dumps(metadata, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(staging, directory / CHECKPOINT_METADATA)
    return metadata
