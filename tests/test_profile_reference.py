"""The evidence profile, the triangulation and the natural order of ids,
each compared with a plain reference computation on generated evidence:
every field computed finding by finding from its definition, every list of
ids sorted afresh."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable

from hypothesis import given
from hypothesis import strategies as st

import qifeval
from qifeval import Finding, SourceKind, Valence, Weight
from qifeval._ids import merged_ids, sorted_ids
from qifeval.evidence._consistency import (
    INCONSISTENT_STRENGTH_CHECKS,
    counts_as_strength,
    failed_checks,
    finding_warnings,
    inconsistent_strength,
)
from qifeval.evidence._fields import FIELDS, Points, TriangulationPolicy
from qifeval.evidence._quantity import _BAND, _LEAD, evaluative_lead, settled, wilson_interval
from qifeval.evidence._triangulation import analyse
from qifeval.frameworks._grade import quantifier
from qifeval.frameworks._model import Part

from .strategies import QIF_2018

# --- The natural order of ids --------------------------------------------------


def reference_key(item_id: str) -> tuple[tuple[tuple[int, int | str], ...], str]:
    """The natural sort key as first written: each part tagged as a number
    or as text."""
    parts = tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", item_id))
    return parts, item_id


# Letters, separators, ASCII digits and digits of other scripts ("٣", "३").
ids = st.text(alphabet="aBF.-_0123456789٣३", min_size=1, max_size=8)


@given(st.lists(st.lists(ids, max_size=12), max_size=5))
def test_ids_are_ordered_and_merged_as_the_reference_orders_them(groups: list[list[str]]) -> None:
    every = [i for group in groups for i in group]
    assert sorted_ids(every) == tuple(sorted(every, key=reference_key))
    assert merged_ids(groups) == tuple(sorted(set(every), key=reference_key))
    in_order = [sorted_ids(set(group)) for group in groups]
    assert merged_ids(in_order) == tuple(sorted(set(every), key=reference_key))


# --- Generated evidence --------------------------------------------------------

LEADS = ["", "Most ", "All ", "few ", "A few ", "Less than half of ", "The majority of ",
         "None of ", "In almost all ", "almost all "]  # fmt: skip
QIS = ["5.2", "2.1"]  # a leadership and an outcome indicator


@st.composite
def mixed_findings(draw: st.DrawFn, fid: str) -> Finding:
    """A valid finding whose statement may lead with an evaluative term and
    whose figures may contradict it."""
    strength = draw(st.booleans())
    proportion = draw(
        st.none() | st.sampled_from([0.0, 0.1, 0.5, 0.75, 0.9, 1.0]) | st.floats(0, 1)
    )
    return Finding(
        id=fid,
        qi=draw(st.sampled_from(QIS)),
        statement=draw(st.sampled_from(LEADS)) + "records had a plan",
        valence="strength" if strength else "weakness",
        weight=draw(st.sampled_from(list(Weight))),
        source=draw(st.sampled_from(list(SourceKind))),
        proportion=proportion,
        sample=draw(st.none() | st.integers(1, 300)),
        critical=not strength and draw(st.booleans()),
        sustained=strength and draw(st.booleans()),
        sector_leading=strength and draw(st.booleans()),
        checked=draw(st.booleans()),
    )


@st.composite
def mixed_evidence(draw: st.DrawFn) -> qifeval.EvidenceSet:
    """Evidence on two indicators whose ids come in no particular order."""
    chosen = draw(st.lists(ids, unique=True, max_size=30))
    return qifeval.EvidenceSet(
        partnership="P", findings=[draw(mixed_findings(fid)) for fid in chosen]
    )


policies = st.builds(
    TriangulationPolicy,
    triangulated=st.integers(1, 4),
    partial=st.integers(1, 3),
    documentation_alone_insufficient=st.sampled_from([(), (Part.OUTCOMES,)]),
)
points = st.builds(
    Points, minor=st.integers(0, 5), important=st.integers(0, 9), major=st.integers(0, 20)
)


# --- The reference profile -----------------------------------------------------

Test = Callable[[Finding], bool]


def unsettled(f: Finding) -> bool:
    interval = f.interval
    return counts_as_strength(f) and interval is not None and len(interval.terms) != 1


def spread(f: Finding) -> bool:
    if f.proportion is None or f.sample is None:
        return f.critical
    return f.critical and round(f.proportion * f.sample) > 1


def weakness(f: Finding) -> bool:
    return f.valence is Valence.WEAKNESS


def reference_profile(
    findings: list[Finding], part: Part, pts: Points, policy: TriangulationPolicy
) -> tuple[dict[str, int], dict[str, tuple[str, ...]]]:
    """Every built-in field of one indicator's findings, from its definition."""
    counts: dict[str, int] = {}
    cited: dict[str, tuple[str, ...]] = {}

    def ids(test: Test) -> tuple[str, ...]:
        return tuple(sorted((f.id for f in findings if test(f)), key=reference_key))

    def count(name: str, test: Test) -> None:
        cited[name] = ids(test)
        counts[name] = len(cited[name])

    def value(name: str, v: int, behind: Iterable[str]) -> None:
        counts[name], cited[name] = v, tuple(behind)

    def pointed(test: Test) -> int:
        return sum(pts[f.weight] for f in findings if test(f))

    def kinds(test: Test) -> set[SourceKind]:
        return {f.source for f in findings if test(f)}

    cs = counts_as_strength
    heavy = (Weight.IMPORTANT, Weight.MAJOR)
    count("findings", lambda f: True)
    count("strengths", cs)
    count("weaknesses", weakness)
    for w in Weight:
        count(f"strengths_{w.value}", lambda f, w=w: cs(f) and f.weight is w)
        count(f"weaknesses_{w.value}", lambda f, w=w: weakness(f) and f.weight is w)
    count("strengths_important_or_major", lambda f: cs(f) and f.weight in heavy)
    count("weaknesses_important_or_major", lambda f: weakness(f) and f.weight in heavy)
    value("strength_points", pointed(cs), cited["strengths"])
    value("weakness_points", pointed(weakness), cited["weaknesses"])
    count("critical_weaknesses", lambda f: f.critical)
    count("critical_important_weaknesses", lambda f: f.critical and f.weight is Weight.IMPORTANT)
    count("critical_major_weaknesses", lambda f: f.critical and f.weight is Weight.MAJOR)
    count("sustained_strengths", lambda f: f.sustained and cs(f))
    count("sector_leading_strengths", lambda f: f.sector_leading and cs(f))
    value("strength_sources", len(kinds(cs)), cited["strengths"])
    value("weakness_sources", len(kinds(weakness)), cited["weaknesses"])
    triangulated = int(len(kinds(cs)) >= policy.triangulated)
    value("strengths_triangulated", triangulated, cited["strengths"])
    value("sources", len(kinds(lambda f: True)), cited["findings"])
    value("outcome_indicator", int(part is Part.OUTCOMES), ())
    documentation_only = kinds(lambda f: True) == {SourceKind.DOCUMENTATION}
    value(
        "documentation_only",
        int(documentation_only),
        cited["findings"] if documentation_only else (),
    )
    count("strengths_inconsistent", inconsistent_strength)
    count("strengths_unsettled", unsettled)
    count("findings_counted", lambda f: not inconsistent_strength(f))
    count("consistent_strengths", cs)
    count(
        "consistent_strengths_important_or_major",
        lambda f: cs(f) and f.weight is not Weight.MINOR,
    )
    beyond = [SourceKind.PRACTICE, SourceKind.STAKEHOLDER_VIEWS, SourceKind.PERFORMANCE_DATA]
    count(
        "consistent_strengths_major_beyond_documents",
        lambda f: cs(f) and f.weight is Weight.MAJOR and f.source in beyond,
    )
    count(
        "exemplary_strengths",
        lambda f: (
            cs(f)
            and f.weight is Weight.MAJOR
            and f.sustained
            and f.sector_leading
            and f.source in beyond
        ),
    )
    value("consistent_strength_points", pointed(cs), cited["consistent_strengths"])
    value("consistent_strength_sources", len(kinds(cs)), cited["consistent_strengths"])
    value("consistent_strengths_triangulated", triangulated, cited["consistent_strengths"])
    count(
        "noncritical_weaknesses_major",
        lambda f: weakness(f) and not f.critical and f.weight is Weight.MAJOR,
    )

    def noncritical(f: Finding) -> bool:
        return weakness(f) and not f.critical

    def noncritical_heavy(f: Finding) -> bool:
        return noncritical(f) and f.weight is not Weight.MINOR

    value("noncritical_weakness_points", pointed(noncritical), ids(noncritical))
    value("noncritical_heavy_weakness_points", pointed(noncritical_heavy), ids(noncritical_heavy))
    count("critical_spread_weaknesses", spread)
    shares = {
        f.id: math.floor(f.proportion * 100 + 1e-9)
        for f in findings
        if spread(f) and f.proportion is not None
    }
    widest = max(shares.values(), default=0)
    value(
        "critical_widest_share_pct",
        widest,
        ids(lambda f: f.id in shares and shares[f.id] == widest) if shares else (),
    )
    value(
        "critical_weakness_sources",
        len(kinds(lambda f: f.critical)),
        cited["critical_weaknesses"],
    )
    return counts, cited


