"""Hostile and broken documents are refused quickly, within documented
limits, with errors that list every problem (up to a limit) by path, echo
input short and escaped, and never show Python's internals. Saved TOML
round-trips byte for byte."""

import datetime
import json
import pickle
import threading
import time
import tomllib
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

import qifeval
from qifeval import InputError, InputLimits, InputProblem, current_input_limits, input_limits
from qifeval._convert import dumps_document, parse_document
from qifeval.evidence._findings import evidence_from_dict, evidence_to_dict

from .strategies import evidence_sets, frameworks

F1 = {
    "id": "F1",
    "qi": "5.2",
    "statement": "most records hold a chronology",
    "valence": "strength",
    "weight": "important",
    "source": "practice",
}
BASE = {"schema_version": 1, "partnership": "Example", "findings": [F1]}


def _findings(n: int, **changes: object) -> list[dict[str, object]]:
    return [{**F1, "id": f"F{i + 1}", **changes} for i in range(n)]


def _write(tmp_path, doc, name="findings.json"):
    path = tmp_path / name
    text = json.dumps(doc) if name.endswith(".json") else dumps_document(doc, "toml")
    path.write_text(text, encoding="utf-8")
    return path


def _error(path, loader=qifeval.load_findings) -> InputError:
    with pytest.raises(InputError) as info:
        loader(path)
    return info.value


# --- Nesting -----------------------------------------------------------------


def test_a_deep_dotted_key_is_refused_before_it_is_built(tmp_path) -> None:
    path = tmp_path / "findings.toml"
    path.write_text("a" + ".a" * 20_000 + " = 1\n", encoding="utf-8")
    tracemalloc.start()
    start = time.perf_counter()
    err = _error(path)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "nested more than 32 levels deep" in str(err) and err.file == str(path)
    assert elapsed < 1 and peak < 20_000_000, (elapsed, peak)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("f.toml", "a = " + "[" * 5_000 + "]" * 5_000),
        ("f.toml", "a = " + "{b = " * 5_000 + "1" + "}" * 5_000),
        ("f.toml", "[" + ".".join(["t"] * 100) + "]\nx = 1\n"),
        ("f.json", "[" * 50_000 + "]" * 50_000),
        ("f.json", '{"a": ' * 500 + "1" + "}" * 500),
    ],
)
def test_deep_nesting_is_refused(tmp_path, name, text) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert "nested more than 32 levels deep" in str(_error(path))


def _nested(n: int, kinds: list[str]) -> object:
    """A value inside *n* lists or tables."""
    value: object = 1
    for kind in reversed(kinds[:n]):
        value = [value] if kind == "list" else {"k": value}
    return value


@given(
    depth=st.integers(2, 12),
    limit=st.integers(2, 12),
    kinds=st.lists(st.sampled_from(["list", "table"]), min_size=12, max_size=12),
    fmt=st.sampled_from(["toml", "json", "toml-dotted"]),
)
def test_depth_is_refused_exactly_beyond_the_limit(depth, limit, kinds, fmt) -> None:
    if fmt == "toml-dotted":
        text = ".".join(["k"] * depth) + " = 1\n"  # the document and depth - 1 tables
    else:
        doc = {"v": _nested(depth - 1, kinds)}  # the document and depth - 1 more
        text = json.dumps(doc) if fmt == "json" else dumps_document(doc, "toml")
    with input_limits(max_depth=limit):
        if depth > limit:
            with pytest.raises(InputError, match=f"nested more than {limit} levels deep"):
                parse_document(text.encode(), fmt=fmt[:4])
        else:
            parse_document(text.encode(), fmt=fmt[:4])


def test_brackets_and_dots_inside_strings_and_comments_do_not_count() -> None:
    text = (
        's = "[[[[[[[[[[a.b.c.d.e.f.g.h.i.j.k"\n'
        "t = '{{{{{{{{{{{{{{{{{'\n"
        'u = """\n[[[[[[[[[[[[[[[\\"""\n"""\n'
        "v = '''\n{{{{{{{{{{{{{{{{{{{{{{{{{{{{'''\n"
        "# [[[[[[[[[[[[[[[[[[[[[[[[ a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p\n"
    )
    with input_limits(max_depth=3):
        assert parse_document(text.encode(), fmt="toml")["s"].startswith("[[[")


# --- Sizes -------------------------------------------------------------------


def test_list_length_is_limited(tmp_path) -> None:
    with input_limits(max_items=3):
        assert (
            len(
                qifeval.load_findings(_write(tmp_path, {**BASE, "findings": _findings(3)})).findings
            )
            == 3
        )
        err = _error(_write(tmp_path, {**BASE, "findings": _findings(4)}))
    assert err.path == "findings" and "4 items; at most 3 are allowed" in err.problem


