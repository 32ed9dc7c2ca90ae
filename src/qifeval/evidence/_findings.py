"""Evidence: findings about quality indicators, and evidence sets.

A :class:`Finding` is one evaluative statement about one quality indicator,
with where it comes from. An :class:`EvidenceSet` gathers the findings of one
evaluation of one partnership. Both load from and save to TOML and JSON with
the same schema (see :doc:`/reference/schemas`).
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from .. import _convert
from .._errors import InputError, QifevalError
from .._ids import close_matches, did_you_mean
from .._tuples import to_tuple
from ..frameworks._grade import quantifier
from ..frameworks._model import GLOBAL_INDICATOR_ID, Framework, IllustrationKind
from ._context import Context
from ._kinds import (
    SourceKind,
    Valence,
    Voice,
    Weight,
    to_source_kind,
    to_valence,
    to_voice,
    to_weight,
)
from ._proposal import Proposal
from ._quantity import WilsonInterval, could_be, evaluative_lead, wilson_interval

__all__ = [
    "EvidenceSet",
    "Finding",
    "SourceKind",
    "Valence",
    "Voice",
    "Weight",
    "dump_findings",
    "load_findings",
]

FINDINGS_SCHEMA_VERSION = 1


def _finding_problem(f: Finding) -> tuple[str, str] | None:
    """The first problem of a finding's values: (field, problem), or None."""
    if not f.id.strip():
        return "id", "must not be empty"
    if not f.statement.strip():
        return "statement", "must not be empty"
    if f.proportion is not None and (math.isnan(f.proportion) or not 0 <= f.proportion <= 1):
        return (
            "proportion",
            f"must be from 0 to 1 (a share of records or respondents), got {f.proportion!r}",
        )
    if f.sample is not None and f.sample < 1:
        return (
            "sample",
            f"must be at least 1 (the number of records or respondents), got {f.sample!r}",
        )
    if f.voice is not None and f.source is not SourceKind.STAKEHOLDER_VIEWS:
        return (
            "voice",
            "is for findings from stakeholders' views (source = 'stakeholder_views'), "
            f"not {f.source.value!r}",
        )
    if f.valence is Valence.STRENGTH and f.critical:
        return (
            "critical",
            "only a weakness can be critical (a weakness in a critical aspect such as children's safety)",
        )
    if f.valence is Valence.WEAKNESS and f.sustained:
        return "sustained", "only a strength can be sustained"
    if f.valence is Valence.WEAKNESS and f.sector_leading:
        return "sector_leading", "only a strength can be sector leading"
    if f.follows is not None and not f.follows.strip():
        return "follows", "must not be empty: give the id of the earlier finding followed up"
    if f.inspection_statement is not None and not f.inspection_statement.strip():
        return (
            "inspection_statement",
            "must not be empty: give the id of an inspection statement, such as 'S2'",
        )
    return None


