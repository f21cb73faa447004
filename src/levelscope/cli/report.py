"""``levelscope report``: briefings to share, as a self-contained HTML file or an A4 PDF.

Each kind of report is a subcommand; each writes ``--html FILE``, ``--pdf FILE`` or both. The
reports are built by :mod:`levelscope.report` (imported when a command runs, so that loading this
module for ``--help`` stays quick).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from levelscope.cli.common import (
    EXIT_INVALID,
    RecordsUrlOption,
    SeedOption,
    WorkspaceOption,
    area_names,
    console,
    errors,
    handle_errors,
    open_workspace,
)
from levelscope.cli.need import (
    DataOption,
    FundingResamplesOption,
    FundOption,
    GroupsOption,
    LevelOption,
    NeedDefinitionOption,
    NeedOption,
    PopulationOption,
    PopulationYearOption,
    SplitOption,
    analyse_allocations,
    fund_record,
)

if TYPE_CHECKING:
    from levelscope.report import Report
    from levelscope.report.pdf import PrintJob

HtmlOption = Annotated[
    Path | None,
    typer.Option("--html", help="Write the report as one self-contained HTML file.", show_default=False),
]
PdfOption = Annotated[
    Path | None,
    typer.Option("--pdf", help="Write the report as an A4 PDF (needs Chromium).", show_default=False),
]


def _check_outputs(html: Path | None, pdf: Path | None) -> None:
    if html is None and pdf is None:
        errors.print("[red]Nothing to write[/red]: give --html FILE, --pdf FILE or both")
        raise typer.Exit(EXIT_INVALID)


@contextmanager
def _printing(pdf: Path | None) -> Iterator[PrintJob | None]:
    """Chromium, started now if a PDF is wanted, so that it starts up while the report is gathered
    (None if no PDF is wanted, or there is no Chromium: :func:`_write` then says so)."""
    from levelscope.report import PdfError, start_printing

    if pdf is None:
        yield None
        return
    try:
        job = start_printing()
    except PdfError:
        yield None
        return
    with job:
        yield job


def _write(report: Report, html: Path | None, pdf: Path | None, job: PrintJob | None = None) -> None:
    from levelscope.report import PdfError

    if html is not None:
        html.write_text(report.html(), encoding="utf-8")
        console.print(f"wrote {html}")
    if pdf is not None:
        try:
            pdf.write_bytes(report.pdf(job))
        except PdfError as exc:
            errors.print(f"[red]No PDF[/red]: {exc}", highlight=False)
            raise typer.Exit(EXIT_INVALID) from None
        console.print(f"wrote {pdf}")


def register(app: typer.Typer) -> None:
    """Add the ``report`` group to ``app``."""
    group = typer.Typer(help="Reports to share: briefings as self-contained HTML or A4 PDF.",
                        no_args_is_help=True)
    app.add_typer(group, name="report")

    @group.command("area")
    @handle_errors
    def area(
        place: Annotated[str, typer.Argument(help="area code or name, e.g. E08000025 or Birmingham")],
        html: HtmlOption = None,
        pdf: PdfOption = None,
        k: Annotated[int, typer.Option("--peers", min=1, max=50,
                                       help="How many nearest neighbours to compare with.")] = 10,
        workspace: WorkspaceOption = None,
    ) -> None:
        """An area briefing: the area against the median and its peers on every indicator, with
        intervals; its trends, its place on the map and the inequality around it; methods and
        sources.

        Example: levelscope report area E08000025 --pdf birmingham.pdf --html birmingham.html
        """
        _check_outputs(html, pdf)
        with _printing(pdf) as job:
            # imported once Chromium is starting: loading the analyses takes a second of its own
            from levelscope.data.area_search import find_area
            from levelscope.report import area_briefing

            with open_workspace(workspace, read_only=True) as ws, console.status("gathering the figures …"):
                report = area_briefing(ws, find_area(ws, place).code, k=k)
            _write(report, html, pdf, job)

    @group.command("programme")
    @handle_errors
    def programme(
        programme_id: Annotated[int, typer.Argument(help="programme id (see `programme list`)")],
        html: HtmlOption = None,
        pdf: PdfOption = None,
        db: RecordsUrlOption = None,
        workspace: WorkspaceOption = None,
    ) -> None:
        """A programme monitoring report: logic model, each indicator's status with its rule,
        spend against plan, value for money (the four Es), the Green Book appraisal with
        switching values; methods and sources. Places are named from the workspace if there is
        one.

        Example: levelscope report programme 1 --pdf programme.pdf
        """
        from levelscope.monitor.programmes import get_programme
        from levelscope.records.db import connect, transaction
        from levelscope.report import programme_report

        _check_outputs(html, pdf)
        with _printing(pdf) as job:
            with transaction(connect(db), "cli:report") as session:
                report = programme_report(session, get_programme(session, programme_id),
                                          names=area_names(workspace))
            _write(report, html, pdf, job)

    @group.command("evaluation")
    @handle_errors
    def evaluation(
        indicator: Annotated[str, typer.Argument(help="indicator id, e.g. gva_per_hour_worked")],
        treated: Annotated[list[str], typer.Option("--treated", "-t",
                                                   help="treated area, by code or name (repeat)")],
        start: Annotated[str, typer.Option(help="first affected year or period, e.g. 2015")],
        html: HtmlOption = None,
        pdf: PdfOption = None,
        method: Annotated[str, typer.Option(help="synth, sdid or did")] = "synth",
        placebos: Annotated[bool, typer.Option(help="In-space placebos for a p-value (synth).")] = True,
        exclude_neighbours: Annotated[bool, typer.Option(
            help="Keep areas touching a treated area out of the comparison group.")] = False,
        workspace: WorkspaceOption = None,
    ) -> None:
        """An evaluation report: the synthetic control or difference-in-differences estimate for
        the treated areas from --start, its fit before the policy, placebo inference and the
        verdict in words; methods and sources.

        Example: levelscope report evaluation gva_per_hour_worked -t TLG31 --start 2015 --pdf ev.pdf
        """
        from levelscope.cli.common import analysis_errors

        if method not in ("synth", "sdid", "did"):
            raise typer.BadParameter("--method must be synth, sdid or did")
        _check_outputs(html, pdf)
        with _printing(pdf) as job:
            from levelscope.data.area_search import find_area
            from levelscope.evaluate import evaluate_area
            from levelscope.report import evaluation_report

            with open_workspace(workspace, read_only=True) as ws, analysis_errors(), \
                    console.status("evaluating …"):
                codes = [find_area(ws, name).code for name in treated]
                result = evaluate_area(ws, indicator, codes, start, method=method,  # type: ignore[arg-type]
                                       placebos=placebos and method == "synth",
                                       exclude_neighbours=exclude_neighbours)
            _write(evaluation_report(result), html, pdf, job)

    @group.command("strategy")
    @handle_errors
    def strategy(
        answers: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                                help="Filled-in questionnaire (see `design template`).")],
        html: HtmlOption = None,
        pdf: PdfOption = None,
        previous: Annotated[Path | None, typer.Option(
            exists=True, dir_okay=False, help="An earlier questionnaire of the same place, to show "
            "the change since.", show_default=False)] = None,
        threshold: Annotated[float, typer.Option(help="Factors scoring below this are gaps.")] = 75.0,
        workspace: WorkspaceOption = None,
    ) -> None:
        """A strategy assessment report: the maturity profile against the success factors, the
        weakest factors, practices from the case studies for the gaps and the change since the
        previous assessment; methods and sources.

        Example: levelscope report strategy answers.yaml --previous last-year.yaml --pdf strategy.pdf
        """
        from levelscope import design
        from levelscope.report import strategy_report

        _check_outputs(html, pdf)
        fw = design.load_framework()
        assessment = design.load_submission(answers, fw)
        result = design.score(assessment, fw)
        practices = design.recommend(result, design.load_case_studies(framework=fw), assessment.context,
                                     threshold=threshold)
        before = design.score(design.load_submission(previous, fw), fw) if previous is not None else None
        name = area_names(workspace).get(result.place_code)
        _write(strategy_report(result, practices, before, place_name=name), html, pdf)

    @group.command("funding")
    @handle_errors
    def funding(
        allocations: Annotated[Path | None, typer.Argument(
            help="allocations (CSV/Excel) to set against need; leave out for the record of --fund "
            "in the workspace's funding register", exists=True, show_default=False)] = None,
        html: HtmlOption = None,
        pdf: PdfOption = None,
        need_source: NeedOption = None,
        population: PopulationOption = "population",
        definition: NeedDefinitionOption = None,
        data: DataOption = None,
        level: LevelOption = "lad",
        groups: GroupsOption = 5,
        fund: FundOption = "Levelling Up Fund",
        split: SplitOption = "equal",
        population_year: PopulationYearOption = None,
        n_resamples: FundingResamplesOption = 2000,
        seed: SeedOption = 0,
        workspace: WorkspaceOption = None,
    ) -> None:
        """A funding-versus-need report: did the money go where need is?

        With ALLOCATIONS, the analysis of `funding analyse` (the same --need, --population,
        --definition, --data, --level and --groups): the finding with its interval, concentration,
        need groups, rounds and every area. Without, the record of --fund in the workspace's
        funding register, as `funding record` and the /funding page show it (--split,
        --population-year): findings, tables by region, priority category and deprivation,
        concentration, round on round and the counterfactual.

        Examples: levelscope report funding --pdf luf.pdf;
        levelscope report funding bids.csv --need need.yaml --html funding.html
        """
        from levelscope.report import fund_record_report, funding_report

        _check_outputs(html, pdf)
        if allocations is None:
            if need_source is not None or definition is not None or data is not None:
                raise typer.BadParameter("--need, --definition and --data go with an ALLOCATIONS file; "
                                         "without one the report is the register's record of --fund")
            with console.status("analysing the record …"):
                record = fund_record(workspace, fund, split, population_year, n_resamples, seed)
            _write(fund_record_report(record), html, pdf)
            return
        with console.status("analysing the allocations …"):
            _, _, analysis = analyse_allocations(allocations, need_source, population, definition, data,
                                                 level, workspace, groups, n_resamples, seed)
        need_label = f"need from {need_source or definition}"
        names = area_names(workspace) if data is None or workspace is not None else {}
        _write(funding_report(analysis, title=f"Funding versus need: {allocations.name}",
                              need_label=need_label, names=names), html, pdf)
