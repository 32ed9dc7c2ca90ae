"""The report model: one evaluation turned into plain view objects that
every renderer reads.

:func:`build_report` is the only place where reports redact: every piece of
user text (a finding's id and statement, a role, a rationale, a plan's
actions, labels) passes through the personal-data guard here, so the
renderers (JSON, Markdown, HTML, the position statement) print what the
model holds and never see the evaluation itself.

The model is built in time linear in the number of findings: each finding is
looked up once per indicator that lists it.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import chain
from operator import attrgetter
from typing import cast

import attrs

from .._errors import EvidenceWarning, QifevalError, UnknownIndicatorError
from .._ids import ref_key as _ref_order
from .._privacy import _DEFAULT_GUARD, PersonalDataGuard
from ..evaluation._capacity import CapacityJudgement, Direction
from ..evaluation._evaluate import Evaluation, IndicatorResult
from ..evaluation._independent import Match
from ..evaluation._plan import Action, ImprovementPlan, PlanProgress
from ..evidence._consistency import check_findings
from ..evidence._findings import Finding
from ..evidence._kinds import SourceKind, Valence, Weight
from ..frameworks._crosswalk import load_crosswalk
from ..frameworks._grade import Grade
from ..frameworks._inspections import InspectionProfile, inspection_profile
from ..frameworks._loading import framework_by_id
from ..frameworks._model import Framework
from ..frameworks._national import national_results
from ..rules._firing import FiredRule
from ..rules._whatif import Improvement, Shortfall

__all__ = [
    "ActionView",
    "CapacityView",
    "Column",
    "ContradictionView",
    "DecisionView",
    "FindingView",
    "ImprovementView",
    "IndependentView",
    "IndicatorView",
    "KeyAreaGroup",
    "LeverView",
    "NationalView",
    "PlanView",
    "QuestionGroup",
    "ReportModel",
    "RuleView",
    "SafetyConcernView",
    "TrendMark",
    "WarningView",
    "build_report",
]

Redact = Callable[[str], str]

WARNINGS_INTRO = (
    "Findings whose wording does not match their figures, or whose sample is missing or "
    "small. A strength under one half of its sample, or whose evaluative term contradicts "
    "its proportion, does not count as a strength unless a person checked it."
)
NOTHING_YET = "there is nothing to grade yet."


def grade_text(g: Grade | None) -> str:
    """A grade as reports write it: ``"4 Good"`` or ``"no grade"``."""
    return "no grade" if g is None else f"{int(g)} {g.label}"


# --- View objects ---------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RuleView:
    """A rule that fired. Its evidence (finding ids) is redacted; its name
    and reason come from the rule set."""

    name: str
    effect: str
    grade: Grade | None
    confidence: str | None
    reason: str
    condition: str
    evidence: tuple[str, ...]
    decisive: bool


@attrs.frozen(kw_only=True)
class FindingView:
    """A finding as reports show it.

    :param sentence: its statement with its figures, capitalised.
    :param line: the sentence with its id, weight, source and flags.
    """

    id: str
    sentence: str
    line: str
    is_strength: bool
    weight_rank: int
    source: str
    ref: str


@attrs.frozen(kw_only=True)
class DecisionView:
    """A person's decision on an indicator's grade."""

    kind: str
    grade: Grade
    suggested: Grade | None
    role: str
    rationale: str
    date: _dt.date


@attrs.frozen(kw_only=True)
class ContradictionView:
    """A contradiction between strengths and weaknesses on one point."""

    point: str
    strength_source: str
    weakness_source: str
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]
    text: str


@attrs.frozen(kw_only=True)
class ImprovementView:
    """What would raise an indicator's grade (see :class:`~qifeval.Improvement`);
    *routes* and *held_by* are in the JSON report's form."""

    target: int
    text: str
    routes: tuple[Mapping[str, object], ...]
    held_by: tuple[Mapping[str, object], ...]


