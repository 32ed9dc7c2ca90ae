"""The private cattrs converter and document I/O shared by every loader.

One converter, strict about types (a number is never silently turned into a
string, a string never into a list of characters) and about unknown keys.
Structuring errors become :class:`~qifeval.InputError` listing every
problem with the dotted path of its field. Documents are checked against
:class:`InputLimits` before they are structured, so a hostile document is
refused quickly and with a clear error.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as _dt
import enum
import functools
import json
import os
import re
import stat
import tomllib
from collections.abc import Callable, Iterator, Mapping
from itertools import chain, compress, repeat
from pathlib import Path
from typing import Any, TypeVar, cast, get_args, get_origin

import attrs
import cattrs
import tomli_w
from cattrs.errors import IterableValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._errors import InputError, InputProblem, shown

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)

converter = cattrs.Converter(forbid_extra_keys=True)


def _at_least_one(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(
            f"must be a whole number of 1 or more, got {shown(value)}", path=attribute.name
        )


@attrs.frozen(kw_only=True)
class InputLimits:
    """The limits within which qifeval reads a document (a findings file, a
    framework, a rules file or a saved evaluation). A document beyond them
    is refused with an :class:`~qifeval.InputError` before it is fully
    read, so that a hostile or broken file costs little time and memory.

    Change them for a block of code with :func:`input_limits`.

    :param max_bytes: the size of a file, in bytes.
    :param max_depth: how deeply tables and lists may nest (a finding's
        field such as ``findings[0].statement`` is at depth 3).
    :param max_items: the number of items in one list, such as the
        findings of a findings file.
    :param max_text: the number of characters in one string (a key or a
        value, such as a finding's statement).
    :param max_problems: the number of problems reported in one error;
        checking stops there ("and more not checked").
    """

    max_bytes: int = attrs.field(factory=lambda: max_file_bytes(), validator=_at_least_one)
    max_depth: int = attrs.field(default=32, validator=_at_least_one)
    max_items: int = attrs.field(default=100_000, validator=_at_least_one)
    max_text: int = attrs.field(default=10_000, validator=_at_least_one)
    max_problems: int = attrs.field(default=50, validator=_at_least_one)


#: How the loaders name qifeval's own data files (``<qifeval>/rules/grading.toml``).
BUNDLED_PREFIX = "<qifeval>/"

# None: the defaults, made when asked for, so that QIFEVAL_MAX_FILE_BYTES is
# read at that time.
_LIMITS: contextvars.ContextVar[InputLimits | None] = contextvars.ContextVar(
    "qifeval_input_limits", default=None
)


def current_input_limits() -> InputLimits:
    """The :class:`InputLimits` in force (the defaults, unless changed with
    :func:`input_limits`)."""
    return _LIMITS.get() or InputLimits()


@contextlib.contextmanager
def input_limits(limits: InputLimits | None = None, **changes: int) -> Iterator[InputLimits]:
    """Read documents within other limits inside a ``with`` block: *limits*,
    or the limits in force with *changes* (keyword arguments named as the
    attributes of :class:`InputLimits`). The change is local to the current
    thread (and asyncio task) and undone when the block ends.

    >>> from qifeval import current_input_limits, input_limits
    >>> with input_limits(max_items=10) as limits:
    ...     limits.max_items, current_input_limits().max_items
    (10, 10)
    >>> current_input_limits().max_items
    100000
    """
    try:
        new = attrs.evolve(limits or current_input_limits(), **changes)
    except TypeError:
        known = ", ".join(a.name for a in attrs.fields(InputLimits))
        raise InputError(f"unknown limit among {sorted(changes)}; the limits are {known}") from None
    token = _LIMITS.set(new)
    try:
        yield new
    finally:
        _LIMITS.reset(token)


class _Budget:
    """How many more failing items a structuring run examines."""

    def __init__(self, n: int) -> None:
        self.remaining = n
        self.stopped = False


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "qifeval_problem_budget", default=None
)


def _type_name(value: object) -> str:
    if isinstance(value, Mapping):
        return "table"
    return {
        list: "list",
        tuple: "list",
        str: "string",
        int: "integer",
        float: "number",
        bool: "boolean",
        _dt.date: "date",
        _dt.datetime: "date and time",
        _dt.time: "time of day",
        type(None): "nothing (null)",
    }.get(type(value), "value of another kind")


def _got(value: object) -> str:
    """What a message says was found instead: ``a table``, ``a list``, or
    the kind and (short) value of a scalar."""
    if isinstance(value, Mapping | list | tuple):
        return f"a {_type_name(value)}"
    if value is None:
        return "nothing (null)"
    return f"{_type_name(value)} {shown(value)}"


class _WrongType(TypeError):
    def __init__(self, expected: str, value: object) -> None:
        super().__init__(f"expected {expected}, got {_got(value)}")


@functools.cache
def _enum_parse(cl: type[enum.Enum]) -> Callable[[object], enum.Enum] | None:
    """The enum's own ``parse`` class method, if it has one: looked up once
    per enum (a failed attribute lookup on an enum class is slow)."""
    return getattr(cl, "parse", None)


def _enum(value: object, cl: type[enum.Enum]) -> enum.Enum:
    parse = _enum_parse(cl)
    if parse is not None:
        try:
            return parse(value)
        except InputError as exc:  # echo a long value short
            raise ValueError(exc.problem.replace(repr(value), shown(value))) from None
    try:
        return cl(value)
    except (ValueError, TypeError):
        allowed = ", ".join(repr(m.value) for m in cl)
        got = shown(value) if isinstance(value, str) else _got(value)
        raise ValueError(f"expected one of {allowed}, got {got}") from None


# Converters made by enum_converter, with their enums.
_ENUM_CONVERTERS: dict[object, type[enum.Enum]] = {}


def enum_converter(cl: type[E]) -> Callable[[Any], E]:
    """An attrs converter to a member of *cl* that gives what ``cl(value)``
    gives (the same member, or the same error), looking a member or a
    value up in a table first: an enum's own call is slow."""
    members = {member.value: member for member in cl}

    def convert(value: Any) -> E:
        try:
            return members[value]
        except (KeyError, TypeError):  # not a value, or unhashable
            return cl(value)

    _ENUM_CONVERTERS[convert] = cl
    return convert


def _strict_str(value: object, cl: type) -> str:
    if cl is not str and issubclass(cl, enum.Enum):  # a str-based enum
        return _enum(value, cl)  # type: ignore[return-value]
    if not isinstance(value, str):
        raise _WrongType("a string", value)
    return value


def _strict_int(value: object, cl: type) -> int:
    if cl is not int and issubclass(cl, enum.Enum):  # an int-based enum
        return _enum(value, cl)  # type: ignore[return-value]
    if isinstance(value, bool) or not isinstance(value, int):
        raise _WrongType("an integer", value)
    return value


def _strict_float(value: object, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _WrongType("a number", value)
    return float(value)


def _strict_bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise _WrongType("true or false", value)
    return value


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date(value: object, _: type) -> _dt.date:
    """A TOML date, or a string ``YYYY-MM-DD`` (JSON has no dates); not a
    number such as ``20260301``, a date and time, or another ISO form."""
    if isinstance(value, _dt.datetime):
        raise _WrongType("a date (YYYY-MM-DD) without a time", value)
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"no such date: {shown(value)}") from None
    raise _WrongType("a date (YYYY-MM-DD)", value)


for _t, _hook in (
    (str, _strict_str),
    (int, _strict_int),
    (float, _strict_float),
    (bool, _strict_bool),
):
    converter.register_structure_hook(_t, _hook)


def register_enums(*classes: type[enum.Enum]) -> None:
    """Unstructure these enums to their plain values. (Structuring any enum
    goes through :func:`_enum` via the hooks of ``str`` and ``int``.)"""
    for cl in classes:
        converter.register_unstructure_hook(cl, lambda member: member.value)


converter.register_structure_hook(_dt.date, _date)
converter.register_unstructure_hook(_dt.date, lambda d: d.isoformat())


def _is_homogeneous_tuple(cl: Any) -> bool:
    args = get_args(cl)
    return get_origin(cl) is tuple and len(args) == 2 and args[1] is Ellipsis


def _tuple_hook_factory(cl: Any) -> Callable[[object, Any], tuple[Any, ...]]:
    elem = get_args(cl)[0]

    def hook(value: object, _: Any) -> tuple[Any, ...]:
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, list | tuple):
            raise _WrongType("a list", value)
        elem_hook = converter.get_structure_hook(elem)
        out, errors = [], []
        budget = _BUDGET.get()
        for i, item in enumerate(value):
            try:
                out.append(elem_hook(item, elem))
            except Exception as exc:  # noqa: BLE001 - re-raised with its index below
                exc.__notes__ = [
                    *getattr(exc, "__notes__", []),
                    cattrs.IterableValidationNote(f"Structuring {cl} @ index {i}", i, elem),
                ]
                errors.append(exc)
                if budget is not None:  # fail fast: stop after enough problems
                    budget.remaining -= 1
                    if budget.remaining <= 0:
                        budget.stopped = budget.stopped or i < len(value) - 1
                        break
        if errors:
            raise IterableValidationError(f"While structuring {cl!r}", errors, cl)
        return tuple(out)

    return hook


