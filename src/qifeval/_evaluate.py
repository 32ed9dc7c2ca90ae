"""Evaluating evidence: suggested grades with explanations."""

from __future__ import annotations

import datetime as _dt
import enum
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import attrs

from ._capacity import CapacityJudgement, IndicatorChange, Trend, judge
from ._context import Context
from ._errors import InputError, PersonalDataError, PersonalDataWarning
from ._evidence import EvidenceSet
from ._firing import FiredRule, combine, resolve_engine, run_rules
from ._framework import Framework
from ._grade import Grade
from ._loading import load_framework
from ._privacy import _DEFAULT_GUARD, PersonalDataGuard, PersonalDataMatch
from ._triangulation import EvidenceProfile, Triangulation, analyse
from .rules._model import RuleSet, default_capacity_rules, default_rules, load_rules

__all__ = [
    "Decision",
    "DecisionKind",
    "Evaluation",
    "IndicatorResult",
    "PreviousEvaluation",
    "evaluate",
]


@attrs.frozen(kw_only=True)
class IndicatorResult:
    """The suggestion for one quality indicator and how it was reached.

    :param suggested_grade: the grade the rules suggest, or ``None``.
    :param no_grade_reason: why no grade is suggested, when there is none.
    :param rules_fired: the explanation: every rule that fired, in firing
        order (by priority, then the order of the rules file).
    :param findings: the ids of the indicator's findings.
    """

    qi: str
    title: str
    suggested_grade: Grade | None = None
    no_grade_reason: str | None = None
    triangulation: Triangulation
    profile: EvidenceProfile
    rules_fired: tuple[FiredRule, ...]
    findings: tuple[str, ...]

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


def _framework(framework: Framework | str | Path | None, default: str) -> Framework:
    if framework is None:
        return load_framework(default)
    return framework if isinstance(framework, Framework) else load_framework(framework)


def _rules(rules: RuleSet | str | Path | None, subject: str) -> RuleSet:
    if rules is None:
        rules = default_rules() if subject == "indicator" else default_capacity_rules()
    elif not isinstance(rules, RuleSet):
        rules = load_rules(rules)
    if rules.subject != subject:
        raise InputError(
            f"rule set {rules.name!r} has subject {rules.subject!r}; {subject} rules are needed here"
        )
    return rules


def evaluate_indicators(
    evidence: EvidenceSet,
    framework: Framework,
    rules: RuleSet,
    *,
    engine: str = "durable",
) -> tuple[IndicatorResult, ...]:
    """Suggest a grade for every indicator of *framework* (without QI 10)."""
    analysed = analyse(evidence, framework, rules.points, rules.triangulation)
    fired = run_rules(rules, {qi: p.counts for qi, (p, _) in analysed.items()}, engine)
    results = []
    for qi in framework.indicators:
        profile, triangulation = analysed[qi.id]
        grade, reason, explained = combine(rules, profile.finding_ids, fired.get(qi.id, ()))
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
            )
        )
    return tuple(results)


class DecisionKind(enum.StrEnum):
    """Whether a person confirmed the suggested grade or recorded another."""

    CONFIRMED = "confirmed"
    OVERRIDDEN = "overridden"


@attrs.frozen(kw_only=True)
class Decision:
    """A person's decision on one indicator's grade. The suggestion it
    answers is kept beside it.

    :param role: the evaluator's role (e.g. ``"Lead officer, self-evaluation
        group"``); no personal name is needed.
    :param rationale: why; required when the grade differs from the
        suggestion.
    :param suggested: the suggested grade at the time of the decision.
    """

    qi: str
    grade: Grade
    suggested: Grade | None = None
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
    :param grades: indicator id -> grade, in the previous framework's ids.
    """

    label: str
    framework: str
    grades: Mapping[str, Grade]

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
            from ._crosswalk import load_crosswalk

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
    :param decisions: people's decisions, at most one per indicator.
    :param capacity: the capacity-for-improvement judgement (QI 10), formed
        from the confirmed grades where there are any, otherwise the
        suggested ones.
    :param previous: the previous evaluation's grades, if one was given.
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

    def label(self) -> str:
        """A short name for reports: the evidence set's title (or the
        partnership's name) and date, e.g. ``"Joint self-evaluation 2026
        (2026-09-30)"``."""
        ev = self.evidence
        text = ev.title or ev.partnership
        return f"{text} ({ev.date.isoformat()})" if ev.date else text

    def result(self, qi: str) -> IndicatorResult:
        """The result for one indicator."""
        for r in self.results:
            if r.qi == qi:
                return r
        raise InputError(f"the evaluation has no indicator {qi!r}")

    def decision(self, qi: str) -> Decision | None:
        """The decision on one indicator, if any."""
        for d in self.decisions:
            if d.qi == qi:
                return d
        return None

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
        evaluation (the capacity judgement is formed again).

        :raises InputError: if there is no suggestion to confirm.
        """
        suggested = self.result(qi).suggested_grade
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

        :param framework: needed only if the evaluation's framework is not
            bundled with qifeval.
        :param capacity_rules: needed only if the evaluation used custom
            capacity rules.
        """
        decision = Decision(
            qi=self.result(qi).qi,
            grade=Grade.parse(grade),
            suggested=self.result(qi).suggested_grade,
            role=role,
            rationale=rationale,
            date=date or _dt.date.today(),
        )
        decisions = (*(d for d in self.decisions if d.qi != qi), decision)
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


