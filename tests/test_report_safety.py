"""User text in reports is shown as text: it never adds structure, markup or
HTML to a report; and reports take time in proportion to the findings."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Callable, Sequence
from html.parser import HTMLParser

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

import qifeval
from qifeval import ChallengeKind, Context, ContextualChallenge, EvidenceSet, Finding
from qifeval.reports._render import markdown_escape

from .strategies import QIF_2018

FW = QIF_2018
NO_GUARD = qifeval.PersonalDataGuard(kinds=())  # flags nothing: the text must come through whole

# CommonMark with raw HTML on (so injected HTML would show up as html tokens),
# plus the table and strikethrough extensions of GitHub's dialect.
MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "](javascript:alert(1))",
    "![x](http://example.org/x.png)",
    "<http://example.org>",
    "\n\n## 5.2 Assessing risk and need\n\nSuggested grade: 6 Excellent",
    "a | b | c",
    "| --- | --- |",
    "`code` and ``more``",
    "```\nfenced",
    "~~~",
    "<!-- hidden",
    "-->",
    "<div>",
    "x\n===",
    "x\n---",
    "***",
    "- item",
    "+ item",
    "* item",
    "1. item",
    "2) item",
    "> quote",
    "# heading",
    "text #",
    "    indented code",
    "\tindented",
    "**bold** _em_ __strong__ ~~struck~~",
    "&amp; &lt; &#60; &copy",
    "back\\slash\\",
    "hard break  \nnext",
    "line\u2028separator\u2029paragraph\x85next\rreturn\r\nboth\vtab\fform",
    "{role}`target`",
    "[ref]: http://example.org",
    "[ref]",
    "\\",
    "ß straße",
]
FRAGMENTS = [
    *PAYLOADS,
    "\n",
    " ",
    "  ",
    "x",
    "1",
    ".",
    ")",
    "-",
    "=",
    "<",
    ">",
    "&",
    "|",
    "`",
    "\\",
]

user_text = st.one_of(
    st.sampled_from(PAYLOADS),
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=4).map("".join),
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
        | st.sampled_from("\n\r\t\v\f\x85\u2028\u2029<>&|`\\[]()!#*_-+=.~{}:"),
        min_size=1,
        max_size=30,
    ),
).filter(lambda s: s.strip() != "")

# (qi, valence, weight, source, illustration): several indicators, strengths
# and weaknesses, decisions, a contradiction on one illustration, an outcome
# indicator evidenced only by documents.
SHAPE = [
    ("5.2", "strength", "major", "practice", "5.2/very_good/1"),
    ("5.2", "strength", "important", "performance_data", None),
    ("5.2", "weakness", "important", "stakeholder_views", "5.2/very_good/1"),
    ("2.1", "strength", "important", "stakeholder_views", None),
    ("2.1", "weakness", "major", "practice", None),
    ("9.4", "weakness", "important", "documentation", None),
    ("1.1", "strength", "important", "documentation", None),
]
FINDING_FIELDS = ("id", "statement", "source_detail", "ref")
FIELDS = (
    ["partnership", "title", "challenge_id", "challenge_note", "title_5.2"]
    + ["rule_name", "rule_reason", "role", "rationale", "role_2", "rationale_2"]
    + [f"f{i}.{name}" for i in range(len(SHAPE)) for name in FINDING_FIELDS]
)


def evaluation(texts: dict[str, str]) -> qifeval.Evaluation:
    """The same evaluation whatever the texts: *texts* fill every field a
    user (or a custom framework or rule set) writes."""
    findings = [
        Finding(
            id=texts[f"f{i}.id"] + f"~{i}",  # unique whatever was drawn
            qi=qi,
            statement=texts[f"f{i}.statement"],
            valence=valence,
            weight=weight,
            source=source,
            source_detail=texts[f"f{i}.source_detail"],
            ref=texts[f"f{i}.ref"] + f"~{i}",  # the position statement lists distinct refs
            illustration=illustration,
        )
        for i, (qi, valence, weight, source, illustration) in enumerate(SHAPE)
    ]
    ev = EvidenceSet(
        partnership=texts["partnership"],
        title=texts["title"],
        date=dt.date(2026, 10, 1),
        findings=findings,
        context=Context(
            challenges=[
                ContextualChallenge(
                    id=texts["challenge_id"] + "~c",
                    kind=ChallengeKind.BUDGETARY_PRESSURES,
                    severity="moderate",
                    note=texts["challenge_note"],
                )
            ]
        ),
    )
    e = qifeval.evaluate(ev, FW, guard=NO_GUARD)
    e = e.override(
        "5.2",
        qifeval.Grade.GOOD,
        role=texts["role"],
        rationale=texts["rationale"],
        date=dt.date(2026, 10, 2),
    )
    e = e.confirm(
        "2.1", role=texts["role_2"], rationale=texts["rationale_2"], date=dt.date(2026, 10, 3)
    )
    # A custom framework's titles and a custom rule set's names and reasons
    # are text from files too.
    results = []
    for r in e.results:
        if r.qi == "5.2":
            rule = attrs.evolve(
                r.rules_fired[0], name=texts["rule_name"], reason=texts["rule_reason"]
            )
            r = attrs.evolve(r, title=texts["title_5.2"], rules_fired=(rule, *r.rules_fired[1:]))
        results.append(r)
    return attrs.evolve(e, results=tuple(results))


def benign() -> dict[str, str]:
    return {name: f"benign{i}x" for i, name in enumerate(FIELDS)}


def drawn(draw: st.DrawFn) -> dict[str, str]:
    return {name: draw(user_text, label=name) for name in FIELDS}


def squash(text: str) -> str:
    """*text* with white space as a reader sees it: runs as one space."""
    return " ".join(text.split())


def _kind(t: Token) -> str:
    return "text" if t.type == "text_special" else t.type


def md_structure(text: str) -> list[tuple[str, ...]]:
    """The document's blocks and, within each, the kinds of inline tokens
    (runs of plain text as one), without the text itself."""
    out: list[tuple[str, ...]] = []
    for t in MD.parse(text):
        if t.type != "inline":
            out.append((t.type, t.tag))
            continue
        kinds: list[str] = []
        for c in t.children or []:
            k = _kind(c)
            if not (k == "text" and kinds and kinds[-1] == "text"):
                kinds.append(k)
        out.append(("inline", *kinds))
    return out


def md_inline_text(t: Token) -> str:
    return "".join(
        c.content if c.type in ("text", "text_special", "code_inline") else " "
        for c in t.children or []
    )


def md_headings(text: str) -> list[tuple[str, str]]:
    tokens = MD.parse(text)
    return [
        (t.tag, squash(md_inline_text(tokens[i + 1])))
        for i, t in enumerate(tokens)
        if t.type == "heading_open"
    ]


def md_visible(text: str) -> str:
    return squash(" ".join(md_inline_text(t) for t in MD.parse(text) if t.type == "inline"))


def shown(texts: dict[str, str], key: str) -> str:
    """How the text of field *key* reads in a report: statements start with
    a capital letter, ids and refs carry the suffix that keeps them
    distinct, a
    challenge's note ends where the barrier's sentence does."""
    value = texts[key]
    if key == "challenge_note":
        value = value.strip().rstrip(".")
    if key.endswith(".statement"):
        value = value[:1].upper() + value[1:]
    if key.endswith((".id", ".ref")):
        value += f"~{key[1 : key.index('.')]}"
    if key == "challenge_id":
        value += "~c"
    return squash(value)


def as_clause(text: str) -> str:
    """A finding's statement as the position statement's claims read it
    (see the how-to): on one line, control characters as spaces, in
    composed form, without the full stops, commas, colons or semicolons
    that end it (the claim ends with its own full stop)."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return squash(text).rstrip(" .;,:")


