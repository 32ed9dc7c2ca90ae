"""Sampling uncertainty: the 95% Wilson interval of a share, the evaluative
bands it spans, and the sample that would settle a band.

A finding's ``proportion`` is a share of a *sample* of records or
respondents. The share in the whole population may differ; the Wilson
score interval says by how much it plausibly may, and when the interval
reaches into a neighbouring evaluative band (see
:func:`~qifeval.quantifier`) the term the finding leads with is not
settled. Pure standard-library arithmetic.
"""

from __future__ import annotations

import math
import re
from statistics import NormalDist

import attrs

from .._errors import InputError
from ..frameworks._grade import quantifier

__all__ = [
    "BANDS",
    "MAX_SAMPLE_SEARCHED",
    "Band",
    "WilsonInterval",
    "band_of",
    "could_be",
    "evaluative_lead",
    "sample_needed",
    "settled",
    "wilson_interval",
]

#: The confidence level of the intervals qifeval gives.
CONFIDENCE = 0.95
#: The normal quantile for :data:`CONFIDENCE` (about 1.96).
Z = NormalDist().inv_cdf(0.5 + CONFIDENCE / 2)
#: The largest sample :func:`sample_needed` looks for.
MAX_SAMPLE_SEARCHED = 10**12


@attrs.frozen(kw_only=True)
class Band:
    """One evaluative band: the shares from *low* to *high*, each end
    included or not, as qifeval reads the inspectorates' quantifiers.

    :param term: the evaluative term, e.g. ``"most"``.
    """

    term: str
    low: float
    high: float
    low_closed: bool
    high_closed: bool

    def __contains__(self, share: object) -> bool:
        if not isinstance(share, int | float):
            return False
        above = share >= self.low if self.low_closed else share > self.low
        below = share <= self.high if self.high_closed else share < self.high
        return above and below


#: The bands in order from none to all (DOMAIN: none = 0; a few 0 < p < 15%;
#: less than half 15% ≤ p < 50%; majority 50% ≤ p < 75%; most 75% ≤ p ≤ 90%;
#: almost all 90% < p < 100%; all = 100%).
BANDS: tuple[Band, ...] = (
    Band(term="none", low=0.0, high=0.0, low_closed=True, high_closed=True),
    Band(term="a few", low=0.0, high=0.15, low_closed=False, high_closed=False),
    Band(term="less than half", low=0.15, high=0.5, low_closed=True, high_closed=False),
    Band(term="majority", low=0.5, high=0.75, low_closed=True, high_closed=False),
    Band(term="most", low=0.75, high=0.9, low_closed=True, high_closed=True),
    Band(term="almost all", low=0.9, high=1.0, low_closed=False, high_closed=False),
    Band(term="all", low=1.0, high=1.0, low_closed=True, high_closed=True),
)
_BY_TERM = {b.term: b for b in BANDS}
_ORDER = [b.term for b in BANDS]


def band_of(term: str) -> Band:
    """The band of an evaluative term (``"a few"`` … ``"all"``).

    :raises InputError: for a term that is not one of :data:`BANDS`.
    """
    try:
        return _BY_TERM[term]
    except KeyError:
        terms = ", ".join(repr(t) for t in _ORDER)
        raise InputError(f"expected an evaluative term ({terms}), got {term!r}") from None


def _check(share: float, sample: int) -> None:
    quantifier(share)  # raises the clear error for a share outside 0-1
    if isinstance(sample, bool) or not isinstance(sample, int) or sample < 1:
        raise InputError(
            f"a sample is a whole number of records or respondents, at least 1, got {sample!r}"
        )


@attrs.frozen(kw_only=True)
class WilsonInterval:
    """The 95% Wilson score interval of a share of a sample.

    :param share: the share observed (0 to 1).
    :param sample: the number of records or respondents it is of.
    :param low: the interval's lower end.
    :param high: the interval's upper end.
    """

    share: float
    sample: int
    low: float
    high: float

    @property
    def terms(self) -> tuple[str, ...]:
        """The evaluative terms whose bands the interval reaches, from the
        lowest: the share's own term and every term it *could be*."""
        return _terms(quantifier(self.low), quantifier(self.high))

    @property
    def settled(self) -> bool:
        """Whether the interval lies within one band, so that the share's
        evaluative term holds whatever the sampling."""
        return _one_band(self.low, self.high)

    @property
    def could_be(self) -> tuple[str, ...]:
        """The terms other than the share's own that the interval reaches."""
        return _could_be(self.share, self.low, self.high)


def wilson_interval(share: float, sample: int) -> WilsonInterval:
    """The 95% Wilson score interval of *share* of *sample* records or
    respondents: the shares *p* for which the observed share is within
    1.96 standard errors, ``(share - p)² = z² p (1 - p) / sample``.

    Unlike the share ± 1.96 standard errors it stays within 0 to 1 and
    is sound for small samples and shares near 0 or 1.

    >>> import qifeval
    >>> i = qifeval.wilson_interval(47 / 60, 60)
    >>> round(i.low, 3), round(i.high, 3), i.terms
    (0.664, 0.869, ('majority', 'most'))

    :raises InputError: for a share outside 0 to 1 or a sample under 1.
    """
    low, high = _ends(share, sample)
    return WilsonInterval(share=share, sample=sample, low=low, high=high)


