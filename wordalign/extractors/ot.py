"""Optimal-transport extraction: balanced, partial and unbalanced (Arase, Bao & Yokoi 2023).

Words are piles of mass; moving mass from source word ``i`` to target word ``j`` costs
``C[i, j]``. The transport plan ``P`` that moves it most cheaply says which words correspond,
and words that send or receive little mass are left unaligned (null alignment). Links are the
pairs whose normalized mass ``P[i, j] / min(a_i, b_j)`` — the share of the smaller word's mass
that goes through the link — exceeds ``threshold``; with ``links="mutual"`` the pair must also
carry the most mass of its row and of its column in the plan.
"""

from __future__ import annotations

import logging
import warnings

from typing import Annotated

import numpy as np

from ..errors import ConfigError
from .distortion import Distortion, diagonal_distance
from .registry import OneOf, Range

log = logging.getLogger(__name__)
MARGINALS = ("uniform", "norm")
LINK_RULES = ("share", "mutual")


# Parameters every OT extractor takes, with the values they allow.
Share = Annotated[float, Range(0, 1, open_high=True)]
Marginals = Annotated[str, OneOf(MARGINALS)]
Links = Annotated[str, OneOf(LINK_RULES)]


def transport_cost(similarity: np.ndarray, distortion: float = 0.0) -> np.ndarray:
    """``C = minmax(1 - S) + distortion * |i / n - j / m|``, scaled per pair to ``[0, 1]`` first.

    The distortion term (:func:`~wordalign.extractors.distortion.diagonal_distance`) favours
    links near the diagonal, as in Arase et al. (2023).
    """
    cost = 1.0 - similarity
    span = cost.max() - cost.min()
    # All pairs equally similar: all equally (and fully) costly. A zero matrix would tie with
    # the dummy points of the partial solver and let it move more mass than asked for.
    cost = (cost - cost.min()) / span if span > 1e-12 else np.ones_like(cost)
    if distortion:
        cost = cost + distortion * diagonal_distance(similarity.shape)
    return cost


def word_masses(shape: tuple[int, int], marginals: str, word_weights=None) -> tuple[np.ndarray, np.ndarray]:
    """Source and target masses, each summing to 1: uniform, or proportional to vector norms."""
    if marginals not in MARGINALS:
        raise ConfigError(f"marginals must be one of {', '.join(MARGINALS)}, not {marginals!r}")
    if marginals == "norm" and word_weights is not None:
        a, b = (np.asarray(w, dtype=np.float64) for w in word_weights)
        if a.shape == (shape[0],) and b.shape == (shape[1],) and a.min() > 0 and b.min() > 0:
            return a / a.sum(), b / b.sum()
    return np.full(shape[0], 1.0 / shape[0]), np.full(shape[1], 1.0 / shape[1])


def links_from_plan(plan: np.ndarray, a: np.ndarray, b: np.ndarray, threshold: float,
                    links: str = "share") -> np.ndarray:
    """Links where ``P[i, j] / min(a_i, b_j) > threshold``.

    ``links="mutual"`` keeps only those where ``P[i, j]`` is also the largest entry of row ``i``
    and of column ``j``: one partner per word (unless plan entries tie exactly), as mutual
    argmax on similarities (Jalili Sabet et al. 2020), but read off the plan, where every word
    has competed for the mass, and with the threshold to leave words unaligned.
    """
    if links not in LINK_RULES:
        raise ConfigError(f"links must be one of {', '.join(LINK_RULES)}, not {links!r}")
    share = plan / np.minimum(a[:, None], b[None, :])
    if links == "mutual" and plan.size:
        share = np.where((plan >= plan.max(axis=1, keepdims=True)) & (plan >= plan.max(axis=0, keepdims=True)),
                         share, 0.0)
    return share > threshold


def _pot():
    """The POT module, imported on first use: it imports torch, which listing extractors or
    scoring files never needs."""
    import ot

    return ot


