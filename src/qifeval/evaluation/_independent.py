"""An independent evaluation (such as an inspection's grades for some
indicators) set beside a self-evaluation, and how closely they match.

Grades are ordinal: the match is told by counts and shares of indicators
and by the median of the differences, never by averaging grades.
"""

from __future__ import annotations

import datetime as _dt
import statistics
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .. import _convert
from .._errors import InputError
from .._ids import close_matches, did_you_mean, sorted_ids
from ..frameworks._grade import Grade
from ..frameworks._model import GLOBAL_INDICATOR_ID, Framework

if TYPE_CHECKING:
    from ._evaluate import Evaluation

__all__ = [
    "IndependentEvaluation",
    "IndicatorMatch",
    "Match",
    "dump_independent",
    "independent_match",
    "load_independent",
]

INDEPENDENT_SCHEMA_VERSION = 1

_GRADES = ", ".join(str(g) for g in Grade)


def _grades(value: object) -> dict[str, Grade]:
    """Indicator id -> grade, each value read with :meth:`Grade.parse`."""
    if not isinstance(value, Mapping):
        raise InputError(
            f"expected a mapping of indicator id -> grade, got {type(value).__name__}",
            path="grades",
        )
    out: dict[str, Grade] = {}
    for qi, grade in value.items():
        if not isinstance(qi, str):
            raise InputError(f"an indicator id must be a string, got {qi!r}", path="grades")
        try:
            out[qi] = Grade.parse(grade)
        except ValueError:
            raise InputError(
                f"the independent grade of {qi}: expected a grade 1-6 or its label ({_GRADES}), "
                f"got {grade!r}",
                path=f"grades['{qi}']",
            ) from None
    return out


@attrs.frozen(kw_only=True)
class IndependentEvaluation:
    """Grades given by someone other than the partnership, for some
    indicators.

    :param source: who graded, e.g. ``"Care Inspectorate joint
        inspection"``.
    :param date: when.
    :param framework: the id of the framework the indicator ids belong to.
    :param grades: indicator id -> grade (a :class:`Grade`, a number 1-6
        or a label); at least one.
    :raises InputError: naming the indicator, for a value that is not a
        grade; for an empty source or no grades.
    """

    source: str
    date: _dt.date | None = None
    framework: str = "qif-2018"
    grades: Mapping[str, Grade] = attrs.field(converter=_grades)

    def __attrs_post_init__(self) -> None:
        if not self.source.strip():
            raise InputError("must not be empty: say who graded", path="source")
        if not self.grades:
            raise InputError("must grade at least one indicator", path="grades")

    def label(self) -> str:
        """The source and date, e.g. ``"Care Inspectorate (2026-03-01)"``."""
        return f"{self.source} ({self.date.isoformat()})" if self.date else self.source


def independent_problems(
    independent: IndependentEvaluation, framework: Framework
) -> Iterator[tuple[str, str]]:
    """``(field path, problem)`` for each indicator graded that *framework*
    (the self-evaluation's) does not have, and for QI 10, which is not
    compared."""
    if independent.framework != framework.id:
        yield (
            "framework",
            f"the independent evaluation is for framework {independent.framework!r}, but the "
            f"self-evaluation is for {framework.id!r}; give its grades in {framework.id} ids",
        )
        return
    ids = [q.id for q in framework.indicators]
    for qi in independent.grades:
        if qi == GLOBAL_INDICATOR_ID:
            yield (
                f"grades['{qi}']",
                "QI 10 (capacity for improvement) is judged from the other indicators and is not "
                "compared; leave it out",
            )
        elif qi not in ids:
            hint = did_you_mean(close_matches(qi, ids, cutoff=0.3))
            yield f"grades['{qi}']", f"{framework.id} has no indicator {qi!r}{hint}"


@attrs.frozen(kw_only=True)
class IndicatorMatch:
    """One indicator graded independently, beside the self-evaluation.

    :param self_grade: the self-evaluation's grade that counts (the
        decision, else the suggestion); ``None`` if it has none.
    :param difference: self minus independent, in points of the scale
        (``None`` without a self grade): positive when the self-evaluation
        is the more generous.
    """

    qi: str
    title: str
    self_grade: Grade | None
    independent: Grade

    @property
    def difference(self) -> int | None:
        """Self minus independent grade (``None`` without a self grade)."""
        return None if self.self_grade is None else int(self.self_grade) - int(self.independent)


