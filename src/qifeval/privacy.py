"""The personal-data guard: what qifeval recognises as names or identifying
details of children and families, and redaction.

The same names are importable from :mod:`qifeval`.
"""

from ._privacy import (
    DEFAULT_NAME_PATTERNS,
    PersonalDataGuard,
    PersonalDataKind,
    PersonalDataMatch,
    redact,
    scan_text,
)

__all__ = [
    "DEFAULT_NAME_PATTERNS",
    "PersonalDataGuard",
    "PersonalDataKind",
    "PersonalDataMatch",
    "redact",
    "scan_text",
]
