"""Raw lines into words with character offsets.

Each line is cut into runs: runs of Han and kana go to a Chinese or Japanese segmenter
(:mod:`~wordalign.segment.cjk`), runs of Thai, Lao, Khmer and Myanmar (written without spaces,
and without a segmenter here) to the encoder's own subword pieces, and everything else to the
rules for space-delimited scripts (:mod:`~wordalign.segment.rules`). On a Chinese line, a
number keeps the unit that follows it (1990年, 22日, 4.6亿, 10%), as the Chinese treebanks write
it. Every word keeps its ``[start, end)`` span in the raw line.
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
# One word with the number before it, so that 22日 links to "22nd" and not 日 to every date word.
_NUMBER = regex.compile(r"\p{N}+(?:[.,:/]\p{N}+)*")
_CHINESE_UNIT = regex.compile(r"[年月日号时点分秒]份?|[万亿]+")
_PERCENT = ("%", "\uff05")


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
        needed = self.languages_needed(line)
        language = needed.pop() if needed else None  # of every Han run of the line
        chinese = language == "zh"
        for run in _RUN.finditer(line):
            spans += split_spaced(line[position : run.start()], position)
            start = run.start()
            if chinese and run.lastgroup == "cjk" and _after_number(line, spans, start):
                unit = _CHINESE_UNIT.match(line, start, run.end())
                if unit:
                    spans[-1], start = (spans[-1][0], unit.end()), unit.end()
            run_spans = self._split_run(run.lastgroup, line[start : run.end()], language)
            spans += [(start + a, start + b) for a, b in run_spans]
            position = run.end()
        spans += split_spaced(line[position:], position)
        if chinese:
            spans = _join_percent(line, spans)
        return [Word(line[start:end], start, end) for start, end in spans]

    def _language(self, line: str) -> str:
        """The segmenter this line's Han runs go to."""
        if self.language in LANGUAGES:
            return self.language
        return "ja" if _KANA.search(line) else "zh"

    def _split_run(self, kind: str, text: str, language: str | None) -> list[tuple[int, int]]:
        if not text:
            return []
        if kind == "cjk":
            return LANGUAGES[language](text)
        if self.pieces is None:
            return [(0, len(text))]
        self.pieces_runs += 1
        return self.pieces(text)

    def languages_needed(self, line: str) -> set[str]:
        """The segmenters (``zh``, ``ja``) that :meth:`__call__` would use on ``line``."""
        if not regex.search(f"[{_CJK}]", line):
            return set()
        return {self._language(line)}


def _after_number(line: str, spans: list[tuple[int, int]], start: int) -> bool:
    """Whether the last word so far is a number that ends right at ``start``."""
    return bool(spans) and spans[-1][1] == start and bool(_NUMBER.fullmatch(line, *spans[-1]))


def _join_percent(line: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans with each percent sign that directly follows a number joined to it."""
    joined = []
    for start, end in spans:
        if line[start:end] in _PERCENT and _after_number(line, joined, start):
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def load_segmenters(texts: Iterable[tuple[Segmenter, str]]) -> None:
    """Load now the Chinese and Japanese segmenters that splitting these texts needs, each
    ``(segmenter, text)``, so that a missing extra fails before the model loads."""
    needed = set().union(*(segmenter.languages_needed(text) for segmenter, text in texts))
    for language in sorted(needed):
        check_segmenter(language)
