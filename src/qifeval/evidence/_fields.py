"""The one registry of the fields rules can read.

Indicator rules read an indicator's evidence profile; capacity rules read
the capacity profile built from all indicator grades, the context and the
trend. Each :class:`Field` says what it counts, how it moves (its
:class:`Side`) and how it is computed; the profiles, the rules' validation,
the reference table in the documentation and the tests of monotonicity are
all derived from :data:`FIELDS`.
"""

from __future__ import annotations

import enum
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import attrs

from .._ids import _natural
from .._tuples import to_tuple
from ..frameworks._grade import Grade
from ..frameworks._model import CapacityModel, Framework, Part
from ._consistency import inconsistent_strength
from ._context import ChallengeKind, Severity
from ._findings import Finding
from ._kinds import SourceKind, Valence, Weight
from ._quantity import settled

if TYPE_CHECKING:
    from ..evaluation._capacity import MatchLike, PlanProgressLike, Trend
    from ._context import Context

__all__ = [
    "FIELDS",
    "SUBJECTS",
    "CapacityFacts",
    "Field",
    "IndicatorFacts",
    "Points",
    "Side",
    "Traits",
    "TriangulationPolicy",
    "register_field",
    "strength",
    "traits",
    "unregister_field",
    "weakness",
]


#: The rule subjects: what a rule set's rules read.
SUBJECTS = ("indicator", "capacity")


class Side(enum.StrEnum):
    """How a field moves.

    For the evidence profile: a ``strength`` field never falls when a
    strength is added and never rises when a weakness is added; a
    ``weakness`` field the other way round. For the capacity profile: a
    ``strength`` field never falls when an indicator's grade rises and never
    rises when a contextual challenge is added; a ``weakness`` field the
    other way round. A ``neutral`` field promises neither.
    """

    STRENGTH = "strength"
    WEAKNESS = "weakness"
    NEUTRAL = "neutral"


@attrs.frozen(kw_only=True)
class Points(Mapping[Weight, int]):
    """The points each finding weight adds to ``strength_points`` and
    ``weakness_points``; a read-only mapping of :class:`~qifeval.Weight` to
    points. The defaults here are qifeval's defaults."""

    minor: int = 1
    important: int = 3
    major: int = 9

    def __getitem__(self, weight: Weight) -> int:
        return int(getattr(self, Weight(weight).value))

    def __iter__(self) -> Iterator[Weight]:
        return iter(Weight)

    def __len__(self) -> int:
        return len(Weight)


@attrs.frozen(kw_only=True)
class TriangulationPolicy:
    """When the evidence on an indicator is triangulated: the ``[triangulation]``
    table of a grading rule set.

    :param triangulated: distinct source kinds that make evidence
        triangulated (and the strengths triangulated, the field
        ``strengths_triangulated``).
    :param partial: distinct source kinds that make it partly triangulated.
    :param documentation_alone_insufficient: the parts of the three-part
        model whose indicators have *insufficient evidence* when every
        finding rests on documentation.
    """

    triangulated: int = 3
    partial: int = 2
    documentation_alone_insufficient: tuple[Part, ...] = attrs.field(
        default=(Part.OUTCOMES,), converter=to_tuple
    )


@attrs.frozen(kw_only=True, eq=False)
class Traits:
    """What the evidence-profile fields read of one finding, judged once
    (see :func:`traits`). Findings alike in all of these share one
    instance, so that a field's test runs once per kind of finding.

    :param inconsistent: a strength that fails a consistency check and
        that no person checked (see :func:`~qifeval.check_findings`): it
        does not count as a strength.
    :param unsettled: a counted strength whose 95% Wilson interval reaches
        another evaluative band than its proportion's.
    :param spread: a critical weakness about more than a single case, or
        one whose extent is not known.
    """

    valence: Valence
    weight: Weight
    source: SourceKind
    critical: bool
    sustained: bool
    sector_leading: bool
    inconsistent: bool
    unsettled: bool
    spread: bool

    @property
    def strength(self) -> bool:
        """Whether the finding counts as a strength: a strength that is not
        inconsistent."""
        return self.valence is Valence.STRENGTH and not self.inconsistent

    @property
    def weakness(self) -> bool:
        """Whether the finding is a weakness."""
        return self.valence is Valence.WEAKNESS

    def counts_as(self, valence: Valence) -> bool:
        """Whether the finding counts as a finding of *valence*."""
        return self.strength if valence is Valence.STRENGTH else self.valence is valence


_TraitsKey = tuple[Valence, Weight, SourceKind, bool, bool, bool, bool, bool, bool]
_TRAITS: dict[_TraitsKey, Traits] = {}


