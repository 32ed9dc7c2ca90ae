import re

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import qifeval
from qifeval import Confidence, Context, ContextualChallenge, EvidenceSet, Finding, Grade
from qifeval.evaluation._capacity import MatchFigures as Match
from qifeval.evaluation._capacity import PlanFigures as Progress
from qifeval.evaluation._capacity import judge
from qifeval.evidence._fields import FIELDS
from qifeval.evidence._triangulation import Triangulation, TriangulationStatus

from .strategies import QI_IDS, QIF_2018, contexts, finding, grade_maps, side_violations

FW = QIF_2018
RULES = qifeval.default_capacity_rules()
TRIANGULATED = {q: Triangulation(qi=q, status=TriangulationStatus.TRIANGULATED) for q in QI_IDS}


def capacity(grades, context=None, trend=None, triangulation=TRIANGULATED, engine="durable"):
    return judge(RULES, FW, grades, triangulation, context or Context(), trend, engine=engine)


def order(c) -> tuple[int, int]:
    return (0 if c.grade is None else int(c.grade), c.confidence.rank)


@given(grade_maps, st.sampled_from(QI_IDS), contexts())
def test_raising_a_grade_never_lowers_capacity(grades, qi, context) -> None:
    if grades[qi] is None or grades[qi] is Grade.EXCELLENT:
        return
    before = capacity(grades, context)
    after = capacity({**grades, qi: Grade(grades[qi] + 1)}, context)
    if before.grade is not None:
        assert after.grade is not None and after.grade >= before.grade
    assert after.confidence.rank >= before.confidence.rank


@given(grade_maps, contexts(max_size=3), st.data())
def test_adding_a_challenge_never_raises_capacity(grades, context, data) -> None:
    extra = ContextualChallenge(
        id="NEW",
        kind=data.draw(st.sampled_from(qifeval.ChallengeKind)),
        severity=data.draw(st.sampled_from(qifeval.Severity)),
    )
    before = capacity(grades, context)
    after = capacity(grades, attrs.evolve(context, challenges=(*context.challenges, extra)))
    if after.grade is not None:
        assert before.grade is not None and after.grade <= before.grade
    assert after.confidence.rank <= before.confidence.rank


@given(grade_maps, contexts(), st.data())
def test_weak_leadership_or_key_outcome_limits_confidence(grades, context, data) -> None:
    qi = data.draw(st.sampled_from(["9.1", "9.2", "9.3", "9.4", "1.1", "2.1", "2.2"]))
    grades = {**grades, qi: data.draw(st.sampled_from([Grade.UNSATISFACTORY, Grade.WEAK]))}
    c = capacity(grades, context)
    assert c.confidence is Confidence.NOT_YET_CONFIDENT
    assert c.grade is None or c.grade <= Grade.ADEQUATE


@given(grade_maps, contexts(), st.randoms())
def test_capacity_does_not_depend_on_order(grades, context, rnd) -> None:
    items = list(grades.items())
    rnd.shuffle(items)
    challenges = list(context.challenges)
    rnd.shuffle(challenges)
    a = capacity(grades, context)
    b = capacity(dict(items), attrs.evolve(context, challenges=challenges))
    assert (a.grade, a.confidence, a.counts, [r.name for r in a.rules_fired]) == (
        b.grade,
        b.confidence,
        b.counts,
        [r.name for r in b.rules_fired],
    )


