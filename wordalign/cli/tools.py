"""``wordalign symmetrize``."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..symmetrize import SymmetrizeOptions
from .app import app
from .options import with_options


@app.command()
@with_options(SymmetrizeOptions)
def symmetrize(
    forward: Annotated[str, typer.Argument(help="Source→target links (Pharaoh, src-tgt), a line per pair; the file to invert with --invert.")],
    reverse: Annotated[Optional[str], typer.Argument(help="Target→source links, also written src-tgt, line-aligned with FORWARD.")] = None,
    **options,
):
    """Combine two directional alignments (Koehn et al. 2005, as atools does), or invert one."""
    from ..symmetrize import symmetrize_files

    symmetrize_files(forward, reverse, **options)
