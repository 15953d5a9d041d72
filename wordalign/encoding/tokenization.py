"""Subword → word mapping from a fast tokenizer's ``word_ids()`` on pre-tokenized input."""

from __future__ import annotations

import functools
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ModelError

METASPACE = "▁"


@dataclass(frozen=True)
class TokenizedSentence:
    """One sentence as the encoder sees it.

    Attributes
    ----------
    prefix, suffix : list[int]
        Special-token ids the tokenizer puts before and after the content (any number).
    content : list[int]
        Subword ids of the words, in order, without special tokens.
    word_of_token : numpy.ndarray
        For each content token, the index of the word it belongs to, or ``-1`` for a token
        that must not be pooled into its word (a bare ``▁``, ``<unk>``).
    n_words : int
        Number of words, including any word that produced no subword.
    """

    prefix: list[int]
    suffix: list[int]
    content: list[int]
    word_of_token: np.ndarray
    n_words: int


class SubwordMapper:
    """Tokenizes pre-split sentences and records which subwords form which word.

    Parameters
    ----------
    tokenizer : FastTokenizer or transformers.PreTrainedTokenizerFast
        Anything with a ``tokenizers`` backend (``backend_tokenizer``); slow tokenizers have
        no word ids and are refused.

    Notes
    -----
    SentencePiece tokenizers (XLM-R, e5) emit a bare ``▁`` piece before words of scripts
    written without spaces (Japanese, Chinese). That piece carries no meaning of its own, yet
    it is the same for every such word; pooling it into each word pulls unrelated words
    together. It is left out of the pooling always, and so is the unknown piece (``<unk>``),
    which stands for any character outside the vocabulary: a word made only of such pieces (a
    NUL byte, a space of another script, whatever the normalizer removes) has nothing to encode
    and gets no vector, so it is never linked.
    """

    def __init__(self, tokenizer):
        if not getattr(tokenizer, "is_fast", False):
            raise ModelError("word alignment needs a fast tokenizer (tokenizer.json) for word ids")
        self.tokenizer = tokenizer
        # What transformers does before each call with truncation=False and no padding.
        self.backend = tokenizer.backend_tokenizer
        self.backend.no_truncation()
        self.backend.no_padding()
        self.bare_metaspace_id = self.backend.token_to_id(METASPACE)
        self.contentless = [i for i in (self.bare_metaspace_id, getattr(tokenizer, "unk_token_id", None))
                            if i is not None]

    def word_pieces(self, text: str) -> list[str]:
        """The tokenizer's pieces of ``text`` without the word-initial ``▁``: for a unigram
        vocabulary, a segmentation of Chinese or Japanese into word-like units."""
        return [piece.lstrip(METASPACE) for piece in self.backend.encode(text, add_special_tokens=False).tokens]

    def piece_spans(self, text: str) -> list[tuple[int, int]]:
        """``text`` cut where the tokenizer's pieces start, as ``[start, end)`` spans that cover it
        whole: word-like units for a run of a script without spaces that no segmenter splits."""
        cuts = sorted({start for start, _ in self.backend.encode(text, add_special_tokens=False).offsets
                       if 0 < start < len(text)})
        bounds = [0, *cuts, len(text)]
        return list(zip(bounds, bounds[1:])) if text else []

    def __call__(self, sentences: list[list[str]]) -> list[TokenizedSentence]:
        if not sentences:
            return []
        encoded = self.backend.encode_batch(sentences, is_pretokenized=True, add_special_tokens=True)
        return [self._split(encoding.ids, encoding.word_ids, len(words))
                for encoding, words in zip(encoded, sentences)]

    def linking(self, sentence: TokenizedSentence) -> np.ndarray:
        """For each content token of ``sentence``, whether it stands for its word when subwords are
        aligned (``--level subword``): the pooled tokens, less the punctuation pieces of a word
        that has other pieces (:func:`punctuation_piece`). Computed on demand, so that word-level
        alignment and training pay nothing for it."""
        owners = sentence.word_of_token
        punctuation = np.array([punctuation_piece(self.backend.id_to_token(i)) for i in sentence.content],
                               dtype=bool)
        lexical = np.zeros(sentence.n_words + 1, dtype=bool)  # the extra slot takes owner -1
        lexical[owners[~punctuation]] = True
        return (owners >= 0) & ~(punctuation & lexical[owners])

    def _split(self, ids: list[int], word_ids: list[int | None], n_words: int) -> TokenizedSentence:
        content_positions = [p for p, w in enumerate(word_ids) if w is not None]
        if content_positions:
            first, last = content_positions[0], content_positions[-1]
        else:
            first, last = len(ids), len(ids) - 1
        # Specials may be interleaved only at the edges; the middle must be all words.
        prefix, suffix = ids[:first], ids[last + 1 :]
        content = ids[first : last + 1]
        owners = np.array([-1 if w is None else w for w in word_ids[first : last + 1]], dtype=np.int64)
        if self.contentless and len(content):
            owners = np.where(np.isin(content, self.contentless), -1, owners)
        return TokenizedSentence(prefix, suffix, content, owners, n_words)


@functools.cache
def punctuation_piece(piece: str) -> bool:
    """Whether a tokenizer piece is punctuation or symbols only (``.``, ``'``, ``▁(``), the
    word-initial ``▁`` aside.

    Such a piece inside a word with letters (the ``.`` of ``Mr.``, the ``'`` of ``l'``) says
    nothing of what the word means, yet at subword level it links the word to whatever it
    resembles: ``Mr.`` to the ``le`` of ``Monsieur le Président`` through its full stop. Only a
    word made of punctuation alone is aligned through such pieces.
    """
    text = piece.lstrip(METASPACE)
    return bool(text) and all(unicodedata.category(char)[0] in "PS" for char in text)


@dataclass(frozen=True)
class FastTokenizer:
    """A model directory's ``tokenizer.json``, loaded by the ``tokenizers`` library alone.

    What alignment needs of a tokenizer, without the 1 s that transformers' wrapper adds to
    loading a 250k-piece vocabulary: the backend and the facts of ``tokenizer_config.json``.

    Attributes
    ----------
    backend_tokenizer : tokenizers.Tokenizer
    pad_token_id, unk_token_id : int or None
    model_max_length : int
    """

    backend_tokenizer: object
    pad_token_id: int | None
    unk_token_id: int | None
    model_max_length: int
    is_fast: bool = True

    @classmethod
    def from_directory(cls, directory: Path) -> FastTokenizer:
        from tokenizers import Tokenizer

        backend = Tokenizer.from_file(str(directory / "tokenizer.json"))
        config_path = directory / "tokenizer_config.json"
        config = json.loads(config_path.read_text(encoding="utf-8")) if config_path.is_file() else {}
        pad, unk = (config.get(key) for key in ("pad_token", "unk_token"))
        pad, unk = (token.get("content") if isinstance(token, dict) else token for token in (pad, unk))
        return cls(backend, None if pad is None else backend.token_to_id(pad),
                   None if unk is None else backend.token_to_id(unk),
                   int(config.get("model_max_length") or 1 << 30))  # unset: the model's positions decide
