"""Reading a located table into DuckDB in one pass, without holding it whole.

:func:`stage` takes a table's rows a batch at a time. Each batch is cleaned (cells trimmed, empty
cells null) and its rows sorted out with vectorised Arrow operations: rows that are not data are
set aside with a reason (after the end of the table, excluded by a ``keep`` rule, no area code, a
note or title) and counted, keeping the first few as examples; blank rows are not data and not
reported. The data rows stream on into DuckDB, which writes them, one row per value (a wide table
is unpivoted on the way), into the table ``_ls_read`` of a scratch database
(:func:`staging_area`): area code, place name, indicator, period, value and bounds as text and
as numbers, source, vintage, and the row and column each value came from. Everything after
that — every validation rule and the final write — is a query DuckDB runs within its memory
limit, spilling to disk if it must, so memory stays flat however many rows the file has.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from levelscope.data import codes
from levelscope.data.layout import Located
from levelscope.data.readers import Batch
from levelscope.errors import Problem

_THOUSANDS = r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$"
EXAMPLES = 100  # rows set aside that are listed per reason; the rest are counted
STAGE = "_ls_stage"  # the scratch database an import's tables live in (see staging_area)

AFTER_TABLE = "after the end of the table (notes)"
NO_CODE = "no geography code in the source"
NOTE = "a note or title: no value in any value column"


def sql_text(text: str) -> str:
    """A string literal for SQL."""
    return "'" + text.replace("'", "''") + "'"


def sql_list(texts: list[str] | tuple[str, ...]) -> str:
    return "(" + ", ".join(sql_text(t) for t in texts) + ")" if texts else "(NULL)"


def number_sql(cell: str) -> str:
    """SQL reading a text cell as a number: plain, or with thousands separators (``1,200``)."""
    return (
        f"CASE WHEN contains({cell}, '_') THEN NULL ELSE coalesce(TRY_CAST({cell} AS DOUBLE), "
        f"CASE WHEN regexp_full_match({cell}, {sql_text(_THOUSANDS)}) "
        f"THEN TRY_CAST(replace({cell}, ',', '') AS DOUBLE) END) END"
    )


@dataclass
class Staged:
    """What staging read: rows, rows set aside (counted by reason, with examples), notes."""

    file: str
    sheet: str | None = None
    rows_read: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    examples: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    limit: int | None = EXAMPLES  # examples kept per reason (None: all)

    @property
    def rows_excluded(self) -> int:
        return sum(self.excluded.values())

    def set_aside(self, reason: str, rows: pa.Array, column: str | None, values: pa.Array | None) -> None:
        count = len(rows)
        if not count:
            return
        listed = count if self.limit is None else min(count, self.limit - self.excluded.get(reason, 0))
        self.excluded[reason] = self.excluded.get(reason, 0) + count
        if listed > 0:
            cells = values[:listed].to_pylist() if values is not None else [None] * listed
            self.examples += [
                Problem(file=self.file, sheet=self.sheet, row=int(n), column=column, value=v,
                        reason=reason)
                for n, v in zip(rows[:listed].to_pylist(), cells, strict=True)
            ]


def stage(
    con: duckdb.DuckDBPyConnection, batches: Iterator[Batch], located: Located, *,
    sheet: str | None = None, examples: int | None = EXAMPLES,
) -> Staged:
    """Read a located table's rows into ``_ls_read`` (one row per value); report what was set aside.

    ``examples`` rows set aside are kept per reason (all if None); every one is counted.

    Raises whatever reading the file raises (a :class:`~levelscope.errors.ValidationError` for
    an unreadable file), as itself.
    """
    staged = Staged(file=located.file, sheet=sheet, notes=list(located.notes), limit=examples)
    sorter = _RowSorter(located, staged)
    width = located.width
    schema = pa.schema([("_row", pa.int64()), *[(f"c{i}", pa.string()) for i in range(width)],
                        ("_extra", pa.string())])
    failure: list[BaseException] = []

    def records() -> Iterator[pa.RecordBatch]:
        # an error raised while DuckDB pulls the batches would reach the caller as DuckDB's own
        # text; it is kept here and raised as itself once the query has stopped
        try:
            for batch in batches:
                kept = sorter.data_rows(batch)
                if kept is not None:
                    yield pa.record_batch(kept, schema=schema)
        except Exception as exc:
            failure.append(exc)

    con.register("_ls_batches", pa.RecordBatchReader.from_batches(schema, records()))
    try:
        con.execute(f"CREATE OR REPLACE TABLE _ls_stage._ls_read AS {_values_sql(located)}")
    except duckdb.Error:
        if not failure:
            raise
    finally:
        con.unregister("_ls_batches")
    if failure:
        raise failure[0]
    staged.examples.sort(key=lambda p: p.row or 0)
    return staged


class _RowSorter:
    """Sorts each batch's rows into data and set-aside rows (vectorised; state across batches)."""

    def __init__(self, located: Located, staged: Staged) -> None:
        layout = located.layout
        self.located = located
        self.staged = staged
        self.markers = pa.array([m for m in layout.missing if m], pa.string())
        self.geo = [located.position(c) for c in ([layout.geography] if layout.geography
                                                   else layout.names)]
        self.geo_name = layout.geography or layout.names[0]
        self.keep = [(column, located.position(column), pa.array([str(a) for a in allowed]))
                     for column, allowed in layout.keep.items()]
        if layout.form == "wide":
            self.values = list(located.periods)
        else:
            self.values = [located.position(layout.value)]
        self.seen_data = False
        self.ended = not layout.ends_at_blank_row  # "ended" means: no end to look for
        self.after = False

    def data_rows(self, batch: Batch) -> list[pa.Array] | None:
        cells = [_trimmed(c) for c in batch.columns]
        extra = _trimmed(batch.extra)
        blank = _all_null([*cells, extra])
        after = self._after_end(blank)
        keep = pc.invert(pc.or_(blank, after))
        self.staged.rows_read += int(pc.sum(keep).as_py() or 0)
        self.staged.set_aside(AFTER_TABLE, batch.rows.filter(pc.and_not(after, blank)), None, None)
        geo = _coalesce([cells[i] for i in self.geo])
        for column, position, allowed in self.keep:
            ok = pc.fill_null(pc.is_in(cells[position], value_set=allowed), False)
            keep = self._set_aside(keep, pc.invert(ok), f"excluded by the layout (keeps {column} in "
                                   f"{allowed.to_pylist()})", batch.rows, column, cells[position])
        no_code = pc.fill_null(pc.is_in(geo, value_set=self.markers), False)
        keep = self._set_aside(keep, no_code, NO_CODE, batch.rows, self.geo_name, geo)
        no_value = _all_null([cells[i] for i in self.values])
        code_shaped = pc.fill_null(pc.match_substring_regex(geo, f"^{codes.KNOWN_FORM}$"), False)
        note = pc.and_(no_value, pc.invert(code_shaped))
        keep = self._set_aside(keep, note, NOTE, batch.rows, self.geo_name, geo)
        if not pc.any(keep).as_py():
            return None
        return [batch.rows.filter(keep), *[c.filter(keep) for c in cells], extra.filter(keep)]

    def _set_aside(self, keep: pa.Array, condition: pa.Array, reason: str, rows: pa.Array,
                   column: str, cells: pa.Array) -> pa.Array:
        hit = pc.and_(keep, condition)
        if pc.any(hit).as_py():
            self.staged.set_aside(reason, rows.filter(hit), column, cells.filter(hit))
            return pc.and_not(keep, hit)
        return keep

    def _after_end(self, blank: pa.Array) -> pa.Array:
        """Rows after the first blank row that follows the first data row (if the layout says
        the table ends there)."""
        count = len(blank)
        if self.ended:
            return pa.array(np.full(count, self.after))
        flags = np.asarray(blank.to_numpy(zero_copy_only=False), dtype=bool)
        start = 0
        if not self.seen_data:
            filled = np.flatnonzero(~flags)
            if not len(filled):
                return pa.array(np.zeros(count, dtype=bool))
            self.seen_data, start = True, int(filled[0])
        gaps = np.flatnonzero(flags[start:])
        if not len(gaps):
            return pa.array(np.zeros(count, dtype=bool))
        end = start + int(gaps[0])
        self.ended = self.after = True
        return pa.array(np.arange(count) > end)


