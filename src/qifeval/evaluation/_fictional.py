"""Fictional partnerships: invented evidence sets, improvement plans and
evaluations for examples, tests and benchmarks.

Everything is drawn from one seeded generator that uses only
:meth:`random.Random.random` (whose sequence Python keeps the same across
versions for an integer seed), so the same arguments give the same evidence
on every run and every supported Python version. Names are compounds of
neutral words, checked against the 32 Scottish council areas; no real place,
person or partnership is described.
"""

from __future__ import annotations

import datetime as _dt
import random
import re
from collections.abc import Sequence
from typing import TypeVar

import attrs

from .._errors import InputError
from ..evidence._findings import EvidenceSet, Finding
from ..evidence._kinds import SourceKind, Valence, Voice, Weight
from ..frameworks._grade import Grade
from ..frameworks._loading import load_framework
from ..frameworks._model import Framework
from ._evaluate import Decision, Evaluation, evaluate
from ._plan import Action, ActionStatus, ImprovementPlan

__all__ = [
    "COUNCIL_AREAS",
    "FictionalPartnership",
    "fictional_evaluations",
    "fictional_partnerships",
    "is_real_area_name",
]

_T = TypeVar("_T")

#: The 32 council areas of Scotland; no fictional name may use theirs.
COUNCIL_AREAS: tuple[str, ...] = (
    "Aberdeen City",
    "Aberdeenshire",
    "Angus",
    "Argyll and Bute",
    "City of Edinburgh",
    "Clackmannanshire",
    "Dumfries and Galloway",
    "Dundee City",
    "East Ayrshire",
    "East Dunbartonshire",
    "East Lothian",
    "East Renfrewshire",
    "Falkirk",
    "Fife",
    "Glasgow City",
    "Highland",
    "Inverclyde",
    "Midlothian",
    "Moray",
    "Na h-Eileanan Siar",
    "North Ayrshire",
    "North Lanarkshire",
    "Orkney Islands",
    "Perth and Kinross",
    "Renfrewshire",
    "Scottish Borders",
    "Shetland Islands",
    "South Ayrshire",
    "South Lanarkshire",
    "Stirling",
    "West Dunbartonshire",
    "West Lothian",
)

_COMMON_WORDS = frozenset(
    {"city", "of", "and", "east", "west", "north", "south", "islands", "na", "h", "scottish"}
)
#: The distinctive words of the council areas' names, lower case.
_AREA_WORDS = frozenset(
    w
    for name in COUNCIL_AREAS
    for w in re.split(r"[^a-z]+", name.lower())
    if w and w not in _COMMON_WORDS
)

_FIRST = (
    "Alder",
    "Amber",
    "Birch",
    "Bracken",
    "Bramble",
    "Briar",
    "Clover",
    "Cobble",
    "Elder",
    "Fallow",
    "Fern",
    "Gorse",
    "Hazel",
    "Heron",
    "Juniper",
    "Kestrel",
    "Larch",
    "Linnet",
    "Maple",
    "Merlin",
    "Otter",
    "Pebble",
    "Plover",
    "Rowan",
    "Sedge",
    "Sorrel",
    "Tansy",
    "Thistle",
    "Willow",
    "Wren",
    "Yarrow",
    "Clay",
)
_SECOND = (
    "brae",
    "burn",
    "dale",
    "field",
    "ford",
    "gate",
    "haven",
    "holm",
    "law",
    "mere",
    "moss",
    "shaw",
    "side",
    "stead",
    "wick",
    "ness",
)


def is_real_area_name(name: str) -> bool:
    """Whether *name* is, contains or is contained in the name of one of
    the 32 council areas (compared without case, word by word and as a
    whole)."""
    low = name.lower()
    if any(low == area.lower() or area.lower() in low for area in COUNCIL_AREAS):
        return True
    return any(word in low for word in _AREA_WORDS) or any(
        low in area.lower() for area in COUNCIL_AREAS
    )


