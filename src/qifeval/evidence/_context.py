"""The context of an evaluation: contextual challenges and the evidence of
the partnership's readiness for change (seed: key area 10 of the 2018
framework)."""

from __future__ import annotations

import enum

import attrs

from .. import _convert
from .._errors import InputError
from .._tuples import to_tuple
from ._kinds import SourceKind, Valence

__all__ = [
    "ChallengeKind",
    "Context",
    "ContextualChallenge",
    "ReadinessAspect",
    "ReadinessEvidence",
    "Severity",
]


class ChallengeKind(enum.StrEnum):
    """The contextual challenges the framework names for capacity for
    improvement."""

    BUDGETARY_PRESSURES = "budgetary_pressures"
    POLITICAL_CHANGE = "political_change"
    STRUCTURAL_CHANGE = "structural_change"
    POLICY_CHANGE = "policy_change"
    SERVICE_BOUNDARIES = "service_boundaries"
    #: Not among the framework's five: a change of leaders (chief officers,
    #: a new leadership team), which the capacity rules read as a question
    #: of leadership's stability.
    LEADERSHIP_CHANGE = "leadership_change"

    @property
    def label(self) -> str:
        """The challenge in words, e.g. ``"budgetary pressures"``."""
        return {
            "structural_change": "significant structural changes",
            "service_boundaries": "reorganisation of service boundaries",
            "leadership_change": "changes in leadership",
        }.get(self.value, self.value.replace("_", " "))


class Severity(enum.StrEnum):
    """How severe a contextual challenge is."""

    LOW = "low"
    MODERATE = "moderate"
    SEVERE = "severe"

    @property
    def points(self) -> int:
        """1 (low), 2 (moderate) or 3 (severe)."""
        return {"low": 1, "moderate": 2, "severe": 3}[self.value]


class ReadinessAspect(enum.StrEnum):
    """The partnership's collective ability the framework asks about."""

    ANTICIPATING_CHANGE = "anticipating_change"
    MANAGING_RISK = "managing_risk"
    CONTINGENCY_PLANNING = "contingency_planning"
    COMMITMENT = "commitment"


def _nonempty(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value.strip():
        raise InputError("must not be empty", path=attribute.name)


@attrs.frozen(kw_only=True)
class ContextualChallenge:
    """A contextual challenge that may influence the capacity judgement.

    :param id: unique in the evidence set, e.g. ``"C1"``.
    """

    id: str = attrs.field(validator=_nonempty)
    kind: ChallengeKind = attrs.field(converter=ChallengeKind)
    severity: Severity = attrs.field(converter=Severity)
    note: str = ""


@attrs.frozen(kw_only=True)
class ReadinessEvidence:
    """Evidence of the partnership's ability to anticipate change, manage
    risk, plan for contingencies and keep its commitment: evidence, not a
    grade.

    :param id: unique in the evidence set, e.g. ``"R1"``.
    """

    id: str = attrs.field(validator=_nonempty)
    aspect: ReadinessAspect = attrs.field(converter=ReadinessAspect)
    statement: str = attrs.field(validator=_nonempty)
    valence: Valence = attrs.field(converter=Valence)
    source: SourceKind = attrs.field(converter=SourceKind)
    ref: str | None = None


@attrs.frozen(kw_only=True)
class Context:
    """Contextual challenges and readiness evidence for one evaluation."""

    challenges: tuple[ContextualChallenge, ...] = attrs.field(factory=tuple, converter=to_tuple)
    readiness: tuple[ReadinessEvidence, ...] = attrs.field(factory=tuple, converter=to_tuple)

    def ids(self) -> tuple[tuple[str, str], ...]:
        """``(field path, id)`` of every item, for uniqueness checks."""
        return tuple(
            [(f"context.challenges[{i}].id", c.id) for i, c in enumerate(self.challenges)]
            + [(f"context.readiness[{i}].id", r.id) for i, r in enumerate(self.readiness)]
        )


_convert.register_enums(ChallengeKind, Severity, ReadinessAspect)
_convert.register_omit_defaults(ReadinessEvidence)
