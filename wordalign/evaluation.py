"""Alignment error rate, precision, recall and F1 against sure/possible gold links."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from .errors import InputError
from .io import ParallelInput, read_alignments
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
    null_precision: float | None = None
    null_recall: float | None = None
    null_f1: float | None = None

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

    When sentence lengths are given, null alignment is scored too (Arase et al. 2023): the
    words of both sides without any hypothesis link are compared with those without any gold
    link (sure or possible), by precision, recall and F1.

    References
    ----------
    Och & Ney (2003). A Systematic Comparison of Various Statistical Alignment Models.
    Computational Linguistics 29(1).
    """

    def __init__(self):
        self.sentences = self.hyp = self.sure = self.possible = self.hit_sure = self.hit_possible = 0
        self.null_hyp = self.null_gold = self.null_hit = 0
        self.with_lengths = 0

    def update(self, hypothesis: Iterable[Link], gold: GoldAlignment,
               lengths: tuple[int, int] | None = None) -> None:
        """Add one sentence; ``lengths = (source words, target words)`` enables null scores."""
        links = set(hypothesis)
        self.sentences += 1
        self.hyp += len(links)
        self.sure += len(gold.sure)
        self.possible += len(gold.possible)
        self.hit_sure += len(links & gold.sure)
        self.hit_possible += len(links & gold.possible)
        if lengths is not None:
            self.with_lengths += 1
            hyp_null, gold_null = _null_words(links, lengths), _null_words(gold.possible, lengths)
            self.null_hyp += len(hyp_null)
            self.null_gold += len(gold_null)
            self.null_hit += len(hyp_null & gold_null)

    def compute(self) -> AlignmentScore:
        precision = _ratio(self.hit_possible, self.hyp, 1.0)
        recall = _ratio(self.hit_sure, self.sure, 1.0)
        aer = 1.0 - _ratio(self.hit_sure + self.hit_possible, self.hyp + self.sure, 1.0)
        null = (None, None, None)
        if self.sentences and self.with_lengths == self.sentences:
            null_p, null_r = _ratio(self.null_hit, self.null_hyp, 1.0), _ratio(self.null_hit, self.null_gold, 1.0)
            null = (null_p, null_r, _f1(null_p, null_r))
        return AlignmentScore(aer, precision, recall, _f1(precision, recall), self.sentences, self.hyp,
                              self.sure, self.possible, self.hit_sure, self.hit_possible, *null)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _null_words(links: Iterable[Link], lengths: tuple[int, int]) -> set[tuple[str, int]]:
    """Words of either side that no link touches, as ``("src", i)`` / ``("tgt", j)``."""
    links = list(links)
    src_linked, tgt_linked = {i for i, _ in links}, {j for _, j in links}
    return ({("src", i) for i in range(lengths[0]) if i not in src_linked}
            | {("tgt", j) for j in range(lengths[1]) if j not in tgt_linked})


def score_alignments(gold: list[GoldAlignment], hypotheses: list[Iterable[Link]],
                     lengths: list[tuple[int, int]] | None = None) -> AlignmentScore:
    """Corpus-level :class:`AlignmentScore` of ``hypotheses`` against ``gold`` (same length).

    ``lengths`` (words per side, per sentence) adds the null-alignment scores.
    """
    scorer = AlignmentScorer()
    for k, (hyp, ref) in enumerate(zip(hypotheses, gold, strict=True)):
        scorer.update(hyp, ref, lengths[k] if lengths is not None else None)
    return scorer.compute()


def score_files(gold_path: str, hyp_path: str, *, one_based: bool = False, per_sentence: bool = False,
                src: str | None = None, tgt: str | None = None) -> tuple[AlignmentScore, list[AlignmentScore]]:
    """Score a Pharaoh hypothesis file against a gold file.

    Parameters
    ----------
    gold_path, hyp_path : str
        Pharaoh files, one sentence per line (``i-j`` sure, ``i?j``/``ipj`` possible).
    one_based : bool
        Both files count words from 1 instead of 0.
    per_sentence : bool
        Also return one score per sentence.
    src, tgt : str, optional
        The aligned sentences (two files, or one ``src ||| tgt`` file as ``src``): their word
        counts add the null-alignment scores.

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
    lengths = None
    if src is not None:
        lengths = [(len(s), len(t)) for s, t in ParallelInput(src, tgt)]
        if len(lengths) != len(gold):
            raise InputError(f"{len(lengths)} sentence pairs for {len(gold)} gold lines", src)
    # A hypothesis is scored on every link it claims; "possible" marks in it count as links.
    links = [h.possible for h in hyp]
    sentences = ([score_alignments([g], [h], lengths and [lengths[k]]) for k, (g, h) in enumerate(zip(gold, links))]
                 if per_sentence else [])
    return score_alignments(gold, links, lengths), sentences
