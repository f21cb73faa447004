r"""Declared column mappings: where the table is in a file and what its columns mean.

A :class:`Layout` turns a publisher's table — tidy (one row per value) or wide (one column per
period) — into tidy rows of ``geography_code, indicator_id, period, value, lower, upper``, keeping
each value's source row and column so that a later error can point at the cell. Layouts are
written as YAML files (``levelscope layout suggest FILE`` drafts one; docs/layouts.md describes
every field with worked examples).

:func:`locate` finds the table a layout describes in the first rows of a file: its header row and
the position of every column the layout names. :mod:`levelscope.data.staging` then reads the
table's rows through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from levelscope.data.periods import PeriodError, parse_period
from levelscope.data.readers import RawRow, cell_text
from levelscope.errors import Problem, ValidationError

#: Cell contents that mean "no value" in official tables: Nomis '-', ONS '[x]' / '[c]' / '..',
#: Eurostat ':', and blanks. They are skipped and reported, never read as zero.
MISSING_MARKERS: tuple[str, ...] = (
    "", "-", "–", "..", ".", ":", "*", "x", "[x]", "c", "[c]", "z", "[z]", "u", "[u]",
    "na", "n/a", "NA", "N/A", "nan", "NaN", "#N/A", "suppressed", "[low]",
)

#: The columns levelscope itself writes (``levelscope export``) and reads by default.
STANDARD_COLUMNS = ("geography_code", "indicator_id", "period", "value", "lower", "upper",
                    "vintage", "source")


#: The fields of a :class:`Layout` that name a column, a period or a unit: always text.
_TEXT_FIELDS = frozenset({"geography", "indicator", "indicator_id", "period", "period_label", "value",
                          "lower", "upper", "source_column", "vintage_column", "period_columns", "unit"})


def _as_text(value: object) -> object:
    """A number written in a layout file as the text it stands for (``2019``, not ``2019.0``), as
    a cell holding it reads."""
    return cell_text(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


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
        holding a cell equal to the geography column's name (or the name column's) is taken.
    geography:
        Column of area codes. May be None when ``name`` is given: the names are then matched to
        the workspace's places.
    name:
        Column of place names, or a list of columns (the first filled one names the place, as in
        ONS tables with one name column per level). Places the workspace does not know yet are
        registered from the file's codes and names; a place it knows keeps its name.
    indicator, period, value, lower, upper:
        Column names. ``indicator`` may be omitted when ``indicator_id`` names the indicator of
        the whole table; ``period`` may be omitted in long form when ``period_label`` gives the
        period of the whole table. ``lower`` / ``upper`` are optional confidence bounds.
    source_column, vintage_column:
        Columns giving each row's source (publisher / dataset) and release date. A file's
        ``source`` and ``vintage`` columns are read even when not named here; several vintages
        in one file are refused (import each release separately).
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
    encoding, delimiter:
        CSV only: the text encoding (detected if omitted: UTF-8, UTF-16, cp1252) and the cell
        separator (detected if omitted).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    form: Literal["long", "wide"] = "long"
    sheet: str | int | None = None
    header_row: int | None = None
    geography: str | None = "geography_code"
    name: str | list[str] | None = None
    indicator: str | None = "indicator_id"
    indicator_id: str | None = None
    period: str | None = "period"
    period_label: str | None = None
    value: str = "value"
    lower: str | None = None
    upper: str | None = None
    source_column: str | None = None
    vintage_column: str | None = None
    period_columns: str | None = None
    unit: str | None = None
    keep: dict[str, list[str]] = {}
    ends_at_blank_row: bool = False
    missing: tuple[str, ...] = MISSING_MARKERS
    encoding: str | None = None
    delimiter: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _numbers_as_text(cls, data: object) -> object:
        # YAML reads `period_label: 2019`, or `value: 2021` for a column headed by its year, as
        # numbers; they name a period or a column, so they are text
        if not isinstance(data, dict):
            return data
        fields = {k: _as_text(v) if k in _TEXT_FIELDS else v for k, v in data.items()}
        keep = fields.get("keep")
        if isinstance(keep, dict):
            fields["keep"] = {str(column): [_as_text(v) for v in kept] if isinstance(kept, list) else kept
                              for column, kept in keep.items()}
        return fields

    @model_validator(mode="after")
    def _indicator_named(self) -> Layout:
        if self.indicator_id is None and self.indicator is None:
            raise ValueError("say which column holds the indicator, or give indicator_id")
        if self.form == "long" and self.period is None and self.period_label is None:
            raise ValueError("long form needs a period column or a period_label")
        if self.geography is None and not self.name:
            raise ValueError("say which column holds the area codes (geography) or names (name)")
        return self

    @property
    def names(self) -> list[str]:
        """The name columns, in the order they are tried."""
        if self.name is None:
            return []
        return [self.name] if isinstance(self.name, str) else list(self.name)

    @classmethod
    def load(cls, path: str | Path) -> Layout:
        """Read a layout file (YAML); a field the layout does not have is an error, not ignored."""
        file = Path(path)
        if not file.is_file():
            raise ValidationError(Problem(file=file.name, reason="no such layout file (write one "
                                          "with `levelscope layout suggest DATAFILE`)"))
        try:
            fields = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ValidationError(Problem(file=file.name, reason=f"cannot read the layout: {exc}")) from None
        return cls.from_fields(fields, file.name)

    @classmethod
    def from_fields(cls, fields: dict[str, Any], file: str = "layout") -> Layout:
        """A layout from a dict (as read from YAML), with errors that name the field."""
        from pydantic import ValidationError as FieldError

        if not isinstance(fields, dict):
            raise ValidationError(Problem(file=file, reason="a layout is a mapping of fields"))
        try:
            return cls(**fields)
        except FieldError as exc:
            raise ValidationError(
                [Problem(file=file, column=".".join(str(p) for p in e["loc"]) or None,
                         value=e.get("input"), reason=e["msg"]) for e in exc.errors()]
            ) from None

    def to_yaml(self) -> str:
        """The fields that differ from the defaults, as YAML (a layout file)."""
        fields = self.model_dump(exclude_defaults=True)
        # fields whose default is a column name must be written when cleared, or they come back
        for key in ("geography", "indicator", "period"):
            if getattr(self, key) is None:
                fields[key] = None
        if "missing" in fields:
            fields["missing"] = list(fields["missing"])
        return yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=100)


@dataclass
class Located:
    """The table a layout describes, found in a file: its header and its columns' positions."""

    file: str
    header_row: int
    header: list[str]
    layout: Layout
    periods: dict[int, str] = field(default_factory=dict)  # wide form: position → period label
    notes: list[str] = field(default_factory=list)

    def position(self, column: str) -> int:
        """The 0-based position of a column by its header."""
        return self.header.index(column)

    @property
    def width(self) -> int:
        return len(self.header)


