"""The national results 2014-16: how the 12 joint inspections of 2014-16
graded the nine indicators they evaluated.

The results are a TOML file in ``qifeval/frameworks/``, read once, checked
against the bundled framework and cached; the objects are immutable.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from .. import _convert
from .._errors import FrameworkError, InputError, UnknownIndicatorError
from .._ids import close_matches
from .._tuples import to_tuple
from ._grade import Grade
from ._loading import bundled_framework, check_reference_schema, read_bundled

__all__ = [
    "CountRange",
    "GradePosition",
    "IndicatorResults",
    "NationalResults",
    "national_results",
    "national_results_from_dict",
]

_NATIONAL_FILE = "national-2014-16.toml"


@attrs.frozen(kw_only=True)
class CountRange:
    """A number of areas known exactly (``low == high``) or only within
    bounds, because the source does not give the full split.

    >>> str(CountRange(low=3, high=3)), str(CountRange(low=0, high=10))
    ('3', '0-10')
    >>> CountRange(low=0, high=10).exact is None
    True
    """

    low: int
    high: int

    @property
    def exact(self) -> int | None:
        """The number, if it is known exactly; otherwise ``None``."""
        return self.low if self.low == self.high else None

    @property
    def is_exact(self) -> bool:
        """Whether the number is known exactly."""
        return self.low == self.high

    def __str__(self) -> str:
        return str(self.low) if self.is_exact else f"{self.low}-{self.high}"


@attrs.frozen(kw_only=True)
class GradePosition:
    """Where a grade sits among the areas evaluated: how many were graded
    higher, the same and lower (see :meth:`IndicatorResults.position`).

    Each count is a :class:`CountRange`; when the published figures do not
    give the full split, the ranges say what is and is not known.
    """

    qi: str
    grade: Grade
    areas: int
    higher: CountRange
    same: CountRange
    lower: CountRange

    @property
    def is_exact(self) -> bool:
        """Whether all three counts are known exactly."""
        return self.higher.is_exact and self.same.is_exact and self.lower.is_exact

    def __str__(self) -> str:
        text = (
            f"QI {self.qi}, {self.grade.label}: of {self.areas} areas, {self.higher} graded "
            f"higher, {self.same} the same, {self.lower} lower"
        )
        if not self.is_exact:
            text += " (the published figures do not give the full split)"
        return text


_ORDER = tuple(sorted(Grade, reverse=True))
_KEYS = {grade.name.lower(): grade for grade in Grade}


class _GradeCounts(Mapping[Grade, int]):
    """An immutable, hashable, picklable mapping of grades to numbers of
    areas, highest grade first."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[Grade, int]) -> None:
        self._data = {g: data[g] for g in _ORDER if g in data}

    def __getitem__(self, grade: Grade) -> int:
        return self._data[grade]

    def __iter__(self) -> Iterator[Grade]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(tuple(self._data.items()))

    def __repr__(self) -> str:
        return repr(self._data)

    def __reduce__(self) -> tuple[type[_GradeCounts], tuple[dict[Grade, int]]]:
        return (type(self), (self._data,))


def _grade_counts(value: Mapping[Grade | str | int, int]) -> Mapping[Grade, int]:
    return _GradeCounts({Grade.parse(k): v for k, v in dict(value).items()})


