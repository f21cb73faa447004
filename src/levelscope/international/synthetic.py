"""An exploratory synthetic control of a case-study city's GDP per head, from comparable metros.

The city's path is set against a weighted average of metropolitan regions elsewhere (by default
in other countries) that tracked it before a start year the user chooses, with in-space placebos:
the synthetic control, the placebos and their p-value are those of
:mod:`levelscope.evaluate.synth` (one implementation), and the pre-period fit is reported.

It is *exploratory*: the studies behind the case-study library stress that change takes decades
and that many things moved at once (reunification transfers, national cycles, exchange rates
behind the PPPs), so a gap after the start year is a description to be questioned, not an
effect. Every result carries that label and its caveats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from levelscope.evaluate.synth import (
    PlaceboTest,
    SyntheticControl,
    placebo_in_space,
    synthetic_control,
)
from levelscope.international.cases import resolve_place
from levelscope.international.regions import GDP_PER_HEAD, METROPOLITAN, POPULATION, regional_panel
from levelscope.results import Result

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from levelscope.data.store import Workspace
    from levelscope.international.cases import CaseTimeline

DonorPool = Literal["other_countries", "own_country", "all"]
LABEL = "exploratory"
CAVEATS = (
    "Exploratory: a description of how the place moved against places that tracked it before, "
    "not an estimate of what any policy caused.",
    "Change in the case-study places took decades and many things moved at once; a start year "
    "marks when a practice began, not when its effects could show.",
    "Donors in other countries move with their own national cycles and exchange rates (the "
    "figures are in US dollars at constant 2015 PPPs).",
)


@dataclass(frozen=True, repr=False)
class ExploratorySyntheticControl(Result):
    """An exploratory synthetic control of a place, with in-space placebos and its pre-period fit.

    ``control`` is the :class:`~levelscope.evaluate.synth.SyntheticControl`; ``placebos`` the
    :class:`~levelscope.evaluate.synth.PlaceboTest` (its ``p_value`` is the share of units whose
    post/pre RMSPE ratio is at least the place's). ``pre_rmspe_share`` is the pre-period root mean
    squared gap as a share of the place's mean pre-period value.
    """

    place: str
    place_name: str
    country: str
    start: int
    indicator_id: str
    donor_pool: str
    donors: pd.DataFrame = field(compare=False)
    control: SyntheticControl = field(compare=False)
    placebos: PlaceboTest | None = field(compare=False)
    label: str = LABEL
    caveats: tuple[str, ...] = CAVEATS

    @property
    def pre_rmspe(self) -> float:
        return self.control.pre_rmspe

    @property
    def pre_rmspe_share(self) -> float:
        actual = self.control.actual
        return float(self.control.pre_rmspe / actual[actual.index < self.start].mean())

    @property
    def p_value(self) -> float | None:
        return None if self.placebos is None else self.placebos.p_value

    def to_frame(self) -> pd.DataFrame:
        return self.control.to_frame().rename(columns={"time": "year"}).assign(geography_code=self.place)

    def weights(self) -> pd.DataFrame:
        """Donors with positive weight, largest first, with their names and countries."""
        w = self.control.weights[self.control.weights > 1e-4].rename("weight").reset_index()
        w = w.rename(columns={"donor": "geography_code"}).merge(self.donors, on="geography_code")
        return w.sort_values("weight", ascending=False).reset_index(drop=True)

    def summary(self) -> str:
        top = ", ".join(f"{r.geography_name} ({r.country}) {r.weight:.2f}"
                        for r in self.weights().head(5).itertuples())
        lines = [
            f"EXPLORATORY synthetic control of {self.place_name}'s {self.indicator_id} from "
            f"{self.start}, {len(self.donors)} donor regions ({self.donor_pool.replace('_', ' ')})",
            f"largest weights: {top}",
            f"pre-period fit: RMSPE {self.pre_rmspe:,.0f} ({100 * self.pre_rmspe_share:.1f}% of the "
            f"pre-period mean); average gap after {self.start}: {self.control.effect:,.0f}",
        ]
        if self.placebos is not None:
            lines.append(self.placebos.summary())
        return "\n".join(lines + [f"caveat: {c}" for c in self.caveats])

    def plot(self, timeline: CaseTimeline | None = None) -> go.Figure:
        """Actual against synthetic path, labelled exploratory, with the timeline's items marked."""
        from levelscope.international.plot import synthetic_figure

        return synthetic_figure(self, timeline)


def exploratory_synthetic_control(
    ws: Workspace,
    place: str | list[str],
    start: int,
    *,
    indicator: str = GDP_PER_HEAD,
    weight: str = POPULATION,
    donor_pool: DonorPool = "other_countries",
    max_donors: int = 30,
    placebos: bool = True,
) -> ExploratorySyntheticControl:
    """Fit an exploratory synthetic control of a place's GDP per head from comparable metros.

    Parameters
    ----------
    ws:
        The workspace.
    place:
        A case-study id, an OECD region or metropolitan unit, or several codes (combined by
        population), as for :func:`~levelscope.international.place_against_nation`.
    start:
        The first year treated as "after"; every earlier year is the pre-period the donors are
        matched on.
    donor_pool:
        Metropolitan regions (OECD typology MR-L or MR-M) in ``"other_countries"`` (default),
        the ``"own_country"`` or ``"all"`` countries; the place's own units are never donors.
    max_donors:
        The donors kept: the ones whose pre-period mean is closest to the place's (in logs).
    placebos:
        Run the in-space placebos (each donor refitted as if treated).

    Returns
    -------
    ExploratorySyntheticControl

    Raises
    ------
    levelscope.evaluate.DesignError
        If the start year leaves no pre-period or post-period, or too few donors remain.
    """
    if donor_pool not in ("other_countries", "own_country", "all"):
        raise ValueError(f"donor_pool must be other_countries, own_country or all, got {donor_pool!r}")
    if max_donors < 3:
        raise ValueError(f"max_donors must be at least 3, got {max_donors}")
    where = resolve_place(ws, place)
    panel = regional_panel(ws, indicator, "tl3", weight)
    treated = panel[panel["geography_code"].isin(where.units)].assign(
        product=lambda f: f["value"] * f["weight"])
    grouped = treated.groupby("year")
    treated_path = (grouped["product"].sum() / grouped["weight"].sum()).rename("value")
    treated_path = treated_path[grouped.size() == len(where.units)]
    metropolitan = panel["metro_typology"].isin(METROPOLITAN)
    candidates = panel[metropolitan & ~panel["geography_code"].isin(where.units)]
    if donor_pool == "other_countries":
        candidates = candidates[candidates["country"] != where.country]
    elif donor_pool == "own_country":
        candidates = candidates[candidates["country"] == where.country]
    years = treated_path.index
    wide = candidates.pivot(index="geography_code", columns="year", values="value").reindex(columns=years)
    wide = wide.dropna()
    pre = years[years < start]
    if len(pre):
        distance = (np.log(wide[pre]).mean(axis=1) - np.log(treated_path[pre]).mean()).abs()
        wide = wide.loc[distance.nsmallest(max_donors).index]
    about = candidates.drop_duplicates("geography_code").set_index("geography_code")
    donors = about.loc[wide.index, ["geography_name", "country", "metro_typology"]].reset_index()
    donor_rows = wide.stack().reset_index()
    donor_rows.columns = pd.Index(["unit", "year", "outcome"])
    treated_rows = pd.DataFrame({"unit": where.label, "year": years, "outcome": treated_path.to_numpy()})
    long = pd.concat([treated_rows, donor_rows], ignore_index=True)
    control = synthetic_control(long, treated=where.label, start=start, unit="unit", time="year",
                                outcome="outcome", donors=list(wide.index))
    test = placebo_in_space(control) if placebos else None
    return ExploratorySyntheticControl(
        place=where.label, place_name=where.name, country=where.country, start=int(start),
        indicator_id=indicator, donor_pool=donor_pool, donors=donors, control=control,
        placebos=test, provenance=ws.provenance([indicator, weight]),
    )
