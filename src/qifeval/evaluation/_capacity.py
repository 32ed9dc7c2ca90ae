"""Capacity for improvement (quality indicator 10): a judgement formed from
the grades across all indicators, the context and the trend.

The seeds give the inputs, not a formula. qifeval's default is a suggested
six-point grade for QI 10 and a confidence statement, formed by the capacity
rules (``rules/capacity.toml``) run on the same engine as the grading rules.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

import attrs

from .. import _convert
from ..evidence._context import Context, Severity
from ..evidence._fields import FIELDS, CapacityFacts
from ..evidence._kinds import Valence
from ..evidence._triangulation import Triangulation, TriangulationStatus
from ..frameworks._grade import Grade
from ..frameworks._loading import load_framework
from ..frameworks._model import CapacityModel, Framework
from ..rules._firing import FiredRule, explain, fold, run_rules
from ..rules._model import EFFECTS, Confidence, RuleSet

__all__ = [
    "CapacityJudgement",
    "Direction",
    "IndicatorChange",
    "Lever",
    "Trend",
]


class Direction(enum.StrEnum):
    """How an indicator's grade moved since the previous evaluation."""

    UP = "up"
    SAME = "same"
    DOWN = "down"


@attrs.frozen(kw_only=True)
class IndicatorChange:
    """One indicator's grade now and in the previous evaluation."""

    qi: str
    previous: Grade | None = None
    current: Grade | None = None

    @property
    def direction(self) -> Direction | None:
        """Up, same or down; ``None`` unless both evaluations graded it."""
        if self.previous is None or self.current is None:
            return None
        if self.current > self.previous:
            return Direction.UP
        return Direction.DOWN if self.current < self.previous else Direction.SAME


@attrs.frozen(kw_only=True)
class Trend:
    """The trend against a previous evaluation.

    :param previous: a label for the previous evaluation.
    :param changes: per indicator of the current framework, in order; the
        previous grade is mapped through the crosswalk when the previous
        evaluation used the other framework.
    :param areas_improved: previous areas for improvement (graded 3 or
        below) now graded higher.
    :param areas_not_improved: previous areas for improvement graded the
        same or lower now (or not graded now).
    """

    previous: str
    changes: tuple[IndicatorChange, ...]

    def _moved(self, direction: Direction) -> tuple[str, ...]:
        return tuple(c.qi for c in self.changes if c.direction is direction)

    @property
    def improved(self) -> tuple[str, ...]:
        """Indicators graded higher than before."""
        return self._moved(Direction.UP)

    @property
    def declined(self) -> tuple[str, ...]:
        """Indicators graded lower than before."""
        return self._moved(Direction.DOWN)

    @property
    def areas_improved(self) -> tuple[str, ...]:
        """Previous areas for improvement now graded higher."""
        return tuple(
            c.qi
            for c in self.changes
            if c.previous is not None
            and c.previous <= Grade.ADEQUATE
            and c.direction is Direction.UP
        )

    @property
    def areas_not_improved(self) -> tuple[str, ...]:
        """Previous areas for improvement not graded higher now."""
        return tuple(
            c.qi
            for c in self.changes
            if c.previous is not None
            and c.previous <= Grade.ADEQUATE
            and c.direction is not Direction.UP
        )

    def direction(self, qi: str) -> Direction | None:
        """The direction of one indicator."""
        for c in self.changes:
            if c.qi == qi:
                return c.direction
        return None


@attrs.frozen(kw_only=True)
class Lever:
    """One lever for improvement and the evidence behind it.

    :param grades: indicator -> grade used, for the graded indicators.
    :param mean: the mean of those grades, or ``None`` if none is graded.
    :param trend: indicator -> direction since the previous evaluation.
    """

    name: str
    title: str
    indicators: tuple[str, ...]
    grades: Mapping[str, Grade]
    mean: float | None = None
    trend: Mapping[str, Direction]


