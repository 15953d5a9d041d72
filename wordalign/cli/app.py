"""The typer application that every command module adds its commands to."""

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None,
                  help="Neural word alignment for pre-tokenized parallel sentences (Pharaoh output).")


@app.callback(invoke_without_command=True)
def _help_without_a_command(context: typer.Context) -> None:
    # Bare `wordalign` shows the help, as `--help` does, instead of a usage error.
    if context.invoked_subcommand is None:
        typer.echo(context.get_help())
