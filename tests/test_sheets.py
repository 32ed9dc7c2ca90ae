"""Findings in spreadsheets: workbooks (.xlsx) and CSV files."""

from __future__ import annotations

import datetime as dt
import io
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import qifeval
from qifeval import InputError, InputProblem, MissingDependencyError
from qifeval._cli import main
from qifeval.evidence._sheets import MAX_UNZIPPED_RATIO, finding_columns

from .strategies import QIF_2018, assert_same_types, contexts, dates, evidence_sets, finding

try:
    import openpyxl
except ImportError:  # the xlsx extra is not installed
    openpyxl = None

needs_openpyxl = pytest.mark.skipif(openpyxl is None, reason="needs the xlsx extra (openpyxl)")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "findings.toml"
HEADINGS = list(finding_columns())


# --- strategies -------------------------------------------------------------


@st.composite
def rich_evidence(draw: st.DrawFn, *, with_context: bool = True) -> qifeval.EvidenceSet:
    """Evidence sets whose findings use every field, including samples,
    voices and key factors, and values a spreadsheet could lose: big whole
    numbers, shares with 17 significant digits, dates before 1900."""
    ev = draw(evidence_sets(max_size=8))
    findings = []
    for f in ev.findings:
        kfs = QIF_2018.indicator(f.qi).key_factors
        changes: dict[str, Any] = {
            "sample": draw(st.none() | st.integers(1, 10**6) | st.integers(1, 2**63)),
            "key_factor": draw(
                st.none() | st.integers(1, len(kfs)).map(lambda n, q=f.qi: f"{q}/key_factor/{n}")
            )
            if kfs
            else None,
            "date": draw(st.none() | dates | st.dates(max_value=dt.date(1900, 3, 1))),
        }
        if f.source is qifeval.SourceKind.STAKEHOLDER_VIEWS:
            changes["voice"] = draw(st.none() | st.sampled_from(qifeval.Voice))
        findings.append(attrs.evolve(f, **changes))
    ev = ev.with_findings(findings)
    if with_context:
        ev = ev.with_context(draw(contexts()))
    return ev


def _as_read(ev: qifeval.EvidenceSet) -> qifeval.EvidenceSet:
    """*ev* as a spreadsheet gives it back: an optional text given as the
    empty string is an empty cell, read as absent (documented)."""
    return ev.with_findings(attrs.evolve(f, ref=f.ref or None) for f in ev.findings)


# --- round trips --------------------------------------------------------------


@needs_openpyxl
@given(rich_evidence())
def test_xlsx_round_trip_keeps_every_value_and_type(ev: qifeval.EvidenceSet) -> None:
    data = qifeval.dump_findings(ev, fmt="xlsx")
    assert isinstance(data, bytes)
    back = _load_bytes(data, "findings.xlsx")
    assert_same_types(_as_read(ev), back)


@given(rich_evidence(with_context=False))
def test_csv_round_trip_keeps_every_value_and_type(ev: qifeval.EvidenceSet) -> None:
    text = qifeval.dump_findings(ev, fmt="csv")
    assert isinstance(text, str)
    back = _load_bytes(text.encode("utf-8"), "findings.csv")
    assert_same_types(_as_read(ev), back)


_load_dir: list[Path] = []


def _load_bytes(data: bytes, name: str) -> qifeval.EvidenceSet:
    import tempfile

    if not _load_dir:
        _load_dir.append(Path(tempfile.mkdtemp(prefix="qifeval-sheets-")))
    path = _load_dir[0] / name
    path.write_bytes(data)
    return qifeval.load_findings(path)


AWKWARD_TEXTS = [
    "=SUM(A1:A3)",  # a formula's look, kept as text
    "+44 is not a formula",
    "carriage\rreturn and\r\nboth",
    "control \x01 and \x1f characters",
    "Excel's escape _x0041_ kept literally, and _x005F_ too",
    "  spaces around  ",
    "noncharacter \ufffe and \uffff",
    "\u00e9\u4e2d\U0001f600 and a tab\t",
]


