"""Link-set operations: the symmetrization heuristics of Koehn et al. (2005), and inversion.

Two directional alignments of a sentence pair (source → target, and target → source, both as
``(source, target)`` links) become one. The growing heuristics start from the links both
directions agree on and add links of either direction next to them, as ``atools`` of fast_align
does; the results equal atools' on its own outputs (``tests/golden/symmetrization``). Each
pass visits the remaining candidate links only (never the whole grid of word pairs).

References
----------
Koehn, Axelrod, Birch Mayne, Callison-Burch, Osborne & Talbot (2005). Edinburgh System
Description for the 2005 IWSLT Speech Translation Evaluation. IWSLT.
Och & Ney (2003). A Systematic Comparison of Various Statistical Alignment Models.
Computational Linguistics 29(1).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import ConfigError, InputError
from .io.links import format_links, read_alignments
from .io.output import OutputOptions, check_output, output_stream
from .options import build, option
from .types import Link

log = logging.getLogger("wordalign")

# Neighbours of a link for growing: the four sides and the four diagonals.
_NEIGHBOURS = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1))
METHODS = ("intersect", "union", "grow-diag", "grow-diag-final", "grow-diag-final-and")
ALIASES = {"gdfa": "grow-diag-final-and", "gdf": "grow-diag-final", "gd": "grow-diag",
           "intersection": "intersect"}


def check_method(method: str) -> str:
    """The heuristic's full name (``gdfa`` is ``grow-diag-final-and``); unknown: :class:`ConfigError`."""
    method = ALIASES.get(method, method)
    if method not in METHODS:
        raise ConfigError(f"method must be one of {', '.join(METHODS)} (or gdfa, gdf, gd), not {method!r}")
    return method


def symmetrize(forward: Iterable[Link], reverse: Iterable[Link], method: str = "grow-diag-final-and") -> set[Link]:
    """Combine two directional alignments of one sentence pair into one.

    With ``A`` the forward links, ``B`` the reverse links (both ``(i, j)``), ``I = A ∩ B``:

    - ``intersect``: ``I``; ``union``: ``A ∪ B``.
    - ``grow-diag``: from ``I``, add a link of ``A ∪ B`` that touches (side or diagonal) a link
      already in the result and whose source or target word has none yet; sweeps over the
      remaining candidates in ``(i, j)`` order, each added link counting at once, until a sweep
      adds nothing.
    - ``grow-diag-final``: then add the links of ``A``, then of ``B``, whose source or target word
      is still unaligned; ``grow-diag-final-and``: only where both words are.

    Parameters
    ----------
    forward, reverse : iterable of (int, int)
        Source → target and target → source alignments, both as (source, target) links.
    method : str
        One of :data:`METHODS` (or an alias: ``gdfa``, ``gdf``, ``gd``).

    Returns
    -------
    set of (int, int)
    """
    method = check_method(method)
    forward, reverse = set(forward), set(reverse)
    if method == "intersect":
        return forward & reverse
    if method == "union":
        return forward | reverse
    result = forward & reverse
    src_aligned = {i for i, _ in result}
    tgt_aligned = {j for _, j in result}

    def add(link: Link) -> None:
        result.add(link)
        src_aligned.add(link[0])
        tgt_aligned.add(link[1])

    candidates = sorted((forward | reverse) - result)
    while candidates:
        remaining = []
        for i, j in candidates:
            unaligned = i not in src_aligned or j not in tgt_aligned
            if unaligned and any((i + di, j + dj) in result for di, dj in _NEIGHBOURS):
                add((i, j))
            else:
                remaining.append((i, j))
        if len(remaining) == len(candidates):
            break
        candidates = remaining
    if method != "grow-diag":
        both = method == "grow-diag-final-and"
        for side in (forward, reverse):
            for i, j in sorted(side - result):
                if (i not in src_aligned and j not in tgt_aligned) if both else \
                        (i not in src_aligned or j not in tgt_aligned):
                    add((i, j))
    return result


def invert(links: Iterable[Link]) -> set[Link]:
    """``(i, j)`` → ``(j, i)``: an alignment read the other way."""
    return {(j, i) for i, j in links}


@dataclass(frozen=True)
class SymmetrizeOptions(OutputOptions):
    """Options of ``wordalign symmetrize`` and :func:`symmetrize_files`."""

    method: str = option("grow-diag-final-and", "intersect | union | grow-diag | grow-diag-final | "
                                                "grow-diag-final-and (gdfa).", "--method", "-m")
    invert: bool = option(False, "Invert one file (i-j → j-i) instead of combining two.", "--invert")

    def __post_init__(self):
        check_method(self.method)


def symmetrize_files(forward: str, reverse: str | None = None, **options) -> int:
    """Combine two directional Pharaoh files line by line (or invert one) and write the result.

    Parameters
    ----------
    forward : str
        Source → target links, ``i-j`` per link (``i?j`` counts as a link; ``:score`` suffixes
        are ignored), one line per sentence pair. Inverted, ``i?j`` stays a possible link.
    reverse : str, optional
        Target → source links, also written ``source-target``, line-aligned with ``forward``;
        not with ``invert``.
    **options
        The fields of :class:`SymmetrizeOptions`: ``method``, ``invert``, ``output`` (stdout when
        None; written whole or not at all), ``quiet``.

    Returns
    -------
    int
        Lines written: one per input line, links sorted.
    """
    config = build(SymmetrizeOptions, options)
    if config.invert == (reverse is not None):
        raise ConfigError("give FWD and REV to combine, or one FILE with --invert")
    lines = [read_alignments(forward)]
    if reverse is not None:
        lines.append(read_alignments(reverse))
        if len(lines[0]) != len(lines[1]):
            short = forward if len(lines[0]) < len(lines[1]) else reverse
            raise InputError(f"line counts differ: {forward} has {len(lines[0])} lines, {reverse} has "
                             f"{len(lines[1])}", short, min(map(len, lines)) + 1)
    check_output(config.output, [forward, reverse])
    method = check_method(config.method)
    with output_stream(config.output) as (stream, _):
        for alignments in zip(*lines):
            if config.invert:  # sure and possible links both turned round, each kept as it was
                sure = invert(alignments[0].sure)
                tokens = [f"{i}-{j}" if (i, j) in sure else f"{i}?{j}" for i, j in sorted(invert(alignments[0].possible))]
                stream.write(" ".join(tokens) + "\n")
            else:
                combined = symmetrize(alignments[0].possible, alignments[1].possible, method)
                stream.write(format_links(sorted(combined)) + "\n")
    if not config.quiet:
        log.info("%s %d lines%s", "inverted" if config.invert else f"symmetrized ({method})", len(lines[0]),
                 f" into {config.output}" if config.output not in (None, "-") else "")
    return len(lines[0])
