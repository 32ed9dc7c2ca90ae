"""Loading a findings file takes two shortcuts, which may only save time:
well-formed finding tables are made into :class:`Finding` objects directly (anything
else is left to the converter, which explains every problem), and a parsed
document is checked against the input limits a level of nesting at a time
before it is walked. On any input, valid or not, each gives what the path it
stands in for gives: the same evidence set, or the same error."""

from __future__ import annotations

import copy
import datetime as _dt
import json
import math
from typing import Any

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from qifeval import EvidenceSet, InputError
from qifeval._convert import (
    _SURROGATE_ESCAPE,
    InputLimits,
    QuickTables,
    _json_object,
    _tree_problems,
    _tree_within_limits,
    converter,
    input_limits,
    parse_document,
    structure,
)
from qifeval.evidence._findings import _finding_id_at, _quick_evidence, evidence_from_dict

from .strategies import assert_same_types, contexts, evidence_sets

# --- finding tables, well formed and not ---------------------------------------

# Values that are wrong somewhere: of another type, a bool where a number
# goes, a number where text goes, values no enum has, dates of other forms,
# out of range, empty.
odd_values = st.sampled_from(
    [
        None,
        True,
        False,
        0,
        1,
        -3,
        2,
        0.5,
        1.0,
        1.5,
        math.nan,
        math.inf,
        "",
        "  ",
        "x",
        "strength",
        "weakness",
        "major",
        "practice",
        "stakeholder_views",
        "staff",
        "Strength",
        "2026-03-01",
        "2026-02-30",
        "20260301",
        "2026-03-01T10:00:00",
        "S2",
        "C0",
        "R0",
        _dt.date(2026, 3, 1),
        _dt.datetime(2026, 3, 1, 10, 0),
        [],
        ["x"],
        {},
        {"valence": "strength", "weight": "minor", "rule": "r"},
        {"valence": "strength", "weight": "huge", "rule": "r"},
        {"valence": "strength", "weight": "minor"},
    ]
)
keys = st.sampled_from(
    [
        "id",
        "qi",
        "statement",
        "valence",
        "weight",
        "source",
        "source_detail",
        "ref",
        "date",
        "proportion",
        "critical",
        "sustained",
        "sector_leading",
        "illustration",
        "sample",
        "voice",
        "key_factor",
        "proposed",
        "checked",
        "follows",
        "inspection_statement",
        "unknown",
        "Id",
    ]
)


@st.composite
def mutated(draw: st.DrawFn, table: dict[str, Any]) -> dict[str, Any]:
    """*table* with some keys set to odd values, dropped or reordered."""
    table = dict(table)
    for _ in range(draw(st.integers(0, 3))):
        key = draw(keys)
        if draw(st.booleans()):
            table[key] = draw(odd_values)
        else:
            table.pop(key, None)
    if draw(st.booleans()):
        items = list(table.items())
        table = dict(draw(st.permutations(items)))
    return table


@st.composite
def finding_documents(draw: st.DrawFn) -> dict[str, Any]:
    """The dict form of an evidence set (without its schema version), as a
    JSON or TOML file gives it: often well formed, often not."""
    evidence = draw(evidence_sets(max_size=6))
    if draw(st.booleans()):
        evidence = evidence.with_context(draw(contexts(max_size=2)))
    raw = converter.unstructure(evidence)
    if draw(st.booleans()):  # as JSON gives it: dates as text
        raw = json.loads(json.dumps(raw, default=str))
    findings = raw.get("findings", [])
    for i in range(len(findings)):
        if draw(st.integers(0, 3)) == 0:
            findings[i] = draw(mutated(findings[i]))
    if findings and draw(st.integers(0, 4)) == 0:  # a duplicate id
        findings[-1]["id"] = findings[0].get("id")
    if draw(st.integers(0, 5)) == 0:
        raw["findings"] = draw(st.sampled_from([None, {}, "x", (), [1], [None]]))
    if draw(st.integers(0, 5)) == 0:
        raw[draw(st.sampled_from(["partnership", "title", "date", "other"]))] = draw(odd_values)
    return raw


