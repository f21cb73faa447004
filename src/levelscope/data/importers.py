"""Validated, all-or-nothing, idempotent imports of observations into a workspace.

Every import goes the same way. The file's table is read a batch at a time into DuckDB
(:mod:`~levelscope.data.staging`), so memory stays flat however large the file; every value is
checked there (:mod:`~levelscope.data.validation`: codes known and in use, indicator known, units
agree, periods possible, numbers numeric, bounds around the value, keys unique); and only if
nothing is wrong are the values written, in one transaction. Importing the same values again writes
nothing; a new release (a later vintage) is kept beside the earlier one. Nothing is dropped
silently: the :class:`ImportReport` accounts for every value read.

Places the workspace does not know yet are registered from the file when it names them (a
``name`` column beside the codes). A file with names and no codes has its names matched to the
workspace's places by :func:`match_names`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from levelscope.data import codes
from levelscope.data.layout import MISSING_MARKERS, Layout, Located, locate
from levelscope.data.model import Geography, Level
from levelscope.data.readers import RawRow, TableFile, cell_text
from levelscope.data.staging import EXAMPLES, number_sql, sql_list, sql_text, stage, staging_area
from levelscope.data.store import Workspace, _as_date
from levelscope.data.validation import (
    EMPTY_CODE,
    Checks,
    check_codes,
    check_indicators,
    check_numbers,
    check_periods,
    check_shifted_rows,
    compare_with_store,
    find_duplicates,
    parse_periods,
    survey,
)
from levelscope.deprecation import renamed_parameters
from levelscope.errors import Problem, ValidationError

#: DuckDB's memory while it imports into a workspace file; beyond it, it spills to disk.
IMPORT_MEMORY = "96MB"
HEAD_ROWS = 200  # rows read to find a table's header
_SKIPPED, _EXCLUDED = "skipped value", "excluded row"
_REPEAT = "exact duplicate of an earlier row"
#: Text levelscope's CSV export escaped so a spreadsheet does not run it as a formula
#: (:mod:`levelscope.data.exports`): the apostrophe is taken off again, so an export re-imports
#: unchanged.
FORMULA_ESCAPED = r"^'[=+\-@\t\r]"


@dataclass(frozen=True)
class ImportReport:
    """What an import read, wrote, left unchanged and skipped, and why.

    ``values_read == values_written + values_unchanged + values_skipped`` always holds.
    ``skipped`` and ``excluded_rows`` list examples (up to 100 for each reason, in row order);
    :meth:`reasons` counts them all.
    """

    file: str
    vintage: dt.date
    rows_read: int
    values_read: int
    values_written: int
    values_unchanged: int
    values_skipped: int = 0
    rows_excluded: int = 0
    skipped: tuple[Problem, ...] = ()
    excluded_rows: tuple[Problem, ...] = ()
    counts: tuple[tuple[str, str, int], ...] = ()
    indicators: tuple[str, ...] = ()
    places_registered: tuple[str, ...] = ()
    vintage_assumed: bool = False
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def reasons(self) -> pd.DataFrame:
        """Skipped values and excluded rows counted by reason."""
        return pd.DataFrame(list(self.counts), columns=["what", "reason", "count"])

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "file": self.file, "vintage": self.vintage, "rows_read": self.rows_read,
                    "values_read": self.values_read, "values_written": self.values_written,
                    "values_unchanged": self.values_unchanged,
                    "values_skipped": self.values_skipped,
                    "rows_excluded": self.rows_excluded,
                    "places_registered": len(self.places_registered),
                }
            ]
        )

    def __str__(self) -> str:
        lines = [
            f"{self.file} (vintage {self.vintage}"
            + (", assumed: none given" if self.vintage_assumed else "") + ")",
            f"  rows read {self.rows_read:,}, values read {self.values_read:,}: "
            f"written {self.values_written:,}, unchanged {self.values_unchanged:,}, "
            f"skipped {self.values_skipped:,}",
        ]
        if self.rows_excluded:
            lines.append(f"  rows excluded {self.rows_excluded:,}")
        if self.places_registered:
            lines.append(f"  places registered {len(self.places_registered):,}")
        for what, reason, count in self.counts:
            lines.append(f"    {count:>6,} {what}: {reason}")
        lines += [f"  note: {n}" for n in self.notes]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


@renamed_parameters(workspace="ws")
def import_file(
    ws: Workspace,
    path: str | Path,
    layout: Layout | dict[str, Any] | None = None,
    *,
    vintage: dt.date | str | None = None,
    source: str | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Read a CSV, Excel or Parquet file with a declared layout and import its observations.

    The file is read a batch at a time and checked in the workspace's database engine, so a
    file of millions of rows imports in flat memory.

    Parameters
    ----------
    ws:
        The workspace to write to.
    path:
        The file.
    layout:
        A :class:`~levelscope.data.layout.Layout` (or a dict of its fields); the default is the
        long form levelscope exports (geography_code, indicator_id, period, value, lower,
        upper, vintage, source).
    vintage:
        The release date of the figures. If omitted, the file's vintage column is used, else
        today's date (the report says so). A vintage column that disagrees is refused.
    source:
        Who published the figures, kept with each value (default: the file name). A file with
        its own source column keeps it; giving a different source as well is refused.
    encoding:
        CSV: the text encoding, if detection (UTF-8, UTF-16, cp1252) is not enough.
    dry_run:
        Validate and report, but write nothing.

    Returns
    -------
    ImportReport

    Raises
    ------
    ValidationError
        Listing every problem found (file, row, column, value, reason); nothing is written.

    Examples
    --------
    >>> report = import_file(ws, "pay.csv", Layout(form="wide", geography="Code",
    ...                      indicator=None, indicator_id="weekly_pay"))  # doctest: +SKIP
    """
    file = Path(path)
    shape = layout if isinstance(layout, Layout) or layout is None else Layout.from_fields(layout)
    table = TableFile(
        file,
        shape.sheet if shape else None,
        encoding=encoding or (shape.encoding if shape else None),
        delimiter=shape.delimiter if shape else None,
    )
    head = table.head(max(HEAD_ROWS, (shape.header_row or 0) + 1) if shape else HEAD_ROWS)
    shape = shape or _default_layout(head)
    located = locate(head, shape, file.name)
    notes = list(table.notes)
    located = _honour_file_columns(located, notes)
    sheet = str(table.sheet) if table.sheet is not None else None
    con = ws.con
    with _bounded_memory(ws), staging_area(con, ws.path):
        staged = stage(con, table.batches(located.header_row, located.width), located, sheet=sheet)
        return _validate_and_write(
            ws, _Import(
                file=file.name, label=table.name, sheet=sheet, layout=located.layout,
                rows_read=staged.rows_read, excluded=staged.excluded,
                excluded_examples=staged.examples, notes=notes + staged.notes,
                sha256=table.sha256,
            ),
            vintage=vintage, source=source, dry_run=dry_run,
        )


