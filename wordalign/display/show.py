"""What ``wordalign show`` does: read sentences, links and gold, and draw them."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigError, InputError
from ..io.links import check_lengths, iter_scored_links, read_alignments
from ..io.output import OutputOptions, check_output, output_stream
from ..io.text import ParallelInput
from ..options import build, option, split_options

VIEWS = ("text", "html", "png", "svg")


@dataclass(frozen=True)
class ShowOptions(OutputOptions):
    """Options of ``wordalign show`` and :func:`show_files` (with the alignment options, for heatmaps)."""

    gold: str | None = option(None, "Gold links (i-j sure, i?j possible), line-aligned: marks correct, missed and "
                                    "wrong links.")
    view: str = option("text", "text (a word grid per pair) | html (a report of every pair) | png | svg (a "
                               "heatmap of one pair's scores; needs wordalign[plot]).", "--format", "-f")
    pairs: tuple[int, ...] = option((), "Which pairs (1-based line numbers), repeatable; default: all (text, html) or "
                                        "the first (png, svg).", "--pair", text=list[int], parse=tuple, metavar="N")

    def __post_init__(self):
        if self.view not in VIEWS:
            raise ConfigError(f"format must be one of {', '.join(VIEWS)}, not {self.view!r}")
        if self.view in ("png", "svg") and not self.output:
            raise ConfigError(f"a {self.view} heatmap is written to a file: give -o FILE.{self.view}")


def show_files(src: str, tgt: str | None, links: str, **options) -> int:
    """Draw the alignments of a file of pairs: a grid per pair, an HTML report, or a heatmap.

    Parameters
    ----------
    src, tgt : str
        The sentences (two line-aligned files, or one ``src ||| tgt`` file as ``src`` and None).
    links : str
        Their links: Pharaoh, with ``:score`` suffixes or not (``wordalign align -f scores``), or
        ``align -f jsonl`` output.
    **options
        The fields of :class:`ShowOptions` and, for a heatmap (whose scores come from the model),
        of :class:`~wordalign.align.config.AlignConfig`.

    Returns
    -------
    int
        The pairs drawn.
    """
    from ..align.config import AlignConfig

    show_options, align_options, unknown = split_options(options, ShowOptions, AlignConfig)
    if unknown:
        raise ConfigError(f"unknown option {', '.join(sorted(unknown))}")
    config = build(ShowOptions, show_options)
    sentences = list(ParallelInput(src, tgt))
    scored = list(iter_scored_links(links))
    gold = read_alignments(config.gold) if config.gold else None
    for path, count in ((links, len(scored)), (config.gold, len(gold) if gold else None)):
        if count is not None and count != len(sentences):
            raise InputError(f"{count} lines for {len(sentences)} sentence pairs", path, min(count, len(sentences)) + 1)
    lengths = [(len(s), len(t)) for s, t in sentences]
    check_lengths([pair_links for pair_links, _ in scored], lengths, links)
    if gold:
        check_lengths([alignment.possible for alignment in gold], lengths, config.gold)
    chosen = [n - 1 for n in config.pairs] or (list(range(len(sentences))) if config.view in ("text", "html") else [0])
    for number in chosen:
        if not 0 <= number < len(sentences):
            raise ConfigError(f"--pair {number + 1}: the file has pairs 1 to {len(sentences)}")
    check_output(config.output, [src, tgt, links, config.gold])
    if config.view in ("png", "svg"):
        _heatmap(sentences[chosen[0]], scored[chosen[0]][0], gold[chosen[0]] if gold else None, config,
                 build(AlignConfig, align_options))
        return 1
    with output_stream(config.output) as (stream, _):
        if config.view == "html":
            from .report import html_report

            stream.write(html_report([(*sentences[k], *scored[k]) for k in chosen],
                                     [gold[k] for k in chosen] if gold else None))
        else:
            from .grid import text_grid

            for k in chosen:
                stream.write(text_grid(*sentences[k], scored[k][0], gold[k] if gold else None, f"pair {k + 1}") + "\n")
    return len(chosen)


def _heatmap(pair, links, gold, config: ShowOptions, align) -> None:
    """One pair's score matrix (from the model, as ``align`` scores it) with its links."""
    from ..align.aligner import Aligner
    from .heatmap import _pyplot, heatmap

    _pyplot()  # fails with the install command before the model loads
    src, tgt = pair
    if not (src and tgt):
        raise ConfigError("a pair with an empty side has no matrix to draw")
    aligner = Aligner(config=align)
    scores = aligner.scorer.score_batch([(src, tgt)])[0]
    label = "link probability" if aligner.scorer.name == "span" else "cosine similarity"
    heatmap(scores.matrix, src, tgt, links, config.output, gold, label)
