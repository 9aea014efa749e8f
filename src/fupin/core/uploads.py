"""The upload kit: every spreadsheet or CSV a clerk or a department uploads is read here, once, by the same rules.

An app declares its columns (``Column``: header in Chinese, English or other aliases, kind, required or a default)
and gets back a ``Table``: a polars frame of strings, one column per declared column plus ``ROW`` (the row number
the clerk sees in the file, blank rows counted), and the ``Conflict`` list of everything wrong or worth a warning.

The rules every upload shares (issue 22):

- CSV in UTF-8, UTF-8 with BOM, GBK or GB18030 (``core.textfiles``); .xlsx and .xlsm streamed row by row from
  the sheet's XML (``core.xlsx``: memory holds the shared strings and a block of rows, never the sheet), .xls and
  .ods through python-calamine; rows converted to text in blocks of ``BLOCK_ROWS``.
- The header row is found among the first ``HEADER_SEARCH_ROWS`` rows (title rows above it are skipped); of a
  two-level header the lower level is read, and a cell of the lower level left empty by a vertical merge takes
  the upper level's text. Unknown columns are ignored with a warning; a missing optional column takes its default.
- Identifier columns (household numbers, accounts, codes, phones) refuse a numeric cell that cannot hold the
  value exactly (more than 15 digits, or a fraction) and ask to set the column to Text; an exact numeric cell
  is read as its digits.
- Every cell loses invisible characters (zero-width, bidi controls, BOM), reported as a warning; numeric, coded,
  identifier and date columns are also NFKC-normalised (full-width digits, Latin letters and punctuation).
- Dates: Excel serial numbers, ``1964年5月13日``, ``1964-05-13``, ``1964/5/13``, ``1964.5.13``, ``19640513`` and
  date-times (the time of day is dropped) all become ``1964-05-13``.

``ImportSummary`` is the one result of every import; ``error_workbook`` the one error report: the clerk's rows
at their original row numbers, numbers as numbers, bad cells filled (errors red, warnings yellow) and the
messages in an added 错误说明 column, importable again once fixed.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import functools
import io
import itertools
import re
import shutil
import tempfile
import time
import unicodedata
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

import polars as pl
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from fupin.core import textfiles, xlsx
from fupin.core.exports import safe_cell, safe_row

ROW = "_row"  # the frame column holding each row's number in the file (1 = the first line / spreadsheet row)
FILE_LEVEL = 0  # the row of a conflict about the whole file or sheet
HEADER_SEARCH_ROWS = 10
BLOCK_ROWS = 10_000  # rows converted to text at a time while reading a workbook (Python objects: ~20 MiB)
MESSAGE_COLUMN = "错误说明"  # added by the error workbook; ignored when read again
SUMMARY_SHEET = "错误汇总"
MAX_EXACT = 10**15  # Excel keeps 15 significant digits: larger whole numbers may have lost digits
EXCEL_EPOCH = dt.date(1899, 12, 30)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
STREAMED_SUFFIXES = (".xlsx", ".xlsm")  # read by core.xlsx, row by row
TEXT_SUFFIXES = (".csv", ".txt")

# Invisible characters: zero-width space/joiners, LRM/RLM, bidi embeddings and isolates, word joiner and friends,
# BOM / zero-width no-break space, soft hyphen.
INVISIBLE = "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad"
INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")
# Characters NFKC changes into digits, Latin letters, punctuation or spaces: no-break and typographic spaces,
# the ideographic space, full-width ASCII, circled and parenthesised numbers, number forms, compatibility squares.
COMPATIBLE = "\u00a0\u2000-\u200a\u2024-\u2026\u3000\uff01-\uff5e\uffe0-\uffe6\u2150-\u218f\u2460-\u24ff\u3200-\u33ff"


class Kind:
    IDENTIFIER = "identifier"  # digits or letters that must survive exactly (numbers, codes, phones, accounts)
    TEXT = "text"  # free text (names, notes): invisible characters removed, nothing else changed
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"  # read as YYYY-MM-DD
    CODE = "code"  # a value of a code list (or 是/否): NFKC-normalised, the app maps it

    ALL = (IDENTIFIER, TEXT, INTEGER, DECIMAL, DATE, CODE)
    NORMALISED = (IDENTIFIER, INTEGER, DECIMAL, DATE, CODE)


class Severity:
    ERROR = "error"  # the upload is refused
    WARNING = "warning"  # reported; the upload goes on


@dataclass(frozen=True)
class Column:
    """One declared column. ``name`` is its key in the frame; ``header`` the Chinese header; ``aliases`` other
    headers accepted (English, older forms). A missing optional column takes ``default`` (``None``: blank)."""

    name: str
    header: str
    kind: str = Kind.TEXT
    aliases: tuple[str, ...] = ()
    required: bool = False
    default: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in Kind.ALL:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(frozen=True)
class Conflict:
    """One problem of an upload: where (sheet, row as the clerk sees it, column header), the cell's value, and
    the message in the active language. ``row`` is ``FILE_LEVEL`` (0) for the whole file or sheet."""

    sheet: str
    row: int
    column: str
    value: str
    message: str
    severity: str = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR

    def __str__(self) -> str:
        if not self.row:
            return _("%(sheet)s: %(message)s") % {"sheet": self.sheet, "message": self.message}
        values = {"sheet": self.sheet, "row": self.row, "column": self.column or "-", "message": self.message}
        if not self.sheet:  # a form's row, not a file's
            return _("row %(row)d, %(column)s: %(message)s") % values
        return _("%(sheet)s row %(row)d, %(column)s: %(message)s") % values

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "value": self.value,
                "message": str(self.message), "severity": self.severity}


class UploadRejected(ValueError):
    """The upload is refused; nothing was written. ``conflicts`` names every bad cell."""

    def __init__(self, conflicts: Sequence[Conflict], message: str = ""):
        self.conflicts = sorted(conflicts, key=lambda c: (c.sheet, c.row, c.column))
        errors = [c for c in self.conflicts if c.is_error]
        first = errors[0] if errors else (self.conflicts[0] if self.conflicts else "")
        super().__init__(message or _("%(n)d error(s), nothing was changed. First: %(first)s")
                         % {"n": len(errors), "first": first})

    @property
    def errors(self) -> list[Conflict]:
        return [c for c in self.conflicts if c.is_error]


@dataclass
class ImportSummary:
    """The result of every import (DHIS2's import summary): households, facilities, events … ``created``,
    ``updated``, ``unchanged`` and ``rejected``; the errors (``conflicts``) and ``warnings``; app-specific figures
    in ``counts``."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    warnings: list[Conflict] = field(default_factory=list)
    dry_run: bool = False
    counts: dict[str, Any] = field(default_factory=dict)
    error_report: Path | None = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.conflicts

    @property
    def errors(self) -> list[Conflict]:
        return self.conflicts

    def add(self, conflicts: Iterable[Conflict]) -> None:
        """File every conflict under ``conflicts`` (errors) or ``warnings``."""
        for c in conflicts:
            (self.conflicts if c.is_error else self.warnings).append(c)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged, "rejected": self.rejected,
            **self.counts, "errors": len(self.conflicts), "warnings": len(self.warnings), "dry_run": self.dry_run,
            "seconds": round(self.seconds, 2),
        }


