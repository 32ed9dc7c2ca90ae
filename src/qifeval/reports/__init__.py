"""Reports of an evaluation: Markdown, HTML, JSON and the position statement.

Every renderer redacts user text with the evaluation's personal-data guard.
The same names are importable from :mod:`qifeval`.
"""

from ._position import (
    POSITION_FORMATS,
    PositionStatementDocument,
    position_statement_document,
)
from ._render import (
    RENDERERS,
    PositionStatement,
    html_report,
    json_report,
    markdown_report,
    position_statement,
)

__all__ = [
    "POSITION_FORMATS",
    "RENDERERS",
    "PositionStatement",
    "PositionStatementDocument",
    "html_report",
    "json_report",
    "markdown_report",
    "position_statement",
    "position_statement_document",
]
