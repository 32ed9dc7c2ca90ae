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
from ._evaluate import Evaluation, FiredRule, IndicatorResult, engine_cache_clear, evaluate
from ._evidence import (
    EvidenceSet,
    Finding,
    SourceKind,
    Valence,
    Weight,
    dump_findings,
    load_findings,
)
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
    Effect,
    Points,
    Rule,
    RulesError,
    RuleSet,
    default_rules,
    load_rules,
)

__version__ = "0.1.0"

__all__ = [
    "Comparison",
    "Contradiction",
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
    "IndicatorResult",
    "InputError",
    "KeyArea",
    "Part",
    "PersonalDataError",
    "Points",
    "QifevalError",
    "QualityIndicator",
    "Question",
    "Rule",
    "RuleSet",
    "RulesError",
    "SourceKind",
    "Triangulation",
    "TriangulationStatus",
    "UnknownIndicatorError",
    "Valence",
    "Weight",
    "WellbeingIndicator",
    "__version__",
    "available_frameworks",
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
