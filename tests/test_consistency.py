"""Consistency checks on findings: warnings, strict refusal, acknowledgement,
and inconsistent strengths left out of the strength counts."""

from __future__ import annotations

import json
import pickle
import tomllib
import warnings
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import qifeval
from qifeval._cli import main
from qifeval.evidence import BANDS, SMALL_SAMPLE

from .strategies import QIF_2018, evidence_sets, findings

ROOT = Path(__file__).resolve().parent.parent
CASES = tomllib.loads((ROOT / "tests/calibration/cases.toml").read_text(encoding="utf-8"))


def _finding(**kw: object) -> qifeval.Finding:
    base: dict[str, object] = dict(
        id="F7",
        qi="5.2",
        statement="records had an up-to-date chronology",
        valence="strength",
        weight="important",
        source="practice",
    )
    return qifeval.Finding(**{**base, **kw})  # type: ignore[arg-type]


def _codes(*fs: qifeval.Finding) -> list[tuple[str, str, str]]:
    return [(w.finding_id, w.code, w.path) for w in qifeval.check_findings(fs)]


# --- Each check ------------------------------------------------------------------

LEADS = {
    "none": "None of the records",
    "a few": "A few records",
    "less than half": "Less than half of records",
    "majority": "The majority of records",
    "most": "Most records",
    "almost all": "Almost all records",
    "all": "All records",
}
# A share inside each band.
INSIDE = {"none": 0.0, "a few": 0.1, "less than half": 0.3, "majority": 0.6, "most": 0.8,
          "almost all": 0.95, "all": 1.0}  # fmt: skip


@pytest.mark.parametrize("term", LEADS)
@pytest.mark.parametrize("band", INSIDE)
def test_a_quantifier_must_match_the_proportion(term: str, band: str) -> None:
    f = _finding(
        statement=f"{LEADS[term]} had a chronology", valence="weakness", proportion=INSIDE[band],
        sample=60,
    )  # fmt: skip
    expected = [] if term == band else [("F7", "quantifier-mismatch", "findings[0].statement")]
    assert _codes(f) == expected


@given(st.floats(0, 1), st.sampled_from(["", "In "]), st.booleans())
def test_a_statement_led_by_its_own_term_passes(p: float, prefix: str, upper: bool) -> None:
    term = qifeval.quantifier(p)
    lead = {"majority": "the majority of", "less than half": "less than half of"}.get(term, term)
    text = f"{prefix}{lead} records had a chronology"
    f = _finding(statement=text.upper() if upper else text, valence="weakness", proportion=p,
                 sample=60)  # fmt: skip
    assert _codes(f) == []


def test_other_leads_and_words_inside_words_are_not_terms() -> None:
    for text in ("Allocated workers visited", "Mostly on time", "Nonetheless plans were late",
                 "Initial assessments were late", "Records showed that most were late"):  # fmt: skip
        assert _codes(_finding(statement=text, proportion=0.6, sample=60)) == [], text


def test_a_majority_and_majority_lead_as_the_majority() -> None:
    for lead in ("A majority of", "Majority of", "the  majority of"):
        assert _codes(_finding(statement=f"{lead} records", proportion=0.6, sample=60)) == []


def test_bare_few_is_flagged_with_or_without_a_proportion() -> None:
    assert _codes(_finding(statement="Few plans were late", valence="weakness")) == [
        ("F7", "bare-few", "findings[0].statement")
    ]
    f = _finding(statement="Few plans were late", valence="weakness", proportion=0.1, sample=60)
    assert [c for _, c, _ in _codes(f)] == ["bare-few"]
    f = attrs.evolve(f, proportion=0.6)
    assert [c for _, c, _ in _codes(f)] == ["bare-few", "quantifier-mismatch"]


def test_a_strength_under_half_is_flagged_and_a_weakness_is_not() -> None:
    p = 0.45
    s = _finding(statement="Less than half of records had a chronology", proportion=p, sample=60)
    assert _codes(s) == [("F7", "strength-under-half", "findings[0].proportion")]
    w = attrs.evolve(s, valence="weakness")
    assert _codes(w) == []
    assert _codes(attrs.evolve(s, proportion=0.5, statement="The majority of records")) == []


