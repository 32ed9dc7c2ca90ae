"""The personal-data guard: detectors, configuration, redaction, properties."""

from __future__ import annotations

import datetime as dt
import doctest
import pickle
import random
import re
from importlib import resources

import attrs
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

import qifeval
from qifeval import (
    Context,
    ContextualChallenge,
    EvidenceSet,
    Finding,
    InputError,
    PersonalDataError,
    QifevalError,
    ReadinessEvidence,
    _privacy,
)
from qifeval._privacy import (
    DEFAULT_NAME_PATTERNS,
    PersonalDataGuard,
    PersonalDataKind,
    PersonalDataMatch,
    redact,
    scan_text,
)
from qifeval.evaluation._evaluate import scan_evaluation, scan_evidence

K = PersonalDataKind


def kinds(text: str, guard: PersonalDataGuard | None = None) -> list[str]:
    found = (guard or PersonalDataGuard()).scan(text)
    return [m.kind.value for m in found]


def flagged(text: str, guard: PersonalDataGuard | None = None) -> list[tuple[str, str]]:
    """(kind, flagged text) pairs: for the tests only; the library never
    exposes the flagged text."""
    found = (guard or PersonalDataGuard()).scan(text)
    return [(m.kind.value, text[m.start : m.end]) for m in found]


# --- a tiny generator of CHI numbers, written independently of the library --


def chi_check(first_nine: str) -> int | None:
    """Modulus 11 with weights 10..2; 11 -> 0; 10 -> no valid number."""
    remainder = sum(int(d) * (10 - i) for i, d in enumerate(first_nine)) % 11
    check = 11 - remainder
    return {11: 0, 10: None}.get(check, check)


def is_valid_chi(digits: str) -> bool:
    day, month, yy = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
    dated = False
    for year in (1900 + yy, 2000 + yy):
        try:
            dt.date(year, month, day)
            dated = True
        except ValueError:
            pass
    return dated and chi_check(digits[:9]) == int(digits[9])


def with_check(first_nine: str) -> str:
    check = chi_check(first_nine)
    assert check is not None, first_nine
    return first_nine + str(check)


dates = st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31))


@st.composite
def chi_digits(draw: st.DrawFn, valid: bool = True) -> str:
    """Ten digits with a valid date; a valid check digit, or (valid=False) a
    wrong one."""
    born = draw(dates)
    first_nine = born.strftime("%d%m%y") + draw(st.text("0123456789", min_size=3, max_size=3))
    check = chi_check(first_nine)
    if valid:
        assume(check is not None)
        return first_nine + str(check)
    wrong = draw(st.sampled_from([d for d in "0123456789" if check is None or int(d) != check]))
    return first_nine + wrong


def formatted(draw: st.DrawFn, digits: str) -> str:
    style = draw(st.sampled_from(["plain", "334", "64"]))
    sep = draw(st.sampled_from([" ", "-", ""]))
    if style == "334":
        return f"{digits[:3]}{sep}{digits[3:6]}{sep}{digits[6:]}"
    if style == "64":
        return f"{digits[:6]}{sep}{digits[6:]}"
    return digits


@st.composite
def chis(draw: st.DrawFn, valid: bool = True) -> str:
    return formatted(draw, draw(chi_digits(valid)))


# --- strategies of text that mixes identifiers with ordinary words ----------

FRAGMENTS = [
    "Most records read (34 of 40) showed",
    "In 2017, 85% of",
    "Mrs Smith",
    "Mr J. Brodie",
    "Dr O'Neill",
    "a girl called Amy",
    "the child named Sam McDonald",
    "Amy (aged 7)",
    "Jane Smith, aged 12",
    "Kai age 9",
    "DOB 12/03/2015",
    "D.O.B. 1.3.15",
    "born on 3rd March 2015",
    "date of birth 12 March 2015",
    "jo.bloggs@example.org",
    "name+tag@nhs.scot",
    "0131 496 0000",
    "(0141) 496 0123",
    "+44 7700 900123",
    "07700 900123",
    "EH1 2AB",
    "sw1a 1aa",
    "KA7 1AA",
    "12/03/2018",
    "[redacted name]",
    "born",
    "Mrs",
    "aged 7",
    "called",
    "@",
    "+44",
    "0",
    "(",
    ")",
    "-",
    ".",
]
small_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
    | st.sampled_from("0123456789 \n"),
    max_size=12,
)
pieces = st.one_of(small_text, st.sampled_from(FRAGMENTS), chis(), chis(valid=False))
risky_text = st.lists(
    st.tuples(pieces, st.sampled_from(["", " ", ", ", "\n", " (", ") "])), max_size=8
).map(lambda parts: "".join(p + sep for p, sep in parts))


# --- CHI numbers ------------------------------------------------------------


def test_chi_generator_matches_known_examples() -> None:
    assert chi_check("010101123") == 7
    assert chi_check("123456789") is None  # so "1234567890" is never a CHI number


