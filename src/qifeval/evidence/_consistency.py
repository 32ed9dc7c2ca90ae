"""Consistency checks on findings: does a finding's wording match its figures?

Every finding, hand-written or collated, is checked. A finding's
``proportion`` is the share its statement describes (for a weakness, the
share affected), so the evaluative term the statement leads with must be
the term for that share; a strength describes more than half of its
sample; a proportion needs the sample it is a share of; and a small sample
is flagged. Each failure is an :class:`~qifeval.EvidenceWarning` naming
the finding.
"""

from __future__ import annotations

import functools
import warnings
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path

from .._errors import EvidenceError, EvidenceWarning
from ..frameworks._grade import quantifier
from ._findings import EvidenceSet, Finding, Valence
from ._quantity import evaluative_lead

__all__ = [
    "CHECKS",
    "INCONSISTENT_STRENGTH_CHECKS",
    "SMALL_SAMPLE",
    "check_findings",
    "checked",
    "counts_as_strength",
    "evaluative_lead",
    "failed_checks",
    "finding_warnings",
    "inconsistent_strength",
    "refuse_or_warn",
    "warnings_of",
]

#: A sample of fewer records or respondents than this is *small*: its
#: share says little about the whole (DOMAIN §9 weighs such findings at most
#: minor). Pass ``small_sample=`` to :func:`check_findings` to change it.
SMALL_SAMPLE = 10

#: Every check: its code and what it finds.
CHECKS: dict[str, str] = {
    "quantifier-mismatch": "the evaluative term the statement leads with is not the term for "
    "its proportion",
    "bare-few": 'the statement leads with bare "few", which reads as reassurance; the '
    'evaluative term is "a few"',
    "strength-under-half": "a strength whose proportion is under one half: it describes less "
    "than half of its sample",
    "no-sample": "a proportion without a sample: how many records or respondents is it a share of?",
    "small-sample": f"a sample of fewer than {SMALL_SAMPLE} records or respondents",
}

#: The checks that make a strength *inconsistent*: its figures contradict
#: it being a strength, or its words. Such a strength is not counted (see
#: :func:`counts_as_strength`) unless a person checked it.
INCONSISTENT_STRENGTH_CHECKS = frozenset({"quantifier-mismatch", "strength-under-half"})


def _failed(f: Finding, small_sample: int) -> list[str]:
    """The code of each check *f* fails, in the order warnings list them
    (the decisions; :func:`_words` words them)."""
    failed = []
    lead = evaluative_lead(f.statement)
    if lead is not None and lead[0] == "few":
        failed.append("bare-few")
    p = f.proportion
    if p is None:
        return failed
    term = quantifier(p)
    if lead is not None and lead[1] != term:
        failed.append("quantifier-mismatch")
    if f.valence is Valence.STRENGTH and p < 0.5:
        failed.append("strength-under-half")
    if f.sample is None:
        failed.append("no-sample")
    elif f.sample < small_sample:
        failed.append("small-sample")
    return failed


def _words(code: str, f: Finding, small_sample: int) -> tuple[str, str]:
    """The field and the problem, in plain words, of a check *f* fails."""
    p = f.proportion
    if code == "bare-few":
        return (
            "statement",
            'leads with "few", which reads as reassurance; write "a few" for a small share '
            "(up to 15%)",
        )
    assert p is not None
    if code == "quantifier-mismatch":
        lead = evaluative_lead(f.statement)
        assert lead is not None
        return (
            "statement",
            f"leads with {lead[0]!r} but its proportion {p:.0%} is {quantifier(p)!r} "
            "(the proportion is the share the statement describes)",
        )
    if code == "strength-under-half":
        return (
            "proportion",
            f"a strength describing less than half of its sample ({p:.0%}); if it is the "
            "share that falls short, record a weakness with the share affected",
        )
    if code == "no-sample":
        return (
            "proportion",
            "a proportion without a sample: give the number of records or respondents it is "
            "a share of (sample)",
        )
    return (
        "sample",
        f"a small sample ({f.sample} < {small_sample}): the share says little about the "
        "whole; weigh the finding at most minor",
    )


def _warning(f: Finding, code: str, where: str, small_sample: int) -> EvidenceWarning:
    field, problem = _words(code, f, small_sample)
    return EvidenceWarning(
        problem, finding_id=f.id, code=code, path=where + field, checked=f.checked
    )


def finding_warnings(
    f: Finding, *, index: int | None = None, small_sample: int = SMALL_SAMPLE
) -> tuple[EvidenceWarning, ...]:
    """The warnings for one finding; *index* is its place in its evidence
    set, for the field path."""
    where = "" if index is None else f"findings[{index}]."
    return tuple(_warning(f, code, where, small_sample) for code in _failed(f, small_sample))


