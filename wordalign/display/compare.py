"""Links sorted into what a picture shows: correct, missed and wrong against gold, or plain."""

from __future__ import annotations

from collections.abc import Iterable

from ..evaluation import score_alignments
from ..types import GoldAlignment, Link


def classify(links: Iterable[Link], gold: GoldAlignment | None) -> dict[Link, str]:
    """Each link's kind: ``link`` without gold; else ``correct`` (also in the gold, sure or
    possible), ``wrong`` (not in it) and ``missed`` (a sure gold link the hypothesis lacks)."""
    links = set(links)
    if gold is None:
        return {link: "link" for link in links}
    kinds = {link: "correct" if link in gold.possible else "wrong" for link in links}
    kinds.update({link: "missed" for link in gold.sure - links})
    return kinds


def pair_aer(links: Iterable[Link], gold: GoldAlignment) -> float:
    """The AER of one pair (Och & Ney 2003; :func:`wordalign.evaluation.score_alignments`)."""
    return score_alignments([gold], [set(links)]).aer
