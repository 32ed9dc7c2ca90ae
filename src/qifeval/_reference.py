"""Reference data bundled with qifeval, beside the frameworks themselves.

* the **crosswalk** between the 2014 and the 2018 framework (which indicator
  became which, and what changed);
* the **national results 2014-16**: how the 12 joint inspections of 2014-16
  graded the nine indicators they evaluated;
* the **inspection profiles**: which indicators an inspection model grades
  and which questions or statements it answers.

Each is a TOML file in ``qifeval/frameworks/``, read once, checked against
the bundled frameworks and cached; the objects are immutable.
"""

from __future__ import annotations

import difflib
import enum
import functools
import itertools
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from . import _convert
from ._errors import FrameworkError, InputError, UnknownIndicatorError
from ._framework import Framework, QualityIndicator
from ._grade import Grade
from ._loading import available_frameworks, load_framework

__all__ = [
    "Change",
    "CountRange",
    "Crosswalk",
    "CrosswalkEntry",
    "CrosswalkLink",
    "GradePosition",
    "IndicatorResults",
    "InspectionProfile",
    "NationalResults",
    "ProfileQuestion",
    "inspection_profile",
    "inspection_profiles",
    "load_crosswalk",
    "national_results",
]

REFERENCE_SCHEMA_VERSION = 1

_CROSSWALK_FILE = "crosswalk-2014-2018.toml"
_NATIONAL_FILE = "national-2014-16.toml"
_PROFILES_FILE = "profiles.toml"


# --------------------------------------------------------------------------
# Crosswalk


class Change(enum.StrEnum):
    """What happened to an indicator between two frameworks.

    ``same`` and ``renamed`` keep the id; ``moved`` links two different ids;
    ``new`` has no indicator on the *from* side and ``removed`` none on the
    *to* side.

    >>> Change("moved")
    <Change.MOVED: 'moved'>
    """

    SAME = "same"
    RENAMED = "renamed"
    MOVED = "moved"
    NEW = "new"
    REMOVED = "removed"


@attrs.frozen(kw_only=True)
class CrosswalkLink:
    """One line of a crosswalk: an indicator of the older framework and the
    indicator it became.

    :param from_id: the id in the older framework (``None`` for a ``new``
        indicator).
    :param to_id: the id in the newer framework (``None`` for a ``removed``
        one).
    :param note: where the change is documented, in the source's words.

    >>> link = CrosswalkLink(from_id="8.3", to_id="6.5", change=Change.MOVED)
    >>> link.change.value
    'moved'
    """

    from_id: str | None = None
    to_id: str | None = None
    change: Change
    note: str = ""


@attrs.frozen(kw_only=True)
class CrosswalkEntry:
    """A crosswalk link with the titles of both indicators, oriented in the
    direction it was looked up (see :meth:`Crosswalk.describe`).

    ``change`` is always named in the crosswalk's own direction (older to
    newer): looking up a ``new`` indicator from the newer side still says
    ``new``.

    >>> from qifeval import load_crosswalk
    >>> print(load_crosswalk().describe("2.2"))
    qif-2014 2.2 Impact on families -> qif-2018 2.2 Impact on families (same)
    """

    from_framework: str
    from_id: str | None
    from_title: str | None
    to_framework: str
    to_id: str | None
    to_title: str | None
    change: Change
    note: str = ""

    def __str__(self) -> str:
        def side(framework: str, qi_id: str | None, title: str | None) -> str:
            return f"{framework} (none)" if qi_id is None else f"{framework} {qi_id} {title}"

        return (
            f"{side(self.from_framework, self.from_id, self.from_title)} -> "
            f"{side(self.to_framework, self.to_id, self.to_title)} ({self.change.value})"
        )


