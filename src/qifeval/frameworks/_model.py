"""The typed object model of a quality improvement framework.

All objects are frozen, keyword-only attrs classes. Objects refer to each
other by number or id (a key area names its question, an indicator its key
area) and :class:`Framework` navigates in both directions.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterator

import attrs

from .._errors import FrameworkError, UnknownIndicatorError
from .._tuples import to_tuple

__all__ = [
    "CapacityModel",
    "Framework",
    "FrameworkInfo",
    "Illustration",
    "IllustrationGroup",
    "IllustrationKind",
    "KeyArea",
    "LeverModel",
    "Part",
    "QualityIndicator",
    "Question",
    "WellbeingIndicator",
]

GLOBAL_INDICATOR_ID = "10"


class Part(enum.StrEnum):
    """The part of the three-part model a key area belongs to.

    Key areas 1-4 describe outcomes and impact (EFQM *results*), 5-8 processes
    and 9 vision and leadership (EFQM *enablers*); key area 10 is the global
    judgement of capacity for improvement.
    """

    OUTCOMES = "outcomes"
    PROCESSES = "processes"
    LEADERSHIP = "leadership"
    CAPACITY = "capacity"


class IllustrationKind(enum.StrEnum):
    """Which of the two illustrated levels an illustration describes."""

    VERY_GOOD = "very_good"
    WEAK = "weak"


def _tuple_of_str() -> object:
    return attrs.field(factory=tuple, converter=to_tuple)


@attrs.frozen(kw_only=True)
class FrameworkInfo:
    """What a framework is and where its text comes from.

    :param content: ``"complete"`` or ``"titles-only"`` (a framework whose
        key factors and illustrations are not available).
    :param self_evaluation_questions: the questions the framework asks
        self-evaluation to answer, in its own words (for ``qif-2018``:
        "How good are we now?", "How do we know?", "How good can we be?").
    """

    id: str
    title: str
    version: str = ""
    date: str = ""
    source: str = ""
    content: str = "complete"
    notes: tuple[str, ...] = _tuple_of_str()  # type: ignore[assignment]
    self_evaluation_questions: tuple[str, ...] = _tuple_of_str()  # type: ignore[assignment]


@attrs.frozen(kw_only=True)
class Question:
    """One of the six high-level questions."""

    number: int
    text: str
    aliases: tuple[str, ...] = _tuple_of_str()  # type: ignore[assignment]


@attrs.frozen(kw_only=True)
class KeyArea:
    """A key area (1-10) under a high-level question.

    :param question: the number of the :class:`Question` it belongs to.
    """

    number: int
    title: str
    question: int
    part: Part
    description: str = ""
    aliases: tuple[str, ...] = _tuple_of_str()  # type: ignore[assignment]


@attrs.frozen(kw_only=True)
class IllustrationGroup:
    """The bullets of an illustration under one subject line, such as
    ``"Children and young people:"``."""

    subject: str
    statements: tuple[str, ...] = _tuple_of_str()  # type: ignore[assignment]


@attrs.frozen(kw_only=True)
class Illustration:
    """One illustration bullet with a stable reference.

    :param ref: ``"<qi>/<kind>/<n>"`` with *n* counting from 1 across all
        groups of that kind, e.g. ``"5.2/very_good/3"``. Findings use it to say
        which illustration they evidence.
    """

    ref: str
    kind: IllustrationKind
    subject: str
    text: str


@attrs.frozen(kw_only=True)
class QualityIndicator:
    """A quality indicator such as 5.2 *Assessing risk and need*, or the global
    indicator 10.

    :param key_area: the number of the :class:`KeyArea` it belongs to; the id
        starts with it.
    :param key_factors_intro: the lead-in line of the key factors, such as
        ``"The extent to which:"``.
    :param demonstrate: the "to what extent can we demonstrate" statements.
    :param evidence: the possible evidence to consider.
    :param evidence_to_consider: the summary of evidence to consider.
    """

    id: str
    title: str
    key_area: int
    aliases: tuple[str, ...] = _tuple_of_str()  # type: ignore[assignment]
    key_factors_intro: str = ""
    key_factors: tuple[str, ...] = _tuple_of_str()  # type: ignore[assignment]
    demonstrate: tuple[str, ...] = _tuple_of_str()  # type: ignore[assignment]
    evidence: tuple[str, ...] = _tuple_of_str()  # type: ignore[assignment]
    evidence_to_consider: str = ""
    very_good: tuple[IllustrationGroup, ...] = attrs.field(factory=tuple, converter=to_tuple)
    weak: tuple[IllustrationGroup, ...] = attrs.field(factory=tuple, converter=to_tuple)
    notes: tuple[str, ...] = _tuple_of_str()  # type: ignore[assignment]

    @property
    def is_global(self) -> bool:
        """Whether this is the global indicator 10, capacity for improvement."""
        return self.id == GLOBAL_INDICATOR_ID

    def key_factor_ref(self, n: int) -> str:
        """The reference of the *n*-th key factor (from 1), as findings
        name it: ``"5.2/key_factor/2"``.

        :raises IndexError: if the indicator has no such key factor.
        """
        if not 1 <= n <= len(self.key_factors):
            raise IndexError(f"{self.id} has {len(self.key_factors)} key factor(s), not {n}")
        return f"{self.id}/key_factor/{n}"

    def illustrations(self, kind: IllustrationKind | str | None = None) -> tuple[Illustration, ...]:
        """The illustration bullets, each with its reference, optionally only
        those of one *kind* (``"very_good"`` or ``"weak"``)."""
        kinds = list(IllustrationKind) if kind is None else [IllustrationKind(kind)]
        out: list[Illustration] = []
        for k in kinds:
            groups = self.very_good if k is IllustrationKind.VERY_GOOD else self.weak
            n = 0
            for group in groups:
                for text in group.statements:
                    n += 1
                    out.append(
                        Illustration(
                            ref=f"{self.id}/{k.value}/{n}", kind=k, subject=group.subject, text=text
                        )
                    )
        return tuple(out)


@attrs.frozen(kw_only=True)
class WellbeingIndicator:
    """A wellbeing indicator (SHANARRI) with its two illustrations."""

    id: str
    name: str
    very_good: str = ""
    weak: str = ""


@attrs.frozen(kw_only=True)
class LeverModel:
    """One lever for improvement a framework asks partnerships to
    demonstrate, and the indicators that evidence it.

    :param name: the lever's name; capacity rules read its mean grade as
        the field ``lever_<name>``.
    :param indicators: indicator ids, or ``"<key area>.*"`` for all the
        indicators of a key area, in the order reports list them.
    """

    name: str
    title: str
    indicators: tuple[str, ...] = attrs.field(converter=to_tuple)


@attrs.frozen(kw_only=True)
class CapacityModel:
    """What a framework says about judging capacity for improvement: the
    ``[capacity]`` table of a framework file.

    :param key_outcomes: the key outcome indicators (a weak one limits the
        confidence statement).
    :param leadership_key_area: the key area of leadership.
    :param levers: the levers for improvement, in order.
    :param workforce: the workforce indicators (7.1 in the bundled
        frameworks): a weak one limits the confidence statement.
    """

    key_outcomes: tuple[str, ...] = attrs.field(factory=tuple, converter=to_tuple)
    leadership_key_area: int | None = None
    levers: tuple[LeverModel, ...] = attrs.field(factory=tuple, converter=to_tuple)
    workforce: tuple[str, ...] = attrs.field(factory=tuple, converter=to_tuple)

    def lever_indicators(self, framework: Framework, lever: LeverModel) -> tuple[str, ...]:
        """The ids of *lever*'s indicators in *framework*, in order, each
        once; ids and key areas the framework lacks are left out."""
        ids: list[str] = []
        for member in lever.indicators:
            head, _, rest = member.partition(".")
            if rest == "*":
                ids += [qi.id for qi in framework.indicators_of(int(head))]
            elif member in framework:
                ids.append(member)
        return tuple(dict.fromkeys(ids))

    def leadership(self, framework: Framework) -> tuple[str, ...]:
        """The ids of the leadership indicators in *framework*."""
        if self.leadership_key_area is None:
            return ()
        return tuple(
            qi.id for qi in framework.indicators if qi.key_area == self.leadership_key_area
        )

    def restricted_to(self, framework: Framework) -> CapacityModel:
        """This model with only the indicators and key areas *framework*
        has (the fallback for a framework without its own)."""
        areas = {ka.number for ka in framework.key_areas}

        def keep(member: str) -> bool:
            head, _, rest = member.partition(".")
            return int(head) in areas if rest == "*" else member in framework

        return CapacityModel(
            key_outcomes=[q for q in self.key_outcomes if q in framework],
            leadership_key_area=self.leadership_key_area
            if self.leadership_key_area in areas
            else None,
            levers=[
                attrs.evolve(lv, indicators=tuple(m for m in lv.indicators if keep(m)))
                for lv in self.levers
            ],
            workforce=[q for q in self.workforce if q in framework],
        )


def _capacity_problems(fw: Framework) -> Iterator[tuple[str, str]]:
    cm = fw.capacity
    if cm is None:
        return
    areas = {ka.number for ka in fw.key_areas}
    ids = {qi.id for qi in fw.all_indicators}  # checked before the index is built
    for i, qi in enumerate(cm.key_outcomes):
        if qi not in ids:
            yield f"capacity.key_outcomes[{i}]", f"{fw.id} has no indicator {qi!r}"
    for i, qi in enumerate(cm.workforce):
        if qi not in ids:
            yield f"capacity.workforce[{i}]", f"{fw.id} has no indicator {qi!r}"
    if cm.leadership_key_area is not None and cm.leadership_key_area not in areas:
        yield "capacity.leadership_key_area", f"{fw.id} has no key area {cm.leadership_key_area}"
    names: set[str] = set()
    for i, lever in enumerate(cm.levers):
        where = f"capacity.levers[{i}]"
        if not lever.name.isidentifier() or not lever.name.islower():
            yield (
                f"{where}.name",
                f"expected a lower-case name such as 'outcomes', got {lever.name!r}",
            )
        elif lever.name in names:
            yield f"{where}.name", f"duplicate lever {lever.name!r}"
        names.add(lever.name)
        for j, member in enumerate(lever.indicators):
            head, _, rest = member.partition(".")
            if rest == "*":
                if not head.isdigit() or int(head) not in areas:
                    yield f"{where}.indicators[{j}]", f"{fw.id} has no key area {head!r}"
            elif member not in ids:
                yield f"{where}.indicators[{j}]", f"{fw.id} has no indicator {member!r}"


@attrs.frozen(kw_only=True)
class Framework:
    """A quality improvement framework: questions, key areas, quality
    indicators (including the global indicator 10) and wellbeing indicators.

    Construction checks the framework's invariants and raises
    :class:`~qifeval.FrameworkError` naming the field path of the first
    problem found.

    :param capacity: what the framework says about capacity for improvement
        (its ``[capacity]`` table); optional: without it, the capacity
        judgement uses the default framework's table, restricted to the
        indicators this framework has.

    >>> import qifeval
    >>> fw = qifeval.load_framework("qif-2018")
    >>> qi = fw.indicator("5.2")
    >>> qi.title
    'Assessing risk and need'
    >>> fw.key_area(qi.key_area).title
    'Delivery of key processes'
    >>> len(fw.indicators)
    22
    """

    info: FrameworkInfo
    questions: tuple[Question, ...] = attrs.field(converter=to_tuple)
    key_areas: tuple[KeyArea, ...] = attrs.field(converter=to_tuple)
    all_indicators: tuple[QualityIndicator, ...] = attrs.field(converter=to_tuple)
    wellbeing: tuple[WellbeingIndicator, ...] = attrs.field(factory=tuple, converter=to_tuple)
    capacity: CapacityModel | None = None
    _index: dict[str, QualityIndicator] = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        problems = [*_problems(self), *_capacity_problems(self)]
        if problems:
            path, problem = problems[0]
            raise FrameworkError(problem, path=path)
        object.__setattr__(self, "_index", {qi.id: qi for qi in self.all_indicators})

    @property
    def id(self) -> str:
        """The framework's id, e.g. ``"qif-2018"``."""
        return self.info.id

    @property
    def indicators(self) -> tuple[QualityIndicator, ...]:
        """The quality indicators in framework order, without the global
        indicator 10."""
        return tuple(qi for qi in self.all_indicators if not qi.is_global)

    @property
    def global_indicator(self) -> QualityIndicator | None:
        """The global indicator 10, capacity for improvement, if present."""
        return self._index.get(GLOBAL_INDICATOR_ID)

    def indicator(self, qi_id: str) -> QualityIndicator:
        """Return the indicator with id *qi_id* (``"5.2"``, ``"10"``).

        :raises UnknownIndicatorError: naming the closest ids.
        """
        qi_id = str(qi_id).strip()
        try:
            return self._index[qi_id]
        except KeyError:
            raise UnknownIndicatorError(
                qi_id,
                framework_id=self.id,
                suggestions=difflib.get_close_matches(qi_id, list(self._index), n=3, cutoff=0.3),
            ) from None

    def __contains__(self, qi_id: object) -> bool:
        return qi_id in self._index

    def __iter__(self) -> Iterator[QualityIndicator]:
        return iter(self.all_indicators)

    def key_area(self, number: int | QualityIndicator) -> KeyArea:
        """Return key area *number*, or the key area of an indicator."""
        if isinstance(number, QualityIndicator):
            number = number.key_area
        for ka in self.key_areas:
            if ka.number == number:
                return ka
        raise UnknownIndicatorError(f"key area {number}", framework_id=self.id)

    def question(self, item: int | KeyArea | QualityIndicator) -> Question:
        """Return question *item* (a number), or the question a key area or
        an indicator answers."""
        if isinstance(item, QualityIndicator):
            item = self.key_area(item)
        number = item.question if isinstance(item, KeyArea) else item
        for q in self.questions:
            if q.number == number:
                return q
        raise UnknownIndicatorError(f"question {number}", framework_id=self.id)

    def key_areas_of(self, question: int | Question) -> tuple[KeyArea, ...]:
        """The key areas under a question, in order."""
        number = question.number if isinstance(question, Question) else question
        return tuple(ka for ka in self.key_areas if ka.question == number)

    def indicators_of(self, key_area: int | KeyArea) -> tuple[QualityIndicator, ...]:
        """The indicators in a key area, in order."""
        number = key_area.number if isinstance(key_area, KeyArea) else key_area
        return tuple(qi for qi in self.all_indicators if qi.key_area == number)

    def part(self, qi: str | QualityIndicator) -> Part:
        """The part of the three-part model an indicator belongs to."""
        if isinstance(qi, str):
            qi = self.indicator(qi)
        return self.key_area(qi).part

    def wellbeing_indicator(self, name: str) -> WellbeingIndicator:
        """Return a wellbeing indicator by id or name, case-insensitive."""
        key = name.strip().lower()
        for wb in self.wellbeing:
            if key in (wb.id.lower(), wb.name.lower()):
                return wb
        raise UnknownIndicatorError(
            name,
            framework_id=self.id,
            suggestions=difflib.get_close_matches(key, [w.id for w in self.wellbeing], n=3),
        )