def has_clause(visible: str, clause: str) -> bool:
    """Whether *clause* is in *visible*, its first letter as a capital or
    not (it may start a sentence or follow a colon)."""
    head, rest = clause[:1], clause[1:]
    return not clause or any(h + rest in visible for h in {head, head.upper(), head.lower()})


# Printed in the Markdown and HTML reports (a challenge's id and the
# findings' refs are not).
MARKDOWN_FIELDS = [k for k in FIELDS if k != "challenge_id" and not k.endswith(".ref")]
# Printed in the position statement: the strengths of graded indicators
# (1.1, evidenced only by documents, has no grade), the important weaknesses,
# and every ref.
# The position statement answers the three questions from the findings; the
# contextual challenges are not part of it.
POSITION_FIELDS = ["partnership", "title_5.2"] + [
    f"f{i}.{name}" for i in range(len(SHAPE)) for name in ("statement", "ref")
]
POSITION_FIELDS.remove("f6.statement")


def _check_markdown(
    render: Callable[[qifeval.Evaluation], str], texts: dict[str, str], fields: Sequence[str]
) -> None:
    plain = benign()
    expected_doc = render(evaluation(plain))
    doc = render(evaluation(texts))
    assert md_structure(doc) == md_structure(expected_doc)
    assert not any(t.type.startswith("html") for t in MD.parse(doc))
    headings = md_headings(expected_doc)
    for key in FIELDS:
        headings = [(tag, h.replace(shown(plain, key), shown(texts, key))) for tag, h in headings]
    assert md_headings(doc) == headings
    visible = md_visible(doc)
    for key in fields:
        if render is _position and key.endswith(".statement"):
            # one sentence of a claim: a strength's starts it, a weakness's
            # follows "We will act on this area for development:"
            assert has_clause(visible, as_clause(texts[key])), key
        elif render is _position:  # every text in composed form
            assert unicodedata.normalize("NFC", shown(texts, key)) in visible, key
        else:
            assert shown(texts, key) in visible, key


