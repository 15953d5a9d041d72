"""Extractors on random similarity matrices: invariants, not snapshots."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from wordalign.errors import ConfigError
from wordalign.extractors import available, bind, get_extractor, register
from wordalign.extractors.distortion import diagonal_distance

shapes = st.tuples(st.integers(1, 12), st.integers(1, 12))
similarity = shapes.flatmap(lambda s: arrays(np.float64, s, elements=st.floats(-1, 1, width=32)))


@settings(max_examples=60, deadline=None)
@given(similarity)
def test_every_extractor_returns_a_boolean_matrix_of_the_same_shape(sim):
    for name in available():
        links = bind(name)(sim)
        assert links.dtype == bool and links.shape == sim.shape


@settings(max_examples=60, deadline=None)
@given(similarity)
def test_argmax_directions_nest(sim):
    forward, reverse = bind("argmax", {"direction": "forward"})(sim), bind("argmax", {"direction": "reverse"})(sim)
    inter, union = bind("argmax")(sim), bind("argmax", {"direction": "union"})(sim)
    assert (forward.sum(axis=1) == 1).all() and (reverse.sum(axis=0) == 1).all()
    assert np.array_equal(inter, forward & reverse) and np.array_equal(union, forward | reverse)


@settings(max_examples=60, deadline=None)
@given(similarity)
def test_softmax_directions_nest(sim):
    forward, reverse = bind("softmax", {"direction": "forward"})(sim), bind("softmax", {"direction": "reverse"})(sim)
    inter, union = bind("softmax")(sim), bind("softmax", {"direction": "union"})(sim)
    assert np.array_equal(inter, forward & reverse) and np.array_equal(union, forward | reverse)
    assert (forward.sum(axis=1) <= 3).all() and (reverse.sum(axis=0) <= 3).all()  # at most 3 shares > 0.25


@settings(max_examples=60, deadline=None)
@given(similarity)
def test_itermax_extends_the_argmax_intersection(sim):
    inter, iterated = bind("argmax")(sim), bind("itermax")(sim)
    assert not (inter & ~iterated).any()
    # Added links always touch a word that the intersection left unaligned.
    for i, j in zip(*np.nonzero(iterated & ~inter)):
        assert not inter[i].any() or not inter[:, j].any()


@settings(max_examples=60, deadline=None)
@given(similarity)
def test_match_is_one_to_one_and_covers_the_shorter_side(sim):
    links = bind("match", {"min_similarity": -1.0})(sim)
    assert (links.sum(axis=0) <= 1).all() and (links.sum(axis=1) <= 1).all()
    assert links.sum() == min(sim.shape)


@settings(max_examples=60, deadline=None)
@given(similarity, st.floats(0.01, 0.5), st.floats(0.01, 0.5))
def test_softmax_links_shrink_as_the_threshold_grows(sim, low, high):
    low, high = sorted((low, high))
    loose = bind("softmax", {"threshold": low})(sim)
    strict = bind("softmax", {"threshold": high})(sim)
    assert not (strict & ~loose).any()


def test_softmax_distortion_breaks_ties_towards_the_diagonal():
    # Two "de" for two "of": equal similarities, and only position tells them apart.
    sim = np.array([[0.9, 0.0, 0.9], [0.0, 0.9, 0.0], [0.9, 0.0, 0.9]])
    tied = bind("softmax", {"threshold": 0.5, "distortion": 0.0})(sim)
    assert np.array_equal(tied, np.diag([False, True, False]))  # half shares each: neither "of" passes
    assert np.array_equal(bind("softmax", {"threshold": 0.5, "distortion": 0.2})(sim), np.eye(3, dtype=bool))


def test_diagonal_distance_is_zero_on_the_diagonal_and_grows_away_from_it():
    square, wide = diagonal_distance((3, 3)), diagonal_distance((2, 4))
    assert np.allclose(np.diag(square), 0) and square[0, 2] > square[0, 1] > 0
    assert np.allclose(square, square.T) and wide.shape == (2, 4) and wide.max() < 1


def test_obvious_diagonal_is_found_by_every_extractor():
    sim = np.full((4, 4), 0.1) + 0.8 * np.eye(4)
    for name in available():
        params = {"mass": 1.0} if name == "ot-partial" else {}  # a smaller mass leaves words out by design
        assert np.array_equal(bind(name, params)(sim), np.eye(4, dtype=bool)), name


def test_empty_matrix_gives_no_links():
    for name in available():
        assert bind(name)(np.zeros((0, 3))).shape == (0, 3)


def test_unknown_extractor_lists_the_available_ones():
    with pytest.raises(ConfigError, match=r"Unknown extractor 'maxx'\. Available: argmax, itermax"):
        get_extractor("maxx")


def test_unknown_or_mistyped_parameters_are_config_errors():
    with pytest.raises(ConfigError, match="has no parameter colour"):
        bind("argmax", {"colour": "red"})
    with pytest.raises(ConfigError, match="is not a float"):
        bind("softmax", {"threshold": "high"})
    with pytest.raises(ConfigError, match="direction='sideways' is not allowed: it must be one of intersection"):
        bind("argmax", {"direction": "sideways"})  # when bound: before any model loads
    with pytest.raises(ConfigError, match="softmax direction must be one of"):
        get_extractor("softmax").function(np.eye(2), direction="both")  # called directly, it checks too


@pytest.mark.parametrize("name, params, allowed", [
    ("softmax", {"threshold": "nan"}, r"in \[0, 1\)"),
    ("softmax", {"threshold": "inf"}, r"in \[0, 1\)"),
    ("softmax", {"threshold": "-0.5"}, r"in \[0, 1\)"),
    ("softmax", {"temperature": "0"}, r"in \(0, inf\)"),
    ("softmax", {"distortion": "-0.1"}, r"in \[0, inf\)"),
    ("threshold", {"threshold": "0"}, r"in \(0, 1\]"),
    ("itermax", {"iterations": "0"}, r"in \[1, inf\)"),
    ("ot-unbalanced", {"reg_m": "-1"}, r"in \(0, inf\)"),
    ("ot-partial", {"links": "every"}, "one of share, mutual"),
    ("match", {"min_similarity": float("nan")}, r"in \[-1, 1\]"),
])
def test_parameters_out_of_range_are_refused_when_bound(name, params, allowed):
    with pytest.raises(ConfigError, match=f"is not allowed: it must be {allowed}"):
        bind(name, params)


def test_every_default_is_within_its_declared_range():
    for name in available():
        info = get_extractor(name)
        assert all(limit.allows(info.defaults[key]) for key, limit in info.limits.items()), name
    assert set(get_extractor("softmax").limits) == {"temperature", "threshold", "direction", "distortion"}


def test_string_parameters_are_converted_to_the_default_type():
    links = bind("softmax", {"threshold": "0.9", "temperature": "1"})(np.eye(3))
    assert not links.any()  # at T=1 no probability over 3 words reaches 0.9


def test_registration_requires_keyword_only_defaults():
    with pytest.raises(ValueError, match="keyword-only"):
        register("broken")(lambda similarity, threshold: similarity > threshold)
    with pytest.raises(ValueError, match="registered twice"):
        register("argmax")(lambda similarity: similarity > 0)