def _new_traits(key: _TraitsKey) -> Traits:
    v, w, s, critical, sustained, leading, inconsistent, unsettled, spread = key
    made = Traits(
        valence=v,
        weight=w,
        source=s,
        critical=critical,
        sustained=sustained,
        sector_leading=leading,
        inconsistent=inconsistent,
        unsettled=unsettled,
        spread=spread,
    )
    return _TRAITS.setdefault(key, made)


# Findings often share a share and a sample (60 records read, say): each
# pair's band is judged once.
_settled = lru_cache(maxsize=1 << 14, typed=True)(settled)


def _cases(f: Finding) -> int | None:
    """How many records or people a weakness affects (``proportion ×
    sample``, rounded), or ``None`` when the finding does not say."""
    if f.proportion is None or f.sample is None:
        return None
    return round(f.proportion * f.sample)


def _spread(f: Finding) -> bool:
    """A critical weakness about more than a single case, or one whose
    extent is not known."""
    cases = _cases(f)
    return f.critical and (cases is None or cases > 1)


def traits(
    findings: Iterable[Finding], failed: Sequence[Iterable[str]] | None = None
) -> list[Traits]:
    """The traits of each finding, in order. As the fields read them, every
    finding's consistency is judged before any interval is computed.

    :param failed: the codes of the checks each finding fails (see
        :func:`~qifeval.evidence._consistency.failed_checks`), when known.
    """
    fs = list(findings)
    if failed is None:
        inconsistent = list(map(inconsistent_strength, fs))
    else:
        inconsistent = [inconsistent_strength(f, c) for f, c in zip(fs, failed, strict=True)]
    out = []
    for f, bad in zip(fs, inconsistent, strict=True):
        p, n = f.proportion, f.sample
        in_one_band = p is None or n is None or _settled(p, n)
        key = (
            f.valence,
            f.weight,
            f.source,
            f.critical,
            f.sustained,
            f.sector_leading,
            bad,
            not in_one_band and f.valence is Valence.STRENGTH and not bad,
            f.critical and _spread(f),
        )
        out.append(_TRAITS.get(key) or _new_traits(key))
    return out


#: A test of a finding's traits.
TraitsTest = Callable[[Traits], bool]


@lru_cache(maxsize=64)
def _passed(tests: tuple[TraitsTest, ...]) -> dict[Traits, tuple[int, ...]]:
    """A memo of the tests each kind of finding passes: traits -> the
    indices of the *tests* they pass."""
    return {}


class IndicatorFacts:
    """What evidence-profile fields are computed from: one indicator's
    findings, the rule set's points and triangulation policy, and the
    fields computed before (in registry order).

    The findings are judged once (their :class:`Traits`; *failed*: the
    codes of the checks each fails, when known) and put in the natural
    order of their ids, in which every field lists its ids.
    """

    __slots__ = (
        "_kinds",
        "_selected",
        "_weighed",
        "findings",
        "ids_of",
        "ordered",
        "part",
        "points",
        "policy",
        "qi",
        "tally",
        "traits",
    )

    def __init__(
        self,
        *,
        qi: str,
        part: Part,
        findings: list[Finding],
        points: Mapping[Weight, int],
        policy: TriangulationPolicy,
        failed: Sequence[Iterable[str]] | None = None,
    ) -> None:
        self.qi = qi
        self.part = part
        #: the findings, in input order.
        self.findings = findings
        self.points = points
        self.policy = policy
        #: field name -> the ids behind it, for the fields computed so far.
        self.ids_of: dict[str, tuple[str, ...]] = {}
        self._kinds: dict[Valence | None, set[SourceKind]] = {}
        judged = traits(findings, failed)
        order = sorted(range(len(findings)), key=[_natural(f.id) for f in findings].__getitem__)
        #: the findings in the natural order of their ids, and their traits.
        self.ordered = [findings[i] for i in order]
        self.traits = [judged[i] for i in order]
        #: each kind of finding (its traits) and how many findings are of it.
        self.tally = Counter(self.traits)
        self._selected: dict[TraitsTest, tuple[str, ...]] = {}
        self._weighed = {w: points[w] for w in Weight}

    def ids(self, name: str) -> tuple[str, ...]:
        """The ids behind a field computed before this one."""
        return self.ids_of[name]

    def where(self, test: TraitsTest) -> tuple[str, ...]:
        """The ids of the findings whose traits pass *test*, in natural
        order. The first call selects, in one pass, the findings of every
        registered field that counts findings by their traits."""
        if test not in self._selected:
            tests = tuple(
                dict.fromkeys([test, *(t for t in _selecting_tests() if t not in self._selected)])
            )
            passed = _passed(tests)
            lists: list[list[str]] = [[] for _ in tests]
            adds = {}
            for kind in self.tally:
                if kind not in passed:
                    passed[kind] = tuple(i for i, t in enumerate(tests) if t(kind))
                adds[kind] = tuple(lists[i].append for i in passed[kind])
            for f, kind in zip(self.ordered, self.traits, strict=True):
                for add in adds[kind]:
                    add(f.id)
            self._selected.update(zip(tests, map(tuple, lists), strict=True))
        return self._selected[test]

    def points_of(self, test: TraitsTest) -> int:
        """The points of the findings whose traits pass *test*, added up."""
        points = self._weighed
        return sum(points[t.weight] * n for t, n in self.tally.items() if test(t))

    def kinds(self, valence: Valence | None = None) -> set[SourceKind]:
        """The distinct source kinds behind the findings of *valence* (all
        findings when ``None``)."""
        if valence not in self._kinds:
            self._kinds[valence] = {
                t.source for t in self.tally if valence is None or t.counts_as(valence)
            }
        return self._kinds[valence]

    @property
    def documentation_only(self) -> bool:
        """Whether there are findings and every one rests on documentation."""
        return self.kinds() == {SourceKind.DOCUMENTATION}


