"""Findings in spreadsheets: XLSX workbooks and CSV files.

A findings workbook has a **Findings** sheet (one row per finding, one
column per field of :class:`~qifeval.Finding`), a **Context** sheet
(contextual challenges and readiness evidence), an **About** sheet (the
partnership, title, date and framework), an **Instructions** sheet and a
hidden **Lists** sheet holding the values of the drop-down lists. A CSV
file holds the Findings sheet's columns, with the About fields as
``field,value`` rows above the heading row; it has no context.

Cells are read as values: a formula is refused (see
:doc:`/howto/spreadsheets`). Errors name the file, sheet, row, column and
finding id: ``findings.xlsx, sheet Findings, row 14 (F12), column weight: …``.

XLSX needs openpyxl (``pip install 'qifeval[xlsx]'``), imported only when
a workbook is read or written; CSV needs nothing more.
"""

from __future__ import annotations

import csv
import datetime as _dt
import enum
import io
import json
import math
import re
import types
import typing
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import attrs

from .. import _convert
from .._errors import InputError, InputProblem, MissingDependencyError, QifevalError, shown
from .._ids import close_matches, did_you_mean
from ..frameworks._grade import quantifier
from ..frameworks._model import Framework
from ._context import ContextualChallenge, ReadinessEvidence
from ._findings import (
    EvidenceSet,
    Finding,
    evidence_from_document,
    evidence_to_dict,
)

__all__ = [
    "SHEET_SUFFIXES",
    "dump_sheet",
    "finding_columns",
    "load_sheet",
    "template_bytes",
]

#: File suffixes read and written as spreadsheets.
SHEET_SUFFIXES = (".xlsx", ".csv")

FINDINGS_SHEET = "Findings"
CONTEXT_SHEET = "Context"
ABOUT_SHEET = "About"
INSTRUCTIONS_SHEET = "Instructions"
LISTS_SHEET = "Lists"

#: The most characters a spreadsheet cell holds (Excel's limit).
MAX_CELL_CHARS = 32_767
#: A workbook's unzipped content may be at most this many times
#: ``InputLimits.max_bytes``.
MAX_UNZIPPED_RATIO = 10

# The Findings sheet's columns in the order people read them; fields added
# to Finding later follow in their own order.
_FIRST_COLUMNS = (
    "id",
    "qi",
    "statement",
    "valence",
    "weight",
    "source",
    "source_detail",
    "ref",
    "date",
    "proportion",
    "sample",
    "voice",
    "key_factor",
    "critical",
    "sustained",
    "sector_leading",
    "illustration",
)
# Columns holding codes typed or chosen from a list: surrounding spaces are
# dropped. Other text (statements, notes, ids) is kept exactly.
_CODE_FIELDS = frozenset({"qi", "key_factor", "illustration", "framework"})

_YES = frozenset({"yes", "y", "true"})
_NO = frozenset({"no", "n", "false"})

_CONTEXT_ITEMS: dict[str, tuple[str, type]] = {
    "challenge": ("challenges", ContextualChallenge),
    "readiness": ("readiness", ReadinessEvidence),
}


# --- what each field holds ------------------------------------------------


@attrs.frozen
class _Field:
    """A field as a column: its name and what kind of value it holds."""

    name: str
    kind: str  # text, code, bool, int, float, date, enum, json
    enum_type: type[enum.Enum] | None = None
    required: bool = False


def _fields_of(cls: type) -> tuple[_Field, ...]:
    hints = typing.get_type_hints(cls)
    out = []
    for a in attrs.fields(cls):
        if not a.init or a.name.startswith("_"):
            continue
        tp = hints[a.name]
        args = [t for t in typing.get_args(tp) if t is not type(None)]
        if typing.get_origin(tp) in (typing.Union, types.UnionType):
            tp = args[0] if len(args) == 1 else tp
        required = a.default is attrs.NOTHING
        if tp is bool:
            kind, et = "bool", None
        elif isinstance(tp, type) and issubclass(tp, enum.Enum):
            kind, et = "enum", tp
        elif tp is int:
            kind, et = "int", None
        elif tp is float:
            kind, et = "float", None
        elif tp is _dt.date:
            kind, et = "date", None
        elif tp is str:
            kind, et = ("code" if a.name in _CODE_FIELDS else "text"), None
        else:
            kind, et = "json", None
        out.append(_Field(a.name, kind, et, required))
    return tuple(out)


def finding_columns() -> tuple[str, ...]:
    """The columns of the Findings sheet (and of a findings CSV file), in
    order: one per field of :class:`~qifeval.Finding`."""
    return tuple(f.name for f in _finding_fields())


def _finding_fields() -> tuple[_Field, ...]:
    by_name = {f.name: f for f in _fields_of(Finding)}
    first = [by_name[n] for n in _FIRST_COLUMNS if n in by_name]
    return (*first, *(f for n, f in by_name.items() if n not in _FIRST_COLUMNS))


def _about_fields() -> tuple[_Field, ...]:
    return tuple(f for f in _fields_of(EvidenceSet) if f.name not in ("findings", "context"))


def _context_columns() -> tuple[str, ...]:
    names: list[str] = []
    for _, cls in _CONTEXT_ITEMS.values():
        names.extend(f.name for f in _fields_of(cls) if f.name not in names)
    return ("item", *names)


def _heading(text: str) -> str:
    """A heading as typed (``Source detail``) in the form of a field name."""
    return re.sub(r"[\s-]+", "_", text.strip()).lower()


# --- openpyxl, an optional dependency ----------------------------------------


def _openpyxl(feature: str) -> Any:
    try:
        import openpyxl
    except ImportError:
        raise MissingDependencyError(feature, package="openpyxl", extra="xlsx") from None
    return openpyxl


# --- reading cells --------------------------------------------------------