@given(grade_maps, contexts())
def test_every_lever_cites_its_indicators_and_engines_agree(grades, context) -> None:
    c = capacity(grades, context)
    assert [lv.name for lv in c.levers] == ["intelligence", "leadership", "improvement", "outcomes"]
    for lever in c.levers:
        assert lever.indicators
        assert lever.grades == {q: grades[q] for q in lever.indicators if grades[q] is not None}
        given_ = sorted(lever.grades.values())
        if given_:
            # The lower median: a grade given, with at least half the grades
            # at or below it and at least half at or above it.
            assert lever.median in given_
            assert 2 * sum(g <= lever.median for g in given_) >= len(given_)
            assert 2 * sum(g >= lever.median for g in given_) >= len(given_)
        else:
            assert lever.median is None
    assert set(c.levers[1].indicators) >= {"9.1", "9.2", "9.3", "9.4", "6.1", "8.2"}
    ref = capacity(grades, context, engine="python")
    assert (c.grade, c.confidence, c.rules_fired) == (ref.grade, ref.confidence, ref.rules_fired)
    for r in c.rules_fired:
        assert set(r.evidence) <= set(QI_IDS) | {x.id for x in context.challenges} | {
            x.id for x in context.readiness
        }


# --- Scenarios ----------------------------------------------------------------


def _findings(grade_by_qi: dict[str, str]) -> list[Finding]:
    """Findings that the default rules grade as asked: 'vg' triangulated
    major strengths, 'good' important strengths with an important weakness,
    'weak' important weaknesses."""
    out = []
    for qi, level in grade_by_qi.items():
        if level == "vg":
            for s in ("practice", "performance_data", "stakeholder_views"):
                out.append(
                    finding(f"{qi}-{s}", qi=qi, valence="strength", weight="major", source=s)
                )
        elif level == "good":
            for s in ("practice", "performance_data", "stakeholder_views"):
                out.append(
                    finding(f"{qi}-{s}", qi=qi, valence="strength", weight="important", source=s)
                )
            out.append(
                finding(f"{qi}-w", qi=qi, valence="weakness", weight="important", source="practice")
            )
        elif level == "weak":
            for s in ("practice", "stakeholder_views"):
                out.append(
                    finding(f"{qi}-w-{s}", qi=qi, valence="weakness", weight="important", source=s)
                )
    return out


def _evaluate(levels, context=None, previous=None):
    ev = EvidenceSet(
        partnership="Example", findings=_findings(levels), context=context or Context()
    )
    return qifeval.evaluate(ev, FW, previous=previous)


def test_strong_improving_partnership() -> None:
    before = _evaluate({qi: "good" for qi in QI_IDS})
    now = _evaluate({qi: "vg" for qi in QI_IDS}, previous=before)
    c = now.capacity
    assert c.grade is Grade.EXCELLENT and c.confidence is Confidence.VERY_CONFIDENT
    assert len(c.trend.improved) == 22 and c.trend.declined == ()
    assert "since the previous evaluation" in c.statement().lower()


def test_good_services_weak_leadership() -> None:
    levels = {qi: "good" for qi in QI_IDS}
    levels.update({"9.2": "weak", "9.4": "weak"})
    c = _evaluate(levels).capacity
    assert c.grade is not None and c.grade <= Grade.ADEQUATE
    assert c.confidence is Confidence.NOT_YET_CONFIDENT
    assert {"weak-leadership", "limit-weak-leadership"} <= {r.name for r in c.rules_fired}
    assert any("9.2" in b for b in c.barriers)


def test_improving_outcomes_under_severe_budget_pressure() -> None:
    base = {qi: "good" for qi in QI_IDS}
    before = _evaluate(base)
    levels = {**base, **{qi: "vg" for qi in QI_IDS if not qi.startswith("5")}}
    context = Context(
        challenges=[
            ContextualChallenge(
                id="C1", kind="budgetary_pressures", severity="severe", note="15% savings target"
            ),
            ContextualChallenge(id="C2", kind="service_boundaries", severity="severe"),
        ]
    )
    calm = _evaluate(levels, previous=before).capacity
    pressed = _evaluate(levels, context=context, previous=before).capacity
    assert pressed.grade is not None and calm.grade is not None
    assert pressed.grade < calm.grade
    assert pressed.grade <= Grade.GOOD
    assert set(pressed.trend.improved) >= {"1.1", "2.1", "2.2"}
    assert "budgetary pressures (severe): 15% savings target" in pressed.barriers
    assert "severe-context" in [r.name for r in pressed.rules_fired]