def reference(raw: dict[str, Any]) -> EvidenceSet | InputError:
    try:
        raw = copy.deepcopy(raw)
        return structure(raw, EvidenceSet, finding_id=_finding_id_at(raw))
    except InputError as exc:
        return exc


def assert_same_outcome(a: EvidenceSet | InputError, b: EvidenceSet | InputError) -> None:
    if isinstance(a, InputError) or isinstance(b, InputError):
        assert isinstance(a, InputError) and isinstance(b, InputError), (a, b)
        assert str(a) == str(b)
        assert a.problems == b.problems
        assert a.more_not_checked == b.more_not_checked
    else:
        assert_same_types(a, b)


@given(finding_documents())
@example({"partnership": "P", "findings": []})
@example({"partnership": "P", "findings": [{"id": "F1"}]})
def test_the_quick_path_builds_what_the_converter_builds(raw: dict[str, Any]) -> None:
    before = copy.deepcopy(raw)
    quick = _quick_evidence(raw)
    assert raw == before or math.nan in str(raw)  # not changed (NaN is not equal to itself)
    if quick is not None:
        expected = reference(raw)
        assert not isinstance(expected, InputError), expected
        assert_same_types(quick, expected)


@given(finding_documents())
def test_findings_load_as_the_converter_loads_them(raw: dict[str, Any]) -> None:
    try:
        loaded: EvidenceSet | InputError = evidence_from_dict({"schema_version": 1, **raw})
    except InputError as exc:
        loaded = exc
    assert_same_outcome(loaded, reference(raw))


@given(evidence_sets(max_size=6), st.booleans())
def test_well_formed_findings_take_the_quick_path(evidence: EvidenceSet, as_json: bool) -> None:
    raw = converter.unstructure(evidence)
    if as_json:
        raw = json.loads(json.dumps(raw, default=str))
    quick = _quick_evidence(raw)
    assert quick is not None
    assert_same_types(quick, evidence)


# --- building an instance without __init__ -------------------------------------


def _twice(value: int) -> int:
    if value < 0:
        raise ValueError(f"negative: {value}")
    return value * 2


@attrs.frozen(kw_only=True)
class Plain:
    a: str
    b: int = attrs.field(default=3, converter=_twice)  # a converter on its default too
    c: str | None = None
    _d: int = attrs.field(default=1, alias="d")

    def __attrs_post_init__(self) -> None:
        if self.a == "refused":
            raise ValueError("refused by the class")


@attrs.frozen(kw_only=True)
class Validated:
    a: str = attrs.field(validator=attrs.validators.instance_of(str))


@attrs.frozen(kw_only=True)
class WithFactory:
    a: list[int] = attrs.field(factory=list)


@attrs.frozen(kw_only=True, slots=False)
class NotSlotted:
    a: str = "x"


# Tables of Plain's arguments, any of them missing or of another type (its
# slot "_d" is given as "d", which the quick path leaves to the converter).
plain_tables = st.fixed_dictionaries(
    {},
    optional=dict.fromkeys(
        ["a", "b", "c", "d"], st.sampled_from([None, "", "x", "refused", -1, 0, 2, 0.5, True, [1]])
    ),
)


def _quick_plain(table: dict[str, Any]) -> Plain | None:
    built = QuickTables(Plain).build_all([table])
    return None if built is None else built[0]


@given(plain_tables)
@example({"a": "x"})
@example({"a": "x", "b": 2})
@example({"a": "x", "b": -1})
@example({"a": "refused"})
def test_a_quick_table_is_what_the_converter_structures(table: dict[str, Any]) -> None:
    """On any table, the quick path gives nothing (the converter then
    decides) or an instance equal to the converter's, every attribute set,
    defaults converted as ``__init__`` converts them and the class's own
    checks run. (Findings: see the tests above.)"""
    made = _quick_plain(table)
    if made is not None:
        expected = converter.structure(copy.deepcopy(table), Plain)
        assert type(made) is Plain and made == expected
        for f in attrs.fields(Plain):
            assert getattr(made, f.name) == getattr(expected, f.name)


