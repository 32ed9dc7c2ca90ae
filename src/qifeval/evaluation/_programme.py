"""The programme view: many partnerships and years at once.

Like the inspectorate's report on a programme of inspections, it gives per
indicator how many partnerships were graded Excellent to Unsatisfactory
(the grade that counts: a person's decision where there is one, otherwise
the suggestion), beside the 2014-16 national results where the indicator
was graded then; how confident partnerships can be in their capacity for
improvement; the key factors most often evidenced as strengths and as areas
for improvement; and each partnership's trend across its evaluations.
"""

from __future__ import annotations

import datetime as _dt
import itertools
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .._errors import InputError, QifevalError
from .._ids import ref_key
from ..frameworks._crosswalk import load_crosswalk
from ..frameworks._grade import Grade
from ..frameworks._inspections import InspectionProfile, inspection_profile
from ..frameworks._loading import available_frameworks, load_framework
from ..frameworks._model import Framework
from ..frameworks._national import IndicatorResults, national_results
from ..rules._model import Confidence
from ._capacity import Direction, IndicatorChange
from ._evaluate import Evaluation, PreviousEvaluation
from ._records import Records, evaluation_records

__all__ = [
    "GradeDistribution",
    "KeyFactorTally",
    "PartnershipTrend",
    "Programme",
    "ProgrammeGroup",
    "TrendPoint",
    "programme",
    "programme_json",
]

#: How many key factors the programme view lists as strengths and as areas
#: for improvement.
TOP_KEY_FACTORS = 5

_GRADES = tuple(sorted(Grade, reverse=True))


def _all_grades(counts: Mapping[Grade, int]) -> dict[Grade, int]:
    return {g: counts.get(g, 0) for g in _GRADES}


@attrs.frozen(kw_only=True)
class GradeDistribution:
    """How the partnerships of a group were graded on one indicator.

    :param counts: partnerships per grade, every grade from Excellent to
        Unsatisfactory (the grade that counts: decided where a person
        decided, otherwise suggested).
    :param decided: how many of those grades a person confirmed or
        overrode.
    :param not_graded: partnerships with no grade on the indicator.
    :param national_qi: the indicator's id in the 2014-16 national results
        (``qif-2014``), when it was graded then.
    :param national: those results (12 areas), when it was graded then.
    :param inspected: whether the group's inspection profile grades the
        indicator; ``None`` when the group names no profile.
    """

    qi: str
    title: str
    counts: Mapping[Grade, int] = attrs.field(converter=_all_grades)
    decided: int = 0
    not_graded: int = 0
    national_qi: str | None = None
    national: IndicatorResults | None = None
    inspected: bool | None = None

    @property
    def graded(self) -> int:
        """The number of partnerships with a grade."""
        return sum(self.counts.values())

    @property
    def good_or_better(self) -> int:
        """Partnerships graded Good or better."""
        return sum(n for g, n in self.counts.items() if g >= Grade.GOOD)


@attrs.frozen(kw_only=True)
class KeyFactorTally:
    """A key factor and how many partnerships evidenced it one way.

    :param ref: ``"QI/key_factor/N"``.
    :param text: the key factor's words (the reference when the framework
        is not bundled).
    :param partnerships: partnerships with at least one finding of this
        valence on the key factor.
    :param findings: the number of such findings.
    """

    ref: str
    qi: str
    text: str
    partnerships: int
    findings: int


@attrs.frozen(kw_only=True)
class TrendPoint:
    """One evaluation of a partnership in its trend.

    :param grades: indicator id -> grade that counts, in the ids of the
        partnership's latest framework (mapped through the 2014-2018
        crosswalk where an earlier evaluation used the other framework).
    """

    label: str
    date: _dt.date | None
    grades: Mapping[str, Grade | None]
    capacity: Grade | None = None
    confidence: Confidence | None = None


