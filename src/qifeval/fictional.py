"""Fictional partnerships for examples, tests and benchmarks.

Invented names (compounds of neutral words such as "Rowanshaw", never the
name of one of Scotland's 32 council areas), annual evidence sets with
realistic findings, an improvement plan carried from year to year, and
their evaluations. The same arguments give the same output on every run
and every supported Python version.

>>> from qifeval.fictional import fictional_partnerships, is_real_area_name
>>> names = [p.name for p in fictional_partnerships(32, 1, findings=22)]
>>> len(set(names)), any(is_real_area_name(n) for n in names)
(32, False)
"""

from .evaluation._fictional import (
    COUNCIL_AREAS,
    FictionalPartnership,
    fictional_evaluations,
    fictional_partnerships,
    is_real_area_name,
)

__all__ = [
    "COUNCIL_AREAS",
    "FictionalPartnership",
    "fictional_evaluations",
    "fictional_partnerships",
    "is_real_area_name",
]


def __dir__() -> list[str]:
    return __all__
