"""The reference data beside the frameworks: the national results 2014-16,
the crosswalk 2014 -> 2018 and the inspection profiles (DOMAIN.md sections 1
and 7)."""

from __future__ import annotations

import copy
import pickle
import tomllib
from collections import Counter
from collections.abc import Callable
from importlib import resources
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import qifeval
from qifeval import FrameworkError, Grade, InputError, UnknownIndicatorError
from qifeval._convert import converter
from qifeval.frameworks._crosswalk import (
    Change,
    Crosswalk,
    CrosswalkLink,
    crosswalk_from_dict,
    load_crosswalk,
)
from qifeval.frameworks._inspections import (
    inspection_profile,
    inspection_profiles,
    inspection_profiles_from_dict,
)
from qifeval.frameworks._national import (
    CountRange,
    IndicatorResults,
    national_results,
    national_results_from_dict,
)

E, VG, G, A, W, U = (
    Grade.EXCELLENT,
    Grade.VERY_GOOD,
    Grade.GOOD,
    Grade.ADEQUATE,
    Grade.WEAK,
    Grade.UNSATISFACTORY,
)


def _raw(name: str) -> dict[str, Any]:
    return tomllib.loads((resources.files("qifeval.frameworks") / name).read_text("utf-8"))


# --------------------------------------------------------------------------
# National results 2014-16: every figure of DOMAIN.md section 7, one by one


# "1.1: Very good 3, Good 5, Adequate 4 · 2.1: Very good 4, Good 8 · 2.2:
# Excellent 1 ... · 5.1: Very good 3, Good 5, Adequate 4 · 5.2: Good 8,
# Adequate 3, Weak 1 · 5.3: Good 8, Adequate 4 · 6.2: Excellent 1, Good 3,
# Adequate 5, Weak 3 · 6.3: Very good 7, Good 3, Adequate 2 · 9.4: Excellent 1,
# Very good 3, Good 2, Adequate 5, Weak 1"
FIGURES = [
    ("1.1", VG, 3),
    ("1.1", G, 5),
    ("1.1", A, 4),
    ("2.1", VG, 4),
    ("2.1", G, 8),
    ("2.2", E, 1),
    ("5.1", VG, 3),
    ("5.1", G, 5),
    ("5.1", A, 4),
    ("5.2", G, 8),
    ("5.2", A, 3),
    ("5.2", W, 1),
    ("5.3", G, 8),
    ("5.3", A, 4),
    ("6.2", E, 1),
    ("6.2", G, 3),
    ("6.2", A, 5),
    ("6.2", W, 3),
    ("6.3", VG, 7),
    ("6.3", G, 3),
    ("6.3", A, 2),
    ("9.4", E, 1),
    ("9.4", VG, 3),
    ("9.4", G, 2),
    ("9.4", A, 5),
    ("9.4", W, 1),
]

COMPLETE = ["1.1", "2.1", "5.1", "5.2", "5.3", "6.2", "6.3", "9.4"]


@pytest.mark.parametrize(("qi", "grade", "count"), FIGURES)
def test_each_figure_of_domain_section_7(qi: str, grade: Grade, count: int) -> None:
    results = national_results().for_indicator(qi)
    assert results.count(grade) == count
    assert results.distribution[grade] == count
    assert results.position(grade).same == CountRange(low=count, high=count)


def test_twelve_areas_and_nine_indicators() -> None:
    results = national_results()
    assert results.areas == 12
    assert results.framework == "qif-2014"
    assert results.graded == ("1.1", "2.1", "2.2", "5.1", "5.2", "5.3", "6.2", "6.3", "9.4")
    assert all(r.total == 12 for r in results)


@pytest.mark.parametrize("qi", COMPLETE)
def test_complete_distributions_are_exactly_the_figures(qi: str) -> None:
    results = national_results().for_indicator(qi)
    expected = {grade: n for q, grade, n in FIGURES if q == qi}
    assert results.complete
    assert {g: n for g, n in results.distribution.items() if n} == expected
    assert list(results.distribution) == [E, VG, G, A, W, U]
    assert sum(results.distribution.values()) == 12


