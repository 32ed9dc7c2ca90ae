"""The position statement: organised by the inspection model's statements,
each answering the three reflective questions, with evidence references
beside every claim, within 5,000 words; Markdown, HTML and Word."""

from __future__ import annotations

import functools
import io
import itertools
import re
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import qifeval
from qifeval._cli import main

ROOT = Path(__file__).parents[1]
FW = qifeval.load_framework("qif-2018")
CARH = "children-at-risk-of-harm-2021"
QUESTIONS = ["How good are we now?", "How do we know?", "What do we plan to do next?"]
REF = re.compile(r" \[[^\[\]]+\]$")


@functools.cache
def _example(profile: str | None = CARH) -> qifeval.Evaluation:
    """The example partnership's 2026 evaluation with its previous one and
    its improvement plan."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev = qifeval.load_findings(ROOT / "examples" / "findings.toml")
        before = qifeval.evaluate(qifeval.load_findings(ROOT / "examples" / "findings-2024.toml"))
        return qifeval.evaluate(
            ev,
            previous=before,
            plan=qifeval.load_plan(ROOT / "examples" / "plan-2024.toml"),
            profile=profile,
        )


def _finding(id: str, *, statement: str, **kw: str) -> qifeval.Finding:
    base = {"qi": "5.2", "valence": "strength", "weight": "important", "source": "practice"}
    return qifeval.Finding(id=id, statement=statement, **{**base, **kw})  # type: ignore[arg-type]


def _read(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def _texts(doc: docx.document.Document) -> Iterator[str]:
    for p in doc.paragraphs:
        yield p.text
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                yield cell.text


def _headings(doc: docx.document.Document) -> list[tuple[int, str]]:
    return [
        (int(p.style.name.removeprefix("Heading ")), p.text)
        for p in doc.paragraphs
        if p.style is not None and p.style.name.startswith("Heading ")
    ]


def _split_refs(text: str) -> list[str]:
    """The references of a claim: separated by "; " outside parentheses."""
    refs, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == ";" and depth == 0:
            refs.append(text[start:i].strip())
            start = i + 1
    return [*refs, text[start:].strip()]


def test_the_docx_is_organised_by_the_four_statements() -> None:
    e = _example()
    ps = qifeval.position_statement_document(e)
    doc = _read(ps.docx())
    heads = _headings(doc)
    assert heads[0][0] == 1 and heads[0][1].startswith("Joint position statement")
    level2 = [t for level, t in heads if level == 2]
    statements = [q.text for q in qifeval.inspection_profile(CARH).questions]
    assert level2[0] == "Main themes and learning"
    assert [t.split(". ", 1)[0] for t in level2[1:5]] == ["S1", "S2", "S3", "S4"]
    for text, heading in zip(statements, level2[1:5], strict=True):
        assert heading.split(". ", 1)[1] == text.rstrip(".")
    # Each statement answers the three questions, in order, as Heading 3.
    starts = [i for i, (level, _) in enumerate(heads) if level == 2] + [len(heads)]
    for a, b in itertools.pairwise(starts[1:6]):
        assert [t for level, t in heads[a:b] if level == 3] == QUESTIONS
    # Real tables: the graded indicator's grade, and the evidence.
    first_rows = [[c.text for c in t.rows[0].cells] for t in doc.tables]
    assert ["Indicator", "Grade", "Status", "Evidence"] in first_rows
    assert ["Finding", "Indicator", "Strength or weakness", "Source", "Reference"] in first_rows
    grade_rows = [
        [c.text for c in row.cells] for t in doc.tables for row in t.rows[1:] if len(row.cells) == 4
    ]
    assert grade_rows == [
        [
            "2.1 Impact on children and young people",
            e.result("2.1").suggested_grade.label,  # type: ignore[union-attr]
            "suggestion, not yet confirmed",
            ", ".join(e.result("2.1").findings),
        ]
    ]


def test_the_docx_keeps_to_the_limit_and_marks_every_claims_evidence() -> None:
    e = _example()
    ps = qifeval.position_statement_document(e)
    doc = _read(ps.docx())
    words = sum(len(t.split()) for t in _texts(doc))
    assert words <= 5000 and ps.words <= 5000
    ids = {f.id for f in e.evidence.findings}
    actions = {a.id for a in e.plan.actions}  # type: ignore[union-attr]
    bullets = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
    assert len(bullets) == len(ps.claims) > 20
    for text in bullets:
        m = REF.search(text)
        assert m, text
        refs = _split_refs(m.group()[2:-1])
        assert refs != ["no evidence yet"], text
        for ref in refs:
            head = ref.split(" ", 1)[0].rstrip(":")
            assert (
                head in ids
                or ref.removeprefix("action ") in actions
                or head in FW
                or head.startswith("P")  # the 2024 findings a plan action addresses
                or re.fullmatch(r"and \d+ more", ref)
            ), (ref, text)
    for t in _texts(doc):
        assert ".;" not in t and ".." not in t, t


def test_weak_areas_lead_with_weaknesses_and_suggestions_are_marked() -> None:
    e = _example()
    md = qifeval.position_statement_document(e).markdown()
    s1 = md.split("## S1.")[1].split("## S2.")[0]
    assert s1.index("#### Areas for development") < s1.index("#### Strengths")
    assert "critical weakness" in s1
    s2 = md.split("## S2.")[1].split("## S3.")[0]
    assert s2.index("#### Strengths") < s2.index("#### Areas for development")
    assert "a suggestion from our evidence that we have not yet confirmed" in s2
    confirmed = e.confirm("2.1", role="Lead officer, self-evaluation group")
    md = qifeval.position_statement_document(confirmed).markdown()
    label = e.result("2.1").suggested_grade.label  # type: ignore[union-attr]
    assert f"We evaluate 2.1 Impact on children and young people as {label}." in md
    assert "| our evaluation |" in md


def test_the_plan_is_what_we_plan_to_do_next() -> None:
    e = _example()
    md = qifeval.position_statement_document(e).markdown()
    s1_next = md.split("## S1.")[1].split("## S2.")[0].split("### What do we plan to do next?")[1]
    a1 = next(a for a in e.plan.actions if a.id == "A1")  # type: ignore[union-attr]
    assert a1.action.rstrip(".")[1:40] in s1_next
    assert "action A1" in s1_next
    assert "## Main themes and learning" in md and "Since our Joint self-evaluation 2024" in md


def test_a_long_draft_says_what_it_shortened() -> None:
    e = _example()
    full = qifeval.position_statement_document(e, limit=100_000)
    assert full.shortened == () and full.words > 3000
    short = qifeval.position_statement_document(e, limit=2500)
    assert short.words <= 2500 and not short.over_limit
    (note,) = short.shortened
    assert note.startswith("To keep within 2,500 words") and note in short.markdown()
    tiny = qifeval.position_statement_document(e, limit=200)
    assert tiny.over_limit and "more than the 200 allowed" in tiny.shortened[-1]


def test_without_a_profile_it_follows_the_frameworks_questions() -> None:
    e = _example(None)
    md = qifeval.position_statement_document(e).markdown()
    level2 = [line for line in md.splitlines() if line.startswith("## ")]
    expected = [f"## Q{q.number}. {q.text}" for q in FW.questions if q.number < 6]
    assert level2[1:6] == expected
    # A profile named at report time reads an evaluation made without one.
    md = qifeval.position_statement_document(e, CARH).markdown()
    assert "## S4." in md and "not graded in this model" in md


def test_html_and_markdown_escape_user_text_and_redact_personal_data() -> None:
    ev = qifeval.EvidenceSet(
        partnership="P",
        framework="qif-2018",
        findings=[
            _finding("F1", qi="2.1", statement="## Forged heading <script>alert(1)</script>"),
            _finding("F2", qi="5.2", statement="Record of Jamie Smith, CHI 0101011237."),
        ],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e = qifeval.evaluate(ev, FW, profile=CARH)
    ps = qifeval.position_statement_document(e)
    md, page = ps.markdown(), ps.html()
    assert "\n## Forged" not in md and "\\#\\# Forged heading &lt;script&gt;" in md
    assert "<script>" not in page and "&lt;script&gt;" in page
    words = " ".join(_texts(_read(ps.docx())))
    for out in (md, page, words):
        assert "0101011237" not in out


def test_docx_without_python_docx_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "docx", None)
    ps = qifeval.position_statement_document(_example())
    with pytest.raises(qifeval.MissingDependencyError) as info:
        ps.docx()
    assert info.value.extra == "docx" and "qifeval[docx]" in str(info.value)


def test_cli_writes_the_docx_and_follows_the_suffix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "evaluation.json"
    qifeval.dump_evaluation(_example(None), saved)
    out = tmp_path / "ps.docx"
    args = ["report", str(saved), "--format", "position-statement", "--profile", CARH]
    assert main([*args, "-o", str(out)]) == 0
    heads = _headings(_read(out.read_bytes()))
    assert [t.split(". ", 1)[0] for level, t in heads if level == 2][1:5] == [
        "S1",
        "S2",
        "S3",
        "S4",
    ]
    before = out.read_bytes()
    assert main([*args, "-o", str(out)]) == 1  # never overwritten unasked
    assert out.read_bytes() == before
    assert main([*args, "-o", str(tmp_path / "ps.html")]) == 0
    assert (tmp_path / "ps.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main([*args, "--to", "markdown", "-o", str(tmp_path / "x.docx")]) == 1
    assert "does not match" in capsys.readouterr().err
    assert main([*args, "--to", "docx"]) == 1
    assert "needs an output file" in capsys.readouterr().err
    assert main(args) == 0
    assert "### How do we know?" in capsys.readouterr().out


SENTENCES = st.sampled_from(
    [
        "most records had a chronology.",
        "staff said they were supported;",
        "the plan was agreed..",
        "Young people said they felt safe",
        "The audit found gaps.;",
    ]
)


@given(
    st.lists(
        st.tuples(
            st.sampled_from([qi.id for qi in FW.indicators]),
            SENTENCES,
            st.sampled_from(["strength", "weakness"]),
            st.sampled_from(["minor", "important", "major"]),
        ),
        max_size=12,
    ),
    st.sampled_from([None, CARH, "joint-2018"]),
)
def test_every_claim_has_evidence_and_no_doubled_punctuation(
    items: list[tuple[str, str, str, str]], profile: str | None
) -> None:
    ev = qifeval.EvidenceSet(
        partnership="P",
        framework="qif-2018",
        findings=[
            _finding(f"F{i}", qi=qi, statement=s, valence=v, weight=w)
            for i, (qi, s, v, w) in enumerate(items)
        ],
    )
    e = qifeval.evaluate(ev, FW, engine="python", profile=profile)
    ps = qifeval.position_statement_document(e)
    md = ps.markdown()
    assert ".;" not in md and ".." not in md
    assert ps.words == len(md.split()) <= ps.limit
    for c in ps.claims:
        # A claim without references says that there is no evidence.
        assert c.refs or "no evidence" in c.text, c
    if profile is not None:
        # Every finding evidences at least one statement of these profiles.
        statements = qifeval.apply_profile(e).statements
        assert {fid for s in statements for fid in s.findings} == {f.id for f in ev.findings}


def test_many_findings_are_cited_by_count_and_shortened_to_the_limit() -> None:
    ev = qifeval.EvidenceSet(
        partnership="P",
        framework="qif-2018",
        findings=[
            _finding(f"F{i}", qi="2.1", statement=f"finding {i} about impact on children")
            for i in range(400)
        ],
    )
    e = qifeval.evaluate(ev, FW, engine="python", profile=CARH)
    ps = qifeval.position_statement_document(e)
    assert ps.words <= 5000 and ps.shortened
    grade = next(c for c in ps.claims if "2.1 Impact on children" in c.text)
    assert grade.refs[-1] == "and 392 more" and len(grade.refs) == 9
    s2 = ps.sections[1]
    assert 0 < len(s2.first[1]) < 400 and len(s2.evidence) == len(s2.first[1])
