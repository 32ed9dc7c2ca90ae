"""Hypothesis strategies for qifeval's objects."""

from __future__ import annotations

from collections.abc import Mapping

import attrs
from hypothesis import strategies as st

import qifeval
from qifeval import (
    Framework,
    FrameworkInfo,
    IllustrationGroup,
    KeyArea,
    Part,
    QualityIndicator,
    Question,
    WellbeingIndicator,
)

# Text as users type it: any printable characters, including quotes,
# backslashes, non-ASCII letters, tabs and newlines.
text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from("\n\t\"\\'"),
    max_size=40,
)
title = text.filter(lambda s: s.strip() != "")
texts = st.lists(title, max_size=3).map(tuple)


@st.composite
def frameworks(draw: st.DrawFn) -> Framework:
    """Valid frameworks of random shape: 1-4 questions, key areas numbered
    from 1, indicators numbered within their key area, optionally a global
    indicator "10" in key area 10."""
    n_questions = draw(st.integers(1, 4))
    questions = [
        Question(number=i + 1, text=draw(title), aliases=draw(texts)) for i in range(n_questions)
    ]
    n_areas = draw(st.integers(1, 9))
    areas = [
        KeyArea(
            number=i + 1,
            title=draw(title),
            question=draw(st.integers(1, n_questions)),
            part=draw(st.sampled_from(Part)),
            description=draw(text),
            aliases=draw(texts),
        )
        for i in range(n_areas)
    ]
    indicators = []
    for ka in areas:
        for j in range(draw(st.integers(0, 3))):
            indicators.append(draw(indicators_for(f"{ka.number}.{j + 1}", ka.number)))
    if draw(st.booleans()):
        areas.append(KeyArea(number=10, title=draw(title), question=1, part=Part.CAPACITY))
        indicators.append(draw(indicators_for("10", 10)))
    wellbeing = [
        WellbeingIndicator(id=f"wb{i}", name=draw(title), very_good=draw(text), weak=draw(text))
        for i in range(draw(st.integers(0, 3)))
    ]
    return Framework(
        info=FrameworkInfo(
            id=draw(title),
            title=draw(title),
            version=draw(text),
            date=draw(text),
            source=draw(text),
            content=draw(st.sampled_from(["complete", "titles-only"])),
            notes=draw(texts),
        ),
        questions=questions,
        key_areas=areas,
        all_indicators=indicators,
        wellbeing=wellbeing,
    )


groups = st.lists(
    st.builds(IllustrationGroup, subject=text, statements=st.lists(title, max_size=3).map(tuple)),
    max_size=2,
).map(tuple)


def indicators_for(qi_id: str, key_area: int) -> st.SearchStrategy[QualityIndicator]:
    return st.builds(
        QualityIndicator,
        id=st.just(qi_id),
        title=title,
        key_area=st.just(key_area),
        aliases=texts,
        key_factors_intro=text,
        key_factors=texts,
        demonstrate=texts,
        evidence=texts,
        evidence_to_consider=text,
        very_good=groups,
        weak=groups,
        notes=texts,
    )


grades = st.sampled_from(qifeval.Grade)


# --- Evidence -----------------------------------------------------------------

QIF_2018 = qifeval.load_framework("qif-2018")
QI_IDS = [qi.id for qi in QIF_2018.indicators]

finding_ids = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,6}", fullmatch=True)
dates = st.dates(min_value=__import__("datetime").date(2000, 1, 1))


@st.composite
def findings(
    draw: st.DrawFn,
    *,
    qi: st.SearchStrategy[str] | None = None,
    valence: st.SearchStrategy[str] | None = None,
    id: str | None = None,
) -> qifeval.Finding:
    """A valid finding (flags consistent with its valence)."""
    v = draw(st.sampled_from(["strength", "weakness"]) if valence is None else valence)
    strength = v == "strength"
    qi_id = draw(st.sampled_from(QI_IDS) if qi is None else qi)
    indicator = QIF_2018.indicator(qi_id)
    illustrations = [i.ref for i in indicator.illustrations()]
    key_factors = [indicator.key_factor_ref(n + 1) for n in range(len(indicator.key_factors))]
    return qifeval.Finding(
        id=id if id is not None else draw(finding_ids),
        qi=qi_id,
        statement=draw(title),
        valence=v,
        weight=draw(st.sampled_from(["minor", "important", "major"])),
        source=draw(st.sampled_from(qifeval.SourceKind)),
        source_detail=draw(text),
        ref=draw(st.none() | text),
        date=draw(st.none() | dates),
        proportion=draw(st.none() | st.floats(0, 1)),
        critical=not strength and draw(st.booleans()),
        sustained=strength and draw(st.booleans()),
        sector_leading=strength and draw(st.booleans()),
        illustration=draw(st.none() | st.sampled_from(illustrations)) if illustrations else None,
        sample=draw(st.none() | st.integers(1, 300)),
        key_factor=draw(st.none() | st.sampled_from(key_factors)) if key_factors else None,
    )


