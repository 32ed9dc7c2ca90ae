import json
import tomllib
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

import qifeval
from qifeval import EvidenceSet, Finding, Grade
from qifeval.evaluation._document import evaluation_from_dict, evaluation_to_dict

from .strategies import QIF_2018, assert_same_types, contexts, evidence_sets

FW = QIF_2018


@st.composite
def evaluations(draw):
    ev = draw(evidence_sets(max_size=20))
    ev = ev.with_context(draw(contexts()))
    previous = None
    if draw(st.booleans()):
        previous = qifeval.evaluate(draw(evidence_sets(max_size=10)), FW)
    e = qifeval.evaluate(ev, FW, previous=previous)
    for qi in draw(st.lists(st.sampled_from([r.qi for r in e.results]), max_size=3, unique=True)):
        grade = draw(st.sampled_from(Grade))
        e = e.override(
            qi,
            grade,
            role="Lead officer",
            rationale="Agreed at the review meeting",
            date=draw(st.dates()),
        )
    return e


@given(evaluations())
def test_json_round_trip_of_whole_evaluations(e) -> None:
    loaded = evaluation_from_dict(json.loads(qifeval.dump_evaluation(e, fmt="json")))
    assert loaded == e
    assert_same_types(loaded, e)


@given(evaluations())
def test_toml_round_trip_of_whole_evaluations(e) -> None:
    loaded = evaluation_from_dict(tomllib.loads(qifeval.dump_evaluation(e, fmt="toml")))
    assert loaded == e
    assert_same_types(loaded, e)


def _example() -> qifeval.Evaluation:
    def f(i, qi, v="strength", w="important", s="practice"):
        return Finding(
            id=i,
            qi=qi,
            statement=f"records read showed {i}",
            valence=v,
            weight=w,
            source=s,
            proportion=0.8,
        )

    ev = EvidenceSet(
        partnership="Example partnership",
        title="Self-evaluation",
        findings=[
            f("A", "5.2", w="major"),
            f("B", "5.2", s="performance_data"),
            f("C", "5.2", s="stakeholder_views"),
            f("D", "2.1", v="weakness"),
            f("E", "9.4"),
            f("G", "1.1", s="documentation"),
        ],
    )
    return qifeval.evaluate(ev, FW).confirm("5.2", role="Chair")


def test_file_round_trip_and_refusals(tmp_path) -> None:
    e = _example()
    for name in ("e.json", "e.toml"):
        qifeval.dump_evaluation(e, tmp_path / name)
        assert qifeval.load_evaluation(tmp_path / name) == e
    raw = evaluation_to_dict(e)
    for key, value, message in [
        ("schema_version", 2, "written by a newer qifeval"),
        ("schema_version", 0, "no migration exists"),
        ("kind", "something", "not a saved qifeval evaluation"),
        ("framework_version", "3", "version '3'"),
        ("framework", "qif-2099", "not bundled"),
    ]:
        bad = {**raw, key: value}
        p = tmp_path / "bad.json"
        p.write_text(json.dumps(bad), encoding="utf-8")
        with pytest.raises(qifeval.InputError, match=message) as info:
            qifeval.load_evaluation(p)
        assert info.value.path == key and info.value.file == str(p)


def test_saving_is_atomic(tmp_path, monkeypatch) -> None:
    e = _example()
    target = tmp_path / "e.json"
    target.write_text("previous content", encoding="utf-8")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", boom)
    with pytest.raises(OSError):
        qifeval.dump_evaluation(e, target)
    assert target.read_text(encoding="utf-8") == "previous content"
    assert [p.name for p in tmp_path.iterdir()] == ["e.json"]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.ids: set[str] = set()
        self.text: list[str] = []
        self.errors: list[str] = []

    VOID = frozenset({"meta", "br", "img", "link", "input", "hr"})

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)
        self.ids.update(v for k, v in attrs if k == "id")

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def test_html_report_parses_and_contains_every_graded_indicator() -> None:
    e = _example()
    page = qifeval.html_report(e)
    parser = _Collector()
    parser.feed(page)
    parser.close()
    assert parser.errors == [] and parser.stack == []
    text = " ".join(parser.text)
    for r in e.results:
        assert f"qi-{r.qi}" in parser.ids
        if r.suggested_grade is not None:
            assert f"{int(r.suggested_grade)} {r.suggested_grade.label}" in text
    assert "Capacity for improvement" in text
    assert "<script" not in page


def test_html_escapes_user_text() -> None:
    ev = EvidenceSet(
        partnership="<b>P</b> & Co",
        findings=[
            Finding(
                id="A",
                qi="5.2",
                statement="<script>alert(1)</script>",
                valence="strength",
                weight="minor",
                source="practice",
            )
        ],
    )
    page = qifeval.html_report(qifeval.evaluate(ev, FW))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;P&lt;/b&gt; &amp; Co" in page


def test_markdown_report_is_stable() -> None:
    a = qifeval.markdown_report(_example())
    b = qifeval.markdown_report(_example())
    assert a == b
    assert (
        "| 5.2 | Assessing risk and need | 5 Very good | 5 Very good (confirmed) | triangulated |"
        in a
    )
    assert "Most records read showed A (A; major; practice; most (80%))" in a
    assert "Suggested grade: no grade. An outcome indicator evidenced only by documentation" in a


