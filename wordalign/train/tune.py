"""Choosing a span model's threshold and similarity prior on a dev split: ``wordalign tune-span``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..align.aligner import CHUNK_PAIRS
from ..align.scorers import SUPERVISED
from ..align.scorers.prior import DEFAULT_PRIOR
from ..align.scorers.span import SpanScorer, blend
from ..encoding.models import checkpoint_metadata
from ..encoding.runtime import RuntimeOptions
from ..errors import ConfigError, InputError
from ..evaluation import AlignmentScore, score_alignments
from ..extractors import bind
from ..io.links import check_lengths, read_alignments
from ..io.text import STDIN, ParallelInput
from ..options import build
from ..types import GoldAlignment
from .checkpoint import update_metadata

# Thresholds of the link probability tried on the dev split after every epoch.
THRESHOLDS = tuple(round(0.05 * k, 2) for k in range(1, 20))
# Weights of the similarity prior tried on the dev split after training (0 is always tried).
PRIOR_WEIGHTS = tuple(round(0.1 * k, 1) for k in range(1, 10))


@dataclass(frozen=True)
class DevTuning:
    """What a dev split chose: the threshold and the similarity prior, and their score."""

    threshold: float
    prior_weight: float
    prior_layer: int | str | None  # a layer of the model, or DEFAULT_PRIOR
    score: AlignmentScore | None  # None: no dev split, the defaults

    def metadata(self, dev_files: Sequence[str]) -> dict:
        """The ``wordalign.json`` entries that :class:`SpanScorer` and ``wordalign align`` read,
        and the dev split they were chosen on with its AER."""
        chosen = {"threshold": self.threshold, "prior": {"weight": self.prior_weight, "layer": self.prior_layer}}
        if self.score is None:
            return chosen
        return {**chosen, "tuned_on": {**dict(zip(("src", "tgt", "gold"), map(resolved_path, dev_files))),
                                       "aer": self.score.aer}}


def read_gold_set(src: str, tgt: str, gold: str) -> tuple[list[tuple[list[str], list[str]]], list[GoldAlignment]]:
    """Sentence pairs and their gold links, checked to agree line by line."""
    if STDIN in (src, tgt, gold):
        raise ConfigError("training reads its files more than once: give file paths, not standard input")
    pairs = list(ParallelInput(src, tgt))
    links = read_alignments(gold)
    if len(links) != len(pairs):
        raise InputError(f"{len(links)} lines of links for {len(pairs)} sentence pairs", gold,
                         min(len(links), len(pairs)) + 1)
    check_lengths([alignment.possible for alignment in links], [(len(s), len(t)) for s, t in pairs], gold)
    return pairs, links


def tune_on_dev(scorer: SpanScorer, pairs, gold: list[GoldAlignment],
                prior_layers: Sequence[int | str] = ()) -> DevTuning:
    """The threshold and similarity prior with the lowest AER on ``pairs``, and its score.

    Tried: the head's probabilities alone (prior weight 0) and, for each layer of
    ``prior_layers`` (``"default"``: the default aligner's probabilities, see
    :meth:`~wordalign.align.scorers.span.SpanScorer.priors`), blended with that prior at each weight of
    :data:`PRIOR_WEIGHTS` (:func:`~wordalign.align.scorers.span.blend`); each cut at every
    threshold of :data:`THRESHOLDS`. Among equal scores the first is kept: no prior, then
    lower layers, weights and thresholds. The matrices come from the scorer (span or binary) in the
    chunks that :class:`~wordalign.align.aligner.Aligner` uses, so the score is the one
    ``wordalign align`` gets with the choice.
    """
    live = [k for k, (s, t) in enumerate(pairs) if s and t]
    spans, priors = {}, {layer: {} for layer in prior_layers}
    for begin in range(0, len(pairs), CHUNK_PAIRS):
        chunk = [k for k in live if begin <= k < begin + CHUNK_PAIRS]
        spans.update(zip(chunk, scorer.head_probabilities([pairs[k] for k in chunk])))
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


def tune_span(checkpoint: str, dev_src: str, dev_tgt: str, dev_gold: str, **options) -> DevTuning:
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
    **options
        ``device`` and ``dtype`` (:class:`~wordalign.encoding.runtime.RuntimeOptions`).
    """
    runtime = build(RuntimeOptions, options)
    scorer_class = SUPERVISED.get(checkpoint_metadata(checkpoint).get("scorer"))
    if scorer_class is None:
        raise ConfigError(f"{checkpoint} is not a checkpoint made by `wordalign train-span`")
    pairs, gold = read_gold_set(dev_src, dev_tgt, dev_gold)
    scorer = scorer_class(checkpoint, prior_weight=0.0, device=runtime.device, dtype=runtime.dtype)
    tuning = tune_on_dev(scorer, pairs, gold, prior_layers=scorer.prior_sources)
    update_metadata(Path(checkpoint), tuning.metadata((dev_src, dev_tgt, dev_gold)))
    return tuning


def prior_name(layer: int | str | None) -> str:
    """How a log line names a prior: ``layer 5``, or ``the default aligner``."""
    return "the default aligner" if layer == DEFAULT_PRIOR else f"layer {layer}"


def resolved_path(path: str | None) -> str | None:
    """``path`` made absolute, for the record of a checkpoint."""
    return str(Path(path).resolve()) if path else None
