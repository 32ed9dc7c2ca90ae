"""The evidence wing: findings, their context, kinds of evidence, the
profile fields that rules read and triangulation.

The same names are importable from :mod:`qifeval`.
"""

import typing as _typing

from .._lazy import lazy_exports as _lazy_exports
from ._context import (
    ChallengeKind,
    Context,
    ContextualChallenge,
    ReadinessAspect,
    ReadinessEvidence,
    Severity,
)
from ._findings import (
    EvidenceSet,
    Finding,
    SourceKind,
    Valence,
    Voice,
    Weight,
    dump_findings,
    load_findings,
)
from ._proposal import Proposal
from ._quantity import BANDS, Band, WilsonInterval, sample_needed, wilson_interval

if _typing.TYPE_CHECKING:
    from ._collate import (
        Collation,
        CollationBand,
        CollationPolicy,
        CollationQuestion,
        CollationReturns,
        CollationTemplate,
        QuestionTally,
        ReturnsError,
        collate,
        default_collation_policy,
        load_collation_policy,
        load_collation_template,
        merge_evidence,
    )
    from ._consistency import CHECKS, SMALL_SAMPLE, check_findings
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

__all__ = [
    "BANDS",
    "CHECKS",
    "SMALL_SAMPLE",
    "Band",
    "ChallengeKind",
    "Collation",
    "CollationBand",
    "CollationPolicy",
    "CollationQuestion",
    "CollationReturns",
    "CollationTemplate",
    "Context",
    "ContextualChallenge",
    "Contradiction",
    "EvidenceProfile",
    "EvidenceSet",
    "Finding",
    "IllustrationCoverage",
    "Proposal",
    "QuestionTally",
    "ReadinessAspect",
    "ReadinessEvidence",
    "ReturnsError",
    "Severity",
    "SourceKind",
    "Triangulation",
    "TriangulationStatus",
    "Valence",
    "Voice",
    "Weight",
    "WilsonInterval",
    "check_findings",
    "collate",
    "default_collation_policy",
    "dump_findings",
    "illustration_coverage",
    "load_collation_policy",
    "load_collation_template",
    "load_findings",
    "merge_evidence",
    "profiles",
    "sample_needed",
    "triangulate",
    "wilson_interval",
]

# Imported on first use (see qifeval._lazy): module -> names.
_LAZY: dict[str, tuple[str, ...]] = {
    "._triangulation": (
        "Contradiction",
        "EvidenceProfile",
        "IllustrationCoverage",
        "Triangulation",
        "TriangulationStatus",
        "illustration_coverage",
        "profiles",
        "triangulate",
    ),
    "._consistency": ("CHECKS", "SMALL_SAMPLE", "check_findings"),
    "._collate": (
        "Collation",
        "CollationBand",
        "CollationPolicy",
        "CollationQuestion",
        "CollationReturns",
        "CollationTemplate",
        "QuestionTally",
        "ReturnsError",
        "collate",
        "default_collation_policy",
        "load_collation_policy",
        "load_collation_template",
        "merge_evidence",
    ),
}
__getattr__, __dir__ = _lazy_exports(__name__, _LAZY)