class _CellError(Exception):
    """A problem with one cell's value."""


# Excel writes characters that XML cannot hold (and a literal "_xHHHH_")
# as _xHHHH_ escapes.
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_NEEDS_ESCAPE = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m[1], 16)), text) if "_x" in text else text


def _escape(text: str) -> str:
    return _NEEDS_ESCAPE.sub(lambda m: f"_x{ord(m[0]):04X}_", text)


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


def _cell_value(value: object, field: _Field, *, typed: bool) -> object:
    """The value a document would hold for *value*, a cell of *field*'s
    column; ``None`` for an empty cell. *typed* is false for CSV text."""
    if value is None:
        return None
    if isinstance(value, _Formula):
        raise _CellError(
            f"a formula ({shown(value.text)}); qifeval reads values, not formulas: "
            "replace it by its value (copy the cell, then paste it as values)"
        )
    if isinstance(value, str):
        if field.kind in ("text", "json"):
            if value == "":
                return None
            if field.kind == "json":
                try:
                    return json.loads(value)
                except ValueError:
                    raise _CellError(f"expected a JSON value, got {shown(value)}") from None
            return value
        value = value.strip()
        if value == "":
            return None
    kind = field.kind
    if kind == "text" or kind == "code":
        if isinstance(value, bool) or isinstance(value, _dt.date | _dt.time):
            raise _CellError(
                f"expected text, got {_what(value)}: type it as text "
                "(format the cell as Text before typing)"
            )
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return _number_text(value)
        return value
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            if value.lower() in _YES:
                return True
            if value.lower() in _NO:
                return False
        raise _CellError(f"expected yes or no, got {_what(value)}")
    if kind == "int":
        if isinstance(value, bool):
            raise _CellError(f"expected a whole number, got {_what(value)}")
        if isinstance(value, int):
            return value
        number = _parse_number(value) if isinstance(value, str) else value
        if isinstance(number, float) and number.is_integer():
            return int(number)
        if isinstance(number, int) and not isinstance(number, bool):
            return number
        raise _CellError(f"expected a whole number, got {_what(value)}")
    if kind == "float":
        if isinstance(value, bool):
            raise _CellError(f"expected a number, got {_what(value)}")
        if isinstance(value, int | float):
            return value
        if isinstance(value, str):
            percent = value.endswith("%")
            number = _parse_number(value[:-1].strip() if percent else value)
            if number is not None:
                return number / 100 if percent else number
        raise _CellError(f"expected a number, got {_what(value)}")
    if kind == "date":
        if isinstance(value, _dt.datetime):
            if value.time() != _dt.time(0):
                raise _CellError(f"expected a date without a time, got {value.isoformat(' ')}")
            return value.date()
        if isinstance(value, _dt.date):
            return value
        if isinstance(value, str):
            return value  # YYYY-MM-DD, checked with the rest of the document
        raise _CellError(f"expected a date (YYYY-MM-DD), got {_what(value)}")
    if kind == "enum":
        assert field.enum_type is not None
        if isinstance(value, str):
            return _enum_value(value, field.enum_type)
        return value  # refused with the list of values by the converter
    return value


def _what(value: object) -> str:
    if isinstance(value, bool):
        return f"{'TRUE' if value else 'FALSE'} (a true/false cell)"
    if isinstance(value, _dt.datetime | _dt.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, _dt.time):
        return f"a time ({value.isoformat()})"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    return shown(value)


_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _parse_number(text: str) -> int | float | None:
    if not _NUMBER.fullmatch(text):
        return None
    if re.fullmatch(r"[+-]?[0-9]+", text):
        return int(text)
    number = float(text)
    return number if math.isfinite(number) else None


def _enum_value(text: str, cls: type[enum.Enum]) -> str:
    """*text* as the value of a member of *cls*: spaces, case and the
    member's label (``stakeholders' views``) are forgiven."""
    key = _heading(text)
    for member in cls:
        label = getattr(member, "label", None)
        if key == member.value or (isinstance(label, str) and key == _heading(label)):
            return str(member.value)
    return text


# --- locating problems ---------------------------------------------------------


@attrs.define
class _Layout:
    """Where each item of the document came from in the spreadsheet."""

    file: str | Path
    findings_sheet: str | None
    context_sheet: str | None = None
    about_sheet: str | None = None
    finding_rows: list[int] = attrs.Factory(list)
    finding_ids: list[str | None] = attrs.Factory(list)
    context_rows: dict[str, list[int]] = attrs.Factory(dict)
    about_rows: dict[str, int] = attrs.Factory(dict)
    about_column: str = "value"


_FINDING_PATH = re.compile(r"findings\[(\d+)\](?:\.(\w+))?")
_CONTEXT_PATH = re.compile(r"context\.(challenges|readiness)\[(\d+)\](?:\.(\w+))?")


def _locate(p: InputProblem, layout: _Layout) -> InputProblem:
    """*p*, a problem in the document made from a spreadsheet, placed in the
    spreadsheet: its sheet, row and column."""
    problem = _rewrite_paths(p.problem, layout)
    if problem == "required key is missing":
        problem = "required, but the cell is empty"
    m = _FINDING_PATH.match(p.path)
    if m and int(m[1]) < len(layout.finding_rows):
        i = int(m[1])
        return InputProblem(
            problem=problem,
            path=p.path,
            finding_id=p.finding_id or layout.finding_ids[i],
            sheet=layout.findings_sheet,
            row=layout.finding_rows[i],
            column=m[2],
        )
    m = _CONTEXT_PATH.match(p.path)
    if m and int(m[2]) < len(layout.context_rows.get(m[1], [])):
        return InputProblem(
            problem=problem,
            path=p.path,
            sheet=layout.context_sheet,
            row=layout.context_rows[m[1]][int(m[2])],
            column=m[3],
        )
    key = p.path.split(".", 1)[0].split("[", 1)[0]
    if key in layout.about_rows:
        return InputProblem(
            problem=problem,
            path=p.path,
            sheet=layout.about_sheet,
            row=layout.about_rows[key],
            column=layout.about_column,
        )
    if key in {f.name for f in _about_fields()}:
        place = (
            f"sheet {layout.about_sheet}" if layout.about_sheet else "the rows above the heading"
        )
        missing = p.problem == "required key is missing"
        return InputProblem(
            problem=f"the {key} is not given: add a row {key!r} to {place}"
            if missing
            else f"{problem} (in the row {key!r} of {place})",
            path=p.path,
            sheet=layout.about_sheet,
        )
    return attrs.evolve(p, problem=problem)