@pytest.mark.parametrize("fmt", [pytest.param("xlsx", marks=needs_openpyxl), "csv"])
def test_awkward_text_and_numbers_survive(tmp_path: Path, fmt: str) -> None:
    findings = [
        finding(f"F{i}", **{"source_detail": text, "ref": text})  # type: ignore[arg-type]
        for i, text in enumerate(AWKWARD_TEXTS)
    ]
    findings.append(
        finding(
            "Fnum",
            proportion=0.30000000000000004,
            sample=2**60 + 1,
            date=dt.date(1850, 1, 1),
        )
    )
    findings.append(finding("Fend", proportion=1.0, sample=1, date=dt.date(9999, 12, 31)))
    ev = qifeval.EvidenceSet(partnership="=P", title="_x0041_", findings=findings)
    path = tmp_path / f"f.{fmt}"
    qifeval.dump_findings(ev, path)
    assert_same_types(qifeval.load_findings(path), ev)


@needs_openpyxl
def test_example_partnership_round_trips_with_its_context(tmp_path: Path) -> None:
    ev = qifeval.load_findings(EXAMPLE)
    assert ev.context.challenges and ev.context.readiness
    qifeval.dump_findings(ev, tmp_path / "f.xlsx")
    back = qifeval.load_findings(tmp_path / "f.xlsx")
    assert_same_types(back, ev)
    # and back to TOML, equal to the original file's evidence
    qifeval.dump_findings(back, tmp_path / "f.toml")
    assert_same_types(qifeval.load_findings(tmp_path / "f.toml"), ev)


def test_csv_refuses_to_drop_context(tmp_path: Path) -> None:
    ev = qifeval.load_findings(EXAMPLE)
    with pytest.raises(InputError, match=r"CSV file holds findings only.*context item"):
        qifeval.dump_findings(ev, tmp_path / "f.csv")
    assert not (tmp_path / "f.csv").exists()


def test_finding_columns_cover_every_field_of_a_finding() -> None:
    names = [a.name for a in attrs.fields(qifeval.Finding)]
    assert sorted(finding_columns()) == sorted(names)
    assert finding_columns()[:6] == ("id", "qi", "statement", "valence", "weight", "source")


# --- a workbook filled in as a person would -------------------------------------


@needs_openpyxl
def test_template_filled_by_a_person_loads_and_evaluates(tmp_path: Path) -> None:
    path = tmp_path / "findings.xlsx"
    assert main(["template", str(path), "--partnership", "Glenmorven"]) == 0
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Findings", "Context", "About", "Instructions", "Lists"]
    assert wb["Lists"].sheet_state == "hidden"
    ws = wb["Findings"]
    assert [c.value for c in ws[1]] == HEADINGS

    # Each drop-down list: the column it serves and the values it offers.
    choices = {}
    for dv in ws.data_validations.dataValidation:
        sheet, cells = dv.formula1.split("!")
        first, last = cells.replace("$", "").split(":")
        values = [c[0].value for c in wb[sheet][f"{first}:{last}"]]
        for rng in dv.sqref.ranges:
            choices[HEADINGS[rng.min_col - 1]] = values
    assert set(choices) >= {"qi", "valence", "weight", "source", "voice", "critical"}
    assert "5.2 Assessing risk and need" in choices["qi"]
    assert not any(v.startswith("10 ") for v in choices["qi"])  # judged, not evidenced

    def pick(column: str, start: str) -> str:
        return next(v for v in choices[column] if v.startswith(start))

    rows = [
        # id, qi, statement, valence, weight, source, source_detail, ref, date, proportion, sample, voice
        ["F1", pick("qi", "5.2"), "Most records had an up-to-date chronology",
         pick("valence", "str"), pick("weight", "imp"), pick("source", "prac"),
         "record reading", None, dt.datetime(2026, 3, 1), 0.78, 60],
        ["F2", pick("qi", "5.2"), "Most staff feel confident assessing risk",
         pick("valence", "str"), pick("weight", "imp"), pick("source", "stake"),
         "staff survey", None, None, 0.8, 120, pick("voice", "staff")],
        ["F3", pick("qi", "5.2"), "Risk assessments are audited quarterly",
         pick("valence", "str"), pick("weight", "imp"), pick("source", "perf")],
        ["F4", pick("qi", "5.3"), "Less than half of plans were reviewed on time",
         pick("valence", "weak"), pick("weight", "imp"), pick("source", "prac"),
         None, "audit 2026", None, 0.4, 50],
    ]  # fmt: skip
    for row in rows:
        ws.append(row)
    ws.cell(row=3, column=HEADINGS.index("key_factor") + 1, value="5.2/key_factor/1")
    ws.cell(row=5, column=HEADINGS.index("critical") + 1, value=pick("critical", "yes"))
    about = wb["About"]
    assert about["A2"].value == "partnership" and about["B2"].value == "Glenmorven"
    about["B4"] = dt.datetime(2026, 9, 30)  # the date row, typed as a date
    wb["Context"].append(["challenge", "C1", "budgetary_pressures", "moderate", "savings"])
    wb.save(path)

    ev = qifeval.load_findings(path)
    assert [f.id for f in ev.findings] == ["F1", "F2", "F3", "F4"]
    f1, f2, _, f4 = ev.findings
    assert (f1.qi, f1.date, f1.proportion, f1.sample) == ("5.2", dt.date(2026, 3, 1), 0.78, 60)
    assert f2.voice is qifeval.Voice.STAFF and f2.key_factor == "5.2/key_factor/1"
    assert f4.critical and f4.ref == "audit 2026"
    assert ev.date == dt.date(2026, 9, 30)
    assert ev.context.challenges[0].kind is qifeval.ChallengeKind.BUDGETARY_PRESSURES

    evaluation = qifeval.evaluate(ev)
    assert evaluation.result("5.2").suggested_grade is not None
    assert main(["evaluate", str(path), "-o", str(tmp_path / "r.md")]) == 0
    assert "Glenmorven" in (tmp_path / "r.md").read_text(encoding="utf-8")


