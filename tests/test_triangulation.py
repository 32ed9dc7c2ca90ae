import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import qifeval
from qifeval import EvidenceSet, Finding, SourceKind, TriangulationStatus
from qifeval.evidence._consistency import counts_as_strength
from qifeval.evidence._fields import FIELDS, Field, register_field, unregister_field
from qifeval.frameworks._model import Part

from .strategies import QIF_2018, evidence_sets, findings, side_violations
from .strategies import finding as f

FW = QIF_2018


def ev(*items: Finding) -> EvidenceSet:
    return EvidenceSet(partnership="P", findings=items)


def test_statuses() -> None:
    t = qifeval.triangulate(
        ev(
            f("A", source="practice"),
            f("B", source="performance_data"),
            f("C", source="stakeholder_views"),
            f("D", qi="6.1", source="practice"),
            f("E", qi="6.1", source="documentation", valence="weakness"),
            f("G", qi="7.1", source="documentation"),
            f("H", qi="2.1", source="documentation"),
            f("I", qi="2.1", source="documentation", valence="weakness"),
        ),
        FW,
    )
    assert t["5.2"].status is TriangulationStatus.TRIANGULATED
    assert t["5.2"].strengths_triangulated
    assert t["6.1"].status is TriangulationStatus.PARTIAL
    assert (
        t["7.1"].status is TriangulationStatus.SINGLE_SOURCE
    )  # documentation alone is fine for processes
    assert t["2.1"].status is TriangulationStatus.INSUFFICIENT_EVIDENCE
    assert t["9.4"].status is TriangulationStatus.NO_EVIDENCE
    assert list(t) == [qi.id for qi in FW.indicators]


def test_contradictions_and_corroboration() -> None:
    kf1, kf2 = "5.2/key_factor/1", "5.2/key_factor/2"
    t = qifeval.triangulate(
        ev(
            f("S1", source="stakeholder_views", weight="major", key_factor=kf1),
            f("S2", source="stakeholder_views", weight="minor", key_factor=kf1),
            f("W1", source="practice", valence="weakness", weight="important", key_factor=kf1),
            f("W2", source="stakeholder_views", valence="weakness", weight="major", key_factor=kf1),
            # Another point: not compared with the findings on the first.
            f("W3", source="performance_data", valence="weakness", weight="major", key_factor=kf2),
            # No point named: never compared.
            f("W4", source="documentation", valence="weakness", weight="major"),
        ),
        FW,
    )["5.2"]
    assert [
        (c.point, c.strength_source, c.weakness_source, c.strengths, c.weaknesses)
        for c in t.contradictions
    ] == [
        (kf1, SourceKind.STAKEHOLDER_VIEWS, SourceKind.PRACTICE, ("S1",), ("W1",)),
    ]
    assert "conflicts with" in t.contradictions[0].describe()
    assert kf1 in t.contradictions[0].describe()
    assert t.to_corroborate == ()  # weaknesses from two kinds
    single = qifeval.triangulate(ev(f("W", valence="weakness", source="practice")), FW)["5.2"]
    assert single.to_corroborate == ("W",)


def test_illustration_coverage() -> None:
    cov = qifeval.illustration_coverage(
        ev(
            f("A", illustration="5.2/very_good/1"),
            f("B", illustration="5.2/very_good/1"),
            f("C", valence="weakness", illustration="5.2/weak/2"),
        ),
        FW,
    )["5.2"]
    assert cov.evidenced == {"5.2/very_good/1": ("A", "B"), "5.2/weak/2": ("C",)}
    n_vg = len(FW.indicator("5.2").illustrations("very_good"))
    assert len(cov.missing_very_good) == n_vg - 1
    assert "5.2/very_good/1" not in cov.missing_very_good
    assert "5.2/weak/2" not in cov.missing_weak


def test_profile_counts() -> None:
    p = qifeval.profiles(
        ev(
            f("A", weight="major", sustained=True),
            f("B", weight="minor", source="documentation"),
            f("C", valence="weakness", weight="major", critical=True),
        ),
        FW,
    )["5.2"]
    assert p["findings"] == 3 and p["strengths"] == 2 and p["weaknesses"] == 1
    assert p["strength_points"] == 10 and p["weakness_points"] == 9
    assert p["critical_major_weaknesses"] == 1 and p["sustained_strengths"] == 1
    assert p["strength_sources"] == 2 and p["sources"] == 2
    assert p.finding_ids["strengths_important_or_major"] == ("A",)
    assert p.part is Part.PROCESSES


