"""Loading and saving frameworks: bundled ones by id, or a user's TOML file."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from .. import _convert
from .._errors import FrameworkError, UnknownIndicatorError
from .._ids import close_matches
from ._grade import Grade
from ._model import Framework, IllustrationKind, Part

__all__ = [
    "available_frameworks",
    "bundled_framework",
    "check_reference_schema",
    "dump_framework",
    "framework_to_dict",
    "load_framework",
    "read_bundled",
]

FRAMEWORK_SCHEMA_VERSION = 1
#: The schema version of the bundled reference data (crosswalk, national
#: results, inspection profiles).
REFERENCE_SCHEMA_VERSION = 1

_convert.register_enums(Part, IllustrationKind, Grade)
_convert.register_renamed(Framework, info="framework", all_indicators="indicators")


@functools.cache
def _bundled_documents() -> dict[str, tuple[dict[str, Any], str]]:
    """Framework id -> the dict form of its bundled file and the file's
    name. A bundled TOML file is a framework if it has a ``[framework]``
    table; the others are reference data."""
    found = {}
    for resource in resources.files("qifeval.frameworks").iterdir():
        if resource.name.endswith(".toml"):
            raw, file = read_bundled(resource.name)
            info = raw.get("framework")
            if isinstance(info, dict) and isinstance(info.get("id"), str):
                found[info["id"]] = (raw, file)
    return found


def available_frameworks() -> tuple[str, ...]:
    """The ids of the frameworks bundled with qifeval, e.g. ``("qif-2014", "qif-2018")``."""
    return tuple(sorted(_bundled_documents()))


@functools.cache
def _bundled(framework_id: str) -> Framework:
    raw, file = _bundled_documents()[framework_id]
    return framework_from_dict(raw, file=file)


#: The framework used when none is named.
DEFAULT_FRAMEWORK = "qif-2018"


def framework_by_id(framework_id: object) -> Framework:
    """The bundled framework with this id. Never reads a file: the
    ``framework`` key of a findings file or saved evaluation names a
    framework, it is not a path (a framework file is given to
    :func:`load_framework`, or to ``evaluate(framework=...)``).

    :raises UnknownIndicatorError: for any other value, with the same
        message whether or not a file of that name exists.
    """
    if isinstance(framework_id, str) and framework_id in available_frameworks():
        return _bundled(framework_id)
    text = framework_id if isinstance(framework_id, str) else repr(framework_id)
    raise UnknownIndicatorError(
        text[:200] + ("…" if len(text) > 200 else ""),
        framework_id="qifeval's bundled frameworks",
        suggestions=close_matches(text[:200], available_frameworks(), n=2, cutoff=0.4),
    )


def load_framework(name_or_path: str | Path = DEFAULT_FRAMEWORK) -> Framework:
    """Load a bundled framework by id (``"qif-2018"``, ``"qif-2014"``) or a
    framework TOML file (see :doc:`/reference/schemas`).

    Bundled frameworks are read once and cached; they are immutable.

    :raises FrameworkError: naming the file and the dotted field path of the
        problem.
    :raises UnknownIndicatorError: for an unknown bundled id that is not a
        file either.
    """
    if isinstance(name_or_path, str) and name_or_path in available_frameworks():
        return _bundled(name_or_path)
    path = Path(name_or_path)
    if path.suffix.lower() != ".toml" and not path.exists():
        raise UnknownIndicatorError(
            str(name_or_path),
            framework_id="qifeval's bundled frameworks",
            suggestions=close_matches(str(name_or_path), available_frameworks(), n=2, cutoff=0.4),
        )
    raw = _convert.read_document(path, error=FrameworkError)
    return framework_from_dict(raw, file=path)


def framework_from_dict(raw: dict[str, Any], *, file: str | Path | None = None) -> Framework:
    """Build a :class:`Framework` from the dict form of the TOML schema."""
    raw = _convert.without_schema_version(
        raw, FRAMEWORK_SCHEMA_VERSION, file=file, error=FrameworkError
    )
    return _convert.structure(raw, Framework, file=file, error=FrameworkError)


def framework_to_dict(framework: Framework) -> dict[str, Any]:
    """The dict form of a framework, ready to write as TOML."""
    return {"schema_version": FRAMEWORK_SCHEMA_VERSION, **_convert.converter.unstructure(framework)}


def dump_framework(framework: Framework, path: str | Path | None = None) -> str:
    """Return a framework as TOML text and, if *path* is given, write it
    there (atomically). The text loads back into an equal framework."""
    return _convert.dump_document(framework_to_dict(framework), path, "toml", "toml")


def read_bundled(name: str) -> tuple[dict[str, Any], str]:
    """The dict form of a TOML file bundled in ``qifeval/frameworks/``, and
    the name errors give it."""
    file = f"<qifeval>/frameworks/{name}"
    data = (resources.files("qifeval.frameworks") / name).read_bytes()
    return _convert.parse_document(data, fmt="toml", file=file, error=FrameworkError), file


def check_reference_schema(raw: Mapping[str, Any], file: str | Path | None) -> dict[str, Any]:
    """*raw* without its ``schema_version``, checked against the reference
    data's schema version."""
    return _convert.without_schema_version(
        raw, REFERENCE_SCHEMA_VERSION, file=file, error=FrameworkError
    )


def bundled_framework(framework_id: str, *, file: str | Path | None, path: str) -> Framework:
    """The bundled framework a data file names at *path*.

    :raises FrameworkError: naming *file* and *path* if it is not bundled.
    """
    if framework_id not in available_frameworks():
        raise FrameworkError(
            f"unknown framework {framework_id!r}: expected one of "
            + ", ".join(repr(f) for f in available_frameworks()),
            file=file,
            path=path,
        )
    return load_framework(framework_id)
