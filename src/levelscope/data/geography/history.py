"""The history of UK area codes: when each code was in use, what replaced it, and by which order.

Local government is reorganised every few years and every reorganisation retires codes: Allerdale
(``E07000026``), Carlisle and Copeland became Cumberland (``E06000063``) on 1 April 2023 by the
Cumbria (Structural Changes) Order 2022. A publisher's file uses the codes of its own year, so
reading a time series, checking an import or carrying old figures onto new boundaries all need
the same facts, held here once:

``codes.csv``
    every code with its name (and Welsh name), level and the dates it was in use;
``changes.csv``
    every change: the date, the old and new code, what kind of change it was, and the legal
    instrument (statutory instrument or order) or ONS notice that made it.

Kinds of change:

``merger``
    the old area became part of the new one (several districts into a unitary authority);
``recode``
    a new code for the same area, or for an area changed by a few properties (ONS gives a new
    code for any boundary change, however small);
``split``
    the old area was divided between new ones (a county between two unitary authorities);
``realignment``
    boundaries were redrawn and do not nest (Northern Ireland's 26 districts into 11 in 2015).

Figures can be carried forward across mergers and recodes (the old area lies wholly within the
new one) but not across splits or realignments.

References: ONS, *Code History Database* user guide (codes are in use from their operational date
to their termination date; a changed boundary always gets a new code); the orders cited in
``changes.csv``.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

import pandas as pd

from levelscope.data.model import Level
from levelscope.errors import NotFoundError

#: The day of a boundary year whose codes a geography vintage means: ONS names its boundary sets by the
#: codes in use at the end of December ("LAD December 2023").
BOUNDARY_DAY = (12, 31)

GeographyVintage = int | dt.date | str


def boundary_date(geography_vintage: GeographyVintage) -> dt.date:
    """The day a geography vintage (a boundary year) stands for: 31 December of a year, or a
    given date.

    >>> boundary_date(2023), boundary_date("2021-03-01")
    (datetime.date(2023, 12, 31), datetime.date(2021, 3, 1))
    """
    if isinstance(geography_vintage, dt.date):
        return geography_vintage
    year = isinstance(geography_vintage, str) and geography_vintage.isdigit()
    if isinstance(geography_vintage, int) or year:
        return dt.date(int(geography_vintage), *BOUNDARY_DAY)
    return dt.date.fromisoformat(str(geography_vintage))


class ChangeKind(StrEnum):
    """How an old code's area relates to the new code's area."""

    MERGER = "merger"
    RECODE = "recode"
    SPLIT = "split"
    REALIGNMENT = "realignment"

    @property
    def carries_figures(self) -> bool:
        """Whether the old area lies wholly within the new one, so figures can be carried."""
        return self in (ChangeKind.MERGER, ChangeKind.RECODE)


@dataclass(frozen=True)
class CodeRecord:
    """One area code and the dates it was in use (None: in use before 2009, or still in use)."""

    code: str
    name: str
    level: Level
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    name_cy: str = ""
    note: str = ""

    def in_force(self, day: dt.date) -> bool:
        """Whether the code was in use on ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True)
class Change:
    """One change of code: ``predecessor`` gave way to ``successor`` on ``effective``."""

    effective: dt.date
    predecessor: str
    successor: str
    kind: ChangeKind
    instrument: str
    note: str = ""


class CodeStatus(StrEnum):
    """What a code meant on a given day."""

    IN_FORCE = "in force"
    NOT_YET = "not yet in force"  # a later boundary, used for earlier figures (a back series)
    RETIRED = "retired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Resolution:
    """A code looked up for a day: its status, its record and, if retired, its successors then."""

    code: str
    day: dt.date
    status: CodeStatus
    record: CodeRecord | None = None
    successors: tuple[CodeRecord, ...] = ()

    @property
    def usable(self) -> bool:
        """In force, or a later code used for an earlier period (both are valid in a file)."""
        return self.status in (CodeStatus.IN_FORCE, CodeStatus.NOT_YET)

    def message(self) -> str:
        """A sentence saying why the code cannot be used on the day, naming its successors."""
        if self.status == CodeStatus.UNKNOWN:
            return f"{self.code} is not a code levelscope knows"
        assert self.record is not None
        if self.status != CodeStatus.RETIRED:
            return f"{self.code} ({self.record.name}) is {self.status} on {self.day}"
        then = ", ".join(f"{s.code} {s.name}" for s in self.successors) or "no successor"
        return (f"{self.code} ({self.record.name}) was retired on {self.record.valid_to}; "
                f"on {self.day} use {then}")