@attrs.frozen(kw_only=True)
class CapacityJudgement:
    """The suggested judgement of capacity for improvement (QI 10).

    :param grade: the suggested grade for QI 10, or ``None`` with
        *no_grade_reason* (e.g. too little evidence).
    :param confidence: the confidence statement.
    :param levers: the framework's levers for improvement (four in the
        bundled frameworks), each with its evidence.
    :param barriers: what stands in the way, in words.
    :param rules_fired: the capacity rules that fired; limiting rules are the
        caps and limits among them.
    :param evidence_gaps: indicators with no grade or whose evidence is not
        triangulated.
    :param trend: the trend against the previous evaluation, if one was
        given.
    :param counts: the capacity profile the rules read.
    """

    grade: Grade | None = None
    no_grade_reason: str | None = None
    confidence: Confidence
    levers: tuple[Lever, ...]
    barriers: tuple[str, ...]
    rules_fired: tuple[FiredRule, ...]
    evidence_gaps: tuple[str, ...]
    trend: Trend | None = None
    counts: Mapping[str, int]
    rules: str

    @property
    def limiting_rules(self) -> tuple[FiredRule, ...]:
        """The caps and confidence limits that fired."""
        return tuple(r for r in self.rules_fired if EFFECTS[r.effect].limiting)

    def statement(self) -> str:
        """The judgement as a paragraph for a position statement."""
        c = self.counts
        parts = []
        graded = f"{c['graded']} of {c['indicators']} quality indicators have a grade"
        if self.grade is None:
            parts.append(
                f"{graded}. qifeval suggests no grade for capacity for improvement. "
                f"{self.no_grade_reason} Until that evidence is gathered, the partnership "
                f"{_CAN[self.confidence]} of making the improvements needed."
            )
        else:
            parts.append(
                f"{graded}, {c['good_or_better_pct']}% of them good or better. On this evidence "
                f"qifeval suggests that capacity for improvement is {self.grade.label.lower()} "
                f"({int(self.grade)}) and that the partnership {_CAN[self.confidence]} "
                "of making the improvements needed."
            )
        lever_text = []
        for lever in self.levers:
            if lever.mean is None:
                lever_text.append(f"{lever.title.lower()} has no graded indicators")
            else:
                ids = ", ".join(lever.grades)
                lever_text.append(f"{lever.title.lower()} averages {lever.mean:.1f} ({ids})")
        parts.append("Levers for improvement: " + "; ".join(lever_text) + ".")
        if self.trend is not None:
            parts.append(
                f"Since the previous evaluation ({self.trend.previous}), "
                f"{_count(len(self.trend.improved), 'indicator')} improved and "
                f"{len(self.trend.declined)} declined; "
                f"{_count(len(self.trend.areas_improved), 'previous area')} for improvement improved "
                f"and {len(self.trend.areas_not_improved)} did not."
            )
        if self.barriers:
            parts.append("Barriers: " + "; ".join(self.barriers) + ".")
        limits = [r.reason for r in self.limiting_rules if r.decisive]
        if limits:
            parts.append("Limiting: " + " ".join(limits))
        if self.evidence_gaps:
            parts.append(
                "Evidence gaps: "
                + ", ".join(self.evidence_gaps)
                + " (no grade, or evidence not triangulated)."
            )
        return " ".join(parts)


_CAN = {
    Confidence.VERY_CONFIDENT: "can be very confident",
    Confidence.CONFIDENT: "can be confident",
    Confidence.NOT_YET_CONFIDENT: "cannot yet be confident",
}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def capacity_model(framework: Framework) -> CapacityModel:
    """The framework's ``[capacity]`` table; for a framework without one,
    the default framework's, restricted to the indicators and key areas
    *framework* has."""
    if framework.capacity is not None:
        return framework.capacity
    default = load_framework().capacity
    return CapacityModel() if default is None else default.restricted_to(framework)


