"""``wordalign project``."""

from __future__ import annotations

from typing import Annotated

import typer

from ..align.config import AlignConfig
from ..projection.config import ProjectConfig
from .app import app
from .options import with_options


@app.command()
@with_options(ProjectConfig, AlignConfig)
def project(
    source: Annotated[str, typer.Argument(help="Labelled source sentences: CoNLL (token<TAB>tag lines) or JSON lines with tokens and spans.")],
    target: Annotated[str, typer.Argument(help="Their translations: pre-tokenized text, a sentence a line, or CoNLL.")],
    **options,
):
    """Carry labels (entity spans or word tags) from SOURCE to TARGET through word links."""
    from ..projection.project import project_files

    project_files(source, target, **options)
