"""Firing rule sets: the shared engines, the plain-Python path, and turning
the rules that fired into a result with its explanation."""

from __future__ import annotations

import collections
import threading
import warnings
from collections.abc import Mapping

import attrs

from .._errors import InputError
from .._ids import merged_ids
from ..frameworks._grade import Grade
from ._durable import DurableEngine
from ._model import EFFECTS, Confidence, Effect, Outcome, RuleSet, Tally

__all__ = ["FiredRule", "engine_cache_clear"]


@attrs.frozen(kw_only=True)
class FiredRule:
    """A rule that fired for an indicator, as it appears in the explanation.

    :param evidence: what the fields the rule's condition reads count: the
        ids of findings for an indicator rule; the ids of indicators and
        context items for a capacity rule.
    :param decisive: whether this rule set the result (the highest
        suggestion, the cap or limit that bound it, or a withhold).
    """

    name: str
    reason: str
    effect: Effect
    grade: Grade | None = None
    confidence: Confidence | None = None
    priority: int
    condition: str
    evidence: tuple[str, ...]
    decisive: bool = False


def fold(rules: RuleSet, fired: tuple[int, ...]) -> Outcome:
    """Fold the rules that fired (indices into *rules*) through the effects
    table into a result: the grade (or a reason for none) and, for capacity
    rules, the confidence statement."""
    tally = Tally()
    for i in fired:
        rule = rules.rules[i]
        EFFECTS[rule.effect].fold(tally, rule)
    grade: Grade | None = None
    reason: str | None = None
    if tally.withheld:
        reason = "; ".join(r.reason for r in tally.withheld)
    elif tally.top is None:
        reason = "no rule suggested a grade for this evidence"
    else:
        grade = tally.top if tally.lowest_cap is None else min(tally.top, tally.lowest_cap)
    confidence = rules.confidence.for_grade(grade)
    limited = tally.limit is not None and tally.limit.rank < confidence.rank
    return Outcome(
        grade=grade,
        reason=reason,
        top=tally.top,
        withheld=bool(tally.withheld),
        confidence=tally.limit if limited and tally.limit is not None else confidence,
        limited=limited,
    )


def explain(
    rules: RuleSet,
    cited: Mapping[str, tuple[str, ...]],
    fired: tuple[int, ...],
    outcome: Outcome,
) -> tuple[FiredRule, ...]:
    """The explanation: every rule that fired, in firing order, with the
    ids behind the fields it reads and whether its effect was decisive."""
    out = []
    for i in fired:
        r = rules.rules[i]
        out.append(
            FiredRule(
                name=r.name,
                reason=r.reason,
                effect=r.effect,
                grade=r.grade,
                confidence=r.confidence,
                priority=r.priority,
                condition=r.condition(),
                evidence=merged_ids(cited[field] for field in r.fields()),
                decisive=EFFECTS[r.effect].decisive(outcome, r),
            )
        )
    return tuple(out)


def combine(
    rules: RuleSet, cited: Mapping[str, tuple[str, ...]], fired: tuple[int, ...]
) -> tuple[Grade | None, str | None, tuple[FiredRule, ...]]:
    """Combine the rules that fired into a grade (or a reason for none) and
    the explanation. *cited* maps each field to the ids behind it."""
    outcome = fold(rules, fired)
    return outcome.grade, outcome.reason, explain(rules, cited, fired, outcome)


_engines: collections.OrderedDict[RuleSet, DurableEngine] = collections.OrderedDict()
_engines_lock = threading.Lock()
_MAX_ENGINES = 8


def _engine_for(rules: RuleSet) -> DurableEngine:
    """A shared engine per rule set (the most recently used eight are kept).

    An engine evicted or cleared while another thread still uses it is
    retired, not closed: it finishes the running evaluation, then frees its
    ruleset, and stays usable by a thread that already holds it.
    """
    evicted: list[DurableEngine] = []
    with _engines_lock:
        engine = _engines.get(rules)
        if engine is not None:
            _engines.move_to_end(rules)
            return engine
        engine = _engines[rules] = DurableEngine(rules)
        while len(_engines) > _MAX_ENGINES:
            evicted.append(_engines.popitem(last=False)[1])
    for old in evicted:
        old.retire()
    return engine


def engine_cache_clear() -> None:
    """Free and forget the shared rules engines (they are recreated on
    demand). Useful in long-running applications after many custom rule
    sets. Safe to call at any time, from any thread: an evaluation running
    meanwhile finishes normally, and its engine is freed when it ends."""
    with _engines_lock:
        cleared = list(_engines.values())
        _engines.clear()
    for engine in cleared:
        engine.retire()


#: The engines that fire rule sets: durable-rules, or the plain-Python
#: evaluator of the same rules.
ENGINES = ("durable", "python")

#: Engine names that still work but are deprecated, with their new name.
_RENAMED_ENGINES = {"reference": "python"}


def resolve_engine(engine: str, *, stacklevel: int = 3) -> str:
    """The engine's current name: ``"reference"`` is accepted for
    ``"python"`` with a :class:`DeprecationWarning`.

    :raises InputError: for an unknown engine.
    """
    if engine in _RENAMED_ENGINES:
        new = _RENAMED_ENGINES[engine]
        warnings.warn(
            f"engine={engine!r} is deprecated; use engine={new!r}",
            DeprecationWarning,
            stacklevel=stacklevel,
        )
        return new
    if engine not in ENGINES:
        raise InputError(
            f"engine must be {' or '.join(map(repr, ENGINES))}, got {engine!r}", path="engine"
        )
    return engine


def run_rules(
    rules: RuleSet, facts: Mapping[str, Mapping[str, int]], engine: str
) -> Mapping[str, tuple[int, ...]]:
    """Fire *rules* on each fact (id -> counts) with the durable-rules engine
    or the plain-Python evaluator; id -> indices of the rules fired."""
    if resolve_engine(engine, stacklevel=3) == "durable":
        return _engine_for(rules).fire([{"id": k, **v} for k, v in facts.items()])
    return {k: rules.fire(v) for k, v in facts.items()}