@pytest.mark.parametrize(
    ("qi", "good_or_better"),
    [
        ("1.1", 8),  # "In two thirds of the 12 areas inspected ... good or better"
        ("2.1", 12),  # "We evaluated all 12 areas as good or better"
        ("2.2", 11),  # "In all areas but one, we evaluated performance as good or better"
        ("5.1", 8),  # "Two thirds of areas were performing at a level of good or above"
        ("5.2", 8),
        ("5.3", 8),  # "Two thirds of the areas inspected were evaluated as good"
        ("6.2", 4),
        ("6.3", 10),
        ("9.4", 6),
    ],
)
def test_good_or_better(qi: str, good_or_better: int) -> None:
    results = national_results().for_indicator(qi)
    assert results.good_or_better_count == good_or_better
    assert results.below_good_count == 12 - good_or_better


def test_2_2_is_incomplete_and_says_so() -> None:
    r = national_results().for_indicator("2.2")
    assert not r.complete
    assert r.counts == {E: 1}
    assert dict(r.distribution) == {E: 1}
    assert (r.good_or_better, r.below_good) == (11, 1)
    for grade in (VG, G, A, W, U):
        assert r.count(grade) is None
    assert "all areas but one" in r.note


def test_2_2_position_invents_no_split() -> None:
    r = national_results().for_indicator("2.2")
    # Excellent is published, so its position is exact.
    top = r.position(E)
    assert (top.higher.exact, top.same.exact, top.lower.exact) == (0, 1, 11)
    assert top.is_exact
    # Below Excellent only "good or better 11, one below" is known.
    vg = r.position(VG)
    assert vg.higher == CountRange(low=1, high=1)
    assert vg.same == CountRange(low=0, high=10)
    assert vg.lower == CountRange(low=1, high=11)
    assert not vg.is_exact
    assert vg.same.exact is None
    assert "do not give the full split" in str(vg)
    good = r.position(G)
    assert good.higher == CountRange(low=1, high=11)
    assert good.lower == CountRange(low=1, high=1)
    assert not good.same.is_exact
    adequate = r.position("adequate")
    assert adequate.higher == CountRange(low=11, high=11)
    assert adequate.same == CountRange(low=0, high=1)
    # Every distribution considered agrees with the published figures, and
    # there is more than one.
    options = list(r.possible_distributions())
    assert len(options) == 11 * 3
    for dist in options:
        assert dist[E] == 1
        assert dist[E] + dist[VG] + dist[G] == 11
        assert dist[A] + dist[W] + dist[U] == 1


@pytest.mark.parametrize("qi", COMPLETE)
def test_complete_positions_are_exact(qi: str) -> None:
    r = national_results().for_indicator(qi)
    dist = r.distribution
    for grade in Grade:
        pos = r.position(grade)
        assert pos.is_exact
        assert pos.higher.exact == sum(n for g, n in dist.items() if g > grade)
        assert pos.same.exact == dist[grade]
        assert pos.lower.exact == sum(n for g, n in dist.items() if g < grade)
        assert pos.higher.low + pos.same.low + pos.lower.low == 12


def test_position_example() -> None:
    # 9.4: Excellent 1, Very good 3, Good 2, Adequate 5, Weak 1.
    pos = national_results().for_indicator("9.4").position(4)
    assert (pos.higher.exact, pos.same.exact, pos.lower.exact) == (4, 2, 6)
    assert str(pos) == "QI 9.4, Good: of 12 areas, 4 graded higher, 2 the same, 6 lower"


@st.composite
def published_results(draw: st.DrawFn) -> tuple[dict[Grade, int], IndicatorResults]:
    """A true distribution and results that publish only part of it, with
    the good-or-better and below-good totals."""
    true = {g: draw(st.integers(0, 6)) for g in Grade}
    if draw(st.booleans()):
        return true, IndicatorResults(qi="1.1", complete=True, counts=true)
    shown = draw(st.sets(st.sampled_from(Grade)))
    results = IndicatorResults(
        qi="1.1",
        complete=False,
        counts={g: true[g] for g in shown},
        good_or_better=sum(n for g, n in true.items() if g >= G),
        below_good=sum(n for g, n in true.items() if g < G),
    )
    return true, results


@given(published_results(), st.sampled_from(Grade))
def test_positions_always_contain_the_truth(
    case: tuple[dict[Grade, int], IndicatorResults], grade: Grade
) -> None:
    true, results = case
    pos = results.position(grade)
    for got, want in (
        (pos.higher, sum(n for g, n in true.items() if g > grade)),
        (pos.same, true[grade]),
        (pos.lower, sum(n for g, n in true.items() if g < grade)),
    ):
        assert got.low <= want <= got.high
    assert pos.higher.low + pos.same.low + pos.lower.low <= results.total
    assert pos.higher.high + pos.same.high + pos.lower.high >= results.total
    if grade in results.counts or results.complete:
        assert pos.same.exact == true[grade]
    assert results.total == sum(true.values())


