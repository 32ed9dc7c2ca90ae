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
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

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
_INWARD_LETTERS = r"[ABD-HJLNP-UW-Z]{2}"
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
    r"(?:[ \t]*\([ \t]*" + _BARE_AGE + r"[ \t]*[),;]"
    r"|,[ \t]*" + _BARE_AGE + r"[ \t]*(?:[,;)]|\.(?!\S)))",
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


class _Clues:
    """Cheap facts about a text that the detectors' preconditions ask
    about, each computed at most once: how many ASCII digits it holds, its
    case-folded form, and whether a letter stands just before a digit."""

    __slots__ = ("_folded", "_letter_digit", "digits", "text")
    text: str
    digits: int
    _folded: str | None
    _letter_digit: bool | None

    def __init__(self, text: str) -> None:
        self.text = text
        self.digits = len(text) - len(text.translate(_DROP_DIGITS))
        self._folded = None
        self._letter_digit = None

    @property
    def folded(self) -> str:
        """The text in lower case, where every letter that a pattern ignoring
        case reads as an ASCII letter *is* that letter. Under re.IGNORECASE
        "\u0130" and "\u0131" match "i", "\u017f" matches "s" and "\u212a"
        (the Kelvin sign) matches "k"; str.lower() turns "\u212a" into "k"
        but "\u0130" into "i" and a combining dot, which is dropped. A word
        that a case-ignoring pattern finds in the text is in this form of
        it (the converse need not hold: a precondition may pass in vain)."""
        if self._folded is None:
            folded = self.text.lower()
            for odd, plain in _FOLDS:
                if odd in folded:
                    folded = folded.replace(odd, plain)
            self._folded = folded
        return self._folded

    @property
    def letter_digit(self) -> bool:
        """Whether an ASCII digit stands just after a letter that a pattern
        ignoring case reads as an ASCII letter."""
        if self._letter_digit is None:
            self._letter_digit = _clue_patterns()["letter_digit"].search(self.text) is not None
        return self._letter_digit


_DROP_DIGITS = str.maketrans("", "", "0123456789")
_FOLDS = (("\u0307", ""), ("\u0131", "i"), ("\u017f", "s"))
_Needs = Callable[[_Clues], bool]

# Small patterns for the clues a plain substring test cannot give, compiled
# on first use. The letters are those that (?i:[a-z]) matches.
_CLUES = {
    "letter_digit": "[0-9](?<=[A-Za-z\u0130\u0131\u017f\u212a][0-9])",
    "gir": "[Gg][Ii\u0130\u0131][Rr]",
}


@functools.cache
def _clue_patterns() -> dict[str, re.Pattern[str]]:
    return {name: re.compile(source) for name, source in _CLUES.items()}


def _postcode_needs(c: _Clues) -> bool:
    # A postcode's outward code has a letter just before a digit (A9, AA9),
    # except GIR 0AA.
    if c.digits == 0:
        return False
    return c.letter_digit or ("0" in c.text and _clue_patterns()["gir"].search(c.text) is not None)


def _dob_needs(c: _Clues) -> bool:
    # Every date has a digit; before it stands a birth keyword (D.O.B., date
    # of birth, birth date, birthday, born) or "b.".
    if c.digits == 0 or ("b" not in c.text and "B" not in c.text):
        return False
    if "b." in c.text:
        return True
    folded = c.folded
    return (
        "birth" in folded or "born" in folded or "dob" in folded.replace(" ", "").replace(".", "")
    )


def _always(_: _Clues) -> bool:
    return True


class _Detector(NamedTuple):
    """A pattern for one kind, the check its candidates must pass, and a
    precondition: something every text the pattern can match has, checked
    before the pattern is run (a CHI number has ten digits, an e-mail
    address an "@"). The preconditions only save time: a detector whose
    precondition fails would have found nothing (tests/test_privacy_gating.py
    compares the two on generated text)."""

    kind: PersonalDataKind
    pattern: re.Pattern[str]
    valid: Callable[[re.Match[str]], bool] | None = None
    group: str | int = 0
    needs: _Needs = _always


def _valid_chi_match(match: re.Match[str]) -> bool:
    return _valid_chi(match[0])


