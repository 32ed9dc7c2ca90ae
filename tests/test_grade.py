import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qifeval import Grade, InputError, quantifier


def test_scale_order_and_labels() -> None:
    assert [g.value for g in Grade] == [1, 2, 3, 4, 5, 6]
    assert [g.label for g in Grade] == [
        "Unsatisfactory",
        "Weak",
        "Adequate",
        "Good",
        "Very good",
        "Excellent",
    ]
    assert Grade.EXCELLENT.descriptor == "outstanding or sector leading"
    assert Grade.ADEQUATE.descriptor == "strengths just outweigh weaknesses"
    assert str(Grade.VERY_GOOD) == "5 Very good"


def test_every_grade_has_its_appendix_2_paragraph() -> None:
    for g in Grade:
        assert g.description.startswith(f"An evaluation of {g.label.lower()}")
        assert g.description.endswith(".")
    assert "model of its type" in Grade.EXCELLENT.description
    assert "immediate remedial action" in Grade.UNSATISFACTORY.description


@pytest.mark.parametrize(
    ("value", "grade"),
    [
        (5, Grade.VERY_GOOD),
        ("5", Grade.VERY_GOOD),
        ("very good", Grade.VERY_GOOD),
        ("Very Good", Grade.VERY_GOOD),
        ("VERY_GOOD", Grade.VERY_GOOD),
        ("very-good", Grade.VERY_GOOD),
        ("  unsatisfactory ", Grade.UNSATISFACTORY),
        (Grade.WEAK, Grade.WEAK),
        (1, Grade.UNSATISFACTORY),
        (6, Grade.EXCELLENT),
    ],
)
def test_parse(value: object, grade: Grade) -> None:
    assert Grade.parse(value) is grade


@pytest.mark.parametrize("value", [0, 7, -1, True, "", "great", "4.5", 4.0, None, "goodish"])
def test_parse_rejects(value: object) -> None:
    with pytest.raises(InputError, match="expected a grade"):
        Grade.parse(value)


@given(st.sampled_from(Grade))
def test_parse_round_trips_label_and_number(g: Grade) -> None:
    assert Grade.parse(g.label) is g
    assert Grade.parse(g.label.upper()) is g
    assert Grade.parse(int(g)) is g
    assert Grade.parse(str(int(g))) is g


@pytest.mark.parametrize(
    ("p", "word"),
    [
        (0, "none"),
        (0.0001, "a few"),
        (0.1499, "a few"),
        (0.15, "less than half"),
        (0.4999, "less than half"),
        (0.5, "majority"),
        (0.7499, "majority"),
        (0.75, "most"),
        (0.9, "most"),
        (0.9001, "almost all"),
        (0.9999, "almost all"),
        (1, "all"),
        (1.0, "all"),
    ],
)
def test_quantifier_band_edges(p: float, word: str) -> None:
    assert quantifier(p) == word


# Each edge of DOMAIN's bands: (edge, term just below it, term at it, term just above it).
EDGES = [
    (0.15, "a few", "less than half", "less than half"),
    (0.5, "less than half", "majority", "majority"),
    (0.75, "majority", "most", "most"),
    (0.9, "most", "most", "almost all"),
]


@pytest.mark.parametrize(("edge", "below", "at", "above"), EDGES)
def test_quantifier_either_side_of_every_edge(edge: float, below: str, at: str, above: str) -> None:
    assert quantifier(math.nextafter(edge, 0)) == below
    assert quantifier(edge) == at
    assert quantifier(math.nextafter(edge, 1)) == above


def test_quantifier_ends_are_points_and_the_smallest_band_is_a_few() -> None:
    assert quantifier(0.0) == "none"
    assert quantifier(math.nextafter(0, 1)) == "a few"
    assert quantifier(math.nextafter(1, 0)) == "almost all"
    assert quantifier(1.0) == "all"
    assert "few" not in {quantifier(i / 1000) for i in range(1001)}


@pytest.mark.parametrize("p", [-0.01, 1.01, math.nan, math.inf, True, "0.5", None])
def test_quantifier_rejects(p: object) -> None:
    with pytest.raises(InputError, match="proportion"):
        quantifier(p)  # type: ignore[arg-type]


ORDER = ["none", "a few", "less than half", "majority", "most", "almost all", "all"]


@given(st.floats(0, 1), st.floats(0, 1))
def test_quantifier_is_monotonic(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    assert ORDER.index(quantifier(lo)) <= ORDER.index(quantifier(hi))
