"""Training objectives (differentiable, in torch): self-training and PSI on word vectors, span prediction."""

from __future__ import annotations

import math


def centered_cosine(src, tgt):
    """``S[i, j] = cos(x_i - m, y_j - m)`` with ``m`` the mean over both sentences' words.

    The torch twin of :func:`wordalign.align.scorers.similarity.cosine_similarity` with ``centering="pair"``,
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


def consistency_loss(similarity, *, temperature: float):
    """Agreement of the two alignment directions (Dou & Neubig 2021, "CO").

    With ``P_fwd = softmax_j(S / T)`` (each source word's distribution over target words) and
    ``P_rev = softmax_i(S / T)`` (each target word's over source words), the two directions
    should put their mass on the same cells::

        L = -tr(P_fwd^T P_rev) / min(n, m) = -sum_ij P_fwd[i, j] P_rev[i, j] / min(n, m)

    which is ``-1`` when both are the same one-to-one alignment and near ``0`` when they
    disagree. Unlike self-training it needs no targets.

    Parameters
    ----------
    similarity : torch.Tensor
        ``(n, m)`` word similarity of one pair (:func:`centered_cosine`).
    temperature : float
        ``T``, the ``softmax`` extractor's.

    Returns
    -------
    torch.Tensor
        Scalar loss of the pair.

    References
    ----------
    Dou & Neubig (2021). Word Alignment by Fine-tuning Embeddings on Parallel Corpora. EACL.
    """
    import torch

    scaled = similarity / temperature
    agreement = (torch.softmax(scaled, dim=1) * torch.softmax(scaled, dim=0)).sum()
    return -agreement / min(similarity.shape)


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


def span_loss(start_log_probs, end_log_probs, is_start, is_end):
    """Span-prediction loss, marginalised over the runs of a non-contiguous answer.

    ``L = -½ (log Σ_r p_s(start_r) + log Σ_r p_e(end_r))``, averaged over the batch, with
    ``p_s``, ``p_e`` the softmaxes over "no answer" and the context words
    (:func:`~wordalign.align.scorers.span.candidate_log_probs`) and ``r`` the answer's runs.

    Parameters
    ----------
    start_log_probs, end_log_probs : torch.Tensor
        ``(batch, 1 + words)`` log-probabilities of each candidate start and end.
    is_start, is_end : torch.Tensor
        ``(batch, 1 + words)`` bool: the answer's starts and ends (column 0 for no answer).

    Returns
    -------
    torch.Tensor
        Scalar mean loss.

    References
    ----------
    Nagata, Chousa & Nishino (2020). A Supervised Word Alignment Method based on
    Cross-Language Span Prediction using Multilingual BERT. EMNLP.
    """
    import torch

    start_ll = torch.logsumexp(start_log_probs.masked_fill(~is_start, float("-inf")), dim=1)
    end_ll = torch.logsumexp(end_log_probs.masked_fill(~is_end, float("-inf")), dim=1)
    return -(start_ll + end_ll).mean() / 2


def binary_alignment_loss(word_logits, is_aligned):
    """BinaryAlign's loss: binary cross-entropy of every context word's aligned-or-not.

    ``L = -mean_{q, j} [y_qj log σ(z_qj) + (1 - y_qj) log(1 - σ(z_qj))]`` over the queries
    ``q`` of the batch and their context words ``j`` (padding and words without tokens, whose
    logits are ``-inf``, left out), with ``y_qj`` = 1 where ``j`` is linked to the marked word.

    Parameters
    ----------
    word_logits : torch.Tensor
        ``(batch, words)`` from :func:`~wordalign.align.scorers.binary.word_logits`.
    is_aligned : torch.Tensor
        ``(batch, words)`` bool targets.

    Returns
    -------
    torch.Tensor
        Scalar mean loss.

    References
    ----------
    Latouche, Carbonneau & Swanson (2024). BinaryAlign: Word Alignment as Binary Sequence
    Labeling. ACL.
    """
    import torch

    counted = torch.isfinite(word_logits)
    return torch.nn.functional.binary_cross_entropy_with_logits(
        word_logits[counted], is_aligned[counted].to(word_logits.dtype))
