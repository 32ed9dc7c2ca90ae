"""The evidence wing: findings, their context, kinds of evidence, the
profile fields that rules read and triangulation.

The same names are importable from :mod:`qifeval`.
"""

from ._consistency import CHECKS, SMALL_SAMPLE, check_findings
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
from ._quantity import BANDS, Band, WilsonInterval, sample_needed, wilson_interval
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
    "WilsonInterval",
    "check_findings",
    "dump_findings",
    "illustration_coverage",
    "load_findings",
    "profiles",
    "sample_needed",
    "triangulate",
    "wilson_interval",
]