@needs_openpyxl
def test_template_explains_the_columns_and_the_evaluative_terms(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    assert main(["template", str(path)]) == 0
    text = "\n".join(
        " ".join(str(c) for c in row if c is not None)
        for row in openpyxl.load_workbook(path)["Instructions"].iter_rows(values_only=True)
    )
    for column in HEADINGS:
        assert f"\n{column} " in text
    for share in (1.0, 0.95, 0.8, 0.6, 0.3, 0.05, 0.0):
        assert f"\n{qifeval.quantifier(share)} " in text
    assert "qif-2018" in text


def test_csv_template_is_the_heading_row(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    assert main(["template", str(path), "--partnership", "P"]) == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines == ["partnership,P", "framework,qif-2018", ",".join(HEADINGS)]
    assert qifeval.load_findings(path).findings == ()


def test_template_output_is_safe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.csv"
    path.write_text("keep", encoding="utf-8")
    assert main(["template", str(path)]) == 1
    assert "use --force" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == "keep"
    assert main(["template", str(path), "--force"]) == 0
    assert main(["template", str(tmp_path / "t.toml")]) == 1
    assert "a template is a workbook" in capsys.readouterr().err
    fw = tmp_path / "fw.csv"
    fw.write_text("x", encoding="utf-8")
    assert main(["template", str(fw), "--framework", str(fw), "--force"]) == 1
    assert "over the input --framework" in capsys.readouterr().err
    assert fw.read_text(encoding="utf-8") == "x"


# --- what people type -------------------------------------------------------------


def _workbook(tmp_path: Path, rows: list[list[Any]], **about: Any) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Findings"
    ws.append(HEADINGS)
    for row in rows:
        ws.append(row)
    a = wb.create_sheet("About")
    a.append(["field", "value"])
    for key, value in {"partnership": "P", **about}.items():
        a.append([key, value])
    path = tmp_path / "findings.xlsx"
    wb.save(path)
    return path


def _row(**cells: Any) -> list[Any]:
    base = {
        "id": "F1",
        "qi": "5.2",
        "statement": "Most records had a chronology",
        "valence": "strength",
        "weight": "important",
        "source": "practice",
    }
    base.update(cells)
    return [base.get(h) for h in HEADINGS]


@needs_openpyxl
def test_excel_oddities_are_read_as_meant(tmp_path: Path) -> None:
    rows = [
        _row(id="F1", proportion="0.78", sample=" 60 ", critical=None, valence="Strength "),
        [None] * len(HEADINGS),  # a blank row in the middle
        _row(id="F2", qi=5.3, weight=" Important", sample=60.0, proportion="78%"),
        _row(id="F3", valence="weakness", critical="Yes", sustained="No", source="Practice"),
        _row(id="F4", source="stakeholders' views", voice="Parents and carers"),
        _row(id="F5", date=dt.datetime(2026, 3, 1), sustained=True, ref=2026),
        _row(id="F6", date=" 2026-03-02 ", qi="5.2  Assessing risk  and need"),
        ["", "  ", None],  # only spaces: blank
    ]
    path = _workbook(tmp_path, rows)
    wb = openpyxl.load_workbook(path)
    wb["Findings"].row_dimensions[5].hidden = True  # F2: hidden rows are read
    wb.save(path)
    ev = qifeval.load_findings(path)
    f1, f2, f3, f4, f5, f6 = ev.findings
    assert (f1.proportion, f1.sample, f1.valence) == (0.78, 60, qifeval.Valence.STRENGTH)
    assert (f2.qi, f2.weight, f2.sample, f2.proportion) == ("5.3", "important", 60, 0.78)
    assert type(f2.sample) is int
    assert (f3.critical, f3.sustained) == (True, False)
    assert (f4.source, f4.voice) == ("stakeholder_views", qifeval.Voice.PARENTS_AND_CARERS)
    assert (f5.date, f5.sustained, f5.ref) == (dt.date(2026, 3, 1), True, "2026")
    assert (f6.date, f6.qi) == (dt.date(2026, 3, 2), "5.2")


# --- malformed cells ----------------------------------------------------------------

BAD_CELLS = [
    ("weight", "heavy", "expected one of 'minor', 'important', 'major', got 'heavy'"),
    ("valence", "good", "expected one of 'strength', 'weakness'"),
    ("source", "survey", "expected one of 'performance_data'"),
    ("date", "31/02/2026", "expected a date (YYYY-MM-DD)"),
    ("date", "2026-02-31", "no such date"),
    ("proportion", "lots", "expected a number, got 'lots'"),
    ("proportion", "1.5", "must be from 0 to 1"),
    ("sample", "2.5", "expected a whole number"),
    ("sample", "0", "must be at least 1"),
    ("critical", "maybe", "expected yes or no, got 'maybe'"),
    ("voice", "pupils", "expected one of 'children_and_young_people'"),
    ("qi", "5.9", "qif-2018 has no quality indicator '5.9'"),
    ("qi", "5.3 Assessing risk and need", "indicator 5.3 is 'Care planning"),
    ("key_factor", "5.2/key_factor/99", "does not exist"),
    ("illustration", "5.2/good/1", "expected an illustration reference"),
    ("statement", None, "required, but the cell is empty"),
]


def _bad_csv(tmp_path: Path, column: str, value: Any) -> Path:
    import csv

    path = tmp_path / "findings.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["partnership", "P"])
        w.writerow(HEADINGS)
        w.writerow(_row(id="F1"))
        w.writerow(["" if v is None else v for v in _row(id="F12", **{column: value})])
    return path


@pytest.mark.parametrize(("column", "value", "problem"), BAD_CELLS)
@pytest.mark.parametrize("fmt", [pytest.param("xlsx", marks=needs_openpyxl), "csv"])
def test_a_malformed_cell_is_named_by_sheet_row_column_and_id(
    tmp_path: Path, fmt: str, column: str, value: Any, problem: str
) -> None:
    if fmt == "xlsx":
        rows = [_row(id="F1"), [None] * len(HEADINGS), _row(id="F12", **{column: value})]
        path = _workbook(tmp_path, rows)
        where = f"{path}, sheet Findings, row 4 (F12), column {column}: "
    else:
        path = _bad_csv(tmp_path, column, value)
        where = f"{path}, row 4 (F12), column {column}: "
    with pytest.raises(InputError) as info:
        qifeval.load_findings(path)
    err = info.value
    assert str(err).startswith(where), str(err)
    assert problem in str(err)
    assert (err.row, err.column, err.finding_id) == (4, column, "F12")
    assert err.sheet == ("Findings" if fmt == "xlsx" else None)
    assert main(["validate", str(path)]) == 1


@needs_openpyxl
@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("=47/60", "a formula ('=47/60'); qifeval reads values, not formulas"),
        (dt.datetime(2026, 3, 1, 14, 30), "expected a number, got a date"),
        (True, "expected a number, got TRUE"),
    ],
)
def test_typed_cells_that_are_not_numbers_are_refused(
    tmp_path: Path, value: Any, problem: str
) -> None:
    path = _workbook(tmp_path, [_row(id="F7", proportion=value)])
    with pytest.raises(
        InputError, match="sheet Findings, row 2 \\(F7\\), column proportion: "
    ) as info:
        qifeval.load_findings(path)
    assert problem in str(info.value)


