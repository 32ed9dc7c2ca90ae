"""Rules as data: the grading rules' object model, loading and validation."""

from __future__ import annotations

import enum
import functools
import operator
from collections.abc import Callable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from .. import _convert
from .._errors import InputError
from .._ids import close_matches, did_you_mean
from .._tuples import to_tuple
from ..evidence._fields import FIELDS, SUBJECTS, Points, TriangulationPolicy
from ..evidence._findings import SourceKind, Weight
from ..evidence._triangulation import EvidenceProfile
from ..frameworks._grade import Grade

__all__ = [
    "BUNDLED_RULES",
    "Comparison",
    "Confidence",
    "ConfidenceBands",
    "Effect",
    "Points",
    "Rule",
    "RuleSet",
    "RulesError",
    "TriangulationPolicy",
    "bundled_rules",
    "default_capacity_rules",
    "default_rules",
    "load_rules",
]

RULES_SCHEMA_VERSION = 1


class RulesError(InputError):
    """A rules file or rule breaks the rules schema."""


class Effect(enum.StrEnum):
    """What a rule does when its condition holds.

    - ``suggest``: proposes its grade; the highest proposal wins.
    - ``cap``: limits the grade to at most its grade; the lowest cap wins.
    - ``withhold``: no grade is suggested (the reason is reported).
    - ``limit``: (capacity rules) limits the confidence statement to at most
      its ``confidence``.
    """

    SUGGEST = "suggest"
    CAP = "cap"
    WITHHOLD = "withhold"
    LIMIT = "limit"


class Confidence(enum.StrEnum):
    """How confident a partnership can be that it will make the improvements
    needed (the capacity-for-improvement statement)."""

    NOT_YET_CONFIDENT = "not yet confident"
    CONFIDENT = "confident"
    VERY_CONFIDENT = "very confident"

    @property
    def rank(self) -> int:
        """1 (not yet confident) to 3 (very confident)."""
        return list(Confidence).index(self) + 1


class Tally:
    """What the rules that fired add up to, as the effects fold into it."""

    __slots__ = ("limit", "lowest_cap", "top", "withheld")

    def __init__(self) -> None:
        self.withheld: list[Rule] = []
        self.top: Grade | None = None
        self.lowest_cap: Grade | None = None
        self.limit: Confidence | None = None


@attrs.frozen(kw_only=True)
class Outcome:
    """The result of folding the rules that fired.

    :param confidence: the confidence statement (capacity rules): the band
        of the grade, lowered by the lowest ``limit``.
    :param limited: whether a ``limit`` lowered the confidence.
    """

    grade: Grade | None
    reason: str | None
    top: Grade | None
    withheld: bool
    confidence: Confidence
    limited: bool


@attrs.frozen(kw_only=True)
class EffectKind:
    """How one effect works: what its rules need, which rule sets may use
    it, how it folds into the tally, and when a rule of it is decisive.

    :param needs: ``"grade"``, ``"confidence"`` or ``None``: the value every
        rule of this effect carries (and no other rule does).
    :param limiting: whether it holds a result down (reported among the
        limiting rules).
    """

    needs: str | None
    subjects: tuple[str, ...]
    limiting: bool
    fold: Callable[[Tally, Rule], None]
    decisive: Callable[[Outcome, Rule], bool]


def _fold_withhold(t: Tally, r: Rule) -> None:
    t.withheld.append(r)


def _fold_suggest(t: Tally, r: Rule) -> None:
    assert r.grade is not None
    t.top = r.grade if t.top is None else max(t.top, r.grade)


def _fold_cap(t: Tally, r: Rule) -> None:
    assert r.grade is not None
    t.lowest_cap = r.grade if t.lowest_cap is None else min(t.lowest_cap, r.grade)


def _fold_limit(t: Tally, r: Rule) -> None:
    assert r.confidence is not None
    if t.limit is None or r.confidence.rank < t.limit.rank:
        t.limit = r.confidence


