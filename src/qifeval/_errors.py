"""The exceptions qifeval raises.

Every error is a :class:`QifevalError`; the subclasses carry the context a
user needs to find and fix the problem (the file, the dotted field path, the
finding id) and compute their message from it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import attrs

from ._ids import did_you_mean

__all__ = [
    "EngineError",
    "EvidenceError",
    "EvidenceWarning",
    "FrameworkError",
    "InconsistentEvaluationError",
    "InputError",
    "InputProblem",
    "MissingDependencyError",
    "PersonalDataError",
    "PersonalDataWarning",
    "QifevalError",
    "QifevalWarning",
    "UnknownIndicatorError",
]


class QifevalError(Exception):
    """Base class of every error qifeval raises on purpose."""


#: The longest problem text a message shows; longer text is cut with "…".
MAX_PROBLEM_CHARS = 500
#: How many characters of an input value a message echoes (see :func:`shown`).
MAX_SHOWN_CHARS = 80


def shown(value: object, limit: int = MAX_SHOWN_CHARS) -> str:
    """*value* as a message shows it: its ``repr`` (strings in quotes, control
    characters escaped), cut to *limit* characters with "…" so that a huge
    input is never echoed whole."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + "…"
    if isinstance(value, list | tuple | dict) and len(value) > limit:
        return f"a {type(value).__name__} of {len(value)} items"
    if isinstance(value, int) and value.bit_length() > 4 * limit:
        return "an integer too large to show"
    text = repr(value)
    return _escaped(text if len(text) <= limit else text[: limit - 1] + "…")


def _escaped(text: str) -> str:
    """*text* with every non-printable character (control characters such as
    ANSI escapes, invisible formatting characters, line breaks, lone
    surrogates) written as its escape sequence, so a message cannot redraw
    a terminal or hide text."""
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )


# A quoted value (a repr) longer than MAX_SHOWN_CHARS inside a message.
_LONG_QUOTED = re.compile(
    rf"'((?:[^'\\\n]|\\.){{{MAX_SHOWN_CHARS}}})(?:[^'\\\n]|\\.)+'"
    rf'|"((?:[^"\\\n]|\\.){{{MAX_SHOWN_CHARS}}})(?:[^"\\\n]|\\.)+"'
)


