"""Subword → word mapping from a fast tokenizer's ``word_ids()`` on pre-tokenized input."""

from __future__ import annotations

from dataclasses import dataclass

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
        that must not be pooled into its word (a bare ``▁`` shared by the next word).
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
    tokenizer : transformers.PreTrainedTokenizerFast
        Any fast tokenizer; slow tokenizers have no ``word_ids()`` and are refused.

    Notes
    -----
    SentencePiece tokenizers (XLM-R, e5) emit a bare ``▁`` piece before words of scripts
    written without spaces (Japanese, Chinese). That piece carries no meaning of its own, yet
    it is the same for every such word; pooling it into each word pulls unrelated words
    together. It is left out of the pooling whenever the word has other pieces.
    """

    def __init__(self, tokenizer):
        if not getattr(tokenizer, "is_fast", False):
            raise ModelError("word alignment needs a fast tokenizer (tokenizer.json) for word ids")
        self.tokenizer = tokenizer
        bare = tokenizer.convert_tokens_to_ids(METASPACE)
        self.bare_metaspace_id = None if bare in (None, tokenizer.unk_token_id) else bare

    def word_pieces(self, text: str) -> list[str]:
        """The tokenizer's pieces of ``text`` without the word-initial ``▁``: for a unigram
        vocabulary, a segmentation of Chinese or Japanese into word-like units."""
        return [piece.lstrip(METASPACE) for piece in self.tokenizer.tokenize(text)]

    def __call__(self, sentences: list[list[str]]) -> list[TokenizedSentence]:
        if not sentences:
            return []
        encoded = self.tokenizer(
            sentences, is_split_into_words=True, add_special_tokens=True, truncation=False,
            return_attention_mask=False, return_token_type_ids=False, verbose=False,
        )
        return [self._split(encoded["input_ids"][k], encoded.word_ids(k), len(words))
                for k, words in enumerate(sentences)]

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
        if self.bare_metaspace_id is not None and len(content):
            is_bare = np.asarray(content) == self.bare_metaspace_id
            if is_bare.any():
                pieces_per_word = np.bincount(owners[owners >= 0], minlength=n_words)
                bare_per_word = np.bincount(owners[is_bare & (owners >= 0)], minlength=n_words)
                has_other = pieces_per_word > bare_per_word
                drop = is_bare & (owners >= 0) & has_other[np.maximum(owners, 0)]
                owners = np.where(drop, -1, owners)
        return TokenizedSentence(prefix, suffix, content, owners, n_words)
