"""Subword → word mapping with the real embedded tokenizer."""

from __future__ import annotations

import numpy as np
import pytest
from transformers import AutoTokenizer

from wordalign.encoding.tokenization import SubwordMapper, punctuation_piece


@pytest.fixture(scope="module")
def mapper(embedded_dir):
    return SubwordMapper(AutoTokenizer.from_pretrained(embedded_dir))


def test_every_word_owns_its_pieces_and_specials_are_separate(mapper):
    (sentence,) = mapper([["Das", "Haus", "unbeschreiblich"]])
    assert sentence.prefix == [0] and sentence.suffix == [2]  # <s> … </s>
    assert sentence.n_words == 3
    owners = sentence.word_of_token
    assert owners[0] == 0 and owners[-1] == 2 and (np.diff(owners) >= 0).all()
    assert len(sentence.content) == len(owners)


def test_bare_metaspace_is_left_out_of_pooling(mapper):
    tokens = mapper.tokenizer.convert_ids_to_tokens
    (sentence,) = mapper([["日本", "の", "首都"]])
    pieces = tokens(sentence.content)
    bare = [k for k, piece in enumerate(pieces) if piece == "▁"]
    assert bare, pieces  # the tokenizer does emit them for unspaced scripts
    assert all(sentence.word_of_token[k] == -1 for k in bare)
    assert set(sentence.word_of_token[sentence.word_of_token >= 0]) == {0, 1, 2}


def test_a_word_that_is_only_a_metaspace_or_unknown_has_nothing_to_pool(mapper):
    (sentence,) = mapper([["a", "\u3000", "\x00", "b"]])  # an ideographic space; a NUL byte (<unk>)
    assert sentence.n_words == 4
    assert 1 not in sentence.word_of_token.tolist() and 2 not in sentence.word_of_token.tolist()


def test_a_word_without_pieces_is_counted(mapper):
    (sentence,) = mapper([["a", "\x01", "b"]])
    assert sentence.n_words == 3
    assert 1 not in sentence.word_of_token.tolist()


def test_punctuation_pieces_of_a_word_with_letters_do_not_link_it(mapper):
    tokens = mapper.tokenizer.convert_ids_to_tokens
    (sentence,) = mapper([["Mr.", "Speaker", ",", "l'homme", "..."]])
    pieces, links = tokens(sentence.content), mapper.linking(sentence)
    linking = {(piece, int(owner)) for piece, owner, link in zip(pieces, sentence.word_of_token, links) if link}
    owners = sentence.word_of_token
    assert "." in pieces and (".", 0) not in linking  # the full stop of "Mr."
    assert {owner for _, owner in linking} == {0, 1, 2, 3, 4}  # every word still has a piece
    # A word of punctuation alone keeps its pieces; pooling into word vectors keeps them all.
    assert all(links[owners == 2]) and all(links[owners == 4])
    assert not links[owners < 0].any() and (owners >= 0).sum() > links.sum()


@pytest.mark.parametrize("piece, expected", [(".", True), ("▁(", True), ("'", True), ("▁»", True), ("€", True),
                                             ("▁", False), ("Mr", False), ("▁l", False), ("3.", False), ("", False)])
def test_punctuation_piece(piece, expected):
    assert punctuation_piece(piece) is expected


def test_slow_tokenizers_are_refused():
    class Slow:
        is_fast = False

    from wordalign.errors import ModelError

    with pytest.raises(ModelError, match="fast tokenizer"):
        SubwordMapper(Slow())
