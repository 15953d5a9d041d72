"""Token projection: each target word takes the label of the source word it is most strongly linked to."""

from __future__ import annotations

from collections.abc import Sequence


def project_tokens(labels: Sequence[str], links: Sequence[tuple[int, int]], scores: Sequence[float] | None,
                   n_target: int, unaligned: str = "O") -> list[str]:
    """The label of every target word, from its linked source words (POS tags, word-level classes).

    ``label(j) = labels[argmax_{i : (i, j) ∈ A} score(i, j)]``: among the source words linked to
    target word ``j``, the one with the highest link score gives its label (ties: the first
    source word); a word without links gets ``unaligned``.

    Parameters
    ----------
    labels : sequence of str
        One label per source word.
    links : sequence of (int, int)
        ``(source, target)`` word links.
    scores : sequence of float, optional
        One score per link; all equal when None (the first linked source word wins).
    n_target : int
        Words in the target sentence.
    unaligned : str
        The label of target words without a link.
    """
    best: dict[int, tuple[float, int]] = {}
    for (i, j), score in zip(links, scores if scores is not None else [1.0] * len(links)):
        if j not in best or (score, -i) > (best[j][0], -best[j][1]):
            best[j] = (score, i)
    return [labels[best[j][1]] if j in best else unaligned for j in range(n_target)]