class CodeHistory:
    """Area codes with their dates of use and the changes between them.

    Use :func:`code_history` for the history shipped with levelscope.

    Examples
    --------
    >>> history = code_history()
    >>> [c.predecessor for c in history.predecessors("E06000063") if c.kind == "merger"]
    ['E07000026', 'E07000028', 'E07000029']
    >>> history.resolve("E07000026", dt.date(2024, 1, 1)).message()
    'E07000026 (Allerdale) was retired on 2023-03-31; on 2024-01-01 use E06000063 Cumberland'
    """

    def __init__(self, records: Iterable[CodeRecord], changes: Iterable[Change]) -> None:
        self.records = {r.code: r for r in records}
        self.changes = tuple(sorted(changes, key=lambda c: (c.effective, c.successor, c.predecessor)))
        self._sources: dict[dt.date, dict[str, tuple[str, ...]]] = {}
        self._after: dict[str, list[Change]] = defaultdict(list)
        self._before: dict[str, list[Change]] = defaultdict(list)
        for change in self.changes:
            self._after[change.predecessor].append(change)
            self._before[change.successor].append(change)

    def __contains__(self, code: object) -> bool:
        return code in self.records

    def __iter__(self) -> Iterator[CodeRecord]:
        return iter(self.records.values())

    def __len__(self) -> int:
        return len(self.records)

    def get(self, code: str) -> CodeRecord | None:
        return self.records.get(code)

    def record(self, code: str) -> CodeRecord:
        """The record of ``code``; :class:`NotFoundError` names close codes if it is unknown."""
        found = self.records.get(code)
        if found is None:
            import difflib

            close = difflib.get_close_matches(code, list(self.records), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise NotFoundError(f"unknown area code {code!r}{hint}")
        return found

    def successors(self, code: str) -> list[Change]:
        """The changes that retired ``code``."""
        return list(self._after.get(code, ()))

    def predecessors(self, code: str) -> list[Change]:
        """The changes that created ``code`` from earlier codes."""
        return list(self._before.get(code, ()))

    def in_force(self, code: str, day: dt.date) -> bool:
        record = self.records.get(code)
        return record is not None and record.in_force(day)

    def codes_in_force(self, day: dt.date, level: Level | str | None = None) -> list[str]:
        """Every code in use on ``day``, optionally at one level, sorted."""
        wanted = Level(level) if level is not None else None
        return sorted(
            r.code for r in self.records.values()
            if r.in_force(day) and (wanted is None or r.level == wanted)
        )

    def successors_on(self, code: str, day: dt.date) -> tuple[str, ...]:
        """The codes in use on ``day`` that took over ``code``'s area, through any kind of change."""
        found: dict[str, None] = {}
        queue, seen = [code], {code}
        while queue:
            current = queue.pop(0)
            for change in self._after.get(current, ()):
                nxt = change.successor
                if nxt in seen:
                    continue
                seen.add(nxt)
                if self.in_force(nxt, day):
                    found[nxt] = None
                elif change.effective <= day:
                    queue.append(nxt)
        return tuple(found)

    def carried_to(self, code: str, day: dt.date) -> str | None:
        """The code in use on ``day`` that figures for ``code`` can be carried to, or None.

        Forward in time, that is the code whose area wholly contains ``code``'s, reached through
        mergers and recodes only (a split or realignment on the way gives None). Backward in
        time, only a recode can be undone (a later code for the same area, used for a year
        before it existed). A code in use on ``day`` is its own answer.

        >>> code_history().carried_to("E07000190", dt.date(2023, 12, 31))  # Taunton Deane
        'E06000066'
        >>> code_history().carried_to("E08000037", dt.date(2012, 12, 31))  # Gateshead, recoded 2013
        'E08000020'
        """
        if code not in self.records:
            return None
        current, seen = code, set()
        while current not in seen:
            seen.add(current)
            if self.in_force(current, day):
                return current
            record = self.records[current]
            if record.valid_from is not None and day < record.valid_from:
                back = self._before.get(current, [])
                if len(back) != 1 or back[0].kind != ChangeKind.RECODE:
                    return None
                current = back[0].predecessor
                continue
            onward = [c for c in self._after.get(current, ()) if c.effective <= day]
            if len(onward) != 1 or not onward[0].kind.carries_figures:
                return None
            current = onward[0].successor
        return None

    def carried_from(self, day: dt.date) -> dict[str, tuple[str, ...]]:
        """For each code in use on ``day``, the other codes whose figures :meth:`carried_to` it."""
        if day not in self._sources:
            found: dict[str, list[str]] = defaultdict(list)
            for code in self.records:
                target = self.carried_to(code, day)
                if target is not None and target != code:
                    found[target].append(code)
            self._sources[day] = {k: tuple(sorted(v)) for k, v in found.items()}
        return self._sources[day]

    def resolve(self, code: str, day: dt.date) -> Resolution:
        """What ``code`` meant on ``day``: in force, not yet in force, retired or unknown."""
        record = self.records.get(code)
        if record is None:
            return Resolution(code, day, CodeStatus.UNKNOWN)
        if record.in_force(day):
            return Resolution(code, day, CodeStatus.IN_FORCE, record)
        if record.valid_from is not None and day < record.valid_from:
            return Resolution(code, day, CodeStatus.NOT_YET, record)
        successors = tuple(self.records[s] for s in self.successors_on(code, day))
        return Resolution(code, day, CodeStatus.RETIRED, record, successors)

    def lineage(self, code: str) -> pd.DataFrame:
        """Every change before and after ``code``, following predecessors back and successors
        forward, with the whole of each change it took part in (its fellow predecessors): one row
        per change (date, old code and name, new code and name, kind, order).
        """
        self.record(code)
        related: dict[Change, None] = {}
        for step in (self._before, self._after):
            queue, seen = [code], {code}
            while queue:
                current = queue.pop(0)
                for change in step.get(current, ()):
                    related[change] = None
                    if step is self._after:
                        for fellow in self._before.get(change.successor, ()):
                            if fellow.effective == change.effective:
                                related[fellow] = None
                    nxt = change.predecessor if step is self._before else change.successor
                    if nxt not in seen:
                        seen.add(nxt)
                        queue.append(nxt)
        rows = [
            {
                "effective": c.effective,
                "predecessor": c.predecessor,
                "predecessor_name": self.records[c.predecessor].name,
                "successor": c.successor,
                "successor_name": self.records[c.successor].name,
                "kind": str(c.kind),
                "instrument": c.instrument,
                "note": c.note,
            }
            for c in sorted(related, key=lambda c: (c.effective, c.successor, c.predecessor))
        ]
        columns = ["effective", "predecessor", "predecessor_name", "successor", "successor_name",
                   "kind", "instrument", "note"]
        return pd.DataFrame(rows, columns=columns)

    def to_frame(self) -> pd.DataFrame:
        """Every code: code, name, name_cy, level, valid_from, valid_to, note."""
        return pd.DataFrame(
            [
                {"code": r.code, "name": r.name, "name_cy": r.name_cy, "level": str(r.level),
                 "valid_from": r.valid_from, "valid_to": r.valid_to, "note": r.note}
                for r in self.records.values()
            ]
        )


def boundary_note(code: str, geography_vintage: GeographyVintage | None) -> str | None:
    """A sentence for an area's page about series put on the boundaries of ``geography_vintage``: what an
    area's earlier figures are made of, or where a retired area's figures went. None when there is
    nothing to say (an unchanged area, or figures shown as published).

    >>> print(boundary_note("E06000063", 2023))  # doctest: +NORMALIZE_WHITESPACE
    Figures before 1 April 2023 are those of Allerdale, Carlisle and Copeland, which became
    Cumberland (The Cumbria (Structural Changes) Order 2022 (S.I. 2022/331)): counts added up,
    rates and averages weighted by population or the indicator's own weight.
    """
    history = code_history()
    record = history.get(code)
    if record is None or geography_vintage is None:
        return None
    day = boundary_date(geography_vintage)
    if not record.in_force(day):
        after = history.successors_on(code, day)
        if not after or record.valid_to is None:
            return None
        names = _and([history.records[c].name for c in after])
        return (f"{record.name} was replaced on {record.valid_to + dt.timedelta(days=1):%-d %B %Y} by "
                f"{names}; this page shows {record.name}'s figures as published.")
    made = [c for c in history.predecessors(code)
            if c.kind == ChangeKind.MERGER and history.records[c.predecessor].level == record.level]
    if not made:
        return None
    first = max(c.effective for c in made)
    latest = [c for c in made if c.effective == first]
    parts = _and([history.records[c.predecessor].name for c in latest])
    return (f"Figures before {first:%-d %B %Y} are those of {parts}, which became {record.name} "
            f"({latest[0].instrument}): counts added up, rates and averages weighted by population "
            "or the indicator's own weight.")


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def retired_code_reason(code: str, ceased: dt.date, period_start: dt.date) -> str:
    """Why a figure for a period starting ``period_start`` cannot use ``code``, retired on
    ``ceased``, naming the code(s) in use instead (for import errors).

    >>> retired_code_reason("E07000026", dt.date(2023, 3, 31), dt.date(2023, 4, 1)).split("; ")[1]
    'use its successor E06000063 (Cumberland)'
    """
    history = code_history()
    successors = history.successors_on(code, period_start) if code in history else ()
    named = ", ".join(f"{s} ({history.records[s].name})" for s in successors)
    noun = "successor" if len(successors) == 1 else "successors"
    advice = f"use its {noun} {named}" if successors else "use the code in force for the period"
    return f"retired geography code: it ceased on {ceased}, before this period starts; {advice}"


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def code_history() -> CodeHistory:
    """The code history shipped with levelscope (``codes.csv`` and ``changes.csv``)."""
    records = [
        CodeRecord(
            code=row["code"], name=row["name"], level=Level(row["level"]),
            valid_from=_date(row["valid_from"]), valid_to=_date(row["valid_to"]),
            name_cy=row["name_cy"], note=row["note"],
        )
        for row in _rows("codes.csv")
    ]
    changes = [
        Change(
            effective=dt.date.fromisoformat(row["effective"]), predecessor=row["predecessor"],
            successor=row["successor"], kind=ChangeKind(row["kind"]),
            instrument=row["instrument"], note=row["note"],
        )
        for row in _rows("changes.csv")
    ]
    return CodeHistory(records, changes)


def memberships() -> pd.DataFrame:
    """Published and derived memberships of areas in larger areas: child, parent, whole, source.

    A membership holds while both codes are in use; ITL2 and ITL1 parents follow from an ITL3
    code (``TLC11`` is in ``TLC1`` and ``TLC``). ``whole`` is False for the parts of an area that
    straddles ITL3 regions (Cumberland in TLD11 and TLD12): such an area's whole membership is of
    the smallest ITL region that contains it (TLD1).
    """
    return _memberships().copy()


@cache
def _memberships() -> pd.DataFrame:
    frame = pd.DataFrame(_rows("memberships.csv"), columns=["child", "parent", "whole", "source"])
    return frame.assign(whole=frame["whole"] == "yes")
