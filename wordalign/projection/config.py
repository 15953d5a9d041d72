"""How labels are carried across: the options of ``wordalign project``, declared once.

A module of its own so that the command line can list them without loading the aligner.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigError
from ..io.output import OutputOptions
from ..options import option
from .formats import check_format
from .labels import check_scheme
from .spans import check_group_rule

KINDS = ("spans", "tokens")
PUNCTUATION = ("ignore", "keep")
# Chosen on the Europarl NER projection benchmark (benchmarks/projection.py): with a gap of 2 and
# punctuation links ignored, the encoder before alignment tuning, ot-unbalanced on words: entity
# F1 En→De 91.2 and En→Es 94.1 (mean 92.7). The tuned default did not do better: 92.6 at best
# (softmax on words), 91.7 with ot-unbalanced (results/projection-tuned*.md).
PROJECTION_EXTRACTOR = "ot-unbalanced"
PROJECTION_LEVEL = "word"
PROJECTION_MODEL = "embedded-base"


@dataclass(frozen=True)
class ProjectConfig(OutputOptions):
    """How labels are carried across: options of ``wordalign project`` beside :class:`~wordalign.align.config.AlignConfig`."""

    links: str | None = option(None, "Project through these Pharaoh links (i-j or i-j:score; i?j counts as a link; "
                                     "a line per sentence) instead of aligning.")
    kind: str = option("spans", "spans (entities: each source span becomes at most one target span) | tokens "
                                "(POS-like: each target word takes its linked source word's label).")
    scheme: str = option("iob2", "Tagging scheme of span labels, read and written: iob2 | iob1 | bioes.")
    repair: bool = option(False, "Read a tag that breaks the scheme (I- after O) as a span start.", "--repair")
    token_column: int = option(0, "CoNLL column of the tokens (0-based; negative counts from the end).")
    label_column: int = option(-1, "CoNLL column of the labels.")
    gap: int = option(2, "Aligned target words at most N words apart belong to one span.")
    punctuation: str = option("ignore", "ignore | keep: links of words that are punctuation only.")
    group: str = option("largest", "Which group of target words a split span becomes: largest | score | range.")
    unaligned_label: str = option("O", "Label of a target word without a link (--kind tokens).")
    output_format: str | None = option(None, "conll | jsonl; default: the source's.", "--format", "-f")

    def __post_init__(self):
        check_scheme(self.scheme)
        check_group_rule(self.group)
        for name, value, allowed in (("kind", self.kind, KINDS), ("punctuation", self.punctuation, PUNCTUATION)):
            if value not in allowed:
                raise ConfigError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
        if self.output_format is not None:
            check_format(self.output_format)
        if self.gap < 0:
            raise ConfigError(f"gap must be 0 or more, not {self.gap}")
