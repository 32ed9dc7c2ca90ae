"""Triangulation of evidence, illustration coverage and evidence profiles.

All three are computed per quality indicator in one pass over the findings.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence

import attrs
from cattrs.gen import make_dict_unstructure_fn, override

from .. import _convert
from .._ids import ref_key, sorted_ids
from ..frameworks._model import Framework, IllustrationKind, Part
from ._consistency import counts_as_strength
from ._fields import FIELDS, IndicatorFacts, Points, TriangulationPolicy, weakness
from ._findings import EvidenceSet, Finding, SourceKind, Valence, Weight

__all__ = [
    "Contradiction",
    "EvidenceProfile",
    "IllustrationCoverage",
    "Triangulation",
    "TriangulationStatus",
    "illustration_coverage",
    "profiles",
    "triangulate",
]


class TriangulationStatus(enum.StrEnum):
    """How well the findings on one indicator are corroborated."""

    TRIANGULATED = "triangulated"
    PARTIAL = "partial"
    SINGLE_SOURCE = "single source"
    NO_EVIDENCE = "no evidence"
    INSUFFICIENT_EVIDENCE = "insufficient evidence"


def _kinds(kinds: Iterable[SourceKind]) -> tuple[SourceKind, ...]:
    order = list(SourceKind)
    return tuple(sorted(set(kinds), key=order.index))


@attrs.frozen(kw_only=True)
class Contradiction:
    """Strengths and weaknesses of weight important or more about the same
    point of one indicator (the same key factor or the same illustration)
    whose evidence comes from different source kinds: one to discuss, not to
    resolve by counting. Findings about different points, or that name no
    key factor and no illustration, are not compared.

    :param point: the key factor (``"5.2/key_factor/1"``) or illustration
        (``"5.2/very_good/1"``) reference both sides are about.
    :param strengths: ids of the strengths from *strength_source*.
    :param weaknesses: ids of the weaknesses from *weakness_source*.
    """

    qi: str
    point: str
    strength_source: SourceKind
    weakness_source: SourceKind
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]

    def describe(self) -> str:
        """One sentence for a report."""
        return (
            f"on {self.point}, {self.strength_source.label} evidence of strength "
            f"({', '.join(self.strengths)}) conflicts with "
            f"{self.weakness_source.label} evidence of weakness "
            f"({', '.join(self.weaknesses)})"
        )


@attrs.frozen(kw_only=True)
class Triangulation:
    """The triangulation of the evidence on one indicator.

    :param strength_sources: the distinct source kinds behind its strengths.
    :param weakness_sources: the distinct source kinds behind its weaknesses.
    :param to_corroborate: when all the weaknesses rest on one source kind,
        their ids: they count in full but should be corroborated by another
        kind of evidence.
    :param kinds_needed: the distinct source kinds that make evidence
        triangulated under the rule set's policy.
    """

    qi: str
    status: TriangulationStatus
    strength_sources: tuple[SourceKind, ...] = ()
    weakness_sources: tuple[SourceKind, ...] = ()
    contradictions: tuple[Contradiction, ...] = ()
    to_corroborate: tuple[str, ...] = ()
    kinds_needed: int = 3

    @property
    def sources(self) -> tuple[SourceKind, ...]:
        """The distinct source kinds behind all findings."""
        return _kinds(self.strength_sources + self.weakness_sources)

    @property
    def strengths_triangulated(self) -> bool:
        """Whether the strengths rest on at least *kinds_needed* (by default
        three) source kinds."""
        return len(self.strength_sources) >= self.kinds_needed


@attrs.frozen(kw_only=True)
class IllustrationCoverage:
    """Which of an indicator's illustrations the findings evidence.

    :param evidenced: illustration reference -> ids of the findings citing it.
    """

    qi: str
    evidenced: Mapping[str, tuple[str, ...]]
    missing_very_good: tuple[str, ...]
    missing_weak: tuple[str, ...]


@attrs.frozen(kw_only=True)
class EvidenceProfile:
    """Counts and weights of the findings on one indicator: the facts the
    rules engine reasons over.

    :param counts: every profile field (see :doc:`/reference/fields`) with its
        value.
    :param finding_ids: for each field, the ids of the findings that count
        towards it, so that a rule can cite the findings behind it.
    """

    qi: str
    part: Part
    counts: Mapping[str, int]
    finding_ids: Mapping[str, tuple[str, ...]]

    def __getitem__(self, name: str) -> int:
        return self.counts[name]


def _group(evidence: EvidenceSet, framework: Framework) -> dict[str, list[Finding]]:
    """Each indicator's findings (without QI 10), in input order."""
    groups: dict[str, list[Finding]] = {qi.id: [] for qi in framework.indicators}
    for f in evidence.findings:
        try:
            groups[f.qi].append(f)
        except KeyError:
            evidence.validate(framework)  # raises the clear error
            raise
    return groups


