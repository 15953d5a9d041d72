"""What determines a training run: the options of ``wordalign finetune`` and ``wordalign train-span``.

Declared once, as config dataclasses that the commands, the functions and the checkpoints share;
a module of its own so that the command line can list them without loading the trainers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from ..encoding.runtime import RuntimeOptions
from ..errors import ConfigError
from ..io.words import word_splitter
from ..options import option, parse_params
from .loop import check_training

OBJECTIVES = ("so", "co", "psi")
# Guide parameters that differ from alignment's. Targets from the intersection of directions
# hold a word with several partners (a compound and its English words) to the one partner
# that passes both, and training then pushes the others' probability down; targets from
# either direction keep them (measured: README, "What fine-tuning buys"). Only links with a
# probability of 0.8 become targets: fewer, surer targets trained a better encoder, from the
# base and on top of the tuned default alike (README, "The alignment-tuned default").
GUIDE_DEFAULTS = {"softmax": {"direction": "union", "threshold": "0.8"}}
# Peak learning rate by starting point: the tuned default has learnt alignment already, and
# self-training it again at the base's rate cost more than it gained (README, "What fine-tuning buys").
TUNED_LEARNING_RATE, LEARNING_RATE = 2e-5, 5e-5
LINKS = ("all", "sure")
HEADS = ("span", "binary")  # the supervised heads of ``train-span``, named as their scorers


@dataclass(frozen=True)
class FinetuneConfig(RuntimeOptions):
    """Everything that determines a fine-tuning run, and how it runs.

    Every field is an option of ``wordalign finetune`` and a keyword of
    :func:`~wordalign.train.finetune.finetune`; the recorded ones are stored in the checkpoint
    and checked on ``--resume``.
    """

    model: str | None = option(
        None, "Encoder to start from: local model directory, or embedded-base (the embedded encoder before "
        "alignment tuning); default: the embedded, alignment-tuned one.")
    layer: int | None = option(None, "Alignment layer to train (default: the model's).")
    objectives: tuple[str, ...] = option(
        ("so",), "so (self-training), co (agreement of the two directions), psi (parallel sentence identification); repeatable.", "--objective",
        text=list[str], parse=tuple, metavar="NAME")
    split: str = option("punct", "punct: split raw text into words and marks | space: text is pre-tokenized.")
    max_pairs: int | None = option(None, "Use only the first N lines.")
    epochs: int = option(1, "Passes over the data.")
    batch_size: int = option(16, "Sentence pairs per step.")
    learning_rate: float | None = option(
        None, f"Peak AdamW learning rate (default: {TUNED_LEARNING_RATE:g} from the tuned default, "
        f"{LEARNING_RATE:g} from any other encoder).")
    warmup: float = option(0.1, "Share of steps with a linearly rising learning rate.")
    max_tokens: int = option(128, "Skip pairs with a side longer than this many tokens (special tokens included).")
    level: str = option(
        "word", "word | subword: the similarities the objectives train, of words (subword vectors averaged) or of "
        "subwords, as `wordalign align --level` reads them.")
    guide: str = option(
        "softmax", "Extractor whose links on the model's own similarities become the targets; see `wordalign extractors`.")
    guide_params: dict = option(
        None, "Parameter of the guide extractor, KEY=VALUE, repeatable (softmax's defaults here: direction=union "
        "threshold=0.8).",
        "--guide-param", factory=dict, text=list[str], parse=partial(parse_params, option_name="--guide-param"),
        metavar="KEY=VALUE")
    seed: int = option(0, "Seed of data order and dropout.")
    save_every: int = option(200, "Steps between resumable states.", recorded=False)
    resume: bool = option(False, "Continue an interrupted run in --output.", "--resume", recorded=False)
    quiet: bool = option(False, "No progress bar.", "--quiet", "-q", recorded=False)

    def __post_init__(self):
        unknown = set(self.objectives) - set(OBJECTIVES)
        if not self.objectives or unknown:
            raise ConfigError(f"objectives must be some of {', '.join(OBJECTIVES)}, not {sorted(unknown) or 'none'}")
        check_training(self, ("epochs", "batch_size", "save_every", "max_tokens"))
        if self.layer is not None and self.layer < 1:
            raise ConfigError(f"layer {self.layer}: fine-tuning trains the blocks up to the alignment layer, and "
                              "layer 0 (the word embeddings) stays frozen; choose a layer of 1 or more")
        word_splitter(self.split)  # checks the name


@dataclass(frozen=True)
class SpanTrainConfig(RuntimeOptions):
    """Everything that determines a span-prediction training run, and how it runs.

    Every field is an option of ``wordalign train-span`` and a keyword of
    :func:`~wordalign.train.span.train_span`; the recorded ones are stored in the checkpoint.
    """

    dev_src: str | None = option(None, "Dev split source (early stopping, threshold and prior).")
    dev_tgt: str | None = option(None, "Dev split target.")
    dev_gold: str | None = option(None, "Dev split gold links.")
    model: str | None = option(
        None, "Encoder to start from: local model directory, or a train-span checkpoint to train further; "
        "default: the embedded one.")
    blocks: int | None = option(
        None, "Keep the first N transformer blocks (default: the model's alignment layer; all of a "
        "train-span checkpoint). --layers is its former name.", "--blocks", "--layers")
    head: str = option(
        "span", "span: the start and end of each marked word's answer span (Nagata et al. 2020) | binary: "
        "each word of the other sentence aligned or not (BinaryAlign, Latouche et al. 2024).")
    links: str = option("all", "all (sure and possible) | sure: which gold links to learn.")
    skip_unlinked: bool = option(
        False, "Ask only about words that have a link, for partial links such as silver ones (where two "
        "extractors agree); by default a word without a link learns to point at nothing.", "--skip-unlinked")
    marker: str | None = option(None, "Word put before and after the query word (default: the model's, else •).")
    epochs: int = option(3, "Most passes over the data.")
    patience: int = option(1, "Stop after this many epochs without a better dev AER.")
    batch_size: int = option(16, "Span queries (one per word and direction) per step.")
    learning_rate: float = option(1e-4, "Peak AdamW learning rate.")
    warmup: float = option(0.1, "Share of steps with a linearly rising learning rate.")
    seed: int = option(0, "Seed of the new head, dropout and data order.")
    quiet: bool = option(False, "No progress bar.", "--quiet", "-q", recorded=False)

    def __post_init__(self):
        if self.head not in HEADS:
            raise ConfigError(f"head must be one of {', '.join(HEADS)}, not {self.head!r}")
        if self.links not in LINKS:
            raise ConfigError(f"links must be one of {', '.join(LINKS)}, not {self.links!r}")
        check_training(self, ("epochs", "patience", "batch_size", "blocks"))
        dev_files = (self.dev_src, self.dev_tgt, self.dev_gold)
        if any(dev_files) and not all(dev_files):
            raise ConfigError("a dev split needs all three of dev_src, dev_tgt and dev_gold")

    @property
    def dev_files(self) -> tuple[str, str, str] | None:
        return (self.dev_src, self.dev_tgt, self.dev_gold) if self.dev_src else None