def test_most_indicators_ungraded_says_the_evidence_is_too_thin() -> None:
    c = _evaluate({"1.1": "vg", "2.1": "vg", "9.4": "good"}).capacity
    assert c.grade is None
    assert c.confidence is Confidence.NOT_YET_CONFIDENT
    assert "too little evidence" in c.no_grade_reason
    assert len(c.evidence_gaps) >= 19
    assert "too little evidence" in c.statement()


def test_capacity_uses_confirmed_grades() -> None:
    ev = _evaluate({qi: "vg" for qi in QI_IDS})
    assert ev.capacity.grade is Grade.VERY_GOOD
    changed = ev.override(
        "9.3", Grade.WEAK, role="Chair, chief officers group", rationale="Partners disagree"
    )
    assert changed.grades["9.3"] is Grade.WEAK
    assert changed.result("9.3").suggested_grade is Grade.VERY_GOOD
    assert changed.capacity.confidence is Confidence.NOT_YET_CONFIDENT
    assert changed.decision("9.3").kind is qifeval.DecisionKind.OVERRIDDEN


def test_override_needs_rationale_and_role() -> None:
    ev = _evaluate({"5.2": "good"})
    with pytest.raises(qifeval.InputError, match="rationale"):
        ev.override("5.2", 6, role="Lead officer", rationale="")
    with pytest.raises(qifeval.InputError, match="role"):
        ev.confirm("5.2", role=" ")
    ok = ev.confirm("5.2", role="Lead officer")
    assert ok.decision("5.2").kind is qifeval.DecisionKind.CONFIRMED
    with pytest.raises(qifeval.InputError, match="no suggested grade"):
        ev.confirm("9.1", role="Lead officer")


# --- The framework's capacity table ---------------------------------------------


def test_levers_key_outcomes_and_leadership_come_from_the_framework() -> None:
    grades = dict.fromkeys(QI_IDS, Grade.GOOD)
    own = attrs.evolve(
        FW,
        capacity=qifeval.CapacityModel(
            key_outcomes=["5.1"],
            leadership_key_area=7,
            levers=[qifeval.LeverModel(name="outcomes", title="Delivery", indicators=["5.*"])],
        ),
    )
    c = judge(
        RULES, own, {**grades, "5.1": Grade.WEAK}, TRIANGULATED, Context(), None, engine="python"
    )
    assert [(lv.name, lv.indicators) for lv in c.levers] == [
        ("outcomes", ("5.1", "5.2", "5.3", "5.4"))
    ]
    assert c.counts["weak_key_outcomes"] == 1 and c.counts["lever_intelligence"] == 0
    c = judge(
        RULES, own, {**grades, "7.1": Grade.WEAK}, TRIANGULATED, Context(), None, engine="python"
    )
    assert c.counts["weak_leadership"] == 1
    assert capacity({**grades, "7.1": Grade.WEAK}).counts["weak_leadership"] == 0


@given(grade_maps, contexts())
def test_a_framework_without_a_capacity_table_falls_back_to_the_default_one(
    grades, context
) -> None:
    bare = attrs.evolve(FW, capacity=None)
    with_table, without = (
        judge(RULES, fw, grades, TRIANGULATED, context, None, engine="python") for fw in (FW, bare)
    )
    assert without == with_table


@pytest.mark.parametrize(
    ("table", "path", "message"),
    [
        ({"key_outcomes": ["1.9"]}, "capacity.key_outcomes[0]", "no indicator '1.9'"),
        ({"leadership_key_area": 11}, "capacity.leadership_key_area", "no key area 11"),
        (
            {"levers": [{"name": "a", "title": "A", "indicators": ["12.*"]}]},
            "capacity.levers[0].indicators[0]",
            "no key area '12'",
        ),
        (
            {"levers": [{"name": "A b", "title": "A", "indicators": []}]},
            "capacity.levers[0].name",
            "lower-case name",
        ),
    ],
)
def test_a_broken_capacity_table_names_the_field(tmp_path, table, path, message) -> None:
    raw = qifeval.frameworks._loading.framework_to_dict(FW)
    raw["capacity"] = table
    file = tmp_path / "fw.toml"
    file.write_text(__import__("tomli_w").dumps(raw), encoding="utf-8")
    with pytest.raises(qifeval.FrameworkError, match=r"fw\.toml at " + re.escape(path)) as exc:
        qifeval.load_framework(file)
    assert message in str(exc.value)


