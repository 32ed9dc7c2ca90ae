"""The renderers' registry, and the position statement as Markdown.

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
from ._jinja import markdown_escape
from ._json import REPORT_FORMAT_VERSION, json_report, json_report_text
from ._markdown import markdown_report
from ._position import WORD_LIMIT, position_statement_document

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


@attrs.frozen(kw_only=True)
class PositionStatement:
    """A joint position statement as Markdown (see
    :func:`position_statement_document` for the document itself, in
    Markdown, HTML or Word).

    :param words: the number of words in *text*.
    :param limit: the word limit (5,000); see :attr:`over_limit`.
    """

    text: str
    words: int
    limit: int = WORD_LIMIT

    @property
    def over_limit(self) -> bool:
        """Whether the statement exceeds the word limit."""
        return self.words > self.limit


def position_statement(
    evaluation: Evaluation,
    *,
    limit: int = WORD_LIMIT,
    guard: PersonalDataGuard | None = None,
) -> PositionStatement:
    """The joint position statement of :func:`position_statement_document`
    (organised by the inspection profile the evaluation was made for, or
    by the framework's high-level questions), as Markdown.

    :param limit: the word limit; a longer draft lists fewer findings and
        says what it left out.
    :param guard: the personal-data guard whose matches are redacted.
    """
    doc = position_statement_document(evaluation, limit=limit, guard=guard)
    return PositionStatement(text=doc.markdown(), words=doc.words, limit=limit)


#: The renderers of a whole evaluation, by format name: each takes the
#: evaluation and a personal-data guard (keyword ``guard``) and returns the
#: report's text. The command line's ``--format`` choices are read from
#: here; a new format is one function and one entry.
RENDERERS: dict[str, Callable[..., str]] = {
    "html": html_report,
    "json": json_report_text,
    "markdown": markdown_report,
}
