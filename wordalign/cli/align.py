"""``wordalign align`` and ``wordalign extractors``."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..align.config import AlignConfig, RunOptions
from ..distributed.config import EngineOptions
from ..errors import ConfigError
from ..options import split_options
from .app import app
from .options import with_options


@app.command()
@with_options(AlignConfig, RunOptions, EngineOptions)
def align(
    inputs: Annotated[Optional[list[str]], typer.Argument(help="SRC [TGT]: source and target files, or one 'src ||| tgt' file ('-' is stdin). With --engine ray: SRC TGT text files, or .parquet / .jsonl files with 'src' and 'tgt' per row.", metavar="SRC [TGT]")] = None,
    manifest: Annotated[Optional[str], typer.Option(help="Align many corpora with one model load: a file of SRC<TAB>TGT<TAB>OUT (or SRC<TAB>OUT) lines.")] = None,
    **options,
):
    """Align sentence pairs; one Pharaoh line (0-based 'src-tgt' links) per input line."""
    engine, options = _engine_options(options)
    if engine.engine == "ray":
        from ..distributed.engine import align_on_ray

        if manifest is not None or not inputs:
            raise ConfigError("--engine ray takes its inputs as arguments (SRC TGT, or .parquet / .jsonl files)")
        align_on_ray(inputs, **options, **{k: getattr(engine, k) for k in engine.__dataclass_fields__})
        return
    from ..align.pipeline import align_files, align_manifest

    if manifest is None:
        if not inputs:
            raise ConfigError("give SRC [TGT], or --manifest FILE")
        if len(inputs) > 2:
            raise ConfigError(f"got {len(inputs)} files: align takes SRC [TGT] (several .parquet or .jsonl files "
                              "need --engine ray)")
        align_files(*inputs, **options)
        return
    if inputs:
        raise ConfigError("--manifest lists the inputs itself: give no SRC or TGT with it")
    align_manifest(manifest, **options)


def _engine_options(options: dict) -> tuple[EngineOptions, dict]:
    """The engine options apart; refused where they do not apply (the local engine)."""
    engine_options, rest = split_options(options, EngineOptions)
    engine = EngineOptions(**engine_options)
    if engine.engine == "local":
        defaults = EngineOptions()
        given = [name for name, value in engine_options.items() if value != getattr(defaults, name)]
        if given:
            raise ConfigError(f"--{given[0].replace('_', '-')} is an option of --engine ray")
    return engine, rest


@app.command()
def merge(
    folder: Annotated[str, typer.Argument(help="The folder that `wordalign align --engine ray -o` wrote.")],
    output: Annotated[Optional[str], typer.Option("--output", "-o", help="Write here instead of stdout; OUT.part until complete.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")] = False,
):
    """Join the blocks of a Ray run into one output, a line per input line, in input order."""
    from ..distributed.merge import merge_blocks

    merge_blocks(folder, output, quiet)


@app.command()
def extractors():
    """List the registered extractors and their parameters: the defaults (the bilingual setting's),
    and each other setting's values where it changes them."""
    from ..align.presets import SETTING_PARAMS
    from ..extractors import available, get_extractor

    for name in available():
        info = get_extractor(name)
        lines = [f"{name:<14} {info.summary}"]
        if info.defaults:
            shown = {"parameters": {**info.defaults, **SETTING_PARAMS["bilingual"].get(name, {})}}
            shown |= {setting: params[name] for setting, params in SETTING_PARAMS.items()
                      if setting != "bilingual" and name in params}
            lines += [f"{'':<14} {label}: " + " ".join(f"{key}={value}" for key, value in values.items())
                      for label, values in shown.items()]
        typer.echo("\n".join(lines))