converter.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_hook_factory)


def _table_only(fn: Callable[[Any, Any], T]) -> Callable[[Any, Any], T]:
    """Wrap an attrs class's structure function so that anything but a
    table is refused in plain words (not with cattrs' internals)."""

    def hook(value: Any, cl: Any) -> T:
        if not isinstance(value, Mapping):
            raise _WrongType("a table", value)
        return fn(value, cl)

    return hook


def _attrs_hook_factory(cl: Any) -> Callable[[Any, Any], Any]:
    return _table_only(make_dict_structure_fn(cl, converter, _cattrs_forbid_extra_keys=True))


converter.register_structure_hook_factory(attrs.has, _attrs_hook_factory)


# A quick path for many tables of one attrs class (a findings file's
# findings): a table whose keys are the class's attributes and whose values
# are of exactly the types the structure hooks take as they are is made into
# an instance directly, without the hooks' checks. Anything else (an
# unknown key or type, or a value the class refuses) gives ``None``, and the
# converter, which explains every problem, decides.

# A value's exact type -> how it becomes the attribute's value (None: as it is).
_Accepted = dict[type, Callable[[Any], Any] | None]


def _accepted(type_: Any, converter_: object) -> _Accepted | None:
    """The value types a field of *type_* (with the attrs *converter_*)
    takes quickly, or None for a type the quick path leaves alone."""
    args = get_args(type_)
    if type(None) in args:
        rest = [a for a in args if a is not type(None)]
        inner = _accepted(rest[0], None) if len(rest) == 1 else None
        return None if inner is None else {**inner, type(None): None}
    if type_ in (str, int, bool):
        return {type_: None}
    if type_ is float:
        return {float: None, int: float}
    if type_ is _dt.date:
        return {_dt.date: None, str: functools.partial(_date, _=_dt.date)}
    if isinstance(type_, type) and issubclass(type_, str) and issubclass(type_, enum.Enum):
        if _enum_parse(type_) is not None:
            return None
        if _ENUM_CONVERTERS.get(converter_) is type_:
            return {str: None}
        return {str: enum_converter(type_)}
    if attrs.has(type_):
        return {dict: functools.partial(converter.structure, cl=type_)}
    return None


