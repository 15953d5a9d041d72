"""``wordalign`` command line: a thin typer layer over the library functions.

One module per command group (:mod:`.align`, :mod:`.project`, :mod:`.score`, :mod:`.show`, :mod:`.tools`, :mod:`.train`); each command only
converts arguments and calls one library function with the same keyword arguments. Errors
become a message and an exit code here, at the boundary, and nowhere else.
"""

from __future__ import annotations

import logging
import signal
import sys

import typer

from ..errors import WordAlignError
from . import align, project, score, show, tools, train  # noqa: F401  (each adds its commands to the app)
from .app import app

INTERRUPTED = 130


def run(argv: list[str] | None = None) -> int:
    """Run the CLI on ``argv`` and return the exit code; errors become a message on stderr."""
    try:
        code = app(args=argv, standalone_mode=False, prog_name="wordalign")
    except WordAlignError as exc:
        typer.echo(f"wordalign: error: {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        code = INTERRUPTED
    except Exception as exc:
        if not _is_usage_error(exc):
            raise
        typer.echo(f"wordalign: error: {exc.format_message()}", err=True)
        return exc.exit_code
    if code == INTERRUPTED:  # typer turns Ctrl-C into this exit code
        typer.echo("wordalign: interrupted", err=True)
    return code if isinstance(code, int) else 0


def _is_usage_error(exc: Exception) -> bool:
    """A command-line parsing error (click's, which typer may vendor): unknown option, bad value."""
    return hasattr(exc, "format_message") and isinstance(getattr(exc, "exit_code", None), int)


def main() -> None:
    """Console entry point: UTF-8 stdio, quiet SIGPIPE, logging on stderr."""
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `wordalign align … | head` exits quietly
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(encoding="utf-8")
    logging.basicConfig(level=logging.INFO, format="wordalign: %(message)s", stream=sys.stderr)
    try:
        code = run()
    except KeyboardInterrupt:  # between typer's handler and ours: while starting or exiting
        typer.echo("wordalign: interrupted", err=True)
        code = INTERRUPTED
    sys.exit(code)


__all__ = ["app", "main", "run"]