#: Every effect: the one table that validation, combining and reports read.
EFFECTS: dict[Effect, EffectKind] = {
    # No grade; every withhold that fired is decisive and gives its reason.
    Effect.WITHHOLD: EffectKind(
        needs=None,
        subjects=("indicator", "capacity"),
        limiting=False,
        fold=_fold_withhold,
        decisive=lambda o, r: o.withheld,
    ),
    # The highest suggestion wins; decisive if it is the grade reached.
    Effect.SUGGEST: EffectKind(
        needs="grade",
        subjects=("indicator", "capacity"),
        limiting=False,
        fold=_fold_suggest,
        decisive=lambda o, r: o.grade is not None and r.grade == o.top == o.grade,
    ),
    # The lowest cap wins; decisive if it holds the grade where it is
    # (also when it equals the highest suggestion).
    Effect.CAP: EffectKind(
        needs="grade",
        subjects=("indicator", "capacity"),
        limiting=True,
        fold=_fold_cap,
        decisive=lambda o, r: o.grade is not None and r.grade == o.grade,
    ),
    # The lowest limit on the confidence statement wins; decisive if it
    # lowered the statement below the grade's band.
    Effect.LIMIT: EffectKind(
        needs="confidence",
        subjects=("capacity",),
        limiting=True,
        fold=_fold_limit,
        decisive=lambda o, r: o.limited and r.confidence is o.confidence,
    ),
}


@attrs.frozen(kw_only=True)
class ConfidenceBands:
    """The lowest capacity grade for each confidence statement; below
    *confident* the statement is ``not yet confident``."""

    very_confident: int = 5
    confident: int = 4

    def for_grade(self, grade: Grade | None) -> Confidence:
        """The confidence statement a capacity grade supports."""
        if grade is not None and grade >= self.very_confident:
            return Confidence.VERY_CONFIDENT
        if grade is not None and grade >= self.confident:
            return Confidence.CONFIDENT
        return Confidence.NOT_YET_CONFIDENT


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@attrs.frozen(kw_only=True)
class Comparison:
    """One comparison of a profile field with a number, or with another
    field times a factor: ``field op value`` or ``field op other * times``.

    >>> Comparison(field="strength_points", op=">=", other="weakness_points", times=2).text()
    'strength_points >= 2 × weakness_points'
    """

    field: str
    op: str
    value: int | None = None
    other: str | None = None
    times: int = 1

    def fields(self) -> tuple[str, ...]:
        """The profile fields the comparison reads."""
        return (self.field,) if self.other is None else (self.field, self.other)

    def holds(self, counts: Mapping[str, int]) -> bool:
        """Whether the comparison holds for a profile's counts."""
        right = self.value if self.other is None else counts[self.other] * self.times
        return _OPS[self.op](counts[self.field], right)

    def text(self) -> str:
        """The comparison as text."""
        if self.other is None:
            return f"{self.field} {self.op} {self.value}"
        factor = "" if self.times == 1 else f"{self.times} × "
        return f"{self.field} {self.op} {factor}{self.other}"


def _optional_grade(value: object) -> Grade | None:
    return None if value is None else Grade.parse(value)


def _optional_confidence(value: object) -> Confidence | None:
    return None if value is None else Confidence(str(value))


@attrs.frozen(kw_only=True)
class Rule:
    """A named grading rule: when all its comparisons hold for an indicator's
    evidence profile, its effect applies.

    :param reason: the plain-language reason shown in explanations.
    :param priority: lower fires first; rules of equal priority keep their
        order in the file.
    :param grade: the grade suggested or the cap (not for ``withhold`` or
        ``limit``).
    :param confidence: the limit on the confidence statement (``limit``
        only).
    """

    name: str
    reason: str
    effect: Effect = attrs.field(converter=Effect)
    when: tuple[Comparison, ...] = attrs.field(converter=to_tuple)
    grade: Grade | None = attrs.field(default=None, converter=_optional_grade)
    confidence: Confidence | None = attrs.field(default=None, converter=_optional_confidence)
    priority: int = 100

    def matches(self, profile: EvidenceProfile | Mapping[str, int]) -> bool:
        """Whether every comparison holds for *profile*."""
        counts = profile.counts if isinstance(profile, EvidenceProfile) else profile
        return all(c.holds(counts) for c in self.when)

    def fields(self) -> tuple[str, ...]:
        """The profile fields the rule reads, in order, without repeats."""
        return tuple(dict.fromkeys(f for c in self.when for f in c.fields()))

    def condition(self) -> str:
        """The condition as text, e.g. ``findings >= 1 and weaknesses == 0``."""
        return " and ".join(c.text() for c in self.when) or "always"


