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
from collections.abc import Iterator, Sequence
from typing import Any

import attrs

from ._capacity import CapacityJudgement
from ._evaluate import Evaluation, IndicatorResult
from ._evidence import Finding
from ._firing import FiredRule
from ._grade import Grade
from ._ids import ref_key as _ref_order
from ._privacy import _DEFAULT_GUARD, PersonalDataGuard

__all__ = [
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


def _fired(r: FiredRule) -> dict[str, Any]:
    return {
        "name": r.name,
        "effect": r.effect.value,
        "grade": _g(r.grade),
        "confidence": None if r.confidence is None else r.confidence.value,
        "reason": r.reason,
        "condition": r.condition,
        "evidence": list(r.evidence),
        "decisive": r.decisive,
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
                    "role": d.role,
                    "rationale": redact(d.rationale),
                    "date": d.date.isoformat(),
                },
                "triangulation": {
                    "status": t.status.value,
                    "strength_sources": [k.value for k in t.strength_sources],
                    "weakness_sources": [k.value for k in t.weakness_sources],
                    "contradictions": [
                        {
                            "strength_source": c.strength_source.value,
                            "weakness_source": c.weakness_source.value,
                            "strengths": list(c.strengths),
                            "weaknesses": list(c.weaknesses),
                        }
                        for c in t.contradictions
                    ],
                    "to_corroborate": list(t.to_corroborate),
                },
                "rules_fired": [_fired(x) for x in r.rules_fired],
                "findings": list(r.findings),
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
        "indicators": indicators,
        "capacity": _capacity_json(evaluation.capacity),
    }


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
                "mean": lv.mean,
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
    notes += [f"Contradiction to discuss: {cx.describe()}." for cx in t.contradictions]
    if t.to_corroborate:
        notes.append(f"To be corroborated: {', '.join(t.to_corroborate)}.")
    shown = _illustrations_text(e, r)
    if shown:
        notes.append(shown)
    return notes


def _illustrations_text(e: Evaluation, r: IndicatorResult) -> str | None:
    cited: dict[str, list[str]] = {}
    for fid in r.findings:
        f = e.evidence.finding(fid)
        if f.illustration:
            cited.setdefault(f.illustration, []).append(f.id)
    if not cited:
        return None
    parts = [
        f"{ref} ({', '.join(ids)})"
        for ref, ids in sorted(cited.items(), key=lambda kv: _ref_order(kv[0]))
    ]
    return "Illustrations evidenced: " + "; ".join(parts) + "."


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


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
    return f"{_sentence(f)} ({f.id}; {f.weight.value}; {source}{extra})"


def markdown_report(evaluation: Evaluation, *, guard: PersonalDataGuard | None = None) -> str:
    """The evaluation as a Markdown document. The same input always gives
    the same text.

    :param guard: the personal-data guard whose matches are redacted.
    """
    with _guarded(guard):
        return _markdown_report(evaluation)


def _markdown_report(evaluation: Evaluation) -> str:
    e = evaluation
    ev = e.evidence
    out = [f"# {_md_escape(redact(_title(e)))}", ""]
    out.append(f"Partnership: {_md_escape(redact(ev.partnership))}  ")
    if ev.date:
        out.append(f"Date: {ev.date.isoformat()}  ")
    out.append(
        f"Framework: {e.framework} (version {e.framework_version}); rules: {e.rules}, {e.capacity_rules}"
    )
    out += ["", "Grades are suggestions until a person confirms them.", "", "## Summary", ""]
    out.append("| QI | Indicator | Suggested | Decision | Triangulation |")
    out.append("|---|---|---|---|---|")
    for r in e.results:
        d = e.decision(r.qi)
        decided = "" if d is None else f"{_grade_text(d.grade)} ({d.kind.value})"
        out.append(
            f"| {r.qi} | {_md_escape(r.title)} | {_grade_text(r.suggested_grade)} | {decided} | {r.triangulation.status.value} |"
        )
    c = e.capacity
    out += ["", "## Capacity for improvement (QI 10)", ""]
    out.append(f"Suggested grade: {_grade_text(c.grade)}; confidence: {c.confidence.value}.")
    out += ["", redact(c.statement()), ""]
    if c.rules_fired:
        out.append("Rules that fired:")
        out.append("")
        out += [_md_rule(x) for x in c.rules_fired]
        out.append("")
    out += ["## Quality indicators", ""]
    for r in e.results:
        out += _md_indicator(e, r)
    return "\n".join(out).rstrip() + "\n"


