"""Validated, all-or-nothing, idempotent imports of observations into a workspace.

Every import goes through :func:`import_frame`: values are checked first (codes known and in use,
indicator known, units agree, periods possible, numbers numeric, bounds around the value, keys
unique), and only if nothing is wrong are they written, in one transaction. Importing the same
values again writes nothing; a new release (a later vintage) is kept beside the earlier one.
Nothing is dropped silently: the :class:`ImportReport` accounts for every value read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from levelscope.data.layout import MISSING_MARKERS, Layout, extract
from levelscope.data.periods import PeriodError, parse_period
from levelscope.data.readers import RawRow, read_rows
from levelscope.data.store import Workspace, _as_date
from levelscope.errors import Problem, ValidationError

_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
_KEY = ["geography_code", "indicator_id", "period"]


@dataclass(frozen=True)
class ImportReport:
    """What an import read, wrote, left unchanged and skipped, and why.

    ``values_read == values_written + values_unchanged + values_skipped`` always holds.
    """

    file: str
    vintage: dt.date
    rows_read: int
    values_read: int
    values_written: int
    values_unchanged: int
    skipped: tuple[Problem, ...] = ()
    excluded_rows: tuple[Problem, ...] = ()
    indicators: tuple[str, ...] = ()
    vintage_assumed: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def values_skipped(self) -> int:
        return len(self.skipped)

    def reasons(self) -> pd.DataFrame:
        """Skipped values and excluded rows counted by reason."""
        items = [("skipped value", p.reason) for p in self.skipped]
        items += [("excluded row", p.reason) for p in self.excluded_rows]
        frame = pd.DataFrame(items, columns=["what", "reason"])
        return frame.value_counts().rename("count").reset_index()

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "file": self.file, "vintage": self.vintage, "rows_read": self.rows_read,
                    "values_read": self.values_read, "values_written": self.values_written,
                    "values_unchanged": self.values_unchanged,
                    "values_skipped": self.values_skipped,
                    "rows_excluded": len(self.excluded_rows),
                }
            ]
        )

    def __str__(self) -> str:
        lines = [
            f"{self.file} (vintage {self.vintage}"
            + (", assumed: none given" if self.vintage_assumed else "") + ")",
            f"  rows read {self.rows_read}, values read {self.values_read}: "
            f"written {self.values_written}, unchanged {self.values_unchanged}, "
            f"skipped {self.values_skipped}",
        ]
        if self.excluded_rows:
            lines.append(f"  rows excluded {len(self.excluded_rows)}")
        for _, row in self.reasons().iterrows():
            lines.append(f"    {row['count']:>6} {row['what']}: {row['reason']}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def import_file(
    workspace: Workspace,
    path: str | Path,
    layout: Layout | dict[str, Any] | None = None,
    *,
    vintage: dt.date | str | None = None,
    source: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Read a CSV, Excel or Parquet file with a declared layout and import its observations.

    Parameters
    ----------
    workspace:
        The workspace to write to.
    path:
        The file.
    layout:
        A :class:`~levelscope.data.layout.Layout` (or a dict of its fields); the default is the
        long form levelscope exports (geography_code, indicator_id, period, value, lower,
        upper).
    vintage:
        The release date of the figures. If omitted, a ``vintage`` column in the file is used,
        else today's date (the report says so).
    source:
        Who published the figures, kept with each value.
    dry_run:
        Validate and report, but write nothing.

    Returns
    -------
    ImportReport

    Raises
    ------
    ValidationError
        Listing every problem found (file, row, column, value, reason); nothing is written.
    """
    file = Path(path)
    if layout is None:
        rows = read_rows(file)
        shape = _default_layout(rows)
    else:
        shape = layout if isinstance(layout, Layout) else Layout(**layout)
        rows = read_rows(file, shape.sheet)
    table = extract(rows, shape, file.name)
    notes: list[str] = []
    if vintage is None and layout is None:
        vintage = _vintage_column(rows, shape, file.name)
    return import_frame(
        workspace,
        table.values,
        vintage=vintage,
        source=source or file.name,
        file=file.name,
        unit=shape.unit,
        missing=shape.missing,
        rows_read=table.rows_read,
        excluded_rows=table.excluded,
        sha256=hashlib.sha256(file.read_bytes()).hexdigest(),
        notes=notes,
        dry_run=dry_run,
    )


def _default_layout(rows: list[RawRow]) -> Layout:
    header = [str(c).strip() for c in rows[0].cells] if rows else []
    bounds = "lower" in header and "upper" in header
    return Layout(lower="lower", upper="upper") if bounds else Layout()


