"""Alignment error rate, precision, recall and F1 against sure/possible gold links, and the score report."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from .errors import ConfigError, InputError, shown_path
from .io.links import check_lengths, read_alignments, read_hypotheses
from .io.text import ParallelInput
from .options import build, option
from .types import GoldAlignment, Link


@dataclass(frozen=True)
class AlignmentScore:
    """Corpus-level scores (fractions in ``[0, 1]``) and the counts behind them."""

    aer: float
    precision: float | None  # None: the hypothesis has no link, so precision is undefined
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


class AlignmentMetric:
    """Accumulates link counts over sentences; :meth:`compute` turns them into scores.

    With hypothesis ``A``, sure gold ``S`` and possible gold ``P ⊇ S``, summed over the corpus
    (Och & Ney 2003):

    * precision ``= |A ∩ P| / |A|``
    * recall ``= |A ∩ S| / |S|``
    * AER ``= 1 - (|A ∩ S| + |A ∩ P|) / (|A| + |S|)``
    * F1 ``= 2 · precision · recall / (precision + recall)``

    A hypothesis without any link has no precision (``None``: undefined, and reported so) and
    F1 0; an empty gold side gives recall 1 (nothing to find) and AER 0 where there is nothing
    at all, instead of dividing by zero.

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
        precision = self.hit_possible / self.hyp if self.hyp else None
        recall = _ratio(self.hit_sure, self.sure, 1.0)
        aer = 1.0 - _ratio(self.hit_sure + self.hit_possible, self.hyp + self.sure, 1.0)
        null = (None, None, None)
        if self.sentences and self.with_lengths == self.sentences:
            null_p, null_r = _ratio(self.null_hit, self.null_hyp, 1.0), _ratio(self.null_hit, self.null_gold, 1.0)
            null = (null_p, null_r, _f1(null_p, null_r))
        return AlignmentScore(aer, precision, recall, _f1(precision, recall), self.sentences, self.hyp,
                              self.sure, self.possible, self.hit_sure, self.hit_possible, *null)


def _f1(precision: float | None, recall: float) -> float:
    if precision is None or precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


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
    metric = AlignmentMetric()
    for k, (hyp, ref) in enumerate(zip(hypotheses, gold, strict=True)):
        metric.update(hyp, ref, lengths[k] if lengths is not None else None)
    return metric.compute()


def _fraction(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


@dataclass(frozen=True)
class ScoreOptions:
    """How ``wordalign score`` reads its files; the options of the command and of :func:`score_files`."""

    one_based: bool = option(False, "Indices in both files start at 1.", "--one-based")
    per_sentence: bool = option(False, "Also score each sentence.", "--per-sentence")
    src: str | None = option(None, "Source sentences (or a 'src ||| tgt' file): adds null-alignment scores.")
    tgt: str | None = option(None, "Target sentences, with --src.")

    def __post_init__(self):
        if self.tgt is not None and self.src is None:
            raise ConfigError("--tgt needs --src: give the source sentences too (or a 'src ||| tgt' file as --src)")


@dataclass(frozen=True)
class ScoreReport:
    """What ``wordalign score`` prints: corpus scores, per-sentence scores, the hypothesis's signature.

    Attributes
    ----------
    corpus : AlignmentScore
    sentences : list[AlignmentScore], optional
        One per line, when asked for.
    signature : str, optional
        How the hypothesis was made, when it says so (``wordalign align -f jsonl --signature``).
    """

    corpus: AlignmentScore
    sentences: list[AlignmentScore] | None = None
    signature: str | None = None

    def as_dict(self) -> dict:
        report = {"corpus": self.corpus.as_dict()}
        if self.signature is not None:
            report["signature"] = self.signature
        if self.sentences is not None:
            report["sentences"] = [s.as_dict() for s in self.sentences]
        return report

    def text(self) -> str:
        """Per-sentence lines (if any), the corpus line in percent, and the signature line (if any)."""
        lines = [f"{number}\tAER {s.aer:.4f}\tP {_fraction(s.precision)}\tR {s.recall:.4f}\tF1 {s.f1:.4f}"
                 for number, s in enumerate(self.sentences or [], 1)]
        corpus = self.corpus
        null = (f"  null P {100 * corpus.null_precision:.2f} R {100 * corpus.null_recall:.2f} "
                f"F1 {100 * corpus.null_f1:.2f}") if corpus.null_f1 is not None else ""
        precision = "n/a" if corpus.precision is None else f"{100 * corpus.precision:.2f}"
        lines.append(f"AER {100 * corpus.aer:.2f}  P {precision}  "
                     f"R {100 * corpus.recall:.2f}  F1 {100 * corpus.f1:.2f}{null}  "
                     f"({corpus.sentences} sentences, {corpus.hypothesis_links} links, "
                     f"{corpus.sure_links} sure, {corpus.possible_links} possible)")
        if corpus.precision is None:
            lines.append("precision n/a: the hypothesis has no link")
        if self.signature is not None:
            lines.append(f"signature: {self.signature}")
        return "\n".join(lines)

    def json(self) -> str:
        return json.dumps(self.as_dict(), indent=1)


def score_files(gold_path: str, hyp_path: str, **options) -> ScoreReport:
    """Score a hypothesis file against a gold file.

    Parameters
    ----------
    gold_path : str
        Pharaoh gold links, one sentence per line (``i-j`` sure, ``i?j``/``ipj`` possible).
    hyp_path : str
        The hypothesis: Pharaoh links, or ``wordalign align --format jsonl`` output (whose
        signature line, if any, the report repeats).
    **options
        The fields of :class:`ScoreOptions`: ``one_based`` (both files count words from 1),
        ``per_sentence`` (also score each sentence), ``src`` and ``tgt`` (the aligned
        sentences, two files or one ``src ||| tgt`` file as ``src``: their word counts add
        the null-alignment scores).

    Returns
    -------
    ScoreReport
    """
    settings = build(ScoreOptions, options)
    gold = read_alignments(gold_path, settings.one_based)
    hyp, signature = read_hypotheses(hyp_path, settings.one_based)
    hyp_first = 2 if signature is not None else 1  # a signature line comes before the first pair
    if len(gold) != len(hyp):
        raise InputError(f"line counts differ: {shown_path(gold_path)} has {len(gold)} lines, {shown_path(hyp_path)} "
                         f"has {len(hyp)} alignments", gold_path if len(gold) < len(hyp) else hyp_path,
                         min(len(gold), len(hyp)) + (1 if len(gold) < len(hyp) else hyp_first))
    lengths = None
    if settings.src is not None:
        lengths = [(len(s), len(t)) for s, t in ParallelInput(settings.src, settings.tgt)]
        if len(lengths) != len(gold):
            raise InputError(f"{len(lengths)} sentence pairs for {len(gold)} gold lines", settings.src,
                             min(len(lengths), len(gold)) + 1)
        check_lengths([alignment.possible for alignment in gold], lengths, gold_path)
        check_lengths([alignment.possible for alignment in hyp], lengths, hyp_path, hyp_first)
    # A hypothesis is scored on every link it claims; "possible" marks in it count as links.
    links = [h.possible for h in hyp]
    sentences = ([score_alignments([g], [h], lengths and [lengths[k]]) for k, (g, h) in enumerate(zip(gold, links))]
                 if settings.per_sentence else None)
    return ScoreReport(score_alignments(gold, links, lengths), sentences, signature)
