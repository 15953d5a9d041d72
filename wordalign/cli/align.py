"""``wordalign align`` and ``wordalign extractors``."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..align.config import AlignConfig, RunOptions
from ..errors import ConfigError
from .app import app
from .options import with_options


@app.command()
@with_options(AlignConfig, RunOptions)
def align(
    src: Annotated[Optional[str], typer.Argument(help="Source file; or a 'src ||| tgt' file if TGT is omitted; '-' is stdin.")] = None,
    tgt: Annotated[Optional[str], typer.Argument(help="Target file, line-aligned with SRC.")] = None,
    manifest: Annotated[Optional[str], typer.Option(help="Align many corpora with one model load: a file of SRC<TAB>TGT<TAB>OUT (or SRC<TAB>OUT) lines.")] = None,
    **options,
):
    """Align sentence pairs; one Pharaoh line (0-based 'src-tgt' links) per input line."""
    from ..align.pipeline import align_files, align_manifest

    if manifest is None:
        if src is None:
            raise ConfigError("give SRC [TGT], or --manifest FILE")
        align_files(src, tgt, **options)
        return
    if src is not None:
        raise ConfigError("--manifest lists the inputs itself: give no SRC or TGT with it")
    align_manifest(manifest, **options)


@app.command()
def extractors():
    """List the registered extractors and their parameters."""
    from ..extractors import available, get_extractor

    for name in available():
        info = get_extractor(name)
        params = " ".join(f"{key}={value}" for key, value in info.defaults.items())
        typer.echo(f"{name:<14} {info.summary}" + (f"\n{'':<14} parameters: {params}" if params else ""))