def _rewrite_paths(text: str, layout: _Layout) -> str:
    """Paths such as ``findings[2].id`` inside a problem's text, as rows."""

    def finding(m: re.Match[str]) -> str:
        i = int(m[1])
        return f"row {layout.finding_rows[i]}" if i < len(layout.finding_rows) else m[0]

    def context(m: re.Match[str]) -> str:
        rows = layout.context_rows.get(m[1], [])
        i = int(m[2])
        return f"sheet {layout.context_sheet} row {rows[i]}" if i < len(rows) else m[0]

    return _CONTEXT_PATH.sub(context, _FINDING_PATH.sub(finding, text))


def _relocated(exc: InputError, layout: _Layout) -> InputError:
    problems = [_locate(p, layout) for p in exc.problems]
    return type(exc).from_problems(
        problems, file=layout.file, more_not_checked=exc.more_not_checked
    )


# --- reading tables -----------------------------------------------------------


@attrs.define
class _Table:
    """The rows of one sheet below its heading row."""

    name: str | None
    headings: list[tuple[int, str]]  # (column index, field name)
    rows: list[tuple[int, list[Any]]]  # (row number, cell values)
    heading_row: int


class _Problems:
    """Problems found while reading, up to the limit of problems."""

    def __init__(self, file: str | Path) -> None:
        self.file = file
        self.items: list[InputProblem] = []
        self.limit = _convert.current_input_limits().max_problems

    def add(self, problem: InputProblem) -> None:
        self.items.append(problem)
        if len(self.items) >= self.limit:
            self.raise_()

    def raise_(self) -> None:
        if self.items:
            raise InputError.from_problems(
                self.items, file=self.file, more_not_checked=len(self.items) >= self.limit
            )