@attrs.frozen(kw_only=True)
class TrendMark:
    """An indicator's grade against the previous evaluation's: a symbol and
    the words that say the same (the symbol is never the only sign).

    :param direction: ``"up"``, ``"same"``, ``"down"`` or ``"none"`` (no
        grade to compare).
    """

    direction: str
    symbol: str
    text: str
    previous: Grade | None


@attrs.frozen(kw_only=True)
class NationalView:
    """How the 12 areas inspected in 2014-16 were graded on the indicator,
    with this partnership's grade among them.

    :param counts: grade -> areas, highest grade first; ``None`` where the
        published figures do not give the number.
    :param position: the grade's position in words (higher, same, lower).
    """

    national_qi: str
    areas: int
    grade: Grade
    counts: tuple[tuple[Grade, int | None], ...]
    position: str
    complete: bool


@attrs.frozen(kw_only=True)
class IndicatorView:
    """One quality indicator with everything the reports say about it.

    :param grades: the grade of each :class:`Column` of the report, in order.
    """

    qi: str
    title: str
    key_area: int
    suggested: Grade | None
    decision: DecisionView | None
    grade: Grade | None
    no_grade_reason: str | None
    triangulation: str
    triangulation_text: str
    strength_sources: tuple[str, ...]
    weakness_sources: tuple[str, ...]
    contradictions: tuple[ContradictionView, ...]
    to_corroborate: tuple[str, ...]
    strengths_triangulated: bool
    rules: tuple[RuleView, ...]
    findings: tuple[str, ...]
    strengths: tuple[FindingView, ...]
    weaknesses: tuple[FindingView, ...]
    notes: tuple[str, ...]
    safety_concerns: tuple[str, ...]
    to_improve: ImprovementView | None
    grades: tuple[Grade | None, ...]
    trend: TrendMark | None
    national: NationalView | None

    @property
    def has_content(self) -> bool:
        """Whether there is anything to show beyond "nothing to grade yet"."""
        return bool(self.findings) or self.decision is not None


@attrs.frozen(kw_only=True)
class KeyAreaGroup:
    """The indicators of one key area, in framework order."""

    number: int
    title: str
    indicators: tuple[IndicatorView, ...]


@attrs.frozen(kw_only=True)
class QuestionGroup:
    """The key areas of one high-level question."""

    number: int
    text: str
    key_areas: tuple[KeyAreaGroup, ...]


@attrs.frozen(kw_only=True)
class Column:
    """An evaluation shown as a column of the grade grid.

    :param role: ``"this"``, ``"previous"``, ``"independent"`` or
        ``"compare"``.
    """

    label: str
    role: str


@attrs.frozen(kw_only=True)
class SafetyConcernView:
    """An individual safety concern: a weakness in a critical aspect."""

    qi: str
    finding: str
    statement: str
    proportion: float | None
    sample: int | None


@attrs.frozen(kw_only=True)
class LeverView:
    """A lever for improvement in the capacity judgement."""

    name: str
    title: str
    indicators: tuple[str, ...]
    grades: Mapping[str, Grade]
    median: Grade | None
    trend: Mapping[str, str]

    @property
    def text(self) -> str:
        """The lever as one line: its title, median grade and grades."""
        grades = ", ".join(f"{q}: {int(g)}" for q, g in self.grades.items()) or "none graded"
        median = "no grade" if self.median is None else f"median {self.median.label.lower()}"
        return f"{self.title}: {median} ({grades})"


@attrs.frozen(kw_only=True)
class CapacityView:
    """The capacity-for-improvement judgement (QI 10)."""

    grade: Grade | None
    no_grade_reason: str | None
    confidence: str
    statement: str
    levers: tuple[LeverView, ...]
    barriers: tuple[str, ...]
    rules: tuple[RuleView, ...]
    limiting_rules: tuple[str, ...]
    evidence_gaps: tuple[str, ...]
    trend: Mapping[str, object] | None


@attrs.frozen(kw_only=True)
class WarningView:
    """A consistency warning about a finding."""

    finding: str
    path: str
    code: str
    problem: str
    checked: bool

    @property
    def text(self) -> str:
        """The warning as one line."""
        checked = " (checked by a person)" if self.checked else ""
        return f"{self.finding} ({self.path}) [{self.code}]: {self.problem}{checked}"


