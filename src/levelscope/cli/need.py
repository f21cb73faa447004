"""``levelscope need ...`` and ``levelscope funding ...``: need indices and funding versus need.

Both groups work from files: an index definition (YAML), indicator data (CSV, either wide —
first column the area code, one column per indicator — or the long observation layout with
``geography_code``, ``indicator_id``, ``value``), allocations (CSV/Excel) and population (CSV
with the area code first and a ``population`` column).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from levelscope import formatting
from levelscope.cli.common import CellFormat, console, handle_errors, print_frame, write_frame
from levelscope.errors import Problem, ValidationError
from levelscope.need.allocations import read_allocations
from levelscope.need.definition import IndexDefinition
from levelscope.need.funding import analyse_funding, need_groups, success_rates
from levelscope.need.index import build_index, pivot_observations
from levelscope.need.uncertainty import run_uncertainty

DefinitionArg = Annotated[Path, typer.Argument(help="index definition (YAML)", exists=True)]
DataArg = Annotated[Path, typer.Argument(help="indicator data (CSV, wide or long)", exists=True)]
CsvOption = Annotated[Path | None, typer.Option("--csv", help="also write the table here")]


def read_indicator_table(path: Path) -> pd.DataFrame:
    """Indicator data from a CSV file, wide (area code first) or long (observations)."""
    table = pd.read_csv(path, dtype={0: str})
    if {"geography_code", "indicator_id", "value"} <= set(table.columns):
        return pivot_observations(table)
    first = table.columns[0]
    table[first] = table[first].astype(str)
    return table.set_index(first)


def read_population(path: Path) -> pd.Series:
    """Population by area from a CSV whose first column is the area code."""
    table = pd.read_csv(path, dtype={0: str})
    if "population" not in table.columns:
        raise ValidationError(Problem("no 'population' column", file=path.name, column="population"))
    return table.set_index(table.columns[0])["population"].astype(float)


def read_need(path: Path) -> pd.Series:
    """Need scores by area from a CSV with ``geography_code`` and ``score`` columns (as ``need
    build`` writes; ``area`` is read as the area column of files written before)."""
    table = pd.read_csv(path, dtype={"geography_code": str, "area": str})
    code = "geography_code" if "geography_code" in table.columns or "area" not in table.columns else "area"
    absent = [c for c in (code, "score") if c not in table.columns]
    if absent:
        raise ValidationError([Problem("column missing", file=path.name, column=c) for c in absent])
    return table.set_index(code)["score"].astype(float)


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
        spec = IndexDefinition.from_yaml(definition)
        console.print(
            f"[green]valid[/green]: {spec.name!r}, {len(spec.indicators)} indicators in "
            f"{len(spec.pillar_ids())} pillars; {spec.normalisation.method} normalisation, "
            f"{spec.weights.method} weights, {spec.aggregation.indicators}/"
            f"{spec.aggregation.pillars} aggregation"
        )

    @need.command("build")
    @handle_errors
    def build(
        definition: DefinitionArg,
        data: DataArg,
        csv: CsvOption = None,
        top: Annotated[int, typer.Option(help="rows to show")] = 30,
        treatments: Annotated[bool, typer.Option(help="list every treatment applied")] = False,
    ) -> None:
        """Build the index: scores, ranks and categories."""
        index = build_index(read_indicator_table(data), IndexDefinition.from_yaml(definition))
        table = index.to_frame()
        print_frame(table, title=index.name, limit=top)
        if treatments:
            print_frame(index.treatments, title="treatments")
        if len(index.excluded):
            console.print(f"excluded for low coverage: {', '.join(index.excluded.index)}")
        if csv:
            write_frame(table, csv)

    @need.command("coherence")
    @handle_errors
    def coherence(definition: DefinitionArg, data: DataArg) -> None:
        """Correlations, Cronbach's alpha and principal components of the index."""
        index = build_index(read_indicator_table(data), IndexDefinition.from_yaml(definition))
        report = index.coherence()
        print_frame(report.pillars.reset_index(), title="pillars")
        print_frame(report.to_frame(), title="indicators")
        weak = report.weak_indicators()
        console.print(f"weakly correlated with their pillar: {', '.join(weak) or 'none'}")

    @need.command("uncertainty")
    @handle_errors
    def uncertainty(
        definition: DefinitionArg,
        data: DataArg,
        n: Annotated[int, typer.Option(help="base sample size N")] = 1000,
        seed: Annotated[int, typer.Option(help="random seed")] = 0,
        csv: CsvOption = None,
        top: Annotated[int, typer.Option(help="rows to show")] = 30,
    ) -> None:
        """Monte Carlo rank intervals and Sobol indices of the methodological choices."""
        result = run_uncertainty(
            read_indicator_table(data), IndexDefinition.from_yaml(definition), n_resamples=n, seed=seed
        )
        print_frame(result.sobol.reset_index(names="factor"), title="Sobol indices")
        print_frame(result.to_frame(), title=f"rank intervals ({result.n_runs} runs)", limit=top)
        if csv:
            write_frame(result.to_frame(), csv)

    @funding.command("check")
    @handle_errors
    def check(
        allocations: Annotated[Path, typer.Argument(help="allocations (CSV/Excel)", exists=True)],
    ) -> None:
        """Validate an allocations file and show totals by programme and round."""
        table = read_allocations(allocations)
        totals = table.groupby(["programme", "round"], as_index=False).agg(
            rows=("amount", "size"), amount=("amount", "sum")
        )
        print_frame(totals, title=f"{allocations.name}: {len(table)} rows, valid")

    @funding.command("analyse")
    @handle_errors
    def analyse(
        allocations: Annotated[Path, typer.Argument(help="allocations (CSV/Excel)", exists=True)],
        population: Annotated[Path, typer.Option(help="population CSV", exists=True)],
        need_scores: Annotated[
            Path | None, typer.Option("--need", help="need scores CSV (area, score)")
        ] = None,
        definition: Annotated[Path | None, typer.Option(help="index definition, with --data")] = None,
        data: Annotated[Path | None, typer.Option(help="indicator data for --definition")] = None,
        groups: Annotated[int, typer.Option(help="need groups (5 = quintiles)")] = 5,
        boot: Annotated[int, typer.Option(help="bootstrap replications")] = 2000,
        seed: Annotated[int, typer.Option(help="random seed")] = 0,
        csv: CsvOption = None,
    ) -> None:
        """Did funding go where need is? Concentration, shares, the finding, rounds."""
        if need_scores is not None:
            need_series = read_need(need_scores)
            categories = need_groups(need_series, groups)
        elif definition is not None and data is not None:
            index = build_index(read_indicator_table(data), IndexDefinition.from_yaml(definition))
            need_series, categories = index.scores, index.categories
        else:
            raise typer.BadParameter("give --need, or --definition with --data")
        table = read_allocations(allocations)
        result = analyse_funding(
            table,
            need_series,
            read_population(population),
            n_groups=groups,
            n_resamples=boot,
            seed=seed,
        )
        console.print(result.finding.text if result.finding else result.note)
        console.print(
            f"concentration index (people): {result.concentration.index:.4f}; "
            f"(areas): {result.concentration_by_area.index:.4f} "
            "(negative = concentrated in the most-needy areas)"
        )
        print_frame(result.groups.reset_index(), title="need groups (1 = most needy)")
        print_frame(result.rounds, title="rounds")
        if table["outcome"].notna().any():
            rates = success_rates(table, categories)
            shares: dict[str, CellFormat] = {
                c: formatting.share for c in ("rate", "rate_low", "rate_high")
            }
            print_frame(rates.reset_index(), title="success rates of bids by need category",
                        formats=shares)
        if csv:
            write_frame(result.to_frame(), csv)
