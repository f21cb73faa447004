"""Reading a table's raw cells from CSV, Excel (.xlsx, .xls) and Parquet, keeping row numbers.

Publishers put titles, notes and metadata above and below their tables, so every row keeps the
number a spreadsheet program shows it under (1 = the first line; blank lines count), and the
layout then says where the table is. A :class:`TableFile` gives the first rows of a file, to find
the table's header, and then the rest of it as :class:`Batch` es of text, a few thousand rows at
a time: a file is never held whole, so an import's memory stays flat however large it is.

CSV files are parsed by Arrow's streaming reader. Their encoding is detected (UTF-8, UTF-8 with
a byte-order mark, UTF-16, Windows cp1252) or stated; a file that is none of these, or is not text
at all, is refused with a message saying so.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa

from levelscope.errors import Problem, ValidationError

#: Encodings tried, in order, when none is stated.
DETECTED_ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252")

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
BATCH_ROWS = 20_000  # Excel and Parquet rows per batch
_CSV_BLOCK = 1 << 20  # bytes Arrow parses at a time: its memory is a few blocks
_SNIFF_BYTES = 1 << 16


@dataclass(frozen=True)
class RawRow:
    number: int  # as a spreadsheet program numbers it (1 = first line of the file)
    cells: tuple[Any, ...]


@dataclass(frozen=True)
class Batch:
    """Consecutive rows of a table's body: their numbers and one text array per column.

    An empty cell is null. ``extra`` holds, for a row with more cells than the header, the text
    of the cells beyond it (null for every other row), so that the import can refuse a row whose
    cells have shifted rather than drop what does not fit.
    """

    rows: pa.Array
    columns: list[pa.Array]
    extra: pa.Array

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class TableFile:
    """A CSV, Excel or Parquet file (one sheet of a workbook), opened for reading its table.

    Parameters
    ----------
    path:
        The file; its suffix says its format.
    sheet:
        Workbook sheet name or 0-based number; the first sheet if omitted.
    encoding:
        CSV only: the text encoding (any Python codec name). Detected if omitted.
    delimiter:
        CSV only: the cell separator. Detected from the first lines if omitted (comma, tab,
        semicolon or bar; tab for ``.tsv``).

    Raises
    ------
    ValidationError
        If the file does not exist, has a format levelscope does not read, is not text in a
        known encoding (CSV), or is not a workbook (Excel).
    """

    path: Path
    sheet: str | int | None = None
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)
    sha256: str = ""

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        if not self.path.exists():
            raise ValidationError(Problem(file=self.path.name, reason="file not found"))
        suffix = self.kind
        if suffix in TEXT_SUFFIXES:
            self.encoding, self.sha256 = _detect_encoding(self.path, self.encoding)
            if self.encoding not in ("utf-8", "utf-8-sig"):
                self.notes.append(f"read as {self.encoding} text")
            if self.delimiter is None:
                self.delimiter = "\t" if suffix == ".tsv" else _sniff_delimiter(self.path, self.encoding)
        elif suffix in EXCEL_SUFFIXES or suffix == ".parquet":
            self.sha256 = _file_sha256(self.path)
            if suffix in EXCEL_SUFFIXES:
                self.sheet = _pick_sheet(self._sheet_names(), self.sheet, self.path.name)
        else:
            raise ValidationError(
                Problem(file=self.path.name, reason=f"cannot read {suffix or 'files without a suffix'}; "
                        "use CSV, Excel (.xlsx, .xls) or Parquet")
            )

    @property
    def kind(self) -> str:
        return self.path.suffix.lower()

    @property
    def name(self) -> str:
        """The file name, with the sheet for a workbook (as error messages show it)."""
        if self.kind in EXCEL_SUFFIXES and self.sheet is not None:
            return f"{self.path.name} [{self.sheet}]"
        return self.path.name

    # -- reading --------------------------------------------------------------------------------
    def head(self, rows: int | None = 200) -> list[RawRow]:
        """The first ``rows`` rows (every row if None), with cells as the file holds them."""
        try:
            return list(islice(self._rows(), rows))
        except ValidationError:
            raise
        except Exception as exc:  # a parser's own error on a file it cannot read
            raise self._unreadable(exc) from None

    def batches(self, after: int, width: int) -> Iterator[Batch]:
        """The rows after row ``after`` as text batches of ``width`` cells each."""
        try:
            if self.kind in TEXT_SUFFIXES:
                yield from _csv_batches(self, after, width)
            elif self.kind == ".parquet":
                yield from _parquet_batches(self.path, after, width)
            else:
                rows = (r for r in self._rows() if r.number > after)
                for chunk in _chunks(rows, BATCH_ROWS):
                    yield batch_of(chunk, width)
        except ValidationError:
            raise
        except Exception as exc:  # a parser's own error on a file it cannot read
            raise self._unreadable(exc) from None

    def _rows(self) -> Iterator[RawRow]:
        if self.kind in TEXT_SUFFIXES:
            with _open_text(self.path, self.encoding) as handle:
                reader = csv.reader(handle, delimiter=self.delimiter or ",")
                for number, cells in enumerate(reader, start=1):
                    yield RawRow(number, tuple(cells))
        elif self.kind == ".xls":
            yield from _xls_rows(self.path, str(self.sheet))
        elif self.kind == ".parquet":
            yield from _parquet_rows(self.path)
        else:
            yield from _xlsx_rows(self.path, str(self.sheet))

    def _sheet_names(self) -> list[str]:
        try:
            return sheet_names(self.path)
        except Exception as exc:  # openpyxl and xlrd raise many kinds for a file that is no workbook
            raise ValidationError(
                Problem(file=self.path.name, reason=f"not a readable Excel workbook ({exc})")
            ) from None

    def _unreadable(self, exc: Exception) -> ValidationError:
        reason = f"cannot read the file: {_first_line(exc).rstrip('.')}"
        if self.kind in TEXT_SUFFIXES:
            reason += (f" (read as {self.encoding} text; if it is in another encoding, state "
                       "it, e.g. encoding: cp1252)")
        return ValidationError(Problem(file=self.name, reason=reason))


def read_rows(path: Path, sheet: str | int | None = None) -> list[RawRow]:
    """Every row of a (small) file, or of one sheet of a workbook, with its row number."""
    return TableFile(path, sheet).head(None)


def read_workbook(path: Path) -> dict[str, list[RawRow]]:
    """Every sheet of an .xlsx workbook, read in one pass (much faster than sheet by sheet)."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return {
            name: [
                RawRow(number, tuple(row))
                for number, row in enumerate(book[name].iter_rows(min_row=1, values_only=True), 1)
            ]
            for name in book.sheetnames
        }
    finally:
        book.close()


