"""The HTML report, from the report model through the template
``_templates/report/report.html.j2``: one standalone page (no network, no scripts, no
external style sheets) that fits a phone's screen and prints on A4."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from importlib import resources

import attrs
from markupsafe import Markup

from .._privacy import PersonalDataGuard
from ..evaluation._evaluate import Evaluation
from ..frameworks._grade import Grade
from ._jinja import render
from ._model import NOTHING_YET, WARNINGS_INTRO, NationalView, ReportModel, build_report, grade_text

__all__ = ["Bar", "html_report", "national_bars", "render_html"]

#: Background colours of the grades, each with the text colour that gives a
#: contrast of at least 4.5:1 (WCAG 2.1 AA); the grade's number and word are
#: always shown too.
COLOURS = {
    6: ("#1a7a3a", "#fff"),
    5: ("#5aa832", "#000"),
    4: ("#b7d66b", "#000"),
    3: ("#f2d04b", "#000"),
    2: ("#f09a36", "#000"),
    1: ("#b3261e", "#fff"),
}

_BAR_WIDTH, _BAR_GAP, _BAR_TOP, _BAR_HEIGHT = 16, 4, 12, 30


@attrs.frozen(kw_only=True)
class Bar:
    """One bar of the national chart: a grade and its number of areas
    (``None`` where the published figures do not give it)."""

    grade: int
    count: int | None
    x: int
    y: int
    height: int
    marked: bool


def national_bars(national: NationalView) -> list[Bar]:
    """The chart's bars, grade 1 on the left, scaled to the largest count."""
    counts = dict(national.counts)
    top = max((n for n in counts.values() if n), default=1)
    bars = []
    for i, g in enumerate(sorted(Grade)):
        n = counts.get(g)
        h = 0 if not n else max(2, round(_BAR_HEIGHT * n / top))
        bars.append(
            Bar(
                grade=int(g),
                count=n,
                x=i * (_BAR_WIDTH + _BAR_GAP),
                y=_BAR_TOP + _BAR_HEIGHT - h,
                height=h,
                marked=g == national.grade,
            )
        )
    return bars


@functools.cache
def _css() -> Markup:
    """The page's style sheet (package data, inlined as it is: it is not a
    template)."""
    path = resources.files("qifeval.reports") / "_templates" / "report" / "report.css"
    return Markup(path.read_text(encoding="utf-8"))


def render_html(model: ReportModel) -> str:
    """The HTML page of a report model (see :func:`html_report`)."""
    return render(
        "report/report.html.j2",
        m=model,
        css=_css(),
        grade_text=grade_text,
        colours=COLOURS,
        six=sorted(Grade, reverse=True),
        bars=national_bars,
        bar_width=_BAR_WIDTH,
        chart_width=6 * _BAR_WIDTH + 5 * _BAR_GAP,
        chart_height=_BAR_TOP + _BAR_HEIGHT + 12,
        warnings_intro=WARNINGS_INTRO,
        nothing_yet=NOTHING_YET,
    )


def html_report(
    evaluation: Evaluation,
    *,
    compare: Sequence[Evaluation] = (),
    guard: PersonalDataGuard | None = None,
) -> str:
    """The evaluation as a standalone HTML page: individual safety concerns
    first; a grade grid with the indicators as rows, grouped by high-level
    question and key area, and the evaluations as columns (this one, its
    previous evaluation and an independent evaluation when given, then
    *compare*), with the trend against the previous evaluation and, for the
    indicators graded nationally in 2014-16, a small chart of the national
    spread with this grade marked; then the capacity judgement, the plan
    and one section per indicator.

    Grades are shown as colours *and* as their number and word, so the page
    prints in black and white and reads with a screen reader. The page fits
    a 390-pixel-wide screen and prints on A4.

    :param guard: the personal-data guard whose matches are redacted.
    """
    return render_html(build_report(evaluation, guard=guard, compare=compare))