@pytest.mark.parametrize(
    "text",
    [
        "CHI 0101011237 on file",
        "chi: 010101 1237.",
        "CHI 010-101-1237",
        "CHI 010101-1237",
        "(0101011237)",
        f"leap year {with_check('290200123')}",  # 29 Feb 2000
        f"leap year {with_check('290204123')}",
        f"29 Feb 2000 though not 1900 {with_check('290100123')}",
    ],
)
def test_chi_numbers_are_found(text: str) -> None:
    assert kinds(text) == ["chi_number"]


@pytest.mark.parametrize(
    "text",
    [
        "Performance figure 1234567890",  # check digit 10: invalid
        "0101011238",  # wrong check digit
        f"{with_check('290201123')}",  # 29 Feb 1901 and 2001 do not exist
        f"{with_check('310401123')}",  # 31 April
        f"{with_check('011301123')}",  # month 13
        "10101011237",  # part of a longer digit run
        "01010112370",
        "3.0101011237",
        "0101011237.5",
        "1,0101011237",
        "010 1011 237",  # not a CHI grouping
    ],
)
def test_not_chi_numbers(text: str) -> None:
    assert "chi_number" not in kinds(text)


@given(chis())
def test_every_valid_chi_is_found(chi: str) -> None:
    guard = PersonalDataGuard(kinds={"chi_number"})
    assert flagged(chi, guard) == [("chi_number", chi)]


@given(chis(valid=False))
def test_a_wrong_check_digit_is_not_a_chi(chi: str) -> None:
    assert PersonalDataGuard(kinds={"chi_number"}).scan(chi) == ()


@given(st.text("0123456789", min_size=10, max_size=10))
def test_chi_detector_agrees_with_the_reference(digits: str) -> None:
    found = PersonalDataGuard(kinds={"chi_number"}).scan(digits)
    assert bool(found) == is_valid_chi(digits)


@given(risky_text, chis(), risky_text)
def test_valid_chis_are_found_in_any_text(before: str, chi: str, after: str) -> None:
    text = f"{before} {chi} {after}"
    start = len(before) + 1
    only_chi = PersonalDataGuard(kinds={"chi_number"}).scan(text)
    assert any((m.start, m.end) == (start, start + len(chi)) for m in only_chi)
    # With every kind on, the number is still wholly inside a match (possibly
    # one of another kind, e.g. "+44 " before it makes it a phone number).
    spans = [(m.start, m.end) for m in scan_text(text)]
    for i in range(start, start + len(chi)):
        assert any(s <= i < e for s, e in spans)


# --- e-mail addresses -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Contact jo.bloggs@example.org today", "jo.bloggs@example.org"),
        ("<name+tag@nhs.scot>", "name+tag@nhs.scot"),
        ("e-mail: A.Person@council-name.gov.uk.", "A.Person@council-name.gov.uk"),
        ("x_y%z@sub.domain.example.com,", "x_y%z@sub.domain.example.com"),
    ],
)
def test_email_addresses_are_found(text: str, address: str) -> None:
    assert flagged(text) == [("email", address)]


@pytest.mark.parametrize(
    "text",
    [
        "Staff @ the hub",
        "jo at example dot org",
        "user@localhost",
        "5@10 sessions",
        "@example.org",
        "Feedback via the survey@ link",
    ],
)
def test_not_email_addresses(text: str) -> None:
    assert "email" not in kinds(text)


# --- phone numbers ----------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "01234 567890",
        "0131 123 4567",
        "07700 900123",
        "07700 900 123",
        "+44 7700 900123",
        "+447700900123",
        "0044 131 496 0000",
        "+44 (0)131 496 0000",
        "(0141) 123 4567",
        "(01234) 567890",
        "020 7946 0000",
        "0131-496-0000",
        "01314960000",
    ],
)
def test_phone_numbers_are_found(number: str) -> None:
    assert flagged(f"Call {number} or e-mail.") == [("phone", number)]


@pytest.mark.parametrize(
    "text",
    [
        "In 2017, 85% of children were seen within 10 days.",
        "Most records read (34 of 40) showed good practice.",
        "Between 2014-2016 and 2016-2018 referrals rose 12%.",
        "0131 496 00",  # too short
        "0131 496 000000",  # too long
        "Reference 012345678901234",  # inside a longer run
        "Budget 1,01314960000",
        "0.1314960000",
        "Ratio 0 1314 960000",  # trunk 0 detached
        "01/03/2015 and 02/04/2016",
        "0 131 4 9 6 0 0 0 0",  # one-digit groups
    ],
)
def test_not_phone_numbers(text: str) -> None:
    assert "phone" not in kinds(text)


def test_phone_in_brackets_is_still_found() -> None:
    assert flagged("(0131 496 0000)") == [("phone", "0131 496 0000")]