def sheet_names(path: Path) -> list[str]:
    """The sheets of a workbook, in order."""
    if path.suffix.lower() == ".xls":
        import xlrd

        return list(xlrd.open_workbook(str(path), on_demand=True).sheet_names())
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def cell_text(value: Any) -> str | None:
    """A cell as text, the way a spreadsheet shows it: ``2021.0`` is ``2021``, a date has no time.

    Floats keep every digit they hold (``repr`` round-trips), so the text reads back exactly.
    """
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN: an empty cell
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


# -- encodings -------------------------------------------------------------------------------------


def _detect_encoding(path: Path, stated: str | None) -> tuple[str, str]:
    """The file's text encoding, and its SHA-256, from one pass over its bytes."""
    if stated is not None:
        try:
            name = codecs.lookup(stated).name
        except LookupError:
            raise ValidationError(
                Problem(file=path.name, value=stated, reason="unknown text encoding")
            ) from None
        return name, _file_sha256(path)
    with path.open("rb") as handle:
        start = handle.read(_SNIFF_BYTES)
    if start.startswith(codecs.BOM_UTF8):
        return _checked(path, "utf-8-sig")
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _checked(path, "utf-16")
    if b"\x00" in start:
        # UTF-16 without a byte-order mark puts a zero beside every ASCII character
        even, odd = start[0::2].count(0), start[1::2].count(0)
        if odd > len(start) // 4 and even == 0:
            return _checked(path, "utf-16-le")
        if even > len(start) // 4 and odd == 0:
            return _checked(path, "utf-16-be")
        raise ValidationError(
            Problem(file=path.name, reason=f"not a text file: it holds binary data (a zero byte at "
                    f"offset {start.index(0)}); export the table as CSV, Excel or Parquet")
        )
    try:
        return _checked(path, "utf-8")
    except _NotEncoding as utf8:
        try:
            return _checked(path, "cp1252")
        except _NotEncoding:
            raise ValidationError(
                Problem(file=path.name, reason=f"cannot read the file as text: not UTF-8 "
                        f"({utf8}), UTF-16 or Windows cp1252; state its encoding")
            ) from None


