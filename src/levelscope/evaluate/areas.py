"""Evaluate an indicator for treated areas, with the other areas of their level as comparisons.

The workspace keeps observations in one long layout (``geography_code``, ``indicator_id``,
``year``, ``value``). Three entry points, each building on the one before:

* :func:`evaluate_areas` — a slice of that layout (a DataFrame) in, an estimate out;
* :func:`evaluate_area` — reads the indicator at the treated areas' level from a workspace, keeps
  out neighbours or other treated places if asked, and returns an :class:`AreaEvaluation`;
* :func:`evaluate_programme` — the same for a programme in the register: its places and start
  date come from :mod:`levelscope.monitor.programmes`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from levelscope.data.periods import Period, parse_period
from levelscope.deprecation import RenamedAttribute, renamed_parameters
from levelscope.evaluate.did import TwoWayFixedEffects, twfe
from levelscope.evaluate.panel import Balance, DesignError
from levelscope.evaluate.sdid import SyntheticDiD, synthetic_did
from levelscope.evaluate.synth import (
    PlaceboTest,
    Progress,
    SyntheticControl,
    placebo_in_space,
    synthetic_control,
)
from levelscope.evaluate.verdict import estimate_verdict, synth_verdict
from levelscope.formatting import area_label, level_name, with_area_names
from levelscope.results import Provenance, Result

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from levelscope.data.store import Workspace

Method = Literal["synth", "did", "sdid"]
#: How :func:`evaluate_area` treats gaps: ``"drop_donors"`` keeps the years every treated area
#: has and leaves out comparison areas missing any of them (named in ``excluded``);
#: ``"drop_periods"`` keeps only the years every area has; ``"error"`` refuses any gap.
AreaBalance = Literal["drop_donors", "drop_periods", "error"]
GAPS = "gaps in the series"
METHOD_NAMES = {"synth": "synthetic control", "sdid": "synthetic difference-in-differences",
                "did": "difference-in-differences (two-way fixed effects)"}
METHODS: tuple[str, ...] = ("synth", "did", "sdid")
COLUMNS = ("geography_code", "indicator_id", "year", "value")
Estimate = SyntheticControl | TwoWayFixedEffects | SyntheticDiD
Start = int | str | Period | dt.date


@dataclass(frozen=True)
class AreaEvaluation(Result):
    """An evaluation of one indicator for treated areas against the other areas of their level.

    Attributes
    ----------
    indicator_id, level:
        What was evaluated, and at which geographic level.
    treated:
        Codes of the treated areas.
    start:
        First affected year.
    method:
        ``"synth"``, ``"sdid"`` or ``"did"``.
    excluded:
        Areas kept out of the comparison group, with the reason (``"asked"``, ``"neighbour"``,
        ``"other programme"``).
    comparisons:
        Number of areas in the comparison group (donors or controls).
    estimate:
        The estimator's result.
    placebos:
        In-space placebo test (synthetic control only, when asked for).
    names:
        Area names by code, so the summary names places (codes alongside).
    indicator_name:
        The indicator's name, for the summary.
    """

    indicator_id: str
    level: str
    treated: tuple[str, ...]
    start: int
    method: str
    excluded: pd.Series = field(repr=False)
    comparisons: int
    estimate: Estimate = field(repr=False)
    placebos: PlaceboTest | None = field(default=None, repr=False)
    names: Mapping[str, str] = field(default_factory=dict, repr=False)
    indicator_name: str = ""
    indicator = RenamedAttribute("indicator_id")

    @property
    def effect(self) -> float:
        """The estimated average effect over the post-treatment years."""
        return float(self.estimate.effect)

    def verdict(self) -> str:
        """A plain-language reading of the estimate that states its uncertainty."""
        if isinstance(self.estimate, SyntheticControl):
            return synth_verdict(self.estimate, self.placebos)
        if isinstance(self.estimate, SyntheticDiD):
            interval = self.estimate.conf_int().iloc[0]
            lower, upper = float(interval["lower"]), float(interval["upper"])
            return estimate_verdict(self.effect, lower, upper, self.estimate.p_value)
        return self.estimate.verdict()

    def to_frame(self) -> pd.DataFrame:
        """The estimator's table (paths for a synthetic control, coefficients otherwise)."""
        return self.estimate.to_frame()

    def summary(self) -> str:
        places = ", ".join(self._label(code) for code in self.treated)
        dropped = ""
        if len(self.excluded):
            counts = self.excluded.value_counts()
            dropped = " (left out: " + ", ".join(f"{n} {why}" for why, n in counts.items()) + ")"
        what = f"{self.indicator_name} ({self.indicator_id})" if self.indicator_name else self.indicator_id
        head = (
            f"Evaluation of {what} for {places} from {self.start} by "
            f"{METHOD_NAMES.get(self.method, self.method)}, against {self.comparisons} other "
            f"{level_name(self.level, plural=True)}{dropped}"
        )
        body = self._named(self.estimate.summary())
        if isinstance(self.estimate, SyntheticControl):
            body = body.rsplit("\n", 1)[0]  # the verdict follows, with the placebo evidence
            tail = f"\n{self._named(self.placebos.summary())}" if self.placebos else ""
            return f"{head}\n{body}{tail}\n{self._named(self.verdict())}"
        return f"{head}\n{body}"

    def _label(self, code: str) -> str:
        return area_label(code, self.names)

    def _named(self, text: str) -> str:
        """``text`` with each area code the estimator printed preceded by the area's name."""
        return with_area_names(text, self.names)

    def plot(self) -> go.Figure:
        """Placebo spaghetti plot if placebos were run, else the estimator's own figure."""
        if self.placebos is not None:
            return self.placebos.plot()
        if isinstance(self.estimate, TwoWayFixedEffects):
            raise DesignError("a two-way fixed-effects estimate has no figure; use method='sdid'")
        return self.estimate.plot()


