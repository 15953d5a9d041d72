"""Pharaoh links, read and written: ``i-j`` sure, ``i?j`` possible, ``i-j:score`` scored."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

from ..errors import ConfigError, InputError
from ..types import AlignedPair, GoldAlignment, Link
from .text import iter_lines

_LINK = re.compile(r"^(\d+)([-?p])(\d+)$")
# What ``wordalign align --format`` writes.
FORMATS = ("pharaoh", "scores", "jsonl")


def parse_links(text: str, path: str = "<string>", number: int = 0,
                one_based: bool = False) -> GoldAlignment:
    """Parse one Pharaoh line: ``i-j`` sure, ``i?j`` or ``ipj`` possible.

    Returns
    -------
    GoldAlignment
        0-based links; ``possible`` is the union of sure and possible links (Och & Ney 2003).
    """
    sure, possible = set(), set()
    shift = 1 if one_based else 0
    for token in text.split():
        token = token.split(":", 1)[0]  # a per-link score suffix is not part of the link
        match = _LINK.match(token)
        if not match:
            raise InputError(f"malformed link {token!r} (expected i-j, i?j or ipj)", path, number)
        i, j = int(match.group(1)) - shift, int(match.group(3)) - shift
        if i < 0 or j < 0:
            raise InputError(f"link {token!r} has an index below 1 but --one-based was given", path, number)
        (sure if match.group(2) == "-" else possible).add((i, j))
    return GoldAlignment(frozenset(sure), frozenset(sure | possible))


def read_alignments(path: str, one_based: bool = False) -> list[GoldAlignment]:
    """Read a whole Pharaoh file (gold or hypothesis), one :class:`GoldAlignment` per line."""
    return [parse_links(line, path, n, one_based) for n, line in enumerate(iter_lines(path), 1)]


def read_hypotheses(path: str, one_based: bool = False) -> tuple[list[GoldAlignment], str | None]:
    """Read alignments written by ``wordalign align``: Pharaoh (plain or with scores), or JSON lines.

    A file whose first line is a JSON object is read as ``--format jsonl`` output: each line's
    ``links``, after an optional first line ``{"signature": ...}``.

    Returns
    -------
    alignments : list[GoldAlignment]
        One per input line (every link as sure).
    signature : str or None
        The signature line's, if the file has one.
    """
    lines = iter_lines(path)
    first = next(lines, None)
    if first is None:
        return [], None
    if not first.startswith("{"):
        return [parse_links(line, path, n, one_based) for n, line in enumerate([first, *lines], 1)], None
    signature, alignments = None, []
    for number, line in enumerate([first, *lines], 1):
        try:
            record = json.loads(line)
            if number == 1 and set(record) == {"signature"}:
                signature = str(record["signature"])
                continue
            links = {(int(i), int(j)) for i, j in record["links"]}
        except (ValueError, TypeError, KeyError):
            raise InputError("expected a JSON object with 'links' (wordalign align --format jsonl)",
                             path, number) from None
        shift = 1 if one_based else 0
        links = frozenset((i - shift, j - shift) for i, j in links)
        alignments.append(GoldAlignment(links, links))
    return alignments, signature


def format_links(links: Iterable[Link], scores: Sequence[float] | None = None) -> str:
    """``"0-0 1-2"``; with scores ``"0-0:0.9120 1-2:0.6550"``."""
    if scores is not None:
        return " ".join(f"{i}-{j}:{s:.4f}" for (i, j), s in zip(links, scores))
    return " ".join(f"{i}-{j}" for i, j in links)


def check_format(output_format: str) -> str:
    """``output_format`` if it is one of :data:`FORMATS`, else :class:`ConfigError`."""
    if output_format not in FORMATS:
        raise ConfigError(f"format must be one of {', '.join(FORMATS)}, not {output_format!r}")
    return output_format


def format_pair(pair: AlignedPair, output_format: str) -> str:
    """One output line of ``pair`` in one of :data:`FORMATS` (without the newline)."""
    if output_format == "jsonl":
        return json.dumps(pair.to_json(), ensure_ascii=False)
    return format_links(pair.links, pair.scores if output_format == "scores" else None)