def _solve_safely(solve, cost: np.ndarray, a: np.ndarray, b: np.ndarray, name: str) -> np.ndarray:
    """Run a solver; if it fails or returns a non-finite plan, warn and use exact balanced OT."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # POT warns on slow convergence; the check below decides
            plan = np.asarray(solve(), dtype=np.float64)
    except (ValueError, FloatingPointError, ZeroDivisionError) as exc:
        log.warning("%s solver failed (%s); falling back to exact balanced OT", name, exc)
        plan = None
    if plan is None or plan.shape != cost.shape or not np.isfinite(plan).all():
        if plan is not None:
            log.warning("%s solver returned a non-finite plan; falling back to exact balanced OT", name)
        plan = _pot().emd(a, b, cost)
    return plan


def balanced_plan(similarity: np.ndarray, *, reg: float, distortion: float = 0.0,
                  marginals: str = "uniform", word_weights=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Balanced plan and masses ``(P, a, b)``; see :func:`ot_balanced`."""
    ot = _pot()
    cost = transport_cost(similarity, distortion)
    a, b = word_masses(similarity.shape, marginals, word_weights)
    if reg > 0:
        # The kernel exp(-C / reg) underflows float64 only for reg below ~0.002 (costs <= 1.5);
        # below 0.01 the slower log-domain iterations are used. Stopping at a marginal error of
        # 1e-4 gave the same links as 1e-6 on De-En dev at 60 % of the time (POT's default: 1e-9).
        method = "sinkhorn_log" if reg < 0.01 else "sinkhorn"
        solve = lambda: ot.sinkhorn(a, b, cost, reg, method=method, stopThr=1e-4, numItermax=1000)  # noqa: E731
        return _solve_safely(solve, cost, a, b, "sinkhorn"), a, b
    return ot.emd(a, b, cost), a, b