def test_unknown_indicator_names_those_graded() -> None:
    with pytest.raises(UnknownIndicatorError) as info:
        national_results().for_indicator("3.1")
    message = str(info.value)
    assert "'3.1'" in message
    assert "graded: 1.1, 2.1, 2.2, 5.1, 5.2, 5.3, 6.2, 6.3, 9.4" in message
    assert "5.1" in info.value.suggestions


def test_national_results_are_cached_and_frozen() -> None:
    assert national_results() is national_results()
    r = national_results().for_indicator("1.1")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        r.qi = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        r.counts[G] = 1  # type: ignore[index]
    assert hash(r) == hash(national_results().for_indicator("1.1"))


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(raw: dict[str, Any]) -> None:
        target = raw
        for key in path[:-1]:
            target = target[key]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return mutate


_DELETE = object()


@pytest.mark.parametrize(
    ("mutate", "path", "message"),
    [
        (
            _set(["indicators", 1, "counts", "brilliant"], 1),
            "indicators[1].counts.brilliant",
            "unknown grade 'brilliant'",
        ),
        (
            _set(["indicators", 1, "counts", "Very good"], 1),
            "indicators[1].counts.Very good",
            "unknown grade",
        ),
        (
            _set(["indicators", 1, "counts", "good"], "8"),
            "indicators[1].counts.good",
            "expected a number of areas",
        ),
        (
            _set(["indicators", 1, "counts", "good"], -1),
            "indicators[1].counts.good",
            "expected a number of areas",
        ),
        (
            _set(["indicators", 1, "counts", "good"], 9),
            "indicators[1].counts",
            "account for 13 areas, not the 12",
        ),
        (
            _set(["indicators", 2, "below_good"], _DELETE),
            "indicators[2].below_good",
            "required when the distribution is incomplete",
        ),
        (
            _set(["indicators", 0, "good_or_better"], 9),
            "indicators[0].good_or_better",
            "states 9 but the counts give 8",
        ),
        (_set(["indicators", 2, "qi"], "2.1"), "indicators[2].qi", "already has results"),
        (
            _set(["indicators", 2, "qi"], "6.5"),
            "indicators[2].qi",
            "qif-2014 has no indicator '6.5'",
        ),
        (_set(["indicators", 2, "colour"], "red"), "indicators[2]", "unknown key(s) 'colour'"),
        (_set(["framework"], "qif-2019"), "framework", "unknown framework 'qif-2019'"),
        (_set(["areas"], "12"), "areas", "expected an integer"),
        (_set(["schema_version"], 2), "schema_version", "this qifeval reads schema_version = 1"),
    ],
)
def test_invalid_national_results_name_the_field(
    mutate: Callable[[dict[str, Any]], None], path: str, message: str
) -> None:
    raw = copy.deepcopy(_raw("national-2014-16.toml"))
    mutate(raw)
    with pytest.raises(FrameworkError) as info:
        national_results_from_dict(raw, file="results.toml")
    assert info.value.path == path
    assert message in info.value.problem
    assert str(info.value).startswith(f"results.toml at {path}: ")


# --------------------------------------------------------------------------
# Crosswalk 2014 -> 2018


@pytest.mark.parametrize(("framework_id", "side"), [("qif-2014", "from_id"), ("qif-2018", "to_id")])
def test_crosswalk_links_every_indicator_exactly_once(framework_id: str, side: str) -> None:
    cw = load_crosswalk()
    ids = Counter(getattr(link, side) for link in cw.links)
    assert ids == Counter(qi.id for qi in qifeval.load_framework(framework_id).all_indicators)


# Seed 000 para 3.7: the 2018 id and title, and the 2014 id and the title it
# gives as "Previously".
PARA_3_7 = [
    (
        "1.1",
        "1.1",
        Change.RENAMED,
        "Improvements in the safety, wellbeing and life chances of vulnerable children and young "
        "people",
        "Improvements in the wellbeing of children and young people",
    ),
    (
        "5.1",
        "5.1",
        Change.RENAMED,
        "Initial response",
        "Provide help and support at an early stage",
    ),
    (
        "5.2",
        "5.2",
        Change.RENAMED,
        "Assessing risk and need",
        "Assessing and responding to risk and need",
    ),
    (
        "5.3",
        "5.3",
        Change.RENAMED,
        "Care planning, managing risk and effective intervention",
        "Planning for individual children",
    ),
    ("8.3", "6.5", Change.MOVED, "Self-evaluation", "Securing improvement through self-evaluation"),
    ("9.3", "9.3", Change.RENAMED, "Leadership of people and partnerships", "Leadership of People"),
]


