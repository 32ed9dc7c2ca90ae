"""The personal-data guard runs a detector only on the texts in which one of
its gates finds something (ten digits, an "@", a postcode's inward code, a
birth word, the context word of a name pattern), and the gates search many
texts at once. The gates may only save time: on any texts, the gated guard
finds exactly what a guard without gates finds, and a scan of an evidence
set that looks again only at the items holding something flagged finds what
looking at every item finds."""

from __future__ import annotations

import re
import sys
from types import SimpleNamespace

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from qifeval._errors import InputError
from qifeval._privacy import (
    _BETWEEN,
    DEFAULT_NAME_PATTERNS,
    PersonalDataGuard,
    PersonalDataKind,
    _fold,
    _numbers,
    _shapes,
)
from qifeval.evaluation._evaluate import _scan_items

from .strategies import PRIVACY_NEAR_MISSES, privacy_near_misses

GUARDS = (
    PersonalDataGuard(),
    PersonalDataGuard(extra_names=("Brodie", "Ann Smith")),
    PersonalDataGuard(kinds=("postcode", "date_of_birth")),
    PersonalDataGuard(name_patterns=(*DEFAULT_NAME_PATTERNS, r"Ref (?P<name>[A-Z]\w+)")),
)


def ungated(guard: PersonalDataGuard) -> PersonalDataGuard:
    """A guard like *guard* that runs every detector on every text."""
    plan = guard._plan()
    reference = PersonalDataGuard(
        kinds=guard.kinds, name_patterns=guard.name_patterns, extra_names=guard.extra_names
    )
    reference._built.append(plan._replace(gates=(), always=frozenset(range(len(plan.detectors)))))
    return reference


def active(guard: PersonalDataGuard, text: str) -> frozenset[int]:
    """The detectors the guard runs on *text* alone."""
    plan = guard._plan()
    return plan.always | plan.opened((text,)).get(0, set())


def gates_find_nothing(gates: tuple, text: str) -> bool:
    return not any(gate.pattern.search(gate.view(text)) for gate in gates)


@given(privacy_near_misses)
@example("g\u0130r 0aa and \u017fw1a 1aa and \u212aa9 9zz and EH1 2\u017f\u017f, W1A\u00a00AA")
@example("b\u0130rthday 3rd of March; bo\u0307rn 1/2/15; D. O. B 12/03/2015")
@example("the boy \u212anown as Kai; a girl CALLED Amy; Amy AGED 7; Jamie, 7, said")
@example("Mi Smith; Mrs O'Neill; Dr. J. Smith; jo @ example.org; 0131 496 0000")
@example("(0131) 496-0000, +44 (0)131 496 0000, 0 1 3 1 4 9 6 0 0 0 0, 010101-1237")
def test_gates_that_find_nothing_mean_no_match(text: str) -> None:
    # The strongest form: where no gate of a detector finds anything, the
    # detector's pattern has no match at all, valid or not.
    for guard in GUARDS:
        for kind, pattern, _valid, _group, gates in guard._detectors():
            if gates and gates_find_nothing(gates, text):
                assert pattern.search(text) is None, (kind, pattern.pattern[:40])


@given(privacy_near_misses)
@example("EH1 2AB, GIR 0AA, g\u0131r 0aa; DOB 12/03/2015(0141) 496 0123")
@example("DOB 12/03/2015 Mrs Smith (7), born 3rd March")
def test_gated_guards_find_what_ungated_ones_find(text: str) -> None:
    for guard in GUARDS:
        on = active(guard, text)
        assert sorted(guard._candidates(text, on)) == sorted(guard._candidates(text))
        assert guard._one_pass(text, on) == guard._one_pass(text)
        assert type(guard)(extra_names=guard.extra_names, kinds=guard.kinds).scan(text) == (
            ungated(type(guard)(extra_names=guard.extra_names, kinds=guard.kinds)).scan(text)
        )


# Texts that hold the separator, or end or begin with half of something.
_EDGES = ("", _BETWEEN, f"Mrs{_BETWEEN}Smith", f"0131{_BETWEEN}496 0000", "Mrs", "Smith (7)")
texts_to_scan = st.lists(privacy_near_misses | st.sampled_from(_EDGES), max_size=8)


