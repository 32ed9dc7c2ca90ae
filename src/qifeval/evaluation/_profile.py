"""Evaluating for an inspection model: what it grades, and its statements.

An :class:`~qifeval.InspectionProfile` says which indicators an inspection
model grades and which questions or statements its reports answer.
``evaluate(..., profile=ID)`` grades only the profile's indicators; every
other indicator keeps its findings, triangulation and the rules that fired
(its explanation), with no grade and the reason
:data:`NOT_GRADED`. :func:`apply_profile` reads an evaluation through a
profile: per statement, its findings, key messages, strengths and areas for
development, and the graded indicators evaluated under it; per domain of
indicators the model evaluates together (the 2018/2019 model's leadership),
one evaluation formed from theirs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import attrs

from .._errors import InputError
from .._ids import close_matches, did_you_mean
from ..evidence._findings import EvidenceSet, Finding
from ..evidence._kinds import Valence, Weight
from ..frameworks._grade import Grade
from ..frameworks._inspections import InspectionProfile, ProfileDomain, inspection_profile
from ..frameworks._model import Framework
from ._evaluate import Evaluation, IndicatorResult

__all__ = [
    "NOT_GRADED",
    "DomainEvaluation",
    "ProfiledEvaluation",
    "ProfiledResult",
    "StatementEvaluation",
    "apply_profile",
    "profile_problems",
]

#: The reason an indicator the inspection model does not grade has no grade.
NOT_GRADED = "not graded in this model"

_WEIGHT_ORDER = {Weight.MAJOR: 0, Weight.IMPORTANT: 1, Weight.MINOR: 2}


def resolve_profile(profile: InspectionProfile | str) -> InspectionProfile:
    """*profile*, or the bundled profile of that id."""
    return profile if isinstance(profile, InspectionProfile) else inspection_profile(profile)


def mask_results(
    results: Sequence[IndicatorResult], profile: InspectionProfile | str
) -> tuple[IndicatorResult, ...]:
    """*results* with the indicators *profile* does not grade left
    without a grade (reason :data:`NOT_GRADED`); their findings,
    triangulation and rules fired are kept. Graded indicators are
    unchanged."""
    p = resolve_profile(profile)
    return tuple(
        r
        if p.is_graded(r.qi)
        else attrs.evolve(r, suggested_grade=None, no_grade_reason=NOT_GRADED, to_improve=None)
        for r in results
    )


def profile_problems(
    profile: InspectionProfile | str, framework: Framework, evidence: EvidenceSet
) -> Iterator[tuple[str, str, str | None]]:
    """``(field path, problem, finding id)`` for each way *evidence* in
    *framework* does not fit *profile*: a profile for another framework, or
    a finding naming an inspection statement the profile does not have."""
    p = resolve_profile(profile)
    if p.framework != framework.id:
        yield (
            "framework",
            f"inspection profile {p.id!r} is for framework {p.framework!r}, not {framework.id!r}",
            None,
        )
        return
    yield from _statement_problems(p, evidence)


def _statement_problems(
    p: InspectionProfile, evidence: EvidenceSet
) -> Iterator[tuple[str, str, str | None]]:
    ids = p.question_ids()
    for i, f in enumerate(evidence.findings):
        if f.inspection_statement is not None and f.inspection_statement not in ids:
            hint = did_you_mean(close_matches(f.inspection_statement, ids, cutoff=0.3))
            yield (
                f"findings[{i}].inspection_statement",
                f"{p.id} has no statement {f.inspection_statement!r} (it has "
                f"{', '.join(ids)}){hint}",
                f.id,
            )


@attrs.frozen(kw_only=True)
class ProfiledResult:
    """One indicator read through a profile.

    :param graded: whether the inspection model grades it.
    :param grade: the grade that counts (a person's decision, otherwise
        the suggestion); ``None`` when not graded in this model or when
        there is no grade.
    :param decided: whether a person confirmed or recorded the grade; an
        undecided grade is a suggestion.
    :param result: the indicator's result: findings and explanation.
    """

    qi: str
    title: str
    graded: bool
    grade: Grade | None
    decided: bool
    result: IndicatorResult

    @property
    def status(self) -> str:
        """``"decided"``, ``"suggested"``, ``"no grade"`` or
        :data:`NOT_GRADED`."""
        if not self.graded:
            return NOT_GRADED
        if self.grade is None:
            return "no grade"
        return "decided" if self.decided else "suggested"


@attrs.frozen(kw_only=True)
class DomainEvaluation:
    """One evaluation formed from several graded indicators that a model
    evaluates together (see :class:`~qifeval.ProfileDomain`).

    The grade is the lower median of the indicators' grades, no higher than
    one grade above the lowest of them; ``None`` when none has a grade.

    :param grades: indicator -> its grade, for each of the domain's
        indicators.
    :param decided: whether every grade it is formed from was decided by a
        person.
    """

    domain: ProfileDomain
    grade: Grade | None
    grades: tuple[tuple[str, Grade | None], ...]
    decided: bool


def domain_grade(grades: Iterable[Grade | None]) -> Grade | None:
    """The one grade of a domain: the lower median of the grades given,
    no higher than one grade above the lowest (grades are ordinal and are
    never averaged); ``None`` without grades.

    >>> from qifeval import Grade
    >>> domain_grade([Grade.GOOD, Grade.VERY_GOOD, Grade.VERY_GOOD, Grade.EXCELLENT])
    <Grade.VERY_GOOD: 5>
    >>> domain_grade([Grade.WEAK, Grade.VERY_GOOD, Grade.VERY_GOOD, None])
    <Grade.ADEQUATE: 3>
    """
    known = sorted(int(g) for g in grades if g is not None)
    if not known:
        return None
    median = known[(len(known) - 1) // 2]
    return Grade(min(median, known[0] + 1))


@attrs.frozen(kw_only=True)
class StatementEvaluation:
    """One statement or question of the profile, with its evidence.

    :param id: the statement's id (``"S1"``), as findings name it.
    :param findings: the ids of the findings placed under it, in evidence
        order.
    :param strengths: its strengths, the weightiest first.
    :param weaknesses: its areas for development (weaknesses), critical
        first, then the weightiest.
    :param graded: the graded indicators evaluated under it.
    :param indicators: the indicators linked to it.
    :param critical: its critical weaknesses: individual safety concerns.
    :param heavy_strengths: how many of its strengths are important or
        major; *heavy_weaknesses* likewise.
    """

    id: str
    text: str
    reason: str
    indicators: tuple[str, ...]
    key_factors: tuple[str, ...]
    findings: tuple[str, ...]
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]
    critical: tuple[str, ...]
    graded: tuple[ProfiledResult, ...]
    heavy_strengths: int = 0
    heavy_weaknesses: int = 0

    @property
    def leads_with_weaknesses(self) -> bool:
        """Whether this is a weak area, to be described by its weaknesses
        first: a critical weakness, a graded indicator at Weak or below, or
        at least as many important or major weaknesses as important or
        major strengths (with at least one)."""
        if self.critical:
            return True
        if any(r.grade is not None and r.grade <= Grade.WEAK for r in self.graded):
            return True
        return self.heavy_weaknesses >= max(self.heavy_strengths, 1)

    def key_messages(self) -> tuple[str, ...]:
        """Short evaluative messages: the balance of the evidence, the
        individual safety concerns and the grades of its graded
        indicators."""
        messages = []
        if not self.findings:
            messages.append("There is no evidence on this statement yet.")
        else:
            s, w = self.heavy_strengths, self.heavy_weaknesses
            balance = (
                "Important weaknesses outweigh the strengths"
                if self.leads_with_weaknesses and w >= s
                else "Strengths outweigh the areas for development"
                if s > w
                else "Strengths and areas for development are balanced"
            )
            messages.append(
                f"{balance}: important or major strengths {s}, "
                f"important or major areas for development {w}."
            )
        if self.critical:
            messages.append(f"Individual safety concerns to act on at once: {len(self.critical)}.")
        for r in self.graded:
            shown = "no grade yet" if r.grade is None else r.grade.label
            kind = {"decided": "our evaluation", "suggested": "suggested, not yet confirmed"}.get(
                r.status, r.status
            )
            messages.append(f"{r.qi} {r.title}: {shown} ({kind}).")
        return tuple(messages)


@attrs.frozen(kw_only=True)
class ProfiledEvaluation:
    """An evaluation read through an inspection profile (see
    :func:`apply_profile`).

    :param results: every indicator, graded or not in this model.
    :param statements: the profile's statements or questions, in order.
    :param domains: one evaluation per domain of the profile.
    :param unplaced: ids of findings linked to no statement.
    """

    profile: InspectionProfile
    evaluation: Evaluation
    results: tuple[ProfiledResult, ...]
    statements: tuple[StatementEvaluation, ...]
    domains: tuple[DomainEvaluation, ...]
    unplaced: tuple[str, ...]

    def result(self, qi: str) -> ProfiledResult:
        """The profiled result of one indicator."""
        for r in self.results:
            if r.qi == qi:
                return r
        raise InputError(f"the evaluation has no indicator {qi!r}")

    @property
    def graded(self) -> tuple[ProfiledResult, ...]:
        """The indicators the model grades, in framework order."""
        return tuple(r for r in self.results if r.graded)


def _placements(profile: InspectionProfile, f: Finding) -> tuple[str, ...]:
    """The ids of the statements finding *f* is placed under: the one it
    names; else those linking its key factor; else those linking its
    indicator."""
    if f.inspection_statement is not None:
        return (f.inspection_statement,)
    ids = profile.question_ids()
    if f.key_factor is not None:
        by_factor = tuple(
            ids[i] for i, q in enumerate(profile.questions) if f.key_factor in q.key_factors
        )
        if by_factor:
            return by_factor
    return tuple(ids[i] for i, q in enumerate(profile.questions) if f.qi in q.indicators)


def _ordered(findings: Iterable[Finding]) -> tuple[str, ...]:
    return tuple(
        f.id for f in sorted(findings, key=lambda f: (not f.critical, _WEIGHT_ORDER[f.weight]))
    )


def apply_profile(
    evaluation: Evaluation, profile: InspectionProfile | str | None = None
) -> ProfiledEvaluation:
    """Read *evaluation* through *profile* (by default the profile it was
    evaluated with).

    A finding is placed under the statement it names
    (``inspection_statement``); otherwise under the statements that link
    its key factor; otherwise under those that link its indicator. A graded
    indicator is evaluated under the statements that link it.

    :raises InputError: without a profile, for a profile other than the one
        the evaluation was made with, or for a profile of another
        framework.
    """
    if profile is None:
        if evaluation.profile is None:
            raise InputError("the evaluation was made without an inspection profile; name one")
        profile = evaluation.profile
    p = resolve_profile(profile)
    if evaluation.profile is not None and evaluation.profile != p.id:
        raise InputError(
            f"the evaluation was made for inspection profile {evaluation.profile!r}, not {p.id!r}",
            path="profile",
        )
    if p.framework != evaluation.framework:
        raise InputError(
            f"inspection profile {p.id!r} is for framework {p.framework!r}, "
            f"not {evaluation.framework!r}",
            path="profile",
        )
    ids = p.question_ids()
    for path, problem, finding_id in _statement_problems(p, evaluation.evidence):
        raise InputError(problem, path=path, finding_id=finding_id)
    grades = evaluation.grades
    decided = {d.qi for d in evaluation.decisions}
    results = tuple(
        ProfiledResult(
            qi=r.qi,
            title=r.title,
            graded=p.is_graded(r.qi),
            grade=grades[r.qi] if p.is_graded(r.qi) else None,
            decided=p.is_graded(r.qi) and r.qi in decided,
            result=r,
        )
        for r in evaluation.results
    )
    by_qi = {r.qi: r for r in results}
    placed: dict[str, list[Finding]] = {qid: [] for qid in ids}
    unplaced = []
    # where a finding is placed depends on these alone, which many share
    known: dict[tuple[str | None, str | None, str], tuple[str, ...]] = {}
    for f in evaluation.evidence.findings:
        key = (f.inspection_statement, f.key_factor, f.qi)
        where = known.get(key)
        if where is None:
            where = known[key] = _placements(p, f)
        if not where:
            unplaced.append(f.id)
        for qid in where:
            placed[qid].append(f)
    statements = []
    for qid, q in zip(ids, p.questions, strict=True):
        found = placed[qid]
        strengths = [f for f in found if f.valence is Valence.STRENGTH]
        weaknesses = [f for f in found if f.valence is Valence.WEAKNESS]
        heavy = (Weight.IMPORTANT, Weight.MAJOR)
        statements.append(
            StatementEvaluation(
                id=qid,
                text=q.text,
                reason=q.reason,
                indicators=q.indicators,
                key_factors=q.key_factors,
                findings=tuple(f.id for f in found),
                strengths=_ordered(strengths),
                weaknesses=_ordered(weaknesses),
                critical=tuple(f.id for f in weaknesses if f.critical),
                graded=tuple(by_qi[qi] for qi in q.indicators if p.is_graded(qi)),
                heavy_strengths=sum(f.weight in heavy for f in strengths),
                heavy_weaknesses=sum(f.weight in heavy for f in weaknesses),
            )
        )
    domains = tuple(
        DomainEvaluation(
            domain=d,
            grade=domain_grade(by_qi[qi].grade for qi in d.indicators),
            grades=tuple((qi, by_qi[qi].grade) for qi in d.indicators),
            decided=all(by_qi[qi].decided for qi in d.indicators),
        )
        for d in p.domains
    )
    return ProfiledEvaluation(
        profile=p,
        evaluation=evaluation,
        results=results,
        statements=tuple(statements),
        domains=domains,
        unplaced=tuple(unplaced),
    )
