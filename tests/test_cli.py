import json
import subprocess
import sys

import pytest

import qifeval
from qifeval._cli import main

VALID = """schema_version = 1
partnership = "Example"
framework = "qif-2018"

[[findings]]
id = "F1"
qi = "5.2"
statement = "most assessments were timely"
valence = "strength"
weight = "important"
source = "practice"

[[findings]]
id = "F2"
qi = "2.1"
statement = "children said they were listened to"
valence = "strength"
weight = "major"
source = "stakeholder_views"
"""


@pytest.fixture
def findings(tmp_path):
    p = tmp_path / "findings.toml"
    p.write_text(VALID, encoding="utf-8")
    return p


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_frameworks_and_show(capsys) -> None:
    code, out, _ = run(capsys, "frameworks")
    assert code == 0 and "qif-2018" in out and "qif-2014" in out
    code, out, _ = run(capsys, "show", "5.2")
    assert code == 0 and out.startswith("5.2 Assessing risk and need")
    assert "Very good illustration:" in out and "[5.2/weak/1]" in out
    code, out, _ = run(capsys, "show", "10")
    assert code == 0 and "Key factors" in out


def test_show_unknown_indicator_exits_1(capsys) -> None:
    code, _, err = run(capsys, "show", "5.9")
    assert code == 1 and "did you mean" in err and "Traceback" not in err


def test_validate(capsys, findings, tmp_path) -> None:
    code, out, _ = run(capsys, "validate", findings)
    assert code == 0 and "valid (2 findings on 2 indicators)" in out
    bad = tmp_path / "bad.toml"
    bad.write_text(VALID.replace('weight = "major"', 'weight = "huge"'), encoding="utf-8")
    code, _, err = run(capsys, "validate", bad)
    assert code == 1
    assert f"{bad} at findings[1].weight (finding 'F2'): expected one of" in err
    assert "Traceback" not in err


def test_validate_strict_personal_data(capsys, tmp_path) -> None:
    p = tmp_path / "pd.toml"
    p.write_text(
        VALID.replace("most assessments were timely", "assessment for child CHI 0101011237"),
        encoding="utf-8",
    )
    code, _, err = run(capsys, "validate", p)
    assert code == 0 and "warning: " in err and "0101011237" not in err
    code, _, err = run(capsys, "validate", p, "--strict")
    assert code == 1 and "a CHI number in findings[0].statement (finding 'F1')" in err
    assert "0101011237" not in err


@pytest.mark.parametrize("fmt", ["json", "markdown", "html"])
def test_evaluate_formats(capsys, findings, tmp_path, fmt) -> None:
    out_file = tmp_path / f"report.{fmt}"
    code, _, err = run(capsys, "evaluate", findings, "--format", fmt, "-o", out_file)
    assert code == 0, err
    text = out_file.read_text(encoding="utf-8")
    if fmt == "json":
        data = json.loads(text)
        assert {x["qi"]: x["suggested_grade"] for x in data["indicators"]}["5.2"] == 4
    elif fmt == "html":
        assert text.startswith("<!DOCTYPE html>")
    else:
        assert "| 5.2 | Assessing risk and need |" in text


def test_evaluate_save_report_and_diff(capsys, findings, tmp_path) -> None:
    saved = tmp_path / "eval.json"
    code, out, _ = run(capsys, "evaluate", findings, "--save", saved, "--format", "json")
    assert code == 0 and saved.exists()
    assert qifeval.load_evaluation(saved).result("5.2").suggested_grade == 4
    code, out, _ = run(capsys, "report", saved, "--format", "markdown")
    assert code == 0 and out.startswith("# Evaluation of Example")
    code, out, _ = run(capsys, "report", saved, "--format", "position-statement")
    assert code == 0 and "## How do we know?" in out
    code, out, _ = run(capsys, "diff", findings, saved)
    assert code == 0 and "5.2" in out
    code, out, _ = run(capsys, "evaluate", findings, "--previous", saved)
    assert code == 0 and "since the previous evaluation" in out.lower()


def test_evaluate_invalid_inputs_exit_1(capsys, findings, tmp_path) -> None:
    bad_rules = tmp_path / "rules.toml"
    bad_rules.write_text(
        'schema_version = 1\nbase = "default"\nname = "x"\n[[rules]]\nname = "y"\n',
        encoding="utf-8",
    )
    for args in (
        ["evaluate", tmp_path / "missing.toml"],
        ["evaluate", findings, "--rules", bad_rules],
        ["evaluate", findings, "--framework", "qif-2099"],
        ["report", findings],
        ["evaluate", findings, "-o", tmp_path / "no" / "such" / "dir.html"],
    ):
        code, _, err = run(capsys, *args)
        assert code == 1, (args, err)
        assert err.startswith("qifeval: error: ") and "Traceback" not in err


def test_usage_errors_exit_2(capsys, findings) -> None:
    for args in ([], ["nonsense"], ["evaluate"], ["evaluate", findings, "--format", "pdf"]):
        with pytest.raises(SystemExit) as info:
            main([str(a) for a in args])
        assert info.value.code == 2
    capsys.readouterr()


def test_console_script_runs_as_a_module(findings) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "qifeval", "validate", str(findings)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0 and "valid" in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "qifeval", "evaluate", str(findings) + ".nope"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


def test_names_file_extends_the_personal_data_guard(capsys, tmp_path) -> None:
    p = tmp_path / "f.toml"
    p.write_text(
        VALID.replace("most assessments were timely", "Rowan's assessment was timely"),
        encoding="utf-8",
    )
    names = tmp_path / "names.txt"
    names.write_text("# families known to the partnership\nRowan\n\n", encoding="utf-8")
    code, _, err = run(capsys, "validate", p)
    assert code == 0 and "warning" not in err
    code, _, err = run(capsys, "validate", p, "--names", names, "--strict")
    assert (
        code == 1 and "a name in findings[0].statement (finding 'F1')" in err and "Rowan" not in err
    )
    code, out, err = run(capsys, "evaluate", p, "--names", names, "--format", "markdown")
    assert code == 0 and "Rowan" not in out and "warning" in err
    code, _, err = run(capsys, "validate", p, "--names", tmp_path / "missing.txt")
    assert code == 1 and "cannot read the names file" in err


def test_internal_errors_exit_3_without_traceback(capsys, monkeypatch, findings) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr("qifeval._cli.load_findings", broken)
    code, _, err = run(capsys, "evaluate", findings)
    assert code == 3
    assert "internal error (RuntimeError: simulated bug)" in err and "Traceback" not in err


def test_markdown_report_matches_its_snapshot(capsys) -> None:
    """The Markdown report of the tutorial's findings, compared with the
    reviewed snapshot in tests/data. After an intended change of wording,
    regenerate it with QIFEVAL_UPDATE_SNAPSHOTS=1."""
    import os
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    code, out, err = run(capsys, "evaluate", root / "docs" / "examples" / "tutorial-findings.toml")
    assert code == 0, err
    snapshot = root / "tests" / "data" / "tutorial-report.md"
    if os.environ.get("QIFEVAL_UPDATE_SNAPSHOTS"):
        snapshot.parent.mkdir(exist_ok=True)
        snapshot.write_text(out, encoding="utf-8")
    assert out == snapshot.read_text(encoding="utf-8")