@dataclass
class Extract:
    """Tidy rows taken from a table, and the source rows that were not (with reasons)."""

    values: pd.DataFrame
    rows_read: int
    excluded: list[Problem] = field(default_factory=list)


def locate(head: list[RawRow], layout: Layout, file: str) -> Located:
    """Find the table's header row among a file's first rows and check the columns it names.

    Raises
    ------
    ValidationError
        If there is no such header row, or a column the layout names is not in it.
    """
    row = _find_header(head, layout, file)
    header = _labels(row.cells)
    located = Located(file=file, header_row=row.number, header=header, layout=layout)
    _require_columns(located)
    if layout.form == "wide":
        located.periods = _candidate_periods(located)
        _drop_text_columns(located, [r for r in head if r.number > row.number])
    return located


def _labels(cells: tuple[Any, ...]) -> list[str]:
    labels: list[str] = []
    for i, cell in enumerate(cells):
        label = cell_text(cell) or f"column {i + 1}"
        labels.append(label if label not in labels else f"{label} (column {i + 1})")
    while labels and labels[-1] == f"column {len(labels)}":  # trailing empty cells
        labels.pop()
    return labels


def _find_header(rows: list[RawRow], layout: Layout, file: str) -> RawRow:
    if layout.header_row is not None:
        for row in rows:
            if row.number == layout.header_row:
                return row
        raise ValidationError(Problem(file=file, row=layout.header_row, reason="no such row"))
    wanted = (layout.geography or layout.names[0]).strip().lower()
    for row in rows:
        if any((cell_text(c) or "").lower() == wanted for c in row.cells):
            return row
    if not rows:  # regression: an empty first sheet was said to have no header "in the first 0 rows"
        which = "the first sheet" if layout.sheet is None else "the sheet"
        sheet = None if layout.sheet is None else str(layout.sheet)
        raise ValidationError(Problem(file=file, sheet=sheet, reason=(
            f"{which} is empty; choose another with --sheet (`levelscope layout suggest FILE` "
            "names the sheets that have area codes)")))
    raise ValidationError(
        Problem(
            file=file,
            column=layout.geography or layout.names[0],
            reason=f"no header row with this column was found in the first {len(rows)} rows; "
            "give header_row or the right column name (`levelscope layout suggest FILE` drafts "
            "a layout)",
        )
    )