@given(evidence_sets(), st.randoms())
def test_triangulation_does_not_depend_on_order(e: EvidenceSet, rnd) -> None:
    shuffled = list(e.findings)
    rnd.shuffle(shuffled)
    assert qifeval.triangulate(e, FW) == qifeval.triangulate(e.with_findings(shuffled), FW)
    assert qifeval.profiles(e, FW) == qifeval.profiles(e.with_findings(shuffled), FW)


@given(evidence_sets(), findings())
def test_adding_a_finding_never_reduces_source_kinds(e: EvidenceSet, extra: Finding) -> None:
    extra = attrs.evolve(extra, id="EXTRA")
    before = qifeval.triangulate(e, FW)
    after = qifeval.triangulate(e.with_findings([*e.findings, extra]), FW)
    for qi in before:
        assert set(before[qi].strength_sources) <= set(after[qi].strength_sources)
        assert set(before[qi].weakness_sources) <= set(after[qi].weakness_sources)
        assert len(before[qi].sources) <= len(after[qi].sources)


OUTCOME_QIS = [qi.id for qi in FW.indicators if FW.part(qi.id) is Part.OUTCOMES]


@given(st.data())
def test_documentation_only_outcome_qi_is_insufficient(data) -> None:
    qi = data.draw(st.sampled_from(OUTCOME_QIS))
    e = data.draw(evidence_sets(qi=st.just(qi), min_size=1, max_size=8))
    e = e.with_findings(attrs.evolve(x, source=SourceKind.DOCUMENTATION) for x in e.findings)
    assert qifeval.triangulate(e, FW)[qi].status is TriangulationStatus.INSUFFICIENT_EVIDENCE


@given(evidence_sets(max_size=40))
def test_every_contradiction_cites_both_valences_from_different_kinds(e: EvidenceSet) -> None:
    by_id = {x.id: x for x in e.findings}
    for t in qifeval.triangulate(e, FW).values():
        for c in t.contradictions:
            assert c.strength_source is not c.weakness_source
            assert c.strengths and c.weaknesses
            for i in c.strengths:
                s = by_id[i]
                assert s.is_strength and s.source is c.strength_source and s.qi == t.qi
                assert s.weight.rank >= 2
            for i in c.weaknesses:
                w = by_id[i]
                assert not w.is_strength and w.source is c.weakness_source and w.qi == t.qi
                assert w.weight.rank >= 2


def test_contradictions_on_the_same_illustration() -> None:
    ill = "5.2/very_good/1"
    t = qifeval.triangulate(
        ev(
            f("S", source="practice", illustration=ill),
            f("W", source="stakeholder_views", valence="weakness", illustration=ill),
            f("X", source="performance_data", valence="weakness", illustration="5.2/weak/1"),
        ),
        FW,
    )["5.2"]
    assert [(c.point, c.strengths, c.weaknesses) for c in t.contradictions] == [
        (ill, ("S",), ("W",))
    ]


@given(evidence_sets(max_size=40))
def test_contradictions_are_about_one_point(e: EvidenceSet) -> None:
    """Both sides of a contradiction name its point, and any important
    strength and weakness from different kinds on a shared point are in one."""
    by_id = {x.id: x for x in e.findings}
    for t in qifeval.triangulate(e, FW).values():
        flagged = set()
        for c in t.contradictions:
            for i in (*c.strengths, *c.weaknesses):
                assert c.point in (by_id[i].key_factor, by_id[i].illustration)
            flagged |= {(s, w) for s in c.strengths for w in c.weaknesses}
        mine = [x for x in e.findings if x.qi == t.qi and x.weight.rank >= 2]
        # an inconsistent strength counts as no strength (see check_findings)
        for s in (x for x in mine if counts_as_strength(x)):
            for w in (x for x in mine if not x.is_strength):
                points = {s.key_factor, s.illustration} & {w.key_factor, w.illustration} - {None}
                if points and s.source is not w.source:
                    assert (s.id, w.id) in flagged


