"""The programme view, tidy records and the fictional partnerships."""

from __future__ import annotations

import builtins
import csv
import datetime as dt
import functools
import io
import json
from pathlib import Path
from typing import Any

import attrs
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qifeval
from qifeval import Grade, MissingDependencyError, Records, programme
from qifeval._cli import main
from qifeval.fictional import (
    COUNCIL_AREAS,
    fictional_evaluations,
    fictional_partnerships,
    is_real_area_name,
)
from qifeval.programmes import programme_html, programme_json_text, programme_markdown

from .strategies import records


@functools.cache
def _evaluations() -> tuple[qifeval.Evaluation, ...]:
    """Eight fictional partnerships over three years (evaluated once)."""
    return fictional_evaluations(8, 3, findings=66)


def _latest(evaluations: tuple[qifeval.Evaluation, ...]) -> dict[str, qifeval.Evaluation]:
    out: dict[str, qifeval.Evaluation] = {}
    for e in evaluations:
        name = e.evidence.partnership
        if name not in out or (e.evidence.date or dt.date.min) > (
            out[name].evidence.date or dt.date.min
        ):
            out[name] = e
    return out


# --- the fictional partnerships ------------------------------------------------


def _dumped(partnerships: tuple[qifeval.fictional.FictionalPartnership, ...]) -> bytes:
    out = []
    for p in partnerships:
        for evidence in p.evidence:
            out.append(str(qifeval.dump_findings(evidence, fmt="toml")))
        for plan in p.plans:
            if plan is not None:
                out.append(qifeval.dump_plan(plan, fmt="toml"))
    return "\n".join(out).encode("utf-8")


def test_the_generator_gives_the_same_bytes_every_time() -> None:
    first = _dumped(fictional_partnerships())
    second = _dumped(fictional_partnerships())
    assert first == second
    assert _dumped(fictional_partnerships(seed=7)) != first


def test_the_generator_makes_32_partnerships_of_3_years_with_realistic_findings() -> None:
    partnerships = fictional_partnerships()
    assert len(partnerships) == 32
    assert len({p.name for p in partnerships}) == 32
    for p in partnerships:
        assert [e.date.year for e in p.evidence if e.date] == [2024, 2025, 2026]
        assert {e.partnership for e in p.evidence} == {p.name}
        assert p.plans[0] is None and all(plan is not None for plan in p.plans[1:])
        for evidence in p.evidence:
            assert 100 <= len(evidence.findings) <= 140
            for f in evidence.findings:
                assert 50 <= len(f.statement) <= 120, f.statement
            assert any(f.voice is not None for f in evidence.findings)
            assert any(f.sample is not None for f in evidence.findings)
            assert any(f.key_factor is not None for f in evidence.findings)
        assert any(f.follows for f in p.evidence[-1].findings)


def test_no_fictional_name_is_a_council_area() -> None:
    names = [p.name for p in fictional_partnerships()]
    for name in names:
        assert not is_real_area_name(name)
        for area in COUNCIL_AREAS:
            assert area.lower() not in name.lower()
            assert name.lower() not in area.lower()


@pytest.mark.parametrize("name", ["Fife", "north ayrshire", "Fifeburn", "Morayside", "Angus"])
def test_the_name_check_refuses_council_areas(name: str) -> None:
    assert is_real_area_name(name)


def test_the_fictional_evaluations_carry_plans_and_decisions() -> None:
    evaluations = _evaluations()
    assert len(evaluations) == 24
    later = [e for e in evaluations if e.previous is not None]
    assert len(later) == 16
    assert all(e.plan is not None for e in later)
    assert any(d.kind is qifeval.DecisionKind.OVERRIDDEN for e in evaluations for d in e.decisions)
    assert sum(len(e.decisions) for e in evaluations) > len(evaluations) * 10


# --- records -----------------------------------------------------------------


def test_an_evaluation_has_one_record_per_indicator_and_finding() -> None:
    e = _evaluations()[-1]
    records = e.to_records()
    assert [r.qi for r in records.indicators] == [r.qi for r in e.results] + ["10"]
    assert [r.finding for r in records.findings] == [f.id for f in e.evidence.findings]
    for r in records.indicators[:-1]:
        result = e.result(r.qi)
        assert r.grade == (None if e.grades[r.qi] is None else int(e.grades[r.qi]))  # type: ignore[arg-type]
        assert r.strengths + r.weaknesses == r.findings == len(result.findings)
        decision = e.decision(r.qi)
        assert r.decided == (None if decision is None else int(decision.grade))
    capacity = records.indicators[-1]
    assert capacity.confidence == e.capacity.confidence.value