# --- postcodes --------------------------------------------------------------


@pytest.mark.parametrize(
    "postcode",
    [
        "EH1 2AB",
        "G2 1DY",
        "KA7 1AA",
        "SW1A 1AA",
        "eh1 2ab",
        "Ab10 1xy",
        "EH12AB",
        "GIR 0AA",
        "M1 1AE",
        "DD1 4HN",
    ],
)
def test_postcodes_are_found(postcode: str) -> None:
    assert flagged(f"Lives at {postcode}, near the school.") == [("postcode", postcode)]


@pytest.mark.parametrize(
    "text",
    [
        "EH1 is a district",  # no inward part
        "Quality indicator 5.2 and QI 2.1",
        "In S1 2nd term and P7 4th week",  # school years, lower-case ordinals
        "Level 3 of the COVID 19 plan",
        "The A1 road and M8 motorway",
        "Q3 4TH quarter",  # Q does not start a postcode
        "EH1 2CI",  # C and I are not used in the inward code
        "XEH1 2AB",  # part of a longer word
        "EH1 2ABC",
    ],
)
def test_not_postcodes(text: str) -> None:
    assert "postcode" not in kinds(text)


# --- dates of birth ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("DOB 12/03/2015", "12/03/2015"),
        ("D.O.B. 12/03/2015", "12/03/2015"),
        ("dob: 12.3.15", "12.3.15"),
        ("Date of birth 12 March 2015", "12 March 2015"),
        ("date of birth: 2015-03-12", "2015-03-12"),
        ("born 12/03/2015", "12/03/2015"),
        ("Born on 3rd March 2015", "3rd March 2015"),
        ("born in Glasgow on 3 March 2015", "3 March 2015"),
        ("born on the 3rd of March, 2015", "3rd of March, 2015"),
        ("born March 3rd, 2015", "March 3rd, 2015"),
        ("born in March 2015", "March 2015"),
        ("birthday is 3 Sept", "3 Sept"),
        ("birth date 03/12/2015", "03/12/2015"),
        ("born 12-03-15", "12-03-15"),
        ("born 03/25/2015", "03/25/2015"),  # US order: still a date
    ],
)
def test_dates_of_birth_are_found(text: str, date: str) -> None:
    assert flagged(text) == [("date_of_birth", date)]


@pytest.mark.parametrize(
    "text",
    [
        "The case conference on 12/03/2018 agreed a plan.",  # plain dates are not flagged
        "Reviewed 3 March 2015 and 2015-03-12.",
        "born 31/31/2015",  # no such date in either order
        "stubborn 12/03/2015",
        "born to parents who later moved house in 12/03/2015",  # too far from the keyword
        "newborn babies seen on 12/03/2015",
        "born in 2015",  # a year alone
        "DOB 12/03/20155",
    ],
)
def test_not_dates_of_birth(text: str) -> None:
    assert "date_of_birth" not in kinds(text)


# --- names ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Spoke with Mrs Smith about the plan.", "Smith"),
        ("Mr J. Smith attended.", "J. Smith"),
        ("Ms Jane Smith-Jones", "Jane Smith-Jones"),
        ("Dr O'Neill, the paediatrician", "O'Neill"),
        ("Miss MacLeod and Mx Grey", "MacLeod"),
        ("a girl called Amy", "Amy"),
        ("The child named Sam McDonald", "Sam McDonald"),
        ("her mother, known as Zoë,", "Zoë"),
        ("a boy who is called Kai", "Kai"),
        ("Amy (aged 7) said", "Amy"),
        ("Amy Smith, aged 12, said", "Amy Smith"),
        ("Kai age 9", "Kai"),
        ("Ruby, aged seven", "Ruby"),
    ],
)
def test_names_in_context_are_found(text: str, name: str) -> None:
    assert ("name", name) in flagged(text)


@pytest.mark.parametrize(
    "text",
    [
        "Most records read (34 of 40) showed that children were seen alone.",
        "In 2017, 85% of young people had a plan.",
        "Children aged 5-11 attended the group.",
        "Pupils aged 12 to 16 took part.",
        "Young people aged 16 and over",
        "Children (aged 7) and their families",
        "The mother called Social Work and the father called Police Scotland.",
        "A parent called the duty team.",
        "Each child has a Named Person.",
        "Child A (aged 7) and Child B",
        "Staff said Mr and Mrs were addressed formally.",
        "School age 5 to 16",
        "Under age 16",
        "The Care Inspectorate's Quality Improvement Framework",
        "Quality Indicator 5.2: Assessing risk and need",
    ],
)
def test_not_names(text: str) -> None:
    assert "name" not in kinds(text)


def test_extra_names_are_whole_words_ignoring_case() -> None:
    guard = PersonalDataGuard(extra_names=("Brodie", "Ann Marie"))
    assert flagged("The brodie family and ann  marie", guard) == [
        ("name", "brodie"),
        ("name", "ann  marie"),
    ]
    assert kinds("Brodies, Brodieson and xBrodie", guard) == []