# attrs.Factory's class (its type stubs declare a function)
_FACTORY: type = type(attrs.Factory(list))


def _field_lines(cls: type, f: attrs.Attribute[Any], scope: dict[str, Any]) -> list[str]:
    """The lines of a maker (see :class:`QuickTables`) that check field *f*
    of a table, make its value and set its slot in an instance of *cls*
    (its helpers go in *scope*)."""
    accepted = _accepted(f.type, f.converter) if f.alias == f.name else None
    check = ["return None"]  # a value the quick path leaves to the converter
    if accepted is not None:
        check = ["n += 1", "t = type(v)"]
        plain = [f"t is {_named(scope, t)}" for t, convert in accepted.items() if convert is None]
        branches = [(" or ".join(plain), "pass")] if plain else []
        branches += [
            (f"t is {_named(scope, t)}", f"v = {_named(scope, convert)}(v)")
            for t, convert in accepted.items()
            if convert is not None
        ]
        for k, (test, action) in enumerate(branches):
            check += [f"{'elif' if k else 'if'} {test}:", f"    {action}"]
        check += ["else:", "    return None"]
        if f.converter is not None:
            members = _ENUM_CONVERTERS.get(f.converter)
            convert: Callable[[Any], Any] = cast("Callable[[Any], Any]", f.converter)
            if members is not None and accepted == {str: None}:
                # the enum's table, looked up here: a miss raises KeyError
                convert = {m.value: m for m in members}.__getitem__
            check.append(f"v = {_named(scope, convert)}(v)")
    lines = [f"    v = get({f.name!r}, MISSING)", "    if v is MISSING:"]
    if f.default is attrs.NOTHING:
        lines += ["        return None", *(f"    {line}" for line in check)]
    else:
        # the default as __init__ converts it, once (the converters of the
        # classes made quick are functions of the value alone, giving values
        # that are never changed)
        default = f.default if f.converter is None else cast("Any", f.converter)(f.default)
        lines += [f"        v = {_named(scope, default)}", "    else:"]
        lines += [f"        {line}" for line in check]
    lines.append(f"    {_named(scope, cls.__dict__[f.name].__set__)}(o, v)")
    return lines


def _is_function(converter: object) -> bool:
    """Whether an attrs converter is a function of the value alone (not an
    ``attrs.Converter`` that takes the instance or field too)."""
    converter_class = getattr(attrs, "Converter", None)
    return callable(converter) and not (
        converter_class is not None and isinstance(converter, converter_class)
    )


def _named(scope: dict[str, Any], value: Any) -> str:
    """A name for *value* in a maker's *scope*."""
    name = f"_{len(scope)}"
    scope[name] = value
    return name


class QuickTables:
    """Build instances of the attrs class *cls* from well-formed tables
    (see :meth:`build_all`), for classes whose document keys are their
    attribute names.

    The class must be slotted, with no validators, factories nor
    ``attrs.Converter`` objects: an instance is made by a function generated
    here from the class's fields, which checks each value's exact type,
    applies the defaults and the converters as ``__init__`` would (a
    converter also to a default), sets each slot through its descriptor (a
    frozen class's ``__init__`` sets each through ``object.__setattr__``,
    which costs a microsecond or two for a class of many fields) and calls
    ``__attrs_post_init__``.

    :raises TypeError: for a class it cannot make instances of so.
    """

    def __init__(self, cls: type) -> None:
        cls = attrs.resolve_types(cls)
        fields = attrs.fields(cls)
        if (
            "__slots__" not in cls.__dict__
            or hasattr(cls, "__attrs_pre_init__")
            or any(
                f.validator is not None
                or isinstance(f.default, _FACTORY)
                or not f.init
                or (f.converter is not None and not _is_function(f.converter))
                for f in fields
            )
        ):
            raise TypeError(
                f"{cls.__name__}: not slotted, or has validators, factories or Converter objects"
            )
        scope: dict[str, Any] = {"new": object.__new__, "cls": cls, "MISSING": object()}
        lines = ["def make(table):", "    o = new(cls)", "    get = table.get", "    n = 0"]
        for f in fields:
            lines += _field_lines(cls, f, scope)
        lines += ["    if n != len(table):", "        return None"]  # an unknown key
        if hasattr(cls, "__attrs_post_init__"):
            lines.append("    o.__attrs_post_init__()")
        lines.append("    return o")
        exec("\n".join(lines), scope)  # the code is made above from the class's fields
        self.make: Callable[[dict[str, Any]], Any] = scope["make"]

    def build_all(self, raw: object) -> tuple[Any, ...] | None:
        """The instances of a list of well-formed tables, as the converter
        would structure them, or None: *raw* is left to the converter."""
        if type(raw) is not list:
            return None
        out = []
        make = self.make
        try:
            for item in raw:
                built = make(item) if type(item) is dict else None
                if built is None:
                    return None
                out.append(built)
        except Exception:  # noqa: BLE001 - the converter explains it
            return None
        return tuple(out)


# Attribute name -> document key, so error paths name what is in the file.
_PATH_RENAMES: dict[str, str] = {}


