"""The programme monitoring report: logic model, each indicator's RAG status with its rule, spend
against plan, value for money (the four Es) and the Green Book appraisal with switching values.

:func:`programme_report` takes :func:`~levelscope.monitor.dashboard.programme_dashboard`'s result
(the object the programme page shows) and the appraisal's switching values, and hands them to
``templates/programme.html``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy.orm import Session

from levelscope.formatting import money, plural, share
from levelscope.monitor.appraisal import SwitchingValues, switching_values
from levelscope.monitor.dashboard import ProgrammeDashboard, programme_dashboard
from levelscope.monitor.programmes import Programme
from levelscope.monitor.status import Status, StatusRule
from levelscope.report.document import Report
from levelscope.results import Source

#: The appraisal's method and discount rates (cited in the report's sources when it has one).
GREEN_BOOK = Source(
    publisher="HM Treasury",
    dataset="The Green Book: appraisal and evaluation in central government (2022), discount rates "
            "of table 8",
    vintage="2022-11-18",
    licence="Open Government Licence v3.0",
    url="https://www.gov.uk/government/publications/the-green-book-appraisal-and-evaluation-in-central-government",
)


def programme_report(
    session: Session, programme: Programme, *, as_of: dt.date | None = None,
    names: Mapping[str, str] | None = None,
) -> Report:
    """The monitoring report of ``programme``.

    Parameters
    ----------
    session:
        A records session.
    programme:
        The programme (e.g. from :func:`~levelscope.monitor.access.programme_for`).
    as_of:
        Track the indicators as of this date (default today).
    names:
        Place names by code, to name the programme's places (codes are shown otherwise).

    Returns
    -------
    Report
        Render with :meth:`Report.html`, :meth:`Report.pdf` or :meth:`Report.write`.

    Examples
    --------
    >>> report = programme_report(session, programme)  # doctest: +SKIP
    >>> report.write("programme.pdf")  # doctest: +SKIP
    """
    board = programme_dashboard(session, programme, as_of=as_of)
    switching = switching_values(board.appraisal) if board.appraisal is not None else None
    named = names or {}
    places = [f"{named[c]} ({c})" if c in named else c for c in board.places]
    sources = [Source(publisher=board.organisation,
                      dataset=f"programme records of {board.name}, version {board.version}",
                      vintage=(as_of or dt.date.today()).isoformat(),
                      licence="the organisation's own records")]
    if board.appraisal is not None:
        sources.append(GREEN_BOOK)
    sources.extend(board.provenance.sources + board.value_for_money.provenance.sources)
    content = {
        "board": board,
        "places": places,
        "summary": programme_summary(board, switching),
        "spent": float(board.spend["actual"].sum()) if not board.spend.empty else 0.0,
        "planned": float(board.spend["planned"].sum()) if not board.spend.empty else 0.0,
        "switching": switching,
        "rule": board.tracks[0].rule if board.tracks else StatusRule().describe(),
        "with_actuals": sum(t.latest_value is not None for t in board.tracks),
    }
    return Report(kind="programme", title=f"Programme monitoring: {board.name}",
                  subtitle=str(board.programme_id), content=content,
                  sources=tuple(dict.fromkeys(sources)))


def programme_summary(board: ProgrammeDashboard, switching: SwitchingValues | None) -> str:
    """A few sentences on the programme's status, spend, value for money and appraisal."""
    counts = board.status_counts
    parts = [f"{board.name} is run by {board.organisation} from {board.start_date} to {board.end_date}."]
    if board.tracks:
        parts.append(
            f"Of its {plural(len(board.tracks), 'indicator')}, {counts[Status.ON_TRACK]} "
            f"{'is' if counts[Status.ON_TRACK] == 1 else 'are'} on track, {counts[Status.AT_RISK]} at "
            f"risk and {counts[Status.OFF_TRACK]} off track; {counts[Status.NO_DATA]} "
            f"{'has' if counts[Status.NO_DATA] == 1 else 'have'} no actuals yet."
        )
    else:
        parts.append("It has no indicators yet.")
    if board.spend.empty:
        parts.append("No spend is recorded yet.")
    else:
        spent, planned = float(board.spend["actual"].sum()), float(board.spend["planned"].sum())
        of_plan = f" ({share(spent / planned)} of plan)" if planned > 0 else ""
        parts.append(f"Spend so far is {money(spent, decimals=0)} of {money(planned, decimals=0)} "
                     f"planned{of_plan}.")
    if board.appraisal is not None:
        a = board.appraisal
        parts.append(f"The Green Book appraisal gives a net present social value of "
                     f"{money(a.npsv, decimals=0)} and a benefit–cost ratio of {a.bcr:.2f}.")
        if switching is not None:
            change = float(switching.table.loc[switching.table["component"] == "all benefits",
                                               "change"].iloc[0])
            parts.append(f"Benefits would have to {'fall' if change < 0 else 'rise'} by "
                         f"{share(abs(change))} for it to break even.")
    else:
        parts.append(f"Appraisal not available: {board.appraisal_note}.")
    return " ".join(parts)