@attrs.frozen(kw_only=True)
class IndicatorResults:
    """How the areas inspected were graded on one quality indicator.

    :param counts: areas per grade (in the file: ``very_good = 3``).
        When *complete*, grades not listed had no areas; otherwise only the
        listed grades are known.
    :param complete: whether the source gives the full distribution.
    :param good_or_better: areas graded Good or better, if the source
        states it (required when the distribution is incomplete).
    :param below_good: areas graded below Good, likewise.
    :param note: the source's words.

    >>> from qifeval import national_results
    >>> qi = national_results().for_indicator("5.2")
    >>> {g.label: n for g, n in qi.distribution.items() if n}
    {'Good': 8, 'Adequate': 3, 'Weak': 1}
    >>> qi.good_or_better_count, qi.total
    (8, 12)
    """

    qi: str
    complete: bool
    counts: Mapping[Grade, int] = attrs.field(converter=_grade_counts)
    good_or_better: int | None = None
    below_good: int | None = None
    note: str = ""

    def __attrs_post_init__(self) -> None:
        problems = list(_results_problems(self))
        if problems:
            path, problem = problems[0]
            raise FrameworkError(problem, path=path)

    def _known(self) -> dict[Grade, int]:
        if self.complete:
            return {g: self.counts.get(g, 0) for g in _ORDER}
        return dict(self.counts)

    @property
    def distribution(self) -> Mapping[Grade, int]:
        """Areas per grade, highest grade first: every grade when the
        distribution is complete, only the published ones otherwise."""
        return _GradeCounts(self._known())

    def count(self, grade: Grade | int | str) -> int | None:
        """The number of areas given *grade*, or ``None`` if the source does
        not say."""
        return self._known().get(Grade.parse(grade))

    @property
    def good_or_better_count(self) -> int:
        """Areas graded Good or better, as stated or summed from the counts."""
        if self.good_or_better is not None:
            return self.good_or_better
        return sum(n for g, n in self.counts.items() if g >= Grade.GOOD)

    @property
    def below_good_count(self) -> int:
        """Areas graded below Good, as stated or summed from the counts."""
        if self.below_good is not None:
            return self.below_good
        return sum(n for g, n in self.counts.items() if g < Grade.GOOD)

    @property
    def total(self) -> int:
        """The number of areas accounted for."""
        return self.good_or_better_count + self.below_good_count

    def possible_distributions(self) -> Iterator[dict[Grade, int]]:
        """Every distribution over the six grades that agrees with the
        published figures (exactly one when the results are complete)."""
        known = self._known()
        groups = []
        for members, size in (
            ([g for g in _ORDER if g >= Grade.GOOD], self.good_or_better_count),
            ([g for g in _ORDER if g < Grade.GOOD], self.below_good_count),
        ):
            unknown = [g for g in members if g not in known]
            rest = size - sum(known.get(g, 0) for g in members)
            groups.append(
                [dict(zip(unknown, split, strict=True)) for split in _splits(rest, len(unknown))]
            )
        for high, low in itertools.product(*groups):
            yield {g: {**known, **high, **low}[g] for g in _ORDER}

    def position(self, grade: Grade | int | str) -> GradePosition:
        """How many areas were graded higher than *grade*, the same and
        lower.

        Where the source does not give the full split (QI 2.2 in 2014-16),
        the counts are ranges over every distribution consistent with the
        published figures; no split is invented.

        >>> from qifeval import national_results
        >>> pos = national_results().for_indicator("6.3").position("good")
        >>> pos.higher.exact, pos.same.exact, pos.lower.exact
        (7, 3, 2)
        >>> pos = national_results().for_indicator("2.2").position("very good")
        >>> pos.higher, pos.same, pos.lower
        (CountRange(low=1, high=1), CountRange(low=0, high=10), CountRange(low=1, high=11))
        >>> pos.same.exact is None
        True
        """
        grade = Grade.parse(grade)
        seen: dict[str, list[int]] = {"higher": [], "same": [], "lower": []}
        for dist in self.possible_distributions():
            seen["higher"].append(sum(n for g, n in dist.items() if g > grade))
            seen["same"].append(dist[grade])
            seen["lower"].append(sum(n for g, n in dist.items() if g < grade))
        ranges = {k: CountRange(low=min(v), high=max(v)) for k, v in seen.items()}
        return GradePosition(qi=self.qi, grade=grade, areas=self.total, **ranges)


