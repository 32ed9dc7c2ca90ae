"""The JSON report (``format = "qifeval-report"``, version 1), from the
report model."""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any

from .._privacy import PersonalDataGuard
from ..evaluation._evaluate import Evaluation
from ..frameworks._grade import Grade
from ._model import (
    CapacityView,
    IndependentView,
    IndicatorView,
    PlanView,
    ReportModel,
    RuleView,
    build_report,
)

__all__ = [
    "REPORT_FORMAT_VERSION",
    "indented_json",
    "json_report",
    "json_report_text",
    "render_json",
]

REPORT_FORMAT_VERSION = 1


def _g(g: Grade | None) -> int | None:
    return None if g is None else int(g)


def _rule(r: RuleView) -> dict[str, Any]:
    return {
        "name": r.name,
        "effect": r.effect,
        "grade": _g(r.grade),
        "confidence": r.confidence,
        "reason": r.reason,
        "condition": r.condition,
        "evidence": list(r.evidence),
        "decisive": r.decisive,
    }


def _indicator(i: IndicatorView) -> dict[str, Any]:
    d = i.decision
    return {
        "qi": i.qi,
        "title": i.title,
        "suggested_grade": _g(i.suggested),
        "grade": None if d is None else int(d.grade),
        "no_grade_reason": i.no_grade_reason,
        "decision": None
        if d is None
        else {
            "kind": d.kind,
            "grade": int(d.grade),
            "suggested": _g(d.suggested),
            "role": d.role,
            "rationale": d.rationale,
            "date": d.date.isoformat(),
        },
        "triangulation": {
            "status": i.triangulation,
            "strength_sources": list(i.strength_sources),
            "weakness_sources": list(i.weakness_sources),
            "contradictions": [
                {
                    "point": c.point,
                    "strength_source": c.strength_source,
                    "weakness_source": c.weakness_source,
                    "strengths": list(c.strengths),
                    "weaknesses": list(c.weaknesses),
                }
                for c in i.contradictions
            ],
            "to_corroborate": list(i.to_corroborate),
        },
        "rules_fired": [_rule(x) for x in i.rules],
        "findings": list(i.findings),
        "safety_concerns": list(i.safety_concerns),
        "to_improve": None
        if i.to_improve is None
        else {
            "target": i.to_improve.target,
            "text": i.to_improve.text,
            "routes": [dict(r) for r in i.to_improve.routes],
            "held_by": [dict(h) for h in i.to_improve.held_by],
        },
    }


def _capacity(c: CapacityView) -> dict[str, Any]:
    return {
        "grade": _g(c.grade),
        "no_grade_reason": c.no_grade_reason,
        "confidence": c.confidence,
        "statement": c.statement,
        "levers": [
            {
                "name": lv.name,
                "title": lv.title,
                "indicators": list(lv.indicators),
                "grades": {q: int(g) for q, g in lv.grades.items()},
                "median": None if lv.median is None else int(lv.median),
                "trend": dict(lv.trend),
            }
            for lv in c.levers
        ],
        "barriers": list(c.barriers),
        "rules_fired": [_rule(x) for x in c.rules],
        "limiting_rules": list(c.limiting_rules),
        "evidence_gaps": list(c.evidence_gaps),
        "trend": None if c.trend is None else dict(c.trend),
    }


def _plan(p: PlanView | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "title": p.title,
        "made_from": p.made_from,
        "as_of": p.as_of.isoformat(),
        "counts": dict(p.counts),
        "done_share": p.done_share,
        "done": list(p.done),
        "overdue": list(p.overdue),
        "on_track": list(p.on_track),
        "undated": list(p.undated),
        "dropped": list(p.dropped),
        "actions": [
            {
                "id": a.id,
                "action": a.action,
                "addresses": list(a.addresses),
                "lead": a.lead,
                "due": None if a.due is None else a.due.isoformat(),
                "status": a.status,
                "overdue": a.overdue,
                "impact": list(a.impact),
            }
            for a in p.actions
        ],
    }


def _independent(m: IndependentView | None) -> dict[str, Any] | None:
    if m is None:
        return None
    return {
        "source": m.source,
        "compared": m.compared,
        "exact": m.exact,
        "within_one": m.within_one,
        "exact_share": m.exact_share,
        "within_one_share": m.within_one_share,
        "median_absolute_difference": m.median_absolute_difference,
        "not_graded_by_self": list(m.not_graded_by_self),
        "indicators": [dict(i) for i in m.indicators],
    }


def render_json(model: ReportModel) -> dict[str, Any]:
    """The JSON report of a report model (see :func:`json_report`)."""
    return {
        "format": "qifeval-report",
        "format_version": REPORT_FORMAT_VERSION,
        "partnership": model.partnership,
        "title": model.evidence_title,
        "date": None if model.date is None else model.date.isoformat(),
        "framework": {"id": model.framework, "version": model.framework_version},
        "rules": {"grading": model.rules, "capacity": model.capacity_rules},
        "safety_concerns": [
            {
                "qi": c.qi,
                "finding": c.finding,
                "statement": c.statement,
                "proportion": c.proportion,
                "sample": c.sample,
            }
            for c in model.safety_concerns
        ],
        "indicators": [_indicator(i) for i in model.indicators],
        "capacity": _capacity(model.capacity),
        "warnings": [
            {
                "finding": w.finding,
                "path": w.path,
                "code": w.code,
                "problem": w.problem,
                "checked": w.checked,
            }
            for w in model.warnings
        ],
        "plan": _plan(model.plan),
        "independent": _independent(model.independent),
    }


def json_report(
    evaluation: Evaluation, *, guard: PersonalDataGuard | None = None
) -> dict[str, Any]:
    """The stable JSON report (``format = "qifeval-report"``, version 1):
    per indicator ``suggested_grade`` (1-6 or null), ``grade`` (the grade a
    person confirmed or recorded, or null), ``triangulation``, ``rules_fired``;
    and ``capacity``. See :doc:`/reference/report-json`.

    :param guard: the personal-data guard whose matches are redacted (by
        default :class:`PersonalDataGuard` with its default settings).
    """
    return render_json(build_report(evaluation, guard=guard, findings=False))


def json_report_text(evaluation: Evaluation, *, guard: PersonalDataGuard | None = None) -> str:
    """:func:`json_report` as indented JSON text."""
    return indented_json(json_report(evaluation, guard=guard)) + "\n"


def indented_json(value: Any) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, quicker on long
    lists of strings (a report's finding ids), which are written in one
    step; anything else is written as :func:`json.dumps` writes it."""
    try:
        return _indented(value, "\n")
    except (TypeError, ValueError):
        # a value or key json.dumps converts or refuses: it says which
        return json.dumps(value, indent=2, ensure_ascii=False)


def _indented(value: Any, newline: str) -> str:
    """*value* as indented JSON, its lines starting with *newline*."""
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = newline + "  "
        items = [f"{encode_basestring(k)}: {_indented(v, inner)}" for k, v in value.items()]
        return "{" + inner + ("," + inner).join(items) + newline + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = newline + "  "
        try:
            items = list(map(encode_basestring, value))  # every item a string
        except TypeError:
            items = [_indented(v, inner) for v in value]
        return "[" + inner + ("," + inner).join(items) + newline + "]"
    if value is None or value is True or value is False:
        return _CONSTANTS[value]
    if isinstance(value, int):
        return int.__repr__(value)
    return json.dumps(value)


_CONSTANTS = {None: "null", True: "true", False: "false"}
