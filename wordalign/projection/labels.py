"""Tagging schemes: entity spans read from and written as IOB1, IOB2 (BIO) or BIOES tags."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import ConfigError, InputError

SCHEMES = ("iob2", "iob1", "bioes")
OUTSIDE = "O"


@dataclass(frozen=True, order=True)
class Span:
    """Words ``start .. end - 1`` of a sentence, labelled ``label`` (a named entity, a slot)."""

    start: int
    end: int
    label: str


def check_scheme(scheme: str) -> str:
    if scheme not in SCHEMES:
        raise ConfigError(f"scheme must be one of {', '.join(SCHEMES)}, not {scheme!r}")
    return scheme


def _split(tag: str, path: str, line: int) -> tuple[str, str]:
    if tag == OUTSIDE:
        return OUTSIDE, ""
    prefix, sep, label = tag.partition("-")
    if not sep or prefix not in ("B", "I", "E", "S") or not label:
        raise InputError(f"tag {tag!r} is neither O nor B-, I-, E-, S- followed by a label", path, line)
    return prefix, label


def spans_from_tags(tags: Sequence[str], scheme: str = "iob2", *, repair: bool = False, path: str = "<tags>",
                    lines: Sequence[int] | None = None) -> list[Span]:
    """The labelled spans of one sentence's tags.

    IOB2 (BIO): every span starts with ``B-``; IOB1: ``B-`` only between two spans of the same
    label; BIOES: ``S-`` for one word, ``B- I- E-`` for more. A tag that breaks its scheme (an
    ``I-X`` after ``O`` in IOB2, an ``I-X`` after ``I-Y``, an ``E-`` that ends nothing, a BIOES
    span without its ``E-``) is an :class:`InputError` naming ``path`` and the line
    (``lines[k]`` for tag ``k``); with ``repair``, a stray ``I-``/``E-`` starts a span as IOB1
    would, and a span without its end ends where the next tag says.

    Parameters
    ----------
    tags : sequence of str
    scheme : {"iob2", "iob1", "bioes"}
    repair : bool
        Read a broken tag as the start of a span instead of failing.
    path, lines
        Where the tags come from, for messages.
    """
    check_scheme(scheme)
    spans, start, label = [], None, None

    def close(end: int, properly: bool = False) -> None:
        nonlocal start, label
        if start is not None:
            if scheme == "bioes" and not (properly or repair):
                raise InputError(f"the {label} span that starts here is not closed by E-{label} (BIOES); "
                                 "--repair ends it anyway", path, lines[start] if lines else start + 1)
            spans.append(Span(start, end, label))
        start, label = None, None

    for k, tag in enumerate(tags):
        prefix, name = _split(tag, path, lines[k] if lines else k + 1)
        if scheme != "bioes" and prefix in ("E", "S"):
            raise InputError(f"tag {tag!r} belongs to BIOES, not {scheme.upper()}", path, lines[k] if lines else k + 1)
        continues = prefix in ("I", "E") and start is not None and label == name
        if prefix == OUTSIDE:
            close(k)
        elif continues:
            pass
        elif prefix == "B" or prefix == "S" or scheme == "iob1" or repair:
            close(k)
            start, label = k, name
        else:
            raise InputError(f"tag {tag!r} continues no {name} span ({scheme.upper()} starts one with B-{name}); "
                             "--repair reads it as a start", path, lines[k] if lines else k + 1)
        if prefix in ("E", "S"):
            close(k + 1, properly=True)
    close(len(tags))
    return spans


def tags_from_spans(spans: Sequence[Span], n_words: int, scheme: str = "iob2") -> list[str]:
    """The tags of a sentence of ``n_words`` words with ``spans``, which must not overlap."""
    check_scheme(scheme)
    ordered = sorted(spans)
    if any(a.end > b.start for a, b in zip(ordered, ordered[1:])):
        raise ValueError(f"overlapping spans cannot be tagged: {ordered}")
    tags = [OUTSIDE] * n_words
    previous_end, previous_label = -1, None
    for span in ordered:
        length = span.end - span.start
        for k in range(span.start, span.end):
            tags[k] = f"I-{span.label}"
        if scheme == "iob2" or (scheme == "iob1" and previous_end == span.start and previous_label == span.label):
            tags[span.start] = f"B-{span.label}"
        elif scheme == "bioes":
            tags[span.start] = f"{'S' if length == 1 else 'B'}-{span.label}"
            if length > 1:
                tags[span.end - 1] = f"E-{span.label}"
        previous_end, previous_label = span.end, span.label
    return tags