def partial_plan(similarity: np.ndarray, *, mass: float, distortion: float = 0.0,
                 marginals: str = "uniform", word_weights=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Partial plan and masses ``(P, a, b)``; see :func:`ot_partial`."""
    if not 0 < mass <= 1:
        raise ConfigError(f"ot-partial mass must be in (0, 1], not {mass}")
    ot = _pot()
    cost = transport_cost(similarity, distortion)
    a, b = word_masses(similarity.shape, marginals, word_weights)
    # POT needs m strictly below the smaller total; mass 1 is balanced OT in all but name.
    solve = lambda: ot.partial.partial_wasserstein(a, b, cost, m=min(mass, 1.0 - 1e-9))  # noqa: E731
    return _solve_safely(solve, cost, a, b, "partial"), a, b


def unbalanced_plan(similarity: np.ndarray, *, reg: float, reg_m: float, distortion: float = 0.0,
                    marginals: str = "uniform", word_weights=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unbalanced plan and masses ``(P, a, b)``; see :func:`ot_unbalanced`."""
    ot = _pot()
    cost = transport_cost(similarity, distortion)
    a, b = word_masses(similarity.shape, marginals, word_weights)
    solve = lambda: ot.unbalanced.sinkhorn_unbalanced(a, b, cost, reg, reg_m, method="sinkhorn_stabilized")  # noqa: E731
    return _solve_safely(solve, cost, a, b, "unbalanced sinkhorn"), a, b


def ot_balanced(similarity: np.ndarray, *, reg: Annotated[float, Range(0)] = 0.05, threshold: Share = 0.4,
                distortion: Distortion = 0.1, marginals: Marginals = "uniform", links: Links = "share",
                word_weights=None) -> np.ndarray:
    """Balanced optimal transport: all mass moves, ``P 1 = a``, ``P^T 1 = b``.

    ``P = argmin_{P >= 0, P1 = a, P^T 1 = b} <P, C> - reg * H(P)``; ``reg = 0`` is the exact
    linear program (``ot.emd``), ``reg > 0`` entropic OT by Sinkhorn iterations
    (``ot.sinkhorn``), in the log domain for ``reg < 0.01`` where the kernel could underflow.

    Parameters
    ----------
    similarity : numpy.ndarray
        ``(n, m)`` word similarities ``S``.
    reg : float
        Entropic regularization; 0 for the exact plan.
    threshold : float
        Share of the smaller word's mass a link must carry.
    distortion : float
        Weight of the distance from the diagonal in the cost (:func:`transport_cost`).
    marginals : {"uniform", "norm"}
        Word masses: equal, or proportional to the word vectors' norms (:func:`word_masses`).
    links : {"share", "mutual"}
        How links are read off the plan (:func:`links_from_plan`).
    word_weights : tuple of numpy.ndarray, optional
        Source and target word-vector norms, filled in by the aligner.

    References
    ----------
    Arase, Bao & Yokoi (2023). Unbalanced Optimal Transport for Unbalanced Word Alignment. ACL.
    Cuturi (2013). Sinkhorn Distances. NeurIPS.
    """
    plan, a, b = balanced_plan(similarity, reg=reg, distortion=distortion, marginals=marginals,
                               word_weights=word_weights)
    return links_from_plan(plan, a, b, threshold, links)


def ot_partial(similarity: np.ndarray, *, mass: Annotated[float, Range(0, 1, open_low=True)] = 0.8,
               threshold: Share = 0.1, distortion: Distortion = 0.1, marginals: Marginals = "uniform",
               links: Links = "mutual", word_weights=None) -> np.ndarray:
    """Partial optimal transport: only a fraction ``mass`` of the mass moves.

    ``P = argmin_{P >= 0, P1 <= a, P^T 1 <= b, 1^T P 1 = m} <P, C>`` with ``m = mass`` (both
    totals are 1), solved exactly (``ot.partial.partial_wasserstein``). The cheapest ``m`` of
    the mass is moved, so words without a good counterpart keep theirs and stay unaligned.

    Parameters
    ----------
    similarity : numpy.ndarray
        ``(n, m)`` word similarities ``S``.
    mass : float
        ``m`` in ``(0, 1]``, the share of the mass that moves.
    threshold : float
        Share of the smaller word's mass a link must carry.
    distortion : float
        Weight of the distance from the diagonal in the cost (:func:`transport_cost`).
    marginals : {"uniform", "norm"}
        Word masses: equal, or proportional to the word vectors' norms (:func:`word_masses`).
    links : {"share", "mutual"}
        How links are read off the plan (:func:`links_from_plan`).
    word_weights : tuple of numpy.ndarray, optional
        Source and target word-vector norms, filled in by the aligner.

    References
    ----------
    Arase, Bao & Yokoi (2023), ACL; Chapel, Alaya & Gasso (2020). Partial Optimal Transport with
    Applications on Positive-Unlabeled Learning. NeurIPS.
    """
    plan, a, b = partial_plan(similarity, mass=mass, distortion=distortion, marginals=marginals,
                              word_weights=word_weights)
    return links_from_plan(plan, a, b, threshold, links)


def ot_unbalanced(similarity: np.ndarray, *, reg: Annotated[float, Range(0, open_low=True)] = 0.05,
                  reg_m: Annotated[float, Range(0, open_low=True)] = 0.3, threshold: Share = 0.2,
                  distortion: Distortion = 0.1, marginals: Marginals = "uniform", links: Links = "share",
                  word_weights=None) -> np.ndarray:
    """Unbalanced optimal transport: marginals are soft, penalized by KL divergence.

    ``P = argmin_{P >= 0} <P, C> - reg * H(P) + reg_m * (KL(P1 || a) + KL(P^T 1 || b))``, solved
    by stabilized Sinkhorn iterations (``ot.unbalanced.sinkhorn_unbalanced``). Small ``reg_m``
    lets words shed mass cheaply (more null alignments); large ``reg_m`` approaches balanced OT.

    Parameters
    ----------
    similarity : numpy.ndarray
        ``(n, m)`` word similarities ``S``.
    reg : float
        Entropic regularization.
    reg_m : float
        Weight of the KL penalty on the marginals.
    threshold : float
        Share of the smaller word's mass a link must carry.
    distortion : float
        Weight of the distance from the diagonal in the cost (:func:`transport_cost`).
    marginals : {"uniform", "norm"}
        Word masses: equal, or proportional to the word vectors' norms (:func:`word_masses`).
    links : {"share", "mutual"}
        How links are read off the plan (:func:`links_from_plan`).
    word_weights : tuple of numpy.ndarray, optional
        Source and target word-vector norms, filled in by the aligner.

    References
    ----------
    Arase, Bao & Yokoi (2023), ACL; Chizat, Peyré, Schmitzer & Vialard (2018). Scaling
    algorithms for unbalanced optimal transport problems. Mathematics of Computation.
    """
    plan, a, b = unbalanced_plan(similarity, reg=reg, reg_m=reg_m, distortion=distortion, marginals=marginals,
                                 word_weights=word_weights)
    return links_from_plan(plan, a, b, threshold, links)
