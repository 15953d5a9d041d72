"""What fills the word × word matrix of a pair: one protocol, a name → class table.

The aligner holds one :class:`Scorer` and calls it without knowing which kind it holds;
:data:`SCORERS` lists them by the names ``--scorer`` takes.
"""

from .base import PairScores, Scorer
from .similarity import SimilarityScorer
from .span import SpanScorer

SCORERS = {SimilarityScorer.name: SimilarityScorer, SpanScorer.name: SpanScorer}

__all__ = ["SCORERS", "PairScores", "Scorer", "SimilarityScorer", "SpanScorer"]
