import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import qifeval
from qifeval import EvidenceSet, Finding, Grade, RulesError, SourceKind
from qifeval.rules import _durable
from qifeval.rules._model import rules_from_dict, rules_to_dict

from .strategies import QIF_2018, evidence_sets, findings
from .strategies import finding as f

FW = QIF_2018
#: The scenarios and properties above the qifeval-2026 section are of the first
#: edition, which stays loadable by name for the evaluations made with it.
RULES = qifeval.load_rules("qifeval-2018")


def evaluate(
    e: EvidenceSet, fw: qifeval.Framework = FW, rules: qifeval.RuleSet | None = None, **kw
) -> qifeval.Evaluation:
    return qifeval.evaluate(e, fw, rules or RULES, **kw)


def grade_of(*items: Finding, qi: str = "5.2") -> Grade | None:
    e = EvidenceSet(partnership="P", findings=items)
    return evaluate(e, FW).result(qi).suggested_grade


THREE = ("practice", "performance_data", "stakeholder_views")


# --- Scenarios written from the six-point scale ------------------------------


def test_excellent_sustained_sector_leading_triangulated_no_weaknesses() -> None:
    assert (
        grade_of(
            f("A", weight="major", source="practice", sustained=True, sector_leading=True),
            f("B", weight="important", source="performance_data"),
            f("C", weight="important", source="stakeholder_views"),
        )
        is Grade.EXCELLENT
    )


def test_very_good_major_strengths_very_few_minor_improvements() -> None:
    assert (
        grade_of(
            f("A", weight="major", source="practice"),
            f("B", weight="important", source="performance_data"),
            f("C", weight="important", source="stakeholder_views"),
            f("W", valence="weakness", weight="minor", source="practice"),
        )
        is Grade.VERY_GOOD
    )


def test_good_important_strengths_clearly_outweigh_areas_for_improvement() -> None:
    assert (
        grade_of(
            f("A", weight="important", source="practice"),
            f("B", weight="important", source="performance_data"),
            f("W", valence="weakness", weight="important", source="stakeholder_views"),
        )
        is Grade.GOOD
    )


def test_adequate_strengths_just_outweigh_weaknesses() -> None:
    assert (
        grade_of(
            f("A", weight="important", source="practice"),
            f("B", weight="minor", source="performance_data"),
            f("W", valence="weakness", weight="important", source="stakeholder_views"),
        )
        is Grade.ADEQUATE
    )


def test_weak_important_weaknesses_strengths_do_not_outweigh() -> None:
    assert (
        grade_of(
            f("A", weight="minor", source="practice"),
            f("W", valence="weakness", weight="important", source="stakeholder_views"),
            f("X", valence="weakness", weight="important", source="practice"),
        )
        is Grade.WEAK
    )


def test_unsatisfactory_major_weakness_in_a_critical_aspect() -> None:
    assert (
        grade_of(
            f("A", weight="major", source="practice"),
            f("B", weight="major", source="performance_data"),
            f("C", weight="major", source="stakeholder_views"),
            f("W", valence="weakness", weight="major", source="practice", critical=True),
        )
        is Grade.UNSATISFACTORY
    )


def test_high_grades_need_triangulated_strengths() -> None:
    r = evaluate(
        EvidenceSet(
            partnership="P",
            findings=[
                f("A", weight="major", source="practice", sustained=True, sector_leading=True),
                f("B", weight="major", source="practice"),
            ],
        ),
        FW,
    ).result("5.2")
    assert r.suggested_grade is Grade.GOOD
    decisive = [x.name for x in r.rules_fired if x.decisive]
    assert decisive == ["strengths-not-triangulated"]


def test_no_grade_without_findings_or_with_documentation_only_outcomes() -> None:
    e = EvidenceSet(partnership="P", findings=[f("A", qi="2.1", source="documentation")])
    ev = evaluate(e, FW)
    assert ev.result("5.2").suggested_grade is None
    assert "no findings" in ev.result("5.2").no_grade_reason
    r = ev.result("2.1")
    assert r.suggested_grade is None
    assert "policy document" in r.no_grade_reason
    assert [x.name for x in r.rules_fired if x.decisive] == ["insufficient-evidence"]


