"""``levelscope international``: the four cities in numbers, and the UK against its peers.

Commands
--------
load FOLDER          read the OECD and Eurostat files in FOLDER into the workspace
benchmark COUNTRY    a country's figure year by year: published, or built from its regions
place PLACE          a place against its nation (country = 100): trend, closing, years to parity
cities               the eight case-study places against their nations, with dated practices
inequality           regional inequality within each country, ranked, with the UK's place
compare-units        whether the ranking survives TL2 regions and metropolitan units only
convergence          beta and sigma convergence within each country
synth PLACE          an exploratory synthetic control from comparable metros, with placebos
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from levelscope.cli.common import (
    CsvOption,
    SeedOption,
    WorkspaceOption,
    analysis_errors,
    console,
    handle_errors,
    open_workspace,
    print_frame,
    print_seed,
    write_frame,
)
from levelscope.cli.space import write_figure

if TYPE_CHECKING:
    from levelscope.data.international import InternationalLoad

international_app = typer.Typer(
    help="The four cities in numbers: places against their nations, the UK against its peers.",
    no_args_is_help=True,
)

UnitsOption = Annotated[str, typer.Option(
    "--units", help="Regions: tl3 (metropolitan TL3 regions merged), tl2, or metro (metropolitan "
    "units only).")]
IndicatorOption = Annotated[str, typer.Option(help="Indicator id.")]
AlphaOption = Annotated[float, typer.Option(help="Intervals have coverage 1 - alpha.")]
ChartOption = Annotated[Path | None, typer.Option(help="Write the chart (.html, or .png/.svg/.pdf).")]
PlaceArg = Annotated[str, typer.Argument(
    help="A case-study place (leipzig, cleveland, nantes, fukuoka, dudley, enfield, "
    "south_yorkshire, tees_valley), an OECD region code (UKE32), a functional urban area code "
    "(UK010M), a region's name, or codes separated by commas (combined by population).")]


def register(app: typer.Typer) -> None:
    """Add the ``international`` command group to the main CLI."""
    app.add_typer(international_app, name="international")


@international_app.command("load")
@handle_errors
def load(
    folder: Annotated[Path, typer.Argument(help="Folder holding the OECD and Eurostat files.")],
    workspace: WorkspaceOption = None,
) -> None:
    """Read the OECD and Eurostat regional files in FOLDER into the workspace (all or nothing per
    file; loading again changes nothing)."""
    from levelscope.data.international import load_international

    with open_workspace(workspace) as ws, console.status("reading the international files …"):
        report = load_international(ws, folder)
    if not report.files:
        raise typer.BadParameter(f"no international files in {folder}")
    print_load(report)
    if report.missing:
        console.print(f"not found: {', '.join(report.missing)}", highlight=False)


def print_load(report: InternationalLoad) -> None:
    """What loading international files registered and wrote, and how they were read."""
    console.print(f"{report.places:,} places; {report.values_written:,} values written", highlight=False)
    for item in report.imports:
        console.print(str(item), highlight=False)
    for note in report.notes:
        console.print(f"note: {note}", highlight=False)


@international_app.command("benchmark")
@handle_errors
def benchmark(
    country: Annotated[str, typer.Argument(help="ISO 3166 alpha-3 code, e.g. GBR.")],
    indicator: IndicatorOption = "oecd_gdp_per_head",
    csv: CsvOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """A country's figure year by year: the published figure, the one built from its regions
    (population-weighted), and which the benchmark is."""
    from levelscope.international import national_benchmark

    with open_workspace(workspace, read_only=True) as ws, analysis_errors():
        result = national_benchmark(ws, country.upper(), indicator)
    print_frame(result.table, title=f"National benchmark of {indicator}: {result.country_name}")
    console.print(result.summary().split("\n", 1)[-1], highlight=False)
    if csv is not None:
        write_frame(result.to_frame(), csv)


@international_app.command("place")
@handle_errors
def place(
    where: PlaceArg,
    indicator: IndicatorOption = "oecd_gdp_per_head",
    benchmark: Annotated[str | None, typer.Option(
        help="Indicator the nation's figure is read from (default: the same); it must be in the "
        "same unit, currency and prices.")] = None,
    start: Annotated[int | None, typer.Option(help="First year of the trend.")] = None,
    end: Annotated[int | None, typer.Option(help="Last year of the trend.")] = None,
    alpha: AlphaOption = 0.05,
    chart: ChartOption = None,
    csv: CsvOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """A place against its nation (country = 100): the gap's trend, its rate of closing and the
    years to parity at that pace, with an interval."""
    from levelscope.international import case_timeline, place_against_nation

    with open_workspace(workspace, read_only=True) as ws, analysis_errors():
        result = place_against_nation(ws, where, indicator, benchmark=benchmark, start=start, end=end,
                                      alpha=alpha)
    print_frame(result.table[["year", "value", "benchmark", "index", "benchmark_source"]],
                title=f"{result.place_name} against {result.country_name} ({result.country_name} = 100)")
    console.print(result.summary(), highlight=False)
    if chart is not None:
        timeline = case_timeline(result.case_id) if result.case_id else None
        write_figure(result.plot(timeline), chart)
    if csv is not None:
        write_frame(result.to_frame(), csv)


@international_app.command("cities")
@handle_errors
def cities(
    alpha: AlphaOption = 0.05,
    csv: CsvOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """The eight case-study places against their nations, with their dated practices."""
    from levelscope.international import lessons_from_four_cities

    with open_workspace(workspace, read_only=True) as ws, analysis_errors():
        result = lessons_from_four_cities(ws, alpha=alpha)
    table = result.to_frame()[["geography_name", "country", "latest_index", "slope", "closing",
                               "years_to_parity", "parity_lower", "parity_upper", "dated_items"]]
    print_frame(table, title="Lessons from four cities: GDP per head against the nation (nation = 100)")
    for case in result.cases:
        console.print(f"[bold]{case.name}[/bold]: "
                      + (case.trajectory.statement() if case.trajectory else f"no figures ({case.problem})"),
                      highlight=False)
        for event in case.timeline.events:
            placed = ", ".join(case.timeline.practice_titles.get(p, p) for p in event.practices)
            console.print(f"  {event.year}: {event.title[:90]}" + (f" — {placed}" if placed else ""),
                          highlight=False)
    if csv is not None:
        write_frame(result.to_frame(), csv)


@international_app.command("inequality")
@handle_errors
def inequality(
    measure: Annotated[str, typer.Option(help="williamson, gini, theil, theil_between, "
                                         "theil_within or between_share.")] = "theil",
    units: UnitsOption = "tl3",
    year: Annotated[int | None, typer.Option(help="Year of the ranking (default: the latest).")] = None,
    country: Annotated[str, typer.Option(help="The country whose place is followed.")] = "GBR",
    unweighted: Annotated[bool, typer.Option(help="Count each region once (as the OECD's Regional "
                                             "Outlook does) instead of by population.")] = False,
    n_resamples: Annotated[int, typer.Option(help="Bootstrap resamples per country (0: no "
                                             "intervals).")] = 999,
    seed: SeedOption = 0,
    alpha: AlphaOption = 0.05,
    chart: ChartOption = None,
    csv: CsvOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Regional inequality of GDP per head within each OECD country, ranked (1 = most unequal),
    with bootstrap intervals, and one country's place each year."""
    from levelscope.international import MAUP_NOTE, inequality_by_country

    with open_workspace(workspace, read_only=True) as ws, analysis_errors():
        result = inequality_by_country(ws, units=units, weighted=not unweighted,  # type: ignore[arg-type]
                                       n_resamples=n_resamples, alpha=alpha, seed=seed)
        if unweighted and measure == "williamson":
            measure = "cv"
        ranked = result.ranking(measure, year)
        place_of = result.place_of(country.upper(), measure)
    columns = ["rank", "country_name", "estimate", "lower", "upper", "rank_lower", "rank_upper",
               "n_regions"]
    print_frame(ranked[columns], title=f"{measure}, {int(ranked['year'].iloc[0])}, most unequal first")
    print_frame(place_of, title=f"{country.upper()}'s place each year (of {int(place_of['n_ranked'].max())})")
    if result.excluded:
        console.print("left out: " + "; ".join(f"{c} ({why})" for c, why in result.excluded.items()),
                      highlight=False)
    console.print(MAUP_NOTE, highlight=False)
    if n_resamples:
        print_seed(seed)
    if chart is not None:
        write_figure(result.plot(measure, year, country.upper()), chart)
    if csv is not None:
        write_frame(result.to_frame(), csv)