@given(texts_to_scan)
@example(["Seen with Mrs", "Smith (7)", "0131 496", "0000", "EH1", "2AB"])
@example(["DOB 12/03/2015(0141) 496 0123", "", "DOB 12/03/2015(0141) 496 0123", "x"])
@example([f"Mrs Smith{_BETWEEN}", "Jamie (7)"])
def test_scanning_texts_at_once_finds_what_scanning_each_finds(texts: list[str]) -> None:
    for guard in GUARDS:
        fresh = type(guard)(
            kinds=guard.kinds, name_patterns=guard.name_patterns, extra_names=guard.extra_names
        )
        reference = ungated(fresh)
        expected = {t: reference._spans(t) for t in texts}
        assert fresh._flagged(texts) == {t for t in texts if expected[t]}
        assert {t: fresh._memo[t] for t in texts if t} == {t: expected[t] for t in texts if t}
        # a second time, from what the guard remembers
        assert fresh._flagged([*texts, "Mrs Smith"]) == {
            t for t in [*texts, "Mrs Smith"] if reference._spans(t)
        }


def test_scanning_texts_at_once_refuses_what_is_not_text_and_remembers_nothing() -> None:
    # The evidence scan then looks at every item, which names the field.
    for warm in ("", "Seen with Mrs Smith"):
        for odd in (5, b"Mrs Smith", [], 0, False):
            guard = PersonalDataGuard()
            if warm:
                guard.scan(warm)
            with pytest.raises(TypeError):
                guard._flagged(["Jamie (7)", None, "", odd])
            assert list(guard._memo) == ([warm] if warm else [])


def test_no_gate_fails_on_a_pair_of_near_misses_that_matches() -> None:
    # Every near miss alone and beside every other: a gate must not fail on
    # "Mrs" because "Mi" usually stands elsewhere in the text; and beside
    # every other across the separator, a gate must not find anything that
    # holds the separator.
    detectors = PersonalDataGuard()._detectors()
    for a in ("", *PRIVACY_NEAR_MISSES):
        for b in PRIVACY_NEAR_MISSES:
            text = f"{a} {b}" if a else b
            for kind, pattern, _valid, _group, gates in detectors:
                if gates_find_nothing(gates, text):
                    assert pattern.search(text) is None, (kind, text)
                for gate in gates:
                    for match in gate.pattern.finditer(gate.view(f"{a}{_BETWEEN}{b}")):
                        assert _BETWEEN not in match[0], (kind, a, b)
                        assert match[0].startswith(gate.lead), (kind, a, b)


def test_the_near_misses_exercise_every_gate_both_ways() -> None:
    # Without this the properties above could pass on texts that never make
    # a gate find something or never make all of a detector's gates fail.
    texts = [*PRIVACY_NEAR_MISSES, " ".join(PRIVACY_NEAR_MISSES)]
    for kind, pattern, _valid, _group, gates in PersonalDataGuard()._detectors():
        outcomes = {gates_find_nothing(gates, t) for t in texts}
        assert outcomes == {True, False}, (kind, pattern.pattern[:40])
        for gate in gates:
            assert any(gate.pattern.search(gate.view(t)) for t in texts), gate.pattern.pattern


_IGNORING_CASE = re.compile("(?i:[a-z])")


@pytest.fixture(scope="module")
def ascii_letters_ignoring_case() -> dict[str, str]:
    """Every non-ASCII character that a pattern ignoring case reads as an
    ASCII letter, with that letter."""
    found = {}
    for code in range(128, sys.maxunicode + 1):
        c = chr(code)
        if _IGNORING_CASE.fullmatch(c):
            found[c] = next(x for x in "abcdefghijklmnopqrstuvwxyz" if re.fullmatch(f"(?i:{x})", c))
    return found


def test_folding_keeps_every_word_a_case_ignoring_pattern_finds(
    ascii_letters_ignoring_case: dict[str, str],
) -> None:
    assert ascii_letters_ignoring_case  # the Kelvin sign at least
    words = ("called", "named", "known", "age", "aged", "birth", "born", "dob")
    for word in words:
        for c, letter in ascii_letters_ignoring_case.items():
            for i, x in enumerate(word):
                if x == letter:
                    odd = word[:i] + c + word[i + 1 :]
                    assert re.fullmatch(f"(?i:{word})", odd)
                    assert word in _fold(odd), (word, odd)
    assert _fold(_BETWEEN) == _BETWEEN