def start_year(start: int | str | Period) -> int:
    """The year a period is plotted at (the year it ends), as the workspace stores ``year``."""
    if isinstance(start, Period):
        return start.year
    return parse_period(start).year


def evaluate_areas(
    observations: pd.DataFrame,
    treated: Sequence[str],
    start: int | str | Period,
    method: Method = "synth",
    exclude: Sequence[str] = (),
    *,
    indicator: str | None = None,
    balance: Balance = "error",
    provenance: Provenance | None = None,
    progress: Progress | None = None,
) -> Estimate:
    """Evaluate whether an indicator changed in ``treated`` areas from ``start``.

    Parameters
    ----------
    observations:
        Rows ``geography_code``, ``indicator_id``, ``year`` (int), ``value`` for the candidate
        areas (normally all areas at the treated areas' level).
    treated:
        Codes of the treated areas.
    start:
        First affected period: a year or any period label ``parse_period`` reads ("2015/16"
        becomes 2016, the year it ends).
    method:
        ``"synth"`` (synthetic control fitted to the whole pre-period path; one treated area),
        ``"sdid"`` (synthetic DiD; one or more) or ``"did"`` (two-way fixed effects, errors
        clustered by area).
    exclude:
        Areas to keep out of the donors/controls (neighbours that spill-overs may reach,
        places treated by similar policies).
    indicator:
        Which ``indicator_id`` to use; needed when ``observations`` holds several.
    balance:
        Rule for missing years, see :func:`~levelscope.evaluate.panel.long_panel`.
    provenance:
        Attached to the result.
    progress:
        Passed on to placebo draws (``sdid``).

    Returns
    -------
    SyntheticControl | TwoWayFixedEffects | SyntheticDiD
        The method's result.

    Examples
    --------
    >>> rows = [(u, year, u + (year - 2010) / 2 + 3.0 * (u < 2 and year >= 2016))
    ...         for u in range(6) for year in range(2010, 2020)]  # units 0 and 1 gain 3 from 2016
    >>> data = pd.DataFrame(rows, columns=["unit", "year", "outcome"])
    >>> observations = pd.DataFrame({"geography_code": [f"E0{u}" for u in data["unit"]],
    ...                              "indicator_id": "jobs", "year": data["year"],
    ...                              "value": data["outcome"]})
    >>> result = evaluate_areas(observations, ["E00", "E01"], 2016, method="did")
    >>> round(float(result.estimate.iloc[0]), 6)
    3.0
    """
    missing = [c for c in COLUMNS if c not in observations.columns]
    if missing:
        raise DesignError(f"observations lack columns {missing}; expected {list(COLUMNS)}")
    if method not in METHODS:
        raise DesignError(f"method must be 'synth', 'did' or 'sdid'; got {method!r}")
    indicators = observations["indicator_id"].unique()
    if indicator is None:
        if len(indicators) != 1:
            raise DesignError(f"observations hold indicators {list(indicators)}; pass indicator=")
        indicator = str(indicators[0])
    frame = observations[observations["indicator_id"] == indicator]
    treated = list(treated)
    if not treated:
        raise DesignError("no treated areas given")
    clash = sorted(set(treated) & set(exclude))
    if clash:
        raise DesignError(f"areas {clash} are both treated and excluded")
    frame = frame[~frame["geography_code"].isin(exclude)]
    absent = sorted(set(treated) - set(frame["geography_code"]))
    if absent:
        raise DesignError(f"treated areas {absent} have no {indicator!r} observations")
    year = start_year(start)
    # Name the outcome after the indicator so summaries and figures say what was measured.
    frame = frame[["geography_code", "year", "value"]].rename(columns={"value": indicator})
    result: Estimate
    if method == "synth":
        if len(treated) != 1:
            raise DesignError(
                "a synthetic control takes one treated area; use method='sdid' or 'did' for several"
            )
        result = synthetic_control(
            frame, unit="geography_code", time="year", outcome=indicator, treated=treated[0],
            start=year, balance=balance,
        )
    elif method == "sdid":
        result = synthetic_did(
            frame, unit="geography_code", time="year", outcome=indicator, treated=treated,
            start=year, balance=balance, progress=progress,
        )
    else:
        is_treated = frame["geography_code"].isin(treated) & (frame["year"] >= year)
        result = twfe(
            frame.assign(treated=is_treated.astype(float)),
            unit="geography_code", time="year", outcome=indicator, treatment="treated",
        )
    if provenance is not None:
        # Keep the seed of the placebo draws (sdid) beside the workspace's sources.
        result = replace(result, provenance=provenance.with_seed(result.provenance.seed))
    return result


