"""``wordalign show``."""

from __future__ import annotations

from typing import Annotated

import typer

from ..align.config import AlignConfig
from ..display.show import ShowOptions
from .app import app
from .options import with_options


@app.command()
@with_options(ShowOptions, AlignConfig)
def show(
    src: Annotated[str, typer.Argument(help="Source sentences (or a 'src ||| tgt' file, with TGT given as '')")],
    tgt: Annotated[str, typer.Argument(help="Target sentences, line-aligned with SRC.")],
    links: Annotated[str, typer.Argument(help="Their links: Pharaoh (i-j, i-j:score) or `align -f jsonl` output.")],
    **options,
):
    """Draw alignments: a word grid per pair, an HTML report of all, or one pair's heatmap."""
    from ..display.show import show_files

    show_files(src, tgt or None, links, **options)
