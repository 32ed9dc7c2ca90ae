"""The evaluation wing: evaluating evidence into suggested grades,
decisions, capacity for improvement (QI 10), saved evaluations and
comparisons.

The same names are importable from :mod:`qifeval`.
"""

import typing as _typing

from .._lazy import lazy_exports as _lazy_exports
from ._capacity import (
    CapacityJudgement,
    Direction,
    IndicatorChange,
    Lever,
    Trend,
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

if _typing.TYPE_CHECKING:
    from ._compare import (
        EvaluationDiff,
        FollowUp,
        IndicatorDiff,
        NationalComparison,
        benchmark_national,
        compare_evaluations,
    )
    from ._document import (
        dump_evaluation,
        load_evaluation,
    )
    from ._independent import (
        IndependentEvaluation,
        IndicatorMatch,
        Match,
        dump_independent,
        independent_match,
        load_independent,
    )
    from ._plan import (
        Action,
        ActionStatus,
        ImprovementPlan,
        PlanProgress,
        draft_plan,
        dump_plan,
        load_plan,
        plan_progress,
    )
    from ._profile import (
        NOT_GRADED,
        DomainEvaluation,
        ProfiledEvaluation,
        ProfiledResult,
        StatementEvaluation,
        apply_profile,
    )

__all__ = [
    "NOT_GRADED",
    "Action",
    "ActionStatus",
    "CapacityJudgement",
    "Decision",
    "DecisionKind",
    "Direction",
    "DomainEvaluation",
    "Evaluation",
    "EvaluationDiff",
    "FollowUp",
    "ImprovementPlan",
    "IndependentEvaluation",
    "IndicatorChange",
    "IndicatorDiff",
    "IndicatorMatch",
    "IndicatorResult",
    "Lever",
    "Match",
    "NationalComparison",
    "PlanProgress",
    "PreviousEvaluation",
    "ProfiledEvaluation",
    "ProfiledResult",
    "SafetyConcern",
    "StatementEvaluation",
    "Trend",
    "apply_profile",
    "benchmark_national",
    "compare_evaluations",
    "draft_plan",
    "dump_evaluation",
    "dump_independent",
    "dump_plan",
    "evaluate",
    "independent_match",
    "load_evaluation",
    "load_independent",
    "load_plan",
    "plan_progress",
]

# Imported on first use (see qifeval._lazy): module -> names.
_LAZY: dict[str, tuple[str, ...]] = {
    "._plan": (
        "Action",
        "ActionStatus",
        "ImprovementPlan",
        "PlanProgress",
        "draft_plan",
        "dump_plan",
        "load_plan",
        "plan_progress",
    ),
    "._independent": (
        "IndependentEvaluation",
        "IndicatorMatch",
        "Match",
        "dump_independent",
        "independent_match",
        "load_independent",
    ),
    "._compare": (
        "EvaluationDiff",
        "FollowUp",
        "IndicatorDiff",
        "NationalComparison",
        "benchmark_national",
        "compare_evaluations",
    ),
    "._document": (
        "dump_evaluation",
        "load_evaluation",
    ),
    "._profile": (
        "NOT_GRADED",
        "DomainEvaluation",
        "ProfiledEvaluation",
        "ProfiledResult",
        "StatementEvaluation",
        "apply_profile",
    ),
}
__getattr__, __dir__ = _lazy_exports(__name__, _LAZY)