class _NotEncoding(ValueError):
    pass


def _checked(path: Path, encoding: str) -> tuple[str, str]:
    """Decode the whole file (a chunk at a time) to be sure of its encoding, hashing it too."""
    decoder = codecs.getincrementaldecoder(encoding)()
    digest = hashlib.sha256()
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            pending = decoder.getstate()[0]
            if not (encoding == "utf-8" and not pending and chunk.isascii()):  # ASCII: valid UTF-8
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    raise _NotEncoding(f"byte {offset + exc.start - len(pending)} is not "
                                       f"{encoding}") from None
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _NotEncoding(f"the file ends inside a {encoding} character") from None
    return encoding, digest.hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _open_text(path: Path, encoding: str | None) -> IO[str]:
    return path.open(newline="", encoding=encoding or "utf-8-sig")


def _sniff_delimiter(path: Path, encoding: str | None) -> str:
    """The separator that splits the first lines into the same number of cells most often."""
    with _open_text(path, encoding) as handle:
        lines = [line for line in islice(handle, 50) if line.strip()]
    best, best_score = ",", 0
    for candidate in (",", "\t", ";", "|"):
        widths = [len(cells) for cells in csv.reader(lines, delimiter=candidate)]
        common = max(set(widths), key=widths.count, default=1)
        score = widths.count(common) * common if common > 1 else 0
        if score > best_score:
            best, best_score = candidate, score
    return best


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# -- CSV -------------------------------------------------------------------------------------------


def _csv_batches(table: TableFile, after: int, width: int) -> Iterator[Batch]:
    """Arrow's streaming parser, keeping each row's number in the file.

    Arrow parses rows with exactly ``width`` cells itself and hands the others (titles and notes
    with fewer cells, shifted rows with more) to a handler with their numbers; they are parsed
    here and given back in their place.
    """
    import pyarrow.csv as pacsv

    odd: list[tuple[int, str]] = []

    def set_aside(row: Any) -> str:
        odd.append((int(row.number), str(row.text)))
        return "skip"

    names = [f"c{i}" for i in range(width)]
    reader = pacsv.open_csv(
        table.path,
        read_options=pacsv.ReadOptions(
            skip_rows=after, column_names=names, block_size=_CSV_BLOCK, use_threads=False,
            encoding=_arrow_encoding(table.encoding),
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=table.delimiter or ",", newlines_in_values=True, ignore_empty_lines=False,
            invalid_row_handler=set_aside,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), null_values=[""],
            strings_can_be_null=True, quoted_strings_can_be_null=True,
        ),
    )
    first = after + 1  # the number of the next row Arrow parses
    taken = np.empty(0, dtype=np.int64)  # numbers of set-aside rows not yet given back
    no_extra = pa.nulls(0, pa.string())
    for record_batch in reader:
        if odd:
            taken = np.union1d(taken, [n for n, _ in odd])
        count = record_batch.num_rows
        numbers = _numbers_around(first, count, taken)
        last = int(numbers[-1]) if count else first - 1
        if count:
            yield Batch(pa.array(numbers), list(record_batch.columns), pa.nulls(count, pa.string()))
        ready = [(n, t) for n, t in odd if n <= last]
        odd[:] = [(n, t) for n, t in odd if n > last]
        taken = taken[taken > last]
        if ready:
            yield _parsed_rows(ready, width, table.delimiter or ",")
        first = last + 1
    if odd:
        yield _parsed_rows(odd, width, table.delimiter or ",")
    del no_extra


def _numbers_around(first: int, count: int, taken: np.ndarray) -> np.ndarray:
    """The first ``count`` row numbers from ``first`` on that are not in ``taken`` (sorted)."""
    numbers = first + np.arange(count, dtype=np.int64)
    if not len(taken):
        return numbers
    shift = np.zeros(count, dtype=np.int64)
    while True:  # each pass counts the set-aside rows at or before each candidate number
        moved = np.searchsorted(taken, numbers + shift, side="right") - np.searchsorted(taken, first)
        if np.array_equal(moved, shift):
            return numbers + shift
        shift = moved