def _splits(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every way of writing *total* as *parts* non-negative numbers."""
    if parts == 0:
        if total == 0:
            yield ()
        return
    if parts == 1:
        yield (total,)
        return
    for first in range(total, -1, -1):
        for rest in _splits(total - first, parts - 1):
            yield (first, *rest)


def _results_problems(r: IndicatorResults) -> Iterator[tuple[str, str]]:
    if not r.qi.strip():
        yield "qi", "must not be empty"
    for grade, n in r.counts.items():
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            yield (
                f"counts.{grade.name.lower()}",
                f"expected a number of areas (0 or more), got {n!r}",
            )
    for name in ("good_or_better", "below_good"):
        stated = getattr(r, name)
        if stated is not None and stated < 0:
            yield name, f"expected a number of areas (0 or more), got {stated!r}"
    high = sum(n for g, n in r.counts.items() if g >= Grade.GOOD)
    low = sum(n for g, n in r.counts.items() if g < Grade.GOOD)
    if r.complete:
        for name, derived in (("good_or_better", high), ("below_good", low)):
            stated = getattr(r, name)
            if stated is not None and stated != derived:
                yield name, f"states {stated} but the counts give {derived}"
        return
    for name, known in (("good_or_better", high), ("below_good", low)):
        stated = getattr(r, name)
        if stated is None:
            yield name, "required when the distribution is incomplete (complete = false)"
        elif known > stated:
            yield name, f"states {stated} but the counts already give {known}"
    for name, members in (
        ("good_or_better", [g for g in Grade if g >= Grade.GOOD]),
        ("below_good", [g for g in Grade if g < Grade.GOOD]),
    ):
        stated = getattr(r, name)
        if (
            stated is not None
            and all(g in r.counts for g in members)
            and stated != sum(r.counts[g] for g in members)
        ):
            yield name, f"states {stated} but the counts of every grade in it give another total"


@attrs.frozen(kw_only=True)
class NationalResults:
    """The grades a programme of inspections gave, per quality indicator:
    the joint inspections of 2014-16 (seed 004, Part 1).

    :param framework: the framework whose indicator ids are used.
    :param areas: the number of areas inspected.

    >>> from qifeval import national_results
    >>> results = national_results()
    >>> results.areas, results.graded
    (12, ('1.1', '2.1', '2.2', '5.1', '5.2', '5.3', '6.2', '6.3', '9.4'))
    """

    title: str
    framework: str
    areas: int
    source: str = ""
    indicators: tuple[IndicatorResults, ...] = attrs.field(converter=to_tuple)

    def __attrs_post_init__(self) -> None:
        if self.areas < 1:
            raise FrameworkError(f"expected at least one area, got {self.areas}", path="areas")
        seen: dict[str, int] = {}
        for i, r in enumerate(self.indicators):
            if r.qi in seen:
                raise FrameworkError(
                    f"{r.qi!r} already has results in indicators[{seen[r.qi]}]",
                    path=f"indicators[{i}].qi",
                )
            seen[r.qi] = i
            if r.total != self.areas:
                raise FrameworkError(
                    f"the results account for {r.total} areas, not the {self.areas} inspected",
                    path=f"indicators[{i}].counts",
                )

    @property
    def graded(self) -> tuple[str, ...]:
        """The ids of the indicators graded, in order."""
        return tuple(r.qi for r in self.indicators)

    def for_indicator(self, qi_id: str) -> IndicatorResults:
        """The results for indicator *qi_id*, an id of the framework the
        results are for (``qif-2014``).

        :raises UnknownIndicatorError: if it was not graded, naming those
            that were.
        """
        key = str(qi_id).strip()
        for r in self.indicators:
            if r.qi == key:
                return r
        raise UnknownIndicatorError(
            key,
            framework_id=f"{self.title} (graded: {', '.join(self.graded)})",
            suggestions=close_matches(key, self.graded, cutoff=0.3),
        )

    def __iter__(self) -> Iterator[IndicatorResults]:
        return iter(self.indicators)

    def __contains__(self, qi_id: object) -> bool:
        return qi_id in self.graded


def _structure_counts(value: object, _: object) -> dict[Grade, int]:
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a table of grades, got {type(value).__name__}")
    out: dict[Grade, int] = {}
    for key, n in value.items():
        if key not in _KEYS:
            raise InputError(
                f"unknown grade {key!r}: expected one of {', '.join(_KEYS)}", path=str(key)
            )
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise InputError(f"expected a number of areas (0 or more), got {n!r}", path=str(key))
        out[_KEYS[key]] = n
    return out


_convert.converter.register_structure_hook_func(
    lambda t: t == Mapping[Grade, int], _structure_counts
)
_convert.converter.register_unstructure_hook_func(
    lambda t: t == Mapping[Grade, int],
    lambda counts: {g.name.lower(): n for g, n in counts.items()},
)


def national_results_from_dict(
    raw: Mapping[str, Any], *, file: str | Path | None = None
) -> NationalResults:
    """Build :class:`NationalResults` from the dict form of its TOML file
    and check that every indicator exists in the bundled framework named.

    :raises FrameworkError: naming *file* and the field path.
    """
    raw = check_reference_schema(raw, file)
    results = _convert.structure(raw, NationalResults, file=file, error=FrameworkError)
    fw = bundled_framework(results.framework, file=file, path="framework")
    for i, r in enumerate(results.indicators):
        if r.qi not in fw:
            raise FrameworkError(
                f"{fw.id} has no indicator {r.qi!r}", file=file, path=f"indicators[{i}].qi"
            )
    return results


@functools.cache
def national_results() -> NationalResults:
    """The grades of the 12 joint inspections of 2014-16 for the nine
    indicators they evaluated (ids of ``qif-2014``), read once and cached.

    For QI 2.2 the source gives only Excellent 1 and "good or better" in all
    areas but one; the rest of the split is not published and is left open.

    >>> from qifeval import national_results
    >>> qi = national_results().for_indicator("2.2")
    >>> qi.complete, qi.good_or_better_count, qi.count("excellent"), qi.count("good")
    (False, 11, 1, None)
    """
    raw, file = read_bundled(_NATIONAL_FILE)
    return national_results_from_dict(raw, file=file)