@attrs.frozen(kw_only=True)
class ActionView:
    """An action of the improvement plan."""

    id: str
    action: str
    addresses: tuple[str, ...]
    lead: str
    due: _dt.date | None
    status: str
    status_text: str
    overdue: bool
    impact: tuple[str, ...]
    is_open: bool


@attrs.frozen(kw_only=True)
class PlanView:
    """The improvement plan read with the evaluation and its progress."""

    title: str
    made_from: str
    as_of: _dt.date
    counts: Mapping[str, int]
    done_share: float | None
    done: tuple[str, ...]
    overdue: tuple[str, ...]
    on_track: tuple[str, ...]
    undated: tuple[str, ...]
    dropped: tuple[str, ...]
    actions: tuple[ActionView, ...]
    summary: str


@attrs.frozen(kw_only=True)
class IndependentView:
    """The independent evaluation set beside this one and how closely they
    match; *indicators* are in the JSON report's form."""

    source: str
    compared: int
    exact: int
    within_one: int
    exact_share: float | None
    within_one_share: float | None
    median_absolute_difference: float | None
    not_graded_by_self: tuple[str, ...]
    indicators: tuple[Mapping[str, object], ...]
    rows: tuple[tuple[str, str, Grade | None, Grade, str], ...]
    summary: str


@attrs.frozen(kw_only=True)
class ReportModel:
    """Everything a report shows, already redacted.

    :param columns: the evaluations in the grade grid: this one, the
        previous one and an independent one when given, then any others
        to compare.
    :param questions: the indicators grouped by high-level question and key
        area (one group without titles when the framework is not bundled).
    :param source_counts: kinds of evidence and their numbers of findings.
    :param refs: the distinct evidence references, sorted.
    """

    title: str
    partnership: str
    evidence_title: str
    date: _dt.date | None
    framework: str
    framework_version: str
    rules: str
    capacity_rules: str
    columns: tuple[Column, ...]
    safety_concerns: tuple[SafetyConcernView, ...]
    indicators: tuple[IndicatorView, ...]
    questions: tuple[QuestionGroup, ...]
    capacity: CapacityView
    warnings: tuple[WarningView, ...]
    plan: PlanView | None
    independent: IndependentView | None
    findings_count: int
    source_counts: tuple[tuple[str, int], ...]
    refs: tuple[str, ...]
    has_previous: bool
    national_title: str


# --- Building the model -----------------------------------------------------------


