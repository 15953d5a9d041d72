"""BinaryAlign: a word marked in one sentence, a yes/no for every word of the other.

The queries are span prediction's (:mod:`.span`): ``[CLS] query with • marked • word [SEP]
context [SEP]``. Instead of one start and one end over the context, a binary head gives each
context word its own logit, read at the word's first token: several partners, contiguous or
not, are each just "aligned", and a word with none is all "no". Both directions are averaged,
blended with the similarity prior and read by the ``threshold`` extractor as for span models.
"""

from __future__ import annotations

from .span import SpanScorer, model_inputs


def binary_logits(model, ids, type_ids, mask, device: str):
    """The binary head's logit for every token, ``(batch, tokens)``."""
    return model(**model_inputs(ids, type_ids, mask, device)).logits[..., 0]


def word_logits(token_logits, first, valid):
    """Each context word's logit: its first token's, ``(batch, words)``; padding and words
    without tokens are ``-inf`` (probability 0).

    Parameters
    ----------
    token_logits : torch.Tensor
        ``(batch, tokens)`` from :func:`binary_logits`.
    first, valid : torch.Tensor
        ``(batch, 1 + words)`` first-token positions and validity from
        :func:`~wordalign.align.scorers.span.collate`; column 0 (span prediction's "no
        answer") is not a word and is dropped.
    """
    import torch

    gathered = torch.gather(token_logits.float(), 1, first[:, 1:].to(token_logits.device))
    return gathered.masked_fill(~valid[:, 1:].to(token_logits.device), float("-inf"))


class BinaryScorer(SpanScorer):
    """Scores sentence pairs with a BinaryAlign checkpoint (``wordalign train-span --head binary``).

    ``P(j | i) = σ(z_j)``, with ``z_j`` the head's logit at the first token of context word
    ``j`` when word ``i`` is marked; the pair's matrix is ``(P(j | i) + P(i | j)) / 2``
    (:meth:`~wordalign.align.scorers.span.SpanScorer.head_probabilities`). Takes the
    parameters of :class:`~wordalign.align.scorers.span.SpanScorer`.

    References
    ----------
    Latouche, Carbonneau & Swanson (2024). BinaryAlign: Word Alignment as Binary Sequence
    Labeling. ACL.
    """

    name = "binary"
    head = "binary"

    def query_probabilities(self, ids, type_ids, mask, first, last, valid):
        """``(batch, words)``: ``σ`` of each context word's logit (:func:`word_logits`)."""
        return word_logits(binary_logits(self.model, ids, type_ids, mask, self.device), first, valid).sigmoid()