def _profile(facts: IndicatorFacts) -> EvidenceProfile:
    """The value of every registered evidence-profile field, in registry
    order; each field can read the ids of the ones before it."""
    counts: dict[str, int] = {}
    for name, field in FIELDS["indicator"].items():
        counts[name], facts.ids_of[name] = field.value(facts)
    return EvidenceProfile(
        qi=facts.qi, part=facts.part, counts=counts, finding_ids=dict(facts.ids_of)
    )


def _by_kind(findings: list[Finding], valence: Valence) -> dict[SourceKind, list[str]]:
    out: dict[SourceKind, list[str]] = {}
    for f in findings:
        if f.valence is valence and (valence is not Valence.STRENGTH or counts_as_strength(f)):
            out.setdefault(f.source, []).append(f.id)
    return out


def _triangulation(facts: IndicatorFacts) -> Triangulation:
    policy = facts.policy
    weakness_sources = facts.kinds(Valence.WEAKNESS)
    n_sources = len(facts.kinds())
    if not n_sources:
        status = TriangulationStatus.NO_EVIDENCE
    elif facts.part in policy.documentation_alone_insufficient and facts.documentation_only:
        status = TriangulationStatus.INSUFFICIENT_EVIDENCE
    elif n_sources >= policy.triangulated:
        status = TriangulationStatus.TRIANGULATED
    elif n_sources >= policy.partial:
        status = TriangulationStatus.PARTIAL
    else:
        status = TriangulationStatus.SINGLE_SOURCE
    contradictions = _contradictions(facts.qi, facts.findings)
    to_corroborate: tuple[str, ...] = ()
    if len(weakness_sources) == 1:
        to_corroborate = facts.where(weakness)
    return Triangulation(
        qi=facts.qi,
        status=status,
        strength_sources=_kinds(facts.kinds(Valence.STRENGTH)),
        weakness_sources=_kinds(weakness_sources),
        contradictions=contradictions,
        to_corroborate=to_corroborate,
        kinds_needed=policy.triangulated,
    )


def _points(f: Finding) -> tuple[str, ...]:
    """The points of its indicator a finding is about: its key factor and
    its illustration, where it names them."""
    key_factor, illustration = f.key_factor, f.illustration
    if key_factor is None:
        return () if illustration is None else (illustration,)
    return (key_factor,) if illustration is None else (key_factor, illustration)


def _point_key(point: str) -> tuple[str, int, str]:
    head, _, n = point.rpartition("/")
    return (head, int(n), point) if n.isdigit() else (point, 0, point)


def _contradictions(qi: str, findings: list[Finding]) -> tuple[Contradiction, ...]:
    """Important-or-major strengths and weaknesses from different kinds of
    evidence about the same point, point by point (in reference order)."""
    by_point: dict[str, list[Finding]] = {}
    for f in findings:
        for point in _points(f):
            by_point.setdefault(point, []).append(f)
    out = []
    for point in sorted(by_point, key=_point_key):
        on_point = by_point[point]
        strengths = _important(on_point, Valence.STRENGTH)
        weaknesses = _important(on_point, Valence.WEAKNESS)
        out += [
            Contradiction(
                qi=qi,
                point=point,
                strength_source=sk,
                weakness_source=wk,
                strengths=strengths[sk],
                weaknesses=weaknesses[wk],
            )
            for sk in _kinds(strengths)
            for wk in _kinds(weaknesses)
            if sk is not wk
        ]
    return tuple(out)


