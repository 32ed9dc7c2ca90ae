"""Rich display in notebooks: the registry of HTML renderers behind the
``_repr_html_`` methods of evaluations, indicator results and the
programme view.

The objects live in wings below the reports; the reports register how each
is shown, so that a lower wing never imports a higher one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["html_for", "register_html"]

#: Class -> the function that renders an instance as an HTML fragment.
_HTML: dict[type, Callable[[Any], str]] = {}

#: The module whose import registers the reports' renderers: imported on
#: the first display, as importing qifeval does not load the reports.
_REGISTRAR = "qifeval.reports._programme"


def register_html(cls: type, render: Callable[[Any], str]) -> None:
    """Show instances of *cls* in notebooks with *render*."""
    _HTML[cls] = render


def html_for(obj: object) -> str:
    """*obj* as an HTML fragment, by the renderer registered for its class
    (or a base class)."""
    importlib.import_module(_REGISTRAR)
    for cls in type(obj).__mro__:
        render = _HTML.get(cls)
        if render is not None:
            return render(obj)
    raise TypeError(f"no HTML display is registered for {type(obj).__name__}")