def build_report(
    evaluation: Evaluation,
    *,
    guard: PersonalDataGuard | None = None,
    compare: Sequence[Evaluation] = (),
    framework: Framework | None = None,
    findings: bool = True,
) -> ReportModel:
    """The report model of *evaluation*, with every piece of user text
    redacted by *guard* (by default :class:`~qifeval.PersonalDataGuard`
    with its default settings).

    :param compare: other evaluations to show as further columns of the
        grade grid.
    :param framework: the framework evaluated against, for the grouping by
        question and key area; by default the bundled framework of the
        evaluation's id (without one, the indicators form one group).
    :param findings: whether to set out each indicator's strengths and
        weaknesses; without, they are empty and the indicators list their
        findings' ids alone (as the JSON report does).
    """
    e = evaluation
    ev = e.evidence
    redacted = _Redacted(guard or _DEFAULT_GUARD)
    # the texts of every finding that the report prints, redacted at once
    texts = ("id", "statement", "source_detail", "ref") if findings else ("id", "ref")
    redacted.prime(chain.from_iterable(map(attrgetter(t), ev.findings) for t in texts))
    redact = redacted.__getitem__
    if framework is None or framework.id != e.framework:
        framework = _bundled(e.framework)
    concerns = e.safety_concerns
    quoted = ev.findings if findings else [ev.finding(c.finding) for c in concerns]
    views = _finding_views(quoted, redact)

    columns = [Column(label=redact(e.label()), role="this")]
    per_column: list[Mapping[str, Grade | None]] = [e.grades]
    previous = _previous_grades(e)
    if previous is not None:
        assert e.previous is not None
        columns.append(Column(label=redact(e.previous.label), role="previous"))
        per_column.append(previous)
    match = e.independent_match
    if match is not None:
        columns.append(Column(label=redact(match.source), role="independent"))
        per_column.append({i.qi: i.independent for i in match.indicators})
    for other in compare:
        columns.append(Column(label=redact(other.label()), role="compare"))
        per_column.append(other.grades)
    national = _national(e)
    # the illustration each finding evidences, for those that name one
    illustrations = {f.id: f.illustration for f in ev.findings if f.illustration}
    indicators = tuple(
        _indicator(
            e,
            r,
            views if findings else None,
            redact,
            per_column,
            previous,
            national.get(r.qi),
            framework,
            illustrations,
        )
        for r in e.results
    )
    kinds = Counter(f.source for f in ev.findings)
    return ReportModel(
        title=redact(ev.title or f"Evaluation of {ev.partnership}"),
        partnership=redact(ev.partnership),
        evidence_title=redact(ev.title),
        date=ev.date,
        framework=e.framework,
        framework_version=e.framework_version,
        rules=e.rules,
        capacity_rules=e.capacity_rules,
        columns=tuple(columns),
        safety_concerns=tuple(
            SafetyConcernView(
                qi=c.qi,
                finding=redact(c.finding),
                statement=views[c.finding].sentence,
                proportion=c.proportion,
                sample=c.sample,
            )
            for c in concerns
        ),
        indicators=indicators,
        questions=_groups(indicators, framework, e.profile),
        capacity=_capacity(e.capacity, redact),
        warnings=tuple(_warning(w, redact) for w in check_findings(ev)),
        plan=_plan(e.plan, e.plan_progress, redact),
        independent=None if match is None else _independent(match, redact),
        findings_count=len(ev.findings),
        source_counts=tuple(sorted((k.label, n) for k, n in kinds.items())),
        refs=tuple(sorted({redact(f.ref) for f in ev.findings if f.ref})),
        has_previous=previous is not None,
        national_title=national_results().title,
    )


class _Redacted(dict[str, str]):
    """Texts and their redactions, each text redacted when first looked up."""

    def __init__(self, guard: PersonalDataGuard) -> None:
        super().__init__()
        self._guard = guard
        self._redact = guard.redact

    def __missing__(self, text: str) -> str:
        done = self[text] = self._redact(text)
        return done

    def prime(self, texts: Iterable[str | None]) -> None:
        """Redact *texts* all at once: the guard tells which of them hold
        anything to redact, and the others stand as they are. (A guard
        whose class redacts in its own way redacts each text on first
        look-up instead.)"""
        guard = self._guard
        if type(guard).redact is not PersonalDataGuard.redact:
            return
        unique = dict.fromkeys(texts)
        unique.pop("", None)
        unique.pop(None, None)
        clean = cast("dict[str, None]", unique)  # None is gone
        flagged = guard._flagged(clean)
        self.update(zip(clean, clean, strict=True))
        for text in flagged:
            self[text] = self._redact(text)


def _bundled(framework_id: str) -> Framework | None:
    try:
        return framework_by_id(framework_id)
    except QifevalError:
        return None


def _ids(ids: Iterable[str], redact: Redact) -> tuple[str, ...]:
    """Finding and indicator ids as reports print them: redacted, since an
    id is user text like any other."""
    return tuple(map(redact, ids))