def _parsed_rows(rows: list[tuple[int, str]], width: int, delimiter: str) -> Batch:
    parsed = [RawRow(n, tuple(next(csv.reader([text], delimiter=delimiter), []))) for n, text in rows]
    return batch_of(parsed, width)


def _arrow_encoding(encoding: str | None) -> str:
    # Arrow reads UTF-8 itself; a byte-order mark sits on the header line, which is skipped
    return "utf8" if encoding in (None, "utf-8", "utf-8-sig") else str(encoding)


# -- Excel and Parquet -----------------------------------------------------------------------------


def batch_of(rows: list[RawRow], width: int) -> Batch:
    """Rows already read, as one batch of ``width`` text cells each."""
    texts = [[cell_text(c) for c in r.cells] for r in rows]
    columns = [pa.array([t[i] if i < len(t) else None for t in texts], pa.string())
               for i in range(width)]
    extra = [_joined(t[width:]) for t in texts]
    return Batch(pa.array([r.number for r in rows], pa.int64()), columns, pa.array(extra, pa.string()))


def _joined(cells: list[str | None]) -> str | None:
    filled = [c for c in cells if c]
    return ", ".join(filled) if filled else None


def _chunks(rows: Iterator[RawRow], size: int) -> Iterator[list[RawRow]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def _pick_sheet(names: list[str], sheet: str | int | None, file: str) -> str:
    if sheet is None:
        return names[0]
    if isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in names):
        number = int(sheet)
        if not 0 <= number < len(names):
            raise ValidationError(Problem(file=file, reason=f"no sheet number {number}"))
        return names[number]
    if sheet not in names:
        raise ValidationError(
            Problem(file=file, value=sheet, reason=f"no such sheet; the sheets are {names}")
        )
    return sheet


def _xlsx_rows(path: Path, sheet: str) -> Iterator[RawRow]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for number, row in enumerate(book[sheet].iter_rows(min_row=1, values_only=True), start=1):
            yield RawRow(number, tuple(row))
    finally:
        book.close()


def _xls_rows(path: Path, sheet: str) -> Iterator[RawRow]:
    import xlrd

    book = xlrd.open_workbook(str(path), on_demand=True)
    ws = book.sheet_by_name(sheet)
    for i in range(ws.nrows):
        yield RawRow(i + 1, tuple(_xls_cell(c, book.datemode) for c in ws.row(i)))


def _xls_cell(cell: Any, datemode: int) -> Any:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    return cell.value


def _parquet_rows(path: Path) -> Iterator[RawRow]:
    import pyarrow.parquet as pq

    source = pq.ParquetFile(path)
    yield RawRow(1, tuple(source.schema_arrow.names))
    number = 2
    for batch in source.iter_batches(batch_size=BATCH_ROWS):
        for row in batch.to_pylist():
            yield RawRow(number, tuple(row.values()))
            number += 1


def _parquet_batches(path: Path, after: int, width: int) -> Iterator[Batch]:
    """Parquet columns as text; row 1 is the column names, as if the file were a CSV."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    source = pq.ParquetFile(path)
    number = 2
    for batch in source.iter_batches(batch_size=BATCH_ROWS * 5):
        count = batch.num_rows
        rows = pa.array(np.arange(number, number + count, dtype=np.int64))
        number += count
        keep = pc.greater(rows, after)
        columns = [_as_text(batch.column(i)) for i in range(min(width, batch.num_columns))]
        columns += [pa.nulls(count, pa.string())] * (width - len(columns))
        yield Batch(rows.filter(keep), [c.filter(keep) for c in columns],
                    pa.nulls(int(pc.sum(keep).as_py() or 0), pa.string()))


def _as_text(column: pa.Array) -> pa.Array:
    """A Parquet column as text the way :func:`cell_text` writes cells."""
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return column.cast(pa.string())
    if pa.types.is_floating(kind):
        # Arrow writes the shortest text that reads back as the same double; 2021.0 as "2021"
        whole = pc.and_(pc.equal(pc.floor(column), column), pc.less(pc.abs(column), 1e15))
        as_int = pc.cast(pc.if_else(whole, column, None), pa.int64(), safe=False)
        return pc.if_else(whole, pc.cast(as_int, pa.string()), pc.cast(column, pa.string()))
    if pa.types.is_timestamp(kind):
        return pc.cast(pc.cast(column, pa.date32()), pa.string())
    return pc.cast(column, pa.string())
