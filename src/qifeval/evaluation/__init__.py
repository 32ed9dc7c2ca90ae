"""The evaluation wing: evaluating evidence into suggested grades,
decisions, capacity for improvement (QI 10), saved evaluations and
comparisons.

The same names are importable from :mod:`qifeval`.
"""

from ._capacity import (
    CapacityJudgement,
    Direction,
    IndicatorChange,
    Lever,
    Trend,
)
from ._compare import (
    EvaluationDiff,
    IndicatorDiff,
    NationalComparison,
    benchmark_national,
    compare_evaluations,
)
from ._document import (
    dump_evaluation,
    load_evaluation,
)
from ._evaluate import (
    Decision,
    DecisionKind,
    Evaluation,
    IndicatorResult,
    PreviousEvaluation,
    SafetyConcern,
    evaluate,
)

__all__ = [
    "CapacityJudgement",
    "Decision",
    "DecisionKind",
    "Direction",
    "Evaluation",
    "EvaluationDiff",
    "IndicatorChange",
    "IndicatorDiff",
    "IndicatorResult",
    "Lever",
    "NationalComparison",
    "PreviousEvaluation",
    "SafetyConcern",
    "Trend",
    "benchmark_national",
    "compare_evaluations",
    "dump_evaluation",
    "evaluate",
    "load_evaluation",
]