@attrs.frozen(kw_only=True)
class CapacityFacts:
    """What capacity-profile fields are computed from.

    :param grades: indicator -> the grade that counts, or ``None``.
    :param graded: the graded indicators, in framework order.
    :param triangulated: indicator -> whether its evidence is triangulated.
    :param levers: lever name -> (value, ids of its graded indicators);
        the value is the lever's mean grade times ten, read only by the
        earlier rule set ``qifeval-capacity-default``.
    :param plan: the improvement plan's progress, if a plan is given.
    :param independent: how closely the self-evaluation matched an
        independent evaluation, if one is given.
    """

    framework: Framework
    model: CapacityModel
    grades: Mapping[str, Grade | None]
    graded: tuple[str, ...]
    triangulated: Mapping[str, bool]
    context: Context
    trend: Trend | None
    levers: Mapping[str, tuple[int, tuple[str, ...]]]
    plan: PlanProgressLike | None = None
    independent: MatchLike | None = None

    def where(self, test: Callable[[Grade], bool]) -> tuple[str, ...]:
        """The graded indicators whose grade passes *test*."""
        out = []
        for q in self.graded:
            grade = self.grades[q]
            if grade is not None and test(grade):
                out.append(q)
        return tuple(out)


#: What a computed field returns: its value and the ids behind it.
Computed = tuple[int, Iterable[str]]


@attrs.frozen(kw_only=True)
class Field:
    """A field rules can read.

    Give exactly one of *finding* (an evidence-profile field counting the
    findings for which it holds; the ids are those findings) and *compute*
    (a function of :class:`IndicatorFacts` or :class:`CapacityFacts`
    returning the value and the ids behind it).

    :param subject: ``"indicator"`` or ``"capacity"``: which rules read it.
    :param description: what it counts, as the reference table shows it.
    """

    name: str
    description: str
    side: Side = attrs.field(converter=Side)
    subject: str = "indicator"
    finding: Callable[[Finding], bool] | None = None
    compute: Callable[[Any], Computed] | None = None

    def __attrs_post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"a field name is an identifier, got {self.name!r}")
        if self.subject not in SUBJECTS:
            raise ValueError(f"expected a subject in {SUBJECTS}, got {self.subject!r}")
        if (self.finding is None) == (self.compute is None):
            raise ValueError(f"field {self.name!r}: give either 'finding' or 'compute'")
        if self.finding is not None and self.subject != "indicator":
            raise ValueError(f"field {self.name!r}: only evidence-profile fields count findings")

    def value(self, facts: Any) -> tuple[int, tuple[str, ...]]:
        """The field's value and ids for *facts*."""
        if self.finding is not None:
            test = self.finding
            passed = {id(f) for f in facts.findings if test(f)}
            ids = tuple(f.id for f in facts.ordered if id(f) in passed)
            return len(ids), ids
        assert self.compute is not None
        value, computed = self.compute(facts)
        return int(value), tuple(computed)


#: Subject -> field name -> field, in the order profiles list them.
FIELDS: dict[str, dict[str, Field]] = {subject: {} for subject in SUBJECTS}


def register_field(field: Field) -> Field:
    """Add *field* to the registry; rules can read it from then on.

    :raises ValueError: if a field of that subject has that name.
    """
    registry = FIELDS[field.subject]
    if field.name in registry:
        raise ValueError(f"a {field.subject} field {field.name!r} is already registered")
    registry[field.name] = field
    return field