def _md_rule(r: FiredRule) -> str:
    mark = " **(decisive)**" if r.decisive else ""
    cited = f" [{', '.join(r.evidence)}]" if r.evidence else ""
    return f"- `{r.name}`{mark}: {r.reason}{cited}"


_NOTHING_YET = "there is nothing to grade yet."


def _md_indicator(e: Evaluation, r: IndicatorResult) -> list[str]:
    out = [f"### {r.qi} {r.title}", ""]
    d = e.decision(r.qi)
    if not r.findings and d is None:
        return [*out, f"No findings: {_NOTHING_YET}", ""]
    out.append(
        f"Suggested grade: {_grade_text(r.suggested_grade)}."
        + (f" {r.no_grade_reason}" if r.no_grade_reason else "")
    )
    if d is not None:
        why = f" Rationale: {redact(d.rationale)}" if d.rationale else ""
        out.append(
            f"Decision: {_grade_text(d.grade)}, {d.kind.value} by {redact(d.role)} on {d.date.isoformat()}.{why}"
        )
    out.append("")
    strengths, weaknesses = _findings_by_valence(e, r)
    for heading, items in (("Strengths", strengths), ("Areas for improvement", weaknesses)):
        if items:
            out += [f"{heading}:", ""] + [f"- {_finding_line(f)}" for f in items] + [""]
    out += _evidence_notes(e, r)
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


def _h(text: object) -> str:
    return html.escape(str(text), quote=True)


def _cell(g: Grade | None) -> str:
    if g is None:
        return '<td class="none">no grade</td>'
    return f'<td class="g{int(g)}">{int(g)} {_h(g.label)}</td>'


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
        f"<title>{_h(title)}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{_h(title)}</h1>",
        f"<p>Partnership: {_h(redact(ev.partnership))}"
        + (f" · Date: {_h(ev.date.isoformat())}" if ev.date else "")
        + f" · Framework: {_h(e.framework)} version {_h(e.framework_version)}"
        + f" · Rules: {_h(e.rules)}, {_h(e.capacity_rules)}</p>",
        '<p class="note">Grades are suggestions until a person confirms them. '
        "Each grade is shown as a colour and as its number and label.</p></header>",
        "<main>",
        '<h2 id="grid">Grades</h2>',
        '<div class="scroll"><table class="grid"><caption>Grades by quality indicator '
        "(confirmed where confirmed, otherwise suggested)</caption>",
        '<thead><tr><th scope="col">Evaluation</th>'
        + "".join(f'<th scope="col"><a href="#qi-{_h(q)}">{_h(q)}</a></th>' for q in qis)
        + "</tr></thead><tbody>",
    ]
    for label, grades in rows:
        parts.append(
            f'<tr><th scope="row">{_h(label)}</th>'
            + "".join(_cell(grades.get(q)) for q in qis)
            + "</tr>"
        )
    parts.append("</tbody></table></div>")
    parts.append('<table class="key"><caption>Key: the six-point scale</caption><tbody><tr>')
    parts += [f"{_cell(g)}" for g in sorted(Grade, reverse=True)]
    parts.append("</tr></tbody></table>")
    parts += _html_capacity(e.capacity)
    parts.append('<h2 id="indicators">Quality indicators</h2>')
    for r in e.results:
        parts += _html_indicator(e, r)
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def _html_rules(rules: Sequence[FiredRule]) -> list[str]:
    out = ['<ol class="rules">']
    for r in rules:
        cls = ' class="decisive"' if r.decisive else ""
        mark = " (decisive)" if r.decisive else ""
        cited = f' <span class="note">[{_h(", ".join(r.evidence))}]</span>' if r.evidence else ""
        out.append(f"<li{cls}><code>{_h(r.name)}</code>{mark}: {_h(r.reason)}{cited}</li>")
    out.append("</ol>")
    return out


def _html_capacity(c: CapacityJudgement) -> list[str]:
    out = ['<section id="capacity"><h2>Capacity for improvement (QI 10)</h2>']
    out.append(
        f'<table><tbody><tr><th scope="row">Suggested grade</th>{_cell(c.grade)}</tr>'
        f'<tr><th scope="row">Confidence</th><td>{_h(c.confidence.value)}</td></tr></tbody></table>'
    )
    out.append(f"<p>{_h(redact(c.statement()))}</p>")
    out.append("<h3>Levers for improvement</h3><ul>")
    for lv in c.levers:
        grades = ", ".join(f"{q}: {int(g)}" for q, g in lv.grades.items()) or "none graded"
        mean = "no grade" if lv.mean is None else f"mean {lv.mean:.1f}"
        out.append(f"<li>{_h(lv.title)}: {_h(mean)} ({_h(grades)})</li>")
    out.append("</ul>")
    if c.barriers:
        out.append(
            "<h3>Barriers</h3><ul>"
            + "".join(f"<li>{_h(redact(b))}</li>" for b in c.barriers)
            + "</ul>"
        )
    out.append("<h3>Rules that fired</h3>")
    out += _html_rules(c.rules_fired)
    out.append("</section>")
    return out