@attrs.frozen(kw_only=True)
class Finding:
    """One evaluative statement about one quality indicator.

    :param id: unique within its evidence set, e.g. ``"F12"``.
    :param qi: the indicator it is about, e.g. ``"5.2"``.
    :param statement: the finding, in evaluative language.
    :param valence: strength or weakness.
    :param weight: minor, important or major.
    :param source: the kind of evidence it rests on.
    :param source_detail: free text such as ``"staff survey"`` or
        ``"record reading"``.
    :param ref: a reference to the evidence (a document, an audit).
    :param date: when the evidence was gathered.
    :param proportion: the share (0 to 1) of records or respondents the
        finding describes; see :meth:`quantified`.
    :param critical: a weakness in a critical aspect (children's safety).
    :param sustained: a strength maintained over time.
    :param sector_leading: a strength that is sector leading.
    :param illustration: the reference of the framework illustration it
        evidences, such as ``"5.2/very_good/3"``
        (see :meth:`QualityIndicator.illustrations`).
    :param sample: how many records or respondents *proportion* is a share
        of (for example the 60 records read).
    :param voice: whose views a finding from stakeholders' views reports.
    :param key_factor: the key factor of the indicator the finding is
        about, as ``"QI/key_factor/N"`` (the N-th key factor, from 1), such
        as ``"5.2/key_factor/2"``; see :meth:`QualityIndicator.key_factor_ref`.
    :param checked: a person checked this finding's figures and wording and
        stands by them: its consistency warnings (see
        :func:`~qifeval.check_findings`) are listed but not refused under
        strict checking, and an inconsistent strength so checked counts as
        a strength.
    :param follows: the id of the finding of the previous evaluation that
        this one follows up (usually an area for improvement), so that
        comparing the two evaluations matches them whatever their wording.
    :param inspection_statement: the id of the statement or question of
        an inspection model (see :class:`~qifeval.InspectionProfile`) that
        the finding evidences, such as ``"S2"``; with a profile it places the
        finding under that statement whatever its indicator is linked to
        (checked against the profile when one is used, ignored without).

    >>> f = Finding(id="F1", qi="5.2", statement="records show a chronology",
    ...             valence="strength", weight="important", source="practice",
    ...             proportion=0.8, sample=60)
    >>> f.quantified()
    'most records show a chronology'
    >>> f.described()
    'most (80%, 48 of 60; could be a majority)'
    """

    id: str
    qi: str
    statement: str
    valence: Valence = attrs.field(converter=to_valence)
    weight: Weight = attrs.field(converter=to_weight)
    source: SourceKind = attrs.field(converter=to_source_kind)
    source_detail: str = ""
    ref: str | None = None
    date: _dt.date | None = None
    proportion: float | None = None
    critical: bool = False
    sustained: bool = False
    sector_leading: bool = False
    illustration: str | None = None
    sample: int | None = None
    voice: Voice | None = attrs.field(default=None, converter=attrs.converters.optional(to_voice))
    key_factor: str | None = None
    proposed: Proposal | None = None
    checked: bool = False
    follows: str | None = None
    inspection_statement: str | None = None

    def __attrs_post_init__(self) -> None:
        problem = _finding_problem(self)
        if problem is not None:
            raise InputError(problem[1], path=problem[0], finding_id=self.id or None)

    @property
    def departs_from_proposal(self) -> bool:
        """Whether a person changed the valence or weight from what was
        ``proposed`` (false when nothing was proposed)."""
        p = self.proposed
        return p is not None and (p.valence is not self.valence or p.weight is not self.weight)

    @property
    def is_strength(self) -> bool:
        """Whether the finding is a strength."""
        return self.valence is Valence.STRENGTH

    def quantified(self) -> str:
        """The statement led by the evaluative term for its proportion
        (``"most"``, ``"the majority of"`` …), or the statement alone if it
        has no proportion or already leads with an evaluative term (which
        the consistency checks compare with the proportion)."""
        if self.proportion is None or evaluative_lead(self.statement) is not None:
            return self.statement
        word = quantifier(self.proportion)
        lead = {"majority": "the majority of", "less than half": "less than half of"}.get(
            word, word
        )
        return f"{lead} {self.statement}"

    @property
    def interval(self) -> WilsonInterval | None:
        """The 95% Wilson interval of the proportion, when the finding has
        a proportion and a sample (see :func:`~qifeval.wilson_interval`)."""
        if self.proportion is None or self.sample is None:
            return None
        return wilson_interval(self.proportion, self.sample)

    def described(self) -> str | None:
        """The evaluative term for the proportion with its figures, and
        the terms it *could be* when the 95% interval reaches another band:
        ``"most (78%, 47 of 60; could be a majority)"``. ``None`` without a
        proportion."""
        if self.proportion is None:
            return None
        p = self.proportion
        figures = [_percent(p)]
        if self.sample is not None:
            figures[0] += f", {round(p * self.sample)} of {self.sample}"
            others = could_be(p, self.sample)
            if others:
                figures.append(f"could be {' or '.join(_ARTICLE.get(t, t) for t in others)}")
        return f"{quantifier(p)} ({'; '.join(figures)})"


_ARTICLE = {"majority": "a majority"}