@attrs.frozen(kw_only=True)
class Crosswalk:
    """The links between the indicators of two frameworks, such as the 2014
    and the 2018 framework (seed 000, para 3.7).

    Construction checks that no id appears twice on either side and that
    each link's ids fit its change, raising :class:`~qifeval.FrameworkError`
    naming the link.

    >>> from qifeval import load_crosswalk
    >>> cw = load_crosswalk()
    >>> cw.to_2018("8.3").to_id
    '6.5'
    >>> cw.to_2014("6.5").from_id
    '8.3'
    >>> entry = cw.describe("8.3")
    >>> entry.from_title, entry.to_id, entry.to_title, entry.change.value
    ('Securing improvement through self evaluation', '6.5', 'Self-evaluation', 'moved')
    """

    from_framework: str
    to_framework: str
    source: str = ""
    links: tuple[CrosswalkLink, ...] = attrs.field(converter=tuple)
    _by_from: dict[str, CrosswalkLink] = attrs.field(init=False, repr=False, eq=False, hash=False)
    _by_to: dict[str, CrosswalkLink] = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        problems = list(_link_problems(self))
        if problems:
            path, problem = problems[0]
            raise FrameworkError(problem, path=path)
        object.__setattr__(
            self, "_by_from", {ln.from_id: ln for ln in self.links if ln.from_id is not None}
        )
        object.__setattr__(
            self, "_by_to", {ln.to_id: ln for ln in self.links if ln.to_id is not None}
        )

    @property
    def from_ids(self) -> tuple[str, ...]:
        """The ids on the older side, in link order."""
        return tuple(self._by_from)

    @property
    def to_ids(self) -> tuple[str, ...]:
        """The ids on the newer side, in link order."""
        return tuple(self._by_to)

    def changes(self) -> tuple[CrosswalkLink, ...]:
        """The links whose indicator did not stay the same."""
        return tuple(ln for ln in self.links if ln.change is not Change.SAME)

    def map(self, qi_id: str, *, from_framework: str, to_framework: str) -> CrosswalkLink:
        """Return the link of indicator *qi_id* of *from_framework*, in
        either direction of the crosswalk.

        The link is returned as stored (``from_id`` on the older side).

        :raises UnknownIndicatorError: if *qi_id* is not on that side,
            naming the closest ids.
        :raises InputError: if the crosswalk does not join the two
            frameworks.
        """
        key = str(qi_id).strip()
        if (from_framework, to_framework) == (self.from_framework, self.to_framework):
            index, framework_id = self._by_from, self.from_framework
        elif (from_framework, to_framework) == (self.to_framework, self.from_framework):
            index, framework_id = self._by_to, self.to_framework
        else:
            raise InputError(
                f"this crosswalk maps between {self.from_framework!r} and "
                f"{self.to_framework!r}, not from {from_framework!r} to {to_framework!r}"
            )
        try:
            return index[key]
        except KeyError:
            raise UnknownIndicatorError(
                key,
                framework_id=framework_id,
                suggestions=difflib.get_close_matches(key, list(index), n=3, cutoff=0.3),
            ) from None

    def to_2018(self, qi_id: str) -> CrosswalkLink:
        """The link of 2014 indicator *qi_id*; its ``to_id`` is the 2018 id.

        :raises UnknownIndicatorError: if the 2014 framework has no *qi_id*.
        """
        return self.map(qi_id, from_framework="qif-2014", to_framework="qif-2018")

    def to_2014(self, qi_id: str) -> CrosswalkLink:
        """The link of 2018 indicator *qi_id*; its ``from_id`` is the 2014 id.

        :raises UnknownIndicatorError: if the 2018 framework has no *qi_id*.
        """
        return self.map(qi_id, from_framework="qif-2018", to_framework="qif-2014")

    def describe(
        self, qi_id: str, *, from_framework: str = "qif-2014", to_framework: str = "qif-2018"
    ) -> CrosswalkEntry:
        """The link of *qi_id* with the titles on both sides, taken from the
        bundled frameworks, oriented from *from_framework* to
        *to_framework*.

        >>> from qifeval import load_crosswalk
        >>> cw = load_crosswalk()
        >>> entry = cw.describe("6.5", from_framework="qif-2018", to_framework="qif-2014")
        >>> entry.from_title, entry.to_id, entry.to_title
        ('Self-evaluation', '8.3', 'Securing improvement through self evaluation')
        """
        link = self.map(qi_id, from_framework=from_framework, to_framework=to_framework)
        ids = {self.from_framework: link.from_id, self.to_framework: link.to_id}

        def title(framework_id: str) -> str | None:
            qi = ids[framework_id]
            return None if qi is None else load_framework(framework_id).indicator(qi).title

        return CrosswalkEntry(
            from_framework=from_framework,
            from_id=ids[from_framework],
            from_title=title(from_framework),
            to_framework=to_framework,
            to_id=ids[to_framework],
            to_title=title(to_framework),
            change=link.change,
            note=link.note,
        )

    def __iter__(self) -> Iterator[CrosswalkLink]:
        return iter(self.links)

    def __len__(self) -> int:
        return len(self.links)


