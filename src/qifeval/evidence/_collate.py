"""Collation: record-reading and survey returns become quantified findings.

A *collation template* (TOML) says, for each returns file (CSV or XLSX: one
row per record or respondent, anonymised ids only, one column per question)
and each of its questions, which indicator and key factor the question
evidences, what the positive answer shows, which answers count as positive,
negative or not applicable, and whether it is a critical safety item.
:func:`collate` counts the answers and writes one finding per question,
worded on the share it describes, with its valence and weight *proposed*
by the collation policy (``rules/collation.toml``; DOMAIN policy of the
project: see :doc:`/howto/collate`).
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
import io
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from fractions import Fraction
from importlib import resources
from pathlib import Path, PurePath
from typing import Any

import attrs

from .. import _convert
from .._errors import (
    InputError,
    InputProblem,
    PersonalDataError,
    PersonalDataWarning,
    QifevalError,
    shown,
)
from .._privacy import PersonalDataGuard, PersonalDataKind, PersonalDataMatch
from .._tuples import to_tuple
from ..frameworks._grade import quantifier
from ..frameworks._model import GLOBAL_INDICATOR_ID, Framework
from ._findings import EvidenceSet, Finding, _check_illustration, _check_key_factor
from ._kinds import SourceKind, Valence, Voice, Weight
from ._proposal import Proposal

__all__ = [
    "Collation",
    "CollationBand",
    "CollationPolicy",
    "CollationQuestion",
    "CollationReturns",
    "CollationTemplate",
    "QuestionTally",
    "ReturnsError",
    "collate",
    "default_collation_policy",
    "load_collation_policy",
    "load_collation_template",
    "merge_evidence",
]

COLLATION_SCHEMA_VERSION = 1

#: The install command named when an XLSX file is read without openpyxl.
XLSX_EXTRA = "pip install 'qifeval[xlsx]'"


# --- errors -----------------------------------------------------------------


class ReturnsError(InputError):
    """A returns file (CSV or XLSX) cannot be collated: the message names
    the file, the sheet (XLSX), the row and the column.

    :param sheet: the worksheet, for an XLSX file.
    :param row: the row, counted as a spreadsheet shows it (the header is
        row 1).
    :param column: the column's header.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | Path | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        more_problems: Sequence[InputProblem] = (),
        more_not_checked: bool = False,
    ) -> None:
        super().__init__(
            problem,
            file=file,
            path=_where(sheet, row, column),
            more_problems=more_problems,
            more_not_checked=more_not_checked,
        )
        # Set after the base class, which has fields of the same names for
        # findings workbooks (their message names them differently).
        self.sheet = sheet
        self.row = row
        self.column = column

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (
            _rebuild_returns_error,
            (
                self.problem,
                self.file,
                self.sheet,
                self.row,
                self.column,
                self.problems[1:],
                self.more_not_checked,
            ),
        )


def _rebuild_returns_error(  # type: ignore[no-untyped-def]
    problem, file, sheet, row, column, more_problems, more_not_checked
):
    return ReturnsError(
        problem,
        file=file,
        sheet=sheet,
        row=row,
        column=column,
        more_problems=more_problems,
        more_not_checked=more_not_checked,
    )


def _where(sheet: str | None, row: int | None, column: str | None) -> str:
    parts = []
    if sheet is not None:
        parts.append(f"sheet {shown(sheet)}")
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column {shown(column)}")
    return ", ".join(parts)


# --- the policy ---------------------------------------------------------------


def _fraction(x: float) -> Fraction:
    """*x* as the decimal it was written as (0.9 is 9/10, not the binary
    float nearest to it)."""
    return Fraction(repr(float(x)))


@attrs.frozen(kw_only=True)
class CollationBand:
    """One band of the collation policy: the valence and weight proposed
    for a share *p* of positive answers in the band.

    :param rule: the band's name, recorded in each proposal, e.g. ``"p15-50"``.
    :param lower: the band's lower edge (0 to 1); it reaches up to the band
        above it.
    :param inclusive: whether *lower* itself is in the band (p >= lower)
        or not (p > lower).
    :param valence: the proposed valence.
    :param weight: the proposed weight.
    """

    rule: str
    lower: float
    inclusive: bool = True
    valence: Valence = attrs.field(converter=Valence)
    weight: Weight = attrs.field(converter=Weight)

    def _holds(self, p: Fraction) -> bool:
        """Whether share *p* is at or above this band's lower edge."""
        edge = _fraction(self.lower)
        return p >= edge if self.inclusive else p > edge


