"""Rules as data: the grading rules' object model, loading and validation."""

from __future__ import annotations

import difflib
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
from .._evidence import Weight
from .._grade import Grade
from .._triangulation import PROFILE_FIELDS, EvidenceProfile

__all__ = [
    "Comparison",
    "Effect",
    "Points",
    "Rule",
    "RuleSet",
    "RulesError",
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
    """

    SUGGEST = "suggest"
    CAP = "cap"
    WITHHOLD = "withhold"


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


@attrs.frozen(kw_only=True)
class Rule:
    """A named grading rule: when all its comparisons hold for an indicator's
    evidence profile, its effect applies.

    :param reason: the plain-language reason shown in explanations.
    :param priority: lower fires first; rules of equal priority keep their
        order in the file.
    :param grade: the grade suggested or the cap (not for ``withhold``).
    """

    name: str
    reason: str
    effect: Effect
    when: tuple[Comparison, ...] = attrs.field(converter=tuple)
    grade: Grade | None = None
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
class Points:
    """The points each finding weight adds to ``strength_points`` and
    ``weakness_points``."""

    minor: int = 1
    important: int = 3
    major: int = 9

    def __getitem__(self, weight: Weight) -> int:
        return int(getattr(self, Weight(weight).value))


@attrs.frozen(kw_only=True)
class RuleSet:
    """A named, ordered set of grading rules and the points each finding
    weight adds to ``strength_points`` / ``weakness_points``.

    Rule sets are values: build variants with :meth:`with_rules`,
    :meth:`without` and :meth:`with_points`.
    """

    name: str
    description: str = ""
    points: Points = attrs.field(factory=lambda: Points())
    rules: tuple[Rule, ...] = attrs.field(factory=tuple, converter=tuple)

    def __attrs_post_init__(self) -> None:
        for path, problem in _ruleset_problems(self):
            raise RulesError(problem, path=path)

    def rule(self, name: str) -> Rule:
        """The rule called *name*."""
        for r in self.rules:
            if r.name == name:
                return r
        close = difflib.get_close_matches(name, [r.name for r in self.rules], n=3)
        hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
        raise RulesError(f"no rule named {name!r}{hint}")

    def ordered(self) -> tuple[tuple[int, Rule], ...]:
        """``(index, rule)`` in firing order: by priority, then file order."""
        return tuple(sorted(enumerate(self.rules), key=lambda ir: (ir[1].priority, ir[0])))

    def with_rules(self, *rules: Rule, name: str | None = None) -> RuleSet:
        """A copy where each rule replaces the rule of the same name, or is
        added at the end."""
        by_name = {r.name: r for r in rules}
        kept = [by_name.pop(r.name, r) for r in self.rules]
        return attrs.evolve(self, name=name or self.name, rules=(*kept, *by_name.values()))

    def without(self, *names: str) -> RuleSet:
        """A copy without the named rules."""
        for n in names:
            self.rule(n)
        return attrs.evolve(self, rules=tuple(r for r in self.rules if r.name not in names))

    def with_points(self, **points: int) -> RuleSet:
        """A copy with other points per weight, e.g. ``with_points(major=12)``."""
        return attrs.evolve(self, points=attrs.evolve(self.points, **points))

    def fire(self, profile: EvidenceProfile) -> tuple[int, ...]:
        """The indices of the rules that hold for *profile*, in firing order.

        This is the plain-Python reference of what the durable-rules engine
        computes.
        """
        counts = profile.counts
        return tuple(i for i, r in self.ordered() if r.matches(counts))


def _ruleset_problems(rs: RuleSet) -> Iterator[tuple[str, str]]:
    if not rs.name.strip():
        yield "name", "must not be empty"
    for w in Weight:
        if rs.points[w] < 0:
            yield f"points.{w.value}", f"expected a whole number 0 or more, got {rs.points[w]}"
    names: dict[str, int] = {}
    for i, rule in enumerate(rs.rules):
        where = f"rules[{i}]"
        if rule.name in names:
            yield f"{where}.name", f"duplicate rule name {rule.name!r} (also rules[{names[rule.name]}])"
        names[rule.name] = i
        if not rule.name.strip():
            yield f"{where}.name", "must not be empty"
        if not rule.reason.strip():
            yield f"{where}.reason", "must not be empty: every rule explains itself"
        if rule.effect is Effect.WITHHOLD and rule.grade is not None:
            yield f"{where}.grade", "a withhold rule has no grade"
        if rule.effect is not Effect.WITHHOLD and rule.grade is None:
            yield f"{where}.grade", f"a {rule.effect.value} rule needs a grade (1-6)"
        if not rule.when:
            yield f"{where}.when", "needs at least one comparison"
        for j, c in enumerate(rule.when):
            yield from _comparison_problems(c, f"{where}.when[{j}]")


def _comparison_problems(c: Comparison, where: str) -> Iterator[tuple[str, str]]:
    for key, name in (("field", c.field), ("other", c.other)):
        if name is not None and name not in PROFILE_FIELDS:
            close = difflib.get_close_matches(name, list(PROFILE_FIELDS), n=3)
            hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
            yield f"{where}.{key}", f"unknown profile field {name!r}{hint}"
    if c.op not in _OPS:
        yield f"{where}.op", f"expected one of {', '.join(map(repr, _OPS))}, got {c.op!r}"
    if (c.value is None) == (c.other is None):
        yield where, "give either 'value' (a number) or 'other' (a profile field), not both"
    if c.times < 1:
        yield f"{where}.times", f"expected a whole number 1 or more, got {c.times}"
    if c.other is None and c.times != 1:
        yield f"{where}.times", "'times' goes with 'other'"


_convert.register_enums(Effect)
_convert.register_omit_defaults(Comparison)


def rules_from_dict(
    raw: Mapping[str, Any], *, file: str | Path | None = None, base: RuleSet | None = None
) -> RuleSet:
    """Build a rule set from the dict form of the rules schema.

    A document with ``base = "default"`` amends the default rules: its rules
    replace the default rules of the same name or are added, ``remove`` lists
    default rules to drop, and ``[points]`` changes only the weights it
    names.
    """
    raw = dict(raw)
    version = raw.pop("schema_version", None)
    if version != RULES_SCHEMA_VERSION:
        raise RulesError(
            f"expected schema_version = {RULES_SCHEMA_VERSION}, got {version!r}",
            file=file, path="schema_version",
        )
    based_on = raw.pop("base", None)
    remove = raw.pop("remove", [])
    if based_on is None:
        if remove:
            raise RulesError("'remove' needs base = \"default\"", file=file, path="remove")
        return _convert.structure(raw, RuleSet, file=file, error=RulesError)
    if based_on != "default":
        raise RulesError(f"expected base = \"default\", got {based_on!r}", file=file, path="base")
    start = base or default_rules()
    points = raw.pop("points", {})
    if not isinstance(points, dict):
        raise RulesError("expected a table", file=file, path="points")
    amendment = _convert.structure(
        {"points": {**_convert.converter.unstructure(start.points), **points}, **raw},
        RuleSet,
        file=file,
        error=RulesError,
    )
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
    )


def rules_to_dict(rules: RuleSet) -> dict[str, Any]:
    """The dict form of a rule set (the rules schema, complete)."""
    return {"schema_version": RULES_SCHEMA_VERSION, **_convert.converter.unstructure(rules)}


@functools.lru_cache(maxsize=1)
def default_rules() -> RuleSet:
    """qifeval's default grading rules (``rules/grading.toml``), which encode
    the six-point scale and the triangulation policy."""
    data = (resources.files("qifeval.rules") / "grading.toml").read_bytes()
    name = "<qifeval>/rules/grading.toml"
    raw = _convert.parse_document(data, fmt="toml", file=name, error=RulesError)
    return rules_from_dict(raw, file=name)


def load_rules(path: str | Path) -> RuleSet:
    """Load a rules file (TOML or JSON): a complete rule set, or with
    ``base = "default"`` an amendment of the default rules.

    :raises RulesError: naming the file and the dotted field path.
    """
    raw = _convert.read_document(path, error=RulesError)
    return rules_from_dict(raw, file=path)
