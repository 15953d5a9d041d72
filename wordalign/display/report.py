"""The HTML report: every pair as its two sentences with lines between linked words, in one file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources

from ..types import GoldAlignment, Link
from .compare import classify, pair_aer


def html_report(pairs: Sequence[tuple[Sequence[str], Sequence[str], Sequence[Link], Sequence[float] | None]],
                gold: Sequence[GoldAlignment] | None = None, numbers: Sequence[int] | None = None) -> str:
    """One self-contained HTML page (no network): the pairs, searchable and sortable by AER.

    Each pair shows its source words above its target words with a line per link (its score on
    hover); with gold, correct, missed and wrong links in three colours and the pair's AER.
    A page shows 100 matching pairs at a time, so thousands stay quick.

    Parameters
    ----------
    pairs : sequence of (src, tgt, links, scores)
        Words of each side, the links, and one score per link (or None).
    gold : sequence of GoldAlignment, optional
        One per pair.
    numbers : sequence of int, optional
        Each pair's number as shown (its line in the input); default 1, 2, …
    """
    records = []
    numbers = numbers or range(1, len(pairs) + 1)
    for k, (number, (src, tgt, links, scores)) in enumerate(zip(numbers, pairs)):
        reference = gold[k] if gold is not None else None
        score_of = dict(zip(links, scores)) if scores is not None else {}
        kinds = classify(links, reference)
        records.append({"number": number, "src": list(src), "tgt": list(tgt),
                        "aer": None if reference is None else round(pair_aer(links, reference), 4),
                        "links": [[i, j, kind, None if (i, j) not in score_of else round(score_of[i, j], 4)]
                                  for (i, j), kind in sorted(kinds.items())]})
    payload = json.dumps({"gold": gold is not None, "pairs": records}, ensure_ascii=False, allow_nan=False)
    template = resources.files(__package__).joinpath("report.html").read_text(encoding="utf-8")
    # No "<" at all in the data: "</script>" or "<!--" in a word would end or hide the script.
    return template.replace("__DATA__", payload.replace("<", "\\u003c"))