def test_extra_names_prefer_the_longest() -> None:
    guard = PersonalDataGuard(extra_names=("Ann", "Ann Smith"))
    assert flagged("met Ann Smith", guard) == [("name", "Ann Smith")]


def test_default_name_patterns_are_documented_strings() -> None:
    assert PersonalDataGuard().name_patterns == DEFAULT_NAME_PATTERNS
    assert all(isinstance(p, str) for p in DEFAULT_NAME_PATTERNS)
    assert len(DEFAULT_NAME_PATTERNS) == 4


def test_custom_name_patterns_replace_the_defaults() -> None:
    guard = PersonalDataGuard(name_patterns=(r"\bTeam (?P<name>[A-Z]\w+)",))
    assert flagged("Team Rocket met Mrs Smith", guard) == [("name", "Rocket")]
    extended = PersonalDataGuard(name_patterns=(*DEFAULT_NAME_PATTERNS, r"\bFamily [A-Z]\b"))
    assert flagged("Family X met Mrs Smith", extended) == [
        ("name", "Family X"),
        ("name", "Smith"),
    ]


# --- configuration ----------------------------------------------------------


def test_kinds_can_be_chosen() -> None:
    text = "Mrs Smith, EH1 2AB, 0131 496 0000"
    guard = PersonalDataGuard(kinds=["postcode", K.PHONE])
    assert guard.kinds == frozenset({K.POSTCODE, K.PHONE})
    assert kinds(text, guard) == ["postcode", "phone"]
    assert PersonalDataGuard(kinds=()).scan(text) == ()
    assert PersonalDataGuard(kinds="name").kinds == frozenset({K.NAME})


def test_unknown_kind_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown kind of personal data 'nhs_number'"):
        PersonalDataGuard(kinds=["email", "nhs_number"])


def test_bad_name_pattern_is_named() -> None:
    with pytest.raises(InputError) as info:
        PersonalDataGuard(name_patterns=(r"ok", r"Mr (unclosed"))
    assert info.value.path == "name_patterns[1]"
    assert "name pattern 1 ('Mr (unclosed')" in str(info.value)
    assert "not a valid regular expression" in str(info.value)


def test_name_pattern_matching_nothing_is_refused() -> None:
    with pytest.raises(InputError, match="matches the empty string"):
        PersonalDataGuard(name_patterns=(r"[A-Z]*",))


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"extra_names": ("Smith", "  ")}, "extra_names[1]"),
        ({"extra_names": "Smith"}, "extra_names"),
        ({"name_patterns": r"Mr \w+"}, "name_patterns"),
        ({"extra_names": ("Smith", 3)}, "extra_names[1]"),
    ],
)
def test_bad_name_lists_are_input_errors(kwargs: dict[str, object], path: str) -> None:
    with pytest.raises(InputError) as info:
        PersonalDataGuard(**kwargs)  # type: ignore[arg-type]
    assert info.value.path == path


def test_guards_are_frozen_and_comparable() -> None:
    guard = PersonalDataGuard(extra_names=("Brodie",))
    assert guard == PersonalDataGuard(extra_names=("Brodie",))
    with pytest.raises(AttributeError):
        guard.extra_names = ()  # type: ignore[misc]


def test_scan_refuses_non_text() -> None:
    with pytest.raises(InputError, match="expected text"):
        scan_text(b"0101011237", field="notes")  # type: ignore[arg-type]


# --- matches, overlaps, messages ----------------------------------------------


def test_overlapping_matches_keep_the_earlier_then_the_longer() -> None:
    earlier = PersonalDataGuard(kinds={"name"}, name_patterns=(r"bcdef", r"abc"))
    assert flagged("xabcdefx", earlier) == [("name", "abc")]
    longer = PersonalDataGuard(kinds={"name"}, name_patterns=(r"ab", r"abcd"))
    assert flagged("xabcdx", longer) == [("name", "abcd")]


def test_a_chi_beginning_with_0_is_a_chi_not_a_phone() -> None:
    # 0101011237 is also 0 + nine digits; CHI wins ties.
    assert kinds("0101011237") == ["chi_number"]


def test_field_and_finding_id_are_copied_to_matches() -> None:
    (m,) = scan_text("CHI 0101011237", field="findings[3].statement", finding_id="F12")
    assert (m.kind, m.start, m.end) == (K.CHI_NUMBER, 4, 14)
    assert m.describe() == "a CHI number in findings[3].statement (finding 'F12')"
    assert str(m) == m.describe()
    assert scan_text("x jo@example.org")[0].describe() == "an e-mail address at character 3"


