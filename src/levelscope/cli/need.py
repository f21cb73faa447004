"""``levelscope need ...`` and ``levelscope funding ...``: need indices and funding versus need.

An index definition (YAML; ``need template`` writes an example) names the indicators; their
figures come from the workspace at ``--level`` (default: local authority districts), or from a
``--data`` file (CSV, wide — area code first, one column per indicator — or long, as ``levelscope
export`` writes it). Funding analyses take allocations (CSV/Excel), population (the workspace's
``population`` indicator by default) and need (a definition built on the fly, an indicator id, or
scores as ``need build --csv`` writes them). Area tables use the export's columns
(``geography_code``, ``value``); see :mod:`levelscope.cli.sources`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from levelscope import formatting
from levelscope.cli.common import (
    CellFormat,
    CsvOption,
    JsonOption,
    SeedOption,
    WorkspaceOption,
    console,
    handle_errors,
    open_workspace,
    print_frame,
    print_seed,
    show_table,
    write_frame,
)
from levelscope.cli.sources import (
    area_figures,
    build_from_workspace,
    is_definition,
    maybe_workspace,
    need_scores,
    needs_workspace,
    read_indicator_table,
)

if TYPE_CHECKING:
    import pandas as pd

    from levelscope.need.fund_analysis import FundAnalysis
    from levelscope.need.funding import FundingAnalysis
    from levelscope.need.index import CompositeIndex

DefinitionArg = Annotated[Path, typer.Argument(help="index definition (YAML)", exists=True)]
DataOption = Annotated[
    Path | None,
    typer.Option(help="indicator data (CSV, wide or long) instead of the workspace's figures",
                 exists=True, show_default=False),
]
LevelOption = Annotated[
    str, typer.Option("--level", "-l", help="level of the areas, when figures come from the workspace")
]
def _index(definition: Path, data: Path | None, level: str, workspace: Path | None) -> CompositeIndex:
    """The index of ``definition``, from ``data`` or from the workspace's figures at ``level``."""
    if data is not None:
        from levelscope.need.definition import IndexDefinition
        from levelscope.need.index import build_index

        return build_index(read_indicator_table(data), IndexDefinition.from_yaml(definition))
    with open_workspace(workspace, read_only=True) as ws:
        return build_from_workspace(definition, ws, level)


def _named(table: pd.DataFrame, workspace: Path | None, data: Path | None) -> pd.DataFrame:
    """``table`` with the areas' names beside their codes (from the workspace, when there is one)."""
    from levelscope.cli.common import area_names

    code = "geography_code" if "geography_code" in table.columns else "area"
    names = {} if data is not None and workspace is None else area_names(workspace)
    if not names:
        return table
    out = table.copy()
    out.insert(0, "name", [names.get(str(c), "") for c in out[code]])
    return out


AllocationsArg = Annotated[Path, typer.Argument(help="allocations (CSV/Excel)", exists=True)]
NeedOption = Annotated[
    str | None,
    typer.Option("--need", help="need: an index definition (.yaml, built from the workspace), a table "
                 "of scores (geography_code and value or score, as need build --csv writes), or an "
                 "indicator id of the workspace", show_default=False),
]
PopulationOption = Annotated[
    str, typer.Option(help="population: an indicator id of the workspace, or a table "
                      "(geography_code and value or population)")
]
NeedDefinitionOption = Annotated[
    Path | None, typer.Option("--definition", help="index definition (the same as --need DEFINITION)",
                              show_default=False)
]
GroupsOption = Annotated[int, typer.Option(help="need groups (5 = quintiles)")]
FundingResamplesOption = Annotated[
    int, typer.Option("--n-resamples", "--boot", help="bootstrap resamples (--boot is the old name)")
]
FundOption = Annotated[str, typer.Option(help="the fund in the register")]
SplitOption = Annotated[str, typer.Option(help="share a bid covering several districts 'equal'ly or by "
                                          "'population'")]
PopulationYearOption = Annotated[int | None, typer.Option(
    help="one population year for every round (default: the mid-year estimate before each round's "
    "announcement)", show_default=False)]


