"""Saved evaluations that were edited by hand are refused on loading; people's
decisions and previous grades are validated where they are made."""

import copy
import datetime
import json
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import qifeval
import qifeval._cli
from qifeval import Grade, InconsistentEvaluationError, InputError
from qifeval._convert import dumps_document
from qifeval.evaluation._document import evaluation_to_dict

from .strategies import QIF_2018, contexts, evidence_sets

ROOT = Path(__file__).resolve().parent.parent
DAY = datetime.date(2026, 3, 1)


def _example() -> qifeval.Evaluation:
    """The example's evaluation against its 2024 evaluation, with a
    confirmed and an overridden grade."""
    previous = qifeval.evaluate(qifeval.load_findings(ROOT / "examples" / "findings-2024.toml"))
    e = qifeval.evaluate(
        qifeval.load_findings(ROOT / "examples" / "findings.toml"), previous=previous
    )
    e = e.confirm("5.2", role="Lead officer", date=DAY)
    return e.override(
        "9.2", 3, role="Chair, chief officers group", rationale="plan not yet agreed", date=DAY
    )


EXAMPLE = _example()


def _result(doc: dict[str, Any], qi: str) -> dict[str, Any]:
    return next(r for r in doc["results"] if r["qi"] == qi)


def _finding(doc: dict[str, Any], fid: str) -> dict[str, Any]:
    return next(f for f in doc["evidence"]["findings"] if f["id"] == fid)


def _set(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def edit(d: dict[str, Any]) -> None:
        d.update(changes)

    return edit


def _swap_first_rules(d: dict[str, Any]) -> None:
    fired = _result(d, "5.2")["rules_fired"]
    fired[0], fired[1] = fired[1], fired[0]


def _second_decision(d: dict[str, Any]) -> None:
    first = d["decisions"][0]
    d["decisions"].append({**first, "grade": 1, "rationale": "changed our minds"})


def _drop_finding(d: dict[str, Any]) -> None:
    d["evidence"]["findings"] = [f for f in d["evidence"]["findings"] if f["id"] != "F41"]


# (what is edited, the edit, the path the refusal names)
EDITS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    (
        "a suggested grade",
        lambda d: _result(d, "5.3").update(suggested_grade=6),
        "results['5.3'].suggested_grade",
    ),
    (
        "a suggested grade with its decision",
        lambda d: _result(d, "5.2").update(suggested_grade=6),
        "decisions[0].suggested",
    ),
    (
        "a suggestion added where none was made",
        lambda d: _result(d, "8.2").update(suggested_grade=4, no_grade_reason=None),
        "results['8.2'].suggested_grade",
    ),
    (
        "the reason for no grade",
        lambda d: _result(d, "4.1").update(no_grade_reason="Not needed."),
        "results['4.1'].no_grade_reason",
    ),
    (
        "the name of a rule that fired",
        lambda d: _result(d, "5.2")["rules_fired"][1].update(name="very-good-major-strengths"),
        "results['5.2'].rules_fired",
    ),
    ("the order of the rules that fired", _swap_first_rules, "results['5.2'].rules_fired"),
    (
        "a rule that fired, left out",
        lambda d: _result(d, "7.1")["rules_fired"].pop(1),
        "results['7.1'].rules_fired",
    ),
    (
        "the findings a rule read",
        lambda d: _result(d, "5.3")["rules_fired"][0]["evidence"].pop(),
        "results['5.3'].rules_fired[0].evidence",
    ),
    (
        "which rule was decisive",
        lambda d: _result(d, "5.1")["rules_fired"][0].update(decisive=True),
        "results['5.1'].rules_fired[0].decisive",
    ),
    (
        "a triangulation status",
        lambda d: _result(d, "3.1")["triangulation"].update(status="no evidence"),
        "results['3.1'].triangulation.status",
    ),
    (
        "a count of the evidence profile",
        lambda d: _result(d, "5.1")["profile"]["counts"].update(strength_points=40),
        "results['5.1'].profile.counts['strength_points']",
    ),
    (
        "a cited finding that does not exist",
        lambda d: _result(d, "5.1").update(findings=["F27", "F28", "F29", "F30", "F999"]),
        "results['5.1'].findings",
    ),
    ("a cited finding removed from the evidence", _drop_finding, "results['5.3'].findings"),
    (
        "a finding's weight",
        lambda d: _finding(d, "F27").update(weight="minor"),
        "results['5.1'].suggested_grade",
    ),
    ("the capacity grade", lambda d: d["capacity"].update(grade=6), "capacity.grade"),
    (
        "the capacity confidence",
        lambda d: d["capacity"].update(confidence="very confident"),
        "capacity.confidence",
    ),
    (
        "a capacity rule's name",
        lambda d: d["capacity"]["rules_fired"][3].update(name="sustained-improvement"),
        "capacity.rules_fired",
    ),
    (
        "a barrier left out",
        lambda d: d["capacity"]["barriers"].pop(0),
        "capacity.barriers",
    ),
    (
        "a barrier reworded",
        lambda d: d["capacity"]["barriers"].__setitem__(2, "no barrier"),
        "capacity.barriers[2]",
    ),
    (
        "a previous grade",
        lambda d: d["previous"]["grades"].update({"7.1": 2}),
        # the trajectory is an input of capacity (the first difference found
        # is named: here the lever's trend)
        "capacity.",
    ),
    (
        "a previous grade for an indicator that does not exist",
        lambda d: d["previous"]["grades"].update({"5.9": 2}),
        "previous.grades['5.9']",
    ),
    (
        "a contextual challenge's severity",
        lambda d: d["evidence"]["context"]["challenges"][0].update(severity="low"),
        "capacity.barriers",
    ),
    (
        "a decided grade (the capacity judgement used it)",
        lambda d: d["decisions"][1].update(grade=6),
        "capacity.",
    ),
    (
        "the suggestion a decision answered",
        lambda d: d["decisions"][0].update(suggested=4, rationale="as suggested"),
        "decisions[0].suggested",
    ),
    (
        "a decision on QI 10",
        lambda d: d["decisions"].append({**d["decisions"][0], "qi": "10"}),
        "decisions[2].qi",
    ),
    (
        "a decision on an unknown indicator",
        lambda d: d["decisions"].append({**d["decisions"][0], "qi": "11.1"}),
        "decisions[2].qi",
    ),
    ("two decisions on one indicator", _second_decision, "decisions[2].qi"),
    ("the name of the rules", _set(rules="my-rules"), "rules"),
    (
        "an indicator's result left out",
        lambda d: d["results"].pop(4),
        "results",
    ),
]


