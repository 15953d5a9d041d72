"""Fine-tuning objectives on word vectors of parallel sentences (differentiable, in torch)."""

from __future__ import annotations

import math


def pool_words(token_states, word_of_token, n_words: int):
    """Mean of each word's subword vectors (Jalili Sabet et al. 2020), differentiable.

    ``v_w = (1 / |T_w|) * sum_{t in T_w} h_t`` over the tokens ``T_w`` of word ``w``; used both
    for alignment (:class:`~wordalign.encoder.WordEncoder`) and for fine-tuning.

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
    """
    import torch

    keep = word_of_token >= 0
    owners = word_of_token[keep]
    sums = torch.zeros(n_words, token_states.shape[1], dtype=token_states.dtype, device=token_states.device)
    sums = sums.index_add(0, owners, token_states[keep])
    counts = torch.bincount(owners, minlength=n_words).clamp(min=1).to(token_states.dtype)
    return sums / counts[:, None]


def centered_cosine(src, tgt):
    """``S[i, j] = cos(x_i - m, y_j - m)`` with ``m`` the mean over both sentences' words.

    The torch twin of :func:`wordalign.similarity.cosine_similarity` with ``centering="pair"``,
    so that training sharpens exactly the matrix that alignment reads.
    """
    import torch

    mean = torch.cat([src, tgt]).mean(dim=0)
    src = torch.nn.functional.normalize(src - mean, dim=1)
    tgt = torch.nn.functional.normalize(tgt - mean, dim=1)
    return src @ tgt.T


def self_training_loss(similarity, links, *, temperature: float):
    """Self-training alignment objective (Dou & Neubig 2021, "SO").

    With ``P_fwd = softmax_j(S / T)`` and ``P_rev = softmax_i(S / T)``, the model's own links
    ``A`` (the caller's guide extractor reads them off the same pair's ``S`` in a pass without
    dropout or gradient) become the targets. Each linked word must put its probability on its
    partners ``A(i)``::

        L = -1 / (2 |A|) * (sum_i log sum_{j in A(i)} P_fwd[i, j]
                            + sum_j log sum_{i in A(j)} P_rev[i, j])

    over the words with at least one link. Where every link is one-to-one this is the mean
    log-likelihood of the links. A word with several partners is asked for their joint mass
    only: the per-link likelihood would pull it toward an even split among them, which
    flattened the matrix when the targets came from ``ot-unbalanced`` (many such links).
    awesome-align takes ``A`` from the softmax extractor and sums probabilities normalised by
    sentence length; a log-likelihood weighs every word alike and keeps a gradient where the
    partners already have most of the mass only up to the remaining share.

    Parameters
    ----------
    similarity : torch.Tensor
        ``(n, m)`` word similarity of one pair (:func:`centered_cosine`).
    links : torch.Tensor
        ``(n, m)`` boolean target links ``A``.
    temperature : float
        ``T``, the ``softmax`` extractor's.

    Returns
    -------
    tuple
        ``(loss summed over links, number of links)``; the caller divides by the batch's
        total number of links.

    References
    ----------
    Dou & Neubig (2021). Word Alignment by Fine-tuning Embeddings on Parallel Corpora. EACL.
    """
    import torch

    scaled = similarity / temperature
    log_fwd = torch.log_softmax(scaled, dim=1).masked_fill(~links, -math.inf)
    log_rev = torch.log_softmax(scaled, dim=0).masked_fill(~links, -math.inf)
    src_linked, tgt_linked = links.any(dim=1), links.any(dim=0)
    log_likelihood = (torch.logsumexp(log_fwd[src_linked], dim=1).sum()
                      + torch.logsumexp(log_rev[:, tgt_linked], dim=0).sum())
    return -0.5 * log_likelihood, int(links.sum())


def parallel_identification_loss(src_sentences, tgt_sentences, *, temperature: float):
    """Parallel sentence identification as in-batch contrast (Dou & Neubig 2021, "PSI").

    Each source sentence vector (mean of its word vectors) must pick its own translation
    among the batch's target sentences and vice versa::

        L = CE(softmax_j(cos(s_i, t_j) / T), i) / 2 + CE(softmax_i(cos(s_i, t_j) / T), j) / 2

    Parameters
    ----------
    src_sentences, tgt_sentences : torch.Tensor
        ``(batch, hidden)`` sentence vectors, row ``k`` of each from pair ``k``.
    temperature : float

    Returns
    -------
    torch.Tensor
        Scalar mean loss over the batch.
    """
    import torch

    src = torch.nn.functional.normalize(src_sentences, dim=1)
    tgt = torch.nn.functional.normalize(tgt_sentences, dim=1)
    logits = src @ tgt.T / temperature
    labels = torch.arange(len(logits), device=logits.device)
    return 0.5 * (torch.nn.functional.cross_entropy(logits, labels)
                  + torch.nn.functional.cross_entropy(logits.T, labels))
