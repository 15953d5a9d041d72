"""Raw lines into words with character offsets.

Each line is cut into runs: runs of Han and kana go to a Chinese or Japanese segmenter
(:mod:`~wordalign.segment.cjk`), runs of Thai, Lao, Khmer and Myanmar (written without spaces,
and without a segmenter here) to the encoder's own subword pieces, and everything else to the
rules for space-delimited scripts (:mod:`~wordalign.segment.rules`). Every word keeps its
``[start, end)`` span in the raw line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import regex

from . import check_language
from .cjk import check_segmenter, chinese_words, japanese_words
from .rules import split_spaced

# Language codes that choose a segmenter; any other code (or none) uses the rules, and Han
# runs are Japanese when the line has kana, else Chinese.
LANGUAGES = {"zh": chinese_words, "ja": japanese_words}
_CJK = r"\p{Han}\p{Hiragana}\p{Katakana}\u30fc\u3005\u3006"  # ー 々 〆 belong to the runs they are in
_SOUTHEAST_ASIAN = r"\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
_RUN = regex.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<unspaced>[{_SOUTHEAST_ASIAN}]+)")
_KANA = regex.compile(r"[\p{Hiragana}\p{Katakana}]")


class Word(str):
    """A word of a raw line: the string itself, with its ``[start, end)`` span in the line."""

    start: int
    end: int

    def __new__(cls, text: str, start: int, end: int):
        word = super().__new__(cls, text)
        word.start, word.end = start, end
        return word

    def __reduce__(self):  # pickled (by worker processes) with its span
        return Word, (str(self), self.start, self.end)


class Segmenter:
    """Split raw lines into :class:`Word` objects.

    Parameters
    ----------
    language : str, optional
        ``zh`` or ``ja`` send every Han run to that language's segmenter; another code or
        None: Han runs are Japanese on a line with kana, else Chinese.
    pieces : callable, optional
        ``pieces(run) -> [(start, end), ...]``: how to cut a run of a script without spaces
        and without a segmenter (Thai, Lao, Khmer, Myanmar); the aligner passes its
        encoder's subword pieces. Without it, such a run is one word.

    Attributes
    ----------
    pieces_runs : int
        Runs cut by ``pieces`` so far (the summary line reports them).
    """

    def __init__(self, language: str | None = None, pieces: Callable[[str], list[tuple[int, int]]] | None = None):
        self.language = None if check_language(language) is None else regex.split("[-_]", language.lower())[0]
        self.pieces = pieces
        self.pieces_runs = 0

    def __call__(self, line: str) -> list[Word]:
        spans, position = [], 0
        for run in _RUN.finditer(line):
            spans += split_spaced(line[position : run.start()], position)
            spans += [(run.start() + a, run.start() + b) for a, b in self._split_run(run, line)]
            position = run.end()
        spans += split_spaced(line[position:], position)
        return [Word(line[start:end], start, end) for start, end in spans]

    def _split_run(self, run, line: str) -> list[tuple[int, int]]:
        text = run.group()
        if run.lastgroup == "cjk":
            language = self.language if self.language in LANGUAGES else ("ja" if _KANA.search(line) else "zh")
            return LANGUAGES[language](text)
        if self.pieces is None:
            return [(0, len(text))]
        self.pieces_runs += 1
        return self.pieces(text)

    def languages_needed(self, line: str) -> set[str]:
        """The segmenters (``zh``, ``ja``) that :meth:`__call__` would use on ``line``."""
        if not regex.search(f"[{_CJK}]", line):
            return set()
        if self.language in LANGUAGES:
            return {self.language}
        return {"ja" if _KANA.search(line) else "zh"}


def load_segmenters(texts: Iterable[tuple[Segmenter, str]]) -> None:
    """Load now the Chinese and Japanese segmenters that splitting these texts needs, each
    ``(segmenter, text)``, so that a missing extra fails before the model loads."""
    needed = set().union(*(segmenter.languages_needed(text) for segmenter, text in texts))
    for language in sorted(needed):
        check_segmenter(language)
