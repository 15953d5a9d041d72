"""Optimal-transport extractors: plan marginals, numerical safety, threshold monotonicity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from wordalign.errors import ConfigError
from wordalign.extractors import bind, get_extractor
from wordalign.extractors.ot import balanced_plan, partial_plan, transport_cost, unbalanced_plan

OT = ("ot-balanced", "ot-partial", "ot-unbalanced")
similarity = st.tuples(st.integers(1, 15), st.integers(1, 15)).flatmap(
    lambda s: arrays(np.float64, s, elements=st.floats(-1, 1, width=32)))


@settings(max_examples=60, deadline=None)
@given(similarity, st.sampled_from([0.0, 0.05]))
def test_balanced_plan_has_the_promised_marginals(sim, reg):
    plan, a, b = balanced_plan(sim, reg=reg)
    tolerance = 1e-6 if reg == 0 else 1e-3  # Sinkhorn meets them up to its stopping threshold
    assert (plan >= -1e-12).all()
    np.testing.assert_allclose(plan.sum(axis=1), a, atol=tolerance)
    np.testing.assert_allclose(plan.sum(axis=0), b, atol=tolerance)


@settings(max_examples=60, deadline=None)
@given(similarity, st.floats(0.1, 1.0))
def test_partial_plan_moves_exactly_the_requested_mass_within_the_marginals(sim, mass):
    plan, a, b = partial_plan(sim, mass=mass)
    assert plan.sum() == pytest.approx(min(mass, 1.0), abs=1e-6)
    assert (plan.sum(axis=1) <= a + 1e-9).all() and (plan.sum(axis=0) <= b + 1e-9).all()


@settings(max_examples=40, deadline=None)
@given(similarity)
def test_unbalanced_plan_is_finite_and_nonnegative(sim):
    plan, _, _ = unbalanced_plan(sim, reg=0.05, reg_m=0.3)
    assert np.isfinite(plan).all() and (plan >= 0).all()


@settings(max_examples=40, deadline=None)
@given(similarity, st.floats(0.01, 0.99), st.floats(0.01, 0.99), st.sampled_from(OT),
       st.sampled_from(["share", "mutual"]))
def test_fewer_links_as_the_threshold_grows(sim, low, high, name, links):
    low, high = sorted((low, high))
    loose = bind(name, {"threshold": low, "links": links})(sim)
    strict = bind(name, {"threshold": high, "links": links})(sim)
    assert not (strict & ~loose).any()


@settings(max_examples=40, deadline=None)
@given(similarity, st.sampled_from(OT))
def test_mutual_links_are_a_subset_with_the_largest_mass_of_their_row_and_column(sim, name):
    solve = {"ot-balanced": balanced_plan, "ot-partial": partial_plan, "ot-unbalanced": unbalanced_plan}[name]
    defaults = get_extractor(name).defaults
    plan, _, _ = solve(sim, **{k: v for k, v in defaults.items() if k not in ("threshold", "links")})
    mutual = bind(name, {"threshold": 0.1, "links": "mutual"})(sim)
    assert not (mutual & ~bind(name, {"threshold": 0.1})(sim)).any()
    rows, cols = np.nonzero(mutual)
    assert (plan[rows, cols] >= plan[rows].max(axis=1)).all() and (plan[rows, cols] >= plan[:, cols].max(axis=0)).all()


@pytest.mark.parametrize("name", OT)
@pytest.mark.parametrize("sim", [
    np.ones((1, 1)), np.full((1, 7), 0.3), np.full((6, 1), -1.0), np.full((5, 5), 0.42),
    np.eye(40), np.random.default_rng(0).uniform(-1, 1, (150, 170)),
], ids=["1x1", "1xN", "Nx1", "all-equal", "identical", "long"])
def test_degenerate_inputs_give_valid_links(name, sim):
    links = bind(name)(sim)
    assert links.shape == sim.shape and links.dtype == bool


@pytest.mark.parametrize("name", OT)
def test_identical_sentences_align_on_the_diagonal(name):
    sim = np.full((6, 6), 0.2) + 0.7 * np.eye(6)
    params = {"mass": 1.0} if name == "ot-partial" else {}  # a smaller mass leaves words out by design
    assert np.array_equal(bind(name, params)(sim), np.eye(6, dtype=bool))


def test_a_failing_solver_falls_back_to_exact_ot_with_a_warning(caplog, monkeypatch):
    import ot

    sim = np.random.default_rng(1).uniform(-1, 1, (8, 9))
    monkeypatch.setattr(ot, "sinkhorn", lambda *args, **kwargs: np.full(sim.shape, np.nan))
    links = bind("ot-balanced", {"reg": 0.1})(sim)
    assert "non-finite plan" in caplog.text
    assert np.array_equal(links, bind("ot-balanced")(sim))


def test_distortion_prefers_the_diagonal():
    cost = transport_cost(np.zeros((3, 3)), distortion=1.0)
    assert (np.diag(cost) < cost[0, 2]).all()


def test_norm_marginals_follow_word_weights():
    sim = np.zeros((2, 2))
    plan, a, b = balanced_plan(sim, reg=0.0, marginals="norm", word_weights=(np.array([1.0, 3.0]), np.array([1.0, 1.0])))
    np.testing.assert_allclose(a, [0.25, 0.75])
    with pytest.raises(ConfigError, match="marginals='zipf' is not allowed: it must be one of uniform, norm"):
        bind("ot-balanced", {"marginals": "zipf"})
    with pytest.raises(ConfigError, match=r"mass=1.5 is not allowed: it must be in \(0, 1\]"):
        bind("ot-partial", {"mass": 1.5})
    with pytest.raises(ConfigError, match="links='all' is not allowed: it must be one of share, mutual"):
        bind("ot-unbalanced", {"links": "all"})
    with pytest.raises(ConfigError, match="marginals must be one of"):  # the functions check when called directly
        balanced_plan(sim, reg=0.0, marginals="zipf")
