"""The personal-data guard: find (and redact) identifying details in text.

Inspectors do not record names or identifying details of children and
families, and personal data sent to them must be adequate, relevant and
limited to what is necessary. Findings, refs and notes are written by people
in a hurry, so qifeval scans them for the identifiers that most often slip
in: CHI numbers, e-mail addresses, UK phone numbers, UK postcodes, dates of
birth and names in recognisable contexts.

A :class:`PersonalDataGuard` says which kinds to look for and which name
patterns and local names to use; :meth:`PersonalDataGuard.scan` returns
:class:`PersonalDataMatch` objects that say *where* and *what kind*, never the
matched text, and :meth:`PersonalDataGuard.redact` replaces the matches.

The guard is a safety net, not a guarantee: see ``docs/explanation/privacy.md``
for what it cannot catch.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import enum
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence, Set
from itertools import compress, filterfalse
from operator import itemgetter
from typing import NamedTuple, cast

import attrs

from ._errors import InputError

__all__ = [
    "DEFAULT_NAME_PATTERNS",
    "PersonalDataGuard",
    "PersonalDataKind",
    "PersonalDataMatch",
    "redact",
    "scan_text",
]


def __dir__() -> list[str]:
    return __all__


class PersonalDataKind(enum.StrEnum):
    """A kind of personal identifier the guard can look for."""

    CHI_NUMBER = "chi_number"
    EMAIL = "email"
    PHONE = "phone"
    POSTCODE = "postcode"
    DATE_OF_BIRTH = "date_of_birth"
    NAME = "name"

    @property
    def description(self) -> str:
        """The kind in words, with its article, e.g. ``"a CHI number"``."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    PersonalDataKind.CHI_NUMBER: "a CHI number",
    PersonalDataKind.EMAIL: "an e-mail address",
    PersonalDataKind.PHONE: "a phone number",
    PersonalDataKind.POSTCODE: "a postcode",
    PersonalDataKind.DATE_OF_BIRTH: "a date of birth",
    PersonalDataKind.NAME: "a name",
}

# When two candidates start at the same place and are as long as each other,
# the kind listed first wins (a CHI number beginning with 0 is also shaped
# like a phone number).
_PRIORITY = {kind: i for i, kind in enumerate(PersonalDataKind)}


@attrs.frozen(kw_only=True, repr=False)
class PersonalDataMatch:
    """Where the guard found something that looks like personal data.

    A match records the kind and the offsets of the flagged text, never the
    text itself, so that a match can be printed, logged or put in a report
    without repeating what it flags.

    :param kind: what was found.
    :param start: the offset of the first flagged character in the scanned
        text.
    :param end: the offset just past the last flagged character, so that
        ``text[start:end]`` is the flagged text.
    :param field: where the text came from, as given by the caller, e.g.
        ``"findings[3].statement"``; ``""`` if not given.
    :param finding_id: the id of the finding the text belongs to, if any.
    """

    kind: PersonalDataKind = attrs.field(converter=PersonalDataKind)
    start: int
    end: int
    field: str = ""
    finding_id: str | None = None

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise InputError(
                f"a match needs 0 <= start < end, got start={self.start}, end={self.end}"
            )

    def describe(self) -> str:
        """Say in words what was found and where, without the text itself.

        >>> PersonalDataMatch(
        ...     kind="chi_number", start=4, end=14,
        ...     field="findings[3].statement", finding_id="F12",
        ... ).describe()
        "a CHI number in findings[3].statement (finding 'F12')"
        >>> PersonalDataMatch(kind="email", start=4, end=20).describe()
        'an e-mail address at character 5'
        """
        where = f" in {self.field}" if self.field else f" at character {self.start + 1}"
        finding = f" (finding {self.finding_id!r})" if self.finding_id is not None else ""
        return f"{self.kind.description}{where}{finding}"

    def __str__(self) -> str:
        return self.describe()

    def __repr__(self) -> str:
        return (
            f"PersonalDataMatch(kind={self.kind.value!r}, start={self.start}, end={self.end}, "
            f"field={self.field!r}, finding_id={self.finding_id!r})"
        )


# ---------------------------------------------------------------------------
# Detectors. Each finds candidate spans with a precompiled regular expression
# (every repetition bounded or anchored so that scanning stays linear) and,
# where the format allows, validates the candidate in Python.

_Span = tuple[int, int]

# A digit run must not continue on either side, also not through a decimal
# point or thousands separator ("1,234567890" or "0.1234567890"); before the
# run this is checked by _first() below.
_NOT_BEFORE_NUMBER = r"(?![0-9])(?![.,][0-9])"

# One space, hyphen or dot between groups of digits.
_SEP = r"[ .\-]"


def _first(digit: str, *, single: bool = False) -> str:
    """*digit* as the first digit of a number: no digit, and no digit and a
    decimal point or comma, just before it. The lookbehinds come after the
    digit so that the search can skip ahead to digits. With *single*, no
    single digit with a separator either (see below)."""
    first = rf"{digit}(?<![0-9]{digit})(?<![0-9][.,]{digit})"
    if single:
        first += rf"(?<!(?<![0-9])[0-9]{_SEP}{digit})"
    return first