@dataclass
class Table:
    """One sheet (or CSV file) read against its declared columns."""

    sheet: str
    columns: tuple[Column, ...]
    frame: pl.DataFrame  # ROW (Int64) and one Utf8 column per declared column (None for a blank cell)
    header_row: int = 1  # the row of the (lower) header in the file
    headers: dict[str, str] = field(default_factory=dict)  # column name -> header text as in the file
    ignored: list[str] = field(default_factory=list)  # headers of the columns that were not declared
    conflicts: list[Conflict] = field(default_factory=list)
    encoding: str = ""  # of a CSV file: "utf-8" or "gb18030"

    @property
    def errors(self) -> list[Conflict]:
        return [c for c in self.conflicts if c.is_error]

    @classmethod
    def empty(cls, sheet: str, columns: Sequence[Column]) -> Table:
        schema: dict[str, Any] = {ROW: pl.Int64, **{c.name: pl.Utf8 for c in columns}}
        return cls(sheet, tuple(columns), pl.DataFrame(schema=schema))


class SpilledTables(Mapping[str, Table]):
    """Tables kept on disk while an import works on other things: each ``put`` writes the table's rows to an Arrow
    IPC file in a temporary folder (removed by ``close``) and each look-up reads them back, so that the text of a
    large upload is in memory only while a stage uses it (issue 22 item 6: a 100 MB workbook within 1 GB)."""

    PREFIX = "fupin-upload-"
    STALE_SECONDS = 24 * 3600  # no import takes a day: an older folder is left by a killed process

    def __init__(self) -> None:
        self._sweep()
        self._folder = Path(tempfile.mkdtemp(prefix=self.PREFIX))
        self._tables: dict[str, tuple[Table, Path, int]] = {}

    @classmethod
    def _sweep(cls) -> None:
        """Remove the folders that processes killed in the middle of an import (kill -9) could not remove."""
        cutoff = time.time() - cls.STALE_SECONDS
        for folder in Path(tempfile.gettempdir()).glob(f"{cls.PREFIX}*"):
            with contextlib.suppress(OSError):
                if folder.is_dir() and folder.stat().st_mtime < cutoff:
                    shutil.rmtree(folder, ignore_errors=True)

    def put(self, name: str, table: Table) -> None:
        path = self._folder / f"{len(self._tables)}.arrow"
        table.frame.write_ipc(path, compression="lz4")  # read back batch by batch: no second copy while read
        shell = dataclasses.replace(table, frame=table.frame.clear(), conflicts=[])
        self._tables[name] = (shell, path, table.frame.height)

    def height(self, name: str) -> int:
        """The number of rows of a table (without reading it)."""
        return self._tables[name][2]

    def __getitem__(self, name: str) -> Table:
        shell, path, _height = self._tables[name]
        return dataclasses.replace(shell, frame=pl.read_ipc(path))

    def slices(self, name: str, rows: int) -> Iterator[Table]:
        """The table in slices of ``rows`` rows, each read from the disk when it is asked for."""
        shell, path, height = self._tables[name]
        for start in range(0, max(height, 1), rows):
            yield dataclasses.replace(shell, frame=pl.scan_ipc(path).slice(start, rows).collect())

    def __contains__(self, name: object) -> bool:
        return name in self._tables

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def close(self) -> None:
        shutil.rmtree(self._folder, ignore_errors=True)
        self._tables.clear()

    def __enter__(self) -> SpilledTables:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def table_slices(tables: Mapping[str, Table], name: str, rows: int) -> Iterator[Table]:
    """The table ``name`` in slices of ``rows`` rows: read from the disk slice by slice when ``tables`` are
    ``SpilledTables``, else slices of the frame in memory."""
    if isinstance(tables, SpilledTables):
        yield from tables.slices(name, rows)
        return
    table = tables[name]
    for start in range(0, max(table.frame.height, 1), rows):
        yield dataclasses.replace(table, frame=table.frame.slice(start, rows))


