"""Calibration cases for suggested grades (``tests/calibration/cases.toml``).

The cases were written from the words of the six-point scale, before any
rule was changed to agree with them (see ``tests/calibration/README.md``).
These tests check that the file is valid and covers what it must; they also
measure how often the *current* default rules agree with the cases and print
it, without asserting it: the agreement is a measurement of the rules, not a
property of the file.

Run ``python tests/test_calibration_baseline.py`` (with ``src`` on the path)
to print the agreement table.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest

import qifeval
from qifeval.evaluation._evaluate import scan_evidence

HERE = Path(__file__).parent / "calibration"
CASES_FILE = HERE / "cases.toml"
README = HERE / "README.md"

# Fields the evidence model does not have yet: stripped before loading.
NEW_FIELDS = ("sample", "voice", "key_factor")
VOICES = frozenset(
    {"children_and_young_people", "parents_and_carers", "staff", "leaders_and_partners"}
)
PATTERNS = frozenset(
    {
        "enough-evidence",
        "extent",
        "strengths-add-up",
        "minor-do-not-swamp",
        "quality-of-evidence",
        "excellent",
        "consistency",
        "contradiction",
        "safety-concern",
        "withhold",
        "cap",
        "balance",
    }
)
REQUIRED_KEYS = frozenset({"id", "qi", "title", "grade", "rationale", "patterns", "findings"})
OPTIONAL_KEYS = frozenset(
    {"acceptable", "room", "safety_concern", "inconsistent", "pair", "contradiction"}
)
FINDING_REQUIRED = frozenset({"id", "statement", "valence", "weight", "source"})
FINDING_OPTIONAL = frozenset(
    {
        "source_detail",
        "ref",
        "date",
        "proportion",
        "critical",
        "sustained",
        "sector_leading",
        "illustration",
        *NEW_FIELDS,
    }
)
MIN_CASES = 48
MIN_PER_LEVEL = 6
MIN_PER_PATTERN = 2
LEVEL_NAMES = {0: "no grade", **{int(g): g.label for g in qifeval.Grade}}

# The evaluative term a statement leads with, and qifeval's name for it.
LEADS = (
    ("almost all ", "almost all"),
    ("all ", "all"),
    ("most ", "most"),
    ("the majority of ", "majority"),
    ("less than half of ", "less than half"),
    ("a few ", "a few"),
    ("none of ", "none"),
    ("one ", "one"),
)
FIGURES = re.compile(r"\((\d+)%, (\d+) of (\d+)\)")
QUOTE = re.compile(r'"([^"]+)"')
KEY_FACTOR = re.compile(r"^(?P<qi>\d+\.\d+)/key_factor/(?P<n>[1-9]\d*)$")

FRAMEWORK = qifeval.load_framework("qif-2018")


def _load() -> dict[str, Any]:
    return tomllib.loads(CASES_FILE.read_text(encoding="utf-8"))


DATA = _load()
CASES: list[dict[str, Any]] = DATA["cases"]
CASE_IDS = [str(case.get("id", i)) for i, case in enumerate(CASES)]


def _normalise(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def _quoted_words() -> str:
    """The words the rationales may quote: Appendix 2 as qifeval ships it,
    and the grading semantics quoted in the README's section on them."""
    appendix_2 = " ".join(f"{g.label}: {g.descriptor}. {g.description}" for g in qifeval.Grade)
    readme = README.read_text(encoding="utf-8")
    match = re.search(r"^## The words the cases quote\n(.*?)(?=^## )", readme, re.M | re.S)
    assert match, "README.md has no section '## The words the cases quote'"
    section = re.sub(r"^\s*(?:>|-)\s?", "", match.group(1), flags=re.M)
    return _normalise(appendix_2 + " " + section)


def _lead(statement: str) -> str | None:
    text = statement.lower()
    text = text.removeprefix("in ")
    for prefix, term in LEADS:
        if text.startswith(prefix):
            return term
    return None


def _is_inconsistent(finding: dict[str, Any]) -> bool:
    """A strength under one half, or one whose leading term contradicts its
    proportion."""
    if finding["valence"] != "strength" or "proportion" not in finding:
        return False
    p = finding["proportion"]
    return bool(p < 0.5 or _lead(finding["statement"]) != qifeval.quantifier(p))


def _counted(case: dict[str, Any]) -> list[dict[str, Any]]:
    skip = set(case.get("inconsistent", []))
    return [f for f in case["findings"] if f["id"] not in skip]