def _require_columns(located: Located) -> None:
    layout = located.layout
    named = [c for c in (layout.geography, *layout.names, *layout.keep) if c]
    if layout.indicator_id is None and layout.indicator:
        named.append(layout.indicator)
    if layout.form == "long":
        named.append(layout.value)
        if layout.period_label is None and layout.period:
            named.append(layout.period)
    named += [c for c in (layout.lower, layout.upper, layout.source_column, layout.vintage_column)
              if c]
    missing = [c for c in named if c not in located.header]
    if missing:
        raise ValidationError(
            [Problem(file=located.file, row=located.header_row, column=c,
                     reason=f"column not found; the header has {located.header}") for c in missing]
        )


def _candidate_periods(located: Located) -> dict[int, str]:
    """Wide form: the columns whose header marks them as periods, with their period labels.

    The staging step then drops any of them that holds only text.
    """
    import re

    layout = located.layout
    taken = {layout.geography, *layout.names, layout.indicator, *layout.keep,
             layout.source_column, layout.vintage_column}
    periods: dict[int, str] = {}
    pattern = re.compile(layout.period_columns) if layout.period_columns else None
    for i, header in enumerate(located.header):
        if header in taken:
            continue
        if pattern is None:
            if reads_as_period(header):
                periods[i] = header
        elif match := pattern.match(header):
            periods[i] = match.group(1) if pattern.groups else header
    if not periods:
        wanted = layout.period_columns or "headers that read as periods (2021, 2022/23, …)"
        raise ValidationError(
            Problem(file=located.file, row=located.header_row,
                    reason=f"no period columns: none of {located.header} matches {wanted}")
        )
    return periods


def _drop_text_columns(located: Located, rows: list[RawRow]) -> None:
    """A candidate period column whose cells in the table's first rows are all text (names,
    notes) holds no values: it is not a period column."""
    markers = set(located.layout.missing)
    for i in list(located.periods):
        cells = [cell_text(r.cells[i]) for r in rows if i < len(r.cells)]
        filled = [c for c in cells if c and c not in markers]
        if filled and not any(_is_number(c) for c in filled):
            located.notes.append(f"column {located.header[i]!r} holds text, not values: not read "
                                 "as a period")
            del located.periods[i]
    if not located.periods:
        raise ValidationError(
            Problem(file=located.file, row=located.header_row,
                    reason="no period column holds values (each holds only text)")
        )


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def reads_as_period(header: str) -> bool:
    """Whether a column header, as a whole, is a period label (``2021`` yes, ``Area 2021`` no)."""
    try:
        parse_period(header)
    except PeriodError:
        return False
    return True


def extract(rows: list[RawRow], layout: Layout, file: str) -> Extract:
    """Apply a layout to rows already read (a publisher's small table) and return tidy values.

    The same staging as :func:`levelscope.data.importers.import_file` applies; the values are
    then validated and written with :func:`levelscope.data.importers.import_frame`.
    """
    import duckdb

    from levelscope.data.readers import batch_of
    from levelscope.data.staging import stage, staging_area

    located = locate(rows, layout, file)
    body = [r for r in rows if r.number > located.header_row]
    batches = iter([batch_of(body, located.width)] if body else [])
    with duckdb.connect(":memory:") as con, staging_area(con, None):
        staged = stage(con, batches, located, examples=None)
        values = con.execute(
            "SELECT geography_code, indicator_id, raw_period AS period, raw_value AS value, "
            "raw_lower AS lower, raw_upper AS upper, _row, _column FROM _ls_stage._ls_read"
        ).df()
    return Extract(values, rows_read=staged.rows_read, excluded=staged.examples)