class RawSheet:
    """A sheet of a workbook, or a CSV file, before its columns are known: its name and its rows (read lazily:
    a workbook's sheet is parsed when its rows are first asked for). ``csv`` holds a CSV file's UTF-8 bytes,
    which ``read_sheet`` reads with polars rather than row by row."""

    def __init__(self, name: str, rows: Callable[[], Iterator[Sequence[Any]]], encoding: str = "",
                 csv: bytes | None = None) -> None:
        self.name = name
        self.encoding = encoding
        self.csv = csv
        self._open = rows
        self._rows: Iterator[Sequence[Any]] | None = None
        self._head: list[list[Any]] | None = None

    def head(self) -> list[list[Any]]:
        """The first ``HEADER_SEARCH_ROWS`` rows (kept: ``rows()`` still starts at row 1)."""
        if self._head is None:
            self._rows = self._open()
            self._head = [list(r) for r in itertools.islice(self._rows, HEADER_SEARCH_ROWS)]
        return self._head

    def rows(self) -> Iterator[Sequence[Any]]:
        """Every row from row 1 (once)."""
        head = self.head()
        assert self._rows is not None
        return itertools.chain(head, self._rows)

    def release(self) -> None:
        """Let go of the parsed sheet (a workbook sheet's cells stay in memory while its iterator lives)."""
        self._rows, self.csv = None, None


# ---------------------------------------------------------------------------------------------------- files


def _file_conflict(sheet: str, message: str, value: str = "") -> Conflict:
    return Conflict(sheet, FILE_LEVEL, "", value, message)


def read_bytes(file: Any) -> tuple[str, bytes]:
    """(name, content) of a path or an uploaded file object."""
    if isinstance(file, str | Path):
        return Path(file).name, Path(file).read_bytes()
    name = Path(str(getattr(file, "name", "upload") or "upload")).name
    if hasattr(file, "seek"):
        file.seek(0)
    return name, file.read()


def read_source(file: Any) -> tuple[str, bytes | Path]:
    """(name, content) of a path or an uploaded file object, for ``open_sheets``: a .xlsx/.xlsm workbook on disk
    stays a path, read from the disk as its rows are asked for (a 100 MiB upload is not held in memory); anything
    else is its bytes (``read_bytes``)."""
    if isinstance(file, str | Path):
        path = Path(file)
        if path.suffix.lower() in STREAMED_SUFFIXES:
            with path.open("rb") as f:
                if f.read(2) == b"PK":  # a zip file (an empty or blank one is refused from its bytes)
                    return path.name, path
    return read_bytes(file)