def analyse_allocations(
    allocations: Path, need_source: str | None, population: str, definition: Path | None,
    data: Path | None, level: str, workspace: Path | None, groups: int, n_resamples: int,
    seed: int | None,
) -> tuple[pd.DataFrame, pd.Series, FundingAnalysis]:
    """The allocations of a file, the areas' need categories, and the funding analysis, with need
    and population read as ``funding analyse`` reads them."""
    from levelscope.need.allocations import read_allocations
    from levelscope.need.funding import analyse_funding, need_groups

    source = need_source if need_source is not None else (str(definition) if definition else None)
    if source is None:
        raise typer.BadParameter("give --need: an index definition, scores or an indicator id")
    table = read_allocations(allocations)
    with maybe_workspace(workspace, needs_workspace(source, population, data=data)) as ws:
        if is_definition(source):
            index = (_index(Path(source), data, level, workspace) if ws is None
                     else build_from_workspace(Path(source), ws, level, data))
            need_series, categories = index.scores, index.categories
        else:
            need_series = need_scores(source, ws, level)
            categories = need_groups(need_series, groups)
        people = area_figures(population, ws, level, names=("value", "population"),
                              indicator="population")
    result = analyse_funding(table, need_series, people, n_groups=groups, n_resamples=n_resamples,
                             seed=seed)
    return table, categories, result


def fund_record(workspace: Path | None, fund: str, split: str, population_year: int | None,
                n_resamples: int, seed: int | None) -> FundAnalysis:
    """The analysis of ``fund``'s record in the workspace's funding register (``funding record``)."""
    from levelscope.need.fund_workspace import workspace_fund_analysis

    if split not in ("equal", "population"):
        raise typer.BadParameter("use equal or population", param_hint="--split")
    with open_workspace(workspace, read_only=True) as ws:
        return workspace_fund_analysis(ws, fund, split=split,  # type: ignore[arg-type]
                                       population_year=population_year,
                                       n_resamples=n_resamples, seed=seed)