def test_documentation_only_critical_concern_is_not_discounted() -> None:
    r = evaluate(
        EvidenceSet(
            partnership="P",
            findings=[
                f(
                    "W",
                    qi="1.1",
                    valence="weakness",
                    weight="major",
                    source="documentation",
                    critical=True,
                )
            ],
        ),
        FW,
    ).result("1.1")
    assert r.suggested_grade is Grade.UNSATISFACTORY
    assert r.triangulation.to_corroborate == ("W",)


def test_explanation_lists_rules_in_order_with_findings() -> None:
    r = evaluate(
        EvidenceSet(
            partnership="P",
            findings=[
                f("A", weight="major"),
                f("W", valence="weakness", weight="important", source="documentation"),
            ],
        ),
        FW,
    ).result("5.2")
    names = [x.name for x in r.rules_fired]
    assert names == [
        "weak-baseline",
        "adequate-strengths-outweigh",
        "good-important-strengths",
        "very-good-major-strengths",
        "important-weakness",
        "any-weakness",
        "strengths-not-triangulated",
    ]
    assert [x.priority for x in r.rules_fired] == sorted(x.priority for x in r.rules_fired)
    by_name = {x.name: x for x in r.rules_fired}
    assert by_name["important-weakness"].evidence == ("W",)
    assert by_name["strengths-not-triangulated"].evidence == ("A",)
    assert "important-weakness" in r.explain()


# --- Properties ---------------------------------------------------------------


@given(evidence_sets(max_size=30), st.randoms())
def test_permutation_invariance(e: EvidenceSet, rnd) -> None:
    shuffled = list(e.findings)
    rnd.shuffle(shuffled)
    a = evaluate(e, FW)
    b = evaluate(e.with_findings(shuffled), FW)
    assert a.results == b.results
    assert a.capacity == b.capacity


def _graded_pair(e: EvidenceSet, extra: Finding):
    before = evaluate(e, FW).result(extra.qi).suggested_grade
    after = evaluate(e.with_findings([*e.findings, extra]), FW).result(extra.qi).suggested_grade
    return before, after


@given(evidence_sets(qi=st.sampled_from(["5.2", "2.1"]), max_size=12), st.data())
def test_adding_a_strength_never_lowers_a_grade(e: EvidenceSet, data) -> None:
    extra = data.draw(
        findings(qi=st.sampled_from(["5.2", "2.1"]), valence=st.just("strength"), id="NEW")
    )
    before, after = _graded_pair(e, extra)
    if before is not None and after is not None:
        assert after >= before


@given(evidence_sets(qi=st.sampled_from(["5.2", "2.1"]), max_size=12), st.data())
def test_adding_a_weakness_never_raises_a_grade(e: EvidenceSet, data) -> None:
    extra = data.draw(
        findings(qi=st.sampled_from(["5.2", "2.1"]), valence=st.just("weakness"), id="NEW")
    )
    before, after = _graded_pair(e, extra)
    if before is not None and after is not None:
        assert after <= before


@given(evidence_sets(max_size=25), st.data())
def test_critical_major_weakness_gives_unsatisfactory(e: EvidenceSet, data) -> None:
    bad = data.draw(findings(valence=st.just("weakness"), id="CRIT"))
    bad = attrs.evolve(bad, weight="major", critical=True)
    ev = evaluate(e.with_findings([*e.findings, bad]), FW)
    assert ev.result(bad.qi).suggested_grade is Grade.UNSATISFACTORY


@given(evidence_sets(max_size=40))
def test_high_grades_only_with_three_strength_sources(e: EvidenceSet) -> None:
    for r in evaluate(e, FW).results:
        if r.suggested_grade is not None and r.suggested_grade >= Grade.VERY_GOOD:
            assert len(r.triangulation.strength_sources) >= 3


@given(evidence_sets(max_size=40))
def test_every_fired_rule_cites_findings_that_exist(e: EvidenceSet) -> None:
    by_id = {x.id: x for x in e.findings}
    for r in evaluate(e, FW).results:
        assert r.rules_fired, "at least one rule fires for every indicator"
        for fired in r.rules_fired:
            for fid in fired.evidence:
                assert fid in by_id and by_id[fid].qi == r.qi
        assert (r.suggested_grade is None) == (r.no_grade_reason is not None)
        assert any(x.decisive for x in r.rules_fired) or r.suggested_grade is None


