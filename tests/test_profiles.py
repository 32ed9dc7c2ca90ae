"""Evaluating for an inspection model: what the profile grades, its
statements and their links, findings naming a statement, and the
2018/2019 model's leadership domain."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import qifeval
from qifeval._cli import main
from qifeval.evaluation._document import evaluation_to_dict
from qifeval.evaluation._profile import domain_grade
from qifeval.frameworks._inspections import inspection_profiles_from_dict
from tests.strategies import evidence_sets, finding

FW = qifeval.load_framework("qif-2018")
CARH = "children-at-risk-of-harm-2021"
DAY = dt.date(2026, 9, 30)


def _evidence(*findings: qifeval.Finding) -> qifeval.EvidenceSet:
    return qifeval.EvidenceSet(partnership="P", framework="qif-2018", findings=list(findings))


def _mixed() -> qifeval.EvidenceSet:
    kinds = ["practice", "stakeholder_views", "performance_data"]
    return _evidence(
        *(finding(f"A{i}", qi="2.1", source=kinds[i]) for i in range(3)),
        *(finding(f"B{i}", qi="5.2", source=kinds[i]) for i in range(3)),
        finding("C1", qi="5.2", valence="weakness", critical=True, proportion=0.3, sample=40),
        finding("D1", qi="9.2", source="documentation"),
        finding("D2", qi="9.3", weight="major", source="stakeholder_views"),
    )


# --- The profiles' data ------------------------------------------------------------


def test_the_2021_statements_are_linked_with_reasons() -> None:
    p = qifeval.inspection_profile(CARH)
    assert p.question_ids() == ("S1", "S2", "S3", "S4")
    for q in p.questions:
        assert q.indicators and q.reason, q.id
    # Every indicator of the framework evidences some statement, so no
    # finding is left out of the position statement.
    linked = {qi for q in p.questions for qi in q.indicators}
    assert linked == {qi.id for qi in FW.indicators}
    # The graded indicator is linked to the statement about lives improving.
    assert [q.id for q in p.questions if "2.1" in q.indicators] == ["S2"]
    assert "qifeval's mapping" in p.mapping


def test_the_2018_leadership_domain() -> None:
    p = qifeval.inspection_profile("joint-2018")
    (domain,) = p.domains
    assert domain.indicators == ("9.1", "9.2", "9.3", "9.4")
    assert "ambiguous" in domain.method or "does not say" in domain.method
    assert p.domain_of("9.3") is domain and p.domain_of("2.1") is None


def test_a_key_factor_link_is_checked() -> None:
    raw = {
        "schema_version": 1,
        "profiles": [
            {
                "id": "x",
                "title": "X",
                "framework": "qif-2018",
                "graded": ["2.1"],
                "questions": [{"id": "A", "text": "A?", "key_factors": ["2.1/key_factor/9"]}],
            }
        ],
    }
    with pytest.raises(qifeval.FrameworkError) as info:
        inspection_profiles_from_dict(raw, file="p.toml")
    assert info.value.path == "profiles[0].questions[0].key_factors[0]"
    assert "no key factor '2.1/key_factor/9'" in info.value.problem
    raw["profiles"][0]["questions"] = [{"id": "A", "text": "A?"}, {"id": "A", "text": "B?"}]
    with pytest.raises(qifeval.FrameworkError, match="duplicate question id") as info:
        inspection_profiles_from_dict(raw, file="p.toml")
    assert info.value.path == "profiles[0].questions[1].id"
    raw["profiles"][0]["questions"] = []
    raw["profiles"][0]["domains"] = [{"id": "d", "title": "D", "indicators": ["9.1"]}]
    with pytest.raises(qifeval.FrameworkError, match="not graded by x"):
        inspection_profiles_from_dict(raw, file="p.toml")


def test_framework_fixes_from_the_seeds() -> None:
    qi = FW.indicator("9.1")
    assert qi.title == "Vision, values and aims"
    assert "Visions, values and aims" in qi.aliases
    assert all(q.text.endswith("?") for q in FW.questions)
    assert "How good can we be?" in FW.info.self_evaluation_questions


# --- Evaluating with a profile ------------------------------------------------------


def test_only_the_profiles_indicators_are_graded() -> None:
    plain = qifeval.evaluate(_mixed(), FW)
    e = qifeval.evaluate(_mixed(), FW, profile=CARH)
    assert e.profile == CARH
    for before, after in zip(plain.results, e.results, strict=True):
        # Evidence and explanation are kept for every indicator.
        assert (after.findings, after.rules_fired) == (before.findings, before.rules_fired)
        assert after.triangulation == before.triangulation
        if after.qi == "2.1":
            assert after.suggested_grade == before.suggested_grade is not None
        else:
            assert after.suggested_grade is None
            assert after.no_grade_reason == qifeval.NOT_GRADED
    assert plain.result("5.2").suggested_grade is not None
    assert "not graded in this model" in qifeval.markdown_report(e)


def test_decisions_only_on_graded_indicators() -> None:
    e = qifeval.evaluate(_mixed(), FW, profile=CARH)
    confirmed = e.confirm("2.1", role="Lead officer", date=DAY)
    assert confirmed.decision("2.1") is not None
    with pytest.raises(qifeval.InputError, match="no suggested grade"):
        e.confirm("5.2", role="Lead officer", date=DAY)
    with pytest.raises(qifeval.InconsistentEvaluationError, match="does not grade") as info:
        e.override("5.2", 3, role="Lead officer", rationale="we think so", date=DAY)
    assert info.value.path == "decisions[0].qi"


def test_a_profiled_evaluation_round_trips(tmp_path: Path) -> None:
    e = qifeval.evaluate(_mixed(), FW, profile=CARH).confirm("2.1", role="Lead", date=DAY)
    qifeval.dump_evaluation(e, tmp_path / "e.json")
    assert qifeval.load_evaluation(tmp_path / "e.json") == e
    # A hand-edited profile is refused: the results no longer agree.
    raw = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    raw["profile"] = "joint-2018"
    (tmp_path / "f.json").write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(qifeval.InputError):
        qifeval.load_evaluation(tmp_path / "f.json")


def test_a_profile_must_fit_the_framework_and_statements() -> None:
    with pytest.raises(qifeval.InputError, match="is for framework 'qif-2014'") as info:
        qifeval.evaluate(_mixed(), FW, profile="joint-2014-16")
    assert info.value.path == "framework"
    with pytest.raises(qifeval.UnknownIndicatorError) as unknown:
        qifeval.evaluate(_mixed(), FW, profile="children-at-risk-of-harm")
    assert CARH in unknown.value.suggestions
    bad = _evidence(finding("F1"), finding("F2", inspection_statement="S5"))
    with pytest.raises(qifeval.InputError, match="has no statement 'S5'") as info:
        qifeval.evaluate(bad, FW, profile=CARH)
    assert (info.value.path, info.value.finding_id) == ("findings[1].inspection_statement", "F2")
    # Without a profile the statement is not used, and so not checked.
    qifeval.evaluate(bad, FW)
    with pytest.raises(qifeval.InputError, match="inspection_statement"):
        finding("F3", inspection_statement=" ")


def test_findings_are_placed_by_statement_key_factor_then_indicator() -> None:
    ev = _evidence(
        finding("F1", qi="5.2"),  # 5.2 is linked to S1
        finding("F2", qi="2.1", key_factor="2.1/key_factor/1"),  # key factor linked to S3
        finding("F3", qi="2.1"),  # 2.1 is linked to S2
        finding("F4", qi="9.2", inspection_statement="S1"),  # named directly
    )
    pe = qifeval.apply_profile(qifeval.evaluate(ev, FW), CARH)
    placed = {s.id: s.findings for s in pe.statements}
    assert placed == {"S1": ("F1", "F4"), "S2": ("F3",), "S3": ("F2",), "S4": ()}
    assert pe.unplaced == ()
    s2 = pe.statements[1]
    assert [r.qi for r in s2.graded] == ["2.1"]
    assert any("2.1 Impact on children and young people" in m for m in s2.key_messages())


def test_apply_profile_refuses_another_profile_than_the_evaluations() -> None:
    e = qifeval.evaluate(_mixed(), FW, profile=CARH)
    assert qifeval.apply_profile(e).profile.id == CARH
    with pytest.raises(qifeval.InputError, match="made for inspection profile"):
        qifeval.apply_profile(e, "joint-2018")
    with pytest.raises(qifeval.InputError, match="without an inspection profile"):
        qifeval.apply_profile(qifeval.evaluate(_mixed(), FW))


def test_a_weak_statement_leads_with_its_weaknesses() -> None:
    pe = qifeval.apply_profile(qifeval.evaluate(_mixed(), FW, profile=CARH))
    s1 = pe.statements[0]
    assert s1.critical == ("C1",) and s1.leads_with_weaknesses
    assert s1.weaknesses[0] == "C1"
    assert not pe.statements[1].leads_with_weaknesses


def test_the_leadership_domain_is_one_evaluation() -> None:
    e = qifeval.evaluate(_mixed(), FW, profile="joint-2018")
    pe = qifeval.apply_profile(e)
    (d,) = pe.domains
    grades = [g for _, g in d.grades]
    assert d.grade == domain_grade(grades)
    assert [qi for qi, _ in d.grades] == ["9.1", "9.2", "9.3", "9.4"]
    assert not d.decided


# --- Properties -------------------------------------------------------------------

grades = st.none() | st.sampled_from(qifeval.Grade)


@given(st.lists(grades, min_size=1, max_size=4), st.integers(0, 3), st.sampled_from(qifeval.Grade))
def test_the_domain_grade_is_within_its_grades_and_never_falls_when_one_rises(
    gs: list[qifeval.Grade | None], i: int, higher: qifeval.Grade
) -> None:
    g = domain_grade(gs)
    known = [x for x in gs if x is not None]
    if not known:
        assert g is None
        return
    assert g is not None and min(known) <= g <= max(known)
    assert g <= min(known) + 1  # one weak indicator is never hidden
    i %= len(gs)
    current = gs[i]
    if current is not None and higher >= current:
        raised = [*gs[:i], higher, *gs[i + 1 :]]
        after = domain_grade(raised)
        assert after is not None and after >= g


@given(evidence_sets(max_size=12), st.sampled_from(["joint-2018", CARH]))
def test_a_profile_never_changes_the_grade_of_an_indicator_it_grades(
    ev: qifeval.EvidenceSet, profile_id: str
) -> None:
    plain = qifeval.evaluate(ev, FW, engine="python")
    profiled = qifeval.evaluate(ev, FW, engine="python", profile=profile_id)
    graded = qifeval.inspection_profile(profile_id).graded
    for a, b in zip(plain.results, profiled.results, strict=True):
        if a.qi in graded:
            assert b == a
        else:
            assert b.suggested_grade is None and b.no_grade_reason == qifeval.NOT_GRADED
            assert attrs.evolve(b, suggested_grade=a.suggested_grade) == attrs.evolve(
                a, no_grade_reason=b.no_grade_reason, to_improve=None
            )


@given(evidence_sets(max_size=12))
def test_without_a_profile_the_saved_evaluation_is_todays(ev: qifeval.EvidenceSet) -> None:
    e = qifeval.evaluate(ev, FW, engine="python")
    assert e.profile is None
    assert "profile" not in evaluation_to_dict(e)
    assert all(r.no_grade_reason != qifeval.NOT_GRADED for r in e.results)


# --- Command line -------------------------------------------------------------------


def test_cli_evaluate_with_a_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "f.json"
    qifeval.dump_findings(_mixed(), src)
    saved = tmp_path / "e.json"
    code = main(["evaluate", str(src), "--profile", CARH, "--save", str(saved), "-o", "-"])
    assert code == 0
    assert qifeval.load_evaluation(saved).profile == CARH
    assert "not graded in this model" in capsys.readouterr().out
    code = main(["evaluate", str(src), "--profile", "joint-2014-16"])
    assert code == 1
    assert "is for framework 'qif-2014'" in capsys.readouterr().err
    code = main(["report", str(saved), "--profile", CARH])
    assert code == 1
    assert "--format position-statement" in capsys.readouterr().err


@given(evidence_sets(max_size=15), st.sampled_from(["joint-2018", CARH]))
def test_each_finding_is_placed_where_its_own_links_place_it(
    ev: qifeval.EvidenceSet, profile_id: str
) -> None:
    # findings that share an indicator, key factor and named statement are
    # placed once for all of them: as each would be on its own
    from qifeval.evaluation._profile import _placements

    p = qifeval.inspection_profile(profile_id)
    pe = qifeval.apply_profile(qifeval.evaluate(ev, FW, engine="python", profile=profile_id))
    for s in pe.statements:
        assert set(s.findings) == {f.id for f in ev.findings if s.id in _placements(p, f)}
    assert pe.unplaced == tuple(f.id for f in ev.findings if not _placements(p, f))