def _link_problems(cw: Crosswalk) -> Iterator[tuple[str, str]]:
    seen: dict[str, dict[str, int]] = {"from_id": {}, "to_id": {}}
    for i, link in enumerate(cw.links):
        where = f"links[{i}]"
        for side in ("from_id", "to_id"):
            qi = getattr(link, side)
            if qi is None:
                continue
            if not qi.strip():
                yield f"{where}.{side}", "must not be empty (leave it out instead)"
            elif qi in seen[side]:
                yield f"{where}.{side}", f"{qi!r} is already linked by links[{seen[side][qi]}]"
            seen[side].setdefault(qi, i)
        change = link.change
        if change is Change.NEW:
            if link.from_id is not None or link.to_id is None:
                yield f"{where}.change", "a 'new' link needs a to_id and no from_id"
        elif change is Change.REMOVED:
            if link.from_id is None or link.to_id is not None:
                yield f"{where}.change", "a 'removed' link needs a from_id and no to_id"
        elif link.from_id is None or link.to_id is None:
            yield f"{where}.change", f"a {change.value!r} link needs a from_id and a to_id"
        elif change is Change.MOVED and link.from_id == link.to_id:
            yield f"{where}.to_id", "a 'moved' link joins two different ids"
        elif change is not Change.MOVED and link.from_id != link.to_id:
            yield (
                f"{where}.change",
                f"{link.from_id!r} -> {link.to_id!r} changes the id: that is 'moved', "
                f"not {change.value!r}",
            )


def crosswalk_from_dict(raw: Mapping[str, Any], *, file: str | Path | None = None) -> Crosswalk:
    """Build a :class:`Crosswalk` from the dict form of its TOML file and
    check it against the bundled frameworks it names: every indicator of
    each appears exactly once on its side.

    :raises FrameworkError: naming *file* and the field path.
    """
    raw = _check_schema(raw, file)
    cw = _convert.structure(raw, Crosswalk, file=file, error=FrameworkError)
    for side, framework_id, ids in (
        ("from", cw.from_framework, cw.from_ids),
        ("to", cw.to_framework, cw.to_ids),
    ):
        fw = _bundled_framework(framework_id, file=file, path=f"{side}_framework")
        for i, link in enumerate(cw.links):
            qi = getattr(link, f"{side}_id")
            if qi is not None and qi not in fw:
                raise FrameworkError(
                    f"{framework_id} has no indicator {qi!r}",
                    file=file,
                    path=f"links[{i}].{side}_id",
                )
        missing = [qi.id for qi in fw.all_indicators if qi.id not in ids]
        if missing:
            raise FrameworkError(
                f"every {framework_id} indicator must be linked once; not linked: "
                + ", ".join(missing),
                file=file,
                path="links",
            )
    return cw


@functools.cache
def load_crosswalk() -> Crosswalk:
    """The bundled crosswalk from the 2014 framework (``qif-2014``) to the
    2018 framework (``qif-2018``), read once and cached.

    It follows para 3.7 of the 2018 council paper (seed 000); changes not
    listed there come from comparing the two frameworks' titles, and each
    link's ``note`` says which.

    >>> from qifeval import load_crosswalk
    >>> [(ln.from_id, ln.to_id, ln.change.value) for ln in load_crosswalk().changes()][:2]
    [('1.1', '1.1', 'renamed'), ('5.1', '5.1', 'renamed')]
    """
    raw, file = _read_bundled(_CROSSWALK_FILE)
    return crosswalk_from_dict(raw, file=file)


# --------------------------------------------------------------------------
# National results 2014-16


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
    indicators: tuple[IndicatorResults, ...] = attrs.field(converter=tuple)

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
            suggestions=difflib.get_close_matches(key, list(self.graded), n=3, cutoff=0.3),
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


_convert.register_enums(Change)
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
    raw = _check_schema(raw, file)
    results = _convert.structure(raw, NationalResults, file=file, error=FrameworkError)
    fw = _bundled_framework(results.framework, file=file, path="framework")
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
    raw, file = _read_bundled(_NATIONAL_FILE)
    return national_results_from_dict(raw, file=file)


# --------------------------------------------------------------------------
# Inspection profiles


@attrs.frozen(kw_only=True)
class ProfileQuestion:
    """A question or statement an inspection model answers, with the
    indicators the source links to it (often none)."""

    text: str
    indicators: tuple[str, ...] = attrs.field(factory=tuple, converter=tuple)


