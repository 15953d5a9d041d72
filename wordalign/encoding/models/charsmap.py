"""A per-code-point normalization map as SentencePiece's ``precompiled_charsmap``.

The ``tokenizers`` library applies such a charsmap in one pass (``normalizers.Precompiled``),
which is how SentencePiece tokenizers such as XLM-R normalize. The blob is
``[u32 trie size in bytes][trie units: u32 each][replacement strings, NUL-terminated]``; the
trie is a darts-clone double array over the UTF-8 bytes of the keys, whose leaf values are
offsets into the replacement strings.
"""

from __future__ import annotations

import struct

# darts-clone unit layout: bits 0-7 label, bit 8 has-leaf, bit 9 offset scale, bits 10-30
# offset; a value unit has bit 31 set, so it never matches a label byte.
_HAS_LEAF = 1 << 8
_VALUE_FLAG = 1 << 31
_MAX_OFFSET = 1 << 21


def precompiled_charsmap(mapping: dict[str, str]) -> bytes:
    """Encode ``mapping`` (key → replacement, keys non-empty) as a ``precompiled_charsmap``.

    Parameters
    ----------
    mapping : dict[str, str]
        Replacements; an empty replacement deletes the key. NUL ends a stored string, so it
        may appear in neither; lone surrogates cannot be stored either.

    Returns
    -------
    bytes
        The blob for ``tokenizers.normalizers.Precompiled``.

    Notes
    -----
    Lookup walks from the root at position 0: at a node stored at ``p`` whose unit has offset
    ``o``, the child for byte ``c`` sits at ``p ^ o ^ c`` and must carry label ``c``; a key that
    ends at the node has its value unit at ``p ^ o`` (label 0). Every node gets its own base
    ``p ^ o``, so a label match at a position can only come from that node's child; unused
    units read as label 0, which no key byte has (readers stop at a NUL byte)
    (Aoe 1989, "An efficient digital search algorithm by using a double-array structure";
    layout of Yata's darts-clone, which SentencePiece uses).

    Applied by ``tokenizers`` to a grapheme cluster shorter than 6 bytes as a whole: when its
    first code point is a key, the whole cluster becomes that key's replacement (the shortest
    matching key wins), as in every SentencePiece tokenizer.
    """
    if any(not key or "\0" in key + replacement for key, replacement in mapping.items()):
        raise ValueError("charsmap keys must be non-empty, and no key or replacement may hold NUL")
    blob, value_of = bytearray(), {}
    for key, replacement in mapping.items():
        try:
            value_of[key.encode("utf-8")] = len(blob)
            blob += replacement.encode("utf-8") + b"\0"
        except UnicodeEncodeError:
            raise ValueError(f"charsmap entry {key!r} -> {replacement!r} is not valid UTF-8 text") from None
    units = _double_array(value_of)
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def _double_array(value_of: dict[bytes, int]) -> list[int]:
    """darts-clone units for byte-string keys with integer values."""
    children: list[dict[int, int]] = [{}]  # node -> {label: child node}
    leaf_value: dict[int, int] = {}
    for key, value in value_of.items():
        node = 0
        for byte in key:
            if byte not in children[node]:
                children.append({})
                children[node][byte] = len(children) - 1
            node = children[node][byte]
        leaf_value[node] = value
    units = [0]
    used, bases = {0}, set()
    position = {0: 0}
    next_free = 1
    queue = [0]
    for node in queue:  # breadth first: parents are placed before their children
        labels = sorted(children[node]) + ([0] if node in leaf_value else [])
        if not labels:
            continue
        while next_free in used:
            next_free += 1
        candidate = next_free  # try free positions for the first label, lowest first
        while True:
            base = candidate ^ labels[0]
            if base not in bases and not any(base ^ label in used for label in labels):
                break
            candidate += 1
        bases.add(base)
        offset = position[node] ^ base
        if offset >= _MAX_OFFSET:
            raise ValueError("charsmap too large for the simple offset encoding")
        top = max(base ^ label for label in labels)
        units.extend([0] * (top + 1 - len(units)))
        units[position[node]] |= offset << 10
        if node in leaf_value:
            units[position[node]] |= _HAS_LEAF
            units[base] = _VALUE_FLAG | leaf_value[node]
            used.add(base)
        for label, child in children[node].items():
            position[child] = base ^ label
            units[base ^ label] = label
            used.add(base ^ label)
            queue.append(child)
    # The reader looks up ``position ^ byte`` before comparing labels and fails (panics) on
    # an index past the end: every byte from every node must land inside the array. A node's
    # children share its 256-unit block, so whole blocks are stored.
    return units + [0] * (-len(units) % 256)