def _is_blank(values: Iterable[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _table(
    name: str | None,
    rows: Iterable[tuple[int, list[Any]]],
    known: Sequence[str],
    problems: _Problems,
    *,
    required: Sequence[str] = (),
    heading_row: int | None = None,
    first_rows: list[tuple[int, list[Any]]] | None = None,
) -> _Table:
    """Split *rows* into the heading row (the first row that is not blank,
    or *heading_row*) and the data rows after it, skipping blank rows."""
    limits = _convert.current_input_limits()
    it = iter(rows)
    heading: tuple[int, list[Any]] | None = None
    for number, values in it:
        if heading_row is not None and number < heading_row:
            if first_rows is not None:
                first_rows.append((number, values))
            continue
        if not _is_blank(values):
            heading = (number, values)
            break
    if heading is None:
        problems.add(InputProblem(problem="the sheet is empty: no heading row", sheet=name))
        return _Table(name, [], [], 0)
    number, values = heading
    headings: list[tuple[int, str]] = []
    seen: set[str] = set()
    for col, cell in enumerate(values):
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        field = _heading(str(cell))
        if field not in known:
            problems.add(
                InputProblem(
                    problem=f"unknown column {shown(str(cell))}"
                    f"{did_you_mean(close_matches(field, list(known)))}; "
                    f"the columns are {', '.join(known)}",
                    sheet=name,
                    row=number,
                    column=_column_letter(col),
                )
            )
        elif field in seen:
            problems.add(
                InputProblem(
                    problem="the column appears twice", sheet=name, row=number, column=field
                )
            )
        else:
            seen.add(field)
            headings.append((col, field))
    for field in required:
        if field not in seen:
            problems.add(
                InputProblem(
                    problem=f"no column {field!r} in the heading row (row {number})",
                    sheet=name,
                    column=field,
                )
            )
    data: list[tuple[int, list[Any]]] = []
    columns = {col for col, _ in headings}
    for row_number, row_values in it:
        if _is_blank(row_values):
            continue
        for col, value in enumerate(row_values):
            if col not in columns and not _is_blank([value]):
                problems.add(
                    InputProblem(
                        problem=f"a value ({shown(value)}) in a column without a heading",
                        sheet=name,
                        row=row_number,
                        column=_column_letter(col),
                    )
                )
        if len(data) >= limits.max_items:
            problems.add(
                InputProblem(
                    problem=f"more than {limits.max_items:,} rows; at most "
                    f"{limits.max_items:,} are read (see InputLimits.max_items)",
                    sheet=name,
                    row=row_number,
                )
            )
            problems.raise_()
        data.append((row_number, row_values))
    return _Table(name, headings, data, number)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _records(
    table: _Table,
    fields: Mapping[str, _Field],
    problems: _Problems,
    *,
    typed: bool,
    id_of: bool = True,
) -> list[tuple[int, dict[str, Any], str | None]]:
    """Each data row as a table of the document: ``(row, fields, id)``."""
    out = []
    max_text = _convert.current_input_limits().max_text
    for number, values in table.rows:
        record: dict[str, Any] = {}
        raw_id = None
        if id_of:
            for col, name in table.headings:
                if name == "id" and col < len(values) and isinstance(values[col], str | int):
                    raw_id = str(values[col])[:80]
        for col, name in table.headings:
            value = values[col] if col < len(values) else None
            if name not in fields:
                continue
            if isinstance(value, str):
                if typed:
                    value = _unescape(value)
                if len(value) > max_text:
                    problems.add(
                        InputProblem(
                            problem=f"text of {len(value):,} characters; at most "
                            f"{max_text:,} are allowed (see InputLimits.max_text)",
                            finding_id=raw_id,
                            sheet=table.name,
                            row=number,
                            column=name,
                        )
                    )
                    continue
            try:
                converted = _cell_value(value, fields[name], typed=typed)
            except _CellError as exc:
                problems.add(
                    InputProblem(
                        problem=str(exc),
                        finding_id=raw_id,
                        sheet=table.name,
                        row=number,
                        column=name,
                    )
                )
                continue
            if converted is not None:
                record[name] = converted
        out.append((number, record, raw_id))
    return out


def _about(
    table_rows: Iterable[tuple[int, list[Any]]],
    sheet: str | None,
    problems: _Problems,
    layout: _Layout,
    *,
    typed: bool,
) -> dict[str, Any]:
    """The ``field | value`` rows of the About sheet (or above a CSV
    file's heading row)."""
    fields = {f.name: f for f in _about_fields()}
    about: dict[str, Any] = {}
    for number, values in table_rows:
        if _is_blank(values):
            continue
        key_cell = values[0] if values else None
        key = _heading(str(key_cell)) if key_cell is not None else ""
        if key in ("field", ""):  # the heading row
            continue
        if key not in fields:
            problems.add(
                InputProblem(
                    problem=f"unknown field {shown(str(key_cell))}"
                    f"{did_you_mean(close_matches(key, list(fields)))}; "
                    f"the fields are {', '.join(fields)}",
                    sheet=sheet,
                    row=number,
                    column="field",
                )
            )
            continue
        if key in layout.about_rows:
            problems.add(
                InputProblem(
                    problem=f"{key} is given twice (also in row {layout.about_rows[key]})",
                    sheet=sheet,
                    row=number,
                    column="field",
                )
            )
            continue
        layout.about_rows[key] = number
        value = values[1] if len(values) > 1 else None
        if isinstance(value, str) and typed:
            value = _unescape(value)
        try:
            converted = _cell_value(value, fields[key], typed=typed)
        except _CellError as exc:
            problems.add(InputProblem(problem=str(exc), sheet=sheet, row=number, column="value"))
            continue
        if converted is not None:
            about[key] = converted
    return about


def _split_qi(record: dict[str, Any]) -> str | None:
    """Split ``"5.2 Assessing risk and need"`` (a drop-down value) into the
    id, kept in *record*, and the title, returned."""
    qi = record.get("qi")
    if isinstance(qi, str):
        head, _, title = qi.partition(" ")
        if title.strip():
            record["qi"] = head
            return " ".join(title.split())
    return None


def _document(
    findings: list[tuple[int, dict[str, Any], str | None]],
    about: dict[str, Any],
    context: dict[str, list[dict[str, Any]]] | None,
    layout: _Layout,
) -> tuple[dict[str, Any], list[str | None]]:
    titles = []
    for number, record, raw_id in findings:
        titles.append(_split_qi(record))
        layout.finding_rows.append(number)
        layout.finding_ids.append(raw_id)
    doc: dict[str, Any] = {
        "schema_version": 1,
        **about,
        "findings": [r for _, r, _ in findings],
    }
    if context:
        doc["context"] = context
    return doc, titles


def _evidence(
    doc: dict[str, Any],
    titles: list[str | None],
    layout: _Layout,
    framework: Framework | None,
) -> EvidenceSet:
    try:
        evidence = evidence_from_document(doc, file=layout.file, framework=framework)
        _check_titles(evidence, titles, framework)
    except InputError as exc:
        raise _relocated(exc, layout) from None
    return evidence


def _check_titles(
    evidence: EvidenceSet, titles: Sequence[str | None], framework: Framework | None
) -> None:
    """A drop-down value's title must be its indicator's, so that an id
    typed over a chosen title is not silently read as another indicator."""
    from ..frameworks._loading import framework_by_id

    fw = framework or framework_by_id(evidence.framework)
    for i, (finding, title) in enumerate(zip(evidence.findings, titles, strict=True)):
        if title is None:
            continue
        qi = fw.indicator(finding.qi)
        names = {" ".join(n.split()).casefold() for n in (qi.title, *qi.aliases)}
        if title.casefold() not in names:
            raise InputError(
                f"indicator {finding.qi} is {qi.title!r}, not {title!r}: choose the "
                "indicator from the list, or give its id alone",
                path=f"findings[{i}].qi",
                finding_id=finding.id,
            )


# --- XLSX -----------------------------------------------------------------------


def _check_zip(data: bytes, file: str | Path) -> None:
    """Refuse a workbook whose unzipped content would be too large (a zip
    bomb) before openpyxl opens it. The sizes a zip file declares bound what
    Python's zipfile yields, so the check is exact."""
    limit = _convert.current_input_limits().max_bytes * MAX_UNZIPPED_RATIO
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise InputError(
            "not an XLSX workbook (it is not a zip file); save it from the spreadsheet "
            "program as an Excel workbook (.xlsx)",
            file=file,
        ) from None
    if total > limit:
        raise InputError(
            f"the workbook unzips to {total:,} bytes; at most {limit:,} are read "
            f"({MAX_UNZIPPED_RATIO} times InputLimits.max_bytes)",
            file=file,
        )


# mergeCell elements in a worksheet's XML (read-only openpyxl ignores them).
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?ref=\"([A-Z]+[0-9]+:[A-Z]+[0-9]+)\"")


def _merged_ranges(ws: Any) -> list[str]:
    source = ws._get_source()  # the sheet's XML in the zip, streamed
    found: set[str] = set()
    tail = b""
    try:
        while chunk := source.read(1 << 20):
            text = tail + chunk
            found.update(m[1].decode("ascii") for m in _MERGE.finditer(text))
            tail = text[-200:]  # a tag split between chunks is found whole
    finally:
        source.close()
    return sorted(found)


@attrs.frozen
class _Formula:
    """A cell holding a formula, refused when its value is read."""

    text: str


def _sheet_rows(ws: Any) -> Iterator[tuple[int, list[Any]]]:
    """The rows of a read-only worksheet as ``(row number, values)``."""
    number = 0
    for cells in ws.iter_rows():
        number += 1
        values: list[Any] = []
        for cell in cells:
            row = getattr(cell, "row", None)
            if row is not None:
                number = row
            if getattr(cell, "data_type", None) == "f":
                values.append(_Formula(str(cell.value)))
            else:
                values.append(cell.value)
        yield number, values


def _load_xlsx(path: str | Path, framework: Framework | None) -> EvidenceSet:
    openpyxl = _openpyxl("reading .xlsx files")
    data = _convert.read_file_bytes(path)
    _check_zip(data, path)
    problems = _Problems(path)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any failure of the parser is a broken file
        raise InputError(
            f"cannot read the workbook ({type(exc).__name__}: {shown(str(exc))})", file=path
        ) from None
    try:
        return _read_workbook(wb, path, framework, problems)
    except InputError:
        raise
    except (
        ElementTree.ParseError,
        zipfile.BadZipFile,
        zlib.error,
        KeyError,
        ValueError,
        EOFError,
    ) as exc:
        # a sheet is parsed as it is read: a broken part shows only now
        raise InputError(
            f"cannot read the workbook ({type(exc).__name__}: {shown(str(exc))})", file=path
        ) from None
    finally:
        wb.close()


def _read_workbook(
    wb: Any, path: str | Path, framework: Framework | None, problems: _Problems
) -> EvidenceSet:
    sheets = {name.strip().casefold(): name for name in wb.sheetnames}

    def sheet(title: str) -> Any:
        name = sheets.get(title.casefold())
        return None if name is None else wb[name]

    findings_ws = sheet(FINDINGS_SHEET)
    if findings_ws is None:
        raise InputError(
            f"no sheet named {FINDINGS_SHEET!r} (the sheets are "
            f"{', '.join(map(repr, wb.sheetnames))}); start from `qifeval template`",
            file=path,
        )
    layout = _Layout(
        file=path,
        findings_sheet=findings_ws.title,
        context_sheet=CONTEXT_SHEET,
        about_sheet=ABOUT_SHEET,
    )
    for ws in (findings_ws, sheet(CONTEXT_SHEET), sheet(ABOUT_SHEET)):
        if ws is None:
            continue
        for ref in _merged_ranges(ws):
            problems.add(
                InputProblem(
                    problem=f"cells {ref} are merged; unmerge them (qifeval reads one value "
                    "per cell, and each row needs its own)",
                    sheet=ws.title,
                )
            )
    problems.raise_()

    ffields = {f.name: f for f in _finding_fields()}
    table = _table(
        findings_ws.title,
        _sheet_rows(findings_ws),
        list(ffields),
        problems,
        required=[f.name for f in ffields.values() if f.required],
    )
    findings = _records(table, ffields, problems, typed=True)

    about: dict[str, Any] = {}
    about_ws = sheet(ABOUT_SHEET)
    if about_ws is not None:
        layout.about_sheet = about_ws.title
        about = _about(
            _sheet_rows(about_ws),
            about_ws.title,
            problems,
            layout,
            typed=True,
        )

    context: dict[str, list[dict[str, Any]]] = {}
    context_ws = sheet(CONTEXT_SHEET)
    if context_ws is not None:
        layout.context_sheet = context_ws.title
        context = _read_context(context_ws, problems, layout)
    problems.raise_()
    doc, titles = _document(findings, about, context, layout)
    return _evidence(doc, titles, layout, framework)


def _read_context(ws: Any, problems: _Problems, layout: _Layout) -> dict[str, list[dict[str, Any]]]:
    columns = _context_columns()
    table = _table(ws.title, _sheet_rows(ws), columns, problems)
    if not table.headings:
        return {}
    by_item = {
        item: {f.name: f for f in _fields_of(cls)} for item, (_, cls) in _CONTEXT_ITEMS.items()
    }
    out: dict[str, list[dict[str, Any]]] = {}
    for number, values in table.rows:
        cells = {name: (values[col] if col < len(values) else None) for col, name in table.headings}
        raw_item = cells.pop("item", None)
        item = _heading(str(raw_item)) if raw_item is not None else ""
        if item not in _CONTEXT_ITEMS:
            problems.add(
                InputProblem(
                    problem=f"expected {' or '.join(map(repr, _CONTEXT_ITEMS))}, got "
                    f"{_what(raw_item) if raw_item is not None else 'an empty cell'}",
                    sheet=ws.title,
                    row=number,
                    column="item",
                )
            )
            continue
        key, _ = _CONTEXT_ITEMS[item]
        fields = by_item[item]
        record: dict[str, Any] = {}
        for name, value in cells.items():
            if isinstance(value, str):
                value = _unescape(value)
            if name not in fields:
                if not _is_blank([value]):
                    problems.add(
                        InputProblem(
                            problem=f"a {item} item has no {name}; leave the cell empty",
                            sheet=ws.title,
                            row=number,
                            column=name,
                        )
                    )
                continue
            try:
                converted = _cell_value(value, fields[name], typed=True)
            except _CellError as exc:
                problems.add(
                    InputProblem(problem=str(exc), sheet=ws.title, row=number, column=name)
                )
                continue
            if converted is not None:
                record[name] = converted
        out.setdefault(key, []).append(record)
        layout.context_rows.setdefault(key, []).append(number)
    return out


# --- CSV ------------------------------------------------------------------------


def _load_csv(path: str | Path, framework: Framework | None) -> EvidenceSet:
    data = _convert.read_file_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not a UTF-8 text file (byte {exc.start} cannot be decoded); save it from the "
            "spreadsheet program as 'CSV UTF-8'",
            file=path,
        ) from None
    if "\x00" in text:
        raise InputError("not a text file (it contains NUL bytes)", file=path)
    delimiter = _delimiter(text)
    problems = _Problems(path)
    layout = _Layout(file=path, findings_sheet=None, about_column="value")
    rows = list(_csv_rows(text, delimiter, path))
    heading_row = next(
        (n for n, values in rows if values and _heading(values[0] or "") == "id"),
        None,
    )
    if heading_row is None:
        raise InputError(
            "no heading row: the first cell of the heading row must be 'id' "
            f"(the columns are {', '.join(finding_columns())})",
            file=path,
        )
    first_rows: list[tuple[int, list[Any]]] = []
    ffields = {f.name: f for f in _finding_fields()}
    table = _table(
        None,
        ((n, list(v)) for n, v in rows),
        list(ffields),
        problems,
        required=[f.name for f in ffields.values() if f.required],
        heading_row=heading_row,
        first_rows=first_rows,
    )
    about = _about(first_rows, None, problems, layout, typed=False)
    findings = _records(table, ffields, problems, typed=False)
    problems.raise_()
    doc, titles = _document(findings, about, None, layout)
    return _evidence(doc, titles, layout, framework)