def test_describe_every_kind() -> None:
    texts = {
        K.CHI_NUMBER: "a CHI number",
        K.EMAIL: "an e-mail address",
        K.PHONE: "a phone number",
        K.POSTCODE: "a postcode",
        K.DATE_OF_BIRTH: "a date of birth",
        K.NAME: "a name",
    }
    for kind, words in texts.items():
        m = PersonalDataMatch(kind=kind, start=0, end=1, field="notes")
        assert m.describe() == f"{words} in notes"


def test_match_offsets_are_checked() -> None:
    with pytest.raises(InputError):
        PersonalDataMatch(kind="email", start=5, end=5)


def test_error_message_never_shows_the_text() -> None:
    text = "Mrs Smith, CHI 0101011237, jo@example.org"
    matches = scan_text(text, field="findings[0].statement", finding_id="F1")
    err = PersonalDataError(matches, file="findings.toml")
    assert isinstance(err, QifevalError)
    message = str(err)
    assert message.startswith("findings.toml: personal data found (3 possible identifiers")
    assert "a CHI number in findings[0].statement (finding 'F1')" in message
    for m in matches:
        assert text[m.start : m.end] not in message
    again = pickle.loads(pickle.dumps(err))
    assert (again.matches, again.file, str(again)) == (err.matches, err.file, message)


def test_error_message_summarises_many_matches() -> None:
    matches = [PersonalDataMatch(kind="name", start=i, end=i + 1) for i in range(12)]
    message = str(PersonalDataError(matches))
    assert "12 possible identifiers" in message
    assert message.endswith("; and 2 more")


def test_redact_labels_each_kind() -> None:
    assert redact("DOB 12/03/2015, Mrs Smith, EH1 2AB.") == (
        "DOB [redacted date_of_birth], Mrs [redacted name], [redacted postcode]."
    )
    assert redact("Call 0131 496 0000", replacement="***") == "Call ***"
    assert redact("Nothing personal here.") == "Nothing personal here."


def test_realistic_findings_pass_untouched() -> None:
    findings = [
        "Most records read (34 of 40) showed a chronology that was up to date.",
        "In 2017, 85% of initial child protection case conferences were held within 28 days.",
        "Staff in Team 3 told us on 12/03/2018 that supervision happens every 4-6 weeks.",
        "Children and young people aged 12-17 said they felt listened to (QI 2.1).",
        "The Child Protection Committee's 2016-2018 business plan sets out 14 actions.",
        "Quality indicator 5.2: 9 of the 12 risk assessments read were good or better.",
        "Parents said the Family Support Service, tel. line and drop-in helped.",
        "Figures 1234567890 and 9876543210 come from the performance report.",
    ]
    for text in findings:
        assert scan_text(text) == (), text


def test_the_framework_texts_hold_nothing_to_flag() -> None:
    # Thousands of lines of professional prose about children and families.
    files = [f for f in resources.files("qifeval.frameworks").iterdir() if f.name.endswith(".toml")]
    assert files
    for file in files:
        assert scan_text(file.read_text(encoding="utf-8"), field=file.name) == ()


def test_masking_reveals_what_a_neighbour_hid() -> None:
    # Five words between "born" and the date, but four once the name is masked.
    text = "born Mrs Jane Smith-Jones on 12/03/2015"
    assert flagged(text) == [("name", "Jane Smith-Jones"), ("date_of_birth", "12/03/2015")]
    assert redact(text) == "born Mrs [redacted name] on [redacted date_of_birth]"
    # A name glued to a keyword: "AmyBORN" is not a word boundary until masked.
    assert kinds("a girl called AmyBORN 12/03/2015") == ["name", "date_of_birth"]


@pytest.mark.parametrize(
    "text",
    [
        "Amy said the plan helped her.",  # a name without context
        "mrs smith and SMITH",  # not capitalised as a name
        "the Brodies",  # plural of an extra name
        "12 Station Road, Ayr",  # an address without a postcode
        "born in 2015",  # a year of birth
        "jo at example dot org",
        "NHS number 943 476 5919",  # England and Wales; fails the CHI date check
        "CHI 01 01 01 12 37",  # other groupings
        "CHI 0101 011 237",
        "CHI 01/01/01 1237",
        "Call 0131  496 0000",  # two separators
        "the boy (7) said",  # an age without a name
        "Ruby, seven, said",  # a bare age in words
        "March (7)",  # an excluded word before a bare number
        "B. 12/03/2015",  # a capital B. is not taken for born
        "EH1 2 ab",  # a split inward code in lower case
        "jo@nhs .scot",  # a space inside the domain
    ],
)
def test_documented_blind_spots(text: str) -> None:
    # docs/explanation/privacy.md says these are not caught; keep it honest.
    assert PersonalDataGuard(extra_names=("Brodie",)).scan(text) == ()


# --- properties -------------------------------------------------------------


@given(risky_text)
def test_matches_are_sorted_non_overlapping_and_inside_the_text(text: str) -> None:
    matches = scan_text(text)
    end = 0
    for m in matches:
        assert end <= m.start < m.end <= len(text)
        end = m.end


