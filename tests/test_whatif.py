"""What would change the grade: the nearest higher grade and what stands in
its way, computed from the rule data."""

from __future__ import annotations

import itertools

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qifeval
from qifeval import Comparison, EvidenceSet, Finding, Grade, Improvement, Rule, RuleSet, Shortfall
from qifeval.evidence._fields import FIELDS, Side
from qifeval.reports._render import markdown_escape

from .strategies import QIF_2018, evidence_sets, one_qi
from .strategies import finding as f

FW = QIF_2018
RULES = qifeval.default_rules()
FIRST = qifeval.load_rules("qifeval-2018")


def result(*items: Finding, qi: str = "5.2", rules: RuleSet = RULES) -> qifeval.IndicatorResult:
    e = EvidenceSet(partnership="P", findings=items)
    return qifeval.evaluate(e, FW, rules, engine="python").result(qi)


def improve(*items: Finding, qi: str = "5.2", rules: RuleSet = RULES) -> Improvement:
    imp = result(*items, qi=qi, rules=rules).to_improve
    assert imp is not None
    return imp


# --- Worked cases with the default rules, qifeval-2026 ---------------------------


def test_default_an_important_weakness_holds_it_at_good() -> None:
    imp = improve(
        f("F1", weight="major"),
        f("F2", source="documentation"),
        f("F3", source="stakeholder_views"),
        f("F12", valence="weakness"),
    )
    assert (imp.current, imp.target) == (Grade.GOOD, Grade.VERY_GOOD)
    assert imp.text == (
        "To reach 5 Very good: F12 (important weakness) holds it at Good (rule "
        "important-weakness); lifted by weaknesses of weight important: none (now 1)."
    )


def test_default_strengths_from_two_kinds_need_a_third() -> None:
    imp = improve(f("F1", weight="major"), f("F2", weight="major", source="documentation"))
    assert (imp.current, imp.target) == (Grade.GOOD, Grade.VERY_GOOD)
    [hold] = imp.held_by
    assert (hold.rule, hold.findings) == ("strengths-not-triangulated", ("F1", "F2"))
    assert [(s.field, s.needed) for s in hold.lifted_by] == [
        ("consistent_strengths_triangulated", 1)
    ]


def test_default_too_little_evidence_asks_for_more_not_less() -> None:
    imp = improve(f("F1", weight="minor"))
    assert imp.current is None and imp.target is Grade.WEAK
    [hold] = imp.held_by
    assert hold.rule == "too-little-evidence"
    # More findings or a weightier strength; never "remove the finding", and
    # never "add a weakness".
    assert [(s.field, s.needed) for s in hold.lifted_by] == [
        ("findings_counted", 2),
        ("consistent_strengths_important_or_major", 1),
    ]


def test_default_strengths_that_add_up_are_a_route_to_very_good() -> None:
    imp = improve(
        f("F1", weight="important"),
        f("F2", source="documentation"),
        f("F3", source="stakeholder_views"),
    )
    assert (imp.current, imp.target) == (Grade.GOOD, Grade.VERY_GOOD)
    assert {r.rule for r in imp.routes} == {
        "very-good-major-strengths",
        "very-good-strengths-add-up",
    }
    assert imp.held_by == ()


# --- Worked cases with the first edition, qifeval-2018 ---------------------------


def test_an_important_weakness_holds_it_at_good() -> None:
    imp = improve(
        f("F1", weight="major"),
        f("F2", source="documentation"),
        f("F3", source="stakeholder_views"),
        f("F12", valence="weakness"),
        rules=FIRST,
    )
    assert (imp.current, imp.target) == (Grade.GOOD, Grade.VERY_GOOD)
    assert [r.unmet for r in imp.routes] == [()]
    [hold] = imp.held_by
    assert (hold.rule, hold.grade, hold.findings) == ("important-weakness", Grade.GOOD, ("F12",))
    [lift] = hold.lifted_by
    assert (lift.field, lift.current, lift.needed) == ("weaknesses_important", 1, 0)
    assert imp.text == (
        "To reach 5 Very good: F12 (important weakness) holds it at Good (rule "
        "important-weakness); lifted by weaknesses of weight important: none (now 1)."
    )


