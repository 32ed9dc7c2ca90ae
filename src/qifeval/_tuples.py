"""The converter of value objects' sequence fields."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["to_tuple"]


def to_tuple(items: Iterable[Any]) -> tuple[Any, ...]:
    """*items* as a tuple.

    Fields annotated ``tuple[X, ...]`` use this converter so that their
    ``__init__`` accepts any iterable: typed callers may pass a tuple or a
    list (``EvidenceSet(findings=(f,))``) and ``mypy --strict`` agrees,
    which it does not with ``converter=tuple``.
    """
    return tuple(items)
