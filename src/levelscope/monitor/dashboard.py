"""Everything a programme dashboard shows, gathered by one function.

The web page, the CLI's ``programme show`` and reports all present :func:`programme_dashboard`'s
result; none of them computes anything itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy.orm import Session

from levelscope.errors import LevelscopeError
from levelscope.formatting import money
from levelscope.monitor.appraisal import Appraisal, appraise
from levelscope.monitor.indicator_track import IndicatorTrack
from levelscope.monitor.programmes import Programme, SpendKind, Stage
from levelscope.monitor.status import STATUS_COLOURS, STATUS_SYMBOLS, Status
from levelscope.monitor.tracking import track
from levelscope.monitor.vfm import ValueForMoney, programme_value_for_money
from levelscope.records.audit import audit_trail
from levelscope.results import Result

# Okabe–Ito colours for funding sources, in order of first appearance.
SOURCE_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


@dataclass(frozen=True, repr=False)
class ProgrammeDashboard(Result):
    """A programme at a glance: register, logic model, spend, indicator tracks, VfM, appraisal."""

    programme_id: int
    name: str
    description: str
    organisation: str
    start_date: dt.date
    end_date: dt.date
    published: bool
    version: int
    places: tuple[str, ...]
    funders: tuple[str, ...]
    logic_model: pd.DataFrame = field(repr=False)
    spend: pd.DataFrame = field(repr=False)
    tracks: tuple[IndicatorTrack, ...] = field(repr=False)
    status_counts: dict[str, int] = field(repr=False)
    value_for_money: ValueForMoney = field(repr=False)
    appraisal: Appraisal | None = field(repr=False)
    appraisal_note: str = ""
    recent_changes: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    def to_frame(self) -> pd.DataFrame:
        """One row per tracked indicator with its status and colour."""
        return pd.DataFrame(
            [
                {
                    "indicator_id": t.indicator_id,
                    "indicator": t.name,
                    "stage": t.stage,
                    "status": t.status.value,
                    "colour": STATUS_COLOURS[t.status],
                    "symbol": STATUS_SYMBOLS[t.status],
                    "latest": t.latest_value,
                    "expected": t.expected_at_latest,
                    "target": t.target_value,
                    "target_date": t.target_date,
                    "projected": None if t.projection is None else t.projection.value,
                }
                for t in self.tracks
            ]
        )

    def summary(self) -> str:
        counts = ", ".join(f"{n} {s}" for s, n in self.status_counts.items() if n)
        spent = self.spend["actual"].sum() if not self.spend.empty else 0.0
        planned = self.spend["planned"].sum() if not self.spend.empty else 0.0
        lines = [
            f"{self.name} ({self.organisation}), {self.start_date} to {self.end_date}",
            f"  places: {', '.join(self.places) or 'none'}; funders: {', '.join(self.funders) or 'none'}",
            f"  spend: {money(spent, decimals=0)} actual of {money(planned, decimals=0)} planned",
            f"  indicators: {counts or 'none'}",
        ]
        lines += ["  " + line for t in self.tracks for line in t.summary().splitlines()]
        if self.appraisal is not None:
            lines.append(f"  appraisal: NPSV {money(self.appraisal.npsv, decimals=0)}, BCR "
                         f"{self.appraisal.bcr:.2f}")
        elif self.appraisal_note:
            lines.append(f"  appraisal: {self.appraisal_note}")
        return "\n".join(lines)

    def spend_plot(self) -> go.Figure:
        """Planned and actual spend side by side for each year, stacked by source."""
        figure = go.Figure()
        table = self.spend
        for number, source in enumerate(dict.fromkeys(table["source"])):
            rows = table[table["source"] == source]
            years = [str(y) for y in rows["year"] for _ in range(2)]
            kinds = ["planned", "actual"] * len(rows)
            amounts = [v for pair in zip(rows["planned"], rows["actual"], strict=True) for v in pair]
            figure.add_bar(
                x=[years, kinds],
                y=amounts,
                name=str(source),
                marker_color=SOURCE_COLOURS[number % len(SOURCE_COLOURS)],
            )
        figure.update_layout(
            barmode="stack",
            title="Spend by year and source",
            yaxis_title="GBP (cash)",
            legend={"orientation": "h"},
        )
        return figure


def logic_model_frame(programme: Programme, tracks: tuple[IndicatorTrack, ...]) -> pd.DataFrame:
    """The logic model as rows ``stage, description, indicator_id, status`` from inputs to impacts."""
    rows: list[dict[str, object]] = []
    sources: dict[str, float] = {}
    for spend in programme.spend:
        if spend.kind == SpendKind.PLANNED:
            sources[spend.source] = sources.get(spend.source, 0.0) + spend.amount
    rows += [
        {
            "stage": "input",
            "description": f"{source}: {amount:,.0f} planned",
            "indicator_id": None,
            "status": None,
        }
        for source, amount in sources.items()
    ]
    by_stage: dict[Stage, list[dict[str, object]]] = {stage: [] for stage in Stage}
    for item in programme.logic_items:
        by_stage[item.stage].append(
            {
                "stage": item.stage.value,
                "description": item.description,
                "indicator_id": None,
                "status": None,
            }
        )
    for t in tracks:
        by_stage[Stage(t.stage)].append(
            {
                "stage": t.stage,
                "description": t.name,
                "indicator_id": t.indicator_id,
                "status": t.status.value,
            }
        )
    for stage in Stage:
        rows += by_stage[stage]
    return pd.DataFrame(rows, columns=["stage", "description", "indicator_id", "status"])


def spend_frame(programme: Programme) -> pd.DataFrame:
    """Planned and actual spend by year and source."""
    records = [
        {"year": s.year, "source": s.source, "kind": s.kind.value, "amount": s.amount}
        for s in programme.spend
    ]
    if not records:
        return pd.DataFrame(columns=["year", "source", "planned", "actual"])
    table = pd.DataFrame(records).pivot_table(
        index=["year", "source"], columns="kind", values="amount", aggfunc="sum", fill_value=0.0
    )
    table = table.reindex(columns=["planned", "actual"], fill_value=0.0)
    return table.reset_index().rename_axis(columns=None)


def programme_dashboard(
    session: Session,
    programme: Programme,
    *,
    as_of: dt.date | None = None,
    unit_costs: pd.DataFrame | None = None,
    need: Mapping[str, float] | None = None,
    population: Mapping[str, float] | None = None,
    optimism_bias: float | Mapping[str, float] = 0.0,
    weights: Mapping[str, float] | None = None,
) -> ProgrammeDashboard:
    """Gather everything the programme dashboard shows.

    ``unit_costs``, ``need`` and ``population`` feed the value-for-money panel (see
    :func:`levelscope.monitor.vfm.programme_value_for_money`); ``optimism_bias`` and ``weights``
    the appraisal of the programme's recorded cash flows (see
    :func:`levelscope.monitor.appraisal.appraise`).

    Parameters
    ----------
    session
        An open session of the records database (:func:`levelscope.records.db.transaction`).
    programme
        The programme.
    as_of
        Track the indicators with the actuals up to this date; all when None.
    unit_costs, need, population
        For value for money.
    optimism_bias, weights
        For the appraisal.

    Returns
    -------
    ProgrammeDashboard
        The register entry, logic model, spend, each indicator's track and the status counts,
        value for money, the appraisal (None with a note when there are no cash flows) and the
        recent status changes.

    Examples
    --------
    >>> import datetime as dt
    >>> from levelscope.monitor.examples import example_records, example_programme, example_indicator
    >>> from levelscope.records.db import transaction
    >>> from levelscope.monitor.programmes import add_cash_flow, create_programme
    >>> from levelscope.monitor.tracking import record_actual
    >>> with transaction(example_records(), actor="analyst@example.org") as session:
    ...     skills = example_programme(session)
    ...     learners = example_indicator(session, skills)
    ...     _ = record_actual(session, learners, dt.date(2023, 4, 1), 230)
    ...     for year, category, amount in ((2022, "cost", 100.0), (2023, "benefit", 60.0),
    ...                                    (2024, "benefit", 60.0)):
    ...         _ = add_cash_flow(session, skills, year, category, amount)
    ...     board = programme_dashboard(session, skills)
    >>> board.status_counts["on track"], round(board.appraisal.bcr, 2)
    (1, 1.14)
    """
    tracks = tuple(track(session, i, as_of=as_of) for i in programme.indicators)
    counts = {s.value: 0 for s in Status}
    for t in tracks:
        counts[t.status.value] += 1
    appraisal, note = None, ""
    flows = pd.DataFrame(
        [
            {
                "year": f.year,
                "category": f.category.value,
                "amount": f.amount,
                "kind": f.kind,
                "income_group": f.income_group,
            }
            for f in programme.cash_flows
        ]
    )
    if flows.empty:
        note = "no costs and benefits recorded for appraisal"
    else:
        try:
            appraisal = appraise(flows, optimism_bias=optimism_bias, weights=weights)
        except LevelscopeError as reason:
            note = str(reason)
    changes = audit_trail(session, "programmes", [programme.id]).tail(20)
    return ProgrammeDashboard(
        programme_id=programme.id,
        name=programme.name,
        description=programme.description,
        organisation=_organisation_name(session, programme),
        start_date=programme.start_date,
        end_date=programme.end_date,
        published=programme.published,
        version=programme.version,
        places=tuple(programme.place_codes),
        funders=tuple(f.name for f in programme.funders),
        logic_model=logic_model_frame(programme, tracks),
        spend=spend_frame(programme),
        tracks=tracks,
        status_counts=counts,
        value_for_money=programme_value_for_money(
            session, programme, unit_costs=unit_costs, need=need, population=population
        ),
        appraisal=appraisal,
        appraisal_note=note,
        recent_changes=changes.reset_index(drop=True),
    )


def _organisation_name(session: Session, programme: Programme) -> str:
    from levelscope.records.accounts import Organisation

    organisation = session.get(Organisation, programme.organisation_id)
    return organisation.name if organisation is not None else f"organisation {programme.organisation_id}"