def test_records_round_trip_through_csv_with_their_types() -> None:
    records = Records.concat(e.to_records() for e in _evaluations()[:3])
    for table in ("indicators", "findings"):
        back = Records.from_csv(records.to_csv(table), table)  # type: ignore[arg-type]
        assert back.rows(table) == records.rows(table)  # type: ignore[arg-type]
    back = Records.from_csv(records.to_csv("findings"), "findings").findings
    with_sample = next(r for r in back if r.sample is not None)
    assert type(with_sample.sample) is int and type(with_sample.proportion) is float
    assert type(back[0].date) is dt.date and type(back[0].critical) is bool


@given(records())
def test_any_records_round_trip_through_csv(records: Records) -> None:
    for table in ("indicators", "findings"):
        back = Records.from_csv(records.to_csv(table), table)  # type: ignore[arg-type]
        assert back.rows(table) == records.rows(table)  # type: ignore[arg-type]


@settings(max_examples=20)
@given(records(max_size=3))
def test_a_workbook_reads_back_as_the_csv_does(records: Records) -> None:
    from_xlsx = Records.from_xlsx(records.to_xlsx())
    from_csv = Records.from_csv(records.to_csv("indicators"), "indicators") + Records.from_csv(
        records.to_csv("findings"), "findings"
    )
    assert from_xlsx == from_csv == records


def test_the_workbook_holds_the_csv_rows() -> None:
    records = _evaluations()[0].to_records()
    wb = openpyxl.load_workbook(io.BytesIO(records.to_xlsx()), read_only=True)
    for table in ("indicators", "findings"):
        rows = list(csv.reader(io.StringIO(records.to_csv(table))))  # type: ignore[arg-type]
        width = len(rows[0])
        sheet = [
            [*row, *[None] * (width - len(row))] for row in wb[table].iter_rows(values_only=True)
        ]
        assert sheet[0] == rows[0]
        assert len(sheet) == len(rows)
        for cells, line in zip(sheet[1:], rows[1:], strict=True):
            as_text = [
                "" if c is None else ("true" if c is True else "false" if c is False else c)
                for c in cells
            ]
            as_text = [c.date().isoformat() if isinstance(c, dt.datetime) else c for c in as_text]
            assert [str(c) for c in as_text] == line
    wb.close()


def test_a_bad_cell_is_named_by_row_and_column() -> None:
    text = _evaluations()[0].to_records().to_csv("indicators")
    lines = text.splitlines()
    header = lines[0].split(",")
    cells = next(csv.reader([lines[3]]))
    cells[header.index("findings")] = "many"
    lines[3] = ",".join(f'"{c}"' for c in cells)
    with pytest.raises(qifeval.InputError) as info:
        Records.from_csv("\r\n".join(lines), "indicators", file="tables.csv")
    message = str(info.value)
    assert "tables.csv" in message and "row 4" in message and "column findings" in message


def test_a_missing_column_is_named() -> None:
    text = _evaluations()[0].to_records().to_csv("findings")
    header, *rest = text.splitlines()
    trimmed = header.replace(",statement", "")
    with pytest.raises(qifeval.InputError, match=r"missing column.*statement"):
        Records.from_csv("\r\n".join([trimmed, *rest]), "findings")


def test_to_frame_gives_typed_columns() -> None:
    pd = pytest.importorskip("pandas")
    records = Records.concat(e.to_records() for e in _evaluations())
    frame = records.to_frame()
    assert len(frame) == len(records.indicators)
    assert list(frame.columns) == [a.name for a in attrs.fields(qifeval.IndicatorRecord)]
    assert str(frame["grade"].dtype) == "Int64"
    assert pd.api.types.is_datetime64_any_dtype(frame["date"])
    graded = frame[frame["qi"] == "5.2"]["grade"].dropna()
    assert sorted(graded.tolist()) == sorted(
        r.grade for r in records.indicators if r.qi == "5.2" and r.grade is not None
    )
    assert len(records.to_frame("findings")) == len(records.findings)


