"""Supervised span prediction trained on gold alignments: what ``wordalign train-span`` does."""

from __future__ import annotations

import copy
import logging
import math
import random
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ..align.scorers import SUPERVISED
from ..align.scorers.binary import binary_logits, word_logits
from ..align.scorers.span import (
    DEFAULT_MARKER,
    NULL_POSITION,
    SpanQuery,
    SpanScorer,
    build_queries,
    candidate_log_probs,
    collate,
    span_logits,
)
from ..encoding.encoder import default_layer, drop_layers_above
from ..encoding.models import load_encoder
from ..errors import ConfigError, InputError
from ..extractors import get_extractor
from ..options import build, recorded
from ..types import GoldAlignment
from .checkpoint import write_checkpoint
from .config import SpanTrainConfig
from .loop import BUCKET_BATCHES, length_bucketed, moving_average, optimizer_and_schedule, optimizer_step
from .objectives import binary_alignment_loss, span_loss
from .tune import DevTuning, prior_name, read_gold_set, resolved_path, tune_on_dev

log = logging.getLogger("wordalign")


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
    prior_weight: float
    prior_layer: int | str | None
    dev_aer: float | None
    dev_history: list[dict] = field(default_factory=list)

    def __str__(self) -> str:
        prior = f", prior weight {self.prior_weight} from {prior_name(self.prior_layer)}" if self.prior_weight else ""
        dev = (f"dev AER {100 * self.dev_aer:.2f} at threshold {self.threshold}{prior} (epoch {self.best_epoch})"
               if self.dev_aer is not None else f"no dev split: last epoch kept, threshold {self.threshold}")
        return (f"trained {self.epochs_run} epochs on {self.queries} queries ({self.queries_too_long} too long, "
                f"skipped) in {self.seconds / 60:.1f} min on {self.device}; {dev}; model in {self.output_dir}")


@dataclass(frozen=True)
class SpanExample:
    """One training query and its answer: the context words linked to the marked word."""

    query: SpanQuery
    words: tuple[int, ...]  # sorted; only words with tokens, the others cannot be pointed at

    @property
    def starts(self) -> tuple[int, ...]:
        """Span prediction's start candidates: 0 = no answer, 1 + j = context word j."""
        return answer_candidates(list(self.words), self.query.first_token)[0]

    @property
    def ends(self) -> tuple[int, ...]:
        return answer_candidates(list(self.words), self.query.first_token)[1]