def _trimmed(cells: pa.Array) -> pa.Array:
    """Cells without surrounding white space (no-break spaces too); an empty cell is null."""
    trimmed = pc.utf8_trim_whitespace(cells)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _all_null(columns: list[pa.Array]) -> pa.Array:
    result = pc.is_null(columns[0])
    for column in columns[1:]:
        result = pc.and_(result, pc.is_null(column))
    return result


def _coalesce(columns: list[pa.Array]) -> pa.Array:
    return columns[0] if len(columns) == 1 else pc.coalesce(*columns)


def _values_sql(located: Located) -> str:
    """The query turning streamed data rows into one row per value (unpivoting a wide table)."""
    layout = located.layout

    def cell(name: str | None, fixed: str | None = None) -> str:
        if fixed is not None:
            return sql_text(fixed)
        return f"c{located.position(name)}" if name else "NULL"

    names = [cell(n) for n in layout.names]
    name = "NULL" if not names else names[0] if len(names) == 1 else f"coalesce({', '.join(names)})"
    common = (
        f"_row, {cell(layout.geography)} AS geography_code, {name} AS geography_name, "
        f"{cell(layout.indicator, layout.indicator_id)} AS indicator_id, "
        f"{cell(layout.source_column)} AS source, {cell(layout.vintage_column)} AS vintage, _extra"
    )
    if layout.form == "long":
        rows = (
            f"SELECT {common}, {sql_text(layout.value)} AS _column, "
            f"{cell(layout.period, layout.period_label)} AS raw_period, "
            f"{cell(layout.value)} AS raw_value, {cell(layout.lower)} AS raw_lower, "
            f"{cell(layout.upper)} AS raw_upper FROM _ls_batches"
        )
    else:
        columns = ", ".join(f"c{i}" for i in located.periods)
        header = " ".join(f"WHEN 'c{i}' THEN {sql_text(located.header[i])}" for i in located.periods)
        period = " ".join(f"WHEN 'c{i}' THEN {sql_text(p)}" for i, p in located.periods.items())
        rows = (
            "SELECT _row, geography_code, geography_name, indicator_id, source, vintage, _extra, "
            f"CASE _cell {header} END AS _column, CASE _cell {period} END AS raw_period, "
            "raw_value, NULL AS raw_lower, NULL AS raw_upper "
            f"FROM (SELECT {common}, {columns} FROM _ls_batches) "
            f"UNPIVOT INCLUDE NULLS (raw_value FOR _cell IN ({columns}))"
        )
    return (
        f"SELECT *, {number_sql('raw_value')} AS number, {number_sql('raw_lower')} AS lower_number, "
        f"{number_sql('raw_upper')} AS upper_number FROM ({rows})"
    )