def test_strengths_not_corroborated_name_the_kinds_needed() -> None:
    imp = improve(
        f("F1", weight="major"), f("F2", weight="major", source="documentation"), rules=FIRST
    )
    assert imp.target is Grade.VERY_GOOD
    [hold] = imp.held_by
    assert hold.rule == "strengths-not-triangulated"
    assert hold.findings == ("F1", "F2")
    assert [(s.field, s.current, s.needed) for s in hold.lifted_by] == [
        ("strengths_triangulated", 0, 1)
    ]
    # The rule set's threshold is given its value in the words.
    assert "at least 3 distinct kinds of evidence: yes (now no)" in hold.text


def test_unmet_conditions_with_current_and_needed_values() -> None:
    imp = improve(
        f("F1", weight="minor"), f("F2", weight="minor", source="documentation"), rules=FIRST
    )
    assert (imp.current, imp.target) == (Grade.ADEQUATE, Grade.GOOD)
    [route] = imp.routes
    assert route.rule == "good-important-strengths"
    assert [(s.field, s.op, s.current, s.needed) for s in route.unmet] == [
        ("strengths_important_or_major", ">=", 0, 1)
    ]
    assert imp.held_by == ()


def test_a_comparison_with_another_field_gives_the_value_needed_now() -> None:
    # 2 Weak: strength points 3 do not exceed weakness points 3.
    imp = improve(f("S"), f("W", valence="weakness", source="documentation"), rules=FIRST)
    assert (imp.current, imp.target) == (Grade.WEAK, Grade.ADEQUATE)
    [s] = imp.routes[0].unmet
    assert (s.field, s.other, s.other_value, s.current, s.needed) == (
        "strength_points",
        "weakness_points",
        3,
        3,
        4,
    )
    assert s.text.startswith("the strengths' points added up: at least 4, the weaknesses'")


def test_withheld_grade_says_what_evidence_would_allow_one() -> None:
    imp = improve(f("F1", qi="1.1", source="documentation"), qi="1.1", rules=FIRST)
    assert imp.current is None and imp.target is Grade.WEAK
    [hold] = imp.held_by
    assert hold.rule == "insufficient-evidence" and hold.findings == ("F1",)
    # Not "add a critical weakness", and not "make it another indicator".
    assert [(s.field, s.needed) for s in hold.lifted_by] == [("documentation_only", 0)]
    assert imp.text.startswith("To get a grade (2 Weak): F1 (important strength) holds back")


def test_no_findings_says_a_finding_is_needed() -> None:
    imp = improve(rules=FIRST)
    assert imp.current is None and imp.target is Grade.WEAK
    assert [(s.field, s.needed) for s in imp.routes[0].unmet] == [("findings", 1)]


def test_excellent_has_nothing_to_improve() -> None:
    r = result(
        f("A", weight="major", sustained=True, sector_leading=True),
        f("B", source="performance_data"),
        f("C", source="stakeholder_views"),
        rules=FIRST,
    )
    assert r.suggested_grade is Grade.EXCELLENT and r.to_improve is None


# --- Any rule set ---------------------------------------------------------------


def test_custom_rule_set_with_other_names_and_fields() -> None:
    rules = RuleSet(
        name="custom",
        rules=[
            Rule(
                name="base",
                reason="any evidence",
                effect="suggest",
                grade=2,
                when=[Comparison(field="findings", op=">=", value=1)],
            ),
            Rule(
                name="lots",
                reason="corroborated",
                effect="suggest",
                grade=5,
                when=[
                    Comparison(field="strength_sources", op=">=", value=2),
                    Comparison(field="strengths_major", op=">", value=1),
                ],
            ),
            Rule(
                name="one",
                reason="one kind",
                effect="suggest",
                grade=5,
                when=[Comparison(field="sources", op=">=", value=4)],
            ),
            Rule(
                name="lid",
                reason="a weakness",
                effect="cap",
                grade=2,
                when=[Comparison(field="weaknesses", op=">=", value=1)],
            ),
        ],
    )
    imp = improve(f("S", weight="major"), f("W", valence="weakness"), rules=rules)
    # The nearest grade a rule suggests above 2 is 5 (no rule suggests 4).
    assert (imp.current, imp.target) == (Grade.WEAK, Grade.VERY_GOOD)
    # "one" needs one change, "lots" two: only the fewest are kept.
    assert [(r.rule, [s.field for s in r.unmet]) for r in imp.routes] == [("one", ["sources"])]
    assert imp.routes[0].unmet[0].text == "distinct kinds of evidence behind all findings: " + (
        "at least 4 (now 1)"
    )
    [hold] = imp.held_by
    assert (hold.rule, hold.findings) == ("lid", ("W",))
    assert [(s.field, s.needed) for s in hold.lifted_by] == [("weaknesses", 0)]