def register(app: typer.Typer) -> None:
    """Add the ``need`` and ``funding`` command groups to ``app``."""
    need = typer.Typer(help="Composite need indices.", no_args_is_help=True)
    funding = typer.Typer(help="Funding versus need.", no_args_is_help=True)
    app.add_typer(need, name="need")
    app.add_typer(funding, name="funding")

    @need.command("validate")
    @handle_errors
    def validate(definition: DefinitionArg) -> None:
        """Check an index definition and show what it says."""
        from levelscope.need.definition import IndexDefinition

        spec = IndexDefinition.from_yaml(definition)
        console.print(
            f"[green]valid[/green]: {spec.name!r}, {len(spec.indicators)} indicators in "
            f"{len(spec.pillar_ids())} pillars; {spec.normalisation.method} normalisation, "
            f"{spec.weights.method} weights, {spec.aggregation.indicators}/"
            f"{spec.aggregation.pillars} aggregation"
        )

    @need.command("template")
    @handle_errors
    def template(
        out: Annotated[Path | None, typer.Option("--out", help="write it to this file")] = None,
    ) -> None:
        """Print (or write) an example index definition over the demo workspace's districts."""
        from levelscope.need.examples import EXAMPLE_DEFINITION

        if out is None:
            typer.echo(EXAMPLE_DEFINITION, nl=False)
        else:
            out.write_text(EXAMPLE_DEFINITION, encoding="utf-8")
            console.print(f"wrote {out}")

    @need.command("build")
    @handle_errors
    def build(
        definition: DefinitionArg,
        data: DataOption = None,
        level: LevelOption = "lad",
        workspace: WorkspaceOption = None,
        csv: CsvOption = None,
        json: JsonOption = None,
        top: Annotated[int, typer.Option(help="rows to show")] = 30,
        treatments: Annotated[bool, typer.Option(help="list every treatment applied")] = False,
    ) -> None:
        """Build the index: scores, ranks and categories.

        The indicators come from the workspace at --level, or from a --data file. --csv writes
        the scores with geography_code and score, as funding analyse --need reads them.
        """
        index = _index(definition, data, level, workspace)
        table = index.to_frame()
        print_frame(_named(table, workspace, data), title=index.name, limit=top)
        if csv or json:
            show_table(table, csv=csv, json=json)
        if treatments:
            print_frame(index.treatments, title="treatments")
        if len(index.excluded):
            from levelscope.cli.common import area_names
            from levelscope.formatting import area_label

            names = area_names(workspace) if data is None else {}
            console.print("excluded for low coverage: "
                          + ", ".join(area_label(str(c), names) for c in index.excluded.index),
                          highlight=False)

    @need.command("coherence")
    @handle_errors
    def coherence(
        definition: DefinitionArg,
        data: DataOption = None,
        level: LevelOption = "lad",
        workspace: WorkspaceOption = None,
    ) -> None:
        """Correlations, Cronbach's alpha and principal components of the index."""
        report = _index(definition, data, level, workspace).coherence()
        print_frame(report.pillars.reset_index(), title="pillars")
        print_frame(report.to_frame(), title="indicators")
        weak = report.weak_indicators()
        console.print(f"weakly correlated with their pillar: {', '.join(weak) or 'none'}")

    @need.command("uncertainty")
    @handle_errors
    def uncertainty(
        definition: DefinitionArg,
        data: DataOption = None,
        level: LevelOption = "lad",
        workspace: WorkspaceOption = None,
        n_resamples: Annotated[
            int, typer.Option("--n-resamples", "--n", help="base sample size N of the Monte Carlo "
                              "runs (--n is the old name)")
        ] = 1000,
        seed: SeedOption = 0,
        csv: CsvOption = None,
        top: Annotated[int, typer.Option(help="rows to show")] = 30,
    ) -> None:
        """Monte Carlo rank intervals and Sobol indices of the methodological choices."""
        from levelscope.need.definition import IndexDefinition
        from levelscope.need.examples import workspace_indicators
        from levelscope.need.uncertainty import run_uncertainty

        spec = IndexDefinition.from_yaml(definition)
        if data is not None:
            frame = read_indicator_table(data)
        else:
            with open_workspace(workspace, read_only=True) as ws:
                frame = workspace_indicators(ws, spec, level)
        result = run_uncertainty(frame, spec, n_resamples=n_resamples, seed=seed)
        print_frame(result.sobol.reset_index(names="factor"), title="Sobol indices")
        print_frame(_named(result.to_frame(), workspace, data),
                    title=f"rank intervals ({result.n_runs:,} runs)", limit=top)
        print_seed(seed)
        if csv:
            write_frame(result.to_frame(), csv)

    @funding.command("check")
    @handle_errors
    def check(
        allocations: Annotated[Path, typer.Argument(help="allocations (CSV/Excel)", exists=True)],
    ) -> None:
        """Validate an allocations file and show totals by programme and round."""
        from levelscope.need.allocations import read_allocations

        table = read_allocations(allocations)
        totals = table.groupby(["programme", "round"], as_index=False).agg(
            rows=("amount", "size"), amount=("amount", "sum")
        )
        print_frame(totals, title=f"{allocations.name}: {len(table)} rows, valid",
                    formats={"amount": formatting.money})

    @funding.command("analyse")
    @handle_errors
    def analyse(
        allocations: AllocationsArg,
        need_source: NeedOption = None,
        population: PopulationOption = "population",
        definition: NeedDefinitionOption = None,
        data: DataOption = None,
        level: LevelOption = "lad",
        workspace: WorkspaceOption = None,
        groups: GroupsOption = 5,
        n_resamples: FundingResamplesOption = 2000,
        seed: SeedOption = 0,
        csv: CsvOption = None,
    ) -> None:
        """Did funding go where need is? Concentration, shares, the finding, rounds.

        Need and population come from the workspace unless files are given: e.g. --need need.yaml
        builds the index over the workspace's districts, and population is the workspace's
        latest estimate for each area.
        """
        from levelscope.need.funding import success_rates

        table, categories, result = analyse_allocations(
            allocations, need_source, population, definition, data, level, workspace, groups,
            n_resamples, seed)
        console.print(result.finding.text if result.finding else result.note, highlight=False)
        console.print(
            f"concentration index (people): {result.concentration.index:.4f}; "
            f"(areas): {result.concentration_by_area.index:.4f} "
            "(negative = concentrated in the most-needy areas)"
        )
        money = {c: formatting.money for c in ("funding", "amount", "per_head", "total")}
        shares: dict[str, CellFormat] = {
            c: formatting.share for c in ("rate", "rate_lower", "rate_upper", "share_of_funding",
                                          "share_of_population", "most_needy_share")
        }
        print_frame(result.groups.reset_index(), title="need groups (1 = most needy)",
                    formats={**money, **shares})
        print_frame(result.rounds, title="rounds", formats={**money, **shares})
        if table["outcome"].notna().any():
            rates = success_rates(table, categories)
            print_frame(rates.reset_index(), title="success rates of bids by need category",
                        formats=shares)
        print_seed(seed)
        if csv:
            write_frame(result.to_frame(), csv)

    register_fund_commands(funding)


