"""The Markdown report, from the report model through the template
``_templates/report/report.md.j2``."""

from __future__ import annotations

from .._privacy import PersonalDataGuard
from ..evaluation._evaluate import Evaluation
from ._jinja import render
from ._model import NOTHING_YET, WARNINGS_INTRO, ReportModel, build_report, grade_text

__all__ = ["markdown_report", "render_markdown"]


def render_markdown(model: ReportModel) -> str:
    """The Markdown report of a report model (see :func:`markdown_report`)."""
    text = render(
        "report/report.md.j2",
        m=model,
        grade_text=grade_text,
        warnings_intro=WARNINGS_INTRO,
        nothing_yet=NOTHING_YET,
    )
    return text.rstrip() + "\n"


def markdown_report(evaluation: Evaluation, *, guard: PersonalDataGuard | None = None) -> str:
    """The evaluation as a Markdown document. The same input always gives
    the same text. User text is escaped: it reads as written, on one line,
    and adds no structure, formatting or HTML to the document.

    :param guard: the personal-data guard whose matches are redacted.
    """
    return render_markdown(build_report(evaluation, guard=guard))