@st.composite
def evidence_sets(
    draw: st.DrawFn,
    *,
    qi: st.SearchStrategy[str] | None = None,
    min_size: int = 0,
    max_size: int = 25,
) -> qifeval.EvidenceSet:
    """A valid evidence set for qif-2018 with unique finding ids."""
    n = draw(st.integers(min_size, max_size))
    items = [draw(findings(qi=qi, id=f"F{i + 1}")) for i in range(n)]
    return qifeval.EvidenceSet(
        partnership=draw(title),
        framework="qif-2018",
        date=draw(st.none() | dates),
        title=draw(text),
        findings=items,
    )


def one_qi(qi_id: str = "5.2") -> st.SearchStrategy[str]:
    return st.just(qi_id)


# --- Capacity -------------------------------------------------------------------

challenges = st.builds(
    qifeval.ContextualChallenge,
    id=st.just("C"),
    kind=st.sampled_from(qifeval.ChallengeKind),
    severity=st.sampled_from(qifeval.Severity),
    note=text,
)


@st.composite
def contexts(draw: st.DrawFn, max_size: int = 4) -> qifeval.Context:
    items = draw(st.lists(challenges, max_size=max_size))
    readiness = draw(
        st.lists(
            st.builds(
                qifeval.ReadinessEvidence,
                id=st.just("R"),
                aspect=st.sampled_from(qifeval.ReadinessAspect),
                statement=title,
                valence=st.sampled_from(qifeval.Valence),
                source=st.sampled_from(qifeval.SourceKind),
            ),
            max_size=3,
        )
    )
    return qifeval.Context(
        challenges=[attrs.evolve(c, id=f"C{i}") for i, c in enumerate(items)],
        readiness=[attrs.evolve(r, id=f"R{i}") for i, r in enumerate(readiness)],
    )


grade_maps = st.fixed_dictionaries(
    {qi: st.none() | st.sampled_from(qifeval.Grade) for qi in QI_IDS}
)