@given(evidence_sets(max_size=40))
def test_durable_engine_equals_python_evaluator(e: EvidenceSet) -> None:
    assert evaluate(e, FW).results == evaluate(e, FW, engine="python").results


@given(
    evidence_sets(max_size=40),
    st.lists(
        st.integers(-1_000_000, 1_000_000) | st.sampled_from([-1, 0, 65_535, 65_536, 70_000]),
        min_size=len(RULES.rules),
        max_size=len(RULES.rules),
    ),
)
def test_durable_engine_equals_reference_for_any_priorities(e: EvidenceSet, priorities) -> None:
    """Negative priorities, and priorities beyond durable-rules' 16 bits,
    fire in the same order on both engines."""
    rules = RULES.with_rules(
        *(attrs.evolve(r, priority=p) for r, p in zip(RULES.rules, priorities, strict=True))
    )
    durable = evaluate(e, FW, rules).results
    assert durable == evaluate(e, FW, rules, engine="python").results
    for r in durable:
        fired = [x.priority for x in r.rules_fired]
        assert fired == sorted(fired)


@given(evidence_sets(max_size=40), st.integers(0, 5), st.integers(0, 12), st.integers(0, 30))
def test_parity_holds_for_other_points(e: EvidenceSet, minor, important, major) -> None:
    rules = RULES.with_points(minor=minor, important=important, major=major)
    assert evaluate(e, FW, rules).results == evaluate(e, FW, rules, engine="python").results


# --- Custom rules ---------------------------------------------------------------


def test_rules_round_trip_and_amendment(tmp_path) -> None:
    assert rules_from_dict(rules_to_dict(RULES)) == RULES
    amend = tmp_path / "mine.toml"
    amend.write_text(
        'schema_version = 1\nbase = "qifeval-2018"\nname = "stricter"\nremove = ["any-weakness"]\n'
        "[points]\nmajor = 12\n"
        '[[rules]]\nname = "several-minor-weaknesses"\neffect = "cap"\ngrade = 4\npriority = 74\n'
        'reason = "At most Good with two or more minor weaknesses."\n'
        'when = [{ field = "weaknesses_minor", op = ">=", value = 2 }]\n',
        encoding="utf-8",
    )
    mine = qifeval.load_rules(amend)
    assert mine.name == "stricter"
    assert mine.points.major == 12 and mine.points.minor == 1
    assert "any-weakness" not in [r.name for r in mine.rules]
    assert mine.rule("several-minor-weaknesses").when[0].value == 2
    assert len(mine.rules) == len(RULES.rules) - 1
    e = EvidenceSet(
        partnership="P",
        findings=[
            f("A", weight="major", source="practice"),
            f("B", source="performance_data"),
            f("C", source="stakeholder_views"),
            f("W1", valence="weakness", weight="minor"),
            f("W2", valence="weakness", weight="minor"),
        ],
    )
    assert evaluate(e, FW).result("5.2").suggested_grade is Grade.VERY_GOOD
    assert evaluate(e, FW, amend).result("5.2").suggested_grade is Grade.GOOD