@attrs.frozen(kw_only=True)
class PartnershipTrend:
    """A partnership's grades across its evaluations, oldest first; the
    last point is the evaluation the programme view counts."""

    partnership: str
    framework: str
    points: tuple[TrendPoint, ...]

    @property
    def changes(self) -> tuple[IndicatorChange, ...]:
        """Each indicator's change from the previous evaluation to the
        latest."""
        if len(self.points) < 2:
            return ()
        before, now = self.points[-2].grades, self.points[-1].grades
        return tuple(
            IndicatorChange(qi=qi, previous=before.get(qi), current=now.get(qi)) for qi in now
        )

    def _count(self, direction: Direction) -> int:
        return sum(1 for c in self.changes if c.direction is direction)

    @property
    def improved(self) -> int:
        """Indicators graded higher than in the previous evaluation."""
        return self._count(Direction.UP)

    @property
    def same(self) -> int:
        """Indicators graded the same."""
        return self._count(Direction.SAME)

    @property
    def declined(self) -> int:
        """Indicators graded lower."""
        return self._count(Direction.DOWN)


@attrs.frozen(kw_only=True)
class ProgrammeGroup:
    """The partnerships evaluated against one framework and inspection
    profile, each counted once (its latest evaluation).

    :param profile: the inspection profile the evaluations name, or
        ``None``.
    :param indicators: one distribution per indicator, in framework order.
    :param capacity: partnerships per suggested capacity grade (QI 10).
    :param confidence: partnerships per confidence statement.
    :param strengths: the key factors most often evidenced as strengths
        (at most ``TOP_KEY_FACTORS``, 5, most partnerships first).
    :param areas_for_improvement: likewise for weaknesses.
    """

    framework: str
    profile: str | None
    partnerships: tuple[str, ...]
    indicators: tuple[GradeDistribution, ...]
    capacity: Mapping[Grade, int] = attrs.field(converter=_all_grades)
    capacity_not_graded: int = 0
    confidence: Mapping[Confidence, int]
    strengths: tuple[KeyFactorTally, ...] = ()
    areas_for_improvement: tuple[KeyFactorTally, ...] = ()

    def indicator(self, qi: str) -> GradeDistribution:
        """The distribution of one indicator."""
        for d in self.indicators:
            if d.qi == qi:
                return d
        raise InputError(f"the programme view has no indicator {qi!r}", path="qi")


@attrs.frozen(kw_only=True)
class Programme:
    """The programme view of many evaluations (see :func:`programme`).

    :param groups: one per framework and inspection profile.
    :param trends: one per partnership, in name order.
    :param evaluations: every evaluation given, by partnership then date.
    """

    groups: tuple[ProgrammeGroup, ...]
    trends: tuple[PartnershipTrend, ...]
    evaluations: tuple[Evaluation, ...] = attrs.field(eq=False, repr=False)

    @property
    def partnerships(self) -> int:
        """The number of partnerships."""
        return len(self.trends)

    def group(self, framework: str, profile: str | None = None) -> ProgrammeGroup:
        """The group of one framework (and inspection profile)."""
        for g in self.groups:
            if g.framework == framework and g.profile == profile:
                return g
        raise InputError(
            f"the programme view has no group for framework {framework!r}"
            + (f" and profile {profile!r}" if profile else ""),
            path="framework",
        )

    def to_records(self) -> Records:
        """Every evaluation's records: one row per partnership, evaluation
        and indicator, one per finding (see :class:`Records`)."""
        return Records.concat(evaluation_records(e) for e in self.evaluations)

    def _repr_html_(self) -> str:
        from .._display import html_for

        return html_for(self)


def _sort_key(e: Evaluation) -> tuple[str, _dt.date]:
    return (e.evidence.partnership, e.evidence.date or _dt.date.min)


def _by_partnership(evaluations: Iterable[Evaluation]) -> dict[str, list[Evaluation]]:
    out: dict[str, list[Evaluation]] = {}
    for i, e in enumerate(evaluations):
        if not isinstance(e, Evaluation):
            raise InputError(
                f"expected an Evaluation, got {type(e).__name__}", path=f"evaluations[{i}]"
            )
        out.setdefault(e.evidence.partnership, []).append(e)
    for name, items in out.items():
        items.sort(key=_sort_key)
        dates = [e.evidence.date for e in items]
        if len(items) > 1 and None in dates:
            raise InputError(
                f"partnership {name!r} has {len(items)} evaluations and one has no date; "
                "dates put a partnership's evaluations in order",
                path="evidence.date",
            )
        for a, b in itertools.pairwise(items):
            if a.evidence.date == b.evidence.date:
                raise InputError(
                    f"partnership {name!r} has two evaluations dated {a.evidence.date}: "
                    f"{a.label()!r} and {b.label()!r}",
                    path="evidence.date",
                )
    return dict(sorted(out.items()))


