"""The report model: one redacted view of an evaluation that every renderer
reads; the template environment and its escaping; the renderers' registry."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import attrs
import markupsafe
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qifeval
from qifeval import EvidenceSet, Finding, Grade
from qifeval._cli import _parser
from qifeval.evaluation._compare import benchmark_national
from qifeval.reports import RENDERERS, ReportModel, build_report
from qifeval.reports._html import national_bars, render_html
from qifeval.reports._jinja import environment, markdown_escape, render_string
from qifeval.reports._json import indented_json, render_json
from qifeval.reports._markdown import render_markdown

from .strategies import QIF_2018, evidence_sets
from .test_report_safety import FIELDS, MARKDOWN_FIELDS, NO_GUARD, benign, evaluation

# --- Redaction happens in the model, and only there -------------------------------

SURNAME = "Zyxwvut"
GUARD = qifeval.PersonalDataGuard(extra_names=(SURNAME,))
# Text from the framework and the rule set is not user text about children
# and families; everything else a user writes is.
USER_FIELDS = [f for f in FIELDS if f not in ("rule_name", "rule_reason", "title_5.2")]

RENDER_ALL: dict[str, Callable[[qifeval.Evaluation], str]] = {
    **{name: (lambda e, r=r: r(e, guard=GUARD)) for name, r in RENDERERS.items()},
    "position": lambda e: qifeval.position_statement(e, guard=GUARD).text,
    "json-dict": lambda e: json.dumps(qifeval.json_report(e, guard=GUARD), ensure_ascii=False),
}

around = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=25)
@given(
    fields=st.lists(st.sampled_from(USER_FIELDS), min_size=1, max_size=4, unique=True),
    before=around,
    after=around,
    case=st.sampled_from([str, str.upper, str.lower]),
)
def test_personal_data_never_reaches_a_report(
    fields: list[str], before: str, after: str, case: Callable[[str], str]
) -> None:
    texts = benign()
    for key in fields:
        texts[key] = f"{before} {case(SURNAME)} {after}"
    e = evaluation(texts)
    for name, render in RENDER_ALL.items():
        out = render(e)
        assert SURNAME.lower() not in out.lower(), (name, fields)
        if name in ("markdown", "html") and set(fields) <= set(MARKDOWN_FIELDS):
            # these two show every such field: the redaction shows in its place
            assert "redacted name" in out, (name, fields)


def _strings(value: object) -> list[str]:
    """Every string held anywhere in a model object."""
    if isinstance(value, str):
        return [value]
    if attrs.has(type(value)):
        return [s for a in attrs.fields(type(value)) for s in _strings(getattr(value, a.name))]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def test_the_model_holds_no_flagged_text() -> None:
    texts = benign()
    for key in USER_FIELDS:
        texts[key] = f"seen by {SURNAME} today"
    model = build_report(evaluation(texts), guard=GUARD)
    held = _strings(model)
    assert held and not [s for s in held if SURNAME in s]
    assert sum("[redacted name]" in s for s in held) >= len(USER_FIELDS)


def test_renderers_never_redact(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = benign()
    texts["f0.statement"] = f"met {SURNAME}"
    model = build_report(evaluation(texts), guard=GUARD)
    calls = 0

    def counted(self: qifeval.PersonalDataGuard, text: str, *args: object) -> str:
        nonlocal calls
        calls += 1
        return text

    monkeypatch.setattr(qifeval.PersonalDataGuard, "redact", counted)
    monkeypatch.setattr(qifeval.PersonalDataGuard, "scan", lambda *a, **k: pytest.fail("scan"))
    outputs = [
        render_markdown(model),
        render_html(model),
        json.dumps(render_json(model)),
    ]
    assert calls == 0
    shown = [out for out in outputs if "redacted name" in out]
    assert len(shown) == 2  # the JSON report lists findings by id only
    assert not [out for out in outputs if SURNAME in out]


# --- The model's content ------------------------------------------------------------


def _example() -> qifeval.Evaluation:
    from pathlib import Path

    examples = Path(__file__).resolve().parents[1] / "examples"
    before = qifeval.evaluate(qifeval.load_findings(examples / "findings-2024.toml"))
    return qifeval.evaluate(
        qifeval.load_findings(examples / "findings.toml"),
        previous=before,
        plan=qifeval.load_plan(examples / "plan-2024.toml"),
        independent=qifeval.load_independent(examples / "independent-2026.toml"),
        guard=NO_GUARD,
    )


@pytest.fixture(scope="module")
def example() -> qifeval.Evaluation:
    return _example()


def test_indicators_are_grouped_by_question_and_key_area(example: qifeval.Evaluation) -> None:
    model = build_report(example)
    grouped = [i.qi for q in model.questions for ka in q.key_areas for i in ka.indicators]
    assert grouped == [r.qi for r in example.results]
    for q in model.questions:
        assert q.text == QIF_2018.questions[q.number - 1].text
        for ka in q.key_areas:
            assert QIF_2018.key_area(ka.number).question == q.number
            assert all(QIF_2018.indicator(i.qi).key_area == ka.number for i in ka.indicators)


def test_columns_trend_and_national_spread(example: qifeval.Evaluation) -> None:
    model = build_report(example)
    assert [c.role for c in model.columns] == ["this", "previous", "independent"]
    assert example.capacity.trend is not None
    previous = {c.qi: c.previous for c in example.capacity.trend.changes}
    match = example.independent_match
    assert match is not None
    independent = {i.qi: i.independent for i in match.indicators}
    national = {n.qi: n for n in benchmark_national(example)}
    for i in model.indicators:
        assert i.grades == (example.grades[i.qi], previous.get(i.qi), independent.get(i.qi))
        assert i.trend is not None and i.trend.previous == previous.get(i.qi)
        now, before = example.grades[i.qi], previous.get(i.qi)
        if now is not None and before is not None:
            word = "up" if now > before else "down" if now < before else "same"
            assert i.trend.direction == word and i.trend.symbol and i.trend.text
        else:
            assert i.trend.direction == "none"
        assert (i.national is None) == (i.qi not in national)
        if i.national is not None:
            pos = national[i.qi].position
            assert i.national.grade == pos.grade and i.national.areas == pos.areas
            assert f"{pos.higher} graded higher" in i.national.position
    assert any(i.trend and i.trend.direction == "up" for i in model.indicators)
    assert sum(i.national is not None for i in model.indicators) >= 5


def test_without_a_previous_evaluation_there_is_no_trend() -> None:
    e = _example()
    e = attrs.evolve(
        e, previous=None, independent=None, capacity=attrs.evolve(e.capacity, trend=None)
    )
    model = build_report(e)
    assert [c.role for c in model.columns] == ["this"]
    assert all(i.trend is None and len(i.grades) == 1 for i in model.indicators)
    assert "Trend" not in render_html(model)


@given(st.data())
def test_national_bars_mark_the_grade(data: st.DataObject) -> None:
    example = _EXAMPLE
    model = build_report(example)
    charted = [i.national for i in model.indicators if i.national is not None]
    n = data.draw(st.sampled_from(charted))
    grade = data.draw(st.sampled_from(list(Grade)))
    bars = national_bars(attrs.evolve(n, grade=grade))
    assert [b.grade for b in bars] == [1, 2, 3, 4, 5, 6]
    assert [b.grade for b in bars if b.marked] == [int(grade)]
    counts = dict(n.counts)
    for a in bars:
        assert a.count == counts[Grade(a.grade)]
        for b in bars:
            if a.count is not None and b.count is not None and a.count > b.count:
                assert a.height >= b.height
        assert (a.height == 0) == (not a.count)


_EXAMPLE = _example()


# --- Linear time ----------------------------------------------------------------------


@pytest.mark.parametrize("n", [100, 400])
def test_each_finding_is_written_once(n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    qis = [qi.id for qi in QIF_2018.indicators]
    ev = EvidenceSet(
        partnership="P",
        findings=[
            Finding(
                id=f"F{i}",
                qi=qis[i % len(qis)],
                statement=f"point {i}",
                valence="strength" if i % 3 else "weakness",
                weight="important",
                source=list(qifeval.SourceKind)[i % len(qifeval.SourceKind)],
                critical=i % 3 == 0 and i % 7 == 0,
            )
            for i in range(n)
        ],
    )
    e = qifeval.evaluate(ev, QIF_2018, guard=NO_GUARD)
    calls = 0
    quantified = Finding.quantified

    def counted(self: Finding) -> str:
        nonlocal calls
        calls += 1
        return quantified(self)

    monkeypatch.setattr(Finding, "quantified", counted)
    model = build_report(e, guard=NO_GUARD)
    assert calls == n
    assert sum(len(i.findings) for i in model.indicators) == n


# --- Templates and escaping ------------------------------------------------------------


def test_one_environment() -> None:
    assert environment() is environment()
    assert environment().loader is not None
    assert {"report/report.md.j2", "report/report.html.j2"} <= set(environment().list_templates())


HOSTILE = [
    "<script>alert(1)</script>",
    "{{ 7 * 7 }}",
    "{% if true %}x{% endif %}",
    "# heading",
    "| a | b |",
    "[link](javascript:alert(1))",
    "*emphasis* _under_ `code`",
    '" onmouseover="alert(1)',
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_templates_escape_user_text(payload: str) -> None:
    html = render_string("t.html.j2", '<p title="{{ v }}">{{ v }}</p>', v=payload)
    assert html.count("<") == 2 and html.count(">") == 2
    assert html.count('"') == 2 and "49" not in html
    md = render_string("t.md.j2", "- {{ v }}", v=payload)
    assert md == "- " + markdown_escape(payload)
    assert "49" not in md


@pytest.mark.parametrize("payload", HOSTILE)
def test_reports_show_hostile_text_as_text(payload: str) -> None:
    texts = benign()
    texts["f0.statement"] = payload
    texts["partnership"] = payload
    model = build_report(evaluation(texts), guard=NO_GUARD)
    html = render_html(model)
    assert "<script" not in html and 'onmouseover="' not in html
    assert str(markupsafe.escape(payload)) in html  # shown as written, never run
    md = render_markdown(model)
    assert markdown_escape(payload) in md


# --- The registry ---------------------------------------------------------------------------


def test_format_choices_are_the_registry() -> None:
    parser = _parser()
    sub = next(a for a in parser._actions if a.choices and "evaluate" in a.choices)
    evaluate = sub.choices["evaluate"]
    [fmt] = [a for a in evaluate._actions if "--format" in a.option_strings]
    assert set(fmt.choices) == set(RENDERERS)


def test_every_renderer_takes_an_evaluation_and_a_guard() -> None:
    e = _EXAMPLE
    for name, render in RENDERERS.items():
        out = render(e, guard=NO_GUARD)
        assert isinstance(out, str) and out.endswith("\n"), name


@given(evidence_sets(max_size=12))
def test_every_report_is_rendered_from_the_same_model(ev: EvidenceSet) -> None:
    e = qifeval.evaluate(ev, QIF_2018, guard=NO_GUARD)
    model = build_report(e, guard=NO_GUARD)
    assert isinstance(model, ReportModel)
    assert qifeval.markdown_report(e, guard=NO_GUARD) == render_markdown(model)
    assert qifeval.html_report(e, guard=NO_GUARD) == render_html(model)
    assert qifeval.json_report(e, guard=NO_GUARD) == render_json(model)
    rows = re.findall(r'<tr role="row" class="indicator" id="row-([^"]+)"', render_html(model))
    assert rows == [r.qi for r in e.results]


def test_other_evaluations_to_compare_are_further_columns() -> None:
    e = _EXAMPLE
    other = qifeval.evaluate(
        EvidenceSet(partnership="Elsewhere", title="Neighbour 2026", findings=[]), QIF_2018
    )
    model = build_report(e, compare=[other])
    assert [c.role for c in model.columns][-1] == "compare"
    assert model.columns[-1].label == other.label()
    assert all(len(i.grades) == len(model.columns) for i in model.indicators)
    page = qifeval.html_report(e, compare=[other], guard=NO_GUARD)
    first_row = page[page.index('<tr role="row" class="indicator"') :].split("</tr>")[0]
    # the indicator, one cell per column, the trend and the national chart
    assert first_row.count('role="cell"') == len(model.columns) + 2


def test_a_framework_from_a_file_gives_one_group_or_its_own() -> None:
    from pathlib import Path

    docs = Path(__file__).resolve().parents[1] / "docs" / "examples"
    fw = qifeval.load_framework(docs / "framework.toml")
    qi = fw.indicators[0].id
    ev = EvidenceSet(
        partnership="P",
        framework=fw.id,
        findings=[
            Finding(
                id="F1",
                qi=qi,
                statement="most plans are up to date",
                valence="strength",
                weight="important",
                source="practice",
            )
        ],
    )
    e = qifeval.evaluate(ev, fw, guard=NO_GUARD)
    untitled = build_report(e, guard=NO_GUARD)
    assert [len(q.key_areas) for q in untitled.questions] == [1]
    assert untitled.questions[0].text == "" and untitled.questions[0].key_areas[0].title == ""
    titled = build_report(e, guard=NO_GUARD, framework=fw)
    assert [q.text for q in titled.questions] == [
        q.text for q in fw.questions if fw.key_areas_of(q)
    ]
    grouped = [i.qi for q in titled.questions for ka in q.key_areas for i in ka.indicators]
    assert grouped == [r.qi for r in e.results]
    assert "Quality indicators" in render_html(untitled)


@pytest.mark.parametrize("profile", ["children-at-risk-of-harm-2021", "joint-2018"])
def test_an_evaluation_made_for_a_profile_is_grouped_by_its_statements(profile: str) -> None:
    e = qifeval.evaluate(qifeval.load_findings("examples/findings.toml"), profile=profile)
    p = qifeval.inspection_profile(profile)
    groups = build_report(e).questions
    shown = [i.qi for g in groups for ka in g.key_areas for i in ka.indicators]
    # every indicator once, under the first statement that links it
    assert sorted(shown) == sorted(r.qi for r in e.results) and len(set(shown)) == len(shown)
    texts = {q.text: q for q in p.questions}
    for g in groups:
        q = texts.get(g.text)
        if q is None:
            assert g.text.startswith("Not linked to a statement")
            assert all(
                not any(i.qi in q.indicators for q in p.questions)
                for i in g.key_areas[0].indicators
            )
        else:
            assert all(i.qi in q.indicators for i in g.key_areas[0].indicators)
    html = render_html(build_report(e))
    assert p.questions[0].text in html


def test_without_a_profile_the_grid_follows_the_framework_questions() -> None:
    e = qifeval.evaluate(qifeval.load_findings("examples/findings.toml"))
    # QI 10, capacity, has its own section
    assert [g.text for g in build_report(e).questions] == [q.text for q in QIF_2018.questions][:-1]


@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
    | st.text(" \t\n\r\x85\u2028a*_#-1.<&[\\", max_size=20)
)
def test_markdown_escape_equals_its_plain_definition(text: str) -> None:
    """The escape's shortcuts (no folding of printable text without a run
    of spaces; both tables in one pass; in printable text, only the
    characters that change replaced) change nothing."""
    from qifeval.reports import _jinja

    plain = (
        _jinja._MD_BREAKS.sub(" ", text).translate(_jinja._CONTROLS).translate(_jinja._MD_INLINE)
    )
    m = _jinja._MD_LEADING.match(plain)
    if m is not None:
        marker = f"\\{m[2]}" if m[2] else f"{m[3]}\\{m[4]}"
        plain = m[1] + marker + plain[m.end() :]
    assert markdown_escape(text) == plain


# --- Shortcuts for long reports write what the plain way writes ------------------

loop_values = st.lists(
    st.none()
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=20)
    | st.text(" \t\n\x0b\x85-1.*<&'\"", max_size=12)
    | st.builds(markupsafe.Markup, st.sampled_from(["<b>x</b>", "&amp;", "*"]))
    | st.integers(),
    min_size=1,
    max_size=6,
)


@given(values=loop_values, name=st.sampled_from(["x.html.j2", "x.svg.j2", "x.md.j2", "x.txt"]))
def test_each_line_writes_what_a_loop_writes(values: list[object], name: str) -> None:
    loop = render_string(
        name, "{% for v in values %}\n<li>{{ v }}</li>\n{% endfor %}", values=values
    )
    each = render_string(name, '{{ values|each_line("<li>", "</li>") }}\n', values=values)
    assert each == loop


@given(values=loop_values, name=st.sampled_from(["x.html.j2", "x.md.j2"]))
def test_each_line_writes_an_attribute_as_a_loop_does(values: list[object], name: str) -> None:
    @attrs.frozen
    class Item:
        line: object

    items = [Item(v) for v in values]
    loop = render_string(name, "{% for i in items %}\n- {{ i.line }}\n{% endfor %}", items=items)
    each = render_string(name, '{{ items|each_line("- ", attribute="line") }}\n', items=items)
    assert each == loop


# Texts alone, as the reports' long lists hold: mostly printable, so that
# the whole list is escaped at once, with line starts, specials, runs of
# spaces, non-ASCII and the odd control character or line break.
line_texts = st.lists(
    st.text(" -+=0123456789.)#*[]\\&<>`_|~!{}ab\u00e9\u2019", max_size=12)
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
    | st.sampled_from(["", " ", "\n", "a\tb", "\x85", "x\u2028y"]),
    min_size=1,
    max_size=8,
)


@given(values=line_texts, name=st.sampled_from(["x.html.j2", "x.svg.j2", "x.md.j2", "x.txt"]))
def test_each_line_of_texts_writes_what_a_loop_writes(values: list[str], name: str) -> None:
    loop = render_string(
        name, "{% for v in values %}\n<li>{{ v }}</li>\n{% endfor %}", values=values
    )
    each = render_string(name, '{{ values|each_line("<li>", "</li>") }}\n', values=values)
    assert each == loop


@given(
    values=st.lists(
        st.text(" ,<&'\"\x00\n*ab\u00e9", max_size=6)
        | st.builds(markupsafe.Markup, st.sampled_from(["<b>x</b>", "&amp;"]))
        | st.integers()
        | st.none(),
        max_size=6,
    ),
    container=st.sampled_from([list, tuple]),
    sep=st.sampled_from(["", ", ", " <&> ", markupsafe.Markup("<br>")]),
    autoescape=st.booleans(),
)
def test_join_joins_as_jinjas_join_does(
    values: list[object], container: type, sep: str, autoescape: bool
) -> None:
    from jinja2.filters import sync_do_join
    from jinja2.nodes import EvalContext

    from qifeval.reports._jinja import _join

    ctx = EvalContext(environment())
    ctx.autoescape = autoescape
    ours = _join(ctx, container(values), sep)
    theirs = sync_do_join(ctx, container(values), sep)
    assert ours == theirs
    assert type(ours) is type(theirs)


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=8)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.dictionaries(st.text(max_size=4), inner, max_size=4)
        | st.dictionaries(st.integers() | st.none() | st.booleans(), inner, max_size=2)
    ),
    max_leaves=20,
)


@given(json_values)
def test_indented_json_writes_what_json_dumps_writes(value: object) -> None:
    assert indented_json(value) == json.dumps(value, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("value", [{"a": [1, {2, 3}]}, [object()], {(1, 2): "tuple key"}])
def test_indented_json_refuses_what_json_dumps_refuses(value: object) -> None:
    with pytest.raises(TypeError) as expected:
        json.dumps(value, indent=2, ensure_ascii=False)
    with pytest.raises(TypeError) as refused:
        indented_json(value)
    assert str(refused.value) == str(expected.value)


def _plain_line(f: Finding) -> str:
    """A finding's line in the report, written out plainly (without a guard
    that flags anything)."""
    text = f.quantified()
    sentence = text[:1].upper() + text[1:]
    source = f.source.label + (f", {f.source_detail}" if f.source_detail else "")
    flags = [
        x
        for x, on in (
            ("critical", f.critical),
            ("sustained", f.sustained),
            ("sector leading", f.sector_leading),
        )
        if on
    ]
    extra = f"; {', '.join(flags)}" if flags else ""
    figures = f.described()
    if figures is not None:
        extra += f"; {figures}"
    return f"{sentence} ({f.id}; {f.weight.value}; {source}{extra})"


@settings(max_examples=30)
@given(
    evidence=evidence_sets(min_size=1, max_size=12),
    figures=st.lists(
        st.tuples(
            st.sampled_from([None, 0.0, 0.1, 0.49, 0.5, 0.8, 1.0]), st.none() | st.integers(1, 60)
        ),
        min_size=12,
        max_size=12,
    ),
)
def test_each_finding_line_is_its_plain_line(
    evidence: EvidenceSet, figures: list[tuple[float | None, int | None]]
) -> None:
    """Findings that share a proportion and a sample (whose figures the
    model works out once) each read as they would alone."""
    findings = [
        attrs.evolve(f, proportion=p, sample=n)
        for f, (p, n) in zip(evidence.findings, figures, strict=False)
    ]
    e = qifeval.evaluate(attrs.evolve(evidence, findings=findings), guard=NO_GUARD)
    model = build_report(e, guard=NO_GUARD)
    lines = {v.id: v.line for i in model.indicators for v in (*i.strengths, *i.weaknesses)}
    assert lines == {f.id: _plain_line(f) for f in findings}


@settings(max_examples=20)
@given(evidence=evidence_sets(max_size=12))
def test_the_json_report_is_the_same_without_the_findings_set_out(evidence: EvidenceSet) -> None:
    e = qifeval.evaluate(evidence, guard=NO_GUARD)
    model = build_report(e, guard=GUARD, findings=False)
    assert render_json(model) == render_json(build_report(e, guard=GUARD))
    assert all(not i.strengths and not i.weaknesses for i in model.indicators)
