"""Ids: their natural order, and the "did you mean" hint for an unknown one."""

from __future__ import annotations

import difflib
import functools
import itertools
import re
from collections.abc import Iterable

__all__ = ["close_matches", "did_you_mean", "merged_ids", "ref_key", "sorted_ids"]

_NaturalKey = tuple[tuple[int | str, ...], str]

_DIGITS = re.compile(r"(\d+)")


# Each id's key is computed once: the same ids are sorted again for
# explanations and reports. The cache holds the keys of about as many ids as
# the largest evidence sets have findings.
@functools.lru_cache(maxsize=1 << 17)
def _natural(item_id: str) -> _NaturalKey:
    # The parts alternate text and digits, text first, so that two keys
    # compare text with text and number with number.
    parts = tuple(int(p) if p.isdigit() else p for p in _DIGITS.split(item_id))
    return parts, item_id  # the id itself breaks ties such as "F01" and "F1"


def sorted_ids(ids: Iterable[str]) -> tuple[str, ...]:
    """Ids in natural order (``F2`` before ``F10``, ``9.4`` before
    ``10``), whatever order they came in."""
    return tuple(sorted(ids, key=_natural))


def merged_ids(groups: Iterable[Iterable[str]]) -> tuple[str, ...]:
    """The ids of all *groups*, each once, in natural order. The ids keep
    the order they came in until sorted, so groups already in natural order
    (as profile fields list their ids) are merged, not sorted afresh."""
    return sorted_ids(dict.fromkeys(itertools.chain.from_iterable(groups)))


def close_matches(
    name: str, candidates: Iterable[str], *, n: int = 3, cutoff: float = 0.6
) -> tuple[str, ...]:
    """The candidates closest to *name*, best first."""
    return tuple(difflib.get_close_matches(name, list(candidates), n=n, cutoff=cutoff))


def did_you_mean(suggestions: Iterable[str]) -> str:
    """The hint that ends an "unknown name" message:
    ``"; did you mean 'a' or 'b'?"``, or ``""`` without suggestions.

    >>> did_you_mean(["1.1", "1.2"])
    "; did you mean '1.1' or '1.2'?"
    """
    names = list(suggestions)
    return f"; did you mean {' or '.join(map(repr, names))}?" if names else ""


def ref_key(ref: str) -> tuple[str, int]:
    """The sort key of an illustration reference such as ``"5.2/weak/3"``:
    by indicator and kind, then by number."""
    head, _, n = ref.rpartition("/")
    return head, int(n)
