"""Geography commands: the places, their code history, lookups by boundary year, name matching,
the boundary year figures are put on, and values derived for parent areas."""

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
    show_table,
)

if TYPE_CHECKING:
    import pandas as pd

# The modules behind the commands (pandas, the code history) are imported inside each command,
# so that loading this module for one command's --help stays quick.


def register(app: typer.Typer) -> None:
    app.command("geographies")(geographies)
    app.command("derive")(derive)


GeographyVintageOption = Annotated[
    str | None,
    typer.Option("--geography-vintage", help="Boundary year (e.g. 2023) or date (2021-03-01): with no other "
                 "option, list its districts with their region, nation, ITL regions, county and "
                 "combined authority; with --match, match names to its codes."),
]


@handle_errors
def geographies(
    workspace: WorkspaceOption = None,
    level: Annotated[str | None, typer.Option(help="Only this level, e.g. lad, itl3.")] = None,
    history: Annotated[str | None, typer.Option(
        "--history", help="Show a code's history: its dates, the changes before and after it and "
        "the orders that made them.")] = None,
    geography_vintage: GeographyVintageOption = None,
    match: Annotated[Path | None, typer.Option(
        help="Match the place names in a file (one per line, or a CSV / Excel column named by "
        "--column) to codes of --geography-vintage; exit 1 if any is unmatched or ambiguous.")] = None,
    column: Annotated[str | None, typer.Option(help="The column of names in the --match file.")] = None,
    set_geography_vintage: Annotated[str | None, typer.Option(
        "--set-geography-vintage", help="Put the workspace's figures on this boundary year by default "
        "('published' for the codes as published).")] = None,
    add: Annotated[
        Path | None,
        typer.Option(help="Register places: a GeoJSON / shapefile boundary file, or a CSV with "
                     "code, name, level and optional parent, valid_from, valid_to."),
    ] = None,
    include_retired: Annotated[bool, typer.Option(
        "--all", help="List retired codes as well as the places in use today.")] = False,
    csv: CsvOption = None,
    json: JsonOption = None,
) -> None:
    """List the places in the workspace (code, name, level, validity, parents), or add some.

    Also: a code's history (--history E06000063), the districts of a boundary year with the
    areas they lie in (--geography-vintage 2023), names matched to codes (--match names.csv
    --geography-vintage 2021-03-01) and the boundary year figures are put on by default
    (--set-geography-vintage 2023).
    """
    if history:
        _history(history, csv, json)
    elif match:
        _match(match, column, geography_vintage, level, csv, json)
    elif set_geography_vintage:
        with open_workspace(workspace) as ws:
            chosen = None if set_geography_vintage == "published" else int(set_geography_vintage)
            ws.set_geography_vintage(chosen)
        said = "as published" if chosen is None else f"on {chosen} boundaries"
        console.print(f"figures are now given {said} by default")
    elif geography_vintage:
        from levelscope.data.geography import lad_lookup

        table = lad_lookup(_boundary_year(geography_vintage))
        show_table(table, f"Local authority districts of {geography_vintage} and the areas they lie in ({len(table)})",
                   csv=csv, json=json)
    else:
        import datetime as dt

        import pandas as pd

        with open_workspace(workspace, read_only=add is None) as ws:
            if add:
                _add_geographies(ws, add)
                return
            frame = _most_detailed_first(ws.geographies(level))
            default = ws.geography_vintage
        retired = frame["valid_to"].notna() & (frame["valid_to"] < pd.Timestamp(dt.date.today()))
        if not include_retired:
            frame = frame[~retired]
        show_table(frame.drop(columns=["has_geometry"]), f"Places ({len(frame):,})", csv=csv, json=json)
        if not include_retired and retired.any() and csv is None and json is None:
            console.print(f"{int(retired.sum()):,} retired codes not listed (--all lists them; "
                          "--history CODE gives one code's changes)")
        if default is not None and csv is None and json is None:
            console.print(f"figures are put on {default} boundaries by default "
                          "(--set-geography-vintage published to change)")


def _most_detailed_first(frame: pd.DataFrame) -> pd.DataFrame:
    """Places ordered districts first, then ITL3, ITL2, ITL1, regions, nations, then the rest."""
    order = {lv: i for i, lv in enumerate(("lad", "itl3", "itl2", "itl1", "region", "nation", "country"))}
    rank = frame["level"].astype(str).map(lambda lv: order.get(lv, len(order)))
    return frame.assign(_rank=rank).sort_values(["_rank", "level", "code"], kind="stable").drop(
        columns="_rank").reset_index(drop=True)


