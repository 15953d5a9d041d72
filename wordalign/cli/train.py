"""``wordalign finetune``, ``wordalign train-span`` and ``wordalign tune-span``."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from ..encoding.runtime import RuntimeOptions
from ..train.config import FinetuneConfig, SpanTrainConfig
from .app import app
from .options import with_options

log = logging.getLogger("wordalign")


@app.command()
@with_options(FinetuneConfig)
def finetune(
    src: Annotated[str, typer.Argument(help="Source side of the parallel text (raw or tokenized; see --split).")],
    tgt: Annotated[str, typer.Argument(help="Target side, line-aligned with SRC.")],
    output: Annotated[str, typer.Option("--output", "-o", help="Checkpoint directory to create; use it as --model.")],
    **options,
):
    """Fine-tune the encoder on unlabelled parallel text so that it aligns better (self-training)."""
    from ..train.finetune import finetune as run_finetune

    log.info("%s", run_finetune(src, tgt, output, **options))


@app.command("train-span")
@with_options(SpanTrainConfig)
def train_span(
    src: Annotated[str, typer.Argument(help="Source sentences, pre-tokenized (words split on spaces).")],
    tgt: Annotated[str, typer.Argument(help="Target sentences, line-aligned with SRC.")],
    gold: Annotated[str, typer.Argument(help="Gold Pharaoh links, 0-based: i-j sure, i?j possible.")],
    output: Annotated[str, typer.Option("--output", "-o", help="Checkpoint directory to create; align with --model DIR.")],
    **options,
):
    """Train a supervised aligner on gold alignments: span prediction (Nagata et al. 2020) or BinaryAlign (--head binary)."""
    from ..train.span import train_span as run_train_span

    log.info("%s", run_train_span(src, tgt, gold, output, **options))


@app.command("tune-span")
@with_options(RuntimeOptions)
def tune_span(
    checkpoint: Annotated[str, typer.Argument(help="A train-span checkpoint directory; its wordalign.json is updated.")],
    dev_src: Annotated[str, typer.Argument(help="Dev split source, pre-tokenized.")],
    dev_tgt: Annotated[str, typer.Argument(help="Dev split target, line-aligned with DEV_SRC.")],
    dev_gold: Annotated[str, typer.Argument(help="Dev split gold Pharaoh links, 0-based.")],
    **options,
):
    """Choose a span checkpoint's threshold and similarity prior on a dev split (what train-span does last)."""
    from ..train.tune import prior_name, tune_span as run_tune_span

    tuning = run_tune_span(checkpoint, dev_src, dev_tgt, dev_gold, **options)
    log.info("dev AER %.2f at threshold %s, similarity prior weight %s (%s); stored in %s",
             100 * tuning.score.aer, tuning.threshold, tuning.prior_weight, prior_name(tuning.prior_layer), checkpoint)
