"""Workspace commands: init, demo, import, export, indicators, show, overview."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from levelscope.cli.common import (
    EXIT_INVALID,
    CsvOption,
    JsonOption,
    WorkspaceOption,
    console,
    errors,
    handle_errors,
    open_workspace,
    print_frame,
    print_rows,
    show_table,
)

if TYPE_CHECKING:
    from rich.progress import Progress

    from levelscope.data.model import Indicator
    from levelscope.data.store import Workspace

# The modules behind the commands (pandas, pydantic models, layouts) are imported inside each
# command, so that loading this module for one command's --help stays quick.


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("demo")(demo)
    app.command("import")(import_)
    app.command("export")(export)
    app.command("indicators")(indicators)
    app.command("show")(show)
    app.command("overview")(overview)


@handle_errors
def init(workspace: WorkspaceOption = None) -> None:
    """Create a workspace (or migrate an old one) and load the indicator catalogue."""
    from levelscope.data.catalogue import catalogue

    with open_workspace(workspace) as ws:
        added = ws.add_indicators(catalogue().values())
        console.print(f"workspace {ws.path} ready (schema v{ws.schema_version}); "
                      f"{added} catalogued indicators")


@handle_errors
def demo(
    workspace: WorkspaceOption = None,
    mirror: Annotated[
        Path | None,
        typer.Option(help="Folder with the publishers' files, placed by hand or fetched (default: $LEVELSCOPE_MIRROR).",
                     envvar="LEVELSCOPE_MIRROR", show_default=False),
    ] = None,
) -> None:
    """Build the demo workspace from the official files (ONS explorer dataset, regional GVA,
    subregional productivity, Nomis population, LAD and ITL3 boundaries).

    The files are read from a mirror folder holding them as published: subnatindicators.xlsx,
    'Table 1b … 3c … pounds million.csv', labourproductivitylocalauthorities.xls,
    labourproductivityitls.xls, lad_pop.csv, LADs_2023.geojson, LADs_to_region.csv and
    ITL3_JAN_2021_UK_BUC_V3.shp (.dbf, .shx, .prj). Instead of the first four, the mirror may
    hold what `levelscope fetch` put there (ons subnational-indicators, nomis population --date
    1991-2022, ons productivity, ons productivity-itls): the demo reads those through the
    mirror's manifest, without the network. Without --mirror or $LEVELSCOPE_MIRROR, the folder
    `levelscope fetch` fills by default is used.
    """
    from levelscope.data.demo import build_demo, find_mirror

    root = find_mirror(mirror)
    with open_workspace(workspace) as ws, _progress() as bar:
        task = bar.add_task("building the demo workspace", total=70)

        def step(message: str) -> None:
            bar.update(task, advance=1, description=message[:60])

        report = build_demo(ws, root, progress=step)
        bar.update(task, completed=70, description="done")
    console.print(
        f"demo workspace {report.workspace}: {report.geographies} places, {report.indicators} "
        f"indicators, {report.values_written:,} values written in {report.seconds:.1f} s"
    )
    for found in report.fetched:
        console.print(f"read from the mirror's manifest: {found.describe()}", highlight=False,
                      markup=False)
    skipped = sum(r.values_skipped for r in report.imports)
    excluded = sum(r.rows_excluded for r in report.imports)
    console.print(f"{skipped:,} values skipped (missing-value markers, duplicates) and "
                  f"{excluded:,} rows excluded (notes, other industries, obsolete codes); "
                  "see `levelscope overview --imports` for the reasons")


def _progress() -> Progress:
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                    TimeElapsedColumn(), console=console, transient=True)


@handle_errors
def import_(
    file: Annotated[Path, typer.Argument(help="CSV, Excel (.xlsx/.xls) or Parquet file.")],
    workspace: WorkspaceOption = None,
    layout: Annotated[Path | None, typer.Option(help="Layout file (YAML; `levelscope layout suggest FILE` drafts one). The options below override its fields.")] = None,
    form: Annotated[str | None, typer.Option(help="'long' or 'wide' (one column per period).")] = None,
    sheet: Annotated[str | None, typer.Option(help="Workbook sheet.")] = None,
    header_row: Annotated[int | None, typer.Option(help="Row number of the headers.")] = None,
    geography: Annotated[str | None, typer.Option(help="Column of area codes.")] = None,
    name: Annotated[str | None, typer.Option(help="Column of place names: places new to the workspace are registered from it (or matched by name when there is no code column).")] = None,
    indicator: Annotated[str | None, typer.Option(help="Indicator id of the whole file.")] = None,
    indicator_column: Annotated[str | None, typer.Option(help="Column of indicator ids.")] = None,
    period: Annotated[str | None, typer.Option(help="Column of periods (long form).")] = None,
    period_label: Annotated[str | None, typer.Option(help="Period of the whole file.")] = None,
    value: Annotated[str | None, typer.Option(help="Column of values (long form).")] = None,
    lower: Annotated[str | None, typer.Option(help="Column of lower confidence bounds.")] = None,
    upper: Annotated[str | None, typer.Option(help="Column of upper confidence bounds.")] = None,
    unit: Annotated[str | None, typer.Option(help="Unit of the file's values (checked).")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding of a CSV file (detected if omitted: UTF-8, UTF-16, cp1252).")] = None,
    vintage: Annotated[str | None, typer.Option(help="Release date, YYYY-MM-DD.")] = None,
    source: Annotated[str | None, typer.Option(help="Publisher / dataset (a source column in the file is read instead).")] = None,
    dry_run: Annotated[bool, typer.Option(help="Validate only; write nothing.")] = False,
) -> None:
    """Validate a file and import its observations (all or nothing; re-importing changes
    nothing; a new --vintage keeps the earlier release).

    A file `levelscope fetch` put in a mirror, given without layout options, is read as
    `levelscope fetch --offline` reads it: by its dataset's reader, dated by the release date
    in the mirror's manifest."""
    from levelscope.data.layout import Layout

    fields: dict[str, Any] = Layout.load(layout).model_dump(exclude_defaults=True) if layout else {}
    given = {
        "form": form, "sheet": sheet, "header_row": header_row, "geography": geography,
        "name": name, "indicator_id": indicator, "indicator": indicator_column, "period": period,
        "period_label": period_label, "value": value, "lower": lower, "upper": upper,
        "unit": unit, "encoding": encoding,
    }
    fields.update({k: v for k, v in given.items() if v is not None})
    if "indicator_id" in fields and "indicator" not in fields:
        fields["indicator"] = None
    if "period_label" in fields and "period" not in fields:
        fields["period"] = None
    shape = Layout.from_fields(fields, layout.name if layout else "options") if fields else None
    plain = shape is None and vintage is None and source is None
    with open_workspace(workspace) as ws, console.status(f"validating {file.name} …"):
        if plain:  # a file levelscope fetch mirrored is read as fetch --offline reads it
            from levelscope.data.fetch import import_mirrored

            fetched = import_mirrored(ws, file, dry_run=dry_run)
            if fetched is not None:
                console.print(str(fetched), highlight=False, markup=False)
                return
            if _import_as_published(ws, file, dry_run):
                return
        report = ws.import_file(file, shape, vintage=vintage, source=source, dry_run=dry_run)
    console.print(str(report), highlight=False)
    for warning in report.warnings:
        errors.print(f"[yellow]Warning[/yellow]: {warning}", highlight=False)
    if dry_run:
        console.print("[bold]dry run[/bold]: the file is valid; nothing written")


