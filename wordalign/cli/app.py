"""The typer application that every command module adds its commands to."""

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None,
                  help="Neural word alignment for pre-tokenized parallel sentences (Pharaoh output).")