@given(evidence_sets(max_size=40))
def test_concerns_are_never_dropped(e: EvidenceSet) -> None:
    """Every weakness shows up: in the weakness sources, and flagged to be
    corroborated when it is the only kind."""
    tri = qifeval.triangulate(e, FW)
    for x in e.findings:
        if not x.is_strength:
            t = tri[x.qi]
            assert x.source in t.weakness_sources
            if len(t.weakness_sources) == 1:
                assert x.id in t.to_corroborate


@given(
    st.lists(st.from_regex(r"[A-Z]?[0-9]{1,3}(\.[0-9]{1,2})?", fullmatch=True), unique=True),
    st.randoms(),
)
def test_ids_sort_naturally_and_independently_of_order(ids, rnd) -> None:
    from qifeval._ids import sorted_ids

    shuffled = list(ids)
    rnd.shuffle(shuffled)
    assert sorted_ids(ids) == sorted_ids(shuffled)
    assert sorted(sorted_ids(ids)) == sorted(ids)
    assert sorted_ids(["F10", "F2", "F01", "F1", "10", "9.4"]) == (
        "9.4",
        "10",
        "F01",
        "F1",
        "F2",
        "F10",
    )


# --- The field registry -------------------------------------------------------


@given(evidence_sets(qi=st.sampled_from(["5.2", "2.1"]), max_size=12), st.data())
def test_every_registered_field_moves_with_its_side(e: EvidenceSet, data) -> None:
    extra = data.draw(findings(qi=st.sampled_from(["5.2", "2.1"]), id="NEW"))
    before = qifeval.profiles(e, FW)[extra.qi].counts
    after = qifeval.profiles(e.with_findings([*e.findings, extra]), FW)[extra.qi].counts
    assert set(before) == set(FIELDS["indicator"])
    assert side_violations("indicator", before, after, stronger=extra.is_strength) == []


def test_a_field_registered_here_reaches_rules_profiles_and_the_side_check() -> None:
    def practice_strengths(x: Finding) -> bool:
        return x.is_strength and x.source is SourceKind.PRACTICE

    rule = qifeval.Rule(
        name="practice-led",
        reason="Strengths seen in practice.",
        effect="suggest",
        grade=3,
        when=[qifeval.Comparison(field="practice_strengths", op=">=", value=2)],
    )
    with pytest.raises(qifeval.RulesError, match="unknown field 'practice_strengths'"):
        qifeval.default_rules().with_rules(rule)
    registered = [
        register_field(
            Field(
                name="practice_strengths",
                description="strengths from practice",
                side="strength",
                finding=practice_strengths,
            )
        ),
        # Declared on the wrong side on purpose: the side check must see it.
        register_field(
            Field(
                name="practice_strengths_mis_sided",
                description="strengths from practice, declared on the wrong side",
                side="weakness",
                finding=practice_strengths,
            )
        ),
    ]
    try:
        rules = qifeval.default_rules().with_rules(rule, name="with-practice")
        evidence = ev(f("A"), f("B", weight="minor"), f("C", source="documentation"))
        profile = qifeval.profiles(evidence, FW)["5.2"]
        assert profile["practice_strengths"] == 2
        assert profile.finding_ids["practice_strengths"] == ("A", "B")
        for engine in ("durable", "python"):
            result = qifeval.evaluate(evidence, FW, rules, engine=engine).result("5.2")
            fired = {r.name: r for r in result.rules_fired}
            assert fired["practice-led"].evidence == ("A", "B")
        before = qifeval.profiles(ev(f("A")), FW)["5.2"].counts
        after = profile.counts
        assert side_violations("indicator", before, after, stronger=True) == [
            "practice_strengths_mis_sided"
        ]
    finally:
        for field in registered:
            unregister_field(field.subject, field.name)
    assert "practice_strengths" not in qifeval.profiles(evidence, FW)["5.2"].counts


def test_fields_are_checked_when_registered() -> None:
    with pytest.raises(ValueError, match="either 'finding' or 'compute'"):
        Field(name="x", description="x", side="neutral")
    with pytest.raises(ValueError, match="already registered"):
        register_field(Field(name="findings", description="x", side="neutral", finding=bool))
    with pytest.raises(ValueError, match="'neither'"):
        Field(name="x", description="x", side="neither", finding=bool)
