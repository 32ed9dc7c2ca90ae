"""The exceptions qifeval raises.

Every error is a :class:`QifevalError`; the subclasses carry the context a
user needs to find and fix the problem (the file, the dotted field path, the
finding id) and compute their message from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ._ids import did_you_mean

__all__ = [
    "EngineError",
    "FrameworkError",
    "InconsistentEvaluationError",
    "InputError",
    "PersonalDataError",
    "PersonalDataWarning",
    "QifevalError",
    "QifevalWarning",
    "UnknownIndicatorError",
]


class QifevalError(Exception):
    """Base class of every error qifeval raises on purpose."""


class InputError(QifevalError, ValueError):
    """A file or value given to qifeval is not valid.

    :param problem: what is wrong, in plain words.
    :param file: the file it came from, if any.
    :param path: the dotted field path inside that file, e.g.
        ``findings[3].weight``.
    :param finding_id: the id of the finding concerned, if any.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | Path | None = None,
        path: str = "",
        finding_id: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = None if file is None else str(file)
        self.path = path
        self.finding_id = finding_id
        super().__init__(self._message())

    def _message(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.path:
            where.append(f"at {self.path}")
        if self.finding_id:
            where.append(f"(finding {self.finding_id!r})")
        prefix = " ".join(where)
        return f"{prefix}: {self.problem}" if prefix else self.problem

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (
            _rebuild_input_error,
            (type(self), self.problem, self.file, self.path, self.finding_id),
        )


def _rebuild_input_error(cls, problem, file, path, finding_id):  # type: ignore[no-untyped-def]
    return cls(problem, file=file, path=path, finding_id=finding_id)


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
