"""What would change the grade: the nearest higher grade for an indicator
and what stands in its way, computed from the rule data.

Nothing here knows any rule by name. For an indicator's evidence profile and
the rules that fired on it, the nearest higher grade is the lowest grade a
``suggest`` rule gives above the current one (any grade when there is none).
The rules that suggest exactly that grade are the *routes*; those with the
fewest comparisons that do not yet hold are kept, each with the field's
value now and the value it needs. Every ``withhold`` that fired, and every
rule of a limiting effect that fired with a grade below the target (the
caps), *holds* the grade down; each is reported with the findings behind it
and the comparisons whose failing would lift it. The words come from the
field registry's descriptions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import attrs

from .._ids import merged_ids
from ..evidence._fields import FIELDS, Side
from ..evidence._findings import Finding
from ..frameworks._grade import Grade
from ._model import EFFECTS, Comparison, Effect, Rule, RuleSet

__all__ = ["Improvement", "ImprovementHold", "ImprovementRoute", "Shortfall", "improvement"]


@attrs.frozen(kw_only=True)
class Shortfall:
    """One comparison on a profile field that has to change: a condition
    of a ``suggest`` rule that does not hold yet, or a condition of a rule
    holding the grade down that would lift it by failing.

    :param op: the comparison that has to hold (for a rule to lift, the
        negation of its own comparison).
    :param current: the field's value now.
    :param needed: the value of the field that would make *op* hold (given
        the value *other* has now, when the comparison is with another
        field).
    :param other: the field compared with, if any, with its value now
        (*other_value*) and its factor *times*.
    :param text: the change in plain words, from the field's description.
    """

    field: str
    op: str
    current: int
    needed: int
    other: str | None = None
    other_value: int | None = None
    times: int = 1
    text: str


@attrs.frozen(kw_only=True)
class ImprovementRoute:
    """A ``suggest`` rule that would give the target grade, and its
    conditions that do not hold yet (in the rule's order; empty when the
    rule already holds and only rules holding the grade down stand in the
    way)."""

    rule: str
    grade: Grade
    unmet: tuple[Shortfall, ...]


@attrs.frozen(kw_only=True)
class ImprovementHold:
    """A rule that fired and holds the grade below the target: a cap (or
    another limiting effect) with a lower grade, or a withhold.

    :param findings: the ids of the findings behind the fields it reads.
    :param lifted_by: comparisons of which any one, once it holds, stops
        the rule from firing. Changes that would mean weaker evidence
        (fewer strengths, more weaknesses) and fields no finding stands
        behind (properties of the indicator) are left out when another
        change is possible.
    :param text: the hold in plain words.
    """

    rule: str
    effect: Effect
    grade: Grade | None = None
    reason: str
    findings: tuple[str, ...]
    lifted_by: tuple[Shortfall, ...]
    text: str


@attrs.frozen(kw_only=True)
class Improvement:
    """What would change an indicator's grade.

    :param current: the suggested grade now (``None`` when there is none).
    :param target: the nearest higher grade a rule can suggest.
    :param routes: the ``suggest`` rules giving *target* with the fewest
        unmet conditions, in firing order; meeting any one route's
        conditions is enough for that rule.
    :param held_by: the rules that fired and would still hold the grade
        below *target*, in firing order.
    :param text: the whole answer in plain words, e.g. ``"To reach 5 Very
        good: ..."``.
    """

    current: Grade | None = None
    target: Grade
    routes: tuple[ImprovementRoute, ...]
    held_by: tuple[ImprovementHold, ...] = ()
    text: str


_NEGATION = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}

# A flag field's description: "1 if <what>, else 0 ...".
_FLAG = re.compile(r"^1 if (?P<what>.*?), else 0\b")
# "the rule set's `triangulation.triangulated`" and the like: a setting.
_SETTING = re.compile(r"(?:the rule set's )?`(?P<path>[a-z_]+(?:\.[a-z_]+)+)`")
_BY_DEFAULT = re.compile(r"\s*\(\d+ by default\)")
_ASIDE = re.compile(r"\s*\((?:see |\d+-\d+\))[^)]*\)?")


def _setting(rules: RuleSet, path: str) -> str | None:
    value: object = rules
    for part in path.split("."):
        kind = type(value)
        if not attrs.has(kind) or part not in {a.name for a in attrs.fields(kind)}:
            return None
        value = getattr(value, part)
    return str(value) if isinstance(value, int) else None


def _describe(rules: RuleSet, name: str) -> tuple[str, bool]:
    """The words for a field, from its description, and whether it is a
    yes/no flag. Settings of the rule set it names are given their value."""
    text = FIELDS[rules.subject][name].description
    flag = _FLAG.match(text)
    if flag is not None:
        text = flag["what"]

    def setting(m: re.Match[str]) -> str:
        return _setting(rules, m["path"]) or m["path"]

    replaced = _SETTING.sub(setting, text)
    if replaced != text:
        replaced = _BY_DEFAULT.sub("", replaced)
    words = _ASIDE.sub("", replaced).replace("`", "").strip()
    return words, flag is not None


def _needed(op: str, right: int, current: int, side: Side, flag: bool) -> int:
    """The value of the field nearest to *current* for which ``field op
    right`` holds."""
    if op in (">=", "=="):
        return right
    if op == ">":
        return right + 1
    if op == "<=":
        return right
    if op == "<":
        return right - 1
    # "!=": one step away, in the direction that means stronger evidence.
    if flag:
        return 0 if right == 1 else 1
    if side is Side.WEAKNESS and right > 0:
        return right - 1
    return right + 1


def _shortfall(rules: RuleSet, c: Comparison, op: str, counts: Mapping[str, int]) -> Shortfall:
    field = FIELDS[rules.subject][c.field]
    words, flag = _describe(rules, c.field)
    current = counts[c.field]
    other_value = None if c.other is None else counts[c.other]
    right = c.value if other_value is None else other_value * c.times
    assert right is not None
    needed = _needed(op, right, current, field.side, flag)
    if flag and needed in (0, 1) and current in (0, 1):
        change = f"{'yes' if needed else 'no'} (now {'yes' if current else 'no'})"
    else:
        if op == "==":
            amount = f"exactly {needed}"
        elif op in (">=", ">") or (op == "!=" and needed > current):
            amount = f"at least {needed}"
        else:
            amount = "none" if needed == 0 else f"at most {needed}"
        of = ""
        if c.other is not None:
            factor = "" if c.times == 1 else f"{c.times} × "
            of = f", {factor}{_describe(rules, c.other)[0]} ({other_value})"
        change = f"{amount}{of} (now {current})"
    return Shortfall(
        field=c.field,
        op=op,
        current=current,
        needed=needed,
        other=c.other,
        other_value=other_value,
        times=c.times,
        text=f"{words}: {change}",
    )


def _unmet(rules: RuleSet, rule: Rule, counts: Mapping[str, int]) -> tuple[Shortfall, ...]:
    return tuple(_shortfall(rules, c, c.op, counts) for c in rule.when if not c.holds(counts))


def _possible(s: Shortfall) -> bool:
    """Whether evidence could ever give the value needed (counts are never
    negative)."""
    return s.needed >= 0


def _better(rules: RuleSet, s: Shortfall, cited: Mapping[str, tuple[str, ...]]) -> bool:
    """Whether the change means stronger evidence (or at least not weaker)
    on a field that evidence moves."""
    side = FIELDS[rules.subject][s.field].side
    if side is Side.STRENGTH and s.needed < s.current:
        return False
    # Fewer findings is never stronger evidence (a yes/no flag may be lifted).
    if side is Side.NEUTRAL and s.needed < s.current and not _describe(rules, s.field)[1]:
        return False
    if side is Side.WEAKNESS and s.needed > s.current:
        return False
    # A value that no finding stands behind is a property of the indicator.
    return not (s.current != 0 and not cited.get(s.field))


def _label(f: Finding | None, fid: str) -> str:
    if f is None:
        return fid
    critical = "critical " if f.critical else ""
    return f"{fid} ({critical}{f.weight.value} {f.valence.value})"


def _hold(
    rules: RuleSet,
    rule: Rule,
    counts: Mapping[str, int],
    cited: Mapping[str, tuple[str, ...]],
    findings: Mapping[str, Finding],
    current: Grade | None,
) -> ImprovementHold:
    ids = merged_ids(cited.get(name, ()) for name in rule.fields())
    lifts = [_shortfall(rules, c, _NEGATION[c.op], counts) for c in rule.when]
    lifts = [s for s in lifts if _possible(s)]
    better = [s for s in lifts if _better(rules, s, cited)]
    lifted_by = tuple(better or lifts)
    who = ", ".join(_label(findings.get(i), i) for i in ids)
    verb = "hold" if len(ids) > 1 else "holds"
    if rule.grade is not None and rule.grade != current:
        verb = "would hold"
    if rule.grade is not None:
        what = f"{who} {verb} it at {rule.grade.label}" if who else f"held at {rule.grade.label}"
    else:
        what = f"{who} {verb} back a grade" if who else "no grade is given"
    text = f"{what} (rule {rule.name})"
    if lifted_by:
        text += "; lifted by " + " or ".join(s.text for s in lifted_by)
    return ImprovementHold(
        rule=rule.name,
        effect=rule.effect,
        grade=rule.grade,
        reason=rule.reason,
        findings=ids,
        lifted_by=lifted_by,
        text=text,
    )


def _holds_grade_down(rule: Rule, target: Grade) -> bool:
    if rule.effect is Effect.WITHHOLD:
        return True
    kind = EFFECTS[rule.effect]
    return kind.limiting and rule.grade is not None and rule.grade < target


def improvement(
    rules: RuleSet,
    counts: Mapping[str, int],
    cited: Mapping[str, tuple[str, ...]],
    fired: Sequence[int],
    current: Grade | None,
    findings: Mapping[str, Finding] | None = None,
) -> Improvement | None:
    """What would change the grade of one indicator, or ``None`` when no
    ``suggest`` rule gives a grade above *current* (at Excellent, say).

    :param counts: the indicator's evidence profile (field -> value).
    :param cited: field -> the ids of the findings behind it.
    :param fired: the indices of the rules that fired, in firing order.
    :param current: the grade suggested now.
    :param findings: id -> finding, to name each finding's weight and
        valence beside its id.
    """
    found = findings or {}
    suggest = [(i, r) for i, r in rules.ordered() if r.effect is Effect.SUGGEST]
    grades = sorted(
        {
            r.grade
            for _, r in suggest
            if r.grade is not None and (current is None or r.grade > current)
        }
    )
    for target in grades:
        candidates = [(i, r, _unmet(rules, r, counts)) for i, r in suggest if r.grade == target]
        candidates = [c for c in candidates if all(_possible(s) for s in c[2])]
        if not candidates:
            continue
        fewest = min(len(c[2]) for c in candidates)
        routes = tuple(
            ImprovementRoute(rule=r.name, grade=target, unmet=unmet)
            for _, r, unmet in candidates
            if len(unmet) == fewest
        )
        held_by = tuple(
            _hold(rules, rules.rules[i], counts, cited, found, current)
            for i in fired
            if _holds_grade_down(rules.rules[i], target)
        )
        return Improvement(
            current=current,
            target=target,
            routes=routes,
            held_by=held_by,
            text=_text(current, target, routes, held_by),
        )
    return None


def _text(
    current: Grade | None,
    target: Grade,
    routes: tuple[ImprovementRoute, ...],
    held_by: tuple[ImprovementHold, ...],
) -> str:
    grade = f"{int(target)} {target.label}"
    head = f"To reach {grade}" if current is not None else f"To get a grade ({grade})"
    needs = [
        "; ".join(s.text for s in route.unmet) + f" (rule {route.rule})"
        for route in routes
        if route.unmet
    ]
    parts = []
    if needs and len(needs) == len(routes):
        parts.append(", or ".join(needs))
    parts += [h.text for h in held_by]
    if not parts:
        parts.append("the rules already suggest it")
    return f"{head}: {'; '.join(parts)}."