def assert_same_types(a: object, b: object, path: str = "$") -> None:
    """Equal *and* of the same types all the way down (a str-based enum
    equals its plain string, so equality alone can hide a lossy load)."""
    assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__}"
    if attrs.has(type(a)):
        for f in attrs.fields(type(a)):
            if f.init:
                assert_same_types(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
    elif isinstance(a, dict):
        assert list(a) == list(b), path
        for k in a:
            assert_same_types(k, next(x for x in b if x == k), f"{path}[{k!r}] key")
            assert_same_types(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, tuple | list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same_types(x, y, f"{path}[{i}]")
    else:
        assert a == b, path


def finding(
    id: str,
    *,
    qi: str = "5.2",
    valence: str = "strength",
    weight: str = "important",
    source: str = "practice",
    **kw: object,
) -> qifeval.Finding:
    """A finding for hand-written cases: an important strength from
    practice on QI 5.2 unless told otherwise (keywords only)."""
    return qifeval.Finding(
        id=id,
        qi=qi,
        statement=f"statement {id}",
        valence=valence,
        weight=weight,
        source=source,
        **kw,  # type: ignore[arg-type]
    )


def side_violations(
    subject: str, before: Mapping[str, int], after: Mapping[str, int], *, stronger: bool
) -> list[str]:
    """The registered fields of *subject* whose move from *before* to
    *after* contradicts their side, when the change between them made the
    evidence *stronger* (a strength added; a grade raised) or weaker (a
    weakness added; a contextual challenge added)."""
    from qifeval.evidence._fields import FIELDS, Side

    wrong = []
    for name, field in FIELDS[subject].items():
        moved = after[name] - before[name]
        if field.side is Side.STRENGTH and (moved < 0 if stronger else moved > 0):
            wrong.append(name)
        if field.side is Side.WEAKNESS and (moved > 0 if stronger else moved < 0):
            wrong.append(name)
    return wrong


# --- Improvement plans and independent evaluations --------------------------------

action_statuses = st.sampled_from(qifeval.ActionStatus)


@st.composite
def plans(draw: st.DrawFn, max_size: int = 8) -> qifeval.ImprovementPlan:
    """A valid improvement plan with unique action ids (A1, A2, ...)."""
    n = draw(st.integers(0, max_size))
    actions = [
        qifeval.Action(
            id=f"A{i + 1}",
            action=draw(title),
            addresses=draw(st.lists(finding_ids | st.sampled_from(QI_IDS), min_size=1, max_size=3)),
            lead=draw(title),
            due=draw(st.none() | dates),
            status=draw(action_statuses),
            impact=draw(st.lists(finding_ids, max_size=3)),
        )
        for i in range(n)
    ]
    return qifeval.ImprovementPlan(
        partnership=draw(text),
        title=draw(text),
        made_from=draw(text),
        date=draw(st.none() | dates),
        actions=actions,
    )


independent_grade_maps = st.dictionaries(
    st.sampled_from(QI_IDS), st.sampled_from(qifeval.Grade), min_size=1
)

independent_evaluations = st.builds(
    qifeval.IndependentEvaluation,
    source=title,
    date=st.none() | dates,
    framework=st.just("qif-2018"),
    grades=independent_grade_maps,
)


def _record_value(base: type, optional: bool) -> st.SearchStrategy[object]:
    """A value of a record field: any text (non-empty where an empty cell
    means ``None``), whole numbers, shares 0-1, dates a workbook holds as
    dates."""
    import datetime as dt

    values: dict[type, st.SearchStrategy[object]] = {
        str: title if optional else text,
        int: st.integers(min_value=-(2**53), max_value=2**53),
        float: st.floats(min_value=0, max_value=1),
        bool: st.booleans(),
        dt.date: st.dates(min_value=dt.date(1900, 3, 1)),
    }
    strategy = values[base]
    return st.none() | strategy if optional else strategy


@st.composite
def records(draw: st.DrawFn, max_size: int = 4) -> qifeval.Records:
    """Records with arbitrary values in every column."""
    from qifeval.evaluation._records import _columns

    def rows(cls: type) -> tuple[object, ...]:
        strategy = st.fixed_dictionaries(
            {name: _record_value(base, optional) for name, base, optional in _columns(cls)}  # type: ignore[arg-type]
        ).map(lambda values: cls(**values))
        return tuple(draw(st.lists(strategy, max_size=max_size)))

    return qifeval.Records(
        indicators=rows(qifeval.IndicatorRecord),  # type: ignore[arg-type]
        findings=rows(qifeval.FindingRecord),  # type: ignore[arg-type]
    )


# Near misses for the personal-data guard's preconditions: fragments that
# hold part of what a detector needs (digits beside letters, "@" without a
# domain, postcode halves, birth words without dates, the context words of
# the name patterns), in every case and with the characters that a pattern
# ignoring case reads as ASCII letters, glued together with the punctuation
# the patterns look at.
PRIVACY_NEAR_MISSES = (
    # digits, runs and groups, ASCII and not
    *("7", "12", "0131", "496", "0000", "1237", "010101", "0101011237", "01010112"),
    *("0 1 3 1", "0 1 0 1 0 1 1 2 3", "0131 496 000", "+44", "+44 (0)", "(0", "0044", "(01"),
    *("1,234", "0.5", "٣", "３", "²", "۵۵۵", "12:30"),
    # e-mail fragments
    *("@", "jo@", "@example", "jo@example", "a@b.c", "jo @ ex.org", "@ example.org", ".scot"),
    # postcodes and halves, letters next to digits
    *("EH1", "eh12", "2AB", "2ab", " 2 AB", "W1A", "GIR", "gir 0aa", "G1R", "S1 2nd", "P7 4th"),
    *("2\u00a0AB", "2\u00a0ab", "1\u017fa", "1a\u017f", "\u017f\u017f", "2AB3", "2ABC"),
    *(
        "\u0130",
        "\u0131",
        "\u017f",
        "\u212a",
        "\u0307",
        "\u017f1",
        "\u212a9",
        "g\u0130r",
        "g\u0131r",
    ),
    # birth words and dates
    *("born", "BORN", "Born at home on", "b\u0130rth", "birthday", "birth-date", "date of birth"),
    *("DOB", "d.o.b", "D. O. B", "d o b", "dob:", "b.", "B.", "(b. ", "b", "B"),
    *("12/03/2015", "1.2.15", "2015-03-12", "3rd of March", "March 3rd", "mar. 2015", "31/02"),
    # names and their contexts
    *("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Mi", "Dr.", "M", "D"),
    *("called", "CALLED", "named", "Named", "known as", "\u212anown as", "kno", "call"),
    *("aged", "AGE", "Age", "ag", "age 7", "aged seven", "aged 5-11"),
    *("girl", "boy", "mother", "carer", "a girl called", "the child known as"),
    *("Amy", "Smith", "O'Neill", "Zoë", "Jamie", "Good", "Table", "North", "Amy Smith"),
    *("(7)", ", 7,", "(18 months)", "(7 yrs)", "(", ")", ","),
)
privacy_fragments = st.one_of(
    st.sampled_from(PRIVACY_NEAR_MISSES),
    st.text(
        st.sampled_from("0123456789 .-/@(),:abdgiorABDGIORM\u0130\u0131\u017f\u212a"), max_size=8
    ),
    text,
)
privacy_near_misses = st.lists(
    st.tuples(
        privacy_fragments, st.sampled_from(["", " ", ", ", "\n", " (", ") ", ".", "-", "/", "\t"])
    ),
    max_size=12,
).map(lambda parts: "".join(p + sep for p, sep in parts))
