"""Evaluating evidence: suggested grades with explanations."""

from __future__ import annotations

import collections
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import attrs

from ._errors import InputError
from ._evidence import EvidenceSet
from ._framework import Framework
from ._grade import Grade
from ._loading import load_framework
from ._triangulation import EvidenceProfile, Triangulation, analyse
from .rules._durable import DurableEngine
from .rules._model import Effect, RuleSet, default_rules, load_rules

__all__ = ["Evaluation", "FiredRule", "IndicatorResult", "engine_cache_clear", "evaluate"]


@attrs.frozen(kw_only=True)
class FiredRule:
    """A rule that fired for an indicator, as it appears in the explanation.

    :param findings: ids of the findings counted by the fields the rule's
        condition reads.
    :param decisive: whether this rule set the suggested grade (the highest
        suggestion, or the cap that limited it, or a withhold).
    """

    name: str
    reason: str
    effect: Effect
    grade: Grade | None
    priority: int
    condition: str
    findings: tuple[str, ...]
    decisive: bool = False


@attrs.frozen(kw_only=True)
class IndicatorResult:
    """The suggestion for one quality indicator and how it was reached.

    :param suggested_grade: the grade the rules suggest, or ``None``.
    :param no_grade_reason: why no grade is suggested, when there is none.
    :param rules_fired: the explanation: every rule that fired, in firing
        order (by priority, then the order of the rules file).
    :param findings: the ids of the indicator's findings.
    """

    qi: str
    title: str
    suggested_grade: Grade | None
    no_grade_reason: str | None
    triangulation: Triangulation
    profile: EvidenceProfile
    rules_fired: tuple[FiredRule, ...]
    findings: tuple[str, ...]

    def explain(self) -> str:
        """The explanation as plain text, one line per rule fired."""
        head = (
            f"{self.qi} {self.title}: suggested {self.suggested_grade}"
            if self.suggested_grade is not None
            else f"{self.qi} {self.title}: no grade ({self.no_grade_reason})"
        )
        lines = [head]
        for r in self.rules_fired:
            mark = "*" if r.decisive else "-"
            cited = f" [{', '.join(r.findings)}]" if r.findings else ""
            lines.append(f"  {mark} {r.name}: {r.reason}{cited}")
        return "\n".join(lines)


def _combine(
    rules: RuleSet, profile: EvidenceProfile, fired: tuple[int, ...]
) -> tuple[Grade | None, str | None, tuple[FiredRule, ...]]:
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
        if lowest_cap is not None and lowest_cap < top:
            grade = Grade(lowest_cap)
            decisive = {r.name for r in caps if r.grade == lowest_cap}
        else:
            grade = Grade(top)
            decisive = {r.name for r in suggested if r.grade == top}
    explained = tuple(
        FiredRule(
            name=r.name,
            reason=r.reason,
            effect=r.effect,
            grade=r.grade,
            priority=r.priority,
            condition=r.condition(),
            findings=tuple(sorted({f for field in r.fields() for f in profile.finding_ids[field]})),
            decisive=r.name in decisive,
        )
        for r in chosen
    )
    return grade, reason, explained


_engines: collections.OrderedDict[RuleSet, DurableEngine] = collections.OrderedDict()
_engines_lock = threading.Lock()
_MAX_ENGINES = 8


def _engine_for(rules: RuleSet) -> DurableEngine:
    """A shared engine per rule set (the most recently used eight are kept)."""
    with _engines_lock:
        engine = _engines.get(rules)
        if engine is not None:
            _engines.move_to_end(rules)
            return engine
        engine = _engines[rules] = DurableEngine(rules)
        while len(_engines) > _MAX_ENGINES:
            _, old = _engines.popitem(last=False)
            old.close()
        return engine


def engine_cache_clear() -> None:
    """Close and forget the shared rules engines (they are recreated on
    demand). Useful in long-running applications after many custom rule
    sets."""
    with _engines_lock:
        while _engines:
            _engines.popitem()[1].close()