def _mapped(previous: PreviousEvaluation, framework: str) -> dict[str, Grade]:
    """The grades of *previous* in the ids of *framework*."""
    if previous.framework == framework:
        return dict(previous.grades)
    crosswalk = load_crosswalk()
    out = {}
    for qi, grade in previous.grades.items():
        try:
            target = crosswalk.translate(qi, previous.framework, framework)
        except QifevalError:  # a framework the crosswalk does not join
            return {}
        if target is not None:
            out[target] = grade
    return out


def _trend(name: str, items: list[Evaluation]) -> PartnershipTrend:
    latest = items[-1]
    points = []
    if len(items) == 1 and latest.previous is not None:
        prev = latest.previous
        points.append(
            TrendPoint(label=prev.label, date=None, grades=_mapped(prev, latest.framework))
        )
    for e in items:
        grades: Mapping[str, Grade | None] = e.grades
        if e is not latest:
            grades = _mapped(PreviousEvaluation.from_evaluation(e), latest.framework)
        points.append(
            TrendPoint(
                label=e.label(),
                date=e.evidence.date,
                grades={r.qi: grades.get(r.qi) for r in latest.results},
                capacity=e.capacity.grade,
                confidence=e.capacity.confidence,
            )
        )
    return PartnershipTrend(partnership=name, framework=latest.framework, points=tuple(points))


def _national_qi(qi: str, framework: str) -> str | None:
    national = national_results()
    if framework == national.framework:
        found: str | None = qi
    else:
        try:
            found = load_crosswalk().translate(qi, framework, national.framework)
        except QifevalError:
            return None
    return found if found is not None and found in national else None


def _key_factor_text(framework: Framework | None, ref: str) -> str:
    if framework is None:
        return ref
    qi, _, n = ref.split("/")
    try:
        return framework.indicator(qi).key_factors[int(n) - 1]
    except (QifevalError, IndexError, ValueError):
        return ref


def _tallies(
    current: list[Evaluation], framework: Framework | None, strength: bool
) -> tuple[KeyFactorTally, ...]:
    partnerships: dict[str, set[str]] = {}
    findings: dict[str, int] = {}
    for e in current:
        for f in e.evidence.findings:
            if f.key_factor is None or f.is_strength is not strength:
                continue
            partnerships.setdefault(f.key_factor, set()).add(e.evidence.partnership)
            findings[f.key_factor] = findings.get(f.key_factor, 0) + 1
    ranked = sorted(partnerships, key=lambda r: (-len(partnerships[r]), -findings[r], ref_key(r)))
    return tuple(
        KeyFactorTally(
            ref=r,
            qi=r.split("/")[0],
            text=_key_factor_text(framework, r),
            partnerships=len(partnerships[r]),
            findings=findings[r],
        )
        for r in ranked[:TOP_KEY_FACTORS]
    )


def _profile(profile_id: str | None) -> InspectionProfile | None:
    if profile_id is None:
        return None
    try:
        return inspection_profile(profile_id)
    except QifevalError:  # a profile qifeval does not bundle
        return None


def _group(framework_id: str, profile_id: str | None, current: list[Evaluation]) -> ProgrammeGroup:
    framework = load_framework(framework_id) if framework_id in available_frameworks() else None
    profile = _profile(profile_id)
    first = current[0]
    distributions = []
    for r in first.results:
        counts: dict[Grade, int] = {}
        decided = not_graded = 0
        for e in current:
            grade = e.grades.get(r.qi)
            if grade is None:
                not_graded += 1
                continue
            counts[grade] = counts.get(grade, 0) + 1
            if e.decision(r.qi) is not None:
                decided += 1
        national_qi = _national_qi(r.qi, framework_id)
        distributions.append(
            GradeDistribution(
                qi=r.qi,
                title=r.title,
                counts=counts,
                decided=decided,
                not_graded=not_graded,
                national_qi=national_qi,
                national=national_results().for_indicator(national_qi) if national_qi else None,
                inspected=None if profile is None else profile.is_graded(r.qi),
            )
        )
    capacity: dict[Grade, int] = {}
    confidence = {c: 0 for c in sorted(Confidence, key=lambda c: -c.rank)}
    for e in current:
        if e.capacity.grade is not None:
            capacity[e.capacity.grade] = capacity.get(e.capacity.grade, 0) + 1
        confidence[e.capacity.confidence] += 1
    return ProgrammeGroup(
        framework=framework_id,
        profile=profile_id,
        partnerships=tuple(e.evidence.partnership for e in current),
        indicators=tuple(distributions),
        capacity=capacity,
        capacity_not_graded=sum(1 for e in current if e.capacity.grade is None),
        confidence=confidence,
        strengths=_tallies(current, framework, True),
        areas_for_improvement=_tallies(current, framework, False),
    )