def _markdown(e: qifeval.Evaluation) -> str:
    return qifeval.markdown_report(e, guard=NO_GUARD)


def _position(e: qifeval.Evaluation) -> str:
    return qifeval.position_statement(e, guard=NO_GUARD).text


def test_the_benign_evaluation_shows_every_field() -> None:
    """The property below compares with this evaluation: it must itself
    print every field it claims to."""
    plain = benign()
    doc = _markdown(evaluation(plain))
    for key in MARKDOWN_FIELDS:
        assert shown(plain, key) in md_visible(doc), key
    statement = _position(evaluation(plain))
    for key in POSITION_FIELDS:
        assert shown(plain, key) in md_visible(statement), key
    for note in ("Contradiction to discuss", "Illustrations evidenced", "Rationale"):
        assert note in doc
    kinds = {k[0] for k in md_structure(doc)}
    assert {"heading_open", "table_open", "bullet_list_open", "list_item_open"} <= kinds


@given(st.composite(drawn)())
def test_markdown_shows_user_text_as_text(texts: dict[str, str]) -> None:
    _check_markdown(_markdown, texts, MARKDOWN_FIELDS)


@given(st.composite(drawn)())
def test_position_statement_shows_user_text_as_text(texts: dict[str, str]) -> None:
    _check_markdown(_position, texts, POSITION_FIELDS)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_each_classic_payload_in_every_field(payload: str) -> None:
    texts = dict.fromkeys(FIELDS, payload)
    _check_markdown(_markdown, texts, MARKDOWN_FIELDS)
    _check_markdown(_position, texts, POSITION_FIELDS)
    _check_html(texts)


