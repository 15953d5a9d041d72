"""Supervised span prediction trained on gold alignments: what ``wordalign train-span`` does."""

from __future__ import annotations

import copy
import json
import logging
import math
import random
import time
from collections.abc import Sequence
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
from .models import checkpoint_metadata, load_encoder, update_metadata, write_checkpoint
from .span_prediction import (
    DEFAULT_MARKER,
    NULL_POSITION,
    SCORER,
    SpanQuery,
    SpanScorer,
    blend,
    build_queries,
    candidate_log_probs,
    collate,
    span_logits,
)
from .training import BUCKET_BATCHES, length_bucketed, moving_average, optimizer_and_schedule
from .types import GoldAlignment

log = logging.getLogger("wordalign")
LINKS = ("all", "sure")
# Thresholds of the link probability tried on the dev split after every epoch.
THRESHOLDS = tuple(round(0.05 * k, 2) for k in range(1, 20))
# Weights of the similarity prior tried on the dev split after training (0 is always tried).
PRIOR_WEIGHTS = tuple(round(0.1 * k, 1) for k in range(1, 10))


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
    prior_weight: float
    prior_layer: int | None
    dev_aer: float | None
    dev_history: list[dict] = field(default_factory=list)

    def __str__(self) -> str:
        prior = f", prior weight {self.prior_weight} from layer {self.prior_layer}" if self.prior_weight else ""
        dev = (f"dev AER {100 * self.dev_aer:.2f} at threshold {self.threshold}{prior} (epoch {self.best_epoch})"
               if self.dev_aer is not None else f"no dev split: last epoch kept, threshold {self.threshold}")
        return (f"trained {self.epochs_run} epochs on {self.queries} span queries ({self.queries_too_long} too long, "
                f"skipped) in {self.seconds / 60:.1f} min on {self.device}; {dev}; model in {self.output_dir}")