def test_json_report_is_the_documented_shape() -> None:
    r = qifeval.json_report(_example())
    assert r["format"] == "qifeval-report" and r["format_version"] == 1
    by_qi = {x["qi"]: x for x in r["indicators"]}
    assert len(by_qi) == 22
    assert by_qi["5.2"]["suggested_grade"] == 5 and by_qi["5.2"]["grade"] == 5
    assert by_qi["9.4"]["grade"] is None
    assert by_qi["1.1"]["suggested_grade"] is None
    assert by_qi["5.2"]["triangulation"]["status"] == "triangulated"
    assert {"name", "reason", "evidence", "decisive"} <= set(by_qi["5.2"]["rules_fired"][0])
    assert set(r["capacity"]) >= {
        "grade",
        "confidence",
        "levers",
        "barriers",
        "evidence_gaps",
        "statement",
    }
    json.dumps(r)


def test_reports_never_print_flagged_personal_data() -> None:
    ev = EvidenceSet(
        partnership="P",
        findings=[
            Finding(
                id="A",
                qi="5.2",
                statement="Mrs Jones said the plan helped; contact jo@example.org",
                valence="strength",
                weight="minor",
                source="stakeholder_views",
            )
        ],
    )
    with pytest.warns(qifeval.PersonalDataWarning, match="findings\\[0\\].statement"):
        e = qifeval.evaluate(ev, FW)
    for text in (
        qifeval.markdown_report(e),
        qifeval.html_report(e),
        json.dumps(qifeval.json_report(e)),
        qifeval.position_statement(e).text,
    ):
        assert "jo@example.org" not in text and "Jones" not in text
    with pytest.raises(qifeval.PersonalDataError) as info:
        qifeval.evaluate(ev, FW, strict=True)
    assert "jo@example.org" not in str(info.value) and "an e-mail address" in str(info.value)


def test_position_statement_sections_and_word_limit() -> None:
    ps = qifeval.position_statement(_example())
    for q in ("How good are we now?", "How do we know?", "What do we plan to do next?"):
        assert f"### {q}" in ps.text
    assert not ps.over_limit and ps.words <= 5000
    short = qifeval.position_statement(_example(), limit=200)
    # it lists fewer findings, says so, and says it is still too long
    assert short.over_limit and "findings are left out" in short.text
    assert "more than the 200 allowed" in short.text


def test_compare_across_frameworks_and_benchmark() -> None:
    old = qifeval.evaluate(
        EvidenceSet(
            partnership="P",
            framework="qif-2014",
            findings=[
                Finding(
                    id="A",
                    qi="8.3",
                    statement="self-evaluation is patchy",
                    valence="weakness",
                    weight="important",
                    source="documentation",
                ),
                Finding(
                    id="B",
                    qi="5.2",
                    statement="risk assessments late",
                    valence="weakness",
                    weight="important",
                    source="practice",
                ),
            ],
        )
    )
    new = qifeval.evaluate(
        EvidenceSet(
            partnership="P",
            findings=[
                Finding(
                    id="X",
                    qi="6.5",
                    statement="self-evaluation is embedded",
                    valence="strength",
                    weight="important",
                    source="practice",
                ),
                Finding(
                    id="Y",
                    qi="5.2",
                    statement="Risk assessments  LATE",
                    valence="weakness",
                    weight="important",
                    source="practice",
                ),
                Finding(
                    id="Z",
                    qi="5.2",
                    statement="no chronology",
                    valence="weakness",
                    weight="minor",
                    source="practice",
                ),
            ],
        ),
        FW,
    )
    d = qifeval.compare_evaluations(old, new)
    by_qi = {i.qi: i for i in d.indicators}
    assert by_qi["6.5"].before_qi == "8.3"
    assert by_qi["6.5"].direction is qifeval.Direction.UP
    assert by_qi["6.5"].resolved_weaknesses == ("A",)
    assert by_qi["5.2"].new_weaknesses == ("Z",) and by_qi["5.2"].resolved_weaknesses == ()
    assert "6.5" in d.moved("up")
    bench = {c.qi: c for c in qifeval.benchmark_national(new)}
    assert set(bench) <= {"1.1", "2.1", "2.2", "5.1", "5.2", "5.3", "6.2", "6.3", "9.4"}
    assert bench["5.2"].national_qi == "5.2"
    assert bench["5.2"].position.areas == 12


def test_reports_redact_with_the_guard_given() -> None:
    guard = qifeval.PersonalDataGuard(extra_names=["Rowan"])
    ev = EvidenceSet(
        partnership="P",
        findings=[
            Finding(
                id="A",
                qi="5.2",
                statement="Rowan's plan was reviewed on time.",
                valence="strength",
                weight="minor",
                source="practice",
            )
        ],
    )
    with pytest.warns(qifeval.PersonalDataWarning):
        e = qifeval.evaluate(ev, FW, guard=guard)
    assert "Rowan" in qifeval.markdown_report(e)  # the default guard knows no such name
    for text in (
        qifeval.markdown_report(e, guard=guard),
        qifeval.html_report(e, guard=guard),
        json.dumps(qifeval.json_report(e, guard=guard)),
        qifeval.position_statement(e, guard=guard).text,
    ):
        assert "Rowan" not in text