@given(grade_maps, contexts(max_size=3), st.sampled_from(QI_IDS), st.data())
def test_every_registered_capacity_field_moves_with_its_side(grades, context, qi, data) -> None:
    before = capacity(grades, context).counts
    assert set(before) == set(FIELDS["capacity"])
    if grades[qi] is not None and grades[qi] is not Grade.EXCELLENT:
        raised = capacity({**grades, qi: Grade(grades[qi] + 1)}, context).counts
        assert side_violations("capacity", before, raised, stronger=True) == []
    extra = ContextualChallenge(
        id="NEW",
        kind=data.draw(st.sampled_from(qifeval.ChallengeKind)),
        severity=data.draw(st.sampled_from(qifeval.Severity)),
    )
    harder = capacity(grades, attrs.evolve(context, challenges=(*context.challenges, extra)))
    assert side_violations("capacity", before, harder.counts, stronger=False) == []


# --- Capacity v2: trajectory, plan, independent evaluation, the statement ------


@st.composite
def progresses(draw):
    total = draw(st.integers(0, 20))
    done = draw(st.integers(0, total))
    return Progress(done=done, overdue=draw(st.integers(0, total - done)), total=total)


@st.composite
def matches(draw):
    n = draw(st.integers(1, 22))
    within = draw(st.integers(0, n))
    exact = draw(st.integers(0, within))
    return Match(exact_share=exact / n, within_one_share=within / n, indicators=n)


def trend_of(previous, current) -> qifeval.Trend:
    return qifeval.Trend(
        previous="previous",
        changes=tuple(
            qifeval.IndicatorChange(qi=q, previous=previous[q], current=current[q]) for q in QI_IDS
        ),
    )


def v2(grades, context=None, previous=None, plan=None, independent=None, engine="python"):
    return judge(
        RULES,
        FW,
        grades,
        TRIANGULATED,
        context or Context(),
        None if previous is None else trend_of(previous, grades),
        plan_progress=plan,
        independent=independent,
        engine=engine,
    )


inputs = st.tuples(
    grade_maps,
    contexts(max_size=3),
    st.none() | grade_maps,
    st.none() | progresses(),
    st.none() | matches(),
)


def test_the_default_is_the_2026_rule_set_and_the_earlier_one_loads_by_name() -> None:
    assert RULES.name == "qifeval-capacity-2026"
    earlier = qifeval.load_rules("qifeval-capacity-default")
    assert earlier.subject == "capacity" and earlier.rule("strong-on-every-lever")
    assert earlier != RULES
    # as the command line passes it (--capacity-rules NAME)
    e = qifeval.load_findings("examples/findings.toml")
    made = qifeval.evaluate(e, capacity_rules="qifeval-capacity-default")
    assert made.capacity_rules == "qifeval-capacity-default"


@given(inputs, st.sampled_from(QI_IDS))
def test_raising_a_grade_never_lowers_the_judgement_with_every_input(args, qi) -> None:
    grades, context, previous, plan, independent = args
    if grades[qi] is None or grades[qi] is Grade.EXCELLENT:
        return
    before = v2(grades, context, previous, plan, independent)
    after = v2({**grades, qi: Grade(grades[qi] + 1)}, context, previous, plan, independent)
    assert order(after) >= order(before) or before.grade is None
    assert after.confidence.rank >= before.confidence.rank