@contextmanager
def staging_area(con: duckdb.DuckDBPyConnection, beside: Path | None) -> Iterator[None]:
    """A scratch database, attached as ``_ls_stage``, for one import's tables; gone afterwards.

    Beside a workspace file it is a file of its own: DuckDB stores its tables compressed there
    and reads them back a block at a time, so a large import needs little memory (and nothing
    is added to the workspace file). A workspace in memory stages in memory.
    """
    con.execute(f"DETACH DATABASE IF EXISTS {STAGE}")  # left by an import that was killed
    scratch: Path | None = None
    if beside is None:
        con.execute(f"ATTACH ':memory:' AS {STAGE}")
    else:
        handle, name = tempfile.mkstemp(prefix=".levelscope-import-", suffix=".duckdb",
                                        dir=beside.parent)
        os.close(handle)
        scratch = Path(name)
        scratch.unlink()  # DuckDB creates the file itself
        con.execute(f"ATTACH {sql_text(str(scratch))} AS {STAGE}")
    try:
        yield
    finally:
        views = con.execute("SELECT view_name FROM duckdb_views() WHERE temporary "
                            "AND starts_with(view_name, '_ls_')").fetchall()
        for (view,) in views:
            con.execute(f"DROP VIEW IF EXISTS {view}")
        con.execute(f"DETACH DATABASE IF EXISTS {STAGE}")
        if scratch is not None:
            for leftover in (scratch, scratch.with_name(scratch.name + ".wal")):
                leftover.unlink(missing_ok=True)