def test_a_proportion_needs_a_sample_and_a_small_sample_is_flagged() -> None:
    f = _finding(proportion=0.8)
    assert _codes(f) == [("F7", "no-sample", "findings[0].proportion")]
    assert _codes(attrs.evolve(f, sample=SMALL_SAMPLE - 1)) == [
        ("F7", "small-sample", "findings[0].sample")
    ]
    assert _codes(attrs.evolve(f, sample=SMALL_SAMPLE)) == []
    assert SMALL_SAMPLE == 10
    # The threshold is a parameter.
    warned = qifeval.check_findings([attrs.evolve(f, sample=20)], small_sample=30)
    assert [w.code for w in warned] == ["small-sample"]
    # A sample without a proportion is not checked.
    assert _codes(_finding(sample=3)) == []


def test_warnings_name_the_finding_path_and_check() -> None:
    ev = qifeval.EvidenceSet(
        partnership="Example",
        findings=[
            _finding(id="F1", proportion=0.9, sample=60),
            _finding(id="F2", statement="Most records", proportion=0.3),
        ],
    )
    found = qifeval.check_findings(ev)
    assert [(w.finding_id, w.code, w.path) for w in found] == [
        ("F2", "quantifier-mismatch", "findings[1].statement"),
        ("F2", "strength-under-half", "findings[1].proportion"),
        ("F2", "no-sample", "findings[1].proportion"),
    ]
    text = str(found[0])
    assert "findings[1].statement" in text and "'F2'" in text and "'most'" in text
    assert "'less than half'" in text
    assert all(isinstance(w, qifeval.QifevalWarning) for w in found)
    assert pickle.loads(pickle.dumps(found[0])) == found[0]


# --- Warned, refused under strict, unless checked -----------------------------


def _evidence(*fs: qifeval.Finding) -> qifeval.EvidenceSet:
    return qifeval.EvidenceSet(partnership="Example", findings=fs)


BAD = _finding(id="F9", statement="Most records had a chronology", proportion=0.45, sample=60)


def test_evaluate_warns_once_per_problem_by_default() -> None:
    with pytest.warns(qifeval.EvidenceWarning) as caught:
        qifeval.evaluate(_evidence(BAD), engine="python")
    got = [(w.message.finding_id, w.message.code) for w in caught.list]  # type: ignore[union-attr]
    assert got == [("F9", "quantifier-mismatch"), ("F9", "strength-under-half")]
    assert all(w.filename == __file__ for w in caught.list)  # points at the caller


def test_strict_refuses_with_every_problem_named() -> None:
    with pytest.raises(qifeval.EvidenceError) as info:
        qifeval.evaluate(_evidence(BAD), engine="python", strict=True)
    err = info.value
    assert isinstance(err, qifeval.InputError)
    assert [(p.path, p.finding_id) for p in err.problems] == [
        ("findings[0].statement", "F9"),
        ("findings[0].proportion", "F9"),
    ]
    assert "[quantifier-mismatch]" in str(err) and "[strength-under-half]" in str(err)
    assert [w.code for w in err.warnings] == ["quantifier-mismatch", "strength-under-half"]
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err) and again.warnings == err.warnings