def _write(tmp_path: Path, doc: dict[str, Any], fmt: str) -> Path:
    path = tmp_path / f"tampered.{fmt}"
    path.write_text(dumps_document(doc, fmt), encoding="utf-8")
    return path


def test_the_untampered_example_loads_from_json_and_toml(tmp_path) -> None:
    for fmt in ("json", "toml"):
        path = tmp_path / f"e.{fmt}"
        qifeval.dump_evaluation(EXAMPLE, path)
        assert qifeval.load_evaluation(path) == EXAMPLE


@pytest.mark.parametrize("fmt", ["json", "toml"])
@pytest.mark.parametrize(("what", "edit", "path"), EDITS, ids=[e[0] for e in EDITS])
def test_a_tampered_evaluation_is_refused(tmp_path, fmt, what, edit, path) -> None:
    doc = evaluation_to_dict(EXAMPLE)
    doc = json.loads(json.dumps(doc))  # the document as the file holds it
    before = copy.deepcopy(doc)
    edit(doc)
    assert doc != before, what
    file = _write(tmp_path, doc, fmt)
    with pytest.raises(InputError) as info:
        qifeval.load_evaluation(file)
    error = info.value
    assert error.file == str(file)
    assert error.path.startswith(path), (error.path, str(error))
    assert str(file) in str(error) and error.path in str(error)


def test_a_changed_grade_is_named_with_both_values(tmp_path) -> None:
    doc = evaluation_to_dict(EXAMPLE)
    _result(doc, "6.3")["suggested_grade"] = 2
    file = _write(tmp_path, doc, "json")
    with pytest.raises(InconsistentEvaluationError) as info:
        qifeval.load_evaluation(file)
    assert info.value.path == "results['6.3'].suggested_grade"
    assert (info.value.saved, info.value.recomputed) == ("2 Weak", "6 Excellent")
    assert "saved 2 Weak, recomputed 6 Excellent" in str(info.value)
    again = pickle.loads(pickle.dumps(info.value))
    assert (type(again), str(again), again.saved) == (type(info.value), str(info.value), "2 Weak")