def _delimiter(text: str) -> str:
    """``;`` if the heading row is separated by semicolons (as spreadsheet
    programs write CSV in some languages), else ``,``."""
    m = re.search(r"^\ufeff?\"?id\"?\s*([,;])", text, re.MULTILINE | re.IGNORECASE)
    return m[1] if m else ","


def _csv_rows(
    text: str, delimiter: str, path: str | Path
) -> Iterator[tuple[int, list[str | None]]]:
    limits = _convert.current_input_limits()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for count, values in enumerate(reader, start=1):
            if count > limits.max_items + 100:
                raise InputError(
                    f"more than {limits.max_items:,} rows; at most {limits.max_items:,} are read "
                    "(see InputLimits.max_items)",
                    file=path,
                    row=reader.line_num,
                )
            # Rows are numbered as a spreadsheet shows them: a text with a
            # line break inside quotes is still one row.
            yield count, [_none_if_empty(v) for v in values]
    except csv.Error as exc:
        problem = str(exc)
        if "field larger than field limit" in problem:
            problem = f"a value of more than {csv.field_size_limit():,} characters"
        raise InputError(f"invalid CSV: {problem}", file=path, row=reader.line_num) from None


def _none_if_empty(value: str) -> str | None:
    return None if value == "" else value


# --- writing ----------------------------------------------------------------------


