"""Comparing evaluations, and benchmarking against the national results of
the 2014-16 joint inspections."""

from __future__ import annotations

import attrs

from .._ids import sorted_ids
from ..evidence._findings import Finding
from ..frameworks._crosswalk import load_crosswalk
from ..frameworks._loading import load_framework
from ..frameworks._national import GradePosition, national_results
from ._capacity import Direction, IndicatorChange
from ._evaluate import Evaluation

__all__ = [
    "EvaluationDiff",
    "IndicatorDiff",
    "NationalComparison",
    "benchmark_national",
    "compare_evaluations",
]


@attrs.frozen(kw_only=True)
class IndicatorDiff:
    """How one indicator changed between two evaluations.

    Weaknesses are matched by their statement (case and spacing ignored):
    *new_weaknesses* are ids of weaknesses in the later evaluation with no
    match in the earlier one, *resolved_weaknesses* ids of weaknesses of the
    earlier evaluation with no match in the later one.
    """

    qi: str
    title: str
    before_qi: str | None
    change: IndicatorChange
    new_weaknesses: tuple[str, ...] = ()
    resolved_weaknesses: tuple[str, ...] = ()

    @property
    def direction(self) -> Direction | None:
        """Up, same or down (``None`` unless graded in both)."""
        return self.change.direction


@attrs.frozen(kw_only=True)
class EvaluationDiff:
    """The differences between an earlier and a later evaluation, per
    indicator of the later evaluation's framework."""

    before: str
    after: str
    indicators: tuple[IndicatorDiff, ...]

    def moved(self, direction: Direction | str) -> tuple[str, ...]:
        """The indicators that moved up, stayed the same or moved down."""
        d = Direction(direction)
        return tuple(i.qi for i in self.indicators if i.direction is d)


def _label(e: Evaluation) -> str:
    return f"{e.label()} [{e.framework}]"


def _key(f: Finding) -> str:
    return " ".join(f.statement.split()).casefold()


def compare_evaluations(before: Evaluation, after: Evaluation) -> EvaluationDiff:
    """Compare two evaluations of the same partnership, also across the 2014
    and 2018 frameworks (indicator ids are mapped through the crosswalk).

    Grades compared are the ones that count: decisions where people made
    them, otherwise suggestions.
    """
    framework = load_framework(after.framework)
    mapping: dict[str, str] = {}
    if before.framework == after.framework:
        mapping = {qi.id: qi.id for qi in framework.indicators}
    else:
        crosswalk = load_crosswalk()
        for r in before.results:
            target = crosswalk.translate(r.qi, before.framework, after.framework)
            if target is not None:
                mapping[target] = r.qi
    before_grades, after_grades = before.grades, after.grades
    out = []
    for qi in framework.indicators:
        old = mapping.get(qi.id)
        was = {_key(f): f.id for f in before.evidence.findings if f.qi == old and not f.is_strength}
        now = {
            _key(f): f.id for f in after.evidence.findings if f.qi == qi.id and not f.is_strength
        }
        out.append(
            IndicatorDiff(
                qi=qi.id,
                title=qi.title,
                before_qi=old,
                change=IndicatorChange(
                    qi=qi.id,
                    previous=before_grades.get(old) if old else None,
                    current=after_grades.get(qi.id),
                ),
                new_weaknesses=sorted_ids(i for k, i in now.items() if k not in was),
                resolved_weaknesses=sorted_ids(i for k, i in was.items() if k not in now),
            )
        )
    return EvaluationDiff(before=_label(before), after=_label(after), indicators=tuple(out))


@attrs.frozen(kw_only=True)
class NationalComparison:
    """An indicator's grade set beside the 2014-16 national results.

    :param national_qi: the indicator's id in the 2014 framework.
    :param position: where the grade sits among the 12 areas inspected (see
        :class:`GradePosition`: ranges where the published figures are
        incomplete).
    """

    qi: str
    national_qi: str
    title: str
    position: GradePosition


def benchmark_national(evaluation: Evaluation) -> tuple[NationalComparison, ...]:
    """Compare each graded indicator that the 2014-16 joint inspections also
    graded with the national spread of grades."""
    national = national_results()
    crosswalk = load_crosswalk()
    grades = evaluation.grades
    out = []
    for r in evaluation.results:
        grade = grades[r.qi]
        if grade is None:
            continue
        if evaluation.framework == national.framework:
            national_qi: str | None = r.qi
        else:
            national_qi = crosswalk.translate(r.qi, evaluation.framework, national.framework)
        if national_qi is None or national_qi not in national:
            continue
        out.append(
            NationalComparison(
                qi=r.qi,
                national_qi=national_qi,
                title=r.title,
                position=national.for_indicator(national_qi).position(grade),
            )
        )
    return tuple(out)
