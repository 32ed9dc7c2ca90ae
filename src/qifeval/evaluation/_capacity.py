"""Capacity for improvement (quality indicator 10): the ability to improve,
judged from the trajectory since the previous evaluation, the robustness of
the self-evaluation, the progress of the improvement plan, leadership and
its stability, the workforce and the contextual challenges.

The seeds give the inputs, not a formula. qifeval's default is a suggested
six-point grade for QI 10 and a confidence statement, formed by the capacity
rules (``rules/capacity-2026.toml``) run on the same engine as the grading
rules. Grades are ordinal: they are counted and compared (shares, medians),
never averaged.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from typing import Protocol

import attrs

from .. import _convert
from .._errors import InputError
from ..evidence._context import ChallengeKind, Context, Severity
from ..evidence._fields import FIELDS, CapacityFacts, lower_median
from ..evidence._kinds import Valence
from ..evidence._triangulation import Triangulation, TriangulationStatus
from ..frameworks._grade import Grade
from ..frameworks._loading import load_framework
from ..frameworks._model import CapacityModel, Framework
from ..rules._firing import FiredRule, explain, fold, run_rules
from ..rules._model import EFFECTS, Confidence, Effect, RuleSet

__all__ = [
    "CapacityJudgement",
    "Direction",
    "IndicatorChange",
    "Lever",
    "MatchFigures",
    "MatchLike",
    "PlanFigures",
    "PlanProgressLike",
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


class PlanProgressLike(Protocol):
    """What the capacity judgement reads of an improvement plan's progress
    on the day of the evaluation."""

    @property
    def done(self) -> int:
        """Actions done."""

    @property
    def overdue(self) -> int:
        """Actions past their due date and not done (nor dropped)."""

    @property
    def total(self) -> int:
        """All actions in the plan."""


class MatchLike(Protocol):
    """What the capacity judgement reads of how closely the self-evaluation
    matched an independent evaluation."""

    @property
    def exact_share(self) -> float:
        """The share (0-1) of the indicators both graded where the grades
        agree exactly."""

    @property
    def within_one_share(self) -> float:
        """The share (0-1) where they differ by at most one grade."""

    @property
    def indicators(self) -> int:
        """The indicators both graded."""


@attrs.frozen(kw_only=True)
class PlanFigures:
    """The counts of an improvement plan's actions that the capacity
    judgement reads (a :class:`PlanProgressLike`): an evaluation gives the
    actions not dropped as *total*, as the plan's own summary counts them."""

    done: int
    overdue: int
    total: int


@attrs.frozen(kw_only=True)
class MatchFigures:
    """The figures of a match with an independent evaluation that the
    capacity judgement reads (a :class:`MatchLike`)."""

    exact_share: float
    within_one_share: float
    indicators: int


def input_problems(
    plan: PlanProgressLike | None, independent: MatchLike | None
) -> list[tuple[str, str]]:
    """``(field path, problem)`` for each value of the plan's progress or
    the independent evaluation's match that cannot be right."""
    out: list[tuple[str, str]] = []
    if plan is not None:
        counts = {"done": plan.done, "overdue": plan.overdue, "total": plan.total}
        for name, value in counts.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                out.append(
                    (f"plan_progress.{name}", f"expected a whole number >= 0, got {value!r}")
                )
        if not out and plan.done + plan.overdue > plan.total:
            out.append(
                (
                    "plan_progress.total",
                    f"{plan.done} done and {plan.overdue} overdue are more than the "
                    f"{plan.total} actions",
                )
            )
    if independent is not None:
        n = independent.indicators
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            out.append(("independent.indicators", f"expected a whole number >= 0, got {n!r}"))
        shares = {
            "exact_share": independent.exact_share,
            "within_one_share": independent.within_one_share,
        }
        for name, share in shares.items():
            if (
                isinstance(share, bool)
                or not isinstance(share, int | float)
                or not math.isfinite(share)
                or not 0 <= share <= 1
            ):
                out.append((f"independent.{name}", f"expected a share from 0 to 1, got {share!r}"))
        if not out and independent.exact_share > independent.within_one_share:
            out.append(
                (
                    "independent.exact_share",
                    "the share agreeing exactly cannot exceed the share within one grade",
                )
            )
    return out


