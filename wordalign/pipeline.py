"""File-level alignment: what ``wordalign align`` does, as a library function."""

from __future__ import annotations

import json
import logging
import sys
import time
from dataclasses import dataclass
from itertools import islice

from tqdm import tqdm

from .aligner import CHUNK_PAIRS, Aligner
from .errors import ConfigError
from .io import ParallelInput, output_stream, read_manifest

log = logging.getLogger("wordalign")
FORMATS = ("pharaoh", "scores", "jsonl")


@dataclass
class AlignSummary:
    pairs: int
    empty_pairs: int
    windowed_sentences: int
    seconds: float
    device: str

    def __str__(self) -> str:
        rate = self.pairs / self.seconds if self.seconds else 0.0
        return (f"aligned {self.pairs} pairs ({self.empty_pairs} with an empty side, "
                f"{self.windowed_sentences} long sentences windowed) in {self.seconds:.1f} s, "
                f"{rate:.1f} pairs/s on {self.device}")


def format_pair(pair, output_format: str) -> str:
    if output_format == "jsonl":
        return json.dumps(pair.to_json(), ensure_ascii=False)
    return pair.pharaoh(with_scores=output_format == "scores")


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


def align_files(src: str, tgt: str | None = None, *, output: str | None = None,
                output_format: str = "pharaoh", model: str | None = None, scorer: str | None = None,
                layer: int | None = None, extractor: str | None = None, extractor_params: dict | None = None,
                setting: str = "bilingual", centering: str | None = None, device: str = "auto",
                dtype: str = "auto", batch_size: int = 32, max_length: int | None = None,
                shard: tuple[int, int] | None = None, resume: bool = False, quiet: bool = False) -> AlignSummary:
    """Align a parallel corpus and write one output line per input line.

    Parameters
    ----------
    src : str
        Source file, or a ``source ||| target`` file when ``tgt`` is None; ``-`` is stdin.
    tgt : str, optional
        Target file, line-aligned with ``src``.
    output : str, optional
        Output path, written as ``OUTPUT.part`` and renamed when complete; stdout when None
        or ``-``.
    output_format : {"pharaoh", "scores", "jsonl"}
        Pharaoh links, Pharaoh links with ``:score`` suffixes, or JSON lines with words,
        links, scores and unaligned words.
    model, scorer, layer, extractor, extractor_params, setting, centering, device, dtype, batch_size, max_length
        See :class:`wordalign.aligner.Aligner`.
    shard : (int, int), optional
        ``(i, n)``: align only the i-th of n contiguous, near-equal parts of the input (0-based),
        so that n jobs split a corpus without coordination; their outputs concatenated in
        order equal the whole run's.
    resume : bool
        Continue an interrupted run from the last complete line of ``OUTPUT.part``; the
        result is byte-identical to an uninterrupted run.
    quiet : bool
        No progress bar and no summary line on stderr.
    """
    _check_format(output_format)
    corpus = ParallelInput(src, tgt)  # validated completely before the model loads
    begin, end = shard_range(shard, corpus.n_pairs)
    aligner = Aligner(model, scorer=scorer, layer=layer, extractor=extractor, extractor_params=extractor_params,
                      setting=setting, centering=centering, device=device, dtype=dtype,
                      batch_size=batch_size, max_length=max_length)
    return write_alignments(aligner, corpus, output, output_format=output_format, begin=begin, end=end,
                            resume=resume, quiet=quiet)


