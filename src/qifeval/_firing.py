"""Firing rule sets: the shared engines, the reference path, and turning
the rules that fired into a result with its explanation."""

from __future__ import annotations

import collections
import threading
from collections.abc import Mapping

import attrs

from ._errors import InputError
from ._grade import Grade
from ._triangulation import sorted_ids
from .rules._durable import DurableEngine
from .rules._model import Confidence, Effect, RuleSet

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


def combine(
    rules: RuleSet, cited: Mapping[str, tuple[str, ...]], fired: tuple[int, ...]
) -> tuple[Grade | None, str | None, tuple[FiredRule, ...]]:
    """Combine the rules that fired into a grade (or a reason for none) and
    the explanation. *cited* maps each field to the ids behind it."""
    chosen = [rules.rules[i] for i in fired]
    withheld = [r for r in chosen if r.effect is Effect.WITHHOLD]
    suggested = [r for r in chosen if r.effect is Effect.SUGGEST]
    caps = [r for r in chosen if r.effect is Effect.CAP]
    grade: Grade | None = None
    reason: str | None = None
    decisive: set[str] = set()
    if withheld:
        reason = "; ".join(r.reason for r in withheld)
        decisive = {r.name for r in withheld}
    elif not suggested:
        reason = "no rule suggested a grade for this evidence"
    else:
        top = max(r.grade for r in suggested if r.grade is not None)
        lowest_cap = min((r.grade for r in caps if r.grade is not None), default=None)
        grade = Grade(top if lowest_cap is None else min(top, lowest_cap))
        # The suggestion that reached the grade and the caps that hold it
        # there: both, when a cap equals the highest suggestion.
        decisive = {r.name for r in suggested if r.grade == top and top == grade}
        decisive |= {r.name for r in caps if r.grade == grade}
    explained = tuple(
        FiredRule(
            name=r.name,
            reason=r.reason,
            effect=r.effect,
            grade=r.grade,
            confidence=r.confidence,
            priority=r.priority,
            condition=r.condition(),
            evidence=sorted_ids({f for field in r.fields() for f in cited[field]}),
            decisive=r.name in decisive,
        )
        for r in chosen
    )
    return grade, reason, explained


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


def run_rules(
    rules: RuleSet, facts: Mapping[str, Mapping[str, int]], engine: str
) -> Mapping[str, tuple[int, ...]]:
    """Fire *rules* on each fact (id -> counts) with the durable-rules engine
    or the plain-Python reference; id -> indices of the rules fired."""
    if engine == "durable":
        return _engine_for(rules).fire([{"id": k, **v} for k, v in facts.items()])
    if engine == "reference":
        return {k: rules.fire(v) for k, v in facts.items()}
    raise InputError(f"engine must be 'durable' or 'reference', got {engine!r}")
