"""Lessons from four cities, in numbers: each case-study place against its nation, with its practices.

For each of the eight places of the case-study library — Leipzig, Cleveland, Nantes and Fukuoka
(the 2022 study) and Dudley, Enfield, South Yorkshire and Tees Valley (the 2024 English
examples) — its GDP per head against its nation's over time
(:func:`~levelscope.international.place_against_nation`), its dated practices
(:func:`~levelscope.international.case_timeline`) and the success factors they illustrate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from levelscope.design import load_case_studies, load_framework
from levelscope.errors import LevelscopeError
from levelscope.international.against_nation import PlaceAgainstNation, place_against_nation
from levelscope.international.cases import CASE_PLACES, CaseTimeline, case_timeline
from levelscope.international.regions import GDP_PER_HEAD
from levelscope.results import Provenance, Result

if TYPE_CHECKING:
    from levelscope.data.store import Workspace


@dataclass(frozen=True)
class Practice:
    """A practice of the library with the names of the success factors it illustrates."""

    id: str
    title: str
    description: str
    factors: tuple[tuple[str, str], ...]  # (factor id, factor name)


@dataclass(frozen=True, repr=False)
class CaseTrajectory(Result):
    """One case-study place: its trajectory against its nation, timeline and practices.

    ``trajectory`` is ``None`` (with ``problem`` saying why) where the workspace lacks its figures.
    """

    case_id: str
    name: str
    country: str
    study: str
    unit_note: str
    trajectory: PlaceAgainstNation | None = field(compare=False)
    timeline: CaseTimeline = field(compare=False)
    practices: tuple[Practice, ...] = ()
    problem: str | None = None

    def to_frame(self) -> pd.DataFrame:
        if self.trajectory is None:
            return pd.DataFrame()
        return self.trajectory.to_frame()

    def summary(self) -> str:
        head = f"{self.name} ({self.country})"
        body = self.trajectory.statement() if self.trajectory else f"no figures: {self.problem}"
        return f"{head}: {body}\n{self.timeline.summary()}"


@dataclass(frozen=True, repr=False)
class FourCities(Result):
    """The eight case-study places in numbers."""

    indicator_id: str
    cases: tuple[CaseTrajectory, ...] = field(compare=False)

    def case(self, case_id: str) -> CaseTrajectory:
        for case in self.cases:
            if case.case_id == case_id:
                return case
        raise KeyError(case_id)

    def to_frame(self) -> pd.DataFrame:
        """One row per place: latest index, the gap's slope, closing rate and years to parity."""
        rows = []
        for case in self.cases:
            t = case.trajectory
            rows.append({
                "case_id": case.case_id, "geography_name": case.name, "country": case.country,
                "geography_code": ",".join(t.units) if t else None,
                "start": t.start if t else None, "end": t.end if t else None,
                "latest_index": t.latest_index if t else None,
                "slope": t.trend.slope if t else None, "closing": t.closing if t else None,
                "closing_rate": t.closing_rate if t else None,
                "years_to_parity": t.years_to_parity if t else None,
                "parity_lower": t.parity_lower if t else None,
                "parity_upper": t.parity_upper if t else None,
                "dated_items": len(case.timeline.events),
            })
        return pd.DataFrame(rows)

    def summary(self) -> str:
        return "\n\n".join(case.summary() for case in self.cases)


def lessons_from_four_cities(
    ws: Workspace, indicator: str = GDP_PER_HEAD, *, alpha: float = 0.05,
) -> FourCities:
    """Each case-study place against its nation, with its dated practices and their factors.

    A place whose figures are missing from the workspace is kept, with the reason, rather than
    dropped.
    """
    library = load_case_studies()
    framework = load_framework()
    factor_names = {f.id: f.name for f in framework.factors}
    cases = []
    provenance = Provenance()
    for case_id, place in CASE_PLACES.items():
        case = library.case(case_id)
        try:
            trajectory: PlaceAgainstNation | None = place_against_nation(ws, case_id, indicator, alpha=alpha)
            problem = None
        except (LevelscopeError, ValueError) as exc:
            trajectory, problem = None, str(exc)
        if trajectory is not None:
            provenance = provenance + trajectory.provenance
        practices = tuple(
            Practice(p.id, p.title, p.description, tuple((f, factor_names.get(f, f)) for f in p.factors))
            for p in case.practices
        )
        cases.append(CaseTrajectory(
            case_id=case_id, name=place.name, country=case.country, study=case.study,
            unit_note=place.unit_note, trajectory=trajectory, timeline=case_timeline(case_id, library),
            practices=practices, problem=problem,
        ))
    return FourCities(indicator_id=indicator, cases=tuple(cases), provenance=provenance)