def check_findings(
    evidence: EvidenceSet | Iterable[Finding], *, small_sample: int = SMALL_SAMPLE
) -> tuple[EvidenceWarning, ...]:
    """Check every finding: its statement's evaluative term against its
    proportion, a strength under one half, a proportion without a sample,
    a sample under *small_sample* (the codes are those of ``CHECKS``). Returns one
    :class:`~qifeval.EvidenceWarning` per problem, in finding order; those
    of findings a person checked have ``checked`` set.

    >>> import qifeval
    >>> f = qifeval.Finding(id="F2", qi="5.2", valence="strength", weight="important",
    ...     source="practice", proportion=0.45, sample=60,
    ...     statement="Less than half of records (45%, 27 of 60) had a chronology")
    >>> [w.code for w in qifeval.check_findings([f])]
    ['strength-under-half']
    """
    if isinstance(evidence, EvidenceSet):
        return checked(evidence, small_sample=small_sample)[1]
    findings = tuple(evidence)
    return warnings_of(findings, failed_checks(findings, small_sample=small_sample), small_sample)


_Checked = tuple[list[list[str]], tuple[EvidenceWarning, ...]]


def checked(evidence: EvidenceSet, *, small_sample: int = SMALL_SAMPLE) -> _Checked:
    """The codes of the checks each finding of *evidence* fails (see
    :func:`failed_checks`) and the warnings of :func:`check_findings`.

    An evidence set is immutable: it is checked once, and both are kept as
    long as it lives (``evaluate`` checks the evidence, then a report lists
    its warnings again)."""
    key = (id(evidence), small_sample)
    kept = _CHECKED.get(key)
    if kept is not None and kept[0]() is evidence:
        return kept[1]
    failed = failed_checks(evidence.findings, small_sample=small_sample)
    found = (failed, warnings_of(evidence.findings, failed, small_sample))
    _CHECKED[key] = (weakref.ref(evidence, functools.partial(_forget, key)), found)
    return found


# What the evidence sets checked fail, by identity and small sample, each
# dropped when its evidence set is.
_CHECKED: dict[tuple[int, int], tuple[weakref.ref[EvidenceSet], _Checked]] = {}


def _forget(key: tuple[int, int], _: object) -> None:
    _CHECKED.pop(key, None)


def failed_checks(
    findings: Sequence[Finding], *, small_sample: int = SMALL_SAMPLE
) -> list[list[str]]:
    """The codes of the checks each finding fails, in finding order: what
    :func:`check_findings` warns about and, at the default *small_sample*,
    what :func:`inconsistent_strength` reads."""
    return [_failed(f, small_sample) for f in findings]


def warnings_of(
    findings: Sequence[Finding], failed: Sequence[list[str]], small_sample: int = SMALL_SAMPLE
) -> tuple[EvidenceWarning, ...]:
    """The warnings of :func:`check_findings` from the codes of the checks
    each finding fails (see :func:`failed_checks`)."""
    out: list[EvidenceWarning] = []
    for i, (f, codes) in enumerate(zip(findings, failed, strict=True)):
        for code in codes:
            out.append(_warning(f, code, f"findings[{i}].", small_sample))
    return tuple(out)


def inconsistent_strength(f: Finding, failed: Iterable[str] | None = None) -> bool:
    """Whether *f* is a strength that fails a check of
    :data:`INCONSISTENT_STRENGTH_CHECKS` (under one half, or its evaluative
    term contradicts its proportion) and no person has checked it.

    :param failed: the codes of the checks *f* fails at the default small
        sample (see :func:`failed_checks`), when they are known already.
    """
    if f.valence is not Valence.STRENGTH or f.checked or f.proportion is None:
        return False
    codes = _failed(f, SMALL_SAMPLE) if failed is None else failed
    return not INCONSISTENT_STRENGTH_CHECKS.isdisjoint(codes)


def counts_as_strength(f: Finding) -> bool:
    """Whether *f* counts towards an indicator's strengths: a strength that
    is not :func:`inconsistent_strength`."""
    return f.valence is Valence.STRENGTH and not inconsistent_strength(f)


def refuse_or_warn(
    warnings_found: Iterable[EvidenceWarning],
    *,
    strict: bool,
    file: str | Path | None = None,
    stacklevel: int = 2,
) -> None:
    """Under *strict*, raise :class:`~qifeval.EvidenceError` listing the
    warnings of findings no person checked; otherwise issue each of those
    as a Python warning. Warnings of checked findings are neither."""
    open_ = [w for w in warnings_found if not w.checked]
    if not open_:
        return
    if strict:
        raise EvidenceError(open_, file=file)
    for w in open_:
        warnings.warn(w, stacklevel=stacklevel + 1)
