"""Triangulation of evidence, illustration coverage and evidence profiles.

All three are computed per quality indicator in one pass over the findings.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

import attrs

from . import _convert
from ._evidence import EvidenceSet, Finding, SourceKind, Valence, Weight
from ._fields import PROFILE_FIELDS
from ._framework import Framework, IllustrationKind, Part
from ._ids import sorted_ids

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

#: How many distinct source kinds make a judgement triangulated.
TRIANGULATED_KINDS = 3


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
    """Strengths and weaknesses of weight important or more on one indicator
    whose evidence comes from different source kinds: one to discuss, not to
    resolve by counting.

    :param strengths: ids of the strengths from *strength_source*.
    :param weaknesses: ids of the weaknesses from *weakness_source*.
    """

    qi: str
    strength_source: SourceKind
    weakness_source: SourceKind
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]

    def describe(self) -> str:
        """One sentence for a report."""
        return (
            f"{self.strength_source.label} evidence of strength "
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
    """

    qi: str
    status: TriangulationStatus
    strength_sources: tuple[SourceKind, ...] = ()
    weakness_sources: tuple[SourceKind, ...] = ()
    contradictions: tuple[Contradiction, ...] = ()
    to_corroborate: tuple[str, ...] = ()

    @property
    def sources(self) -> tuple[SourceKind, ...]:
        """The distinct source kinds behind all findings."""
        return _kinds(self.strength_sources + self.weakness_sources)

    @property
    def strengths_triangulated(self) -> bool:
        """Whether the strengths rest on at least three source kinds."""
        return len(self.strength_sources) >= TRIANGULATED_KINDS


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


DEFAULT_POINTS: Mapping[Weight, int] = {Weight.MINOR: 1, Weight.IMPORTANT: 3, Weight.MAJOR: 9}


class _Accumulator:
    """Collects one indicator's profile, triangulation and coverage."""

    __slots__ = ("ids", "illustrations", "kinds", "points")

    def __init__(self) -> None:
        self.ids: dict[str, list[str]] = {}
        self.kinds: dict[Valence, dict[SourceKind, list[str]]] = {
            Valence.STRENGTH: {},
            Valence.WEAKNESS: {},
        }
        self.illustrations: dict[str, list[str]] = {}
        self.points = {Valence.STRENGTH: 0, Valence.WEAKNESS: 0}

    @property
    def sources(self) -> set[SourceKind]:
        """The distinct source kinds behind all findings."""
        return set(self.kinds[Valence.STRENGTH]) | set(self.kinds[Valence.WEAKNESS])

    @property
    def documentation_only(self) -> bool:
        """Whether every finding rests on documentation (and there are some)."""
        return self.sources == {SourceKind.DOCUMENTATION}

    def add(self, f: Finding, points: Mapping[Weight, int]) -> None:
        ids = self.ids
        valence = f.valence
        side = "strengths" if valence is Valence.STRENGTH else "weaknesses"
        for name in ("findings", side, f"{side}_{f.weight.value}"):
            ids.setdefault(name, []).append(f.id)
        if f.weight is not Weight.MINOR:
            ids.setdefault(f"{side}_important_or_major", []).append(f.id)
        self.points[valence] += points[f.weight]
        if f.critical:
            ids.setdefault("critical_weaknesses", []).append(f.id)
            if f.weight is not Weight.MINOR:
                ids.setdefault(f"critical_{f.weight.value}_weaknesses", []).append(f.id)
        if f.sustained:
            ids.setdefault("sustained_strengths", []).append(f.id)
        if f.sector_leading:
            ids.setdefault("sector_leading_strengths", []).append(f.id)
        self.kinds[valence].setdefault(f.source, []).append(f.id)
        if f.illustration is not None:
            self.illustrations.setdefault(f.illustration, []).append(f.id)


def _accumulate(
    evidence: EvidenceSet, framework: Framework, points: Mapping[Weight, int]
) -> dict[str, _Accumulator]:
    acc = {qi.id: _Accumulator() for qi in framework.indicators}
    for f in evidence.findings:
        try:
            acc[f.qi].add(f, points)
        except KeyError:
            evidence.validate(framework)  # raises the clear error
            raise
    return acc


