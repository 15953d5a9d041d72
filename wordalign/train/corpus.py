"""Unlabelled parallel text for fine-tuning: streamed, split into words, shuffled in a bounded buffer."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from itertools import islice

from ..errors import ConfigError, InputError
from ..io.text import ParallelInput
from ..io.words import word_splitter


class ParallelCorpus:
    """The pairs of two line-aligned files with words on both sides, read lazily.

    Parameters
    ----------
    src, tgt : str
        Paths; line ``k`` of one translates line ``k`` of the other (checked first, as
        :class:`~wordalign.io.text.ParallelInput` checks them).
    split : {"punct", "space"}
        How lines become words (:func:`~wordalign.io.words.word_splitter`).
    max_pairs : int, optional
        Use only the first ``max_pairs`` lines.

    Notes
    -----
    Pairs with an empty side are skipped (and counted): they carry no alignment signal.
    """

    def __init__(self, src: str, tgt: str, *, split: str = "punct", max_pairs: int | None = None):
        if max_pairs is not None and max_pairs < 1:
            raise ConfigError("max_pairs must be at least 1")
        self.split, self.max_pairs = split, max_pairs
        self.input = ParallelInput(src, tgt, words=word_splitter(split))
        self.n_pairs = sum(1 for _ in self)
        self.n_empty = min(self.input.n_pairs, max_pairs or self.input.n_pairs) - self.n_pairs
        if self.n_pairs == 0:
            raise InputError("no sentence pair with words on both sides", src)

    def split_unspaced_with(self, pieces: Callable[[str], list[str]]) -> None:
        """Cut Han and kana runs into ``pieces(run)`` from now on (see :func:`~wordalign.io.words.rough_words`)."""
        self.input.words = word_splitter(self.split, pieces)

    def __iter__(self) -> Iterator[tuple[list[str], list[str]]]:
        for src, tgt in islice(self.input, self.max_pairs):
            if src and tgt:
                yield src, tgt

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