@attrs.frozen(kw_only=True)
class Lever:
    """One lever for improvement and the evidence behind it.

    :param grades: indicator -> grade used, for the graded indicators.
    :param median: the median of those grades (the lower median, so always
        one of them), or ``None`` if none is graded. Grades are ordinal and
        never averaged.
    :param trend: indicator -> direction since the previous evaluation.
    """

    name: str
    title: str
    indicators: tuple[str, ...]
    grades: Mapping[str, Grade]
    median: Grade | None = None
    trend: Mapping[str, Direction]

    @property
    def good_or_better(self) -> tuple[str, ...]:
        """The lever's indicators graded Good or better."""
        return tuple(q for q, g in self.grades.items() if g >= Grade.GOOD)


class StatementVoice(enum.StrEnum):
    """Who speaks in the capacity statement: an inspector about the
    partnership, or the partnership itself in its position statement."""

    INSPECTOR = "inspector"
    PARTNERSHIP = "partnership"


_WORDS = {
    StatementVoice.INSPECTOR: {
        "we_have": "the partnership has",
        "we_face": "the partnership faces",
        "the_": "the ",
    },
    StatementVoice.PARTNERSHIP: {"we_have": "we have", "we_face": "we face", "the_": "our "},
}

_OPENING = {
    Confidence.VERY_CONFIDENT: "We are very confident that",
    Confidence.CONFIDENT: "We are confident that",
    Confidence.NOT_YET_CONFIDENT: "We are not yet confident that",
}