def open_sheets(content: bytes | Path, filename: str) -> list[RawSheet]:
    """The sheets of a workbook (rows read lazily, one at a time) or the one sheet of a CSV file (named after
    the file). ``content``: the file's bytes, or the path of a .xlsx/.xlsm workbook (``read_source``). Raises
    ``UploadRejected`` for an empty, unreadable or unsupported file."""
    suffix = Path(filename).suffix.lower()
    if isinstance(content, Path) and suffix in STREAMED_SUFFIXES:
        return _streamed_sheets(content, filename)
    if isinstance(content, Path):
        content = content.read_bytes()
    if not content.strip():
        raise UploadRejected([_file_conflict(filename, _("The file %(name)s is empty.") % {"name": filename})])
    if suffix in STREAMED_SUFFIXES:
        return _streamed_sheets(io.BytesIO(content), filename)
    if suffix in WORKBOOK_SUFFIXES:  # .xls and .ods: python-calamine (a whole sheet in memory)
        from python_calamine import CalamineWorkbook

        try:
            wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
            return [RawSheet(name, functools.partial(_sheet_rows, wb, name, filename)) for name in wb.sheet_names]
        except Exception as exc:  # calamine raises several error types for broken files
            raise UploadRejected([_file_conflict(filename, _("Cannot read the workbook: %(error)s") % {"error": exc})]) from exc
    if suffix in TEXT_SUFFIXES or suffix == "":
        data = content[len(textfiles.BOM):] if content.startswith(textfiles.BOM) else content
        try:
            encoding = textfiles.detect_encoding(data)
        except textfiles.TextEncodingError as exc:
            raise UploadRejected([_file_conflict(filename, str(exc))]) from exc
        if encoding != "utf-8":
            data = data.decode(encoding).encode("utf-8")
        return [RawSheet(filename, functools.partial(_csv_rows, data), encoding, csv=data)]
    raise UploadRejected([_file_conflict(
        filename, _("Unsupported file type %(suffix)s (expected .xlsx or .csv).") % {"suffix": suffix or filename})])


def _streamed_sheets(source: IO[bytes] | Path, filename: str) -> list[RawSheet]:
    try:
        book = xlsx.Workbook(source)
    except xlsx.XlsxError as exc:
        raise UploadRejected([_file_conflict(filename, _("Cannot read the workbook: %(error)s") % {"error": exc})]) from exc
    return [RawSheet(name, functools.partial(_streamed_rows, book, name, filename)) for name in book.sheet_names]


def _sheet_rows(wb: Any, name: str, filename: str) -> Iterator[list[Any]]:
    """Rows from row 1 (calamine's ``iter_rows`` starts there even when the used area starts lower). A sheet
    calamine cannot read (a broken zip member, XML that is not XML — found by fuzzing, issue 20 C3) is refused
    like an unreadable workbook, when it is read."""
    def refused(exc: Exception) -> UploadRejected:
        return UploadRejected([_file_conflict(filename, _("Cannot read the workbook: %(error)s") % {"error": exc})])

    try:
        rows = wb.get_sheet_by_name(name).iter_rows()
    except Exception as exc:  # calamine raises several error types for broken files
        raise refused(exc) from exc

    def guarded() -> Iterator[list[Any]]:
        try:
            yield from rows
        except Exception as exc:
            raise refused(exc) from exc
    return guarded()


def _streamed_rows(book: xlsx.Workbook, name: str, filename: str) -> Iterator[list[Any]]:
    """Rows of a streamed sheet; a member that breaks while it is read (a damaged deflate stream, a bad CRC —
    found by fuzzing, issue 20 C3) refuses the workbook like one that cannot be opened."""
    try:
        yield from book.rows(name)
    except (xlsx.XlsxError, zipfile.BadZipFile, zlib.error, EOFError, OSError, UnicodeDecodeError, ValueError) as exc:
        raise UploadRejected([_file_conflict(filename, _("Cannot read the workbook: %(error)s") % {
            "error": str(exc) or type(exc).__name__})]) from exc


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    """Records of UTF-8 CSV bytes, decoded line by line as they are read."""
    return csv.reader(line.decode("utf-8") for line in io.BytesIO(data))


# ---------------------------------------------------------------------------------------------------- cells


def header_key(text: Any) -> str:
    """A header as compared: NFKC, no invisible characters or whitespace, Latin letters in lower case."""
    if text is None:
        return ""
    s = INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", str(text)))
    return re.sub(r"\s+", "", s).lower()


def _number_text(v: float | int) -> str:
    """A numeric cell as the digits a person sees: 12 → "12", 0.1 → "0.1" (shortest exact repr, no exponent)."""
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and abs(v) < 1e16):
        return str(int(v))
    d = Decimal(repr(v))
    return format(d, "f")


def excel_serial_date(v: float) -> dt.date | None:
    """The date of an Excel serial number (days since 1899-12-30; the fraction is the time of day)."""
    if not 1 <= v < 2_958_466:  # 1900-01-01 … 9999-12-31
        return None
    return EXCEL_EPOCH + dt.timedelta(days=int(v))