@needs_openpyxl
def test_a_date_with_a_time_is_refused(tmp_path: Path) -> None:
    path = _workbook(tmp_path, [_row(id="F7", date=dt.datetime(2026, 3, 1, 14, 30))])
    with pytest.raises(InputError, match=r"row 2 \(F7\), column date: expected a date without"):
        qifeval.load_findings(path)


@needs_openpyxl
def test_every_problem_is_listed_with_its_cell(tmp_path: Path) -> None:
    rows = [_row(id="F1", weight="heavy"), _row(id="F2", sample="x", critical="perhaps")]
    with pytest.raises(InputError) as info:
        qifeval.load_findings(_workbook(tmp_path, rows))
    cells = [(p.row, p.finding_id, p.column) for p in info.value.problems]
    assert cells == [(3, "F2", "sample"), (3, "F2", "critical")]  # cells first, then fields
    assert "2 problems:\n  sheet Findings, row 3 (F2), column sample: " in str(info.value)


@needs_openpyxl
def test_duplicate_ids_name_both_rows(tmp_path: Path) -> None:
    path = _workbook(tmp_path, [_row(id="F1"), _row(id="F2"), _row(id="F1")])
    with pytest.raises(InputError) as info:
        qifeval.load_findings(path)
    assert str(info.value) == (
        f"{path}, sheet Findings, row 4 (F1), column id: duplicate id (also used at row 2)"
    )