def register_lazily(cls: type, structure: Any = None, unstructure: Any = None) -> None:
    """Register hooks for exactly *cls*, made by ``structure(cls)`` and
    ``unstructure(cls)`` when cattrs first needs them (making one compiles
    code, which importing qifeval should not pay for every class)."""

    def only(t: Any) -> bool:
        return t is cls

    if structure is not None:
        converter.register_structure_hook_factory(only, structure)
    if unstructure is not None:
        converter.register_unstructure_hook_factory(only, unstructure)


def register_renamed(cls: type, **renames: str) -> None:
    """Register hooks for an attrs class whose document keys differ from its
    attribute names (``attribute="key"``)."""
    # cattrs types its per-attribute **overrides loosely.
    overrides: dict[str, Any] = {name: override(rename=key) for name, key in renames.items()}
    _PATH_RENAMES.update(renames)
    register_lazily(
        cls,
        lambda cl: _table_only(
            make_dict_structure_fn(cl, converter, _cattrs_forbid_extra_keys=True, **overrides)
        ),
        lambda cl: make_dict_unstructure_fn(cl, converter, **overrides),
    )


_SUBPATH = "\x00"


def register_as_attrs(cls: type) -> None:
    """Structure and unstructure *cls* by its attrs fields, even though it is
    also a mapping (cattrs would otherwise treat it as a dict)."""
    register_lazily(cls, _attrs_hook_factory, lambda cl: make_dict_unstructure_fn(cl, converter))


def register_omit_defaults(cls: type) -> None:
    """Unstructure *cls* without the attributes left at their defaults."""
    register_lazily(
        cls,
        unstructure=lambda cl: make_dict_unstructure_fn(
            cl, converter, _cattrs_omit_if_default=True
        ),
    )


def _format_exception(exc: BaseException, type_: type | None) -> str:
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        keys = sorted(exc.extra_fields)
        listed = ", ".join(shown(k) for k in keys[:10])
        more = f" and {len(keys) - 10} more" if len(keys) > 10 else ""
        return f"unknown key(s) {listed}{more}"
    if isinstance(exc, KeyError):
        return "required key is missing"
    if isinstance(exc, _WrongType):
        return str(exc)
    if isinstance(exc, InputError):  # raised by a constructor: carries its own path
        return f"{exc.problem}{_SUBPATH}{exc.path}"
    if isinstance(exc, ValueError) and str(exc):
        return str(exc)
    # Anything else comes from inside cattrs or Python, not from qifeval's
    # checks: say what was expected without Python's internals.
    if type_ is not None:
        return f"expected {_expected(type_)}"
    return "invalid value"


def _expected(type_: Any) -> str:
    """What a value of *type_* is, in the words of the file formats."""
    if type_ is None or type_ is type(None):
        return "nothing"
    args = get_args(type_)
    if type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return _expected(rest[0]) if len(rest) == 1 else "a value"
    if get_origin(type_) in (tuple, list):
        return (
            f"a list of {_expected(args[0]).removeprefix('a ').removeprefix('an ')}s"
            if args
            else "a list"
        )
    if get_origin(type_) is not None and issubclass(get_origin(type_), Mapping):
        return "a table"
    if isinstance(type_, type):
        if issubclass(type_, enum.Enum):
            return "one of " + ", ".join(repr(m.value) for m in type_)
        if issubclass(type_, bool):
            return "true or false"
        if issubclass(type_, int):
            return "an integer"
        if issubclass(type_, float):
            return "a number"
        if issubclass(type_, str):
            return "a string"
        if issubclass(type_, _dt.date):
            return "a date (YYYY-MM-DD)"
        if attrs.has(type_) or issubclass(type_, Mapping):
            return "a table"
    return "a value of another kind"


def _join(prefix: str, path: str) -> str:
    path = path.lstrip(".")
    if not prefix:
        return path
    if not path:
        return prefix
    return prefix + ("" if path.startswith("[") else ".") + path


def validation_problems(exc: BaseException, prefix: str = "") -> list[tuple[str, str]]:
    """Return ``(path, problem)`` pairs for a cattrs validation error."""
    problems = []
    for line in cattrs.transform_error(exc, path="", format_exception=_format_exception):
        problem, _, path = line.rpartition(" @ ")
        problem, _, subpath = problem.partition(_SUBPATH)
        path = re.sub(r"\b\w+\b", lambda m: _PATH_RENAMES.get(m[0], m[0]), path)
        problems.append((_join(_join(prefix, path), subpath), problem))
    return problems


def structure(
    raw: object,
    cls: type[T],
    *,
    file: str | Path | None = None,
    path: str = "",
    error: type[InputError] = InputError,
    finding_id: Callable[[str], str | None] | None = None,
) -> T:
    """Structure *raw* into *cls*, turning every failure into *error* that
    names *file* and lists every problem with the dotted path of its field,
    up to :attr:`InputLimits.max_problems` (then checking stops).

    :param finding_id: given the failing path, return the id of the finding
        it lies in, if any.
    """
    if not isinstance(raw, Mapping):
        raise error(f"expected a table, got {_type_name(raw)}", file=file, path=path)
    limit = current_input_limits().max_problems
    budget = _Budget(limit)
    token = _BUDGET.set(budget)
    try:
        return converter.structure(raw, cls)
    except cattrs.BaseValidationError as exc:
        found = validation_problems(exc, path)
        problems = [
            InputProblem(
                problem=problem, path=where, finding_id=finding_id(where) if finding_id else None
            )
            for where, problem in found[:limit]
        ]
        raise error.from_problems(
            problems, file=file, more_not_checked=budget.stopped or len(found) > limit
        ) from None
    except InputError as exc:
        raise error.from_problems(
            [
                InputProblem(problem=p.problem, path=_join(path, p.path), finding_id=p.finding_id)
                for p in exc.problems
            ],
            file=file,
            more_not_checked=exc.more_not_checked,
        ) from None
    finally:
        _BUDGET.reset(token)