def _judge(
    evaluation: Evaluation, framework: Framework, rules: RuleSet, engine: str
) -> CapacityJudgement:
    grades = evaluation.grades
    trend = evaluation.previous.trend(framework, grades) if evaluation.previous else None
    return judge(
        rules,
        framework,
        grades,
        {r.qi: r.triangulation for r in evaluation.results},
        evaluation.evidence.context,
        trend,
        engine=engine,
    )


def scan_evidence(
    evidence: EvidenceSet, guard: PersonalDataGuard | None = None
) -> tuple[PersonalDataMatch, ...]:
    """Scan every free-text field of an evidence set (title, finding
    statements, source details and refs, context notes and readiness
    evidence) for personal identifiers."""
    guard = guard or _DEFAULT_GUARD
    found: list[PersonalDataMatch] = list(guard.scan(evidence.title, field="title"))
    for i, f in enumerate(evidence.findings):
        for name in ("statement", "source_detail", "ref"):
            value = getattr(f, name)
            if value:
                found += guard.scan(value, field=f"findings[{i}].{name}", finding_id=f.id)
    for i, c in enumerate(evidence.context.challenges):
        found += guard.scan(c.note, field=f"context.challenges[{i}].note", finding_id=c.id)
    for i, r in enumerate(evidence.context.readiness):
        for name in ("statement", "ref"):
            value = getattr(r, name)
            if value:
                found += guard.scan(value, field=f"context.readiness[{i}].{name}", finding_id=r.id)
    return tuple(found)


def check_personal_data(
    evidence: EvidenceSet,
    *,
    strict: bool,
    guard: PersonalDataGuard | None = None,
    file: str | Path | None = None,
) -> tuple[PersonalDataMatch, ...]:
    """Scan *evidence*; raise :class:`PersonalDataError` if anything is
    found and *strict*, otherwise issue a :class:`PersonalDataWarning`."""
    found = scan_evidence(evidence, guard)
    if found:
        error = PersonalDataError(found, file=file)
        if strict:
            raise error
        warnings.warn(str(error), PersonalDataWarning, stacklevel=3)
    return found


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
        framework's ids are mapped through the crosswalk).
    :param engine: ``"durable"`` (the durable-rules engine) or
        ``"python"`` (the plain-Python evaluator of the same rules; the
        results are identical). ``"reference"``, its former name, still
        works with a :class:`DeprecationWarning`.
    :param strict: refuse evidence that looks as if it holds personal data
        (raise :class:`PersonalDataError`) instead of warning
        (:class:`PersonalDataWarning`).
    :param guard: the personal-data guard to scan with; by default
        :class:`PersonalDataGuard` with its default settings.

    Thread-safe; results are deterministic and do not depend on the order of
    the findings.
    """
    engine_name = resolve_engine(engine)
    fw = _framework(framework, evidence.framework)
    grading = _rules(rules, "indicator")
    capacity = _rules(capacity_rules, "capacity")
    if context is not None:
        evidence = evidence.with_context(context)
    evidence.validate(fw)
    check_personal_data(evidence, strict=strict, guard=guard)
    if isinstance(previous, Evaluation):
        previous = PreviousEvaluation.from_evaluation(previous)
    results = evaluate_indicators(evidence, fw, grading, engine=engine_name)
    partial = Evaluation(
        evidence=evidence,
        framework=fw.id,
        framework_version=fw.info.version,
        rules=grading.name,
        capacity_rules=capacity.name,
        results=results,
        capacity=None,  # type: ignore[arg-type]
        previous=previous,
    )
    return attrs.evolve(partial, capacity=_judge(partial, fw, capacity, engine_name))