def unregister_field(subject: str, name: str) -> None:
    """Remove a field from the registry."""
    del FIELDS[subject][name]


# --------------------------------------------------------------------------
# The evidence profile


@attrs.frozen
class _Selecting:
    """A field's computation over the findings whose traits pass *test*:
    how many they are (with *points*, their points added up), and their
    ids."""

    test: TraitsTest
    points: bool = False

    def __call__(self, facts: IndicatorFacts) -> Computed:
        ids = facts.where(self.test)
        return (facts.points_of(self.test) if self.points else len(ids)), ids


def _selecting_tests() -> list[TraitsTest]:
    """The tests of the registered fields that select findings by their
    traits."""
    return [
        f.compute.test for f in FIELDS["indicator"].values() if isinstance(f.compute, _Selecting)
    ]


def _count(name: str, description: str, side: Side, test: TraitsTest) -> None:
    register_field(Field(name=name, description=description, side=side, compute=_Selecting(test)))


def _points(name: str, description: str, side: Side, test: TraitsTest) -> None:
    register_field(
        Field(name=name, description=description, side=side, compute=_Selecting(test, points=True))
    )


def _computed(name: str, description: str, side: Side, compute: Callable[[Any], Computed]) -> None:
    register_field(Field(name=name, description=description, side=side, compute=compute))


_S, _W, _N = Side.STRENGTH, Side.WEAKNESS, Side.NEUTRAL
_STRENGTH, _WEAKNESS = Valence.STRENGTH, Valence.WEAKNESS


def strength(t: Traits) -> bool:
    """The test of the field ``strengths``: a finding that counts as a
    strength."""
    return t.strength


def weakness(t: Traits) -> bool:
    """The test of the field ``weaknesses``."""
    return t.weakness


_count("findings", "all findings", _N, lambda t: True)
_count(
    "strengths",
    "strengths (an inconsistent strength no person checked does not count as a strength "
    "here or in any strength field: see `strengths_inconsistent`)",
    _S,
    strength,
)
_count("weaknesses", "weaknesses", _W, weakness)


def _of_weight(valence: Valence, weights: Iterable[Weight]) -> TraitsTest:
    chosen = frozenset(weights)
    return lambda t: t.counts_as(valence) and t.weight in chosen


_PLURAL = {_STRENGTH: "strengths", _WEAKNESS: "weaknesses"}
for _valence, _side in ((_STRENGTH, _S), (_WEAKNESS, _W)):
    for _weight in Weight:
        _count(
            f"{_PLURAL[_valence]}_{_weight.value}",
            f"{_PLURAL[_valence]} of weight {_weight.value}",
            _side,
            _of_weight(_valence, [_weight]),
        )
for _valence, _side in ((_STRENGTH, _S), (_WEAKNESS, _W)):
    _count(
        f"{_PLURAL[_valence]}_important_or_major",
        f"{_PLURAL[_valence]} of weight important or major",
        _side,
        _of_weight(_valence, [Weight.IMPORTANT, Weight.MAJOR]),
    )
_points(
    "strength_points",
    "the strengths' points added up (see the rule set's `[points]`)",
    _S,
    strength,
)
_points("weakness_points", "the weaknesses' points added up", _W, weakness)
_count(
    "critical_weaknesses",
    "weaknesses in a critical aspect, of any weight",
    _W,
    lambda t: t.critical,
)
_count(
    "critical_important_weaknesses",
    "critical weaknesses of weight important",
    _W,
    lambda t: t.critical and t.weight is Weight.IMPORTANT,
)
_count(
    "critical_major_weaknesses",
    "critical weaknesses of weight major",
    _W,
    lambda t: t.critical and t.weight is Weight.MAJOR,
)
_count(
    "sustained_strengths",
    "strengths marked sustained",
    _S,
    lambda t: t.sustained and t.strength,
)
_count(
    "sector_leading_strengths",
    "strengths marked sector leading",
    _S,
    lambda t: t.sector_leading and t.strength,
)
_computed(
    "strength_sources",
    "distinct kinds of evidence behind the strengths (0-4)",
    _S,
    lambda x: (len(x.kinds(_STRENGTH)), x.ids("strengths")),
)
_computed(
    "weakness_sources",
    "distinct kinds of evidence behind the weaknesses (0-4)",
    _W,
    lambda x: (len(x.kinds(_WEAKNESS)), x.ids("weaknesses")),
)
_computed(
    "strengths_triangulated",
    "1 if the strengths rest on at least the rule set's `triangulation.triangulated` "
    "distinct kinds of evidence (3 by default), else 0",
    _S,
    lambda x: (int(len(x.kinds(_STRENGTH)) >= x.policy.triangulated), x.ids("strengths")),
)
_computed(
    "sources",
    "distinct kinds of evidence behind all findings (0-4)",
    _N,
    lambda x: (len(x.kinds()), x.ids("findings")),
)
_computed(
    "outcome_indicator",
    "1 if the indicator is in key areas 1-4 (outcomes), else 0: a property of the indicator",
    _N,
    lambda x: (int(x.part is Part.OUTCOMES), ()),
)
_computed(
    "documentation_only",
    "1 if there are findings and every one rests on documentation, else 0; "
    "it can switch either way: use it in `withhold` rules",
    _N,
    lambda x: (int(x.documentation_only), x.ids("findings") if x.documentation_only else ()),
)