def without_schema_version(
    raw: Mapping[str, Any],
    expected: int,
    *,
    file: str | Path | None = None,
    error: type[InputError] = InputError,
) -> dict[str, Any]:
    """A copy of *raw* without its ``schema_version``, which must be
    *expected*."""
    if not isinstance(raw, Mapping):
        raise error(f"expected a table, got {_type_name(raw)}", file=file)
    rest = dict(raw)
    version = rest.pop("schema_version", None)
    if type(version) is not int or version != expected:  # true is not 1
        newer = type(version) is int and version > expected
        why = "it was written by a newer qifeval" if newer else "no migration exists for it"
        got = "no schema_version" if version is None else f"schema_version {_got(version)}"
        raise error(
            f"{got} is not supported ({why}); this qifeval reads schema_version = {expected}",
            file=file,
            path="schema_version",
        )
    return rest


#: The largest file qifeval reads, in bytes, unless the environment
#: variable ``QIFEVAL_MAX_FILE_BYTES`` sets another default (and
#: :func:`input_limits` can change it for a block of code).
DEFAULT_MAX_FILE_BYTES = 20_000_000

MAX_FILE_BYTES_VARIABLE = "QIFEVAL_MAX_FILE_BYTES"

#: Temporary files are named ``.NAME.qifeval-XXXXXXXX.tmp`` beside their target.
TEMP_INFIX = ".qifeval-"
TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"\A\..+\.qifeval-[^.]+\.tmp\Z", re.DOTALL)


