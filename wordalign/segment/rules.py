"""Word splitting for scripts written with spaces (Latin, Cyrillic, Greek, Arabic, Devanagari, ...).

One ordered pattern, tried left to right at each position; whitespace (any Unicode space,
U+00A0 and U+3000 included) separates and is never part of a word:

1. URLs (``https://…``, ``www.…``) and e-mail addresses, whole, without a closing mark;
2. abbreviations: letters each followed by a period (``U.S.``, ``z.B.``, ``e.g.``), and a short
   list of titles and Latin forms (``Dr.``, ``Mr.``, ``etc.``): their period is not a sentence end;
3. numbers with inner separators (``1,000.5``, ``12:30``, ``3/4``, ``1'000``);
4. words: letters, combining marks, digits and the zero-width (non-)joiner, joined by inner
   hyphens or apostrophes (``state-of-the-art``, ``aujourd'hui``); then English clitics are
   split off the end (``don't`` → ``do n't``, ``John's`` → ``John 's``, as the Penn Treebank
   and Moses tokenize) and French and Italian elisions off the start (``l'homme`` →
   ``l' homme``, ``dell'anno`` → ``dell' anno``), because each part translates on its own;
5. emoji, whole grapheme clusters (skin tones, flags, ZWJ families);
6. punctuation and symbols, a run of the same mark together (``...``, ``!!``, ``--``);
7. any other visible character, alone. Invisible format and control characters outside words
   (a zero-width space, a stray byte-order mark) separate words, as spaces do.
"""

from __future__ import annotations

import regex

_LETTER = r"[\p{L}\p{M}\p{N}\u200c\u200d\u00ad]"  # zero-width (non-)joiners and soft hyphens are in-word
_APOSTROPHE = "'\u2019"
_TRAILING = r"[^\s<>\"'\u2019.,;:!?)\]}»”]"  # a URL's last character is not a closing mark
TITLES = ("Mr", "Mrs", "Ms", "Dr", "Prof", "St", "Jr", "Sr", "vs", "etc", "cf", "approx", "Nr", "bzw", "ca",
          "usw", "Mme", "Mlle", "Sig", "Sra", "Sr", "Hr", "Fr", "No")
_PATTERN = regex.compile(
    rf"""
    (?P<url>(?:https?|ftp)://\S*{_TRAILING}|www\.\S*{_TRAILING})
  | (?P<email>[\p{{L}}\p{{N}}._%+-]+@[\p{{L}}\p{{N}}-]+(?:\.[\p{{L}}\p{{N}}-]+)+)
  | (?P<abbreviation>(?:\p{{L}}\.){{2,}}|\b(?:{'|'.join(TITLES)})\.)
  | (?P<number>\p{{N}}+(?:[.,:/'\u2019]\p{{N}}+)+)
  | (?P<word>{_LETTER}+(?:[-\u2010{_APOSTROPHE}]{_LETTER}+)*)
  | (?P<emoji>(?=\p{{Extended_Pictographic}}|\p{{Regional_Indicator}})\X)
  | (?P<mark>(?P<first>[\p{{P}}\p{{S}}])(?P=first)*)
  | (?P<other>[^\s\p{{Cf}}\p{{Cc}}])
    """,
    regex.VERBOSE | regex.V0,
)
_CLITIC = regex.compile(rf"(?i)(?:n[{_APOSTROPHE}]t|[{_APOSTROPHE}](?:s|re|ve|ll|d|m))$")
_ELISION = regex.compile(
    rf"(?i)^(?:c|d|j|l|m|n|s|t|qu|jusqu|lorsqu|puisqu|quoiqu|presqu|all|dall|dell|nell|sull|quell|bell|un|gl)"
    rf"[{_APOSTROPHE}](?=\p{{L}})")


def split_spaced(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """``[start, end)`` character spans of the words of ``text`` (see the module's rules).

    Parameters
    ----------
    text : str
        Raw text of a space-delimited script (or a part of a line).
    offset : int
        Added to every span, for a part of a longer line.
    """
    spans = []
    for match in _PATTERN.finditer(text):
        start, end = match.span()
        if match.lastgroup == "word" and regex.search(f"[{_APOSTROPHE}]", match.group()):
            spans += [(offset + a, offset + b) for a, b in _split_apostrophes(match.group(), start)]
        else:
            spans.append((offset + start, offset + end))
    return spans


def _split_apostrophes(word: str, start: int) -> list[tuple[int, int]]:
    """A word's spans once a leading elision and a trailing English clitic are split off."""
    spans, begin, end = [], 0, len(word)
    elision = _ELISION.match(word)
    if elision:
        spans.append((start, start + elision.end()))
        begin = elision.end()
    clitic = _CLITIC.search(word, begin)
    if clitic and clitic.start() > begin:
        spans += [(start + begin, start + clitic.start()), (start + clitic.start(), start + end)]
    else:
        spans.append((start + begin, start + end))
    return spans