@given(risky_text)
def test_redacted_text_has_nothing_left_to_find(text: str) -> None:
    assert scan_text(redact(text)) == ()


@given(risky_text)
def test_redact_changes_nothing_outside_the_matches(text: str) -> None:
    assume("\x00" not in text)
    matches = scan_text(text)
    kept = []
    pos = 0
    for m in matches:
        kept.append(text[pos : m.start])
        pos = m.end
    kept.append(text[pos:])
    assert redact(text, replacement="\x00").split("\x00") == kept


@given(risky_text, st.text(max_size=20), st.one_of(st.none(), st.text(max_size=8)))
def test_repr_and_describe_never_show_the_matched_text(
    text: str, field: str, finding_id: str | None
) -> None:
    for m in scan_text(text, field=field, finding_id=finding_id):
        secret = text[m.start : m.end]
        assume(secret not in field and (finding_id is None or secret not in finding_id))
        assert secret not in repr(m)
        assert secret not in m.describe()
        assert secret not in str(PersonalDataError([m]))


# --- performance: no catastrophic backtracking -------------------------------


def _big_texts() -> list[str]:
    rng = random.Random(9)
    size = 100_000
    mixed = "".join(rng.choice("0123456789abcdefghijABCDEFGHIJ  ") for _ in range(size))
    return [
        mixed,
        "1" * size,
        "a" * size,
        "A" * size,
        ("Ab" * size)[:size],
        ("a." * size)[:size],
        ("a@" * size)[:size],
        ("a@b." * size)[:size],
        ("0 " * size)[:size],
        ("Mrs " * size)[:size],
        ("born " * size)[:size],
        ("Amy " * size)[:size],
        ("EH1 " * size)[:size],
        ("+44 " * size)[:size],
        ("12/" * size)[:size],
    ]


@pytest.mark.parametrize("index", range(15))
def test_scanning_100kb_finishes(index: int) -> None:
    text = _big_texts()[index]
    assert len(text) == 100_000
    guard = PersonalDataGuard(extra_names=("Brodie", "Ann Smith"))
    matches = guard.scan(text)
    assert all(m.end <= len(text) for m in matches)


def test_docstring_examples() -> None:
    failures, tried = doctest.testmod(_privacy, optionflags=doctest.ELLIPSIS)
    assert tried > 0
    assert failures == 0


# --- the corpora: realistic identifiers and ordinary inspection sentences ---

_CORPORA = resources.files("tests") / "data" / "privacy"


def _corpus(name: str) -> list[str]:
    text = (_CORPORA / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _unmark(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """The text without the [[ ]] marks, and the spans they marked."""
    text, spans, pos = "", [], 0
    for m in re.finditer(r"\[\[(.*?)\]\]", marked):
        text += marked[pos : m.start()]
        spans.append((len(text), len(text) + len(m[1])))
        text += m[1]
        pos = m.end()
    return text + marked[pos:], spans


def _caught(kind: str, marked: str) -> bool:
    text, spans = _unmark(marked)
    found = scan_text(text)
    for start, end in spans:
        covered = all(any(m.start <= i < m.end for m in found) for i in range(start, end))
        of_kind = any(m.kind.value == kind and m.start < end and start < m.end for m in found)
        if not (covered and of_kind):
            return False
    return True


def test_the_identifier_corpus_is_caught_in_full(capsys: pytest.CaptureFixture[str]) -> None:
    lines = _corpus("identifiers.txt")
    assert len(lines) >= 100
    entries = [line.split("\t") for line in lines]
    assert {kind for kind, _ in entries} == {k.value for k in PersonalDataKind}
    for kind, marked in entries:
        if kind == "chi_number":  # the corpus itself must hold valid CHI numbers
            for start, end in _unmark(marked)[1]:
                digits = "".join(c for c in _unmark(marked)[0][start:end] if c.isdigit())
                assert is_valid_chi(digits), marked
    missed = [marked for kind, marked in entries if not _caught(kind, marked)]
    with capsys.disabled():
        caught = len(entries) - len(missed)
        print(f"\nidentifiers caught: {caught} of {len(entries)} ({caught / len(entries):.0%})")
    assert missed == []


def test_ordinary_sentences_are_rarely_flagged(capsys: pytest.CaptureFixture[str]) -> None:
    lines = _corpus("ordinary.txt")
    assert len(lines) >= 200
    flagged_lines = [line for line in lines if scan_text(line)]
    with capsys.disabled():
        rate = len(flagged_lines) / len(lines)
        print(f"\nordinary sentences flagged: {len(flagged_lines)} of {len(lines)} ({rate:.1%})")
    assert len(flagged_lines) <= 0.05 * len(lines), flagged_lines


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Jamie (7)", "name"),
        ("Jamie, 7, said", "name"),
        ("Date-of-birth 12/03/2015", "date_of_birth"),
        ("b. 12/03/2015", "date_of_birth"),
        ("EH1  2AB", "postcode"),
        ("EH1 2 AB", "postcode"),
        ("0131.123.4567", "phone"),
        ("0 1 3 1 4 9 6 0 0 0 0", "phone"),
        ("01-01-01-1237", "chi_number"),
        ("01010 11237", "chi_number"),
        ("01.01.01.1237", "chi_number"),
        ("0 1 0 1 0 1 1 2 3 7", "chi_number"),
        ("jamie.smith@ nhs.scot", "email"),
    ],
)
def test_forms_once_missed_are_caught(text: str, kind: str) -> None:
    assert kind in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "The partnership was graded Good (4) and Adequate (3).",
        "See Table 3, 4, and Appendix (2).",
        "Registrations: North (22), South (18).",
        "Responses from Edinburgh (412) and Fife (96).",  # not an age
        "Jamie (7.5 hours of contact)",  # a decimal, not an age
        "2 4 0 7 2 4 8 4 6 5 1",  # eleven single digits: not a CHI number
        "3 0 1 0 1 0 1 1 2 3 7",
        "0 1 3 1 4 9 6 0 0 0 0 0",  # twelve single digits: not a phone number
        "in 2 ab",  # a split inward code in lower case reads as words
        "Staff @ the hub.org",  # spaces on both sides of the @
        "Part B. 12/03/2015",  # only a lower-case b. is taken for born
    ],
)
def test_new_forms_keep_their_limits(text: str) -> None:
    assert scan_text(text) == (), text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Fife (7) and Edinburgh, 12, led the work", "name"),  # a count written as an age
        ("Table row: 0 1 3 1 2 0 0 0 0 1 1", "phone"),  # eleven single digits
    ],
)
def test_documented_false_positives(text: str, kind: str) -> None:
    # docs/explanation/privacy.md says these are flagged; keep it honest.
    assert kind in kinds(text)