def max_file_bytes() -> int:
    """The default size limit for files qifeval reads (``InputLimits.max_bytes``):
    ``QIFEVAL_MAX_FILE_BYTES`` if set (a positive whole number of bytes),
    else 20 MB."""
    value = os.environ.get(MAX_FILE_BYTES_VARIABLE)
    if value is None or not value.strip():
        return DEFAULT_MAX_FILE_BYTES
    try:
        limit = int(value.strip())
    except ValueError:
        limit = 0
    if limit <= 0:
        raise InputError(
            f"{MAX_FILE_BYTES_VARIABLE} must be a positive whole number of bytes, "
            f"got {shown(value)}"
        )
    return limit


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def file_kind(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words ("a directory", ...)."""
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def is_temporary_name(name: str) -> bool:
    """Whether *name* is that of a temporary file qifeval writes while
    saving (``.NAME.qifeval-XXXXXXXX.tmp``)."""
    return _TEMP_NAME.match(name) is not None


def read_file_bytes(
    path: str | Path, *, error: type[InputError] = InputError, what: str = "file"
) -> bytes:
    """Read a regular file of at most :func:`max_file_bytes` bytes.

    The file's type is checked before it is read: directories, FIFOs,
    sockets and devices are refused without blocking on them (the file is
    opened non-blocking and checked again through the open descriptor).
    At most the limit plus one byte is read.

    :raises InputError: naming the file and what is wrong with it.
    """
    path = Path(path)
    limit = current_input_limits().max_bytes
    try:
        st = os.stat(path)
    except OSError as exc:
        raise error(f"cannot read {what}: {exc.strerror or exc}", file=path) from None
    if not stat.S_ISREG(st.st_mode):
        raise error(
            f"cannot read {what}: it is {file_kind(st.st_mode)}, not a regular file", file=path
        )
    if st.st_size > limit:
        raise error(_too_big(what, limit), file=path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise error(f"cannot read {what}: {exc.strerror or exc}", file=path) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # replaced since it was checked
            raise error(
                f"cannot read {what}: it is {file_kind(st.st_mode)}, not a regular file",
                file=path,
            )
        chunks, size = [], 0
        while size <= limit:
            # the file as large as it is in one read (a larger buffer costs a
            # copy when it is cut to size), then whatever it has grown by
            want = st.st_size - size if size < st.st_size else 1 << 20
            chunk = os.read(fd, min(want, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise error(f"cannot read {what}: {exc.strerror or exc}", file=path) from None
    finally:
        os.close(fd)
    if size > limit:
        raise error(_too_big(what, limit), file=path)
    return b"".join(chunks)


def _too_big(what: str, limit: int) -> str:
    return (
        f"cannot read {what}: it is larger than the limit of {limit:,} bytes "
        f"(InputLimits.max_bytes; {MAX_FILE_BYTES_VARIABLE} sets its default)"
    )


def read_document(path: str | Path, *, error: type[InputError] = InputError) -> dict[str, Any]:
    """Read a TOML (``.toml``) or JSON (``.json``) file into a dict.

    The suffix is checked first, then that the path is a regular file
    within the size limit (:func:`read_file_bytes`); only then is it read.

    :raises InputError: naming the file and what is wrong with it.
    """
    path = Path(path)
    fmt = document_format(path, error=error)
    data = read_file_bytes(path, error=error)
    return parse_document(data, fmt=fmt, file=path, error=error)


def document_format(path: str | Path, *, error: type[InputError] = InputError) -> str:
    """``"toml"`` or ``"json"`` by the file's suffix."""
    name = Path(path).name
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix == ".toml":
        return "toml"
    if is_temporary_name(name):
        raise error(
            "this is a temporary file left by an interrupted save, not a document; "
            "it can be deleted",
            file=path,
        )
    raise error(f"unknown file type {suffix!r}: expected .toml or .json", file=path)


def parse_document(
    data: bytes, *, fmt: str, file: str | Path | None = None, error: type[InputError] = InputError
) -> dict[str, Any]:
    """Parse TOML or JSON bytes into a dict, with errors naming *file*.

    The document must lie within the :class:`InputLimits` in force: its
    size and nesting are checked before it is parsed (a TOML file is
    scanned for deep nesting first, because the parser would build it
    before it could be checked), and the parsed document is checked for
    over-long lists and strings, duplicate JSON keys and text that is not
    valid Unicode, each problem named by its path.
    """
    # qifeval's own data files lie within the default limits, whatever
    # limits are in force
    bundled = str(file).startswith(BUNDLED_PREFIX)
    limits = InputLimits() if bundled else current_input_limits()
    if len(data) > limits.max_bytes:
        raise error(
            f"the file is {len(data):,} bytes; at most {limits.max_bytes:,} are read "
            "(see InputLimits.max_bytes)",
            file=file,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(
            f"not a UTF-8 text file (byte {exc.start} cannot be decoded)", file=file
        ) from None
    if "\x00" in text:
        raise error("not a text file (it contains NUL bytes)", file=file)
    too_deep = fmt != "json" and _toml_nesting_beyond(text, limits.max_depth)
    if too_deep:
        raise error(
            f"nested more than {limits.max_depth} levels deep ({too_deep}; "
            "see InputLimits.max_depth)",
            file=file,
        )
    try:
        if fmt == "json":
            doc = json.loads(text, parse_constant=_reject_constant)
        else:
            doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"invalid TOML: {exc}", file=file) from None
    except json.JSONDecodeError as exc:
        raise error(
            f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", file=file
        ) from None
    except RecursionError:
        raise error(
            f"nested more than {limits.max_depth} levels deep (see InputLimits.max_depth)",
            file=file,
        ) from None
    except ValueError as exc:
        raise error(f"invalid {fmt.upper()}: {exc}", file=file) from None
    if not isinstance(doc, dict):
        raise error(f"expected a table (object) at the top, got {_type_name(doc)}", file=file)
    table: dict[str, Any] = doc
    # JSON strings can hold lone surrogates only through \\uD800-\\uDFFF escapes
    surrogates = fmt == "json" and _SURROGATE_ESCAPE.search(text) is not None
    colons = text.count(":") if fmt == "json" else None
    quick = not surrogates and (fmt != "json" or _COLON_ESCAPE.search(text) is None)
    if not (quick and _tree_within_limits(table, limits, colons=colons)):
        if fmt == "json":  # again, keeping the keys a table gives twice
            table = json.loads(
                text, parse_constant=_reject_constant, object_pairs_hook=_json_object
            )
        problems, more = _tree_problems(table, limits, surrogates=surrogates)
        if problems:
            raise error.from_problems(problems, file=file, more_not_checked=more)
    return table


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed")


class _JSONTable(dict[str, Any]):
    """A JSON object given some keys more than once (``json`` would
    silently keep the last value); :func:`_tree_problems` reports them."""

    duplicates: tuple[str, ...] = ()


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    table = dict(pairs)
    if len(table) == len(pairs):
        return table
    seen: set[str] = set()
    dups = []
    for key, _ in pairs:
        if key in seen and key not in dups:
            dups.append(key)
        seen.add(key)
    dup = _JSONTable(table)
    dup.duplicates = tuple(dups)
    return dup


# TOML strings and comments, blanked before the nesting scan so that
# brackets and dots inside them do not count.
_TOML_OPAQUE = re.compile(
    r'"{3}[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"{3}"{0,2}'  # multi-line basic string
    r"|'{3}[^']*(?:'(?!'')[^']*)*'{3}'{0,2}"  # multi-line literal string
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"'  # basic string
    r"|'[^'\n]*'"  # literal string
    r"|#[^\n]*"  # comment
)
_BRACKET_PAIR = re.compile(r"\[\]|\{\}")
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _toml_nesting_beyond(text: str, limit: int) -> str:
    """A cheap scan of TOML text for nesting deeper than *limit*, before the
    parser builds it: how it is too deep, or ``""``. Each measure is a
    lower bound of the true depth, so a document within the limit is never
    refused here; the parsed document's depth is checked exactly later."""
    blank = _TOML_OPAQUE.sub('""', text)
    # a dotted key a.b.c (in a table header or before "=") nests a table
    # per dot; no other TOML value has more than one dot in a row
    segment = r'[ \t]*(?:[A-Za-z0-9_-]+|"")[ \t]*'
    if re.search(f"{segment}(?:\\.{segment}){{{limit},}}", blank):
        return f"a dotted key of more than {limit} parts"
    # brackets: remove innermost pairs, one level per round
    brackets = _NOT_BRACKET.sub("", blank)
    for _ in range(limit):
        brackets, n = _BRACKET_PAIR.subn("", brackets)
        if not n:
            return ""
    if _BRACKET_PAIR.search(brackets):
        return f"lists or tables inside each other more than {limit} times"
    return ""


_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_COLON_ESCAPE = re.compile(r"\\u003[aA]")


def _tree_within_limits(doc: dict[str, Any], limits: InputLimits, *, colons: int | None) -> bool:
    """Whether :func:`_tree_problems` (without looking for surrogates) finds
    nothing in *doc*, decided a level of nesting at a time by operations on
    all of that level's containers at once; false whenever it might find
    something.

    :param colons: for a document parsed from JSON text without an escaped
        colon (``\\u003a``), the number of colons in the text, to make sure
        that no table gives a key twice (the parser keeps the value given
        last); None for a document that cannot.
    """
    level: list[Any] = [doc]
    depth = 1
    pairs = 0
    levels = []
    while level:
        kinds = set(map(type, level))
        if depth > limits.max_depth or not kinds <= {dict, list}:  # a _JSONTable: duplicates
            return False
        if len(kinds) == 1:
            dicts, lists = (level, []) if dict in kinds else ([], level)
        else:
            dicts = [node for node in level if type(node) is dict]
            lists = [node for node in level if type(node) is list]
        if max(map(len, lists), default=0) > limits.max_items:
            return False
        keys = set(chain.from_iterable(dicts))  # few: a parser shares equal keys
        if colons is not None and any(":" in key for key in keys):
            return False
        pairs += sum(map(len, dicts))
        values = [*chain.from_iterable(map(dict.values, dicts)), *chain.from_iterable(lists)]
        levels.append(values)
        texts = chain(filter(_is_str, keys), filter(_is_str, values))
        if max(map(len, texts), default=0) > limits.max_text:
            return False
        if any(issubclass(kind, _CONTAINERS) for kind in set(map(type, values))):
            level = list(compress(values, map(isinstance, values, repeat(_CONTAINERS))))
        else:
            level = []
        depth += 1
    if colons is None or colons == pairs:
        return True
    # The colons of JSON text are those between keys and values and those in
    # strings (none escaped, none in keys). A key given twice drops a pair
    # and its value from the document, so the colons add up only without one.
    in_strings = sum("".join(filter(_is_str, values)).count(":") for values in levels)
    return colons == pairs + in_strings


_CONTAINERS = (dict, list)
# isinstance(value, str), called from C (a bound type.__instancecheck__)
_is_str: Callable[[object], bool] = str.__instancecheck__


def _tree_problems(
    doc: dict[str, Any], limits: InputLimits, *, surrogates: bool
) -> tuple[list[InputProblem], bool]:
    """Walk a parsed document for what the parser let through: nesting
    deeper than the limit, over-long lists and strings, duplicate JSON keys
    and, if *surrogates*, lone surrogates (JSON escapes such as
    ``"\\ud800"``, which are not valid Unicode text and could not be
    saved). Returns the problems (up to the limit of problems) and whether
    checking stopped early."""
    problems: list[InputProblem] = []
    max_depth, max_items, max_text = limits.max_depth, limits.max_items, limits.max_text

    def report(problem: str, path: Any) -> bool:
        parts = _path_parts(path)
        problems.append(
            InputProblem(
                problem=problem, path=_render_path(parts), finding_id=_finding_at(doc, parts)
            )
        )
        return len(problems) >= limits.max_problems

    def text_problem(value: str, what: str) -> str:
        if len(value) > max_text:
            return (
                f"{what} of {len(value):,} characters; at most {max_text:,} are allowed "
                "(see InputLimits.max_text)"
            )
        bad = _SURROGATE.search(value)
        assert bad is not None
        return f"{what} holds a lone surrogate ({shown(bad[0])}), which is not valid Unicode text"

    def bad_text(value: str) -> bool:
        return len(value) > max_text or (
            surrogates and not value.isascii() and _SURROGATE.search(value) is not None
        )

    # Containers to visit: (container, depth, path), the path a linked
    # tuple (parent path, key) rendered only for a problem.
    stack: list[tuple[Any, int, Any]] = [(doc, 1, None)]
    while stack:
        node, depth, path = stack.pop()
        if depth > max_depth:
            message = f"nested more than {max_depth} levels deep (see InputLimits.max_depth)"
            if report(message, path):
                return problems, bool(stack)
            continue
        if isinstance(node, list):
            if len(node) > max_items:
                message = (
                    f"{len(node):,} items; at most {max_items:,} are allowed "
                    "(see InputLimits.max_items)"
                )
                if report(message, path):
                    return problems, bool(stack)
                continue
            items: Iterator[tuple[Any, Any]] = enumerate(node)
        else:
            for key in getattr(node, "duplicates", ()):
                message = f"duplicate key {shown(key)} (the value given last would silently win)"
                if report(message, (path, key)):
                    return problems, bool(stack)
            items = iter(node.items())
        children = []
        for key, value in items:
            if type(key) is str and bad_text(key):
                if report(text_problem(key, "a key"), (path, key)):
                    return problems, bool(stack)
            elif isinstance(value, str):
                if bad_text(value) and report(text_problem(value, "text"), (path, key)):
                    return problems, bool(stack)
            elif isinstance(value, dict | list):
                children.append((value, depth + 1, (path, key)))
        stack.extend(reversed(children))
    return problems, False


def _path_parts(path: Any) -> list[str | int]:
    parts: list[str | int] = []
    while path is not None:
        path, key = path
        parts.append(key)
    return parts[::-1]


def _render_path(parts: list[str | int]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            key = part if len(part) <= 80 else part[:79] + "…"
            out += f".{key}" if out else key
    return out


def _finding_at(doc: Mapping[str, Any], parts: list[str | int]) -> str | None:
    """The id of the finding at ``findings[i]`` that *parts* lie in, if any."""
    if len(parts) >= 2 and parts[0] == "findings" and isinstance(parts[1], int):
        findings = doc.get("findings")
        if isinstance(findings, list) and parts[1] < len(findings):
            item = findings[parts[1]]
            if isinstance(item, Mapping) and isinstance(item.get("id"), str):
                return str(item["id"])[:80]
    return None


def dumps_document(data: Mapping[str, Any], fmt: str) -> str:
    """Serialise a document as ``"toml"`` or ``"json"`` text."""
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return tomli_w.dumps(_without_none(data))


def _without_none(value: Any) -> Any:
    """*value* with ``None`` left out of every table (TOML has no null; the
    loaders read a missing optional key as ``None``)."""
    if isinstance(value, Mapping):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_without_none(v) for v in value]
    return value


def dump_document(
    data: Mapping[str, Any],
    path: str | Path | None,
    fmt: str | None,
    default: str,
    *,
    overwrite: bool = True,
    follow_symlinks: bool = True,
) -> str:
    """Serialise *data* as *fmt* (or by the suffix of *path*, else
    *default*) and, if *path* is given, write it there atomically (see
    :func:`write_text_atomic`)."""
    if fmt is None:
        fmt = document_format(path) if path is not None else default
    text = dumps_document(data, fmt)
    if path is not None:
        write_text_atomic(path, text, overwrite=overwrite, follow_symlinks=follow_symlinks)
    return text


def check_output_target(
    path: str | Path, *, overwrite: bool = True, follow_symlinks: bool = True
) -> Path:
    """Check that *path* may be written and return the file to write: *path*
    itself, or the file a symbolic link points to (only if
    *follow_symlinks*).

    :raises InputError: if the target is a directory, FIFO, socket or
        device, a symbolic link and *follow_symlinks* is false, or an
        existing file and *overwrite* is false.
    """
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return path
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", file=path) from None
    if stat.S_ISLNK(st.st_mode):
        if not follow_symlinks:
            raise InputError(
                "refusing to write through a symbolic link (use --follow-symlinks to write "
                "to the file it points to)",
                file=path,
            )
        try:
            st = os.stat(path)
        except FileNotFoundError:  # a dangling link: create the file it names
            return Path(os.path.realpath(path))
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror or exc}", file=path) from None
        if not stat.S_ISREG(st.st_mode):
            raise InputError(
                f"refusing to write: the link points to {file_kind(st.st_mode)}, "
                "not a regular file",
                file=path,
            )
        target = Path(os.path.realpath(path))
    else:
        target = path
    if not stat.S_ISREG(st.st_mode):
        raise InputError(
            f"refusing to write: it is {file_kind(st.st_mode)}, not a regular file", file=path
        )
    if not overwrite:
        raise InputError("refusing to replace an existing file (use --force)", file=path)
    return target


