"""A streaming reader of .xlsx / .xlsm workbooks for the upload kit (issue 22, item 6).

python-calamine parses a whole sheet into memory before its first row can be read (about 75 bytes per cell plus
the strings: 30 MiB of memory per MiB of workbook). This reader decompresses the sheet's XML from the zip file
in pieces of ``CHUNK`` bytes, each cut after a ``</row>``, and reads the rows of a piece with regular expressions
(one ``findall`` per row gives every cell's reference, style, type and value in C), so memory holds the shared
strings and one piece, never the sheet. It is about as fast as calamine and ten times faster than openpyxl's
read-only mode (docs/benchmarks.md). The small parts (workbook, relationships, styles) are parsed with ElementTree.

Cells come out as calamine gave them, which the kit converts by the column's kind: text as ``str`` (shared,
inline or a formula's cached text; ``""`` for an empty cell), numbers as ``float``, booleans as ``bool``, a
number in a date format as ``datetime.date`` (whole days), ``datetime.datetime`` (with a time of day),
``datetime.time`` (below one day) or ``datetime.timedelta`` (elapsed formats such as ``[h]:mm``). Error cells
(``#N/A``) are their text. Rows are numbered as in the file: rows missing from the XML come out empty.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree as ET

MAIN_NS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
           "http://purl.oclc.org/ooxml/spreadsheetml/main")
REL_NS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "http://purl.oclc.org/ooxml/officeDocument/relationships")
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
EPOCH_1900 = dt.datetime(1899, 12, 30)
EPOCH_1904 = dt.datetime(1904, 1, 1)
# Built-in number formats that show dates or times (ECMA-376 18.8.30, with the East Asian ids 27–36 and 50–58).
BUILTIN_DATES = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)})
BUILTIN_ELAPSED = frozenset({46})
ESCAPED_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")  # OOXML's escape of control characters in strings: _x000D_


class XlsxError(ValueError):
    """The file is not a readable .xlsx workbook."""


def _unescape(text: str) -> str:
    return ESCAPED_RE.sub(lambda m: chr(int(m[1], 16)), text) if "_x" in text else text


def _format_kind(code: str) -> str:
    """"date", "elapsed" or "" for a number format code."""
    s = re.sub(r'"[^"]*"|\\.|_.|\*.', "", code)  # literal text, escaped characters, padding
    if re.search(r"\[(h+|m+|s+)\]", s, re.IGNORECASE):
        return "elapsed"
    s = re.sub(r"\[[^\]]*\]", "", s)  # colours, conditions, locales
    s = re.sub(r"\.0+", "", s.split(";")[0])  # fractions of a second
    if s.strip().lower() == "general":
        return ""
    return "date" if re.search(r"[dmyhse]", s, re.IGNORECASE) and not re.search(r"[0#?]", s) else ""


class Workbook:
    """A workbook opened for streaming: ``sheet_names`` and ``rows(name)``."""

    def __init__(self, file: IO[bytes] | Path) -> None:
        try:
            self._zip = zipfile.ZipFile(file)
            names = set(self._zip.namelist())
            book = self._xml("xl/workbook.xml")
        except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError) as exc:
            raise XlsxError(str(exc) or type(exc).__name__) from exc
        ns = book.tag[1:].split("}")[0] if book.tag.startswith("{") else ""
        self._ns = f"{{{ns}}}" if ns else ""
        rels = self._relations("xl/_rels/workbook.xml.rels")
        pr = book.find(f"{self._ns}workbookPr")
        self._epoch = EPOCH_1904 if pr is not None and pr.get("date1904") in ("1", "true") else EPOCH_1900
        self._paths: dict[str, str] = {}
        for sheet in book.iter(f"{self._ns}sheet"):
            rid = next((sheet.get(f"{{{n}}}id") for n in REL_NS if sheet.get(f"{{{n}}}id")), None)
            target = rels.get(rid or "", "")
            if not target:
                continue
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            if path in names:
                self._paths[sheet.get("name", "")] = path
        self.sheet_names = list(self._paths)
        shared_path = next((f"xl/{t}" if not t.startswith("/") else t.lstrip("/")
                            for t, kind in self._targets("xl/_rels/workbook.xml.rels") if kind.endswith("/sharedStrings")),
                           "xl/sharedStrings.xml")
        self._shared_path = shared_path if shared_path in names else ""
        self._shared: list[str] | None = None
        self._styles = self._date_styles("xl/styles.xml") if "xl/styles.xml" in names else {}

    # ------------------------------------------------------------------------------------------ parts

    def _xml(self, path: str) -> ET.Element:
        with self._zip.open(path) as f:
            return ET.parse(f).getroot()

    def _targets(self, path: str) -> list[tuple[str, str]]:
        try:
            root = self._xml(path)
        except KeyError:
            return []
        return [(r.get("Target", ""), r.get("Type", "")) for r in root.iter(f"{{{PKG_REL_NS}}}Relationship")]

    def _relations(self, path: str) -> dict[str, str]:
        try:
            root = self._xml(path)
        except KeyError:
            return {}
        return {r.get("Id", ""): r.get("Target", "") for r in root.iter(f"{{{PKG_REL_NS}}}Relationship")}

    def _date_styles(self, path: str) -> dict[int, str]:
        """Cell style index → "date" / "elapsed" for the styles whose number format shows a date or a duration."""
        root = self._xml(path)
        ns = self._ns
        custom = {int(f.get("numFmtId", "-1")): f.get("formatCode", "") for f in root.iter(f"{ns}numFmt")}
        out: dict[int, str] = {}
        xfs = root.find(f"{ns}cellXfs")
        for i, xf in enumerate(xfs if xfs is not None else []):
            fmt = int(xf.get("numFmtId", "0") or 0)
            if fmt in custom:
                kind = _format_kind(custom[fmt])
            else:
                kind = "elapsed" if fmt in BUILTIN_ELAPSED else "date" if fmt in BUILTIN_DATES else ""
            if kind:
                out[i] = kind
        return out

    def _shared_strings(self) -> list[str]:
        """The shared strings (read once, streamed): the text runs of each item, phonetic runs left out."""
        if self._shared is None:
            self._shared = []
            if self._shared_path:
                append = self._shared.append
                with self._zip.open(self._shared_path) as f:
                    for p, text in _chunks(f, "si"):
                        _row_re, _cell_re, _value_re, text_re, phonetic_re = _patterns(p)
                        for item in _item_re(p).finditer(text):
                            content = item[1] or ""
                            if "rPh" in content:
                                content = phonetic_re.sub("", content)
                            append(_text("".join(text_re.findall(content))))
        return self._shared

    # ------------------------------------------------------------------------------------------ rows

    def rows(self, name: str) -> Iterator[list[Any]]:
        """Every row of the sheet ``name`` from row 1: a list of cell values (``""`` for an empty cell)."""
        shared = self._shared_strings()
        styles = self._styles
        number = self._number
        columns: dict[str, int] = {}
        expected = 1  # the number of the next row in the file
        with self._zip.open(self._paths[name]) as f:
            for p, text in _chunks(f, "row"):
                row_re, cell_re, value_re, text_re, phonetic_re = _patterns(p)
                for row in row_re.finditer(text):
                    r = _ROW_NUMBER_RE.search(row[1])
                    at = int(r[1]) if r else expected
                    while expected < at:  # rows absent from the XML are blank rows of the file
                        yield []
                        expected += 1
                    expected = at + 1
                    values: list[Any] = []
                    body = row[2]
                    if not body:
                        yield values
                        continue
                    nxt = 0
                    for letters, style, t, other, v, inline, content in cell_re.findall(body):
                        if other and other.strip() not in ("", "/"):
                            letters, style, t = _attributes(other, letters, style, t)
                        if letters:
                            j = columns.get(letters)
                            if j is None:
                                j = 0
                                for ch in letters.upper():
                                    j = j * 26 + ord(ch) - 64
                                j -= 1
                                columns[letters] = j
                        else:
                            j = nxt
                        nxt = j + 1
                        value: Any
                        if inline:
                            value = _text(inline)
                        elif not v and not content:
                            continue
                        elif t == "inlineStr":
                            if "rPh" in content:
                                content = phonetic_re.sub("", content)
                            value = _text("".join(text_re.findall(content)))
                        else:
                            if not v:
                                vm = value_re.search(content)
                                v = vm[1] if vm else ""
                                if not v:
                                    continue
                            if not t or t == "n":
                                value = number(v, styles.get(int(style)) if style else None)
                            elif t == "s":
                                value = shared[int(v)]
                            elif t == "b":
                                value = v.strip() in ("1", "true")
                            elif t == "d":
                                value = _iso_datetime(_text(v))
                            else:  # "str" (a formula's text), "e" (an error such as #N/A)
                                value = _text(v)
                        if j >= len(values):
                            if j > len(values):
                                values.extend([""] * (j - len(values)))
                            values.append(value)
                        else:
                            values[j] = value
                    yield values

    def _number(self, text: str, kind: str | None) -> Any:
        try:
            x = float(text)
        except ValueError:
            return text
        if kind is None:
            return x
        if kind == "elapsed":
            return dt.timedelta(days=x)
        if x < 0 or x >= 2_958_466:
            return x
        if x < 1:
            return (EPOCH_1900 + dt.timedelta(days=x)).time().replace(microsecond=0)
        if self._epoch is EPOCH_1900 and x < 61:  # Excel's 1900 counts a 29 February that never was
            x += 1
        moment = self._epoch + dt.timedelta(days=x)
        moment = (moment + dt.timedelta(microseconds=500_000)).replace(microsecond=0)  # to the second, as shown
        return moment.date() if moment.time() == dt.time() else moment


CHUNK = 4 << 20  # bytes of XML decompressed and parsed at a time
_ROW_NUMBER_RE = re.compile(r"""(?:^|\s)r\s*=\s*["'](\d+)""")
_REF_RE = re.compile(r"""(?:^|\s)r\s*=\s*["']([A-Za-z]+)""")
_TYPE_RE = re.compile(r"""(?:^|\s)t\s*=\s*["'](\w+)""")
_STYLE_RE = re.compile(r"""(?:^|\s)s\s*=\s*["'](\d+)""")
_ENTITY_RE = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_PREFIX_RE = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?(?:worksheet|sst)\b")


