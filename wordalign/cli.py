"""``wordalign`` command line: a thin typer layer over the library functions."""

from __future__ import annotations

import json
import logging
import signal
import sys
from typing import Annotated, Optional

import typer

from .errors import ConfigError, WordAlignError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Neural word alignment for pre-tokenized parallel sentences (Pharaoh output).")


def parse_params(values: list[str] | None, option: str = "--param") -> dict:
    """``["threshold=0.1", "direction=forward"]`` → ``{"threshold": "0.1", ...}``."""
    params = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"{option} expects KEY=VALUE, got {item!r}")
        params[key.strip().replace("-", "_")] = value.strip()
    return params


def parse_shard(value: str | None) -> tuple[int, int] | None:
    """``"2/8"`` → ``(2, 8)``."""
    if value is None:
        return None
    index, sep, count = value.partition("/")
    if not (sep and index.isdigit() and count.isdigit()):
        raise ConfigError(f"--shard expects i/n such as 0/4, got {value!r}")
    return int(index), int(count)


@app.command()
def align(
    src: Annotated[Optional[str], typer.Argument(help="Source file; or a 'src ||| tgt' file if TGT is omitted; '-' is stdin.")] = None,
    tgt: Annotated[Optional[str], typer.Argument(help="Target file, line-aligned with SRC.")] = None,
    output: Annotated[Optional[str], typer.Option("--output", "-o", help="Write here instead of stdout; OUT.part until complete.")] = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help="pharaoh | scores (i-j:score) | jsonl.")] = "pharaoh",
    model: Annotated[Optional[str], typer.Option(help="Local Hugging Face model directory; default: the embedded encoder.")] = None,
    scorer: Annotated[Optional[str], typer.Option(help="similarity (word-vector cosines) | span (a `train-span` checkpoint); default: the model's.")] = None,
    layer: Annotated[Optional[int], typer.Option(help="Hidden layer for word vectors (0 = embeddings).")] = None,
    extractor: Annotated[Optional[str], typer.Option("--extractor", "-e", help="See `wordalign extractors`; default: the setting's (threshold for span models).")] = None,
    param: Annotated[Optional[list[str]], typer.Option("--param", "-p", help="Extractor parameter KEY=VALUE (repeatable).")] = None,
    setting: Annotated[str, typer.Option(help="Dev-tuned defaults: bilingual | monolingual (paraphrases, many unaligned words).")] = "bilingual",
    centering: Annotated[Optional[str], typer.Option(help="Mean removal before the cosine: sentence | pair | none; default: pair.")] = None,
    device: Annotated[str, typer.Option(help="auto | cpu | cuda[:N].")] = "auto",
    dtype: Annotated[str, typer.Option(help="auto | float32 | bfloat16 | float16.")] = "auto",
    batch_size: Annotated[int, typer.Option(help="Sentences per encoder forward pass.")] = 32,
    max_length: Annotated[Optional[int], typer.Option(help="Longest encoder input; longer sentences are windowed.")] = None,
    shard: Annotated[Optional[str], typer.Option(help="i/n: align only the i-th (0-based) of n contiguous parts.")] = None,
    resume: Annotated[bool, typer.Option(help="Continue an interrupted -o run from its last complete line.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary on stderr.")] = False,
    manifest: Annotated[Optional[str], typer.Option(help="Align many corpora with one model load: a file of SRC<TAB>TGT<TAB>OUT (or SRC<TAB>OUT) lines.")] = None,
):
    """Align sentence pairs; one Pharaoh line (0-based 'src-tgt' links) per input line."""
    from .pipeline import align_files, align_manifest

    options = {"output_format": output_format, "model": model, "scorer": scorer, "layer": layer, "extractor": extractor,
               "extractor_params": parse_params(param), "setting": setting, "centering": centering,
               "device": device, "dtype": dtype, "batch_size": batch_size, "max_length": max_length,
               "resume": resume, "quiet": quiet}
    if manifest is None:
        if src is None:
            raise ConfigError("give SRC [TGT], or --manifest FILE")
        align_files(src, tgt, output=output, shard=parse_shard(shard), **options)
        return
    if src is not None or output is not None or shard is not None:
        raise ConfigError("--manifest lists inputs and outputs itself: give no SRC, TGT, -o or --shard with it")
    align_manifest(manifest, **options)