DATE_RE = re.compile(
    r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?"
    r"(?:(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date_text(text: str) -> dt.date | None:
    m = DATE_RE.match(text) or COMPACT_DATE_RE.match(text)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


INTEGER_RE = r"^[+-]?\d+$"
DECIMAL_RE = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
SCIENTIFIC_RE = r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$"


@dataclass
class _CellProblem:
    row: int
    value: str
    message: str
    severity: str = Severity.ERROR


def _identifier_refusal(header: str) -> str:
    return _("The number in column %(column)s cannot be kept exactly by Excel (more than 15 digits or a fraction): "
             "set the column to Text in Excel (设置单元格格式→文本) and type the number again.") % {"column": header}


def _convert(value: Any, column: Column, row: int, problems: list[_CellProblem]) -> str | None:
    """A non-text cell of a workbook as text, by the column's kind (numbers, dates, booleans)."""
    if value is None or value == "":
        return None
    kind = column.kind
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float | int):
        if kind == Kind.DATE:
            day = excel_serial_date(float(value))
            if day is None:
                problems.append(_CellProblem(row, _number_text(value), _("not a date (for example 1964-05-13)")))
                return _number_text(value)
            return day.isoformat()
        if kind == Kind.IDENTIFIER and (not float(value).is_integer() or abs(value) >= MAX_EXACT):
            shown = repr(value) if isinstance(value, float) else str(value)
            problems.append(_CellProblem(row, shown, _identifier_refusal(column.header)))
            return shown
        return _number_text(value)
    if isinstance(value, dt.datetime):
        if kind == Kind.DATE or value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):  # a duration cell: as Excel shows it, hours:minutes:seconds
        return str(value)
    return str(value)


def _text_series(name: str, values: list[Any], column: Column, rows: list[int], problems: list[_CellProblem]) -> pl.Series:
    if set(map(type, values)) <= {str}:
        return pl.Series(name, values, dtype=pl.Utf8)
    out = [v if type(v) is str else _convert(v, column, r, problems) for v, r in zip(values, rows, strict=True)]
    return pl.Series(name, out, dtype=pl.Utf8)


def _normalise(frame: pl.DataFrame, columns: Sequence[Column], sheet: str, problems: list[Conflict]) -> pl.DataFrame:
    """Every cell: invisible characters removed (a warning names them), NFKC for numeric, coded and identifier
    columns, surrounding whitespace stripped, blank → null. What each column needs is found in one parallel pass."""
    if not columns:
        return frame
    found = frame.select(
        *[pl.col(c.name).str.contains(f"[{INVISIBLE}]").any().alias(f"i{n}") for n, c in enumerate(columns)],
        *[pl.col(c.name).str.contains(f"[{COMPATIBLE}]").any().alias(f"a{n}") for n, c in enumerate(columns)
          if c.kind in Kind.NORMALISED],
    ).row(0, named=True)
    exprs = []
    for n, column in enumerate(columns):
        value = pl.col(column.name)
        if found[f"i{n}"]:
            hits = frame.filter(pl.col(column.name).str.contains(f"[{INVISIBLE}]")).select(ROW, column.name)
            for row, text in hits.iter_rows():
                removed = " ".join(sorted({f"U+{ord(ch):04X}" for ch in INVISIBLE_RE.findall(text)}))
                problems.append(Conflict(sheet, row, column.header, INVISIBLE_RE.sub("", text),
                                         _("invisible characters removed: %(chars)s") % {"chars": removed},
                                         Severity.WARNING))
            value = value.str.replace_all(f"[{INVISIBLE}]", "")
        if found.get(f"a{n}"):  # the cells that have such characters (the same whichever block they are in)
            value = pl.when(value.str.contains(f"[{COMPATIBLE}]")).then(value.str.normalize("NFKC")).otherwise(value)
        value = value.str.strip_chars()
        if column.kind == Kind.DECIMAL:
            value = value.str.replace_all(",", "", literal=True)  # thousands separators as Excel shows them
        exprs.append(value.replace("", None).alias(column.name))
    return frame.with_columns(exprs)


def _check_kinds(frame: pl.DataFrame, columns: Sequence[Column], sheet: str, problems: list[Conflict]) -> pl.DataFrame:
    """Integers, decimals and dates must have their form; dates in any accepted form become YYYY-MM-DD.
    The conditions of all columns are evaluated in one parallel pass; only failing columns are looked at again."""
    integers = [c for c in columns if c.kind == Kind.INTEGER]
    if integers:  # 3.0 from a CSV written by a program is the integer 3
        frame = frame.with_columns([pl.col(c.name).str.replace(r"^([+-]?\d+)\.0*$", "${1}") for c in integers])
    bad: dict[str, pl.Expr] = {}
    for c in columns:
        col = pl.col(c.name)
        if c.kind == Kind.IDENTIFIER:  # 5.30103E+18: a number already rounded by Excel, saved as text
            bad[c.name] = col.str.contains(SCIENTIFIC_RE)
        elif c.kind == Kind.INTEGER:
            bad[c.name] = col.is_not_null() & ~col.str.contains(INTEGER_RE)
        elif c.kind == Kind.DECIMAL:
            bad[c.name] = col.is_not_null() & ~col.str.contains(DECIMAL_RE)
        elif c.kind == Kind.DATE:  # not yet YYYY-MM-DD: parsed in Python, few rows
            bad[c.name] = col.is_not_null() & col.str.to_date("%Y-%m-%d", strict=False).is_null()
    if not bad:
        return frame
    failing = frame.select([cond.fill_null(False).any().alias(name) for name, cond in bad.items()]).row(0, named=True)
    dates = []
    for c in columns:
        if not failing.get(c.name):
            continue
        rows = frame.filter(bad[c.name].fill_null(False)).select(ROW, c.name).iter_rows()
        if c.kind == Kind.IDENTIFIER:
            problems.extend(Conflict(sheet, r, c.header, v, _identifier_refusal(c.header)) for r, v in rows)
        elif c.kind in (Kind.INTEGER, Kind.DECIMAL):
            message = _("not a whole number") if c.kind == Kind.INTEGER else _("not a number")
            problems.extend(Conflict(sheet, r, c.header, v, message) for r, v in rows)
        else:
            fixed: dict[str, str] = {}
            for r, v in rows:
                day = parse_date_text(v)
                if day is None:
                    problems.append(Conflict(sheet, r, c.header, v, _("not a date (for example 1964-05-13)")))
                else:
                    fixed[v] = day.isoformat()
            if fixed:
                dates.append(pl.col(c.name).replace(fixed).alias(c.name))
    return frame.with_columns(dates) if dates else frame


