"""Options declared once: a config dataclass field carries its help text and command-line flags.

The library functions take a config's fields as keyword arguments, the CLI builds its options
from the same fields (:mod:`wordalign.cli.options`), and checkpoints record them: one list per
command, typed once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from .errors import ConfigError

def option(default: Any, help: str, *flags: str, factory: Callable[[], Any] | None = None,
           text: Any = None, parse: Callable[[Any], Any] | None = None, metavar: str | None = None,
           recorded: bool = True) -> Any:
    """A config field that is also a command-line option.

    Parameters
    ----------
    default : object
        The library's default, which the CLI shows and uses too (ignored with ``factory``).
    help : str
        The option's help text.
    *flags : str
        Its names on the command line (``"--extractor", "-e"``); default: ``--field-name``.
    factory : callable, optional
        Makes a mutable default (``dict``) instead of ``default``.
    text : type, optional
        The command-line type when it differs from the field's (``list[str]`` for a dict of
        ``KEY=VALUE`` pairs), converted by ``parse``; when the option is not given, the field
        keeps its default.
    parse : callable, optional
        Converts the command-line value into the field's value; may raise
        :class:`~wordalign.errors.ConfigError`.
    metavar : str, optional
        How the help names the option's value (``KEY=VALUE``).
    recorded : bool
        Whether the value determines the result (recorded in checkpoints and compared on
        resume), or only how the run goes (progress bars, resumption).
    """
    metadata = {"help": help, "flags": flags, "text": text, "parse": parse, "metavar": metavar, "recorded": recorded}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def build(config_class, options: dict):
    """``config_class(**options)``, with an unknown keyword as a :class:`ConfigError` naming the known ones."""
    names = {field.name for field in dataclasses.fields(config_class)}
    unknown = sorted(set(options) - names)
    if unknown:
        raise ConfigError(f"unknown option {', '.join(unknown)}; {config_class.__name__} takes: "
                          f"{', '.join(sorted(names))}")
    return config_class(**options)


def split_options(options: dict, *config_classes) -> list[dict]:
    """Keyword arguments divided among config classes by field name; the rest, last."""
    remaining, parts = dict(options), []
    for config_class in config_classes:
        names = {field.name for field in dataclasses.fields(config_class)}
        parts.append({key: remaining.pop(key) for key in list(remaining) if key in names})
    return [*parts, remaining]


def recorded(config) -> dict:
    """The fields of ``config`` that determine the result, as a JSON-ready dict."""
    return {field.name: _jsonable(getattr(config, field.name)) for field in dataclasses.fields(config)
            if field.metadata.get("recorded", True)}


def _jsonable(value):
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    return value


def parse_params(values: list[str] | None, option_name: str = "--param") -> dict:
    """``["threshold=0.1", "direction=forward"]`` → ``{"threshold": "0.1", ...}``."""
    params = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"{option_name} expects KEY=VALUE, got {item!r}")
        params[key.strip().replace("-", "_")] = value.strip()
    return params