def test_the_views_keep_what_the_gates_read() -> None:
    # _numbers and _shapes read UTF-8 one byte a character: an ASCII digit
    # is 0, and no other character gives a 0; in _shapes an ASCII letter or
    # digit is one of 0, A, a and x, and no other character gives one.
    inward = re.compile("(?i:[ABD-HJLNP-UW-Z])")
    capital = re.compile("[ABD-HJLNP-UW-Z]")
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        ascii_alnum = c.isascii() and c.isalnum()
        shape = _shapes(c)
        if c in "0123456789":
            assert _numbers(c) == shape == "0"
            continue
        assert "0" not in _numbers(c), code
        if capital.fullmatch(c):
            assert shape == "A", c
        elif inward.fullmatch(c):
            assert shape in ("a", "\xc5\xbf"), c
        elif ascii_alnum:
            assert shape == "x", c
        else:
            assert not set(shape) & set("0Aax"), code
    for view in (_fold, _numbers, _shapes):
        assert view(_BETWEEN) == _BETWEEN


def test_every_kind_is_gated() -> None:
    # A detector without a gate would run on every text.
    detectors = PersonalDataGuard()._detectors()
    assert all(gates for *_rest, gates in detectors)
    assert {kind for kind, *_rest in detectors} == set(PersonalDataKind)


def test_the_separator_reads_as_the_end_of_a_text() -> None:
    # The gates' lookarounds: white space, no word character, no letter or
    # digit, none of the punctuation a gate names.
    assert _BETWEEN.isspace()
    assert re.fullmatch(r"[^\w\S]", _BETWEEN)
    assert not re.search(r"[ \t.,()@\-\xa0]", _BETWEEN)


FIELDS = ("statement", "ref")


def _items(texts: list[tuple[object, object, object]]) -> list[SimpleNamespace]:
    return [SimpleNamespace(id=i, statement=s, ref=r) for i, s, r in texts]


def _every_item(guard: PersonalDataGuard, items: list[SimpleNamespace]) -> list[object]:
    """What scanning every field of every item finds."""

    class EveryText(PersonalDataGuard):
        def _flagged(self, texts: object) -> set[str]:
            return set(texts)

    return _scan_items(EveryText(), items, "findings", FIELDS)


@given(
    st.lists(
        st.tuples(privacy_near_misses, privacy_near_misses, st.none() | privacy_near_misses),
        max_size=6,
    )
)
@example([("F1", "Seen with Mrs Smith", None), ("Amy (aged 7)", "", "DOB 1/2/15"), ("F1", "", "")])
def test_an_evidence_scan_finds_what_scanning_every_item_finds(
    texts: list[tuple[str, str, str | None]],
) -> None:
    items = _items(texts)
    found = _scan_items(PersonalDataGuard(), items, "findings", FIELDS)
    assert found == _every_item(PersonalDataGuard(), items)


def test_an_evidence_scan_with_a_field_that_is_not_text_scans_every_item() -> None:
    # Text, nothing, or something empty that is not text are skipped alike;
    # anything else is refused as before, naming the field and the finding.
    items = _items([("Mrs Smith", [], None), ("F2", "Seen with Mrs Smith", 0)])
    found = _scan_items(PersonalDataGuard(), items, "findings", FIELDS)
    assert [(m.field, m.finding_id) for m in found] == [
        ("findings[0].id", "Mrs [redacted name]"),
        ("findings[1].statement", "F2"),
    ]
    with pytest.raises(InputError) as info:
        _scan_items(
            PersonalDataGuard(),
            _items([("F1", "ok", None), ("F2", 7, "Mrs Smith")]),
            "findings",
            FIELDS,
        )
    assert info.value.path == "findings[1].statement"
    assert info.value.finding_id == "F2"
    assert "expected text to scan, got int" in str(info.value)


@given(privacy_near_misses)
def test_a_remembered_scan_is_the_scan(text: str) -> None:
    """A guard remembers what each text holds: a second scan, a redaction
    after a scan, and a guard that has seen other texts all agree with a
    fresh guard."""
    fresh, warm = PersonalDataGuard(), PersonalDataGuard()
    warm.scan(text + " 0101011237")
    first = warm.scan(text, field="f")
    assert warm.scan(text, field="f") == first == fresh.scan(text, field="f")
    assert warm.redact(text) == PersonalDataGuard().redact(text)


def test_the_memory_of_a_guard_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import qifeval._privacy as privacy

    monkeypatch.setattr(privacy, "_MEMO_SIZE", 3)
    guard = privacy.PersonalDataGuard()
    texts = [f"Seen on day {i} with Mrs Smith" for i in range(10)]
    for t in texts:
        guard.scan(t)
    assert len(guard._memo) <= 3
    assert [guard.scan(t) for t in texts] == [privacy.PersonalDataGuard().scan(t) for t in texts]
    # texts scanned at once: too many to remember are found all the same
    assert guard._flagged(texts) == set(texts)
    assert len(guard._memo) <= 3