def _plain(value: Any, field: _Field) -> Any:
    """A document value (as unstructured) as a cell value."""
    if field.kind == "bool":
        return "yes" if value else "no"
    if field.kind == "date" and isinstance(value, str):
        return _dt.date.fromisoformat(value)
    if field.kind == "json":
        return json.dumps(value, ensure_ascii=False)
    return value


def _cell_text(value: Any, *, typed: bool) -> Any:
    """How a cell value is written: a date before 1900-03-01 and a number
    that a spreadsheet would round are written as text, so that nothing is
    lost."""
    if isinstance(value, bool):
        return value
    if isinstance(value, _dt.date):
        if not typed or value < _dt.date(1900, 3, 1):
            return value.isoformat()
        return value
    if isinstance(value, int):
        if not typed or abs(value) > 2**53:
            return str(value)
        return value
    if isinstance(value, float):
        if not typed or float(f"{value:.15g}") != value:
            return repr(value)
        return value
    return value


def _check_text(value: str, where: str, finding_id: str | None) -> None:
    if len(value) > MAX_CELL_CHARS:
        raise InputError(
            f"cannot be written to a spreadsheet cell: {len(value):,} characters, and a cell "
            f"holds at most {MAX_CELL_CHARS:,}",
            path=where,
            finding_id=finding_id,
        )


def _finding_rows(doc: Mapping[str, Any], *, typed: bool) -> Iterator[list[Any]]:
    fields = _finding_fields()
    for i, f in enumerate(doc.get("findings", [])):
        row: list[Any] = []
        for field in fields:
            value = f.get(field.name)
            if value is None:
                row.append(None)
                continue
            value = _plain(value, field)
            if isinstance(value, str):
                _check_text(value, f"findings[{i}].{field.name}", f.get("id"))
            row.append(_cell_text(value, typed=typed))
        yield row


def _about_rows(doc: Mapping[str, Any], *, typed: bool) -> Iterator[list[Any]]:
    for field in _about_fields():
        value = doc.get(field.name)
        if value is None:
            yield [field.name, None]
            continue
        value = _plain(value, field)
        yield [field.name, _cell_text(value, typed=typed)]


def _context_rows(doc: Mapping[str, Any]) -> Iterator[list[Any]]:
    columns = _context_columns()
    context = doc.get("context", {}) or {}
    for item, (key, cls) in _CONTEXT_ITEMS.items():
        fields = {f.name: f for f in _fields_of(cls)}
        for entry in context.get(key, []):
            row: list[Any] = [item]
            for name in columns[1:]:
                value = entry.get(name)
                if value is None or name not in fields:
                    row.append(None)
                    continue
                row.append(_cell_text(_plain(value, fields[name]), typed=True))
            yield row


