"""Tidy tables of evaluations: one row per partnership and indicator, one
per finding, for notebooks and spreadsheets.

Records are plain typed values. They are written as CSV (the standard
library's :mod:`csv`) or as a workbook (openpyxl, the ``xlsx`` extra) and
read back with every field and its type restored; :meth:`Records.to_frame`
gives a pandas DataFrame (the ``pandas`` extra).
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
import io
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from .._errors import InputError, MissingDependencyError
from ..frameworks._model import GLOBAL_INDICATOR_ID
from ._evaluate import Evaluation

if TYPE_CHECKING:
    import pandas

__all__ = [
    "FindingRecord",
    "IndicatorRecord",
    "Records",
    "evaluation_records",
]


@attrs.frozen(kw_only=True)
class IndicatorRecord:
    """One indicator of one evaluation, as a row.

    :param partnership: the partnership's name; *date* and *title* are the
        evaluation's.
    :param profile: the inspection profile the evaluation names, if any.
    :param qi: the indicator id (``"10"`` for capacity for improvement,
        whose *grade* is the suggested QI 10 grade and *confidence* the
        confidence statement).
    :param suggested: the suggested grade, 1-6, or ``None``.
    :param decided: the grade a person recorded, or ``None``.
    :param decision: ``"confirmed"``, ``"overridden"`` or ``None`` (no
        decision).
    :param grade: the grade that counts: the decided grade where there is
        one, otherwise the suggestion.
    :param previous: the previous evaluation's grade, mapped to this
        framework, when a previous evaluation was given.
    :param direction: ``"up"``, ``"same"`` or ``"down"`` since then.
    :param triangulation: the triangulation status of the evidence.
    """

    partnership: str
    date: _dt.date | None
    title: str
    framework: str
    profile: str | None
    qi: str
    indicator: str
    suggested: int | None
    decided: int | None
    decision: str | None
    grade: int | None
    grade_label: str | None
    previous: int | None
    direction: str | None
    confidence: str | None
    findings: int
    strengths: int
    weaknesses: int
    triangulation: str | None


@attrs.frozen(kw_only=True)
class FindingRecord:
    """One finding of one evaluation, as a row (the evaluation's
    partnership, date and framework, then the finding's own fields)."""

    partnership: str
    date: _dt.date | None
    framework: str
    finding: str
    qi: str
    statement: str
    valence: str
    weight: str
    source: str
    source_detail: str
    voice: str | None
    key_factor: str | None
    proportion: float | None
    sample: int | None
    critical: bool
    sustained: bool
    sector_leading: bool
    follows: str | None
    finding_date: _dt.date | None


_CLASSES: dict[str, type[IndicatorRecord] | type[FindingRecord]] = {
    "indicators": IndicatorRecord,
    "findings": FindingRecord,
}


def evaluation_records(evaluation: Evaluation) -> Records:
    """The records of one evaluation: one row per indicator (QI 10 last)
    and one per finding."""
    e = evaluation
    ev = e.evidence
    profile = e.profile
    decided = {d.qi: d for d in e.decisions}
    grades = e.grades
    trend = e.capacity.trend
    changes = {c.qi: c for c in trend.changes} if trend is not None else {}
    rows = []
    for r in e.results:
        d = decided.get(r.qi)
        grade = grades[r.qi]
        change = changes.get(r.qi)
        strengths = len(r.profile.finding_ids.get("strengths", ()))
        rows.append(
            IndicatorRecord(
                partnership=ev.partnership,
                date=ev.date,
                title=ev.title,
                framework=e.framework,
                profile=profile,
                qi=r.qi,
                indicator=r.title,
                suggested=None if r.suggested_grade is None else int(r.suggested_grade),
                decided=None if d is None else int(d.grade),
                decision=None if d is None else d.kind.value,
                grade=None if grade is None else int(grade),
                grade_label=None if grade is None else grade.label,
                previous=None
                if change is None or change.previous is None
                else int(change.previous),
                direction=None
                if change is None or change.direction is None
                else change.direction.value,
                confidence=None,
                findings=len(r.findings),
                strengths=strengths,
                weaknesses=len(r.findings) - strengths,
                triangulation=r.triangulation.status.value,
            )
        )
    c = e.capacity
    rows.append(
        IndicatorRecord(
            partnership=ev.partnership,
            date=ev.date,
            title=ev.title,
            framework=e.framework,
            profile=profile,
            qi=GLOBAL_INDICATOR_ID,
            indicator="Capacity for improvement",
            suggested=None if c.grade is None else int(c.grade),
            decided=None,
            decision=None,
            grade=None if c.grade is None else int(c.grade),
            grade_label=None if c.grade is None else c.grade.label,
            previous=None,
            direction=None,
            confidence=c.confidence.value,
            findings=0,
            strengths=0,
            weaknesses=0,
            triangulation=None,
        )
    )
    findings = tuple(
        FindingRecord(
            partnership=ev.partnership,
            date=ev.date,
            framework=e.framework,
            finding=f.id,
            qi=f.qi,
            statement=f.statement,
            valence=f.valence.value,
            weight=f.weight.value,
            source=f.source.value,
            source_detail=f.source_detail,
            voice=None if f.voice is None else f.voice.value,
            key_factor=f.key_factor,
            proportion=f.proportion,
            sample=f.sample,
            critical=f.critical,
            sustained=f.sustained,
            sector_leading=f.sector_leading,
            follows=f.follows,
            finding_date=f.date,
        )
        for f in ev.findings
    )
    return Records(indicators=tuple(rows), findings=findings)


# --- cells -------------------------------------------------------------------


@functools.cache
def _columns_of(table: str) -> tuple[tuple[str, type, bool], ...]:
    cls = _CLASSES[table]
    hints = typing.get_type_hints(cls)
    out = []
    for a in attrs.fields(cls):
        hint = hints[a.name]
        optional = isinstance(hint, types.UnionType) and type(None) in typing.get_args(hint)
        base = next(t for t in typing.get_args(hint) if t is not type(None)) if optional else hint
        out.append((a.name, base, optional))
    return tuple(out)


def _columns(
    cls: type[IndicatorRecord] | type[FindingRecord],
) -> tuple[tuple[str, type, bool], ...]:
    """``(name, base type, optional)`` for each field of a record class."""
    return _columns_of("indicators" if cls is IndicatorRecord else "findings")


def _parse_bool(text: str) -> bool:
    value = {"true": True, "false": False}.get(text.strip().lower())
    if value is None:
        raise ValueError("expected true or false")
    return value


def _parse_int(text: str) -> int:
    if isinstance(text, bool):
        raise ValueError("expected a whole number")
    return int(text)


def _parse_float(text: str) -> float:
    return float(text)


def _parse_date(text: str) -> _dt.date:
    return _dt.date.fromisoformat(text)


#: How a cell's text becomes a field's value, by the field's type.
_PARSERS: dict[type, Callable[[str], Any]] = {
    str: str,
    int: _parse_int,
    float: _parse_float,
    bool: _parse_bool,
    _dt.date: _parse_date,
}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def _parse(value: object, base: type, optional: bool) -> object:
    """A cell (text from CSV, or a workbook's typed value) as *base*."""
    if value is None or value == "":
        if optional:
            return None
        if base is str:
            return ""
        raise ValueError("must not be empty")
    if isinstance(value, _dt.datetime) and base is _dt.date:
        return value.date()
    if base is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, base) and not (base is int and isinstance(value, bool)):
        return value
    return _PARSERS[base](value if isinstance(value, str) else _text(value))


