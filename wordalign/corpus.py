"""Unlabelled parallel text for fine-tuning: streamed, split into words, shuffled in a bounded buffer."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from functools import partial
from itertools import zip_longest

from .errors import ConfigError, InputError
from .io import iter_lines, split_words
from .tokenization import METASPACE

# Han, kana: scripts written without spaces, where a letter run is a whole clause.
_UNSPACED = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_UNSPACED_RUN = re.compile(rf"[{_UNSPACED}]+")
# A run of Han/kana; a run of other letters/digits; or any single other visible character:
# "Hi, it's 5." → Hi , it ' s 5 . — close to how gold sets tokenize, and harmless on text
# already tokenized that way.
_ROUGH_WORD = re.compile(rf"[{_UNSPACED}]+|[^\W{_UNSPACED}]+|[^\w\s]")
WORD_SPLITS = ("punct", "space")


def rough_words(line: str, pieces=None) -> list[str]:
    """Words of a raw (untokenized) line: letter/digit runs and single punctuation marks.

    Parameters
    ----------
    line : str
    pieces : callable, optional
        A tokenizer's ``tokenize``. Given, each run of Han or kana characters is cut into its
        subword pieces, which stand in for Chinese and Japanese words: a unigram vocabulary's
        pieces are mostly whole words (科学家 | 一直 | 存在), and each then gets the word-initial
        marker it will have when a segmented sentence is aligned. Single characters would
        not, and they make sentences about twice as many subwords long.
    """
    words = _ROUGH_WORD.findall(line)
    if pieces is None:
        return words
    split = []
    for word in words:
        if _UNSPACED_RUN.fullmatch(word):
            split += [piece for piece in (p.lstrip(METASPACE) for p in pieces(word)) if piece]
        else:
            split.append(word)
    return split


def word_splitter(split: str, pieces=None):
    """``punct`` → :func:`rough_words` (raw text); ``space`` → :func:`~wordalign.io.split_words` (pre-tokenized)."""
    if split not in WORD_SPLITS:
        raise ConfigError(f"split must be one of {', '.join(WORD_SPLITS)}, not {split!r}")
    if split == "space":
        return split_words
    return rough_words if pieces is None else partial(rough_words, pieces=pieces)


class ParallelCorpus:
    """Two line-aligned files of raw parallel sentences, read lazily.

    Parameters
    ----------
    src, tgt : str
        Paths; line ``k`` of one translates line ``k`` of the other.
    split : {"punct", "space"}
        How lines become words (:func:`word_splitter`).
    max_pairs : int, optional
        Use only the first ``max_pairs`` lines.

    Notes
    -----
    Pairs with an empty side are skipped (and counted): they carry no alignment signal.
    Files of different lengths are an :class:`~wordalign.errors.InputError` naming the line
    where one of them ends.
    """

    def __init__(self, src: str, tgt: str, *, split: str = "punct", max_pairs: int | None = None):
        if max_pairs is not None and max_pairs < 1:
            raise ConfigError("max_pairs must be at least 1")
        self.src, self.tgt, self.max_pairs, self.split = src, tgt, max_pairs, split
        self.words = word_splitter(split)
        self.n_pairs, self.n_empty = self._count()
        if self.n_pairs == 0:
            raise InputError("no sentence pair with words on both sides", src)

    def split_unspaced_with(self, pieces) -> None:
        """Cut Han and kana runs into ``pieces(run)`` from now on (see :func:`rough_words`)."""
        self.words = word_splitter(self.split, pieces)

    def __iter__(self) -> Iterator[tuple[list[str], list[str]]]:
        for src, tgt in self._lines():
            pair = (self.words(src), self.words(tgt))
            if pair[0] and pair[1]:
                yield pair

    def shuffled(self, seed: int, buffer_size: int = 10_000) -> Iterator[tuple[list[str], list[str]]]:
        """The pairs in a seeded random order, holding at most ``buffer_size`` of them.

        A reservoir-style buffer: each incoming pair replaces a random buffered one, which is
        emitted. Memory stays bounded for any corpus size; order is random within a window of
        about ``buffer_size`` lines (Shuffle the files beforehand for a global shuffle).
        """
        rng = random.Random(seed)
        buffer = []
        for pair in self:
            if len(buffer) < buffer_size:
                buffer.append(pair)
                continue
            slot = rng.randrange(buffer_size)
            yield buffer[slot]
            buffer[slot] = pair
        rng.shuffle(buffer)
        yield from buffer

    def _lines(self) -> Iterator[tuple[str, str]]:
        for number, (src, tgt) in enumerate(zip_longest(iter_lines(self.src), iter_lines(self.tgt)), 1):
            if self.max_pairs is not None and number > self.max_pairs:
                return
            if src is None or tgt is None:
                short = self.src if src is None else self.tgt
                raise InputError(f"has {number - 1} lines but its parallel file has more", short, number)
            yield src, tgt

    def _count(self) -> tuple[int, int]:
        used = empty = 0
        for src, tgt in self._lines():
            if self.words(src) and self.words(tgt):
                used += 1
            else:
                empty += 1
        return used, empty