def _dumps_csv(evidence: EvidenceSet) -> str:
    doc = evidence_to_dict(evidence)
    context = doc.get("context") or {}
    if any(context.get(key) for key, _ in _CONTEXT_ITEMS.values()):
        n = sum(len(context.get(key) or []) for key, _ in _CONTEXT_ITEMS.values())
        raise InputError(
            f"a CSV file holds findings only, and this evidence set has {n} context item(s) "
            "(contextual challenges or readiness evidence) that would be lost; save it as "
            ".xlsx, .toml or .json"
        )
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for key, value in _about_rows(doc, typed=False):
        if value is not None and value != "":
            writer.writerow([key, value])
    writer.writerow(finding_columns())
    for row in _finding_rows(doc, typed=False):
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def _xlsx_bytes(evidence: EvidenceSet, framework: Framework | None) -> bytes:
    openpyxl = _openpyxl("writing .xlsx files")
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    if framework is None:
        from ..frameworks._loading import framework_by_id

        try:
            framework = framework_by_id(evidence.framework)
        except QifevalError:  # a framework of the user's own: no list of indicators
            framework = None
    doc = evidence_to_dict(evidence)
    wb = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    def cell(ws: Any, value: Any, *, heading: bool = False) -> Any:
        if isinstance(value, str):
            c = WriteOnlyCell(ws, _escape(value))
            c.data_type = "s"  # text, even when it begins with "="
        else:
            c = WriteOnlyCell(ws, value)
            if isinstance(value, _dt.date):
                c.number_format = "yyyy-mm-dd"
        if heading:
            c.font = bold
        return c

    lists = _lists(framework)
    columns = {name: _column_letter(i) for i, name in enumerate(lists)}

    def validate(ws: Any, column: str, list_name: str, what: str) -> None:
        n = len(lists[list_name])
        dv = DataValidation(
            type="list",
            formula1=f"{LISTS_SHEET}!${columns[list_name]}$2:${columns[list_name]}${n + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle="Not in the list",
            error=f"Choose {what} from the list.",
        )
        dv.add(f"{column}2:{column}1048576")
        ws.data_validations.append(dv)

    # Findings
    ws = wb.create_sheet(FINDINGS_SHEET)
    fields = _finding_fields()
    widths = {"statement": 60, "source_detail": 24, "qi": 36, "id": 8}
    for i, field in enumerate(fields):
        letter = _column_letter(i)
        ws.column_dimensions[letter].width = widths.get(field.name, 16)
        list_name = {"qi": "qi", "bool": "yes_no"}.get(
            field.name, "yes_no" if field.kind == "bool" else field.name
        )
        if field.kind == "enum" or field.kind == "bool" or field.name == "qi":
            if lists.get(list_name):
                validate(ws, letter, list_name, field.name.replace("_", " "))
    ws.freeze_panes = "B2"
    ws.append([cell(ws, f.name, heading=True) for f in fields])
    for row in _finding_rows(doc, typed=True):
        ws.append([cell(ws, v) for v in row])

    # Context
    ws = wb.create_sheet(CONTEXT_SHEET)
    ccols = _context_columns()
    for i, name in enumerate(ccols):
        letter = _column_letter(i)
        ws.column_dimensions[letter].width = 40 if name in ("statement", "note") else 18
        if f"context_{name}" in lists:
            validate(ws, letter, f"context_{name}", name)
    ws.freeze_panes = "A2"
    ws.append([cell(ws, name, heading=True) for name in ccols])
    for row in _context_rows(doc):
        ws.append([cell(ws, v) for v in row])

    # About
    ws = wb.create_sheet(ABOUT_SHEET)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 50
    ws.column_dimensions["C"].width = 70
    ws.append([cell(ws, h, heading=True) for h in ("field", "value", "what it is")])
    notes = {
        "partnership": "the partnership's name (required)",
        "framework": "the framework's id"
        + (f" (this workbook lists the indicators of {framework.id})" if framework else ""),
        "date": "the date of the evaluation (YYYY-MM-DD)",
        "title": "a title, such as 'Joint self-evaluation 2026'",
    }
    for key, value in _about_rows(doc, typed=True):
        ws.append([cell(ws, key), cell(ws, value), cell(ws, notes.get(key, ""))])

    # Instructions
    ws = wb.create_sheet(INSTRUCTIONS_SHEET)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 100
    for left, right in _instructions(framework):
        a, b = cell(ws, left, heading=bool(left) and not right), cell(ws, right)
        b.alignment = wrap
        ws.append([a, b])

    # Lists (hidden): the values of the drop-down lists
    ws = wb.create_sheet(LISTS_SHEET)
    ws.sheet_state = "hidden"
    names = list(lists)
    ws.append([cell(ws, n, heading=True) for n in names])
    for i in range(max(len(v) for v in lists.values())):
        ws.append([cell(ws, lists[n][i]) if i < len(lists[n]) else None for n in names])

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _lists(framework: Framework | None) -> dict[str, list[str]]:
    from ._context import ChallengeKind, ReadinessAspect, Severity
    from ._kinds import SourceKind, Valence, Voice, Weight

    return {
        "qi": [f"{qi.id} {qi.title}" for qi in framework.indicators] if framework else [],
        "valence": [m.value for m in Valence],
        "weight": [m.value for m in Weight],
        "source": [m.value for m in SourceKind],
        "voice": [m.value for m in Voice],
        "yes_no": ["yes", "no"],
        "context_item": list(_CONTEXT_ITEMS),
        "context_kind": [m.value for m in ChallengeKind],
        "context_severity": [m.value for m in Severity],
        "context_aspect": [m.value for m in ReadinessAspect],
        "context_valence": [m.value for m in Valence],
        "context_source": [m.value for m in SourceKind],
    }


