"""The programme view as a standalone HTML page, Markdown and JSON, and the
HTML shown for evaluations, indicator results and programme views in
notebooks.

Markup comes from Jinja2 templates shipped under
``qifeval/reports/_templates/programme/``; the environments escape what is
put into them (HTML by autoescaping, Markdown by a finalizer), and text the
personal-data guard flags is redacted on the way in.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .._display import register_html
from .._privacy import _DEFAULT_GUARD, PersonalDataGuard
from ..evaluation._capacity import Direction
from ..evaluation._evaluate import Evaluation, IndicatorResult
from ..evaluation._programme import (
    GradeDistribution,
    KeyFactorTally,
    Programme,
    ProgrammeGroup,
    programme_json,
)
from ..frameworks._grade import Grade
from ._jinja import render

__all__ = [
    "PROGRAMME_FORMATS",
    "programme_html",
    "programme_json_text",
    "programme_markdown",
]

_GRADES = tuple(sorted(Grade, reverse=True))

#: The chart's geometry (SVG user units).
_LABEL_WIDTH = 118
_BAR_WIDTH = 170
_ROW_HEIGHT = 30
_TOP = 34


def _pct(n: int, total: int) -> int:
    return round(100 * n / total) if total else 0


def _chart(d: GradeDistribution, chart_id: str) -> dict[str, Any]:
    """The bars of one indicator's chart: each grade's share of the
    partnerships graded, and of the 12 areas inspected in 2014-16."""
    national = d.national.distribution if d.national is not None else None
    rows = []
    for i, g in enumerate(_GRADES):
        n = d.counts[g]
        share = _pct(n, d.graded)
        row: dict[str, Any] = {
            "label": g.label,
            "y": _TOP + i * _ROW_HEIGHT,
            "count": n,
            "share": share,
            "width": round(_BAR_WIDTH * share / 100, 1),
            "national": None,
        }
        if d.national is not None and national is not None:
            m = national.get(g)
            if m is None:
                row["national"] = {"text": "not published", "width": 0}
            else:
                s = _pct(m, d.national.total)
                row["national"] = {
                    "text": f"{m} of {d.national.total} ({s}%)",
                    "width": round(_BAR_WIDTH * s / 100, 1),
                }
        rows.append(row)
    summary = ", ".join(f"{r['label']} {r['count']}" for r in rows)
    if d.national is not None:
        summary += f"; 2014-16 national results (QI {d.national_qi}): " + ", ".join(
            f"{g.label} {n}" for g, n in d.national.distribution.items()
        )
    return {
        "id": chart_id,
        "rows": rows,
        "height": _TOP + len(rows) * _ROW_HEIGHT + 6,
        "label_width": _LABEL_WIDTH,
        "bar_width": _BAR_WIDTH,
        "width": _LABEL_WIDTH + _BAR_WIDTH + 110,
        "summary": summary,
        "has_national": d.national is not None,
    }


def _tally(t: KeyFactorTally) -> dict[str, Any]:
    return {
        "ref": t.ref,
        "qi": t.qi,
        "text": t.text,
        "partnerships": t.partnerships,
        "findings": t.findings,
    }


def _group_view(g: ProgrammeGroup, index: int, redact: Callable[[str], str]) -> dict[str, Any]:
    n = len(g.partnerships)
    indicators = []
    for i, d in enumerate(g.indicators):
        indicators.append(
            {
                "qi": d.qi,
                "title": d.title,
                "counts": [d.counts[gr] for gr in _GRADES],
                "graded": d.graded,
                "decided": d.decided,
                "not_graded": d.not_graded,
                "good_or_better": d.good_or_better,
                "good_or_better_pct": _pct(d.good_or_better, d.graded),
                "inspected": d.inspected,
                "national_qi": d.national_qi,
                "national": None
                if d.national is None
                else {
                    "text": ", ".join(
                        f"{gr.label} {m}" for gr, m in d.national.distribution.items() if m
                    ),
                    "complete": d.national.complete,
                    "good_or_better": d.national.good_or_better_count,
                    "areas": d.national.total,
                    "pct": _pct(d.national.good_or_better_count, d.national.total),
                },
                "chart": _chart(d, f"g{index}-{i}"),
            }
        )
    return {
        "framework": g.framework,
        "profile": g.profile,
        "count": n,
        "partnerships": [redact(p) for p in g.partnerships],
        "indicators": indicators,
        "grades": [gr.label for gr in _GRADES],
        "capacity": [{"label": gr.label, "count": g.capacity[gr]} for gr in _GRADES],
        "capacity_not_graded": g.capacity_not_graded,
        "confidence": [
            {"label": c.value, "count": m, "pct": _pct(m, n)} for c, m in g.confidence.items()
        ],
        "strengths": [_tally(t) for t in g.strengths],
        "areas": [_tally(t) for t in g.areas_for_improvement],
    }


def _view(view: Programme, guard: PersonalDataGuard | None) -> dict[str, Any]:
    redact = (guard or _DEFAULT_GUARD).redact
    trends = []
    for t in view.trends:
        trends.append(
            {
                "partnership": redact(t.partnership),
                "framework": t.framework,
                "points": [
                    {
                        "label": redact(p.label),
                        "capacity": "no grade" if p.capacity is None else str(p.capacity),
                        "confidence": p.confidence.value if p.confidence else "",
                    }
                    for p in t.points
                ],
                "compared": len(t.points) > 1,
                "improved": t.improved,
                "same": t.same,
                "declined": t.declined,
                "up": [c.qi for c in t.changes if c.direction is Direction.UP],
                "down": [c.qi for c in t.changes if c.direction is Direction.DOWN],
            }
        )
    return {
        "partnerships": view.partnerships,
        "evaluations": len(view.evaluations),
        "groups": [_group_view(g, i, redact) for i, g in enumerate(view.groups)],
        "trends": trends,
        "any_trend": any(t["compared"] for t in trends),
    }


def programme_html(view: Programme, *, guard: PersonalDataGuard | None = None) -> str:
    """The programme view as a standalone HTML page (no scripts, no
    external files): per indicator a table and a chart of the grades beside
    the 2014-16 national results, capacity for improvement, key factors
    and trends. Text the guard flags is redacted."""
    return render("programme/page.html.j2", v=_view(view, guard))


def programme_markdown(view: Programme, *, guard: PersonalDataGuard | None = None) -> str:
    """The programme view as Markdown (the tables of the HTML page, without
    charts)."""
    return render("programme/programme.md.j2", v=_view(view, guard))


def programme_json_text(view: Programme, *, guard: PersonalDataGuard | None = None) -> str:
    """The programme view as JSON (see :func:`~qifeval.programme`); the
    partnership names and labels pass the personal-data guard."""
    redact = (guard or _DEFAULT_GUARD).redact
    data = programme_json(view)
    for g in data["groups"]:
        g["partnerships"] = [redact(p) for p in g["partnerships"]]
    for t in data["trends"]:
        t["partnership"] = redact(t["partnership"])
        for p in t["points"]:
            p["label"] = redact(p["label"])
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


#: The programme view's text formats: name -> renderer.
PROGRAMME_FORMATS: dict[str, Callable[..., str]] = {
    "html": programme_html,
    "markdown": programme_markdown,
    "json": programme_json_text,
}


def _programme_fragment(view: Programme) -> str:
    return render("programme/body.html.j2", v=_view(view, None))


def _grade_text(g: Grade | None) -> str:
    return "no grade" if g is None else str(g)


def _evaluation_fragment(e: Evaluation) -> str:
    redact = _DEFAULT_GUARD.redact
    decided = {d.qi: d for d in e.decisions}
    rows = [
        {
            "qi": r.qi,
            "title": r.title,
            "suggested": _grade_text(r.suggested_grade),
            "decision": decided[r.qi].kind.value if r.qi in decided else "",
            "grade": _grade_text(e.grades[r.qi]),
            "findings": len(r.findings),
            "triangulation": r.triangulation.status.value,
        }
        for r in e.results
    ]
    return render(
        "programme/evaluation.html.j2",
        label=redact(e.label()),
        framework=e.framework,
        rules=e.rules,
        rows=rows,
        capacity=_grade_text(e.capacity.grade),
        confidence=e.capacity.confidence.value,
    )


def _indicator_fragment(r: IndicatorResult) -> str:
    return render(
        "programme/indicator.html.j2",
        qi=r.qi,
        title=r.title,
        suggested=_grade_text(r.suggested_grade),
        reason=r.no_grade_reason or "",
        findings=len(r.findings),
        triangulation=r.triangulation.status.value,
        rules=[
            {
                "name": f.name,
                "reason": f.reason,
                "decisive": f.decisive,
                "evidence": ", ".join(_DEFAULT_GUARD.redact(i) for i in f.evidence),
            }
            for f in r.rules_fired
        ],
    )


register_html(Programme, _programme_fragment)
register_html(Evaluation, _evaluation_fragment)
register_html(IndicatorResult, _indicator_fragment)