def test_more_findings_than_the_default_limit_are_refused_quickly(tmp_path) -> None:
    path = _write(tmp_path, {**BASE, "findings": _findings(100_001, weight="huge")})
    start = time.perf_counter()
    err = _error(path)
    assert time.perf_counter() - start < 10
    assert err.path == "findings" and "100,001 items; at most 100,000" in err.problem


@pytest.mark.parametrize("name", ["findings.toml", "findings.json"])
def test_text_length_is_limited_and_named_by_path(tmp_path, name) -> None:
    ok = {**BASE, "findings": [{**F1, "statement": "1" * 10_000}]}
    assert qifeval.load_findings(_write(tmp_path, ok, name)).findings[0].statement == "1" * 10_000
    long = {**BASE, "findings": [F1, {**F1, "id": "F2", "statement": "1" * 10_000_001}]}
    start = time.perf_counter()
    err = _error(_write(tmp_path, long, name))
    assert time.perf_counter() - start < 10
    assert (err.path, err.finding_id) == ("findings[1].statement", "F2")
    assert "10,000,001 characters; at most 10,000" in err.problem
    assert len(str(err)) < 300


def test_file_size_is_limited(tmp_path) -> None:
    path = _write(tmp_path, BASE)
    with input_limits(max_bytes=50):
        err = _error(path)
    assert "the limit of 50 bytes (InputLimits.max_bytes" in err.problem and err.path == ""


def test_limits_are_local_to_a_block_and_a_thread() -> None:
    seen = []
    with input_limits(max_text=5) as limits:
        assert current_input_limits() is limits and limits.max_text == 5
        thread = threading.Thread(target=lambda: seen.append(current_input_limits()))
        thread.start()
        thread.join()
        with input_limits(InputLimits(max_depth=4)):
            assert current_input_limits().max_text == 10_000
    assert seen == [InputLimits()] and current_input_limits() == InputLimits()


@pytest.mark.parametrize("changes", [{"max_text": 0}, {"max_depth": True}, {"max_width": 3}])
def test_limits_must_be_whole_numbers_of_one_or_more(changes) -> None:
    with pytest.raises(InputError), input_limits(**changes):
        pass


# --- Every problem, and fail fast ----------------------------------------------


@pytest.mark.parametrize("name", ["findings.toml", "findings.json"])
def test_every_problem_is_listed_with_its_path(tmp_path, name) -> None:
    findings = _findings(4)
    findings[0]["weight"] = "very important"
    findings[2]["valence"] = 1
    findings[2]["colour"] = "red"
    findings[3]["date"] = 20260301
    err = _error(_write(tmp_path, {**BASE, "findings": findings}, name))
    assert {(p.path, p.finding_id) for p in err.problems} == {
        ("findings[0].weight", "F1"),
        ("findings[2].valence", "F3"),
        ("findings[2]", "F3"),
        ("findings[3].date", "F4"),
    }
    assert len(err.problems) == 4 and not err.more_not_checked
    message = str(err)
    assert message.startswith(f"{tmp_path / name}: 4 problems:")
    assert all(str(p) in message for p in err.problems)
    assert "more" not in message


def test_checking_stops_after_the_limit_of_problems(tmp_path) -> None:
    path = _write(tmp_path, {**BASE, "findings": _findings(1_000, weight="huge")})
    err = _error(path)
    assert [p.path for p in err.problems] == [f"findings[{i}].weight" for i in range(50)]
    assert err.more_not_checked
    lines = str(err).splitlines()
    assert len(lines) == 52 and lines[-1].startswith("  and more not checked")
    with input_limits(max_problems=3):
        assert len(_error(path).problems) == 3


def test_many_invalid_findings_fail_fast(tmp_path) -> None:
    path = _write(tmp_path, {**BASE, "findings": _findings(100_000, weight="huge")})
    start = time.perf_counter()
    err = _error(path)
    assert time.perf_counter() - start < 10
    assert len(err.problems) == 50 and err.more_not_checked


def test_the_error_pickles_with_all_its_problems(tmp_path) -> None:
    err = _error(_write(tmp_path, {**BASE, "findings": _findings(60, weight="x")}))
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.problems, copy.more_not_checked, str(copy)) == (
        err.problems,
        err.more_not_checked,
        str(err),
    )
    assert isinstance(copy.problems[0], InputProblem)


# --- Smaller defects -----------------------------------------------------------


def test_duplicate_json_keys_are_named_by_path(tmp_path) -> None:
    path = tmp_path / "findings.json"
    path.write_text(
        '{"schema_version": 1, "partnership": "A", "partnership": "B", "findings": '
        '[{"id": "F1", "qi": "5.2", "statement": "s", "valence": "strength", '
        '"weight": "minor", "weight": "major", "source": "practice"}]}',
        encoding="utf-8",
    )
    err = _error(path)
    assert {(p.path, p.finding_id) for p in err.problems} == {
        ("partnership", None),
        ("findings[0].weight", "F1"),
    }
    assert all("duplicate key" in p.problem for p in err.problems)