def _build(
    cls: type[IndicatorRecord] | type[FindingRecord],
    header: Sequence[object],
    rows: Iterable[Sequence[object]],
    *,
    file: str | Path | None,
    sheet: str | None,
    first_row: int,
) -> tuple[Any, ...]:
    columns = _columns(cls)
    names = [name for name, _, _ in columns]
    given = [str(h).strip() if h is not None else "" for h in header]
    where = f"sheet {sheet}, " if sheet else ""
    missing = [n for n in names if n not in given]
    unknown = [h for h in given if h not in names]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(repr(u) for u in unknown)}")
        raise InputError(
            f"{where}row {first_row - 1}: {'; '.join(parts)} for {cls.__name__} records",
            file=file,
        )
    index = {h: i for i, h in enumerate(given)}
    out = []
    for n, row in enumerate(rows, start=first_row):
        if all(v is None or v == "" for v in row):
            continue
        values: dict[str, Any] = {}
        for name, base, optional in columns:
            i = index[name]
            cell = row[i] if i < len(row) else None
            try:
                values[name] = _parse(cell, base, optional)
            except (ValueError, KeyError) as exc:
                ident = row[index["finding" if cls is FindingRecord else "qi"]]
                raise InputError(
                    f"{where}row {n}, column {name}: {exc} (a {base.__name__}), got {cell!r}",
                    file=file,
                    path=f"{where}row {n}.{name}",
                    finding_id=str(ident) if cls is FindingRecord and ident else None,
                ) from None
        out.append(cls(**values))
    return tuple(out)


