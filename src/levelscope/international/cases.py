"""The eight case-study places in the OECD's units, and their dated practices.

The case-study library (:mod:`levelscope.design.case_studies`) describes Leipzig, Cleveland,
Nantes and Fukuoka, and Dudley, Enfield, South Yorkshire and Tees Valley, with cited facts. The
OECD's regional data has its own units, so each place is read through the unit (or units) that
holds it: a metropolitan unit where the OECD merged the city's TL3 regions, the TL3 region
otherwise, and for South Yorkshire and Tees Valley the units that together make the combined
authority's area. A district (Dudley, Enfield) has no unit of its own: its figures are those of
the metropolitan unit it lies in, and the page says so.

A *timeline* places the library's dated items — programmes with a start (and end) year, facts
with a year — and the practices that cite the same source as a dated item, since practices
themselves carry no date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from levelscope.design.case_studies import CaseLibrary, CaseStudy, load_case_studies
from levelscope.errors import NotFoundError
from levelscope.results import Result

if TYPE_CHECKING:
    from levelscope.data.store import Workspace


@dataclass(frozen=True)
class CasePlace:
    """A case-study place and the OECD units its figures come from."""

    case_id: str
    name: str
    units: tuple[str, ...]
    unit_note: str


CASE_PLACES: dict[str, CasePlace] = {
    c.case_id: c
    for c in (
        CasePlace("leipzig", "Leipzig", ("DE008M",),
                  "the OECD metropolitan unit of Leipzig (the city and its surrounding districts)"),
        CasePlace("cleveland", "Cleveland", ("US035",),
                  "the Cleveland-Akron-Elyria economic area, the OECD's TL3 region for Cleveland"),
        CasePlace("nantes", "Nantes", ("FRG01",),
                  "Loire-Atlantique, the TL3 region (département) that holds Nantes"),
        CasePlace("fukuoka", "Fukuoka", ("JPJ40",),
                  "Fukuoka prefecture, the TL3 region that holds Fukuoka City"),
        CasePlace("dudley", "Dudley", ("UK002M",),
                  "the OECD metropolitan unit of the West Midlands urban area (Birmingham's "
                  "functional urban area), which holds Dudley; Dudley has no unit of its own"),
        CasePlace("enfield", "Enfield", ("UK001MC",),
                  "the OECD metropolitan unit of London, which holds Enfield; Enfield has no "
                  "unit of its own"),
        CasePlace("south_yorkshire", "South Yorkshire", ("UKE31", "UKE32"),
                  "Barnsley, Doncaster and Rotherham with Sheffield: South Yorkshire's two TL3 "
                  "regions, combined by population"),
        CasePlace("tees_valley", "Tees Valley", ("UK559M", "UKC13"),
                  "the Middlesbrough metropolitan unit (Hartlepool, Stockton-on-Tees, "
                  "Middlesbrough, Redcar and Cleveland) with Darlington, combined by population"),
    )
}
FOUR_CITIES = ("leipzig", "cleveland", "nantes", "fukuoka")
ENGLISH_EXAMPLES = ("dudley", "enfield", "south_yorkshire", "tees_valley")


@dataclass(frozen=True)
class Place:
    """What a place argument resolved to: a label, a name, its units and their country."""

    label: str
    name: str
    units: tuple[str, ...]
    country: str
    note: str = ""
    case_id: str | None = None


def resolve_place(ws: Workspace, place: str | list[str] | tuple[str, ...]) -> Place:
    """A case-study id, a region's code or name, a functional urban area's code, or several codes.

    Several units are combined by population (they must lie in one country). A functional urban
    area code (``UK010M`` Sheffield) stands for the units the OECD files place in it.

    Raises
    ------
    NotFoundError
        If no place matches, naming what was looked for.
    ValueError
        If the units lie in different countries.
    """
    from levelscope.international.regions import places

    about = places(ws).set_index("geography_code")
    if isinstance(place, str) and place in CASE_PLACES:
        case = CASE_PLACES[place]
        country = _one_country(about, case.units)
        return Place(case.case_id, case.name, case.units, country, case.unit_note, case.case_id)
    codes = [place] if isinstance(place, str) else list(place)
    codes = [c.strip() for item in codes for c in item.split(",") if c.strip()]
    resolved: list[str] = []
    for code in codes:
        resolved.extend(_units_of(ws, about, code))
    country = _one_country(about, tuple(resolved))
    names = [str(about.at[c, "geography_name"]) for c in resolved]
    name = names[0] if len(names) == 1 else " with ".join([", ".join(names[:-1]), names[-1]])
    note = "" if len(resolved) == 1 else "units combined by population"
    if len(codes) == 1 and resolved != codes:
        note = f"the units of functional urban area {codes[0]}"
    return Place(",".join(codes), name, tuple(resolved), country, note)


def _units_of(ws: Workspace, about: pd.DataFrame, code: str) -> list[str]:
    if code in about.index:
        return [code]
    area = ws.geography_attributes("functional_urban_area")
    members = area.loc[area["value"] == code, "code"].tolist()
    if members:
        return members
    named = about.index[about["geography_name"].str.casefold() == code.casefold()]
    by_name = [str(c) for c in named if about.at[c, "level"] in ("oecd_tl3", "oecd_metro", "oecd_tl2")]
    if len(by_name) == 1:
        return by_name
    known = ", ".join(CASE_PLACES)
    raise NotFoundError(f"no place {code!r}: give a case-study place ({known}), an OECD region "
                        "code (UKE32), a functional urban area code (UK010M) or a region's name")


def _one_country(about: pd.DataFrame, units: tuple[str, ...]) -> str:
    missing = [u for u in units if u not in about.index]
    if missing:
        raise NotFoundError(f"no places {missing} in the workspace; load the international files first")
    countries = {str(about.at[u, "country"]) for u in units}
    if len(countries) != 1:
        raise ValueError(f"units {list(units)} lie in different countries ({sorted(countries)}); "
                         "a place is compared with its own nation")
    return countries.pop()


# --- timelines -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEvent:
    """A dated item of a case study and the practices that cite the same source."""

    year: int
    end_year: int | None
    kind: str  # "programme" or "fact"
    title: str
    practices: tuple[str, ...]
    factors: tuple[str, ...]
    references: tuple[str, ...]


@dataclass(frozen=True, repr=False)
class CaseTimeline(Result):
    """The dated items of a case study, oldest first, and the practices placed on them.

    ``undated`` lists practices that share no source with a dated item; ``practice_titles`` names
    every practice of the case by id.
    """

    case_id: str
    name: str
    events: tuple[TimelineEvent, ...] = ()
    undated: tuple[str, ...] = ()
    practice_titles: dict[str, str] = field(default_factory=dict, compare=False)

    def to_frame(self) -> pd.DataFrame:
        columns = ["year", "end_year", "kind", "title", "practices", "factors", "references"]
        return pd.DataFrame([vars(e) for e in self.events], columns=columns)

    def summary(self) -> str:
        lines = [f"Timeline of {self.name}: {len(self.events)} dated items"]
        for event in self.events:
            span = f"{event.year}–{event.end_year}" if event.end_year else f"{event.year}"
            placed = f" (practices: {', '.join(event.practices)})" if event.practices else ""
            lines.append(f"  {span} {event.kind}: {event.title}{placed}")
        if self.undated:
            lines.append(f"  undated practices: {', '.join(self.undated)}")
        return "\n".join(lines)


def case_timeline(case_id: str, library: CaseLibrary | None = None) -> CaseTimeline:
    """The dated programmes and facts of a case study, with the practices citing the same source.

    >>> [(e.year, e.practices) for e in case_timeline("fukuoka").events]
    [(2014, ('fukuoka.special_zone_deregulation',))]

    Raises
    ------
    NotFoundError
        If the library has no such case.
    """
    library = library or load_case_studies()
    case = library.case(case_id)
    events = []
    placed: set[str] = set()
    for title, year, end, kind, refs in _dated_items(case):
        practices = [p for p in case.practices if refs & {c.ref for c in p.citations}]
        placed.update(p.id for p in practices)
        events.append(TimelineEvent(
            year=year, end_year=end, kind=kind, title=title,
            practices=tuple(p.id for p in practices),
            factors=tuple(dict.fromkeys(f for p in practices for f in p.factors)),
            references=tuple(sorted(refs)),
        ))
    events.sort(key=lambda e: e.year)
    undated = tuple(p.id for p in case.practices if p.id not in placed)
    return CaseTimeline(case_id=case.id, name=case.name, events=tuple(events), undated=undated,
                        practice_titles={p.id: p.title for p in case.practices})


def _dated_items(case: CaseStudy) -> list[tuple[str, int, int | None, str, set[str]]]:
    items = []
    for programme in case.programmes:
        if programme.start is not None:
            items.append((programme.name, programme.start, programme.end, "programme",
                          {c.ref for c in programme.citations}))
    facts = [*case.context.facts, *case.institutions, *case.sectors, *case.outcomes, *case.challenges]
    for fact in facts:
        if fact.year is not None:
            items.append((fact.text, fact.year, None, "fact", {c.ref for c in fact.citations}))
    return items
