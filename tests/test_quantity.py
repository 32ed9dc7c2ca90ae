"""Sampling uncertainty: the Wilson interval, the bands it spans and the
sample that settles a band."""

from __future__ import annotations

import math

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import qifeval
from qifeval.evidence import BANDS, sample_needed, wilson_interval

shares = st.floats(0, 1, allow_nan=False)
samples = st.integers(1, 100_000)


@given(shares, samples)
def test_interval_contains_the_share_and_stays_in_0_1(p: float, n: int) -> None:
    i = wilson_interval(p, n)
    assert 0 <= i.low <= p <= i.high <= 1


@given(shares, samples, st.integers(1, 1000))
def test_interval_narrows_as_the_sample_grows(p: float, n: int, more: int) -> None:
    small, large = wilson_interval(p, n), wilson_interval(p, n + more)
    assert small.low <= large.low + 1e-12
    assert large.high <= small.high + 1e-12


@given(shares, samples)
def test_interval_is_symmetric(p: float, n: int) -> None:
    i, mirror = wilson_interval(p, n), wilson_interval(1 - p, n)
    assert math.isclose(i.low, 1 - mirror.high, abs_tol=1e-9)
    assert math.isclose(i.high, 1 - mirror.low, abs_tol=1e-9)


def test_interval_against_the_textbook_formula() -> None:
    # 47 of 60: Wilson 95% interval 0.6638 to 0.8688 (z = 1.959964).
    i = wilson_interval(47 / 60, 60)
    assert (round(i.low, 4), round(i.high, 4)) == (0.6638, 0.8688)
    assert i.terms == ("majority", "most") and not i.settled
    assert i.could_be == ("majority",)
    # 0 of 10: the upper end is z²/(n + z²).
    z2 = 1.959963984540054**2
    assert math.isclose(wilson_interval(0, 10).high, z2 / (10 + z2))


@given(shares, samples)
def test_terms_run_from_the_low_end_to_the_high_end(p: float, n: int) -> None:
    i = wilson_interval(p, n)
    order = [b.term for b in BANDS]
    first, last = order.index(qifeval.quantifier(i.low)), order.index(qifeval.quantifier(i.high))
    assert i.terms == tuple(order[first : last + 1])
    assert qifeval.quantifier(p) in i.terms
    assert i.settled == (len(i.terms) == 1)


def test_bands_are_domain_bands_and_cover_0_to_1_once() -> None:
    assert [b.term for b in BANDS] == [
        "none",
        "a few",
        "less than half",
        "majority",
        "most",
        "almost all",
        "all",
    ]
    for k in range(10_001):
        p = k / 10_000
        holding = [b.term for b in BANDS if p in b]
        assert holding == [qifeval.quantifier(p)], p


@given(st.floats(0.0001, 0.9999).filter(lambda p: p not in (0.15, 0.5, 0.75)))
def test_sample_needed_settles_the_band_and_no_smaller_sample_does(p: float) -> None:
    n = sample_needed(p)
    assume(n is not None)  # beyond the search limit, very near an edge
    assert wilson_interval(p, n).settled
    assert n == 1 or not wilson_interval(p, n - 1).settled


@pytest.mark.parametrize("p", [0.0, 1.0, 0.15, 0.5, 0.75])
def test_no_sample_settles_a_closed_edge_or_an_end(p: float) -> None:
    # The interval always reaches the band below a closed lower edge, and
    # beyond 0 or 1 into "a few" or "almost all".
    assert sample_needed(p) is None
    assert not wilson_interval(p, 10**9).settled


def test_sample_needed_examples() -> None:
    assert sample_needed(0.8) == 289
    assert sample_needed(0.8, band="most") == 289
    assert wilson_interval(0.8, 289).settled and not wilson_interval(0.8, 288).settled


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: sample_needed(0.4, band="most"), "is 'less than half', not 'most'"),
        (lambda: sample_needed(0.4, band="many"), "expected an evaluative term"),
        (lambda: sample_needed(1.5), "proportion"),
        (lambda: wilson_interval(0.5, 0), "at least 1"),
        (lambda: wilson_interval(0.5, True), "whole number"),
        (lambda: wilson_interval(math.nan, 10), "proportion"),
    ],
)
def test_bad_arguments_are_clear_errors(call, match: str) -> None:
    with pytest.raises(qifeval.InputError, match=match):
        call()


def _finding(**kw: object) -> qifeval.Finding:
    base: dict[str, object] = dict(
        id="F1",
        qi="5.2",
        statement="records had an up-to-date chronology",
        valence="strength",
        weight="important",
        source="practice",
    )
    return qifeval.Finding(**{**base, **kw})  # type: ignore[arg-type]


def test_described_gives_figures_and_what_the_term_could_be() -> None:
    f = _finding(proportion=47 / 60, sample=60)
    assert f.described() == "most (78%, 47 of 60; could be a majority)"
    assert f.interval == wilson_interval(47 / 60, 60)
    settled = _finding(proportion=0.8, sample=400)
    assert settled.described() == "most (80%, 320 of 400)"
    wide = _finding(proportion=0.5, sample=4)
    assert wide.described() == "majority (50%, 2 of 4; could be less than half or most)"
    assert _finding(proportion=0.8).described() == "most (80%)"
    assert _finding().described() is None and _finding().interval is None
    assert _finding(proportion=0.999, sample=2000).described().startswith("almost all (over 99%")
    assert _finding(proportion=0.001, sample=2000).described().startswith("a few (under 1%")


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_described_figures_are_the_count_of_the_sample(kn: tuple[int, int]) -> None:
    k, n = kn
    text = _finding(proportion=k / n, sample=n).described()
    assert text is not None
    assert text.startswith(qifeval.quantifier(k / n) + " (")
    assert f", {k} of {n}" in text
    assert ("could be" in text) != wilson_interval(k / n, n).settled


def test_quantified_does_not_add_a_second_term() -> None:
    f = _finding(statement="Most records (78%, 47 of 60) had a chronology", proportion=47 / 60)
    assert f.quantified() == f.statement
    assert attrs.evolve(f, statement="records had one").quantified() == "most records had one"


@given(st.floats(0, 1), st.integers(1, 10_000))
def test_could_be_is_what_the_interval_could_be(share: float, sample: int) -> None:
    from qifeval.evidence._quantity import could_be

    interval = qifeval.wilson_interval(share, sample)
    assert could_be(share, sample) == interval.could_be
    assert (not could_be(share, sample)) == interval.settled
