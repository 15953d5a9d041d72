"""How a line becomes words: pre-tokenized (split on spaces) or raw (letters and marks)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from ..errors import ConfigError

_WORD_SPLIT = re.compile(r"[ \t]+")
# Han, kana: scripts written without spaces, where a letter run is a whole clause.
_UNSPACED = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_UNSPACED_RUN = re.compile(rf"[{_UNSPACED}]+")
# A run of Han/kana; a run of other letters/digits; or any single other visible character:
# "Hi, it's 5." → Hi , it ' s 5 . — close to how gold sets tokenize, and harmless on text
# already tokenized that way.
_ROUGH_WORD = re.compile(rf"[{_UNSPACED}]+|[^\W{_UNSPACED}]+|[^\w\s]")
WORD_SPLITS = ("punct", "space")


def split_words(line: str) -> list[str]:
    """Words of a pre-tokenized line: split on ASCII spaces and tabs only.

    Other Unicode spaces (such as the ideographic space U+3000) are kept as tokens, because
    gold sets tokenized that way count them as words.
    """
    stripped = line.strip(" \t")
    return _WORD_SPLIT.split(stripped) if stripped else []


def rough_words(line: str, pieces: Callable[[str], list[str]] | None = None) -> list[str]:
    """Words of a raw (untokenized) line: letter/digit runs and single punctuation marks.

    Parameters
    ----------
    line : str
    pieces : callable, optional
        Cuts a run of Han or kana characters into word-like pieces (a SentencePiece
        tokenizer's pieces without their word-initial marker, see
        :meth:`wordalign.encoding.tokenization.SubwordMapper.word_pieces`). A unigram
        vocabulary's pieces are mostly whole words (科学家 | 一直 | 存在); single characters
        would make sentences about twice as many subwords long. Without it, such a run stays
        one word.
    """
    words = _ROUGH_WORD.findall(line)
    if pieces is None:
        return words
    split = []
    for word in words:
        split += [piece for piece in pieces(word) if piece] if _UNSPACED_RUN.fullmatch(word) else [word]
    return split


def word_splitter(split: str, pieces: Callable[[str], list[str]] | None = None) -> Callable[[str], list[str]]:
    """``punct`` → :func:`rough_words` (raw text); ``space`` → :func:`split_words` (pre-tokenized)."""
    if split not in WORD_SPLITS:
        raise ConfigError(f"split must be one of {', '.join(WORD_SPLITS)}, not {split!r}")
    if split == "space":
        return split_words
    return rough_words if pieces is None else partial(rough_words, pieces=pieces)