def test_without_pandas_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_pandas(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("No module named 'pandas'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(MissingDependencyError) as info:
        _evaluations()[0].to_records().to_frame()
    assert info.value.extra == "pandas"
    assert "qifeval[pandas]" in str(info.value)


# --- the programme view ---------------------------------------------------------


def test_the_distributions_count_every_partnership_once() -> None:
    evaluations = _evaluations()
    view = programme(evaluations)
    latest = _latest(evaluations)
    assert view.partnerships == len(latest) == 8
    (group,) = view.groups
    assert set(group.partnerships) == set(latest)
    for d in group.indicators:
        assert d.graded + d.not_graded == len(latest)
        expected: dict[Grade, int] = {}
        for e in latest.values():
            grade = e.grades[d.qi]
            if grade is not None:
                expected[grade] = expected.get(grade, 0) + 1
        assert {g: n for g, n in d.counts.items() if n} == expected
        assert d.decided == sum(1 for e in latest.values() if e.decision(d.qi) is not None)
    assert sum(group.confidence.values()) == len(latest)
    assert sum(group.capacity.values()) + group.capacity_not_graded == len(latest)


def test_the_national_results_sit_beside_the_indicators_graded_then() -> None:
    group = programme(_evaluations()).groups[0]
    national = qifeval.national_results()
    for d in group.indicators:
        if d.qi in ("5.2", "9.4"):
            assert d.national is national.for_indicator(d.qi)
        if d.qi in ("3.1", "7.1"):
            assert d.national is None


def test_a_decided_grade_counts_instead_of_the_suggestion() -> None:
    evaluations = list(_evaluations())
    latest = _latest(tuple(evaluations))
    target = next(
        e for e in latest.values() if e.result("5.2").suggested_grade not in (None, Grade.EXCELLENT)
    )
    suggested = target.result("5.2").suggested_grade
    assert suggested is not None
    higher = Grade(int(suggested) + 1)
    changed = target.override("5.2", higher, role="Chair", rationale="The audit outweighs it")
    before = programme(evaluations).groups[0].indicator("5.2")
    after = (
        programme([changed if e is target else e for e in evaluations]).groups[0].indicator("5.2")
    )
    assert after.counts[higher] == before.counts[higher] + (
        0 if target.grades["5.2"] == higher else 1
    )
    assert after.counts[target.grades["5.2"]] == before.counts[target.grades["5.2"]] - (  # type: ignore[index]
        0 if target.grades["5.2"] == higher else 1
    )
    assert after.decided == before.decided + (0 if target.decision("5.2") else 1)


@given(st.permutations(range(24)))
def test_the_view_does_not_depend_on_the_order_of_the_evaluations(order: list[int]) -> None:
    evaluations = _evaluations()
    shuffled = programme([evaluations[i] for i in order])
    assert shuffled == programme(evaluations)
    assert shuffled.to_records() == programme(evaluations).to_records()


def test_each_partnership_has_its_trend() -> None:
    evaluations = _evaluations()
    view = programme(evaluations)
    assert [len(t.points) for t in view.trends] == [3] * 8
    for t in view.trends:
        mine = sorted(
            (e for e in evaluations if e.evidence.partnership == t.partnership),
            key=lambda e: e.evidence.date or dt.date.min,
        )
        assert [p.grades for p in t.points] == [e.grades for e in mine]
        ups = sum(
            1
            for qi, g in mine[-1].grades.items()
            if g is not None and mine[-2].grades[qi] is not None and g > mine[-2].grades[qi]  # type: ignore[operator]
        )
        assert t.improved == ups


def test_a_previous_evaluation_recorded_in_one_gives_a_trend() -> None:
    view = programme([e for e in _evaluations() if e.evidence.date == dt.date(2026, 9, 30)])
    assert all(len(t.points) == 2 for t in view.trends)


def test_two_evaluations_on_one_date_are_refused() -> None:
    e = _evaluations()[0]
    with pytest.raises(qifeval.InputError, match="two evaluations dated"):
        programme([e, e])


def test_the_pages_escape_what_they_show() -> None:
    e = _evaluations()[0]
    hostile = "<script>alert(1)</script> | Vale"
    renamed = attrs.evolve(e, evidence=attrs.evolve(e.evidence, partnership=hostile))
    view = programme([renamed])
    page = programme_html(view)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page and "<title" in page
    md = programme_markdown(view)
    assert "<script>" not in md and "\\| Vale" in md
    assert json.loads(programme_json_text(view))["groups"][0]["partnerships"] == [hostile]
    assert "<script>alert" not in view._repr_html_()
    assert "<script>alert" not in renamed._repr_html_()
    assert renamed.results[0]._repr_html_().startswith('<div class="qifeval-indicator">')


# --- the command line -------------------------------------------------------------


def _saved(tmp_path: Path) -> Path:
    folder = tmp_path / "evaluations"
    folder.mkdir()
    for e in _evaluations()[:9]:
        qifeval.dump_evaluation(
            e,
            folder / f"{e.evidence.partnership}-{e.evidence.date.year}.json",  # type: ignore[union-attr]
        )
    return folder


def test_the_command_reads_a_folder_of_saved_evaluations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _saved(tmp_path)
    out = tmp_path / "programme.json"
    assert main(["programme", str(folder), "-o", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["partnerships"] == 3 and data["evaluations"] == 9
    expected = programme(_evaluations()[:9])
    assert data == json.loads(programme_json_text(expected))
    assert main(["programme", str(folder), "-o", str(out)]) == 1
    assert "--force" in capsys.readouterr().err
    html = tmp_path / "programme.html"
    assert main(["programme", str(folder), "-o", str(html)]) == 0
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    xlsx = tmp_path / "records.xlsx"
    assert main(["programme", str(folder), "-o", str(xlsx)]) == 0
    assert Records.from_xlsx(xlsx.read_bytes()) == expected.to_records()
    table = tmp_path / "findings.csv"
    assert main(["programme", str(folder), "--table", "findings", "-o", str(table)]) == 0
    back = Records.from_csv(table.read_text(encoding="utf-8"), "findings")
    assert back.findings == expected.to_records().findings


def test_the_command_names_a_file_that_is_not_a_saved_evaluation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _saved(tmp_path)
    (folder / "notes.toml").write_text('partnership = "x"\n', encoding="utf-8")
    assert main(["programme", str(folder)]) == 1
    assert "notes.toml" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["programme", str(empty)]) == 1
    assert "no saved evaluations" in capsys.readouterr().err


def test_a_previous_evaluation_of_the_2014_framework_is_mapped_through_the_crosswalk() -> None:
    e = next(e for e in _evaluations() if e.evidence.date == dt.date(2026, 9, 30))
    earlier = qifeval.PreviousEvaluation(
        label="Inspection 2015", framework="qif-2014", grades={"8.3": 2, "5.2": 3}
    )
    view = programme([attrs.evolve(e, previous=earlier)])
    (trend,) = view.trends
    first = trend.points[0]
    assert first.label == "Inspection 2015"
    assert first.grades == {"6.5": Grade.WEAK, "5.2": Grade.ADEQUATE}
    moved = {c.qi: c.direction for c in trend.changes if c.direction is not None}
    assert set(moved) == {qi for qi in ("6.5", "5.2") if e.grades[qi] is not None}


def test_partnerships_are_grouped_by_inspection_profile() -> None:
    evaluations = _evaluations()
    names = sorted({e.evidence.partnership for e in evaluations})
    profiled = set(names[:3])
    graded = qifeval.inspection_profile("joint-2018").graded
    evaluations = [
        attrs.evolve(
            e,
            profile="joint-2018",
            # the model records decisions only on the indicators it grades
            decisions=tuple(d for d in e.decisions if d.qi in graded),
        )
        if e.evidence.partnership in profiled
        else e
        for e in evaluations
    ]
    view = programme(evaluations)
    assert [(g.framework, g.profile, len(g.partnerships)) for g in view.groups] == [
        ("qif-2018", None, 5),
        ("qif-2018", "joint-2018", 3),
    ]
    inspected = view.group("qif-2018", "joint-2018")
    assert {d.qi for d in inspected.indicators if d.inspected} == set(graded)
    assert all(d.inspected is None for d in view.group("qif-2018").indicators)