def _finding_views(findings: Iterable[Finding], redact: Redact) -> dict[str, FindingView]:
    """The :class:`FindingView` of each of *findings*, by id. What many
    findings share is worked out once: a source's label and text, a weight's
    name and rank, and the figures of a (proportion, sample) pair."""
    sources: dict[tuple[SourceKind, str], tuple[str, str]] = {}
    labels = {k: k.label for k in SourceKind}
    weights = {w: (w.value, w.rank) for w in Weight}
    figures: dict[tuple[float, int | None], str | None] = {}
    views = {}
    for f in findings:
        # the lead ("most", "less than half of") is qifeval's words: only
        # the statement is redacted, as the evaluation scanned it
        statement = f.statement
        text = f.quantified().removesuffix(statement) + redact(statement)
        first = text[:1]
        upper = first.upper()
        sentence = text if upper == first else upper + text[1:]
        detail = f.source_detail
        if detail:
            key = (f.source, detail)
            if key not in sources:
                label = labels[f.source]
                sources[key] = (f"{label}, {redact(detail)}", label)
            source, label = sources[key]
        else:
            source = label = labels[f.source]
        extra = ""
        if f.critical or f.sustained or f.sector_leading:
            on = (
                ("critical", f.critical),
                ("sustained", f.sustained),
                ("sector leading", f.sector_leading),
            )
            extra = "; " + ", ".join(x for x, flag in on if flag)
        p = f.proportion
        if p is not None:
            # a finding's figures depend on its proportion and sample alone,
            # which many findings share
            pair = (p, f.sample)
            if pair in figures:
                described = figures[pair]
            else:
                described = figures[pair] = f.described()
            if described is not None:
                extra += f"; {described}"
        fid = redact(f.id)
        weight, rank = weights[f.weight]
        ref = f.ref
        views[f.id] = FindingView(
            id=fid,
            sentence=sentence,
            line=f"{sentence} ({fid}; {weight}; {source}{extra})",
            is_strength=f.valence is _STRENGTH,
            weight_rank=rank,
            source=label,
            ref=redact(ref) if ref else "",
        )
    return views


# Looked up once: an enum's member is a slow attribute to read for each finding.
_STRENGTH = Valence.STRENGTH


def _rule(r: FiredRule, redact: Redact) -> RuleView:
    return RuleView(
        name=r.name,
        effect=r.effect.value,
        grade=r.grade,
        confidence=None if r.confidence is None else r.confidence.value,
        reason=r.reason,
        condition=r.condition,
        evidence=_ids(r.evidence, redact),
        decisive=r.decisive,
    )


def _shortfall(s: Shortfall) -> Mapping[str, object]:
    return {
        "field": s.field,
        "op": s.op,
        "current": s.current,
        "needed": s.needed,
        "other": s.other,
        "other_value": s.other_value,
        "times": s.times,
        "text": s.text,
    }


def _improvement(i: Improvement | None, redact: Redact) -> ImprovementView | None:
    if i is None:
        return None
    return ImprovementView(
        target=int(i.target),
        text=redact(i.text),
        routes=tuple(
            {"rule": r.rule, "grade": int(r.grade), "unmet": [_shortfall(s) for s in r.unmet]}
            for r in i.routes
        ),
        held_by=tuple(
            {
                "rule": h.rule,
                "effect": h.effect.value,
                "grade": None if h.grade is None else int(h.grade),
                "reason": h.reason,
                "findings": list(_ids(h.findings, redact)),
                "lifted_by": [_shortfall(s) for s in h.lifted_by],
                "text": redact(h.text),
            }
            for h in i.held_by
        ),
    )


def _previous_grades(e: Evaluation) -> Mapping[str, Grade | None] | None:
    """The previous evaluation's grades in this evaluation's indicator ids
    (through the crosswalk when the frameworks differ), if there is one."""
    if e.capacity.trend is not None:
        return {c.qi: c.previous for c in e.capacity.trend.changes}
    if e.previous is not None and e.previous.framework == e.framework:
        return dict(e.previous.grades)
    return None


_TREND = {
    Direction.UP: ("up", "\u25b2", "up from {}"),
    Direction.SAME: ("same", "=", "same as before ({})"),
    Direction.DOWN: ("down", "\u25bc", "down from {}"),
}


def _trend(current: Grade | None, previous: Grade | None) -> TrendMark:
    if current is None or previous is None:
        text = "no previous grade" if previous is None else "no grade now"
        return TrendMark(direction="none", symbol="\u2013", text=text, previous=previous)
    direction = (
        Direction.UP
        if current > previous
        else Direction.DOWN
        if current < previous
        else Direction.SAME
    )
    name, symbol, text = _TREND[direction]
    return TrendMark(
        direction=name, symbol=symbol, text=text.format(grade_text(previous)), previous=previous
    )