def _clean(text: str, limit: int = MAX_PROBLEM_CHARS) -> str:
    """*text* fit for a message: a long quoted value in a long message cut
    to :data:`MAX_SHOWN_CHARS` with "…", the whole cut to *limit*, and
    non-printable characters escaped."""
    if len(text) > 2 * MAX_SHOWN_CHARS:
        text = _LONG_QUOTED.sub(lambda m: f"'{m[1]}…'" if m[1] is not None else f'"{m[2]}…"', text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _escaped(text)


@attrs.frozen(kw_only=True)
class InputProblem:
    """One problem found in an input: what is wrong and where.

    :param problem: what is wrong, in plain words.
    :param path: the dotted field path, e.g. ``findings[3].weight`` (empty
        for the document as a whole).
    :param finding_id: the id of the finding concerned, if any.
    """

    problem: str
    path: str = ""
    finding_id: str | None = None
    #: The sheet of a workbook the problem is in, if any.
    sheet: str | None = None
    #: The row of a spreadsheet (numbered from 1, as spreadsheets show it).
    row: int | None = None
    #: The column of a spreadsheet, by its heading (such as ``weight``).
    column: str | None = None

    def cell(self) -> str:
        """Where in a spreadsheet the problem is, as in ``sheet Findings,
        row 14 (F12), column weight``; empty if it is not in one."""
        parts = []
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            row = f"row {self.row}"
            parts.append(f"{row} ({self.finding_id})" if self.finding_id else row)
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        cell = self.cell()
        if cell:
            return f"{cell}: {self.problem}"
        where = []
        if self.path:
            where.append(f"at {self.path}")
        if self.finding_id:
            where.append(f"(finding {self.finding_id!r})")
        prefix = " ".join(where)
        return f"{prefix}: {self.problem}" if prefix else self.problem


class InputError(QifevalError, ValueError):
    """A file or value given to qifeval is not valid.

    The error lists every problem found (:attr:`problems`), up to the limit
    of problems checked (see :class:`~qifeval.InputLimits`); its
    ``problem``, ``path`` and ``finding_id`` are those of the
    first. Echoed input values are cut short and control characters
    escaped, so a message is always short enough to read and safe to print.

    :param problem: what is wrong, in plain words.
    :param file: the file it came from, if any.
    :param path: the dotted field path inside that file, e.g.
        ``findings[3].weight``.
    :param finding_id: the id of the finding concerned, if any.
    :param more_problems: further problems found in the same input.
    :param more_not_checked: whether checking stopped at the limit of
        problems, so that the input may have more.
    :param sheet: the sheet of a workbook the first problem is in, if any.
    :param row: the spreadsheet row of the first problem (from 1), if any.
    :param column: the spreadsheet column of the first problem, by its
        heading, if any. A problem in a spreadsheet is told as
        ``findings.xlsx, sheet Findings, row 14 (F12), column weight: …``.
    """

    #: Every problem found, the first one first.
    problems: tuple[InputProblem, ...]
    #: True when checking stopped at the limit of problems.
    more_not_checked: bool

    def __init__(
        self,
        problem: str,
        *,
        file: str | Path | None = None,
        path: str = "",
        finding_id: str | None = None,
        more_problems: Sequence[InputProblem] = (),
        more_not_checked: bool = False,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.problem = _clean(problem)
        self.file = None if file is None else str(file)
        self.path = _clean(path)
        self.finding_id = None if finding_id is None else _clean(finding_id, MAX_SHOWN_CHARS)
        self.sheet = None if sheet is None else _clean(sheet, MAX_SHOWN_CHARS)
        self.row = row
        self.column = None if column is None else _clean(column, MAX_SHOWN_CHARS)
        first = InputProblem(
            problem=self.problem,
            path=self.path,
            finding_id=self.finding_id,
            sheet=self.sheet,
            row=self.row,
            column=self.column,
        )
        self.problems = (
            first,
            *(
                InputProblem(
                    problem=_clean(p.problem),
                    path=_clean(p.path),
                    finding_id=None if p.finding_id is None else _clean(p.finding_id, 80),
                    sheet=None if p.sheet is None else _clean(p.sheet, MAX_SHOWN_CHARS),
                    row=p.row,
                    column=None if p.column is None else _clean(p.column, MAX_SHOWN_CHARS),
                )
                for p in more_problems
            ),
        )
        self.more_not_checked = more_not_checked
        super().__init__(self._message())

    @classmethod
    def from_problems(
        cls,
        problems: Sequence[InputProblem],
        *,
        file: str | Path | None = None,
        more_not_checked: bool = False,
    ) -> InputError:
        """An error listing *problems* (at least one)."""
        first, *rest = problems
        return cls(
            first.problem,
            file=file,
            path=first.path,
            finding_id=first.finding_id,
            more_problems=rest,
            more_not_checked=more_not_checked,
            sheet=first.sheet,
            row=first.row,
            column=first.column,
        )

    def _message(self) -> str:
        file = _clean(self.file) if self.file else ""
        if len(self.problems) == 1 and not self.more_not_checked:
            where = str(self.problems[0])
            if not file:
                return where
            if self.problems[0].cell():
                return f"{file}, {where}"
            return f"{file} {where}" if self.path or self.finding_id else f"{file}: {where}"
        n = len(self.problems)
        head = f"{n} problem{'s' if n > 1 else ''}"
        lines = [f"{file}: {head}:" if file else f"{head}:"]
        lines.extend(f"  {p}" for p in self.problems)
        if self.more_not_checked:
            lines.append(f"  and more not checked (checking stops after {n} problems)")
        return "\n".join(lines)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (
            _rebuild_input_error,
            (
                type(self),
                self.problem,
                self.file,
                self.path,
                self.finding_id,
                self.problems[1:],
                self.more_not_checked,
                self.sheet,
                self.row,
                self.column,
            ),
        )


def _rebuild_input_error(  # type: ignore[no-untyped-def]
    cls,
    problem,
    file,
    path,
    finding_id,
    more_problems=(),
    more_not_checked=False,
    sheet=None,
    row=None,
    column=None,
):
    return cls(
        problem,
        file=file,
        path=path,
        finding_id=finding_id,
        more_problems=more_problems,
        more_not_checked=more_not_checked,
        sheet=sheet,
        row=row,
        column=column,
    )


class FrameworkError(InputError):
    """A framework file or object breaks the schema or an invariant."""


class UnknownIndicatorError(QifevalError, LookupError):
    """An indicator id (or key area, question number) is not in the framework.

    :param key: what was asked for.
    :param framework_id: the framework searched.
    :param suggestions: the closest ids that do exist.
    """

    def __init__(self, key: str, *, framework_id: str, suggestions: Sequence[str] = ()) -> None:
        self.key = key
        self.framework_id = framework_id
        self.suggestions = tuple(suggestions)
        super().__init__(f"{framework_id} has no {key!r}{did_you_mean(self.suggestions)}")

    def __str__(self) -> str:  # LookupError would otherwise quote the message
        return str(self.args[0])


class EngineError(QifevalError, RuntimeError):
    """The rules engine failed while evaluating (a bug or a broken rule)."""


class PersonalDataError(QifevalError, ValueError):
    """Input looks as if it holds personal data and strict checking is on.

    The message names where the matches are and of which kind, never the
    matched text itself.

    :param matches: the :class:`~qifeval.PersonalDataMatch` objects found;
        the message lists them by their ``str()`` (their ``describe()``).
    :param file: the file the text came from, if any.
    """

    #: How many matches the message lists before summarising the rest.
    MAX_LISTED = 10

    def __init__(self, matches: Sequence[object], *, file: str | Path | None = None) -> None:
        self.matches = tuple(matches)
        self.file = None if file is None else str(file)
        super().__init__(self._message())

    def _message(self) -> str:
        n = len(self.matches)
        prefix = f"{self.file}: " if self.file else ""
        if n == 0:
            return f"{prefix}personal data found"
        listed = [str(m) for m in self.matches[: self.MAX_LISTED]]
        if n > self.MAX_LISTED:
            listed.append(f"and {n - self.MAX_LISTED} more")
        what = "1 possible identifier" if n == 1 else f"{n} possible identifiers"
        return f"{prefix}personal data found ({what}; the text is not shown): " + "; ".join(listed)

    @classmethod
    def _rebuild(cls, matches: Sequence[object], file: str | None) -> PersonalDataError:
        return cls(matches, file=file)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self)._rebuild, (self.matches, self.file))


