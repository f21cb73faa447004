"""Declared column mappings: where the table is in a file and what its columns mean.

A :class:`Layout` turns a publisher's table — tidy (one row per value) or wide (one column per
period) — into tidy rows of ``geography_code, indicator_id, period, value, lower, upper``, keeping
each value's source row and column so that a later error can point at the cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, model_validator

from levelscope.data import codes
from levelscope.data.periods import PeriodError, parse_period
from levelscope.data.readers import RawRow
from levelscope.errors import Problem, ValidationError

#: Cell contents that mean "no value" in official tables: Nomis '-', ONS '[x]' / '[c]' / '..',
#: Eurostat ':', and blanks. They are skipped and reported, never read as zero.
MISSING_MARKERS: tuple[str, ...] = (
    "", "-", "–", "..", ".", ":", "*", "x", "[x]", "c", "[c]", "z", "[z]", "u", "[u]",
    "na", "n/a", "NA", "N/A", "nan", "NaN", "#N/A", "suppressed", "[low]",
)


class Layout(BaseModel):
    r"""Where a table sits in a file and which columns hold what.

    Parameters
    ----------
    form:
        ``"long"`` (one row per value, with a period column) or ``"wide"`` (one column per
        period, as publishers print time series).
    sheet:
        Workbook sheet name or 0-based number; the first sheet if omitted.
    header_row:
        Row number (as a spreadsheet shows it) of the column headers. If omitted, the first row
        holding a cell equal to ``geography`` is taken as the header.
    geography, indicator, period, value, lower, upper:
        Column names. ``indicator`` may be omitted when ``indicator_id`` names the indicator of
        the whole table; ``period`` may be omitted in long form when ``period_label`` gives the
        period of the whole table. ``lower`` / ``upper`` are optional confidence bounds.
    period_columns:
        Wide form: a regular expression that picks the period columns; its first group is the
        period label (``^Pounds_(\d{4})$`` takes ``Pounds_2004`` as ``2004``). By default a
        column is a period column when its whole header reads as a period (``2021``,
        ``2022/23``, ``2023-Q1``); a header that merely mentions a year (``… (as of April
        2021)``) is not one. Either way, a column holding only text is never a period column.
    unit:
        The unit the file's values are in. It must match the indicator's unit; a clash is an
        error rather than a silent mix of, say, pounds and thousands of pounds.
    keep:
        Only rows whose column equals one of the listed values are imported (e.g.
        ``{"SIC07 code": ["Total"]}``); the others are counted in the report as excluded.
    ends_at_blank_row:
        The table ends at the first blank row after its first data row; what follows
        (footnotes) is counted in the report, not read.
    missing:
        Cell contents that mean "no value".
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    form: Literal["long", "wide"] = "long"
    sheet: str | int | None = None
    header_row: int | None = None
    geography: str = "geography_code"
    indicator: str | None = "indicator_id"
    indicator_id: str | None = None
    period: str | None = "period"
    period_label: str | None = None
    value: str = "value"
    lower: str | None = None
    upper: str | None = None
    period_columns: str | None = None
    unit: str | None = None
    keep: dict[str, list[str]] = {}
    ends_at_blank_row: bool = False
    missing: tuple[str, ...] = MISSING_MARKERS

    @model_validator(mode="after")
    def _indicator_named(self) -> Layout:
        if self.indicator_id is None and self.indicator is None:
            raise ValueError("say which column holds the indicator, or give indicator_id")
        if self.form == "long" and self.period is None and self.period_label is None:
            raise ValueError("long form needs a period column or a period_label")
        return self


@dataclass
class Extract:
    """Tidy rows taken from a table, and the source rows that were not (with reasons)."""

    values: pd.DataFrame
    rows_read: int
    excluded: list[Problem] = field(default_factory=list)