def align_manifest(manifest: str, *, output_format: str = "pharaoh", model: str | None = None,
                   scorer: str | None = None, layer: int | None = None, extractor: str | None = None,
                   extractor_params: dict | None = None, setting: str = "bilingual",
                   centering: str | None = None, device: str = "auto", dtype: str = "auto",
                   batch_size: int = 32, max_length: int | None = None, resume: bool = False,
                   quiet: bool = False) -> list[AlignSummary]:
    """Align every corpus a manifest lists, loading the model once.

    Parameters
    ----------
    manifest : str
        Tab-separated jobs, one per line: ``SRC TGT OUT`` or ``SRC OUT`` for a
        ``source ||| target`` file (see :func:`wordalign.io.read_manifest`).
    output_format, model, scorer, layer, extractor, extractor_params, setting, centering, device, dtype, batch_size, max_length, quiet
        As for :func:`align_files`.
    resume : bool
        Skip the outputs already complete and continue the interrupted one, so a killed run
        restarted with the same manifest ends with the same files as an uninterrupted one.

    Returns
    -------
    list[AlignSummary]
        One per job, in manifest order.
    """
    _check_format(output_format)
    jobs = read_manifest(manifest)
    corpora = [ParallelInput(job.src, job.tgt) for job in jobs]  # every input checked first
    aligner = Aligner(model, scorer=scorer, layer=layer, extractor=extractor, extractor_params=extractor_params,
                      setting=setting, centering=centering, device=device, dtype=dtype,
                      batch_size=batch_size, max_length=max_length)
    return [write_alignments(aligner, corpus, job.output, output_format=output_format, resume=resume,
                             quiet=quiet) for job, corpus in zip(jobs, corpora)]


def _check_format(output_format: str) -> None:
    if output_format not in FORMATS:
        raise ConfigError(f"format must be one of {', '.join(FORMATS)}, not {output_format!r}")


def write_alignments(aligner: Aligner, corpus: ParallelInput, output: str | None, *,
                     output_format: str = "pharaoh", begin: int = 0, end: int | None = None,
                     resume: bool = False, quiet: bool = False) -> AlignSummary:
    """Align lines ``begin:end`` of ``corpus`` with a loaded aligner and write them to ``output``.

    Parameters
    ----------
    aligner : Aligner
        A loaded aligner, reused across corpora.
    corpus : ParallelInput
        The input; ``begin``/``end`` are 0-based line numbers in it (``end`` exclusive, None
        for the end of the input).
    output, output_format, resume, quiet
        See :func:`align_files`.

    Returns
    -------
    AlignSummary
        Pairs written by this call, empty pairs, windowed sentences, time, device.
    """
    started = time.perf_counter()
    windowed_before = aligner.encoder.windowed_sentences
    pairs = empty = 0
    show_bar = not quiet and sys.stderr.isatty()
    last = end if end is not None else corpus.n_pairs  # None for stdin
    with output_stream(output, resume, expected=None if last is None else last - begin) as (stream, done):
        if done:
            log.info("resuming after %d complete lines of %s", done, output)
        first = begin + done
        # Pairs are encoded in chunks fixed by absolute line number, so every line is computed
        # in the same batch whether the run is whole, sharded or resumed: reduced-precision
        # results then match byte for byte. Lines of a chunk outside the range are dropped.
        chunk_start = first // CHUNK_PAIRS * CHUNK_PAIRS
        chunk_end = None if end is None else -(-end // CHUNK_PAIRS) * CHUNK_PAIRS
        total = None if last is None else max(0, last - first)
        # A finished output has nothing left: do not encode its last chunk again.
        todo = islice(corpus, chunk_start, chunk_end) if total != 0 else iter(())
        with tqdm(total=total, unit="pair", disable=not show_bar, file=sys.stderr) as bar:
            aligned = aligner.align_stream(todo, CHUNK_PAIRS)
            for number, pair in enumerate(aligned, chunk_start):
                if number < first or (end is not None and number >= end):
                    continue
                stream.write(format_pair(pair, output_format) + "\n")
                stream.flush()  # complete lines reach the file as they are made
                pairs += 1
                empty += not (pair.src and pair.tgt)
                bar.update()
    summary = AlignSummary(pairs, empty, aligner.encoder.windowed_sentences - windowed_before,
                           time.perf_counter() - started, aligner.encoder.device)
    if empty:
        log.warning("%d pairs have an empty side; each got an empty output line", empty)
    if not quiet:
        log.info("%s%s", f"{output}: " if output not in (None, "-") else "", summary)
    return summary