@pytest.mark.parametrize(("old", "new", "change", "title", "previously"), PARA_3_7)
def test_the_six_changes_of_para_3_7(
    old: str, new: str, change: Change, title: str, previously: str
) -> None:
    cw = load_crosswalk()
    link = cw.to_2018(old)
    assert (link.from_id, link.to_id, link.change) == (old, new, change)
    assert cw.to_2014(new) == link
    assert "Para 3.7" in link.note
    entry = cw.describe(old)
    assert (entry.from_id, entry.to_id, entry.to_title) == (old, new, title)
    old_qi = qifeval.load_framework("qif-2014").indicator(old)
    assert previously in (old_qi.title, *old_qi.aliases)


def test_other_changes_are_only_title_changes() -> None:
    cw = load_crosswalk()
    changed = {(ln.from_id, ln.change) for ln in cw.changes()}
    assert changed == {(old, change) for old, _, change, _, _ in PARA_3_7} | {
        ("7.2", Change.RENAMED)  # not in para 3.7: found by comparing the titles
    }
    old, new = qifeval.load_framework("qif-2014"), qifeval.load_framework("qif-2018")
    for link in cw.links:
        if link.change is Change.SAME:
            assert link.from_id == link.to_id
            a, b = old.indicator(link.from_id).title, new.indicator(link.to_id).title
            # 9.1: the 2018 table's "Visions" is kept as an alias, not the title.
            assert a == b


@given(st.sampled_from([qi.id for qi in qifeval.load_framework("qif-2014").all_indicators]))
def test_crosswalk_round_trips(qi_id: str) -> None:
    cw = load_crosswalk()
    there = cw.to_2018(qi_id)
    assert there.to_id is not None
    back = cw.to_2014(there.to_id)
    assert back.from_id == qi_id
    assert cw.map(qi_id, from_framework="qif-2014", to_framework="qif-2018") == there
    forward, backward = (
        cw.describe(qi_id),
        cw.describe(there.to_id, from_framework="qif-2018", to_framework="qif-2014"),
    )
    assert (forward.from_title, forward.to_title) == (backward.to_title, backward.from_title)
    assert forward.from_title == qifeval.load_framework("qif-2014").indicator(qi_id).title


def test_describe_gives_both_titles() -> None:
    entry = load_crosswalk().describe("6.5", from_framework="qif-2018", to_framework="qif-2014")
    assert (entry.from_framework, entry.from_id, entry.from_title) == (
        "qif-2018",
        "6.5",
        "Self-evaluation",
    )
    assert (entry.to_framework, entry.to_id, entry.to_title) == (
        "qif-2014",
        "8.3",
        "Securing improvement through self evaluation",
    )
    assert str(load_crosswalk().describe("5.1")) == (
        "qif-2014 5.1 Providing help and support at an early stage -> "
        "qif-2018 5.1 Initial response (renamed)"
    )


@pytest.mark.parametrize(
    ("lookup", "framework_id", "suggestion"),
    [
        (lambda cw: cw.to_2018("6.5"), "qif-2014", "6.4"),  # 6.5 is new in 2018
        (lambda cw: cw.to_2014("8.3"), "qif-2018", "8.2"),  # 8.3 is gone in 2018
        (lambda cw: cw.to_2018(" 5.9 "), "qif-2014", "5.2"),
        (lambda cw: cw.describe("11"), "qif-2014", "1.1"),
    ],
)
def test_crosswalk_unknown_ids_suggest(
    lookup: Callable[[Crosswalk], object], framework_id: str, suggestion: str
) -> None:
    with pytest.raises(UnknownIndicatorError) as info:
        lookup(load_crosswalk())
    assert info.value.framework_id == framework_id
    assert suggestion in info.value.suggestions
    assert "did you mean" in str(info.value)


def test_crosswalk_refuses_other_frameworks() -> None:
    with pytest.raises(InputError, match="maps between 'qif-2014' and 'qif-2018'"):
        load_crosswalk().map("1.1", from_framework="qif-2018", to_framework="qif-2018")