# ---------------------------------------------------------------------------------------------------- reading


def _find_header(head: list[list[Any]], keys: dict[str, Column]) -> tuple[int, list[str]]:
    """(index in ``head``, header texts) of the row with the most declared headers; a blank cell under a
    vertical merge takes the text of the row above (two-level headers are read by their lower level)."""
    best, score = -1, 0
    for i, row in enumerate(head):
        n = len({header_key(v) for v in row} & keys.keys())
        if n > score:
            best, score = i, n
    if best < 0:
        return -1, []
    texts = ["" if v is None else str(v) for v in head[best]]
    if best > 0:
        above = head[best - 1]
        texts += [""] * (len(above) - len(texts))  # a streamed row ends at its last cell, not the sheet's
        for j, t in enumerate(texts):
            if not t.strip() and j < len(above) and above[j] is not None and str(above[j]).strip():
                texts[j] = str(above[j])
    return best, texts


def read_sheet(raw: RawSheet, columns: Sequence[Column], *, sheet: str | None = None,
               ignore: Sequence[str] = (MESSAGE_COLUMN,)) -> Table:
    """Read one sheet against ``columns``: every declared column as text (normalised, checked by kind), with
    the row numbers of the file. Problems are in ``Table.conflicts``; a missing required column or no header
    row at all makes an error at ``FILE_LEVEL``. ``ignore``: headers dropped without a warning."""
    name = sheet or raw.name
    columns = tuple(columns)
    keys: dict[str, Column] = {}
    for c in columns:
        for h in (c.header, *c.aliases, c.name):
            keys.setdefault(header_key(h), c)
    head = raw.head()
    table = Table(name, columns, Table.empty(name, columns).frame, encoding=raw.encoding)
    at, texts = _find_header(head, keys)
    if at < 0:
        if any(any(str(v).strip() for v in r if v is not None) for r in head):
            table.conflicts.append(_file_conflict(name, _("No header row found: the first rows name none of the columns %(headers)s.")
                                                  % {"headers": "、".join(c.header for c in columns)}))
        else:
            table.conflicts.append(_file_conflict(name, _("The sheet %(sheet)s has no data rows.") % {"sheet": name}))
        return table
    table.header_row = at + 1
    position: dict[str, int] = {}
    ignored_keys = {header_key(h) for h in ignore}
    for j, text in enumerate(texts):
        key = header_key(text)
        found = keys.get(key)
        if found is None:
            if key and key not in ignored_keys:
                table.ignored.append(text.strip())
            continue
        c = found
        if c.name in position:
            table.conflicts.append(Conflict(name, table.header_row, text.strip(), "",
                                            _("The column %(column)s appears twice.") % {"column": c.header}))
            continue
        position[c.name] = j
        table.headers[c.name] = text.strip()
    for h in table.ignored:
        table.conflicts.append(Conflict(name, table.header_row, h, "", _("unknown column, ignored"), Severity.WARNING))
    missing = [c for c in columns if c.name not in position and c.required]
    if missing:
        table.conflicts.append(Conflict(name, FILE_LEVEL, "、".join(c.header for c in missing), "",
                                        _("missing columns: %(columns)s") % {"columns": "、".join(c.header for c in missing)}))
    present = [c for c in columns if c.name in position]
    cell_problems: dict[str, list[_CellProblem]] = {}
    normalised: list[Conflict] = []
    checked: list[Conflict] = []

    def prepare(frame: pl.DataFrame) -> pl.DataFrame:
        """Rows of text as read → the table's rows: normalised, defaults of absent columns, blank rows dropped,
        checked by kind. A workbook's rows go through here block by block, before the blocks are joined."""
        frame = _normalise(frame, present, name, normalised)
        frame = frame.with_columns([pl.lit(c.default, dtype=pl.Utf8).alias(c.name) for c in columns
                                    if c.name not in position])
        frame = frame.select(ROW, *[c.name for c in columns])
        # Rows blank in every declared column (for example only a 序号 filled in) are not data.
        frame = frame.filter(~pl.all_horizontal([pl.col(c.name).is_null() for c in present])) if present else frame
        return _check_kinds(frame, present, name, checked)

    if raw.csv is not None:
        table.frame = prepare(_csv_body(raw.csv, at, position, present))
    else:
        table.frame = _workbook_body(raw.rows(), at, position, present, cell_problems, prepare)
    raw.release()
    for c in present:
        table.conflicts.extend(Conflict(name, p.row, c.header, p.value, p.message, p.severity)
                               for p in cell_problems.get(c.name, []))
    # column by column, as if the whole sheet had been normalised and checked at once (blocks: row by row)
    order = {c.header: n for n, c in enumerate(present)}
    table.conflicts.extend(sorted(normalised, key=lambda x: order.get(x.column, -1)))
    table.conflicts.extend(sorted(checked, key=lambda x: order.get(x.column, -1)))
    if not missing and table.frame.height == 0:
        table.conflicts.append(_file_conflict(name, _("The sheet %(sheet)s has no data rows.") % {"sheet": name}))
    # Invisible-character warnings and kind errors of the same cell: the error is enough.
    errors = {(c.row, c.column) for c in table.conflicts if c.is_error}
    table.conflicts = list(dict.fromkeys(c for c in table.conflicts if c.is_error or (c.row, c.column) not in errors))
    return table