@functools.cache
def _builtin_detectors() -> tuple[_Detector, ...]:
    """The detectors of every kind but names, compiled on first use."""
    return (
        _Detector(
            PersonalDataKind.CHI_NUMBER,
            re.compile(_CHI),
            _valid_chi_match,
            needs=lambda c: c.digits >= 10,
        ),
        _Detector(
            PersonalDataKind.CHI_NUMBER,
            re.compile(_CHI_BY_DIGIT),
            _valid_chi_match,
            needs=lambda c: c.digits >= 10,
        ),
        _Detector(PersonalDataKind.EMAIL, re.compile(_EMAIL), needs=lambda c: "@" in c.text),
        # the trunk 0 (or 44) and ten digits
        _Detector(
            PersonalDataKind.PHONE, re.compile(_PHONE), _valid_phone, needs=lambda c: c.digits >= 11
        ),
        _Detector(
            PersonalDataKind.PHONE, re.compile(_PHONE_BY_DIGIT), needs=lambda c: c.digits >= 11
        ),
        _Detector(
            PersonalDataKind.POSTCODE,
            re.compile(_POSTCODE),
            _valid_postcode,
            needs=_postcode_needs,
        ),
        _Detector(
            PersonalDataKind.DATE_OF_BIRTH,
            re.compile(_DOB),
            _valid_dob,
            "date",
            needs=_dob_needs,
        ),
    )


def _honorific_needs(c: _Clues) -> bool:
    t = c.text
    return "Mr" in t or "Ms" in t or "Mx" in t or "Mi" in t or "Dr" in t


def _called_needs(c: _Clues) -> bool:
    f = c.folded
    return "called" in f or "named" in f or "known" in f


# The default name patterns' preconditions, by pattern: an honorific, one of
# the words between a relation and a name, "age", or a digit in brackets or
# after a comma.
_NAME_NEEDS: dict[str, _Needs] = dict(
    zip(
        DEFAULT_NAME_PATTERNS,
        (
            _honorific_needs,
            _called_needs,
            lambda c: "age" in c.folded,
            lambda c: c.digits >= 1 and ("(" in c.text or "," in c.text),
        ),
        strict=True,
    )
)


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
    # The detectors, built on the first scan (so that neither importing nor
    # making the default guard compiles a pattern); a list so that the frozen
    # instance can fill it once.
    _built: list[tuple[_Detector, ...]] = attrs.field(
        init=False, factory=list, repr=False, eq=False
    )
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

    def _detectors(self) -> tuple[_Detector, ...]:
        """The guard's detectors, built once."""
        if not self._built:
            detectors = [d for d in _builtin_detectors() if d.kind in self.kinds]
            if PersonalDataKind.NAME in self.kinds:
                for source in self.name_patterns:
                    pattern = _compile_name_pattern(source)
                    group = "name" if "name" in pattern.groupindex else 0
                    needs = _NAME_NEEDS.get(source, _always)
                    detectors.append(
                        _Detector(PersonalDataKind.NAME, pattern, group=group, needs=needs)
                    )
                if self._compiled_extra is not None:
                    detectors.append(_Detector(PersonalDataKind.NAME, self._compiled_extra))
            self._built.append(tuple(detectors))
        return self._built[0]

    def _candidates(self, text: str, *, gated: bool = True) -> Iterator[_Found]:
        """Every candidate of every detector; with *gated* (the default) a
        detector whose precondition *text* fails is not run, which changes
        nothing but the time taken."""
        clues = _Clues(text)
        for kind, pattern, valid, group, needs in self._detectors():
            if gated and not needs(clues):
                continue
            for s, e in _finditer(pattern, text, valid, group):
                yield s, e, kind

    def _one_pass(self, text: str, *, gated: bool = True) -> list[_Found]:
        """The candidates in *text*, sorted, overlaps resolved: of two
        overlapping candidates the one starting first is kept, and of two
        starting at the same place the longer."""
        candidates = list(self._candidates(text, gated=gated))
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
        memo = self._memo
        spans = memo.get(text)
        if spans is None:
            spans = self._scan_spans(text)
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            memo[text] = spans
        return spans

    def _scan_spans(self, text: str) -> tuple[_Found, ...]:
        found = self._one_pass(text)
        if not found:
            return ()
        for _ in range(_MAX_PASSES):
            masked, segments = _mask(text, found, _DEFAULT_REPLACEMENT)
            starts = [segment[0] for segment in segments]
            revealed = [
                span
                for s, e, k in self._one_pass(masked)
                if (span := _map_back(segments, starts, s, e, k)) is not None
            ]
            if not revealed:
                break
            found = _merge(found, revealed)
        return tuple(found)

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