class _Draw:
    """Deterministic draws built on :meth:`random.Random.random` alone."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def unit(self) -> float:
        return self._random.random()

    def below(self, n: int) -> int:
        return min(int(self._random.random() * n), n - 1)

    def between(self, low: int, high: int) -> int:
        return low + self.below(high - low + 1)

    def choice(self, items: Sequence[_T]) -> _T:
        return items[self.below(len(items))]

    def chance(self, p: float) -> bool:
        return self._random.random() < p


# Statements by the kind of evidence they rest on; each is completed with a
# topic, giving 50-120 characters.
_LEADS_BY_SOURCE: dict[SourceKind, dict[bool, tuple[str, ...]]] = {
    SourceKind.PERFORMANCE_DATA: {
        True: (
            "Managers use data on {topic} to target support where it is most needed",
            "Performance reports show steady improvement in {topic} over two years",
        ),
        False: (
            "Data on {topic} is collected but not yet used to drive improvement",
            "Performance reports show no improvement in {topic} since the last evaluation",
        ),
    },
    SourceKind.STAKEHOLDER_VIEWS: {
        True: (
            "Staff describe {topic} as consistent and well understood across the partnership",
            "Children and families say {topic} helps them feel listened to and supported",
        ),
        False: (
            "Staff report that {topic} varies between teams and is not yet consistent",
            "Families say {topic} was not explained to them clearly enough",
        ),
    },
    SourceKind.PRACTICE: {
        True: (
            "Audits show {topic} is recorded clearly and reviewed within agreed timescales",
            "Case records show {topic} is timely and focused on the child's needs",
        ),
        False: (
            "Records show {topic} is not always completed within agreed timescales",
            "Audits found {topic} was not reviewed when circumstances changed",
        ),
    },
    SourceKind.DOCUMENTATION: {
        True: (
            "Multi-agency minutes show {topic} is planned jointly and followed through",
            "Partnership plans set out clear responsibility for {topic} and how it is reviewed",
        ),
        False: (
            "Plans for {topic} lack measurable outcomes and clear timescales",
            "Minutes show oversight of {topic} by senior managers is not yet systematic",
        ),
    },
}
_TOPICS = (
    "chronology of significant events",
    "the initial response to concerns",
    "assessment of risk and need",
    "care planning for looked after children",
    "support for kinship carers",
    "transitions to adult services",
    "the voice of the child",
    "joint training for staff",
    "supervision of frontline staff",
    "early help for families",
    "health assessments",
    "advocacy for young people",
    "return home interviews",
    "the use of performance information",
    "self-evaluation activity",
    "commissioning of family support",
)
_DETAILS = {
    SourceKind.PERFORMANCE_DATA: ("performance report", "quarterly dashboard", "trend data"),
    SourceKind.STAKEHOLDER_VIEWS: ("survey", "focus group", "consultation event"),
    SourceKind.PRACTICE: ("record reading", "practice audit", "observation"),
    SourceKind.DOCUMENTATION: ("strategic plan", "committee minutes", "procedures"),
}
_SOURCES = tuple(SourceKind)
_VOICES = tuple(Voice)
_LEADS = (
    "Head of children's services",
    "Chief social work officer",
    "Quality assurance manager",
    "Lead nurse for children",
    "Education service manager",
)


@attrs.frozen(kw_only=True)
class FictionalPartnership:
    """One invented partnership: its evidence year by year and the
    improvement plan read with each year's evaluation.

    :param name: the invented name, e.g. ``"Rowanshaw"``.
    :param evidence: one evidence set per year, oldest first.
    :param plans: the plan read with each year's evaluation (``None`` for
        the first year: the plan is made from an evaluation and carried
        into the next).
    """

    name: str
    evidence: tuple[EvidenceSet, ...]
    plans: tuple[ImprovementPlan | None, ...]


def _names(draw: _Draw, count: int) -> list[str]:
    pairs = [(a, b) for a in _FIRST for b in _SECOND]
    if count > len(pairs):
        raise InputError(
            f"at most {len(pairs)} fictional partnerships can be named, not {count}",
            path="count",
        )
    names: list[str] = []
    while len(names) < count:
        a, b = pairs.pop(draw.below(len(pairs)))
        name = a + b
        if not is_real_area_name(name):
            names.append(name)
    return sorted(names)


@attrs.frozen(kw_only=True)
class _Slot:
    """One point a partnership gathers evidence on every year: the same
    kind of evidence and weight, a strength once the partnership's practice
    on the indicator rises above *roll*."""

    roll: float
    weight: float
    source: SourceKind


def _finding(
    draw: _Draw,
    framework: Framework,
    qi: str,
    number: int,
    slot: _Slot,
    quality: float,
    date: _dt.date,
    follows: str | None,
) -> Finding:
    indicator = framework.indicator(qi)
    strength = slot.roll < quality
    source = slot.source
    topic = draw.choice(_TOPICS)
    lead = draw.choice(_LEADS_BY_SOURCE[source][strength])
    weight_roll = slot.weight
    weight = Weight.MINOR if weight_roll < 0.3 else Weight.IMPORTANT
    if weight_roll > 0.85:
        weight = Weight.MAJOR
    proportion: float | None = None
    sample: int | None = None
    voice: Voice | None = None
    if source in (SourceKind.PRACTICE, SourceKind.STAKEHOLDER_VIEWS):
        sample = draw.between(20, 80)
        share = 0.55 + 0.4 * draw.unit() if strength else 0.1 + 0.35 * draw.unit()
        proportion = round(round(share * sample) / sample, 4)
        if strength and proportion < 0.5:
            proportion = 0.5
    if source is SourceKind.STAKEHOLDER_VIEWS:
        voice = draw.choice(_VOICES)
    key_factor = None
    if indicator.key_factors and draw.chance(0.8):
        key_factor = indicator.key_factor_ref(draw.between(1, len(indicator.key_factors)))
    return Finding(
        id=f"F{number}",
        qi=qi,
        statement=lead.format(topic=topic),
        valence=Valence.STRENGTH if strength else Valence.WEAKNESS,
        weight=weight,
        source=source,
        source_detail=draw.choice(_DETAILS[source]),
        date=date,
        proportion=proportion,
        sample=sample,
        voice=voice,
        key_factor=key_factor,
        sustained=strength and weight is Weight.MAJOR and draw.chance(0.3),
        follows=follows,
    )


def _plan(
    draw: _Draw,
    name: str,
    made_from: EvidenceSet,
    earlier: ImprovementPlan | None,
    year: int,
) -> ImprovementPlan:
    """The plan made from *made_from* as it stands when the next year's
    evaluation reads it: the open actions of *earlier* carried on (most now
    done, the others' due dates revised), and an action for each indicator
    with at least two weaknesses, most under way or done."""
    actions: list[Action] = []
    revised = _dt.date(year + 1, 12, 31)
    for a in earlier.actions if earlier else ():
        if a.is_open:
            if draw.chance(0.6):
                actions.append(attrs.evolve(a, status=ActionStatus.DONE))
            else:
                actions.append(attrs.evolve(a, status=ActionStatus.IN_PROGRESS, due=revised))
    carried = {ref for a in actions if a.is_open for ref in a.addresses}
    weak: dict[str, int] = {}
    for f in made_from.findings:
        if not f.is_strength:
            weak[f.qi] = weak.get(f.qi, 0) + 1
    for qi in sorted(weak, key=lambda q: tuple(int(p) for p in q.split("."))):
        if weak[qi] >= 2 and qi not in carried:
            roll = draw.unit()
            status = ActionStatus.DONE if roll < 0.35 else ActionStatus.IN_PROGRESS
            if roll > 0.9:
                status = ActionStatus.PLANNED
            actions.append(
                Action(
                    id=f"A{year}-{len(actions) + 1}",
                    action=f"Improve practice and oversight for quality indicator {qi}",
                    addresses=(qi,),
                    lead=draw.choice(_LEADS),
                    due=revised,
                    status=status,
                )
            )
    return ImprovementPlan(
        partnership=name,
        title=f"Improvement plan {year}-{year + 1}",
        made_from=f"Joint self-evaluation {year}",
        date=_dt.date(year + 1, 6, 30),
        actions=tuple(actions),
    )


def fictional_partnerships(
    count: int = 32,
    years: int = 3,
    *,
    seed: int = 2026,
    findings: int = 120,
    first_year: int = 2024,
    framework: str = "qif-2018",
) -> tuple[FictionalPartnership, ...]:
    """*count* invented partnerships, each with *years* annual evidence
    sets of about *findings* findings spread over the framework's
    indicators, and the improvement plan carried from year to year.

    Each partnership has its own level of practice on each indicator,
    which changes at its own pace from year to year (mostly improving), and
    gathers evidence on the same points every year with the same kinds of
    evidence, so that its grades move with its practice rather than at
    random. A finding on a point that was a weakness the year before often
    follows it up (``follows``). The same arguments always give the same
    partnerships.

    >>> from qifeval.fictional import fictional_partnerships
    >>> first = fictional_partnerships(2, 1, findings=30)[0]
    >>> len(first.evidence[0].findings) >= 22
    True

    :raises InputError: for fewer than one partnership, year or finding
        per indicator, or more partnerships than there are names.
    """
    fw = load_framework(framework)
    qis = [q.id for q in fw.indicators]
    for name, value, least in (
        ("count", count, 1),
        ("years", years, 1),
        ("findings", findings, len(qis)),
    ):
        if value < least:
            raise InputError(f"expected at least {least}, got {value!r}", path=name)
    draw = _Draw(seed)
    out = []
    for name in _names(draw, count):
        level = 0.6 + 0.3 * draw.unit()
        pace = 0.1 * draw.unit() - 0.02  # how fast practice changes, year on year
        offsets = {qi: 0.3 * (draw.unit() - 0.5) for qi in qis}
        per_qi = findings // len(qis)
        extra = findings - per_qi * len(qis)
        slots = {
            qi: [
                _Slot(roll=draw.unit(), weight=draw.unit(), source=draw.choice(_SOURCES))
                for _ in range(per_qi + (1 if i < extra else 0))
            ]
            for i, qi in enumerate(qis)
        }
        sets: list[EvidenceSet] = []
        plans: list[ImprovementPlan | None] = [None]
        earlier: dict[tuple[str, int], Finding] = {}
        for y in range(years):
            year = first_year + y
            date = _dt.date(year, 9, 30)
            made: list[Finding] = []
            for qi in qis:
                jitter = 0.1 * (draw.unit() - 0.5)
                quality = min(0.95, max(0.05, level + offsets[qi] + pace * y + jitter))
                for k, slot in enumerate(slots[qi]):
                    before = earlier.get((qi, k))
                    follows = None
                    if before is not None and not before.is_strength and draw.chance(0.5):
                        follows = before.id
                    f = _finding(draw, fw, qi, len(made) + 1, slot, quality, date, follows)
                    made.append(f)
                    earlier[(qi, k)] = f
            sets.append(
                EvidenceSet(
                    partnership=name,
                    framework=fw.id,
                    date=date,
                    title=f"Joint self-evaluation {year}",
                    findings=tuple(made),
                )
            )
            if y + 1 < years:
                plans.append(_plan(draw, name, sets[-1], plans[-1], year))
        out.append(FictionalPartnership(name=name, evidence=tuple(sets), plans=tuple(plans)))
    return tuple(out)


_ROLE = "Chair, self-evaluation group"


def _decided(evaluation: Evaluation, draw: _Draw) -> Evaluation:
    """*evaluation* with people's decisions: most suggestions confirmed, a
    few overridden by one grade with a rationale."""
    date = evaluation.evidence.date or _dt.date(2000, 1, 1)
    decisions = []
    for r in evaluation.results:
        roll = draw.unit()
        if r.suggested_grade is None or roll < 0.25:
            continue
        grade = r.suggested_grade
        rationale = ""
        if roll > 0.93:
            step = -1 if grade > Grade.UNSATISFACTORY and draw.chance(0.6) else 1
            grade = Grade(min(int(Grade.EXCELLENT), int(grade) + step))
            if grade != r.suggested_grade:
                rationale = "The group weighed the recent audit more heavily than the survey"
        decisions.append(
            Decision(
                qi=r.qi,
                grade=grade,
                suggested=r.suggested_grade,
                role=_ROLE,
                date=date,
                rationale=rationale,
            )
        )
    return evaluation.reassess(decisions=tuple(decisions))


def fictional_evaluations(
    count: int = 32,
    years: int = 3,
    *,
    seed: int = 2026,
    findings: int = 120,
    first_year: int = 2024,
    decisions: bool = True,
    engine: str = "durable",
) -> tuple[Evaluation, ...]:
    """Evaluate :func:`fictional_partnerships` year by year, each year with
    the previous year's evaluation and the plan carried from it, and (with
    *decisions*) most suggested grades confirmed and a few overridden.
    Partnership by partnership, oldest year first.

    :param engine: as for :func:`~qifeval.evaluate`.
    """
    draw = _Draw(seed + 1)
    out: list[Evaluation] = []
    for p in fictional_partnerships(
        count, years, seed=seed, findings=findings, first_year=first_year
    ):
        previous: Evaluation | None = None
        for evidence, plan in zip(p.evidence, p.plans, strict=True):
            e = evaluate(evidence, previous=previous, plan=plan, engine=engine)  # type: ignore[arg-type]
            if decisions:
                e = _decided(e, draw)
            out.append(e)
            previous = e
    return tuple(out)