def test_a_finding_a_person_checked_is_listed_but_neither_warned_nor_refused() -> None:
    checked = attrs.evolve(BAD, checked=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", qifeval.EvidenceWarning)
        e = qifeval.evaluate(_evidence(checked), engine="python", strict=True)
    found = qifeval.check_findings(e.evidence)
    assert [w.code for w in found] == ["quantifier-mismatch", "strength-under-half"]
    assert all(w.checked for w in found)
    # Only the unchecked finding is refused.
    with pytest.raises(qifeval.EvidenceError) as info:
        qifeval.evaluate(
            _evidence(checked, attrs.evolve(BAD, id="F10")), engine="python", strict=True
        )
    assert {p.finding_id for p in info.value.problems} == {"F10"}


def test_the_acknowledgement_round_trips_and_old_files_stay_valid(tmp_path: Path) -> None:
    ev = _evidence(attrs.evolve(BAD, checked=True), _finding(id="F1"))
    for suffix in (".toml", ".json"):
        path = tmp_path / f"f{suffix}"
        text = qifeval.dump_findings(ev, path)
        assert text.count("checked") == 1  # written only where set
        assert qifeval.load_findings(path) == ev
    # A file written before samples existed loads, and evaluates with a warning.
    old = json.loads((ROOT / "docs/examples/findings.json").read_text(encoding="utf-8"))
    for f in old["findings"]:
        f.pop("sample", None)
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    loaded = qifeval.load_findings(path)
    with pytest.warns(qifeval.EvidenceWarning, match="no-sample"):
        qifeval.evaluate(loaded, engine="python")


def test_the_bundled_examples_pass_every_check() -> None:
    for name in ("findings.toml", "findings.json", "tutorial-findings.toml"):
        ev = qifeval.load_findings(ROOT / "docs/examples" / name)
        assert qifeval.check_findings(ev) == (), name


# --- Inconsistent strengths do not count --------------------------------------


def _calibration_findings(case: dict[str, Any]) -> list[qifeval.Finding]:
    return [qifeval.Finding(**f, qi=case["qi"]) for f in case["findings"]]


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["id"] for c in CASES["cases"]])
def test_the_calibration_annotations_are_what_the_checks_find(case: dict[str, Any]) -> None:
    fs = _calibration_findings(case)
    flagged = {
        w.finding_id
        for w in qifeval.check_findings(fs)
        if w.code in ("quantifier-mismatch", "strength-under-half")
    }
    assert flagged == set(case.get("inconsistent", []))
    profile = qifeval.profiles(_evidence(*fs), QIF_2018)[case["qi"]]
    assert profile["strengths_inconsistent"] == len(flagged)


def test_an_inconsistent_strength_is_graded_as_if_absent_unless_checked() -> None:
    (case,) = [c for c in CASES["cases"] if c.get("inconsistent")][:1]
    fs = _calibration_findings(case)
    bad = set(case["inconsistent"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qifeval.EvidenceWarning)
        full = qifeval.evaluate(_evidence(*fs), engine="python").result(case["qi"])
        without = qifeval.evaluate(
            _evidence(*(f for f in fs if f.id not in bad)), engine="python"
        ).result(case["qi"])
    assert full.suggested_grade == without.suggested_grade == qifeval.Grade(case["grade"])
    assert full.profile["strengths"] == without.profile["strengths"]
    checked = [attrs.evolve(f, checked=True) if f.id in bad else f for f in fs]
    profile = qifeval.profiles(_evidence(*checked), QIF_2018)[case["qi"]]
    assert profile["strengths"] == full.profile["strengths"] + len(bad)
    assert profile["strengths_inconsistent"] == 0


STRENGTH_FIELDS = [
    name
    for name, field in __import__("qifeval.evidence._fields", fromlist=["FIELDS"])
    .FIELDS["indicator"]
    .items()
    if field.side.value == "strength"
]


@given(evidence_sets(qi=st.just("5.2"), max_size=8), findings(qi=st.just("5.2"), id="X"))
def test_adding_an_inconsistent_strength_changes_no_strength_field_nor_the_grade(
    ev: qifeval.EvidenceSet, extra: qifeval.Finding
) -> None:
    bad = attrs.evolve(
        extra, valence="strength", critical=False, proportion=0.3, sample=40, checked=False
    )
    before = qifeval.profiles(ev, QIF_2018)["5.2"]
    after = qifeval.profiles(ev.with_findings([*ev.findings, bad]), QIF_2018)["5.2"]
    for name in STRENGTH_FIELDS:
        assert after[name] == before[name], name
    assert after["strengths_inconsistent"] == before["strengths_inconsistent"] + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qifeval.EvidenceWarning)
        g0 = qifeval.evaluate(ev, engine="python").result("5.2").suggested_grade
        g1 = qifeval.evaluate(ev.with_findings([*ev.findings, bad]), engine="python")
    g1r = g1.result("5.2").suggested_grade
    if g0 is not None:  # adding a strength never lowers a suggestion
        assert g1r is not None and g1r >= g0


def test_strengths_unsettled_counts_strengths_whose_interval_spans_two_bands() -> None:
    fs = [
        _finding(id="A", statement="records", proportion=47 / 60, sample=60),  # could be majority
        _finding(id="B", statement="records", proportion=0.8, sample=400),  # settled
        _finding(id="C", statement="records", valence="weakness", proportion=0.6, sample=10),
        _finding(id="D", statement="records", proportion=0.8),  # no sample: no interval
    ]
    p = qifeval.profiles(_evidence(*fs), QIF_2018)["5.2"]
    assert p["strengths_unsettled"] == 1
    assert p.finding_ids["strengths_unsettled"] == ("A",)