def programme(evaluations: Iterable[Evaluation]) -> Programme:
    """The programme view of *evaluations*: many partnerships, each with
    one or more evaluations (told apart by the evidence's partnership name
    and put in order by date).

    Each partnership counts once, with its latest evaluation; the earlier
    ones (and a previous evaluation recorded in an evaluation) give its
    trend. Partnerships are grouped by framework and by the inspection
    profile their latest evaluation names. The result does not depend on
    the order of *evaluations*, and the work grows linearly with their
    number and size.

    >>> from qifeval import programme
    >>> from qifeval.fictional import fictional_evaluations
    >>> view = programme(fictional_evaluations(4, 2, findings=44))
    >>> view.partnerships, [len(t.points) for t in view.trends]
    (4, [2, 2, 2, 2])
    >>> d = view.groups[0].indicator("5.2")
    >>> d.graded + d.not_graded
    4

    :raises InputError: for an item that is not an :class:`Evaluation`,
        and for two evaluations of one partnership with the same date (or
        several where one has no date), naming them.
    """
    by_name = _by_partnership(evaluations)
    groups: dict[tuple[str, str], list[Evaluation]] = {}
    for items in by_name.values():
        latest = items[-1]
        key = (latest.framework, latest.profile or "")
        groups.setdefault(key, []).append(latest)
    return Programme(
        groups=tuple(
            _group(fw, profile or None, current)
            for (fw, profile), current in sorted(groups.items())
        ),
        trends=tuple(_trend(name, items) for name, items in by_name.items()),
        evaluations=tuple(e for items in by_name.values() for e in items),
    )


def programme_json(view: Programme) -> dict[str, Any]:
    """The programme view as plain data (for the JSON output)."""

    def grade_counts(counts: Mapping[Grade, int]) -> dict[str, int]:
        return {g.label: n for g, n in counts.items()}

    def national(d: GradeDistribution) -> dict[str, Any] | None:
        if d.national is None:
            return None
        return {
            "qi": d.national_qi,
            "areas": d.national.total,
            "complete": d.national.complete,
            "counts": grade_counts(d.national.distribution),
            "good_or_better": d.national.good_or_better_count,
        }

    return {
        "partnerships": view.partnerships,
        "evaluations": len(view.evaluations),
        "groups": [
            {
                "framework": g.framework,
                "profile": g.profile,
                "partnerships": list(g.partnerships),
                "indicators": [
                    {
                        "qi": d.qi,
                        "title": d.title,
                        "counts": grade_counts(d.counts),
                        "graded": d.graded,
                        "decided": d.decided,
                        "not_graded": d.not_graded,
                        "inspected": d.inspected,
                        "national": national(d),
                    }
                    for d in g.indicators
                ],
                "capacity": {
                    "counts": grade_counts(g.capacity),
                    "not_graded": g.capacity_not_graded,
                    "confidence": {c.value: n for c, n in g.confidence.items()},
                },
                "strengths": [attrs.asdict(t) for t in g.strengths],
                "areas_for_improvement": [attrs.asdict(t) for t in g.areas_for_improvement],
            }
            for g in view.groups
        ],
        "trends": [
            {
                "partnership": t.partnership,
                "framework": t.framework,
                "points": [
                    {
                        "label": p.label,
                        "date": p.date.isoformat() if p.date else None,
                        "grades": {q: None if g is None else int(g) for q, g in p.grades.items()},
                        "capacity": None if p.capacity is None else int(p.capacity),
                        "confidence": None if p.confidence is None else p.confidence.value,
                    }
                    for p in t.points
                ],
                "improved": t.improved,
                "same": t.same,
                "declined": t.declined,
            }
            for t in view.trends
        ],
    }
