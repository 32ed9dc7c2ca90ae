"""A small TOML writer for the documents qifeval saves.

The standard library reads TOML (:mod:`tomllib`) but does not write it. This
writer covers what qifeval's documents contain: tables, arrays of tables,
arrays of scalars, strings, integers, floats, booleans and dates. ``None``
values are left out (TOML has no null; the loaders treat a missing key as
``None``).
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["dumps"]

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _string(s: str) -> str:
    out = []
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _key(k: str) -> str:
    if k and all(c.isascii() and (c.isalnum() or c in "-_") for c in k):
        return k
    return _string(k)


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, _dt.datetime | _dt.date | _dt.time):
        return v.isoformat()
    if isinstance(v, Mapping):
        items = ", ".join(f"{_key(k)} = {_scalar(x)}" for k, x in v.items() if x is not None)
        return "{" + (" " + items + " " if items else "") + "}"
    if isinstance(v, Sequence):
        return "[" + ", ".join(_scalar(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def _is_table_array(v: Any) -> bool:
    return (
        isinstance(v, Sequence)
        and not isinstance(v, str)
        and len(v) > 0
        and all(isinstance(x, Mapping) for x in v)
    )


def _write_table(lines: list[str], table: Mapping[str, Any], prefix: str) -> None:
    nested = []
    for k, v in table.items():
        if v is None:
            continue
        if isinstance(v, Mapping) or _is_table_array(v):
            nested.append((k, v))
        else:
            lines.append(f"{_key(k)} = {_scalar(v)}")
    for k, v in nested:
        name = f"{prefix}.{_key(k)}" if prefix else _key(k)
        if isinstance(v, Mapping):
            lines.extend(["", f"[{name}]"])
            _write_table(lines, v, name)
        else:
            for item in v:
                lines.extend(["", f"[[{name}]]"])
                _write_table(lines, item, name)


def dumps(data: Mapping[str, Any]) -> str:
    """Return *data* as a TOML document."""
    lines: list[str] = []
    _write_table(lines, data, "")
    return "\n".join(lines).lstrip("\n") + "\n"
