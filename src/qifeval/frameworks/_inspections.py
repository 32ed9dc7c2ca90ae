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
from ._model import Framework, QualityIndicator

__all__ = [
    "InspectionProfile",
    "ProfileDomain",
    "ProfileQuestion",
    "inspection_profile",
    "inspection_profiles",
    "inspection_profiles_from_dict",
]

_PROFILES_FILE = "profiles.toml"


@attrs.frozen(kw_only=True)
class ProfileQuestion:
    """A question or statement an inspection model answers, with the
    indicators and key factors that evidence it.

    :param id: how findings name it (``Finding.inspection_statement``),
        such as ``"S2"``; unique within the profile. Without an id the
        question is named by its number, from 1.
    :param indicators: the indicators whose findings evidence it.
    :param key_factors: key factors (``"1.1/key_factor/2"``) whose findings
        evidence it, whichever statement their indicator is linked to: a
        finding placed on a linked key factor goes to the statements that
        link the key factor, not to those that link its indicator.
    :param reason: why the indicators and key factors are linked, from
        the framework's text (when the link is qifeval's, not the source's).
    """

    text: str
    id: str = ""
    indicators: tuple[str, ...] = attrs.field(factory=tuple, converter=to_tuple)
    key_factors: tuple[str, ...] = attrs.field(factory=tuple, converter=to_tuple)
    reason: str = ""


@attrs.frozen(kw_only=True)
class ProfileDomain:
    """Graded indicators that an inspection model evaluates together, as
    one evaluation (the 2018/2019 model's "9.1 - 9.4 : the domain of
    leadership").

    :param indicators: the graded indicators it is formed from.
    :param method: how the one evaluation is formed from theirs, in words.
    """

    id: str
    title: str
    indicators: tuple[str, ...] = attrs.field(converter=to_tuple)
    method: str = ""


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
    domains: tuple[ProfileDomain, ...] = attrs.field(factory=tuple, converter=to_tuple)
    mapping: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.id.strip():
            raise FrameworkError("must not be empty", path="id")
        for i, qi in enumerate(self.graded):
            if qi in self.graded[:i]:
                raise FrameworkError(f"{qi!r} is listed twice", path=f"graded[{i}]")

    def is_graded(self, qi_id: str) -> bool:
        """Whether this inspection model grades indicator *qi_id*."""
        return str(qi_id).strip() in self.graded

    def question_id(self, n: int) -> str:
        """The id of the *n*-th question (from 0): its ``id``, or its
        number from 1 when it has none."""
        return self.questions[n].id or str(n + 1)

    def question_ids(self) -> tuple[str, ...]:
        """The ids of the questions, in order."""
        return tuple(self.question_id(i) for i in range(len(self.questions)))

    def domain_of(self, qi_id: str) -> ProfileDomain | None:
        """The domain that evaluates *qi_id* together with others, if any."""
        for domain in self.domains:
            if qi_id in domain.indicators:
                return domain
        return None

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
        ids = profile.question_ids()
        for j, qid in enumerate(ids):
            if qid in ids[:j]:
                raise FrameworkError(
                    f"duplicate question id {qid!r}", file=file, path=f"{where}.questions[{j}].id"
                )
        for j, q in enumerate(profile.questions):
            for k, ref in enumerate(q.key_factors):
                problem = _key_factor_problem(ref, fw)
                if problem:
                    raise FrameworkError(
                        problem, file=file, path=f"{where}.questions[{j}].key_factors[{k}]"
                    )
        for j, domain in enumerate(profile.domains):
            for k, qi in enumerate(domain.indicators):
                if qi not in profile.graded:
                    raise FrameworkError(
                        f"{qi!r} is not graded by {profile.id}",
                        file=file,
                        path=f"{where}.domains[{j}].indicators[{k}]",
                    )
    return profiles


def _key_factor_problem(ref: str, fw: Framework) -> str:
    """What is wrong with key factor reference *ref* in *fw*, or ``""``."""
    qi, _, n = ref.partition("/key_factor/")
    if not n.isdigit() or qi not in fw:
        return f"expected a key factor reference like '5.2/key_factor/1' of {fw.id}, got {ref!r}"
    if not 1 <= int(n) <= len(fw.indicator(qi).key_factors):
        return f"{fw.id} has no key factor {ref!r}"
    return ""


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
