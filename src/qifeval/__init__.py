"""qifeval: rigorous, explainable self-evaluation against the Care
Inspectorate's Quality Improvement Framework for services for children and
young people in need of care and protection.

qifeval suggests; people decide. Every suggested grade is traceable to the
findings and rules behind it.
"""

from ._errors import (
    EngineError,
    FrameworkError,
    InputError,
    PersonalDataError,
    QifevalError,
    UnknownIndicatorError,
)
from ._capacity import CapacityJudgement, Direction, IndicatorChange, Lever, Trend
from ._context import (
    ChallengeKind,
    Context,
    ContextualChallenge,
    ReadinessAspect,
    ReadinessEvidence,
    Severity,
)
from ._evaluate import (
    Decision,
    DecisionKind,
    Evaluation,
    IndicatorResult,
    PreviousEvaluation,
    evaluate,
)
from ._evidence import (
    EvidenceSet,
    Finding,
    SourceKind,
    Valence,
    Weight,
    dump_findings,
    load_findings,
)
from ._firing import FiredRule, engine_cache_clear
from ._framework import (
    Framework,
    FrameworkInfo,
    Illustration,
    IllustrationGroup,
    IllustrationKind,
    KeyArea,
    Part,
    QualityIndicator,
    Question,
    WellbeingIndicator,
)
from ._grade import Grade, quantifier
from ._loading import available_frameworks, dump_framework, load_framework
from ._triangulation import (
    Contradiction,
    EvidenceProfile,
    IllustrationCoverage,
    Triangulation,
    TriangulationStatus,
    illustration_coverage,
    profiles,
    triangulate,
)
from .rules import (
    Comparison,
    Confidence,
    ConfidenceBands,
    Effect,
    Points,
    Rule,
    RulesError,
    RuleSet,
    default_capacity_rules,
    default_rules,
    load_rules,
)

__version__ = "0.1.0"

__all__ = [
    "CapacityJudgement",
    "ChallengeKind",
    "Comparison",
    "Confidence",
    "ConfidenceBands",
    "Context",
    "ContextualChallenge",
    "Contradiction",
    "Decision",
    "DecisionKind",
    "Direction",
    "Effect",
    "EngineError",
    "Evaluation",
    "EvidenceProfile",
    "EvidenceSet",
    "Finding",
    "FiredRule",
    "Framework",
    "FrameworkError",
    "FrameworkInfo",
    "Grade",
    "Illustration",
    "IllustrationCoverage",
    "IllustrationGroup",
    "IllustrationKind",
    "IndicatorChange",
    "IndicatorResult",
    "InputError",
    "KeyArea",
    "Lever",
    "Part",
    "PersonalDataError",
    "Points",
    "PreviousEvaluation",
    "QifevalError",
    "QualityIndicator",
    "Question",
    "ReadinessAspect",
    "ReadinessEvidence",
    "Rule",
    "RuleSet",
    "RulesError",
    "Severity",
    "SourceKind",
    "Trend",
    "Triangulation",
    "TriangulationStatus",
    "UnknownIndicatorError",
    "Valence",
    "Weight",
    "WellbeingIndicator",
    "__version__",
    "available_frameworks",
    "default_capacity_rules",
    "default_rules",
    "dump_findings",
    "dump_framework",
    "engine_cache_clear",
    "evaluate",
    "illustration_coverage",
    "load_findings",
    "load_framework",
    "load_rules",
    "profiles",
    "quantifier",
    "triangulate",
]