def _national(e: Evaluation) -> dict[str, NationalView]:
    """The national spread of each graded indicator graded in 2014-16."""
    national = national_results()
    grades = e.grades
    crosswalk = load_crosswalk()
    if e.framework != national.framework and {e.framework, national.framework} != {
        crosswalk.from_framework,
        crosswalk.to_framework,
    }:
        return {}  # a framework of its own: no national results to set beside it
    out: dict[str, NationalView] = {}
    for r in e.results:
        grade = grades[r.qi]
        if grade is None:
            continue
        if e.framework == national.framework:
            nqi: str | None = r.qi
        else:
            try:
                nqi = crosswalk.translate(r.qi, e.framework, national.framework)
            except UnknownIndicatorError:
                continue
        if nqi is None or nqi not in national:
            continue
        results = national.for_indicator(nqi)
        dist = results.distribution
        pos = results.position(grade)
        note = "" if pos.is_exact else " (the published figures do not give the full split)"
        out[r.qi] = NationalView(
            national_qi=nqi,
            areas=pos.areas,
            grade=grade,
            counts=tuple((g, dist.get(g)) for g in sorted(Grade, reverse=True)),
            position=(
                f"of {pos.areas} areas, {pos.higher} graded higher, {pos.same} the same, "
                f"{pos.lower} lower{note}"
            ),
            complete=results.complete,
        )
    return out


def _indicator(
    e: Evaluation,
    r: IndicatorResult,
    views: Mapping[str, FindingView] | None,
    redact: Redact,
    per_column: Sequence[Mapping[str, Grade | None]],
    previous: Mapping[str, Grade | None] | None,
    national: NationalView | None,
    framework: Framework | None,
    illustrations: Mapping[str, str],
) -> IndicatorView:
    d = e.decision(r.qi)
    t = r.triangulation
    listed = _ids(r.findings, redact)
    items = () if views is None else tuple(views[i] for i in r.findings)
    kinds = ", ".join(k.label for k in t.sources) or "none"
    n = len(t.strength_sources)
    strengths_text = (
        ""
        if not n
        else f"; strengths from {n} kind{'s' if n != 1 else ''}"
        + (", triangulated" if t.strengths_triangulated else ", not triangulated")
    )
    tri_text = f"{t.status.value} (sources: {kinds}{strengths_text})"
    contradictions = tuple(
        ContradictionView(
            point=redact(c.point),
            strength_source=c.strength_source.value,
            weakness_source=c.weakness_source.value,
            strengths=_ids(c.strengths, redact),
            weaknesses=_ids(c.weaknesses, redact),
            text=redact(c.describe()),
        )
        for c in t.contradictions
    )
    to_corroborate = _ids(t.to_corroborate, redact)
    notes = [f"Triangulation: {tri_text}."]
    notes += [f"Contradiction to discuss: {c.text}." for c in contradictions]
    if to_corroborate:
        notes.append(f"To be corroborated: {', '.join(to_corroborate)}.")
    cited: dict[str, list[str]] = {}
    for fid, shown in zip(r.findings, listed, strict=True) if illustrations else ():
        illustration = illustrations.get(fid)
        if illustration:
            cited.setdefault(illustration, []).append(shown)
    if cited:
        parts = [
            f"{ref} ({', '.join(ids)})"
            for ref, ids in sorted(cited.items(), key=lambda kv: _ref_order(kv[0]))
        ]
        notes.append("Illustrations evidenced: " + "; ".join(parts) + ".")
    grade = per_column[0][r.qi]
    if framework is not None and r.qi in framework:
        key_area = framework.indicator(r.qi).key_area
    else:
        key_area = 0
    return IndicatorView(
        qi=r.qi,
        title=r.title,
        key_area=key_area,
        suggested=r.suggested_grade,
        decision=None
        if d is None
        else DecisionView(
            kind=d.kind.value,
            grade=d.grade,
            suggested=d.suggested,
            role=redact(d.role),
            rationale=redact(d.rationale),
            date=d.date,
        ),
        grade=grade,
        no_grade_reason=r.no_grade_reason,
        triangulation=t.status.value,
        triangulation_text=tri_text,
        strength_sources=tuple(k.value for k in t.strength_sources),
        weakness_sources=tuple(k.value for k in t.weakness_sources),
        contradictions=contradictions,
        to_corroborate=to_corroborate,
        strengths_triangulated=t.strengths_triangulated,
        rules=tuple(_rule(x, redact) for x in r.rules_fired),
        findings=listed,
        strengths=tuple(v for v in items if v.is_strength),
        weaknesses=tuple(v for v in items if not v.is_strength),
        notes=tuple(notes),
        safety_concerns=_ids(r.safety_concerns, redact),
        to_improve=_improvement(r.to_improve, redact),
        grades=tuple(c.get(r.qi) for c in per_column),
        trend=None if previous is None else _trend(grade, previous.get(r.qi)),
        national=national,
    )


