"""What fills the word × word matrix of a pair: one protocol, a name → class table.

The aligner holds one :class:`Scorer` and calls it without knowing which kind it holds;
:data:`SCORERS` lists them by the names ``--scorer`` takes.
"""

from .base import PairScores, Scorer
from .binary import BinaryScorer
from .similarity import SimilarityScorer
from .span import SpanScorer

SCORERS = {SimilarityScorer.name: SimilarityScorer, SpanScorer.name: SpanScorer, BinaryScorer.name: BinaryScorer}
# The scorers of checkpoints trained on gold (``wordalign train-span``), by the name their metadata records.
SUPERVISED = {SpanScorer.name: SpanScorer, BinaryScorer.name: BinaryScorer}

__all__ = ["SCORERS", "SUPERVISED", "BinaryScorer", "PairScores", "Scorer", "SimilarityScorer", "SpanScorer"]