@renamed_parameters(workspace="ws")
def import_frame(
    ws: Workspace,
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
    ``lower, upper`` (confidence bounds), ``source``, ``geography_name`` (registers the places
    the workspace does not know yet), ``_row`` and ``_column`` (where each value sits in the
    source, for error messages). The same rules as :func:`import_file` apply.
    """
    excluded = list(excluded_rows or ())
    counted: dict[str, int] = {}
    for problem in excluded:
        counted[problem.reason] = counted.get(problem.reason, 0) + 1
    layout = Layout(unit=unit, missing=missing, lower="lower", upper="upper")
    con = ws.con
    with _bounded_memory(ws), staging_area(con, ws.path):
        _stage_frame(con, frame)
        return _validate_and_write(
            ws, _Import(
                file=file, label=file, sheet=None, layout=layout,
                rows_read=rows_read if rows_read is not None else len(frame),
                excluded=counted, excluded_examples=excluded, notes=list(notes or ()),
                sha256=sha256,
            ),
            vintage=vintage, source=source or None, dry_run=dry_run, default_source=source,
        )


def match_names(ws: Workspace, names: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Area codes for place names: the codes found, and why each other name has none.

    Names are first matched to the local authority districts in use today as publishers write
    them (:func:`levelscope.data.geography.match_names`: case, punctuation, "&", "St.", "City
    of", Welsh names, known spellings); the rest match the workspace's places exactly, ignoring
    case and surrounding spaces. A name two places share is ambiguous and matches neither.
    Never a guess.

    Returns
    -------
    (matched, unmatched)
        ``{name: code}`` and ``{name: reason}``.
    """
    from levelscope.data.geography import match_names as match_district_names

    districts = match_district_names(names, dt.date.today())
    found_codes, ambiguous = districts.codes, districts.ambiguous
    matched, unmatched = {}, {}
    for name in names:
        if name.strip() in found_codes:
            matched[name] = found_codes[name.strip()]
        elif name.strip() in ambiguous:
            unmatched[name] = f"ambiguous place name: it could be any of {', '.join(ambiguous[name.strip()])}"
    places = ws.con.execute("SELECT code, name FROM geography").fetchall()
    by_name: dict[str, list[str]] = {}
    for code, name in places:
        by_name.setdefault(str(name).strip().lower(), []).append(code)
    for name in names:
        if name in matched or name in unmatched:
            continue
        found = by_name.get(name.strip().lower(), [])
        if len(found) == 1:
            matched[name] = found[0]
        elif found:
            unmatched[name] = (f"ambiguous place name: {len(found)} places are called this "
                               f"({', '.join(sorted(found))})")
        else:
            unmatched[name] = "no place of this name in the workspace"
    return matched, unmatched


# -- the steps -------------------------------------------------------------------------------------


@dataclass
class _Import:
    """What the read step hands to validation: where the values came from and what was set aside."""

    file: str
    label: str
    sheet: str | None
    layout: Layout
    rows_read: int
    excluded: dict[str, int]
    excluded_examples: list[Problem]
    notes: list[str]
    sha256: str
    places: list[Geography] = field(default_factory=list)


def _default_layout(head: list[RawRow]) -> Layout:
    header = next((r for r in head if any(cell_text(c) for c in r.cells)), None)
    labels = {cell_text(c) for c in header.cells} if header else set()
    bounds = "lower" in labels and "upper" in labels
    return Layout(lower="lower", upper="upper") if bounds else Layout()


def _honour_file_columns(located: Located, notes: list[str]) -> Located:
    """A file's own ``source`` and ``vintage`` columns are read, never silently ignored."""
    layout = located.layout
    update: dict[str, str] = {}
    lowered = {h.strip().lower(): h for h in located.header}
    for key, field_name in (("source", "source_column"), ("vintage", "vintage_column")):
        column = lowered.get(key)
        if column and getattr(layout, field_name) is None and column not in _roles(layout):
            update[field_name] = column
            notes.append(f"the file's {column!r} column gives each value's {key}")
    if not update:
        return located
    relocated = locate([RawRow(located.header_row, tuple(located.header))],
                       layout.model_copy(update=update), located.file)
    return relocated


def _roles(layout: Layout) -> set[str]:
    return {c for c in (layout.geography, *layout.names, layout.indicator, layout.period,
                        layout.value, layout.lower, layout.upper, *layout.keep) if c}


@contextmanager
def _bounded_memory(ws: Workspace) -> Iterator[None]:
    """Cap DuckDB's memory while importing into a file (it spills to disk beyond the cap)."""
    if ws.path is None:
        yield
        return
    before = ws.scalar("SELECT current_setting('memory_limit')")
    ws.con.execute(f"SET memory_limit = {sql_text(IMPORT_MEMORY)}")
    try:
        yield
    finally:
        ws.con.execute(f"SET memory_limit = {sql_text(str(before))}")


def _stage_frame(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> None:
    """A tidy frame as the staged table ``_ls_read`` (text cells, as if read from a file)."""
    count = len(frame)
    rows = frame["_row"] if "_row" in frame else pd.Series(range(2, count + 2))
    columns = {
        "_row": pa.array(rows.astype("int64").to_numpy()),
        "_column": _text_array(frame["_column"]) if "_column" in frame else pa.array(["value"] * count),
        "_extra": pa.nulls(count, pa.string()),
        # place names, where the frame has them, register the places it introduces
        "geography_name": (_text_array(frame["geography_name"]) if "geography_name" in frame
                           else pa.nulls(count, pa.string())),
        "vintage": pa.nulls(count, pa.string()),
    }
    for name, column in (("geography_code", "geography_code"), ("indicator_id", "indicator_id"),
                         ("raw_period", "period"), ("raw_value", "value"), ("raw_lower", "lower"),
                         ("raw_upper", "upper"), ("source", "source")):
        columns[name] = _text_array(frame[column]) if column in frame else pa.nulls(count, pa.string())
    con.register("_ls_frame", pa.table(columns))
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE _ls_stage._ls_read AS SELECT *, {number_sql('raw_value')} AS number, "
            f"{number_sql('raw_lower')} AS lower_number, {number_sql('raw_upper')} AS upper_number "
            "FROM _ls_frame"
        )
    finally:
        con.unregister("_ls_frame")


def _text_array(series: pd.Series) -> pa.Array:
    """Cells as text the way :func:`~levelscope.data.readers.cell_text` writes them."""
    # each distinct cell written once; a missing cell (None, NaN, NaT) is an empty one, whatever
    # object stands for it (two NaNs are never equal as dictionary keys)
    codes, distinct = pd.factorize(series)
    texts = [cell_text(v) for v in distinct] + [None]  # code -1, a missing cell, takes the last
    return pa.array([texts[c] for c in codes], pa.string())


def _validate_and_write(
    ws: Workspace, read: _Import, *, vintage: dt.date | str | None, source: str | None,
    dry_run: bool, default_source: str | None = None,
) -> ImportReport:
    con = ws.con
    layout = read.layout
    markers = tuple(m for m in layout.missing if m)
    problems: list[Problem] = []
    if layout.geography is None:
        problems += _codes_from_names(ws, read)
    release, assumed = _release_date(con, read, vintage)
    file_source = _file_source(con, read, source)
    parse_periods(con)
    code, names = "r.geography_code", ""
    if layout.geography is None:
        code, names = "n.code", "LEFT JOIN _ls_stage._ls_names n ON n.name = r.geography_name"
    in_markers = f"IN {sql_list(markers)}"
    # a view: each rule reads the values once, with their periods and numbers, never a copy
    con.execute(
        f"""
        CREATE OR REPLACE TEMP VIEW _ls_values AS
        SELECT r._row, r._column, {code} AS geography_code, r.geography_name, r.indicator_id,
               r.raw_period, p.label AS period, p.period_start, p.period_end,
               r.raw_value, r.raw_lower, r.raw_upper,
               (r.raw_value IS NULL OR r.raw_value {in_markers}) AS missing,
               CASE WHEN r.raw_value {in_markers} THEN NULL ELSE r.number END AS value,
               CASE WHEN r.raw_lower {in_markers} THEN NULL ELSE r.lower_number END AS lower,
               CASE WHEN r.raw_upper {in_markers} THEN NULL ELSE r.upper_number END AS upper,
               CASE WHEN regexp_matches(r.source, {sql_text(FORMULA_ESCAPED)})
                    THEN substr(r.source, 2) ELSE r.source END AS source,
               r._extra
        FROM _ls_stage._ls_read r
        LEFT JOIN _ls_stage._ls_periods p ON p.raw IS NOT DISTINCT FROM r.raw_period {names}
        """
    )
    checks = Checks(con, read.file, release, markers, sheet=read.sheet, problems=problems)
    survey(checks)
    indicators = check_indicators(checks, ws.indicators(), layout.unit)
    check_periods(checks)
    _check_codes(ws, checks, read)
    check_numbers(checks, layout.lower, layout.upper)
    check_shifted_rows(checks)
    find_duplicates(checks)
    if checks.problems:
        raise ValidationError(checks.problems)
    con.execute(
        "CREATE OR REPLACE TEMP VIEW _ls_kept AS SELECT v.* FROM _ls_values v "
        "ANTI JOIN _ls_stage._ls_repeats r ON r._row = v._row AND r._column = v._column WHERE NOT v.missing"
    )
    unchanged = compare_with_store(checks)
    if checks.problems:
        raise ValidationError(checks.problems)

    skipped, skip_counts = _skipped(con, read)
    values_read = int(con.execute("SELECT count(*) FROM _ls_values").fetchone()[0])  # type: ignore[index]
    values_skipped = sum(n for _, _, n in skip_counts)
    counts = skip_counts + [(_EXCLUDED, reason, n) for reason, n in read.excluded.items()]
    report = ImportReport(
        file=read.label,
        vintage=release,
        rows_read=read.rows_read,
        values_read=values_read,
        values_written=values_read - values_skipped - unchanged,
        values_unchanged=unchanged,
        values_skipped=values_skipped,
        rows_excluded=sum(read.excluded.values()),
        skipped=tuple(skipped),
        excluded_rows=tuple(read.excluded_examples),
        counts=tuple(counts),
        indicators=tuple(i for i in indicators if i),
        places_registered=tuple(p.code for p in read.places),
        vintage_assumed=assumed,
        notes=tuple(read.notes),
        warnings=tuple(_warnings(read, values_read)),
    )
    if not dry_run and (report.values_written or read.places):
        _write(ws, report, read, file_source or default_source or read.file, unchanged > 0)
    return report


def _codes_from_names(ws: Workspace, read: _Import) -> list[Problem]:
    """A file with place names and no codes: match the names (see :func:`match_names`) into
    ``_ls_names``; every name without a match is a problem."""
    con = ws.con
    names = [r[0] for r in con.execute(
        "SELECT DISTINCT geography_name FROM _ls_stage._ls_read WHERE geography_name IS NOT NULL").fetchall()]
    matched, unmatched = match_names(ws, names)
    frame = pd.DataFrame({"name": list(matched), "code": list(matched.values())}, dtype="object")
    con.register("_ls_name_frame", frame)
    try:
        con.execute("CREATE OR REPLACE TABLE _ls_stage._ls_names AS "
                    "SELECT CAST(name AS VARCHAR) AS name, CAST(code AS VARCHAR) AS code FROM _ls_name_frame")
    finally:
        con.unregister("_ls_name_frame")
    column = read.layout.names[0]
    first = dict(con.execute(
        "SELECT geography_name, min(_row) FROM _ls_stage._ls_read GROUP BY 1").fetchall())
    return [
        Problem(file=read.file, sheet=read.sheet, row=first.get(name), column=column, value=name,
                reason=reason)
        for name, reason in sorted(unmatched.items(), key=lambda item: first.get(item[0]) or 0)
    ]


def _release_date(
    con: duckdb.DuckDBPyConnection, read: _Import, vintage: dt.date | str | None
) -> tuple[dt.date, bool]:
    """The vintage: given, or the file's single vintage; several, or a clash, are refused."""
    column = read.layout.vintage_column or "vintage"
    found = con.execute(
        "SELECT vintage, min(_row) FROM _ls_stage._ls_read WHERE vintage IS NOT NULL "
        "GROUP BY 1 ORDER BY 2 LIMIT 10"
    ).fetchall()
    dates = []
    for text, row in found:
        try:
            dates.append(pd.Timestamp(text).date())
        except ValueError:
            raise ValidationError(Problem(file=read.file, sheet=read.sheet, row=row, column=column,
                                          value=text, reason="not a date")) from None
    if len(set(dates)) > 1:
        raise ValidationError(Problem(file=read.file, sheet=read.sheet, column=column,
                                      value=sorted({d.isoformat() for d in dates}),
                                      reason="the file holds several vintages; import each "
                                      "release separately"))
    given = _as_date(vintage)
    if given is not None and dates and dates[0] != given:
        raise ValidationError(Problem(file=read.file, sheet=read.sheet, row=found[0][1], column=column,
                                      value=found[0][0], reason=f"the file says its vintage is "
                                      f"{dates[0]}, not the {given} given; give the file's date "
                                      "or none"))
    release = given or (dates[0] if dates else None)
    return (release or dt.date.today()), release is None


def _file_source(con: duckdb.DuckDBPyConnection, read: _Import, source: str | None) -> str | None:
    """A source given for the import must agree with the file's own source column, if it has one."""
    if read.layout.source_column is None or source is None:
        return source
    other = con.execute(
        "SELECT source, min(_row) FROM _ls_stage._ls_read WHERE source IS NOT NULL AND source <> ? "
        "GROUP BY 1 ORDER BY 2 LIMIT 1", [source]
    ).fetchone()
    if other:
        raise ValidationError(Problem(
            file=read.file, sheet=read.sheet, row=other[1], column=read.layout.source_column,
            value=other[0], reason=f"the file's own source differs from the source given "
            f"({source!r}); import without a source to keep the file's, or remove its column",
        ))
    return source


def _check_codes(ws: Workspace, checks: Checks, read: _Import) -> None:
    """Blank codes, places the file registers, then the area-code rule itself."""
    column = read.layout.geography or "geography_code"
    if read.layout.geography is not None:
        for row, in checks.rows(EMPTY_CODE, "_row", "empty geography code"):
            checks.add(row, column, "", "empty geography code")
    known = {r[0] for r in ws.con.execute("SELECT code FROM geography").fetchall()}
    named = checks.con.execute(
        "SELECT geography_code, arg_min(geography_name, _row) FROM _ls_values "
        "WHERE geography_code IS NOT NULL AND geography_name IS NOT NULL GROUP BY 1"
    ).fetchall()
    # a code of a known form names a place even when its entity is not in levelscope's table
    # (E13: Inner and Outer London): it is registered at the level "other"
    read.places = [
        Geography(code=code, name=name, level=codes.level_of(code) or Level.OTHER,
                  parents=_parents(code))
        for code, name in sorted(named)
        if code not in known and codes.is_known_form(code)
    ]
    others = [p.code for p in read.places if p.level == Level.OTHER]
    if others:
        read.notes.append(f"{len(others)} place(s) registered at level 'other' (their codes' "
                          f"form names no level): {', '.join(others[:5])}")
    used = checks.con.execute(
        "SELECT geography_code, period_start, min(_row) AS first_row, count(*) AS rows "
        "FROM _ls_values WHERE geography_code IS NOT NULL GROUP BY 1, 2"
    ).df()
    checks.problems += check_codes(ws, used, read.file, sheet=read.sheet, column=column,
                                   registering={p.code for p in read.places})


def _parents(code: str) -> tuple[str, ...]:
    return tuple(p for p in (codes.itl_parent(code), codes.nation_of(code)) if p)


def _skipped(
    con: duckdb.DuckDBPyConnection, read: _Import
) -> tuple[list[Problem], list[tuple[str, str, int]]]:
    """Missing-value markers and exact repeats: examples (in row order) and counts by reason."""
    examples = [
        Problem(file=read.file, sheet=read.sheet, row=int(row), column=str(column), value=raw or "",
                reason=f"missing-value marker {raw or ''!r}")
        for row, column, raw in con.execute(
            "SELECT _row, _column, raw_value FROM _ls_values WHERE missing QUALIFY row_number() "
            f"OVER (PARTITION BY raw_value ORDER BY _row, _column) <= {EXAMPLES} ORDER BY _row, _column"
        ).fetchall()
    ]
    counts = [
        (_SKIPPED, f"missing-value marker {raw or ''!r}", int(n))
        for raw, n in con.execute(
            "SELECT raw_value, count(*) FROM _ls_values WHERE missing GROUP BY 1 ORDER BY min(_row)"
        ).fetchall()
    ]
    repeats = con.execute(
        f"SELECT _row, value, first_row FROM _ls_stage._ls_repeats ORDER BY _row LIMIT {EXAMPLES}"
    ).fetchall()
    examples += [
        Problem(file=read.file, sheet=read.sheet, row=int(row), column="value", value=value,
                reason=f"exact duplicate of row {first}")
        for row, value, first in repeats
    ]
    repeated = int(con.execute("SELECT count(*) FROM _ls_stage._ls_repeats").fetchone()[0])  # type: ignore[index]
    if repeated:
        counts.append((_SKIPPED, _REPEAT, repeated))
    return sorted(examples, key=lambda p: (p.row or 0, p.column or "")), counts


def _warnings(read: _Import, values_read: int) -> list[str]:
    if values_read:
        return []
    if read.rows_read == 0:
        return ["the file has no data rows under its header: nothing was imported"]
    return ["no values: every row was set aside (see the reasons above)"]


def _write(ws: Workspace, report: ImportReport, read: _Import, source: str, anti_join: bool) -> None:
    summary = {
        "reasons": report.reasons().to_dict(orient="records"),
        "indicators": list(report.indicators),
        "places_registered": len(report.places_registered),
        "notes": list(report.notes),
    }
    # values held already (the same, or it would have been refused) are left as they are
    held = (
        "ANTI JOIN observation o ON o.geography_code = k.geography_code AND o.indicator_id = "
        "k.indicator_id AND o.period = k.period AND o.vintage = $vintage" if anti_join else ""
    )
    with ws.transaction():
        if read.places:
            ws.add_geographies(read.places)
        import_id = int(ws.scalar("SELECT coalesce(max(id), 0) + 1 FROM import_log"))
        ws.con.execute(
            "INSERT INTO import_log VALUES (?, ?, ?, now(), ?, ?, ?, ?, ?, ?)",
            [import_id, report.file, read.sha256, report.vintage, report.rows_read,
             report.values_written, report.values_unchanged, report.values_skipped,
             json.dumps(summary, default=str)],
        )
        ws.con.execute(
            "INSERT INTO observation SELECT k.geography_code, k.indicator_id, k.period, "
            "k.period_start, k.period_end, k.value, k.lower, k.upper, $vintage, "
            f"coalesce(k.source, $source), $import_id FROM _ls_kept k {held}",
            {"vintage": report.vintage, "source": source, "import_id": import_id},
        )
