"""The programme view and tidy tables: many partnerships and years at once.

:func:`programme` sets many evaluations side by side, as the inspectorate's
report on a programme of inspections does; :class:`Records` holds tidy
tables (one row per partnership and indicator, one per finding) for
notebooks and spreadsheets. The view is written as a standalone HTML page,
Markdown or JSON; records as CSV, a workbook or a pandas DataFrame.

The classes and :func:`programme` are also importable from :mod:`qifeval`.
"""

from .evaluation._programme import (
    TOP_KEY_FACTORS,
    GradeDistribution,
    KeyFactorTally,
    PartnershipTrend,
    Programme,
    ProgrammeGroup,
    TrendPoint,
    programme,
)
from .evaluation._records import FindingRecord, IndicatorRecord, Records
from .reports._programme import (
    PROGRAMME_FORMATS,
    programme_html,
    programme_json_text,
    programme_markdown,
)

__all__ = [
    "PROGRAMME_FORMATS",
    "TOP_KEY_FACTORS",
    "FindingRecord",
    "GradeDistribution",
    "IndicatorRecord",
    "KeyFactorTally",
    "PartnershipTrend",
    "Programme",
    "ProgrammeGroup",
    "Records",
    "TrendPoint",
    "programme",
    "programme_html",
    "programme_json_text",
    "programme_markdown",
]


def __dir__() -> list[str]:
    return __all__
