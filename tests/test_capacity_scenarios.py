"""Capacity for improvement: five scenarios, each with what an inspector
would conclude and why, written before the rules that decide them.

Each scenario sets grades (as the people evaluating decided them), the
trend against a previous evaluation, the context, the progress of the
improvement plan and an independent evaluation's match directly, so that
what is tested is the judgement itself.
"""

from __future__ import annotations

import pytest

import qifeval
from qifeval import Confidence, Context, ContextualChallenge, Grade
from qifeval.evaluation._capacity import IndicatorChange, Trend, judge
from qifeval.evaluation._capacity import MatchFigures as Match
from qifeval.evaluation._capacity import PlanFigures as Progress
from qifeval.evidence._triangulation import Triangulation, TriangulationStatus

from .strategies import QI_IDS, QIF_2018

RULES = qifeval.default_capacity_rules()
TRIANGULATED = {q: Triangulation(qi=q, status=TriangulationStatus.TRIANGULATED) for q in QI_IDS}
LEADERSHIP = ("9.1", "9.2", "9.3", "9.4")
OUTCOMES = ("1.1", "2.1", "2.2")


def trend(previous: dict[str, Grade], current: dict[str, Grade | None]) -> Trend:
    return Trend(
        previous="2024 self-evaluation",
        changes=tuple(
            IndicatorChange(qi=q, previous=previous.get(q), current=current.get(q)) for q in QI_IDS
        ),
    )


def capacity(grades, *, previous=None, context=None, plan=None, independent=None, engine):
    return judge(
        RULES,
        QIF_2018,
        grades,
        TRIANGULATED,
        context or Context(),
        None if previous is None else trend(previous, grades),
        plan_progress=plan,
        independent=independent,
        engine=engine,
    )


ENGINES = pytest.mark.parametrize("engine", ["durable", "python"])


@ENGINES
def test_a_partnership_that_improved_everywhere_is_confident(engine) -> None:
    """DOMAIN §6: "Capacity is the ability to improve, not the level
    reached: a partnership that improved across the board since its last
    evaluation, with very good leadership and self-evaluation, is one an
    inspector is confident in even where outcomes are still only adequate."
    Seed 004: "The more robust self-evaluation processes are, and the more
    evidence there is that it is being used to drive improvement, the
    greater our level of confidence in the partnership to take forward
    continuous improvement"."""
    previous = dict.fromkeys(QI_IDS, Grade.WEAK)
    now: dict[str, Grade | None] = dict.fromkeys(QI_IDS, Grade.ADEQUATE)
    now.update(dict.fromkeys((*LEADERSHIP, "6.4", "6.5"), Grade.VERY_GOOD))
    now.update(dict.fromkeys(OUTCOMES, Grade.GOOD))
    c = capacity(now, previous=previous, engine=engine)
    assert len(c.trend.improved) == 22 and c.trend.declined == ()
    assert c.confidence.rank >= Confidence.CONFIDENT.rank
    text = c.statement()
    assert text.startswith("We are confident that") or text.startswith("We are very confident")
    assert "This is because" in text and "22 of the 22" in text
    # The same grades with no record of improvement are not enough: it is
    # the trajectory that carries the judgement.
    still = capacity(now, engine=engine)
    assert still.confidence.rank < c.confidence.rank


@ENGINES
def test_good_services_with_weak_and_unstable_leadership_are_not_yet_confident(engine) -> None:
    """DOMAIN §6: "Limiting rules: weak leadership (any 9.x ≤ 2) or a key
    outcome QI ≤ 2 rules out more than `not yet confident` unless the
    trajectory shows it improving." Seed 004 (9.4): "There was a strong
    correlation between improving outcomes for children and partnerships
    where leaders across services evidenced a high degree of collaboration"."""
    grades: dict[str, Grade | None] = dict.fromkeys(QI_IDS, Grade.GOOD)
    grades.update({"9.2": Grade.WEAK, "9.3": Grade.WEAK})
    context = Context(
        challenges=[
            ContextualChallenge(
                id="C1",
                kind="leadership_change",
                severity="severe",
                note="interim chief officers in three of the four partner agencies",
            )
        ]
    )
    c = capacity(grades, context=context, engine=engine)
    assert c.confidence is Confidence.NOT_YET_CONFIDENT
    assert c.grade is not None and c.grade <= Grade.ADEQUATE
    fired = {r.name for r in c.limiting_rules}
    assert "limit-weak-leadership" in fired and "leadership-unstable" in fired
    assert any("9.2" in b for b in c.barriers)
    assert any("changes in leadership (severe)" in b for b in c.barriers)
    text = c.statement()
    assert text.startswith("We are not yet confident that")
    assert "9.2 " in text and "However" in text


