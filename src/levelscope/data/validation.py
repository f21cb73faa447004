"""The rules an import's values must pass, each a query over the staged values.

The values of a file wait in the temporary table ``_ls_values`` (one row per value: area code,
indicator, period, the value and its bounds as read and as numbers, the source row and column).
Each rule below looks at them and adds a :class:`~levelscope.errors.Problem` for every value that
breaks it — at most :data:`EXAMPLES` per rule, then one line counting the rest — so a file with a
million bad rows is reported in a few lines and never held in memory.

The area-code rule is one function, :func:`check_codes`, taking the codes a file uses with the
periods it uses them for: the place to change what counts as a valid code.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from levelscope.data.geography.history import retired_code_reason
from levelscope.data.periods import PeriodError, parse_period
from levelscope.data.staging import EXAMPLES, sql_list
from levelscope.errors import Problem


@dataclass
class Checks:
    """Collects problems from every rule, rather than stopping at the first."""

    con: duckdb.DuckDBPyConnection
    file: str
    vintage: dt.date
    markers: tuple[str, ...]
    sheet: str | None = None
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, row: Any, column: str | None, value: Any, reason: str) -> None:
        self.problems.append(Problem(file=self.file, sheet=self.sheet, row=_int(row),
                                     column=column, value=value, reason=reason))

    def tally(self, conditions: list[str]) -> None:
        """Count the values meeting each condition, all in one pass over the values.

        :meth:`rows` then reads no further for a condition no value meets (the usual case).
        """
        wanted = [c for c in conditions if c not in self.counts]
        if not wanted:
            return
        found = self.con.execute(
            "SELECT " + ", ".join(f"count(*) FILTER (WHERE {c})" for c in wanted) + " FROM _ls_values"
        ).fetchone() or ()
        self.counts.update(zip(wanted, (int(n) for n in found), strict=True))

    def rows(self, where: str, columns: str, reason: str) -> Iterator[tuple[Any, ...]]:
        """Up to :data:`EXAMPLES` values breaking a rule (in file order); then, once the caller
        has added their problems, one line counting the rest."""
        if self.counts.get(where) == 0:
            return
        found = self.con.execute(
            f"SELECT {columns} FROM _ls_values WHERE {where} ORDER BY _row, _column "
            f"LIMIT {EXAMPLES + 1}"
        ).fetchall()
        yield from found[:EXAMPLES]
        if len(found) > EXAMPLES:
            if where not in self.counts:
                self.tally([where])
            more = self.counts[where] - EXAMPLES
            self.problems.append(Problem(file=self.file, sheet=self.sheet,
                                         reason=f"... and {more:,} more values: {reason}"))

    @property
    def future(self) -> str:
        """The condition: a period that starts after the release date."""
        return f"period_start > DATE '{self.vintage.isoformat()}'"


#: Conditions the per-value rules test (see :meth:`Checks.tally`).
EMPTY_CODE = "geography_code IS NULL AND geography_name IS NULL"
NOT_A_NUMBER = "NOT missing AND (value IS NULL OR isinf(value) OR isnan(value))"
SHIFTED = "_extra IS NOT NULL"


def bound_conditions(markers: tuple[str, ...]) -> dict[str, str]:
    """For each bound: the condition that it is not a number, and that it is on the wrong side."""
    listed = sql_list(markers)
    return {
        "lower": f"raw_lower IS NOT NULL AND raw_lower NOT IN {listed} AND "
                 "(lower IS NULL OR isinf(lower) OR isnan(lower))",
        "upper": f"raw_upper IS NOT NULL AND raw_upper NOT IN {listed} AND "
                 "(upper IS NULL OR isinf(upper) OR isnan(upper))",
        "lower_order": "NOT missing AND lower > value",
        "upper_order": "NOT missing AND upper < value",
    }


def survey(checks: Checks) -> None:
    """Count, in one pass, the values breaking each per-value rule."""
    checks.tally([EMPTY_CODE, NOT_A_NUMBER, SHIFTED, checks.future,
                  *bound_conditions(checks.markers).values()])


def parse_periods(con: duckdb.DuckDBPyConnection) -> None:
    """Read every distinct period label once, into ``_ls_periods`` (label, first and last day)."""
    raw = [r[0] for r in con.execute("SELECT DISTINCT raw_period FROM _ls_stage._ls_read").fetchall()]
    rows: list[tuple[Any, ...]] = []
    for text in raw:
        try:
            period = parse_period("" if text is None else text)
            rows.append((text, period.label, period.start, period.end, None))
        except PeriodError as exc:
            rows.append((text, None, None, None, str(exc)))
    frame = pd.DataFrame(rows, columns=["raw", "label", "period_start", "period_end", "error"])
    frame = frame.astype({"raw": "object", "label": "object", "error": "object"})
    con.register("_ls_period_frame", frame)
    try:
        con.execute(
            "CREATE OR REPLACE TABLE _ls_stage._ls_periods AS SELECT raw, label, "
            "CAST(period_start AS DATE) AS period_start, CAST(period_end AS DATE) AS period_end, "
            "error FROM _ls_period_frame"
        )
    finally:
        con.unregister("_ls_period_frame")


def check_indicators(checks: Checks, known: pd.DataFrame, unit: str | None) -> list[str]:
    """Every indicator must be catalogued, and in the unit the file says its values are in.

    Returns the indicator ids the file holds.
    """
    used = checks.con.execute(
        "SELECT coalesce(indicator_id, ''), min(_row), count(*) FROM _ls_values GROUP BY 1 ORDER BY 1"
    ).fetchall()
    known = known.set_index("id")
    for ident, row, count in used:
        if ident not in known.index:
            hint = _close(ident, list(known.index))
            checks.add(row, "indicator_id", ident, f"unknown indicator{hint}; add it to the "
                       f"catalogue first ({count} rows)")
        elif unit is not None and unit_key(unit) != unit_key(str(known.at[ident, "unit"])):
            checks.add(row, "unit", unit, f"the file's unit clashes with indicator {ident!r}, "
                       f"which is in {known.at[ident, 'unit']!r}")
    return [u[0] for u in used]


def check_periods(checks: Checks) -> None:
    """Every period must be readable, possible, and not start after the release date."""
    bad = checks.con.execute(
        "SELECT coalesce(v.raw_period, ''), min(v._row), any_value(p.error) FROM _ls_values v "
        "JOIN _ls_stage._ls_periods p ON p.raw IS NOT DISTINCT FROM v.raw_period "
        "WHERE p.error IS NOT NULL GROUP BY 1 ORDER BY 2"
    ).fetchall()
    for raw, row, error in bad:
        checks.add(row, "period", raw, f"impossible period: {error}")
    reason = f"impossible period: it starts after the release date {checks.vintage}"
    for row, raw in checks.rows(checks.future, "_row, raw_period", reason):
        checks.add(row, "period", raw, reason)


def check_codes(
    ws: Any, used: pd.DataFrame, file: str, *, registering: Collection[str] = (),
    sheet: str | None = None, column: str = "geography_code",
) -> list[Problem]:
    """The area-code rule: is each code a place the workspace knows, in use in that period?

    Parameters
    ----------
    ws:
        The workspace (its ``geography`` table holds each place's validity dates).
    used:
        One row per code and period the file uses: ``geography_code``, ``period_start`` (NaT if
        the period is unreadable), ``first_row`` (where it first appears) and ``rows``.
    file, sheet:
        For the messages.
    registering:
        Codes this import registers as new places (the file names them); they are known.
    column:
        The file's column of area codes, as its header names it (for the messages).

    Returns
    -------
    list of Problem
        An unknown code once (at its first row, with the number of rows and close matches); a
        retired code at each period that starts after its last day.
    """
    places = ws.con.execute("SELECT code, valid_to FROM geography").df()
    ends = {code: end for code, end in zip(places["code"], places["valid_to"], strict=True)
            if pd.notna(end)}
    known = set(places["code"]) | set(registering)
    problems = []
    for code, rows in used.groupby("geography_code", sort=True):
        if code not in known:
            hint = _close(str(code), list(places["code"]))
            problems.append(Problem(
                file=file, sheet=sheet, row=_int(rows["first_row"].min()), column=column,
                value=code, reason=f"unknown geography code{hint} ({int(rows['rows'].sum())} rows); "
                "register it first, or give the column of place names so the import registers it",
            ))
            continue
        if code not in ends:
            continue
        end = pd.Timestamp(ends[code])
        late = rows[pd.to_datetime(rows["period_start"]) > end].sort_values("first_row")
        for row, start in zip(late["first_row"], late["period_start"], strict=True):
            problems.append(Problem(
                file=file, sheet=sheet, row=_int(row), column=column, value=code,
                reason=retired_code_reason(str(code), end.date(), pd.Timestamp(start).date()),
            ))
    return problems


def check_numbers(checks: Checks, lower: str | None, upper: str | None) -> None:
    """Values and bounds must be numbers (or missing-value markers); bounds must enclose the value.

    ``lower`` and ``upper`` are the file's names for the bound columns (None if it has none).
    """
    reason = "not a number: a value must be numeric"
    for row, column, raw in checks.rows(NOT_A_NUMBER, "_row, _column, raw_value", reason):
        checks.add(row, column, raw, reason)
    conditions = bound_conditions(checks.markers)
    for name, label in ((lower, "lower"), (upper, "upper")):
        if name is None:
            continue
        reason = "not a number: a confidence bound must be numeric"
        for row, raw in checks.rows(conditions[label], f"_row, raw_{label}", reason):
            checks.add(row, name, raw, reason)
    if lower is not None:
        for row, bound, value in checks.rows(conditions["lower_order"], "_row, lower, value",
                                             "lower bound above the value"):
            checks.add(row, lower, bound, f"lower confidence bound is above the value {value}")
    if upper is not None:
        for row, bound, value in checks.rows(conditions["upper_order"], "_row, upper, value",
                                             "upper bound below the value"):
            checks.add(row, upper, bound, f"upper confidence bound is below the value {value}")


def check_shifted_rows(checks: Checks) -> None:
    """A row with more cells than the header has shifted (an unquoted comma?): refuse it."""
    if checks.counts.get(SHIFTED) == 0:
        return
    found = checks.con.execute(
        f"SELECT DISTINCT _row, _extra FROM _ls_values WHERE {SHIFTED} ORDER BY _row "
        f"LIMIT {EXAMPLES}"
    ).fetchall()
    for row, extra in found:
        checks.add(row, None, extra, "the row has more cells than the header (a separator inside "
                   "an unquoted cell?); its cells may have shifted")


def find_duplicates(checks: Checks) -> None:
    """Keys given twice: exact repeats are set aside in ``_ls_repeats``; different values are errors."""
    checks.con.execute(
        """
        CREATE OR REPLACE TABLE _ls_stage._ls_repeats AS
        WITH twice AS (  -- grouping by one hash is much faster than by three texts
            SELECT hash(geography_code, indicator_id, period) AS h FROM _ls_values
            WHERE NOT missing AND period IS NOT NULL GROUP BY h HAVING count(*) > 1
        ), ranked AS (  -- the keys themselves decide: two keys may share a hash
            SELECT v._row, v._column, v.geography_code, v.indicator_id, v.period, v.value,
                   row_number() OVER w AS k, first_value(v._row) OVER w AS first_row,
                   (v.value IS NOT DISTINCT FROM first_value(v.value) OVER w
                    AND v.lower IS NOT DISTINCT FROM first_value(v.lower) OVER w
                    AND v.upper IS NOT DISTINCT FROM first_value(v.upper) OVER w) AS same
            FROM _ls_values v
            WHERE NOT v.missing AND v.period IS NOT NULL
              AND hash(v.geography_code, v.indicator_id, v.period) IN (SELECT h FROM twice)
            WINDOW w AS (PARTITION BY v.geography_code, v.indicator_id, v.period
                         ORDER BY v._row, v._column)
        )
        SELECT * FROM ranked WHERE k > 1
        """
    )
    conflicts = checks.con.execute(
        "SELECT arg_min(_row, k), arg_min(value, k), geography_code, indicator_id, period, "
        "any_value(first_row) FROM _ls_stage._ls_repeats WHERE NOT same GROUP BY geography_code, "
        f"indicator_id, period ORDER BY 1 LIMIT {EXAMPLES}"
    ).fetchall()
    for row, value, code, ident, period, first in conflicts:
        checks.add(row, "value", value, f"duplicate key ({code}, {ident}, {period}) with a "
                   f"different value from row {first}")
    # a key with any differing repeat is an error; only keys repeated exactly are set aside
    checks.con.execute(
        "DELETE FROM _ls_stage._ls_repeats WHERE (geography_code, indicator_id, period) IN "
        "(SELECT (geography_code, indicator_id, period) FROM _ls_stage._ls_repeats WHERE NOT same)"
    )


def compare_with_store(checks: Checks) -> int:
    """Values the workspace already holds for this vintage: the same are unchanged (counted and
    left out), different ones are errors (a revision needs a new vintage). Returns the count.

    Compares the values to be written (the view ``_ls_kept``: not missing, not repeats).
    """
    held = checks.con.execute(
        "SELECT count(*) FROM observation WHERE vintage = ? AND indicator_id IN "
        "(SELECT DISTINCT indicator_id FROM _ls_values)", [checks.vintage]
    ).fetchone()
    if not held or not held[0]:
        return 0  # nothing of this release is held yet: no value can be unchanged
    where = (
        "FROM _ls_kept v JOIN observation o ON o.geography_code = v.geography_code "
        "AND o.indicator_id = v.indicator_id AND o.period = v.period AND o.vintage = ?"
    )
    same = ("(o.value = v.value AND o.lower IS NOT DISTINCT FROM v.lower "
            "AND o.upper IS NOT DISTINCT FROM v.upper)")
    counts = checks.con.execute(
        f"SELECT count(*) FILTER (WHERE {same}), count(*) FILTER (WHERE NOT {same}) {where}",
        [checks.vintage],
    ).fetchone()
    unchanged, changed = (int(counts[0]), int(counts[1])) if counts else (0, 0)
    if changed:
        found = checks.con.execute(
            f"SELECT v._row, v.value, o.value {where} WHERE NOT {same} ORDER BY v._row "
            f"LIMIT {EXAMPLES}", [checks.vintage],
        ).fetchall()
        for row, new, old in found:
            checks.add(row, "value", new, f"the workspace already holds {old} for this area, "
                       f"indicator and period in the {checks.vintage} release; import a revision "
                       "with a new vintage")
        if changed > EXAMPLES:
            checks.problems.append(Problem(file=checks.file, sheet=checks.sheet, reason=(
                f"... and {changed - EXAMPLES:,} more values the workspace holds differently")))
    return unchanged


def unit_key(unit: str) -> str:
    """A unit reduced to what matters for comparison (case, spaces and punctuation aside)."""
    return re.sub(r"[^a-z0-9£%]+", "", unit.lower())


def _close(value: str, known: list[str]) -> str:
    close = difflib.get_close_matches(value, known, n=3)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def _int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)
