"""Collation of record-reading and survey returns into quantified findings."""

from __future__ import annotations

import csv
import io
import pickle
import sys
import warnings
from fractions import Fraction
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import qifeval
from qifeval import (
    CollationPolicy,
    InputError,
    PersonalDataError,
    PersonalDataWarning,
    ReturnsError,
    collate,
    default_collation_policy,
)
from qifeval._cli import main

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"

TEMPLATE = """\
schema_version = 1
partnership = "Test partnership"
framework = "qif-2018"

[[returns]]
id = "R"
file = "{file}"
subject = "records"
source = "practice"
{extra}

[[returns.questions]]
column = "q1"
qi = "5.2"
key_factor = "5.2/key_factor/1"
statement = "had an up-to-date chronology"
shortfall = "did not have an up-to-date chronology"
critical = {critical}

[[returns.questions]]
column = "q2"
qi = "5.3"
statement = "had a clear plan"
shortfall = "did not have a clear plan"
"""

ANSWERS = ("yes", "no", "n/a")


def write_returns(
    folder: Path,
    rows: list[tuple[str, ...]],
    *,
    header: tuple[str, ...] = ("id", "q1", "q2"),
    name: str = "returns.csv",
    critical: bool = False,
    extra: str = "",
) -> Path:
    """A returns CSV and a template for it in *folder*; returns the template."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(header)
    out.writerows(rows)
    (folder / name).write_text(buf.getvalue(), encoding="utf-8")
    template = folder / "collation.toml"
    template.write_text(
        TEMPLATE.format(file=name, critical=str(critical).lower(), extra=extra), encoding="utf-8"
    )
    return template


def rows_from(q1: list[str], q2: list[str] | None = None) -> list[tuple[str, ...]]:
    q2 = q2 if q2 is not None else ["yes"] * len(q1)
    return [(f"R-{i:04d}", a, b) for i, (a, b) in enumerate(zip(q1, q2, strict=True))]


def expected_proposal(pos: int, n: int) -> tuple[str, str, str]:
    """DOMAIN §9, with exact integer arithmetic: (valence, weight, rule)."""
    if 100 * pos > 90 * n:
        band = ("strength", "major", "p90")
    elif 100 * pos >= 75 * n:
        band = ("strength", "important", "p75-90")
    elif 100 * pos >= 50 * n:
        band = ("weakness", "minor", "p50-75")
    elif 100 * pos >= 15 * n:
        band = ("weakness", "important", "p15-50")
    else:
        band = ("weakness", "major", "p0-15")
    if n < 10:
        return band[0], "minor", band[2]
    return band


# --- the policy at every band edge ----------------------------------------------

EDGES = [
    # (positive, n): p exactly on an edge, and just either side of it
    (3, 20),  # 0.15
    (29, 200),
    (31, 200),
    (5, 10),  # 0.5
    (99, 200),
    (101, 200),
    (15, 20),  # 0.75
    (149, 200),
    (151, 200),
    (9, 10),  # 0.9
    (179, 200),
    (181, 200),
    (0, 10),
    (10, 10),
]


@pytest.mark.parametrize(("pos", "n"), EDGES)
def test_proposal_at_band_edges(pos: int, n: int) -> None:
    p = default_collation_policy().propose(pos, n)
    assert (p.valence.value, p.weight.value, p.rule) == expected_proposal(pos, n)
    assert not p.small_sample


@pytest.mark.parametrize("pos", range(10))
def test_small_sample_edge(pos: int) -> None:
    policy = default_collation_policy()
    small = policy.propose(pos, 9)
    assert small.small_sample and small.weight.value == "minor"
    assert "small sample" in small.reason
    assert (small.valence.value, small.weight.value, small.rule) == expected_proposal(pos, 9)
    big = policy.propose(pos, 10)
    assert not big.small_sample
    assert (big.valence.value, big.weight.value, big.rule) == expected_proposal(pos, 10)


@given(st.integers(1, 2000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_proposal_follows_the_domain_policy(case: tuple[int, int]) -> None:
    pos, n = case
    p = default_collation_policy().propose(pos, n)
    assert (p.valence.value, p.weight.value, p.rule) == expected_proposal(pos, n)
    assert repr(p.rule) in str(p)


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_adding_a_positive_answer_never_turns_a_strength_into_a_weakness(
    case: tuple[int, int],
) -> None:
    pos, n = case
    policy = default_collation_policy()
    before, after = policy.propose(pos, n), policy.propose(pos + 1, n + 1)
    assert Fraction(pos + 1, n + 1) >= Fraction(pos, n)
    if before.valence.value == "strength":
        assert after.valence.value == "strength"


def test_policy_refuses_a_strength_below_a_weakness() -> None:
    bands = [
        {"rule": "a", "lower": 0.5, "valence": "weakness", "weight": "minor"},
        {"rule": "b", "lower": 0.0, "valence": "strength", "weight": "minor"},
    ]
    with pytest.raises(InputError, match="strength band must lie above"):
        CollationPolicy(bands=[qifeval.CollationBand(**b) for b in bands])


def test_policy_file_changes_the_proposal(tmp_path: Path) -> None:
    text = (ROOT / "src/qifeval/rules/collation.toml").read_text(encoding="utf-8")
    text = text.replace('rule = "p50-75"', 'rule = "mine"').replace(
        'valence = "weakness"\nweight = "minor"', 'valence = "weakness"\nweight = "important"'
    )
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    policy = qifeval.load_collation_policy(path)
    p = policy.propose(6, 10)
    assert (p.rule, p.weight.value) == ("mine", "important")
    template = write_returns(tmp_path, rows_from(["yes"] * 6 + ["no"] * 4))
    f = collate(template, policy=path).evidence.finding("R-q1")
    assert f.proposed is not None and f.proposed.rule == "mine"


def test_policy_file_errors_name_the_field(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        'schema_version = 1\n[[bands]]\nrule = "x"\nlower = 0.5\nvalence = "strength"\n'
        'weight = "major"\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"policy\.toml.*bands\[0\].*start at 0"):
        qifeval.load_collation_policy(path)


# --- findings from returns ---------------------------------------------------------


def test_strength_worded_on_p_weakness_on_the_share_that_fell_short(tmp_path: Path) -> None:
    template = write_returns(
        tmp_path,
        rows_from(["yes"] * 47 + ["no"] * 13, ["yes"] * 24 + ["no"] * 33 + ["n/a"] * 3),
    )
    c = collate(template)
    strength = c.evidence.finding("R-q1")
    assert strength.statement == "Most records (78%, 47 of 60) had an up-to-date chronology."
    assert (strength.valence.value, strength.weight.value) == ("strength", "important")
    assert strength.proportion == pytest.approx(47 / 60)
    assert (strength.sample, strength.source.value) == (60, "practice")
    assert strength.key_factor == "5.2/key_factor/1"
    weakness = c.evidence.finding("R-q2")
    assert weakness.statement == (
        "The majority of records (58%, 33 of 57) did not have a clear plan."
    )
    assert weakness.proportion == pytest.approx(33 / 57)
    assert (weakness.valence.value, weakness.weight.value) == ("weakness", "important")
    assert weakness.proposed is not None and weakness.proposed.rule == "p15-50"
    tally = {t.finding_id: t for t in c.tallies}["R-q2"]
    assert (tally.positive, tally.negative, tally.not_applicable, tally.n) == (24, 33, 3, 57)


def test_critical_question_makes_its_weaknesses_critical(tmp_path: Path) -> None:
    weak = write_returns(tmp_path, rows_from(["yes"] * 8 + ["no"] * 12), critical=True)
    assert collate(weak).evidence.finding("R-q1").critical
    strong = write_returns(tmp_path, rows_from(["yes"] * 19 + ["no"]), critical=True)
    assert not collate(strong).evidence.finding("R-q1").critical


def test_no_applicable_answers_gives_no_finding(tmp_path: Path) -> None:
    template = write_returns(tmp_path, rows_from(["n/a"] * 12))
    c = collate(template)
    assert [f.id for f in c.evidence.findings] == ["R-q2"]
    tally = {t.finding_id: t for t in c.tallies}["R-q1"]
    assert (tally.n, tally.proposal) == (0, None)


def test_survey_sets_voice(tmp_path: Path) -> None:
    extra = 'voice = "parents_and_carers"'
    template = write_returns(tmp_path, rows_from(["yes"] * 12), extra=extra)
    text = template.read_text(encoding="utf-8").replace('"practice"', '"stakeholder_views"')
    template.write_text(text, encoding="utf-8")
    f = collate(template).evidence.finding("R-q1")
    assert (f.source.value, f.voice.value if f.voice else None) == (
        "stakeholder_views",
        "parents_and_carers",
    )


def test_survey_without_voice_is_refused(tmp_path: Path) -> None:
    template = write_returns(tmp_path, rows_from(["yes"] * 12))
    text = template.read_text(encoding="utf-8").replace('"practice"', '"stakeholder_views"')
    template.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"returns\[0\]\.voice"):
        collate(template)


answer_lists = st.lists(st.sampled_from(ANSWERS), min_size=1, max_size=40)


@given(q1=answer_lists, data=st.data())
def test_collation_is_independent_of_row_order(q1: list[str], data: st.DataObject) -> None:
    import tempfile

    q2 = data.draw(st.lists(st.sampled_from(ANSWERS), min_size=len(q1), max_size=len(q1)))
    rows = rows_from(q1, q2)
    shuffled = data.draw(st.permutations(rows))
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        first = collate(write_returns(Path(a), rows))
        second = collate(write_returns(Path(b), list(shuffled)))
    assert first == second


@given(q1=answer_lists, where=st.integers(0, 40))
def test_adding_a_positive_answer_never_lowers_the_share(q1: list[str], where: int) -> None:
    import tempfile

    more = [*q1[:where], "yes", *q1[where:]]
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        before = {t.finding_id: t for t in collate(write_returns(Path(a), rows_from(q1))).tallies}
        after = {t.finding_id: t for t in collate(write_returns(Path(b), rows_from(more))).tallies}
    t0, t1 = before["R-q1"], after["R-q1"]
    assert t1.n == t0.n + 1 and t1.positive == t0.positive + 1
    assert t1.proposal is not None
    if t0.proposal is not None:
        assert Fraction(t1.positive, t1.n) >= Fraction(t0.positive, t0.n)
        if t0.proposal.valence.value == "strength":
            assert t1.proposal.valence.value == "strength"


def test_answers_ignore_case_and_spaces(tmp_path: Path) -> None:
    template = write_returns(tmp_path, rows_from([" YES ", "No", "N/A", "yes"]))
    t = {t.finding_id: t for t in collate(template).tallies}["R-q1"]
    assert (t.positive, t.negative, t.not_applicable) == (2, 1, 1)


# --- malformed returns: errors name the file, row and column ------------------------


@given(
    q1=st.lists(st.sampled_from(ANSWERS), min_size=1, max_size=30),
    data=st.data(),
    bad=st.sampled_from(["maybe", "yes!", "0", "unknown answer", "y e s"]),
)
def test_unknown_answer_names_row_and_column(q1: list[str], data: st.DataObject, bad: str) -> None:
    import tempfile

    row = data.draw(st.integers(0, len(q1) - 1))
    column = data.draw(st.sampled_from(["q1", "q2"]))
    rows = rows_from(q1)
    cells = list(rows[row])
    cells[1 if column == "q1" else 2] = bad
    rows[row] = tuple(cells)
    with tempfile.TemporaryDirectory() as folder:
        template = write_returns(Path(folder), rows)
        with pytest.raises(ReturnsError) as info:
            collate(template)
    err = info.value
    assert (err.row, err.column) == (row + 2, column)
    assert f"returns.csv at row {row + 2}, column '{column}': unknown answer" in str(err)


@pytest.mark.parametrize(
    ("content", "row", "column", "message"),
    [
        ("id,q1\nR-1,yes\n", 1, "q2", "missing"),
        (
            "id,q1,q2\nR-1,yes,yes\nR-1,no,no\n",
            3,
            "id",
            "duplicate record id 'R-1' (also in row 2)",
        ),
        ("id,q1,q2\nR-1,yes,yes\n,no,no\n", 3, "id", "record id is blank"),
        ("id,q1,q2\nR-1,yes,yes,surplus\n", 2, None, "4 cells, but the header has 3"),
        ('id,q1,q2\nR-1,"yes,yes\n', 2, None, "not valid CSV"),
        ("id,q1,q1\nR-1,yes,yes\n", 1, None, "names column 'q1' twice"),
        ("", 1, None, "empty"),
    ],
)
def test_malformed_returns(
    tmp_path: Path, content: str, row: int, column: str | None, message: str
) -> None:
    template = write_returns(tmp_path, [])
    (tmp_path / "returns.csv").write_text(content, encoding="utf-8")
    with pytest.raises(ReturnsError) as info:
        collate(template)
    err = info.value
    assert (err.row, err.column) == (row, column)
    assert message in str(err)
    assert str(tmp_path / "returns.csv") in str(err)
    assert pickle.loads(pickle.dumps(err)).path == err.path


def test_blank_is_an_error_unless_listed(tmp_path: Path) -> None:
    rows = rows_from(["yes", ""])
    assert collate(write_returns(tmp_path, rows)).tallies[0].not_applicable == 1
    template = write_returns(tmp_path, rows, extra='not_applicable = ["n/a"]')
    with pytest.raises(ReturnsError) as info:
        collate(template)
    assert (info.value.row, info.value.column) == (3, "q1")
    assert "a blank cell" in str(info.value)


def test_not_utf8_and_binary(tmp_path: Path) -> None:
    template = write_returns(tmp_path, [])
    (tmp_path / "returns.csv").write_bytes(b"id,q1,q2\nR-1,\xff,yes\n")
    with pytest.raises(ReturnsError, match="not a UTF-8 text file"):
        collate(template)
    (tmp_path / "returns.csv").write_bytes(b"id,q1,q2\x00\n")
    with pytest.raises(ReturnsError, match="NUL"):
        collate(template)


def test_every_unknown_answer_is_listed(tmp_path: Path) -> None:
    template = write_returns(tmp_path, rows_from(["maybe", "yes", "perhaps"]))
    with pytest.raises(ReturnsError) as info:
        collate(template)
    assert [p.path for p in info.value.problems] == ["row 2, column 'q1'", "row 4, column 'q1'"]


def test_an_unknown_answer_that_may_be_personal_data_is_not_echoed(tmp_path: Path) -> None:
    template = write_returns(tmp_path, rows_from(["yes", "Amy Smith", "0101011237"]))
    with pytest.raises(ReturnsError) as info:
        collate(template)
    message = str(info.value)
    assert "Amy" not in message and "0101011237" not in message
    assert [p.path for p in info.value.problems] == ["row 3, column 'q1'", "row 4, column 'q1'"]


def test_input_limits_apply_to_returns(tmp_path: Path) -> None:
    template = write_returns(tmp_path, rows_from(["yes"] * 200))
    assert template.stat().st_size < 1500 < (tmp_path / "returns.csv").stat().st_size
    with qifeval.input_limits(max_items=10), pytest.raises(ReturnsError, match="max_items"):
        collate(template)
    with qifeval.input_limits(max_bytes=1500), pytest.raises(ReturnsError, match="max_bytes"):
        collate(template)
    long = write_returns(tmp_path, [("R-1", "yes" + " " * 200, "yes")])
    with qifeval.input_limits(max_text=100), pytest.raises(ReturnsError) as info:
        collate(long)
    assert (info.value.row, info.value.column) == (2, "q1")


# --- the template ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ('qi = "5.2"', 'qi = "5.9"', r"returns\[0\]\.questions\[0\]\.qi"),
        ('qi = "5.2"', 'qi = "10"', r"returns\[0\]\.questions\[0\]\.qi"),
        ("5.2/key_factor/1", "5.2/key_factor/9", r"returns\[0\]\.questions\[0\]\.key_factor"),
        ('file = "returns.csv"', 'file = "../returns.csv"', r"returns\[0\]\.file"),
        ('file = "returns.csv"', 'file = "/etc/returns.csv"', r"returns\[0\]\.file"),
        ('column = "q2"', 'column = "q1"', r"returns\[0\]\.questions\[1\]\.column"),
        ('subject = "records"', 'subjects = "records"', r"returns\[0\]"),
    ],
)
def test_template_errors_name_file_and_path(tmp_path: Path, old: str, new: str, path: str) -> None:
    template = write_returns(tmp_path, rows_from(["yes"]))
    text = template.read_text(encoding="utf-8")
    assert old in text
    template.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError, match=rf"(?s)collation\.toml.*{path}"):
        collate(template)


# --- personal data --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "values"),
    [
        ("child_name", ["Rowan", "Skye", "Morven"]),
        ("CHI", ["ref-a17", "ref-b29", "ref-c31"]),
        ("date of birth", ["2015-03-12", "2016-07-01", "2014-11-23"]),
        ("notes", ["Amy Smith", "Jo Brown", "Sam Lee"]),
        ("ref", ["0101011237", "0101011245", "0101011253"]),
    ],
)
def test_columns_that_look_like_personal_data(
    tmp_path: Path, header: str, values: list[str]
) -> None:
    rows = [(f"R-{i}", v, "yes", "yes") for i, v in enumerate(values)]
    template = write_returns(tmp_path, rows, header=("id", header, "q1", "q2"))
    with pytest.raises(PersonalDataError) as info:
        collate(template, strict=True)
    assert repr(header) in str(info.value)
    for v in values:
        assert v not in str(info.value)
    with pytest.warns(PersonalDataWarning):
        c = collate(template)
    assert len(c.evidence.findings) == 2


def test_ordinary_returns_pass_strict(tmp_path: Path) -> None:
    rows = [(f"R-{i}", "social work", "yes", "no") for i in range(5)]
    template = write_returns(tmp_path, rows, header=("id", "lead_agency", "q1", "q2"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        collate(template, strict=True)


# --- XLSX ------------------------------------------------------------------------------


def test_xlsx_returns_match_csv_and_errors_name_the_sheet(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    rows = rows_from(["yes"] * 7 + ["no"] * 3 + ["n/a"], ["no"] * 6 + ["yes"] * 5)
    csv_template = write_returns(tmp_path, rows)
    from_csv = collate(csv_template)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Returns"
    sheet.append(["id", "q1", "q2"])
    for r in rows:
        sheet.append(list(r))
    book.save(tmp_path / "returns.xlsx")
    text = csv_template.read_text(encoding="utf-8").replace("returns.csv", "returns.xlsx")
    csv_template.write_text(text, encoding="utf-8")
    assert collate(csv_template) == from_csv
    sheet["C5"] = "sometimes"
    book.save(tmp_path / "returns.xlsx")
    with pytest.raises(ReturnsError) as info:
        collate(csv_template)
    assert (info.value.sheet, info.value.row, info.value.column) == ("Returns", 5, "q2")
    assert "sheet 'Returns', row 5, column 'q2'" in str(info.value)
    (tmp_path / "returns.xlsx").write_bytes(b"not a zip")
    with pytest.raises(ReturnsError, match="not a valid XLSX workbook"):
        collate(csv_template)


def test_xlsx_without_openpyxl_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = write_returns(tmp_path, rows_from(["yes"]), name="returns.xlsx")
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(InputError, match=r"pip install 'qifeval\[xlsx\]'"):
        collate(template)


# --- proposals survive edits -------------------------------------------------------------


def test_a_changed_valence_or_weight_stays_visible(tmp_path: Path) -> None:
    template = write_returns(tmp_path, rows_from(["yes"] * 47 + ["no"] * 13))
    evidence = collate(template).evidence
    f = evidence.finding("R-q1")
    assert not f.departs_from_proposal
    edited = attrs.evolve(f, weight="major")
    assert edited.departs_from_proposal
    out = tmp_path / "collated.toml"
    qifeval.dump_findings(evidence.with_findings([edited]), out)
    loaded = qifeval.load_findings(out).finding("R-q1")
    assert loaded == edited and loaded.departs_from_proposal
    assert 'weight = "major"' in out.read_text(encoding="utf-8")
    assert loaded.proposed is not None and loaded.proposed.weight.value == "important"


# --- the example ---------------------------------------------------------------------------


def test_example_returns_collate_deterministically_and_evaluate() -> None:
    template = EXAMPLES / "collation.toml"
    first = collate(template, strict=True)
    assert collate(template, strict=True) == first
    assert qifeval.dump_findings(first.evidence) == qifeval.dump_findings(
        collate(template).evidence
    )
    # Checked against the returns counted independently.
    with open(EXAMPLES / "returns/record-reading-2026.csv", encoding="utf-8", newline="") as fh:
        answers = [row["q1"] for row in csv.DictReader(fh)]
    assert len(answers) == 60
    f = first.evidence.finding("RR-q1")
    assert f.sample == answers.count("yes") + answers.count("no")
    assert f.proportion == pytest.approx(answers.count("yes") / f.sample)
    findings = qifeval.load_findings(EXAMPLES / "findings.toml")
    merged = qifeval.merge_evidence([findings, first.evidence])
    assert len(merged.findings) == len(findings.findings) + len(first.evidence.findings)
    evaluation = qifeval.evaluate(merged, engine="python")
    cited = {i for r in evaluation.results for fired in r.rules_fired for i in fired.evidence}
    assert cited & {f.id for f in first.evidence.findings}


def test_example_returns_are_what_the_script_writes(tmp_path: Path) -> None:
    import runpy

    script = EXAMPLES / "returns" / "make_returns.py"
    module = runpy.run_path(str(script))
    module["HERE"] = tmp_path
    main_globals = module["main"].__globals__
    main_globals["HERE"] = tmp_path
    module["main"]()
    for name in module["RETURNS"]:
        assert (tmp_path / name).read_bytes() == (EXAMPLES / "returns" / name).read_bytes()


# --- the command line -----------------------------------------------------------------------


def test_cli_collate_then_evaluate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "collated.toml"
    assert main(["collate", str(EXAMPLES / "collation.toml"), "-o", str(out)]) == 0
    assert "collated 16 findings" in capsys.readouterr().err
    assert main(["collate", str(EXAMPLES / "collation.toml"), "-o", str(out)]) == 1
    assert "--force" in capsys.readouterr().err
    report = tmp_path / "report.md"
    code = main(["evaluate", str(EXAMPLES / "findings.toml"), str(out), "-o", str(report)])
    assert code == 0
    assert "RR-q1" in report.read_text(encoding="utf-8")
    code = main(["evaluate", str(out), str(out), "-o", str(tmp_path / "again.md")])
    err = capsys.readouterr().err
    assert code == 1 and "duplicate finding id" in err and "RR-q1" in err


def test_cli_collate_refuses_to_write_over_a_returns_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = write_returns(tmp_path, rows_from(["yes"]))
    before = (tmp_path / "returns.csv").read_bytes()
    code = main(["collate", str(template), "-o", str(tmp_path / "returns.csv"), "--force"])
    assert code == 1
    assert "over the input a returns file" in capsys.readouterr().err
    assert (tmp_path / "returns.csv").read_bytes() == before


def test_cli_collate_errors_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = write_returns(tmp_path, rows_from(["maybe"]))
    assert main(["collate", str(template)]) == 1
    err = capsys.readouterr().err
    assert "row 2, column 'q1': unknown answer 'maybe'" in err
    assert "Traceback" not in err


@given(
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(',"\n\r'),
        max_size=200,
    )
)
def test_any_returns_text_collates_or_ends_in_a_clear_error(content: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        template = write_returns(Path(folder), [])
        (Path(folder) / "returns.csv").write_text("id,q1,q2\n" + content, encoding="utf-8")
        try:
            c = collate(template)
        except ReturnsError as exc:
            assert exc.row is not None or "UTF-8" in exc.problem or "NUL" in exc.problem
            assert "returns.csv" in str(exc)
        else:
            assert all(t.n + t.not_applicable <= len(content.splitlines()) for t in c.tallies)