def register_fund_commands(funding: typer.Typer) -> None:
    """``funding import``, ``funding register`` and ``funding record``: a fund's real record."""

    @funding.command("import")
    @handle_errors
    def import_allocations(
        file: Annotated[Path, typer.Argument(help="a published Levelling Up Fund list, or a plain "
                                              "allocations table (CSV/Excel)", exists=True)],
        round_: Annotated[str | None, typer.Option("--round", help="the Levelling Up Fund round "
                                                   "(default: read from the file name)",
                                                   show_default=False)] = None,
        vintage: Annotated[str | None, typer.Option(help="release date of these figures "
                                                    "(YYYY-MM-DD; default: the announcement)",
                                                    show_default=False)] = None,
        source: Annotated[str | None, typer.Option(help="who published them", show_default=False)] = None,
        workspace: WorkspaceOption = None,
    ) -> None:
        """Store allocations in the workspace's funding register (validated, all or nothing).

        A file with the columns of the Levelling Up Fund lists (Bid Value, LADs) is read as
        published; any other is read as a plain table (fund, round, announced, amount,
        geography_code, and optionally lead_applicant, bid_name, outcome, notes). Importing the
        same file again changes nothing; a corrected list needs a later --vintage.
        """
        import datetime as dt

        from levelscope.data.funding.readers import read_allocation_table, read_luf_bids
        from levelscope.data.funding.register import store_allocations

        head = file.read_text(encoding="utf-8-sig", errors="replace").split("\n", 1)[0].lower()
        is_luf = file.suffix.lower() == ".csv" and "bid value" in head and "lads" in head
        table = read_luf_bids(file, round=round_) if is_luf else read_allocation_table(file)
        with open_workspace(workspace) as ws:
            report = store_allocations(ws, table, file=file.name, source=source,
                                       vintage=dt.date.fromisoformat(vintage) if vintage else None)
        console.print(str(report), highlight=False)

    @funding.command("register")
    @handle_errors
    def register_listing(
        fund: Annotated[str | None, typer.Option(help="list this fund's allocations")] = None,
        workspace: WorkspaceOption = None,
        csv: CsvOption = None,
        json: JsonOption = None,
    ) -> None:
        """What the funding register holds: bids and money per fund and round, or one fund's bids."""
        from levelscope.data.funding.register import read_register, register_summary

        with open_workspace(workspace, read_only=True) as ws:
            if fund is None:
                table = register_summary(ws)
            else:
                table = read_register(ws, fund=fund)
                table["areas"] = table["areas"].map(";".join)
        show_table(table, title="funding register", csv=csv, json=json,
                   formats={"amount": formatting.money})

    @funding.command("record")
    @handle_errors
    def record(
        fund: FundOption = "Levelling Up Fund",
        split: SplitOption = "equal",
        population_year: PopulationYearOption = None,
        by: Annotated[list[str] | None, typer.Option(
            help="tables to show: country, region, priority_category, imd_decile, imd_quintile, "
            "need_quintile (default: region and priority_category)", show_default=False)] = None,
        n_resamples: Annotated[int, typer.Option("--n-resamples", help="bootstrap resamples")] = 2000,
        seed: SeedOption = 0,
        workspace: WorkspaceOption = None,
        csv: CsvOption = None,
        json: JsonOption = None,
    ) -> None:
        """Did the fund go where need is? Funding per head by region and priority category,
        concentration against deprivation, sensitivity to bid sharing, the counterfactual.

        --csv / --json write the table of areas (geography_code, amounts and per head by round).
        """
        import pandas as pd

        result = fund_record(workspace, fund, split, population_year, n_resamples, seed)
        for line in result.findings:
            console.print(line, highlight=False)
        money: dict[str, CellFormat] = {c: formatting.money for c in ("amount", "per_head")}
        shares: dict[str, CellFormat] = {c: formatting.share for c in (
            "share_of_funding", "share_of_population", "share_of_need")}
        for grouping in by or ["region", "priority_category"]:
            if grouping in result.tables:
                table = result.table(grouping)[["group", "n_areas", "amount", "per_head",
                                                "share_of_funding", "share_of_population", "share_of_need"]]
                print_frame(table, title=f"by {grouping.replace('_', ' ')}, all rounds",
                            formats={**money, **shares})
        print_frame(result.concentration, title="concentration index (negative = towards the most needy)")
        print_frame(pd.DataFrame(result.method, columns=["choice", "made"]), title="method")
        if len(result.unplaced):
            print_frame(result.unplaced, title="bids not placed on the analysis areas",
                        formats={"amount": formatting.money})
        print_seed(seed)
        if csv or json:
            show_table(result.to_frame(), csv=csv, json=json)