@pytest.mark.parametrize(
    ("loader", "name", "doc"),
    [
        (qifeval.load_findings, "f.toml", BASE),
        (qifeval.load_findings, "f.json", BASE),
        (qifeval.load_rules, "r.toml", {"schema_version": 1, "name": "x", "rules": []}),
        (qifeval.load_framework, "fw.toml", {"schema_version": 1}),
        (qifeval.load_evaluation, "e.json", {"schema_version": 1, "kind": "qifeval-evaluation"}),
    ],
)
def test_schema_version_true_is_not_1(tmp_path, loader, name, doc) -> None:
    err = _error(_write(tmp_path, {**doc, "schema_version": True}, name), loader)
    assert err.path == "schema_version"


@pytest.mark.parametrize(
    ("name", "date", "message"),
    [
        ("f.toml", 20260301, "expected a date (YYYY-MM-DD), got integer 20260301"),
        ("f.json", 20260301, "expected a date (YYYY-MM-DD), got integer 20260301"),
        ("f.json", "20260301", "got string '20260301'"),
        ("f.json", "2026-W09-7", "got string '2026-W09-7'"),
        ("f.json", "2026-02-30", "no such date: '2026-02-30'"),
        ("f.json", "２０２６-03-01", "expected a date"),
    ],
)
def test_dates_are_toml_dates_or_iso_strings(tmp_path, name, date, message) -> None:
    err = _error(_write(tmp_path, {**BASE, "date": date}, name))
    assert err.path == "date" and message in err.problem


def test_iso_date_strings_and_toml_dates_load(tmp_path) -> None:
    day = datetime.date(2026, 3, 1)
    assert qifeval.load_findings(_write(tmp_path, {**BASE, "date": "2026-03-01"})).date == day
    toml = tmp_path / "f.toml"
    toml.write_text('schema_version = 1\npartnership = "P"\ndate = 2026-03-01\n', "utf-8")
    assert qifeval.load_findings(toml).date == day
    toml.write_text('schema_version = 1\npartnership = "P"\ndate = 2026-03-01T10:00:00\n', "utf-8")
    assert "without a time" in _error(toml).problem


@pytest.mark.parametrize("text", ["٣", "²", "３", "໓"])
def test_grades_are_ascii_digits_or_labels(text) -> None:
    with pytest.raises(InputError, match="expected a grade"):
        qifeval.Grade.parse(text)
    assert qifeval.Grade.parse(" 3 ") is qifeval.Grade.ADEQUATE


def test_a_non_ascii_digit_grade_in_a_rules_file_is_refused(tmp_path) -> None:
    rules = qifeval._convert.converter.unstructure(qifeval.default_rules())
    rules = {"schema_version": 1, **rules}
    rules["rules"][0] = {**rules["rules"][0], "effect": "suggest", "grade": "٣"}
    err = _error(_write(tmp_path, rules, "rules.json"), qifeval.load_rules)
    assert err.path == "rules[0].grade" and "expected a grade" in err.problem


def test_a_lone_surrogate_is_refused_on_load(tmp_path) -> None:
    path = tmp_path / "f.json"
    path.write_text(json.dumps({**BASE, "findings": [{**F1, "ref": "a\ud800b"}]}), "utf-8")
    err = _error(path)
    assert (err.path, err.finding_id) == ("findings[0].ref", "F1")
    assert "lone surrogate ('\\ud800')" in err.problem
    # a surrogate pair, escaped, is an ordinary character and loads
    path.write_text(json.dumps({**BASE, "findings": [{**F1, "ref": "a\U0001f600b"}]}), "utf-8")
    assert qifeval.load_findings(path).findings[0].ref == "a\U0001f600b"


# --- Messages ------------------------------------------------------------------

INTERNALS = ("object has no attribute", "<class", "typing.", "NoneType", "Traceback", "cattrs")

wrong_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.sampled_from(["a", "id", "qi"]), st.integers(), max_size=2),
    st.just("\x1b[2J\x1b[31mred\u202e"),
    st.integers(100_000, 200_000).map(lambda n: "x" * n),
)
FINDING_KEYS = [*sorted(F1), "date", "proportion", "critical", "ref", "illustration"]
TOP_KEYS = ["partnership", "framework", "date", "title", "findings", "context"]


