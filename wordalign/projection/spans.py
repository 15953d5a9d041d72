"""Span projection: each source span becomes at most one target span, collisions resolved in target order.

A source span's target candidates are the target words linked to its words. Links that touch
a word of punctuation alone can be ignored (a comma linked to a name drags its span sideways);
the candidates fall into groups of consecutive words, gaps of up to ``gap`` words filled
(German and Spanish insert articles and particles inside names); one group is kept. Then
overlapping projections compete in the target sentence, whatever their order in the source:
the longer (then the higher-scoring) one wins, and each loser is reported.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import ConfigError
from .labels import Span

GROUP_RULES = ("largest", "score", "range")


@dataclass(frozen=True)
class Projected:
    """A target span projected from ``source``, with the total score of its links."""

    span: Span
    source: Span
    score: float


@dataclass
class SpanReport:
    """What became of one sentence's source spans."""

    projected: list[Projected] = field(default_factory=list)
    dropped: list[Span] = field(default_factory=list)  # no link (after the punctuation rule)
    split: list[Span] = field(default_factory=list)  # several groups: one was kept
    collided: list[Projected] = field(default_factory=list)  # lost to an overlapping projection


def is_punctuation(word: str) -> bool:
    """Whether a word is punctuation (or symbols) only: ``,``, ``«``, ``--``, ``(``."""
    return bool(word) and all(unicodedata.category(c)[0] in "PS" for c in word)


def check_group_rule(rule: str) -> str:
    if rule not in GROUP_RULES:
        raise ConfigError(f"group must be one of {', '.join(GROUP_RULES)}, not {rule!r}")
    return rule


def project_spans(spans: Sequence[Span], links: Sequence[tuple[int, int]], scores: Sequence[float] | None,
                  src_words: Sequence[str], tgt_words: Sequence[str], *, gap: int = 1,
                  ignore_punctuation: bool = True, group: str = "largest") -> SpanReport:
    """Project the labelled ``spans`` of one source sentence onto its translation.

    Parameters
    ----------
    spans : sequence of Span
        Source spans (word indices of ``src_words``).
    links : sequence of (int, int)
        Word links ``(i, j)``: source word ``i`` translates to target word ``j``.
    scores : sequence of float, optional
        One score per link (the extractor's similarity or probability); all 1 when None.
    src_words, tgt_words : sequence of str
        The sentences' words (for the punctuation rule).
    gap : int
        Aligned target words at most ``gap`` words apart form one group.
    ignore_punctuation : bool
        Leave out links whose source or target word is punctuation only.
    group : {"largest", "score", "range"}
        Which group a span becomes: the longest (first to last word; ties: more aligned words,
        higher score, earlier), the one with the highest total link score, or all of them with
        what lies between (``min .. max``).

    Returns
    -------
    SpanReport
        The projected target spans (non-overlapping), and the source spans dropped, split or
        lost in a collision.
    """
    if gap < 0:
        raise ConfigError(f"gap must be 0 or more, not {gap}")
    check_group_rule(group)
    scores = [1.0] * len(links) if scores is None else scores
    by_source: dict[int, list[tuple[int, float]]] = {}
    for (i, j), score in zip(links, scores):
        if ignore_punctuation and (is_punctuation(src_words[i]) or is_punctuation(tgt_words[j])):
            continue
        by_source.setdefault(i, []).append((j, score))
    report, candidates = SpanReport(), []
    for span in spans:
        weight: dict[int, float] = {}
        for i in range(span.start, span.end):
            for j, score in by_source.get(i, ()):
                weight[j] = weight.get(j, 0.0) + score
        if not weight:
            report.dropped.append(span)
            continue
        groups = _groups(sorted(weight), gap)
        if len(groups) > 1:
            report.split.append(span)
        if group == "range":
            chosen = [j for g in groups for j in g]
        elif group == "score":
            chosen = max(groups, key=lambda g: (sum(weight[j] for j in g), len(g), -g[0]))
        else:
            chosen = max(groups, key=lambda g: (g[-1] - g[0], len(g), sum(weight[j] for j in g), -g[0]))
        candidates.append(Projected(Span(chosen[0], chosen[-1] + 1, span.label), span,
                                    sum(weight[j] for j in chosen)))
    report.projected, report.collided = resolve_collisions(candidates)
    return report


def _groups(positions: list[int], gap: int) -> list[list[int]]:
    """Sorted positions cut where more than ``gap`` words lie between neighbours."""
    groups = [[positions[0]]]
    for position in positions[1:]:
        if position - groups[-1][-1] - 1 <= gap:
            groups[-1].append(position)
        else:
            groups.append([position])
    return groups


def resolve_collisions(candidates: Sequence[Projected]) -> tuple[list[Projected], list[Projected]]:
    """Keep non-overlapping projections: longer first, then higher score, then earlier in the target.

    The order of the source spans plays no part, so an entity is not lost because the two
    languages order entities differently.

    Returns
    -------
    kept : list[Projected]
        In target order.
    lost : list[Projected]
        Those that overlapped a kept one.
    """
    ranked = sorted(candidates, key=lambda p: (-(p.span.end - p.span.start), -p.score, p.span.start, p.source))
    kept, lost, taken = [], [], set()
    for candidate in ranked:
        words = set(range(candidate.span.start, candidate.span.end))
        if words & taken:
            lost.append(candidate)
        else:
            kept.append(candidate)
            taken |= words
    return sorted(kept, key=lambda p: p.span.start), lost
