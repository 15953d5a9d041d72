"""Words of Chinese and Japanese text, which is written without spaces: optional segmenters.

Chinese: jieba (``pip install 'wordalign[zh]'``), a dictionary and HMM segmenter, with its
compounds cut into the dictionary words they are made of (see :func:`chinese_words`). Japanese:
fugashi, MeCab with the UniDic-lite dictionary (``pip install 'wordalign[ja]'``), a
morphological analyser whose units are the short words that Japanese gold sets (KFTT) use.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache

from ..errors import ConfigError

INSTALL = {"zh": ("Chinese", "jieba", "zh"), "ja": ("Japanese", "fugashi and unidic-lite", "ja")}


def missing_segmenter(language: str) -> ConfigError:
    name, packages, extra = INSTALL[language]
    return ConfigError(f"splitting {name} text into words needs {packages}: pip install 'wordalign[{extra}]'")


@lru_cache(maxsize=1)
def _jieba():
    try:
        import jieba
    except ImportError:
        raise missing_segmenter("zh") from None
    jieba.setLogLevel(logging.WARNING)  # its dictionary-loading messages are not ours to show
    jieba.initialize()
    return jieba


@lru_cache(maxsize=1)
def _tagger():
    try:
        import fugashi

        return fugashi.Tagger()
    except (ImportError, RuntimeError):  # fugashi without a dictionary raises RuntimeError
        raise missing_segmenter("ja") from None


def check_segmenter(language: str) -> None:
    """Load the segmenter of ``zh`` or ``ja`` now, so that a missing extra fails before the model loads."""
    (_jieba if language == "zh" else _tagger)()


def chinese_words(run: str) -> list[tuple[int, int]]:
    """``[start, end)`` spans of the words of a run of Chinese characters.

    jieba's words, except that a compound its dictionary also knows as a sequence of shorter
    words of two or more characters (美国政府 = 美国 + 政府, 工作人员 = 工作 + 人员) is cut into
    the fewest of them, as jieba's search mode finds them and as the Chinese treebanks segment:
    each part then links to the words that translate it, rather than the whole compound to all.

    Parameters
    ----------
    run : str
        Chinese characters only (the line's other text is split by the rules).

    References
    ----------
    Xia (2000), The Segmentation Guidelines for the Penn Chinese Treebank (3.0), IRCS report
    00-06, University of Pennsylvania: compounds and number-unit words.
    """
    jieba = _jieba()
    spans = []
    for word, start, end in jieba.tokenize(run):
        if not word.isspace():
            spans += [(start + a, start + b) for a, b in _dictionary_parts(word, jieba.get_FREQ)]
    return spans


def _dictionary_parts(word: str, frequency: Callable[[str], int | None]) -> list[tuple[int, int]]:
    """``word`` as the fewest dictionary words of two or more characters, if it is such a
    sequence of at least two; else ``word`` whole."""
    fewest = {0: []}  # end -> the shortest sequence of parts that covers word[:end]
    for end in range(2, len(word) + 1):
        for start in range(end - 1):
            shorter = start in fewest and (end not in fewest or len(fewest[start]) + 1 < len(fewest[end]))
            if shorter and (start, end) != (0, len(word)) and frequency(word[start:end]):
                fewest[end] = fewest[start] + [(start, end)]
    return fewest.get(len(word), [(0, len(word))])


def japanese_words(run: str) -> list[tuple[int, int]]:
    """``[start, end)`` spans of the morphemes MeCab (UniDic-lite) finds in a run of Japanese text."""
    spans, position = [], 0
    for node in _tagger()(run):
        start = run.find(node.surface, position)
        if start < 0 or not node.surface:  # MeCab's surfaces are substrings; skip what is not
            continue
        position = start + len(node.surface)
        spans.append((start, position))
    return spans