@attrs.frozen(kw_only=True)
class RuleSet:
    """A named, ordered set of grading rules and the points each finding
    weight adds to ``strength_points`` / ``weakness_points``.

    Rule sets are values: build variants with :meth:`with_rules`,
    :meth:`without` and :meth:`with_points`.

    :param subject: ``"indicator"`` (rules over an indicator's evidence
        profile) or ``"capacity"`` (rules over the capacity profile).
    :param confidence: (capacity rules) the grade bands of the confidence
        statement.
    :param triangulation: (grading rules) when evidence is triangulated: the
        thresholds behind the triangulation status and the field
        ``strengths_triangulated``.
    """

    name: str
    description: str = ""
    subject: str = "indicator"
    points: Points = attrs.field(factory=lambda: Points())
    confidence: ConfidenceBands = attrs.field(factory=lambda: ConfidenceBands())
    triangulation: TriangulationPolicy = attrs.field(factory=lambda: TriangulationPolicy())
    rules: tuple[Rule, ...] = attrs.field(factory=tuple, converter=to_tuple)

    def __attrs_post_init__(self) -> None:
        for path, problem in _ruleset_problems(self):
            raise RulesError(problem, path=path)

    def rule(self, name: str) -> Rule:
        """The rule called *name*."""
        for r in self.rules:
            if r.name == name:
                return r
        close = close_matches(name, [r.name for r in self.rules])
        raise RulesError(f"no rule named {name!r}{did_you_mean(close)}")

    def ordered(self) -> tuple[tuple[int, Rule], ...]:
        """``(index, rule)`` in firing order: by priority, then file order."""
        return tuple(sorted(enumerate(self.rules), key=lambda ir: (ir[1].priority, ir[0])))

    def with_rules(self, *rules: Rule, name: str | None = None) -> RuleSet:
        """A copy where each rule replaces the rule of the same name, or is
        added at the end."""
        by_name = {r.name: r for r in rules}
        kept = [by_name.pop(r.name, r) for r in self.rules]
        rules_: tuple[Rule, ...] = (*kept, *by_name.values())
        return attrs.evolve(self, name=name or self.name, rules=rules_)

    def without(self, *names: str) -> RuleSet:
        """A copy without the named rules."""
        for n in names:
            self.rule(n)
        kept: tuple[Rule, ...] = tuple(r for r in self.rules if r.name not in names)
        return attrs.evolve(self, rules=kept)

    def with_points(self, **points: int) -> RuleSet:
        """A copy with other points per weight, e.g. ``with_points(major=12)``."""
        return attrs.evolve(self, points=attrs.evolve(self.points, **points))

    def fire(self, profile: EvidenceProfile | Mapping[str, int]) -> tuple[int, ...]:
        """The indices of the rules that hold for *profile* (an evidence
        profile or a mapping of field -> value), in firing order.

        This is the plain-Python reference of what the durable-rules engine
        computes.
        """
        counts = profile.counts if isinstance(profile, EvidenceProfile) else profile
        return tuple(i for i, r in self.ordered() if r.matches(counts))


#: Bounds on numbers in rules, so that every rule set is one the engine can
#: compile (its C core works with machine integers).
_LIMIT = 1_000_000