@dataclass(frozen=True)
class DevTuning:
    """What a dev split chose: the threshold and the similarity prior, and their score."""

    threshold: float
    prior_weight: float
    prior_layer: int | None
    score: AlignmentScore | None  # None: no dev split, the defaults

    def metadata(self, dev_files: Sequence[str]) -> dict:
        """The ``wordalign.json`` entries that :class:`SpanScorer` and ``wordalign align`` read,
        and the dev split they were chosen on with its AER."""
        chosen = {"threshold": self.threshold, "prior": {"weight": self.prior_weight, "layer": self.prior_layer}}
        if self.score is None:
            return chosen
        return {**chosen, "tuned_on": {**dict(zip(("src", "tgt", "gold"), map(_resolved, dev_files))),
                                       "aer": self.score.aer}}


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
    would, with every threshold in :data:`THRESHOLDS`; the epoch with the lowest dev AER is
    kept, and training stops after ``patience`` epochs without improvement. Then the kept
    model's threshold and similarity prior are chosen on the dev split (:func:`tune_on_dev`).

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
        A dev split (all three, or none) for early stopping, the threshold and the prior.
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
    scorer = SpanScorer(loaded, marker=marker, prior_weight=0.0, device=device, dtype=dtype)
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
    log.info("training span prediction on %d queries from %d pairs (%d windowed to fit; %d too long, skipped), "
             "%d layers, on %s", len(examples), len(train_pairs), sum(e.query.windowed for e in examples), too_long,
             layers, scorer.device)

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
        tuning = tune_on_dev(scorer, *dev)
        history.append({"epoch": epoch, "threshold": tuning.threshold, "aer": tuning.score.aer, "loss": average_loss})
        log.info("epoch %d: loss %.4f; dev AER %.2f at threshold %s", epoch, average_loss, 100 * tuning.score.aer,
                 tuning.threshold)
        if best is None or tuning.score.aer < best[1]:
            best = (epoch, tuning.score.aer, copy.deepcopy(scorer.model.state_dict()))
        elif epoch - best[0] >= patience:
            log.info("dev AER has not improved for %d epochs: stopping", epoch - best[0])
            break
    progress.close()
    epochs_run, best_epoch = epoch, epoch
    if best is None:
        tuning = DevTuning(get_extractor("threshold").defaults["threshold"], 0.0, None, None)
    else:
        best_epoch, _, state = best
        scorer.model.load_state_dict(state)
        tuning = tune_on_dev(scorer, *dev, prior_layers=range(1, layers + 1))
        log.info("dev AER %.2f with the similarity prior of layer %s at weight %s, threshold %s",
                 100 * tuning.score.aer, tuning.prior_layer, tuning.prior_weight, tuning.threshold)
    summary = SpanTrainSummary(str(out), epochs_run, best_epoch, len(examples), too_long,
                               time.perf_counter() - started, scorer.device, tuning.threshold, tuning.prior_weight,
                               tuning.prior_layer, tuning.score.aer if dev else None, history)
    out.mkdir(parents=True, exist_ok=True)
    scorer.model.eval()
    metadata = {"scorer": SCORER, "marker": marker, **tuning.metadata(dev_files if dev else ()),
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


def tune_on_dev(scorer: SpanScorer, pairs, gold: list[GoldAlignment],
                prior_layers: Sequence[int] = ()) -> DevTuning:
    """The threshold and similarity prior with the lowest AER on ``pairs``, and its score.

    Tried: the span probabilities alone (prior weight 0) and, for each layer of
    ``prior_layers``, blended with that layer's prior at each weight of
    :data:`PRIOR_WEIGHTS` (:func:`~wordalign.span_prediction.blend`); each cut at every
    threshold of :data:`THRESHOLDS`. Among equal scores the first is kept: no prior, then
    lower layers, weights and thresholds. The matrices come from :class:`SpanScorer` in the
    chunks that :class:`~wordalign.aligner.Aligner` uses, so the score is the one
    ``wordalign align`` gets with the choice.
    """
    live = [k for k, (s, t) in enumerate(pairs) if s and t]
    spans, priors = {}, {layer: {} for layer in prior_layers}
    for begin in range(0, len(pairs), CHUNK_PAIRS):
        chunk = [k for k in live if begin <= k < begin + CHUNK_PAIRS]
        spans.update(zip(chunk, scorer.span_probabilities([pairs[k] for k in chunk])))
        if prior_layers:
            for layer, matrices in scorer.priors([pairs[k] for k in chunk], prior_layers).items():
                priors[layer].update(zip(chunk, matrices))
    best = None
    for layer, weight in [(None, 0.0)] + [(layer, weight) for layer in prior_layers for weight in PRIOR_WEIGHTS]:
        matrices = {k: blend(span, priors[layer][k] if weight else None, weight) for k, span in spans.items()}
        for threshold in THRESHOLDS:
            extract = bind("threshold", {"threshold": threshold})
            hypotheses = [list(zip(*np.nonzero(extract(matrices[k])))) if k in matrices else [] for k in range(len(pairs))]
            score = score_alignments(gold, hypotheses)
            if best is None or score.aer < best.score.aer:
                best = DevTuning(threshold, weight, layer, score)
    return best


def tune_span(checkpoint: str, dev_src: str, dev_tgt: str, dev_gold: str, *, device: str = "auto",
              dtype: str = "auto") -> DevTuning:
    """Choose a span checkpoint's threshold and similarity prior on a dev split, and store them.

    What :func:`train_span` does after its last epoch (:func:`tune_on_dev` over every layer
    of the model), for a checkpoint that is already trained: to adapt one to the dev split of
    another language pair or domain without training it, or to tune one trained without a
    dev split. Only the checkpoint's ``wordalign.json`` changes.

    Parameters
    ----------
    checkpoint : str
        A ``wordalign train-span`` checkpoint directory.
    dev_src, dev_tgt, dev_gold : str
        The dev split: sentences and gold links, as for :func:`train_span`.
    device, dtype
        As for :class:`~wordalign.encoder.WordEncoder`.
    """
    if checkpoint_metadata(checkpoint).get("scorer") != SCORER:
        raise ConfigError(f"{checkpoint} is not a checkpoint made by `wordalign train-span`")
    pairs, gold = read_gold_set(dev_src, dev_tgt, dev_gold)
    loaded = load_encoder(checkpoint, span_head=True)
    scorer = SpanScorer(loaded, prior_weight=0.0, device=device, dtype=dtype)
    tuning = tune_on_dev(scorer, pairs, gold, prior_layers=range(1, loaded.model.config.num_hidden_layers + 1))
    update_metadata(Path(checkpoint), tuning.metadata((dev_src, dev_tgt, dev_gold)))
    return tuning


def _examples(scorer: SpanScorer, pairs, gold: list[GoldAlignment], sure_only: bool) -> tuple[list[_Example], int]:
    """Every query of every pair in both directions with its answer; and how many were too long.

    A query too long for the model is windowed around its marked word as at inference
    (:func:`~wordalign.span_prediction.build_queries`); only the queries into a context too
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
            targets = [sorted(j for i, j in pairs_of_links if i == word) for word in range(len(query))]
            examples += [_Example(built, *_answer(spans, built.first_token)) for spans, built in zip(targets, queries)]
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
