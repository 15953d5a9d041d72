"""``wordalign score``."""

from __future__ import annotations

from typing import Annotated

import typer

from ..evaluation import ScoreOptions
from .app import app
from .options import with_options


@app.command()
@with_options(ScoreOptions)
def score(
    gold: Annotated[str, typer.Argument(help="Gold Pharaoh file: i-j sure, i?j or ipj possible.")],
    hyp: Annotated[str, typer.Argument(help="Hypothesis, line-aligned with GOLD: Pharaoh, or `align -f jsonl` output.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    **options,
):
    """Corpus AER, precision, recall and F1 of HYP against GOLD (Och & Ney 2003)."""
    from ..evaluation import score_files

    report = score_files(gold, hyp, **options)
    typer.echo(report.json() if as_json else report.text())
