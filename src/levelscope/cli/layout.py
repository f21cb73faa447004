"""The ``layout`` commands: draft a layout file for a publisher's table."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer

from levelscope.cli.common import EXIT_INVALID, console, errors, handle_errors


def register(app: typer.Typer) -> None:
    """Add the ``layout`` command group to ``app``."""
    group = typer.Typer(
        help="Layout files: where a file's table is and what its columns hold.",
        no_args_is_help=True,
    )
    app.add_typer(group, name="layout")
    group.command("suggest")(suggest)


@handle_errors
def suggest(
    file: Annotated[Path, typer.Argument(help="CSV, Excel (.xlsx/.xls) or Parquet file.")],
    sheet: Annotated[str | None, typer.Option(help="Workbook sheet (name or 0-based number).")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding of a CSV file, if detection is not enough.")] = None,
    out: Annotated[Path | None, typer.Option(help="Layout file to write (default: FILE's name with .layout.yaml, in the current folder).")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite the layout file if it exists.")] = False,
) -> None:
    """Sniff a publisher's file (title lines, header row, code column, period columns, footnotes,
    missing-value markers) and write a layout file to check, edit and import with."""
    from levelscope.data.demo import publisher_parser
    from levelscope.data.sniff import suggest_layout

    chosen = int(sheet) if sheet is not None and sheet.isdigit() else sheet
    suggestion = suggest_layout(file, sheet=chosen, encoding=encoding)
    target = out or Path(f"{file.stem}.layout.yaml")
    if target.exists() and not force:
        errors.print(f"[red]Not written[/red]: {target} exists; give --out another file or --force",
                     highlight=False)
        raise typer.Exit(EXIT_INVALID)
    text = suggestion.to_yaml(layout_file=str(target), data_file=str(file))
    target.write_text(text, encoding="utf-8")
    # not wrapped to the terminal: a comment broken over two lines would not be YAML when copied
    console.print(text, highlight=False, markup=False, soft_wrap=True)
    console.print(f"wrote {target}", highlight=False)
    if publisher_parser(file) is not None:
        console.print(f"note: levelscope knows this publisher's file: `levelscope import {shlex.quote(str(file))}` "
                      "reads it as published, release date included, with no layout", highlight=False)
