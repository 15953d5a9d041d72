"""Raw text into words with character offsets: what ``--tokenize`` does.

:mod:`~wordalign.segment.split` cuts lines into runs by script and splits each run:
:mod:`~wordalign.segment.rules` for scripts written with spaces, :mod:`~wordalign.segment.cjk`
for Chinese and Japanese. This module stays light (the command line imports it to check options).
"""

from __future__ import annotations

import re

from ..errors import ConfigError


def check_language(language: str | None) -> str | None:
    """Return a language code as given (``en``, ``zh``, ``pt-BR``), or raise :class:`ConfigError`."""
    if language is not None and not re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*", language):
        raise ConfigError(f"a language is a code such as en, zh or ja, not {language!r}")
    return language