def test_crosswalk_checks_its_links() -> None:
    with pytest.raises(FrameworkError, match=r"links\[1\]\.from_id: '1\.1' is already linked"):
        Crosswalk(
            from_framework="a",
            to_framework="b",
            links=[
                CrosswalkLink(from_id="1.1", to_id="1.1", change=Change.SAME),
                CrosswalkLink(from_id="1.1", to_id="1.2", change=Change.MOVED),
            ],
        )
    cw = Crosswalk(
        from_framework="a",
        to_framework="b",
        links=[
            CrosswalkLink(from_id="1.1", change=Change.REMOVED),
            CrosswalkLink(to_id="1.2", change=Change.NEW),
        ],
    )
    assert cw.map("1.1", from_framework="a", to_framework="b").to_id is None
    assert cw.map("1.2", from_framework="b", to_framework="a").from_id is None


@pytest.mark.parametrize(
    ("mutate", "path", "message"),
    [
        (_set(["links", 13, "to_id"], "6.4"), "links[13].to_id", "'6.4' is already linked"),
        (_set(["links", 13, "change"], "same"), "links[13].change", "that is 'moved'"),
        (_set(["links", 13, "change"], "gone"), "links[13].change", "expected one of 'same'"),
        (
            _set(["links", 13, "from_id"], _DELETE),
            "links[13].change",
            "a 'moved' link needs a from_id and a to_id",
        ),
        (
            _set(["links", 13, "from_id"], "8.4"),
            "links[13].from_id",
            "qif-2014 has no indicator '8.4'",
        ),
        (_set(["links", 0, "to_id"], 1.1), "links[0].to_id", "expected a string"),
        (_set(["to_framework"], "qif-2020"), "to_framework", "unknown framework 'qif-2020'"),
        (lambda raw: raw["links"].pop(13), "links", "not linked: 8.3"),
    ],
)
def test_invalid_crosswalks_name_the_field(
    mutate: Callable[[dict[str, Any]], None], path: str, message: str
) -> None:
    raw = copy.deepcopy(_raw("crosswalk-2014-2018.toml"))
    mutate(raw)
    with pytest.raises(FrameworkError) as info:
        crosswalk_from_dict(raw, file="cw.toml")
    assert info.value.path == path
    assert message in info.value.problem
    assert info.value.file == "cw.toml"


# --------------------------------------------------------------------------
# Inspection profiles (DOMAIN.md section 1)


def test_three_profiles() -> None:
    assert [p.id for p in inspection_profiles()] == [
        "joint-2014-16",
        "joint-2018",
        "children-at-risk-of-harm-2021",
    ]


def test_joint_inspections_2014_16() -> None:
    # "joint inspections 2014-16 grade 1.1, 2.1, 2.2, 5.1, 5.2, 5.3, 6.2, 6.3, 9.4 (seed 004)"
    p = inspection_profile("joint-2014-16")
    assert p.framework == "qif-2014"
    assert p.graded == ("1.1", "2.1", "2.2", "5.1", "5.2", "5.3", "6.2", "6.3", "9.4")
    assert [q.text for q in p.questions] == [
        "How are outcomes for children and young people improving?",
        "How well do partners work together to improve outcomes for children and young people?",
        "How good is leadership and direction of services for children and young people?",
    ]
    # Seed 004 lists the nine QIs under the three questions.
    assert tuple(qi for q in p.questions for qi in q.indicators) == p.graded
    assert p.graded == national_results().graded


def test_joint_inspections_2018() -> None:
    # "the 2018/2019 model answers five questions and grades 1.1, 2.1, 2.2, 9.1-9.4"
    p = inspection_profile("joint-2018")
    assert p.framework == "qif-2018"
    assert p.graded == ("1.1", "2.1", "2.2", "9.1", "9.2", "9.3", "9.4")
    assert len(p.questions) == 5
    assert p.questions[-1].text == "How good is collaborative leadership?"
    assert all(q.text.startswith("How good is") for q in p.questions)


def test_children_at_risk_of_harm_2021() -> None:
    # "the 2021 children-at-risk-of-harm model addresses four statements and grades only 2.1"
    p = inspection_profile("children-at-risk-of-harm-2021")
    assert p.graded == ("2.1",)
    assert len(p.questions) == 4
    assert p.is_graded("2.1") and not p.is_graded("1.1")
    assert [qi.title for qi in p.graded_indicators()] == ["Impact on children and young people"]


