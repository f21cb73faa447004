"""Drafting a layout for a publisher's file: where its table is and what its columns hold.

:func:`suggest_layout` reads the first rows of a file (every row of a small one) and looks for
what publishers put around their tables: title lines and a metadata block (``Metric:``,
``Date:``) above the header, the column of area codes, the period columns of a wide table (or
the period and value columns of a long one), place names, rows to keep (a "Total" industry),
footnotes after the table, and the markers it uses for missing values. The result is a
:class:`~levelscope.data.layout.Layout` and a list of findings, written by
:meth:`Suggestion.to_yaml` as a layout file with the findings as comments, for the user to check
and edit (``levelscope layout suggest FILE``; docs/layouts.md has worked examples).

The rules are heuristics and say so: every choice is listed among the findings, and anything
the file does not say (an indicator no catalogue entry matches) is left as ``FILL_IN``.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from levelscope.data import codes
from levelscope.data.layout import MISSING_MARKERS, Layout, reads_as_period
from levelscope.data.readers import RawRow, TableFile, cell_text

SNIFF_ROWS = 20_000  # rows read to draft a layout (a publisher's table is usually far smaller)
FILL_IN = "FILL_IN"

_NOT_NAMES = re.compile(r"\b(?:notes?|status|accuracy|description|source|units?|flags?|comments?)\b",
                        re.I)
_METADATA = re.compile(r"^\s*([A-Za-z][A-Za-z /()-]{0,40}?)\s*:\s*$")
_RELEASED = re.compile(
    r"(?:from nomis on|release date:?|released:?|published:?)\s*(\d{1,2} \w+ \d{4}|\d{1,2}/\d{1,2}/\d{4})",
    re.I,
)
_YEAR_IN = re.compile(r"^(.*?)((?:1[89]|2[01])\d{2})(.*)$")
_STOP = {"the", "of", "and", "in", "by", "for", "a", "to", "per", "at", "uk", "all", "based",
         "local", "authority", "estimates", "estimate", "via", "explorer", "indicators",
         "subnational", "table", "official", "statistics", "development"}

#: Words of a title that say which table or level it is, not what it measures.
_LABEL = re.compile(r"itl\d|nuts\d|tl\d")


@dataclass
class Suggestion:
    """A drafted layout, what was found in the file, and the release date if the file gives one."""

    file: str
    layout: Layout
    findings: list[str] = field(default_factory=list)
    vintage: dt.date | None = None

    def to_yaml(self, layout_file: str = "LAYOUT_FILE", data_file: str | None = None) -> str:
        """The layout as a layout file: the findings as comments, then the fields.

        The comments end with the command that imports the file with this layout, naming
        ``data_file`` (default: the file's name) and ``layout_file``, quoted for the shell.
        """
        command = (f"levelscope import {shlex.quote(data_file or self.file)} "
                   f"--layout {shlex.quote(layout_file)}")
        if self.vintage:
            command += f" --vintage {self.vintage.isoformat()}"
        where = f"{self.file} [{self.layout.sheet}]" if self.layout.sheet is not None else self.file
        lines = [f"# Layout suggested for {where}: check it (see docs/layouts.md), then",
                 f"#   {command}", "# What the file holds:"]
        lines += [f"#   - {finding}" for finding in self.findings]
        return "\n".join(lines) + "\n" + self.layout.to_yaml()


def suggest_layout(path: str | Path, *, sheet: str | int | None = None,
                   encoding: str | None = None) -> Suggestion:
    """Draft a layout for a CSV, Excel or Parquet file.

    Parameters
    ----------
    path:
        The file.
    sheet:
        Workbook sheet (name or 0-based number); the first sheet if omitted.
    encoding:
        CSV text encoding, if detection is not enough.

    Returns
    -------
    Suggestion
        ``layout`` (fields the file does not determine are ``FILL_IN``), ``findings`` (one
        sentence each) and ``vintage`` (a release date printed in the file, if any).

    Raises
    ------
    ValidationError
        If the file cannot be read, or no column of area codes or place names is found.
    """
    table = TableFile(Path(path), sheet, encoding=encoding)
    rows = [RawRow(r.number, tuple(cell_text(c) for c in r.cells)) for r in table.head(SNIFF_ROWS)]
    findings: list[str] = []
    fields: dict[str, object] = {}
    if table.kind in (".csv", ".txt", ".tsv"):
        findings.append(f"text in {table.encoding}, cells separated by {_separator(table.delimiter)}")
        if table.encoding not in ("utf-8", "utf-8-sig"):
            fields["encoding"] = table.encoding
        if table.delimiter != ",":
            fields["delimiter"] = table.delimiter
    elif table.sheet is not None:
        fields["sheet"] = table.sheet
        findings.append(f"sheet {table.sheet!r}")

    code_at = _code_column(rows)
    if code_at is None:
        from levelscope.errors import Problem, ValidationError

        where = f"in the first {len(rows)} rows" if rows else "(the sheet is empty)"
        advice = (_other_sheets(Path(path), table.sheet, encoding)
                  or "write the layout by hand (docs/layouts.md)")
        raise ValidationError(Problem(file=table.name, reason=(
            "no column of area codes (GSS codes such as E08000025, ITL codes such as TLC11) "
            f"{where}; {advice}")))
    first_data = next(r for r in rows if _is_code(r, code_at))
    header = _header_row(rows, first_data, code_at)
    labels = _labels(header)
    fields["header_row"] = header.number
    fields["geography"] = labels[code_at]
    above = [r for r in rows if r.number < header.number and _filled(r)]
    metadata = _metadata(above)
    if above:
        findings.append(f"{len(above)} line(s) above the table (rows {above[0].number}–"
                        f"{above[-1].number}), first: {_short(_first_text(above[0]))}")
    if metadata:
        findings.append("metadata: " + "; ".join(f"{k}: {_short(v, 50)}" for k, v in metadata.items()))
    findings.append(f"header on row {header.number}; area codes in column {labels[code_at]!r}")

    body = [r for r in rows if r.number > header.number]
    data, end, notes = _table_rows(body, code_at)
    if end is not None:
        fields["ends_at_blank_row"] = True
        findings.append(f"the table ends at the blank row {end}; {len(notes)} line(s) of notes "
                        f"follow, first: {_short(_first_text(notes[0]))}")
    elif notes:
        findings.append(f"{len(notes)} note line(s) among the rows (set aside on import), first: "
                        f"{_short(_first_text(notes[0]))}")
    areas = {str(r.cells[code_at]) for r in data if _is_code(r, code_at)}
    levels = Counter(str(codes.level_of(c) or "other") for c in areas)
    findings.append(f"{len(data)} data rows; {len(areas)} areas by level: "
                    + ", ".join(f"{n} {lv}" for lv, n in levels.most_common()))

    periods = _period_columns(labels, data, code_at)
    taken = {code_at}
    keep = _keep_rule(labels, data, code_at, set(periods))
    if keep is not None:
        column, value = keep
        fields["keep"] = {labels[column]: [value]}
        taken.add(column)
        data = [r for r in data if _cell(r, column) == value]
        findings.append(f"each area has several rows; only those with {labels[column]!r} = "
                        f"{value!r} are kept (edit keep: to choose others)")
    if periods:
        fields["form"] = "wide"
        pattern = _period_pattern(labels, periods)
        if pattern:
            fields["period_columns"] = pattern
        value_columns = periods
        findings.append(f"wide: {len(periods)} period columns, {labels[periods[0]]} … "
                        f"{labels[periods[-1]]}")
        taken |= set(periods)
    else:
        value_columns = _long_columns(labels, data, code_at, metadata, fields, findings)
        taken |= set(value_columns) | {labels.index(str(c)) for c in
                                       (fields.get("period"), fields.get("lower"), fields.get("upper"))
                                       if c in labels}

    indicator = _indicator(labels, fields, metadata, above, table.path.name, findings)
    if indicator is not None:
        taken.add(indicator)
    names = _name_columns(labels, data, code_at, taken)
    if names:
        fields["name"] = [labels[i] for i in names] if len(names) > 1 else labels[names[0]]
        findings.append("place names in " + ", ".join(repr(labels[i]) for i in names)
                        + " (used to register places the workspace does not know)")
    markers = _markers(data, value_columns)
    if markers:
        extra = sorted(m for m in markers if m not in MISSING_MARKERS)
        if extra:
            fields["missing"] = list(MISSING_MARKERS) + extra
        findings.append("missing-value markers: " + ", ".join(repr(m) for m in sorted(markers)))
    vintage = _release_date(above)
    if vintage:
        findings.append(f"released {vintage.isoformat()} (from the lines above the table)")
    if "unit" in {k.lower() for k in metadata} or "units" in {k.lower() for k in metadata}:
        unit = next(v for k, v in metadata.items() if k.lower() in ("unit", "units"))
        findings.append(f"the file's unit is {unit!r}: set unit: to have it checked against the "
                        "indicator's")
    return Suggestion(table.path.name, Layout(**fields), findings, vintage)


# -- the table ----------------------------------------------------------------------------------


def _cell(row: RawRow, i: int) -> str | None:
    return row.cells[i] if i < len(row.cells) else None


def _filled(row: RawRow) -> bool:
    return any(row.cells)


def _is_code(row: RawRow, i: int) -> bool:
    cell = _cell(row, i)
    return bool(cell) and codes.level_of(str(cell)) is not None


def _is_number(text: str | None) -> bool:
    if not text:
        return False
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def _code_column(rows: list[RawRow]) -> int | None:
    """The column holding the most area codes (at least two)."""
    counts: Counter[int] = Counter()
    for row in rows:
        for i, cell in enumerate(row.cells):
            if cell and codes.level_of(str(cell)) is not None and any(
                _is_number(c) or c in MISSING_MARKERS for j, c in enumerate(row.cells) if j != i and c
            ):
                counts[i] += 1
    if not counts:
        return None
    column, count = counts.most_common(1)[0]
    return column if count >= 2 else None


def _header_row(rows: list[RawRow], first_data: RawRow, code_at: int) -> RawRow:
    """The nearest row above the first data row that names the code column."""
    above = [r for r in rows if r.number < first_data.number and _cell(r, code_at)]
    return above[-1] if above else first_data


def _labels(header: RawRow) -> list[str]:
    from levelscope.data.layout import _labels

    return _labels(header.cells)


def _table_rows(body: list[RawRow], code_at: int) -> tuple[list[RawRow], int | None, list[RawRow]]:
    """Data rows, the blank row ending the table (if notes follow it), and the note rows."""
    data: list[RawRow] = []
    notes: list[RawRow] = []
    end = None
    for row in body:
        if not _filled(row):
            if data and end is None:
                end = row.number
            continue
        if end is not None:
            notes.append(row)
        elif _is_code(row, code_at) or sum(1 for c in row.cells if c) > 2:
            data.append(row)
        else:
            notes.append(row)
    if end is not None and not any(r.number > end for r in notes):
        end = None  # blank lines at the very end: nothing follows
    return data, end, notes


def _period_columns(labels: list[str], data: list[RawRow], code_at: int) -> list[int]:
    """Columns headed by a period (or a year inside a common prefix) that hold numbers."""
    candidates = [i for i, h in enumerate(labels) if i != code_at and reads_as_period(h)]
    if len(candidates) < 2:
        candidates = _year_columns(labels, code_at)
    return [i for i in candidates if _holds_numbers(data, i)]


def _year_columns(labels: list[str], code_at: int) -> list[int]:
    """Columns like ``Pounds_2004``: a year between a prefix and suffix that many headers share."""
    shapes: dict[tuple[str, str], list[int]] = {}
    for i, header in enumerate(labels):
        if i != code_at and (match := _YEAR_IN.match(header)):
            shapes.setdefault((match[1], match[3]), []).append(i)
    best = max(shapes.values(), key=len, default=[])
    return best if len(best) >= 2 else []


def _period_pattern(labels: list[str], periods: list[int]) -> str | None:
    if all(reads_as_period(labels[i]) for i in periods):
        return None
    match = _YEAR_IN.match(labels[periods[0]])
    assert match is not None
    return f"^{re.escape(match[1])}(\\d{{4}}){re.escape(match[3])}$"


def _holds_numbers(data: list[RawRow], i: int) -> bool:
    cells = [_cell(r, i) for r in data]
    filled = [c for c in cells if c and c not in MISSING_MARKERS]
    return bool(filled) and sum(_is_number(c) for c in filled) >= 0.8 * len(filled)


def _keep_rule(labels: list[str], data: list[RawRow], code_at: int,
               periods: set[int]) -> tuple[int, str] | None:
    """When codes repeat, a column with one "total" row per area."""
    codes_seen = Counter(_cell(r, code_at) for r in data)
    if not codes_seen or max(codes_seen.values()) < 2:
        return None
    areas = len(codes_seen)
    for i in range(len(labels)):
        if i == code_at or i in periods:
            continue
        values = Counter(_cell(r, i) for r in data)
        for value, count in values.most_common():
            if value and count == areas and re.match(r"^(total|all\b)", value, re.I):
                return i, value
    return None


def _long_columns(labels: list[str], data: list[RawRow], code_at: int,
                  metadata: dict[str, str], fields: dict[str, object],
                  findings: list[str]) -> list[int]:
    """Long form: the period column (or the table's one period) and the value column."""
    lowered = [h.lower() for h in labels]
    fields["form"] = "long"
    period = next((i for i, h in enumerate(lowered) if h in ("period", "year", "date", "time")), None)
    if period is None:
        period = next((i for i in range(len(labels)) if i != code_at and data and all(
            _cell(r, i) and reads_as_period(str(_cell(r, i))) and not _is_number_only(_cell(r, i))
            for r in data[:50])), None)
    if period is not None:
        fields["period"] = labels[period]
        findings.append(f"long: periods in column {labels[period]!r}")
    else:
        fields["period"] = None
        stated = next((v for k, v in metadata.items() if k.lower() in ("date", "period", "year")), None)
        label = re.sub(r"\s+(revised|provisional|final)$", "", stated or "", flags=re.I)
        fields["period_label"] = label if label and reads_as_period(label) else FILL_IN
        findings.append(f"long: one period for the whole table, {fields['period_label']}"
                        + (" (from the metadata)" if label else ""))
    bounds = {}
    for key in ("lower", "upper"):
        found = next((i for i, h in enumerate(lowered) if key in h), None)
        if found is not None:
            bounds[key] = found
            fields[key] = labels[found]
    numeric = [i for i in range(len(labels)) if i not in (code_at, period, *bounds.values())
               and _holds_numbers(data, i)]
    named = [i for i in numeric if lowered[i] == "value"]
    value = next(iter(named or numeric), None)
    fields["value"] = labels[value] if value is not None else FILL_IN
    findings.append(f"values in column {fields['value']!r}"
                    + (f" with bounds {labels[bounds['lower']]!r}, {labels[bounds['upper']]!r}"
                       if len(bounds) == 2 else ""))
    return [value] if value is not None else []


def _is_number_only(text: str | None) -> bool:
    """A bare number (not a year): 123.4, 5,100."""
    return _is_number(text) and not re.fullmatch(r"(?:1[89]|2[01])\d{2}", str(text))


def _indicator(labels: list[str], fields: dict[str, object], metadata: dict[str, str],
               above: list[RawRow], file: str, findings: list[str]) -> int | None:
    """The indicator column, else the catalogue indicator the file's title or metric names."""
    lowered = [h.lower() for h in labels]
    column = next((i for i, h in enumerate(lowered) if h in ("indicator_id", "indicator")), None)
    if column is not None:
        fields["indicator"] = labels[column]
        return column
    fields["indicator"] = None
    texts = [v for k, v in metadata.items() if k.lower() in ("metric", "indicator", "measure")]
    texts += [_first_text(r) for r in above] + [Path(file).stem]
    ident, why = _catalogue_match(texts)
    if ident and _speaks_of_indices(why) and not _is_index(ident):
        # "GVA per hour worked indices" names the measure but not its unit: importing indices
        # (UK = 100) as pounds per hour would be silently wrong
        findings.append(f"the title speaks of indices but {ident} is not an index: set "
                        "indicator_id to an index indicator (levelscope indicators add)")
        ident = None
    fields["indicator_id"] = ident or FILL_IN
    if ident:
        findings.append(f"indicator {ident} (the catalogue entry that best matches {_short(why)})")
    elif not why or not _speaks_of_indices(why):
        findings.append("no catalogue indicator matches the title: set indicator_id")
    return None


def _catalogue_match(texts: list[str]) -> tuple[str | None, str]:
    """The catalogue indicator whose name or source shares most words with one of the texts
    (cosine similarity of the word sets, at least 0.45)."""
    from levelscope.data.catalogue import catalogue

    best: tuple[float, str | None, str] = (0.0, None, "")
    for text in texts:
        words = _words(text)
        if not words:
            continue
        for indicator in catalogue().values():
            # with and without the unit: some publishers' titles name it ("... pounds million")
            for described in (indicator.name, indicator.source, f"{indicator.name} {indicator.unit}",
                              f"{indicator.source} {indicator.unit}"):
                wanted = _words(described)
                if wanted:
                    score = len(words & wanted) / (len(words) * len(wanted)) ** 0.5
                    if score > best[0]:
                        best = (score, indicator.id, text)
    return (best[1], best[2]) if best[0] >= 0.45 else (None, "")


def _words(text: str) -> set[str]:
    """Lower-case words, plurals as singulars, "£" as "pound", without the words every title has
    and without table numbers and levels ("Table 3c ITL3 ..."), which never name the measure."""
    plain = re.sub(r"\btable\s+\w+", " ", text.lower()).replace("£", " pound ")
    found = re.findall(r"[a-z0-9]+", plain)
    words = {w.removesuffix("s") if len(w) > 3 else w for w in found}
    return {w for w in words if w not in _STOP and len(w) > 1 and not _LABEL.fullmatch(w)}


def _name_columns(labels: list[str], data: list[RawRow], code_at: int, taken: set[int]) -> list[int]:
    """Text columns naming each row's place: one name per code, a different one for each code
    (one column, or several that take turns by level)."""
    candidates = []
    for i, header in enumerate(labels):
        if i in taken or _NOT_NAMES.search(header):
            continue
        pairs = {(_cell(r, code_at), _cell(r, i)) for r in data if _cell(r, i)}
        named = {code for code, _ in pairs}
        names = {name for _, name in pairs}
        if pairs and not any(_is_number(n) or codes.level_of(str(n)) for n in names) and (
            len(pairs) <= 1.05 * len(named) and len(names) >= 0.8 * len(named)
        ):
            candidates.append((i, sum(1 for r in data if _cell(r, i))))
    if not candidates:
        return []
    full = [i for i, n in candidates if n >= 0.95 * len(data)]
    if full:
        return [full[0]]
    return [i for i, _ in candidates]


def _markers(data: list[RawRow], columns: list[int]) -> set[str]:
    found = set()
    for row in data:
        for i in columns:
            cell = _cell(row, i)
            if cell and not _is_number(cell):
                found.add(cell)
    return found


# -- around the table ---------------------------------------------------------------------------


def _first_text(row: RawRow) -> str:
    return next((str(c) for c in row.cells if c), "")


def _metadata(above: list[RawRow]) -> dict[str, str]:
    """``Key:`` cells followed by a value, in the lines above the table."""
    found = {}
    for row in above:
        cells = [c for c in row.cells if c]
        if len(cells) >= 2 and (match := _METADATA.match(str(cells[0]))):
            found[match[1].strip()] = str(cells[1])
    return found


def _release_date(above: list[RawRow]) -> dt.date | None:
    for row in above:
        for cell in row.cells:
            if cell and (match := _RELEASED.search(str(cell))):
                for form in ("%d %B %Y", "%d/%m/%Y"):
                    try:
                        return dt.datetime.strptime(match[1], form).date()
                    except ValueError:
                        continue
    return None


def _separator(delimiter: str | None) -> str:
    names = {",": "commas", "\t": "tabs", ";": "semicolons", "|": "bars"}
    return names.get(delimiter or ",", repr(delimiter))


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(str(text).split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _other_sheets(path: Path, sheet: str | int | None, encoding: str | None) -> str | None:
    """Advice naming the workbook's other sheets that hold area codes (a contents sheet first is
    common in ONS workbooks), or None when there are none."""
    from levelscope.data.readers import sheet_names

    if path.suffix.lower() not in (".xlsx", ".xls"):
        return None
    holding = []
    for name in sheet_names(path):
        if name == sheet:
            continue
        head = TableFile(path, name, encoding=encoding).head(SNIFF_ROWS)
        if _code_column([RawRow(r.number, tuple(cell_text(c) for c in r.cells)) for r in head]) is not None:
            holding.append(name)
    if not holding:
        return None
    return "choose a sheet that has them with --sheet: " + ", ".join(repr(n) for n in holding)


def _speaks_of_indices(text: str) -> bool:
    return bool(re.search(r"\bind(?:ex|ices)\b", text, re.IGNORECASE))


def _is_index(indicator_id: str) -> bool:
    from levelscope.data.catalogue import catalogue

    indicator = catalogue()[indicator_id]
    return indicator.kind == "index" or "index" in indicator.unit.lower()
