"""The rule set ``qifeval-2026`` against the calibration cases.

Every case in ``tests/calibration/cases.toml`` gets the grade the words of
the six-point scale call for, on both engines, with its findings loaded as
written (sample, voice and key factor included). The cases were written
before the rules; ``tests/calibration/README.md`` says how.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import pytest

import qifeval
from qifeval import Evaluation

from .test_calibration_baseline import CASE_IDS, CASES, DATA, LEVEL_NAMES

RULES = qifeval.load_rules("qifeval-2026")
Engine = Literal["durable", "python"]


def document(case: dict[str, Any]) -> dict[str, Any]:
    """The case as a findings document, every field kept."""
    return {
        "schema_version": 1,
        "partnership": f"Calibration case {case['id']}",
        "framework": DATA["framework"],
        "title": case["title"],
        "findings": [{**f, "qi": case["qi"]} for f in case["findings"]],
    }


def evidence(case: dict[str, Any]) -> qifeval.EvidenceSet:
    """The case's evidence set, every field kept."""
    findings = tuple(qifeval.Finding(**f) for f in document(case)["findings"])
    return qifeval.EvidenceSet(
        partnership=f"Calibration case {case['id']}",
        framework=DATA["framework"],
        title=case["title"],
    ).with_findings(findings)


def evaluate(case: dict[str, Any], engine: Engine = "durable") -> Evaluation:
    return qifeval.evaluate(evidence(case), rules=RULES, engine=engine)


def grade(evaluation: Evaluation, case: dict[str, Any]) -> int:
    suggested = evaluation.result(case["qi"]).suggested_grade
    return 0 if suggested is None else int(suggested)


@pytest.mark.parametrize("engine", ["durable", "python"])
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_case_gets_the_grade_the_words_call_for(case: dict[str, Any], engine: Engine) -> None:
    ev = evaluate(case, engine)
    got = grade(ev, case)
    result = ev.result(case["qi"])
    assert got == case["grade"], (
        f"{case['id']} ({case['title']}): the words call for {LEVEL_NAMES[case['grade']]}, "
        f"qifeval-2026 suggests {LEVEL_NAMES[got]}; decided by "
        f"{[r.name for r in result.rules_fired if r.decisive]}"
    )
    if case["grade"] == 0:
        assert result.no_grade_reason


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_the_file_loads_as_written(case: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / f"{case['id']}.json"
    path.write_text(json.dumps(document(case)), encoding="utf-8")
    loaded = qifeval.load_findings(path)
    assert loaded == evidence(case)
    if case.get("inconsistent"):
        # inconsistent on purpose: strict checking refuses it, naming the findings
        with pytest.raises(qifeval.InputError) as info:
            qifeval.evaluate(loaded, rules=RULES, strict=True)
        assert info.value.finding_id in case["inconsistent"]
        with pytest.warns(qifeval.EvidenceWarning):
            result = qifeval.evaluate(loaded, rules=RULES)
    else:
        result = qifeval.evaluate(loaded, rules=RULES, strict=True)
    assert grade(result, case) == case["grade"]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_safety_concerns_are_raised_whatever_the_grade(case: dict[str, Any]) -> None:
    ev = evaluate(case)
    critical = tuple(f["id"] for f in case["findings"] if f.get("critical"))
    assert ev.result(case["qi"]).safety_concerns == tuple(sorted(critical))
    assert bool(ev.safety_concerns) == case.get("safety_concern", False)
    for concern in ev.safety_concerns:
        assert concern.qi == case["qi"]
        assert concern.finding in critical


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_contradictions_are_flagged_on_the_same_point_only(case: dict[str, Any]) -> None:
    contradictions = evaluate(case).result(case["qi"]).triangulation.contradictions
    assert bool(contradictions) == case.get("contradiction", False)


@pytest.mark.parametrize("case", [c for c in CASES if c.get("inconsistent")], ids=lambda c: c["id"])
def test_inconsistent_strengths_are_not_counted(case: dict[str, Any]) -> None:
    result = evaluate(case).result(case["qi"])
    counts, ids = result.profile.counts, result.profile.finding_ids
    assert counts["strengths_inconsistent"] == len(case["inconsistent"])
    assert set(ids["strengths_inconsistent"]) == set(case["inconsistent"])
    assert not set(ids["consistent_strengths"]) & set(case["inconsistent"])


def test_pairs_get_the_same_grade() -> None:
    grades: dict[str, set[int]] = {}
    for case in CASES:
        if "pair" in case:
            grades.setdefault(case["pair"], set()).add(grade(evaluate(case), case))
    assert grades and all(len(g) == 1 for g in grades.values()), grades


def test_the_first_rule_set_stays_loadable_by_name() -> None:
    first = qifeval.load_rules("qifeval-2018")
    assert first == qifeval.load_rules("qifeval-default") != qifeval.default_rules()
    assert RULES == qifeval.default_rules()
    # The first rule set still disagrees with some cases: the calibration
    # is a measurement of each rule set, not a property of the file.
    misses = [
        c["id"] for c in CASES if grade(qifeval.evaluate(evidence(c), rules=first), c) != c["grade"]
    ]
    assert misses