@given(inputs, st.sampled_from(QI_IDS))
def test_an_improving_trajectory_never_lowers_the_judgement(args, qi) -> None:
    """The previous grade of one indicator one lower: the partnership came
    further to reach the same grades."""
    grades, context, previous, plan, independent = args
    if previous is None or previous[qi] is None or previous[qi] is Grade.UNSATISFACTORY:
        return
    before = v2(grades, context, previous, plan, independent)
    further = {**previous, qi: Grade(previous[qi] - 1)}
    after = v2(grades, context, further, plan, independent)
    assert order(after) >= order(before)


@given(inputs, st.data())
def test_completing_a_plan_action_never_lowers_the_judgement(args, data) -> None:
    grades, context, previous, plan, independent = args
    if plan is None or plan.done == plan.total:
        return
    # The action completed was overdue, or on track if any action is.
    on_track = plan.total - plan.done - plan.overdue
    was_overdue = plan.overdue > 0 and (on_track == 0 or data.draw(st.booleans()))
    completed = attrs.evolve(
        plan, done=plan.done + 1, overdue=plan.overdue - 1 if was_overdue else plan.overdue
    )
    before = v2(grades, context, previous, plan, independent)
    after = v2(grades, context, previous, completed, independent)
    assert order(after) >= order(before)


@given(inputs, st.data())
def test_a_challenge_never_raises_the_judgement_with_every_input(args, data) -> None:
    grades, context, previous, plan, independent = args
    extra = ContextualChallenge(
        id="NEW",
        kind=data.draw(st.sampled_from(qifeval.ChallengeKind)),
        severity=data.draw(st.sampled_from(qifeval.Severity)),
    )
    harder = attrs.evolve(context, challenges=(*context.challenges, extra))
    before = v2(grades, context, previous, plan, independent)
    after = v2(grades, harder, previous, plan, independent)
    assert order(after) <= order(before)


@given(inputs, st.randoms())
def test_engines_agree_and_order_does_not_matter_with_every_input(args, rnd) -> None:
    grades, context, previous, plan, independent = args
    durable = v2(grades, context, previous, plan, independent, engine="durable")
    items = list(grades.items())
    rnd.shuffle(items)
    challenges = list(context.challenges)
    rnd.shuffle(challenges)
    shuffled = v2(
        dict(items),
        attrs.evolve(context, challenges=challenges),
        previous,
        plan,
        independent,
    )
    for other in (shuffled,):
        assert (durable.grade, durable.confidence, durable.counts) == (
            other.grade,
            other.confidence,
            other.counts,
        )
        assert [r.name for r in durable.rules_fired] == [r.name for r in other.rules_fired]
    assert durable == v2(grades, context, previous, plan, independent)


@given(inputs, st.data())
def test_weak_leadership_limits_confidence_unless_it_is_improving(args, data) -> None:
    grades, context, previous, plan, independent = args
    qi = data.draw(st.sampled_from(["9.1", "9.2", "9.3", "9.4"]))
    weak = data.draw(st.sampled_from([Grade.UNSATISFACTORY, Grade.WEAK]))
    grades = {**grades, qi: weak}
    c = v2(grades, context, previous, plan, independent)
    improving = previous is not None and previous[qi] is not None and previous[qi] < weak
    if improving:
        assert c.grade is None or c.grade <= Grade.GOOD
        assert c.confidence is not Confidence.VERY_CONFIDENT
    else:
        assert c.confidence is Confidence.NOT_YET_CONFIDENT
        assert c.grade is None or c.grade <= Grade.ADEQUATE


def test_improving_weak_leadership_can_be_confident() -> None:
    """The trajectory exception: leadership still weak but up from
    unsatisfactory, with everything else good and improving."""
    grades = {**dict.fromkeys(QI_IDS, Grade.GOOD), "9.3": Grade.WEAK}
    previous = {**dict.fromkeys(QI_IDS, Grade.ADEQUATE), "9.3": Grade.UNSATISFACTORY}
    c = v2(grades, previous=previous)
    assert c.confidence is Confidence.CONFIDENT
    assert "weak-leadership-improving" in {r.name for r in c.rules_fired}
    assert "9.3 Leadership of people and partnerships is graded weak, though improving" in (
        c.barriers
    )
    assert v2(grades).confidence is Confidence.NOT_YET_CONFIDENT