def _attributes(other: str, letters: str, style: str, t: str) -> tuple[str, str, str]:
    """The column letters, style and type of a cell whose attributes were not all in Excel's order."""
    if not letters and (m := _REF_RE.search(other)):
        letters = m[1]
    if not style and (m := _STYLE_RE.search(other)):
        style = m[1]
    if not t and (m := _TYPE_RE.search(other)):
        t = m[1]
    return letters, style, t


def _entity(m: re.Match[str]) -> str:
    e = m[1]
    if e[0] == "#":
        return chr(int(e[2:], 16) if e[1] in "xX" else int(e[1:]))
    return _ENTITIES[e]


def _text(raw: str) -> str:
    """The text of XML character data: entities replaced, OOXML's _xHHHH_ escapes undone, CR LF as LF."""
    if "&" in raw:
        raw = _ENTITY_RE.sub(_entity, raw)
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    return _unescape(raw)


@functools.cache
def _patterns(p: str) -> tuple[re.Pattern[str], ...]:
    """Regular expressions of the elements read, for the namespace prefix ``p`` ("" or "x:")."""
    q = re.escape(p)
    return (
        re.compile(rf"<{q}row\b([^>]*?)(?:/>|>(.*?)</{q}row\s*>)", re.S),
        # a cell: (column letters, style, type, other attributes, plain value, plain inline text, other content).
        # The attributes as Excel and openpyxl write them (r, s, t in this order) are read here; any others, or
        # these in another order or quoted otherwise, are left in the fourth group and read from it.
        re.compile(rf"""<{q}c(?: r="([A-Z]+)\d+")?(?: s="(\d+)")?(?: t="(\w+)")?([^>]*?)"""
                   rf"""(?:/>|>(?:<{q}v>([^<]*)</{q}v>|<{q}is><{q}t>([^<]*)</{q}t></{q}is>|(.*?))</{q}c\s*>)""", re.S),
        re.compile(rf"<{q}v(?:\s[^>]*)?>(.*?)</{q}v\s*>", re.S),
        re.compile(rf"<{q}t(?:\s[^>]*)?>(.*?)</{q}t\s*>", re.S),
        re.compile(rf"<{q}rPh\b.*?(?:</{q}rPh\s*>)", re.S),
    )