def test_rules_that_can_never_hold_are_not_offered() -> None:
    impossible = Rule(
        name="never",
        reason="no count is negative",
        effect="suggest",
        grade=4,
        when=[Comparison(field="findings", op="<", value=0)],
    )
    imp = improve(f("F1", weight="minor"), rules=FIRST.with_rules(impossible))
    assert imp.target is Grade.GOOD
    assert [r.rule for r in imp.routes] == ["good-important-strengths"]


def test_field_words_come_from_the_registry() -> None:
    registry = FIELDS["indicator"]
    assert "strengths of weight major" in registry["strengths_major"].description
    imp = improve(
        f("F1"), f("F2", source="documentation"), f("F3", source="stakeholder_views"), rules=FIRST
    )
    texts = [s.text for r in imp.routes for s in r.unmet]
    assert texts == ["strengths of weight major: at least 1 (now 0)"]


# --- Properties -----------------------------------------------------------------

any_evidence = evidence_sets(qi=st.sampled_from(["5.2", "1.1", "9.4"]), max_size=12)


@given(any_evidence)
def test_nearest_grade_is_above_the_current_and_only_excellent_has_none(e: EvidenceSet) -> None:
    suggest = sorted({r.grade for r in RULES.rules if r.effect is qifeval.Effect.SUGGEST})
    for r in qifeval.evaluate(e, FW, engine="python").results:
        imp = r.to_improve
        higher = [g for g in suggest if r.suggested_grade is None or g > r.suggested_grade]
        if imp is None:
            assert higher == []
            continue
        assert imp.current == r.suggested_grade
        assert r.suggested_grade is None or imp.target > r.suggested_grade
        assert imp.target == higher[0]
        # Every route's conditions are exactly its rule's comparisons that fail.
        for route in imp.routes:
            rule = RULES.rule(route.rule)
            assert route.grade == imp.target == rule.grade
            failing = [c.field for c in rule.when if not c.holds(r.profile.counts)]
            assert [s.field for s in route.unmet] == failing
        # A rule already met leaves only the rules holding the grade down.
        if any(not route.unmet for route in imp.routes):
            assert imp.held_by


@given(any_evidence)
def test_both_engines_give_the_same_answer(e: EvidenceSet) -> None:
    durable = qifeval.evaluate(e, FW, engine="durable")
    python = qifeval.evaluate(e, FW, engine="python")
    assert [r.to_improve for r in durable.results] == [r.to_improve for r in python.results]


@given(any_evidence, st.randoms(use_true_random=False))
def test_deterministic_and_independent_of_the_order_of_findings(e: EvidenceSet, rnd) -> None:
    shuffled = list(e.findings)
    rnd.shuffle(shuffled)
    a = qifeval.evaluate(e, FW, engine="python")
    b = qifeval.evaluate(attrs.evolve(e, findings=shuffled), FW, engine="python")
    c = qifeval.evaluate(e, FW, engine="python")
    assert [r.to_improve for r in a.results] == [r.to_improve for r in b.results]
    assert [r.to_improve for r in a.results] == [r.to_improve for r in c.results]


# Findings to add when following the advice: every shape a finding can have.
_PALETTE = [
    Finding(
        id="X",
        qi="5.2",
        statement="added",
        valence=valence,
        weight=weight,
        source=source,
        critical=critical,
        sustained=flag,
        sector_leading=flag,
    )
    for valence, weight, source, critical, flag in itertools.product(
        ("strength", "weakness"),
        ("minor", "important", "major"),
        list(qifeval.SourceKind),
        (False, True),
        (False, True),
    )
    if not (valence == "strength" and critical) and not (valence == "weakness" and flag)
]


def _counts(items: list[Finding], qi: str) -> dict[str, int]:
    e = EvidenceSet(partnership="P", findings=items)
    return dict(qifeval.profiles(e, FW, RULES.points)[qi].counts)