def test_a_missing_finding_is_named(tmp_path) -> None:
    doc = evaluation_to_dict(EXAMPLE)
    _result(doc, "5.1")["rules_fired"][0]["evidence"].append("F999")
    file = _write(tmp_path, doc, "toml")
    with pytest.raises(InconsistentEvaluationError) as info:
        qifeval.load_evaluation(file)
    assert info.value.finding_id == "F999"
    assert info.value.path == "results['5.1'].rules_fired[0].evidence"


def test_the_cli_refuses_a_tampered_evaluation_with_exit_1(tmp_path, capsys) -> None:
    doc = evaluation_to_dict(EXAMPLE)
    _result(doc, "5.1")["findings"].append("F999")
    file = _write(tmp_path, doc, "json")
    assert qifeval._cli.main(["report", str(file), "--format", "json"]) == 1
    err = capsys.readouterr().err
    assert "F999" in err and "results['5.1'].findings" in err and "Traceback" not in err


# Custom rules: the evaluation is checked with the rules it was made with.


def test_custom_rules_are_needed_to_check_an_evaluation(tmp_path) -> None:
    rules = qifeval.default_rules().with_points(major=12).with_rules(name="local-rules")
    e = qifeval.evaluate(qifeval.load_findings(ROOT / "examples" / "findings.toml"), rules=rules)
    file = tmp_path / "e.json"
    qifeval.dump_evaluation(e, file)
    with pytest.raises(InputError, match="pass them as rules=") as info:
        qifeval.load_evaluation(file)
    assert info.value.path == "rules"
    assert qifeval.load_evaluation(file, rules=rules) == e
    with pytest.raises(InputError, match="not 'other'"):
        qifeval.load_evaluation(file, rules=rules.with_rules(name="other"))


def test_same_named_rules_that_differ_are_found_out(tmp_path) -> None:
    # A rule set changed but not renamed gives other results: refused.
    rules = qifeval.default_rules().without("any-weakness")
    e = qifeval.evaluate(qifeval.load_findings(ROOT / "examples" / "findings.toml"), rules=rules)
    file = tmp_path / "e.json"
    qifeval.dump_evaluation(e, file)
    with pytest.raises(InconsistentEvaluationError, match="rules_fired"):
        qifeval.load_evaluation(file)
    assert qifeval.load_evaluation(file, rules=rules) == e


# Decisions


def test_a_grade_that_is_not_a_grade_names_the_indicator() -> None:
    for bad in ("²", 7, 0, "seven", None, 4.5, True):
        with pytest.raises(InputError) as info:
            EXAMPLE.override("5.3", bad, role="Lead officer", rationale="why")
        assert "5.3" in str(info.value) and repr(bad) in str(info.value)
        assert info.value.path == "grade"


def test_decisions_on_qi_10_or_unknown_indicators_are_refused() -> None:
    with pytest.raises(InputError, match="QI 10"):
        EXAMPLE.override("10", 4, role="Lead officer", rationale="why")
    with pytest.raises(InputError, match="QI 10"):
        EXAMPLE.confirm("10", role="Lead officer")
    with pytest.raises(qifeval.UnknownIndicatorError, match=r"'1\.1'"):
        EXAMPLE.override("11.1", 4, role="Lead officer", rationale="why")
    d = qifeval.Decision(qi="10", grade=4, suggested=4, role="Lead officer", date=DAY)
    with pytest.raises(InconsistentEvaluationError, match="QI 10") as info:
        EXAMPLE.reassess(decisions=(d,))
    assert info.value.path == "decisions[0].qi"


