"""qifeval: rigorous, explainable self-evaluation against the Care
Inspectorate's Quality Improvement Framework for services for children and
young people in need of care and protection.

qifeval suggests; people decide. Every suggested grade is traceable to the
findings and rules behind it.
"""

from ._errors import (
    EngineError,
    FrameworkError,
    InputError,
    PersonalDataError,
    QifevalError,
    UnknownIndicatorError,
)
from ._framework import (
    Framework,
    FrameworkInfo,
    Illustration,
    IllustrationGroup,
    IllustrationKind,
    KeyArea,
    Part,
    QualityIndicator,
    Question,
    WellbeingIndicator,
)
from ._grade import Grade, quantifier
from ._loading import available_frameworks, dump_framework, load_framework

__version__ = "0.1.0"

__all__ = [
    "EngineError",
    "Framework",
    "FrameworkError",
    "FrameworkInfo",
    "Grade",
    "Illustration",
    "IllustrationGroup",
    "IllustrationKind",
    "InputError",
    "KeyArea",
    "Part",
    "PersonalDataError",
    "QifevalError",
    "QualityIndicator",
    "Question",
    "UnknownIndicatorError",
    "WellbeingIndicator",
    "__version__",
    "available_frameworks",
    "dump_framework",
    "load_framework",
    "quantifier",
]