@pytest.mark.parametrize(
    ("body", "path", "message"),
    [
        (
            '[[rules]]\nname="x"\nreason="r"\neffect="cap"\ngrade=4\nwhen=[{field="strenghts", op=">=", value=1}]',
            "rules[0].when[0].field",
            "did you mean 'strengths'",
        ),
        (
            '[[rules]]\nname="x"\nreason="r"\neffect="cap"\ngrade=4\nwhen=[{field="strengths", op="=>", value=1}]',
            "rules[0].when[0].op",
            "expected one of",
        ),
        (
            '[[rules]]\nname="x"\nreason="r"\neffect="cap"\nwhen=[{field="strengths", op=">=", value=1}]',
            "rules[0].grade",
            "needs a grade",
        ),
        (
            '[[rules]]\nname="x"\nreason="r"\neffect="cap"\ngrade=9\nwhen=[{field="strengths", op=">=", value=1}]',
            "rules[0].grade",
            "expected a grade",
        ),
        (
            '[[rules]]\nname="x"\nreason=""\neffect="cap"\ngrade=4\nwhen=[{field="strengths", op=">=", value=1}]',
            "rules[0].reason",
            "explains itself",
        ),
        (
            '[[rules]]\nname="x"\nreason="r"\neffect="boost"\ngrade=4\nwhen=[{field="strengths", op=">=", value=1}]',
            "rules[0].effect",
            "'suggest', 'cap', 'withhold'",
        ),
        (
            '[[rules]]\nname="x"\nreason="r"\neffect="cap"\ngrade=4\nwhen=[{field="strengths", op=">=", value=1, other="weaknesses"}]',
            "rules[0].when[0]",
            "not both",
        ),
        (
            '[[rules]]\nname="x"\nreason="r"\neffect="cap"\ngrade=4\nwhen=[]',
            "rules[0].when",
            "at least one",
        ),
        ("[points]\nminor=-1\n", "points.minor", "from 0 to 1000000"),
        (
            '[[rules]]\nname="x"\nreason="r"\neffect="cap"\ngrade=4\nwhen=[{field="strengths", op=">=", value=100000000000000000000}]',
            "rules[0].when[0].value",
            "from -1000000 to 1000000",
        ),
        (
            '[[rules]]\nname="x"\nreason="r"\neffect="cap"\ngrade=4\npriority=99999999999\nwhen=[{field="strengths", op=">=", value=1}]',
            "rules[0].priority",
            "from -1000000",
        ),
        ('remove = ["nope"]\n', "remove", "no rule named 'nope'"),
        ("[triangulation]\npartial = 4\n", "triangulation", "expected 1 <= partial"),
        ("[triangulation]\ntriangulated = 5\n", "triangulation", "<= 4 (the source kinds)"),
        ('colour = "red"\n', "", "unknown key(s) 'colour'"),
    ],
)
def test_rules_file_errors(tmp_path, body, path, message) -> None:
    p = tmp_path / "rules.toml"
    p.write_text(
        'schema_version = 1\nbase = "default"\nname = "mine"\n' + body + "\n", encoding="utf-8"
    )
    with pytest.raises(RulesError) as info:
        qifeval.load_rules(p)
    assert info.value.path == path
    assert message in info.value.problem
    assert str(info.value).startswith(str(p))


# --- Engine ---------------------------------------------------------------------


def test_threads_give_the_same_results_as_sequential_runs(in_threads) -> None:
    inputs = [
        EvidenceSet(
            partnership=f"P{i}",
            findings=[
                f(
                    f"F{j}",
                    qi=qi,
                    valence="strength" if (i + j) % 3 else "weakness",
                    weight=("minor", "important", "major")[(i * j) % 3],
                    source=THREE[(i + j) % 3],
                )
                for j, qi in enumerate(["5.2", "2.1", "9.4", "6.1", "1.1"] * (1 + i % 3))
            ],
        )
        for i in range(16)
    ]
    expected = [evaluate(e, FW).results for e in inputs]
    got: dict[tuple[int, int], object] = {}

    def work(t: int) -> None:
        for k in range(25):
            i = (t * 7 + k) % len(inputs)
            got[(t, k)] = evaluate(inputs[i], FW).results == expected[i]

    assert in_threads(work, 8) == []
    assert len(got) == 200 and all(got.values())


def test_many_evaluations_never_exceed_the_session_cap() -> None:
    e = EvidenceSet(partnership="P", findings=[f("A"), f("W", valence="weakness", qi="2.1")])
    first = evaluate(e, FW).results
    for _ in range(2000):  # twice the 1,024 live sessions durable-rules allows
        assert evaluate(e, FW).results == first


def test_engine_close_frees_its_ruleset() -> None:
    before = _durable.live_engines()
    with _durable.DurableEngine(RULES) as engine:
        assert _durable.live_engines() == before + 1
        assert engine.fire([]) == {}
    assert _durable.live_engines() == before
    engine.close()  # idempotent
    with pytest.raises(qifeval.EngineError, match="closed"):
        engine.fire([])


