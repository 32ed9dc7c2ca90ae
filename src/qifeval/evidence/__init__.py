"""The evidence wing: findings, their context, kinds of evidence, the
profile fields that rules read and triangulation.

The same names are importable from :mod:`qifeval`.
"""

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
    "ChallengeKind",
    "Context",
    "ContextualChallenge",
    "Contradiction",
    "EvidenceProfile",
    "EvidenceSet",
    "Finding",
    "IllustrationCoverage",
    "ReadinessAspect",
    "ReadinessEvidence",
    "Severity",
    "SourceKind",
    "Triangulation",
    "TriangulationStatus",
    "Valence",
    "Voice",
    "Weight",
    "dump_findings",
    "illustration_coverage",
    "load_findings",
    "profiles",
    "triangulate",
]