@attrs.frozen(kw_only=True)
class CollationPolicy:
    """How collation proposes valence and weight (DOMAIN policy, kept as
    data in ``rules/collation.toml``; see :func:`default_collation_policy`).

    :param bands: from the highest share down; the first band whose lower
        edge *p* reaches gives the proposal. The last must start at 0
        inclusive, and strength bands must lie above weakness bands.
    :param small_sample: a sample *n* under this holds the weight at most
        *small_sample_weight* and flags the proposal "small sample".
    :param small_sample_weight: the highest weight of a small sample.
    """

    bands: tuple[CollationBand, ...] = attrs.field(converter=to_tuple)
    small_sample: int = 10
    small_sample_weight: Weight = attrs.field(default=Weight.MINOR, converter=Weight)

    def __attrs_post_init__(self) -> None:
        for path, problem in _policy_problems(self):
            raise InputError(problem, path=path)

    def band(self, positive: int, n: int) -> tuple[CollationBand, str]:
        """The band for *positive* of *n* (n >= 1), and the band's range
        in words (``"75% ≤ p ≤ 90%"``)."""
        p = Fraction(positive, n)
        for i, band in enumerate(self.bands):
            if band._holds(p):
                return band, self._range(i)
        raise AssertionError("the last band starts at 0")  # pragma: no cover - checked

    def _range(self, i: int) -> str:
        band = self.bands[i]
        low = ""
        if band.lower > 0 or not band.inclusive:
            low = f"{_pct_text(band.lower)} {'≤' if band.inclusive else '<'} "
        if i == 0:
            if not low:
                return "any p"
            return f"p {'≥' if band.inclusive else '>'} {_pct_text(band.lower)}"
        above = self.bands[i - 1]
        high = f" {'<' if above.inclusive else '≤'} {_pct_text(above.lower)}"
        return f"{low}p{high}"

    def propose(self, positive: int, n: int) -> Proposal:
        """The proposal for *positive* of *n* applicable answers (n >= 1)."""
        if n < 1 or not 0 <= positive <= n:
            raise InputError(f"expected 0 <= positive <= n and n >= 1, got {positive} of {n}")
        band, where = self.band(positive, n)
        weight = band.weight
        small = n < self.small_sample
        reason = f"p = {_pct_text(positive / n)} ({positive} of {n}): {where} gives {band.valence.value}, {band.weight.value}"
        if small:
            if weight.rank > self.small_sample_weight.rank:
                weight = self.small_sample_weight
            reason += (
                f"; small sample (n = {n}, under {self.small_sample}): "
                f"weight at most {self.small_sample_weight.value}"
            )
        return Proposal(
            valence=band.valence,
            weight=weight,
            rule=band.rule,
            reason=reason,
            small_sample=small,
        )


def _pct_text(x: float) -> str:
    value = round(x * 100, 2)
    return f"{value:g}%"


def _policy_problems(policy: CollationPolicy) -> Iterator[tuple[str, str]]:
    bands = policy.bands
    if not bands:
        yield "bands", "at least one band is needed"
        return
    seen: set[str] = set()
    for i, band in enumerate(bands):
        if not band.rule.strip():
            yield f"bands[{i}].rule", "must not be empty"
        if band.rule in seen:
            yield f"bands[{i}].rule", f"duplicate rule name {shown(band.rule)}"
        seen.add(band.rule)
        if not 0 <= band.lower <= 1:
            yield f"bands[{i}].lower", f"must be from 0 to 1, got {band.lower!r}"
        if i and (band.lower, band.inclusive) >= (bands[i - 1].lower, bands[i - 1].inclusive):
            yield f"bands[{i}].lower", "bands must go from the highest share down"
        if i and band.valence is Valence.STRENGTH and bands[i - 1].valence is Valence.WEAKNESS:
            yield (
                f"bands[{i}].valence",
                "a strength band must lie above every weakness band "
                "(a higher share must never turn a strength into a weakness)",
            )
    last = bands[-1]
    if last.lower != 0 or not last.inclusive:
        yield f"bands[{len(bands) - 1}]", "the last band must start at 0, inclusive"
    if policy.small_sample < 1:
        yield "small_sample", f"must be at least 1, got {policy.small_sample!r}"


@functools.lru_cache(maxsize=1)
def default_collation_policy() -> CollationPolicy:
    """The bundled collation policy (``rules/collation.toml``)."""
    # Read as data from the package root: the evidence wing does not import
    # the rules wing, but the policies qifeval ships all live in rules/.
    name = f"{_convert.BUNDLED_PREFIX}rules/collation.toml"
    data = (resources.files("qifeval") / "rules" / "collation.toml").read_bytes()
    return _policy_from_dict(_convert.parse_document(data, fmt="toml", file=name), file=name)


def load_collation_policy(path: str | Path) -> CollationPolicy:
    """Load a collation policy file (the schema of the bundled
    ``rules/collation.toml``).

    :raises InputError: naming the file and the field.
    """
    return _policy_from_dict(_convert.read_document(path), file=path)


def _policy_from_dict(raw: dict[str, Any], *, file: str | Path) -> CollationPolicy:
    raw = _convert.without_schema_version(raw, COLLATION_SCHEMA_VERSION, file=file)
    return _convert.structure(raw, CollationPolicy, file=file)


# --- the template -------------------------------------------------------------