def test_the_quick_path_builds_plain_tables_quickly() -> None:
    made = _quick_plain({"a": "x", "b": 2, "c": None})
    assert made == Plain(a="x", b=2, c=None) and made.b == 4  # converted once
    assert _quick_plain({"a": "x"}).b == 6  # the default, converted
    assert _quick_plain({"a": "refused"}) is None  # the class refuses it
    assert _quick_plain({"a": "x", "e": 1}) is None  # an unknown key


@pytest.mark.parametrize("cls", [Validated, WithFactory, NotSlotted])
def test_the_quick_path_takes_only_plain_slotted_classes(cls: type) -> None:
    with pytest.raises(TypeError):
        QuickTables(cls)


# --- documents within the input limits -----------------------------------------

letters = st.sampled_from(["a", "b", "e", ":", '"', "\\", "é", "\ud800"])
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(letters, max_size=8),
)
short_keys = st.sampled_from(["", "a", "b", "c", "ab", "ba", "a:b"])


def json_text(value: Any) -> str:
    """JSON text of *value*, where a table is a tuple of (key, value) pairs
    that may give a key twice, and the colons of a string starting "e" are
    written as escapes."""
    if isinstance(value, tuple):
        pairs = ", ".join(f"{json_text(k)}: {json_text(v)}" for k, v in value)
        return "{" + pairs + "}"
    if isinstance(value, list):
        return "[" + ", ".join(json_text(v) for v in value) + "]"
    if isinstance(value, str) and value.startswith("e"):
        return json.dumps(value).replace(":", "\\u003a")
    return json.dumps(value)


documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.lists(st.tuples(short_keys, inner), max_size=5).map(tuple)
    ),
    max_leaves=30,
)
tables = st.lists(st.tuples(short_keys, documents), max_size=4).map(tuple)
limits = st.builds(
    InputLimits,
    max_depth=st.integers(1, 5),
    max_items=st.integers(1, 5),
    max_text=st.integers(1, 6),
    max_problems=st.integers(1, 3),
)


@given(tables, limits)
@example((("a", (("b", ()), ("b", ()))),), InputLimits())
@example((("a", [[[[[]]]]]),), InputLimits(max_depth=5))
@example((("abcdefg", 1),), InputLimits(max_text=6))
def test_a_document_is_within_the_limits_when_walking_it_finds_nothing(
    table: tuple[tuple[str, Any], ...], limits: InputLimits
) -> None:
    doc = json.loads(json_text(table), object_pairs_hook=_json_object)
    problems, _ = _tree_problems(doc, limits, surrogates=False)
    assert _tree_within_limits(doc, limits, colons=None) == (not problems)


def walked(text: str, limits: InputLimits) -> dict[str, Any] | tuple[Any, ...]:
    """The document of JSON *text*, or its problems, as found by parsing it
    with every key kept and walking all of it."""
    doc = json.loads(text, object_pairs_hook=_json_object)
    surrogates = _SURROGATE_ESCAPE.search(text) is not None
    problems, more = _tree_problems(doc, limits, surrogates=surrogates)
    return (tuple(problems), more) if problems else doc


@given(tables, limits)
@example((("a", 1), ("a", "x:y")), InputLimits())
@example((("a", "b"), ("a", "e:")), InputLimits())
@example((("a:", "b"), ("a:", "b")), InputLimits())
@example((("a", ["x:", "y"]), ("b", (("c", 1), ("c", ":")))), InputLimits())
def test_json_is_read_as_walking_all_of_it_reads_it(
    table: tuple[tuple[str, Any], ...], limits: InputLimits
) -> None:
    # Duplicate keys are found by counting colons, those in strings too.
    text = json_text(table)
    try:
        with input_limits(limits):
            parsed: dict[str, Any] | tuple[Any, ...] = parse_document(text.encode(), fmt="json")
    except InputError as exc:
        parsed = (exc.problems, exc.more_not_checked)
    expected = walked(text, limits)
    assert parsed == expected
    assert type(parsed) is type(expected)