@renamed_parameters(workspace="ws")
def evaluate_area(
    ws: Workspace,
    indicator: str,
    treated: Sequence[str],
    start: Start,
    *,
    method: Method = "synth",
    exclude: Sequence[str] = (),
    exclude_neighbours: bool = False,
    placebos: bool = False,
    balance: AreaBalance = "drop_donors",
    as_of: Any = None,
    progress: Progress | None = None,
) -> AreaEvaluation:
    """Evaluate ``indicator`` for ``treated`` areas from ``start``, against the other areas of the
    same level in ``ws``.

    Parameters
    ----------
    ws:
        An open workspace.
    indicator:
        Indicator id.
    treated:
        Codes of the treated areas; all at one geographic level.
    start:
        First affected period: a year, a period label (its end year), or a date — then the first
        year whose period ends on or after that date, so a period the policy touched at all
        counts as treated and the pre-period stays clean.
    method:
        ``"synth"``, ``"sdid"`` or ``"did"``; see :func:`evaluate_areas`.
    exclude:
        Further areas to keep out of the comparison group (e.g. places under similar policies).
    exclude_neighbours:
        Also keep out areas whose shapes touch or overlap a treated area (see :func:`neighbours`), whose
        outcomes spill-overs may have moved.
    placebos:
        Run in-space placebos for a p-value (synthetic control only).
    balance:
        What to do about missing years (publishers' series often start late for some areas, or
        stop when a district is merged): ``"drop_donors"`` (default) keeps the years every
        treated area has and leaves out the comparison areas that miss any of them, listing them
        in ``excluded`` as ``"gaps in the series"``; ``"drop_periods"`` keeps only the years every
        area has; ``"error"`` refuses a panel with any gap and names the gaps.
    as_of:
        Use the figures as published on this date.
    progress:
        ``progress(done, total)`` for placebo runs.

    Returns
    -------
    AreaEvaluation

    Raises
    ------
    NotFoundError
        An unknown area or indicator.
    DesignError
        Treated areas at different levels, a treated area excluded, no boundaries for
        ``exclude_neighbours``, or any design problem of the estimator.

    Examples
    --------
    >>> evaluate_area(ws, "gva_per_hour_worked", ["TLC11"], 2015)      # doctest: +SKIP
    """
    codes = list(dict.fromkeys(treated))
    if not codes:
        raise DesignError("no treated areas given")
    levels = {code: str(ws.geography(code).level) for code in codes}
    if len(set(levels.values())) > 1:
        raise DesignError(f"treated areas must share one level; got {levels}")
    level = levels[codes[0]]
    reasons = {code: "asked" for code in exclude if code not in codes}
    if exclude_neighbours:
        for code in neighbours(ws, level, codes):
            reasons.setdefault(code, "neighbour")
    clash = sorted(set(codes) & set(exclude))
    if clash:
        raise DesignError(f"areas {clash} are both treated and excluded")
    observations = ws.observations(indicator, level=level, as_of=as_of)
    year = _first_year(observations, start)
    rule: Balance = "drop_periods" if balance == "drop_periods" else "error"
    if balance == "drop_donors":
        observations, gappy = drop_donors_with_gaps(observations, codes, list(reasons))
        for code in gappy:
            reasons.setdefault(code, GAPS)
    elif balance not in ("drop_periods", "error"):
        raise DesignError(f"balance must be 'drop_donors', 'drop_periods' or 'error', not {balance!r}")
    estimate = evaluate_areas(
        observations, codes, year, method, list(reasons), indicator=indicator, balance=rule,
        provenance=ws.provenance(indicator), progress=progress,
    )
    test = None
    if placebos:
        if not isinstance(estimate, SyntheticControl):
            raise DesignError("in-space placebos are for method='synth'")
        test = placebo_in_space(estimate, progress=progress)
    present = set(observations["geography_code"]) - set(reasons) - set(codes)
    places = ws.geographies(level)
    return AreaEvaluation(
        indicator_id=indicator,
        level=level,
        treated=tuple(codes),
        start=year,
        method=method,
        excluded=pd.Series(reasons, dtype=object, name="reason"),
        comparisons=_comparison_count(estimate, len(present)),
        estimate=estimate,
        placebos=test,
        provenance=estimate.provenance,
        names=dict(zip(places["code"], places["name"], strict=True)),
        indicator_name=ws.indicator(indicator).name,
    )