@functools.cache
def _item_re(p: str) -> re.Pattern[str]:
    q = re.escape(p)
    return re.compile(rf"<{q}si\b[^>]*?(?:/>|>(.*?)</{q}si\s*>)", re.S)


def _chunks(f: IO[bytes], element: str) -> Iterator[tuple[str, str]]:
    """(namespace prefix, text) of the decompressed XML in pieces of about ``CHUNK`` bytes, each ending after the
    end tag of an ``element`` (so that no element read is ever cut in two). XML comments and CDATA sections are
    not expected in these parts (Excel and the libraries that write .xlsx produce neither) and are refused."""
    prefix: str | None = None
    end = b""
    rest = b""
    while True:
        data = f.read(CHUNK)
        buf = rest + data
        if prefix is None:
            m = _PREFIX_RE.search(buf)
            if m is None and data:
                rest = buf
                continue
            prefix = (m[1].decode() + ":") if m and m[1] else ""
            end = f"</{prefix}{element}>".encode()
        if not data:
            if buf:
                yield prefix, _decode(buf)
            return
        cut = buf.rfind(end)
        if cut < 0:
            rest = buf
            continue
        cut += len(end)
        yield prefix, _decode(buf[:cut])
        rest = buf[cut:]


def _decode(data: bytes) -> str:
    if b"<![CDATA[" in data or b"<!--" in data:
        raise XlsxError("CDATA or comments in the sheet XML")
    return data.decode("utf-8")


def _iso_datetime(text: str) -> Any:
    try:
        moment = dt.datetime.fromisoformat(text.strip().rstrip("Z"))
    except ValueError:
        return text
    return moment.date() if moment.time() == dt.time() else moment