def test_a_second_decision_replaces_the_first() -> None:
    e = EXAMPLE.override("5.2", 6, role="Lead officer", rationale="first", date=DAY)
    e = e.override("5.2", 1, role="Lead officer", rationale="second", date=DAY)
    assert [d.qi for d in e.decisions].count("5.2") == 1
    assert e.grades["5.2"] is Grade.UNSATISFACTORY
    assert e.decision("5.2").rationale == "second"
    report = qifeval.json_report(e)
    entry = next(i for i in report["indicators"] if i["qi"] == "5.2")
    assert entry["decision"]["grade"] == 1
    twice = (*e.decisions, e.decision("5.2"))
    with pytest.raises(InconsistentEvaluationError, match=r"second decision on 5\.2"):
        e.reassess(decisions=twice)


def test_decision_grades_are_converted_or_refused() -> None:
    d = qifeval.Decision(qi="5.2", grade="good", suggested=2, role="Lead", date=DAY, rationale="r")
    assert (d.grade, d.suggested) == (Grade.GOOD, Grade.WEAK)
    with pytest.raises(InputError) as info:
        qifeval.Decision(qi="5.2", grade=9, role="Lead", date=DAY, rationale="r")
    assert info.value.path == "grade"


# Previous evaluations


def test_previous_grades_are_converted_at_construction() -> None:
    p = qifeval.PreviousEvaluation(label="2024", framework="qif-2018", grades={"5.2": 2})
    assert p.grades == {"5.2": Grade.WEAK} and type(p.grades["5.2"]) is Grade
    e = qifeval.evaluate(qifeval.load_findings(ROOT / "examples" / "findings.toml"), previous=p)
    assert "2024" in qifeval.html_report(e)
    for bad in (7, "²", None, "excellentish"):
        with pytest.raises(InputError) as info:
            qifeval.PreviousEvaluation(label="2024", framework="qif-2018", grades={"5.2": bad})
        assert info.value.path == "grades['5.2']" and "5.2" in str(info.value)
    with pytest.raises(InputError, match="indicator id must be a string"):
        qifeval.PreviousEvaluation(label="2024", framework="qif-2018", grades={5.2: 2})


def test_previous_grades_of_unknown_indicators_are_refused() -> None:
    p = qifeval.PreviousEvaluation(label="2024", framework="qif-2018", grades={"5.9": 2})
    evidence = qifeval.load_findings(ROOT / "examples" / "findings.toml")
    with pytest.raises(InputError) as info:
        qifeval.evaluate(evidence, previous=p)
    assert info.value.path == "previous.grades['5.9']"
    p2014 = qifeval.PreviousEvaluation(label="2016", framework="qif-2014", grades={"8.3": 4})
    assert qifeval.evaluate(evidence, previous=p2014).capacity.trend is not None


# Properties


@st.composite
def evaluations(draw: st.DrawFn) -> qifeval.Evaluation:
    evidence = draw(evidence_sets(max_size=20)).with_context(draw(contexts()))
    previous = None
    if draw(st.booleans()):
        previous = qifeval.evaluate(draw(evidence_sets(max_size=10)), QIF_2018)
    e = qifeval.evaluate(evidence, QIF_2018, previous=previous)
    qis = [r.qi for r in e.results]
    for qi in draw(st.lists(st.sampled_from(qis), max_size=4)):
        e = e.override(
            qi, draw(st.sampled_from(Grade)), role="Lead officer", rationale="agreed", date=DAY
        )
    return e


@given(evaluations(), st.sampled_from(["json", "toml"]))
def test_an_untampered_save_always_loads(e, fmt) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"e.{fmt}"
        qifeval.dump_evaluation(e, path)
        assert qifeval.load_evaluation(path) == e


@given(evaluations(), st.data())
def test_any_changed_suggestion_is_refused(e, data) -> None:
    doc = evaluation_to_dict(e)
    i = data.draw(st.integers(0, len(doc["results"]) - 1))
    entry = doc["results"][i]
    old = entry["suggested_grade"]
    new = data.draw(st.sampled_from([None, *range(1, 7)]).filter(lambda g: g != old))
    entry["suggested_grade"] = new
    with pytest.raises(InputError) as info:
        qifeval.evaluation._document.evaluation_from_dict(
            json.loads(json.dumps(doc)), file="e.json"
        )
    qi = entry["qi"]
    decided = [k for k, d in enumerate(doc["decisions"]) if d["qi"] == qi]
    expected = {f"results['{qi}'].suggested_grade"}
    expected |= {f"decisions[{k}].suggested" for k in decided}
    assert info.value.path in expected