def _has_contradiction(case: dict[str, Any]) -> bool:
    """An important-or-major strength and weakness from different kinds of
    evidence about the same key factor or illustration."""

    def points(f: dict[str, Any]) -> set[str]:
        return {f[k] for k in ("key_factor", "illustration") if k in f}

    heavy = [f for f in _counted(case) if f["weight"] in ("important", "major")]
    return any(
        s["source"] != w["source"] and points(s) & points(w)
        for s in heavy
        if s["valence"] == "strength"
        for w in heavy
        if w["valence"] == "weakness"
    )


def findings_document(case: dict[str, Any]) -> dict[str, Any]:
    """The case as a findings document of today's schema: the new fields
    stripped, the case's indicator on every finding."""
    findings = [
        {**{k: v for k, v in f.items() if k not in NEW_FIELDS}, "qi": case["qi"]}
        for f in case["findings"]
    ]
    return {
        "schema_version": 1,
        "partnership": f"Calibration case {case['id']}",
        "framework": DATA["framework"],
        "title": case["title"],
        "findings": findings,
    }


def evidence_of(case: dict[str, Any]) -> qifeval.EvidenceSet:
    """The case's evidence set, built with the public constructors."""
    findings = tuple(qifeval.Finding(**f) for f in findings_document(case)["findings"])
    return qifeval.EvidenceSet(
        partnership=f"Calibration case {case['id']}",
        framework=DATA["framework"],
        title=case["title"],
    ).with_findings(findings)


# --------------------------------------------------------------- the file


def test_header() -> None:
    assert DATA["schema_version"] == 1
    assert DATA["framework"] == "qif-2018"
    assert set(DATA) == {"schema_version", "framework", "cases"}


