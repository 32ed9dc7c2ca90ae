"""Reports of an evaluation: Markdown, standalone HTML, JSON, and the
position statement skeleton.

Reports never print text that the personal-data guard flags: such text is
redacted.
"""

from __future__ import annotations

import contextlib
import contextvars
import html
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import attrs

from .._errors import EvidenceWarning
from .._ids import ref_key as _ref_order
from .._privacy import _DEFAULT_GUARD, PersonalDataGuard
from ..evaluation._capacity import CapacityJudgement
from ..evaluation._evaluate import Evaluation, IndicatorResult, SafetyConcern
from ..evaluation._independent import Match
from ..evaluation._plan import Action, ImprovementPlan, PlanProgress
from ..evidence._consistency import check_findings
from ..evidence._findings import Finding
from ..frameworks._grade import Grade
from ..rules._firing import FiredRule
from ..rules._whatif import Improvement, Shortfall

__all__ = [
    "RENDERERS",
    "PositionStatement",
    "html_report",
    "json_report",
    "markdown_report",
    "position_statement",
]

REPORT_FORMAT_VERSION = 1
POSITION_STATEMENT_WORD_LIMIT = 5000


_GUARD: contextvars.ContextVar[PersonalDataGuard] = contextvars.ContextVar("qifeval_report_guard")


@contextlib.contextmanager
def _guarded(guard: PersonalDataGuard | None) -> Iterator[None]:
    """Redact with *guard* (or the default guard) while a report is built."""
    token = _GUARD.set(guard or _DEFAULT_GUARD)
    try:
        yield
    finally:
        _GUARD.reset(token)


def redact(text: str) -> str:
    """*text* with whatever the report's personal-data guard flags replaced."""
    return _GUARD.get(_DEFAULT_GUARD).redact(text)


# --- Escaping -------------------------------------------------------------------