def write_text_atomic(
    path: str | Path, text: str | bytes, *, overwrite: bool = True, follow_symlinks: bool = True
) -> None:
    """Write *text* (UTF-8), or bytes such as a workbook, to *path* so that the file is never half-written: write a
    temporary file beside it (``.NAME.qifeval-PID-XXXXXXXX.tmp``), flush it to
    disk and rename it over *path*. The temporary file is removed if
    anything fails, including an interrupt.

    Only a regular file (or a new one) is written: a directory, FIFO,
    socket or device is refused. A symbolic link is followed to the regular
    file it points to if *follow_symlinks*, and refused otherwise (it is
    never replaced by a file). With *overwrite* false an existing file is
    refused, also if it appears while the text is being written.

    :raises InputError: for a target that is refused.
    :raises OSError: if the file cannot be written.
    """
    path = Path(path)
    target = check_output_target(path, overwrite=overwrite, follow_symlinks=follow_symlinks)
    _remove_stale_temporaries(target)
    # The temporary name carries this process's id (see
    # _remove_stale_temporaries) and a random part. It is this write's
    # unless creating it finds it taken, so it is removed by name whatever
    # interrupts the write, even between creating the file and recording it.
    name = f".{target.name}{TEMP_INFIX}{os.getpid()}-{os.urandom(6).hex()}{TEMP_SUFFIX}"
    tmp = str(target.parent / name)
    fd = -1
    ours = True
    try:
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_CLOEXEC, 0o600)
        except FileExistsError:
            ours = False
            raise
        # created private (0600): give it the mode an ordinary new file
        # would have, or keep the existing file's mode.
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
        except OSError:
            mode = 0o644
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as fh:
            fd = -1
            fh.write(text.encode("utf-8") if isinstance(text, str) else text)
            fh.flush()
            os.fsync(fh.fileno())
        if overwrite:
            check_output_target(target, overwrite=True, follow_symlinks=False)
            os.replace(tmp, target)
        else:
            _link_new(tmp, target)
    finally:
        if fd != -1:
            try:
                os.close(fd)
            except OSError:
                pass
        if ours:  # gone after a rename; still there after a link or a failure
            try:
                os.unlink(tmp)
            except OSError:
                pass