def _ruleset_problems(rs: RuleSet) -> Iterator[tuple[str, str]]:
    if not rs.name.strip():
        yield "name", "must not be empty"
    if rs.subject not in SUBJECTS:
        yield "subject", f"expected one of {', '.join(map(repr, SUBJECTS))}, got {rs.subject!r}"
        return
    if not 1 <= rs.confidence.confident <= rs.confidence.very_confident <= 6:
        yield "confidence", "expected 1 <= confident <= very_confident <= 6"
    kinds = len(SourceKind)
    if not 1 <= rs.triangulation.partial <= rs.triangulation.triangulated <= kinds:
        yield (
            "triangulation",
            f"expected 1 <= partial <= triangulated <= {kinds} (the source kinds)",
        )
    fields = FIELDS[rs.subject]
    for w in Weight:
        if not 0 <= rs.points[w] <= _LIMIT:
            yield (
                f"points.{w.value}",
                f"expected a whole number from 0 to {_LIMIT}, got {rs.points[w]}",
            )
    names: dict[str, int] = {}
    for i, rule in enumerate(rs.rules):
        where = f"rules[{i}]"
        if rule.name in names:
            yield (
                f"{where}.name",
                f"duplicate rule name {rule.name!r} (also rules[{names[rule.name]}])",
            )
        names[rule.name] = i
        if not rule.name.strip():
            yield f"{where}.name", "must not be empty"
        if not rule.reason.strip():
            yield f"{where}.reason", "must not be empty: every rule explains itself"
        kind = EFFECTS[rule.effect]
        graded = kind.needs == "grade"
        if not graded and rule.grade is not None:
            yield f"{where}.grade", f"a {rule.effect.value} rule has no grade"
        if graded and rule.grade is None:
            yield f"{where}.grade", f"a {rule.effect.value} rule needs a grade (1-6)"
        if (kind.needs == "confidence") != (rule.confidence is not None):
            needing = [e.value for e, k in EFFECTS.items() if k.needs == "confidence"]
            yield (
                f"{where}.confidence",
                f"a {' or '.join(needing)} rule, and only a {' or '.join(needing)} rule, "
                "needs a confidence",
            )
        if rs.subject not in kind.subjects:
            yield (
                f"{where}.effect",
                f"{rule.effect.value} rules apply to {' or '.join(kind.subjects)} rules only",
            )
        if not rule.when:
            yield f"{where}.when", "needs at least one comparison"
        if not -_LIMIT <= rule.priority <= _LIMIT:
            yield f"{where}.priority", f"expected a whole number from {-_LIMIT} to {_LIMIT}"
        for j, c in enumerate(rule.when):
            yield from _comparison_problems(c, f"{where}.when[{j}]", fields)


def _comparison_problems(
    c: Comparison, where: str, fields: Mapping[str, object]
) -> Iterator[tuple[str, str]]:
    for key, name in (("field", c.field), ("other", c.other)):
        if name is not None and name not in fields:
            hint = did_you_mean(close_matches(name, fields))
            yield f"{where}.{key}", f"unknown field {name!r}{hint}"
    if c.op not in _OPS:
        yield f"{where}.op", f"expected one of {', '.join(map(repr, _OPS))}, got {c.op!r}"
    if (c.value is None) == (c.other is None):
        yield where, "give either 'value' (a number) or 'other' (a profile field), not both"
    if c.value is not None and not -_LIMIT <= c.value <= _LIMIT:
        yield f"{where}.value", f"expected a whole number from {-_LIMIT} to {_LIMIT}, got {c.value}"
    if not 1 <= c.times <= 1000:
        yield f"{where}.times", f"expected a whole number from 1 to 1000, got {c.times}"
    if c.other is None and c.times != 1:
        yield f"{where}.times", "'times' goes with 'other'"


_convert.register_enums(Effect, Confidence)
_convert.register_as_attrs(Points)
_convert.register_omit_defaults(Comparison)


def rules_from_dict(
    raw: Mapping[str, Any], *, file: str | Path | None = None, base: RuleSet | None = None
) -> RuleSet:
    """Build a rule set from the dict form of the rules schema.

    A document with ``base = "default"`` amends the default rules: its rules
    replace the default rules of the same name or are added, ``remove`` lists
    default rules to drop, and ``[points]`` changes only the weights it
    names. ``base`` may also name a bundled grading rule set
    (``base = "qifeval-2018"``) to amend that one instead.
    """
    raw = _convert.without_schema_version(raw, RULES_SCHEMA_VERSION, file=file, error=RulesError)
    based_on = raw.pop("base", None)
    remove = raw.pop("remove", [])
    if based_on is None:
        if remove:
            raise RulesError("'remove' needs base = \"default\"", file=file, path="remove")
        return _convert.structure(raw, RuleSet, file=file, error=RulesError)
    if based_on != "default" and based_on not in BUNDLED_RULES:
        names = ", ".join(repr(n) for n in ("default", *BUNDLED_RULES))
        hint = did_you_mean(close_matches(str(based_on), ("default", *BUNDLED_RULES)))
        raise RulesError(
            f"expected base to be one of {names}, got {based_on!r}{hint}", file=file, path="base"
        )
    if base is not None:
        start = base
    elif based_on != "default":
        start = bundled_rules(based_on)
    elif raw.get("subject") == "capacity":
        start = default_capacity_rules()
    else:
        start = default_rules()
    merged: dict[str, Any] = {"subject": start.subject}
    for key in ("points", "confidence", "triangulation"):
        given = raw.pop(key, {})
        if not isinstance(given, dict):
            raise RulesError("expected a table", file=file, path=key)
        merged[key] = {**_convert.converter.unstructure(getattr(start, key)), **given}
    amendment = _convert.structure({**merged, **raw}, RuleSet, file=file, error=RulesError)
    if not isinstance(remove, list) or not all(isinstance(n, str) for n in remove):
        raise RulesError("expected a list of rule names", file=file, path="remove")
    try:
        amended = start.without(*remove)
    except RulesError as exc:
        raise RulesError(exc.problem, file=file, path="remove") from None
    result = amended.with_rules(*amendment.rules, name=amendment.name)
    return attrs.evolve(
        result,
        description=amendment.description or start.description,
        points=amendment.points,
        confidence=amendment.confidence,
        triangulation=amendment.triangulation,
    )