def capacity_profile(
    framework: Framework,
    grades: Mapping[str, Grade | None],
    triangulation: Mapping[str, Triangulation],
    context: Context,
    trend: Trend | None,
) -> tuple[dict[str, int], dict[str, tuple[str, ...]], tuple[Lever, ...]]:
    """The capacity profile (every registered capacity field -> value), the
    ids behind each field, and the levers."""
    model = capacity_model(framework)
    graded = tuple(qi.id for qi in framework.indicators if grades.get(qi.id) is not None)
    levers = []
    lever_values: dict[str, tuple[int, tuple[str, ...]]] = {}
    for spec in model.levers:
        lever_ids = model.lever_indicators(framework, spec)
        lever_grades = {q: g for q in lever_ids if (g := grades.get(q)) is not None}
        given = [int(g) for g in lever_grades.values()]
        mean = sum(given) / len(given) if given else None
        value = 0 if not given else (10 * sum(given)) // len(given)
        lever_values[spec.name] = (value, tuple(lever_grades))
        directions = {}
        if trend is not None:
            for q in lever_ids:
                d = trend.direction(q)
                if d is not None:
                    directions[q] = d
        levers.append(
            Lever(
                name=spec.name,
                title=spec.title,
                indicators=lever_ids,
                grades=lever_grades,
                mean=mean,
                trend=directions,
            )
        )
    facts = CapacityFacts(
        framework=framework,
        model=model,
        grades=grades,
        graded=graded,
        triangulated={
            q: triangulation[q].status is TriangulationStatus.TRIANGULATED for q in graded
        },
        context=context,
        trend=trend,
        levers=lever_values,
    )
    counts: dict[str, int] = {}
    ids: dict[str, tuple[str, ...]] = {}
    for name, field in FIELDS["capacity"].items():
        counts[name], ids[name] = field.value(facts)
    return counts, ids, tuple(levers)


def barriers(
    framework: Framework, grades: Mapping[str, Grade | None], context: Context, trend: Trend | None
) -> tuple[str, ...]:
    """What stands in the way of improvement, in words."""
    out = [
        f"{c.kind.label} ({c.severity.value})"
        + (f": {c.note.strip().rstrip('.')}" if c.note.strip() else "")
        for c in sorted(context.challenges, key=lambda c: -c.severity.points)
        if c.severity is not Severity.LOW
    ]
    for qi in framework.indicators:
        g = grades.get(qi.id)
        if g is not None and g <= Grade.WEAK:
            out.append(f"{qi.id} {qi.title} is graded {g.label.lower()}")
    out += [
        f"readiness ({r.aspect.value.replace('_', ' ')}): {r.statement.strip().rstrip('.')}"
        for r in context.readiness
        if r.valence is Valence.WEAKNESS
    ]
    if trend is not None:
        out += [f"{q} has declined since the previous evaluation" for q in trend.declined]
    return tuple(out)


def judge(
    rules: RuleSet,
    framework: Framework,
    grades: Mapping[str, Grade | None],
    triangulation: Mapping[str, Triangulation],
    context: Context,
    trend: Trend | None,
    *,
    engine: str,
) -> CapacityJudgement:
    """Run the capacity rules and assemble the judgement."""
    counts, ids, levers = capacity_profile(framework, grades, triangulation, context, trend)
    fired = run_rules(rules, {"10": counts}, engine)["10"]
    outcome = fold(rules, fired)
    explained = explain(rules, ids, fired, outcome)
    gaps = tuple(
        qi.id
        for qi in framework.indicators
        if grades.get(qi.id) is None
        or triangulation[qi.id].status is not TriangulationStatus.TRIANGULATED
    )
    return CapacityJudgement(
        grade=outcome.grade,
        no_grade_reason=outcome.reason,
        confidence=outcome.confidence,
        levers=levers,
        barriers=barriers(framework, grades, context, trend),
        rules_fired=explained,
        evidence_gaps=gaps,
        trend=trend,
        counts=counts,
        rules=rules.name,
    )


_convert.register_enums(Direction)