# Ten digits together or grouped 3-3-4 (or 3-7), 6-4, 2-2-2-4 or 5-5.
_CHI = (
    _first("[0-9]")
    + rf"(?:[0-9]{{2}}{_SEP}?[0-9]{{3}}{_SEP}?[0-9]{{4}}"
    + rf"|[0-9]{{5}}{_SEP}?[0-9]{{4}}"
    + rf"|[0-9]{_SEP}[0-9]{{2}}{_SEP}[0-9]{{2}}{_SEP}[0-9]{{4}}"
    + rf"|[0-9]{{4}}{_SEP}[0-9]{{5}})"
    + _NOT_BEFORE_NUMBER
)
# Digits written one by one ("0 1 0 1 0 1 1 2 3 7"): the run of single
# digits must be exactly as long as the number, so no single digit may stand
# next to it with a separator between.
_NOT_BEFORE_DIGIT = r"(?![0-9])(?![.,][0-9])(?![ .\-][0-9](?![0-9]))"
_CHI_BY_DIGIT = _first("[0-9]", single=True) + rf"(?:{_SEP}[0-9]){{9}}" + _NOT_BEFORE_DIGIT


def _valid_ddmmyy(digits: str) -> bool:
    day, month, yy = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    for century in (1900, 2000):
        try:
            _dt.date(century + yy, month, day)
        except ValueError:
            continue
        return True
    return False