def _workbook_body(rows: Iterator[Sequence[Any]], at: int, position: dict[str, int], present: list[Column],
                   problems: dict[str, list[_CellProblem]],
                   prepare: Callable[[pl.DataFrame], pl.DataFrame]) -> pl.DataFrame:
    """The rows after the header (index ``at``), converted to text in blocks: a workbook's cells are never all
    Python objects at once. Each block is ``prepare``d (normalised, checked, blank rows dropped) before the
    blocks are joined, so that the sheet's text is never held twice."""
    blocks: list[pl.DataFrame] = []
    body = itertools.islice(rows, at + 1, None)
    first = at + 2  # the row number of the first row after the header
    width = max(position.values(), default=-1) + 1
    while True:
        block = list(itertools.islice(body, BLOCK_ROWS))
        if not block:
            break
        numbers = list(range(first, first + len(block)))
        first += len(block)
        if any(len(r) < width for r in block):
            block = [list(r) + [None] * (width - len(r)) if len(r) < width else r for r in block]
        columns = list(zip(*block, strict=False))
        series = [pl.Series(ROW, numbers, dtype=pl.Int64)]
        for c in present:
            series.append(_text_series(c.name, list(columns[position[c.name]]), c, numbers,
                                       problems.setdefault(c.name, [])))
        full = len(block) == BLOCK_ROWS
        del block, columns  # the block's Python values go before the next block is read
        blocks.append(prepare(pl.DataFrame(series)))
        del series
        if not full:
            break
    if not blocks:
        return prepare(pl.DataFrame(schema={ROW: pl.Int64, **{c.name: pl.Utf8 for c in present}}))
    return pl.concat(blocks, rechunk=False)


def _csv_body(data: bytes, at: int, position: dict[str, int], present: list[Column]) -> pl.DataFrame:
    """The records after the header of a UTF-8 CSV file, read by polars (multi-threaded, no Python per cell):
    record n is row n, as Excel shows the file, blank lines included."""
    width = max(position.values(), default=-1) + 1
    names = [f"c{j}" for j in range(width)]
    frame = pl.read_csv(io.BytesIO(data), has_header=False, schema={n: pl.Utf8 for n in names},
                        truncate_ragged_lines=True, missing_columns="insert", extra_columns="ignore")
    return frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64)).slice(at + 1).select(
        ROW, *[pl.col(f"c{position[c.name]}").alias(c.name) for c in present])


def read_upload(content: bytes, filename: str, columns: Sequence[Column], *, sheet: str | None = None) -> Table:
    """The one sheet of a CSV file, or of a workbook the sheet named ``sheet`` (else the first)."""
    sheets = open_sheets(content, filename)
    raw = next((s for s in sheets if sheet is None or s.name.strip() == sheet), None)
    if raw is None:
        raise UploadRejected([_file_conflict(filename, _("The workbook has no sheet %(sheet)s.") % {"sheet": sheet})])
    return read_sheet(raw, columns, sheet=raw.name if Path(filename).suffix.lower() in WORKBOOK_SUFFIXES else filename)


def records(table: Table) -> Iterator[tuple[int, dict[str, str | None]]]:
    """(row, values by column name) of every data row, for uploads small enough to check row by row."""
    names = [c.name for c in table.columns]
    for values in table.frame.select(ROW, *names).iter_rows():
        yield values[0], dict(zip(names, values[1:], strict=True))


# ---------------------------------------------------------------------------------------------------- error workbook


ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
ERROR_FONT = Font(color="9C0006")
BOLD = Font(bold=True)