@given(
    where=st.sampled_from([("top", k) for k in TOP_KEYS] + [("finding", k) for k in FINDING_KEYS]),
    value=wrong_values,
)
def test_messages_name_the_expected_type_in_plain_words(tmp_path_factory, where, value) -> None:
    doc = json.loads(json.dumps(BASE))
    target = doc if where[0] == "top" else doc["findings"][0]
    target[where[1]] = value
    path = _write(tmp_path_factory.mktemp("m"), doc)
    try:
        qifeval.load_findings(path)
    except qifeval.QifevalError as exc:
        message = str(exc)
        assert not any(s in message for s in INTERNALS), message
        assert all(line.isprintable() for line in message.splitlines()), message[:500]
        assert all(len(line) < 400 for line in message.splitlines()), message[:500]


def test_long_and_control_values_are_echoed_short_and_escaped(tmp_path) -> None:
    doc = {**BASE, "findings": [{**F1, "weight": "\x1b[31m" + "x" * 5_000}]}
    err = _error(_write(tmp_path, doc))
    assert "'\\x1b[31mxxx" in err.problem and "…" in err.problem
    assert len(err.problem) < 200 and "\x1b" not in str(err)


# --- TOML writing with tomli-w ----------------------------------------------


@given(evidence_sets())
def test_saved_findings_round_trip_byte_for_byte(ev) -> None:
    text = dumps_document(evidence_to_dict(ev), "toml")
    again = evidence_from_dict(tomllib.loads(text))
    assert again == ev
    assert dumps_document(evidence_to_dict(again), "toml") == text


@given(frameworks())
def test_saved_frameworks_round_trip_byte_for_byte(fw) -> None:
    text = qifeval.dump_framework(fw)
    again = qifeval.frameworks._loading.framework_from_dict(tomllib.loads(text))
    assert again == fw and qifeval.dump_framework(again) == text


def test_toml_keeps_dates_multiline_text_unicode_and_nested_tables() -> None:
    doc = {
        "date": datetime.date(2026, 3, 1),
        "text": 'line one\r\nline "two"\n\ttab \\ ünïcödé ✓ 😀 \x7f',
        "empty": "",
        "none": None,
        "table": {"inner": {"x": 1.5, "list": ["a", "b"]}},
        "rows": [{"a": 1, "b": None}, {"a": 2, "nested": {"c": [1, 2]}}],
        "mixed": [[1, 2], ["x"]],
    }
    text = dumps_document(doc, "toml")
    expected = {k: v for k, v in doc.items() if k != "none"}
    expected["rows"] = [{"a": 1}, {"a": 2, "nested": {"c": [1, 2]}}]
    assert tomllib.loads(text) == expected
    assert dumps_document(tomllib.loads(text), "toml") == text


# --- Property: invalid documents list every problem ------------------------------

CORRUPTIONS = {
    "weight": "heavy",
    "valence": 1,
    "statement": ["a list"],
    "source": "rumour",
    "proportion": "half",
    "date": 20260301,
    "critical": "yes",
}


@given(data=st.data(), ev=evidence_sets(max_size=8))
def test_every_problem_of_an_invalid_document_is_listed(data, ev) -> None:
    raw = json.loads(json.dumps(evidence_to_dict(ev), default=str))
    findings = raw.get("findings", [])
    if not findings:
        return
    chosen = data.draw(
        st.lists(st.integers(0, len(findings) - 1), min_size=1, max_size=len(findings), unique=True)
    )
    expected = set()
    for i in chosen:
        fields = data.draw(
            st.lists(st.sampled_from(sorted(CORRUPTIONS)), min_size=1, max_size=3, unique=True)
        )
        for field in fields:
            findings[i][field] = CORRUPTIONS[field]
            expected.add((f"findings[{i}].{field}", findings[i]["id"]))
        if data.draw(st.booleans()):
            findings[i]["colour"] = "red"
            expected.add((f"findings[{i}]", findings[i]["id"]))
    with pytest.raises(InputError) as info:
        evidence_from_dict(raw)
    err = info.value
    assert {(p.path, p.finding_id) for p in err.problems} == expected
    assert len(err.problems) == len(expected) and not err.more_not_checked
    assert all(str(p) in str(err) for p in err.problems)


@pytest.mark.parametrize("field", ["qi", "illustration"])
def test_values_echoed_by_later_checks_are_cut_short(tmp_path, field) -> None:
    doc = {**BASE, "findings": [{**F1, field: "Z" * 9_000}]}
    err = _error(_write(tmp_path, doc))
    assert f"'{'Z' * 80}…'" in err.problem and "Z" * 81 not in str(err)


def test_bundled_data_is_read_within_the_default_limits_whatever_is_in_force() -> None:
    with input_limits(max_text=5, max_depth=2, max_items=1, max_bytes=100):
        assert qifeval.frameworks._loading._bundled.__wrapped__("qif-2018").id == "qif-2018"
        assert qifeval.rules._model._bundled.__wrapped__("grading.toml").rules
        with pytest.raises(InputError, match="at most 5 are allowed"):
            parse_document(b'a = "longer"', fmt="toml", file="mine.toml")