# --- preconditions change nothing but the time taken -------------------------

ADVERSARIAL = [
    *FRAGMENTS,
    "Jamie (7)",
    "Jamie, 7,",
    "(18 months)",
    "01-01-01-1237",
    "01010 11237",
    "0 1 0 1 0 1 1 2 3 7",
    "0 1 3 1 4 9 6 0 0 0 0",
    "0131.496.0000",
    "EH1  2AB",
    "EH1 2 AB",
    "b. 12/03/2015",
    "Date-of-birth",
    "jamie.smith@ nhs.scot",
    "the boy \u212anown as Kai",  # KELVIN SIGN: "known" ignoring case
    "ſ",
    "a girl Called Amy",
    "mum NAMED Jo",
    "Amy AGED 7",
    "Mi",
    "Dr",
    "B",
]
adversarial_text = st.lists(
    st.tuples(
        st.one_of(small_text, st.sampled_from(ADVERSARIAL), chis()),
        st.sampled_from(["", " ", ", ", "\n", " (", ") ", ".", "-"]),
    ),
    max_size=10,
).map(lambda parts: "".join(p + sep for p, sep in parts))


@given(adversarial_text)
@example("a girl Called Amy; the boy \u212anown as Kai; Amy AGED 7; Ms Grey")
@example("CHI 0101011237, 0 1 3 1 4 9 6 0 0 0 0 jo@ example.org EH1 2 AB DOB 1/2/15")
@example("Call 0131 496 0000 or jo@example.org")
def test_gated_detectors_find_what_ungated_ones_find(text: str) -> None:
    guard = PersonalDataGuard(extra_names=("Brodie",))
    plan = guard._plan()
    active = plan.always | plan.opened((text,)).get(0, set())
    assert sorted(guard._candidates(text, active)) == sorted(guard._candidates(text))
    assert guard._one_pass(text, active) == guard._one_pass(text)


@given(adversarial_text)
def test_redacting_new_forms_leaves_nothing_to_find(text: str) -> None:
    assert scan_text(redact(text)) == ()


@given(chi_digits(), st.sampled_from(["2224", "55", "digits"]), st.sampled_from([" ", "-", "."]))
def test_valid_chis_in_new_groupings_are_found(digits: str, style: str, sep: str) -> None:
    if style == "2224":
        text = sep.join([digits[:2], digits[2:4], digits[4:6], digits[6:]])
    elif style == "55":
        text = f"{digits[:5]}{sep}{digits[5:]}"
    else:
        text = sep.join(digits)
    guard = PersonalDataGuard(kinds={"chi_number"})
    assert flagged(text, guard) == [("chi_number", text)]


# --- evaluate scans every user text, ids included ----------------------------

SECRET = "CHI 0101011237 Jamie Smith (aged 7)"
# Fields that are checked against the framework (an indicator id, an
# illustration or key factor reference) or a fixed vocabulary, so cannot
# carry free text.
NOT_FREE_TEXT = {"qi", "illustration", "key_factor", "framework"}