def _important(findings: list[Finding], valence: Valence) -> dict[SourceKind, tuple[str, ...]]:
    heavy = [f for f in findings if f.valence is valence and f.weight is not Weight.MINOR]
    return {kind: sorted_ids(ids) for kind, ids in _by_kind(heavy, valence).items()}


def analyse(
    evidence: EvidenceSet,
    framework: Framework,
    points: Mapping[Weight, int] | None = None,
    policy: TriangulationPolicy | None = None,
    failed: Sequence[list[str]] | None = None,
) -> dict[str, tuple[EvidenceProfile, Triangulation]]:
    """Profile and triangulation of every indicator (without QI 10), in
    framework order, from one pass over the findings.

    :param points: the points per weight; by default qifeval's.
    :param policy: when evidence is triangulated; by default qifeval's.
    :param failed: the codes of the checks each finding fails (see
        :func:`~qifeval.evidence._consistency.failed_checks`), when known.
    """
    points = Points() if points is None else points
    policy = TriangulationPolicy() if policy is None else policy
    groups = _group(evidence, framework)
    failed_by_qi: dict[str, list[list[str]]] | None = None
    if failed is not None:
        failed_by_qi = {qi: [] for qi in groups}
        for f, codes in zip(evidence.findings, failed, strict=True):
            failed_by_qi[f.qi].append(codes)
    out = {}
    for qi in framework.indicators:
        facts = IndicatorFacts(
            qi=qi.id,
            part=framework.key_area(qi).part,
            findings=groups[qi.id],
            points=points,
            policy=policy,
            failed=None if failed_by_qi is None else failed_by_qi[qi.id],
        )
        out[qi.id] = (_profile(facts), _triangulation(facts))
    return out


def profiles(
    evidence: EvidenceSet, framework: Framework, points: Mapping[Weight, int] | None = None
) -> dict[str, EvidenceProfile]:
    """The evidence profile of every indicator, in framework order.

    :param points: the points each weight adds to ``strength_points`` and
        ``weakness_points``; by default qifeval's (minor 1, important 3,
        major 9).
    """
    return {qi: p for qi, (p, _) in analyse(evidence, framework, points).items()}


def triangulate(evidence: EvidenceSet, framework: Framework) -> dict[str, Triangulation]:
    """The triangulation of every indicator (without QI 10), in framework
    order.

    >>> import qifeval
    >>> fw = qifeval.load_framework("qif-2018")
    >>> ev = qifeval.EvidenceSet(partnership="Example", findings=[
    ...     qifeval.Finding(id="F1", qi="1.1", statement="a plan", valence="strength",
    ...                     weight="important", source="documentation")])
    >>> qifeval.triangulate(ev, fw)["1.1"].status.value
    'insufficient evidence'
    """
    return {qi: t for qi, (_, t) in analyse(evidence, framework).items()}


def illustration_coverage(
    evidence: EvidenceSet, framework: Framework
) -> dict[str, IllustrationCoverage]:
    """For every indicator, the illustrations the findings evidence and the
    ones they do not (gaps in evidence)."""
    groups = _group(evidence, framework)
    out = {}
    for qi in framework.indicators:
        cited: dict[str, list[str]] = {}
        for f in groups[qi.id]:
            if f.illustration is not None:
                cited.setdefault(f.illustration, []).append(f.id)
        out[qi.id] = IllustrationCoverage(
            qi=qi.id,
            evidenced={
                ref: sorted_ids(ids)
                for ref, ids in sorted(cited.items(), key=lambda kv: ref_key(kv[0]))
            },
            missing_very_good=tuple(
                i.ref for i in qi.illustrations(IllustrationKind.VERY_GOOD) if i.ref not in cited
            ),
            missing_weak=tuple(
                i.ref for i in qi.illustrations(IllustrationKind.WEAK) if i.ref not in cited
            ),
        )
    return out


_convert.register_enums(TriangulationStatus)
_convert.register_lazily(
    Triangulation,
    unstructure=lambda cl: make_dict_unstructure_fn(
        cl, _convert.converter, kinds_needed=override(omit_if_default=True)
    ),
)