_count(
    "strengths_inconsistent",
    "strengths that fail a consistency check and that no person checked: under one half of "
    "their sample, or led by an evaluative term their proportion contradicts; they count in "
    "no other strength field. It rises as such strengths are added, so a rule that lowers a "
    "grade on it breaks 'adding a strength never lowers a grade'",
    _N,
    lambda t: t.inconsistent,
)
_count(
    "strengths_unsettled",
    "strengths with a proportion and a sample whose 95% Wilson interval reaches another "
    "evaluative band than their proportion's (the term is not settled); it rises as such "
    "strengths are added",
    _N,
    lambda t: t.unsettled,
)


# --------------------------------------------------------------------------
# Inconsistent strengths, the extent of critical weaknesses and the quality
# of the evidence behind strengths (read by the rule set ``qifeval-2026``)


def _share_pct(share: float) -> int:
    """A share (0-1) as a whole percentage, rounded down (0.29 is 29)."""
    return math.floor(share * 100 + 1e-9)


def _widest_critical_share(x: IndicatorFacts) -> Computed:
    if not any(t.spread for t in x.tally):
        return 0, ()
    shares = [
        (_share_pct(f.proportion), f.id)
        for f, t in zip(x.ordered, x.traits, strict=True)
        if t.spread and f.proportion is not None
    ]
    if not shares:
        return 0, ()
    widest = max(pct for pct, _ in shares)
    return widest, tuple(fid for pct, fid in shares if pct == widest)


_count(
    "findings_counted",
    "findings without the inconsistent strengths",
    _N,
    lambda t: not t.inconsistent,
)
_count("consistent_strengths", "strengths that are not inconsistent", _S, strength)
_count(
    "consistent_strengths_important_or_major",
    "consistent strengths of weight important or major",
    _S,
    lambda t: t.strength and t.weight is not Weight.MINOR,
)
_count(
    "consistent_strengths_major_beyond_documents",
    "consistent major strengths from evidence other than documentation "
    "(practice, stakeholders' views, performance data)",
    _S,
    lambda t: t.strength and t.weight is Weight.MAJOR and t.source is not SourceKind.DOCUMENTATION,
)
_count(
    "exemplary_strengths",
    "consistent major strengths that are themselves sustained and sector leading, "
    "from evidence other than documentation",
    _S,
    lambda t: (
        t.strength
        and t.weight is Weight.MAJOR
        and t.sustained
        and t.sector_leading
        and t.source is not SourceKind.DOCUMENTATION
    ),
)
_points("consistent_strength_points", "the consistent strengths' points added up", _S, strength)
_computed(
    "consistent_strength_sources",
    "distinct kinds of evidence behind the consistent strengths (0-4)",
    _S,
    lambda x: (len(x.kinds(_STRENGTH)), x.ids("consistent_strengths")),
)
_computed(
    "consistent_strengths_triangulated",
    "1 if the consistent strengths rest on at least the rule set's "
    "`triangulation.triangulated` distinct kinds of evidence, else 0",
    _S,
    lambda x: (
        int(len(x.kinds(_STRENGTH)) >= x.policy.triangulated),
        x.ids("consistent_strengths"),
    ),
)
_count(
    "noncritical_weaknesses_major",
    "major weaknesses outside a critical aspect",
    _W,
    lambda t: t.weakness and not t.critical and t.weight is Weight.MAJOR,
)
_points(
    "noncritical_weakness_points",
    "the points of the weaknesses outside a critical aspect added up "
    "(critical weaknesses count by their extent instead)",
    _W,
    lambda t: t.weakness and not t.critical,
)
_points(
    "noncritical_heavy_weakness_points",
    "the points of the important and major weaknesses outside a critical aspect added up",
    _W,
    lambda t: t.weakness and not t.critical and t.weight is not Weight.MINOR,
)
_count(
    "critical_spread_weaknesses",
    "critical weaknesses about more than one case (proportion × sample over 1), "
    "or whose extent is not given (no proportion or no sample)",
    _W,
    lambda t: t.spread,
)
_computed(
    "critical_widest_share_pct",
    "the largest share, as a whole percentage, of the critical weaknesses about more "
    "than one case that give a proportion (0 if none)",
    _W,
    _widest_critical_share,
)
_computed(
    "critical_weakness_sources",
    "distinct kinds of evidence behind the critical weaknesses (0-4)",
    _W,
    lambda x: (len({t.source for t in x.tally if t.critical}), x.ids("critical_weaknesses")),
)