def test_every_profile_names_existing_indicators() -> None:
    for p in inspection_profiles():
        fw = qifeval.load_framework(p.framework)
        for qi in (*p.graded, *(qi for q in p.questions for qi in q.indicators)):
            assert qi in fw
        assert p.source and p.years and p.title


def test_unknown_profile_suggests() -> None:
    with pytest.raises(UnknownIndicatorError) as info:
        inspection_profile("joint-2014")
    assert "joint-2014-16" in info.value.suggestions
    assert "did you mean" in str(info.value)


@pytest.mark.parametrize(
    ("mutate", "path", "message"),
    [
        (
            lambda raw: raw["profiles"][1]["graded"].append("8.3"),
            "profiles[1].graded[7]",
            "qif-2018 has no indicator '8.3'",
        ),
        (
            lambda raw: raw["profiles"][0]["questions"][1]["indicators"].append("6.5"),
            "profiles[0].questions[1].indicators[5]",
            "qif-2014 has no indicator '6.5'",
        ),
        (_set(["profiles", 2, "id"], "joint-2018"), "profiles[2].id", "duplicate profile id"),
        (_set(["profiles", 2, "graded"], "2.1"), "profiles[2].graded", "expected a list"),
        (_set(["profiles", 2, "graded"], ["2.1", "2.1"]), "profiles[2].graded[1]", "listed twice"),
        (
            _set(["profiles", 0, "framework"], "qif-2016"),
            "profiles[0].framework",
            "unknown framework",
        ),
        (
            _set(["profiles", 0, "questions", 0, "txt"], "x"),
            "profiles[0].questions[0]",
            "unknown key(s) 'txt'",
        ),
    ],
)
def test_invalid_profiles_name_the_field(
    mutate: Callable[[dict[str, Any]], None], path: str, message: str
) -> None:
    raw = copy.deepcopy(_raw("profiles.toml"))
    mutate(raw)
    with pytest.raises(FrameworkError) as info:
        inspection_profiles_from_dict(raw, file="profiles.toml")
    assert info.value.path == path
    assert message in info.value.problem


# --------------------------------------------------------------------------
# All three


def test_reference_data_round_trips_through_the_converter_and_pickle() -> None:
    cw, results, profiles = load_crosswalk(), national_results(), inspection_profiles()
    again = crosswalk_from_dict({"schema_version": 1, **converter.unstructure(cw)})
    assert again == cw
    assert national_results_from_dict({"schema_version": 1, **converter.unstructure(results)}) == (
        results
    )
    assert converter.unstructure(results.for_indicator("2.2"))["counts"] == {"excellent": 1}
    raw = {"schema_version": 1, "profiles": converter.unstructure(profiles)}
    assert inspection_profiles_from_dict(raw) == profiles
    for obj in (cw, results, profiles):
        assert pickle.loads(pickle.dumps(obj)) == obj
    assert pickle.loads(pickle.dumps(cw)).to_2018("8.3").to_id == "6.5"


def test_bundled_reference_data_is_cached() -> None:
    assert load_crosswalk() is load_crosswalk()
    assert inspection_profiles() is inspection_profiles()
    assert inspection_profile("joint-2018") is inspection_profiles()[1]


@given(
    st.sampled_from(["qif-2014", "qif-2018"]).flatmap(
        lambda fw: st.tuples(
            st.just(fw), st.sampled_from([qi.id for qi in qifeval.load_framework(fw)])
        )
    )
)
def test_translate_is_the_link_seen_from_either_side(case: tuple[str, str]) -> None:
    source, qi_id = case
    target = "qif-2018" if source == "qif-2014" else "qif-2014"
    cw = load_crosswalk()
    there = cw.translate(qi_id, source, target)
    link = cw.to_2018(qi_id) if source == "qif-2014" else cw.to_2014(qi_id)
    assert there == (link.to_id if source == "qif-2014" else link.from_id)
    if there is not None:
        assert there in qifeval.load_framework(target)
        assert cw.translate(there, target, source) == qi_id


def test_frameworks_are_found_by_their_content_not_their_file_names() -> None:
    assert qifeval.available_frameworks() == ("qif-2014", "qif-2018")
    for framework_id in qifeval.available_frameworks():
        assert qifeval.load_framework(framework_id).id == framework_id