def _import_as_published(ws: Workspace, file: Path, dry_run: bool) -> bool:
    """Import a publisher's file that levelscope reads as published (the ONS explorer, GVA and
    productivity tables, the Nomis population export, the OECD and Eurostat extracts) with its
    own parser, which knows its layout and release date; False if ``file`` is not one of them."""
    from levelscope.data.demo import publisher_parser
    from levelscope.data.fetch.datasets import import_parsed
    from levelscope.data.international.load import FILES as INTERNATIONAL_FILES

    if file.name in INTERNATIONAL_FILES:
        return _import_international(ws, file, dry_run)
    parser = publisher_parser(file)
    if parser is None:
        return False
    for report in import_parsed(ws, parser(file), dry_run):
        console.print(str(report), highlight=False)
    if dry_run:
        console.print("[bold]dry run[/bold]: the file is valid; nothing written")
    return True


def _import_international(ws: Workspace, file: Path, dry_run: bool) -> bool:
    """An OECD or Eurostat regional extract, read as ``levelscope international load`` reads it
    (its countries and regions registered, its series mapped to the catalogue's indicators)."""
    from levelscope.cli.international import print_load
    from levelscope.data.international import load_international

    if dry_run:
        errors.print(f"[red]Not checked[/red]: {file.name} is an international extract, read by "
                     "`levelscope international load`, which registers its places as it reads; "
                     "import it without --dry-run (each file is written whole or not at all)",
                     highlight=False)
        raise typer.Exit(EXIT_INVALID)
    print_load(load_international(ws, file.parent, files={file.name: file}))
    return True


