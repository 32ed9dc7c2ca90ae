"""Reference data: the 2014-2018 crosswalk, the national results of the
2014-16 joint inspections, and the inspection profiles (which indicators
an inspection model grades).

The same names are importable from :mod:`qifeval`.
"""

from .frameworks._crosswalk import (
    Change,
    Crosswalk,
    CrosswalkEntry,
    CrosswalkLink,
    load_crosswalk,
)
from .frameworks._inspections import (
    InspectionProfile,
    ProfileQuestion,
    inspection_profile,
    inspection_profiles,
)
from .frameworks._national import (
    CountRange,
    GradePosition,
    IndicatorResults,
    NationalResults,
    national_results,
)

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