# --------------------------------------------------------------------------
# The capacity profile


def _capacity(name: str, description: str, side: Side, compute: Callable[[Any], Computed]) -> None:
    register_field(
        Field(name=name, description=description, side=side, subject="capacity", compute=compute)
    )


def _pct(part: int, whole: int) -> int:
    return 0 if whole == 0 else (100 * part) // whole


def _not_triangulated(x: CapacityFacts) -> tuple[str, ...]:
    return tuple(q for q in x.graded if not x.triangulated[q])


def _good_or_better(x: CapacityFacts) -> tuple[str, ...]:
    return x.where(lambda g: g >= Grade.GOOD)


def _very_good_or_better(x: CapacityFacts) -> tuple[str, ...]:
    return x.where(lambda g: g >= Grade.VERY_GOOD)


def _weak(x: CapacityFacts, among: Iterable[str]) -> tuple[str, ...]:
    chosen = set(among)
    return tuple(q for q in x.where(lambda g: g <= Grade.WEAK) if q in chosen)


def _ids(ids: tuple[str, ...]) -> Computed:
    return len(ids), ids


def _trend(name: str) -> Callable[[CapacityFacts], Computed]:
    def compute(x: CapacityFacts) -> Computed:
        return _ids(getattr(x.trend, name) if x.trend is not None else ())

    return compute


def _lever(name: str) -> Callable[[CapacityFacts], Computed]:
    def compute(x: CapacityFacts) -> Computed:
        return x.levers.get(name, (0, ()))

    return compute


def _all_qis(x: CapacityFacts) -> tuple[str, ...]:
    return tuple(qi.id for qi in x.framework.indicators)


_capacity(
    "indicators",
    "quality indicators in the framework (without QI 10)",
    _N,
    lambda x: _ids(_all_qis(x)),
)
_capacity("graded", "indicators with a grade", _N, lambda x: _ids(x.graded))
_capacity(
    "ungraded",
    "indicators without a grade",
    _N,
    lambda x: _ids(tuple(q for q in _all_qis(x) if x.grades.get(q) is None)),
)
_capacity(
    "not_triangulated",
    "graded indicators whose evidence is not triangulated",
    _W,
    lambda x: _ids(_not_triangulated(x)),
)
_capacity(
    "good_or_better_pct",
    "graded indicators at Good or better, as a percentage of graded indicators",
    _S,
    lambda x: (_pct(len(_good_or_better(x)), len(x.graded)), _good_or_better(x)),
)
_capacity(
    "very_good_or_better_pct",
    "graded indicators at Very good or better, as a percentage of graded indicators",
    _S,
    lambda x: (_pct(len(_very_good_or_better(x)), len(x.graded)), _very_good_or_better(x)),
)
_capacity(
    "weak_or_worse",
    "indicators graded Weak or Unsatisfactory",
    _W,
    lambda x: _ids(x.where(lambda g: g <= Grade.WEAK)),
)
_capacity(
    "unsatisfactory",
    "indicators graded Unsatisfactory",
    _W,
    lambda x: _ids(x.where(lambda g: g == Grade.UNSATISFACTORY)),
)
_capacity(
    "weak_leadership",
    "leadership indicators (the framework's leadership key area: 9 in the bundled ones) "
    "graded 2 or below",
    _W,
    lambda x: _ids(_weak(x, x.model.leadership(x.framework))),
)
_capacity(
    "weak_key_outcomes",
    "key outcome indicators (the framework's: 1.1, 2.1, 2.2 in the bundled ones) graded 2 or below",
    _W,
    lambda x: _ids(_weak(x, x.model.key_outcomes)),
)
_capacity(
    "graded_pct",
    "graded indicators as a percentage of all indicators",
    _N,
    lambda x: (_pct(len(x.graded), len(_all_qis(x))), x.graded),
)
_capacity(
    "not_triangulated_pct",
    "`not_triangulated` as a percentage of graded indicators",
    _W,
    lambda x: (_pct(len(_not_triangulated(x)), len(x.graded)), _not_triangulated(x)),
)
for _name, _what in (
    ("intelligence", "partnership intelligence lever (6.4, 1.1)"),
    ("leadership", "leadership and management lever (key area 9 and key areas 6-8)"),
    ("improvement", "quality improvement lever (6.5, or 8.3 in `qif-2014`; 9.4)"),
    ("outcomes", "outcomes lever (1.1, 2.1, 2.2)"),
):
    _capacity(
        f"lever_{_name}",
        f"{_what}: its mean grade times ten; read only by the earlier rule set "
        "`qifeval-capacity-default` (the current rules read medians and counts)",
        _S,
        _lever(_name),
    )
