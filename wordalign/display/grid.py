"""The terminal view: one pair's word grid with its links marked (as atools' ``display``)."""

from __future__ import annotations

from collections.abc import Sequence

from ..types import GoldAlignment, Link
from .compare import classify, pair_aer

MARKS = {"link": "#", "correct": "#", "missed": "o", "wrong": "x"}
LEGEND = "# link, correct   o missed (sure gold link not found)   x wrong (not in the gold)"


def text_grid(src: Sequence[str], tgt: Sequence[str], links: Sequence[Link], gold: GoldAlignment | None = None,
              title: str = "") -> str:
    """The grid of one pair: a row per source word, a column per target word (numbered above).

    Parameters
    ----------
    src, tgt : sequence of str
        The words.
    links : sequence of (int, int)
        The hypothesis.
    gold : GoldAlignment, optional
        With it, links are marked correct (``#``), wrong (``x``) or missed (``o``), and the
        pair's AER is given.
    title : str
        The first line (a pair's number).
    """
    kinds = classify(links, gold)
    width = max(2, len(str(len(tgt) - 1)) + 1)
    label = max((len(word) for word in src), default=0) + len(str(len(src))) + 2
    head = title + (f"   AER {100 * pair_aer(links, gold):.1f}" if gold is not None else "")
    lines = [head, "target: " + "  ".join(f"{j} {word}" for j, word in enumerate(tgt)),
             " " * label + "".join(f"{j:>{width}}" for j in range(len(tgt)))]
    for i, word in enumerate(src):
        cells = "".join(f"{MARKS.get(kinds.get((i, j)), '.'):>{width}}" for j in range(len(tgt)))
        lines.append(f"{i} {word}".ljust(label) + cells)
    if gold is not None:
        lines.append(LEGEND)
    return "\n".join(lines) + "\n"