def resolve(
    evidence: EvidenceSet,
    framework: Framework | str | Path | None,
    rules: RuleSet | str | Path | None,
) -> tuple[Framework, RuleSet]:
    """The framework and rule set an evaluation uses."""
    if framework is None:
        framework = load_framework(evidence.framework)
    elif not isinstance(framework, Framework):
        framework = load_framework(framework)
    if rules is None:
        rules = default_rules()
    elif not isinstance(rules, RuleSet):
        rules = load_rules(rules)
    evidence.validate(framework)
    return framework, rules


def evaluate_indicators(
    evidence: EvidenceSet,
    framework: Framework,
    rules: RuleSet,
    *,
    engine: Literal["durable", "reference"] = "durable",
) -> tuple[IndicatorResult, ...]:
    """Suggest a grade for every indicator of *framework* (without QI 10)."""
    analysed = analyse(evidence, framework, rules.points)
    facts = [{"id": qi, **profile.counts} for qi, (profile, _) in analysed.items()]
    if engine == "durable":
        fired: Mapping[str, tuple[int, ...]] = _engine_for(rules).fire(facts)
    elif engine == "reference":
        fired = {qi: rules.fire(profile) for qi, (profile, _) in analysed.items()}
    else:
        raise InputError(f"engine must be 'durable' or 'reference', got {engine!r}")
    results = []
    for qi in framework.indicators:
        profile, triangulation = analysed[qi.id]
        grade, reason, explained = _combine(rules, profile, fired.get(qi.id, ()))
        results.append(
            IndicatorResult(
                qi=qi.id,
                title=qi.title,
                suggested_grade=grade,
                no_grade_reason=reason,
                triangulation=triangulation,
                profile=profile,
                rules_fired=explained,
                findings=profile.finding_ids["findings"],
            )
        )
    return tuple(results)


@attrs.frozen(kw_only=True)
class Evaluation:
    """The result of :func:`evaluate`: per-indicator suggestions with their
    explanations, for one evidence set.

    :param framework: the framework's id; *framework_version* its version.
    :param rules: the name of the rule set used.
    :param results: one result per indicator, in framework order (without
        QI 10).
    """

    evidence: EvidenceSet
    framework: str
    framework_version: str
    rules: str
    results: tuple[IndicatorResult, ...]

    def result(self, qi: str) -> IndicatorResult:
        """The result for one indicator."""
        for r in self.results:
            if r.qi == qi:
                return r
        raise InputError(f"the evaluation has no indicator {qi!r}")

    @property
    def suggested_grades(self) -> dict[str, Grade | None]:
        """Indicator id -> suggested grade (``None`` where none)."""
        return {r.qi: r.suggested_grade for r in self.results}


def evaluate(
    evidence: EvidenceSet,
    framework: Framework | str | Path | None = None,
    rules: RuleSet | str | Path | None = None,
    *,
    engine: Literal["durable", "reference"] = "durable",
) -> Evaluation:
    """Suggest a grade for every quality indicator from the evidence, with
    the rules that fired and the findings behind them.

    :param framework: a :class:`Framework`, a bundled id or a TOML file; by
        default the framework the evidence names.
    :param rules: a :class:`RuleSet` or a rules file; by default
        :func:`default_rules`.
    :param engine: ``"durable"`` (the durable-rules engine) or
        ``"reference"`` (the plain-Python evaluator of the same rules; the
        results are identical).

    Thread-safe; results are deterministic and do not depend on the order of
    the findings.
    """
    fw, rule_set = resolve(evidence, framework, rules)
    return Evaluation(
        evidence=evidence,
        framework=fw.id,
        framework_version=fw.info.version,
        rules=rule_set.name,
        results=evaluate_indicators(evidence, fw, rule_set, engine=engine),
    )