def _is_blank(cells: tuple[Any, ...]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _label(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _labels(series: pd.Series) -> pd.Series:
    """``_label`` of every cell, computed once per distinct value."""
    distinct = series.drop_duplicates()
    return series.map(dict(zip(distinct, distinct.map(_label), strict=True)))


def _find_header(rows: list[RawRow], layout: Layout, file: str) -> int:
    if layout.header_row is not None:
        for i, row in enumerate(rows):
            if row.number == layout.header_row:
                return i
        raise ValidationError(Problem(file=file, row=layout.header_row, reason="no such row"))
    wanted = layout.geography.strip().lower()
    for i, row in enumerate(rows):
        if any(_label(c).lower() == wanted for c in row.cells):
            return i
    raise ValidationError(
        Problem(
            file=file,
            column=layout.geography,
            reason="no header row with this geography column was found; give header_row or "
            "the right column name",
        )
    )


def extract(rows: list[RawRow], layout: Layout, file: str) -> Extract:
    """Apply a layout to a file's raw rows. Raises ValidationError if the table is not there."""
    start = _find_header(rows, layout, file)
    header = [_label(c) or f"column {i + 1}" for i, c in enumerate(rows[start].cells)]
    body = rows[start + 1 :]
    excluded: list[Problem] = []
    if layout.ends_at_blank_row:
        seen_data = False
        for i, row in enumerate(body):
            blank = _is_blank(row.cells)
            seen_data |= not blank
            if blank and seen_data:
                after = [r for r in body[i:] if not _is_blank(r.cells)]
                excluded += [
                    Problem(file=file, row=r.number, reason="after the end of the table (notes)")
                    for r in after
                ]
                body = body[:i]
                break
    data = [r for r in body if not _is_blank(r.cells)]
    width = len(header)
    frame = pd.DataFrame(
        [list(r.cells[:width]) + [None] * (width - len(r.cells)) for r in data],
        columns=header,
        dtype="object",
    )
    frame["_row"] = [r.number for r in data]
    _require_columns(frame, layout, file, rows[start].number)
    for column, allowed in layout.keep.items():
        keep = _labels(frame[column]).isin([str(a) for a in allowed])
        excluded += [
            Problem(file=file, row=int(n), column=column, value=v,
                    reason=f"excluded by the layout (keeps {column} in {allowed})")
            for n, v in zip(frame.loc[~keep, "_row"], frame.loc[~keep, column], strict=True)
        ]
        frame = frame[keep]
    no_code = _labels(frame[layout.geography]).isin([m for m in layout.missing if m])
    excluded += [
        Problem(file=file, row=int(n), column=layout.geography, value=v,
                reason="no geography code in the source")
        for n, v in zip(frame.loc[no_code, "_row"], frame.loc[no_code, layout.geography], strict=True)
    ]
    frame = frame[~no_code]
    if layout.form == "wide":
        tidy, noted = _wide_to_tidy(frame, layout, file)
        excluded += noted
    else:
        notes = _single_cell_notes(frame, layout)
        excluded += [
            Problem(file=file, row=int(n), reason="a note: one cell of text, not data")
            for n in frame.loc[notes, "_row"]
        ]
        tidy = _tidy(frame[~notes], layout)
    return Extract(tidy, rows_read=len(data), excluded=excluded)


def _single_cell_notes(frame: pd.DataFrame, layout: Layout) -> pd.Series:
    """Rows holding one cell of text that is not an area code: titles and footnotes."""
    cells = frame.drop(columns="_row")
    filled = cells.notna() & ~cells.map(lambda c: isinstance(c, str) and not c.strip())
    alone = filled.sum(axis="columns") == 1
    code_shaped = _labels(frame[layout.geography]).map(codes.is_known_form)
    return alone & ~code_shaped


def _require_columns(frame: pd.DataFrame, layout: Layout, file: str, header_row: int) -> None:
    named = [layout.geography, *layout.keep]
    if layout.indicator_id is None and layout.indicator:
        named.append(layout.indicator)
    if layout.form == "long":
        named.append(layout.value)
        if layout.period_label is None and layout.period:
            named.append(layout.period)
    named += [c for c in (layout.lower, layout.upper) if c]
    missing = [c for c in named if c not in frame.columns]
    if missing:
        have = [c for c in frame.columns if c != "_row"]
        raise ValidationError(
            [Problem(file=file, row=header_row, column=c,
                     reason=f"column not found; the header has {have}") for c in missing]
        )


def _tidy(frame: pd.DataFrame, layout: Layout) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "geography_code": _labels(frame[layout.geography]),
            "indicator_id": (
                layout.indicator_id if layout.indicator_id
                else _labels(frame[layout.indicator])
            ),
            "period": (
                layout.period_label if layout.period_label
                else _labels(frame[layout.period])
            ),
            "value": frame[layout.value],
            "lower": frame[layout.lower] if layout.lower else None,
            "upper": frame[layout.upper] if layout.upper else None,
            "_row": frame["_row"],
            "_column": layout.value,
        }
    )
    return out.reset_index(drop=True)


def _period_columns(frame: pd.DataFrame, layout: Layout, file: str) -> dict[str, str]:
    """Each wide-form period column with its period label; text columns are never periods."""
    if layout.period_columns is None:
        periods = {c: c for c in frame.columns if c != "_row" and _reads_as_period(c)}
    else:
        pattern = re.compile(layout.period_columns)
        periods = {c: m.group(1) for c in frame.columns if (m := pattern.match(c))}
    missing = set(layout.missing)
    for column in list(periods):
        cells = _labels(frame[column])
        filled = cells[~cells.isin(missing)]
        if len(filled) and pd.to_numeric(filled.str.replace(",", ""), errors="coerce").isna().all():
            del periods[column]  # names, notes: a column of text holds no values
    if not periods:
        wanted = layout.period_columns or "headers that read as periods (2021, 2022/23, …)"
        raise ValidationError(
            Problem(file=file, reason=f"no period columns: none of {_shown(frame)} matches "
                    f"{wanted} and holds numbers")
        )
    return periods


def _reads_as_period(header: str) -> bool:
    try:
        parse_period(header)
    except PeriodError:
        return False
    return True


def _shown(frame: pd.DataFrame) -> list[str]:
    return [str(c) for c in frame.columns if c != "_row"]


def _wide_to_tidy(frame: pd.DataFrame, layout: Layout, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    periods = _period_columns(frame, layout, file)
    cells = frame[list(periods)]
    empty = cells.isna() | cells.map(lambda c: isinstance(c, str) and not c.strip())
    notes = empty.all(axis="columns")
    excluded = [
        Problem(file=file, row=int(n), column=layout.geography, value=v,
                reason="no value in any period column (a note or title, not data)")
        for n, v in zip(frame.loc[notes, "_row"], frame.loc[notes, layout.geography], strict=True)
    ]
    frame = frame[~notes]
    ids = [layout.geography, "_row"]
    if layout.indicator_id is None and layout.indicator:
        ids.append(layout.indicator)
    long = frame[ids + list(periods)].melt(id_vars=ids, var_name="_column", value_name="value")
    tidy = pd.DataFrame(
        {
            "geography_code": _labels(long[layout.geography]),
            "indicator_id": (
                layout.indicator_id if layout.indicator_id
                else _labels(long[layout.indicator])
            ),
            "period": long["_column"].map(periods),
            "value": long["value"],
            "lower": None,
            "upper": None,
            "_row": long["_row"],
            "_column": long["_column"],
        }
    )
    return tidy, excluded