def rules_to_dict(rules: RuleSet) -> dict[str, Any]:
    """The dict form of a rule set (the rules schema, complete)."""
    return {"schema_version": RULES_SCHEMA_VERSION, **_convert.converter.unstructure(rules)}


@functools.cache
def _bundled(filename: str) -> RuleSet:
    data = (resources.files("qifeval.rules") / filename).read_bytes()
    name = f"<qifeval>/rules/{filename}"
    raw = _convert.parse_document(data, fmt="toml", file=name, error=RulesError)
    return rules_from_dict(raw, file=name)


def default_rules() -> RuleSet:
    """qifeval's default grading rules, ``qifeval-2026``
    (``rules/grading-2026.toml``): the six-point scale weighed as an
    inspector weighs evidence, calibrated on the worked cases. The first
    edition stays loadable by name: ``load_rules("qifeval-2018")``."""
    return _bundled("grading-2026.toml")


#: The rule sets bundled with qifeval: the names :func:`load_rules` and saved
#: evaluations find them by, and their files. ``qifeval-2026`` and
#: ``qifeval-capacity-2026`` are the defaults. ``qifeval-2018`` is the first
#: edition of the grading rules; ``qifeval-default`` and
#: ``qifeval-capacity-default`` are the names the first editions were saved
#: under while they were the defaults, kept so that evaluations saved then
#: load with the rules that made them.
BUNDLED_RULES: Mapping[str, str] = {
    "qifeval-2026": "grading-2026.toml",
    "qifeval-2018": "grading.toml",
    "qifeval-default": "grading.toml",
    "qifeval-capacity-2026": "capacity-2026.toml",
    "qifeval-capacity-default": "capacity.toml",
}


def bundled_rules(name: str) -> RuleSet:
    """A grading rule set bundled with qifeval, by name (see
    :data:`qifeval.rules.BUNDLED_RULES`).

    >>> from qifeval.rules import bundled_rules
    >>> bundled_rules("qifeval-2026").name
    'qifeval-2026'

    :raises RulesError: if no bundled rule set has that name.
    """
    try:
        filename = BUNDLED_RULES[name]
    except KeyError:
        hint = did_you_mean(close_matches(name, BUNDLED_RULES))
        raise RulesError(f"no bundled rule set named {name!r}{hint}") from None
    return _bundled(filename)


def default_capacity_rules() -> RuleSet:
    """qifeval's default capacity-for-improvement rules
    (``rules/capacity-2026.toml``, named ``qifeval-capacity-2026``). The
    earlier default, ``qifeval-capacity-default`` (``rules/capacity.toml``),
    stays available by name: ``load_rules("qifeval-capacity-default")``."""
    return _bundled("capacity-2026.toml")


def load_rules(path: str | Path) -> RuleSet:
    """Load a rules file (TOML or JSON): a complete rule set, or with
    ``base = "default"`` an amendment of the default rules.

    A string that is the name of a bundled rule set (``"qifeval-2026"``,
    ``"qifeval-2018"``, ``"qifeval-capacity-2026"``…; see
    :data:`qifeval.rules.BUNDLED_RULES`) gives that rule set, not a file.

    :raises RulesError: naming the file and the dotted field path.
    """
    if isinstance(path, str) and path in BUNDLED_RULES:
        return bundled_rules(path)
    raw = _convert.read_document(path, error=RulesError)
    return rules_from_dict(raw, file=path)
