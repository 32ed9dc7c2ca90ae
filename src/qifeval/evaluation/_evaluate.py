"""Evaluating evidence: suggested grades with explanations."""

from __future__ import annotations

import datetime as _dt
import enum
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain, compress
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import attrs

from .._errors import (
    InconsistentEvaluationError,
    InputError,
    PersonalDataError,
    PersonalDataWarning,
    UnknownIndicatorError,
)
from .._ids import close_matches, did_you_mean
from .._privacy import _DEFAULT_GUARD, PersonalDataGuard, PersonalDataMatch
from ..evidence._consistency import checked, refuse_or_warn
from ..evidence._context import Context, ContextualChallenge, ReadinessEvidence
from ..evidence._findings import EvidenceSet, Finding
from ..evidence._triangulation import EvidenceProfile, Triangulation, analyse
from ..frameworks._grade import Grade
from ..frameworks._loading import available_frameworks, load_framework
from ..frameworks._model import GLOBAL_INDICATOR_ID, Framework
from ..rules._firing import FiredRule, combine, resolve_engine, run_rules
from ..rules._model import RuleSet, default_capacity_rules, default_rules, load_rules
from ..rules._whatif import Improvement, improvement
from ._capacity import (
    CapacityJudgement,
    IndicatorChange,
    MatchFigures,
    PlanFigures,
    Trend,
    judge,
)

if TYPE_CHECKING:
    # Imported where used: importing qifeval loads neither (see
    # _document.py, which resolves Evaluation's field types with them).
    from ._independent import IndependentEvaluation, Match
    from ._plan import ImprovementPlan, PlanProgress
    from ._records import Records

__all__ = [
    "Decision",
    "DecisionKind",
    "Evaluation",
    "IndicatorResult",
    "PreviousEvaluation",
    "SafetyConcern",
    "evaluate",
]


@attrs.frozen(kw_only=True)
class SafetyConcern:
    """An individual safety concern: a weakness in a critical aspect
    (children's safety), to escalate at once whatever the indicator's grade.

    :param qi: the indicator the finding is about.
    :param finding: the finding's id.
    :param statement: the finding's statement.
    :param proportion: the share it affects, when given.
    :param sample: how many records or people that share is of, when given.
    """

    qi: str
    finding: str
    statement: str
    proportion: float | None = None
    sample: int | None = None