@handle_errors
def export(
    file: Annotated[Path, typer.Argument(help="Output .csv or .parquet file.")],
    workspace: WorkspaceOption = None,
    indicator: Annotated[list[str] | None, typer.Option(help="Indicator id (repeatable).")] = None,
    level: Annotated[list[str] | None, typer.Option(help="Geographic level (repeatable).")] = None,
    as_of: Annotated[str | None, typer.Option(help="Figures as known on this date.")] = None,
    geography_vintage: Annotated[str | None, typer.Option(
        help="Put every period on this boundary year's codes (default: as published).")] = None,
) -> None:
    """Export observations (latest release, or as of a date) in the long form that re-imports."""
    with open_workspace(workspace, read_only=True) as ws, console.status("exporting …"):
        count = ws.export(file, indicator=indicator, level=level, as_of=as_of,
                          geography_vintage=int(geography_vintage) if geography_vintage
                          and geography_vintage.isdigit() else geography_vintage)
    console.print(f"wrote {count:,} observations to {file}")


@handle_errors
def indicators(
    workspace: WorkspaceOption = None,
    theme: Annotated[str | None, typer.Option(help="Only this theme.")] = None,
    add: Annotated[Path | None, typer.Option(help="YAML list of indicator definitions to add.")] = None,
    csv: CsvOption = None,
    json: JsonOption = None,
) -> None:
    """List the workspace's indicators (unit, kind, polarity, theme, source), or add your own.

    Kind says how areas compare: rates and indexes are ranked; counts and amounts (people,
    enterprises, £ million) measure an area's size and are shown as context.
    """
    with open_workspace(workspace, read_only=add is None) as ws:
        if add:
            import yaml

            from levelscope.data.model import Indicator

            entries = yaml.safe_load(add.read_text())
            items = entries.get("indicators", entries) if isinstance(entries, dict) else entries
            definitions = [Indicator(**e) for e in items]
            known = set(ws.indicators()["id"])
            before = ws.indicator_definitions([d.id for d in definitions if d.id in known])
            ws.add_indicators(definitions)
            changes = {d.id: _changed_fields(before[d.id], d) for d in definitions if d.id in before}
            added = [d.id for d in definitions if d.id not in before]
            unchanged = [ident for ident, changed in changes.items() if not changed]
            for what, ids in (("added", added), ("unchanged", unchanged)):
                if ids:
                    console.print(f"{what} {len(ids)} indicator{'s' * (len(ids) != 1)}: {', '.join(ids)}",
                                  highlight=False)
            for ident, changed in changes.items():
                if changed:
                    console.print(f"updated {ident}: {'; '.join(changed)}", highlight=False)
            return
        if csv is None and json is None:
            # the screen shows what tells indicators apart (plain rows: no pandas to load)
            columns = ("id", "name", "unit", "kind")
            rows = ws.indicator_rows(columns, theme)
            print_rows(columns, rows, f"Indicators ({len(rows)})")
            return
        frame = ws.indicators(theme)  # --csv / --json give every column
    show_table(frame, f"Indicators ({len(frame)})", csv=csv, json=json)


def _changed_fields(before: Indicator, after: Indicator) -> list[str]:
    """What a new definition changes in how an indicator is read, e.g. ``kind amount → rate``
    (an amount is shown as an area's size; a rate is ranked as performance)."""
    fields = ("name", "unit", "kind", "polarity", "aggregation", "weight", "theme")
    return [f"{field} {getattr(before, field)} → {getattr(after, field)}" for field in fields
            if str(getattr(before, field)) != str(getattr(after, field))]