@international_app.command("compare-units")
@handle_errors
def compare_units(
    measure: Annotated[str, typer.Option(help="williamson, gini or theil.")] = "theil",
    year: Annotated[int | None, typer.Option(help="Year (default: the latest all have).")] = None,
    csv: CsvOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Does the ranking survive another cut? Ranks on TL3 regions, TL2 regions and metropolitan
    units only, side by side, with their rank correlations."""
    from levelscope.international import ranking_comparison

    with open_workspace(workspace, read_only=True) as ws, analysis_errors():
        result = ranking_comparison(ws, measure, year)
    print_frame(result.table, title=f"{measure} in {result.year}: rank on each cut (1 = most unequal)")
    console.print(result.summary().split("\n", 1)[-1], highlight=False)
    if csv is not None:
        write_frame(result.to_frame(), csv)


@international_app.command("convergence")
@handle_errors
def convergence(
    units: UnitsOption = "tl3",
    start: Annotated[int | None, typer.Option(help="First year.")] = None,
    end: Annotated[int | None, typer.Option(help="Last year.")] = None,
    alpha: AlphaOption = 0.05,
    csv: CsvOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Beta and sigma convergence of GDP per head within each OECD country."""
    from levelscope.international import convergence_by_country

    with open_workspace(workspace, read_only=True) as ws, analysis_errors():
        result = convergence_by_country(ws, units=units, start=start, end=end, alpha=alpha)  # type: ignore[arg-type]
    print_frame(result.table.drop(columns=["geography_code"]), title="Convergence within countries")
    console.print(result.summary().split("\n")[1], highlight=False)
    if csv is not None:
        write_frame(result.to_frame(), csv)


@international_app.command("synth")
@handle_errors
def synth(
    where: PlaceArg,
    start: Annotated[int, typer.Option(help="First year counted as 'after'.")],
    donors: Annotated[str, typer.Option(help="Donor metros: other-countries, own-country or all.")]
        = "other-countries",
    max_donors: Annotated[int, typer.Option(help="Donors kept (closest before the start).")] = 30,
    placebos: Annotated[bool, typer.Option(help="Run the in-space placebos.")] = True,
    chart: ChartOption = None,
    csv: CsvOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """EXPLORATORY: a synthetic control of a place's GDP per head from comparable metros, with
    in-space placebos and the pre-period fit."""
    from levelscope.international import case_timeline, exploratory_synthetic_control

    with open_workspace(workspace, read_only=True) as ws, analysis_errors():
        result = exploratory_synthetic_control(
            ws, where, start, donor_pool=donors.replace("-", "_"),  # type: ignore[arg-type]
            max_donors=max_donors, placebos=placebos)
    print_frame(result.weights()[["geography_name", "country", "weight"]].head(10),
                title=f"EXPLORATORY synthetic control of {result.place_name}: largest donor weights")
    console.print(result.summary(), highlight=False)
    if chart is not None:
        timeline = case_timeline(where) if where in _case_ids() else None
        write_figure(result.plot(timeline), chart)
    if csv is not None:
        write_frame(result.to_frame(), csv)


def _case_ids() -> tuple[str, ...]:
    from levelscope.international import CASE_PLACES

    return tuple(CASE_PLACES)
