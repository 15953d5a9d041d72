"""File-level alignment: what ``wordalign align`` does, as library functions."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from dataclasses import dataclass, fields, replace
from itertools import islice

from tqdm import tqdm

from ..errors import ConfigError, InputError, shown_path
from ..io.links import format_pair
from ..io.manifest import read_manifest
from ..io.output import check_output, output_stream
from ..io.text import STDIN, ParallelInput
from ..options import build, split_options
from ..segment.split import Segmenter, load_segmenters
from .aligner import CHUNK_PAIRS, Aligner
from .config import AlignConfig, RunOptions

log = logging.getLogger("wordalign")


@dataclass
class AlignSummary:
    pairs: int
    empty_pairs: int
    windowed_sentences: int
    seconds: float
    device: str
    signature: str
    pieces_runs: int = 0  # with tokenize: runs of a script without a segmenter, cut into subword pieces

    def __str__(self) -> str:
        rate = self.pairs / self.seconds if self.seconds else 0.0
        pieces = (f", {self.pieces_runs} runs of a script without spaces or segmenter (Thai, Khmer, ...) "
                  "split into the encoder's subword pieces" if self.pieces_runs else "")
        return (f"aligned {self.pairs} pairs ({self.empty_pairs} with an empty side, "
                f"{self.windowed_sentences} long sentences windowed{pieces}) in {self.seconds:.1f} s, "
                f"{rate:.1f} pairs/s on {self.device}; {self.signature}")


def shard_range(shard: tuple[int, int] | None, n_pairs: int | None) -> tuple[int, int | None]:
    """First and end line (0-based, end exclusive) of shard ``(i, n)`` of ``n_pairs`` lines."""
    if shard is None:
        return 0, None
    index, count = shard
    if not 0 <= index < count:
        raise ConfigError(f"--shard {index}/{count}: expected i/n with 0 <= i < n")
    if n_pairs is None:
        raise ConfigError("--shard needs input files: standard input has no known length")
    return index * n_pairs // count, (index + 1) * n_pairs // count


def align_files(src: str, tgt: str | None = None, **options) -> AlignSummary:
    """Align a parallel corpus and write one output line per input line.

    Parameters
    ----------
    src : str
        Source file, or a ``source ||| target`` file when ``tgt`` is None; ``-`` is stdin.
    tgt : str, optional
        Target file, line-aligned with ``src``.
    **options
        The fields of :class:`RunOptions` and :class:`~wordalign.align.config.AlignConfig`:
        ``output`` (written as ``OUTPUT.part`` and renamed when complete; stdout when None or
        ``-``), ``output_format`` (``pharaoh``; ``scores``, Pharaoh links with ``:score``
        suffixes; ``jsonl``, words, links, scores and unaligned words), ``signature`` (the
        configuration as the first jsonl line), ``shard`` (``(i, n)``: only the i-th of n
        contiguous, near-equal parts of the input, so that n jobs split a corpus without
        coordination; their outputs concatenated in order equal the whole run's), ``resume``
        (continue from the last complete line of ``OUTPUT.part``; the result is byte-identical
        to an uninterrupted run), ``quiet``; and how to align, as for
        :class:`~wordalign.align.aligner.Aligner`.
    """
    config, run = _configs(options)
    if run.resume and STDIN in (src, tgt):
        raise ConfigError("--resume cannot tell whether standard input is the same as before: give files")
    corpus = ParallelInput(src, tgt)  # validated completely before the model loads
    check_segmenters(corpus, config)
    begin, end = shard_range(run.shard, corpus.n_pairs)
    check_output(run.output, [src, tgt], run.resume, run_record(corpus, run.shard))
    aligner = Aligner(config=config)
    return write_alignments(aligner, corpus, run, begin=begin, end=end)


def align_manifest(manifest: str, **options) -> list[AlignSummary]:
    """Align every corpus a manifest lists, loading the model once.

    Parameters
    ----------
    manifest : str
        Tab-separated jobs, one per line: ``SRC TGT OUT`` or ``SRC OUT`` for a
        ``source ||| target`` file (see :func:`wordalign.io.manifest.read_manifest`).
    **options
        As for :func:`align_files`, but for ``output`` and ``shard``: the manifest names the
        outputs. ``resume`` skips the outputs already complete and continues the interrupted
        one, so a killed run restarted with the same manifest ends with the same files as an
        uninterrupted one.

    Returns
    -------
    list[AlignSummary]
        One per job, in manifest order.
    """
    config, run = _configs(options)
    if run.output is not None or run.shard is not None:
        raise ConfigError("--manifest lists inputs and outputs itself: give no -o or --shard with it")
    jobs = read_manifest(manifest)
    corpora = [ParallelInput(job.src, job.tgt) for job in jobs]  # every input checked first
    for corpus in corpora:
        check_segmenters(corpus, config)
    for job, corpus in zip(jobs, corpora):
        check_output(job.output, [job.src, job.tgt, manifest], run.resume, run_record(corpus, None))
    aligner = Aligner(config=config)
    return [write_alignments(aligner, corpus, replace(run, output=job.output)) for job, corpus in zip(jobs, corpora)]


def _configs(options: dict) -> tuple[AlignConfig, RunOptions]:
    """The alignment config and the run options among keyword arguments; no other is taken."""
    align_options, run_options, unknown = split_options(options, AlignConfig, RunOptions)
    if unknown:
        known = sorted(field.name for config in (AlignConfig, RunOptions) for field in fields(config))
        raise ConfigError(f"unknown option {', '.join(sorted(unknown))}; it takes: {', '.join(known)}")
    return build(AlignConfig, align_options), build(RunOptions, run_options)


def check_segmenters(corpus: ParallelInput, config: AlignConfig) -> None:
    """With ``tokenize``, load the Chinese and Japanese segmenters the input needs, so that a
    missing extra fails before the model loads (standard input is checked as it comes)."""
    if not config.tokenize or corpus.n_pairs is None:
        return
    sides = Segmenter(config.src_lang), Segmenter(config.tgt_lang)
    load_segmenters(side for pair in corpus.lines() for side in zip(sides, pair))


def run_record(corpus: ParallelInput, shard: tuple[int, int] | None) -> dict:
    """What identifies a run's output, but for the signature: its inputs (path and size) and shard."""
    paths = [corpus.src_path] + ([corpus.tgt_path] if corpus.tgt_path else [])
    return {"inputs": [[shown_path(path), None] if path == STDIN else [os.path.realpath(path), os.path.getsize(path)]
                       for path in paths],
            "shard": None if shard is None else list(shard)}


def write_alignments(aligner: Aligner, corpus: ParallelInput, run: RunOptions, *,
                     begin: int = 0, end: int | None = None) -> AlignSummary:
    """Align lines ``begin:end`` of ``corpus`` with a loaded aligner and write them to ``run.output``.

    Parameters
    ----------
    aligner : Aligner
        A loaded aligner, reused across corpora.
    corpus : ParallelInput
        The input; ``begin``/``end`` are 0-based line numbers in it (``end`` exclusive, None
        for the end of the input).
    run : RunOptions
        Output, format, resumption, progress; its ``shard`` is ignored (``begin``/``end`` say it).

    Returns
    -------
    AlignSummary
        Pairs written by this call, empty pairs, windowed sentences, time, device, signature.
    """
    started = time.perf_counter()
    scorer = aligner.scorer
    windowed_before = scorer.windowed_sentences
    segmenters = aligner.segmenters if aligner.config.tokenize else ()
    pieces_before = sum(segmenter.pieces_runs for segmenter in segmenters)
    pairs = empty = 0
    show_bar = not run.quiet and sys.stderr.isatty()
    last = end if end is not None else corpus.n_pairs  # None for stdin
    # The first shard carries the header, so that the shards' outputs concatenated are the whole run's.
    first_shard = run.shard is None or run.shard[0] == 0
    header = [json.dumps({"signature": aligner.signature})] if run.signature and first_shard else []
    record = {**run_record(corpus, run.shard), "signature": aligner.signature, "header": bool(header),
              "format": run.output_format, "max_length": aligner.config.max_length}
    with output_stream(run.output, run.resume, expected=None if last is None else last - begin,
                       header=header, record=record) as (stream, done):
        if done:
            log.info("resuming after %d complete lines of %s", done, run.output)
        first = begin + done
        # Pairs are encoded in chunks fixed by absolute line number, so every line is computed
        # in the same batch whether the run is whole, sharded or resumed: reduced-precision
        # results then match byte for byte. Lines of a chunk outside the range are dropped.
        chunk_start = first // CHUNK_PAIRS * CHUNK_PAIRS
        chunk_end = None if end is None else -(-end // CHUNK_PAIRS) * CHUNK_PAIRS
        total = None if last is None else max(0, last - first)
        # A finished output has nothing left: do not encode its last chunk again.
        # Raw lines go to the aligner whole when it splits them itself (``tokenize``).
        pairs_in = corpus.lines() if aligner.config.tokenize else iter(corpus)
        todo = islice(pairs_in, chunk_start, chunk_end) if total != 0 else iter(())
        number = chunk_start  # the line (0-based) of the next pair to come
        with tqdm(total=total, unit="pair", disable=not show_bar, file=sys.stderr) as bar:
            try:
                for pair in aligner.align_stream(todo, CHUNK_PAIRS):
                    number += 1
                    if number <= first or (end is not None and number > end):
                        continue
                    stream.write(format_pair(pair, run.output_format) + "\n")
                    stream.flush()  # complete lines reach the file as they are made
                    pairs += 1
                    empty += not (pair.src and pair.tgt)
                    bar.update()
            except InputError as exc:  # about one pair of the chunk that begins at ``number``
                if exc.pair is None:
                    raise
                raise exc.located(corpus.src_path, number + exc.pair + 1) from None
    summary = AlignSummary(pairs, empty, scorer.windowed_sentences - windowed_before,
                           time.perf_counter() - started, scorer.device, aligner.signature,
                           sum(segmenter.pieces_runs for segmenter in segmenters) - pieces_before)
    if empty:
        log.warning("%d pairs have an empty side; each got an empty output line", empty)
    if not run.quiet:
        log.info("%s%s", f"{run.output}: " if run.output not in (None, "-") else "", summary)
    return summary