def _html_indicator(e: Evaluation, r: IndicatorResult) -> list[str]:
    out = [f'<section class="qi" id="qi-{_h(r.qi)}"><h3>{_h(r.qi)} {_h(r.title)}</h3>']
    if not r.findings and e.decision(r.qi) is None:
        return [*out, f"<p>No findings: {_h(_NOTHING_YET)}</p></section>"]
    out.append(
        f'<table><tbody><tr><th scope="row">Suggested grade</th>{_cell(r.suggested_grade)}</tr>'
    )
    d = e.decision(r.qi)
    if d is not None:
        out.append(f'<tr><th scope="row">Decision ({_h(d.kind.value)})</th>{_cell(d.grade)}</tr>')
    out.append("</tbody></table>")
    if r.no_grade_reason:
        out.append(f"<p>No grade: {_h(r.no_grade_reason)}</p>")
    if d is not None:
        why = f" Rationale: {_h(redact(d.rationale))}" if d.rationale else ""
        out.append(
            f"<p>{_h(d.kind.value.capitalize())} by {_h(redact(d.role))} on {_h(d.date.isoformat())}.{why}</p>"
        )
    strengths, weaknesses = _findings_by_valence(e, r)
    for heading, items in (("Strengths", strengths), ("Areas for improvement", weaknesses)):
        if items:
            out.append(
                f"<h4>{heading}</h4><ul>"
                + "".join(f"<li>{_h(_finding_line(f))}</li>" for f in items)
                + "</ul>"
            )
    out += [f"<p>{_h(note)}</p>" for note in _evidence_notes(e, r)]
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
    5,000 words).

    :param guard: the personal-data guard whose matches are redacted.
    """
    with _guarded(guard):
        return _position_statement(evaluation, limit)


def _position_statement(evaluation: Evaluation, limit: int) -> PositionStatement:
    e = evaluation
    ev = e.evidence
    grades = e.grades
    out = [f"# Position statement: {redact(ev.partnership)}", ""]
    out += ["## How good are we now?", "", redact(e.capacity.statement()), ""]
    for r in e.results:
        g = grades[r.qi]
        if g is not None:
            strengths, _ = _findings_by_valence(e, r)
            lead = "; ".join(_sentence(f) for f in strengths[:2])
            out.append(f"- {r.qi} {r.title}: {g.label.lower()}." + (f" {lead}." if lead else ""))
    out += ["", "## How do we know?", ""]
    kinds: dict[str, int] = {}
    for f in ev.findings:
        kinds[f.source.label] = kinds.get(f.source.label, 0) + 1
    out.append(
        f"Our judgements rest on {len(ev.findings)} findings from "
        + ", ".join(f"{k} ({n})" for k, n in sorted(kinds.items()))
        + "."
    )
    tri = [r.qi for r in e.results if r.triangulation.strengths_triangulated]
    if tri:
        out.append(
            f"Strengths are triangulated across three or more kinds of evidence for {', '.join(tri)}."
        )
    refs = sorted({redact(f.ref) for f in ev.findings if f.ref})
    if refs:
        out += ["", "Evidence referred to:", ""] + [f"- {x}" for x in refs]
    out += ["", "## What do we plan to do next?", ""]
    for r in e.results:
        _, weaknesses = _findings_by_valence(e, r)
        for f in weaknesses:
            if f.weight.rank >= 2:
                out.append(f"- {r.qi}: {_sentence(f)} ({f.id}). [Action, lead role, timescale]")
    gaps = e.capacity.evidence_gaps
    if gaps:
        out.append(
            f"- Strengthen the evidence for {', '.join(gaps)}. [Action, lead role, timescale]"
        )
    text = "\n".join(out).rstrip() + "\n"
    words = len(text.split())
    if words > limit:
        text += f"\n> Warning: {words} words; a position statement may have at most {limit}.\n"
    return PositionStatement(text=text, words=words, limit=limit)