def test_ids_are_unique_and_numbered() -> None:
    assert len(set(CASE_IDS)) == len(CASE_IDS)
    assert all(re.fullmatch(r"C\d{2,3}", i) for i in CASE_IDS)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_case_keys(case: dict[str, Any]) -> None:
    keys = set(case)
    assert REQUIRED_KEYS <= keys, f"missing {sorted(REQUIRED_KEYS - keys)}"
    assert keys <= REQUIRED_KEYS | OPTIONAL_KEYS, (
        f"unknown {sorted(keys - REQUIRED_KEYS - OPTIONAL_KEYS)}"
    )
    assert case["qi"] in {qi.id for qi in FRAMEWORK.indicators}
    assert isinstance(case["title"], str) and 0 < len(case["title"].split()) <= 10
    grade = case["grade"]
    assert isinstance(grade, int) and 0 <= grade <= 6
    acceptable = case.get("acceptable", [])
    assert all(isinstance(g, int) and 0 <= g <= 6 and g != grade for g in acceptable)
    assert len(set(acceptable)) == len(acceptable)
    # Room for judgement is used sparingly, and always explained.
    assert bool(acceptable) == bool(case.get("room", "").strip())
    assert case["patterns"] and set(case["patterns"]) <= PATTERNS
    assert len(set(case["patterns"])) == len(case["patterns"])
    assert isinstance(case.get("safety_concern", False), bool)
    assert isinstance(case.get("contradiction", False), bool)
    assert case["findings"], "a case needs findings"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_rationale_quotes_the_scale(case: dict[str, Any]) -> None:
    words = _quoted_words()
    quotes = QUOTE.findall(case["rationale"])
    assert any(len(q.split()) >= 4 for q in quotes), "the rationale quotes no words"
    for quote in quotes:
        for part in re.split(r"…|\.\.\.", quote):
            part = _normalise(part).strip(" .;,")
            assert part in words, f"not in Appendix 2 or the quoted semantics: {part!r}"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_findings_fields(case: dict[str, Any]) -> None:
    ids = [f["id"] for f in case["findings"]]
    assert len(set(ids)) == len(ids)
    n_factors = len(FRAMEWORK.indicator(case["qi"]).key_factors)
    for f in case["findings"]:
        keys = set(f)
        assert FINDING_REQUIRED <= keys, (f["id"], sorted(FINDING_REQUIRED - keys))
        assert keys <= FINDING_REQUIRED | FINDING_OPTIONAL, (f["id"], sorted(keys))
        # sample goes with proportion: how many records or respondents it is of.
        assert ("sample" in f) == ("proportion" in f), f["id"]
        if "sample" in f:
            assert isinstance(f["sample"], int) and f["sample"] >= 1, f["id"]
            if f["sample"] < 10:
                assert f["weight"] == "minor", f"{f['id']}: a small sample weighs at most minor"
        # voice goes with stakeholders' views.
        assert ("voice" in f) == (f["source"] == "stakeholder_views"), f["id"]
        if "voice" in f:
            assert f["voice"] in VOICES, f["id"]
        match = KEY_FACTOR.match(f["key_factor"])
        assert match, f"{f['id']}: key_factor {f['key_factor']!r}"
        assert match["qi"] == case["qi"], f["id"]
        assert int(match["n"]) <= n_factors, f"{f['id']}: no such key factor"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_statements_match_their_figures(case: dict[str, Any]) -> None:
    inconsistent = set(case.get("inconsistent", []))
    for f in case["findings"]:
        figures = FIGURES.findall(f["statement"])
        if "proportion" not in f:
            assert not figures, f"{f['id']}: figures in the statement but no proportion"
            continue
        assert len(figures) == 1, f"{f['id']}: the statement gives no (N%, k of n)"
        percent, k, n = (int(x) for x in figures[0])
        p = f["proportion"]
        assert n == f["sample"], f["id"]
        assert abs(k / n - p) <= 0.005 + 1e-9 and round(p * 100) == percent, f["id"]
        lead = _lead(f["statement"])
        if lead == "one":
            assert k == 1, f["id"]
        elif f["id"] not in inconsistent:
            assert lead == qifeval.quantifier(p), (f["id"], lead, qifeval.quantifier(p))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_annotations_agree_with_the_findings(case: dict[str, Any]) -> None:
    findings = case["findings"]
    assert set(case.get("inconsistent", [])) == {f["id"] for f in findings if _is_inconsistent(f)}
    assert ("consistency" in case["patterns"]) == bool(case.get("inconsistent"))
    critical = any(f.get("critical", False) for f in findings)
    assert case.get("safety_concern", False) == critical
    assert ("safety-concern" in case["patterns"]) == critical
    assert case.get("contradiction", False) == _has_contradiction(case)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_findings_load_once_new_fields_are_stripped(case: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / f"{case['id']}.json"
    path.write_text(json.dumps(findings_document(case)), encoding="utf-8")
    evidence = qifeval.load_findings(path)
    assert evidence == evidence_of(case)
    assert [f.qi for f in evidence.findings] == [case["qi"]] * len(case["findings"])
    # Fictional and free of anything that looks like personal data (strict
    # evaluation would also refuse what the consistency checks flag).
    assert scan_evidence(evidence) == ()


def test_pairs_differ_by_one_minor_weakness() -> None:
    pairs: dict[str, list[dict[str, Any]]] = {}
    for case in CASES:
        if "pair" in case:
            pairs.setdefault(case["pair"], []).append(case)
    assert len(pairs) >= 2
    for name, members in pairs.items():
        assert len(members) == 2, name
        small, large = sorted(members, key=lambda c: len(c["findings"]))
        assert small["qi"] == large["qi"], name
        assert small["grade"] == large["grade"], name
        assert small.get("acceptable", []) == large.get("acceptable", []), name
        extra = [f for f in large["findings"] if f not in small["findings"]]
        assert all(f in large["findings"] for f in small["findings"]), name
        assert len(extra) == 1, name
        assert (extra[0]["valence"], extra[0]["weight"]) == ("weakness", "minor"), name


# --------------------------------------------------------------- coverage


def _kinds(findings: list[dict[str, Any]]) -> set[str]:
    return {f["source"] for f in findings}


def _shape(case: dict[str, Any], valence: str, weight: str) -> list[dict[str, Any]]:
    return [f for f in _counted(case) if (f["valence"], f["weight"]) == (valence, weight)]


def _strengths(case: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in _counted(case) if f["valence"] == "strength"]


def _weaknesses(case: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in _counted(case) if f["valence"] == "weakness"]


def _cases_in_count(case: dict[str, Any]) -> Iterator[int | None]:
    for f in case["findings"]:
        if f.get("critical"):
            yield round(f["proportion"] * f["sample"]) if "proportion" in f else None


def _single_minor(case: dict[str, Any], valence: str) -> bool:
    findings = case["findings"]
    return len(findings) == 1 and (findings[0]["valence"], findings[0]["weight"]) == (
        valence,
        "minor",
    )


def _few_critical_on_2_1(case: dict[str, Any]) -> bool:
    few = [
        f
        for f in case["findings"]
        if f.get("critical") and f.get("proportion") == 0.07 and f.get("sample") == 60
    ]
    strong = len(_kinds(_strengths(case))) >= 3
    return case["qi"] == "2.1" and len(few) == 1 and len(_weaknesses(case)) == 1 and strong


def _single_case_critical(case: dict[str, Any]) -> bool:
    return list(_cases_in_count(case)) == [1]


def _widespread_or_corroborated(case: dict[str, Any]) -> bool:
    critical = [f for f in case["findings"] if f.get("critical")]
    widespread = any(f.get("proportion", 0) >= 0.15 for f in critical)
    return widespread or len(_kinds(critical)) >= 2


def _three_important_six_minor(case: dict[str, Any]) -> bool:
    strengths, weaknesses = _strengths(case), _weaknesses(case)
    return (
        len(strengths) == 3
        and len(_shape(case, "strength", "important")) == 3
        and len(_kinds(strengths)) == 3
        and len(weaknesses) == 6
        and len(_shape(case, "weakness", "minor")) == 6
    )


def _five_important_one_minor(case: dict[str, Any]) -> bool:
    strengths, weaknesses = _strengths(case), _weaknesses(case)
    return (
        len(strengths) == 5
        and len(_shape(case, "strength", "important")) == 5
        and len(_kinds(strengths)) == 4
        and len(weaknesses) == 1
        and len(_shape(case, "weakness", "minor")) == 1
    )


def _chronology_under_half(case: dict[str, Any]) -> bool:
    return any(
        f["valence"] == "strength"
        and f.get("proportion") == 0.45
        and f["statement"].startswith("Less than half of records")
        and "chronology" in f["statement"]
        for f in case["findings"]
    )


def _self_published_sector_leading(case: dict[str, Any]) -> bool:
    claim = [
        f
        for f in _strengths(case)
        if f["source"] == "documentation" and f["weight"] == "major" and f.get("sector_leading")
    ]
    others = [f for f in _strengths(case) if f not in claim]
    return (
        len(claim) == 1
        and len(others) == 2
        and all(f["weight"] == "minor" for f in others)
        and not _weaknesses(case)
    )


def _split_sustained_sector_leading(case: dict[str, Any]) -> bool:
    strengths = _strengths(case)
    sustained = [f for f in strengths if f.get("sustained")]
    leading = [f for f in strengths if f.get("sector_leading")]
    return (
        any(f["weight"] == "major" for f in strengths)
        and len(sustained) == len(leading) == 1
        and sustained != leading
        and sustained[0]["weight"] == leading[0]["weight"] == "minor"
    )


def _real_excellent(case: dict[str, Any]) -> bool:
    """A major strength that is itself sustained and sector leading, from
    evidence other than documents, corroborated by other kinds."""
    strengths = _strengths(case)
    return (
        any(
            f["weight"] == "major"
            and f.get("sustained")
            and f.get("sector_leading")
            and f["source"] != "documentation"
            for f in strengths
        )
        and len(_kinds(strengths) - {"documentation"}) >= 2
    )


def _contradiction_tagged(case: dict[str, Any], expected: bool) -> bool:
    return "contradiction" in case["patterns"] and case.get("contradiction", False) == expected


# (name, what the case is, the grades the scale's words allow for it, minimum)
REQUIRED: tuple[tuple[str, Any, frozenset[int], int], ...] = (
    ("one minor weakness alone", lambda c: _single_minor(c, "weakness"), frozenset({0}), 2),
    ("one minor strength alone", lambda c: _single_minor(c, "strength"), frozenset({0}), 2),
    ("a few critical cases on 2.1", _few_critical_on_2_1, frozenset({2}), 2),
    ("a single critical case", _single_case_critical, frozenset({3, 4}), 2),
    ("widespread or corroborated critical", _widespread_or_corroborated, frozenset({1}), 2),
    ("3 important strengths v 6 minor weaknesses", _three_important_six_minor, frozenset({4}), 2),
    (
        "5 important strengths, 4 kinds, 1 minor weakness",
        _five_important_one_minor,
        frozenset({5}),
        2,
    ),
    (
        "'less than half' chronology typed a strength",
        _chronology_under_half,
        frozenset(range(7)),
        2,
    ),
    ("self-published sector-leading report", _self_published_sector_leading, frozenset({3, 4}), 2),
    (
        "sustained, sector leading on two minor strengths",
        _split_sustained_sector_leading,
        frozenset({5}),
        2,
    ),
    ("a real Excellent", _real_excellent, frozenset({6}), MIN_PER_LEVEL),
    (
        "contradiction on the same key factor",
        lambda c: _contradiction_tagged(c, True),
        frozenset(range(7)),
        2,
    ),
    (
        "different key factors, no contradiction",
        lambda c: _contradiction_tagged(c, False),
        frozenset(range(7)),
        2,
    ),
)


def test_coverage_of_levels_and_patterns() -> None:
    assert len(CASES) >= MIN_CASES
    levels = Counter(case["grade"] for case in CASES)
    for level in range(7):
        assert levels[level] >= MIN_PER_LEVEL, f"{LEVEL_NAMES[level]}: {levels[level]} cases"
    patterns = Counter(p for case in CASES for p in case["patterns"])
    for pattern in PATTERNS:
        assert patterns[pattern] >= MIN_PER_PATTERN, f"{pattern}: {patterns[pattern]} cases"


@pytest.mark.parametrize(
    ("name", "matches", "grades", "minimum"), REQUIRED, ids=[r[0] for r in REQUIRED]
)
def test_required_patterns(name: str, matches: Any, grades: frozenset[int], minimum: int) -> None:
    found = [case for case in CASES if matches(case)]
    assert len(found) >= minimum, f"{name}: {len(found)} cases"
    for case in found:
        assert case["grade"] in grades, f"{case['id']} ({name}): grade {case['grade']}"


def test_excellent_only_where_the_words_allow() -> None:
    for case in CASES:
        if case["grade"] == 6:
            assert _real_excellent(case), case["id"]
            assert not _weaknesses(case), case["id"]


def test_safety_concerns_and_single_minor_findings_stay_in_bounds() -> None:
    # Safety first: a case with a critical weakness never reaches Very good,
    # and a case with a single minor finding never gets a grade.
    for case in CASES:
        if case.get("safety_concern"):
            assert 1 <= case["grade"] <= 4, case["id"]
            assert all(g <= 4 for g in case.get("acceptable", [])), case["id"]
        if len(case["findings"]) == 1 and case["findings"][0]["weight"] == "minor":
            assert case["grade"] == 0, case["id"]


# --------------------------------------------------------------- baseline


def suggested(case: dict[str, Any], engine: Literal["durable", "python"] = "durable") -> int:
    """The current default rules' suggestion for the case (0: no grade)."""
    evaluation = qifeval.evaluate(evidence_of(case), engine=engine)
    grade = evaluation.result(case["qi"]).suggested_grade
    return 0 if grade is None else int(grade)


def baseline() -> list[tuple[dict[str, Any], int]]:
    return [(case, suggested(case)) for case in CASES]


def baseline_report(results: list[tuple[dict[str, Any], int]]) -> str:
    """Agreement of the current rules with the cases: exact, acceptable
    (the grade or one the case accepts) and within one level (no grade
    counts as within one only of no grade), per level."""
    lines = [
        f"Calibration baseline: {qifeval.default_rules().name} on {len(results)} cases",
        f"{'level':<16}{'cases':>6}{'exact':>7}{'accept':>8}{'within 1':>10}",
    ]

    def row(label: str, rows: list[tuple[dict[str, Any], int]]) -> str:
        exact = sum(g == c["grade"] for c, g in rows)
        accept = sum(g == c["grade"] or g in c.get("acceptable", []) for c, g in rows)
        near = sum(
            (g == c["grade"]) or (g and c["grade"] and abs(g - c["grade"]) <= 1) for c, g in rows
        )
        return f"{label:<16}{len(rows):>6}{exact:>7}{accept:>8}{near:>10}"

    for level in range(6, -1, -1):
        lines.append(row(LEVEL_NAMES[level], [r for r in results if r[0]["grade"] == level]))
    lines.append(row("all", results))
    pairs: dict[str, list[int]] = {}
    for case, grade in results:
        if "pair" in case:
            pairs.setdefault(case["pair"], []).append(grade)
    lines.append(
        "pairs (same grade expected): "
        + ", ".join(f"{name} {'/'.join(map(str, g))}" for name, g in sorted(pairs.items()))
    )
    misses = [f"{c['id']} {c['grade']}->{g}" for c, g in results if g != c["grade"]]
    lines.append("misses (case expected->suggested): " + ", ".join(misses))
    return "\n".join(lines)


def test_baseline_agreement_is_measured(capsys: pytest.CaptureFixture[str]) -> None:
    results = baseline()
    # Both engines give the same suggestions on every case.
    assert [g for _, g in results] == [suggested(c, "python") for c in CASES]
    with capsys.disabled():
        print("\n" + baseline_report(results))


if __name__ == "__main__":
    print(baseline_report(baseline()))
