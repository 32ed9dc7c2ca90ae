"""Reports of an evaluation: Markdown, HTML, JSON and the position statement.

Every report is rendered from one report model
(:func:`~qifeval.reports.build_report`), which redacts user text with the
personal-data guard; the renderers print what the model holds. The same
names are importable from :mod:`qifeval`.
"""

from ._model import (
    ActionView,
    CapacityView,
    Column,
    ContradictionView,
    DecisionView,
    FindingView,
    ImprovementView,
    IndependentView,
    IndicatorView,
    KeyAreaGroup,
    LeverView,
    NationalView,
    PlanView,
    QuestionGroup,
    ReportModel,
    RuleView,
    SafetyConcernView,
    TrendMark,
    WarningView,
    build_report,
)
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
    "ActionView",
    "CapacityView",
    "Column",
    "ContradictionView",
    "DecisionView",
    "FindingView",
    "ImprovementView",
    "IndependentView",
    "IndicatorView",
    "KeyAreaGroup",
    "LeverView",
    "NationalView",
    "PlanView",
    "PositionStatement",
    "PositionStatementDocument",
    "QuestionGroup",
    "ReportModel",
    "RuleView",
    "SafetyConcernView",
    "TrendMark",
    "WarningView",
    "build_report",
    "html_report",
    "json_report",
    "markdown_report",
    "position_statement",
    "position_statement_document",
]