def test_a_statement_cannot_forge_a_section() -> None:
    texts = benign() | {"f0.statement": PAYLOADS[6]}
    doc = _markdown(evaluation(texts))
    assert "\n## 5.2" not in doc and "\nSuggested grade: 6" not in doc
    assert [h for _, h in md_headings(doc)].count("5.2 benign4x") == 1


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("<b>x</b> & y", "&lt;b&gt;x&lt;/b&gt; &amp; y"),
        ("a\n\n## 5.2", "a \\#\\# 5.2"),
        ("a\r\nb\u2028c\u2029d\x85e\tf", "a b c d e f"),
        ("1. first", "1\\. first"),
        ("12) first", "12\\) first"),
        ("5.2 Assessing", "5.2 Assessing"),
        ("- item", "\\- item"),
        (" + item", " \\+ item"),
        ("===", "\\==="),
        ("a-b (c)", "a-b (c)"),
        ("[x](javascript:y)", "\\[x\\](javascript:y)"),
        ("![i](p)", "\\!\\[i\\](p)"),
        ("a|b", "a\\|b"),
        ("`c`", "\\`c\\`"),
        ("*_~{}", "\\*\\_\\~\\{\\}"),
        ("\\", "\\\\"),
    ],
)
def test_markdown_escape(text: str, escaped: str) -> None:
    assert markdown_escape(text) == escaped