@needs_openpyxl
def test_merged_cells_are_refused(tmp_path: Path) -> None:
    path = _workbook(tmp_path, [_row(id="F1"), _row(id="F2", source=None)])
    wb = openpyxl.load_workbook(path)
    wb["Findings"].merge_cells("F2:F3")
    wb.save(path)
    with pytest.raises(InputError, match=r"sheet Findings: cells F2:F3 are merged; unmerge"):
        qifeval.load_findings(path)


@needs_openpyxl
def test_headings_and_sheets(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Findings"
    ws.append([*HEADINGS[:2], "Statment", *HEADINGS[3:5], "Source", None, "extra"])
    ws.append(["F1", "5.2", "s", "strength", "minor", "practice", "stray"])
    path = tmp_path / "f.xlsx"
    wb.save(path)
    with pytest.raises(InputError) as info:
        qifeval.load_findings(path)
    text = str(info.value)
    assert (
        "sheet Findings, row 1, column C: unknown column 'Statment'; did you mean 'statement'"
        in text
    )
    assert "sheet Findings, row 1, column H: unknown column 'extra'" in text
    assert "sheet Findings, column statement: no column 'statement' in the heading row" in text
    assert (
        "sheet Findings, row 2, column G: a value ('stray') in a column without a heading" in text
    )

    wb.active.title = "Sheet1"
    wb.save(path)
    with pytest.raises(InputError, match=r"no sheet named 'Findings' \(the sheets are 'Sheet1'\)"):
        qifeval.load_findings(path)


@needs_openpyxl
def test_about_sheet_problems_name_their_row(tmp_path: Path) -> None:
    path = _workbook(tmp_path, [_row()], framework="qif-2099", partnership=None)
    with pytest.raises(InputError) as info:
        qifeval.load_findings(path)
    assert str(info.value).endswith(
        "sheet About, row 2, column value: required, but the cell is empty"
    )
    path = _workbook(tmp_path, [_row()], framework="qif-2099")
    with pytest.raises(InputError, match=r"sheet About, row 3, column value: .*qif-2099"):
        qifeval.load_findings(path)
    path = _workbook(tmp_path, [_row()], partnerhsip="x")
    with pytest.raises(InputError, match=r"row 3, column field: unknown field 'partnerhsip'"):
        qifeval.load_findings(path)


@needs_openpyxl
def test_context_sheet_problems_name_their_row(tmp_path: Path) -> None:
    path = _workbook(tmp_path, [_row()])
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("Context")
    ws.append(["item", "id", "kind", "severity", "note", "aspect", "statement"])
    ws.append(["challenge", "C1", "budgetary_pressures", "severe"])
    ws.append(["challenge", "C2", "weather", "severe"])
    ws.append(["readiness", "R1", None, None, None, "commitment", "s", "x"])
    ws.append(["readiness", "R2", "policy_change"])
    wb.save(path)
    with pytest.raises(InputError) as info:
        qifeval.load_findings(path)
    text = str(info.value)
    assert "sheet Context, row 5, column kind: a readiness item has no kind" in text
    assert "sheet Context, row 4, column H: a value ('x') in a column without a heading" in text


# --- safe reading -------------------------------------------------------------------


@needs_openpyxl
def test_limits_apply_to_workbooks(tmp_path: Path) -> None:
    path = _workbook(tmp_path, [_row(id=f"F{i}") for i in range(5)])
    with (
        qifeval.input_limits(max_items=3),
        pytest.raises(InputError, match=r"sheet Findings, row 5: more than 3 rows"),
    ):
        qifeval.load_findings(path)
    long = _workbook(tmp_path, [_row(statement="x" * 60)])
    with (
        qifeval.input_limits(max_text=50),
        pytest.raises(InputError, match=r"row 2 \(F1\), column statement: text of 60 characters"),
    ):
        qifeval.load_findings(long)
    with qifeval.input_limits(max_bytes=100), pytest.raises(InputError, match="larger than"):
        qifeval.load_findings(long)


def test_limits_apply_to_csv_files(tmp_path: Path) -> None:
    path = _bad_csv(tmp_path, "statement", "x" * 60)
    with (
        qifeval.input_limits(max_text=50),
        pytest.raises(InputError, match=r"row 4 \(F12\), column statement: text of 60 characters"),
    ):
        qifeval.load_findings(path)


@needs_openpyxl
def test_a_zip_bomb_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * 2_000_000)
    assert path.stat().st_size < 10_000
    with (
        qifeval.input_limits(max_bytes=100_000),
        pytest.raises(
            InputError,
            match=f"unzips to 2,000,000 bytes; at most 1,000,000 are read .{MAX_UNZIPPED_RATIO} times",
        ),
    ):
        qifeval.load_findings(path)