_capacity(
    "has_previous",
    "1 if a previous evaluation is given, else 0",
    _N,
    lambda x: (int(x.trend is not None), ()),
)
_capacity(
    "improved", "indicators graded higher than in the previous evaluation", _S, _trend("improved")
)
_capacity(
    "declined", "indicators graded lower than in the previous evaluation", _W, _trend("declined")
)
_capacity(
    "areas_improved",
    "previous areas for improvement (graded 3 or below) now graded higher",
    _S,
    _trend("areas_improved"),
)
_capacity(
    "areas_not_improved",
    "previous areas for improvement not graded higher now (the same, lower or ungraded)",
    _W,
    _trend("areas_not_improved"),
)
_capacity(
    "challenges",
    "contextual challenges recorded",
    _W,
    lambda x: _ids(tuple(c.id for c in x.context.challenges)),
)
_capacity(
    "severe_challenges",
    "contextual challenges of severity `severe`",
    _W,
    lambda x: _ids(tuple(c.id for c in x.context.challenges if c.severity is Severity.SEVERE)),
)
_capacity(
    "challenge_points",
    "the challenges' severities added up (low 1, moderate 2, severe 3)",
    _W,
    lambda x: (
        sum(c.severity.points for c in x.context.challenges),
        tuple(c.id for c in x.context.challenges),
    ),
)
_capacity(
    "readiness_strengths",
    "readiness evidence recorded as a strength (any aspect)",
    _S,
    lambda x: _ids(tuple(r.id for r in x.context.readiness if r.valence is _STRENGTH)),
)
_capacity(
    "readiness_weaknesses",
    "readiness evidence recorded as a weakness (any aspect)",
    _W,
    lambda x: _ids(tuple(r.id for r in x.context.readiness if r.valence is _WEAKNESS)),
)


# --- Capacity v2: counts, shares and medians of grades, never means -------


