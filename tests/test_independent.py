"""An independent evaluation set beside a self-evaluation."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import qifeval
from qifeval import Grade, IndependentEvaluation, InputError
from qifeval._cli import main
from qifeval._convert import parse_document
from qifeval.evaluation._independent import compare_independent, independent_from_dict

from .strategies import QI_IDS, assert_same_types, evidence_sets, independent_evaluations

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def example() -> qifeval.Evaluation:
    return qifeval.evaluate(qifeval.load_findings(EXAMPLES / "findings.toml"), engine="python")


@given(independent_evaluations, st.sampled_from(["toml", "json"]))
def test_an_independent_evaluation_round_trips_losslessly(
    independent: IndependentEvaluation, fmt: str
) -> None:
    text = qifeval.dump_independent(independent, fmt=fmt)
    loaded = independent_from_dict(parse_document(text.encode(), fmt=fmt))
    assert loaded == independent
    assert_same_types(loaded, independent)


def test_identical_grades_match_exactly(example: qifeval.Evaluation) -> None:
    graded = {q: g for q, g in example.grades.items() if g is not None}
    same = IndependentEvaluation(source="Inspection", grades=graded)
    m = compare_independent(example, same)
    assert len(m.compared) == len(graded) > 0
    assert m.exact_share == 1.0 and m.within_one_share == 1.0
    assert m.median_absolute_difference == 0.0
    assert m.higher == () and m.lower == ()


def _shifted(grades: dict[str, Grade], by: int) -> dict[str, Grade]:
    return {q: Grade(min(6, max(1, int(g) + by))) for q, g in grades.items()}


@given(evidence_sets(max_size=15), independent_evaluations)
def test_the_match_is_counted_not_averaged(
    evidence: qifeval.EvidenceSet, independent: IndependentEvaluation
) -> None:
    e = qifeval.evaluate(evidence, engine="python", independent=independent)
    m = e.independent_match
    assert m is not None and m == qifeval.independent_match(e)
    assert [i.qi for i in m.indicators] == [q for q in QI_IDS if q in independent.grades]
    diffs = []
    for i in m.indicators:
        own = e.grades[i.qi]
        assert i.self_grade == own and i.independent == independent.grades[i.qi]
        if own is None:
            assert i.difference is None and i.qi in m.not_graded_by_self
        else:
            assert i.difference == int(own) - int(independent.grades[i.qi])
            diffs.append(i.difference)
    assert m.exact == sum(d == 0 for d in diffs)
    assert m.within_one == sum(abs(d) <= 1 for d in diffs)
    assert 0 <= m.exact <= m.within_one <= len(diffs)
    if diffs:
        assert m.exact_share == m.exact / len(diffs)
        assert m.median_absolute_difference == statistics.median(abs(d) for d in diffs)
        assert (m.exact_share == 1.0) == all(d == 0 for d in diffs)
        assert set(m.higher) == {i.qi for i in m.compared if (i.difference or 0) > 0}
    else:
        assert m.exact_share is None and m.median_absolute_difference is None


@given(evidence_sets(min_size=1, max_size=15), st.data())
def test_raising_every_independent_grade_makes_the_self_evaluation_no_higher(
    evidence: qifeval.EvidenceSet, data: st.DataObject
) -> None:
    e = qifeval.evaluate(evidence, engine="python")
    graded = {q: g for q, g in e.grades.items() if g is not None}
    if not graded:
        return
    base = IndependentEvaluation(source="Inspection", grades=graded)
    up = attrs.evolve(base, grades=_shifted(graded, 1))
    before, after = compare_independent(e, base), compare_independent(e, up)
    assert len(after.higher) <= len(before.higher)
    assert len(after.lower) >= len(before.lower)
    assert all(
        (b.difference or 0) >= (a.difference or 0)
        for b, a in zip(before.indicators, after.indicators, strict=True)
    )


def test_an_indicator_without_a_self_grade_is_not_compared(example: qifeval.Evaluation) -> None:
    ungraded = [q for q, g in example.grades.items() if g is None]
    graded = [q for q, g in example.grades.items() if g is not None]
    assert ungraded and graded
    ind = IndependentEvaluation(source="Inspection", grades={ungraded[0]: 3, graded[0]: 3})
    m = compare_independent(example, ind)
    assert m.not_graded_by_self == (ungraded[0],)
    assert [i.qi for i in m.compared] == [graded[0]]


@pytest.mark.parametrize(
    ("grades", "path", "problem"),
    [
        ({"5.9": 4}, "grades['5.9']", "no indicator '5.9'"),
        ({"10": 4}, "grades['10']", "QI 10"),
        ({"5.2": 7}, "grades['5.2']", "expected a grade"),
        ({"5.2": "Brilliant"}, "grades['5.2']", "expected a grade"),
        ({}, "grades", "at least one"),
    ],
)
def test_bad_independent_files_are_refused_naming_file_and_path(
    tmp_path: Path, grades: dict[str, object], path: str, problem: str
) -> None:
    file = tmp_path / "ind.json"
    raw = {"schema_version": 1, "source": "Inspection", "framework": "qif-2018", "grades": grades}
    file.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(InputError) as info:
        qifeval.load_independent(file, framework=qifeval.load_framework("qif-2018"))
    assert info.value.file == str(file) and info.value.path == path
    assert problem in str(info.value)


def test_evaluate_refuses_indicators_the_framework_lacks() -> None:
    ind = IndependentEvaluation(source="Inspection", grades={"8.3": 4})
    ev = qifeval.load_findings(EXAMPLES / "findings.toml")
    with pytest.raises(InputError) as info:
        qifeval.evaluate(ev, independent=ind, engine="python")
    assert info.value.path == "independent.grades['8.3']"
    other = IndependentEvaluation(source="Inspection", framework="qif-2014", grades={"8.3": 4})
    with pytest.raises(InputError) as info:
        qifeval.evaluate(ev, independent=other, engine="python")
    assert info.value.path == "independent.framework"


def test_a_saved_evaluation_keeps_its_independent_evaluation(tmp_path: Path) -> None:
    ind = qifeval.load_independent(EXAMPLES / "independent-2026.toml")
    e = qifeval.evaluate(
        qifeval.load_findings(EXAMPLES / "findings.toml"), independent=ind, engine="python"
    )
    for name in ("e.json", "e.toml"):
        qifeval.dump_evaluation(e, tmp_path / name)
        loaded = qifeval.load_evaluation(tmp_path / name)
        assert loaded == e and loaded.independent_match == e.independent_match
    raw = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    raw["independent"]["grades"]["4.9"] = 3
    (tmp_path / "edited.json").write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(InputError) as info:
        qifeval.load_evaluation(tmp_path / "edited.json")
    assert info.value.path == "independent.grades['4.9']"


def test_reports_show_the_comparison(example: qifeval.Evaluation) -> None:
    ind = qifeval.load_independent(EXAMPLES / "independent-2026.toml")
    e = attrs.evolve(example, independent=ind)
    m = e.independent_match
    assert m is not None
    md = qifeval.markdown_report(e)
    assert "## Independent evaluation" in md
    assert f"the same grade on {m.exact} " in md
    page = qifeval.html_report(e)
    assert 'id="independent"' in page
    report = qifeval.json_report(e)["independent"]
    assert report["exact"] == m.exact and report["within_one"] == m.within_one
    assert [i["difference"] for i in report["indicators"]] == [i.difference for i in m.indicators]
    assert "## Independent evaluation" not in qifeval.markdown_report(example)


def test_the_source_is_scanned_for_personal_data() -> None:
    ind = IndependentEvaluation(source="Inspection led by Ms Jane Smith", grades={"5.2": 3})
    with pytest.raises(qifeval.PersonalDataError) as info:
        qifeval.evaluate(
            qifeval.load_findings(EXAMPLES / "findings.toml"),
            independent=ind,
            strict=True,
            engine="python",
        )
    assert "independent.source" in str(info.value)


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_evaluate_with_an_independent_evaluation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_file = tmp_path / "report.md"
    args = [
        "evaluate",
        EXAMPLES / "findings.toml",
        "--independent",
        EXAMPLES / "independent-2026.toml",
        "-o",
        out_file,
    ]
    code, _, err = run(capsys, *args)
    assert code == 0, err
    assert "## Independent evaluation" in out_file.read_text(encoding="utf-8")
    code, _, err = run(capsys, *args)
    assert code == 1 and "--force" in err
    assert run(capsys, *args, "--force")[0] == 0
    code, _, err = run(
        capsys,
        "evaluate",
        EXAMPLES / "findings.toml",
        "--independent",
        EXAMPLES / "findings.toml",
        "--force",
        "-o",
        out_file,
    )
    assert code == 1 and "findings.toml" in err and "Traceback" not in err