@attrs.frozen(kw_only=True)
class CapacityJudgement:
    """The suggested judgement of capacity for improvement (QI 10).

    :param grade: the suggested grade for QI 10, or ``None`` with
        *no_grade_reason* (e.g. too little evidence).
    :param confidence: the confidence statement; ``not yet confident`` when
        there is no grade, and then no confidence is claimed.
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
    :param titles: indicator id -> title, for the indicators the statement
        cites.
    :param grades: indicator -> the grade that counts, for the graded
        indicators.
    :param leadership: the framework's leadership indicators.
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
    titles: Mapping[str, str] = attrs.field(factory=dict)
    grades: Mapping[str, Grade] = attrs.field(factory=dict)
    leadership: tuple[str, ...] = ()

    @property
    def limiting_rules(self) -> tuple[FiredRule, ...]:
        """The caps and confidence limits that fired."""
        return tuple(r for r in self.rules_fired if EFFECTS[r.effect].limiting)

    def _lever(self, name: str) -> Lever | None:
        return next((lv for lv in self.levers if lv.name == name), None)

    def _for(self, words: Mapping[str, str], cite: _Citer) -> list[str]:
        """What supports confidence, each as a clause."""
        c = self.counts
        out = []
        if self.trend is not None and c["improved"]:
            areas = len(self.trend.areas_improved) + len(self.trend.areas_not_improved)
            text = (
                f"{c['improved']} of the {c['compared']} quality indicators graded in both "
                f"evaluations improved since {words['the_']}previous evaluation "
                f"({self.trend.previous})"
            )
            if areas:
                text += (
                    f", including {c['areas_improved']} of the {areas} previous areas "
                    "for improvement"
                )
            if not c["declined"]:
                text += ", and none declined"
            out.append(text)
        if c["leadership_good_or_better"]:
            good = [q for q in self.leadership if self.grades.get(q, 0) >= Grade.GOOD]
            n, k = c["leadership_graded"], c["leadership_good_or_better"]
            counted = (
                "the one leadership indicator graded is"
                if n == 1
                else f"{k} of the {n} leadership indicators graded are"
            )
            out.append(f"{counted} good or better ({cite(good)})")
        for name in ("improvement", "intelligence", "outcomes"):
            lever = self._lever(name)
            if lever is not None and lever.median is not None and lever.median >= Grade.GOOD:
                out.append(
                    f"for {_lower_first(lever.title)}, the median grade of "
                    f"{cite(tuple(lever.grades))} is {lever.median.label.lower()}"
                )
        if c["has_plan"] and c["plan_done"]:
            text = (
                f"{c['plan_done']} of the {c['plan_actions']} actions of {words['the_']}"
                "improvement plan are done"
            )
            if not c["plan_overdue"]:
                text += " and none is overdue"
            out.append(text)
        if (
            c["has_independent"]
            and c["independent_indicators"]
            and c["independent_within_one_pct"] >= 75
        ):
            out.append(
                f"{words['the_']}self-evaluation matched the independent evaluation closely: "
                f"on {c['independent_indicators']} indicators, {c['independent_exact_pct']}% "
                f"of the grades agreed exactly and {c['independent_within_one_pct']}% within one"
            )
        if c["graded"] and c["triangulated_pct"] >= 75:
            out.append(
                f"{c['graded'] - c['not_triangulated']} of the {c['graded']} graded indicators "
                "rest on evidence triangulated across kinds of evidence"
            )
        return out

    def _against(self, words: Mapping[str, str], cite: _Citer) -> list[str]:
        """What holds confidence back, each as a clause."""
        c = self.counts
        out = []
        if self.trend is not None and not c["improved"]:
            out.append(
                f"none of the {c['compared']} quality indicators graded in both evaluations "
                f"improved since {words['the_']}previous evaluation ({self.trend.previous})"
            )
        for b in self.barriers:
            label, sep, rest = b.partition(" (")
            if sep and label in _CHALLENGE_LABELS:
                out.append(f"{words['we_face']} {label} ({rest}")
            else:
                out.append(b)
        below = [q for lever in self.levers for q, g in lever.grades.items() if g == Grade.ADEQUATE]
        below = list(dict.fromkeys(q for q in self.titles if q in set(below)))
        if below:
            out.append(
                f"{len(below)} of the {c['graded']} graded indicators are adequate, not yet "
                f"good ({cite(below)})"
            )
        if c["graded"] and c["not_triangulated"]:
            out.append(
                f"{c['not_triangulated']} of the {c['graded']} graded indicators rest on "
                "evidence that is not triangulated"
            )
        if c["ungraded"]:
            out.append(f"{c['ungraded']} of the {c['indicators']} quality indicators have no grade")
        if self.trend is None:
            out.append("there is no previous evaluation to show the trend of improvement")
        return out

    def statement(self, voice: str = "inspector") -> str:
        """The judgement as a balanced paragraph, as an inspector writes it
        ("We are confident that ... This is because ... However, ..."), or,
        with ``voice="partnership"``, in the partnership's own voice for its
        position statement ("We are confident that we have ..."). It cites
        the levers and the indicators by id and title (each title once), and
        counts and medians of grades, never averages. When the grade is
        withheld it says there is too little evidence and claims no
        confidence.

        :raises InputError: for another voice.
        """
        try:
            words = _WORDS[StatementVoice(voice)]
        except ValueError:
            raise InputError(
                f"expected voice 'inspector' or 'partnership', got {voice!r}", path="voice"
            ) from None
        c = self.counts
        cite = _Citer(self.titles)
        if self.grade is None:
            if any(r.effect is Effect.WITHHOLD for r in self.rules_fired):
                parts = [
                    f"There is too little evidence for a judgement on {words['the_']}capacity "
                    f"for improvement: {c['graded']} of the {c['indicators']} quality indicators "
                    "have a grade. No level of confidence is claimed until that evidence is "
                    "gathered."
                ]
            else:
                reason = (self.no_grade_reason or "no rule suggested a grade").strip().rstrip(".")
                parts = [
                    f"No judgement on {words['the_']}capacity for improvement is suggested: "
                    f"{reason}. No level of confidence is claimed."
                ]
            support = self._for(words, cite)
            if self.trend is not None and not c["improved"]:
                support.insert(0, self._against(words, cite)[0])
            if support:
                parts.append("What evidence there is shows that " + "; ".join(support) + ".")
            barriers = [
                x for x in self._against(words, _Citer({})) if not x.startswith("none of the")
            ][: len(self.barriers)]
            if barriers:
                parts.append("However, " + "; ".join(barriers) + ".")
            if self.evidence_gaps:
                parts.append(
                    "Evidence is needed on "
                    + cite(self.evidence_gaps, most=8)
                    + " (no grade, or evidence not triangulated)."
                )
            return " ".join(parts)
        opening = (
            f"{_OPENING[self.confidence]} {words['we_have']} the capacity to make the "
            f"improvements needed (capacity for improvement: {self.grade.label.lower()})."
        )
        if self.confidence is Confidence.NOT_YET_CONFIDENT:
            support = self._against(words, cite)
            against = self._for(words, cite)
        else:
            support = self._for(words, cite)
            against = self._against(words, cite)
        parts = [opening]
        if support:
            parts.append("This is because " + "; ".join(support) + ".")
        if against:
            parts.append("However, " + "; ".join(against) + ".")
        return " ".join(parts)


class _Citer:
    """Cites indicators by id and title, giving each title only the first
    time."""

    def __init__(self, titles: Mapping[str, str]) -> None:
        self.titles = titles
        self.seen: set[str] = set()

    def __call__(self, ids: tuple[str, ...] | list[str], most: int = 6) -> str:
        named = []
        for q in ids:
            if q in self.titles and q not in self.seen:
                named.append(f"{q} {self.titles[q]}")
            else:
                named.append(q)
            self.seen.add(q)
        if len(named) > most:
            return ", ".join(named[:most]) + f" and {len(named) - most} more"
        return _and(named)


_CHALLENGE_LABELS = frozenset(kind.label for kind in ChallengeKind)


def _and(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


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
    plan_progress: PlanProgressLike | None = None,
    independent: MatchLike | None = None,
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
        # The earlier rule set reads the mean times ten; nothing else does.
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
                median=lower_median(lever_grades.values()),
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
        plan=plan_progress,
        independent=independent,
    )
    counts: dict[str, int] = {}
    ids: dict[str, tuple[str, ...]] = {}
    for name, field in FIELDS["capacity"].items():
        counts[name], ids[name] = field.value(facts)
    return counts, ids, tuple(levers)


def barriers(
    framework: Framework,
    grades: Mapping[str, Grade | None],
    context: Context,
    trend: Trend | None,
    plan_progress: PlanProgressLike | None = None,
    independent: MatchLike | None = None,
) -> tuple[str, ...]:
    """What stands in the way of improvement, in words: contextual
    challenges (most severe first), indicators graded weak or worse,
    negative readiness evidence, declines, overdue plan actions and a
    self-evaluation far from an independent one."""
    out = [
        f"{c.kind.label} ({c.severity.value})"
        + (f": {c.note.strip().rstrip('.')}" if c.note.strip() else "")
        for c in sorted(context.challenges, key=lambda c: -c.severity.points)
        if c.severity is not Severity.LOW
    ]
    for qi in framework.indicators:
        g = grades.get(qi.id)
        if g is not None and g <= Grade.WEAK:
            text = f"{qi.id} {qi.title} is graded {g.label.lower()}"
            if trend is not None and trend.direction(qi.id) is Direction.UP:
                text += ", though improving"
            out.append(text)
    out += [
        f"readiness ({r.aspect.value.replace('_', ' ')}): {r.statement.strip().rstrip('.')}"
        for r in context.readiness
        if r.valence is Valence.WEAKNESS
    ]
    if trend is not None:
        out += [f"{q} has declined since the previous evaluation" for q in trend.declined]
    if plan_progress is not None and plan_progress.overdue:
        out.append(
            f"{plan_progress.overdue} of the {plan_progress.total} actions of the improvement "
            "plan are overdue"
        )
    if independent is not None and independent.indicators and independent.within_one_share < 0.75:
        exact, within = (
            int(round(100 * share, 6) // 1)
            for share in (independent.exact_share, independent.within_one_share)
        )
        out.append(
            "the self-evaluation differed from the independent evaluation: on "
            f"{independent.indicators} indicators, {exact}% of the grades agreed exactly and "
            f"{within}% within one"
        )
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
    plan_progress: PlanProgressLike | None = None,
    independent: MatchLike | None = None,
) -> CapacityJudgement:
    """Run the capacity rules and assemble the judgement.

    :param plan_progress: the improvement plan's progress on the day of the
        evaluation (done, overdue, total), if there is a plan.
    :param independent: how closely the self-evaluation matched an
        independent evaluation (shares agreeing exactly and within one
        grade, on how many indicators), if there is one.
    :raises InputError: naming the field, for counts or shares that cannot
        be right.
    """
    for path, problem in input_problems(plan_progress, independent):
        raise InputError(problem, path=path)
    counts, ids, levers = capacity_profile(
        framework, grades, triangulation, context, trend, plan_progress, independent
    )
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
        barriers=barriers(framework, grades, context, trend, plan_progress, independent),
        rules_fired=explained,
        evidence_gaps=gaps,
        trend=trend,
        counts=counts,
        rules=rules.name,
        titles={qi.id: qi.title for qi in framework.indicators},
        grades={qi.id: g for qi in framework.indicators if (g := grades.get(qi.id)) is not None},
        leadership=capacity_model(framework).leadership(framework),
    )


_convert.register_enums(Direction, StatementVoice)
