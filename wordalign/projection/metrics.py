"""Entity-level precision, recall and F1: a projected span counts only with its exact words and label."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from .labels import Span


@dataclass(frozen=True)
class EntityScore:
    """Micro-averaged over a corpus (CoNLL / seqeval convention): fractions in ``[0, 1]``."""

    precision: float
    recall: float
    f1: float
    predicted: int
    gold: int
    correct: int

    def as_dict(self) -> dict:
        return asdict(self)


def entity_scores(gold: Sequence[Sequence[Span]], predicted: Sequence[Sequence[Span]]) -> EntityScore:
    """Micro precision, recall and F1 of ``predicted`` spans against ``gold``, sentence by sentence.

    ``P = |G ∩ H| / |H|``, ``R = |G ∩ H| / |G|``, ``F1 = 2PR / (P + R)`` over all sentences, a span
    matching only with the same start, end and label (Tjong Kim Sang & De Meulder 2003).

    Parameters
    ----------
    gold, predicted : sequence of sequence of Span
        One list of spans per sentence, aligned.

    References
    ----------
    Tjong Kim Sang & De Meulder (2003). Introduction to the CoNLL-2003 Shared Task:
    Language-Independent Named Entity Recognition. CoNLL.
    """
    correct = n_gold = n_predicted = 0
    for gold_spans, predicted_spans in zip(gold, predicted, strict=True):
        correct += len(set(gold_spans) & set(predicted_spans))
        n_gold += len(gold_spans)
        n_predicted += len(predicted_spans)
    precision = correct / n_predicted if n_predicted else 0.0
    recall = correct / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return EntityScore(precision, recall, f1, n_predicted, n_gold, correct)
