"""Name → extractor table; the CLI's choices and ``wordalign extractors`` come from it."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError

Extractor = Callable[..., np.ndarray]
# Filled in by the aligner, not by users: ``(source, target)`` word-vector norms.
WORD_WEIGHTS = "word_weights"


@dataclass(frozen=True)
class ExtractorInfo:
    name: str
    function: Extractor
    summary: str
    defaults: dict
    takes_word_weights: bool = False


_REGISTRY: dict[str, ExtractorInfo] = {}


def register(name: str) -> Callable[[Extractor], Extractor]:
    """Register ``function(similarity, **params) -> bool matrix`` under ``name``.

    Every parameter after the similarity matrix must be keyword-only with a default; the
    defaults are what ``wordalign extractors`` lists. An extractor that declares
    ``word_weights`` also receives the norms of the word vectors from the aligner.
    """

    def add(function: Extractor) -> Extractor:
        if name in _REGISTRY:
            raise ValueError(f"extractor {name!r} is registered twice")
        params = list(inspect.signature(function).parameters.values())[1:]
        if any(p.kind is not p.KEYWORD_ONLY or p.default is p.empty for p in params):
            raise ValueError(f"extractor {name!r}: parameters must be keyword-only with defaults")
        defaults = {p.name: p.default for p in params if p.name != WORD_WEIGHTS}
        summary = (inspect.getdoc(function) or "").split("\n")[0].replace("``", "")
        takes_weights = any(p.name == WORD_WEIGHTS for p in params)
        _REGISTRY[name] = ExtractorInfo(name, function, summary, defaults, takes_weights)
        return function

    return add


def available() -> list[str]:
    """Names of the registered extractors, sorted."""
    return sorted(_REGISTRY)


def get_extractor(name: str) -> ExtractorInfo:
    """Look an extractor up by name, with a message that lists the alternatives."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ConfigError(f"Unknown extractor {name!r}. Available: {', '.join(available())}") from None


def resolve_params(name: str, params: dict | None = None) -> dict:
    """Every parameter of extractor ``name``: its defaults, updated with ``params`` checked and converted."""
    info = get_extractor(name)
    params = dict(params or {})
    unknown = set(params) - set(info.defaults)
    if unknown:
        known = ", ".join(info.defaults) or "none"
        raise ConfigError(f"extractor {name!r} has no parameter {', '.join(sorted(unknown))} (it takes: {known})")
    return {**info.defaults, **{key: _convert(name, key, value, info.defaults[key]) for key, value in params.items()}}


def bind(name: str, params: dict | None = None) -> Callable[..., np.ndarray]:
    """Return ``(similarity, word_weights=None) -> links`` for extractor ``name``, ``params`` checked."""
    info = get_extractor(name)
    converted = resolve_params(name, params)

    def run(similarity: np.ndarray, word_weights=None) -> np.ndarray:
        if similarity.size == 0:
            return np.zeros(similarity.shape, dtype=bool)
        if info.takes_word_weights:
            return info.function(similarity, **converted, word_weights=word_weights)
        return info.function(similarity, **converted)

    return run


def _convert(extractor: str, key: str, value, default):
    if not isinstance(value, str) or isinstance(default, str):
        return value
    try:
        if isinstance(default, bool):
            if value.lower() not in ("true", "false", "1", "0"):
                raise ValueError(value)
            return value.lower() in ("true", "1")
        return type(default)(value)
    except ValueError:
        raise ConfigError(f"extractor {extractor!r}: {key}={value!r} is not a {type(default).__name__}") from None
