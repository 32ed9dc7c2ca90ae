"""The private cattrs converter and document I/O shared by every loader.

One converter, strict about types (a number is never silently turned into a
string, a string never into a list of characters) and about unknown keys.
Structuring errors become :class:`~qifeval.InputError` with the dotted path
of the field.
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
import os
import re
import stat
import tempfile
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar, get_args, get_origin

import cattrs
import tomli_w
from cattrs.errors import IterableValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._errors import InputError

T = TypeVar("T")

converter = cattrs.Converter(forbid_extra_keys=True)


def _type_name(value: object) -> str:
    return {
        dict: "table",
        list: "list",
        str: "string",
        int: "integer",
        float: "number",
        bool: "boolean",
    }.get(type(value), type(value).__name__)


class _WrongType(TypeError):
    def __init__(self, expected: str, value: object) -> None:
        super().__init__(f"expected {expected}, got {_type_name(value)} {_short(value)}")


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _enum(value: object, cl: type[enum.Enum]) -> enum.Enum:
    parse = getattr(cl, "parse", None)
    if parse is not None:
        return parse(value)  # type: ignore[no-any-return]
    try:
        return cl(value)
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in cl)
        raise ValueError(f"expected one of {allowed}, got {_short(value)}") from None


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


def _date(value: object, _: type) -> _dt.date:
    if isinstance(value, _dt.datetime):
        raise _WrongType("a date (YYYY-MM-DD)", value)
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            pass
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
        for i, item in enumerate(value):
            try:
                out.append(elem_hook(item, elem))
            except Exception as exc:  # noqa: BLE001 - re-raised with its index below
                exc.__notes__ = [
                    *getattr(exc, "__notes__", []),
                    cattrs.IterableValidationNote(f"Structuring {cl} @ index {i}", i, elem),
                ]
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"While structuring {cl!r}", errors, cl)
        return tuple(out)

    return hook


converter.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_hook_factory)


# Attribute name -> document key, so error paths name what is in the file.
_PATH_RENAMES: dict[str, str] = {}


def register_renamed(cls: type, **renames: str) -> None:
    """Register hooks for an attrs class whose document keys differ from its
    attribute names (``attribute="key"``)."""
    overrides = {name: override(rename=key) for name, key in renames.items()}
    _PATH_RENAMES.update(renames)
    # cattrs types its per-attribute **overrides loosely.
    structure: Any = make_dict_structure_fn(
        cls,
        converter,
        _cattrs_forbid_extra_keys=True,
        **overrides,  # type: ignore[arg-type]
    )
    unstructure: Any = make_dict_unstructure_fn(cls, converter, **overrides)  # type: ignore[arg-type]
    converter.register_structure_hook(cls, structure)
    converter.register_unstructure_hook(cls, unstructure)


_SUBPATH = "\x00"


def register_as_attrs(cls: type) -> None:
    """Structure and unstructure *cls* by its attrs fields, even though it is
    also a mapping (cattrs would otherwise treat it as a dict)."""
    converter.register_structure_hook(
        cls, make_dict_structure_fn(cls, converter, _cattrs_forbid_extra_keys=True)
    )
    converter.register_unstructure_hook(cls, make_dict_unstructure_fn(cls, converter))


def register_omit_defaults(cls: type) -> None:
    """Unstructure *cls* without the attributes left at their defaults."""
    converter.register_unstructure_hook(
        cls, make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True)
    )


def _format_exception(exc: BaseException, type_: type | None) -> str:
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        keys = ", ".join(repr(k) for k in sorted(exc.extra_fields))
        return f"unknown key(s) {keys}"
    if isinstance(exc, KeyError):
        return "required key is missing"
    if isinstance(exc, _WrongType):
        return str(exc)
    if isinstance(exc, InputError):  # raised by a constructor: carries its own path
        return f"{exc.problem}{_SUBPATH}{exc.path}"
    if isinstance(exc, ValueError):
        return str(exc) or "invalid value"
    if isinstance(exc, TypeError):
        return str(exc) or "wrong type"
    return f"{type(exc).__name__}: {exc}"


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
    names *file* and the dotted path of the first bad field (and how many
    more there are).

    :param finding_id: given the failing path, return the id of the finding
        it lies in, if any.
    """
    if not isinstance(raw, Mapping):
        raise error(f"expected a table, got {_type_name(raw)}", file=file, path=path)
    try:
        return converter.structure(raw, cls)
    except cattrs.BaseValidationError as exc:
        problems = validation_problems(exc, path)
        where, problem = problems[0]
        if len(problems) > 1:
            problem += f" (and {len(problems) - 1} more problem(s))"
        raise error(
            problem, file=file, path=where, finding_id=finding_id(where) if finding_id else None
        ) from None
    except InputError as exc:
        raise error(
            exc.problem,
            file=file,
            path=_join(path, exc.path),
            finding_id=exc.finding_id,
        ) from None


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
    if version != expected:
        raise error(
            f"expected schema_version = {expected}, got {version!r}",
            file=file,
            path="schema_version",
        )
    return rest


def read_document(path: str | Path, *, error: type[InputError] = InputError) -> dict[str, Any]:
    """Read a TOML (``.toml``) or JSON (``.json``) file into a dict.

    :raises InputError: naming the file and what is wrong with it.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise error(f"cannot read file: {exc.strerror or exc}", file=path) from None
    return parse_document(data, fmt=document_format(path), file=path, error=error)


def document_format(path: str | Path) -> str:
    """``"toml"`` or ``"json"`` by the file's suffix."""
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix == ".toml":
        return "toml"
    raise InputError(f"unknown file type {suffix!r}: expected .toml or .json", file=path)


def parse_document(
    data: bytes, *, fmt: str, file: str | Path | None = None, error: type[InputError] = InputError
) -> dict[str, Any]:
    """Parse TOML or JSON bytes into a dict, with errors naming *file*."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(
            f"not a UTF-8 text file (byte {exc.start} cannot be decoded)", file=file
        ) from None
    if "\x00" in text:
        raise error("not a text file (it contains NUL bytes)", file=file)
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
        raise error(f"invalid {fmt.upper()}: nested too deeply", file=file) from None
    except ValueError as exc:
        raise error(f"invalid {fmt.upper()}: {exc}", file=file) from None
    if not isinstance(doc, dict):
        raise error(f"expected a table (object) at the top, got {_type_name(doc)}", file=file)
    return doc


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed")


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
    data: Mapping[str, Any], path: str | Path | None, fmt: str | None, default: str
) -> str:
    """Serialise *data* as *fmt* (or by the suffix of *path*, else
    *default*) and, if *path* is given, write it there atomically."""
    if fmt is None:
        fmt = document_format(path) if path is not None else default
    text = dumps_document(data, fmt)
    if path is not None:
        write_text_atomic(path, text)
    return text


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write *text* to *path* so that the file is never half-written: write a
    temporary file beside it, flush it to disk and rename it over *path*."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        # mkstemp creates the file private (0600): give it the mode an
        # ordinary new file would have, or keep the existing file's mode.
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            mode = 0o644
        os.chmod(tmp, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
