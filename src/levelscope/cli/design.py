"""``levelscope design``: the success-factor framework, the case studies and assessments.

Commands
--------
framework            list the factors, weights and criteria (``--json-schema`` for the file schema)
cases [--case ID]    list the case-study places, or show one with its cited facts
template             print (or ``--out``) a blank questionnaire
assess FILE          score a filled-in questionnaire; ``--html`` writes the strategy report
compare A B          did the score improve from assessment A to assessment B?
save FILE            score a questionnaire and save it as the next revision (``--evidence`` reads
                     the programme records for evidenced monitoring and funding scores)
history [--place P]  saved assessments, oldest first, with their overall scores
compare-saved A B    compare two saved assessments by id, factor by factor

Saved assessments live in the records database: ``--records-url`` or ``LEVELSCOPE_RECORDS_URL`` or the
default SQLite file (see :func:`levelscope.records.db.default_url`).
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console

from levelscope.cli.common import (
    EXIT_INVALID,
    EXIT_NOT_FOUND,
    CsvOption,
    JsonOption,
    RecordsUrlOption,
    WorkspaceOption,
    area_codes,
    area_names,
    show_table,
)
from levelscope.errors import LevelscopeError, NotFoundError

if TYPE_CHECKING:
    from levelscope import design
    from levelscope.design.case_studies import Citation

# The framework, the records database and pandas are imported inside each command, so that
# --help stays quick.

T = TypeVar("T")
Db = RecordsUrlOption
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
    csv: CsvOption = None,
    json_file: JsonOption = None,
) -> None:
    """List the success factors with their weights and criteria."""
    import pandas as pd

    from levelscope import design

    if json_schema:
        typer.echo(json.dumps(design.framework_json_schema(), indent=2))
        return
    fw = design.load_framework()
    frame = pd.DataFrame(
        [{"id": f.id, "factor": f.name, "weight": f.weight, "criteria": len(f.criteria)}
         for f in fw.factors]
    )
    show_table(frame, f"{fw.title} (v{fw.version}, {fw.date})", csv=csv, json=json_file)


@design_app.command("cases")
def show_cases(
    case_id: Annotated[
        str | None, typer.Option("--case", help="Show this case in full (its id, e.g. leipzig).")
    ] = None,
    csv: CsvOption = None,
    json_file: JsonOption = None,
) -> None:
    """List the case-study places, or show one with its facts and citations."""
    import pandas as pd

    from levelscope import design

    fw = design.load_framework()
    library = design.load_case_studies(framework=fw)
    if case_id is None:
        frame = pd.DataFrame(
            [{"id": c.id, "place": c.name, "country": c.country, "study": c.study,
              "practices": len(c.practices)} for c in library.cases]
        )
        show_table(frame, f"Case-study library v{library.version}", csv=csv, json=json_file)
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
    place: Annotated[
        str, typer.Option("--place", "--place-code", help="Place to prefill, by code or (with a "
                          "workspace) by name. --place-code is the old name.")
    ] = "",
    workspace: WorkspaceOption = None,
) -> None:
    """Print a blank questionnaire (YAML) to fill in."""
    from levelscope import design

    place_code = area_codes(workspace, [place])[0] if place else ""
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
    html: Annotated[Path | None, typer.Option(
        "--html", help="Write the strategy assessment report here, as one self-contained HTML file "
        "(the same report as `levelscope report strategy`, which also writes a PDF).",
        show_default=False)] = None,
    threshold: Annotated[float, typer.Option(help="Factors scoring below this are gaps.")] = 75.0,
) -> None:
    """Score a questionnaire: overall and factor scores, weakest factors, practices for gaps."""
    from levelscope import design
    from levelscope.report import strategy_report

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
        html.write_text(strategy_report(result, recommendations).html(), encoding="utf-8")
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
    from levelscope import design

    fw = design.load_framework()
    results = [design.score(_load(path, fw), fw) for path in (before, after)]
    comparison = _or_exit(lambda: design.compare(results[0], results[1]))
    console.print(comparison.summary())


@design_app.command("save")
def save(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Filled-in questionnaire.")
    ],
    db: Db = None,
    evidence: Annotated[
        bool,
        typer.Option(
            "--evidence",
            help="Replace the monitoring and funding answers by scores evidenced from the "
            "programme records of the place.",
        ),
    ] = False,
    note: Annotated[str, typer.Option(help="A note kept with this revision.")] = "",
) -> None:
    """Score a questionnaire and save it as the next revision of its strategy for its place."""
    from levelscope import design
    from levelscope.design import saved as saved_assessments
    from levelscope.design.evidence import evidence_from_records
    from levelscope.records.db import connect, transaction

    fw = design.load_framework()
    assessment = _load(file, fw)
    with transaction(connect(db), actor=_actor()) as session:
        if evidence:
            assessment = evidence_from_records(session, assessment, year=assessment.date.year)
        saved = _or_exit(lambda: saved_assessments.save_assessment(session, assessment, fw, note=note))
        console.print(
            f"saved assessment {saved.id}: {saved.strategy!r} for {saved.place_code}, "
            f"revision {saved.revision}, overall {saved.overall:.1f}"
        )


@design_app.command("history")
def history(
    place: Annotated[
        str | None, typer.Option(help="Only this place, by code or (with a workspace) by name.")
    ] = None,
    strategy: Annotated[str | None, typer.Option(help="Only this strategy.")] = None,
    db: Db = None,
    workspace: WorkspaceOption = None,
    csv: CsvOption = None,
    json_file: JsonOption = None,
) -> None:
    """List saved assessments, oldest first, with their overall scores."""
    import pandas as pd

    from levelscope.design import saved as saved_assessments
    from levelscope.records.db import connect, transaction

    place_code = area_codes(workspace, [place])[0] if place else None
    with transaction(connect(db), actor=_actor()) as session:
        rows = saved_assessments.history_rows(
            saved_assessments.assessment_history(session, place_code, strategy)
        )
    if not rows:
        console.print("no saved assessments")
        return
    names = area_names(workspace)
    frame = pd.DataFrame(rows)[["id", "place_code", "strategy", "revision", "assessed_on", "overall"]]
    frame.insert(1, "place", [names.get(code, "") for code in frame["place_code"]])
    show_table(frame, "Saved assessments", csv=csv, json=json_file,
               formats={"overall": lambda v: f"{v:.1f}"})


@design_app.command("compare-saved")
def compare_saved(
    before: Annotated[int, typer.Argument(help="Id of the earlier saved assessment.")],
    after: Annotated[int, typer.Argument(help="Id of the later saved assessment.")],
    db: Db = None,
) -> None:
    """Compare two saved assessments of the same place: did the score improve?"""
    from levelscope import design
    from levelscope.design import saved as saved_assessments
    from levelscope.records.db import connect, transaction

    fw = design.load_framework()
    with transaction(connect(db), actor=_actor()) as session:
        comparison = _or_exit(lambda: saved_assessments.compare_saved(session, before, after, fw))
    console.print(comparison.summary())


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _load(path: Path, fw: design.Framework) -> design.Assessment:
    from levelscope import design

    return _or_exit(lambda: design.load_submission(path, fw))


def _cite(citations: tuple[Citation, ...]) -> str:
    return "; ".join(f"{c.ref}, {c.section}" for c in citations)


def _or_exit(action: Callable[[], T]) -> T:
    """Run ``action``; report a levelscope error and exit (3 when not found, otherwise 1)."""
    try:
        return action()
    except (LevelscopeError, LookupError) as exc:
        console.print(f"[red]{exc}[/red]", highlight=False)
        code = EXIT_NOT_FOUND if isinstance(exc, NotFoundError) else EXIT_INVALID
        raise typer.Exit(code=code) from exc