def _chi_check_digit(first_nine: str) -> int | None:
    """The modulus-11 check digit for the first nine digits of a CHI number,
    or ``None`` if no check digit makes a valid number (remainder 1)."""
    total = sum(w * int(d) for w, d in zip(range(10, 1, -1), first_nine, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def _valid_chi(candidate: str) -> bool:
    digits = "".join(c for c in candidate if c.isdigit())
    if len(digits) != 10 or not _valid_ddmmyy(digits):
        return False
    return _chi_check_digit(digits[:9]) == int(digits[9])


# The local part must start where a run of local-part characters starts, or
# the search would try every position of a long word (quadratic time). One
# stray space may stand on one side of the "@" ("jo.bloggs@ example.org").
_EMAIL = (
    r"(?<![A-Za-z0-9._%+\-])"
    r"[A-Za-z0-9._%+\-]{1,64}"
    r"(?: ?@|@ )(?:[A-Za-z0-9\-]{1,63}\.){1,8}[A-Za-z]{2,24}"
    r"(?![A-Za-z0-9\-])"
)

# +44 / 0044 (optionally with "(0)") or the trunk 0, optionally in brackets
# with the area code (a digit may not come just before 0044 or 0; "+" and "("
# start a number of their own), then the national significant number (10
# digits, the first not 0, 4 or 6) with at most one space, hyphen, dot or
# closing bracket between digits. The grouping is checked in Python.
_PHONE = (
    r"(?P<prefix>\+44[ .\-]?(?:\(0\)[ .\-]?)?|\(0|"
    + _first("0")
    + r"(?:044[ .\-]?(?:\(0\)[ .\-]?)?)?)"
    + r"(?P<body>[1235789](?:[ .\-]?[0-9]|\)[ .\-]?[0-9]){9})"
    + _NOT_BEFORE_NUMBER
)
# The trunk 0 and the ten digits written one by one ("0 1 3 1 4 9 6 0 0 0 0").
_PHONE_BY_DIGIT = (
    _first("0", single=True) + rf"{_SEP}[1235789](?:{_SEP}[0-9]){{9}}" + _NOT_BEFORE_DIGIT
)


def _valid_phone(match: re.Match[str]) -> bool:
    prefix, body = match["prefix"], match["body"]
    if body.count(")") != (1 if prefix == "(0" else 0):
        return False
    if prefix == "(0":
        # the bracket closes an area code of 2-5 digits after the 0: (01) to (016977)
        area = body.index(")")
        if not 2 <= area <= 5:
            return False
    groups = [g for g in re.split(r"[ .\-)]+", body) if g]
    # "(0" counts with the first group; one-digit groups are not a phone format
    return len(groups) <= 4 and all(len(g) >= 2 for g in groups[1:])


# Outward code (A9, A99, A9A, AA9, AA99, AA9A) and inward code (9AA) with the
# letters the Royal Mail uses in each position, plus GIR 0AA; up to three
# spaces between the two codes. A split inward code ("EH1 2 AB") only in
# capitals: in lower case it reads as words ("in 2 as").
_OUTWARD = r"(?:[A-PR-UWYZ][0-9][0-9A-HJKPSTUW]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)"
_INWARD_LETTER = "ABD-HJLNP-UW-Z"
_INWARD_LETTERS = rf"[{_INWARD_LETTER}]{{2}}"
_POSTCODE = (
    r"(?<![A-Za-z0-9])"
    r"(?:(?i:" + _OUTWARD + r"[ \u00a0]{0,3}[0-9]" + _INWARD_LETTERS + r"|GIR[ \u00a0]{0,3}0AA"
    r")|" + _OUTWARD + r"[ \u00a0]{0,3}[0-9][ \u00a0]" + _INWARD_LETTERS + r")"
    r"(?![A-Za-z0-9])"
)
# "S1 2nd", "P7 4th": school years followed by a lower-case ordinal.
_ORDINAL = ("st", "nd", "rd", "th")


def _valid_postcode(match: re.Match[str]) -> bool:
    end = match[0][-3:]
    return not (len(end) == 3 and end[0] in "0123456789" and end[1:] in _ORDINAL)


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:[0-2]?[0-9]|3[01])(?:st|nd|rd|th)?"
_DATE = (
    r"(?:"
    r"[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-](?:[0-9]{4}|[0-9]{2})"  # 12/03/2015, 12.3.15
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"  # 2015-03-12
    rf"|{_DAY}[ \t]+(?:of[ \t]+)?{_MONTH}(?:,?[ \t]+[0-9]{{4}})?"  # 3rd (of) March (2015)
    rf"|{_MONTH}[ \t]+{_DAY}(?:,?[ \t]+[0-9]{{4}})?"  # March 3rd(, 2015)
    rf"|{_MONTH},?[ \t]+[0-9]{{4}}"  # March 2015
    r")"
)
# A birth keyword, then up to four words ("born at home on", "DOB is", "born
# at 32 weeks on"), then a date; the nearest date wins. Or the abbreviation
# "b." (lower case) just before a date: "(b. 12/03/2015)". Only the date is
# flagged, so that "DOB [redacted date_of_birth]" still reads.
_DOB = (
    r"(?:(?i:"
    r"\b(?:d[ .]{0,2}o[ .]{0,2}b\b\.?|date[ \t\-]+of[ \t\-]+birth|birth[ \t\-]?date"
    r"|birthday|born)"
    r"(?:[^\w]{1,4}[^\W_]+){0,4}?[^\w]{1,4}"
    r")|\bb\.[ \t]?)"
    rf"(?P<date>(?i:{_DATE}))"
    r"(?![0-9A-Za-z])"
)


def _valid_dob(match: re.Match[str]) -> bool:
    numbers = re.fullmatch(r"([0-9]{1,4})[/.\-]([0-9]{1,2})[/.\-]([0-9]{1,4})", match["date"])
    if numbers is None:
        return True  # a day and a month name: plausible enough after a birth keyword
    a, b, c = (int(x) for x in numbers.groups())
    if len(numbers[1]) == 4:  # year first
        orders = [(a, b, c)]
    else:  # day first (UK), or month first (US)
        years = [c] if len(numbers[3]) == 4 else [1900 + c, 2000 + c]
        orders = [(y, b, a) for y in years] + [(y, a, b) for y in years]
    for year, month, day in orders:
        try:
            _dt.date(year, month, day)
        except ValueError:
            continue
        return True
    return False


# --- names -----------------------------------------------------------------

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
# One capitalised name: Smith, O'Neill, McDonald, MacLeod, Smith-Jones, Zoë.
_NAME_TOKEN = (
    rf"[{_UPPER}](?:[{_LOWER}]+|['’][{_UPPER}][{_LOWER}]+)"
    rf"(?:[{_UPPER}][{_LOWER}]+)?(?:-[{_UPPER}][{_LOWER}]+)?"
)
# Capitalised words that commonly stand before "aged 7" or after "called" in
# findings without being names. Kept in the patterns so users can see them.
_NOT_NAMES = (
    "A|All|Also|An|And|Any|Are|As|At|Aunt|Babies|Baby|Both|Boys|But|By|Carers|Child|Childline|"
    "ChildLine|Children|Class|Council|Duty|Each|Education|Emergency|Every|Families|Family|Few|"
    "For|From|Girls|Group|Groups|Had|Has|Have|He|Health|Her|His|Hospital|However|In|Infants|Is|"
    "It|Key|Learners|Many|Most|Named|Nursery|NHS|No|None|Of|On|Or|Other|Others|Over|Parents|"
    "Pension|People|Person|Police|Primary|Pupil|Pupils|Reporter|Retirement|School|Scotland|"
    "Scottish|Secondary|Service|Services|Several|She|Siblings|Social|Some|Staff|Stage|Students|"
    "Team|Teams|Teenagers|That|The|Their|These|They|This|Those|To|Uncle|Under|Was|We|Were|When|"
    "Where|Which|Who|With|Work|Year|Years|Young"
)
# The capital first, so that the list is tried only where a name can start.
_NAME = rf"(?=[{_UPPER}])(?!(?:{_NOT_NAMES})\b){_NAME_TOKEN}"
# Capitalised words that stand before a bare number in brackets or between
# commas ("Good (4)", "Table 3, 4,", "North (22)") in inspection reports:
# grades, parts of documents, plans and bodies, times and directions.
_NOT_NAMES_BEFORE_NUMBER = (
    f"{_NOT_NAMES}|"
    "Excellent|Good|Adequate|Weak|Unsatisfactory|Very|Grade|Grades|Level|Levels|Stages|Step|"
    "Steps|Phase|Phases|Tier|Tiers|Part|Parts|Section|Sections|Chapter|Chapters|Appendix|"
    "Appendices|Annex|Annexe|Table|Tables|Figure|Figures|Chart|Charts|Page|Pages|Paragraph|Para|"
    "Item|Items|Box|Question|Questions|Indicator|Indicators|Area|Areas|Priority|Priorities|"
    "Recommendation|Recommendations|Action|Actions|Outcome|Outcomes|Measure|Measures|Standard|"
    "Standards|Principle|Principles|Theme|Themes|Target|Targets|Objective|Objectives|Goal|Goals|"
    "Aim|Aims|Number|Numbers|Total|Totals|Case|Cases|Record|Records|Sample|Cohort|Wave|Round|"
    "Session|Sessions|Week|Weeks|Month|Months|Day|Days|Quarter|Quarters|Version|Score|Scores|"
    "Rank|Ward|Wards|Locality|Localities|Cluster|Clusters|Region|Unit|Units|Room|House|Houses|"
    "Site|Sites|North|South|East|West|Central|Committee|Partnership|Partnerships|Board|Forum|"
    "Panel|Hub|Office|Department|Inspectorate|Agency|Authority|Trust|Network|Programme|Project|"
    "Plan|Plans|Strategy|Framework|Model|Review|Reviews|Report|Reports|Survey|Surveys|Audit|"
    "Audits|Centre|Academy|College|University|Practice|Act|Policy|Guidance|Register|Conference|"
    "Conferences|Meeting|Meetings|Hearing|Hearings|Court|January|February|March|July|August|"
    "September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
    "Sunday"
)
_NAME_BEFORE_NUMBER = rf"(?=[{_UPPER}])(?!(?:{_NOT_NAMES_BEFORE_NUMBER})\b){_NAME_TOKEN}"
# A child's age written as a bare number, 0 to 25 (care leavers are supported
# up to 26), with an optional unit: "7", "7 yrs", "3y", "18 months", "16 years old".
_BARE_AGE = (
    r"(?:1[0-9]|2[0-5]|[0-9])(?![0-9])"
    r"(?:[ \t]*(?i:y/o|yo|y(?:rs?|ears?)?|m(?:ths?|onths?)?|w(?:ks?|eeks?)|days?)"
    r"(?:[ \t]+(?i:old))?(?![A-Za-z]))?"
)
# What follows a name in the fourth default name pattern: a bare age in
# brackets or between commas. The patterns are searched on their own too, to
# find the texts the name pattern can match (see _GATES).
_BARE_AGE_IN_BRACKETS = r"\([ \t]*" + _BARE_AGE + r"[ \t]*[),;]"
_BARE_AGE_BETWEEN_COMMAS = r",[ \t]*" + _BARE_AGE + r"[ \t]*(?:[,;)]|\.(?!\S))"
_AGE_NUMBER = (
    r"(?:[0-9]{1,2}(?![0-9])|(?i:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen)\b)"
)

DEFAULT_NAME_PATTERNS: tuple[str, ...] = (
    # An honorific and a capitalised name: "Mrs Smith", "Mr J. Smith", "Ms Jane Smith".
    rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+(?P<name>(?:[{_UPPER}]\.?[ \t]+)?{_NAME}(?:[ \t]+{_NAME})?)",
    # A relation, then called/named/known as, then a capitalised name:
    # "a girl called Amy", "the mother, named Jane Smith", "the child known as Sam".
    r"(?i:\b(?:(?:grand|step|foster)?(?:child|son|daughter|mother|father|parent)|boy|girl|baby"
    r"|infant|toddler|teenager|young person|pupil|brother|sister|sibling|mum|mam|dad|carer"
    r"|gran|granny|grandma|grandpa|aunt|uncle|cousin|partner|woman|man)"
    r",?(?:[ \t]+(?:who[ \t]+)?(?:is|was))?[ \t]+(?:called|named|known[ \t]+as)[ \t]+)"
    rf"(?P<name>{_NAME}(?:[ \t]+{_NAME})?)",
    # A capitalised name before an age: "Amy (aged 7)", "Amy Smith, aged 7", "Amy age 7".
    # Not an age range ("Pupils aged 5-11").
    rf"(?<![\w'’\-])(?P<name>(?:{_NAME}[ \t]+)?{_NAME})"
    r"(?:[ \t]*\([ \t]*|,[ \t]*|[ \t]+)(?i:aged?)[ \t]+"
    + _AGE_NUMBER
    + r"(?![ \t]*(?:-|–|to\b)[ \t]*[0-9])",
    # A capitalised name before a bare age in brackets or between commas:
    # "Jamie (7)", "Jamie Smith (7 yrs)", "Ellie (18 months)", "Jamie, 7, said".
    rf"(?<![\w'’\-])(?P<name>(?:{_NAME_BEFORE_NUMBER}[ \t]+)?{_NAME_BEFORE_NUMBER})"
    rf"(?:[ \t]*{_BARE_AGE_IN_BRACKETS}|{_BARE_AGE_BETWEEN_COMMAS})",
)
"""The regular expressions the default guard uses to find names.

1. an honorific (Mr, Mrs, Ms, Miss, Mx, Dr) and a capitalised name;
2. a relation (child, boy, girl, mother, carer, ...) then *called*, *named* or
   *known as* and a capitalised name;
3. a capitalised name before an age: *(aged 7)*, *, aged 7*, *age 7*;
4. a capitalised name before a bare age (0 to 25, optionally with a unit) in
   brackets or between commas: *Jamie (7)*, *Ellie (18 months)*,
   *Jamie, 7,*; not after words such as *Good*, *Table* or *North*.

Each flags the text of its group named ``name`` (or the whole match if a
pattern has no such group). Patterns are compiled as written, case-sensitive
unless they say otherwise (``(?i:...)``).
"""


# ---------------------------------------------------------------------------


def _finditer(
    pattern: re.Pattern[str],
    text: str,
    valid: Callable[[re.Match[str]], bool] | None = None,
    group: str | int = 0,
) -> Iterator[_Span]:
    """Spans of *group* in the matches of *pattern* that pass *valid*.

    A candidate that fails validation does not hide a valid one that starts
    inside it: the search resumes one character after its start.
    """
    pos = 0
    n = len(text)
    while pos <= n:
        m = pattern.search(text, pos)
        if m is None:
            return
        start, end = m.span(group)
        if start == -1 or start == end or (valid is not None and not valid(m)):
            pos = m.start() + 1
            continue
        yield start, end
        pos = max(m.end(), m.start() + 1)


# ---------------------------------------------------------------------------
# Gates. A detector's pattern runs on a text only where one of its gates finds
# something: a gate is a small pattern that finds, in one view of the text, a
# piece that every match of the detector's pattern holds (ten digits for a
# CHI or phone number, an "@" for an e-mail address, a birth word before a
# date of birth). A gate may find something in vain, but it finds something
# wherever its detector's pattern matches, so the gates only save time:
# tests/test_privacy_gating.py checks this on generated text.
#
# The gates search many texts at once, joined by a separator that no gate
# matches and that the gates' lookarounds read as the start or end of a text
# (it is not a letter, a digit, a word character or a punctuation mark a gate
# names, and it is white space). So a gate finds in the joined texts what it
# finds in each text, and the separators before what it finds count the text.

_BETWEEN = "\x1e"

_View = Callable[[str], str]


def _as_is(text: str) -> str:
    return text


# Under re.IGNORECASE four characters besides the ASCII letters read as ASCII
# letters: "\u0130" and "\u0131" as "i", "\u017f" as "s" and "\u212a" (the
# Kelvin sign) as "k".
_ODD_LETTERS = (("\u0130", "i"), ("\u0131", "i"), ("\u017f", "s"), ("\u212a", "k"))


def _fold(text: str) -> str:
    """*text* in lower case, where every character that a pattern ignoring
    case reads as an ASCII letter *is* that letter: a word that a
    case-ignoring pattern finds in the text is in this form of it."""
    for odd, plain in _ODD_LETTERS:
        if odd in text:
            text = text.replace(odd, plain)
    return text.lower()


def _utf8(text: str, table: bytes, drop: bytes = b"") -> str:
    """*text* in UTF-8 translated by *table* and without *drop*, read one
    character a byte (so every character but an ASCII one is two to four
    characters none of which is ASCII)."""
    return text.encode("utf-8", "surrogatepass").translate(table, drop).decode("latin-1")


_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
# C, I, K, M, O and V are not letters of an inward code.
_SHAPES = bytes.maketrans(
    b"123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    b"000000000AAxAAAAAxAxAxAxAAAAAAxAAAAaaxaaaaaxaxaxaxaaaaaaxaaaa",
)


def _numbers(text: str) -> str:
    """*text* with every ASCII digit 0 and every space, dot, hyphen and
    closing bracket dropped (see :func:`_utf8`): ten digits grouped in any
    way are ten zeros."""
    return _utf8(text, _DIGITS_TO_ZERO, b" .-)")


def _shapes(text: str) -> str:
    """*text* with every ASCII digit 0, every letter of a postcode's inward
    code A (a in lower case), every other ASCII letter x (see
    :func:`_utf8`)."""
    return _utf8(text, _SHAPES)


class _Gate(NamedTuple):
    """A pattern searched in one view of texts."""

    view: _View
    pattern: re.Pattern[str]
    # The character every match begins with: where the view lacks it (a
    # quick search), the pattern is not searched.
    lead: str


# The gates by name, as views and patterns. Each begins with a literal (its
# lead, see _gates), so that the search skips ahead to it.
_GATES: dict[str, tuple[tuple[_View, str], ...]] = {
    # CHI and phone numbers: ten digits, at most a closing bracket and one
    # space, dot or hyphen between each two.
    "ten digits": ((_numbers, "0000000000"),),
    "email": ((_as_is, "@"),),
    # A postcode's inward code: a digit and two of its letters in either case
    # or "\u017f" ("\xc5\xbf" in UTF-8), the one other character that reads
    # as one of them ignoring case; or in capitals after a space or a
    # no-break space ("\xc2\xa0"); then no ASCII letter or digit. One gate
    # for each start, so that each begins with two or more literals.
    "inward code": tuple(
        (_shapes, start + r"(?![0Aax])")
        for start in (
            r"0A(?:[Aa]|\xc5\xbf)",
            r"0a(?:[Aa]|\xc5\xbf)",
            "\xc5\xbf(?<=0\xc5\xbf)(?:[Aa]|\xc5\xbf)",
            "\xc2\xa0(?<=0\xc2\xa0)AA",
            "0 AA",
        )
    ),
    # A birth word (birth, born, d.o.b) or "b." before a date of birth.
    "birth": ((_fold, r"b(?:irth|orn|\.|(?<=ob)|(?<=o[ .]b)|(?<=o[ .]{2}b))"),),
    # The context of each default name pattern: an honorific; called, named
    # or known as; "age" or "aged" between spaces, a bracket or a comma; a
    # bare age in brackets or between commas.
    "honorific": ((_as_is, r"M(?:[rsx]|iss)"), (_as_is, "Dr")),
    "called": (
        (_fold, r"ed[ \t](?:(?<=called[ \t])|(?<=named[ \t]))"),
        (_fold, r"known[ \t]+as[ \t]"),
    ),
    "aged": ((_fold, r"age(?<=[ \t(,]age)d?[ \t]"),),
    "bare age": ((_as_is, _BARE_AGE_IN_BRACKETS), (_as_is, _BARE_AGE_BETWEEN_COMMAS)),
}
_NAME_GATES = dict(
    zip(DEFAULT_NAME_PATTERNS, ("honorific", "called", "aged", "bare age"), strict=True)
)


@functools.cache
def _gates(name: str) -> tuple[_Gate, ...]:
    return tuple(
        # the lead: the literal the source begins with, escaped or not
        _Gate(view, re.compile(source), source[1] if source.startswith("\\") else source[0])
        for view, source in _GATES[name]
    )


class _Detector(NamedTuple):
    """A pattern for one kind, the check its candidates must pass, and the
    gates that open it (none: it runs on every text)."""

    kind: PersonalDataKind
    pattern: re.Pattern[str]
    valid: Callable[[re.Match[str]], bool] | None = None
    group: str | int = 0
    gates: tuple[_Gate, ...] = ()


def _valid_chi_match(match: re.Match[str]) -> bool:
    return _valid_chi(match[0])


@functools.cache
def _builtin_detectors() -> tuple[_Detector, ...]:
    """The detectors of every kind but names, compiled on first use."""
    digits = _gates("ten digits")
    return (
        _Detector(PersonalDataKind.CHI_NUMBER, re.compile(_CHI), _valid_chi_match, gates=digits),
        _Detector(
            PersonalDataKind.CHI_NUMBER, re.compile(_CHI_BY_DIGIT), _valid_chi_match, gates=digits
        ),
        _Detector(PersonalDataKind.EMAIL, re.compile(_EMAIL), gates=_gates("email")),
        _Detector(PersonalDataKind.PHONE, re.compile(_PHONE), _valid_phone, gates=digits),
        _Detector(PersonalDataKind.PHONE, re.compile(_PHONE_BY_DIGIT), gates=digits),
        _Detector(
            PersonalDataKind.POSTCODE,
            re.compile(_POSTCODE),
            _valid_postcode,
            gates=_gates("inward code"),
        ),
        _Detector(
            PersonalDataKind.DATE_OF_BIRTH,
            re.compile(_DOB),
            _valid_dob,
            "date",
            gates=_gates("birth"),
        ),
    )


class _Plan(NamedTuple):
    """A guard's detectors; each gate, once, with the detectors it opens (by
    index); and the detectors without a gate."""

    detectors: tuple[_Detector, ...]
    gates: tuple[tuple[_Gate, frozenset[int]], ...]
    always: frozenset[int]

    @classmethod
    def of(cls, detectors: tuple[_Detector, ...]) -> _Plan:
        opens: dict[_Gate, set[int]] = {}
        for i, detector in enumerate(detectors):
            for gate in detector.gates:
                opens.setdefault(gate, set()).add(i)
        always = frozenset(i for i, d in enumerate(detectors) if not d.gates)
        return cls(detectors, tuple((g, frozenset(d)) for g, d in opens.items()), always)

    def opened(self, texts: Sequence[str]) -> dict[int, set[int]]:
        """The detectors that gates open in each of *texts*, by the text's
        index, for the texts in which a gate finds something."""
        joined = _BETWEEN.join(texts)
        if joined.count(_BETWEEN) != len(texts) - 1:  # a text holds the separator
            return {i: set(range(len(self.detectors))) for i in range(len(texts))}
        found: dict[_View, list[tuple[int, frozenset[int]]]] = {}
        views: dict[_View, str] = {}
        for (view, pattern, lead), detectors in self.gates:
            seen = views.get(view)
            if seen is None:
                seen = views[view] = view(joined)
            if lead in seen:
                found.setdefault(view, []).extend(
                    (m.start(), detectors) for m in pattern.finditer(seen)
                )
        opened: dict[int, set[int]] = {}
        for view, starts in found.items():
            seen = views[view]
            index = last = 0
            for start, detectors in sorted(starts, key=itemgetter(0)):
                index += seen.count(_BETWEEN, last, start)
                last = start
                opened.setdefault(index, set()).update(detectors)
        return opened


@functools.lru_cache(maxsize=64)
def _compile_name_pattern(source: str) -> re.Pattern[str]:
    return re.compile(source)


_Found = tuple[int, int, PersonalDataKind]
_DEFAULT_REPLACEMENT = "[redacted {kind}]"
# Each pass must reveal text no earlier pass flagged, so the loop ends anyway;
# the limit bounds the time an adversarial text can take.
_MAX_PASSES = 8


def _order(found: _Found) -> tuple[int, int, int]:
    start, end, kind = found
    return start, start - end, _PRIORITY[kind]


# A piece of masked text: (masked start, masked end, original start,
# original end, whether it is a replacement).
_Segment = tuple[int, int, int, int, bool]


def _mask(text: str, found: list[_Found], replacement: str) -> tuple[str, list[_Segment]]:
    parts: list[str] = []
    segments: list[_Segment] = []
    pos = 0
    out = 0
    for start, end, kind in found:
        if start > pos:
            segments.append((out, out + start - pos, pos, start, False))
            parts.append(text[pos:start])
            out += start - pos
        marker = replacement.replace("{kind}", kind.value)
        segments.append((out, out + len(marker), start, end, True))
        parts.append(marker)
        out += len(marker)
        pos = end
    if pos < len(text):
        segments.append((out, out + len(text) - pos, pos, len(text), False))
        parts.append(text[pos:])
    return "".join(parts), segments


def _map_back(
    segments: list[_Segment], starts: list[int], start: int, end: int, kind: PersonalDataKind
) -> _Found | None:
    """The original span of a span of masked text (a span touching a
    replacement takes in all it replaced), or ``None`` if the span lies
    inside one replacement. *starts* are the segments' masked starts."""
    first = segments[bisect.bisect_right(starts, start) - 1]
    last = segments[bisect.bisect_right(starts, end - 1) - 1]
    if first is last and first[4]:
        return None
    orig_start = first[2] if first[4] else first[2] + start - first[0]
    orig_end = last[3] if last[4] else last[2] + end - last[0]
    return orig_start, orig_end, kind


def _merge(found: list[_Found], revealed: list[_Found]) -> list[_Found]:
    """Union of both lists; overlapping spans become one, of the kind of the
    one that sorts first."""
    merged: list[_Found] = []
    for start, end, kind in sorted(found + revealed, key=_order):
        if merged and start < merged[-1][1]:
            s, e, k = merged[-1]
            merged[-1] = (s, max(e, end), k)
        else:
            merged.append((start, end, kind))
    return merged


def _to_kinds(value: Iterable[PersonalDataKind | str]) -> frozenset[PersonalDataKind]:
    if isinstance(value, str):
        value = [value]
    kinds = set()
    for item in value:
        try:
            kinds.add(PersonalDataKind(item))
        except ValueError:
            known = ", ".join(k.value for k in PersonalDataKind)
            raise InputError(
                f"unknown kind of personal data {item!r}; expected one of {known}",
                path="kinds",
            ) from None
    return frozenset(kinds)


def _strings(value: Iterable[str], name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        raise InputError(f"expected a list of strings, got the single string {value!r}", path=name)
    items = tuple(value)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise InputError(f"expected a string, got {type(item).__name__}", path=f"{name}[{i}]")
    return items


def _to_name_patterns(value: Iterable[str]) -> tuple[str, ...]:
    return _strings(value, "name_patterns")


def _to_extra_names(value: Iterable[str]) -> tuple[str, ...]:
    return _strings(value, "extra_names")


@attrs.frozen(kw_only=True)
class PersonalDataGuard:
    """What to look for, and the methods to look for it.

    :param kinds: the kinds of personal data to look for (default: all).
    :param name_patterns: regular expressions that find names; default
        :data:`DEFAULT_NAME_PATTERNS`. A pattern's group named ``name``, if
        any, is the text flagged. Used when ``kinds`` includes ``"name"``.
    :param extra_names: literal names to look for anywhere, as whole words,
        ignoring case: for example the surnames of the families a team works
        with. Used when ``kinds`` includes ``"name"``.

    :raises InputError: if a kind is unknown, a name pattern is not a valid
        regular expression or matches the empty string, or an extra name is
        blank.

    >>> guard = PersonalDataGuard(extra_names=("Brodie",))
    >>> [m.kind.value for m in guard.scan("Met the Brodie family; CHI 0101011237.")]
    ['name', 'chi_number']
    >>> guard.redact("Contact jo@example.org or 0131 496 0000.")
    'Contact [redacted email] or [redacted phone].'
    """

    kinds: frozenset[PersonalDataKind] = attrs.field(
        default=frozenset(PersonalDataKind), converter=_to_kinds
    )
    name_patterns: tuple[str, ...] = attrs.field(
        default=DEFAULT_NAME_PATTERNS, converter=_to_name_patterns
    )
    extra_names: tuple[str, ...] = attrs.field(default=(), converter=_to_extra_names)
    _compiled_extra: re.Pattern[str] | None = attrs.field(init=False, repr=False, eq=False)
    # The detectors and their gates, built on the first scan (so that
    # neither importing nor making the default guard compiles a pattern); a
    # list so that the frozen instance can fill it once.
    _built: list[_Plan] = attrs.field(init=False, factory=list, repr=False, eq=False)
    # What each text scanned lately holds (the guard is immutable, so a
    # text's matches never change): the report of an evaluation scans again
    # the texts the evaluation scanned.
    _memo: dict[str, tuple[_Found, ...]] = attrs.field(
        init=False, factory=dict, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        if self.name_patterns != DEFAULT_NAME_PATTERNS:
            for i, source in enumerate(self.name_patterns):
                try:
                    pattern = _compile_name_pattern(source)
                except re.error as e:
                    raise InputError(
                        f"name pattern {i} ({source!r}) is not a valid regular expression: {e}",
                        path=f"name_patterns[{i}]",
                    ) from None
                if pattern.fullmatch("") is not None:
                    raise InputError(
                        f"name pattern {i} ({source!r}) matches the empty string",
                        path=f"name_patterns[{i}]",
                    )

        alternatives = []
        for i, name in enumerate(self.extra_names):
            words = name.split()
            if not words:
                raise InputError("an extra name must not be blank", path=f"extra_names[{i}]")
            alternatives.append(r"\s+".join(re.escape(w) for w in words))
        extra = None
        if alternatives:
            alternatives.sort(key=len, reverse=True)  # longest first: "Ann Smith" before "Ann"
            extra = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)
        object.__setattr__(self, "_compiled_extra", extra)

    def _plan(self) -> _Plan:
        """The guard's detectors and their gates, built once."""
        if not self._built:
            detectors = [d for d in _builtin_detectors() if d.kind in self.kinds]
            if PersonalDataKind.NAME in self.kinds:
                for source in self.name_patterns:
                    pattern = _compile_name_pattern(source)
                    group = "name" if "name" in pattern.groupindex else 0
                    gate = _NAME_GATES.get(source)
                    gates = _gates(gate) if gate is not None else ()
                    detectors.append(
                        _Detector(PersonalDataKind.NAME, pattern, group=group, gates=gates)
                    )
                if self._compiled_extra is not None:
                    detectors.append(_Detector(PersonalDataKind.NAME, self._compiled_extra))
            self._built.append(_Plan.of(tuple(detectors)))
        return self._built[0]

    def _detectors(self) -> tuple[_Detector, ...]:
        """The guard's detectors."""
        return self._plan().detectors

    def _candidates(self, text: str, active: Set[int] | None = None) -> Iterator[_Found]:
        """Every candidate of the detectors in *active* (by index; by
        default every detector)."""
        for i, (kind, pattern, valid, group, _gates) in enumerate(self._detectors()):
            if active is None or i in active:
                for s, e in _finditer(pattern, text, valid, group):
                    yield s, e, kind

    def _one_pass(self, text: str, active: Set[int] | None = None) -> list[_Found]:
        """The candidates in *text* of the detectors in *active* (default:
        all), sorted, overlaps resolved: of two overlapping candidates the
        one starting first is kept, and of two starting at the same place
        the longer."""
        candidates = list(self._candidates(text, active))
        if len(candidates) < 2:
            return candidates
        found: list[_Found] = []
        last_end = 0
        for start, end, kind in sorted(candidates, key=_order):
            if start >= last_end:
                found.append((start, end, kind))
                last_end = end
        return found

    def scan(
        self, text: str, *, field: str = "", finding_id: str | None = None
    ) -> tuple[PersonalDataMatch, ...]:
        """Find what looks like personal data in *text*.

        The text is scanned, then scanned again with what was found masked
        (as :meth:`redact` masks it), until masking reveals nothing new: an
        identifier hidden by what stands next to it (``"DOB 12/03/2015(0141)
        496 0123"``) is found once its neighbour is masked. What a later
        pass finds is merged with any match it overlaps.

        :param field: where *text* comes from, copied into each match, e.g.
            ``"findings[3].statement"``.
        :param finding_id: the finding *text* belongs to, copied into each
            match.
        :returns: the matches, sorted by position and not overlapping.
        """
        if not isinstance(text, str):
            raise InputError(
                f"expected text to scan, got {type(text).__name__}",
                path=field,
                finding_id=finding_id,
            )
        return tuple(
            PersonalDataMatch(kind=k, start=s, end=e, field=field, finding_id=finding_id)
            for s, e, k in self._spans(text)
        )

    def _spans(self, text: str) -> tuple[_Found, ...]:
        """Where *text* holds personal data (see :meth:`scan`), remembered
        for the last texts scanned."""
        spans = self._memo.get(text)
        return spans if spans is not None else self._scan_new((text,))[text]

    def _flagged(self, values: Iterable[str | None]) -> set[str]:
        """Those of *values* that are texts holding personal data (``None``
        and empty texts are passed over). The texts not remembered are
        scanned all at once, and remembered.

        :raises TypeError: if a value is neither text nor ``None`` (nothing
            is scanned then).
        """
        unique = dict.fromkeys(values)
        unique.pop(None, None)
        unique.pop("", None)
        texts = cast("dict[str, None]", unique)  # None is gone
        memo = self._memo
        if not memo:  # every text is new
            flagged: set[str] = set()
            found = self._scan_new(texts)
        else:
            flagged = set(filter(memo.get, texts))
            found = self._scan_new(filterfalse(memo.__contains__, texts))
        flagged.update(compress(found, found.values()))
        return flagged

    def _scan_new(self, texts: Iterable[str]) -> dict[str, tuple[_Found, ...]]:
        """Where each of *texts* holds personal data, remembered. The gates
        search the texts all at once: a text in which no gate opens a
        detector holds nothing.

        :raises TypeError: if one of *texts* is not a str (nothing is
            remembered then).
        """
        found: dict[str, tuple[_Found, ...]] = dict.fromkeys(texts, ())
        new = list(found)
        plan = self._plan()
        opened = plan.opened(new)
        run = list(range(len(new)) if plan.always else opened)
        to_scan = [new[i] for i in run]
        spans = self._scan_all(to_scan, [plan.always | opened.get(i, set()) for i in run])
        found.update(zip(to_scan, spans, strict=True))
        memo = self._memo
        if len(memo) + len(found) > _MEMO_SIZE:
            memo.clear()
        if len(found) <= _MEMO_SIZE:
            memo.update(found)
        return found

    def _scan_all(
        self, texts: Sequence[str], active: Sequence[Set[int]]
    ) -> list[tuple[_Found, ...]]:
        """Where each of *texts* holds personal data (see :meth:`scan`), the
        detectors in ``active[i]`` run on ``texts[i]`` as given, and the
        gates search the masked texts of each pass all at once."""
        plan = self._plan()
        found = [self._one_pass(text, a) for text, a in zip(texts, active, strict=True)]
        pending = [i for i, spans in enumerate(found) if spans]
        for _ in range(_MAX_PASSES):
            if not pending:
                break
            masks = [_mask(texts[i], found[i], _DEFAULT_REPLACEMENT) for i in pending]
            opened = plan.opened([masked for masked, _ in masks])
            still = []
            for k, (i, (masked, segments)) in enumerate(zip(pending, masks, strict=True)):
                starts = [segment[0] for segment in segments]
                revealed = [
                    span
                    for s, e, kind in self._one_pass(masked, plan.always | opened.get(k, set()))
                    if (span := _map_back(segments, starts, s, e, kind)) is not None
                ]
                if revealed:
                    found[i] = _merge(found[i], revealed)
                    still.append(i)
            pending = still
        return [tuple(spans) for spans in found]

    def redact(self, text: str, replacement: str = _DEFAULT_REPLACEMENT) -> str:
        """Return *text* with every match replaced.

        :param replacement: the text put in place of each match; ``{kind}`` in
            it becomes the kind's value, e.g. ``"[redacted chi_number]"``. With
            the default, scanning the result with the same guard finds nothing
            (unless the guard's own names or patterns match the replacement).
        """
        if not isinstance(text, str):
            self.scan(text)  # raises InputError, naming the type given
        spans = self._spans(text)
        if not spans:
            return text
        masked, _ = _mask(text, list(spans), replacement)
        return masked


#: How many texts a guard remembers the matches of (then it starts again).
_MEMO_SIZE = 1 << 18

_DEFAULT_GUARD = PersonalDataGuard()


def scan_text(
    text: str, *, field: str = "", finding_id: str | None = None
) -> tuple[PersonalDataMatch, ...]:
    """:meth:`PersonalDataGuard.scan` with the default guard (every kind, the
    default name patterns, no extra names)."""
    return _DEFAULT_GUARD.scan(text, field=field, finding_id=finding_id)


def redact(text: str, replacement: str = _DEFAULT_REPLACEMENT) -> str:
    """:meth:`PersonalDataGuard.redact` with the default guard.

    >>> redact("DOB 12/03/2015, seen with Mrs Smith.")
    'DOB [redacted date_of_birth], seen with Mrs [redacted name].'
    """
    return _DEFAULT_GUARD.redact(text, replacement)