def test_custom_rule_sets_do_not_pile_up_engines() -> None:
    e = EvidenceSet(partnership="P", findings=[f("A")])
    for major in range(20):
        evaluate(e, FW, RULES.with_points(major=major))
    assert _durable.live_engines() <= 8
    qifeval.engine_cache_clear()
    assert _durable.live_engines() == 0


def test_rules_built_in_python_take_plain_values() -> None:
    cap = qifeval.Rule(
        name="cap-all",
        reason="Test cap.",
        effect="cap",
        grade="adequate",
        when=[qifeval.Comparison(field="findings", op=">=", value=1)],
    )
    assert cap.effect is qifeval.Effect.CAP and cap.grade is Grade.ADEQUATE
    rules = RULES.with_rules(cap)
    e = EvidenceSet(partnership="P", findings=[f("A", weight="major")])
    assert evaluate(e, FW, rules).result("5.2").suggested_grade is Grade.ADEQUATE


def test_a_cap_equal_to_the_highest_suggestion_is_decisive_too() -> None:
    r = evaluate(
        EvidenceSet(
            partnership="P",
            findings=[
                f("A", weight="minor"),
                f("W", valence="weakness", weight="important", critical=True),
            ],
        ),
        FW,
    ).result("5.2")
    assert r.suggested_grade is Grade.WEAK
    assert [x.name for x in r.rules_fired if x.decisive] == [
        "weak-baseline",
        "critical-important-weakness",
    ]


def test_the_reference_engine_is_the_python_engine_under_its_former_name() -> None:
    ev = qifeval.load_findings("examples/findings.toml")
    with pytest.warns(DeprecationWarning, match="engine='python'"):
        old = evaluate(ev, engine="reference")
    assert old == evaluate(ev, engine="python")
    with pytest.warns(DeprecationWarning, match="engine='python'"):
        assert old.reassess(engine="reference") == old


def test_an_unknown_engine_is_refused_by_name() -> None:
    ev = qifeval.load_findings("examples/findings.toml")
    with pytest.raises(qifeval.InputError, match="'durable' or 'python', got 'clips'"):
        evaluate(ev, engine="clips")  # type: ignore[arg-type]


def test_typed_callers_may_pass_tuples_or_lists(tmp_path) -> None:
    api = pytest.importorskip("mypy.api")

    caller = tmp_path / "caller.py"
    caller.write_text(
        "from qifeval import Comparison, Context, EvidenceSet, Finding, Rule, RuleSet\n"
        "f = Finding(id='F1', qi='1.1', statement='s', valence='strength',\n"
        "            weight='minor', source='practice')\n"
        "EvidenceSet(partnership='x', findings=(f,), context=Context(challenges=()))\n"
        "EvidenceSet(partnership='x', findings=[f])\n"
        "r = Rule(name='a', reason='b', effect='cap', grade=3,\n"
        "         when=[Comparison(field='findings', op='>=', value=1)])\n"
        "RuleSet(name='n', rules=(r,))\n"
        "n: int = EvidenceSet(partnership='x', findings=(f,)).findings\n",
        encoding="utf-8",
    )
    out, _, status = api.run(
        ["--strict", "--cache-dir", str(tmp_path / "cache"), "--follow-imports=silent", str(caller)]
    )
    # Only the deliberate mistake on the last line: the field keeps its type.
    errors = [line for line in out.splitlines() if "error:" in line]
    assert len(errors) == 1 and "caller.py:9:" in errors[0], out
    assert status == 1


