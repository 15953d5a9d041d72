"""Command-line options made from config dataclasses (:mod:`wordalign.options`): declared once."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from collections.abc import Callable
from typing import Annotated

import typer


def _parameter(field: dataclasses.Field, annotation) -> inspect.Parameter:
    meta = field.metadata
    flags = meta["flags"] or ("--" + field.name.replace("_", "-"),)
    if meta["text"] is not None:  # converted by ``parse``; absent means the field's default
        annotation, default = typing.Optional[meta["text"]], None
    elif field.default is not dataclasses.MISSING:
        default = field.default
    else:
        default = field.default_factory()
    return inspect.Parameter(field.name, inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=Annotated[annotation, typer.Option(*flags, help=meta["help"],
                                                                           metavar=meta["metavar"])])


def _option_fields(config_class) -> list[dataclasses.Field]:
    """The fields that are options, the class's own first and inherited ones (device, dtype) last."""
    own = set(config_class.__dict__.get("__annotations__", {}))
    fields = [field for field in dataclasses.fields(config_class) if "help" in field.metadata]
    return sorted(fields, key=lambda field: field.name not in own)


def with_options(*config_classes) -> Callable:
    """Give a command the options of ``config_classes``, passed on to it as keyword arguments.

    The command declares its own arguments and takes ``**options``; it receives every option
    in the library's form (``-p threshold=0.1`` as ``extractor_params={"threshold": "0.1"}``),
    but an option with a text form (``-p``, ``--shard``) only when it is given.
    """

    def decorate(command: Callable) -> Callable:
        own = [p for p in inspect.signature(command, eval_str=True).parameters.values() if p.kind is not p.VAR_KEYWORD]
        fields = {}
        for config_class in config_classes:
            hints = typing.get_type_hints(config_class)
            fields.update({field.name: (field, hints[field.name]) for field in _option_fields(config_class)})
        generated = [_parameter(field, annotation) for field, annotation in fields.values()]

        @functools.wraps(command)
        def run(**values):
            options = {}
            for name, (field, _) in fields.items():
                value = values.pop(name)
                parse = field.metadata["parse"]
                if field.metadata["text"] is not None:
                    if value is None:
                        continue
                    value = parse(value)
                options[name] = value
            return command(**values, **options)

        parameters = own + generated
        run.__signature__ = inspect.Signature(parameters)
        run.__annotations__ = {p.name: p.annotation for p in parameters}
        del run.__wrapped__  # typer must read the signature above, not the command's
        return run

    return decorate