def _profile_groups(
    indicators: Sequence[IndicatorView], profile: InspectionProfile
) -> tuple[QuestionGroup, ...]:
    """The indicators by the inspection profile's statements or questions,
    each under the first that links it; those no statement links last."""
    placed: set[str] = set()
    out = []
    for n, q in enumerate(profile.questions, start=1):
        mine = tuple(i for i in indicators if i.qi in q.indicators and i.qi not in placed)
        placed.update(i.qi for i in mine)
        if mine:
            areas = (KeyAreaGroup(number=0, title="", indicators=mine),)
            out.append(QuestionGroup(number=n, text=q.text, key_areas=areas))
    rest = tuple(i for i in indicators if i.qi not in placed)
    if rest:
        text = f"Not linked to a statement of {profile.title}"
        areas = (KeyAreaGroup(number=0, title="", indicators=rest),)
        out.append(QuestionGroup(number=len(profile.questions) + 1, text=text, key_areas=areas))
    return tuple(out)


def _groups(
    indicators: Sequence[IndicatorView], framework: Framework | None, profile: str | None = None
) -> tuple[QuestionGroup, ...]:
    """The indicators by high-level question and key area, in framework
    order, or by the statements of the inspection profile the evaluation
    was made for; one untitled group when the framework is unknown."""
    if profile is not None and inspection_profile(profile).questions:
        return _profile_groups(indicators, inspection_profile(profile))
    if framework is None or any(i.qi not in framework for i in indicators):
        return (
            QuestionGroup(
                number=0,
                text="",
                key_areas=(KeyAreaGroup(number=0, title="", indicators=tuple(indicators)),),
            ),
        )
    by_area: dict[int, list[IndicatorView]] = {}
    for i in indicators:
        by_area.setdefault(i.key_area, []).append(i)
    out = []
    for q in framework.questions:
        areas = tuple(
            KeyAreaGroup(number=ka.number, title=ka.title, indicators=tuple(by_area[ka.number]))
            for ka in framework.key_areas_of(q)
            if ka.number in by_area
        )
        if areas:
            out.append(QuestionGroup(number=q.number, text=q.text, key_areas=areas))
    return tuple(out)


def _capacity(c: CapacityJudgement, redact: Redact) -> CapacityView:
    return CapacityView(
        grade=c.grade,
        no_grade_reason=c.no_grade_reason,
        confidence=c.confidence.value,
        statement=redact(c.statement()),
        levers=tuple(
            LeverView(
                name=lv.name,
                title=lv.title,
                indicators=tuple(lv.indicators),
                grades=dict(lv.grades),
                median=lv.median,
                trend={q: d.value for q, d in lv.trend.items()},
            )
            for lv in c.levers
        ),
        barriers=tuple(redact(b) for b in c.barriers),
        rules=tuple(_rule(x, redact) for x in c.rules_fired),
        limiting_rules=tuple(r.name for r in c.limiting_rules),
        evidence_gaps=tuple(c.evidence_gaps),
        trend=None
        if c.trend is None
        else {
            "previous": redact(c.trend.previous),
            "improved": list(c.trend.improved),
            "declined": list(c.trend.declined),
            "areas_improved": list(c.trend.areas_improved),
            "areas_not_improved": list(c.trend.areas_not_improved),
        },
    )