@attrs.frozen(kw_only=True)
class Match:
    """How closely a self-evaluation matched an independent evaluation.

    :param source: the independent evaluation's label.
    :param indicators: every indicator graded independently, in framework
        order.
    """

    source: str
    indicators: tuple[IndicatorMatch, ...]

    @property
    def compared(self) -> tuple[IndicatorMatch, ...]:
        """The indicators graded by both."""
        return tuple(i for i in self.indicators if i.difference is not None)

    @property
    def not_graded_by_self(self) -> tuple[str, ...]:
        """Indicators graded independently that the self-evaluation has no
        grade for."""
        return sorted_ids(i.qi for i in self.indicators if i.difference is None)

    @property
    def exact(self) -> int:
        """How many indicators both graded the same."""
        return sum(1 for i in self.compared if i.difference == 0)

    @property
    def within_one(self) -> int:
        """How many indicators the two graded at most one point apart."""
        return sum(1 for i in self.compared if abs(i.difference or 0) <= 1)

    @property
    def exact_share(self) -> float | None:
        """The share of the indicators compared graded the same (``None``
        when none could be compared)."""
        n = len(self.compared)
        return self.exact / n if n else None

    @property
    def within_one_share(self) -> float | None:
        """The share of the indicators compared at most one point apart."""
        n = len(self.compared)
        return self.within_one / n if n else None

    @property
    def median_absolute_difference(self) -> float | None:
        """The median of the absolute differences, in points (``None`` when
        none could be compared)."""
        diffs = [abs(i.difference or 0) for i in self.compared]
        return float(statistics.median(diffs)) if diffs else None

    @property
    def higher(self) -> tuple[str, ...]:
        """Indicators the self-evaluation graded higher."""
        return tuple(i.qi for i in self.compared if (i.difference or 0) > 0)

    @property
    def lower(self) -> tuple[str, ...]:
        """Indicators the self-evaluation graded lower."""
        return tuple(i.qi for i in self.compared if (i.difference or 0) < 0)


def compare_independent(evaluation: Evaluation, independent: IndependentEvaluation) -> Match:
    """Set *independent* beside *evaluation*'s grades (those that count)."""
    grades = evaluation.grades
    rows = [
        IndicatorMatch(
            qi=r.qi,
            title=r.title,
            self_grade=grades.get(r.qi),
            independent=independent.grades[r.qi],
        )
        for r in evaluation.results
        if r.qi in independent.grades
    ]
    return Match(source=independent.label(), indicators=tuple(rows))


def independent_match(evaluation: Evaluation) -> Match | None:
    """How closely *evaluation* matched the independent evaluation set
    beside it (``None`` if none was given)."""
    if evaluation.independent is None:
        return None
    return compare_independent(evaluation, evaluation.independent)


# --- Files -------------------------------------------------------------------------


def independent_from_dict(
    raw: Mapping[str, Any], *, file: str | Path | None = None
) -> IndependentEvaluation:
    """Build an independent evaluation from its document form."""
    doc = _convert.without_schema_version(raw, INDEPENDENT_SCHEMA_VERSION, file=file)
    return _convert.structure(doc, IndependentEvaluation, file=file)


def independent_to_dict(independent: IndependentEvaluation) -> dict[str, Any]:
    """The document form of an independent evaluation."""
    return {
        "schema_version": INDEPENDENT_SCHEMA_VERSION,
        **_convert.converter.unstructure(independent),
    }


def load_independent(
    path: str | Path, *, framework: Framework | None = None
) -> IndependentEvaluation:
    """Load an independent evaluation from a TOML or JSON file; with
    *framework*, check its indicator ids against it.

    :raises InputError: naming the file and the field path.
    """
    independent = independent_from_dict(_convert.read_document(path), file=path)
    if framework is not None:
        for where, problem in independent_problems(independent, framework):
            raise InputError(problem, file=path, path=where)
    return independent


def dump_independent(
    independent: IndependentEvaluation, path: str | Path | None = None, *, fmt: str | None = None
) -> str:
    """Return *independent* as TOML or JSON text (by *fmt*, or by the suffix
    of *path*, default TOML) and, if *path* is given, write it there
    atomically. The text loads back into an equal independent evaluation."""
    return _convert.dump_document(independent_to_dict(independent), path, fmt, "toml")