@given(mixed_evidence(), points, policies)
def test_profiles_and_triangulation_match_the_reference(
    evidence: qifeval.EvidenceSet, pts: Points, policy: TriangulationPolicy
) -> None:
    analysed = analyse(evidence, QIF_2018, pts, policy)
    assert analyse(evidence, QIF_2018, pts, policy, failed_checks(evidence.findings)) == analysed
    for qi in QIS:
        mine = [f for f in evidence.findings if f.qi == qi]
        part = QIF_2018.key_area(QIF_2018.indicator(qi)).part
        counts, cited = reference_profile(mine, part, pts, policy)
        profile, triangulation = analysed[qi]
        assert set(counts) == set(FIELDS["indicator"])
        assert dict(profile.counts) == counts
        assert dict(profile.finding_ids) == cited
        order = list(SourceKind)
        weakness_kinds = {f.source for f in mine if weakness(f)}
        assert triangulation.strength_sources == tuple(
            sorted({f.source for f in mine if counts_as_strength(f)}, key=order.index)
        )
        assert triangulation.weakness_sources == tuple(sorted(weakness_kinds, key=order.index))
        assert triangulation.to_corroborate == (
            cited["weaknesses"] if len(weakness_kinds) == 1 else ()
        )


@given(mixed_findings("F1"))
def test_an_inconsistent_strength_is_one_whose_warnings_say_so(f: Finding) -> None:
    warned = {w.code for w in finding_warnings(f)}
    expected = (
        f.valence is Valence.STRENGTH
        and not f.checked
        and bool(warned & INCONSISTENT_STRENGTH_CHECKS)
    )
    assert inconsistent_strength(f) == expected