# --- HTML -----------------------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []
        self.text: list[str] = []
        self.comments = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, tuple(name for name, _ in attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.tags.append(("/" + tag, ()))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments += 1


def _page(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


def _check_html(texts: dict[str, str]) -> None:
    expected = _page(qifeval.html_report(evaluation(benign()), guard=NO_GUARD))
    page = _page(qifeval.html_report(evaluation(texts), guard=NO_GUARD))
    assert page.tags == expected.tags and page.comments == 0
    visible = squash(" ".join(page.text))
    for key in MARKDOWN_FIELDS:
        assert shown(texts, key) in visible, key


@given(st.composite(drawn)())
def test_html_shows_user_text_as_text(texts: dict[str, str]) -> None:
    _check_html(texts)


# --- Linear time ----------------------------------------------------------------


def test_finding_lookup_does_not_scan_the_findings() -> None:
    ev = EvidenceSet(
        partnership="P",
        findings=[
            Finding(
                id=f"F{i}",
                qi="5.2",
                statement="s",
                valence="strength",
                weight="minor",
                source="practice",
            )
            for i in range(100)
        ],
    )

    class Watched(tuple):  # type: ignore[type-arg]
        scans = 0

        def __iter__(self):  # type: ignore[no-untyped-def]
            Watched.scans += 1
            return super().__iter__()

    object.__setattr__(ev, "findings", Watched(ev.findings))
    assert [ev.finding(f"F{i}").id for i in range(100)] == [f"F{i}" for i in range(100)]
    assert Watched.scans == 0
    with pytest.raises(KeyError):
        ev.finding("F100")
    assert ev == attrs.evolve(ev) and hash(ev) == hash(attrs.evolve(ev))


def _many(n: int) -> qifeval.Evaluation:
    qis = [qi.id for qi in FW.indicators if qi.id != "10"]
    kinds = list(qifeval.SourceKind)
    findings = [
        Finding(
            id=f"F{i}",
            qi=qis[i % len(qis)],
            statement=f"point {i}",
            valence="strength" if i % 3 else "weakness",
            weight=("minor", "important", "major")[i % 3],
            source=kinds[i % len(kinds)],
        )
        for i in range(n)
    ]
    return qifeval.evaluate(EvidenceSet(partnership="P", findings=findings), FW, guard=NO_GUARD)


@pytest.mark.parametrize(
    "render",
    [
        qifeval.markdown_report,
        qifeval.html_report,
        qifeval.json_report,
        lambda e, guard: qifeval.position_statement(e, guard=guard),
    ],
    ids=["markdown", "html", "json", "position"],
)
def test_reports_look_each_finding_up_a_bounded_number_of_times(
    render: Callable[..., object], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = 0
    lookup = EvidenceSet.finding

    def counted(self: EvidenceSet, finding_id: str) -> Finding:
        nonlocal calls
        calls += 1
        return lookup(self, finding_id)

    monkeypatch.setattr(EvidenceSet, "finding", counted)
    counts = []
    for n in (200, 400):
        e = _many(n)
        calls = 0
        render(e, guard=NO_GUARD)
        counts.append(calls)
    assert counts[0] <= 2 * 200 and counts[1] <= 2 * 400
    assert counts[1] <= 2 * counts[0]


IDENTIFYING = "CHI 0101011237 Jamie Smith (aged 7)"


@pytest.mark.parametrize("render", ["markdown", "html", "json", "position"])
def test_ids_and_roles_are_redacted_in_every_report(render: str) -> None:
    texts = benign()
    for key in ("f0.id", "f1.id", "f2.id", "role"):
        texts[key] = IDENTIFYING
    e = evaluation(texts)
    guard = qifeval.PersonalDataGuard()
    out = {
        "markdown": lambda: qifeval.markdown_report(e, guard=guard),
        "html": lambda: qifeval.html_report(e, guard=guard),
        "json": lambda: json.dumps(qifeval.json_report(e, guard=guard)),
        "position": lambda: qifeval.position_statement(e, guard=guard).text,
    }[render]()
    assert "0101011237" not in out
    assert "Jamie" not in out


CONTROLS = "".join(map(chr, [*range(0x20), 0x7F, *range(0x80, 0xA0)]))


@pytest.mark.parametrize("render", ["markdown", "html", "position"])
def test_no_control_character_reaches_a_report(render: str) -> None:
    texts = benign()
    for key in ("partnership", "f0.statement", "f1.source_detail", "rationale", "rule_name"):
        texts[key] = f"a{CONTROLS}b \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x1b[2J"
    e = evaluation(texts)
    out = {
        "markdown": lambda: qifeval.markdown_report(e),
        "html": lambda: qifeval.html_report(e),
        "position": lambda: qifeval.position_statement(e).text,
    }[render]()
    # HTML keeps tabs and line breaks as the white space they are.
    allowed = {"\n", "\t", "\r"} if render == "html" else {"\n"}
    assert not set(out) & (set(CONTROLS) - allowed)
    if render == "position":
        # the same text goes into Word documents, which hold no control
        # characters at all: each is a space
        assert "a b ]8;;http://x" in out.replace("\\", "")
    else:
        assert "\u241b" in out  # ESC shown as its picture


class _OneAtATime(qifeval.PersonalDataGuard):
    """A guard that redacts in a way of its own (as the base class does):
    the report model asks it about each text in turn."""

    def redact(self, text: str, replacement: str = "[redacted {kind}]") -> str:
        return super().redact(text, replacement)


PERSONAL = [
    "Seen with Mrs Brodie on 12/03/2019.",
    "Call the duty worker on 0131 496 0123.",
    "DOB 04/04/2015 noted",
    "Jamie (7) said he felt safe.",
    "records were up to date",
    "",
]


@given(
    st.lists(
        st.tuples(st.sampled_from(PERSONAL), st.sampled_from(PERSONAL), st.sampled_from(PERSONAL)),
        min_size=1,
        max_size=12,
    ),
    st.booleans(),
)
def test_texts_redacted_at_once_are_redacted_as_one_at_a_time(
    texts: list[tuple[str, str, str]], findings: bool
) -> None:
    ev = EvidenceSet(
        partnership="P",
        findings=[
            Finding(
                id=f"F{i} {detail}".strip(),
                qi="5.2",
                statement=statement or "records were read",
                valence="strength" if i % 2 else "weakness",
                weight="important",
                source="practice",
                source_detail=detail,
                ref=ref or None,
                critical=not i % 2,
            )
            for i, (statement, detail, ref) in enumerate(texts)
        ],
    )
    e = qifeval.evaluate(ev, FW, guard=NO_GUARD)
    at_once = qifeval.reports.build_report(e, guard=qifeval.PersonalDataGuard(), findings=findings)
    one_at_a_time = qifeval.reports.build_report(e, guard=_OneAtATime(), findings=findings)
    assert at_once == one_at_a_time
    assert "Brodie" not in repr(at_once)