def _boundary_year(text: str) -> int | str:
    return int(text) if text.isdigit() else text


def _history(code: str, csv: Path | None, json: Path | None) -> None:
    import datetime as dt

    from levelscope.data.geography import code_history

    history = code_history()
    record = history.record(code)
    table = history.lineage(code)
    if csv is not None or json is not None:
        show_table(table, csv=csv, json=json)
        return
    since = f"from {record.valid_from}" if record.valid_from else "in use before 2009"
    until = f"until {record.valid_to}" if record.valid_to else "still in use"
    console.print(f"[bold]{record.code}[/bold] {record.name} ({record.level}): {since}, {until}",
                  highlight=False)
    if record.note:
        console.print(f"note: {record.note}", highlight=False)
    if record.valid_to:
        console.print(history.resolve(code, dt.date.today()).message(), highlight=False)
    if table.empty:
        console.print("no changes recorded")
        return
    for (day, new, new_name, kind, instrument), rows in table.groupby(
        ["effective", "successor", "successor_name", "kind", "instrument"], sort=False
    ):
        old = ", ".join(f"{n} ({c})" for c, n in zip(rows["predecessor"], rows["predecessor_name"], strict=True))
        console.print(f"{day}  {new_name} ({new}) ← {old}: {kind}", highlight=False)
        console.print(f"            {instrument}", style="dim", highlight=False)
        for note in rows["note"].drop_duplicates():
            if note:
                console.print(f"            {note}", style="dim", highlight=False)


def _match(
    path: Path, column: str | None, geography_vintage: str | None, level: str | None, csv: Path | None,
    json: Path | None,
) -> None:
    from levelscope.data.geography import match_names

    if geography_vintage is None:
        errors.print("give the boundary year of the names: --geography-vintage 2021 (or a date, 2021-03-01)")
        raise typer.Exit(EXIT_INVALID)
    names = _names_in(path, column)
    found = match_names(names, _boundary_year(geography_vintage), level or "lad")
    table = found.to_frame()
    show_table(table, f"{len(found.codes)} of {len(table)} names matched", csv=csv, json=json)
    if not found.complete:
        errors.print(found.summary(), highlight=False)
        raise typer.Exit(EXIT_INVALID)


def _names_in(path: Path, column: str | None) -> list[str]:
    import pandas as pd

    if column is None and path.suffix.lower() in (".txt", ""):
        return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    frame = pd.read_excel(path) if path.suffix.lower() in (".xlsx", ".xls") else pd.read_csv(path)
    chosen = column or str(frame.columns[0])
    if chosen not in frame:
        errors.print(f"{path.name} has no column {chosen!r}; its columns are {', '.join(map(str, frame.columns))}")
        raise typer.Exit(EXIT_INVALID)
    return [str(n) for n in frame[chosen].dropna()]


def _add_geographies(ws: Any, path: Path) -> None:
    import datetime as dt

    from levelscope.data.boundaries import read_geojson, read_shapefile

    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json", ".shp"):
        shapes = read_geojson(path) if suffix != ".shp" else read_shapefile(path)
        count = ws.add_geographies(shapes.geographies, geometries=shapes.shapes, crs=shapes.crs)
    else:
        import pandas as pd

        from levelscope.data.model import Geography, Level

        frame = pd.read_csv(path, dtype=str).fillna("")
        places = [
            Geography(
                code=row["code"], name=row["name"], level=Level(row["level"]),
                valid_from=dt.date.fromisoformat(row["valid_from"]) if row.get("valid_from") else None,
                valid_to=dt.date.fromisoformat(row["valid_to"]) if row.get("valid_to") else None,
                parents=tuple(p for p in str(row.get("parent", "")).split(";") if p),
            )
            for _, row in frame.iterrows()
        ]
        count = ws.add_geographies(places)
    console.print(f"registered {count} places from {path.name}")


@handle_errors
def derive(
    workspace: WorkspaceOption = None,
    indicator: Annotated[list[str] | None, typer.Option(help="Indicator id (repeatable); all by default.")] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Write the parent areas left without a "
                                             "value, and why, to this file.")] = None,
) -> None:
    """Work out values publishers give none for: each aggregable indicator for ITL regions,
    English regions, nations, the UK, counties and combined authorities from its districts, and
    derived indicators (GVA per head) from their formulas.

    Published values are never replaced; a parent some of whose districts lack a figure gets
    none (--csv lists them with the reason)."""
    with open_workspace(workspace) as ws, console.status("deriving values …"):
        report = ws.derive(indicator)
    console.print(report.summary(), highlight=False)
    if csv:
        show_table(report.incomplete, csv=csv)
