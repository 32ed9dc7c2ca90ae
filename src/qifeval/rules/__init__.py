"""Grading rules as data, and the engine that runs them.

The default grading rules, ``qifeval-2026``, live in ``grading-2026.toml``
beside this module, and the default capacity rules in ``capacity-2026.toml``;
the first editions (``grading.toml``, ``capacity.toml``) stay loadable by
name (see :data:`BUNDLED_RULES`). Load your own with :func:`load_rules`.
Only ``_durable`` talks to durable-rules.
"""

from ._firing import FiredRule, engine_cache_clear
from ._model import (
    BUNDLED_RULES,
    Comparison,
    Confidence,
    ConfidenceBands,
    Effect,
    Points,
    Rule,
    RulesError,
    RuleSet,
    TriangulationPolicy,
    bundled_rules,
    default_capacity_rules,
    default_rules,
    load_rules,
)
from ._whatif import Improvement, ImprovementHold, ImprovementRoute, Shortfall

__all__ = [
    "BUNDLED_RULES",
    "Comparison",
    "Confidence",
    "ConfidenceBands",
    "Effect",
    "FiredRule",
    "Improvement",
    "ImprovementHold",
    "ImprovementRoute",
    "Points",
    "Rule",
    "RuleSet",
    "RulesError",
    "Shortfall",
    "TriangulationPolicy",
    "bundled_rules",
    "default_capacity_rules",
    "default_rules",
    "engine_cache_clear",
    "load_rules",
]
