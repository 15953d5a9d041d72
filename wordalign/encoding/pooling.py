"""Subword states → word vectors, long sentences → windows, id sequences → padded batches."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np


def pool_words(token_states, word_of_token, n_words: int):
    """Mean of each word's subword vectors (Jalili Sabet et al. 2020), differentiable.

    ``v_w = (1 / |T_w|) * sum_{t in T_w} h_t`` over the tokens ``T_w`` of word ``w``; used both
    for alignment (:class:`~wordalign.encoding.encoder.WordEncoder`) and for fine-tuning.

    Parameters
    ----------
    token_states : torch.Tensor
        ``(n_tokens, hidden)`` content-token states of one sentence.
    word_of_token : torch.Tensor
        ``(n_tokens,)`` word index per token, ``-1`` for a token not pooled.
    n_words : int

    Returns
    -------
    torch.Tensor
        ``(n_words, hidden)``; a word without subwords is a zero vector.

    References
    ----------
    Jalili Sabet, Dufter, Yvon & Schütze (2020). SimAlign: High Quality Word Alignments
    without Parallel Training Data using Static and Contextualized Embeddings. Findings of EMNLP.
    """
    import torch

    keep = word_of_token >= 0
    owners = word_of_token[keep]
    sums = torch.zeros(n_words, token_states.shape[1], dtype=token_states.dtype, device=token_states.device)
    sums = sums.index_add(0, owners, token_states[keep])
    counts = torch.bincount(owners, minlength=n_words).clamp(min=1).to(token_states.dtype)
    return sums / counts[:, None]


def plan_windows(n_tokens: int, width: int) -> tuple[list[int], np.ndarray]:
    """Cover ``n_tokens`` content tokens with overlapping windows of ``width`` tokens.

    Windows start every ``width // 2`` tokens, the last one flush with the end. Each token
    takes its vector from the window in which it is farthest from an edge, so every token
    sees at least a quarter window of context on each side where the sentence allows.

    Parameters
    ----------
    n_tokens : int
        Content tokens of the sentence.
    width : int
        Content tokens one window holds.

    Returns
    -------
    starts : list[int]
        First token of each window.
    window_of_token : numpy.ndarray
        ``(n_tokens,)`` index into ``starts``.
    """
    if n_tokens <= width:
        return [0], np.zeros(n_tokens, dtype=np.int64)
    stride = max(1, width // 2)
    starts = list(range(0, n_tokens - width, stride)) + [n_tokens - width]
    positions = np.arange(n_tokens)[:, None]
    begin = np.asarray(starts)[None, :]
    margin = np.minimum(positions - begin, begin + width - 1 - positions)
    return starts, margin.argmax(axis=1)


def length_sorted_batches(lengths: Sequence[int], size: int) -> Iterator[list[int]]:
    """Indices sorted by length (stably), in batches of at most ``size``: sequences of similar
    length share a batch, so padding is small.

    Parameters
    ----------
    lengths : sequence of int
        The length of each sequence.
    size : int
        Sequences per batch.
    """
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    for begin in range(0, len(order), size):
        yield order[begin : begin + size]


def pad_sequences(sequences: Sequence[Sequence[int]], pad_id: int):
    """Id sequences as a right-padded ``(batch, longest)`` tensor and its attention mask.

    Parameters
    ----------
    sequences : sequence of sequence of int
    pad_id : int
        The tokenizer's padding id.

    Returns
    -------
    ids, mask : torch.Tensor
        ``long`` tensors on the CPU; ``mask`` is 1 on real tokens.
    """
    import torch

    longest = max(len(sequence) for sequence in sequences)
    ids = torch.full((len(sequences), longest), pad_id, dtype=torch.long)
    mask = torch.zeros((len(sequences), longest), dtype=torch.long)
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = torch.as_tensor(sequence)
        mask[row, : len(sequence)] = 1
    return ids, mask
