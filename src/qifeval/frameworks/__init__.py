"""The framework wing: the object model of a quality improvement framework,
the six-point scale, loading and saving frameworks, and the bundled data
(frameworks, the 2014-2018 crosswalk, national results and inspection
profiles, as TOML files in this package).

The same names are importable from :mod:`qifeval`.
"""

from ._grade import (
    Grade,
    quantifier,
)
from ._loading import (
    available_frameworks,
    dump_framework,
    load_framework,
)
from ._model import (
    CapacityModel,
    Framework,
    FrameworkInfo,
    Illustration,
    IllustrationGroup,
    IllustrationKind,
    KeyArea,
    LeverModel,
    Part,
    QualityIndicator,
    Question,
    WellbeingIndicator,
)

__all__ = [
    "CapacityModel",
    "Framework",
    "FrameworkInfo",
    "Grade",
    "Illustration",
    "IllustrationGroup",
    "IllustrationKind",
    "KeyArea",
    "LeverModel",
    "Part",
    "QualityIndicator",
    "Question",
    "WellbeingIndicator",
    "available_frameworks",
    "dump_framework",
    "load_framework",
    "quantifier",
]