@ENGINES
def test_a_self_evaluation_far_from_the_independent_one_lowers_confidence(engine) -> None:
    """Seed 004: "We review this self-evaluation, testing the approach and
    probing the supporting evidence to check its rigour"; DOMAIN §6:
    robustness of self-evaluation includes, "when an independent evaluation
    exists, how closely the self-evaluation matched it"."""
    grades: dict[str, Grade | None] = dict.fromkeys(QI_IDS, Grade.GOOD)
    alone = capacity(grades, engine=engine)
    far = capacity(
        grades,
        independent=Match(exact_share=1 / 9, within_one_share=3 / 9, indicators=9),
        engine=engine,
    )
    close = capacity(
        grades,
        independent=Match(exact_share=7 / 9, within_one_share=1.0, indicators=9),
        engine=engine,
    )
    assert alone.confidence is Confidence.CONFIDENT
    assert far.confidence.rank < alone.confidence.rank
    assert close.confidence is alone.confidence
    assert "independent-evaluation-far" in {r.name for r in far.limiting_rules}
    # Not yet confident: the reason comes first, the strengths after "However".
    because = far.statement().split("This is because", 1)[1].split("However", 1)[0]
    assert "independent evaluation" in because


@ENGINES
def test_severe_budget_pressure_with_a_completed_plan_stays_confident(engine) -> None:
    """Seed 001, key area 10: "Partners will need to take account of
    contextual issues which might influence this judgement - budgetary
    pressures; ..."; seed 004: "the more evidence there is that it is being
    used to drive improvement, the greater our level of confidence". A
    challenge is a barrier to name, not by itself a verdict."""
    previous = dict.fromkeys(QI_IDS, Grade.ADEQUATE)
    grades: dict[str, Grade | None] = dict.fromkeys(QI_IDS, Grade.GOOD)
    grades.update(dict.fromkeys(LEADERSHIP, Grade.VERY_GOOD))
    context = Context(
        challenges=[
            ContextualChallenge(
                id="C1",
                kind="budgetary_pressures",
                severity="severe",
                note="a 15% savings target for 2026-29",
            )
        ]
    )
    done = capacity(
        grades,
        previous=previous,
        context=context,
        plan=Progress(done=12, overdue=0, total=12),
        engine=engine,
    )
    assert done.confidence.rank >= Confidence.CONFIDENT.rank
    assert "budgetary pressures (severe): a 15% savings target for 2026-29" in done.barriers
    assert "budgetary pressures" in done.statement().split("However", 1)[1]
    assert "12 of the 12 actions" in done.statement()
    # The same partnership with most of its plan overdue is not delivering it.
    behind = capacity(
        grades,
        previous=previous,
        context=context,
        plan=Progress(done=2, overdue=8, total=12),
        engine=engine,
    )
    assert behind.confidence.rank < done.confidence.rank
    assert "plan-overdue" in {r.name for r in behind.limiting_rules}


@ENGINES
def test_most_indicators_ungraded_is_too_little_evidence(engine) -> None:
    """Seed 001, key area 10: the judgement is "based on the evidence and
    evaluations across the quality indicator framework"; with most
    indicators ungraded there is no such evaluation, and no confidence is
    claimed."""
    grades: dict[str, Grade | None] = dict.fromkeys(QI_IDS)
    grades.update({"1.1": Grade.VERY_GOOD, "2.1": Grade.VERY_GOOD, "9.4": Grade.GOOD})
    c = capacity(grades, engine=engine)
    assert c.grade is None
    assert c.confidence is Confidence.NOT_YET_CONFIDENT
    assert "too little evidence" in c.no_grade_reason
    text = c.statement()
    assert "too little evidence" in text and "3 of the 22" in text
    assert "confident that" not in text
    assert "No level of confidence is claimed" in text
