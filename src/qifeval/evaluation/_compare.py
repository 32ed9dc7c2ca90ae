"""Comparing evaluations, and benchmarking against the national results of
the 2014-16 joint inspections."""

from __future__ import annotations

import attrs

from .._ids import _natural, sorted_ids
from ..evidence._findings import Finding
from ..evidence._kinds import Weight
from ..frameworks._crosswalk import load_crosswalk
from ..frameworks._loading import load_framework
from ..frameworks._national import GradePosition, national_results
from ._capacity import Direction, IndicatorChange
from ._evaluate import Evaluation

__all__ = [
    "EvaluationDiff",
    "FollowUp",
    "IndicatorDiff",
    "NationalComparison",
    "benchmark_national",
    "compare_evaluations",
]


@attrs.frozen(kw_only=True)
class FollowUp:
    """An area for improvement of the earlier evaluation and what became of
    it in the later one.

    :param before: the id of the earlier weakness.
    :param after: the ids of its successors: the later findings that follow
        it up (``follows``), or, for a weakness no later finding links to,
        the later weaknesses on the same indicator with the same statement
        (case and spacing ignored).
    :param linked: whether the successors were found by their ``follows``
        link (otherwise by wording).
    :param improved: whether every successor is a strength, or a weakness
        that is less serious (lower weight, no longer critical, or the same
        weight over a smaller proportion) and no more serious in any of
        these.
    """

    before: str
    after: tuple[str, ...]
    linked: bool
    improved: bool


@attrs.frozen(kw_only=True)
class IndicatorDiff:
    """How one indicator changed between two evaluations.

    Each weakness of the earlier evaluation is matched to its successors
    (see :class:`FollowUp`): the later findings that name it in
    ``follows``, whatever their wording, or else the later weaknesses with
    the same statement. *new_weaknesses* are ids of weaknesses in the later
    evaluation that succeed no earlier weakness, *resolved_weaknesses* ids
    of weaknesses of the earlier evaluation with no successor, and
    *follow_ups* what became of those that have one.
    """

    qi: str
    title: str
    before_qi: str | None
    change: IndicatorChange
    new_weaknesses: tuple[str, ...] = ()
    resolved_weaknesses: tuple[str, ...] = ()
    follow_ups: tuple[FollowUp, ...] = ()

    @property
    def direction(self) -> Direction | None:
        """Up, same or down (``None`` unless graded in both)."""
        return self.change.direction

    @property
    def improved(self) -> tuple[str, ...]:
        """The earlier weaknesses followed up by improvement."""
        return tuple(f.before for f in self.follow_ups if f.improved)

    @property
    def not_improved(self) -> tuple[str, ...]:
        """The earlier weaknesses followed up without improvement."""
        return tuple(f.before for f in self.follow_ups if not f.improved)


@attrs.frozen(kw_only=True)
class EvaluationDiff:
    """The differences between an earlier and a later evaluation, per
    indicator of the later evaluation's framework."""

    before: str
    after: str
    indicators: tuple[IndicatorDiff, ...]
    #: Ids of later findings whose ``follows`` names no weakness of the
    #: earlier evaluation (they are matched by wording instead).
    unmatched_links: tuple[str, ...] = ()

    def moved(self, direction: Direction | str) -> tuple[str, ...]:
        """The indicators that moved up, stayed the same or moved down."""
        d = Direction(direction)
        return tuple(i.qi for i in self.indicators if i.direction is d)


def _label(e: Evaluation) -> str:
    return f"{e.label()} [{e.framework}]"


def _key(f: Finding) -> str:
    return " ".join(f.statement.split()).casefold()


_RANK = {Weight.MINOR: 0, Weight.IMPORTANT: 1, Weight.MAJOR: 2}


def _improved(was: Finding, now: Finding) -> bool:
    """Whether *now* shows improvement on the weakness *was*: a strength,
    or a weakness less serious in one respect (weight, critical, extent)
    and no more serious in any."""
    if now.is_strength:
        return True
    weight = _RANK[now.weight] - _RANK[was.weight]
    critical = int(now.critical) - int(was.critical)
    extent = 0
    if was.proportion is not None and now.proportion is not None:
        extent = (now.proportion > was.proportion) - (now.proportion < was.proportion)
    steps = (weight, critical, extent)
    return all(x <= 0 for x in steps) and any(x < 0 for x in steps)


def compare_evaluations(before: Evaluation, after: Evaluation) -> EvaluationDiff:
    """Compare two evaluations of the same partnership, also across the 2014
    and 2018 frameworks (indicator ids are mapped through the crosswalk).

    Grades compared are the ones that count: decisions where people made
    them, otherwise suggestions. Weaknesses are matched to their successors
    by the later findings' ``follows`` links, and by exact wording where
    there is no link (see :class:`IndicatorDiff`).
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
    earlier = {f.id: f for f in before.evidence.findings if not f.is_strength}
    linked: dict[str, list[Finding]] = {}
    unmatched = []
    for f in after.evidence.findings:
        if f.follows is None:
            continue
        if f.follows in earlier:
            linked.setdefault(f.follows, []).append(f)
        else:
            unmatched.append(f.id)
    # A later weakness with a working link succeeds what it links to only;
    # the others can succeed an earlier weakness by their wording.
    successors = {f.id for fs in linked.values() for f in fs}
    before_grades, after_grades = before.grades, after.grades
    out = []
    for qi in framework.indicators:
        old = mapping.get(qi.id)
        was = [f for f in earlier.values() if f.qi == old]
        now: dict[str, list[Finding]] = {}
        for f in after.evidence.findings:
            if f.qi == qi.id and not f.is_strength and f.id not in successors:
                now.setdefault(_key(f), []).append(f)
        follow_ups = []
        matched_now: set[str] = set()
        resolved = []
        for w in was:
            found = linked.get(w.id)
            by_link = found is not None
            if found is None:
                found = now.get(_key(w), [])
            if not found:
                resolved.append(w.id)
                continue
            matched_now.update(f.id for f in found)
            follow_ups.append(
                FollowUp(
                    before=w.id,
                    after=sorted_ids(f.id for f in found),
                    linked=by_link,
                    improved=all(_improved(w, f) for f in found),
                )
            )
        new = [f.id for fs in now.values() for f in fs if f.id not in matched_now]
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
                new_weaknesses=sorted_ids(new),
                resolved_weaknesses=sorted_ids(resolved),
                follow_ups=tuple(sorted(follow_ups, key=lambda u: _natural(u.before))),
            )
        )
    return EvaluationDiff(
        before=_label(before),
        after=_label(after),
        indicators=tuple(out),
        unmatched_links=sorted_ids(unmatched),
    )


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