def _ends(share: float, sample: int) -> tuple[float, float]:
    """The ends of the 95% Wilson interval of *share* of *sample*."""
    _check(share, sample)
    n = sample
    z2 = Z * Z
    denominator = 1 + z2 / n
    centre = (share + z2 / (2 * n)) / denominator
    half = Z / denominator * math.sqrt(share * (1 - share) / n + z2 / (4 * n * n))
    low = 0.0 if share == 0 else max(0.0, centre - half)
    high = 1.0 if share == 1 else min(1.0, centre + half)
    # The exact ends are inside the interval; rounding must not move them out.
    return min(low, share), max(high, share)


def _terms(lowest: str, highest: str) -> tuple[str, ...]:
    """The evaluative terms from *lowest* to *highest*."""
    return tuple(_ORDER[_ORDER.index(lowest) : _ORDER.index(highest) + 1])


def could_be(share: float, sample: int) -> tuple[str, ...]:
    """The terms other than the share's own that the 95% Wilson interval of
    *share* of *sample* reaches (:attr:`WilsonInterval.could_be`, without
    making the interval): none when the interval lies within one band.

    :raises InputError: for a share outside 0 to 1 or a sample under 1.
    """
    return _could_be(share, *_ends(share, sample))


def _could_be(share: float, low: float, high: float) -> tuple[str, ...]:
    lowest, highest = quantifier(low), quantifier(high)
    if lowest == highest:  # the share's own band
        return ()
    own = quantifier(share)
    return tuple(t for t in _terms(lowest, highest) if t != own)


def _one_band(low: float, high: float) -> bool:
    """Whether the shares from *low* to *high* lie within one band."""
    return quantifier(low) == quantifier(high)


def settled(share: float, sample: int) -> bool:
    """Whether the 95% Wilson interval of *share* of *sample* lies within
    one band (:attr:`WilsonInterval.settled`, without making the interval).

    :raises InputError: for a share outside 0 to 1 or a sample under 1.
    """
    return _one_band(*_ends(share, sample))


def sample_needed(share: float, band: str | None = None) -> int | None:
    """How many records or respondents would settle *band* at *share*: the
    smallest sample whose 95% Wilson interval at that share lies wholly
    within the band (by default the share's own band).

    The Wilson interval at a fixed share narrows as the sample grows (its
    ends are the roots of ``(share - p)² = z² p (1 - p) / n``, which move
    towards the share as *n* grows), so the answer is found by doubling
    and then halving the search range.

    Returns ``None`` when no sample settles the band: at a share of 0 or
    1 (the interval always reaches "a few" or "almost all"), on a band's
    closed edge (50% is always "could be less than half"), or beyond
    ``MAX_SAMPLE_SEARCHED`` (10**12).

    >>> import qifeval
    >>> qifeval.sample_needed(0.8), qifeval.sample_needed(0.75)
    (289, None)

    :raises InputError: for a share outside 0 to 1, an unknown band, or a
        share outside *band*.
    """
    own = quantifier(share)
    target = band_of(own if band is None else band)
    if share not in target:
        raise InputError(f"a share of {share:.4g} is {own!r}, not {target.term!r}")

    def settles(n: int) -> bool:
        i = wilson_interval(share, n)
        return i.low in target and i.high in target

    high = 1
    while not settles(high):
        high *= 2
        if high > MAX_SAMPLE_SEARCHED:
            return None
    low = high // 2  # does not settle (or is 0)
    while high - low > 1:
        middle = (low + high) // 2
        if settles(middle):
            high = middle
        else:
            low = middle
    return high


# The evaluative term a statement leads with (after an optional "In"), and
# the band it names. Longer terms first: "almost all" before "all".
_LEAD = re.compile(
    r"^\W*(?:in\s+)?(?P<term>almost\s+all|all|most|(?:the\s+|a\s+)?majority|"
    r"less\s+than\s+half|a\s+few|few|none)\b",
    re.IGNORECASE,
)
_BAND = {"the majority": "majority", "a majority": "majority", "few": "a few"}
# First characters with which no statement leads with a term: word characters
# (so no "\W" comes first) that no letter of "in" or of a term matches.
_NO_LEAD = frozenset("0123456789_bcdeghjkopqrsuvwxyzBCDEGHJKOPQRSUVWXYZ")


def evaluative_lead(statement: str) -> tuple[str, str] | None:
    """The evaluative term *statement* leads with, as written (lower case,
    single spaces), and the band it names (a term of
    :func:`~qifeval.quantifier`); ``None`` if it leads with none.

    >>> evaluative_lead("Most records (78%, 47 of 60) had a chronology")
    ('most', 'most')
    >>> evaluative_lead("In a few areas, plans were late")
    ('a few', 'a few')
    >>> evaluative_lead("Records had a chronology") is None
    True
    """
    if statement[:1] in _NO_LEAD:
        return None
    m = _LEAD.match(statement)
    if m is None:
        return None
    written = " ".join(m["term"].lower().split())
    return written, _BAND.get(written, written)