def _follow(items: list[Finding], s: Shortfall, qi: str, cited: tuple[str, ...]) -> list[Finding]:
    """One change in the direction *s* asks for: add the finding that moves
    the field towards the value needed (preferring one that makes the most
    strength fields rise), or remove a finding behind the field."""
    before = _counts(items, qi)
    strength_fields = [n for n, fl in FIELDS["indicator"].items() if fl.side is Side.STRENGTH]
    up = s.needed > s.current
    taken = {x.id for x in items}
    new_id = next(f"X{n}" for n in itertools.count() if f"X{n}" not in taken)
    best: tuple[tuple[int, int, int], Finding] | None = None
    for k, candidate in enumerate(_PALETTE):
        added = attrs.evolve(candidate, id=new_id, qi=qi)
        after = _counts([*items, added], qi)
        moved = after[s.field] - before[s.field]
        towards = (moved > 0) if up else (moved < 0)
        stronger = sum(after[n] > before[n] for n in strength_fields)
        # A field that one finding cannot move (a threshold on kinds of
        # evidence, say) moves with stronger evidence: add the strongest.
        if towards or (up and added.is_strength):
            rank = (int(towards), stronger, -k)
            if best is None or rank > best[0]:
                best = (rank, added)
    side = FIELDS["indicator"][s.field].side
    if not up and cited and (side is Side.WEAKNESS or best is None or not best[0][0]):
        return [x for x in items if x.id != cited[0]]
    assert best is not None and (up or best[0][0]), f"nothing moves {s.field} to {s.needed}"
    return [*items, best[1]]


@settings(max_examples=40)
@given(evidence_sets(qi=one_qi(), max_size=10), st.sampled_from(["5.2", "1.1"]))
def test_following_the_advice_reaches_at_least_the_nearest_grade(e: EvidenceSet, qi: str) -> None:
    items = [attrs.evolve(x, qi=qi, illustration=None, key_factor=None) for x in e.findings]
    first = result(*items, qi=qi)
    if first.to_improve is None:
        return
    target = first.to_improve.target
    for _ in range(40):
        r = result(*items, qi=qi)
        if r.suggested_grade is not None and r.suggested_grade >= target:
            break
        imp = r.to_improve
        assert imp is not None
        route = imp.routes[0]
        if route.unmet:
            s, cited = route.unmet[0], r.profile.finding_ids[route.unmet[0].field]
        else:
            hold = imp.held_by[0]
            s = hold.lifted_by[0]
            cited = tuple(i for i in r.profile.finding_ids[s.field] if i in hold.findings)
        items = _follow(items, s, qi, cited)
    else:
        pytest.fail(f"following the advice did not reach {target}")
    durable = EvidenceSet(partnership="P", findings=items)
    for engine in ("durable", "python"):
        grade = qifeval.evaluate(durable, FW, engine=engine).result(qi).suggested_grade
        assert grade is not None and grade >= target


# --- Saved and reported -----------------------------------------------------------


def test_saved_evaluations_derive_it_on_loading(tmp_path) -> None:
    e = qifeval.evaluate(
        EvidenceSet(partnership="P", findings=[f("F1"), f("F12", valence="weakness")]),
        engine="python",
    )
    path = tmp_path / "e.json"
    text = qifeval.dump_evaluation(e, path)
    assert "to_improve" not in text
    loaded = qifeval.load_evaluation(path)
    assert loaded == e
    assert loaded.result("5.2").to_improve == e.result("5.2").to_improve is not None


def test_a_saved_document_that_gives_it_wrongly_is_refused(tmp_path) -> None:
    import json

    e = qifeval.evaluate(EvidenceSet(partnership="P", findings=[f("F1")]), engine="python")
    raw = json.loads(qifeval.dump_evaluation(e))
    i = [r["qi"] for r in raw["results"]].index("5.2")
    wrong = qifeval.evaluate(
        EvidenceSet(partnership="P", findings=[f("F1", weight="major")]), engine="python"
    ).result("5.2")
    from qifeval import _convert

    raw["results"][i]["to_improve"] = _convert.converter.unstructure(wrong.to_improve)
    path = tmp_path / "e.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(qifeval.InconsistentEvaluationError, match=r"results\['5.2'\]\.to_improve"):
        qifeval.load_evaluation(path)


def test_every_report_shows_it() -> None:
    e = qifeval.evaluate(
        EvidenceSet(partnership="P", findings=[f("F1"), f("F12", valence="weakness")]),
        engine="python",
    )
    text = e.result("5.2").to_improve.text  # type: ignore[union-attr]
    assert text.startswith("To reach ")
    md = qifeval.markdown_report(e)
    assert markdown_escape(text) in md
    html = qifeval.html_report(e)
    assert str(__import__("markupsafe").escape(text)) in html
    shown = qifeval.json_report(e)["indicators"]
    [five_two] = [x for x in shown if x["qi"] == "5.2"]
    assert five_two["to_improve"]["text"] == text
    assert five_two["to_improve"]["target"] == int(e.result("5.2").to_improve.target)  # type: ignore[union-attr]
    assert five_two["to_improve"]["routes"][0]["unmet"][0]["text"] in text