def _vintage_column(rows: Any, layout: Layout, file: str) -> dt.date | None:
    header = [str(c).strip() for c in rows[0].cells] if rows else []
    if "vintage" not in header:
        return None
    position = header.index("vintage")
    found = {str(r.cells[position]).strip() for r in rows[1:] if len(r.cells) > position}
    found.discard("")
    if len(found) > 1:
        raise ValidationError(
            Problem(file=file, column="vintage", value=sorted(found),
                    reason="the file holds several vintages; import each release separately")
        )
    return pd.Timestamp(found.pop()).date() if found else None


def import_frame(
    workspace: Workspace,
    frame: pd.DataFrame,
    *,
    vintage: dt.date | str | None = None,
    source: str = "",
    file: str = "<frame>",
    unit: str | None = None,
    missing: tuple[str, ...] = MISSING_MARKERS,
    rows_read: int | None = None,
    excluded_rows: list[Problem] | None = None,
    sha256: str = "",
    notes: list[str] | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Validate tidy observations and write them in one transaction.

    ``frame`` has columns ``geography_code, indicator_id, period, value`` and optionally
    ``lower, upper`` (confidence bounds), ``_row`` and ``_column`` (where each value sits in the
    source, for error messages). See :func:`import_file` for the rest.
    """
    frame = frame.reset_index(drop=True).copy()
    if "_row" not in frame:
        frame["_row"] = np.arange(2, len(frame) + 2)  # as if row 1 were a header
    if "_column" not in frame:
        frame["_column"] = "value"
    for bound in ("lower", "upper"):
        if bound not in frame:
            frame[bound] = None
    release = _as_date(vintage) or dt.date.today()
    checker = _Checker(workspace, file, release, set(missing), unit)
    clean, skipped = checker.check(frame)
    if checker.problems:
        raise ValidationError(checker.problems)

    clean, unchanged = _against_store(workspace, clean, release, file, checker.problems)
    if checker.problems:
        raise ValidationError(checker.problems)

    report = ImportReport(
        file=file,
        vintage=release,
        rows_read=rows_read if rows_read is not None else len(frame),
        values_read=len(frame),
        values_written=len(clean),
        values_unchanged=unchanged,
        skipped=tuple(skipped),
        excluded_rows=tuple(excluded_rows or ()),
        indicators=tuple(sorted(frame["indicator_id"].astype(str).unique())),
        vintage_assumed=vintage is None,
        notes=tuple(notes or ()),
    )
    if len(clean) and not dry_run:
        _write(workspace, clean, report, source, sha256)
    return report


class _Checker:
    """Applies every validation rule, collecting problems rather than stopping at the first."""

    def __init__(
        self, workspace: Workspace, file: str, vintage: dt.date, missing: set[str], unit: str | None
    ) -> None:
        self.ws = workspace
        self.file = file
        self.vintage = vintage
        self.missing = missing
        self.unit = unit
        self.problems: list[Problem] = []

    def problem(self, row: Any, column: str, value: Any, reason: str) -> None:
        self.problems.append(
            Problem(file=self.file, row=int(row), column=str(column), value=value, reason=reason)
        )

    def check(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
        frame["geography_code"] = _texts(frame["geography_code"])
        frame["indicator_id"] = _texts(frame["indicator_id"])
        self._indicators(frame)
        periods = self._periods(frame)
        frame = frame.join(periods)
        self._geographies(frame)
        values, skipped_mask = self._numbers(frame, "value", frame["_column"])
        lower, _ = self._numbers(frame, "lower", pd.Series("lower", index=frame.index))
        upper, _ = self._numbers(frame, "upper", pd.Series("upper", index=frame.index))
        frame["value"], frame["lower"], frame["upper"] = values, lower, upper
        skipped = [
            Problem(file=self.file, row=int(str(r.row)), column=str(r.col), value=r.raw,
                    reason=f"missing-value marker {_text(r.raw)!r}")
            for r in pd.DataFrame(
                {"row": frame["_row"], "col": frame["_column"], "raw": frame["_raw_value"]}
            )[skipped_mask].itertuples()
        ]
        kept = frame[~skipped_mask]
        self._bounds(kept)
        kept, duplicates = self._duplicates(kept)
        return kept, skipped + duplicates

    def _indicators(self, frame: pd.DataFrame) -> None:
        known = self.ws.indicators().set_index("id")
        for ident, rows in frame.groupby("indicator_id")["_row"]:
            if ident not in known.index:
                hint = _close(str(ident), list(known.index))
                self.problem(rows.iloc[0], "indicator_id", ident,
                             f"unknown indicator{hint}; add it to the catalogue first "
                             f"({len(rows)} rows)")
            elif self.unit is not None and _unit_key(self.unit) != _unit_key(str(known.at[ident, "unit"])):
                self.problem(rows.iloc[0], "unit", self.unit,
                             f"the file's unit clashes with indicator {ident!r}, which is in "
                             f"{known.at[ident, 'unit']!r}")

    def _periods(self, frame: pd.DataFrame) -> pd.DataFrame:
        labels: dict[Any, tuple[str, dt.date, dt.date] | None] = {}
        for raw in frame["period"].unique():
            try:
                p = parse_period(raw)
                labels[raw] = (p.label, p.start, p.end)
            except PeriodError as exc:
                labels[raw] = None
                first = frame.loc[frame["period"] == raw, "_row"].iloc[0]
                self.problem(first, "period", raw, f"impossible period: {exc}")
        parsed = frame["period"].map(labels)
        out = pd.DataFrame(
            {
                "period_label": parsed.map(lambda t: t[0] if t else None),
                "period_start": parsed.map(lambda t: t[1] if t else None),
                "period_end": parsed.map(lambda t: t[2] if t else None),
            },
            index=frame.index,
        )
        future = out["period_start"].map(lambda d: d is not None and d > self.vintage)
        for row, raw in zip(frame.loc[future, "_row"], frame.loc[future, "period"], strict=True):
            self.problem(row, "period", raw,
                         f"impossible period: it starts after the release date {self.vintage}")
        return out

    def _geographies(self, frame: pd.DataFrame) -> None:
        geo = self.ws.con.execute("SELECT code, valid_to FROM geography").df().set_index("code")
        codes = frame["geography_code"]
        blank = codes == ""
        for row in frame.loc[blank, "_row"]:
            self.problem(row, "geography_code", "", "empty geography code")
        unknown = ~codes.isin(geo.index) & ~blank
        for code, rows in frame[unknown].groupby("geography_code")["_row"]:
            self.problem(rows.iloc[0], "geography_code", code,
                         f"unknown geography code{_close(str(code), list(geo.index))} "
                         f"({len(rows)} rows); register it first")
        # a plain dict: mapping through an empty date-typed Series fails in pandas
        ends = {code: end for code, end in geo["valid_to"].items() if pd.notna(end)}
        retired_on = pd.to_datetime(codes.map(ends).where(~unknown))
        late_mask = pd.to_datetime(frame["period_start"]) > retired_on
        late = zip(frame.loc[late_mask, "_row"], codes[late_mask], retired_on[late_mask], strict=True)
        for row, code, end in late:
            self.problem(row, "geography_code", code,
                         f"retired geography code: it ceased on {pd.Timestamp(end).date()}, "
                         "before this period starts; use its successor")

    def _numbers(
        self, frame: pd.DataFrame, column: str, where: pd.Series
    ) -> tuple[pd.Series, pd.Series]:
        """Read a column as numbers; missing-value markers become NaN (and are flagged)."""
        raw = frame[column]
        if column == "value":
            frame["_raw_value"] = raw
        # fast path: most cells already are numbers or plain numeric text
        numbers = pd.to_numeric(raw, errors="coerce").astype("float64")
        is_missing = raw.isna()
        unread = numbers.isna() & ~is_missing
        if unread.any():
            text = _texts(raw[unread])
            marker = text.isin(self.missing)
            grouped = text.str.match(_THOUSANDS)
            cleaned = text.where(~grouped, text.str.replace(",", "", regex=False))
            numbers[unread] = pd.to_numeric(cleaned.where(~marker), errors="coerce")
            is_missing = is_missing | marker.reindex(raw.index, fill_value=False)
        bad = numbers.isna() & ~is_missing
        bad |= np.isinf(numbers.fillna(0.0))
        for row, col, value in zip(frame.loc[bad, "_row"], where[bad], raw[bad], strict=True):
            what = "a confidence bound" if column in ("lower", "upper") else "a value"
            self.problem(row, col, value, f"not a number: {what} must be numeric")
        return numbers, is_missing

    def _bounds(self, frame: pd.DataFrame) -> None:
        low = frame["lower"].notna() & (frame["lower"] > frame["value"])
        high = frame["upper"].notna() & (frame["upper"] < frame["value"])
        for row, v, b in zip(frame.loc[low, "_row"], frame.loc[low, "value"],
                             frame.loc[low, "lower"], strict=True):
            self.problem(row, "lower", b, f"lower confidence bound is above the value {v}")
        for row, v, b in zip(frame.loc[high, "_row"], frame.loc[high, "value"],
                             frame.loc[high, "upper"], strict=True):
            self.problem(row, "upper", b, f"upper confidence bound is below the value {v}")

    def _duplicates(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
        keyed = frame.assign(period=frame["period_label"])
        dupe = keyed.duplicated(_KEY, keep=False)
        if not dupe.any():
            return keyed, []
        skipped: list[Problem] = []
        drop: list[Any] = []
        for _, group in keyed[dupe].groupby(_KEY):
            first = group.iloc[0]
            same = group[["value", "lower", "upper"]].fillna(np.inf).nunique().max() == 1
            if not same:
                self.problem(group["_row"].iloc[1], "value", group["value"].iloc[1],
                             f"duplicate key ({first.geography_code}, {first.indicator_id}, "
                             f"{first.period}) with a different value from row {first._row}")
                continue
            for index, later in group.iloc[1:].iterrows():
                drop.append(index)
                skipped.append(Problem(file=self.file, row=int(later["_row"]), column="value",
                                       value=later["value"],
                                       reason=f"exact duplicate of row {first._row}"))
        return keyed.drop(index=drop), skipped


def _against_store(
    ws: Workspace, clean: pd.DataFrame, vintage: dt.date, file: str, problems: list[Problem]
) -> tuple[pd.DataFrame, int]:
    """Drop values the store already holds for this vintage; flag ones it holds differently."""
    keys = clean[[*_KEY, "value", "lower", "upper", "_row"]].copy()
    ws.con.register("_incoming", keys)
    try:
        held = ws.con.execute(
            """
            SELECT i._row, i.value AS new_value, o.value AS old_value,
                   (o.value = i.value OR (o.value IS NULL AND i.value IS NULL))
                   AND (o.lower IS NOT DISTINCT FROM i.lower)
                   AND (o.upper IS NOT DISTINCT FROM i.upper) AS same
            FROM _incoming i JOIN observation o
              ON o.geography_code = i.geography_code AND o.indicator_id = i.indicator_id
             AND o.period = i.period AND o.vintage = ?
            """,
            [vintage],
        ).df()
    finally:
        ws.con.unregister("_incoming")
    for row in held[~held["same"]].itertuples():
        problems.append(
            Problem(file=file, row=int(str(row._1)), column="value", value=row.new_value,
                    reason=f"the workspace already holds {row.old_value} for this area, indicator "
                    f"and period in the {vintage} release; import a revision with a new vintage")
        )
    already = set(held.loc[held["same"], "_row"])
    return clean[~clean["_row"].isin(already)], len(already)


def _write(ws: Workspace, clean: pd.DataFrame, report: ImportReport, source: str, sha: str) -> None:
    rows = pd.DataFrame(
        {
            "geography_code": clean["geography_code"],
            "indicator_id": clean["indicator_id"],
            "period": clean["period_label"],
            "period_start": pd.to_datetime(clean["period_start"]),
            "period_end": pd.to_datetime(clean["period_end"]),
            "value": clean["value"].astype("float64"),
            "lower": clean["lower"].astype("float64"),
            "upper": clean["upper"].astype("float64"),
            "vintage": report.vintage,
            "source": source,
        }
    )
    summary = {
        "reasons": report.reasons().to_dict(orient="records"),
        "indicators": list(report.indicators),
    }
    with ws.transaction():
        import_id = int(ws.scalar("SELECT coalesce(max(id), 0) + 1 FROM import_log"))
        ws.con.execute(
            "INSERT INTO import_log VALUES (?, ?, ?, now(), ?, ?, ?, ?, ?, ?)",
            [import_id, report.file, sha, report.vintage, report.rows_read,
             report.values_written, report.values_unchanged, report.values_skipped,
             json.dumps(summary, default=str)],
        )
        ws.con.register("_rows", rows)
        try:
            ws.con.execute(
                "INSERT INTO observation SELECT geography_code, indicator_id, period, "
                "CAST(period_start AS DATE), CAST(period_end AS DATE), value, lower, upper, "
                "vintage, source, ? FROM _rows",
                [import_id],
            )
        finally:
            ws.con.unregister("_rows")


def _texts(series: pd.Series) -> pd.Series:
    """``_text`` of every cell, computed once per distinct value."""
    distinct = series.drop_duplicates()
    return series.map(dict(zip(distinct, distinct.map(_text), strict=True)))


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


def _unit_key(unit: str) -> str:
    return re.sub(r"[^a-z0-9£%]+", "", unit.lower())


def _close(value: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value, known, n=3)
    return f" (did you mean {', '.join(close)}?)" if close else ""
