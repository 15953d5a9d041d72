"""Name → extractor table; the CLI's choices and ``wordalign extractors`` come from it."""

from __future__ import annotations

import inspect
import math
import typing
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigError

Extractor = Callable[..., np.ndarray]
# Filled in by the aligner, not by users: ``(source, target)`` word-vector norms.
WORD_WEIGHTS = "word_weights"


@dataclass(frozen=True)
class Range:
    """The values a numeric parameter may take, declared in its annotation:
    ``temperature: Annotated[float, Range(0, open_low=True)] = 0.07``. NaN and infinities are
    refused for every float parameter."""

    low: float | None = None
    high: float | None = None
    open_low: bool = False
    open_high: bool = False

    def allows(self, value) -> bool:
        return ((self.low is None or value > self.low or (value == self.low and not self.open_low))
                and (self.high is None or value < self.high or (value == self.high and not self.open_high)))

    def __str__(self) -> str:
        low = "(-inf" if self.low is None else f"{'(' if self.open_low else '['}{self.low:g}"
        high = "inf)" if self.high is None else f"{self.high:g}{')' if self.open_high else ']'}"
        return f"in {low}, {high}"


@dataclass(frozen=True)
class OneOf:
    """The values a text parameter may take, declared in its annotation."""

    choices: tuple[str, ...]

    def allows(self, value) -> bool:
        return value in self.choices

    def __str__(self) -> str:
        return "one of " + ", ".join(self.choices)


@dataclass(frozen=True)
class ExtractorInfo:
    name: str
    function: Extractor
    summary: str
    defaults: dict
    takes_word_weights: bool = False
    limits: dict = field(default_factory=dict)  # parameter -> Range or OneOf


_REGISTRY: dict[str, ExtractorInfo] = {}


def register(name: str) -> Callable[[Extractor], Extractor]:
    """Register ``function(similarity, **params) -> bool matrix`` under ``name``.

    Every parameter after the similarity matrix must be keyword-only with a default; the
    defaults are what ``wordalign extractors`` lists. A :class:`Range` or :class:`OneOf` in a
    parameter's ``Annotated`` type limits its values, checked when the extractor is bound. An
    extractor that declares ``word_weights`` also receives the norms of the word vectors from
    the aligner.
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
        hints = typing.get_type_hints(function, include_extras=True)
        limits = {key: limit for key in defaults for limit in getattr(hints.get(key), "__metadata__", ())
                  if isinstance(limit, (Range, OneOf))}
        _REGISTRY[name] = ExtractorInfo(name, function, summary, defaults, takes_weights, limits)
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
    converted = {key: _convert(name, key, value, info.defaults[key]) for key, value in params.items()}
    for key, value in converted.items():
        limit = info.limits.get(key)
        if (isinstance(value, float) and not math.isfinite(value)) or (limit is not None and not limit.allows(value)):
            allowed = limit if limit is not None else "a finite number"
            raise ConfigError(f"extractor {name!r}: {key}={value!r} is not allowed: it must be {allowed}")
    return {**info.defaults, **converted}


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
    """``value`` (a command-line string, or a Python value) as the type of ``default``."""
    kind = type(default)
    if not isinstance(value, str) or kind is str:
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ConfigError(f"extractor {extractor!r}: {key}={value!r} is not a {kind.__name__}")
        return value
    try:
        if isinstance(default, bool):
            if value.lower() not in ("true", "false", "1", "0"):
                raise ValueError(value)
            return value.lower() in ("true", "1")
        return type(default)(value)
    except ValueError:
        raise ConfigError(f"extractor {extractor!r}: {key}={value!r} is not a {type(default).__name__}") from None
