"""wordalign: neural word alignment with an embedded offline encoder.

>>> from wordalign import Aligner
>>> Aligner().align("Das Haus ist klein", "The house is small").links  # doctest: +SKIP
"""

from .aligner import Aligner
from .encoder import WordEncoder
from .errors import ConfigError, InputError, ModelError, WordAlignError
from .evaluation import AlignmentScore, AlignmentScorer, score_alignments, score_files
from .extractors import available as available_extractors
from .extractors import register as register_extractor
from .finetuning import finetune
from .io import ParallelInput, parse_links, read_alignments, split_words
from .pipeline import align_files, align_manifest
from .span_training import train_span, tune_span
from .types import AlignedPair, GoldAlignment

__version__ = "0.1.0"
__all__ = [
    "AlignedPair", "Aligner", "AlignmentScore", "AlignmentScorer",
    "ConfigError", "GoldAlignment", "InputError", "ModelError", "ParallelInput", "WordAlignError",
    "WordEncoder", "align_files", "align_manifest", "available_extractors", "finetune", "parse_links", "read_alignments",
    "register_extractor", "score_alignments", "score_files", "split_words", "train_span", "tune_span", "__version__",
]