@given(
    st.sampled_from([0.0, 0.15, 0.5, 0.75, 0.9, 1.0]) | st.floats(0, 1),
    st.integers(1, 10**6),
)
def test_a_share_is_settled_when_its_interval_reaches_one_term(share: float, sample: int) -> None:
    interval = wilson_interval(share, sample)
    assert interval.settled == settled(share, sample) == (len(interval.terms) == 1)


def reference_lead(statement: str) -> tuple[str, str] | None:
    """The evaluative lead as the pattern alone finds it."""
    m = _LEAD.match(statement)
    if m is None:
        return None
    written = " ".join(m["term"].lower().split())
    return written, _BAND.get(written, written)


@given(
    st.sampled_from(["", " ", "(", "In ", "in  ", "İ", "ı", "K", "_", "9", "٣"])
    | st.text(max_size=2),
    st.sampled_from([t.strip() for t in LEADS]) | st.text(max_size=3),
    st.text(max_size=6),
)
def test_the_evaluative_lead_is_the_one_the_pattern_finds(head: str, term: str, rest: str) -> None:
    statement = head + term + rest
    assert evaluative_lead(statement) == reference_lead(statement)


def reference_quantifier(proportion: object) -> str | None:
    """The evaluative term as first written, or ``None`` where it refuses."""
    if (
        isinstance(proportion, bool)
        or not isinstance(proportion, int | float)
        or math.isnan(proportion)
        or not 0 <= proportion <= 1
    ):
        return None
    return quantifier(float(proportion))


@given(st.floats() | st.integers(-2, 2) | st.booleans() | st.sampled_from([0.15, 0.5, 0.75, 0.9]))
def test_the_quantifier_accepts_and_refuses_as_the_reference_does(proportion: object) -> None:
    try:
        term: str | None = quantifier(proportion)  # type: ignore[arg-type]
    except qifeval.InputError:
        term = None
    assert term == reference_quantifier(proportion)
