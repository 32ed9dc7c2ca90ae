"""The kinds of evidence: valence, weight and source."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from .. import _convert

__all__ = ["SourceKind", "Valence", "Voice", "Weight"]


class Valence(enum.StrEnum):
    """Whether a finding is a strength or a weakness (an area for improvement)."""

    STRENGTH = "strength"
    WEAKNESS = "weakness"


class Weight(enum.StrEnum):
    """How much a finding matters: ``minor``, ``important`` or ``major``."""

    MINOR = "minor"
    IMPORTANT = "important"
    MAJOR = "major"

    @property
    def rank(self) -> int:
        """1 for minor, 2 for important, 3 for major."""
        return _WEIGHT_RANK[self]


_WEIGHT_RANK = {Weight.MINOR: 1, Weight.IMPORTANT: 2, Weight.MAJOR: 3}


class SourceKind(enum.StrEnum):
    """The kind of evidence a finding rests on.

    - ``performance_data``: performance information, trend data, benchmarking.
    - ``stakeholder_views``: surveys, focus groups, feedback from children,
      families, staff and partners.
    - ``practice``: direct observation and auditing of practice, including
      case record reading.
    - ``documentation``: plans, policies, minutes and reports.
    """

    PERFORMANCE_DATA = "performance_data"
    STAKEHOLDER_VIEWS = "stakeholder_views"
    PRACTICE = "practice"
    DOCUMENTATION = "documentation"

    @property
    def label(self) -> str:
        """The kind in words, e.g. ``"stakeholders' views"``."""
        return _SOURCE_LABELS[self]


# Looked up rather than worked out: reports read a label for every finding.
_SOURCE_LABELS = {
    kind: "stakeholders' views"
    if kind is SourceKind.STAKEHOLDER_VIEWS
    else kind.value.replace("_", " ")
    for kind in SourceKind
}


class Voice(enum.StrEnum):
    """Whose views a finding from stakeholders' views reports (the
    respondents of a survey, the members of a focus group).

    - ``children_and_young_people``
    - ``parents_and_carers``
    - ``staff``
    - ``leaders_and_partners``
    """

    CHILDREN_AND_YOUNG_PEOPLE = "children_and_young_people"
    PARENTS_AND_CARERS = "parents_and_carers"
    STAFF = "staff"
    LEADERS_AND_PARTNERS = "leaders_and_partners"

    @property
    def label(self) -> str:
        """The voice in words, e.g. ``"parents and carers"``."""
        return self.value.replace("_", " ")


_convert.register_enums(Valence, Weight, SourceKind, Voice)

# attrs converters to the members of these enums (see _convert.enum_converter).
if TYPE_CHECKING:  # mypy's attrs plugin reads the types of named functions only

    def to_valence(value: str) -> Valence: ...
    def to_weight(value: str) -> Weight: ...
    def to_source_kind(value: str) -> SourceKind: ...
    def to_voice(value: str) -> Voice: ...

else:
    to_valence = _convert.enum_converter(Valence)
    to_weight = _convert.enum_converter(Weight)
    to_source_kind = _convert.enum_converter(SourceKind)
    to_voice = _convert.enum_converter(Voice)