def _typed_cell(value: str | None, kind: str) -> Any:
    """Numbers back as numbers (integers and decimals), everything else as the text read."""
    if value is None:
        return None
    if kind in (Kind.INTEGER, Kind.DECIMAL):
        try:
            d = Decimal(value)
        except InvalidOperation:
            return value
        # beyond 15 significant digits Excel cannot hold the number (and a 5,000-digit one overflows a float,
        # found by fuzzing, issue 20 C3): it goes back as the text read
        if d.is_finite() and len(d.as_tuple().digits) <= 15 and abs(d.adjusted()) < 300:
            return int(d) if d == d.to_integral_value() and "." not in value else float(d)
    return value


def error_workbook(tables: Iterable[Table], conflicts: Sequence[Conflict], path: Path | None = None) -> bytes:
    """The clerk's sheets again (the declared columns the file had), each row at the row number it had in the file
    (the header at its row), with
    bad cells filled (errors red, warnings yellow) and the messages in an added 错误说明 column; then a 错误汇总
    sheet listing every conflict. Written to ``path`` when given (straight to the file: ``b""`` is returned), else
    returned as bytes. ``tables`` is gone through once, in order (a generator may read each table when its turn
    comes)."""
    by_row: dict[tuple[str, int], dict[str, list[Conflict]]] = defaultdict(lambda: defaultdict(list))
    for conflict in conflicts:
        by_row[(conflict.sheet, conflict.row)][conflict.column].append(conflict)
    wb = Workbook(write_only=True)
    for table in tables:
        ws = wb.create_sheet(table.sheet[:31])
        for _blank in range(table.header_row - 1):
            ws.append([])
        cols = [c for c in table.columns if c.name in table.headers] or list(table.columns)
        header = [WriteOnlyCell(ws, value=table.headers.get(c.name, c.header)) for c in cols]
        header.append(WriteOnlyCell(ws, value=MESSAGE_COLUMN))
        for cell in header:
            cell.font = BOLD
        ws.append(header)
        line = table.header_row
        for values in table.frame.select(ROW, *[c.name for c in cols]).iter_rows():
            row_no = values[0]
            while line + 1 < row_no:
                ws.append([])
                line += 1
            line = row_no
            marks = by_row.get((table.sheet, row_no))
            cells = [safe_cell(_typed_cell(v, c.kind)) for v, c in zip(values[1:], cols, strict=True)]
            if not marks:
                ws.append(cells)
                continue
            out = []
            for v, c in zip(cells, cols, strict=True):
                cell = WriteOnlyCell(ws, value=v)
                found = marks.get(c.header) or marks.get(table.headers.get(c.name, ""))
                if found:
                    cell.fill = ERROR_FILL if any(x.is_error for x in found) else WARNING_FILL
                out.append(cell)
            messages = [f"{col}：{x.message}" if col else str(x.message) for col, xs in marks.items() for x in xs]
            note = WriteOnlyCell(ws, value=safe_cell("；".join(messages)))
            note.font = ERROR_FONT
            out.append(note)
            ws.append(out)
        del table  # a table read back from the disk goes before the next one is read
    summary = wb.create_sheet(SUMMARY_SHEET)
    summary.append([WriteOnlyCell(summary, value=h) for h in (
        _("sheet"), _("row"), _("column"), _("value"), _("error"), _("severity"))])
    for x in sorted(conflicts, key=lambda x: (x.sheet, x.row, x.column)):
        summary.append(safe_row([x.sheet, x.row or None, x.column, x.value, str(x.message),
                                 _("error") if x.is_error else _("warning")]))
    if path is not None:  # a large upload's report is not held in memory
        path.parent.mkdir(parents=True, exist_ok=True)
        wb.save(path)
        return b""
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- one checked file, and its summary before anything is written ------------------------------------------------


@dataclass
class Checked:
    """A file read and checked against its columns: the table as read (for the error workbook), every conflict
    found, and the rows to write (when there is no error; columns named by the upload)."""

    table: Table
    conflicts: list[Conflict]
    rows: pl.DataFrame


def check_file(check: Callable[[], Checked], filename: str, columns: Sequence[Column]) -> Checked:
    """Run an upload's ``check``. A file refused as a whole (``UploadRejected``: unreadable, not a table, required
    columns missing) becomes a ``Checked`` without rows that carries the refusal, so that it is reported like any
    rejected file."""
    try:
        return check()
    except UploadRejected as exc:
        return Checked(Table.empty(filename, columns), list(exc.conflicts), pl.DataFrame())


def summarize(checked: Checked, error_path: Path | None = None) -> ImportSummary:
    """The summary of a checked file before anything is written: its errors and warnings; when there is an error,
    every row rejected and, with ``error_path``, the marked workbook written there. The caller writes only when
    ``ok`` and then sets what was created or updated."""
    result = ImportSummary()
    result.add(checked.conflicts)
    if not result.ok:
        if error_path is not None:
            error_workbook([checked.table], checked.conflicts, error_path)
            result.error_report = error_path
        result.rejected = checked.table.frame.height
    return result