@given(inputs)
def test_the_statement_reads_as_an_inspector_or_the_partnership_writes_it(args) -> None:
    grades, context, previous, plan, independent = args
    c = v2(grades, context, previous, plan, independent)
    inspector, partnership = c.statement(), c.statement(voice="partnership")
    for text in (inspector, partnership):
        assert "qifeval" not in text.lower()
        assert not re.search(r"\b(average|averages|mean)\b", text)
        assert ". ." not in text and text.endswith(".")
        assert "  " not in text
    if c.grade is None:
        assert "No level of confidence is claimed" in inspector
        assert "confident that" not in inspector
    else:
        opening = {
            Confidence.VERY_CONFIDENT: "We are very confident that",
            Confidence.CONFIDENT: "We are confident that",
            Confidence.NOT_YET_CONFIDENT: "We are not yet confident that",
        }[c.confidence]
        assert inspector.startswith(f"{opening} the partnership has the capacity")
        assert partnership.startswith(f"{opening} we have the capacity")
        assert "This is because" in inspector
        assert "the partnership" not in partnership


def test_an_unknown_voice_is_an_error_naming_it() -> None:
    c = v2(dict.fromkeys(QI_IDS, Grade.GOOD))
    with pytest.raises(qifeval.InputError, match="voice") as exc:
        c.statement(voice="press release")
    assert exc.value.path == "voice"


@pytest.mark.parametrize(
    ("plan", "independent", "path"),
    [
        (Progress(done=5, overdue=4, total=8), None, "plan_progress.total"),
        (Progress(done=-1, overdue=0, total=8), None, "plan_progress.done"),
        (
            None,
            Match(exact_share=0.5, within_one_share=1.5, indicators=4),
            "independent.within_one_share",
        ),
        (
            None,
            Match(exact_share=float("nan"), within_one_share=1, indicators=4),
            "independent.exact_share",
        ),
        (
            None,
            Match(exact_share=0.9, within_one_share=0.5, indicators=4),
            "independent.exact_share",
        ),
        (
            None,
            Match(exact_share=0.5, within_one_share=0.5, indicators=-2),
            "independent.indicators",
        ),
    ],
)
def test_impossible_plan_or_match_figures_are_refused_naming_the_field(
    plan, independent, path
) -> None:
    with pytest.raises(qifeval.InputError) as exc:
        v2(dict.fromkeys(QI_IDS, Grade.GOOD), plan=plan, independent=independent)
    assert exc.value.path == path


def test_an_evaluation_with_the_earlier_capacity_rules_saves_and_loads(tmp_path) -> None:
    ev = _evaluate({qi: "good" for qi in QI_IDS})
    earlier = qifeval.evaluate(
        ev.evidence, FW, capacity_rules=qifeval.load_rules("qifeval-capacity-default")
    )
    assert earlier.capacity_rules == "qifeval-capacity-default"
    path = tmp_path / "evaluation.json"
    qifeval.dump_evaluation(earlier, path)
    assert qifeval.load_evaluation(path) == earlier
    current = qifeval.load_evaluation(path.write_text(qifeval.dump_evaluation(ev)) and path)
    assert current.capacity_rules == "qifeval-capacity-2026"


def test_no_suggestion_without_a_withhold_is_said_in_full_sentences() -> None:
    rules = RULES.without("capacity-baseline")
    grades = dict.fromkeys(QI_IDS, Grade.WEAK)
    c = judge(rules, FW, grades, TRIANGULATED, Context(), None, engine="python")
    assert c.grade is None and c.no_grade_reason == "no rule suggested a grade for this evidence"
    text = c.statement()
    assert text.startswith(
        "No judgement on the capacity for improvement is suggested: no rule suggested a grade "
        "for this evidence. No level of confidence is claimed."
    )
    assert "too little evidence" not in text
