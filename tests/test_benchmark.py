"""The benchmark's machinery (benchmarks/run.py), on its smallest size: every
stage is measured and reported as a ratio, repetitions interleave, and
``--check`` fails naming the stage, ratio and budget. Nothing here asserts
how long anything takes."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

import qifeval

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("qifeval_benchmark", ROOT / "benchmarks/run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_findings_are_realistic_and_the_same_each_time(bench: ModuleType) -> None:
    doc = bench.make_document(300)
    assert doc == bench.make_document(300)
    statements = [f["statement"] for f in doc["findings"]]
    assert len(statements) == 300
    assert all(40 <= len(s) <= 160 for s in statements)
    assert len(set(statements)) > 250
    flagged = sum(1 for s in statements if qifeval.scan_text(s))
    assert 0 < flagged < 30  # a few trip the personal-data scan, as real ones do
    assert len({f["qi"] for f in doc["findings"]}) == 22


def test_repetitions_interleave_in_rotating_order(
    bench: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def stage(name: str) -> Callable[[], None]:
        return lambda: calls.append(name)

    monkeypatch.setattr(bench, "MIN_SAMPLE", 0.0)  # each stage once per repetition
    medians = bench.measure({n: stage(n) for n in "abc"}, repeat=3)
    assert set(medians) == {"a", "b", "c"}
    # a warm-up and a first timing of each, then the rotations
    assert calls == list("aabbcc" + "abc" + "bca" + "cab")

    calls.clear()
    monkeypatch.setattr(bench, "MIN_SAMPLE", 1e9)  # a quick stage runs in a row, up to 1,000
    bench.measure({n: stage(n) for n in "ab"}, repeat=2)
    assert calls == list("aabb" + "a" * 1000 + "b" * 1000 + "b" * 1000 + "a" * 1000)


def test_check_smallest_size_reports_every_stage(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench.main(["--sizes", "100", "--repeat", "1", "--no-import", "--check"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    stages = {row.split(" | ")[0][2:] for row in rows}
    expected = {
        "floor", "load toml", "load json", "scan", "profiles", "engine durable",
        "engine python", "explanations", "capacity", "evaluate", "evaluate python",
        "evaluate json", "report position_statement",
        *(f"report {name}" for name in qifeval.reports.RENDERERS),
    }  # fmt: skip
    assert expected <= stages
    for row in rows:
        name = row.split(" | ")[0][2:]
        if name in expected - {"floor"}:
            assert "×)" in row, row  # a time and its ratio to the floor


def test_check_fails_naming_stage_ratio_and_budget(
    bench: ModuleType, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    impossible = bench.Budget(
        name="scan within nothing", stage="scan", over="floor", limit=0.0, size=100, quick=True
    )
    generous = bench.Budget(
        name="evaluate within anything", stage="evaluate", over="floor", limit=1e12, size=100
    )
    monkeypatch.setattr(bench, "BUDGETS", (impossible, generous))
    assert bench.main(["--sizes", "100", "--repeat", "1", "--no-import", "--check"]) == 1
    captured = capsys.readouterr()
    assert "'scan' at 100 findings is" in captured.err
    assert "budget of 0×" in captured.err
    assert "evaluate within anything" not in captured.err
    assert "| evaluate within anything |" in captured.out
    # without --check the same run reports but does not fail
    assert bench.main(["--sizes", "100", "--repeat", "1", "--no-import"]) == 0


def test_import_times_are_read_from_importtime(bench: ModuleType) -> None:
    own, deps = bench.import_times("import qifeval")
    assert own > 0 and deps > 0
    # the first use of evaluate loads more of qifeval, and no more of attrs
    more, same = bench.import_times("import qifeval; qifeval.evaluate")
    assert more > own
    assert same < 2 * deps


def test_every_budget_names_measured_stages(bench: ModuleType, tmp_path: Path) -> None:
    with warnings.catch_warnings():  # the statements that trip the scan warn
        warnings.simplefilter("ignore", qifeval.QifevalWarning)
        names = set(bench.stages(50, tmp_path)[0]) | {*bench.IMPORTS, "import attrs+cattrs"}
    for budget in bench.BUDGETS:
        assert {budget.stage, budget.over} <= names, budget
    assert any(b.quick for b in bench.BUDGETS)
    assert all(b.size in (0, *bench.QUICK_SIZES) for b in bench.BUDGETS if b.quick)