def _percent(p: float) -> str:
    """*p* as a whole percentage, never rounded to 0% or 100% when it is
    neither."""
    if 0 < p < 0.005:
        return "under 1%"
    if 0.995 <= p < 1:
        return "over 99%"
    return f"{round(p * 100)}%"


@attrs.frozen(kw_only=True)
class EvidenceSet:
    """The findings of one evaluation of one partnership.

    :param partnership: the partnership's name.
    :param framework: the id of the framework the findings refer to.
    :param date: the date of the evaluation.
    :param title: an optional title, e.g. ``"Joint self-evaluation 2026"``.
    :param context: contextual challenges and readiness evidence, used by
        the capacity-for-improvement judgement.
    """

    partnership: str
    framework: str = "qif-2018"
    date: _dt.date | None = None
    title: str = ""
    findings: tuple[Finding, ...] = attrs.field(factory=tuple, converter=to_tuple)
    context: Context = attrs.field(factory=Context)
    # Finding id -> finding, built once so that :meth:`finding` takes constant
    # time; derived from ``findings``, so not part of equality, hashing or the
    # saved form.
    _by_id: dict[str, Finding] = attrs.field(init=False, repr=False, eq=False)
    # The framework the findings last passed :meth:`validate` against: a
    # framework is immutable, so checking again against the same object
    # would find nothing. Derived, so not part of equality or the saved form.
    _valid_for: Framework | None = attrs.field(init=False, default=None, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        by_id = {f.id: f for f in self.findings}
        context = self.context.ids()
        context_ids = {item_id for _, item_id in context}
        if (
            len(by_id) < len(self.findings)
            or len(context_ids) < len(context)
            or not context_ids.isdisjoint(by_id)
        ):  # a duplicate: find the first
            seen: dict[str, str] = {}
            items = [(f"findings[{i}].id", f.id) for i, f in enumerate(self.findings)]
            for path, item_id in items + list(context):
                if item_id in seen:
                    raise InputError(
                        f"duplicate id (also used at {seen[item_id]})",
                        path=path,
                        finding_id=item_id,
                    )
                seen[item_id] = path
        object.__setattr__(self, "_by_id", by_id)

    def for_indicator(self, qi: str) -> tuple[Finding, ...]:
        """The findings about one indicator, in file order."""
        return tuple(f for f in self.findings if f.qi == qi)

    def finding(self, finding_id: str) -> Finding:
        """Return the finding with this id.

        :raises KeyError: if there is none.
        """
        return self._by_id[finding_id]

    def with_context(self, context: Context) -> EvidenceSet:
        """A copy with this context instead."""
        return attrs.evolve(self, context=context)

    def with_findings(self, findings: Iterable[Finding]) -> EvidenceSet:
        """A copy with these findings instead."""
        return attrs.evolve(self, findings=tuple(findings))

    def validate(self, framework: Framework, *, file: str | Path | None = None) -> None:
        """Check the findings against *framework*: known indicator ids (not
        the global indicator 10, which is judged from the others), and
        illustration references that exist for the finding's indicator.

        :raises InputError: naming *file*, the field path and the finding id.
        """
        if self._valid_for is framework:
            return
        if framework.id != self.framework:
            raise InputError(
                f"the findings are for framework {self.framework!r} but {framework.id!r} was given",
                file=file,
                path="framework",
            )
        findings: Iterable[tuple[int, Finding]] = enumerate(self.findings)
        try:
            qis = {f.qi for f in self.findings}
            known = GLOBAL_INDICATOR_ID not in qis and all(qi in framework for qi in qis)
        except TypeError:  # an id that is not text: the checks below say what they say
            known = False
        if known:
            # every indicator id is known: only the references are left to check
            findings = (
                (i, f)
                for i, f in findings
                if f.illustration is not None or f.key_factor is not None
            )
        for i, f in findings:
            if f.qi == GLOBAL_INDICATOR_ID:
                raise InputError(
                    "quality indicator 10 (capacity for improvement) is judged from the other "
                    "indicators and the context; record findings against those",
                    file=file,
                    path=f"findings[{i}].qi",
                    finding_id=f.id,
                )
            if f.qi not in framework:
                hint = did_you_mean(
                    close_matches(f.qi, [q.id for q in framework.indicators], cutoff=0.3)
                )
                raise InputError(
                    f"{framework.id} has no quality indicator {f.qi!r}{hint}",
                    file=file,
                    path=f"findings[{i}].qi",
                    finding_id=f.id,
                )
            if f.illustration is not None:
                _check_illustration(f, framework, file=file, path=f"findings[{i}].illustration")
            if f.key_factor is not None:
                _check_key_factor(f, framework, file=file, path=f"findings[{i}].key_factor")
        object.__setattr__(self, "_valid_for", framework)


_ILLUSTRATION_REF = re.compile(r"^(?P<qi>[0-9.]+)/(?P<kind>very_good|weak)/(?P<n>[1-9][0-9]*)$")


def _check_illustration(
    f: Finding, framework: Framework, *, file: str | Path | None, path: str
) -> None:
    m = _ILLUSTRATION_REF.match(f.illustration or "")
    if not m:
        raise InputError(
            f"expected an illustration reference like '{f.qi}/very_good/1', got {f.illustration!r}",
            file=file,
            path=path,
            finding_id=f.id,
        )
    if m["qi"] != f.qi:
        raise InputError(
            f"illustration {f.illustration!r} belongs to indicator {m['qi']}, not {f.qi}",
            file=file,
            path=path,
            finding_id=f.id,
        )
    refs = {i.ref for i in framework.indicator(f.qi).illustrations(IllustrationKind(m["kind"]))}
    if f.illustration not in refs:
        raise InputError(
            f"{framework.id} indicator {f.qi} has {len(refs)} {m['kind']} illustration(s); "
            f"{f.illustration!r} does not exist",
            file=file,
            path=path,
            finding_id=f.id,
        )


_KEY_FACTOR_REF = re.compile(r"^(?P<qi>[0-9.]+)/key_factor/(?P<n>[1-9][0-9]*)$")


def _check_key_factor(
    f: Finding, framework: Framework, *, file: str | Path | None, path: str
) -> None:
    m = _KEY_FACTOR_REF.match(f.key_factor or "")
    problem = None
    if not m:
        problem = (
            f"expected a key factor reference like '{f.qi}/key_factor/1', got {f.key_factor!r}"
        )
    elif m["qi"] != f.qi:
        problem = f"key factor {f.key_factor!r} belongs to indicator {m['qi']}, not {f.qi}"
    else:
        count = len(framework.indicator(f.qi).key_factors)
        if not 1 <= int(m["n"]) <= count:
            problem = (
                f"{framework.id} indicator {f.qi} has {count} key factor(s); "
                f"{f.key_factor!r} does not exist"
            )
    if problem is not None:
        raise InputError(problem, file=file, path=path, finding_id=f.id)


# Optional fields left at their defaults are not written, so a saved file
# holds what the user wrote and nothing more.
_convert.register_omit_defaults(Finding)


def _finding_id_at(raw: dict[str, Any]) -> Any:
    findings = raw.get("findings")

    def finding_id(path: str) -> str | None:
        m = re.match(r"findings\[(\d+)\]", path)
        if m and isinstance(findings, list) and int(m[1]) < len(findings):
            item = findings[int(m[1])]
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                return str(item["id"])
        return None

    return finding_id


@functools.cache
def _quick_findings() -> _convert.QuickTables:
    """The quick path for finding tables, made when findings are first
    loaded (making it compiles a function, which importing should not pay)."""
    return _convert.QuickTables(Finding)


def _quick_evidence(raw: dict[str, Any]) -> EvidenceSet | None:
    """The evidence set of *raw* (the findings schema without its version)
    when its findings are well formed (see :class:`~qifeval._convert.QuickTables`),
    as :func:`~qifeval._convert.structure` would build it; else None."""
    findings = _quick_findings().build_all(raw.get("findings", []))
    if findings is None:
        return None
    rest = {key: value for key, value in raw.items() if key != "findings"}
    try:
        return attrs.evolve(_convert.converter.structure(rest, EvidenceSet), findings=findings)
    except Exception:  # noqa: BLE001 - the converter explains it
        return None


def evidence_from_dict(raw: dict[str, Any], *, file: str | Path | None = None) -> EvidenceSet:
    """Build an :class:`EvidenceSet` from the dict form of the findings schema.
    A ``[[plan]]`` table (an improvement plan kept in the findings file) is
    not part of the evidence: it is read with ``load_plan``."""
    raw = _convert.without_schema_version(raw, FINDINGS_SCHEMA_VERSION, file=file)
    raw.pop("plan", None)
    evidence = _quick_evidence(raw)
    if evidence is None:
        evidence = _convert.structure(raw, EvidenceSet, file=file, finding_id=_finding_id_at(raw))
    return evidence


def evidence_to_dict(evidence: EvidenceSet) -> dict[str, Any]:
    """The dict form of an evidence set (the findings schema)."""
    return {"schema_version": FINDINGS_SCHEMA_VERSION, **_convert.converter.unstructure(evidence)}


def load_findings(path: str | Path, *, framework: Framework | None = None) -> EvidenceSet:
    """Load an evidence set from a findings file, TOML (``.toml``), JSON
    (``.json``), a workbook (``.xlsx``) or CSV (``.csv``) by its suffix, and
    check it against its framework (the bundled one named in the file,
    unless *framework* is given). See :doc:`/howto/spreadsheets` for
    workbooks and CSV files.

    :raises InputError: naming the file, the field path (in a spreadsheet,
        the sheet, row and column) and the finding id.
    :raises MissingDependencyError: for ``.xlsx`` without openpyxl
        (``pip install 'qifeval[xlsx]'``).
    """
    from ._sheets import load_sheet, sheet_format

    if sheet_format(path) is not None:
        return load_sheet(path, framework=framework)
    return evidence_from_document(_convert.read_document(path), file=path, framework=framework)


def evidence_from_document(
    raw: dict[str, Any], *, file: str | Path | None = None, framework: Framework | None = None
) -> EvidenceSet:
    """Build an evidence set from a parsed findings document and check it
    against its framework (see :func:`load_findings`)."""
    from ..frameworks._loading import framework_by_id

    evidence = evidence_from_dict(raw, file=file)
    if framework is None:
        # The file's key is an id, never a path: a findings file must not
        # make qifeval read (or reveal the existence of) another file.
        try:
            framework = framework_by_id(evidence.framework)
        except QifevalError as exc:
            raise InputError(
                f"{exc}; the framework key takes the id of a bundled framework "
                "(a framework file is given with --framework or framework=)",
                file=file,
                path="framework",
            ) from None
    evidence.validate(framework, file=file)
    return evidence


def dump_findings(
    evidence: EvidenceSet, path: str | Path | None = None, *, fmt: str | None = None
) -> str | bytes:
    """Return an evidence set as TOML, JSON or CSV text, or as the bytes of
    a workbook for XLSX (by *fmt*: ``"toml"``, ``"json"``, ``"csv"`` or
    ``"xlsx"``, or by the suffix of *path*; default TOML) and, if *path* is
    given, write it there atomically. It loads back into an equal evidence
    set (see :doc:`/howto/spreadsheets` for what CSV cannot hold).

    :raises InputError: for CSV when the evidence set has context.
    :raises MissingDependencyError: for XLSX without openpyxl.
    """
    from ._sheets import dump_sheet, sheet_format

    sheet = fmt if fmt in ("xlsx", "csv") else None
    if fmt is None and path is not None:
        sheet = sheet_format(path)
    if sheet == "csv":
        return dump_sheet(evidence, path, "csv").decode("utf-8")
    if sheet == "xlsx":
        return dump_sheet(evidence, path, "xlsx")
    return _convert.dump_document(evidence_to_dict(evidence), path, fmt, "toml")
