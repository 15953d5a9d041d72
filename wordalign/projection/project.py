"""File-level projection: what ``wordalign project`` does, as a library function."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..align.config import AlignConfig
from ..errors import STDIN, ConfigError, InputError
from ..io.links import check_lengths, iter_scored_links
from ..io.output import check_output, output_stream
from ..io.text import iter_lines
from ..options import build, split_options
from ..segment.split import Segmenter, load_segmenters
from .config import PROJECTION_EXTRACTOR, PROJECTION_LEVEL, PROJECTION_MODEL, ProjectConfig
from .formats import (
    LabelledSentence,
    detect_format,
    format_conll,
    format_jsonl,
    read_conll,
    read_jsonl,
    read_target,
)
from .labels import spans_from_tags, tags_from_spans
from .spans import SpanReport, project_spans
from .tokens import project_tokens

log = logging.getLogger("wordalign")


@dataclass
class ProjectSummary:
    sentences: int = 0
    source_spans: int = 0
    projected: int = 0
    dropped: int = 0
    split: int = 0
    collided: int = 0
    seconds: float = 0.0

    def add(self, report: SpanReport, n_source: int) -> None:
        self.source_spans += n_source
        self.projected += len(report.projected)
        self.dropped += len(report.dropped)
        self.split += len(report.split)
        self.collided += len(report.collided)

    def __str__(self) -> str:
        if not self.source_spans and not self.dropped:  # --kind tokens
            return f"projected the word labels of {self.sentences} sentences in {self.seconds:.1f} s"
        return (f"projected {self.projected} of {self.source_spans} spans in {self.sentences} sentences "
                f"({self.dropped} dropped without a link, {self.split} in several groups, {self.collided} lost "
                f"to an overlapping projection) in {self.seconds:.1f} s")


def project_files(source: str, target: str, **options) -> ProjectSummary:
    """Carry the labels of a source file onto its translation and write the labelled target.

    Parameters
    ----------
    source : str
        Labelled source sentences: CoNLL (a token a line, a blank line between sentences; see
        ``token_column``, ``label_column``, ``scheme``) or JSON lines
        (``{"tokens": [...], "spans": [{"start", "end", "label"}]}``, ``end`` exclusive, or
        ``{"tokens": [...], "labels": [...]}``).
    target : str
        The translations, sentence ``k`` of ``source`` to line ``k``: pre-tokenized text, one
        sentence a line, or a CoNLL file (its tokens).
    **options
        The fields of :class:`ProjectConfig` (how labels are carried, where the output goes)
        and of :class:`~wordalign.align.config.AlignConfig` (how sentences are aligned, as for
        ``wordalign align``; the encoder, extractor and level default to those measured best
        for projection, see :func:`projection_aligner`).

    Returns
    -------
    ProjectSummary
        Sentences, spans projected, dropped (no link), split (several groups) and lost in
        collisions.
    """
    started = time.perf_counter()
    align_options, project_options, unknown = split_options(options, AlignConfig, ProjectConfig)
    if unknown:
        raise ConfigError(f"unknown option {', '.join(sorted(unknown))}")
    config, align = build(ProjectConfig, project_options), build(AlignConfig, align_options)
    if STDIN in (source, target, config.links):
        raise ConfigError("project reads its files more than once: give file paths, not standard input")
    source_format = detect_format(source)
    sentences = _read_source(source, source_format, config)
    if align.tokenize:  # raw lines, split once the aligner (and its subword pieces) is there
        targets = [(line, number) for number, line in enumerate(iter_lines(target), 1)]
        split = Segmenter(align.tgt_lang)
        load_segmenters((split, line) for line, _ in targets)
    else:
        targets = list(read_target(target, config.token_column))
    if len(targets) != len(sentences):
        short = target if len(targets) < len(sentences) else source
        raise InputError(f"{len(sentences)} source sentences ({source}) but {len(targets)} target sentences "
                         f"({target}): sentence k of one must translate sentence k of the other", short)
    output_format = config.output_format or source_format
    if output_format == "conll":
        empty = next((line for words, line in targets if not (words.strip() if isinstance(words, str) else words)),
                     None)
        if empty is not None:
            raise InputError("an empty sentence cannot be written as CoNLL (a blank line ends a sentence); "
                             "use -f jsonl", target, empty)
    aligner = None
    if config.links is None:
        check_output(config.output, [source, target, config.links])
        aligner = projection_aligner(align)
    if align.tokenize:
        split = aligner.segmenters[1] if aligner else Segmenter(align.tgt_lang)
        targets = [(split(line), number) for line, number in targets]
    if aligner is None:
        links = _read_links(config.links, sentences, targets)
        check_output(config.output, [source, target, config.links])
    else:
        links = _align(sentences, [words for words, _ in targets], aligner, source)
    summary = ProjectSummary(sentences=len(sentences))
    with output_stream(config.output) as (stream, _):
        for sentence, (words, _), (pair_links, scores) in zip(sentences, targets, links):
            stream.write(_project_one(sentence, words, pair_links, scores, config, output_format, summary))
    summary.seconds = time.perf_counter() - started
    if not config.quiet:
        log.info("%s", summary)
    return summary


def _read_source(path: str, source_format: str, config: ProjectConfig) -> list[LabelledSentence]:
    """Every source sentence, its labels checked (spans from tags where the kind is spans)."""
    if source_format == "jsonl":
        sentences = list(read_jsonl(path))
    else:
        sentences = list(read_conll(path, config.token_column, config.label_column))
    for sentence in sentences:
        if config.kind == "spans" and sentence.spans is None:
            sentence.spans = spans_from_tags(sentence.labels, config.scheme, repair=config.repair, path=path,
                                             lines=sentence.lines)
        elif config.kind == "tokens" and sentence.spans is not None:
            raise InputError("--kind tokens needs a label per token ('labels'), not spans", path,
                             sentence.lines[0] if sentence.lines else None)
    return sentences


def _read_links(path: str, sentences, targets) -> list[tuple[list, list | None]]:
    links = list(iter_scored_links(path))
    if len(links) != len(sentences):
        raise InputError(f"{len(links)} lines of links for {len(sentences)} sentences", path,
                         min(len(links), len(sentences)) + 1)
    check_lengths([pair_links for pair_links, _ in links],
                  [(len(s.words), len(words)) for s, (words, _) in zip(sentences, targets)], path)
    return links


def projection_aligner(align: AlignConfig):
    """An aligner with the projection's default encoder, extractor and level
    (:data:`PROJECTION_MODEL`, :data:`PROJECTION_EXTRACTOR`, :data:`PROJECTION_LEVEL`)."""
    from ..align.aligner import Aligner
    from ..encoding.models import checkpoint_metadata

    align = replace(align, model=align.model or PROJECTION_MODEL)
    span_model = checkpoint_metadata(align.model).get("scorer") == "span"
    if align.extractor is None and not span_model:
        align = replace(align, extractor=PROJECTION_EXTRACTOR, level=align.level or PROJECTION_LEVEL)
    return Aligner(config=align)


def _align(sentences: Sequence[LabelledSentence], targets: Sequence[list[str]], aligner, source: str) -> list:
    """Links and scores of every pair."""
    from ..align.aligner import CHUNK_PAIRS

    links = []
    for begin in range(0, len(sentences), CHUNK_PAIRS):
        chunk = zip(sentences[begin : begin + CHUNK_PAIRS], targets[begin : begin + CHUNK_PAIRS])
        pairs = [(s.words, t) for s, t in chunk]
        try:
            links += [(pair.links, pair.scores) for pair in aligner.align_batch(pairs)]
        except InputError as exc:  # about one pair: name its source sentence
            if exc.pair is None:
                raise
            raise exc.located(source, sentences[begin + exc.pair].lines[0]) from None
    return links


def _project_one(sentence: LabelledSentence, words: list[str], links, scores, config: ProjectConfig,
                 output_format: str, summary: ProjectSummary) -> str:
    if config.kind == "tokens":
        labels = project_tokens(sentence.labels, links, scores, len(words), config.unaligned_label)
        return format_conll(words, labels) if output_format == "conll" else format_jsonl(words, labels=labels)
    report = project_spans(sentence.spans, links, scores, sentence.words, words, gap=config.gap,
                           ignore_punctuation=config.punctuation == "ignore", group=config.group)
    summary.add(report, len(sentence.spans))
    spans = [projected.span for projected in report.projected]
    if output_format == "conll":
        return format_conll(words, tags_from_spans(spans, len(words), config.scheme))
    return format_jsonl(words, spans=spans)

