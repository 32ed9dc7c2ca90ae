"""The renderers' registry, and the position statement skeleton.

Reports never print text that the personal-data guard flags: the report
model (:func:`~qifeval.reports._model.build_report`) redacts it before any
renderer sees it.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from .._privacy import PersonalDataGuard
from ..evaluation._evaluate import Evaluation
from ._html import html_report
from ._jinja import _HTML_CONTROLS as _HTML_CONTROLS  # for the programme view
from ._jinja import markdown_escape
from ._json import REPORT_FORMAT_VERSION, json_report, json_report_text
from ._markdown import markdown_report
from ._model import PlanView, ReportModel, build_report

__all__ = [
    "RENDERERS",
    "REPORT_FORMAT_VERSION",
    "PositionStatement",
    "html_report",
    "json_report",
    "json_report_text",
    "markdown_escape",
    "markdown_report",
    "position_statement",
]

POSITION_STATEMENT_WORD_LIMIT = 5000


def _md(template: str, /, *args: object) -> str:
    """*template* with each ``{}`` filled by an argument escaped as Markdown."""
    return template.format(*(markdown_escape(str(a)) for a in args))


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
    return _position_statement(build_report(evaluation, guard=guard), limit)


def _position_statement(m: ReportModel, limit: int) -> PositionStatement:
    out = [_md("# Position statement: {}", m.partnership), ""]
    out += ["## How good are we now?", "", _md("{}", m.capacity.statement), ""]
    for i in m.indicators:
        if i.grade is not None:
            lead = "; ".join(f.sentence for f in i.strengths[:2])
            out.append(
                _md("- {} {}: {}.", i.qi, i.title, i.grade.label.lower())
                + (_md(" {}.", lead) if lead else "")
            )
    out += ["", "## How do we know?", ""]
    out.append(
        _md(
            "Our judgements rest on {} findings from {}.",
            m.findings_count,
            ", ".join(f"{k} ({n})" for k, n in m.source_counts),
        )
    )
    tri = [i.qi for i in m.indicators if i.strengths_triangulated]
    if tri:
        out.append(
            _md(
                "Strengths are triangulated across three or more kinds of evidence for {}.",
                ", ".join(tri),
            )
        )
    if m.refs:
        out += ["", "Evidence referred to:", ""] + [_md("- {}", x) for x in m.refs]
    out += ["", "## What do we plan to do next?", ""]
    out += _statement_plan(m.plan)
    for i in m.indicators:
        for f in i.weaknesses:
            if f.weight_rank >= 2:
                out.append(
                    _md("- {}: {} ({}).", i.qi, f.sentence, f.id)
                    + " [Action, lead role, timescale]"
                )
    gaps = m.capacity.evidence_gaps
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


def _statement_plan(plan: PlanView | None) -> list[str]:
    """The improvement plan's progress and its open actions, for the
    position statement (nothing without a plan)."""
    if plan is None:
        return []
    out = [_md("{}", plan.summary), ""]
    for a in plan.actions:
        if a.is_open:
            due = "due to agree" if a.due is None else f"due {a.due.isoformat()}"
            late = "; overdue" if a.overdue else ""
            out.append(_md("- {}: {} ({}; {}{}).", a.id, a.action.rstrip("."), a.lead, due, late))
    out.append("")
    return out


#: The renderers of a whole evaluation, by format name: each takes the
#: evaluation and a personal-data guard (keyword ``guard``) and returns the
#: report's text. The command line's ``--format`` choices are read from
#: here; a new format is one function and one entry.
RENDERERS: dict[str, Callable[..., str]] = {
    "html": html_report,
    "json": json_report_text,
    "markdown": markdown_report,
}