def _evidence(**changes: str) -> EvidenceSet:
    """An evidence set with one finding, one challenge and one piece of
    readiness evidence; *changes* puts text into ``item.field``."""
    parts = {
        "finding": {
            "id": "F1",
            "qi": "5.2",
            "statement": "Most records had a chronology.",
            "valence": "strength",
            "weight": "important",
            "source": "practice",
            "source_detail": "",
            "ref": None,
        },
        "challenge": {
            "id": "C1",
            "kind": "budgetary_pressures",
            "severity": "moderate",
            "note": "",
        },
        "readiness": {
            "id": "R1",
            "aspect": "managing_risk",
            "statement": "The risk register is reviewed monthly.",
            "valence": "strength",
            "source": "documentation",
            "ref": None,
        },
        "evidence": {"partnership": "Anytown partnership", "title": ""},
    }
    for key, value in changes.items():
        item, name = key.split("__")
        parts[item][name] = value
    return EvidenceSet(
        **parts["evidence"],
        findings=[Finding(**parts["finding"])],
        context=Context(
            challenges=[ContextualChallenge(**parts["challenge"])],
            readiness=[ReadinessEvidence(**parts["readiness"])],
        ),
    )


def _str_fields(cls: type) -> list[str]:
    attrs.resolve_types(cls)
    return [
        f.name
        for f in attrs.fields(cls)
        if f.type in (str, str | None) and f.name not in NOT_FREE_TEXT
    ]


@pytest.mark.parametrize(
    ("item", "cls", "path"),
    [
        ("finding", Finding, "findings[0]"),
        ("challenge", ContextualChallenge, "context.challenges[0]"),
        ("readiness", ReadinessEvidence, "context.readiness[0]"),
        ("evidence", EvidenceSet, ""),
    ],
)
def test_every_free_text_field_is_scanned(item: str, cls: type, path: str) -> None:
    names = _str_fields(cls)
    assert "id" in names or cls is EvidenceSet
    assert _str_fields(EvidenceSet) == ["partnership", "title"]
    for name in names:
        found = scan_evidence(_evidence(**{f"{item}__{name}": SECRET}))
        where = f"{path}.{name}" if path else name
        assert {m.field for m in found} == {where}, name
        assert {m.kind for m in found} == {K.CHI_NUMBER, K.NAME}


def test_an_id_holding_personal_data_is_refused_without_repeating_it() -> None:
    ev = _evidence(finding__id=SECRET)
    with pytest.raises(PersonalDataError) as info:
        qifeval.evaluate(ev, strict=True)
    message = str(info.value)
    assert "a CHI number in findings[0].id" in message
    assert "a name in findings[0].id" in message
    for secret in ("0101011237", "Jamie", "Smith"):
        assert secret not in message
    # the finding is named by its id with the flagged parts redacted
    assert {m.finding_id for m in info.value.matches} == {
        "CHI [redacted chi_number] [redacted name] (aged 7)"
    }
    with pytest.warns(qifeval.PersonalDataWarning, match=r"findings\[0\]\.id"):
        qifeval.evaluate(ev)


def test_context_ids_are_scanned_too() -> None:
    for item, path in (("challenge", "challenges"), ("readiness", "readiness")):
        found = scan_evidence(_evidence(**{f"{item}__id": "Amy (aged 7)"}))
        assert [(m.field, m.finding_id) for m in found] == [
            (f"context.{path}[0].id", "[redacted name] (aged 7)")
        ]


def test_the_previous_evaluations_label_is_scanned() -> None:
    ev = _evidence()
    previous = qifeval.PreviousEvaluation(
        label="Review after Mrs Smith's complaint", framework="qif-2018", grades={}
    )
    with pytest.raises(PersonalDataError, match=r"a name in previous\.label"):
        qifeval.evaluate(ev, previous=previous, strict=True)
    earlier = qifeval.evaluate(_evidence(evidence__title="Self-evaluation, contact jo@example.org"))
    with pytest.raises(PersonalDataError, match=r"an e-mail address in previous\.label"):
        qifeval.evaluate(ev, previous=earlier, strict=True)


def test_decisions_are_scanned_with_the_evaluation() -> None:
    e = qifeval.evaluate(_evidence(), strict=True)
    assert scan_evaluation(e) == ()
    e = e.override(
        "5.2",
        2,
        role="Lead officer, mob. 07700 900123",
        rationale="Jamie (7) was not seen alone.",
    )
    found = scan_evaluation(e)
    assert [(m.field, m.kind.value) for m in found] == [
        ("decisions[0].role", "phone"),
        ("decisions[0].rationale", "name"),
    ]
    with pytest.raises(PersonalDataError, match=r"decisions\[0\]\.rationale"):
        qifeval.evaluation._evaluate.check_personal_data(e, strict=True)