# --- Reports and the command line ------------------------------------------------


def test_validate_prints_the_warnings_and_strict_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "f.toml"
    qifeval.dump_findings(_evidence(BAD, _finding(id="F1", proportion=0.8, sample=40)), path)
    assert main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "valid (2 findings" in out
    assert err.count("qifeval: warning:") == 2 and "'F9'" in err and "[strength-under-half]" in err
    assert main(["validate", "--strict", str(path)]) == 1
    out, err = capsys.readouterr()
    assert "f.toml" in err and "findings[0].statement" in err and "'F9'" in err
    qifeval.dump_findings(_evidence(attrs.evolve(BAD, checked=True)), path)
    assert main(["validate", "--strict", str(path)]) == 0
    assert "(checked by a person)" in capsys.readouterr().err


def test_bands_are_what_the_checks_compare_against() -> None:
    # Every lead term names a band, and a share inside that band passes.
    assert set(LEADS) == {b.term for b in BANDS} == set(INSIDE)
    for term, p in INSIDE.items():
        assert p in next(b for b in BANDS if b.term == term)


def test_reports_list_the_warnings_and_show_the_figures() -> None:
    ok = _finding(id="F1", proportion=47 / 60, sample=60)
    ev = _evidence(ok, attrs.evolve(BAD, checked=True), _finding(id="F3", proportion=0.9))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qifeval.EvidenceWarning)
        e = qifeval.evaluate(ev, engine="python")
    md = qifeval.markdown_report(e)
    section = md.split("## Evidence warnings", 1)[1].split("## ", 1)[0]
    lines = [x for x in section.splitlines() if x.startswith("- ")]
    assert len(lines) == 3
    assert (
        "F9" in lines[0] and "quantifier-mismatch" in lines[0] and "checked by a person" in lines[0]
    )
    assert "F3" in lines[2] and "no-sample" in lines[2] and "checked" not in lines[2]
    assert "most (78%, 47 of 60; could be a majority)" in md
    html = qifeval.html_report(e)
    assert html.count('id="warnings"') == 1 and "no-sample" in html
    report = qifeval.json_report(e)
    assert [(w["finding"], w["code"], w["checked"]) for w in report["warnings"]] == [
        ("F9", "quantifier-mismatch", True),
        ("F9", "strength-under-half", True),
        ("F3", "no-sample", False),
    ]
    assert report["warnings"][2]["path"] == "findings[2].proportion"


def test_reports_without_warnings_have_no_warnings_section() -> None:
    e = qifeval.evaluate(_evidence(_finding(id="F1", proportion=0.8, sample=400)), engine="python")
    assert "Evidence warnings" not in qifeval.markdown_report(e)
    assert 'id="warnings"' not in qifeval.html_report(e)
    assert qifeval.json_report(e)["warnings"] == []


@given(evidence_sets(), st.sampled_from([SMALL_SAMPLE, 3, 50]))
def test_an_evidence_set_is_checked_as_its_findings_are(
    ev: qifeval.EvidenceSet, small: int
) -> None:
    # the warnings of an evidence set are kept while it lives: the same as
    # checking its findings afresh, every time, at each small sample
    fresh = qifeval.check_findings(list(ev.findings), small_sample=small)
    assert qifeval.check_findings(ev, small_sample=small) == fresh
    assert qifeval.check_findings(ev, small_sample=small) == fresh
    same = attrs.evolve(ev)
    assert qifeval.check_findings(same, small_sample=small) == fresh
    other = attrs.evolve(ev, findings=ev.findings[1:])
    assert qifeval.check_findings(other, small_sample=small) == qifeval.check_findings(
        list(other.findings), small_sample=small
    )


def test_the_warnings_of_an_evidence_set_go_with_it() -> None:
    from qifeval.evidence import _consistency

    ev = qifeval.EvidenceSet(partnership="P", findings=[_finding(proportion=0.3, sample=5)])
    assert qifeval.check_findings(ev)
    key = (id(ev), SMALL_SAMPLE)
    assert key in _consistency._CHECKED
    del ev
    assert key not in _consistency._CHECKED