@renamed_parameters(workspace="ws")
def evaluate_programme(
    ws: Workspace,
    session: Session,
    programme_id: int,
    indicator: str,
    *,
    method: Method = "synth",
    exclude_other_programmes: bool = True,
    exclude: Sequence[str] = (),
    exclude_neighbours: bool = False,
    placebos: bool = False,
    balance: AreaBalance = "drop_donors",
    progress: Progress | None = None,
) -> AreaEvaluation:
    """Evaluate a registered programme: its places are treated from its start date.

    The places and start date are read from the programme register
    (:func:`levelscope.monitor.programmes.get_programme`); with ``exclude_other_programmes`` the
    places of every other registered programme are kept out of the comparison group, since they
    were treated too.

    Parameters
    ----------
    ws
        The workspace holding the indicator.
    session
        A records session (:func:`levelscope.records.db.transaction`).
    programme_id
        The registered programme's id.
    indicator
        The indicator to evaluate.
    exclude_other_programmes
        Keep other registered programmes' places out of the comparison group.
    method, exclude, exclude_neighbours, placebos, balance, progress
        As :func:`evaluate_area`.

    Returns
    -------
    AreaEvaluation
        As :func:`evaluate_area`, with the programme's places as the treated areas.

    Examples
    --------
    >>> import datetime as dt, pathlib, tempfile
    >>> from levelscope.monitor.programmes import create_programme
    >>> from levelscope.records.accounts import create_organisation
    >>> from levelscope.records.db import connect, transaction
    >>> factory = connect(f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'records.sqlite'}")
    >>> with transaction(factory, actor="analyst@example.org") as session:
    ...     tees = create_organisation(session, "Tees Valley Combined Authority")
    ...     fund = create_programme(session, tees.id, "Tees productivity fund",
    ...                             start_date=dt.date(2015, 4, 1), end_date=dt.date(2020, 3, 31),
    ...                             places=["TLC11", "TLC12"])
    ...     evaluation = evaluate_programme(ws, session, fund.id, "gva_per_hour_worked", method="did")
    >>> evaluation.start, evaluation.treated
    (2015, ('TLC11', 'TLC12'))

    Raises
    ------
    NotFoundError
        No programme with ``programme_id``.
    DesignError
        The programme has no places.
    """
    from levelscope.monitor.programmes import get_programme, list_programmes

    programme = get_programme(session, programme_id)
    places = list(programme.place_codes)
    if not places:
        raise DesignError(f"programme {programme.name!r} has no places to evaluate")
    others: list[str] = []
    if exclude_other_programmes:
        level = str(ws.geography(places[0]).level)
        for other in list_programmes(session):
            if other.id == programme.id:
                continue
            others += [
                c for c in other.place_codes
                if c not in places and _level_of(ws, c) == level
            ]
    evaluation = evaluate_area(
        ws, indicator, places, programme.start_date, method=method,
        exclude=[*exclude, *(c for c in others if c not in exclude)],
        exclude_neighbours=exclude_neighbours, placebos=placebos, balance=balance,
        progress=progress,
    )
    if not others:
        return evaluation
    reasons = evaluation.excluded.copy()
    reasons[reasons.index.isin(others) & ~reasons.index.isin(list(exclude))] = "other programme"
    return replace(evaluation, excluded=reasons)