@attrs.frozen(kw_only=True)
class InspectionProfile:
    """Which quality indicators an inspection model grades, and which
    questions or statements its reports answer.

    >>> from qifeval import inspection_profile
    >>> profile = inspection_profile("children-at-risk-of-harm-2021")
    >>> profile.graded, len(profile.questions)
    (('2.1',), 4)
    >>> [qi.title for qi in profile.graded_indicators()]
    ['Impact on children and young people']
    """

    id: str
    title: str
    framework: str
    years: str = ""
    source: str = ""
    graded: tuple[str, ...] = attrs.field(converter=tuple)
    questions: tuple[ProfileQuestion, ...] = attrs.field(factory=tuple, converter=tuple)

    def __attrs_post_init__(self) -> None:
        if not self.id.strip():
            raise FrameworkError("must not be empty", path="id")
        for i, qi in enumerate(self.graded):
            if qi in self.graded[:i]:
                raise FrameworkError(f"{qi!r} is listed twice", path=f"graded[{i}]")

    def is_graded(self, qi_id: str) -> bool:
        """Whether this inspection model grades indicator *qi_id*."""
        return str(qi_id).strip() in self.graded

    def graded_indicators(self) -> tuple[QualityIndicator, ...]:
        """The graded indicators, from the bundled framework."""
        fw = load_framework(self.framework)
        return tuple(fw.indicator(qi) for qi in self.graded)


@attrs.frozen(kw_only=True)
class _ProfilesFile:
    profiles: tuple[InspectionProfile, ...] = attrs.field(converter=tuple)


def inspection_profiles_from_dict(
    raw: Mapping[str, Any], *, file: str | Path | None = None
) -> tuple[InspectionProfile, ...]:
    """Build the profiles from the dict form of their TOML file and check
    that ids are unique and every graded or linked indicator exists in the
    profile's bundled framework.

    :raises FrameworkError: naming *file* and the field path.
    """
    raw = _check_schema(raw, file)
    profiles = _convert.structure(raw, _ProfilesFile, file=file, error=FrameworkError).profiles
    for i, profile in enumerate(profiles):
        where = f"profiles[{i}]"
        if profile.id in [p.id for p in profiles[:i]]:
            raise FrameworkError(
                f"duplicate profile id {profile.id!r}", file=file, path=f"{where}.id"
            )
        fw = _bundled_framework(profile.framework, file=file, path=f"{where}.framework")
        linked = [(f"graded[{j}]", qi) for j, qi in enumerate(profile.graded)] + [
            (f"questions[{j}].indicators[{k}]", qi)
            for j, q in enumerate(profile.questions)
            for k, qi in enumerate(q.indicators)
        ]
        for path, qi in linked:
            if qi not in fw:
                raise FrameworkError(
                    f"{fw.id} has no indicator {qi!r}", file=file, path=f"{where}.{path}"
                )
    return profiles


@functools.cache
def inspection_profiles() -> tuple[InspectionProfile, ...]:
    """The bundled inspection profiles, read once and cached: the joint
    inspections of 2014-16, the 2018/2019 model and the 2021 model for
    children at risk of harm.

    >>> from qifeval import inspection_profiles
    >>> [p.id for p in inspection_profiles()]
    ['joint-2014-16', 'joint-2018', 'children-at-risk-of-harm-2021']
    """
    raw, file = _read_bundled(_PROFILES_FILE)
    return inspection_profiles_from_dict(raw, file=file)


def inspection_profile(profile_id: str) -> InspectionProfile:
    """The bundled inspection profile *profile_id*.

    >>> from qifeval import inspection_profile
    >>> inspection_profile("joint-2018").graded
    ('1.1', '2.1', '2.2', '9.1', '9.2', '9.3', '9.4')

    :raises UnknownIndicatorError: naming the closest profile ids.
    """
    key = str(profile_id).strip()
    profiles = inspection_profiles()
    for profile in profiles:
        if profile.id == key:
            return profile
    ids = [p.id for p in profiles]
    raise UnknownIndicatorError(
        key,
        framework_id="qifeval's inspection profiles",
        suggestions=difflib.get_close_matches(key, ids, n=3, cutoff=0.3),
    )


# --------------------------------------------------------------------------
# Shared


def _read_bundled(name: str) -> tuple[dict[str, Any], str]:
    file = f"<qifeval>/frameworks/{name}"
    data = (resources.files("qifeval.frameworks") / name).read_bytes()
    return _convert.parse_document(data, fmt="toml", file=file, error=FrameworkError), file


def _check_schema(raw: Mapping[str, Any], file: str | Path | None) -> dict[str, Any]:
    return _convert.without_schema_version(
        raw, REFERENCE_SCHEMA_VERSION, file=file, error=FrameworkError
    )


def _bundled_framework(framework_id: str, *, file: str | Path | None, path: str) -> Framework:
    if framework_id not in available_frameworks():
        raise FrameworkError(
            f"unknown framework {framework_id!r}: expected one of "
            + ", ".join(repr(f) for f in available_frameworks()),
            file=file,
            path=path,
        )
    return load_framework(framework_id)