def _problems(fw: Framework) -> Iterator[tuple[str, str]]:
    """Yield ``(field path, problem)`` for every broken invariant."""
    if not fw.info.id.strip():
        yield "framework.id", "must not be empty"
    if not fw.info.title.strip():
        yield "framework.title", "must not be empty"
    if fw.info.content not in ("complete", "titles-only"):
        yield "framework.content", f"expected 'complete' or 'titles-only', got {fw.info.content!r}"
    questions: set[int] = set()
    for i, q in enumerate(fw.questions):
        if q.number in questions:
            yield f"questions[{i}].number", f"duplicate question number {q.number}"
        questions.add(q.number)
        if not q.text.strip():
            yield f"questions[{i}].text", "must not be empty"
    areas: set[int] = set()
    for i, ka in enumerate(fw.key_areas):
        if ka.number in areas:
            yield f"key_areas[{i}].number", f"duplicate key area number {ka.number}"
        areas.add(ka.number)
        if not ka.title.strip():
            yield f"key_areas[{i}].title", "must not be empty"
        if ka.question not in questions:
            yield (
                f"key_areas[{i}].question",
                f"key area {ka.number} names question {ka.question}, which does not exist",
            )
    ids: set[str] = set()
    for i, qi in enumerate(fw.all_indicators):
        where = f"indicators[{i}]"
        if qi.id in ids:
            yield f"{where}.id", f"duplicate indicator id {qi.id!r}"
        ids.add(qi.id)
        if not qi.title.strip():
            yield f"{where}.title", "must not be empty"
        if qi.key_area not in areas:
            yield (
                f"{where}.key_area",
                f"indicator {qi.id!r} names key area {qi.key_area}, which does not exist",
            )
        head = qi.id.split(".")[0]
        if not _is_indicator_id(qi.id) or head != str(qi.key_area):
            yield (
                f"{where}.id",
                f"indicator id {qi.id!r} must be '<key area>.<n>' "
                f"(or '10' for the global indicator) with key area {qi.key_area}",
            )
        for kind in ("very_good", "weak"):
            for j, group in enumerate(getattr(qi, kind)):
                for k, text in enumerate(group.statements):
                    if not text.strip():
                        yield f"{where}.{kind}[{j}].statements[{k}]", "must not be empty"
    names: set[str] = set()
    for i, wb in enumerate(fw.wellbeing):
        if wb.id in names:
            yield f"wellbeing[{i}].id", f"duplicate wellbeing indicator {wb.id!r}"
        names.add(wb.id)
        if not wb.name.strip():
            yield f"wellbeing[{i}].name", "must not be empty"


def _is_indicator_id(qi_id: str) -> bool:
    if qi_id == GLOBAL_INDICATOR_ID:
        return True
    head, dot, tail = qi_id.partition(".")
    return bool(dot) and head.isdigit() and tail.isdigit() and not tail.startswith("0")