_COLUMN_HELP = {
    "id": "A short id of your own, unique in the workbook, such as F1, F2 … (required).",
    "qi": "The quality indicator the finding is about: choose it from the list "
    "(or type its id alone, such as 5.2) (required).",
    "statement": "The finding, in evaluative language: 'Most records had an up-to-date "
    "chronology' (required).",
    "valence": "strength, or weakness (an area for improvement) (required).",
    "weight": "How much it matters: minor, important or major (required).",
    "source": "The kind of evidence: performance_data, stakeholder_views (surveys, "
    "focus groups, feedback), practice (observing and auditing practice, including "
    "reading case records) or documentation (plans, policies, minutes) (required).",
    "source_detail": "Where it came from in your words, such as 'staff survey 2026'.",
    "ref": "A reference to the evidence, such as a document or an audit.",
    "date": "When the evidence was gathered (a date).",
    "proportion": "The share of records or respondents the statement describes, from 0 to 1 "
    "or as a percentage (78%). For a weakness, the share affected.",
    "sample": "How many records or respondents the proportion is a share of (a whole number).",
    "voice": "For stakeholders' views: whose views (children_and_young_people, "
    "parents_and_carers, staff, leaders_and_partners).",
    "key_factor": "The key factor of the indicator it is about, such as 5.2/key_factor/2 "
    "(`qifeval show 5.2` lists them).",
    "critical": "yes for a weakness in a critical aspect, such as children's safety.",
    "sustained": "yes for a strength maintained over time.",
    "sector_leading": "yes for a strength that is sector leading.",
    "illustration": "The illustration of the framework it evidences, such as 5.2/very_good/3.",
    "proposed": "Filled in by collation: the valence and weight the collation policy "
    "proposed, and the rule that proposed them. Leave it as it is.",
    "checked": "yes when a person checked the finding's figures and wording and stands by "
    "them: its consistency warnings are then listed but not refused.",
    "follows": "The id of the finding of the previous evaluation that this one follows up, "
    "such as P17.",
    "inspection_statement": "The inspection statement it evidences, such as S2 (see the "
    "inspection profiles), when it is not the one its indicator is linked to.",
}

# The evaluative terms: shares inside each band give its word, so the
# words are those qifeval itself uses.
_TERMS = (
    (1.0, "100%"),
    (0.95, "over 90%"),
    (0.8, "75% to 90%"),
    (0.6, "50% to under 75%"),
    (0.3, "15% to under 50%"),
    (0.05, "more than none, under 15%"),
    (0.0, "none (0%)"),
)


def _instructions(framework: Framework | None) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = [
        ("How to fill in this workbook", ""),
        (
            "",
            "Write one finding per row on the Findings sheet: one evaluative statement "
            "about one quality indicator, with what it rests on. Choose from the drop-down "
            "lists where a column has one. Leave a cell empty when it does not apply. Do not "
            "merge cells or use formulas: qifeval reads the values you type. Blank rows "
            "are skipped; hidden rows are read like the others (delete a row to leave a "
            "finding out).",
        ),
        (
            "",
            "Fill in the About sheet (the partnership's name is required) and, for the "
            "judgement of capacity for improvement, the Context sheet: contextual "
            "challenges (item = challenge: kind, severity, note) and evidence of "
            "readiness for change (item = readiness: aspect, statement, valence, source, "
            "ref).",
        ),
        (
            "",
            "Then check it with `qifeval validate findings.xlsx` and evaluate it with "
            "`qifeval evaluate findings.xlsx`. Do not record names or other details that "
            "identify children, families or staff.",
        ),
        ("", ""),
        ("The columns", ""),
    ]
    for name in finding_columns():
        lines.append((name, _COLUMN_HELP.get(name, "")))
    lines += [("", ""), ("Evaluative terms", "")]
    lines.append(("", "Lead a statement with the term for the share it describes:"))
    for share, band in _TERMS:
        lines.append((quantifier(share), band))
    lines += [
        ("", ""),
        ("Framework", f"{framework.id}: {framework.info.title}" if framework else ""),
    ]
    return lines


def template_bytes(
    *, framework: Framework, partnership: str = "", title: str = "", fmt: str = "xlsx"
) -> bytes:
    """A findings workbook (``fmt="xlsx"``) or CSV file (``"csv"``) with no
    findings, for people to fill in: drop-down lists for the indicators of
    *framework* and the coded columns, a Context, an About and an
    Instructions sheet.

    :raises MissingDependencyError: for XLSX without openpyxl.
    """
    evidence = EvidenceSet(partnership=partnership, framework=framework.id, title=title)
    if fmt == "csv":
        return _dumps_csv(evidence).encode("utf-8")
    return _xlsx_bytes(evidence, framework)


# --- the entry points --------------------------------------------------------------


def sheet_format(path: str | Path) -> str | None:
    """``"xlsx"`` or ``"csv"`` by the suffix of *path*, else ``None``."""
    suffix = Path(path).suffix.lower()
    return suffix[1:] if suffix in SHEET_SUFFIXES else None


def load_sheet(path: str | Path, *, framework: Framework | None = None) -> EvidenceSet:
    """Load an evidence set from a findings workbook (``.xlsx``) or CSV
    file (``.csv``); see :func:`~qifeval.load_findings`."""
    if sheet_format(path) == "xlsx":
        return _load_xlsx(path, framework)
    return _load_csv(path, framework)


def dump_sheet(
    evidence: EvidenceSet,
    path: str | Path | None,
    fmt: str,
    *,
    framework: Framework | None = None,
) -> bytes:
    """An evidence set as a findings workbook (``fmt="xlsx"``) or CSV file
    (``"csv"``), written to *path* atomically if given.

    :raises InputError: for CSV when the evidence set has context, and for
        text longer than a cell holds.
    :raises MissingDependencyError: for XLSX without openpyxl.
    """
    data = (
        _dumps_csv(evidence).encode("utf-8") if fmt == "csv" else _xlsx_bytes(evidence, framework)
    )
    if path is not None:
        _convert.write_text_atomic(path, data)
    return data
