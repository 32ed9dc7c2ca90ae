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
from cattrs.errors import IterableValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from . import _toml
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
    if version != expected or type(version) is not int:
        newer = type(version) is int and version > expected
        why = "it was written by a newer qifeval" if newer else "no migration exists for it"
        raise error(
            f"schema_version {version!r} is not supported ({why}); this qifeval reads "
            f"schema_version = {expected}",
            file=file,
            path="schema_version",
        )
    return rest


#: The largest file qifeval reads, in bytes, unless the environment
#: variable ``QIFEVAL_MAX_FILE_BYTES`` sets another limit.
DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024

MAX_FILE_BYTES_VARIABLE = "QIFEVAL_MAX_FILE_BYTES"

#: Temporary files are named ``.NAME.qifeval-XXXXXXXX.tmp`` beside their target.
TEMP_INFIX = ".qifeval-"
TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"\A\..+\.qifeval-[^.]+\.tmp\Z", re.DOTALL)


def max_file_bytes() -> int:
    """The size limit for files qifeval reads: ``QIFEVAL_MAX_FILE_BYTES``
    if set (a positive whole number of bytes), else 50 MB."""
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
            f"got {_short(value)}"
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
    limit = max_file_bytes()
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
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
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
        f"(set {MAX_FILE_BYTES_VARIABLE} to raise it)"
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
    return _toml.dumps(data)


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
    path: str | Path, text: str, *, overwrite: bool = True, follow_symlinks: bool = True
) -> None:
    """Write *text* to *path* so that the file is never half-written: write a
    temporary file beside it (``.NAME.qifeval-XXXXXXXX.tmp``), flush it to
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
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}{TEMP_INFIX}", suffix=TEMP_SUFFIX, dir=target.parent
    )
    try:
        # mkstemp creates the file private (0600): give it the mode an
        # ordinary new file would have, or keep the existing file's mode.
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
        except OSError:
            mode = 0o644
        os.chmod(tmp, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fd = -1
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if overwrite:
            check_output_target(target, overwrite=True, follow_symlinks=False)
            os.replace(tmp, target)
        else:
            _link_new(tmp, target)
    except BaseException:
        if fd != -1:
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _link_new(tmp: str, target: Path) -> None:
    """Give *tmp* the name *target* only if no such file exists (atomically
    where the file system has hard links), then drop the temporary name."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise InputError(
            "refusing to replace an existing file (use --force)", file=target
        ) from None
    except OSError:  # no hard links here: check, then rename
        check_output_target(target, overwrite=False, follow_symlinks=False)
        os.replace(tmp, target)
        return
    os.unlink(tmp)
