"""Rich display in notebooks: the registry of HTML renderers behind the
``_repr_html_`` methods of evaluations, indicator results and the
programme view.

The objects live in wings below the reports; the reports register how each
is shown, so that a lower wing never imports a higher one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["html_for", "register_html"]

#: Class -> the function that renders an instance as an HTML fragment.
_HTML: dict[type, Callable[[Any], str]] = {}


def register_html(cls: type, render: Callable[[Any], str]) -> None:
    """Show instances of *cls* in notebooks with *render*."""
    _HTML[cls] = render


def html_for(obj: object) -> str:
    """*obj* as an HTML fragment, by the renderer registered for its class
    (or a base class)."""
    for cls in type(obj).__mro__:
        render = _HTML.get(cls)
        if render is not None:
            return render(obj)
    raise TypeError(f"no HTML display is registered for {type(obj).__name__}")