def drop_donors_with_gaps(
    observations: pd.DataFrame, treated: Sequence[str], exclude: Sequence[str] = ()
) -> tuple[pd.DataFrame, list[str]]:
    """Keep the years every treated area has, and the comparison areas that have all of them.

    Returns the kept observations and the codes of the comparison areas left out for gaps.
    A treated area's own gaps are not filled or hidden: the years it lacks are simply not used.

    Examples
    --------
    >>> obs = pd.DataFrame({"geography_code": list("TTAAB"), "year": [1, 2, 1, 2, 2],
    ...                     "value": [1.0, 2, 3, 4, 5]})
    >>> kept, dropped = drop_donors_with_gaps(obs, ["T"])
    >>> sorted(kept["geography_code"].unique()), dropped
    (['A', 'T'], ['B'])
    """
    mine = observations[observations["geography_code"].isin(treated)]
    years_of = mine.groupby("geography_code")["year"].agg(set)
    if len(years_of) < len(set(treated)):
        return observations, []  # a treated area without figures: evaluate_areas says so
    years = set.intersection(*years_of.tolist())
    kept = observations[observations["year"].isin(years)]
    counts = kept.dropna(subset=["value"]).groupby("geography_code")["year"].nunique()
    others = counts.drop(index=[c for c in [*treated, *exclude] if c in counts.index])
    gappy = sorted(others.index[others < len(years)])
    return kept[~kept["geography_code"].isin(gappy)], gappy


@renamed_parameters(workspace="ws")
def neighbours(ws: Workspace, level: str, codes: Sequence[str]) -> list[str]:
    """Areas at ``level`` whose shapes touch or overlap any of ``codes``.

    Fuzzy contiguity, as the cluster analysis uses: published generalised boundaries often leave
    hairline gaps between true neighbours, which strict shared-vertex (queen) contiguity misses,
    and a missed neighbour would let spill-overs into the comparison group.
    """
    from levelscope.errors import UndefinedMeasureError
    from levelscope.spatial.weights import Weights

    try:
        weights = Weights.from_workspace(ws, level, "fuzzy")
    except UndefinedMeasureError as exc:
        raise DesignError(f"cannot find neighbours: {exc}") from None
    ids = list(weights.ids)
    lacking = [c for c in codes if c not in ids]
    if lacking:
        raise DesignError(f"cannot find neighbours: no boundary for {lacking}")
    matrix = weights.to_sparse()
    rows = [ids.index(c) for c in codes]
    touching = np.unique(matrix[rows].nonzero()[1])
    return [ids[j] for j in touching if ids[j] not in codes]


def _level_of(ws: Workspace, code: str) -> str | None:
    from levelscope.errors import NotFoundError

    try:
        return str(ws.geography(code).level)
    except NotFoundError:
        return None


def _first_year(observations: pd.DataFrame, start: Start) -> int:
    if isinstance(start, dt.date):
        ends = pd.to_datetime(observations["period_end"]).dt.date
        later = observations.loc[(ends >= start).to_numpy(), "year"]
        if later.empty:
            raise DesignError(f"no period ends on or after the start date {start}: no post-period")
        return int(later.min())
    return start_year(start)


def _comparison_count(estimate: Estimate, present: int) -> int:
    if isinstance(estimate, SyntheticControl):
        return len(estimate.weights)
    if isinstance(estimate, SyntheticDiD):
        return len(estimate.unit_weights)
    return present
