"""Saving and loading whole evaluations as JSON or TOML documents.

A saved evaluation holds everything: the findings and context, every
suggestion with its explanation and triangulation, people's decisions, the
capacity judgement, the previous evaluation's grades, the framework's id and
version and the names of the rule sets, under a schema version.

Loading checks that the document agrees with itself: the suggestions, the
rules that fired and the capacity judgement are recomputed from its
evidence, context, previous evaluation and rules and compared with what it
records, so that a hand-edited grade is refused rather than reported.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from .. import _convert
from .._errors import InconsistentEvaluationError, InputError, QifevalError, shown
from ..frameworks._grade import Grade
from ..frameworks._loading import available_frameworks, load_framework
from ..frameworks._model import Framework
from ..rules._firing import FiredRule
from ..rules._model import (
    BUNDLED_RULES,
    RuleSet,
    bundled_rules,
)
from ._evaluate import (
    Decision,
    Evaluation,
    IndicatorResult,
    _judge,
    _rules,
    decision_problems,
    evaluate_indicators,
    previous_problems,
)
from ._independent import IndependentEvaluation, independent_problems
from ._plan import ImprovementPlan, plan_problems

__all__ = ["dump_evaluation", "load_evaluation"]

EVALUATION_SCHEMA_VERSION = 1

# Evaluation's module names these classes for type checkers only (importing
# qifeval loads them when first used); the converter needs them.
attrs.resolve_types(
    Evaluation,
    localns={"ImprovementPlan": ImprovementPlan, "IndependentEvaluation": IndependentEvaluation},
)
DOCUMENT_KIND = "qifeval-evaluation"


#: Result fields derived from the rules when a document is loaded, and so
#: not saved.
_DERIVED = ("to_improve",)


def evaluation_to_dict(evaluation: Evaluation) -> dict[str, Any]:
    """The dict form of a saved evaluation (without the fields derived on
    loading, such as each result's ``to_improve``)."""
    raw = _convert.converter.unstructure(evaluation)
    for result in raw["results"]:
        for name in _DERIVED:
            result.pop(name, None)
    if raw.get("profile") is None:
        raw.pop("profile", None)
    return {"schema_version": EVALUATION_SCHEMA_VERSION, "kind": DOCUMENT_KIND, **raw}


@attrs.frozen(kw_only=True)
class _Decisions:
    """The decisions of a document, structured apart from the rest so that
    their problems are reported as inconsistencies naming the file."""

    decisions: tuple[Decision, ...] = ()


def evaluation_from_dict(
    raw: dict[str, Any],
    *,
    file: str | Path | None = None,
    framework: Framework | None = None,
    rules: RuleSet | str | Path | None = None,
    capacity_rules: RuleSet | str | Path | None = None,
) -> Evaluation:
    """Build an evaluation from its saved dict form, refusing documents of
    another kind, schema version or framework version, and documents that
    disagree with themselves (see :func:`check_consistency`)."""
    raw = dict(raw)
    kind = raw.pop("kind", None)
    if kind != DOCUMENT_KIND:
        hint = (
            " (a findings file? use load_findings / 'qifeval evaluate')"
            if "findings" in raw
            else ""
        )
        raise InputError(
            f"not a saved qifeval evaluation: kind is {shown(kind)}{hint}", file=file, path="kind"
        )
    raw = _convert.without_schema_version(raw, EVALUATION_SCHEMA_VERSION, file=file)
    decisions = _convert.structure(
        {"decisions": raw.pop("decisions", [])}, _Decisions, file=file
    ).decisions
    evaluation = _convert.structure(raw, Evaluation, file=file)
    for path, problem in decision_problems(evaluation.results, decisions):
        raise InconsistentEvaluationError(problem, file=file, path=path)
    evaluation = attrs.evolve(evaluation, decisions=decisions)
    if framework is None:
        if evaluation.framework not in available_frameworks():
            raise InputError(
                f"framework {evaluation.framework!r} is not bundled with qifeval; pass the framework",
                file=file,
                path="framework",
            )
        framework = load_framework(evaluation.framework)
    if framework.id != evaluation.framework:
        raise InputError(
            f"the evaluation is for framework {evaluation.framework!r}, not {framework.id!r}",
            file=file,
            path="framework",
        )
    if framework.info.version != evaluation.framework_version:
        raise InputError(
            f"the evaluation was made with {framework.id} version {evaluation.framework_version!r}, "
            f"but this framework is version {framework.info.version!r}",
            file=file,
            path="framework_version",
        )
    evaluation.evidence.validate(framework, file=file)
    if evaluation.previous is not None:
        for path, problem in previous_problems(evaluation.previous, framework):
            raise InputError(problem, file=file, path=f"previous.{path}")
    if evaluation.plan is not None:
        for path, problem, action_id in plan_problems(
            evaluation.plan,
            indicators=[q.id for q in framework.all_indicators],
            findings=[f.id for f in evaluation.evidence.findings],
        ):
            raise InputError(f"action {action_id!r}: {problem}", file=file, path=path)
    if evaluation.independent is not None:
        for path, problem in independent_problems(evaluation.independent, framework):
            raise InputError(problem, file=file, path=f"independent.{path}")
    grading = _saved_rules(evaluation.rules, rules, "indicator", file)
    capacity = _saved_rules(evaluation.capacity_rules, capacity_rules, "capacity", file)
    fresh = check_consistency(evaluation, framework, grading, capacity, file=file)
    derived = {r.qi: r.to_improve for r in fresh}
    return attrs.evolve(
        evaluation,
        results=tuple(attrs.evolve(r, to_improve=derived[r.qi]) for r in evaluation.results),
    )


def _saved_rules(
    name: str, given: RuleSet | str | Path | None, subject: str, file: str | Path | None
) -> RuleSet:
    """The rule set a document names: *given*, or the bundled one."""
    key = "rules" if subject == "indicator" else "capacity_rules"
    what = "grading rules" if subject == "indicator" else "capacity rules"
    if given is None:
        bundled = bundled_rules(name) if name in BUNDLED_RULES else None
        if bundled is None or bundled.subject != subject:
            raise InputError(
                f"the evaluation was made with the {what} {name!r}, which are not bundled "
                f"with qifeval; pass them as {key}= so that its results can be checked",
                file=file,
                path=key,
            )
        return bundled
    try:
        ruleset = _rules(given, subject)
    except InputError as exc:
        raise InputError(exc.problem, file=exc.file or file, path=exc.path or key) from None
    if ruleset.name != name:
        raise InputError(
            f"the evaluation was made with the {what} {name!r}, not {ruleset.name!r}",
            file=file,
            path=key,
        )
    return ruleset


def check_consistency(
    evaluation: Evaluation,
    framework: Framework,
    rules: RuleSet,
    capacity_rules: RuleSet,
    *,
    file: str | Path | None = None,
) -> tuple[IndicatorResult, ...]:
    """Check that *evaluation* agrees with itself: every finding it cites
    exists, and the results (suggested grades, reasons, triangulation,
    profiles, the rules that fired with the findings they read) and the
    capacity judgement (grade, confidence, levers, barriers, trend, rules
    fired) are what its evidence, context, previous evaluation, decisions
    and these rules give.

    A field derived on loading (``to_improve``) is checked only where the
    document gives it.

    :returns: the recomputed results.
    :raises InconsistentEvaluationError: naming *file*, the field path and
        the saved and recomputed values of the first disagreement.
    """
    for path, finding_id in _missing_citations(evaluation):
        raise InconsistentEvaluationError(
            f"cites finding {finding_id!r}, which is not among the evidence's findings",
            file=file,
            path=path,
            finding_id=finding_id,
        )
    try:
        results = evaluate_indicators(
            evaluation.evidence, framework, rules, engine="python", inspection=evaluation.profile
        )
        for path, saved, fresh in _differences(
            evaluation.results, _as_saved(evaluation.results, results), "results"
        ):
            raise _disagreement(path, saved, fresh, file)
        capacity = _judge(evaluation, framework, capacity_rules, "python")
    except InconsistentEvaluationError:
        raise
    except QifevalError as exc:
        raise InconsistentEvaluationError(
            f"its results cannot be recomputed: {exc}", file=file
        ) from None
    for path, saved, fresh in _differences(evaluation.capacity, capacity, "capacity"):
        raise _disagreement(path, saved, fresh, file)
    return results


def _as_saved(
    saved: tuple[IndicatorResult, ...], fresh: tuple[IndicatorResult, ...]
) -> tuple[IndicatorResult, ...]:
    """*fresh* without ``to_improve`` where *saved* leaves it out."""
    absent = {r.qi for r in saved if r.to_improve is None}
    return tuple(attrs.evolve(r, to_improve=None) if r.qi in absent else r for r in fresh)


def _missing_citations(evaluation: Evaluation) -> Iterator[tuple[str, str]]:
    """``(field path, id)`` of every finding id a result cites that is not
    among the evidence's findings."""
    known = {f.id for f in evaluation.evidence.findings}
    for r in evaluation.results:
        base = f"results['{r.qi}']"
        cited: list[tuple[str, tuple[str, ...]]] = [
            (f"{base}.findings", r.findings),
            (f"{base}.triangulation.to_corroborate", r.triangulation.to_corroborate),
        ]
        for i, c in enumerate(r.triangulation.contradictions):
            where = f"{base}.triangulation.contradictions[{i}]"
            cited += [(f"{where}.strengths", c.strengths), (f"{where}.weaknesses", c.weaknesses)]
        cited += [
            (f"{base}.profile.finding_ids['{k}']", v) for k, v in r.profile.finding_ids.items()
        ]
        cited += [
            (f"{base}.rules_fired[{i}].evidence", f.evidence) for i, f in enumerate(r.rules_fired)
        ]
        for path, ids in cited:
            for finding_id in ids:
                if finding_id not in known:
                    yield path, finding_id


def _disagreement(
    path: str, saved: object, fresh: object, file: str | Path | None
) -> InconsistentEvaluationError:
    graded = isinstance(saved, Grade) or isinstance(fresh, Grade)
    s, r = (("no grade" if v is None and graded else _show(v)) for v in (saved, fresh))
    return InconsistentEvaluationError(
        f"the saved evaluation disagrees with its own evidence and rules: saved {s}, "
        f"recomputed {r}",
        file=file,
        path=path,
        saved=s,
        recomputed=r,
    )


def _differences(saved: object, fresh: object, path: str) -> Iterator[tuple[str, object, object]]:
    """``(path, saved, recomputed)`` of the innermost values that differ."""
    if saved == fresh and type(saved) is type(fresh):
        return
    if type(saved) is type(fresh) and attrs.has(type(saved)):
        for a in attrs.fields(type(saved)):  # type: ignore[arg-type]
            yield from _differences(
                getattr(saved, a.name), getattr(fresh, a.name), f"{path}.{a.name}"
            )
        return
    if isinstance(saved, Mapping) and isinstance(fresh, Mapping) and list(saved) == list(fresh):
        for k in saved:
            yield from _differences(saved[k], fresh[k], f"{path}['{k}']")
        return
    if isinstance(saved, tuple) and isinstance(fresh, tuple):
        keys_s, keys_f = _keys(saved), _keys(fresh)
        if keys_s is not None and keys_s != keys_f:
            yield path, keys_s, keys_f
            return
        if len(saved) == len(fresh):
            by_qi = path == "results"
            for i, (a, b) in enumerate(zip(saved, fresh, strict=True)):
                where = f"{path}['{getattr(a, 'qi', i)}']" if by_qi else f"{path}[{i}]"
                yield from _differences(a, b, where)
            return
    yield path, saved, fresh


def _keys(items: tuple[object, ...]) -> tuple[str, ...] | None:
    """What identifies a sequence's items: indicator ids for results, rule
    names for the rules fired; ``None`` for other sequences."""
    if items and all(isinstance(x, FiredRule) for x in items):
        return tuple(x.name for x in items if isinstance(x, FiredRule))
    if items and all(isinstance(x, IndicatorResult) for x in items):
        return tuple(x.qi for x in items if isinstance(x, IndicatorResult))
    return None


def _show(value: object) -> str:
    """A value as the message shows it."""
    if value is None:
        return "none"
    if isinstance(value, Grade):
        return str(value)
    if isinstance(value, enum.Enum):
        return repr(value.value)
    if isinstance(value, tuple | list):
        text = "[" + ", ".join(_show(x) for x in value) + "]"
    elif isinstance(value, Mapping):
        text = "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    else:
        text = repr(value)
    return text if len(text) <= 300 else text[:296] + "...]"


def dump_evaluation(
    evaluation: Evaluation, path: str | Path | None = None, *, fmt: str | None = None
) -> str:
    """Return a whole evaluation as a JSON or TOML document (by *fmt*, or by
    the suffix of *path*, default JSON) and, if *path* is given, write it
    there atomically. The document loads back into an equal evaluation."""
    return _convert.dump_document(evaluation_to_dict(evaluation), path, fmt, "json")


def load_evaluation(
    path: str | Path,
    *,
    framework: Framework | None = None,
    rules: RuleSet | str | Path | None = None,
    capacity_rules: RuleSet | str | Path | None = None,
) -> Evaluation:
    """Load an evaluation saved with :func:`dump_evaluation`.

    The document must agree with itself: its suggestions, the rules that
    fired and the capacity judgement are recomputed from its evidence,
    context, previous evaluation, decisions and rules, and must be what it
    records; its decisions must be on indicators it grades (not QI 10), at
    most one per indicator; every finding it cites must exist.

    :param framework: needed only for a framework not bundled with qifeval.
    :param rules: the grading rules (a :class:`RuleSet` or a rules file);
        needed only when the evaluation was not made with the bundled ones.
    :param capacity_rules: likewise for the capacity rules.
    :raises InputError: naming the file and the field path, also when the
        document is of another schema version or framework version.
    :raises InconsistentEvaluationError: (an :class:`InputError`) naming the
        file, the field path and what disagrees, e.g.
        ``results['5.2'].suggested_grade: ... saved 6 Excellent, recomputed
        2 Weak``.
    """
    raw = _convert.read_document(path)
    return evaluation_from_dict(
        raw, file=path, framework=framework, rules=rules, capacity_rules=capacity_rules
    )
