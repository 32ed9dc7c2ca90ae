"""The inspection profiles: which indicators an inspection model grades
and which questions or statements it answers.

The profiles are a TOML file in ``qifeval/frameworks/``, read once, checked
against the bundled frameworks and cached; the objects are immutable.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from .. import _convert
from .._errors import FrameworkError, UnknownIndicatorError
from .._ids import close_matches
from .._tuples import to_tuple
from ._loading import bundled_framework, check_reference_schema, load_framework, read_bundled
from ._model import QualityIndicator

__all__ = [
    "InspectionProfile",
    "ProfileQuestion",
    "inspection_profile",
    "inspection_profiles",
    "inspection_profiles_from_dict",
]

_PROFILES_FILE = "profiles.toml"


@attrs.frozen(kw_only=True)
class ProfileQuestion:
    """A question or statement an inspection model answers, with the
    indicators the source links to it (often none)."""

    text: str
    indicators: tuple[str, ...] = attrs.field(factory=tuple, converter=to_tuple)


@attrs.frozen(kw_only=True)
class InspectionProfile:
    """Which quality indicators an inspection model grades, and which
    questions or statements its reports answer.

    >>> from qifeval import inspection_profile
    >>> profile = inspection_profile("children-at-risk-of-harm-2021")
    >>> profile.graded, len(profile.questions)
    (('2.1',), 4)
    >>> [qi.title for qi in profile.graded_indicators()]
    ['Impact on children and young people']
    """

    id: str
    title: str
    framework: str
    years: str = ""
    source: str = ""
    graded: tuple[str, ...] = attrs.field(converter=to_tuple)
    questions: tuple[ProfileQuestion, ...] = attrs.field(factory=tuple, converter=to_tuple)

    def __attrs_post_init__(self) -> None:
        if not self.id.strip():
            raise FrameworkError("must not be empty", path="id")
        for i, qi in enumerate(self.graded):
            if qi in self.graded[:i]:
                raise FrameworkError(f"{qi!r} is listed twice", path=f"graded[{i}]")

    def is_graded(self, qi_id: str) -> bool:
        """Whether this inspection model grades indicator *qi_id*."""
        return str(qi_id).strip() in self.graded

    def graded_indicators(self) -> tuple[QualityIndicator, ...]:
        """The graded indicators, from the bundled framework."""
        fw = load_framework(self.framework)
        return tuple(fw.indicator(qi) for qi in self.graded)


@attrs.frozen(kw_only=True)
class _ProfilesFile:
    profiles: tuple[InspectionProfile, ...] = attrs.field(converter=to_tuple)


def inspection_profiles_from_dict(
    raw: Mapping[str, Any], *, file: str | Path | None = None
) -> tuple[InspectionProfile, ...]:
    """Build the profiles from the dict form of their TOML file and check
    that ids are unique and every graded or linked indicator exists in the
    profile's bundled framework.

    :raises FrameworkError: naming *file* and the field path.
    """
    raw = check_reference_schema(raw, file)
    profiles = _convert.structure(raw, _ProfilesFile, file=file, error=FrameworkError).profiles
    for i, profile in enumerate(profiles):
        where = f"profiles[{i}]"
        if profile.id in [p.id for p in profiles[:i]]:
            raise FrameworkError(
                f"duplicate profile id {profile.id!r}", file=file, path=f"{where}.id"
            )
        fw = bundled_framework(profile.framework, file=file, path=f"{where}.framework")
        linked = [(f"graded[{j}]", qi) for j, qi in enumerate(profile.graded)] + [
            (f"questions[{j}].indicators[{k}]", qi)
            for j, q in enumerate(profile.questions)
            for k, qi in enumerate(q.indicators)
        ]
        for path, qi in linked:
            if qi not in fw:
                raise FrameworkError(
                    f"{fw.id} has no indicator {qi!r}", file=file, path=f"{where}.{path}"
                )
    return profiles


@functools.cache
def inspection_profiles() -> tuple[InspectionProfile, ...]:
    """The bundled inspection profiles, read once and cached: the joint
    inspections of 2014-16, the 2018/2019 model and the 2021 model for
    children at risk of harm.

    >>> from qifeval import inspection_profiles
    >>> [p.id for p in inspection_profiles()]
    ['joint-2014-16', 'joint-2018', 'children-at-risk-of-harm-2021']
    """
    raw, file = read_bundled(_PROFILES_FILE)
    return inspection_profiles_from_dict(raw, file=file)


def inspection_profile(profile_id: str) -> InspectionProfile:
    """The bundled inspection profile *profile_id*.

    >>> from qifeval import inspection_profile
    >>> inspection_profile("joint-2018").graded
    ('1.1', '2.1', '2.2', '9.1', '9.2', '9.3', '9.4')

    :raises UnknownIndicatorError: naming the closest profile ids.
    """
    key = str(profile_id).strip()
    profiles = inspection_profiles()
    for profile in profiles:
        if profile.id == key:
            return profile
    ids = [p.id for p in profiles]
    raise UnknownIndicatorError(
        key,
        framework_id="qifeval's inspection profiles",
        suggestions=close_matches(key, ids, cutoff=0.3),
    )