@app.command()
def finetune(
    src: Annotated[str, typer.Argument(help="Source side of the parallel text (raw or tokenized; see --split).")],
    tgt: Annotated[str, typer.Argument(help="Target side, line-aligned with SRC.")],
    output: Annotated[str, typer.Option("--output", "-o", help="Checkpoint directory to create; use it as --model.")],
    model: Annotated[Optional[str], typer.Option(help="Encoder to start from: local model directory; default: the embedded one.")] = None,
    layer: Annotated[Optional[int], typer.Option(help="Alignment layer to train (default: the model's).")] = None,
    objective: Annotated[Optional[list[str]], typer.Option("--objective", help="so (self-training) and/or psi (parallel sentence identification); repeatable.")] = None,
    split: Annotated[str, typer.Option(help="punct: split raw text into words and marks | space: text is pre-tokenized.")] = "punct",
    max_pairs: Annotated[Optional[int], typer.Option(help="Use only the first N lines.")] = None,
    epochs: Annotated[int, typer.Option(help="Passes over the data.")] = 1,
    batch_size: Annotated[int, typer.Option(help="Sentence pairs per step.")] = 16,
    learning_rate: Annotated[float, typer.Option(help="Peak AdamW learning rate.")] = 5e-5,
    warmup: Annotated[float, typer.Option(help="Share of steps with a linearly rising learning rate.")] = 0.1,
    max_tokens: Annotated[int, typer.Option(help="Skip pairs with a side longer than this many tokens (special tokens included).")] = 128,
    guide: Annotated[str, typer.Option(help="Extractor whose links on the model's own similarities become the targets; see `wordalign extractors`.")] = "softmax",
    guide_param: Annotated[Optional[list[str]], typer.Option("--guide-param", help="Parameter of the guide extractor, KEY=VALUE, repeatable (softmax's default here: direction=union).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of data order and dropout.")] = 0,
    device: Annotated[str, typer.Option(help="auto | cpu | cuda[:N].")] = "auto",
    dtype: Annotated[str, typer.Option(help="auto | float32 | bfloat16 (autocast).")] = "auto",
    save_every: Annotated[int, typer.Option(help="Steps between resumable states.")] = 200,
    resume: Annotated[bool, typer.Option(help="Continue an interrupted run in --output.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
):
    """Fine-tune the encoder on unlabelled parallel text so that it aligns better (self-training)."""
    from .finetuning import finetune as run_finetune

    summary = run_finetune(src, tgt, output, model=model, layer=layer, objectives=tuple(objective or ("so",)),
                           split=split, max_pairs=max_pairs, epochs=epochs, batch_size=batch_size,
                           learning_rate=learning_rate, warmup=warmup, max_tokens=max_tokens,
                           guide=guide, guide_params=parse_params(guide_param, "--guide-param"), seed=seed,
                           device=device, dtype=dtype, save_every=save_every, resume=resume, quiet=quiet)
    logging.getLogger("wordalign").info("%s", summary)


@app.command("train-span")
def train_span(
    src: Annotated[str, typer.Argument(help="Source sentences, pre-tokenized (words split on spaces).")],
    tgt: Annotated[str, typer.Argument(help="Target sentences, line-aligned with SRC.")],
    gold: Annotated[str, typer.Argument(help="Gold Pharaoh links, 0-based: i-j sure, i?j possible.")],
    output: Annotated[str, typer.Option("--output", "-o", help="Checkpoint directory to create; align with --model DIR.")],
    dev_src: Annotated[Optional[str], typer.Option(help="Dev split source (early stopping and threshold).")] = None,
    dev_tgt: Annotated[Optional[str], typer.Option(help="Dev split target.")] = None,
    dev_gold: Annotated[Optional[str], typer.Option(help="Dev split gold links.")] = None,
    model: Annotated[Optional[str], typer.Option(help="Encoder to start from: local model directory, or a train-span checkpoint to train further; default: the embedded one.")] = None,
    layers: Annotated[Optional[int], typer.Option(help="Keep the first N transformer blocks (default: the model's alignment layer; all of a train-span checkpoint).")] = None,
    links: Annotated[str, typer.Option(help="all (sure and possible) | sure: which gold links to learn.")] = "all",
    epochs: Annotated[int, typer.Option(help="Most passes over the data.")] = 3,
    patience: Annotated[int, typer.Option(help="Stop after this many epochs without a better dev AER.")] = 1,
    batch_size: Annotated[int, typer.Option(help="Span queries (one per word and direction) per step.")] = 16,
    learning_rate: Annotated[float, typer.Option(help="Peak AdamW learning rate.")] = 1e-4,
    warmup: Annotated[float, typer.Option(help="Share of steps with a linearly rising learning rate.")] = 0.1,
    seed: Annotated[int, typer.Option(help="Seed of the new head, dropout and data order.")] = 0,
    device: Annotated[str, typer.Option(help="auto | cpu | cuda[:N].")] = "auto",
    dtype: Annotated[str, typer.Option(help="auto | float32 | bfloat16 (autocast).")] = "auto",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
):
    """Train a supervised span-prediction aligner on gold alignments (Nagata et al. 2020)."""
    from .span_training import train_span as run_train_span

    summary = run_train_span(src, tgt, gold, output, dev_src=dev_src, dev_tgt=dev_tgt, dev_gold=dev_gold,
                             model=model, layers=layers, links=links, epochs=epochs, patience=patience,
                             batch_size=batch_size, learning_rate=learning_rate, warmup=warmup, seed=seed,
                             device=device, dtype=dtype, quiet=quiet)
    logging.getLogger("wordalign").info("%s", summary)


@app.command("tune-span")
def tune_span(
    checkpoint: Annotated[str, typer.Argument(help="A train-span checkpoint directory; its wordalign.json is updated.")],
    dev_src: Annotated[str, typer.Argument(help="Dev split source, pre-tokenized.")],
    dev_tgt: Annotated[str, typer.Argument(help="Dev split target, line-aligned with DEV_SRC.")],
    dev_gold: Annotated[str, typer.Argument(help="Dev split gold Pharaoh links, 0-based.")],
    device: Annotated[str, typer.Option(help="auto | cpu | cuda[:N].")] = "auto",
    dtype: Annotated[str, typer.Option(help="auto | float32 | bfloat16 | float16.")] = "auto",
):
    """Choose a span checkpoint's threshold and similarity prior on a dev split (what train-span does last)."""
    from .span_training import tune_span as run_tune_span

    tuning = run_tune_span(checkpoint, dev_src, dev_tgt, dev_gold, device=device, dtype=dtype)
    logging.getLogger("wordalign").info(
        "dev AER %.2f at threshold %s, similarity prior weight %s (layer %s); stored in %s",
        100 * tuning.score.aer, tuning.threshold, tuning.prior_weight, tuning.prior_layer, checkpoint)


@app.command()
def score(
    gold: Annotated[str, typer.Argument(help="Gold Pharaoh file: i-j sure, i?j or ipj possible.")],
    hyp: Annotated[str, typer.Argument(help="Hypothesis Pharaoh file, line-aligned with GOLD.")],
    one_based: Annotated[bool, typer.Option("--one-based", help="Indices in both files start at 1.")] = False,
    per_sentence: Annotated[bool, typer.Option("--per-sentence", help="Also print one line of scores per sentence.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    src: Annotated[Optional[str], typer.Option(help="Source sentences (or a 'src ||| tgt' file): adds null-alignment scores.")] = None,
    tgt: Annotated[Optional[str], typer.Option(help="Target sentences, with --src.")] = None,
):
    """Corpus AER, precision, recall and F1 of HYP against GOLD (Och & Ney 2003)."""
    from .evaluation import score_files

    corpus, sentences = score_files(gold, hyp, one_based=one_based, per_sentence=per_sentence, src=src, tgt=tgt)
    if as_json:
        report = {"corpus": corpus.as_dict()}
        if per_sentence:
            report["sentences"] = [s.as_dict() for s in sentences]
        typer.echo(json.dumps(report, indent=1))
        return
    for number, sentence in enumerate(sentences, 1):
        typer.echo(f"{number}\tAER {sentence.aer:.4f}\tP {sentence.precision:.4f}\t"
                   f"R {sentence.recall:.4f}\tF1 {sentence.f1:.4f}")
    null = (f"  null P {100 * corpus.null_precision:.2f} R {100 * corpus.null_recall:.2f} "
            f"F1 {100 * corpus.null_f1:.2f}") if corpus.null_f1 is not None else ""
    typer.echo(f"AER {100 * corpus.aer:.2f}  P {100 * corpus.precision:.2f}  "
               f"R {100 * corpus.recall:.2f}  F1 {100 * corpus.f1:.2f}{null}  "
               f"({corpus.sentences} sentences, {corpus.hypothesis_links} links, "
               f"{corpus.sure_links} sure, {corpus.possible_links} possible)")


@app.command()
def extractors():
    """List the registered extractors and their parameters."""
    from .extractors import available, get_extractor

    for name in available():
        info = get_extractor(name)
        params = " ".join(f"{key}={value}" for key, value in info.defaults.items())
        typer.echo(f"{name:<14} {info.summary}" + (f"\n{'':<14} parameters: {params}" if params else ""))


def run(argv: list[str] | None = None) -> int:
    """Run the CLI on ``argv`` and return the exit code; errors become a message on stderr."""
    import click

    try:
        app(args=argv, standalone_mode=False)
    except WordAlignError as exc:
        typer.echo(f"wordalign: error: {exc}", err=True)
        return exc.exit_code
    except click.ClickException as exc:  # usage errors: unknown option, missing argument
        exc.show()
        return exc.exit_code
    except (KeyboardInterrupt, click.exceptions.Abort):
        typer.echo("wordalign: interrupted", err=True)
        return 130
    return 0


def main() -> None:
    """Console entry point: UTF-8 stdio, quiet SIGPIPE, logging on stderr."""
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `wordalign align … | head` exits quietly
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(encoding="utf-8")
    logging.basicConfig(level=logging.INFO, format="wordalign: %(message)s", stream=sys.stderr)
    sys.exit(run())
