"""Pharaoh links, read and written: ``i-j`` sure, ``i?j`` possible, ``i-j:score`` scored."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence

from ..errors import ConfigError, InputError
from ..types import AlignedPair, GoldAlignment, Link
from .text import iter_lines

# ASCII digits only (\\d would take other scripts' digits); an optional ``:score`` suffix.
_LINK = re.compile(r"^([0-9]+)([-?p])([0-9]+)(?::([^:]+))?$")
# What ``wordalign align --format`` writes.
FORMATS = ("pharaoh", "scores", "jsonl", "words")


def parse_links(text: str, path: str = "<string>", number: int = 0,
                one_based: bool = False) -> GoldAlignment:
    """Parse one Pharaoh line: ``i-j`` sure, ``i?j`` or ``ipj`` possible.

    Returns
    -------
    GoldAlignment
        0-based links; ``possible`` is the union of sure and possible links (Och & Ney 2003).
    """
    sure, possible = set(), set()
    for token in text.split():
        match = _LINK.match(token)
        if not match or (match.group(4) is not None and not _is_number(match.group(4))):
            raise InputError(f"malformed link {token!r} (expected i-j, i?j or ipj, optionally with :score)",
                             path, number)
        link = _zero_based(int(match.group(1)), int(match.group(3)), one_based, token, path, number)
        (sure if match.group(2) == "-" else possible).add(link)
    return GoldAlignment(frozenset(sure), frozenset(sure | possible))


def _zero_based(i: int, j: int, one_based: bool, token: str, path: str, number: int) -> Link:
    """A link read from a file, 0-based: indices below the first (0, or 1 with ``one_based``) are refused."""
    first = 1 if one_based else 0
    if i < first or j < first:
        raise InputError(f"link {token!r} has an index below {first}"
                         + (" but --one-based was given" if one_based else ""), path, number)
    return i - first, j - first


def _is_number(text: str) -> bool:
    try:
        return text.isascii() and math.isfinite(float(text))
    except ValueError:
        return False


def check_lengths(links: Sequence[Iterable[Link]], lengths: Sequence[tuple[int, int]], path: str,
                  first_line: int = 1) -> None:
    """Refuse a link that points past the end of its sentence (``lengths``: words per side);
    ``links[0]`` is line ``first_line`` of ``path``."""
    for number, (line, (n_src, n_tgt)) in enumerate(zip(links, lengths), first_line):
        beyond = sorted((i, j) for i, j in line if i >= n_src or j >= n_tgt)
        if beyond:
            raise InputError(f"link {beyond[0][0]}-{beyond[0][1]} points past the sentence ({n_src} source, "
                             f"{n_tgt} target words)", path, number)


def iter_scored_links(path: str) -> Iterator[tuple[list[Link], list[float] | None]]:
    """The links of each line of a file ``wordalign align`` wrote, sorted, with their scores
    where every link has one, else None.

    Pharaoh (``i-j``, or ``i-j:score`` as ``-f scores`` writes; ``i?j`` counts as a link), or
    JSON lines (``-f jsonl``: ``links`` and ``scores``, after an optional signature line).
    """
    lines = iter_lines(path)
    first = next(lines, None)
    if first is not None and first.startswith("{"):
        for _, links, scores in _read_json_lines(path, [first, *lines])[1]:
            yield links, scores
        return
    for number, line in enumerate([] if first is None else [first, *lines], 1):
        scored = {}
        for token in line.split():
            alignment = parse_links(token, path, number)
            link = next(iter(alignment.possible))
            _, _, score = token.partition(":")
            scored[link] = float(score) if score else None
        links = sorted(scored)
        scores = [scored[link] for link in links]
        yield links, (None if None in scores else scores)


def _read_json_lines(path: str, lines: list[str]) -> tuple[str | None, list[tuple[int, list[Link], list[float] | None]]]:
    """``wordalign align -f jsonl`` output: its signature (if its first line is one), and each
    line's number, sorted links and scores (None without them)."""
    signature, records = None, []
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
            if number == 1 and set(record) == {"signature"}:
                signature = str(record["signature"])
                continue
            links = [(int(i), int(j)) for i, j in record["links"]]
            scores = [float(score) for score in record["scores"]] if "scores" in record else None
            if any(i < 0 or j < 0 for i, j in links) or (scores is not None and (
                    len(scores) != len(links) or not all(map(math.isfinite, scores)))):
                raise ValueError("negative indices, or not one finite score per link")
        except (ValueError, TypeError, KeyError):
            raise InputError("expected a JSON object with 'links' (and 'scores') as wordalign align -f jsonl writes",
                             path, number) from None
        order = sorted(range(len(links)), key=links.__getitem__)
        records.append((number, [links[k] for k in order], None if scores is None else [scores[k] for k in order]))
    return signature, records


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
    signature, records = _read_json_lines(path, [first, *lines])
    alignments = []
    for number, pairs, _ in records:
        links = frozenset(_zero_based(i, j, one_based, f"{i}-{j}", path, number) for i, j in pairs)
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
    if output_format == "words":  # the words links index, as a 'src ||| tgt' line that reads back in
        return f"{' '.join(pair.src)} ||| {' '.join(pair.tgt)}"
    return format_links(pair.links, pair.scores if output_format == "scores" else None)
