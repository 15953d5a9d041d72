"""Supervised span prediction trained on gold alignments: what ``wordalign train-span`` does."""

from __future__ import annotations

import copy
import json
import logging
import math
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from .aligner import CHUNK_PAIRS
from .encoder import autocast, default_layer, drop_layers_above
from .errors import ConfigError, InputError
from .evaluation import AlignmentScore, score_alignments
from .extractors import bind, get_extractor
from .io import STDIN, ParallelInput, read_alignments
from .models import load_encoder, write_checkpoint
from .span_prediction import (
    DEFAULT_MARKER,
    NULL_POSITION,
    SCORER,
    SpanQuery,
    SpanScorer,
    build_queries,
    candidate_log_probs,
    collate,
    span_logits,
)
from .training import BUCKET_BATCHES, length_bucketed, moving_average, optimizer_and_schedule
from .types import GoldAlignment

log = logging.getLogger("wordalign")
LINKS = ("all", "sure")
# Thresholds of the averaged link probability tried on the dev split after every epoch.
THRESHOLDS = tuple(round(0.05 * k, 2) for k in range(1, 20))


@dataclass
class SpanTrainSettings:
    """Everything that determines a training run; stored in the checkpoint."""

    src: str
    tgt: str
    gold: str
    dev_src: str | None
    dev_tgt: str | None
    dev_gold: str | None
    model: str
    layers: int
    links: str
    marker: str
    epochs: int
    patience: int
    batch_size: int
    learning_rate: float
    warmup: float
    seed: int
    device: str
    dtype: str


@dataclass
class SpanTrainSummary:
    output_dir: str
    epochs_run: int
    best_epoch: int
    queries: int
    queries_too_long: int
    seconds: float
    device: str
    threshold: float
    dev_aer: float | None
    dev_history: list[dict] = field(default_factory=list)

    def __str__(self) -> str:
        dev = (f"dev AER {100 * self.dev_aer:.2f} at threshold {self.threshold} (epoch {self.best_epoch})"
               if self.dev_aer is not None else f"no dev split: last epoch kept, threshold {self.threshold}")
        return (f"trained {self.epochs_run} epochs on {self.queries} span queries ({self.queries_too_long} too long, "
                f"skipped) in {self.seconds / 60:.1f} min on {self.device}; {dev}; model in {self.output_dir}")


@dataclass(frozen=True)
class _Example:
    query: SpanQuery
    starts: tuple[int, ...]  # answer candidates: 0 = no answer, 1 + j = context word j
    ends: tuple[int, ...]


