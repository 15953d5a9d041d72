"""What ``wordalign show`` does: read sentences, links and gold, and draw them."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from ..errors import ConfigError, InputError
from ..io.links import check_lengths, iter_scored_links, read_alignments
from ..io.output import OutputOptions, check_output, output_stream
from ..io.text import ParallelInput
from ..options import build, option, split_options

log = logging.getLogger("wordalign")
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
        if self.view in ("png", "svg"):
            if self.output in (None, "-"):
                raise ConfigError(f"a {self.view} heatmap is written to a file: give -o FILE.{self.view}")
            if len(self.pairs) > 1:
                raise ConfigError(f"a heatmap draws one pair: give one --pair, not {len(self.pairs)}")


def show_files(src: str, tgt: str | None, links: str, **options) -> int:
    """Draw the alignments of a file of pairs: a grid per pair, an HTML report, or a heatmap.

    Parameters
    ----------
    src, tgt : str
        The sentences (two line-aligned files, or one ``src ||| tgt`` file as ``src`` and None).
    links : str
        Their links: Pharaoh, with ``:score`` suffixes or not (``wordalign align -f scores``), or
        ``align -f jsonl`` output (:func:`~wordalign.io.links.iter_scored_links`).
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
    align = build(AlignConfig, align_options)
    sentences = list(ParallelInput(src, tgt))
    if align.tokenize:  # raw lines, split as `align --tokenize` splits them (runs without a segmenter whole)
        from ..segment.split import Segmenter

        split_src, split_tgt = Segmenter(align.src_lang), Segmenter(align.tgt_lang)
        sentences = [(split_src(s), split_tgt(t)) for s, t in ParallelInput(src, tgt).lines()]
    scored = list(iter_scored_links(links))
    gold = read_alignments(config.gold) if config.gold else None
    for path, count in ((links, len(scored)), (config.gold, None if gold is None else len(gold))):
        if count is not None and count != len(sentences):
            raise InputError(f"{count} lines for {len(sentences)} sentence pairs", path, min(count, len(sentences)) + 1)
    lengths = [(len(s), len(t)) for s, t in sentences]
    check_lengths([pair_links for pair_links, _ in scored], lengths, links)
    if gold is not None:
        check_lengths([alignment.possible for alignment in gold], lengths, config.gold)
    chosen = [n - 1 for n in config.pairs] or (list(range(len(sentences))) if config.view in ("text", "html") else [0])
    for number in chosen:
        if not 0 <= number < len(sentences):
            raise ConfigError(f"--pair {number + 1}: the file has pairs 1 to {len(sentences)}")
    check_output(config.output, [src, tgt, links, config.gold])
    if config.view in ("png", "svg"):
        _heatmap(src, chosen[0] + 1, sentences[chosen[0]], scored[chosen[0]][0],
                 None if gold is None else gold[chosen[0]], config, align)
    else:
        with output_stream(config.output) as (stream, _):
            if config.view == "html":
                from .report import html_report

                stream.write(html_report([(*sentences[k], *scored[k]) for k in chosen],
                                         None if gold is None else [gold[k] for k in chosen], [k + 1 for k in chosen]))
            else:
                from .grid import text_grid

                for k in chosen:
                    stream.write(text_grid(*sentences[k], scored[k][0], None if gold is None else gold[k],
                                           f"pair {k + 1}") + "\n")
    if not config.quiet:
        log.info("drew %d pairs (%s)%s", len(chosen), config.view,
                 f" into {config.output}" if config.output not in (None, "-") else "")
    return len(chosen)


def _heatmap(path: str, number: int, pair, links, gold, config: ShowOptions, align) -> None:
    """One pair's score matrix (from the model, as ``align`` scores it) with its links, written
    whole or not at all."""
    from ..align.aligner import Aligner
    from .heatmap import _pyplot, heatmap

    _pyplot()  # fails with the install command before the model loads
    src, tgt = pair
    if not (src and tgt):
        raise InputError("a pair with an empty side has no matrix to draw", path, number)
    aligner = Aligner(config=align)
    try:
        scores = aligner.scorer.score_batch([(src, tgt)])[0]
    except InputError as exc:  # about the pair (a sentence too long for a span model)
        if exc.pair is None:
            raise
        raise exc.located(path, number) from None
    label = "link probability" if aligner.scorer.name == "span" else "cosine similarity"
    part = f"{config.output}.part"
    heatmap(scores.word_matrix, src, tgt, links, part, gold, label, config.view)
    os.replace(part, config.output)