class QifevalWarning(UserWarning):
    """Base class of every warning qifeval issues; filter on it to silence
    or escalate them all."""


class PersonalDataWarning(QifevalWarning):
    """Input looks as if it holds personal data (issued when strict
    checking is off). The message names where, never the text."""


class InconsistentEvaluationError(InputError):
    """A saved evaluation disagrees with itself: what it records (a
    suggested grade, a rule that fired, the capacity judgement, a decision,
    a cited finding) is not what its own evidence, context, previous
    evaluation and rules give, or breaks a rule of the format (for example
    two decisions on one indicator). The document was edited, or made with
    other rules than those it was checked with.

    :param saved: the value the document records at *path*, as text, when
        it was compared with a recomputed one.
    :param recomputed: the value recomputed from the document's evidence.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | Path | None = None,
        path: str = "",
        finding_id: str | None = None,
        saved: str | None = None,
        recomputed: str | None = None,
    ) -> None:
        self.saved = saved
        self.recomputed = recomputed
        super().__init__(problem, file=file, path=path, finding_id=finding_id)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (
            _rebuild_inconsistent,
            (self.problem, self.file, self.path, self.finding_id, self.saved, self.recomputed),
        )


def _rebuild_inconsistent(problem, file, path, finding_id, saved, recomputed):  # type: ignore[no-untyped-def]
    return InconsistentEvaluationError(
        problem, file=file, path=path, finding_id=finding_id, saved=saved, recomputed=recomputed
    )


class MissingDependencyError(QifevalError, ImportError):
    """A feature needs an optional dependency that is not installed.

    :param feature: what needs it, e.g. ``"reading .xlsx files"``.
    :param package: the package it needs, e.g. ``"openpyxl"``.
    :param extra: the qifeval extra that installs it, e.g. ``"xlsx"``.
    """

    def __init__(self, feature: str, *, package: str, extra: str) -> None:
        self.feature = feature
        self.package = package
        self.extra = extra
        super().__init__(
            f"{feature} needs {package}, which is not installed; "
            f"install it with: pip install 'qifeval[{extra}]'",
            name=package,
        )

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (_rebuild_missing, (self.feature, self.package, self.extra))


def _rebuild_missing(feature, package, extra):  # type: ignore[no-untyped-def]
    return MissingDependencyError(feature, package=package, extra=extra)


class EvidenceWarning(QifevalWarning):
    """A finding fails a consistency check: its statement's evaluative term
    does not match its proportion, a strength describes less than half of
    its sample, a proportion has no sample, or the sample is small (see
    :func:`~qifeval.check_findings`).

    :param problem: what is wrong, in plain words.
    :param finding_id: the finding's id.
    :param code: which check, e.g. ``"strength-under-half"``.
    :param path: the field path, e.g. ``findings[3].proportion``.
    :param checked: whether the finding records that a person checked its
        figures and wording (its ``checked`` field); such a warning is
        listed but never refused.
    """

    def __init__(
        self,
        problem: str,
        *,
        finding_id: str,
        code: str,
        path: str = "",
        checked: bool = False,
    ) -> None:
        self.problem = _clean(problem)
        self.finding_id = _clean(finding_id, MAX_SHOWN_CHARS)
        self.code = code
        self.path = _clean(path)
        self.checked = checked
        where = f"at {self.path} " if self.path else ""
        super().__init__(f"{where}(finding {self.finding_id!r}) [{code}]: {self.problem}")

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (
            _rebuild_evidence_warning,
            (self.problem, self.finding_id, self.code, self.path, self.checked),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EvidenceWarning):
            return NotImplemented
        return self.args == other.args and self.checked == other.checked

    def __hash__(self) -> int:
        return hash((self.args, self.checked))


def _rebuild_evidence_warning(problem, finding_id, code, path, checked):  # type: ignore[no-untyped-def]
    return EvidenceWarning(problem, finding_id=finding_id, code=code, path=path, checked=checked)


class EvidenceError(InputError):
    """Findings fail the consistency checks and strict checking is on; no
    finding concerned records that a person checked it.

    :param warnings: the :class:`EvidenceWarning` objects refused, one
        problem each (see :attr:`InputError.problems`).
    """

    def __init__(
        self, warnings: Sequence[EvidenceWarning], *, file: str | Path | None = None
    ) -> None:
        self.warnings = tuple(warnings)
        first, *rest = self.warnings
        super().__init__(
            f"[{first.code}] {first.problem}",
            file=file,
            path=first.path,
            finding_id=first.finding_id,
            more_problems=[
                InputProblem(
                    problem=f"[{w.code}] {w.problem}", path=w.path, finding_id=w.finding_id
                )
                for w in rest
            ],
        )

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (_rebuild_evidence_error, (self.warnings, self.file))


def _rebuild_evidence_error(warnings, file):  # type: ignore[no-untyped-def]
    return EvidenceError(warnings, file=file)
