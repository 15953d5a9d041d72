"""Alignment error rate, precision, recall and F1 against sure/possible gold links."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from .errors import InputError
from .io import read_alignments
from .types import GoldAlignment, Link


@dataclass(frozen=True)
class AlignmentScore:
    """Corpus-level scores (fractions in ``[0, 1]``) and the counts behind them."""

    aer: float
    precision: float
    recall: float
    f1: float
    sentences: int
    hypothesis_links: int
    sure_links: int
    possible_links: int
    hits_sure: int
    hits_possible: int

    def as_dict(self) -> dict:
        return asdict(self)


def _ratio(numerator: int, denominator: int, empty: float) -> float:
    return numerator / denominator if denominator else empty


class AlignmentScorer:
    """Accumulates link counts over sentences; :meth:`compute` turns them into scores.

    With hypothesis ``A``, sure gold ``S`` and possible gold ``P ⊇ S``, summed over the corpus
    (Och & Ney 2003):

    * precision ``= |A ∩ P| / |A|``
    * recall ``= |A ∩ S| / |S|``
    * AER ``= 1 - (|A ∩ S| + |A ∩ P|) / (|A| + |S|)``
    * F1 ``= 2 · precision · recall / (precision + recall)``

    Empty denominators give precision 1 (nothing claimed, nothing wrong), recall 1 (nothing
    to find), AER 0 and F1 0 where precision and recall are both 0, instead of dividing by zero.

    References
    ----------
    Och & Ney (2003). A Systematic Comparison of Various Statistical Alignment Models.
    Computational Linguistics 29(1).
    """

    def __init__(self):
        self.sentences = self.hyp = self.sure = self.possible = self.hit_sure = self.hit_possible = 0

    def update(self, hypothesis: Iterable[Link], gold: GoldAlignment) -> None:
        links = set(hypothesis)
        self.sentences += 1
        self.hyp += len(links)
        self.sure += len(gold.sure)
        self.possible += len(gold.possible)
        self.hit_sure += len(links & gold.sure)
        self.hit_possible += len(links & gold.possible)

    def compute(self) -> AlignmentScore:
        precision = _ratio(self.hit_possible, self.hyp, 1.0)
        recall = _ratio(self.hit_sure, self.sure, 1.0)
        aer = 1.0 - _ratio(self.hit_sure + self.hit_possible, self.hyp + self.sure, 1.0)
        f1 = _ratio(2 * precision * recall, precision + recall, 0.0) if precision + recall else 0.0
        return AlignmentScore(aer, precision, recall, f1, self.sentences, self.hyp, self.sure,
                              self.possible, self.hit_sure, self.hit_possible)


def score_alignments(gold: list[GoldAlignment], hypotheses: list[Iterable[Link]]) -> AlignmentScore:
    """Corpus-level :class:`AlignmentScore` of ``hypotheses`` against ``gold`` (same length)."""
    scorer = AlignmentScorer()
    for hyp, ref in zip(hypotheses, gold, strict=True):
        scorer.update(hyp, ref)
    return scorer.compute()


def score_files(gold_path: str, hyp_path: str, *, one_based: bool = False,
                per_sentence: bool = False) -> tuple[AlignmentScore, list[AlignmentScore]]:
    """Score a Pharaoh hypothesis file against a gold file.

    Parameters
    ----------
    gold_path, hyp_path : str
        Pharaoh files, one sentence per line (``i-j`` sure, ``i?j``/``ipj`` possible).
    one_based : bool
        Both files count words from 1 instead of 0.
    per_sentence : bool
        Also return one score per sentence.

    Returns
    -------
    corpus : AlignmentScore
    sentences : list[AlignmentScore]
        Empty unless ``per_sentence``.
    """
    gold = read_alignments(gold_path, one_based)
    hyp = read_alignments(hyp_path, one_based)
    if len(gold) != len(hyp):
        raise InputError(f"line counts differ: {gold_path} has {len(gold)} lines, {hyp_path} has "
                         f"{len(hyp)}", hyp_path, min(len(gold), len(hyp)) + 1)
    # A hypothesis is scored on every link it claims; "possible" marks in it count as links.
    links = [h.possible for h in hyp]
    sentences = [score_alignments([g], [h]) for g, h in zip(gold, links)] if per_sentence else []
    return score_alignments(gold, links), sentences
