"""The ``fetch`` and ``sources`` commands: official statistics from their publishers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from levelscope.cli.common import (
    EXIT_INVALID,
    CsvOption,
    WorkspaceOption,
    console,
    errors,
    handle_errors,
    open_workspace,
    show_table,
)


def register(app: typer.Typer) -> None:
    """Add ``fetch`` and ``sources`` to ``app``."""
    app.command("fetch")(fetch)
    app.command("sources")(sources)


@handle_errors
def fetch(
    source: Annotated[str, typer.Argument(help="Publisher: nomis, ons, oecd or eurostat (levelscope sources lists them).")],
    dataset: Annotated[str, typer.Argument(help="Dataset, e.g. population (levelscope sources lists them).")],
    workspace: WorkspaceOption = None,
    geography: Annotated[str | None, typer.Option(help="Nomis: geography selection (default TYPE424, local authority districts as of April 2021).")] = None,
    date: Annotated[str | None, typer.Option(help="Dates: Nomis 2015-2022, latest or latestMINUS4-latest (default latest); OECD and Eurostat 2015-2020 (a start and end period).")] = None,
    param: Annotated[list[str] | None, typer.Option(help="Another query parameter of the publisher's interface, KEY=VALUE (repeatable).")] = None,
    mirror: Annotated[Path | None, typer.Option(help="Mirror folder for the publishers' answers (default: $LEVELSCOPE_MIRROR, else mirror in levelscope's data folder).", envvar="LEVELSCOPE_MIRROR", show_envvar=False)] = None,
    offline: Annotated[bool, typer.Option(help="Import the mirrored copy; do not use the network.")] = False,
    base_url: Annotated[str | None, typer.Option(help="The publisher's interface at another address (a local copy or proxy).")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for a connection and for each part of the answer.")] = 30.0,
    retries: Annotated[int, typer.Option(help="Retries when the publisher is busy (429) or failing (5xx), with backoff.")] = 3,
    dry_run: Annotated[bool, typer.Option(help="Download and validate; write nothing.")] = False,
) -> None:
    """Fetch a dataset from its publisher (Nomis, ONS, OECD, Eurostat) into the mirror and import it.

    The answer is kept byte for byte in the mirror with a manifest entry (URL, time, size,
    SHA-256, release date, licence) and imported with the publisher's release date as its
    vintage. Unchanged data is not downloaded again; a cut download resumes. Nothing is written
    if the download or the import fails. With --offline the mirrored copy is imported instead.
    """
    from levelscope.data.fetch import Policy
    from levelscope.data.fetch import fetch as run_fetch

    selection = {k: v for k, v in (("geography", geography), ("date", date)) if v is not None}
    for item in param or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            errors.print(f"[red]Invalid input[/red]: --param {item!r}: write KEY=VALUE", highlight=False)
            raise typer.Exit(EXIT_INVALID)
        selection[key] = value
    policy = Policy(timeout=timeout, attempts=max(retries, 0) + 1)
    with open_workspace(workspace) as ws, _progress() as bar:
        task = bar.add_task(f"{source} {dataset}", total=None)
        report = run_fetch(ws, source, dataset, selection=selection, mirror=mirror,
                           offline=offline, base_url=base_url, policy=policy, dry_run=dry_run,
                           progress=lambda done, total: bar.update(task, completed=done, total=total))
    console.print(str(report), highlight=False, markup=False)


def _progress():  # type: ignore[no-untyped-def]
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                    TransferSpeedColumn(), console=errors, transient=True)


@handle_errors
def sources(csv: CsvOption = None) -> None:
    """List the datasets levelscope can fetch, with their publishers and licences."""
    import pandas as pd

    from levelscope.data.fetch import DATASETS

    table = pd.DataFrame([
        {"source": d.source, "dataset": d.name, "title": d.title, "publisher": d.publisher,
         "licence": d.licence, "indicators": _listed(d.indicators)}
        for d in DATASETS.values()
    ])
    show_table(table, title="Datasets levelscope fetch can fetch", csv=csv)


def _listed(indicators: tuple[str, ...], shown: int = 3) -> str:
    more = len(indicators) - shown
    return ", ".join(indicators[:shown]) + (f" and {more} more" if more > 0 else "")