def _warning(w: EvidenceWarning, redact: Redact) -> WarningView:
    return WarningView(
        finding=redact(w.finding_id),
        path=w.path,
        code=w.code,
        problem=redact(w.problem),
        checked=w.checked,
    )


def _share(x: float | None) -> str:
    return "-" if x is None else f"{round(100 * x)}%"


def _status_text(a: Action, progress: PlanProgress) -> str:
    text = a.status.value.replace("_", " ")
    return f"{text} (overdue)" if a.id in progress.overdue else text


def _plan(
    plan: ImprovementPlan | None, progress: PlanProgress | None, redact: Redact
) -> PlanView | None:
    if plan is None or progress is None:
        return None
    live = progress.total - len(progress.dropped)
    head = redact(plan.title or "Improvement plan")
    made = f", made from {redact(plan.made_from)}" if plan.made_from else ""
    dropped = f" ({len(progress.dropped)} dropped)" if progress.dropped else ""
    undated = f", {len(progress.undated)} with no due date yet" if progress.undated else ""
    summary = (
        f"{head}{made}. As of {progress.as_of.isoformat()}: {len(progress.done)} of {live} "
        f"actions done{dropped}, {len(progress.overdue)} overdue, "
        f"{len(progress.on_track)} on track{undated}."
    )
    return PlanView(
        title=redact(plan.title),
        made_from=redact(plan.made_from),
        as_of=progress.as_of,
        counts=dict(progress.counts),
        done_share=progress.done_share,
        done=_ids(progress.done, redact),
        overdue=_ids(progress.overdue, redact),
        on_track=_ids(progress.on_track, redact),
        undated=_ids(progress.undated, redact),
        dropped=_ids(progress.dropped, redact),
        actions=tuple(
            ActionView(
                id=redact(a.id),
                action=redact(a.action),
                addresses=_ids(a.addresses, redact),
                lead=redact(a.lead),
                due=a.due,
                status=a.status.value,
                status_text=_status_text(a, progress),
                overdue=a.id in progress.overdue,
                impact=_ids(a.impact, redact),
                is_open=a.is_open,
            )
            for a in plan.actions
        ),
        summary=summary,
    )


def _independent(m: Match, redact: Redact) -> IndependentView:
    n = len(m.compared)
    source = redact(m.source)
    text = f"{source} graded {len(m.indicators)} indicator(s)"
    if n == 0:
        text += "; this self-evaluation graded none of them, so they cannot be compared."
    else:
        text += (
            f"; this self-evaluation graded {n} of them: the same grade on {m.exact} "
            f"({_share(m.exact_share)}), within one grade on {m.within_one} "
            f"({_share(m.within_one_share)}); the median difference is "
            f"{m.median_absolute_difference:g} grade(s)."
        )
        if m.higher:
            text += f" Graded higher here: {', '.join(m.higher)}."
        if m.lower:
            text += f" Graded lower here: {', '.join(m.lower)}."
    rows = []
    for i in m.indicators:
        diff = "-" if i.difference is None else f"{i.difference:+d}" if i.difference else "0"
        rows.append((i.qi, i.title, i.self_grade, i.independent, diff))
    return IndependentView(
        source=source,
        compared=n,
        exact=m.exact,
        within_one=m.within_one,
        exact_share=m.exact_share,
        within_one_share=m.within_one_share,
        median_absolute_difference=m.median_absolute_difference,
        not_graded_by_self=tuple(m.not_graded_by_self),
        indicators=tuple(
            {
                "qi": i.qi,
                "title": i.title,
                "self_grade": None if i.self_grade is None else int(i.self_grade),
                "independent_grade": int(i.independent),
                "difference": i.difference,
            }
            for i in m.indicators
        ),
        rows=tuple(rows),
        summary=text,
    )