def _answers(value: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


@attrs.frozen(kw_only=True)
class CollationQuestion:
    """One question of a returns file and the finding it gives.

    :param column: the column's header in the returns file.
    :param qi: the indicator the question evidences.
    :param statement: what the positive answer shows, worded to follow the
        subject of the returns ("had an up-to-date chronology").
    :param shortfall: the same for the other answers ("did not have an
        up-to-date chronology"), used when the finding is a weakness.
    :param id: the finding's id; default ``"<returns id>-<column>"``.
    :param key_factor: the key factor the question is about,
        ``"<qi>/key_factor/<n>"``.
    :param illustration: the framework illustration it evidences.
    :param critical: a critical safety item: its weaknesses are critical.
    :param positive: the answers that count as positive (default: the
        returns file's).
    :param negative: the answers that count against.
    :param not_applicable: the answers that mean "not applicable",
        excluded from *n*.
    """

    column: str
    qi: str
    statement: str
    shortfall: str
    id: str | None = None
    key_factor: str | None = None
    illustration: str | None = None
    critical: bool = False
    positive: tuple[str, ...] | None = attrs.field(default=None, converter=_answers)
    negative: tuple[str, ...] | None = attrs.field(default=None, converter=_answers)
    not_applicable: tuple[str, ...] | None = attrs.field(default=None, converter=_answers)


@attrs.frozen(kw_only=True)
class CollationReturns:
    """One returns file and its questions.

    :param id: a short id, unique in the template, e.g. ``"RR"``.
    :param file: the returns file (``.csv`` or ``.xlsx``), relative to the
        template's folder, inside it.
    :param sheet: the worksheet of an XLSX file (default: the first).
    :param record_id: the header of the column of anonymised record or
        respondent ids.
    :param subject: what a row is, in the plural, as statements name it:
        ``"records"``, ``"staff who responded"``.
    :param source: the kind of evidence: ``practice`` for record reading,
        ``stakeholder_views`` for surveys.
    :param voice: whose views a survey reports (required for
        ``stakeholder_views``).
    :param source_detail: e.g. ``"joint record reading, 2026"``.
    :param ref: a reference to the returns.
    :param date: when they were gathered.
    :param positive: the answers that count as positive, for every
        question without its own list (compared ignoring case and
        surrounding spaces).
    :param negative: the answers that count against.
    :param not_applicable: the answers excluded from *n* (``""``: a blank
        cell).
    """

    id: str
    file: str
    subject: str
    source: SourceKind = attrs.field(converter=SourceKind)
    questions: tuple[CollationQuestion, ...] = attrs.field(converter=to_tuple)
    sheet: str | None = None
    record_id: str = "id"
    voice: Voice | None = attrs.field(default=None, converter=attrs.converters.optional(Voice))
    source_detail: str = ""
    ref: str | None = None
    date: _dt.date | None = None
    positive: tuple[str, ...] = ("yes",)
    negative: tuple[str, ...] = ("no",)
    not_applicable: tuple[str, ...] = ("n/a", "")


@attrs.frozen(kw_only=True)
class CollationTemplate:
    """A collation template: the returns files of one evaluation and what
    each question evidences (see :doc:`/reference/schemas`).

    :param partnership: the partnership's name.
    :param framework: the framework's id.
    :param date: the date of the evaluation.
    :param title: the title of the collated findings.
    :param returns: the returns files.
    """

    partnership: str
    returns: tuple[CollationReturns, ...] = attrs.field(converter=to_tuple)
    framework: str = "qif-2018"
    date: _dt.date | None = None
    title: str = ""


def load_collation_template(path: str | Path) -> CollationTemplate:
    """Load a collation template (TOML or JSON).

    :raises InputError: naming the file and the field path.
    """
    raw = _convert.read_document(path)
    raw = _convert.without_schema_version(raw, COLLATION_SCHEMA_VERSION, file=path)
    return _convert.structure(raw, CollationTemplate, file=path)


def _finding_id(r: CollationReturns, q: CollationQuestion) -> str:
    return q.id if q.id is not None else f"{r.id}-{q.column}"


def _norm(answer: str) -> str:
    return " ".join(answer.split()).casefold()


def _template_problems(
    template: CollationTemplate, framework: Framework, file: str | Path | None
) -> Iterator[InputError]:
    if framework.id != template.framework:
        yield InputError(
            f"the template is for framework {template.framework!r} but {framework.id!r} was given",
            file=file,
            path="framework",
        )
        return
    returns_ids: set[str] = set()
    finding_ids: dict[str, str] = {}
    for i, r in enumerate(template.returns):
        at = f"returns[{i}]"
        if not r.id.strip():
            yield InputError("must not be empty", file=file, path=f"{at}.id")
        if r.id in returns_ids:
            yield InputError(f"duplicate returns id {shown(r.id)}", file=file, path=f"{at}.id")
        returns_ids.add(r.id)
        if not r.subject.strip():
            yield InputError("must not be empty", file=file, path=f"{at}.subject")
        if r.source is SourceKind.STAKEHOLDER_VIEWS and r.voice is None:
            yield InputError(
                "survey returns (source = 'stakeholder_views') need the voice of their "
                "respondents: 'children_and_young_people', 'parents_and_carers', 'staff' "
                "or 'leaders_and_partners'",
                file=file,
                path=f"{at}.voice",
            )
        if r.voice is not None and r.source is not SourceKind.STAKEHOLDER_VIEWS:
            yield InputError(
                f"voice is for survey returns (source = 'stakeholder_views'), not {r.source.value!r}",
                file=file,
                path=f"{at}.voice",
            )
        problem = _path_problem(r.file)
        if problem:
            yield InputError(problem, file=file, path=f"{at}.file")
        if not r.questions:
            yield InputError("at least one question is needed", file=file, path=f"{at}.questions")
        columns: set[str] = set()
        for j, q in enumerate(r.questions):
            qat = f"{at}.questions[{j}]"
            fid = _finding_id(r, q)
            if q.column in columns:
                yield InputError(
                    f"column {shown(q.column)} is collated twice", file=file, path=f"{qat}.column"
                )
            columns.add(q.column)
            if q.column == r.record_id:
                yield InputError(
                    "the record id column cannot be a question", file=file, path=f"{qat}.column"
                )
            if fid in finding_ids:
                yield InputError(
                    f"duplicate finding id (also made at {finding_ids[fid]})",
                    file=file,
                    path=f"{qat}.id",
                    finding_id=fid,
                )
            finding_ids[fid] = qat
            for name in ("statement", "shortfall"):
                if not getattr(q, name).strip():
                    yield InputError("must not be empty", file=file, path=f"{qat}.{name}")
            yield from _question_problems(r, q, framework, file, qat, fid)


def _question_problems(
    r: CollationReturns,
    q: CollationQuestion,
    framework: Framework,
    file: str | Path | None,
    qat: str,
    fid: str,
) -> Iterator[InputError]:
    if q.qi == GLOBAL_INDICATOR_ID or q.qi not in framework:
        from .._ids import close_matches, did_you_mean

        hint = did_you_mean(close_matches(q.qi, [i.id for i in framework.indicators], cutoff=0.3))
        yield InputError(
            f"{framework.id} has no quality indicator {q.qi!r} that findings can be about{hint}",
            file=file,
            path=f"{qat}.qi",
            finding_id=fid,
        )
        return
    probe = Finding(
        id=fid or "-",
        qi=q.qi,
        statement="-",
        valence=Valence.STRENGTH,
        weight=Weight.MINOR,
        source=r.source,
        key_factor=q.key_factor,
        illustration=q.illustration,
    )
    try:
        if q.key_factor is not None:
            _check_key_factor(probe, framework, file=file, path=f"{qat}.key_factor")
        if q.illustration is not None:
            _check_illustration(probe, framework, file=file, path=f"{qat}.illustration")
    except InputError as exc:
        yield exc
    lists = {
        "positive": q.positive if q.positive is not None else r.positive,
        "negative": q.negative if q.negative is not None else r.negative,
        "not_applicable": q.not_applicable if q.not_applicable is not None else r.not_applicable,
    }
    if not lists["positive"]:
        yield InputError(
            "at least one positive answer is needed", file=file, path=f"{qat}.positive"
        )
    seen: dict[str, str] = {}
    for name, answers in lists.items():
        for answer in answers:
            key = _norm(answer)
            if key in seen and seen[key] != name:
                yield InputError(
                    f"answer {shown(answer)} is both {seen[key]} and {name}",
                    file=file,
                    path=f"{qat}.{name}",
                )
            seen[key] = name


def _path_problem(name: str) -> str:
    """Why a returns file name is refused: it must be a relative path
    inside the template's folder, ending in .csv or .xlsx."""
    if not name.strip():
        return "must not be empty"
    pure = PurePath(name)
    if pure.is_absolute() or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "must be a path relative to the template's folder, not an absolute path"
    if ".." in re.split(r"[\\/]", name):
        return "must lie inside the template's folder (no '..')"
    if pure.suffix.lower() not in (".csv", ".xlsx"):
        return f"unknown file type {pure.suffix!r}: expected .csv or .xlsx"
    return ""


# --- reading returns ----------------------------------------------------------


@attrs.frozen
class _Table:
    """A returns file as text cells: its header, and its rows with their
    row numbers (as a spreadsheet shows them)."""

    file: str
    sheet: str | None
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


def _read_table(path: Path, sheet: str | None, display: str) -> _Table:
    suffix = path.suffix.lower()
    data = _convert.read_file_bytes(path, error=ReturnsError, what="the returns file")
    limits = _convert.current_input_limits()
    if suffix == ".xlsx":
        header, rows, sheet_name = _xlsx_rows(data, sheet, display, limits)
    else:
        if sheet is not None:
            raise ReturnsError("a CSV file has no sheets; leave out 'sheet'", file=display)
        header, rows = _csv_rows(data, display, limits)
        sheet_name = None
    return _Table(display, sheet_name, header, rows)


def _check_cell(
    value: str, limits: _convert.InputLimits, display: str, sheet: str | None, row: int, col: str
) -> None:
    if len(value) > limits.max_text:
        raise ReturnsError(
            f"text of {len(value):,} characters; at most {limits.max_text:,} are allowed "
            "(see InputLimits.max_text)",
            file=display,
            sheet=sheet,
            row=row,
            column=col,
        )


def _header(raw: Sequence[str], display: str, sheet: str | None) -> tuple[str, ...]:
    header = tuple(h.strip() for h in raw)
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        if h and h in seen:
            raise ReturnsError(
                f"the header names column {shown(h)} twice (columns {seen[h] + 1} and {i + 1})",
                file=display,
                sheet=sheet,
                row=1,
            )
        seen[h] = i
    return header


def _too_many_rows(limits: _convert.InputLimits, display: str, sheet: str | None) -> ReturnsError:
    return ReturnsError(
        f"more than {limits.max_items:,} rows (see InputLimits.max_items)",
        file=display,
        sheet=sheet,
        row=limits.max_items + 2,
    )


def _csv_rows(
    data: bytes, display: str, limits: _convert.InputLimits
) -> tuple[tuple[str, ...], tuple[tuple[int, tuple[str, ...]], ...]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReturnsError(
            f"not a UTF-8 text file (byte {exc.start} cannot be decoded); "
            "save the returns as CSV UTF-8",
            file=display,
        ) from None
    if "\x00" in text:
        raise ReturnsError("not a text file (it contains NUL bytes)", file=display)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: tuple[str, ...] | None = None
    rows: list[tuple[int, tuple[str, ...]]] = []
    number = 0
    try:
        for cells in reader:
            number += 1
            for i, cell in enumerate(cells):
                col = header[i] if header is not None and i < len(header) else f"{i + 1}"
                _check_cell(cell, limits, display, None, number, col)
            if header is None:
                header = _header(cells, display, None)
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                raise ReturnsError(
                    f"{len(cells)} cells, but the header has {len(header)} columns",
                    file=display,
                    row=number,
                )
            if len(rows) >= limits.max_items:
                raise _too_many_rows(limits, display, None)
            cells = cells[: len(header)] + [""] * (len(header) - len(cells))
            rows.append((number, tuple(cells)))
    except csv.Error as exc:
        raise ReturnsError(f"not valid CSV: {exc}", file=display, row=number + 1) from None
    if header is None:
        raise ReturnsError("the file is empty (no header row)", file=display, row=1)
    return header, tuple(rows)


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, _dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, _dt.date | _dt.time):
        return value.isoformat()
    return str(value)


def _load_openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise InputError(
            f"reading .xlsx files needs openpyxl, an optional extra: {XLSX_EXTRA}"
        ) from None
    return openpyxl


def _xlsx_rows(
    data: bytes, sheet: str | None, display: str, limits: _convert.InputLimits
) -> tuple[tuple[str, ...], tuple[tuple[int, tuple[str, ...]], ...], str]:
    openpyxl = _load_openpyxl()
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl and zipfile raise many kinds
        raise ReturnsError("not a valid XLSX workbook", file=display) from None
    try:
        names = list(book.sheetnames)
        if sheet is None:
            if not names:
                raise ReturnsError("the workbook has no sheets", file=display)
            sheet = names[0]
        elif sheet not in names:
            listed = ", ".join(shown(n) for n in names[:20])
            raise ReturnsError(
                f"the workbook has no sheet {shown(sheet)} (it has {listed})", file=display
            )
        header: tuple[str, ...] | None = None
        rows: list[tuple[int, tuple[str, ...]]] = []
        try:
            for number, values in enumerate(book[sheet].iter_rows(values_only=True), start=1):
                cells = [_xlsx_text(v) for v in values]
                for i, cell in enumerate(cells):
                    col = header[i] if header is not None and i < len(header) else f"{i + 1}"
                    _check_cell(cell, limits, display, sheet, number, col)
                if header is None:
                    if not any(c.strip() for c in cells):
                        raise ReturnsError(
                            "the header row is empty (the column headers go in row 1)",
                            file=display,
                            sheet=sheet,
                            row=number,
                        )
                    header = _header(cells, display, sheet)
                    continue
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                    raise ReturnsError(
                        f"a value beyond the last column of the header ({len(header)} columns)",
                        file=display,
                        sheet=sheet,
                        row=number,
                    )
                if len(rows) >= limits.max_items:
                    raise _too_many_rows(limits, display, sheet)
                cells = cells[: len(header)] + [""] * (len(header) - len(cells))
                rows.append((number, tuple(cells)))
        except QifevalError:
            raise
        except Exception:  # noqa: BLE001 - a broken sheet inside a valid zip
            raise ReturnsError(
                "the sheet cannot be read (a broken workbook)", file=display, sheet=sheet
            ) from None
    finally:
        book.close()
    if header is None:
        raise ReturnsError("the sheet is empty (no header row)", file=display, sheet=sheet, row=1)
    return header, tuple(rows), sheet


# --- personal data in returns ---------------------------------------------------

# Header words that say a column holds personal data, and its kind.
_HEADER_WORDS: tuple[tuple[re.Pattern[str], PersonalDataKind], ...] = (
    (
        re.compile(r"\b(?:(?:first|last|given|family|full|sur|fore)[ _-]?)?names?\b", re.I),
        PersonalDataKind.NAME,
    ),
    (re.compile(r"\bchi\b", re.I), PersonalDataKind.CHI_NUMBER),
    (
        re.compile(r"\b(?:d\.?o\.?b\.?|date[ _-]*of[ _-]*birth|birth[ _-]*date|birthday)\b", re.I),
        PersonalDataKind.DATE_OF_BIRTH,
    ),
    (re.compile(r"\bpost[ _-]?code\b", re.I), PersonalDataKind.POSTCODE),
    (re.compile(r"\be[ _-]?mail\b", re.I), PersonalDataKind.EMAIL),
    (re.compile(r"\b(?:tele)?phone\b|\bmobile\b", re.I), PersonalDataKind.PHONE),
)
# A value shaped like a person's name: two to four capitalised words.
_NAME_SHAPE = re.compile(r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’]+(?:[ \-][A-ZÀ-ÖØ-Þ](?:[a-zß-öø-ÿ'’]+|\.)){1,3}")


def _returns_personal_data(
    table: _Table, questions: set[str], guard: PersonalDataGuard
) -> list[PersonalDataMatch]:
    """Personal data in a returns file: a column (other than a question's)
    whose header names personal data, a column most of whose values the
    guard flags or are shaped like names, and any other cell the guard
    flags. The matches name the column or the cell, never the text."""
    found: list[PersonalDataMatch] = []
    where_sheet = f"sheet {shown(table.sheet)}, " if table.sheet is not None else ""
    for i, header in enumerate(table.header):
        values = [(n, cells[i]) for n, cells in table.rows if cells[i].strip()]
        flagged: list[tuple[int, PersonalDataMatch]] = []
        # Answers repeat: each distinct value is scanned once.
        seen: dict[str, tuple[PersonalDataMatch, ...]] = {}
        column = shown(header)
        for n, value in values:
            if value not in seen:
                seen[value] = guard.scan(value)
            if seen[value]:
                where = f"{where_sheet}row {n}, column {column}"
                flagged += [(n, attrs.evolve(m, field=where)) for m in seen[value]]
        if header not in questions:
            words = re.sub(r"[_\-]+", " ", header)
            kind = next((k for p, k in _HEADER_WORDS if p.search(words)), None)
            if kind is not None:
                found.append(
                    PersonalDataMatch(
                        kind=kind,
                        start=0,
                        end=max(1, len(header)),
                        field=f"{where_sheet}column {shown(header)} (its header names personal data)",
                    )
                )
                continue
            shaped = sum(1 for _, v in values if _NAME_SHAPE.fullmatch(v.strip()))
            if values and shaped * 2 > len(values):
                found.append(
                    PersonalDataMatch(
                        kind=PersonalDataKind.NAME,
                        start=0,
                        end=max(1, len(header)),
                        field=f"{where_sheet}column {shown(header)} "
                        f"({shaped} of {len(values)} values look like names)",
                    )
                )
                continue
        rows_flagged = {n for n, _ in flagged}
        if values and len(rows_flagged) * 2 > len(values):
            kinds = sorted({m.kind for _, m in flagged}, key=list(PersonalDataKind).index)
            found.append(
                PersonalDataMatch(
                    kind=kinds[0],
                    start=0,
                    end=max(1, len(header)),
                    field=f"{where_sheet}column {shown(header)} "
                    f"({len(rows_flagged)} of {len(values)} values look like personal data)",
                )
            )
        else:
            found += [m for _, m in flagged]
    return found


# --- collation ------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class QuestionTally:
    """The answers to one question, counted.

    :param finding_id: the id of the finding the question gives.
    :param returns: the returns file's id.
    :param column: the question's column.
    :param qi: the indicator.
    :param positive: answers that count as positive.
    :param negative: answers that count against.
    :param not_applicable: answers excluded from *n*.
    :param proposal: the proposed valence and weight (``None`` when *n*
        is 0: no finding).
    """

    finding_id: str
    returns: str
    column: str
    qi: str
    positive: int
    negative: int
    not_applicable: int
    proposal: Proposal | None

    @property
    def n(self) -> int:
        """The applicable answers: positive and negative."""
        return self.positive + self.negative


@attrs.frozen(kw_only=True)
class Collation:
    """What :func:`collate` gives: the collated findings, and the tally of
    every question (also those with no applicable answers, which give no
    finding).

    :param evidence: the collated findings, an evidence set that saves as
        a findings file (:func:`~qifeval.dump_findings`).
    :param tallies: one per question, in template order.
    """

    evidence: EvidenceSet
    tallies: tuple[QuestionTally, ...] = attrs.field(converter=to_tuple)


_LEADS = {
    "all": "All",
    "almost all": "Almost all",
    "most": "Most",
    "majority": "The majority of",
    "less than half": "Less than half of",
    "few": "A few",
    "a few": "A few",
    "none": "No",
}


def _percent(k: int, n: int) -> int:
    """100 k / n rounded half up, never shown as 0% or 100% unless it is."""
    pct = int(Fraction(100 * k, n) + Fraction(1, 2))
    if 0 < k < n:
        pct = min(max(pct, 1), 99)
    return pct


def describe(subject: str, text: str, k: int, n: int) -> str:
    """A collated statement: the evaluative term for *k* of *n*, the
    *subject*, the figures and *text*.

    >>> describe("records", "had an up-to-date chronology", 47, 60)
    'Most records (78%, 47 of 60) had an up-to-date chronology.'
    """
    word = quantifier(k / n)
    lead = _LEADS.get(word, word.capitalize())
    text = text.strip().rstrip(".")
    return f"{lead} {subject.strip()} ({_percent(k, n)}%, {k} of {n}) {text}."


def _finding(
    r: CollationReturns,
    q: CollationQuestion,
    positive: int,
    n: int,
    proposal: Proposal,
) -> Finding:
    strength = proposal.valence is Valence.STRENGTH
    k = positive if strength else n - positive
    return Finding(
        id=_finding_id(r, q),
        qi=q.qi,
        statement=describe(r.subject, q.statement if strength else q.shortfall, k, n),
        valence=proposal.valence,
        weight=proposal.weight,
        source=r.source,
        source_detail=r.source_detail,
        ref=r.ref,
        date=r.date,
        proportion=k / n,
        critical=q.critical and not strength,
        illustration=q.illustration,
        sample=n,
        voice=r.voice,
        key_factor=q.key_factor,
        proposed=proposal,
    )


def _tally(
    table: _Table, r: CollationReturns, q: CollationQuestion, index: int, guard: PersonalDataGuard
) -> tuple[int, int, int, list[ReturnsError]]:
    pos = {_norm(a) for a in (q.positive if q.positive is not None else r.positive)}
    neg = {_norm(a) for a in (q.negative if q.negative is not None else r.negative)}
    na = {
        _norm(a) for a in (q.not_applicable if q.not_applicable is not None else r.not_applicable)
    }
    counts = [0, 0, 0]
    problems: list[ReturnsError] = []
    for number, cells in table.rows:
        answer = _norm(cells[index])
        if answer in pos:
            counts[0] += 1
        elif answer in neg:
            counts[1] += 1
        elif answer in na:
            counts[2] += 1
        else:
            known = "; ".join(
                f"{name}: {', '.join('blank' if a == '' else repr(a) for a in sorted(s))}"
                for name, s in (("positive", pos), ("negative", neg), ("not applicable", na))
                if s
            )
            value = cells[index].strip()
            if not answer:
                got = "a blank cell"
            elif _NAME_SHAPE.fullmatch(value) or guard.scan(value):
                got = "an unknown answer (not shown: it may be personal data)"
            else:
                got = f"unknown answer {shown(value)}"
            problems.append(
                ReturnsError(
                    f"{got} (known answers, ignoring case: {known})",
                    file=table.file,
                    sheet=table.sheet,
                    row=number,
                    column=q.column,
                )
            )
    return counts[0], counts[1], counts[2], problems


def _raise_all(errors: Sequence[ReturnsError], limit: int) -> None:
    if not errors:
        return
    first = errors[0]
    raise ReturnsError(
        first.problem,
        file=first.file,
        sheet=first.sheet,
        row=first.row,
        column=first.column,
        more_problems=[InputProblem(problem=e.problem, path=e.path) for e in errors[1:limit]],
        more_not_checked=len(errors) > limit,
    )


def _columns_check(table: _Table, r: CollationReturns) -> None:
    missing = [c for c in [r.record_id, *(q.column for q in r.questions)] if c not in table.header]
    if missing:
        have = ", ".join(shown(h) for h in table.header if h)
        raise ReturnsError(
            f"column(s) {', '.join(shown(c) for c in missing)} missing "
            f"(the header row has {have or 'no names'})",
            file=table.file,
            sheet=table.sheet,
            row=1,
            column=missing[0],
        )
    idx = table.header.index(r.record_id)
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        rid = cells[idx].strip()
        if not rid:
            raise ReturnsError(
                "the record id is blank (every row needs an anonymised id)",
                file=table.file,
                sheet=table.sheet,
                row=number,
                column=r.record_id,
            )
        if rid in seen:
            raise ReturnsError(
                f"duplicate record id {shown(rid)} (also in row {seen[rid]})",
                file=table.file,
                sheet=table.sheet,
                row=number,
                column=r.record_id,
            )
        seen[rid] = number


def collate(
    template: CollationTemplate | str | Path,
    *,
    framework: Framework | str | Path | None = None,
    policy: CollationPolicy | str | Path | None = None,
    base: str | Path | None = None,
    strict: bool = False,
    guard: PersonalDataGuard | None = None,
) -> Collation:
    """Collate record-reading and survey returns into quantified findings.

    For each question of the template, *p* is the share of applicable rows
    (positive or negative answers; "not applicable" answers are left out of
    *n*) with a positive answer. The finding's valence and weight are
    proposed by *policy*; a strength is worded on *p*, a weakness on the
    share that fell short, 1 − *p*, and its ``proportion`` is that share.
    A question with no applicable answers (*n* = 0) gives no finding.

    :param template: a :class:`CollationTemplate` or a template file.
    :param framework: the framework (default: the one the template names).
    :param policy: the collation policy (default:
        :func:`default_collation_policy`) or a policy file.
    :param base: the folder the returns files are relative to (default:
        the template file's folder, or the current folder for a template
        object).
    :param strict: refuse returns that look as if they hold personal data
        (:class:`~qifeval.PersonalDataError`) instead of warning.
    :param guard: the personal-data guard (default: every kind).
    :raises InputError: for a broken template; :class:`ReturnsError` naming
        the file, sheet, row and column for a broken returns file.
    """
    from ..frameworks._loading import framework_by_id, load_framework

    template_file: str | Path | None = None
    if not isinstance(template, CollationTemplate):
        template_file = template
        template = load_collation_template(template)
        if base is None:
            base = Path(template_file).parent
    folder = Path(base) if base is not None else Path()
    if policy is None:
        policy = default_collation_policy()
    elif not isinstance(policy, CollationPolicy):
        policy = load_collation_policy(policy)
    if framework is None:
        try:
            framework = framework_by_id(template.framework)
        except QifevalError as exc:
            raise InputError(str(exc), file=template_file, path="framework") from None
    elif not isinstance(framework, Framework):
        framework = load_framework(framework)
    problems = list(_template_problems(template, framework, template_file))
    if problems:
        limit = _convert.current_input_limits().max_problems
        raise InputError.from_problems(
            [p for e in problems[:limit] for p in e.problems[:1]],
            file=template_file,
            more_not_checked=len(problems) > limit,
        )
    guard = guard or PersonalDataGuard()
    findings: list[Finding] = []
    tallies: list[QuestionTally] = []
    private: list[PersonalDataMatch] = []
    for r in template.returns:
        path = folder / r.file
        table = _read_table(path, r.sheet, str(path))
        _columns_check(table, r)
        matches = _returns_personal_data(table, {q.column for q in r.questions}, guard)
        if matches:
            error = PersonalDataError(matches, file=path)
            if strict:
                raise error
            private += matches
            warnings.warn(str(error), PersonalDataWarning, stacklevel=2)
        errors: list[ReturnsError] = []
        for q in r.questions:
            pos, neg, na, bad = _tally(table, r, q, table.header.index(q.column), guard)
            errors += bad
            n = pos + neg
            proposal = policy.propose(pos, n) if n else None
            tallies.append(
                QuestionTally(
                    finding_id=_finding_id(r, q),
                    returns=r.id,
                    column=q.column,
                    qi=q.qi,
                    positive=pos,
                    negative=neg,
                    not_applicable=na,
                    proposal=proposal,
                )
            )
            if proposal is not None:
                findings.append(_finding(r, q, pos, n, proposal))
        errors.sort(key=lambda e: (e.row or 0, table.header.index(e.column or "")))
        _raise_all(errors, _convert.current_input_limits().max_problems)
    evidence = EvidenceSet(
        partnership=template.partnership,
        framework=template.framework,
        date=template.date,
        title=template.title,
        findings=findings,
    )
    return Collation(evidence=evidence, tallies=tallies)


def merge_evidence(
    sets: Sequence[EvidenceSet], *, files: Sequence[str | Path | None] | None = None
) -> EvidenceSet:
    """One evidence set from several (for example hand-written findings and
    collated ones): the first set's partnership, date, title and context,
    and every set's findings in order.

    :param files: the file each set came from, for error messages.
    :raises InputError: if the sets name different partnerships or
        frameworks, a later set has a context, or a finding id is used twice.
    """
    if not sets:
        raise InputError("no evidence sets to merge")
    names: Sequence[str | Path | None] = files if files is not None else [None] * len(sets)
    first = sets[0]
    seen: dict[str, str | Path | None] = {i: names[0] for _, i in first.context.ids()}
    seen.update({f.id: names[0] for f in first.findings})
    findings = list(first.findings)
    for k, (evidence, file) in enumerate(zip(sets, names, strict=True)):
        if k == 0:
            continue
        if evidence.framework != first.framework:
            raise InputError(
                f"the findings are for framework {evidence.framework!r}, "
                f"the first file's for {first.framework!r}",
                file=file,
                path="framework",
            )
        if evidence.partnership != first.partnership:
            raise InputError(
                f"the findings are for partnership {shown(evidence.partnership)}, "
                f"the first file's for {shown(first.partnership)}",
                file=file,
                path="partnership",
            )
        if evidence.context != type(first.context)():
            raise InputError(
                "only the first findings file may have a context", file=file, path="context"
            )
        for i, f in enumerate(evidence.findings):
            if f.id in seen:
                also = f" in {seen[f.id]}" if seen[f.id] is not None else ""
                raise InputError(
                    f"duplicate finding id (also used{also})",
                    file=file,
                    path=f"findings[{i}].id",
                    finding_id=f.id,
                )
            seen[f.id] = file
            findings.append(f)
    return first.with_findings(findings)


_convert.register_omit_defaults(CollationQuestion)
_convert.register_omit_defaults(CollationReturns)
