"""Reading allocations: the Levelling Up Fund files as published, and plain allocation tables.

Both readers return the same frame, one row per allocation, with :data:`ALLOCATION_COLUMNS`:
``bid_id`` (a stable identifier: the same fund, round, lead applicant and bid name always give
the same id, so a re-import is recognised), ``fund``, ``round``, ``announced`` (date),
``lead_applicant``, ``recipient``, ``bid_name``, ``amount`` (pounds, to the penny), ``areas``
(a tuple of area codes the allocation covers), ``outcome`` ("successful", "unsuccessful" or
None when unknown) and ``notes``. Every bad cell is reported with its file, row (the header is
row 1), column and value, and nothing is returned unless every row is good.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"fund": ["Towns Fund"], "round": ["1"], "announced": ["2021-03-03"],
...                       "geography_code": ["E06000001;E06000002"], "amount": ["£1,000.50"]})
>>> row = read_allocation_table(table, name="example").iloc[0]
>>> row["areas"], float(row["amount"]), row["announced"].isoformat()
(('E06000001', 'E06000002'), 1000.5, '2021-03-03')
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from levelscope.errors import Problem, ValidationError

ALLOCATION_COLUMNS = (
    "bid_id", "fund", "round", "announced", "lead_applicant", "recipient", "bid_name", "amount",
    "areas", "outcome", "notes",
)
LEVELLING_UP_FUND = "Levelling Up Fund"


@dataclass(frozen=True)
class LufRound:
    """What the published list of a Levelling Up Fund round does not say about itself."""

    round: str
    announced: dt.date
    announcement: str


#: The Levelling Up Fund rounds whose lists of successful bids levelscope reads: round 1 was
#: announced with the Autumn Budget and Spending Review on 27 October 2021, round 2 by DLUHC on
#: 19 January 2023.
LUF_ROUNDS = {
    "1": LufRound("1", dt.date(2021, 10, 27),
                  "HM Treasury / DLUHC, Levelling Up Fund: first round successful bidders"),
    "2": LufRound("2", dt.date(2023, 1, 19), "DLUHC, Levelling Up Fund round 2: successful bidders"),
}

_CODE = re.compile(r"^[A-Z][0-9]{8}$")
_SUCCESS = {"successful", "success", "awarded", "funded", "yes", "y", "true", "1"}
_FAILURE = {"unsuccessful", "rejected", "declined", "not funded", "no", "n", "false", "0"}

# The columns of each round's published list, by what they hold.
_LUF_HEADERS = {
    "lead_applicant": ("local authority name / area", "legal name of lead applicant organisation"),
    "recipient": ("grant recipient (if not local authority)",),
    "bid_name": ("bid name",),
    "amount": ("bid value",),
    "areas": ("lads",),
    "notes": ("notes",),
}


def bid_id(fund: str, round: str, lead_applicant: str, bid_name: str) -> str:
    """A stable identifier of a bid: 16 hexadecimal digits of the SHA-256 of its fund, round,
    lead applicant and bid name (compared without case or surrounding spaces).

    >>> bid_id("Levelling Up Fund", "2", "Dorset Council", "Weymouth Waterside Regeneration")
    '2c5f0a8cd1a54ea9'
    """
    key = "\x1f".join(part.strip().casefold() for part in (fund, round, lead_applicant, bid_name))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def read_luf_bids(path: str | Path, *, round: str | int | None = None) -> pd.DataFrame:
    """Read a published list of successful Levelling Up Fund bids.

    Reads the lists of rounds 1 and 2 as published with area codes added (one row per bid: the
    lead applicant, for round 1 a grant recipient when it is not the council, the bid name, the
    bid value in pounds, the district codes the bid covers separated by ``;`` and notes such as
    "Allerdale merged into Cumberland"). Every bid in the list was successful.

    Parameters
    ----------
    path
        The CSV file.
    round
        "1" or "2"; by default read from the file name (``...round-1.csv``).

    Returns
    -------
    The allocations frame (see the module's description), with the round's announcement date.

    Raises
    ------
    ValidationError
        For an unknown round, a missing column, or any bad cell (by row, column and value).
    """
    file = Path(path)
    found = re.search(r"round[-_ ]?(\d)", file.name.lower())
    key = str(round) if round is not None else (found.group(1) if found else "")
    if key not in LUF_ROUNDS:
        raise ValidationError(
            Problem(f"cannot tell the Levelling Up Fund round (known: {', '.join(LUF_ROUNDS)}); "
                    "give round=", file=file.name, value=key or None)
        )
    table = _read_csv(file)
    header = {str(c).strip().lower(): str(c) for c in table.columns}
    columns: dict[str, str] = {}
    for role, names in _LUF_HEADERS.items():
        match = next((header[n] for n in names if n in header), None)
        if match is not None:
            columns[role] = match
    missing = [r for r in ("lead_applicant", "bid_name", "amount", "areas") if r not in columns]
    if missing:
        raise ValidationError(
            [Problem(f"no column for the {r.replace('_', ' ')} (expected one of "
                     f"{', '.join(repr(n) for n in _LUF_HEADERS[r])})", file=file.name) for r in missing]
        )
    info = LUF_ROUNDS[key]
    records = [
        {
            "fund": LEVELLING_UP_FUND,
            "round": info.round,
            "announced": info.announced.isoformat(),
            "outcome": "successful",
            **{role: record[name] for role, name in columns.items()},
        }
        for record in table.to_dict("records")
    ]
    labels = {role: name for role, name in columns.items()}
    return _parse(records, file.name, labels)


def read_allocation_table(source: str | Path | pd.DataFrame, *, name: str | None = None) -> pd.DataFrame:
    """Read a plain table of allocations (CSV, Excel or a frame) for any fund.

    Columns, matched ignoring case and surrounding spaces: ``fund`` (or ``programme``),
    ``round``, ``announced`` (or ``date``; ``YYYY-MM-DD`` or ``DD/MM/YYYY``), ``amount`` (pounds;
    ``£`` and thousands separators allowed), ``geography_code`` (or ``areas``/``area``: one or more
    area codes separated by ``;``), and optionally ``lead_applicant``, ``recipient``,
    ``bid_name``, ``outcome`` (successful / unsuccessful; blank when unknown) and ``notes``.

    Raises
    ------
    ValidationError
        Listing every bad cell by file, row, column and value, or a missing column.
    """
    if isinstance(source, pd.DataFrame):
        table, file = source.astype(object).where(source.notna(), ""), name or "table"
    else:
        path = Path(source)
        file = name or path.name
        if path.suffix.lower() in (".xlsx", ".xls"):
            table = pd.read_excel(path, dtype=str).fillna("")
        else:
            table = _read_csv(path)
    header = {str(c).strip().lower(): str(c) for c in table.columns}
    aliases = {
        "fund": ("fund", "programme"), "round": ("round",), "announced": ("announced", "date"),
        "amount": ("amount",), "areas": ("geography_code", "areas", "area"),
        "lead_applicant": ("lead_applicant",), "recipient": ("recipient",),
        "bid_name": ("bid_name",), "outcome": ("outcome",), "notes": ("notes",),
    }
    labels = {}
    for role, names in aliases.items():
        match = next((header[n] for n in names if n in header), None)
        if match is not None:
            labels[role] = match
    missing = [r for r in ("fund", "round", "announced", "amount", "areas") if r not in labels]
    if missing:
        raise ValidationError(
            [Problem(f"required column is missing (one of {', '.join(aliases[r])})", file=file,
                     column=r) for r in missing]
        )
    records = [{role: record[label] for role, label in labels.items()} for record in table.to_dict("records")]
    return _parse(records, file, labels)


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValidationError(Problem(f"cannot be read as CSV: {exc}", file=path.name)) from None


# --- cells ------------------------------------------------------------------------------------


def _parse(records: list[dict[str, Any]], file: str, labels: dict[str, str]) -> pd.DataFrame:
    """Check and type every record; raise with every problem, or return the allocations."""
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for position, record in enumerate(records):
        cell = _Cells(record, file, position + 2, labels, problems)
        parsed = _parse_record(cell)
        if parsed is None:
            continue
        first = seen.get(parsed["bid_id"])
        if first is not None:
            cell.problem("bid_name", f"the same fund, round, lead applicant and bid name as row "
                         f"{first}; give the bids distinct names")
            continue
        seen[parsed["bid_id"]] = cell.row
        rows.append(parsed)
    if problems:
        raise ValidationError(problems)
    if not rows:
        raise ValidationError(Problem("no allocations in the table", file=file))
    frame = pd.DataFrame(rows, columns=list(ALLOCATION_COLUMNS))
    frame["amount"] = frame["amount"].astype(float)
    return frame


@dataclass
class _Cells:
    """One record's cells, and where to report what is wrong with them."""

    record: dict[str, Any]
    file: str
    row: int
    labels: dict[str, str]
    problems: list[Problem]

    def text(self, role: str) -> str:
        return _text(self.record.get(role))

    def problem(self, role: str, reason: str, value: object = None) -> None:
        shown = value if value is not None else (self.text(role) or None)
        self.problems.append(
            Problem(reason, file=self.file, row=self.row, column=self.labels.get(role, role), value=shown)
        )


def _parse_record(cell: _Cells) -> dict[str, Any] | None:
    before = len(cell.problems)
    for role in ("fund", "round"):
        if not cell.text(role):
            cell.problem(role, "is empty")
    amount = _amount(cell.text("amount"))
    if amount is None:
        cell.problem("amount", "is not an amount of money in pounds")
    elif amount < 0:
        cell.problem("amount", "is negative")
    announced = _date(cell.text("announced"))
    if announced is None:
        cell.problem("announced", "is not a date (YYYY-MM-DD or DD/MM/YYYY)")
    areas = tuple(code.strip().upper() for code in cell.text("areas").split(";") if code.strip())
    if not areas:
        cell.problem("areas", "names no area code, so the allocation cannot be placed")
    for code in areas:
        if not _CODE.match(code):
            cell.problem("areas", "is not an area code (a letter and eight digits, e.g. E06000001)", code)
    if len(set(areas)) < len(areas):
        cell.problem("areas", "names the same area twice")
    outcome: str | None = None
    if cell.text("outcome"):
        word = cell.text("outcome").lower()
        outcome = "successful" if word in _SUCCESS else "unsuccessful" if word in _FAILURE else None
        if outcome is None:
            cell.problem("outcome", "is neither successful nor unsuccessful")
    if len(cell.problems) > before or amount is None or announced is None:
        return None
    return {
        "bid_id": bid_id(cell.text("fund"), cell.text("round"), cell.text("lead_applicant"),
                         cell.text("bid_name")),
        "fund": cell.text("fund"),
        "round": cell.text("round"),
        "announced": announced,
        "lead_applicant": cell.text("lead_applicant"),
        "recipient": cell.text("recipient") or None,
        "bid_name": cell.text("bid_name"),
        "amount": amount,
        "areas": areas,
        "outcome": outcome,
        "notes": cell.text("notes") or None,
    }


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _amount(text: str) -> float | None:
    cleaned = text.replace("£", "").replace(",", "").strip()
    if not re.fullmatch(r"-?\d+(\.\d{1,2})?", cleaned):
        return None  # money is pounds and pence: no exponents, no fractions of a penny
    return round(float(cleaned), 2)


def _date(text: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None
