"""Words of Chinese and Japanese text, which is written without spaces: optional segmenters.

Chinese: jieba (``pip install 'wordalign[zh]'``), a dictionary and HMM segmenter. Japanese:
fugashi, MeCab with the UniDic-lite dictionary (``pip install 'wordalign[ja]'``), a
morphological analyser whose units are the short words that Japanese gold sets (KFTT) use.
"""

from __future__ import annotations

import logging
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
    """``[start, end)`` spans of the words jieba finds in a run of Chinese characters."""
    return [(start, end) for word, start, end in _jieba().tokenize(run) if not word.isspace()]


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