def _openpyxl(feature: str) -> Any:
    try:
        import openpyxl
    except ImportError:
        raise MissingDependencyError(feature, package="openpyxl", extra="xlsx") from None
    return openpyxl


def _pandas(feature: str) -> Any:
    try:
        import pandas
    except ImportError:
        raise MissingDependencyError(feature, package="pandas", extra="pandas") from None
    return pandas


_PANDAS_DTYPES: dict[type, str] = {int: "Int64", float: "Float64", bool: "boolean", str: "string"}


@attrs.frozen(kw_only=True)
class Records:
    """Tidy tables of one or more evaluations.

    :param indicators: one row per evaluation and indicator (QI 10 last in
        each evaluation).
    :param findings: one row per evaluation and finding.

    >>> import qifeval
    >>> from qifeval.fictional import fictional_evaluations
    >>> records = fictional_evaluations(1, 1, findings=44)[0].to_records()
    >>> len(records.indicators), len(records.findings)
    (23, 44)
    >>> back = qifeval.Records.from_csv(records.to_csv("findings"), "findings")
    >>> back.findings == records.findings
    True
    """

    indicators: tuple[IndicatorRecord, ...] = ()
    findings: tuple[FindingRecord, ...] = ()

    def __add__(self, other: Records) -> Records:
        if not isinstance(other, Records):
            return NotImplemented
        return Records(
            indicators=self.indicators + other.indicators,
            findings=self.findings + other.findings,
        )

    @classmethod
    def concat(cls, parts: Iterable[Records]) -> Records:
        """One set of records holding all of *parts*, in order."""
        indicators: list[IndicatorRecord] = []
        findings: list[FindingRecord] = []
        for p in parts:
            indicators += p.indicators
            findings += p.findings
        return cls(indicators=tuple(indicators), findings=tuple(findings))

    def rows(
        self, table: Literal["indicators", "findings"] = "indicators"
    ) -> tuple[IndicatorRecord, ...] | tuple[FindingRecord, ...]:
        """The records of one table, ``"indicators"`` or ``"findings"``."""
        if table not in _CLASSES:
            raise InputError(
                f"unknown table {table!r}: expected one of {', '.join(_CLASSES)}", path="table"
            )
        return self.indicators if table == "indicators" else self.findings

    def redacted(self, redact: Callable[[str], str]) -> Records:
        """A copy with *redact* applied to every text field (such as a
        personal-data guard's :meth:`~qifeval.PersonalDataGuard.redact`)."""

        def each(r: Any) -> Any:
            texts = {
                name: redact(getattr(r, name))
                for name, base, _ in _columns(type(r))
                if base is str and getattr(r, name)
            }
            return attrs.evolve(r, **texts)

        return Records(
            indicators=tuple(each(r) for r in self.indicators),
            findings=tuple(each(r) for r in self.findings),
        )

    def to_csv(self, table: Literal["indicators", "findings"] = "indicators") -> str:
        """One table as CSV text (a header row, then one line per record;
        an empty cell is ``None``, booleans are ``true``/``false``, dates
        ISO 8601)."""
        rows = self.rows(table)
        names = [name for name, _, _ in _columns(_CLASSES[table])]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(names)
        for r in rows:
            writer.writerow([_text(getattr(r, n)) for n in names])
        return out.getvalue()

    @classmethod
    def from_csv(
        cls,
        text: str,
        table: Literal["indicators", "findings"] = "indicators",
        *,
        file: str | Path | None = None,
    ) -> Records:
        """Read one table written by :meth:`to_csv`, every field with its
        type.

        :raises InputError: naming *file*, the row and the column of a
            cell that is not of its column's type, or a missing column.
        """
        if table not in _CLASSES:
            raise InputError(f"unknown table {table!r}", path="table", file=file)
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            rows = list(reader)
        except csv.Error as exc:
            raise InputError(f"not CSV: {exc}", file=file) from None
        if not rows:
            raise InputError("empty file: expected a header row", file=file)
        built = _build(_CLASSES[table], rows[0], rows[1:], file=file, sheet=None, first_row=2)
        return cls(**{table: built})

    def to_xlsx(self) -> bytes:
        """Both tables as a workbook: sheets ``indicators`` and
        ``findings`` (needs openpyxl, the ``xlsx`` extra).

        :raises MissingDependencyError: without openpyxl.
        """
        openpyxl = _openpyxl("writing records as .xlsx")
        from openpyxl.cell import WriteOnlyCell

        from ..evidence._sheets import _cell_text, _escape

        wb = openpyxl.Workbook(write_only=True)
        for table in _CLASSES:
            ws = wb.create_sheet(table)
            names = [name for name, _, _ in _columns(_CLASSES[table])]
            ws.append(names)
            for r in self.rows(table):  # type: ignore[arg-type]
                cells = []
                for n in names:
                    value = _cell_text(getattr(r, n), typed=True)
                    if isinstance(value, str):
                        c = WriteOnlyCell(ws, _escape(value))
                        c.data_type = "s"  # text, even when it begins with "="
                    else:
                        c = WriteOnlyCell(ws, value)
                        if isinstance(value, _dt.date):
                            c.number_format = "yyyy-mm-dd"
                    cells.append(c)
                ws.append(cells)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    @classmethod
    def from_xlsx(cls, data: bytes, *, file: str | Path | None = None) -> Records:
        """Read a workbook written by :meth:`to_xlsx`.

        :raises InputError: naming *file*, the sheet, row and column of a
            cell that is not of its column's type, or a missing sheet.
        :raises MissingDependencyError: without openpyxl.
        """
        openpyxl = _openpyxl("reading records from .xlsx")
        from ..evidence._sheets import _unescape

        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds
            raise InputError(f"not a workbook: {type(exc).__name__}", file=file) from None
        tables: dict[str, tuple[Any, ...]] = {}
        try:
            for table, record in _CLASSES.items():
                if table not in wb.sheetnames:
                    raise InputError(f"no sheet named {table!r}", file=file)
                rows = [
                    tuple(_unescape(v) if isinstance(v, str) else v for v in row)
                    for row in wb[table].iter_rows(values_only=True)
                ]
                if not rows:
                    raise InputError(f"sheet {table} is empty: expected a header row", file=file)
                tables[table] = _build(
                    record, rows[0], rows[1:], file=file, sheet=table, first_row=2
                )
        finally:
            wb.close()
        return cls(**tables)

    def to_frame(self, table: Literal["indicators", "findings"] = "indicators") -> pandas.DataFrame:
        """One table as a pandas DataFrame: one column per field, with
        pandas' nullable types (``Int64``, ``Float64``, ``boolean``,
        ``string``) and dates as ``datetime64``.

        :raises MissingDependencyError: without pandas (``pip install
            'qifeval[pandas]'``).
        """
        pd = _pandas("a DataFrame of records")
        rows = self.rows(table)
        columns = _columns(_CLASSES[table])
        data = {name: [getattr(r, name) for r in rows] for name, _, _ in columns}
        frame = pd.DataFrame(data, columns=[name for name, _, _ in columns])
        for name, base, _ in columns:
            if base is _dt.date:
                frame[name] = pd.to_datetime(frame[name])
            else:
                frame[name] = frame[name].astype(_PANDAS_DTYPES[base])
        return frame