@attrs.frozen(kw_only=True)
class IndicatorResult:
    """The suggestion for one quality indicator and how it was reached.

    :param suggested_grade: the grade the rules suggest, or ``None``.
    :param no_grade_reason: why no grade is suggested, when there is none.
    :param rules_fired: the explanation: every rule that fired, in firing
        order (by priority, then the order of the rules file).
    :param findings: the ids of the indicator's findings.
    :param to_improve: what would change the grade: the nearest higher
        grade, the unmet conditions of the rules that would suggest it and
        the rules (with their findings) that would still hold it down;
        ``None`` when no rule suggests a higher grade. Derived from the
        rules, never stored in a saved evaluation.
    """

    qi: str
    title: str
    suggested_grade: Grade | None = None
    no_grade_reason: str | None = None
    triangulation: Triangulation
    profile: EvidenceProfile
    rules_fired: tuple[FiredRule, ...]
    findings: tuple[str, ...]
    to_improve: Improvement | None = None

    @property
    def safety_concerns(self) -> tuple[str, ...]:
        """The ids of the indicator's critical weaknesses: each is an
        individual safety concern, whatever the grade."""
        return self.profile.finding_ids.get("critical_weaknesses", ())

    def explain(self) -> str:
        """The explanation as plain text, one line per rule fired."""
        head = (
            f"{self.qi} {self.title}: suggested {self.suggested_grade}"
            if self.suggested_grade is not None
            else f"{self.qi} {self.title}: no grade ({self.no_grade_reason})"
        )
        lines = [head]
        for r in self.rules_fired:
            mark = "*" if r.decisive else "-"
            cited = f" [{', '.join(r.evidence)}]" if r.evidence else ""
            lines.append(f"  {mark} {r.name}: {r.reason}{cited}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from .._display import html_for

        return html_for(self)


def _framework(framework: Framework | str | Path | None, default: str) -> Framework:
    if framework is None:
        return load_framework(default)
    return framework if isinstance(framework, Framework) else load_framework(framework)


def _rules(rules: RuleSet | str | Path | None, subject: str) -> RuleSet:
    if rules is None:
        rules = default_rules() if subject == "indicator" else default_capacity_rules()
    file = None
    if rules is not None and not isinstance(rules, RuleSet):
        file = rules
        rules = load_rules(rules)
    if rules.subject != subject:
        argument = "rules" if subject == "indicator" else "capacity_rules"
        raise InputError(
            f"rule set {rules.name!r} has subject {rules.subject!r}; {subject} rules are "
            f"needed here ({argument}=)",
            file=file,
            path="subject",
        )
    return rules


def evaluate_indicators(
    evidence: EvidenceSet,
    framework: Framework,
    rules: RuleSet,
    *,
    engine: str = "durable",
    inspection: str | None = None,
    failed: Sequence[list[str]] | None = None,
) -> tuple[IndicatorResult, ...]:
    """Suggest a grade for every indicator of *framework* (without QI 10);
    with *inspection* (an inspection profile's id), only for the indicators it
    grades (the others keep their findings and explanation, with no grade).
    *failed*: the codes of the checks each finding fails, when known (see
    :func:`~qifeval.evidence._consistency.failed_checks`)."""
    analysed = analyse(evidence, framework, rules.points, rules.triangulation, failed)
    fired = run_rules(rules, {qi: p.counts for qi, (p, _) in analysed.items()}, engine)
    by_id = evidence._by_id  # id -> finding, built with the evidence set
    results = []
    for qi in framework.indicators:
        profile, triangulation = analysed[qi.id]
        indices = fired.get(qi.id, ())
        grade, reason, explained = combine(rules, profile.finding_ids, indices)
        results.append(
            IndicatorResult(
                qi=qi.id,
                title=qi.title,
                suggested_grade=grade,
                no_grade_reason=reason,
                triangulation=triangulation,
                profile=profile,
                rules_fired=explained,
                findings=profile.finding_ids["findings"],
                to_improve=improvement(
                    rules, profile.counts, profile.finding_ids, indices, grade, by_id
                ),
            )
        )
    if inspection is not None:
        from ._profile import mask_results

        return mask_results(results, inspection)
    return tuple(results)


_GRADES = ", ".join(str(g) for g in Grade)


def _grade_or_error(value: object, path: str, what: str) -> Grade:
    try:
        return Grade.parse(value)
    except ValueError:  # an InputError, or int() failing on a non-ASCII digit
        raise InputError(
            f"{what}: expected a grade 1-6 or its label ({_GRADES}), got {value!r}", path=path
        ) from None


def _decision_grade(value: object) -> Grade:
    return _grade_or_error(value, "grade", "the decided grade")


def _decision_suggested(value: object) -> Grade | None:
    return None if value is None else _grade_or_error(value, "suggested", "the suggested grade")


def _previous_grades(value: object) -> dict[str, Grade]:
    """Indicator id -> grade, each value read with :meth:`Grade.parse`."""
    if not isinstance(value, Mapping):
        raise InputError(
            f"expected a mapping of indicator id -> grade, got {type(value).__name__}",
            path="grades",
        )
    grades: dict[str, Grade] = {}
    for qi, grade in value.items():
        if not isinstance(qi, str):
            raise InputError(f"an indicator id must be a string, got {qi!r}", path="grades")
        grades[qi] = _grade_or_error(grade, f"grades['{qi}']", f"the previous grade of {qi}")
    return grades


class DecisionKind(enum.StrEnum):
    """Whether a person confirmed the suggested grade or recorded another."""

    CONFIRMED = "confirmed"
    OVERRIDDEN = "overridden"


@attrs.frozen(kw_only=True)
class Decision:
    """A person's decision on one indicator's grade. The suggestion it
    answers is kept beside it.

    :param grade: the decided grade: a :class:`Grade`, a number 1-6 or a
        label (read with :meth:`Grade.parse`).
    :param role: the evaluator's role (e.g. ``"Lead officer, self-evaluation
        group"``); no personal name is needed.
    :param rationale: why; required when the grade differs from the
        suggestion.
    :param suggested: the suggested grade at the time of the decision.
    :raises InputError: for a value that is not a grade, an empty role, or
        an override without a rationale.
    """

    qi: str
    grade: Grade = attrs.field(converter=_decision_grade)
    suggested: Grade | None = attrs.field(default=None, converter=_decision_suggested)
    role: str
    date: _dt.date
    rationale: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.role.strip():
            raise InputError("the evaluator's role is required", path="role")
        if self.kind is DecisionKind.OVERRIDDEN and not self.rationale.strip():
            raise InputError(
                f"recording {self.grade} where {self.suggested or 'no grade'} was suggested "
                "needs a rationale",
                path="rationale",
            )

    @property
    def kind(self) -> DecisionKind:
        """Confirmed (the grade is the suggestion) or overridden."""
        return DecisionKind.CONFIRMED if self.grade == self.suggested else DecisionKind.OVERRIDDEN


@attrs.frozen(kw_only=True)
class PreviousEvaluation:
    """The grades of a previous evaluation, for the trend.

    :param label: how to name it in reports, e.g. ``"2024 self-evaluation"``.
    :param grades: indicator id -> grade, in the previous framework's ids;
        a number 1-6 or a label is read as its :class:`Grade`.
    :raises InputError: naming the indicator, for a value that is not a
        grade.
    """

    label: str
    framework: str
    grades: Mapping[str, Grade] = attrs.field(converter=_previous_grades)

    @classmethod
    def from_evaluation(
        cls, evaluation: Evaluation, label: str | None = None
    ) -> PreviousEvaluation:
        """The grades of *evaluation* (confirmed where confirmed)."""
        default = evaluation.label()
        grades = {q: g for q, g in evaluation.grades.items() if g is not None}
        return cls(label=label or default, framework=evaluation.framework, grades=grades)

    def trend(self, framework: Framework, current: Mapping[str, Grade | None]) -> Trend:
        """The trend from these grades to *current* ones in *framework*,
        mapping indicator ids through the 2014-2018 crosswalk when the
        frameworks differ."""
        previous = dict(self.grades)
        if self.framework != framework.id:
            from ..frameworks._crosswalk import load_crosswalk

            crosswalk = load_crosswalk()
            previous = {}
            for qi, grade in self.grades.items():
                target = crosswalk.translate(qi, self.framework, framework.id)
                if target is not None:
                    previous[target] = grade
        return Trend(
            previous=self.label,
            changes=tuple(
                IndicatorChange(qi=qi.id, previous=previous.get(qi.id), current=current.get(qi.id))
                for qi in framework.indicators
            ),
        )


@attrs.frozen(kw_only=True)
class Evaluation:
    """The result of :func:`evaluate`: per-indicator suggestions with their
    explanations, people's decisions, and the capacity judgement.

    :param framework: the framework's id; *framework_version* its version.
    :param rules: the name of the grading rule set used;
        *capacity_rules* that of the capacity rules.
    :param results: one result per indicator, in framework order (without
        QI 10).
    :param decisions: people's decisions, at most one per indicator and
        only on indicators with a result (never QI 10), each recording the
        indicator's suggested grade.
    :param capacity: the capacity-for-improvement judgement (QI 10), formed
        from the confirmed grades where there are any, otherwise the
        suggested ones.
    :param previous: the previous evaluation's grades, if one was given.
    :param plan: the improvement plan read with this evaluation, if any
        (its progress as of the evaluation's date is
        :attr:`plan_progress`).
    :param independent: an independent evaluation set beside this one, if
        any (see :attr:`independent_match`).
    :param profile: the id of the inspection profile it was evaluated for
        (see :func:`evaluate`), if any: only the indicators the profile
        grades have grades or decisions.
    """

    evidence: EvidenceSet
    framework: str
    framework_version: str
    rules: str
    capacity_rules: str
    results: tuple[IndicatorResult, ...]
    capacity: CapacityJudgement
    decisions: tuple[Decision, ...] = ()
    previous: PreviousEvaluation | None = None
    plan: ImprovementPlan | None = None
    independent: IndependentEvaluation | None = None
    profile: str | None = None

    def __attrs_post_init__(self) -> None:
        for path, problem in decision_problems(self.results, self.decisions):
            raise InconsistentEvaluationError(problem, path=path)
        if self.profile is not None:
            from ..frameworks._inspections import inspection_profile

            graded = inspection_profile(self.profile)
            for i, d in enumerate(self.decisions):
                if not graded.is_graded(d.qi):
                    raise InconsistentEvaluationError(
                        f"a decision on {d.qi}, which inspection profile {self.profile!r} "
                        "does not grade",
                        path=f"decisions[{i}].qi",
                    )

    def label(self) -> str:
        """A short name for reports: the evidence set's title (or the
        partnership's name) and date, e.g. ``"Joint self-evaluation 2026
        (2026-09-30)"``."""
        ev = self.evidence
        text = ev.title or ev.partnership
        return f"{text} ({ev.date.isoformat()})" if ev.date else text

    @property
    def plan_progress(self) -> PlanProgress | None:
        """The improvement plan's progress as of the evaluation's date (as
        of today when the evidence has no date); ``None`` without a plan."""
        if self.plan is None:
            return None
        return self.plan.progress(self.evidence.date or _dt.date.today())

    @property
    def independent_match(self) -> Match | None:
        """How closely this evaluation matched the independent evaluation
        set beside it; ``None`` without one."""
        if self.independent is None:
            return None
        from ._independent import compare_independent

        return compare_independent(self, self.independent)

    def to_records(self) -> Records:
        """This evaluation as tidy tables: one row per indicator (QI 10
        last) and one per finding (see :class:`~qifeval.Records`)."""
        from ._records import evaluation_records

        return evaluation_records(self)

    def _repr_html_(self) -> str:
        from .._display import html_for

        return html_for(self)

    def result(self, qi: str) -> IndicatorResult:
        """The result for one indicator."""
        for r in self.results:
            if r.qi == qi:
                return r
        raise InputError(f"the evaluation has no indicator {qi!r}")

    def _gradable(self, qi: str) -> IndicatorResult:
        """The result of *qi*, an indicator people can decide on."""
        key = str(qi).strip()
        if key == GLOBAL_INDICATOR_ID:
            raise InputError(
                "QI 10 (capacity for improvement) has no decision: qifeval judges it from the "
                "other indicators' grades; confirm or override those",
                path="qi",
            )
        for r in self.results:
            if r.qi == key:
                return r
        close = close_matches(key, [r.qi for r in self.results], cutoff=0.3)
        raise UnknownIndicatorError(key, framework_id=self.framework, suggestions=close)

    def decision(self, qi: str) -> Decision | None:
        """The decision on one indicator, if any."""
        for d in self.decisions:
            if d.qi == qi:
                return d
        return None

    @property
    def safety_concerns(self) -> tuple[SafetyConcern, ...]:
        """Every individual safety concern (each critical weakness), in
        framework order, whatever the grades."""
        by_id = {f.id: f for f in self.evidence.findings}
        return tuple(
            SafetyConcern(
                qi=r.qi,
                finding=fid,
                statement=by_id[fid].statement,
                proportion=by_id[fid].proportion,
                sample=by_id[fid].sample,
            )
            for r in self.results
            for fid in r.safety_concerns
        )

    @property
    def suggested_grades(self) -> dict[str, Grade | None]:
        """Indicator id -> suggested grade (``None`` where none)."""
        return {r.qi: r.suggested_grade for r in self.results}

    @property
    def grades(self) -> dict[str, Grade | None]:
        """Indicator id -> the grade that counts: the decision where there
        is one, otherwise the suggestion."""
        decided = {d.qi: d.grade for d in self.decisions}
        return {r.qi: decided.get(r.qi, r.suggested_grade) for r in self.results}

    def confirm(
        self,
        qi: str,
        *,
        role: str,
        date: _dt.date | None = None,
        rationale: str = "",
        framework: Framework | str | Path | None = None,
        capacity_rules: RuleSet | str | Path | None = None,
    ) -> Evaluation:
        """Confirm the suggested grade of *qi*; returns the updated
        evaluation (the capacity judgement is formed again). A decision
        already recorded on *qi* is replaced.

        :raises InputError: if there is no suggestion to confirm, or *qi* is
            QI 10.
        :raises UnknownIndicatorError: if the evaluation has no indicator
            *qi*.
        """
        suggested = self._gradable(qi).suggested_grade
        if suggested is None:
            raise InputError(
                f"{qi} has no suggested grade to confirm; record a grade with override()"
            )
        return self.override(
            qi,
            suggested,
            role=role,
            date=date,
            rationale=rationale,
            framework=framework,
            capacity_rules=capacity_rules,
        )

    def override(
        self,
        qi: str,
        grade: Grade | int | str,
        *,
        role: str,
        rationale: str,
        date: _dt.date | None = None,
        framework: Framework | str | Path | None = None,
        capacity_rules: RuleSet | str | Path | None = None,
    ) -> Evaluation:
        """Record *grade* for *qi* with the evaluator's role and rationale;
        the suggestion is kept beside it. Returns the updated evaluation.

        An indicator has at most one decision: a decision already recorded
        on *qi* is replaced, so that :attr:`grades`, ``decisions`` and
        the reports always agree.

        :param grade: a :class:`Grade`, a number 1-6 or a label.
        :param framework: needed only if the evaluation's framework is not
            bundled with qifeval.
        :param capacity_rules: needed only if the evaluation used custom
            capacity rules.
        :raises InputError: naming the indicator, if *grade* is not a grade;
            if *qi* is QI 10 (judged from the other indicators); if the role
            or a needed rationale is missing.
        :raises UnknownIndicatorError: if the evaluation has no indicator
            *qi*.
        """
        result = self._gradable(qi)
        try:
            parsed = Grade.parse(grade)
        except ValueError:  # an InputError, or int() failing on a non-ASCII digit
            raise InputError(
                f"cannot record {grade!r} for {result.qi} {result.title}: not a grade; "
                f"expected 1-6 or a label ({_GRADES})",
                path="grade",
            ) from None
        decision = Decision(
            qi=result.qi,
            grade=parsed,
            suggested=result.suggested_grade,
            role=role,
            rationale=rationale,
            date=date or _dt.date.today(),
        )
        decisions = (*(d for d in self.decisions if d.qi != result.qi), decision)
        order = {r.qi: i for i, r in enumerate(self.results)}
        decisions = tuple(sorted(decisions, key=lambda d: order[d.qi]))
        return self.reassess(
            decisions=decisions, framework=framework, capacity_rules=capacity_rules
        )

    def reassess(
        self,
        *,
        decisions: tuple[Decision, ...] | None = None,
        framework: Framework | str | Path | None = None,
        capacity_rules: RuleSet | str | Path | None = None,
        engine: Literal["durable", "python", "reference"] = "durable",
    ) -> Evaluation:
        """Form the capacity judgement again (after decisions change).

        :param engine: as for :func:`evaluate`.
        :raises InconsistentEvaluationError: if *decisions* break the rules
            of ``decisions`` (a decision on QI 10 or an unknown
            indicator, two on one indicator, or a suggestion that is not the
            indicator's).
        """
        engine_name = resolve_engine(engine)
        fw = _framework(framework, self.framework)
        rules = _rules(capacity_rules, "capacity")
        if rules.name != self.capacity_rules:
            raise InputError(
                f"this evaluation used capacity rules {self.capacity_rules!r}; "
                f"pass them as capacity_rules= (got {rules.name!r})"
            )
        updated = attrs.evolve(self, decisions=self.decisions if decisions is None else decisions)
        return attrs.evolve(updated, capacity=_judge(updated, fw, rules, engine_name))


def previous_problems(
    previous: PreviousEvaluation, framework: Framework
) -> Iterator[tuple[str, str]]:
    """``(field path, problem)`` for each indicator id of the grades of
    *previous* that is not in its framework (*framework* itself when the ids
    agree, otherwise the bundled framework it names)."""
    if previous.framework == framework.id:
        fw = framework
    elif previous.framework in available_frameworks():
        fw = load_framework(previous.framework)
    else:
        yield (
            "framework",
            f"the previous evaluation is for framework {previous.framework!r}, which is neither "
            f"{framework.id!r} nor bundled with qifeval",
        )
        return
    ids = [q.id for q in fw.all_indicators]
    for qi in previous.grades:
        if qi not in fw:
            hint = did_you_mean(close_matches(qi, ids, cutoff=0.3))
            yield f"grades['{qi}']", f"{fw.id} has no indicator {qi!r}{hint}"


def _show_grade(grade: Grade | None) -> str:
    return "no grade" if grade is None else str(grade)


def decision_problems(
    results: tuple[IndicatorResult, ...], decisions: tuple[Decision, ...]
) -> Iterator[tuple[str, str]]:
    """``(field path, problem)`` for each decision that does not fit
    *results*: on QI 10 or an indicator without a result, a second decision
    on one indicator, or a suggestion other than the indicator's."""
    suggested = {r.qi: r.suggested_grade for r in results}
    first: dict[str, int] = {}
    for i, d in enumerate(decisions):
        where = f"decisions[{i}]"
        if d.qi == GLOBAL_INDICATOR_ID:
            yield (
                f"{where}.qi",
                "a decision on QI 10 (capacity for improvement), which qifeval judges from the "
                "other indicators' grades and which cannot be decided on",
            )
        elif d.qi not in suggested:
            hint = did_you_mean(close_matches(d.qi, suggested, cutoff=0.3))
            yield f"{where}.qi", f"a decision on {d.qi!r}, which is not an indicator here{hint}"
        elif d.qi in first:
            yield (
                f"{where}.qi",
                f"a second decision on {d.qi} (the first is decisions[{first[d.qi]}]); an "
                "indicator has at most one decision",
            )
        elif d.suggested != suggested[d.qi]:
            yield (
                f"{where}.suggested",
                f"the decision on {d.qi} records {_show_grade(d.suggested)} as the suggestion, "
                f"but {_show_grade(suggested[d.qi])} is suggested",
            )
        first.setdefault(d.qi, i)


def _judge(
    evaluation: Evaluation, framework: Framework, rules: RuleSet, engine: str
) -> CapacityJudgement:
    grades = evaluation.grades
    trend = evaluation.previous.trend(framework, grades) if evaluation.previous else None
    progress = evaluation.plan_progress
    plan = (
        None
        if progress is None
        else PlanFigures(
            done=len(progress.done),
            overdue=len(progress.overdue),
            total=progress.total - len(progress.dropped),
        )
    )
    match = evaluation.independent_match
    independent = (
        None
        if match is None or match.exact_share is None or match.within_one_share is None
        else MatchFigures(
            exact_share=match.exact_share,
            within_one_share=match.within_one_share,
            indicators=len(match.compared),
        )
    )
    return judge(
        rules,
        framework,
        grades,
        {r.qi: r.triangulation for r in evaluation.results},
        evaluation.evidence.context,
        trend,
        engine=engine,
        plan_progress=plan,
        independent=independent,
    )


def _scan_items(
    guard: PersonalDataGuard,
    items: Sequence[Finding | ContextualChallenge | ReadinessEvidence],
    path: str,
    fields: tuple[str, ...],
) -> list[PersonalDataMatch]:
    """Scan each item's id and *fields*. Matches name the item by its id
    with whatever the guard flags in the id redacted, so that no message
    repeats what an id holds.

    When every field holds text or nothing, the guard first scans all the
    texts at once and only the items holding something it flags are looked
    at again (the guard remembers their texts)."""
    names = ("id", *fields)
    # each field of every item, but those no item fills
    columns = [c for c in (list(map(attrgetter(name), items)) for name in names) if any(c)]
    scanned: Iterable[int] = range(len(items))
    try:
        flagged = guard._flagged(chain.from_iterable(columns))
        scanned = sorted(
            {
                i
                for c in columns
                if not flagged.isdisjoint(c)
                for i in compress(scanned, map(flagged.__contains__, c))
            }
        )
    except TypeError:  # a field holds something other than text: look at every item
        pass
    found: list[PersonalDataMatch] = []
    for i in scanned:
        item = items[i]
        item_id = item.id if not isinstance(item.id, str) else guard.redact(item.id)
        for name in names:
            value = getattr(item, name)
            if value:
                found += guard.scan(value, field=f"{path}[{i}].{name}", finding_id=item_id)
    return found


def scan_evidence(
    evidence: EvidenceSet, guard: PersonalDataGuard | None = None
) -> tuple[PersonalDataMatch, ...]:
    """Scan every free-text field of an evidence set for personal
    identifiers: the partnership and title; each finding's id, statement,
    source detail, ref, key factor, follows and inspection statement; each contextual challenge's id and note; each
    piece of readiness evidence's id, statement and ref."""
    guard = guard or _DEFAULT_GUARD
    found: list[PersonalDataMatch] = []
    for name in ("partnership", "title"):
        found += guard.scan(getattr(evidence, name), field=name)
    found += _scan_items(
        guard,
        evidence.findings,
        "findings",
        ("statement", "source_detail", "ref", "key_factor", "follows", "inspection_statement"),
    )
    context = evidence.context
    found += _scan_items(guard, context.challenges, "context.challenges", ("note",))
    found += _scan_items(guard, context.readiness, "context.readiness", ("statement", "ref"))
    return tuple(found)


def scan_evaluation(
    evaluation: Evaluation, guard: PersonalDataGuard | None = None
) -> tuple[PersonalDataMatch, ...]:
    """Scan an evaluation's evidence (as :func:`scan_evidence` does), the
    role and rationale of each decision, and the previous evaluation's
    label, for personal identifiers."""
    guard = guard or _DEFAULT_GUARD
    found = list(scan_evidence(evaluation.evidence, guard))
    for i, d in enumerate(evaluation.decisions):
        for name in ("role", "rationale"):
            value = getattr(d, name)
            if value:
                found += guard.scan(value, field=f"decisions[{i}].{name}")
    if evaluation.previous is not None:
        found += guard.scan(evaluation.previous.label, field="previous.label")
    found += scan_extras(evaluation.plan, evaluation.independent, guard)
    return tuple(found)


def scan_extras(
    plan: ImprovementPlan | None,
    independent: IndependentEvaluation | None,
    guard: PersonalDataGuard | None = None,
) -> list[PersonalDataMatch]:
    """Scan an improvement plan (its title, the evaluation it was made
    from, and each action's id, text, lead and references: a lead is a
    role, never a person's name) and an independent evaluation's source
    for personal identifiers."""
    guard = guard or _DEFAULT_GUARD
    found: list[PersonalDataMatch] = []
    if plan is not None:
        for name in ("title", "made_from"):
            found += guard.scan(getattr(plan, name), field=f"plan.{name}")
        for i, a in enumerate(plan.actions):
            for name in ("id", "action", "lead"):
                found += guard.scan(getattr(a, name), field=f"plan[{i}].{name}")
            for name in ("addresses", "impact"):
                for j, ref in enumerate(getattr(a, name)):
                    found += guard.scan(ref, field=f"plan[{i}].{name}[{j}]")
    if independent is not None:
        found += guard.scan(independent.source, field="independent.source")
    return found


def check_personal_data(
    evidence: EvidenceSet | Evaluation,
    *,
    strict: bool,
    guard: PersonalDataGuard | None = None,
    file: str | Path | None = None,
    previous: Evaluation | PreviousEvaluation | None = None,
    plan: ImprovementPlan | None = None,
    independent: IndependentEvaluation | None = None,
) -> tuple[PersonalDataMatch, ...]:
    """Scan *evidence* (an evidence set, or a whole evaluation with
    :func:`scan_evaluation`), the label of *previous*, and *plan* and
    *independent* (see :func:`scan_extras`); raise
    :class:`PersonalDataError` if anything is found and *strict*, otherwise
    issue a :class:`PersonalDataWarning`."""
    if isinstance(evidence, Evaluation):
        found = list(scan_evaluation(evidence, guard))
    else:
        found = list(scan_evidence(evidence, guard))
    if previous is not None:
        label = previous.label if isinstance(previous, PreviousEvaluation) else previous.label()
        found += (guard or _DEFAULT_GUARD).scan(label, field="previous.label")
    found += scan_extras(plan, independent, guard)
    if found:
        error = PersonalDataError(found, file=file)
        if strict:
            raise error
        warnings.warn(str(error), PersonalDataWarning, stacklevel=3)
    return tuple(found)


def evaluate(
    evidence: EvidenceSet,
    framework: Framework | str | Path | None = None,
    rules: RuleSet | str | Path | None = None,
    *,
    capacity_rules: RuleSet | str | Path | None = None,
    context: Context | None = None,
    previous: Evaluation | PreviousEvaluation | None = None,
    engine: Literal["durable", "python", "reference"] = "durable",
    strict: bool = False,
    guard: PersonalDataGuard | None = None,
    plan: ImprovementPlan | None = None,
    independent: IndependentEvaluation | None = None,
    profile: str | None = None,
) -> Evaluation:
    """Suggest a grade for every quality indicator from the evidence, with
    the rules that fired and the findings behind them, and judge capacity
    for improvement (QI 10).

    :param framework: a :class:`Framework`, a bundled id or a TOML file; by
        default the framework the evidence names.
    :param rules: the grading rules: a :class:`RuleSet` or a rules file; by
        default :func:`default_rules`.
    :param capacity_rules: the capacity rules; by default
        :func:`default_capacity_rules`.
    :param context: contextual challenges and readiness evidence; by default
        the evidence set's own context.
    :param previous: the previous evaluation, for the trend (the 2014
        framework's ids are mapped through the crosswalk); its indicator ids
        must be those of its framework.
    :param engine: ``"durable"`` (the durable-rules engine) or
        ``"python"`` (the plain-Python evaluator of the same rules; the
        results are identical). ``"reference"``, its former name, still
        works with a :class:`DeprecationWarning`.
    :param strict: refuse evidence that looks as if it holds personal data
        (raise :class:`PersonalDataError`) instead of warning
        (:class:`PersonalDataWarning`), and findings that fail the
        consistency checks of :func:`check_findings` (raise
        :class:`EvidenceError`) instead of warning (one
        :class:`EvidenceWarning` per problem); a finding marked ``checked``
        by a person is never refused or warned about.
    :param guard: the personal-data guard to scan with; by default
        :class:`PersonalDataGuard` with its default settings.
    :param plan: the improvement plan to read with this evaluation (see
        :class:`ImprovementPlan`): every ``impact`` id must be a finding of
        *evidence*; when *previous* is an :class:`Evaluation` (the one the
        plan was made from), every ``addresses`` id must be one of its
        findings or an indicator id.
    :param independent: an independent evaluation to set beside this one
        (see :class:`IndependentEvaluation`); its indicator ids must be
        those of the framework, without QI 10.
    :param profile: the id of an inspection profile (see
        :func:`~qifeval.inspection_profiles`) for the same framework: only
        the indicators it grades get a suggestion; every other indicator
        keeps its findings, triangulation and the rules that fired, with no
        grade and the reason ``"not graded in this model"``. The grades of
        the indicators it grades are those given without a profile.
        Findings' ``inspection_statement`` must name its statements. Read
        the result by statement with :func:`apply_profile`.

    When *previous* is an :class:`Evaluation`, a finding's ``follows`` must
    name one of its findings.

    Thread-safe; results are deterministic and do not depend on the order of
    the findings.
    """
    if previous is not None and not isinstance(previous, Evaluation | PreviousEvaluation):
        raise TypeError(
            "previous= takes an Evaluation or a PreviousEvaluation, not "
            f"{type(previous).__name__}; evaluate the earlier evidence first: "
            "previous=evaluate(earlier_evidence)"
        )
    engine_name = resolve_engine(engine)
    fw = _framework(framework, evidence.framework)
    grading = _rules(rules, "indicator")
    capacity = _rules(capacity_rules, "capacity")
    if context is not None:
        evidence = evidence.with_context(context)
    evidence.validate(fw)
    check_personal_data(
        evidence,
        strict=strict,
        guard=guard,
        previous=previous,
        plan=plan,
        independent=independent,
    )
    failed, found = checked(evidence)
    refuse_or_warn(found, strict=strict)
    earlier = None
    if isinstance(previous, Evaluation):
        earlier = [f.id for f in previous.evidence.findings]
        for i, f in enumerate(evidence.findings):
            if f.follows is not None and f.follows not in earlier:
                hint = did_you_mean(close_matches(f.follows, earlier, cutoff=0.6))
                raise InputError(
                    f"follows {f.follows!r}, which is not a finding of the previous evaluation"
                    f"{hint}",
                    path=f"findings[{i}].follows",
                    finding_id=f.id,
                )
    if plan is not None:
        from ._plan import plan_problems

        for path, problem, action_id in plan_problems(
            plan,
            indicators=[q.id for q in fw.all_indicators],
            findings=[f.id for f in evidence.findings],
            earlier_findings=earlier,
        ):
            raise InputError(f"action {action_id!r}: {problem}", path=path)
    if independent is not None:
        from ._independent import independent_problems

        for path, problem in independent_problems(independent, fw):
            raise InputError(problem, path=f"independent.{path}")
    if profile is not None:
        from ._profile import profile_problems

        for path, problem, finding_id in profile_problems(profile, fw, evidence):
            raise InputError(problem, path=path, finding_id=finding_id)
    if isinstance(previous, Evaluation):
        previous = PreviousEvaluation.from_evaluation(previous)
    if previous is not None:
        for path, problem in previous_problems(previous, fw):
            raise InputError(problem, path=f"previous.{path}")
    results = evaluate_indicators(
        evidence, fw, grading, engine=engine_name, inspection=profile, failed=failed
    )
    partial = Evaluation(
        evidence=evidence,
        framework=fw.id,
        framework_version=fw.info.version,
        rules=grading.name,
        capacity_rules=capacity.name,
        results=results,
        capacity=None,  # type: ignore[arg-type]
        previous=previous,
        plan=plan,
        independent=independent,
        profile=None if profile is None else str(profile).strip(),
    )
    return attrs.evolve(partial, capacity=_judge(partial, fw, capacity, engine_name))
