"""Labelled sentences read and written: CoNLL columns (one token a line) and JSON lines with spans."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ..errors import ConfigError, InputError
from ..io.text import iter_lines
from ..io.words import split_words
from .labels import Span

FORMATS = ("conll", "jsonl")


@dataclass
class LabelledSentence:
    """A sentence's words and labels (one per word), with the file lines they came from.

    ``labels`` are tags (``B-PER``, ``O``) for CoNLL; for JSON lines with spans they are made
    from the spans in IOB2 by the caller, and ``spans`` keeps the spans as read.
    """

    words: list[str]
    labels: list[str]
    lines: list[int] = field(default_factory=list)
    spans: list | None = None


def detect_format(path: str) -> str:
    """``jsonl`` if the first non-empty line is a JSON object, else ``conll``."""
    for line in iter_lines(path):
        if line.strip():
            return "jsonl" if line.lstrip().startswith("{") else "conll"
    return "conll"


def read_conll(path: str, token_column: int = 0, label_column: int = -1) -> Iterator[LabelledSentence]:
    """Sentences of a CoNLL file: one token a line, columns split by tabs (or spaces), a blank
    line between sentences; ``-DOCSTART-`` lines are skipped."""
    words, labels, lines = [], [], []
    for number, line in enumerate(iter_lines(path), 1):
        if not line.strip():
            if words:
                yield LabelledSentence(words, labels, lines)
            words, labels, lines = [], [], []
            continue
        columns = line.split("\t") if "\t" in line else line.split()
        try:
            word, label = columns[token_column].strip(), columns[label_column].strip()
        except IndexError:
            raise InputError(f"has {len(columns)} columns; the token column is {token_column} and the label "
                             f"column {label_column}", path, number) from None
        if word == "-DOCSTART-":
            continue
        words.append(word)
        labels.append(label)
        lines.append(number)
    if words:
        yield LabelledSentence(words, labels, lines)


def read_jsonl(path: str) -> Iterator[LabelledSentence]:
    """Sentences of JSON lines ``{"tokens": [...], "spans": [{"start", "end", "label"}]}`` (``end``
    exclusive) or ``{"tokens": [...], "labels": [...]}`` (one label per token)."""
    for number, line in enumerate(iter_lines(path), 1):
        try:
            record = json.loads(line)
            words = [str(word) for word in record["tokens"]]
            if "labels" in record:
                labels = [str(label) for label in record["labels"]]
                if len(labels) != len(words):
                    raise ValueError(f"{len(labels)} labels for {len(words)} tokens")
                yield LabelledSentence(words, labels, [number] * len(words))
                continue
            spans = [Span(int(s["start"]), int(s["end"]), str(s["label"])) for s in record.get("spans", [])]
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise InputError(f"expected {{\"tokens\": [...], \"spans\": [...]}} or {{\"tokens\", \"labels\"}}: {exc}",
                             path, number) from None
        for span in spans:
            if not 0 <= span.start < span.end <= len(words):
                raise InputError(f"span {span.start}..{span.end} is not within the {len(words)} tokens", path, number)
        yield LabelledSentence(words, [], [number] * len(words), spans)


def read_target(path: str, token_column: int = 0) -> Iterator[tuple[list[str], int]]:
    """Target sentences and their first line: pre-tokenized text (one sentence a line) or a CoNLL
    file (its tokens; labels there are not used)."""
    if detect_format(path) == "jsonl":
        for sentence in read_jsonl(path):
            yield sentence.words, sentence.lines[0] if sentence.lines else 0
        return
    first = next((line for line in iter_lines(path) if line.strip()), "")
    if "\t" in first:
        for sentence in read_conll(path, token_column, token_column):
            yield sentence.words, sentence.lines[0]
        return
    for number, line in enumerate(iter_lines(path), 1):
        yield split_words(line), number


def format_conll(words: Sequence[str], labels: Sequence[str]) -> str:
    """One sentence as CoNLL lines, ``word<TAB>label``, and the blank line after it."""
    return "".join(f"{word}\t{label}\n" for word, label in zip(words, labels)) + "\n"


def format_jsonl(words: Sequence[str], spans=None, labels: Sequence[str] | None = None) -> str:
    """One sentence as a JSON line. Words split from raw text (``--tokenize``: they have a
    ``start``) add ``offsets``, each word's ``[start, end)`` in the raw line, and each span its
    ``char_start`` and ``char_end`` there."""
    record = {"tokens": list(words)}
    raw = bool(words) and hasattr(words[0], "start")
    if raw:
        record["offsets"] = [[word.start, word.end] for word in words]
    if spans is not None:
        record["spans"] = [{"start": s.start, "end": s.end, "label": s.label} for s in spans]
        if raw:
            for span, out in zip(spans, record["spans"]):
                out.update(char_start=words[span.start].start, char_end=words[span.end - 1].end)
    if labels is not None:
        record["labels"] = list(labels)
    return json.dumps(record, ensure_ascii=False) + "\n"


def check_format(name: str) -> str:
    if name not in FORMATS:
        raise ConfigError(f"format must be one of {', '.join(FORMATS)}, not {name!r}")
    return name
