"""The crosswalk between the 2014 and the 2018 framework: which indicator
became which, and what changed.

The crosswalk is a TOML file in ``qifeval/frameworks/``, read once, checked
against the bundled frameworks and cached; the objects are immutable.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from .. import _convert
from .._errors import FrameworkError, InputError, UnknownIndicatorError
from .._ids import close_matches
from .._tuples import to_tuple
from ._loading import bundled_framework, check_reference_schema, load_framework, read_bundled

__all__ = [
    "Change",
    "Crosswalk",
    "CrosswalkEntry",
    "CrosswalkLink",
    "crosswalk_from_dict",
    "load_crosswalk",
]

_CROSSWALK_FILE = "crosswalk-2014-2018.toml"


class Change(enum.StrEnum):
    """What happened to an indicator between two frameworks.

    ``same`` and ``renamed`` keep the id; ``moved`` links two different ids;
    ``new`` has no indicator on the *from* side and ``removed`` none on the
    *to* side.

    >>> Change("moved")
    <Change.MOVED: 'moved'>
    """

    SAME = "same"
    RENAMED = "renamed"
    MOVED = "moved"
    NEW = "new"
    REMOVED = "removed"


@attrs.frozen(kw_only=True)
class CrosswalkLink:
    """One line of a crosswalk: an indicator of the older framework and the
    indicator it became.

    :param from_id: the id in the older framework (``None`` for a ``new``
        indicator).
    :param to_id: the id in the newer framework (``None`` for a ``removed``
        one).
    :param note: where the change is documented, in the source's words.

    >>> link = CrosswalkLink(from_id="8.3", to_id="6.5", change=Change.MOVED)
    >>> link.change.value
    'moved'
    """

    from_id: str | None = None
    to_id: str | None = None
    change: Change
    note: str = ""


@attrs.frozen(kw_only=True)
class CrosswalkEntry:
    """A crosswalk link with the titles of both indicators, oriented in the
    direction it was looked up (see :meth:`Crosswalk.describe`).

    ``change`` is always named in the crosswalk's own direction (older to
    newer): looking up a ``new`` indicator from the newer side still says
    ``new``.

    >>> from qifeval import load_crosswalk
    >>> print(load_crosswalk().describe("2.2"))
    qif-2014 2.2 Impact on families -> qif-2018 2.2 Impact on families (same)
    """

    from_framework: str
    from_id: str | None
    from_title: str | None
    to_framework: str
    to_id: str | None
    to_title: str | None
    change: Change
    note: str = ""

    def __str__(self) -> str:
        def side(framework: str, qi_id: str | None, title: str | None) -> str:
            return f"{framework} (none)" if qi_id is None else f"{framework} {qi_id} {title}"

        return (
            f"{side(self.from_framework, self.from_id, self.from_title)} -> "
            f"{side(self.to_framework, self.to_id, self.to_title)} ({self.change.value})"
        )


@attrs.frozen(kw_only=True)
class Crosswalk:
    """The links between the indicators of two frameworks, such as the 2014
    and the 2018 framework (seed 000, para 3.7).

    Construction checks that no id appears twice on either side and that
    each link's ids fit its change, raising :class:`~qifeval.FrameworkError`
    naming the link.

    >>> from qifeval import load_crosswalk
    >>> cw = load_crosswalk()
    >>> cw.to_2018("8.3").to_id
    '6.5'
    >>> cw.to_2014("6.5").from_id
    '8.3'
    >>> entry = cw.describe("8.3")
    >>> entry.from_title, entry.to_id, entry.to_title, entry.change.value
    ('Securing improvement through self evaluation', '6.5', 'Self-evaluation', 'moved')
    """

    from_framework: str
    to_framework: str
    source: str = ""
    links: tuple[CrosswalkLink, ...] = attrs.field(converter=to_tuple)
    _by_from: dict[str, CrosswalkLink] = attrs.field(init=False, repr=False, eq=False, hash=False)
    _by_to: dict[str, CrosswalkLink] = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        problems = list(_link_problems(self))
        if problems:
            path, problem = problems[0]
            raise FrameworkError(problem, path=path)
        object.__setattr__(
            self, "_by_from", {ln.from_id: ln for ln in self.links if ln.from_id is not None}
        )
        object.__setattr__(
            self, "_by_to", {ln.to_id: ln for ln in self.links if ln.to_id is not None}
        )

    @property
    def from_ids(self) -> tuple[str, ...]:
        """The ids on the older side, in link order."""
        return tuple(self._by_from)

    @property
    def to_ids(self) -> tuple[str, ...]:
        """The ids on the newer side, in link order."""
        return tuple(self._by_to)

    def changes(self) -> tuple[CrosswalkLink, ...]:
        """The links whose indicator did not stay the same."""
        return tuple(ln for ln in self.links if ln.change is not Change.SAME)

    def map(self, qi_id: str, *, from_framework: str, to_framework: str) -> CrosswalkLink:
        """Return the link of indicator *qi_id* of *from_framework*, in
        either direction of the crosswalk.

        The link is returned as stored (``from_id`` on the older side).

        :raises UnknownIndicatorError: if *qi_id* is not on that side,
            naming the closest ids.
        :raises InputError: if the crosswalk does not join the two
            frameworks.
        """
        key = str(qi_id).strip()
        if (from_framework, to_framework) == (self.from_framework, self.to_framework):
            index, framework_id = self._by_from, self.from_framework
        elif (from_framework, to_framework) == (self.to_framework, self.from_framework):
            index, framework_id = self._by_to, self.to_framework
        else:
            raise InputError(
                f"this crosswalk maps between {self.from_framework!r} and "
                f"{self.to_framework!r}, not from {from_framework!r} to {to_framework!r}"
            )
        try:
            return index[key]
        except KeyError:
            raise UnknownIndicatorError(
                key,
                framework_id=framework_id,
                suggestions=close_matches(key, index, cutoff=0.3),
            ) from None

    def translate(self, qi_id: str, from_framework: str, to_framework: str) -> str | None:
        """The id in *to_framework* of indicator *qi_id* of *from_framework*,
        in either direction of the crosswalk; ``None`` if it has no
        counterpart there (a ``new`` or ``removed`` indicator).

        >>> from qifeval import load_crosswalk
        >>> cw = load_crosswalk()
        >>> cw.translate("8.3", "qif-2014", "qif-2018"), cw.translate("6.5", "qif-2018", "qif-2014")
        ('6.5', '8.3')

        :raises UnknownIndicatorError: if *qi_id* is not on that side,
            naming the closest ids.
        :raises InputError: if the crosswalk does not join the two
            frameworks.
        """
        link = self.map(qi_id, from_framework=from_framework, to_framework=to_framework)
        return link.to_id if to_framework == self.to_framework else link.from_id

    def to_2018(self, qi_id: str) -> CrosswalkLink:
        """The link of 2014 indicator *qi_id*; its ``to_id`` is the 2018 id.

        :raises UnknownIndicatorError: if the 2014 framework has no *qi_id*.
        """
        return self.map(qi_id, from_framework=self.from_framework, to_framework=self.to_framework)

    def to_2014(self, qi_id: str) -> CrosswalkLink:
        """The link of 2018 indicator *qi_id*; its ``from_id`` is the 2014 id.

        :raises UnknownIndicatorError: if the 2018 framework has no *qi_id*.
        """
        return self.map(qi_id, from_framework=self.to_framework, to_framework=self.from_framework)

    def describe(
        self, qi_id: str, *, from_framework: str = "qif-2014", to_framework: str = "qif-2018"
    ) -> CrosswalkEntry:
        """The link of *qi_id* with the titles on both sides, taken from the
        bundled frameworks, oriented from *from_framework* to
        *to_framework*.

        >>> from qifeval import load_crosswalk
        >>> cw = load_crosswalk()
        >>> entry = cw.describe("6.5", from_framework="qif-2018", to_framework="qif-2014")
        >>> entry.from_title, entry.to_id, entry.to_title
        ('Self-evaluation', '8.3', 'Securing improvement through self evaluation')
        """
        link = self.map(qi_id, from_framework=from_framework, to_framework=to_framework)
        ids = {self.from_framework: link.from_id, self.to_framework: link.to_id}

        def title(framework_id: str) -> str | None:
            qi = ids[framework_id]
            return None if qi is None else load_framework(framework_id).indicator(qi).title

        return CrosswalkEntry(
            from_framework=from_framework,
            from_id=ids[from_framework],
            from_title=title(from_framework),
            to_framework=to_framework,
            to_id=ids[to_framework],
            to_title=title(to_framework),
            change=link.change,
            note=link.note,
        )

    def __iter__(self) -> Iterator[CrosswalkLink]:
        return iter(self.links)

    def __len__(self) -> int:
        return len(self.links)


def _link_problems(cw: Crosswalk) -> Iterator[tuple[str, str]]:
    seen: dict[str, dict[str, int]] = {"from_id": {}, "to_id": {}}
    for i, link in enumerate(cw.links):
        where = f"links[{i}]"
        for side in ("from_id", "to_id"):
            qi = getattr(link, side)
            if qi is None:
                continue
            if not qi.strip():
                yield f"{where}.{side}", "must not be empty (leave it out instead)"
            elif qi in seen[side]:
                yield f"{where}.{side}", f"{qi!r} is already linked by links[{seen[side][qi]}]"
            seen[side].setdefault(qi, i)
        change = link.change
        if change is Change.NEW:
            if link.from_id is not None or link.to_id is None:
                yield f"{where}.change", "a 'new' link needs a to_id and no from_id"
        elif change is Change.REMOVED:
            if link.from_id is None or link.to_id is not None:
                yield f"{where}.change", "a 'removed' link needs a from_id and no to_id"
        elif link.from_id is None or link.to_id is None:
            yield f"{where}.change", f"a {change.value!r} link needs a from_id and a to_id"
        elif change is Change.MOVED and link.from_id == link.to_id:
            yield f"{where}.to_id", "a 'moved' link joins two different ids"
        elif change is not Change.MOVED and link.from_id != link.to_id:
            yield (
                f"{where}.change",
                f"{link.from_id!r} -> {link.to_id!r} changes the id: that is 'moved', "
                f"not {change.value!r}",
            )


def crosswalk_from_dict(raw: Mapping[str, Any], *, file: str | Path | None = None) -> Crosswalk:
    """Build a :class:`Crosswalk` from the dict form of its TOML file and
    check it against the bundled frameworks it names: every indicator of
    each appears exactly once on its side.

    :raises FrameworkError: naming *file* and the field path.
    """
    raw = check_reference_schema(raw, file)
    cw = _convert.structure(raw, Crosswalk, file=file, error=FrameworkError)
    for side, framework_id, ids in (
        ("from", cw.from_framework, cw.from_ids),
        ("to", cw.to_framework, cw.to_ids),
    ):
        fw = bundled_framework(framework_id, file=file, path=f"{side}_framework")
        for i, link in enumerate(cw.links):
            qi = getattr(link, f"{side}_id")
            if qi is not None and qi not in fw:
                raise FrameworkError(
                    f"{framework_id} has no indicator {qi!r}",
                    file=file,
                    path=f"links[{i}].{side}_id",
                )
        missing = [qi.id for qi in fw.all_indicators if qi.id not in ids]
        if missing:
            raise FrameworkError(
                f"every {framework_id} indicator must be linked once; not linked: "
                + ", ".join(missing),
                file=file,
                path="links",
            )
    return cw


@functools.cache
def load_crosswalk() -> Crosswalk:
    """The bundled crosswalk from the 2014 framework (``qif-2014``) to the
    2018 framework (``qif-2018``), read once and cached.

    It follows para 3.7 of the 2018 council paper (seed 000); changes not
    listed there come from comparing the two frameworks' titles, and each
    link's ``note`` says which.

    >>> from qifeval import load_crosswalk
    >>> [(ln.from_id, ln.to_id, ln.change.value) for ln in load_crosswalk().changes()][:2]
    [('1.1', '1.1', 'renamed'), ('5.1', '5.1', 'renamed')]
    """
    raw, file = read_bundled(_CROSSWALK_FILE)
    return crosswalk_from_dict(raw, file=file)


_convert.register_enums(Change)
