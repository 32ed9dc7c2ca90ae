"""The personal-data guard runs a detector only when the text has what the
detector needs (digits, an "@", a letter before a digit, a birth word, the
context word of a name pattern). The preconditions may only save time: on
any text, the gated guard finds exactly what the ungated one finds."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import example, given

from qifeval._privacy import (
    DEFAULT_NAME_PATTERNS,
    PersonalDataGuard,
    PersonalDataKind,
    _Clues,
)

from .strategies import privacy_near_misses

GUARDS = (
    PersonalDataGuard(),
    PersonalDataGuard(extra_names=("Brodie", "Ann Smith")),
    PersonalDataGuard(kinds=("postcode", "date_of_birth")),
    PersonalDataGuard(name_patterns=(*DEFAULT_NAME_PATTERNS, r"Ref (?P<name>[A-Z]\w+)")),
)


@given(privacy_near_misses)
@example("g\u0130r 0aa and \u017fw1a 1aa and \u212aa9 9zz")
@example("b\u0130rthday 3rd of March; bo\u0307rn 1/2/15; D. O. B 12/03/2015")
@example("the boy \u212anown as Kai; a girl CALLED Amy; Amy AGED 7; Jamie, 7, said")
@example("Mi Smith; Mrs O'Neill; Dr. J. Smith; jo @ example.org; 0131 496 0000")
def test_a_failed_precondition_means_no_match(text: str) -> None:
    # The strongest form: where a precondition fails, the detector's pattern
    # has no match at all, valid or not.
    clues = _Clues(text)
    for guard in GUARDS:
        for kind, pattern, _valid, _group, needs in guard._detectors():
            if not needs(clues):
                assert pattern.search(text) is None, (kind, pattern.pattern[:40])


@given(privacy_near_misses)
@example("EH1 2AB, GIR 0AA, g\u0131r 0aa; DOB 12/03/2015(0141) 496 0123")
def test_gated_guards_find_what_ungated_ones_find(text: str) -> None:
    for guard in GUARDS:
        assert sorted(guard._candidates(text)) == sorted(guard._candidates(text, gated=False))
        assert guard._one_pass(text) == guard._one_pass(text, gated=False)


def test_no_precondition_fails_on_a_pair_of_near_misses_that_matches() -> None:
    # Every near miss alone and beside every other: a precondition must not
    # fail on "Mrs" because "Mi" usually stands elsewhere in the text.
    from .strategies import PRIVACY_NEAR_MISSES

    detectors = PersonalDataGuard()._detectors()
    for a in ("", *PRIVACY_NEAR_MISSES):
        for b in PRIVACY_NEAR_MISSES:
            text = f"{a} {b}" if a else b
            clues = _Clues(text)
            for kind, pattern, _valid, _group, needs in detectors:
                if not needs(clues):
                    assert pattern.search(text) is None, (kind, text)


def test_the_near_misses_exercise_every_precondition_both_ways() -> None:
    # Without this the properties above could pass on texts that never make
    # a precondition fail or never make it hold.
    from .strategies import PRIVACY_NEAR_MISSES

    texts = [*PRIVACY_NEAR_MISSES, " ".join(PRIVACY_NEAR_MISSES)]
    detectors = PersonalDataGuard()._detectors()
    for kind, pattern, _valid, _group, needs in detectors:
        outcomes = {needs(_Clues(t)) for t in texts}
        assert outcomes == {True, False}, (kind, pattern.pattern[:40])


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
    words = ("called", "named", "known", "age", "birth", "born", "dob")
    for word in words:
        for c, letter in ascii_letters_ignoring_case.items():
            for i, x in enumerate(word):
                if x == letter:
                    odd = word[:i] + c + word[i + 1 :]
                    assert re.fullmatch(f"(?i:{word})", odd)
                    assert word in _Clues(odd).folded, (word, odd)


def test_every_letter_a_case_ignoring_pattern_reads_counts_before_a_digit(
    ascii_letters_ignoring_case: dict[str, str],
) -> None:
    for c in (*"aZ", *ascii_letters_ignoring_case):
        assert _Clues(f"{c}1").letter_digit, c
    assert not _Clues("1 a 1").letter_digit


def test_every_kind_is_gated() -> None:
    # A detector without a precondition would run on every text.
    gated = {
        kind
        for kind, *_rest, needs in PersonalDataGuard()._detectors()
        if needs.__name__ != "_always"
    }
    assert gated == set(PersonalDataKind)


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