def train_span(src: str, tgt: str, gold: str, output_dir: str, **options) -> SpanTrainSummary:
    """Train a supervised aligner (span prediction or BinaryAlign) on gold word alignments.

    Every word of every training pair, in both directions, becomes one question: its sentence
    with the word marked (``• word •``), paired with the other sentence. With the ``span``
    head the answer is each contiguous run of words it is linked to, or "no answer" (the
    ``[CLS]`` token) for an unaligned word, and the loss is
    :func:`~wordalign.train.objectives.span_loss`; with the ``binary`` head every word of the
    other sentence is a yes or a no, and the loss is
    :func:`~wordalign.train.objectives.binary_alignment_loss`.

    After each epoch the dev split, when given, is aligned exactly as ``wordalign align``
    would, with every threshold in :data:`~wordalign.train.tune.THRESHOLDS`; the epoch with the
    lowest dev AER is kept, and training stops after ``patience`` epochs without improvement.
    Then the kept model's threshold and similarity prior are chosen on the dev split
    (:func:`~wordalign.train.tune.tune_on_dev`).

    Parameters
    ----------
    src, tgt : str
        Pre-tokenized, line-aligned sentence files (words split on spaces).
    gold : str
        Pharaoh gold links (``i-j`` sure, ``i?j`` / ``ipj`` possible), 0-based, line-aligned.
    output_dir : str
        Checkpoint directory to create; ``--model`` loads it, and ``wordalign align`` then uses
        the span scorer and the tuned threshold by itself.
    **options
        The fields of :class:`SpanTrainConfig`: ``dev_src``, ``dev_tgt``, ``dev_gold`` (a dev
        split, all three or none); ``head`` (``span`` or ``binary``); ``model`` (``None`` for the embedded encoder, a local model
        directory, or a ``train-span`` checkpoint, of another language pair say, trained
        further with its head, blocks and marker: with little gold for a pair, a model that has
        learnt the task elsewhere is a better start than a new head, as Wu et al. 2023
        pre-train); ``blocks`` (keep only the first N transformer blocks; default: the model's
        alignment layer, 7 of 12 for the embedded encoder, or all the blocks of a
        ``train-span`` checkpoint; fewer train and predict faster); ``links`` (``all`` or
        ``sure``); ``skip_unlinked`` (no query for a word without a link: for partial, silver
        links); ``marker`` (default: a ``train-span`` checkpoint's, else
        :data:`~wordalign.align.scorers.span.DEFAULT_MARKER`); ``epochs`` and ``patience``;
        ``batch_size`` (queries per step), ``learning_rate``, ``warmup`` (AdamW with linear
        warm-up over that share of steps, then linear decay; word embeddings stay frozen);
        ``seed`` (the new head, dropout and data order: equal settings, equal model);
        ``device``, ``dtype`` (used as autocast); ``quiet``.

    References
    ----------
    Nagata, Chousa & Nishino (2020). A Supervised Word Alignment Method based on
    Cross-Language Span Prediction using Multilingual BERT. EMNLP.
    Wu, Nagata & Tsuruoka (2023). WSPAlign: Word Alignment Pre-training via Large-Scale
    Weakly Supervised Span Prediction. ACL.
    Latouche, Carbonneau & Swanson (2024). BinaryAlign: Word Alignment as Binary Sequence
    Labeling. ACL.
    """
    import torch

    config = build(SpanTrainConfig, options)
    out = Path(output_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ConfigError(f"{out} exists and is not an empty directory; choose another output")
    train_pairs, train_gold = read_gold_set(src, tgt, gold)
    dev = read_gold_set(*config.dev_files) if config.dev_files else None

    torch.manual_seed(config.seed)  # before loading: the new span head starts seeded
    scorer, config, new_head = _starting_model(config)
    record = {**recorded(replace(config, device=scorer.device.split(":")[0], dtype=scorer.runtime.dtype_name)),
              "src": resolved_path(src), "tgt": resolved_path(tgt), "gold": resolved_path(gold),
              **{name: resolved_path(getattr(config, name)) for name in ("dev_src", "dev_tgt", "dev_gold")}}
    examples, too_long = span_examples(scorer, train_pairs, train_gold, sure_only=config.links == "sure",
                                       skip_unlinked=config.skip_unlinked)
    if not examples:
        raise InputError("no training pair has words on both sides that fit the model", gold)
    if config.head == "binary" and new_head:
        start_at_base_rate(scorer.model, examples)
    log.info("training the %s head on %d queries from %d pairs (%d windowed to fit; %d too long, skipped), "
             "%d blocks, on %s", config.head, len(examples), len(train_pairs), sum(e.query.windowed for e in examples),
             too_long, config.blocks, scorer.device)
    started = time.perf_counter()
    epochs_run, best_epoch, history = _train_epochs(scorer, config, examples, dev)
    if dev is None:
        tuning = DevTuning(get_extractor("threshold").defaults["threshold"], 0.0, None, None)
    else:
        tuning = tune_on_dev(scorer, *dev, prior_layers=scorer.prior_sources)
        log.info("dev AER %.2f with the similarity prior of %s at weight %s, threshold %s",
                 100 * tuning.score.aer, prior_name(tuning.prior_layer), tuning.prior_weight, tuning.threshold)
    summary = SpanTrainSummary(str(out), epochs_run, best_epoch, len(examples), too_long,
                               time.perf_counter() - started, scorer.device, tuning.threshold, tuning.prior_weight,
                               tuning.prior_layer, tuning.score.aer if dev else None, history)
    out.mkdir(parents=True, exist_ok=True)
    scorer.model.eval()
    metadata = {"scorer": scorer.name, "marker": config.marker, **tuning.metadata(config.dev_files or ()),
                "trained": record, "result": asdict(summary)}
    write_checkpoint(out, scorer.model, scorer.tokenizer, metadata)
    return summary


def _starting_model(config: SpanTrainConfig) -> tuple[SpanScorer, SpanTrainConfig, bool]:
    """The model to train, cut to its blocks, in a scorer; the config with blocks and marker
    resolved; and whether its head is new (not a trained head of the same kind)."""
    loaded = load_encoder(config.model, head=config.head)
    n_layers = loaded.model.config.num_hidden_layers
    from_supervised = loaded.metadata.get("scorer") in SUPERVISED
    blocks = config.blocks or (n_layers if from_supervised else
                               loaded.metadata.get("layer", default_layer(n_layers, loaded.is_embedded)))
    if blocks > n_layers:
        raise ConfigError(f"blocks must be at most {n_layers} for this model, not {blocks}")
    drop_layers_above(loaded.model, blocks)
    config = replace(config, model=loaded.source, blocks=blocks,
                     marker=config.marker or loaded.metadata.get("marker", DEFAULT_MARKER))
    scorer = SUPERVISED[config.head](loaded, marker=config.marker, prior_weight=0.0, device=config.device,
                                     dtype=config.dtype)
    return scorer, config, loaded.metadata.get("scorer") != config.head


def _train_epochs(scorer: SpanScorer, config: SpanTrainConfig, examples: list[SpanExample],
                  dev) -> tuple[int, int, list[dict]]:
    """Train epoch by epoch, keeping the model of the best dev AER (early stopping).

    Returns the epochs run, the kept epoch and the dev history (threshold, AER, loss per epoch).
    """
    steps_per_epoch = math.ceil(len(examples) / config.batch_size)
    trainable, optimizer, schedule = optimizer_and_schedule(scorer.model, config.learning_rate,
                                                            steps_per_epoch * config.epochs, config.warmup)
    progress = tqdm(total=steps_per_epoch * config.epochs, desc="train-span", unit="step",
                    disable=True if config.quiet else None, dynamic_ncols=True)
    average_loss, history, best = float("nan"), [], None
    for epoch in range(1, config.epochs + 1):
        scorer.model.train()
        rng = random.Random(config.seed * 1000 + epoch)
        order = rng.sample(examples, len(examples))
        bucket = config.batch_size * BUCKET_BATCHES
        for begin in range(0, len(order), bucket):
            for batch in length_bucketed(order[begin : begin + bucket], config.batch_size,
                                         lambda e: len(e.query.ids), rng):
                loss = optimizer_step(LOSSES[config.head](scorer, batch), trainable, optimizer, schedule)
                average_loss = moving_average(average_loss, loss)
                progress.update()
                progress.set_postfix(epoch=epoch, loss=f"{average_loss:.4f}")
        if dev is None:
            continue
        tuning = tune_on_dev(scorer, *dev)
        history.append({"epoch": epoch, "threshold": tuning.threshold, "aer": tuning.score.aer, "loss": average_loss})
        log.info("epoch %d: loss %.4f; dev AER %.2f at threshold %s", epoch, average_loss, 100 * tuning.score.aer,
                 tuning.threshold)
        if best is None or tuning.score.aer < best[1]:
            best = (epoch, tuning.score.aer, copy.deepcopy(scorer.model.state_dict()))
        elif epoch - best[0] >= config.patience:
            log.info("dev AER has not improved for %d epochs: stopping", epoch - best[0])
            break
    progress.close()
    if best is None:
        return epoch, epoch, history
    scorer.model.load_state_dict(best[2])
    return epoch, best[0], history


def start_at_base_rate(model, examples: list[SpanExample]) -> None:
    """Set a new binary head's bias to the log-odds of a word being aligned in ``examples``.

    ``b = log(p / (1 - p))``, ``p`` the share of (query, context word) pairs that are linked:
    a head that starts at 0.5 spends its first epoch learning that most words are not the
    marked word's partner, where the encoder learns little (Lin et al. 2017 start a rare class
    the same way).

    References
    ----------
    Lin, Goyal, Girshick, He & Dollár (2017). Focal Loss for Dense Object Detection. ICCV.
    """
    import torch

    linked = sum(len(e.words) for e in examples)
    candidates = sum(int((e.query.first_token >= 0).sum()) for e in examples)
    share = min(max(linked / max(candidates, 1), 1e-4), 1 - 1e-4)
    with torch.no_grad():
        model.classifier.bias.fill_(math.log(share / (1 - share)))


def span_examples(scorer: SpanScorer, pairs, gold: list[GoldAlignment], sure_only: bool,
                  skip_unlinked: bool = False) -> tuple[list[SpanExample], int]:
    """Every query of every pair in both directions with its answer; and how many were too long.

    With ``skip_unlinked``, only the queries of words that have a link: in partial links (silver
    ones) a word without one is unknown, not unaligned. A query too long for the model is
    windowed around its marked word as at inference
    (:func:`~wordalign.align.scorers.span.build_queries`); only the queries into a context too
    long on its own are skipped.
    """
    examples, too_long = [], 0
    for (src, tgt), alignment in zip(pairs, gold):
        if not (src and tgt):
            continue
        links = alignment.sure if sure_only else alignment.possible
        for query, context, pairs_of_links in ((src, tgt, links), (tgt, src, {(j, i) for i, j in links})):
            try:
                queries = build_queries(scorer.tokenizer, query, context, scorer.marker, scorer.max_length)
            except InputError:
                too_long += len(query)
                continue
            for word, built in enumerate(queries):
                linked = sorted(j for i, j in pairs_of_links if i == word and built.first_token[j] >= 0)
                if skip_unlinked and not linked:
                    continue
                examples.append(SpanExample(built, tuple(linked)))
    return examples, too_long


def answer_candidates(words: list[int], first_token: np.ndarray) -> tuple[tuple[int, ...], tuple[int, ...]]:
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


def _span_loss(scorer: SpanScorer, batch: list[SpanExample]):
    """:func:`~wordalign.train.objectives.span_loss` of a batch of queries."""
    import torch

    ids, type_ids, mask, first, last, valid = collate([e.query for e in batch], scorer.pad_id)
    device = scorer.device
    with scorer.runtime.autocast():
        start_logits, end_logits = span_logits(scorer.model, ids, type_ids, mask, device)
    valid = valid.to(device)
    is_start = torch.zeros_like(valid)
    is_end = torch.zeros_like(valid)
    for row, example in enumerate(batch):
        is_start[row, list(example.starts)] = True
        is_end[row, list(example.ends)] = True
    return span_loss(candidate_log_probs(start_logits, first.to(device), valid),
                     candidate_log_probs(end_logits, last.to(device), valid), is_start, is_end)


def _binary_loss(scorer: SpanScorer, batch: list[SpanExample]):
    """:func:`~wordalign.train.objectives.binary_alignment_loss` of a batch of queries."""
    import torch

    ids, type_ids, mask, first, _, valid = collate([e.query for e in batch], scorer.pad_id)
    with scorer.runtime.autocast():
        logits = word_logits(binary_logits(scorer.model, ids, type_ids, mask, scorer.device), first, valid)
    is_aligned = torch.zeros(logits.shape, dtype=torch.bool, device=logits.device)
    for row, example in enumerate(batch):
        is_aligned[row, list(example.words)] = True
    return binary_alignment_loss(logits, is_aligned)


LOSSES = {"span": _span_loss, "binary": _binary_loss}  # by SpanTrainConfig.head
