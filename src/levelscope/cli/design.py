"""``levelscope design``: the success-factor framework, the case studies and assessments.

Commands
--------
framework            list the factors, weights and criteria (``--json-schema`` for the file schema)
cases [CASE]         list the case-study places, or show one with its cited facts
template             print (or ``--out``) a blank questionnaire
assess FILE          score a filled-in questionnaire; ``--html`` writes the report
compare A B          did the score improve from assessment A to assessment B?
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from levelscope import design
from levelscope.design.case_studies import Citation
from levelscope.errors import ValidationError

T = TypeVar("T")
console = Console()
design_app = typer.Typer(
    help="Success factors, case studies and strategy assessments.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Add the ``design`` command group to the main CLI."""
    app.add_typer(design_app, name="design")


@design_app.command("framework")
def show_framework(
    json_schema: Annotated[
        bool, typer.Option("--json-schema", help="Print the file's JSON Schema.")
    ] = False,
) -> None:
    """List the success factors with their weights and criteria."""
    if json_schema:
        typer.echo(json.dumps(design.framework_json_schema(), indent=2))
        return
    fw = design.load_framework()
    table = Table(title=f"{fw.title} (v{fw.version}, {fw.date})")
    for column in ("id", "factor", "weight", "criteria"):
        table.add_column(column)
    for f in fw.factors:
        table.add_row(f.id, f.name, f"{f.weight:g}", str(len(f.criteria)))
    console.print(table)


@design_app.command("cases")
def show_cases(
    case_id: Annotated[str | None, typer.Argument(help="Show one case in full.")] = None,
) -> None:
    """List the case-study places, or show one with its facts and citations."""
    fw = design.load_framework()
    library = design.load_case_studies(framework=fw)
    if case_id is None:
        table = Table(title=f"Case-study library v{library.version}")
        for column in ("id", "place", "country", "study", "practices"):
            table.add_column(column)
        for c in library.cases:
            table.add_row(c.id, c.name, c.country, c.study, str(len(c.practices)))
        console.print(table)
        return
    case = _or_exit(lambda: library.case(case_id))
    console.print(f"[bold]{case.name}[/bold] ({case.country}, {case.study})")
    groups = [
        ("Context", case.context.facts),
        ("Institutions", case.institutions),
        ("Sectors", case.sectors),
        ("Outcomes", case.outcomes),
        ("Challenges", case.challenges),
    ]
    for title, facts in groups:
        if facts:
            console.print(f"\n[bold]{title}[/bold]")
            for fact in facts:
                console.print(f"- {fact.text} [dim]({_cite(fact.citations)})[/dim]")
    for programme in case.programmes:
        console.print(f"\n[bold]Programme:[/bold] {programme.name}: {programme.description}")
    console.print("\n[bold]Practices[/bold]")
    for p in case.practices:
        console.print(f"- {p.title} -> {', '.join(p.factors)} [dim]({_cite(p.citations)})[/dim]")


@design_app.command("template")
def template(
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file.")] = None,
    strategy: Annotated[str, typer.Option(help="Strategy name to prefill.")] = "",
    place_code: Annotated[str, typer.Option(help="Place code to prefill.")] = "",
) -> None:
    """Print a blank questionnaire (YAML) to fill in."""
    text = design.blank_template(design.load_framework(), strategy=strategy, place_code=place_code)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")


@design_app.command("assess")
def assess(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Filled-in questionnaire.")
    ],
    html: Annotated[Path | None, typer.Option("--html", help="Write the HTML report here.")] = None,
    threshold: Annotated[float, typer.Option(help="Factors scoring below this are gaps.")] = 75.0,
) -> None:
    """Score a questionnaire: overall and factor scores, weakest factors, practices for gaps."""
    fw = design.load_framework()
    assessment = _or_exit(lambda: design.load_submission(file, fw))
    result = design.score(assessment, fw)
    recommendations = design.recommend(
        result, design.load_case_studies(framework=fw), assessment.context, threshold=threshold
    )
    console.print(result.summary())
    console.print("\n[bold]Practices for the gaps[/bold]")
    console.print(recommendations.summary())
    if html is not None:
        design.write_assessment_html(html, result, recommendations)
        console.print(f"\nwrote {html}")


@design_app.command("compare")
def compare(
    before: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Earlier questionnaire.")
    ],
    after: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Later questionnaire.")
    ],
) -> None:
    """Compare two assessments of the same place: did the score improve?"""
    fw = design.load_framework()
    results = [design.score(_load(path, fw), fw) for path in (before, after)]
    comparison = _or_exit(lambda: design.compare(results[0], results[1]))
    console.print(comparison.summary())


def _load(path: Path, fw: design.Framework) -> design.Assessment:
    return _or_exit(lambda: design.load_submission(path, fw))


def _cite(citations: tuple[Citation, ...]) -> str:
    return "; ".join(f"{c.ref}, {c.section}" for c in citations)


def _or_exit(action: Callable[[], T]) -> T:
    try:
        return action()
    except (ValidationError, LookupError) as exc:
        console.print(f"[red]{exc}[/red]", highlight=False)
        raise typer.Exit(code=1) from exc