# Runs of white space that could end or indent a line (spaces, tabs, line
# feeds, carriage returns, form feeds, other separators, and Unicode line and
# paragraph separators) become one space, so user text never starts a line.
_MD_BREAKS = re.compile("[ \t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")
# Characters that mean something anywhere in a line (emphasis, code, links and
# images, tables, strikethrough, a heading's closing #s, attributes, the escape
# itself) are backslash-escaped; "<", ">" and "&" become character references,
# so no Markdown dialect reads raw HTML, an autolink or an entity.
# Control characters have no place in a report and could act on a terminal
# that shows it: each becomes its visible picture (U+2400 onwards for C0,
# U+2421 for DEL) or, for the C1 controls, the replacement character.
_CONTROLS = str.maketrans(
    {c: chr(0x2400 + c) for c in range(0x20)}
    | {0x7F: "\u2421"}
    | {c: "\ufffd" for c in range(0x80, 0xA0)}
)
# In HTML, tabs and line breaks are ordinary white space, and so are the
# other characters that break or separate lines (shown as a space).
_HTML_CONTROLS = {k: v for k, v in _CONTROLS.items() if k not in (9, 10, 13)} | {
    c: " " for c in (0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x1F, 0x85)
}
_MD_INLINE = str.maketrans(
    {c: "\\" + c for c in "\\`*_[]{}|~#!"} | {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
)
# What starts structure only at the start of a line: a list item ("-", "+",
# or "1." or "1)" followed by a space), a thematic break or a setext
# underline ("-", "=").
_MD_LEADING = re.compile(r"^( ?)(?:([-+=])|([0-9]+)([.)])(?= |$))")


def markdown_escape(text: str) -> str:
    r"""*text* as Markdown that shows exactly this text and nothing more:
    no heading, list, table, code, link, image, emphasis or HTML can start
    inside it, wherever it stands in a line. Runs of white space that could
    break or indent a line (line feeds, carriage returns, tabs, Unicode line
    and paragraph separators) become one space.

    >>> print(markdown_escape("<b>Ward 3</b> *urgent*\n\n## 5.2"))
    &lt;b&gt;Ward 3&lt;/b&gt; \*urgent\* \#\# 5.2
    >>> print(markdown_escape("1. first [see](javascript:x)"))
    1\. first \[see\](javascript:x)
    """
    text = _MD_BREAKS.sub(" ", text).translate(_CONTROLS).translate(_MD_INLINE)
    m = _MD_LEADING.match(text)
    if m is None:
        return text
    marker = f"\\{m[2]}" if m[2] else f"{m[3]}\\{m[4]}"
    return m[1] + marker + text[m.end() :]


def _md_code(text: str) -> _Markup:
    """*text* as a Markdown code span, fenced by more backticks than it holds."""
    text = _MD_BREAKS.sub(" ", text).translate(_CONTROLS).strip()
    if not text:
        return _Markup("")
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text[0] == "`" or text[-1] == "`" else ""
    return _Markup(f"{fence}{pad}{text}{pad}{fence}")


class _Markup(str):
    """Text already written in a report's format, inserted as it is."""

    __slots__ = ()


class _Escaping:
    """Fills report templates for one format: every value put into a
    template's ``{}`` fields is escaped with the format's escaping function,
    except markup. Report templates are written here; everything inserted
    into them goes through this one place."""

    def __init__(self, escape: Callable[[str], str]) -> None:
        self._escape = escape

    def text(self, value: object) -> _Markup:
        """*value* as text in the format (markup is kept as it is)."""
        return value if isinstance(value, _Markup) else _Markup(self._escape(str(value)))

    def __call__(self, template: str, /, *args: object, **kwargs: object) -> _Markup:
        return _Markup(
            template.format(*map(self.text, args), **{k: self.text(v) for k, v in kwargs.items()})
        )


_md = _Escaping(markdown_escape)


def _grade_text(g: Grade | None) -> str:
    return "no grade" if g is None else f"{int(g)} {g.label}"


def _g(g: Grade | None) -> int | None:
    return None if g is None else int(g)


def _title(e: Evaluation) -> str:
    ev = e.evidence
    return ev.title or f"Evaluation of {ev.partnership}"


def _sentence(f: Finding) -> str:
    text = redact(f.quantified())
    return text[:1].upper() + text[1:]


def _warning_text(w: EvidenceWarning) -> str:
    """One consistency warning as reports list it."""
    checked = " (checked by a person)" if w.checked else ""
    return f"{redact(w.finding_id)} ({w.path}) [{w.code}]: {redact(w.problem)}{checked}"


_WARNINGS_INTRO = (
    "Findings whose wording does not match their figures, or whose sample is missing or "
    "small. A strength under one half of its sample, or whose evaluative term contradicts "
    "its proportion, does not count as a strength unless a person checked it."
)


def _ids(ids: Iterable[str]) -> list[str]:
    """Finding and indicator ids as reports print them: redacted, since an
    id is user text like any other."""
    return [redact(i) for i in ids]


def _safety_concerns(e: Evaluation) -> list[tuple[SafetyConcern, Finding]]:
    """Every individual safety concern with its finding, in framework order."""
    by_id = {f.id: f for f in e.evidence.findings}
    return [(c, by_id[c.finding]) for c in e.safety_concerns]


def _fired(r: FiredRule) -> dict[str, Any]:
    return {
        "name": r.name,
        "effect": r.effect.value,
        "grade": _g(r.grade),
        "confidence": None if r.confidence is None else r.confidence.value,
        "reason": r.reason,
        "condition": r.condition,
        "evidence": _ids(r.evidence),
        "decisive": r.decisive,
    }


def _shortfall(s: Shortfall) -> dict[str, Any]:
    return {
        "field": s.field,
        "op": s.op,
        "current": s.current,
        "needed": s.needed,
        "other": s.other,
        "other_value": s.other_value,
        "times": s.times,
        "text": s.text,
    }


def _to_improve(i: Improvement | None) -> dict[str, Any] | None:
    if i is None:
        return None
    return {
        "target": int(i.target),
        "text": redact(i.text),
        "routes": [
            {"rule": r.rule, "grade": int(r.grade), "unmet": [_shortfall(s) for s in r.unmet]}
            for r in i.routes
        ],
        "held_by": [
            {
                "rule": h.rule,
                "effect": h.effect.value,
                "grade": _g(h.grade),
                "reason": h.reason,
                "findings": _ids(h.findings),
                "lifted_by": [_shortfall(s) for s in h.lifted_by],
                "text": redact(h.text),
            }
            for h in i.held_by
        ],
    }


# --- JSON ---------------------------------------------------------------------


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
    with _guarded(guard):
        return _json_report(evaluation)


def _json_report(evaluation: Evaluation) -> dict[str, Any]:
    ev = evaluation.evidence
    indicators = []
    for r in evaluation.results:
        d = evaluation.decision(r.qi)
        t = r.triangulation
        indicators.append(
            {
                "qi": r.qi,
                "title": r.title,
                "suggested_grade": _g(r.suggested_grade),
                "grade": None if d is None else int(d.grade),
                "no_grade_reason": r.no_grade_reason,
                "decision": None
                if d is None
                else {
                    "kind": d.kind.value,
                    "grade": int(d.grade),
                    "suggested": _g(d.suggested),
                    "role": redact(d.role),
                    "rationale": redact(d.rationale),
                    "date": d.date.isoformat(),
                },
                "triangulation": {
                    "status": t.status.value,
                    "strength_sources": [k.value for k in t.strength_sources],
                    "weakness_sources": [k.value for k in t.weakness_sources],
                    "contradictions": [
                        {
                            "point": redact(c.point),
                            "strength_source": c.strength_source.value,
                            "weakness_source": c.weakness_source.value,
                            "strengths": _ids(c.strengths),
                            "weaknesses": _ids(c.weaknesses),
                        }
                        for c in t.contradictions
                    ],
                    "to_corroborate": _ids(t.to_corroborate),
                },
                "rules_fired": [_fired(x) for x in r.rules_fired],
                "findings": _ids(r.findings),
                "safety_concerns": _ids(r.safety_concerns),
                "to_improve": _to_improve(r.to_improve),
            }
        )
    return {
        "format": "qifeval-report",
        "format_version": REPORT_FORMAT_VERSION,
        "partnership": redact(ev.partnership),
        "title": redact(ev.title),
        "date": None if ev.date is None else ev.date.isoformat(),
        "framework": {"id": evaluation.framework, "version": evaluation.framework_version},
        "rules": {"grading": evaluation.rules, "capacity": evaluation.capacity_rules},
        "safety_concerns": [
            {
                "qi": c.qi,
                "finding": redact(c.finding),
                "statement": _sentence(f),
                "proportion": c.proportion,
                "sample": c.sample,
            }
            for c, f in _safety_concerns(evaluation)
        ],
        "indicators": indicators,
        "capacity": _capacity_json(evaluation.capacity),
        "warnings": [
            {
                "finding": redact(w.finding_id),
                "path": w.path,
                "code": w.code,
                "problem": redact(w.problem),
                "checked": w.checked,
            }
            for w in check_findings(ev)
        ],
        "plan": _plan_json(evaluation),
        "independent": _independent_json(evaluation.independent_match),
    }


# --- Improvement plan and independent evaluation (all formats) ------------------


def _share(x: float | None) -> str:
    return "-" if x is None else f"{round(100 * x)}%"


def _status_text(a: Action, progress: PlanProgress) -> str:
    text = a.status.value.replace("_", " ")
    return f"{text} (overdue)" if a.id in progress.overdue else text


def _plan_summary(plan: ImprovementPlan, progress: PlanProgress) -> str:
    live = progress.total - len(progress.dropped)
    head = redact(plan.title or "Improvement plan")
    made = f", made from {redact(plan.made_from)}" if plan.made_from else ""
    dropped = f" ({len(progress.dropped)} dropped)" if progress.dropped else ""
    undated = f", {len(progress.undated)} with no due date yet" if progress.undated else ""
    return (
        f"{head}{made}. As of {progress.as_of.isoformat()}: {len(progress.done)} of {live} "
        f"actions done{dropped}, {len(progress.overdue)} overdue, "
        f"{len(progress.on_track)} on track{undated}."
    )


def _independent_summary(m: Match) -> str:
    n = len(m.compared)
    text = f"{redact(m.source)} graded {len(m.indicators)} indicator(s)"
    if n == 0:
        return text + "; this self-evaluation graded none of them, so they cannot be compared."
    text += (
        f"; this self-evaluation graded {n} of them: the same grade on {m.exact} "
        f"({_share(m.exact_share)}), within one grade on {m.within_one} "
        f"({_share(m.within_one_share)}); the median difference is "
        f"{m.median_absolute_difference:g} grade(s)."
    )
    if m.higher:
        text += f" Graded higher here: {', '.join(m.higher)}."
    if m.lower:
        text += f" Graded lower here: {', '.join(m.lower)}."
    return text


def _plan_json(e: Evaluation) -> dict[str, Any] | None:
    plan, progress = e.plan, e.plan_progress
    if plan is None or progress is None:
        return None
    return {
        "title": redact(plan.title),
        "made_from": redact(plan.made_from),
        "as_of": progress.as_of.isoformat(),
        "counts": progress.counts,
        "done_share": progress.done_share,
        "done": _ids(progress.done),
        "overdue": _ids(progress.overdue),
        "on_track": _ids(progress.on_track),
        "undated": _ids(progress.undated),
        "dropped": _ids(progress.dropped),
        "actions": [
            {
                "id": redact(a.id),
                "action": redact(a.action),
                "addresses": _ids(a.addresses),
                "lead": redact(a.lead),
                "due": None if a.due is None else a.due.isoformat(),
                "status": a.status.value,
                "overdue": a.id in progress.overdue,
                "impact": _ids(a.impact),
            }
            for a in plan.actions
        ],
    }


def _independent_json(m: Match | None) -> dict[str, Any] | None:
    if m is None:
        return None
    return {
        "source": redact(m.source),
        "compared": len(m.compared),
        "exact": m.exact,
        "within_one": m.within_one,
        "exact_share": m.exact_share,
        "within_one_share": m.within_one_share,
        "median_absolute_difference": m.median_absolute_difference,
        "not_graded_by_self": list(m.not_graded_by_self),
        "indicators": [
            {
                "qi": i.qi,
                "title": i.title,
                "self_grade": _g(i.self_grade),
                "independent_grade": int(i.independent),
                "difference": i.difference,
            }
            for i in m.indicators
        ],
    }


def _md_plan(e: Evaluation) -> list[str]:
    plan, progress = e.plan, e.plan_progress
    if plan is None or progress is None:
        return []
    out = ["## Improvement plan", "", _md("{}", _plan_summary(plan, progress)), ""]
    if plan.actions:
        out.append("| Action | What | Addresses | Lead | Due | Status | Impact |")
        out.append("|---|---|---|---|---|---|---|")
        for a in plan.actions:
            out.append(
                _md(
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    redact(a.id),
                    redact(a.action),
                    ", ".join(_ids(a.addresses)),
                    redact(a.lead),
                    "to agree" if a.due is None else a.due.isoformat(),
                    _status_text(a, progress),
                    ", ".join(_ids(a.impact)),
                )
            )
        out.append("")
    return out


def _md_independent(e: Evaluation) -> list[str]:
    m = e.independent_match
    if m is None:
        return []
    out = ["## Independent evaluation", "", _md("{}", _independent_summary(m)), ""]
    out.append("| QI | Indicator | This evaluation | Independent | Difference |")
    out.append("|---|---|---|---|---|")
    for i in m.indicators:
        diff = "-" if i.difference is None else f"{i.difference:+d}" if i.difference else "0"
        out.append(
            _md(
                "| {} | {} | {} | {} | {} |",
                i.qi,
                i.title,
                _grade_text(i.self_grade),
                _grade_text(i.independent),
                diff,
            )
        )
    out.append("")
    return out


def _html_plan(e: Evaluation) -> list[str]:
    plan, progress = e.plan, e.plan_progress
    if plan is None or progress is None:
        return []
    out = ['<section id="plan"><h2>Improvement plan</h2>']
    out.append(_html("<p>{}</p>", _plan_summary(plan, progress)))
    if plan.actions:
        out.append(
            '<div class="scroll"><table><thead><tr><th scope="col">Action</th>'
            '<th scope="col">What</th><th scope="col">Addresses</th><th scope="col">Lead</th>'
            '<th scope="col">Due</th><th scope="col">Status</th><th scope="col">Impact</th>'
            "</tr></thead><tbody>"
        )
        for a in plan.actions:
            out.append(
                _html(
                    '<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
                    "<td>{}</td><td>{}</td></tr>",
                    redact(a.id),
                    redact(a.action),
                    ", ".join(_ids(a.addresses)),
                    redact(a.lead),
                    "to agree" if a.due is None else a.due.isoformat(),
                    _status_text(a, progress),
                    ", ".join(_ids(a.impact)),
                )
            )
        out.append("</tbody></table></div>")
    out.append("</section>")
    return out


def _html_independent(e: Evaluation) -> list[str]:
    m = e.independent_match
    if m is None:
        return []
    out = ['<section id="independent"><h2>Independent evaluation</h2>']
    out.append(_html("<p>{}</p>", _independent_summary(m)))
    out.append(
        '<table><thead><tr><th scope="col">QI</th><th scope="col">Indicator</th>'
        '<th scope="col">This evaluation</th><th scope="col">Independent</th>'
        '<th scope="col">Difference</th></tr></thead><tbody>'
    )
    for i in m.indicators:
        diff = "-" if i.difference is None else f"{i.difference:+d}" if i.difference else "0"
        out.append(
            _html('<tr><th scope="row">{}</th><td>{}</td>', i.qi, i.title)
            + _cell(i.self_grade)
            + _cell(i.independent)
            + _html("<td>{}</td></tr>", diff)
        )
    out.append("</tbody></table></section>")
    return out


def _capacity_json(c: CapacityJudgement) -> dict[str, Any]:
    return {
        "grade": _g(c.grade),
        "no_grade_reason": c.no_grade_reason,
        "confidence": c.confidence.value,
        "statement": redact(c.statement()),
        "levers": [
            {
                "name": lv.name,
                "title": lv.title,
                "indicators": list(lv.indicators),
                "grades": {q: int(g) for q, g in lv.grades.items()},
                "median": None if lv.median is None else int(lv.median),
                "trend": {q: d.value for q, d in lv.trend.items()},
            }
            for lv in c.levers
        ],
        "barriers": [redact(b) for b in c.barriers],
        "rules_fired": [_fired(x) for x in c.rules_fired],
        "limiting_rules": [r.name for r in c.limiting_rules],
        "evidence_gaps": list(c.evidence_gaps),
        "trend": None
        if c.trend is None
        else {
            "previous": redact(c.trend.previous),
            "improved": list(c.trend.improved),
            "declined": list(c.trend.declined),
            "areas_improved": list(c.trend.areas_improved),
            "areas_not_improved": list(c.trend.areas_not_improved),
        },
    }


def json_report_text(evaluation: Evaluation, *, guard: PersonalDataGuard | None = None) -> str:
    """:func:`json_report` as indented JSON text."""
    return json.dumps(json_report(evaluation, guard=guard), indent=2, ensure_ascii=False) + "\n"


# --- Markdown -------------------------------------------------------------------


def _triangulation_text(r: IndicatorResult) -> str:
    t = r.triangulation
    kinds = ", ".join(k.label for k in t.sources) or "none"
    n = len(t.strength_sources)
    strengths = (
        ""
        if not n
        else f"; strengths from {n} kind{'s' if n != 1 else ''}"
        + (", triangulated" if t.strengths_triangulated else ", not triangulated")
    )
    return f"{t.status.value} (sources: {kinds}{strengths})"


def _evidence_notes(e: Evaluation, r: IndicatorResult) -> list[str]:
    """Triangulation, contradictions, concerns to corroborate and the
    illustrations evidenced, one sentence each."""
    t = r.triangulation
    notes = [f"Triangulation: {_triangulation_text(r)}."]
    notes += [f"Contradiction to discuss: {redact(cx.describe())}." for cx in t.contradictions]
    if t.to_corroborate:
        notes.append(f"To be corroborated: {', '.join(_ids(t.to_corroborate))}.")
    shown = _illustrations_text(e, r)
    if shown:
        notes.append(shown)
    return notes


def _illustrations_text(e: Evaluation, r: IndicatorResult) -> str | None:
    cited: dict[str, list[str]] = {}
    for fid in r.findings:
        f = e.evidence.finding(fid)
        if f.illustration:
            cited.setdefault(f.illustration, []).append(redact(f.id))
    if not cited:
        return None
    parts = [
        f"{ref} ({', '.join(ids)})"
        for ref, ids in sorted(cited.items(), key=lambda kv: _ref_order(kv[0]))
    ]
    return "Illustrations evidenced: " + "; ".join(parts) + "."


def _findings_by_valence(e: Evaluation, r: IndicatorResult) -> tuple[list[Finding], list[Finding]]:
    items = [e.evidence.finding(i) for i in r.findings]
    return [f for f in items if f.is_strength], [f for f in items if not f.is_strength]


def _finding_line(f: Finding) -> str:
    source = f.source.label + (f", {redact(f.source_detail)}" if f.source_detail else "")
    flags = [
        x
        for x, on in (
            ("critical", f.critical),
            ("sustained", f.sustained),
            ("sector leading", f.sector_leading),
        )
        if on
    ]
    extra = f"; {', '.join(flags)}" if flags else ""
    figures = f.described()
    if figures is not None:
        extra += f"; {figures}"
    return f"{_sentence(f)} ({redact(f.id)}; {f.weight.value}; {source}{extra})"


def markdown_report(evaluation: Evaluation, *, guard: PersonalDataGuard | None = None) -> str:
    """The evaluation as a Markdown document. The same input always gives
    the same text. User text is escaped: it reads as written, on one line,
    and adds no structure, formatting or HTML to the document.

    :param guard: the personal-data guard whose matches are redacted.
    """
    with _guarded(guard):
        return _markdown_report(evaluation)


def _markdown_report(evaluation: Evaluation) -> str:
    e = evaluation
    ev = e.evidence
    out = [_md("# {}", redact(_title(e))), ""]
    out.append(_md("Partnership: {}  ", redact(ev.partnership)))
    if ev.date:
        out.append(_md("Date: {}  ", ev.date.isoformat()))
    out.append(
        _md(
            "Framework: {} (version {}); rules: {}, {}",
            e.framework,
            e.framework_version,
            e.rules,
            e.capacity_rules,
        )
    )
    out += ["", "Grades are suggestions until a person confirms them.", ""]
    concerns = _safety_concerns(e)
    if concerns:
        out += ["## Individual safety concerns", ""]
        out.append(
            "Each weakness in a critical aspect (children's safety) is a concern to "
            "escalate at once, whatever the grade."
        )
        out.append("")
        out += [_md("- QI {}, {}: {}", c.qi, redact(c.finding), _sentence(f)) for c, f in concerns]
        out.append("")
    out += ["## Summary", ""]
    out.append("| QI | Indicator | Suggested | Decision | Triangulation |")
    out.append("|---|---|---|---|---|")
    for r in e.results:
        d = e.decision(r.qi)
        decided = "" if d is None else f"{_grade_text(d.grade)} ({d.kind.value})"
        out.append(
            _md(
                "| {} | {} | {} | {} | {} |",
                r.qi,
                r.title,
                _grade_text(r.suggested_grade),
                decided,
                r.triangulation.status.value,
            )
        )
    found = check_findings(ev)
    if found:
        out += ["", "## Evidence warnings", "", _WARNINGS_INTRO, ""]
        out += [_md("- {}", _warning_text(w)) for w in found]
    c = e.capacity
    out += ["", "## Capacity for improvement (QI 10)", ""]
    out.append(
        _md("Suggested grade: {}; confidence: {}.", _grade_text(c.grade), c.confidence.value)
    )
    out += ["", _md("{}", redact(c.statement())), ""]
    if c.rules_fired:
        out.append("Rules that fired:")
        out.append("")
        out += [_md_rule(x) for x in c.rules_fired]
        out.append("")
    out += _md_plan(e)
    out += _md_independent(e)
    out += ["## Quality indicators", ""]
    for r in e.results:
        out += _md_indicator(e, r)
    return "\n".join(out).rstrip() + "\n"


def _md_rule(r: FiredRule) -> str:
    return (
        _md("- {}", _md_code(r.name))
        + (" **(decisive)**" if r.decisive else "")
        + _md(": {}", r.reason)
        + (_md(" [{}]", ", ".join(_ids(r.evidence))) if r.evidence else "")
    )


_NOTHING_YET = "there is nothing to grade yet."


def _md_indicator(e: Evaluation, r: IndicatorResult) -> list[str]:
    out = [_md("### {} {}", r.qi, r.title), ""]
    d = e.decision(r.qi)
    if not r.findings and d is None:
        return [*out, f"No findings: {_NOTHING_YET}", ""]
    out.append(
        _md("Suggested grade: {}.", _grade_text(r.suggested_grade))
        + (_md(" {}", r.no_grade_reason) if r.no_grade_reason else "")
    )
    if d is not None:
        out.append(
            _md(
                "Decision: {}, {} by {} on {}.",
                _grade_text(d.grade),
                d.kind.value,
                redact(d.role),
                d.date.isoformat(),
            )
            + (_md(" Rationale: {}", redact(d.rationale)) if d.rationale else "")
        )
    if r.to_improve is not None:
        out += ["", _md("{}", redact(r.to_improve.text))]
    out.append("")
    strengths, weaknesses = _findings_by_valence(e, r)
    for heading, items in (("Strengths", strengths), ("Areas for improvement", weaknesses)):
        if items:
            out += [f"{heading}:", ""] + [_md("- {}", _finding_line(f)) for f in items] + [""]
    out += [_md("{}", note) for note in _evidence_notes(e, r)]
    out += ["", "Rules that fired:", ""] + [_md_rule(x) for x in r.rules_fired] + [""]
    return out


# --- HTML -----------------------------------------------------------------------

_COLOURS = {6: "#1a7a3a", 5: "#5aa832", 4: "#b7d66b", 3: "#f2d04b", 2: "#f09a36", 1: "#d6452f"}
_INK = {6: "#fff", 5: "#000", 4: "#000", 3: "#000", 2: "#000", 1: "#fff"}

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#111}
h1,h2,h3{line-height:1.2}
table{border-collapse:collapse;margin:1rem 0}
th,td{border:1px solid #555;padding:.3rem .45rem;vertical-align:top;text-align:left}
.scroll{overflow-x:auto}
table.grid td{text-align:center;font-size:.75rem;min-width:3.6rem;padding:.25rem}
table.grid th{font-size:.8rem}
table.grid th[scope=row]{min-width:9rem;max-width:14rem}
.none{background:#fff;color:#333}
.note{color:#444;font-size:.9rem}
.rules li{margin:.15rem 0}
.decisive{font-weight:bold}
section.qi{border-top:2px solid #999;margin-top:1.5rem}
@media print{body{margin:0}section.qi{page-break-inside:avoid}}
""" + "".join(f".g{g}{{background:{c};color:{_INK[g]}}}" for g, c in _COLOURS.items())


def _h(text: str) -> str:
    """*text* as HTML text, safe in element content and in quoted attributes."""
    return html.escape(text.translate(_HTML_CONTROLS), quote=True)


_html = _Escaping(_h)


def _cell(g: Grade | None) -> _Markup:
    if g is None:
        return _Markup('<td class="none">no grade</td>')
    return _html('<td class="g{}">{} {}</td>', int(g), int(g), g.label)


def html_report(
    evaluation: Evaluation,
    *,
    compare: Sequence[Evaluation] = (),
    guard: PersonalDataGuard | None = None,
) -> str:
    """The evaluation as a standalone HTML page: a grade grid (indicators
    across, evaluations down: this one, its previous evaluation if any, and
    *compare*), one section per indicator, and the capacity judgement.

    Grades are shown as colours *and* as text, so the page prints in black
    and white and reads with a screen reader.

    :param guard: the personal-data guard whose matches are redacted.
    """
    with _guarded(guard):
        return _html_report(evaluation, compare)


def _html_report(evaluation: Evaluation, compare: Sequence[Evaluation]) -> str:
    e = evaluation
    ev = e.evidence
    title = redact(_title(e))
    rows: list[tuple[str, dict[str, Grade | None]]] = [
        (redact(e.label()) + " (this evaluation)", e.grades)
    ]
    if e.previous is not None and e.previous.framework == e.framework:
        rows.append((redact(e.previous.label) + " (previous)", dict(e.previous.grades)))
    for other in compare:
        rows.append((redact(other.label()), other.grades))
    qis = [r.qi for r in e.results]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        _html("<title>{}</title><style>{}</style></head><body>", title, _Markup(_CSS)),
        _html("<header><h1>{}</h1>", title),
        _html("<p>Partnership: {}", redact(ev.partnership))
        + (_html(" · Date: {}", ev.date.isoformat()) if ev.date else "")
        + _html(" · Framework: {} version {}", e.framework, e.framework_version)
        + _html(" · Rules: {}, {}</p>", e.rules, e.capacity_rules),
        '<p class="note">Grades are suggestions until a person confirms them. '
        "Each grade is shown as a colour and as its number and label.</p></header>",
        "<main>",
        *_html_safety_concerns(e),
        '<h2 id="grid">Grades</h2>',
        '<div class="scroll"><table class="grid"><caption>Grades by quality indicator '
        "(confirmed where confirmed, otherwise suggested)</caption>",
        '<thead><tr><th scope="col">Evaluation</th>'
        + "".join(_html('<th scope="col"><a href="#qi-{}">{}</a></th>', q, q) for q in qis)
        + "</tr></thead><tbody>",
    ]
    for label, grades in rows:
        parts.append(
            _html('<tr><th scope="row">{}</th>', label)
            + "".join(_cell(grades.get(q)) for q in qis)
            + "</tr>"
        )
    parts.append("</tbody></table></div>")
    parts.append('<table class="key"><caption>Key: the six-point scale</caption><tbody><tr>')
    parts += [_cell(g) for g in sorted(Grade, reverse=True)]
    parts.append("</tr></tbody></table>")
    found = check_findings(ev)
    if found:
        parts.append(
            _html('<h2 id="warnings">Evidence warnings</h2><p>{}</p><ul>', _WARNINGS_INTRO)
        )
        parts += [_html("<li>{}</li>", _warning_text(w)) for w in found]
        parts.append("</ul>")
    parts += _html_capacity(e.capacity)
    parts += _html_plan(e)
    parts += _html_independent(e)
    parts.append('<h2 id="indicators">Quality indicators</h2>')
    for r in e.results:
        parts += _html_indicator(e, r)
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def _html_safety_concerns(e: Evaluation) -> list[str]:
    concerns = _safety_concerns(e)
    if not concerns:
        return []
    out = [
        '<section class="safety"><h2 id="safety">Individual safety concerns</h2>',
        "<p>Each weakness in a critical aspect (children's safety) is a concern to "
        "escalate at once, whatever the grade.</p><ul>",
    ]
    out += [
        _html(
            '<li><a href="#qi-{}">QI {}</a>, {}: {}</li>',
            c.qi,
            c.qi,
            redact(c.finding),
            _sentence(f),
        )
        for c, f in concerns
    ]
    out.append("</ul></section>")
    return out


def _html_rules(rules: Sequence[FiredRule]) -> list[str]:
    out = ['<ol class="rules">']
    for r in rules:
        out.append(
            (_Markup('<li class="decisive">') if r.decisive else _Markup("<li>"))
            + _html("<code>{}</code>", r.name)
            + (" (decisive)" if r.decisive else "")
            + _html(": {}", r.reason)
            + (
                _html(' <span class="note">[{}]</span>', ", ".join(_ids(r.evidence)))
                if r.evidence
                else ""
            )
            + "</li>"
        )
    out.append("</ol>")
    return out


def _html_capacity(c: CapacityJudgement) -> list[str]:
    out = ['<section id="capacity"><h2>Capacity for improvement (QI 10)</h2>']
    out.append(
        _html(
            '<table><tbody><tr><th scope="row">Suggested grade</th>{}</tr>'
            '<tr><th scope="row">Confidence</th><td>{}</td></tr></tbody></table>',
            _cell(c.grade),
            c.confidence.value,
        )
    )
    out.append(_html("<p>{}</p>", redact(c.statement())))
    out.append("<h3>Levers for improvement</h3><ul>")
    for lv in c.levers:
        grades = ", ".join(f"{q}: {int(g)}" for q, g in lv.grades.items()) or "none graded"
        median = "no grade" if lv.median is None else f"median {lv.median.label.lower()}"
        out.append(_html("<li>{}: {} ({})</li>", lv.title, median, grades))
    out.append("</ul>")
    if c.barriers:
        out.append(
            "<h3>Barriers</h3><ul>"
            + "".join(_html("<li>{}</li>", redact(b)) for b in c.barriers)
            + "</ul>"
        )
    out.append("<h3>Rules that fired</h3>")
    out += _html_rules(c.rules_fired)
    out.append("</section>")
    return out


def _html_indicator(e: Evaluation, r: IndicatorResult) -> list[str]:
    out: list[str] = [_html('<section class="qi" id="qi-{}"><h3>{} {}</h3>', r.qi, r.qi, r.title)]
    d = e.decision(r.qi)
    if not r.findings and d is None:
        return [*out, _html("<p>No findings: {}</p></section>", _NOTHING_YET)]
    out.append(
        _html(
            '<table><tbody><tr><th scope="row">Suggested grade</th>{}</tr>',
            _cell(r.suggested_grade),
        )
    )
    if d is not None:
        out.append(
            _html('<tr><th scope="row">Decision ({})</th>{}</tr>', d.kind.value, _cell(d.grade))
        )
    out.append("</tbody></table>")
    if r.no_grade_reason:
        out.append(_html("<p>No grade: {}</p>", r.no_grade_reason))
    if d is not None:
        out.append(
            _html(
                "<p>{} by {} on {}.",
                d.kind.value.capitalize(),
                redact(d.role),
                d.date.isoformat(),
            )
            + (_html(" Rationale: {}", redact(d.rationale)) if d.rationale else "")
            + "</p>"
        )
    if r.to_improve is not None:
        out.append(_html('<p class="improve">{}</p>', redact(r.to_improve.text)))
    strengths, weaknesses = _findings_by_valence(e, r)
    for heading, items in (("Strengths", strengths), ("Areas for improvement", weaknesses)):
        if items:
            out.append(
                _html("<h4>{}</h4><ul>", heading)
                + "".join(_html("<li>{}</li>", _finding_line(f)) for f in items)
                + "</ul>"
            )
    out += [_html("<p>{}</p>", note) for note in _evidence_notes(e, r)]
    out.append("<h4>Rules that fired</h4>")
    out += _html_rules(r.rules_fired)
    out.append("</section>")
    return out


# --- Position statement --------------------------------------------------------


@attrs.frozen(kw_only=True)
class PositionStatement:
    """A position statement skeleton organised by the three questions.

    :param words: the number of words in *text*.
    :param limit: the word limit (5,000); see :attr:`over_limit`.
    """

    text: str
    words: int
    limit: int = POSITION_STATEMENT_WORD_LIMIT

    @property
    def over_limit(self) -> bool:
        """Whether the statement exceeds the word limit."""
        return self.words > self.limit


def position_statement(
    evaluation: Evaluation,
    *,
    limit: int = POSITION_STATEMENT_WORD_LIMIT,
    guard: PersonalDataGuard | None = None,
) -> PositionStatement:
    """A skeleton joint position statement in Markdown, answering *How good
    are we now?*, *How do we know?* and *What do we plan to do next?* from
    the evaluation, for the partnership to complete. Check
    :attr:`PositionStatement.over_limit` (the statement may be at most
    5,000 words). User text is escaped as in :func:`markdown_report`.

    :param guard: the personal-data guard whose matches are redacted.
    """
    with _guarded(guard):
        return _position_statement(evaluation, limit)


def _position_statement(evaluation: Evaluation, limit: int) -> PositionStatement:
    e = evaluation
    ev = e.evidence
    grades = e.grades
    out = [_md("# Position statement: {}", redact(ev.partnership)), ""]
    out += ["## How good are we now?", "", _md("{}", redact(e.capacity.statement())), ""]
    for r in e.results:
        g = grades[r.qi]
        if g is not None:
            strengths, _ = _findings_by_valence(e, r)
            lead = "; ".join(_sentence(f) for f in strengths[:2])
            out.append(
                _md("- {} {}: {}.", r.qi, r.title, g.label.lower())
                + (_md(" {}.", lead) if lead else "")
            )
    out += ["", "## How do we know?", ""]
    kinds: dict[str, int] = {}
    for f in ev.findings:
        kinds[f.source.label] = kinds.get(f.source.label, 0) + 1
    out.append(
        _md(
            "Our judgements rest on {} findings from {}.",
            len(ev.findings),
            ", ".join(f"{k} ({n})" for k, n in sorted(kinds.items())),
        )
    )
    tri = [r.qi for r in e.results if r.triangulation.strengths_triangulated]
    if tri:
        out.append(
            _md(
                "Strengths are triangulated across three or more kinds of evidence for {}.",
                ", ".join(tri),
            )
        )
    refs = sorted({redact(f.ref) for f in ev.findings if f.ref})
    if refs:
        out += ["", "Evidence referred to:", ""] + [_md("- {}", x) for x in refs]
    out += ["", "## What do we plan to do next?", ""]
    out += _statement_plan(e)
    for r in e.results:
        _, weaknesses = _findings_by_valence(e, r)
        for f in weaknesses:
            if f.weight.rank >= 2:
                out.append(
                    _md("- {}: {} ({}).", r.qi, _sentence(f), redact(f.id))
                    + " [Action, lead role, timescale]"
                )
    gaps = e.capacity.evidence_gaps
    if gaps:
        out.append(
            _md("- Strengthen the evidence for {}.", ", ".join(gaps))
            + " [Action, lead role, timescale]"
        )
    text = "\n".join(out).rstrip() + "\n"
    words = len(text.split())
    if words > limit:
        text += f"\n> Warning: {words} words; a position statement may have at most {limit}.\n"
    return PositionStatement(text=text, words=words, limit=limit)


def _statement_plan(e: Evaluation) -> list[str]:
    """The improvement plan's progress and its open actions, for the
    position statement (nothing without a plan)."""
    plan, progress = e.plan, e.plan_progress
    if plan is None or progress is None:
        return []
    out = [_md("{}", _plan_summary(plan, progress)), ""]
    for a in plan.actions:
        if a.is_open:
            due = "due to agree" if a.due is None else f"due {a.due.isoformat()}"
            late = "; overdue" if a.id in progress.overdue else ""
            out.append(
                _md(
                    "- {}: {} ({}; {}{}).",
                    redact(a.id),
                    redact(a.action).rstrip("."),
                    redact(a.lead),
                    due,
                    late,
                )
            )
    out.append("")
    return out


#: The renderers of a whole evaluation, by format name: each takes the
#: evaluation and a personal-data guard and returns the report's text. The
#: command line's ``--format`` choices are read from here; a new format is
#: one function and one entry.
RENDERERS: dict[str, Callable[..., str]] = {
    "html": html_report,
    "json": json_report_text,
    "markdown": markdown_report,
}