@needs_openpyxl
@pytest.mark.parametrize("data", [b"not a zip", b"PK\x03\x04broken", b""])
def test_a_broken_workbook_is_a_clear_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "f.xlsx"
    path.write_bytes(data)
    with pytest.raises(InputError, match=r"f\.xlsx: not an XLSX workbook"):
        qifeval.load_findings(path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "a zip, but not a workbook")
    path.write_bytes(buf.getvalue())
    with pytest.raises(InputError, match=r"cannot read the workbook"):
        qifeval.load_findings(path)


@needs_openpyxl
def test_a_broken_sheet_inside_a_workbook_is_a_clear_error(tmp_path: Path) -> None:
    good = _workbook(tmp_path, [_row()])
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut short
            dst.writestr(info, data)
    with pytest.raises(InputError, match=r"broken\.xlsx: cannot read the workbook \(ParseError"):
        qifeval.load_findings(path)


def test_csv_encodings_and_separators(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    heading = ";".join(HEADINGS)
    path.write_bytes(
        "\ufeffpartnership;P\r\n".encode()
        + heading.encode()
        + b"\r\nF1;5.2;s;strength;minor;practice\r\n"
    )
    assert qifeval.load_findings(path).findings[0].id == "F1"
    path.write_bytes("partnership,Caf\u00e9\n".encode("cp1252"))
    with pytest.raises(InputError, match=r"not a UTF-8 text file .* 'CSV UTF-8'"):
        qifeval.load_findings(path)
    path.write_text("partnership,P\n", encoding="utf-8")
    with pytest.raises(InputError, match="no heading row"):
        qifeval.load_findings(path)
    path.write_text(",".join(HEADINGS) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        qifeval.load_findings(path)
    assert str(info.value) == (
        f"{path} at partnership: the partnership is not given: add a row 'partnership' "
        "to the rows above the heading"
    )


# --- errors ---------------------------------------------------------------------------


def test_spreadsheet_errors_pickle_with_their_cells() -> None:
    err = InputError.from_problems(
        [
            InputProblem(
                problem="bad", finding_id="F12", sheet="Findings", row=14, column="weight"
            ),
            InputProblem(problem="worse", sheet="About", row=2, column="value"),
        ],
        file="findings.xlsx",
    )
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.sheet, copy.row, copy.column, copy.problems, str(copy)) == (
        "Findings",
        14,
        "weight",
        err.problems,
        str(err),
    )
    one = InputError(
        "bad", file="findings.xlsx", finding_id="F12", sheet="Findings", row=14, column="weight"
    )
    assert str(one) == "findings.xlsx, sheet Findings, row 14 (F12), column weight: bad"


def test_without_openpyxl_xlsx_names_the_extra(tmp_path: Path) -> None:
    script = f"""
import sys
sys.modules["openpyxl"] = None  # as if it were not installed
import qifeval
from qifeval._cli import main
assert "openpyxl" not in [m for m in sys.modules if sys.modules[m] is not None]
ev = qifeval.EvidenceSet(partnership="P")
for call in (lambda: qifeval.load_findings({str(tmp_path / "f.xlsx")!r}),
             lambda: qifeval.dump_findings(ev, fmt="xlsx")):
    try:
        call()
    except qifeval.MissingDependencyError as exc:
        assert isinstance(exc, qifeval.QifevalError) and isinstance(exc, ImportError)
        assert exc.extra == "xlsx" and exc.package == "openpyxl"
        print(exc)
    else:
        raise SystemExit("no error")
qifeval.dump_findings(ev, {str(tmp_path / "f.csv")!r})
assert qifeval.load_findings({str(tmp_path / "f.csv")!r}) == ev
sys.exit(main(["template", {str(tmp_path / "t.xlsx")!r}]))
"""
    (tmp_path / "f.xlsx").write_bytes(b"PK")
    run = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": ""},
        check=False,
    )
    assert run.returncode == 1, run.stderr
    assert run.stdout.splitlines() == [
        "reading .xlsx files needs openpyxl, which is not installed; "
        "install it with: pip install 'qifeval[xlsx]'",
        "writing .xlsx files needs openpyxl, which is not installed; "
        "install it with: pip install 'qifeval[xlsx]'",
    ]
    assert "qifeval: error: writing .xlsx files needs openpyxl" in run.stderr
    assert "Traceback" not in run.stderr
    err = MissingDependencyError("x", package="p", extra="e")
    assert str(pickle.loads(pickle.dumps(err))) == str(err)


