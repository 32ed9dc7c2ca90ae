"""Names a package exports but imports only when first used (PEP 562).

``import qifeval`` loads what evaluating evidence needs; the rest of the
public API (reports, the programme view, collation, comparisons, …) is
imported on first access, so that a script pays only for what it uses::

    __getattr__, __dir__ = _lazy_exports(__name__, {"._compare": ("compare_evaluations",)})

A package that does this imports the same names under ``if TYPE_CHECKING:``
for type checkers; ``tests/test_api.py`` checks that the two lists agree.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, table: Mapping[str, Sequence[str]]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """A module ``__getattr__`` and ``__dir__`` for *package* that import
    each name of *table* (module, relative to *package* -> names) from its
    module on first access, and then keep it in the package's namespace."""
    where = {name: module for module, names in table.items() for name in names}

    def __getattr__(name: str) -> object:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(where))

    return __getattr__, __dir__