def _profile(qi: str, part: Part, a: _Accumulator) -> EvidenceProfile:
    ids = {name: sorted_ids(a.ids.get(name, ())) for name in PROFILE_FIELDS}
    counts = {name: len(v) for name, v in ids.items()}
    counts["strength_points"] = a.points[Valence.STRENGTH]
    counts["weakness_points"] = a.points[Valence.WEAKNESS]
    ids["strength_points"] = ids["strengths"]
    ids["weakness_points"] = ids["weaknesses"]
    counts["strength_sources"] = len(a.kinds[Valence.STRENGTH])
    counts["weakness_sources"] = len(a.kinds[Valence.WEAKNESS])
    counts["sources"] = len(a.sources)
    ids["strength_sources"] = ids["strengths"]
    ids["weakness_sources"] = ids["weaknesses"]
    ids["sources"] = ids["findings"]
    counts["outcome_indicator"] = int(part is Part.OUTCOMES)
    ids["outcome_indicator"] = ()
    counts["documentation_only"] = int(a.documentation_only)
    ids["documentation_only"] = ids["findings"] if a.documentation_only else ()
    return EvidenceProfile(qi=qi, part=part, counts=counts, finding_ids=ids)


def _triangulation(qi: str, part: Part, a: _Accumulator) -> Triangulation:
    strengths = a.kinds[Valence.STRENGTH]
    weaknesses = a.kinds[Valence.WEAKNESS]
    n_sources = len(a.sources)
    if not n_sources:
        status = TriangulationStatus.NO_EVIDENCE
    elif part is Part.OUTCOMES and a.documentation_only:
        status = TriangulationStatus.INSUFFICIENT_EVIDENCE
    elif n_sources >= TRIANGULATED_KINDS:
        status = TriangulationStatus.TRIANGULATED
    elif n_sources == 2:
        status = TriangulationStatus.PARTIAL
    else:
        status = TriangulationStatus.SINGLE_SOURCE
    important_s = _important(a, Valence.STRENGTH)
    important_w = _important(a, Valence.WEAKNESS)
    contradictions = tuple(
        Contradiction(
            qi=qi,
            strength_source=sk,
            weakness_source=wk,
            strengths=important_s[sk],
            weaknesses=important_w[wk],
        )
        for sk in _kinds(important_s)
        for wk in _kinds(important_w)
        if sk is not wk
    )
    to_corroborate: tuple[str, ...] = ()
    if len(weaknesses) == 1:
        to_corroborate = sorted_ids(next(iter(weaknesses.values())))
    return Triangulation(
        qi=qi,
        status=status,
        strength_sources=_kinds(strengths),
        weakness_sources=_kinds(weaknesses),
        contradictions=contradictions,
        to_corroborate=to_corroborate,
    )


def _important(a: _Accumulator, valence: Valence) -> dict[SourceKind, tuple[str, ...]]:
    side = "strengths" if valence is Valence.STRENGTH else "weaknesses"
    heavy = set(a.ids.get(f"{side}_important_or_major", ()))
    out = {}
    for kind, ids in a.kinds[valence].items():
        chosen = sorted_ids(i for i in ids if i in heavy)
        if chosen:
            out[kind] = chosen
    return out


def analyse(
    evidence: EvidenceSet,
    framework: Framework,
    points: Mapping[Weight, int] = DEFAULT_POINTS,
) -> dict[str, tuple[EvidenceProfile, Triangulation]]:
    """Profile and triangulation of every indicator (without QI 10), in
    framework order, from one pass over the findings."""
    acc = _accumulate(evidence, framework, points)
    out = {}
    for qi in framework.indicators:
        part = framework.key_area(qi).part
        out[qi.id] = (_profile(qi.id, part, acc[qi.id]), _triangulation(qi.id, part, acc[qi.id]))
    return out


def profiles(
    evidence: EvidenceSet, framework: Framework, points: Mapping[Weight, int] = DEFAULT_POINTS
) -> dict[str, EvidenceProfile]:
    """The evidence profile of every indicator, in framework order.

    :param points: the points each weight adds to ``strength_points`` and
        ``weakness_points``.
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
    acc = _accumulate(evidence, framework, DEFAULT_POINTS)
    out = {}
    for qi in framework.indicators:
        cited = acc[qi.id].illustrations
        out[qi.id] = IllustrationCoverage(
            qi=qi.id,
            evidenced={
                ref: sorted_ids(ids)
                for ref, ids in sorted(cited.items(), key=lambda kv: _ref_key(kv[0]))
            },
            missing_very_good=tuple(
                i.ref for i in qi.illustrations(IllustrationKind.VERY_GOOD) if i.ref not in cited
            ),
            missing_weak=tuple(
                i.ref for i in qi.illustrations(IllustrationKind.WEAK) if i.ref not in cited
            ),
        )
    return out


def _ref_key(ref: str) -> tuple[str, int]:
    head, _, n = ref.rpartition("/")
    return head, int(n)


_convert.register_enums(TriangulationStatus)