@handle_errors
def show(
    area: Annotated[str, typer.Argument(help="Area name or code, e.g. Birmingham or E08000025.")],
    workspace: WorkspaceOption = None,
    level: Annotated[
        str | None, typer.Option("--level", "-l", help="Level of the area, where places at several "
                                 "levels share the name (e.g. itl3).", show_default=False),
    ] = None,
    as_of: Annotated[str | None, typer.Option(help="Figures as known on this date.")] = None,
    csv: CsvOption = None,
    json: JsonOption = None,
) -> None:
    """An area's latest value on every indicator, with its rank and the median of its level.

    Rates and indexes are ranked (1 = best) and flagged better or worse than the median only
    where the difference is clear. Counts and amounts measure the area's size: they are listed
    as context, with figures per head where the population is known, and never ranked as
    performance.
    """
    from levelscope import formatting
    from levelscope.compare import area_profile
    from levelscope.data.area_search import find_area

    with open_workspace(workspace, read_only=True) as ws:
        match = find_area(ws, area, level)
        profile = area_profile(ws, match.code, as_of=as_of)
    table = profile.to_frame()
    if csv or json:
        show_table(table, csv=csv, json=json)
        return
    note = match.note()
    if table.empty:
        console.print(f"{profile.name} ({profile.code}) has no figures in this workspace yet; "
                      "`levelscope overview` lists what it holds", highlight=False)
        if note:
            console.print(f"note: {note}", highlight=False)
        return
    levels = formatting.level_name(profile.level, plural=True)
    of = table["rank"].astype(str) + " of " + table["areas"].astype(str)
    written = table.assign(
        value=[formatting.value(v, u) for v, u in zip(table["value"], table["unit"], strict=True)],
        median=[formatting.value(v, u) for v, u in zip(table["median"], table["unit"], strict=True)],
        per_head=[formatting.value(v, u) if u else "" for v, u in
                  zip(table["per_head"], table["per_head_unit"], strict=True)],
        rank=of,
    ).rename(columns={"name": "indicator"})
    size = table["kind"].isin(["count", "amount"])
    title = f"{profile.name} ({profile.code}) against the median of {levels}"
    if (~size).any():
        print_frame(written[~size][["indicator", "period", "value", "median", "rank", "flag"]], title)
    else:
        console.print(f"{title}: no rates or indexes yet, only counts and amounts", highlight=False)
    if size.any():
        print_frame(written[size][["indicator", "period", "value", "per_head", "rank"]]
                    .rename(columns={"rank": "largest", "per_head": "per head"}),
                    "Context: the area's size (counts and amounts are not ranked as performance)")
    if (~size).any():
        console.print("rank 1 = best placed; flags say better or worse only where the difference is "
                      "clear (a confidence interval, or one standard deviation, away from the median)",
                      highlight=False)
    if note:
        console.print(f"note: {note}", highlight=False)
    console.print(f"Source: {profile.provenance}", highlight=False)


@handle_errors
def overview(
    workspace: WorkspaceOption = None,
    imports: Annotated[bool, typer.Option("--imports", help="List imports and the reasons "
                                          "values were skipped.")] = False,
) -> None:
    """What the workspace holds: places by level, indicators by theme, releases, imports."""
    from levelscope.data.store import default_workspace_path

    path = workspace or default_workspace_path()
    if not path.exists():
        errors.print(f"no workspace at {path}; run `levelscope demo` or `levelscope init`")
        raise typer.Exit(EXIT_INVALID)
    with open_workspace(path, read_only=True) as ws:
        counts = ws.counts()
        console.print(f"[bold]levelscope workspace[/bold] {ws.path} (schema v{ws.schema_version})")
        console.print(f"{counts['geography']:,} places, {counts['indicator']:,} indicators, "
                      f"{counts['observation']:,} observations from {counts['import_log']} imports")
        levels = ws.con.execute(
            "SELECT g.level, count(DISTINCT g.code) AS places, count(*) AS observations, "
            "count(DISTINCT o.indicator_id) AS indicators, CAST(min(o.period_start) AS DATE) AS first, "
            "CAST(max(o.period_end) AS DATE) AS last FROM observation o JOIN geography g "
            "ON g.code = o.geography_code GROUP BY 1 ORDER BY 3 DESC"
        ).df()
        from levelscope.formatting import level_name

        levels = levels.rename(columns={"level": "--level"})
        levels.insert(0, "level", [level_name(lv, plural=True, capital=True) for lv in levels["--level"]])
        print_frame(levels, "Observations by level")
        themes = ws.con.execute(
            "SELECT i.theme, count(DISTINCT i.id) AS indicators, count(o.value) AS observations,"
            " string_agg(DISTINCT CAST(o.vintage AS VARCHAR), ', ') AS vintages "
            "FROM indicator i LEFT JOIN observation o ON o.indicator_id = i.id GROUP BY 1 "
            "ORDER BY 1"
        ).df()
        print_frame(themes, "Indicators by theme")
        if imports:
            print_frame(ws.imports(), "Imports")