def lower_median(grades: Iterable[Grade]) -> Grade | None:
    """The lower median of *grades* (for an even number, the lower of the
    two middle grades), or ``None`` for none. Grades are ordinal: the
    median is always one of the grades given, and raising any grade never
    lowers it."""
    ordered = sorted(grades)
    return ordered[(len(ordered) - 1) // 2] if ordered else None


def _median_of(x: CapacityFacts, among: Iterable[str]) -> Computed:
    graded = [q for q in among if x.grades.get(q) is not None]
    median = lower_median(g for q in graded if (g := x.grades[q]) is not None)
    return (0 if median is None else int(median)), graded


def _weak_not_improving(x: CapacityFacts, among: Iterable[str]) -> tuple[str, ...]:
    weak = _weak(x, among)
    if x.trend is None:
        return weak
    trend = x.trend
    # Direction is a string enum of the evaluation wing, above this one.
    return tuple(q for q in weak if trend.direction(q) != "up")


def _compared(x: CapacityFacts) -> tuple[str, ...]:
    if x.trend is None:
        return ()
    return tuple(c.qi for c in x.trend.changes if c.direction is not None)


def _leadership_changes(x: CapacityFacts) -> tuple[str, ...]:
    return tuple(
        c.id
        for c in x.context.challenges
        if c.kind is ChallengeKind.LEADERSHIP_CHANGE and c.severity is not Severity.LOW
    )


_capacity(
    "triangulated_pct",
    "graded indicators whose evidence is triangulated, as a percentage of graded indicators "
    "(corroboration)",
    _S,
    lambda x: (
        _pct(len(x.graded) - len(_not_triangulated(x)), len(x.graded)),
        tuple(q for q in x.graded if x.triangulated[q]),
    ),
)
_capacity(
    "median_grade",
    "the median grade of the graded indicators (the lower median: always a grade given; 0 if "
    "none is graded)",
    _S,
    lambda x: _median_of(x, x.graded),
)
_capacity(
    "key_outcomes_median",
    "the median grade of the key outcome indicators graded (0 if none)",
    _S,
    lambda x: _median_of(x, x.model.key_outcomes),
)
_capacity(
    "leadership_graded",
    "leadership indicators with a grade",
    _N,
    lambda x: _ids(tuple(q for q in x.model.leadership(x.framework) if q in x.graded)),
)
_capacity(
    "leadership_good_or_better",
    "leadership indicators graded Good or better (counted, not averaged)",
    _S,
    lambda x: _ids(
        tuple(q for q in _good_or_better(x) if q in set(x.model.leadership(x.framework)))
    ),
)
_capacity(
    "leadership_median",
    "the median grade of the leadership indicators graded (0 if none)",
    _S,
    lambda x: _median_of(x, x.model.leadership(x.framework)),
)


def _lever_median(name: str) -> Callable[[CapacityFacts], Computed]:
    def compute(x: CapacityFacts) -> Computed:
        for spec in x.model.levers:
            if spec.name == name:
                return _median_of(x, x.model.lever_indicators(x.framework, spec))
        return 0, ()

    return compute


for _name in ("intelligence", "leadership", "improvement", "outcomes"):
    _capacity(
        f"lever_{_name}_median",
        f"the median grade of the graded indicators of the {_name} lever (0 if none)",
        _S,
        _lever_median(_name),
    )
_capacity(
    "weak_leadership_not_improving",
    "leadership indicators graded 2 or below and not graded higher than in the previous "
    "evaluation (all weak ones when there is no previous evaluation)",
    _W,
    lambda x: _ids(_weak_not_improving(x, x.model.leadership(x.framework))),
)
_capacity(
    "weak_key_outcomes_not_improving",
    "key outcome indicators graded 2 or below and not graded higher than in the previous "
    "evaluation (all weak ones when there is no previous evaluation)",
    _W,
    lambda x: _ids(_weak_not_improving(x, x.model.key_outcomes)),
)
_capacity(
    "weak_workforce",
    "workforce indicators (the framework's: 7.1 in the bundled ones) graded 2 or below",
    _W,
    lambda x: _ids(_weak(x, x.model.workforce)),
)
_capacity(
    "leadership_changes",
    "contextual challenges of kind `leadership_change` of severity moderate or severe "
    "(leadership's stability)",
    _W,
    lambda x: _ids(_leadership_changes(x)),
)
_capacity(
    "compared",
    "indicators graded in both this and the previous evaluation",
    _N,
    lambda x: _ids(_compared(x)),
)
_capacity(
    "improved_pct",
    "`improved` as a percentage of `compared` (0 without a previous evaluation)",
    _S,
    lambda x: (
        _pct(len(x.trend.improved) if x.trend else 0, len(_compared(x))),
        x.trend.improved if x.trend else (),
    ),
)
_capacity(
    "declined_pct",
    "`declined` as a percentage of `compared` (0 without a previous evaluation)",
    _W,
    lambda x: (
        _pct(len(x.trend.declined) if x.trend else 0, len(_compared(x))),
        x.trend.declined if x.trend else (),
    ),
)
_capacity(
    "has_plan",
    "1 if the progress of an improvement plan is given, else 0",
    _N,
    lambda x: (int(x.plan is not None), ()),
)
_capacity(
    "plan_actions",
    "actions in the improvement plan",
    _N,
    lambda x: (x.plan.total if x.plan is not None else 0, ()),
)
_capacity(
    "plan_done",
    "improvement plan actions done",
    _S,
    lambda x: (x.plan.done if x.plan is not None else 0, ()),
)
_capacity(
    "plan_overdue",
    "improvement plan actions overdue (past their due date and not done)",
    _W,
    lambda x: (x.plan.overdue if x.plan is not None else 0, ()),
)
_capacity(
    "plan_done_pct",
    "`plan_done` as a percentage of `plan_actions`",
    _S,
    lambda x: (_pct(x.plan.done, x.plan.total) if x.plan is not None else 0, ()),
)
_capacity(
    "plan_overdue_pct",
    "`plan_overdue` as a percentage of `plan_actions`",
    _W,
    lambda x: (_pct(x.plan.overdue, x.plan.total) if x.plan is not None else 0, ()),
)
_capacity(
    "has_independent",
    "1 if an independent evaluation is given, else 0",
    _N,
    lambda x: (int(x.independent is not None), ()),
)
_capacity(
    "independent_indicators",
    "indicators graded by both the self-evaluation and the independent evaluation",
    _N,
    lambda x: (x.independent.indicators if x.independent is not None else 0, ()),
)
_capacity(
    "independent_exact_pct",
    "the share of those indicators where the grades agree exactly, as a whole percentage",
    _S,
    lambda x: (_share_pct(x.independent.exact_share) if x.independent is not None else 0, ()),
)
_capacity(
    "independent_within_one_pct",
    "the share of those indicators where the grades differ by at most one, as a whole percentage",
    _S,
    lambda x: (
        _share_pct(x.independent.within_one_share) if x.independent is not None else 0,
        (),
    ),
)
