"""wordalign: neural word alignment with an embedded offline encoder.

>>> from wordalign import Aligner
>>> Aligner().align("Das Haus ist klein", "The house is small").links  # doctest: +SKIP

The public names below load on first use, so ``import wordalign`` (and ``wordalign score``)
imports no torch or transformers.
"""

from __future__ import annotations

import importlib

from .errors import ConfigError, InputError, ModelError, WordAlignError
from .types import AlignedPair, GoldAlignment

__version__ = "0.2.0"

# Public name → (module, attribute): imported when first asked for.
_LAZY = {
    "AlignConfig": ("wordalign.align.config", "AlignConfig"),
    "Aligner": ("wordalign.align.aligner", "Aligner"),
    "align_files": ("wordalign.align.pipeline", "align_files"),
    "align_manifest": ("wordalign.align.pipeline", "align_manifest"),
    "WordEncoder": ("wordalign.encoding.encoder", "WordEncoder"),
    "AlignmentMetric": ("wordalign.evaluation", "AlignmentMetric"),
    "AlignmentScore": ("wordalign.evaluation", "AlignmentScore"),
    "ScoreReport": ("wordalign.evaluation", "ScoreReport"),
    "score_alignments": ("wordalign.evaluation", "score_alignments"),
    "score_files": ("wordalign.evaluation", "score_files"),
    "available_extractors": ("wordalign.extractors", "available"),
    "register_extractor": ("wordalign.extractors", "register"),
    "parse_links": ("wordalign.io.links", "parse_links"),
    "read_alignments": ("wordalign.io.links", "read_alignments"),
    "ParallelInput": ("wordalign.io.text", "ParallelInput"),
    "split_words": ("wordalign.io.words", "split_words"),
    "project_files": ("wordalign.projection.project", "project_files"),
    "finetune": ("wordalign.train.finetune", "finetune"),
    "train_span": ("wordalign.train.span", "train_span"),
    "tune_span": ("wordalign.train.tune", "tune_span"),
}

__all__ = ["AlignedPair", "ConfigError", "GoldAlignment", "InputError", "ModelError", "WordAlignError",
           "__version__", *_LAZY]


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'wordalign' has no attribute {name!r}")
    module, attribute = _LAZY[name]
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value  # once loaded, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
