"""Plain data types shared across wordalign (no torch import)."""

from __future__ import annotations

from dataclasses import dataclass, field

Link = tuple[int, int]


@dataclass(frozen=True)
class AlignedPair:
    """The alignment of one sentence pair.

    Attributes
    ----------
    src, tgt : list[str]
        The words, as read.
    links : list[tuple[int, int]]
        Sorted 0-based ``(source index, target index)`` links.
    scores : list[float]
        One score per link: the similarity the extractor saw for that word pair.
    """

    src: list[str]
    tgt: list[str]
    links: list[Link] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)

    def pharaoh(self, with_scores: bool = False) -> str:
        """``"0-0 1-2"``; with scores ``"0-0:0.9120 1-2:0.6550"`` (:func:`wordalign.io.links.format_links`)."""
        from .io.links import format_links  # io imports these types

        return format_links(self.links, self.scores if with_scores else None)

    @property
    def unaligned_src(self) -> list[int]:
        """Source words without any link (null-aligned)."""
        linked = {i for i, _ in self.links}
        return [i for i in range(len(self.src)) if i not in linked]

    @property
    def unaligned_tgt(self) -> list[int]:
        """Target words without any link (null-aligned)."""
        linked = {j for _, j in self.links}
        return [j for j in range(len(self.tgt)) if j not in linked]

    def to_json(self) -> dict:
        """The pair as a JSON object; words split from raw text (they have a ``start``) add
        ``src_offsets`` and ``tgt_offsets``, each word's ``[start, end)`` in its raw line."""
        record = {"src": self.src, "tgt": self.tgt, "links": [list(link) for link in self.links],
                  "scores": [round(s, 4) for s in self.scores],
                  "unaligned_src": self.unaligned_src, "unaligned_tgt": self.unaligned_tgt}
        if any(hasattr(word, "start") for word in (*self.src, *self.tgt)):
            record["src_offsets"] = [[word.start, word.end] for word in self.src]
            record["tgt_offsets"] = [[word.start, word.end] for word in self.tgt]
        return record


@dataclass(frozen=True)
class GoldAlignment:
    """Reference links of one sentence pair; ``possible`` always contains ``sure``."""

    sure: frozenset[Link]
    possible: frozenset[Link]