_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def _remove_stale_temporaries(target: Path) -> None:
    """Remove the temporary files that earlier writes of *target* left
    behind when their process was killed (``kill -9``, a power cut): each
    carries its writer's process id, and only those whose process no
    longer exists are removed, so a write under way elsewhere is left
    alone."""
    prefix = f".{target.name}{TEMP_INFIX}"
    try:
        names = [n for n in os.listdir(target.parent or ".") if n.startswith(prefix)]
    except OSError:
        return
    for name in names:
        pid, sep, _ = name[len(prefix) :].partition("-")
        if not (sep and pid.isdigit() and name.endswith(TEMP_SUFFIX)):
            continue
        # This process's own writes (other threads) and live writers stay.
        if int(pid) == os.getpid() or _process_exists(int(pid)):
            continue
        try:
            os.unlink(target.parent / name)
        except OSError:
            pass


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True


def _link_new(tmp: str, target: Path) -> None:
    """Give *tmp* the name *target* only if no such file exists (atomically
    where the file system has hard links); the caller drops the temporary
    name."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise InputError(
            "refusing to replace an existing file (use --force)", file=target
        ) from None
    except OSError:  # no hard links here: check, then rename
        check_output_target(target, overwrite=False, follow_symlinks=False)
        os.replace(tmp, target)