@needs_openpyxl
def test_a_framework_of_ones_own(tmp_path: Path) -> None:
    fw = qifeval.load_framework(str(ROOT / "docs" / "examples" / "framework.toml"))
    ev = qifeval.EvidenceSet(partnership="P", framework=fw.id, findings=[finding("F1", qi="2.1")])
    path = tmp_path / "f.xlsx"
    qifeval.dump_findings(ev, path)  # not bundled: no list of indicators
    assert openpyxl.load_workbook(path)["Lists"]["A2"].value is None
    assert qifeval.load_findings(path, framework=fw) == ev
    assert (
        main(
            [
                "template",
                str(tmp_path / "t.xlsx"),
                "--framework",
                str(ROOT / "docs" / "examples" / "framework.toml"),
            ]
        )
        == 0
    )
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert [c.value for c in wb["Lists"]["A"] if c.value][1:] == [
        f"{qi.id} {qi.title}" for qi in fw.indicators
    ]
    ws = wb["Findings"]
    ws.append(["F1", f"2.1 {fw.indicator('2.1').title}", "s", "strength", "minor", "practice"])
    wb["About"]["B2"] = "P"
    wb.save(tmp_path / "t.xlsx")
    loaded = qifeval.load_findings(tmp_path / "t.xlsx", framework=fw)
    assert (loaded.framework, loaded.findings[0].qi) == (fw.id, "2.1")


def test_importing_qifeval_does_not_import_openpyxl() -> None:
    code = "import sys, qifeval, qifeval.evidence, qifeval._cli; print('openpyxl' in sys.modules)"
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": ""},
        check=True,
    )
    assert run.stdout.strip() == "False"