def train_span(src: str, tgt: str, gold: str, output_dir: str, *, dev_src: str | None = None,
               dev_tgt: str | None = None, dev_gold: str | None = None, model: str | None = None,
               layers: int | None = None, links: str = "all", marker: str | None = None, epochs: int = 3,
               patience: int = 1, batch_size: int = 16, learning_rate: float = 1e-4, warmup: float = 0.1,
               seed: int = 0, device: str = "auto", dtype: str = "auto", quiet: bool = False) -> SpanTrainSummary:
    """Train a span-prediction aligner on gold word alignments.

    Every word of every training pair, in both directions, becomes one question: its sentence
    with the word marked (``• word •``), paired with the other sentence; the answer is each
    contiguous run of words it is linked to, or "no answer" (the ``[CLS]`` token) for an
    unaligned word. The loss is the negative log-likelihood of the answer's start and end,
    marginalised over the runs of a non-contiguous answer:
    ``L = -½ (log Σ_r p_s(start_r) + log Σ_r p_e(end_r))``, with ``p_s``, ``p_e`` softmaxes over
    "no answer" and the context words (:func:`~wordalign.span_prediction.candidate_log_probs`).

    After each epoch the dev split, when given, is aligned exactly as ``wordalign align``
    would, with every threshold in :data:`THRESHOLDS`; the epoch and threshold with the lowest
    dev AER are kept, and training stops after ``patience`` epochs without improvement.

    Parameters
    ----------
    src, tgt : str
        Pre-tokenized, line-aligned sentence files (words split on spaces).
    gold : str
        Pharaoh gold links (``i-j`` sure, ``i?j`` / ``ipj`` possible), 0-based, line-aligned.
    output_dir : str
        Checkpoint directory to create; ``--model`` loads it, and ``wordalign align`` then uses
        the span scorer and the tuned threshold by itself.
    dev_src, dev_tgt, dev_gold : str, optional
        A dev split (all three, or none) for early stopping and the threshold.
    model : str, optional
        Encoder to start from: ``None`` for the embedded one, or a local model directory. A
        ``train-span`` checkpoint (of another language pair, say) is trained further with its
        head, blocks and marker: with little gold for a pair, a model that has learnt the task
        elsewhere is a better start than a new head (Wu et al. 2023 pre-train the same way).
    layers : int, optional
        Keep only the first ``layers`` transformer blocks (default: the model's alignment
        layer, where its word vectors align best, 7 of 12 for the embedded encoder; all the
        blocks of a ``train-span`` checkpoint). Fewer blocks train and predict faster.
    links : {"all", "sure"}
        Train on sure and possible links, or on sure links only.
    marker : str, optional
        The word put before and after the marked query word (default: a ``train-span``
        checkpoint's, else :data:`~wordalign.span_prediction.DEFAULT_MARKER`).
    epochs, patience : int
        At most ``epochs`` passes; stop after ``patience`` epochs without a better dev AER.
    batch_size, learning_rate, warmup
        Queries per step; AdamW peak rate with linear warm-up over the first ``warmup`` share
        of all steps, then linear decay. Word embeddings stay frozen.
    seed : int
        Seeds the new head, dropout and data order: equal settings give an equal model.
    device, dtype
        As for :class:`~wordalign.encoder.WordEncoder`; ``dtype`` is used as autocast.
    quiet : bool
        No progress bar.

    References
    ----------
    Nagata, Chousa & Nishino (2020). A Supervised Word Alignment Method based on
    Cross-Language Span Prediction using Multilingual BERT. EMNLP.
    Wu, Nagata & Tsuruoka (2023). WSPAlign: Word Alignment Pre-training via Large-Scale
    Weakly Supervised Span Prediction. ACL.
    """
    import torch

    if links not in LINKS:
        raise ConfigError(f"links must be one of {', '.join(LINKS)}, not {links!r}")
    for name, value in (("epochs", epochs), ("patience", patience), ("batch_size", batch_size)):
        if value < 1:
            raise ConfigError(f"{name} must be at least 1")
    if layers is not None and layers < 1:
        raise ConfigError("layers must be at least 1")
    if dtype == "float16":
        raise ConfigError("training runs in float32 or bfloat16 autocast; float16 would need loss scaling")
    dev_files = (dev_src, dev_tgt, dev_gold)
    if any(dev_files) and not all(dev_files):
        raise ConfigError("a dev split needs all three of dev_src, dev_tgt and dev_gold")
    out = Path(output_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ConfigError(f"{out} exists and is not an empty directory; choose another output")
    train_pairs, train_gold = read_gold_set(src, tgt, gold)
    dev = read_gold_set(dev_src, dev_tgt, dev_gold) if dev_src else None

    torch.manual_seed(seed)  # before loading: the new span head starts seeded
    loaded = load_encoder(model, span_head=True)
    n_layers = loaded.model.config.num_hidden_layers
    from_span = loaded.metadata.get("scorer") == SCORER
    layers = layers or (n_layers if from_span else loaded.metadata.get("layer", default_layer(n_layers, loaded.is_embedded)))
    marker = marker or loaded.metadata.get("marker", DEFAULT_MARKER)
    if layers > n_layers:
        raise ConfigError(f"layers must be at most {n_layers} for this model, not {layers}")
    drop_layers_above(loaded.model, layers)
    scorer = SpanScorer(loaded, marker=marker, device=device, dtype=dtype)
    settings = SpanTrainSettings(
        src=_resolved(src), tgt=_resolved(tgt), gold=_resolved(gold), dev_src=_resolved(dev_src),
        dev_tgt=_resolved(dev_tgt), dev_gold=_resolved(dev_gold), model=loaded.source, layers=layers,
        links=links, marker=marker, epochs=epochs, patience=patience, batch_size=batch_size,
        learning_rate=learning_rate, warmup=warmup, seed=seed, device=scorer.device.split(":")[0],
        dtype=str(scorer.dtype).removeprefix("torch."))
    examples, too_long = _examples(scorer, train_pairs, train_gold, sure_only=links == "sure")
    if not examples:
        raise InputError("no training pair has words on both sides that fit the model", gold)
    steps_per_epoch = math.ceil(len(examples) / batch_size)
    trainable, optimizer, schedule = optimizer_and_schedule(scorer.model, learning_rate,
                                                            steps_per_epoch * epochs, warmup)
    log.info("training span prediction on %d queries from %d pairs (%d too long, skipped), %d layers, on %s",
             len(examples), len(train_pairs), too_long, layers, scorer.device)

    started = time.perf_counter()
    progress = tqdm(total=steps_per_epoch * epochs, desc="train-span", unit="step",
                    disable=True if quiet else None, dynamic_ncols=True)
    average_loss, history, best = float("nan"), [], None
    for epoch in range(1, epochs + 1):
        scorer.model.train()
        rng = random.Random(seed * 1000 + epoch)
        order = rng.sample(examples, len(examples))
        bucket = batch_size * BUCKET_BATCHES
        for begin in range(0, len(order), bucket):
            for batch in length_bucketed(order[begin : begin + bucket], batch_size, lambda e: len(e.query.ids), rng):
                loss = _loss(scorer, batch)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(trainable, 1.0)
                optimizer.step()
                schedule.step()
                average_loss = moving_average(average_loss, float(loss.detach()))
                progress.update()
                progress.set_postfix(epoch=epoch, loss=f"{average_loss:.4f}")
        if dev is None:
            continue
        threshold, score = best_threshold(scorer, *dev)
        history.append({"epoch": epoch, "threshold": threshold, "aer": score.aer, "loss": average_loss})
        log.info("epoch %d: loss %.4f; dev AER %.2f at threshold %s", epoch, average_loss, 100 * score.aer, threshold)
        if best is None or score.aer < best[1].aer:
            best = (epoch, score, threshold, copy.deepcopy(scorer.model.state_dict()))
        elif epoch - best[0] >= patience:
            log.info("dev AER has not improved for %d epochs: stopping", epoch - best[0])
            break
    progress.close()
    epochs_run = epoch
    if best is not None:
        best_epoch, best_score, threshold, state = best
        scorer.model.load_state_dict(state)
        dev_aer = best_score.aer
    else:
        best_epoch, threshold, dev_aer = epochs_run, get_extractor("threshold").defaults["threshold"], None
    summary = SpanTrainSummary(str(out), epochs_run, best_epoch, len(examples), too_long,
                               time.perf_counter() - started, scorer.device, threshold, dev_aer, history)
    out.mkdir(parents=True, exist_ok=True)
    scorer.model.eval()
    metadata = {"scorer": SCORER, "marker": marker, "threshold": threshold,
                "trained": json.loads(json.dumps(asdict(settings))), "result": asdict(summary)}
    write_checkpoint(out, scorer.model, scorer.tokenizer, metadata)
    return summary


def read_gold_set(src: str, tgt: str, gold: str) -> tuple[list[tuple[list[str], list[str]]], list[GoldAlignment]]:
    """Sentence pairs and their gold links, checked to agree line by line."""
    if STDIN in (src, tgt, gold):
        raise ConfigError("training reads its files more than once: give file paths, not standard input")
    pairs = list(ParallelInput(src, tgt))
    links = read_alignments(gold)
    if len(links) != len(pairs):
        raise InputError(f"{len(links)} lines of links for {len(pairs)} sentence pairs", gold)
    for number, ((s, t), alignment) in enumerate(zip(pairs, links), 1):
        if any(i >= len(s) or j >= len(t) for i, j in alignment.possible):
            raise InputError(f"a link points past the sentence ({len(s)} source, {len(t)} target words)", gold, number)
    return pairs, links


def best_threshold(scorer: SpanScorer, pairs, gold: list[GoldAlignment]) -> tuple[float, AlignmentScore]:
    """The threshold of :data:`THRESHOLDS` with the lowest AER on ``pairs``, and its score.

    The matrices come from :meth:`SpanScorer.score_batch` in the chunks that
    :class:`~wordalign.aligner.Aligner` uses, so the score is the one ``wordalign align`` gets.
    """
    live = [k for k, (s, t) in enumerate(pairs) if s and t]
    matrices = {}
    for begin in range(0, len(pairs), CHUNK_PAIRS):
        chunk = [k for k in live if begin <= k < begin + CHUNK_PAIRS]
        matrices.update(zip(chunk, scorer.score_batch([pairs[k] for k in chunk])))
    scores = {}
    for threshold in THRESHOLDS:
        extract = bind("threshold", {"threshold": threshold})
        hypotheses = [list(zip(*np.nonzero(extract(matrices[k])))) if k in matrices else [] for k in range(len(pairs))]
        scores[threshold] = score_alignments(gold, hypotheses)
    threshold = min(THRESHOLDS, key=lambda t: scores[t].aer)  # the lowest threshold among equals
    return threshold, scores[threshold]


def _examples(scorer: SpanScorer, pairs, gold: list[GoldAlignment], sure_only: bool) -> tuple[list[_Example], int]:
    """Every query of every pair in both directions with its answer; and how many were too long."""
    examples, too_long = [], 0
    for (src, tgt), alignment in zip(pairs, gold):
        if not (src and tgt):
            continue
        links = alignment.sure if sure_only else alignment.possible
        for query, context, pairs_of_links in ((src, tgt, links), (tgt, src, {(j, i) for i, j in links})):
            targets = [sorted(j for i, j in pairs_of_links if i == word) for word in range(len(query))]
            for spans, built in zip(targets, build_queries(scorer.tokenizer, query, context, scorer.marker)):
                if len(built.ids) > scorer.max_length:
                    too_long += 1
                    continue
                examples.append(_Example(built, *_answer(spans, built.first_token)))
    return examples, too_long


def _answer(words: list[int], first_token: np.ndarray) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Start and end candidates of each contiguous run of ``words`` (sorted); no answer if none."""
    words = [j for j in words if first_token[j] >= 0]  # a word without tokens cannot be pointed at
    if not words:
        return (NULL_POSITION,), (NULL_POSITION,)
    starts, ends = [words[0]], []
    for previous, word in zip(words, words[1:]):
        if word != previous + 1:
            ends.append(previous)
            starts.append(word)
    ends.append(words[-1])
    return tuple(1 + j for j in starts), tuple(1 + j for j in ends)


def _loss(scorer: SpanScorer, batch: list[_Example]):
    """Mean over the batch of ``-½ (log Σ p_s(answer starts) + log Σ p_e(answer ends))``."""
    import torch

    ids, type_ids, mask, first, last, valid = collate([e.query for e in batch], scorer.pad_id)
    device = scorer.device
    with autocast(device, scorer.dtype):
        start_logits, end_logits = span_logits(scorer.model, ids, type_ids, mask, device)
    valid = valid.to(device)
    start_log_probs = candidate_log_probs(start_logits, first.to(device), valid)
    end_log_probs = candidate_log_probs(end_logits, last.to(device), valid)
    is_start = torch.zeros_like(valid)
    is_end = torch.zeros_like(valid)
    for row, example in enumerate(batch):
        is_start[row, list(example.starts)] = True
        is_end[row, list(example.ends)] = True
    start_ll = torch.logsumexp(start_log_probs.masked_fill(~is_start, float("-inf")), dim=1)
    end_ll = torch.logsumexp(end_log_probs.masked_fill(~is_end, float("-inf")), dim=1)
    return -(start_ll + end_ll).mean() / 2


def _resolved(path: str | None) -> str | None:
    return str(Path(path).resolve()) if path else None