def test_qifeval_warnings_share_one_base_to_filter_on() -> None:
    import warnings

    ev = EvidenceSet(
        partnership="P",
        findings=[
            Finding(
                id="A",
                qi="5.2",
                statement="Mrs Jones said the plan helped",
                valence="strength",
                weight="minor",
                source="stakeholder_views",
            )
        ],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", qifeval.QifevalWarning)
        with pytest.raises(qifeval.PersonalDataWarning):
            evaluate(ev, FW)
    assert issubclass(qifeval.QifevalWarning, UserWarning)


def test_triangulation_thresholds_are_rule_set_data(tmp_path) -> None:
    p = tmp_path / "rules.toml"
    p.write_text(
        'schema_version = 1\nbase = "qifeval-2018"\nname = "four-kinds"\n'
        "[triangulation]\ntriangulated = 4\npartial = 3\n",
        encoding="utf-8",
    )
    four = qifeval.load_rules(p)
    assert four.triangulation.triangulated == 4 and four.rules == RULES.rules
    three = [
        f("A", weight="major", source="practice"),
        f("B", weight="major", source="stakeholder_views"),
        f("C", weight="major", source="performance_data"),
    ]
    ev = EvidenceSet(partnership="P", findings=three)
    default, strict = evaluate(ev, FW), evaluate(ev, FW, four)
    assert default.result("5.2").suggested_grade is Grade.VERY_GOOD
    assert strict.result("5.2").suggested_grade is Grade.GOOD
    assert strict.result("5.2").profile["strengths_triangulated"] == 0
    assert default.result("5.2").triangulation.status is qifeval.TriangulationStatus.TRIANGULATED
    t = strict.result("5.2").triangulation
    assert t.status is qifeval.TriangulationStatus.PARTIAL and not t.strengths_triangulated
    assert "strengths-not-triangulated" in [r.name for r in strict.result("5.2").rules_fired]


def test_every_effect_is_in_the_effects_table_and_limits_follow_it() -> None:
    from qifeval.rules._model import EFFECTS

    assert set(EFFECTS) == set(qifeval.Effect)
    assert {e for e, k in EFFECTS.items() if k.limiting} == {
        qifeval.Effect.CAP,
        qifeval.Effect.LIMIT,
    }
    c = qifeval.evaluate(qifeval.load_findings("examples/findings.toml")).capacity
    assert {r.effect for r in c.limiting_rules} <= {qifeval.Effect.CAP, qifeval.Effect.LIMIT}
    assert [
        r for r in c.rules_fired if r.effect in (qifeval.Effect.CAP, qifeval.Effect.LIMIT)
    ] == list(c.limiting_rules)


# --- The rule set qifeval-2026 ---------------------------------------------------

RULES_2026 = qifeval.load_rules("qifeval-2026")
QIS = st.sampled_from(["5.2", "2.1"])


def evaluate_2026(e: EvidenceSet) -> qifeval.Evaluation:
    """The plain-Python engine: the properties are of the rules; the
    engines' parity is its own test."""
    return qifeval.evaluate(e, FW, RULES_2026, engine="python")


def grade_2026(e: EvidenceSet, qi: str) -> Grade | None:
    return evaluate_2026(e).result(qi).suggested_grade


def test_an_amendment_starts_from_the_bundled_rule_set_it_names(tmp_path) -> None:
    p = tmp_path / "rules.toml"
    for base, start in (("default", qifeval.default_rules()), ("qifeval-2018", RULES)):
        p.write_text(f'schema_version = 1\nbase = "{base}"\nname = "local"\n', encoding="utf-8")
        assert qifeval.load_rules(p).rules == start.rules
    p.write_text('schema_version = 1\nbase = "qifeval-2019"\nname = "local"\n', encoding="utf-8")
    with pytest.raises(RulesError, match="did you mean 'qifeval-2018'") as info:
        qifeval.load_rules(p)
    assert info.value.path == "base" and str(p) in str(info.value)


def test_bundled_rule_sets_by_name() -> None:
    assert qifeval.load_rules("qifeval-2026").name == "qifeval-2026"
    assert qifeval.load_rules("qifeval-2026") is qifeval.default_rules()
    assert qifeval.load_rules("qifeval-2018") is qifeval.load_rules("qifeval-default")
    assert qifeval.load_rules("qifeval-2018") != qifeval.default_rules()
    with pytest.raises(RulesError, match="did you mean 'qifeval-2026'"):
        qifeval.rules.bundled_rules("qifeval-2025")


def test_saved_evaluations_name_their_bundled_rule_set(tmp_path) -> None:
    e = EvidenceSet(
        partnership="P",
        findings=[f("A", weight="major"), f("W", valence="weakness", weight="minor")],
    )
    for rules in ("qifeval-2026", "qifeval-default"):
        path = tmp_path / f"{rules}.json"
        qifeval.dump_evaluation(qifeval.evaluate(e, FW, rules), path)
        assert qifeval.load_evaluation(path).rules == rules


@given(evidence_sets(max_size=30), st.randoms())
def test_2026_permutation_invariance(e: EvidenceSet, rnd) -> None:
    shuffled = list(e.findings)
    rnd.shuffle(shuffled)
    a = evaluate_2026(e)
    b = evaluate_2026(e.with_findings(shuffled))
    assert a.results == b.results


@given(evidence_sets(qi=QIS, max_size=12), st.data())
def test_2026_adding_a_strength_never_lowers_a_grade(e: EvidenceSet, data) -> None:
    extra = data.draw(findings(qi=QIS, valence=st.just("strength"), id="NEW"))
    before = grade_2026(e, extra.qi)
    after = grade_2026(e.with_findings([*e.findings, extra]), extra.qi)
    if before is not None and after is not None:
        assert after >= before


@given(evidence_sets(qi=QIS, max_size=12), st.data())
def test_2026_adding_a_weakness_never_raises_a_grade(e: EvidenceSet, data) -> None:
    extra = data.draw(findings(qi=QIS, valence=st.just("weakness"), id="NEW"))
    before = grade_2026(e, extra.qi)
    after = grade_2026(e.with_findings([*e.findings, extra]), extra.qi)
    if before is not None and after is not None:
        assert after <= before


@given(evidence_sets(qi=QIS, max_size=12), st.data())
def test_2026_more_positive_answers_on_a_strength_never_lower_a_grade(e: EvidenceSet, data) -> None:
    s = data.draw(findings(qi=QIS, valence=st.just("strength"), id="NEW"))
    sample = data.draw(st.integers(1, 200))
    k = data.draw(st.integers(0, sample))
    more = data.draw(st.integers(k, sample))
    low = attrs.evolve(s, proportion=k / sample, sample=sample)
    high = attrs.evolve(s, proportion=more / sample, sample=sample)
    before = grade_2026(e.with_findings([*e.findings, low]), s.qi)
    after = grade_2026(e.with_findings([*e.findings, high]), s.qi)
    if before is not None and after is not None:
        assert after >= before


@given(evidence_sets(qi=QIS, max_size=12), st.data())
def test_2026_a_larger_share_on_a_critical_weakness_never_raises_a_grade(
    e: EvidenceSet, data
) -> None:
    w = data.draw(findings(qi=QIS, valence=st.just("weakness"), id="NEW"))
    sample = data.draw(st.none() | st.integers(1, 200))
    n = sample or 100
    k = data.draw(st.integers(0, n))
    more = data.draw(st.integers(k, n))
    small = attrs.evolve(w, critical=True, proportion=k / n, sample=sample)
    large = attrs.evolve(w, critical=True, proportion=more / n, sample=sample)
    before = grade_2026(e.with_findings([*e.findings, small]), w.qi)
    after = grade_2026(e.with_findings([*e.findings, large]), w.qi)
    assert before is not None and after is not None  # a critical weakness is never withheld
    assert after <= before


@given(evidence_sets(max_size=25), st.data())
def test_2026_extent_of_a_critical_weakness(e: EvidenceSet, data) -> None:
    w = data.draw(findings(valence=st.just("weakness"), id="CRIT"))
    sample = data.draw(st.integers(20, 300))

    def grade_with(**changes: object) -> Grade | None:
        bad = attrs.evolve(w, critical=True, **changes)
        return grade_2026(e.with_findings([*e.findings, bad]), w.qi)

    # Widespread (15% or more of more than one case): Unsatisfactory.
    wide = data.draw(st.integers(max(2, -(-15 * sample // 100)), sample))
    assert grade_with(proportion=wide / sample, sample=sample) is Grade.UNSATISFACTORY
    # A critical weakness with no proportion: at most Weak.
    unquantified = grade_with(proportion=None, sample=None)
    assert unquantified is not None and unquantified <= Grade.WEAK
    # A single case: never Very good or Excellent.
    single = grade_with(proportion=1 / sample, sample=sample)
    assert single is not None and single <= Grade.GOOD


@given(evidence_sets(max_size=25), st.data())
def test_2026_critical_weaknesses_in_two_kinds_give_unsatisfactory(e: EvidenceSet, data) -> None:
    kinds = data.draw(st.lists(st.sampled_from(SourceKind), min_size=2, max_size=2, unique=True))
    qi = data.draw(st.sampled_from(["5.2", "2.1", "9.4"]))
    extra = [
        f(f"CRIT{i}", qi=qi, valence="weakness", source=kind, critical=True)
        for i, kind in enumerate(kinds)
    ]
    assert grade_2026(e.with_findings([*e.findings, *extra]), qi) is Grade.UNSATISFACTORY


@given(evidence_sets(max_size=40))
def test_2026_high_grades_need_consistent_corroborated_strengths(e: EvidenceSet) -> None:
    ev = evaluate_2026(e)
    for r in ev.results:
        counts = r.profile.counts
        if r.suggested_grade is not None and r.suggested_grade >= Grade.VERY_GOOD:
            assert counts["consistent_strength_sources"] >= 3
            assert counts["critical_weaknesses"] == counts["weaknesses_important"] == 0
            assert (
                counts["consistent_strengths_major_beyond_documents"] >= 1
                or counts["consistent_strengths_important_or_major"] >= 4
            )
        if r.suggested_grade is Grade.EXCELLENT:
            assert counts["exemplary_strengths"] >= 1 and counts["weaknesses"] == 0


@given(evidence_sets(max_size=40))
def test_2026_one_minor_finding_gets_no_grade(e: EvidenceSet) -> None:
    ev = evaluate_2026(e)
    by_qi: dict[str, list[Finding]] = {}
    for x in e.findings:
        by_qi.setdefault(x.qi, []).append(x)
    for qi, items in by_qi.items():
        if len(items) == 1 and items[0].weight.value == "minor" and not items[0].critical:
            r = ev.result(qi)
            assert r.suggested_grade is None and "one minor finding" in (r.no_grade_reason or "")


@given(evidence_sets(max_size=40))
def test_2026_safety_concerns_are_every_critical_weakness(e: EvidenceSet) -> None:
    ev = evaluate_2026(e)
    critical = sorted((x.qi, x.id) for x in e.findings if x.critical)
    assert sorted((c.qi, c.finding) for c in ev.safety_concerns) == critical


@given(evidence_sets(max_size=40))
def test_2026_durable_engine_equals_python_evaluator(e: EvidenceSet) -> None:
    assert qifeval.evaluate(e, FW, RULES_2026).results == evaluate_2026(e).results


@given(evidence_sets(max_size=40))
def test_2026_inconsistent_strengths_never_count(e: EvidenceSet) -> None:
    """Dropping every strength under one half changes no 2026 grade."""
    kept = [
        x
        for x in e.findings
        if not (x.is_strength and x.proportion is not None and x.proportion < 0.5)
    ]
    a = evaluate_2026(e)
    b = evaluate_2026(e.with_findings(kept))
    for ra, rb in zip(a.results, b.results, strict=True):
        if ra.suggested_grade is not None and rb.suggested_grade is not None:
            assert ra.suggested_grade == rb.suggested_grade


def test_the_command_line_takes_a_bundled_rule_set_by_name(capsys, tmp_path) -> None:
    import json

    from qifeval._cli import main

    findings = tmp_path / "f.toml"
    findings.write_text(
        'schema_version = 1\npartnership = "P"\nframework = "qif-2018"\n'
        '[[findings]]\nid = "F1"\nqi = "5.2"\nstatement = "s"\nvalence = "weakness"\n'
        'weight = "minor"\nsource = "practice"\n',
        encoding="utf-8",
    )
    grades = {}
    for name in ("qifeval-2026", "qifeval-2018"):
        assert main(["evaluate", str(findings), "--rules", name, "--format", "json"]) == 0
        report = json.loads(capsys.readouterr().out)
        (qi,) = [i for i in report["indicators"] if i["qi"] == "5.2"]
        grades[report["rules"]["grading"]] = qi["suggested_grade"]
    # One minor finding: no grade under qifeval-2026, Weak under the first rule set.
    assert grades == {"qifeval-2026": None, "qifeval-default": 2}
    assert main(["evaluate", str(findings), "--rules", "qifeval-2025"]) != 0
