"""The report templates: one Jinja2 environment, built once, and the
escaping of user text for each output format.

Templates are package data in ``qifeval/reports/_templates/`` (the
reports' in ``report/``):
``*.html.j2`` and ``*.svg.j2`` are HTML or SVG (autoescaped: every ``{{ value }}`` is HTML-escaped
unless it is :class:`markupsafe.Markup`), ``*.md.j2`` are Markdown (every
``{{ value }}`` goes through :func:`markdown_escape` unless it is
:class:`~markupsafe.Markup`). Escaping is the environment's job, in one
place: templates never escape by hand, and a new template (another report
or another view) gets the same escaping by its file name alone. A long list
is written one value to a line by the filter :func:`each_line`, which
escapes each value as ``{{ value }}`` does.

>>> from qifeval.reports._jinja import render_string
>>> print(render_string("x.md.j2", "# {{ title }}", title="*not* a [link](x)"))
# \\*not\\* a \\[link\\](x)
>>> print(render_string("x.html.j2", "<p>{{ t }}</p>", t="<script>"))
<p>&lt;script&gt;</p>
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Iterable
from typing import Any

import jinja2
from markupsafe import Markup
from markupsafe import escape as _escape

__all__ = ["each_line", "environment", "markdown_escape", "md_code", "render", "render_string"]

# Runs of white space that could end or indent a line (spaces, tabs, line
# feeds, carriage returns, form feeds, other separators, and Unicode line and
# paragraph separators) become one space, so user text never starts a line.
_MD_BREAKS = re.compile("[ \t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")
# Control characters have no place in a report and could act on a terminal
# that shows it: each becomes its visible picture (U+2400 onwards for C0,
# U+2421 for DEL) or, for the C1 controls, the replacement character.
_CONTROLS = str.maketrans(
    {c: chr(0x2400 + c) for c in range(0x20)}
    | {0x7F: "\u2421"}
    | {c: "\ufffd" for c in range(0x80, 0xA0)}
)
# In HTML, tabs and line breaks are ordinary white space, and so are the
# other characters that break or separate lines (shown as a space).
_HTML_CONTROLS = {k: v for k, v in _CONTROLS.items() if k not in (9, 10, 13)} | {
    c: " " for c in (0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x1F, 0x85)
}
# Characters that mean something anywhere in a line (emphasis, code, links and
# images, tables, strikethrough, a heading's closing #s, attributes, the escape
# itself) are backslash-escaped; "<", ">" and "&" become character references,
# so no Markdown dialect reads raw HTML, an autolink or an entity.
_MD_INLINE = str.maketrans(
    {c: "\\" + c for c in "\\`*_[]{}|~#!"} | {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
)
# What starts structure only at the start of a line: a list item ("-", "+",
# or "1." or "1)" followed by a space), a thematic break or a setext
# underline ("-", "=").
# Both tables in one pass: they change disjoint characters, and neither
# writes a character the other changes.
_MD_TABLE = _CONTROLS | _MD_INLINE
# In printable text (which holds no control character) only these change,
# and they are few: each is replaced where it stands.
_MD_SPECIAL = re.compile("[" + re.escape("".join(map(chr, _MD_INLINE))) + "]")
_MD_SPECIALS = {chr(c): str(to) for c, to in _MD_INLINE.items()}
# The same, one character at a time: the backslash first, then "&" (the
# escapes of the others add backslashes and ampersands, never another).
_MD_IN_ORDER = sorted(_MD_SPECIALS.items(), key=lambda kv: {"\\": 0, "&": 1}.get(kv[0], 2))
_MD_LEADING = re.compile(r"^( ?)(?:([-+=])|([0-9]+)([.)])(?= |$))")


def _md_special(m: re.Match[str]) -> str:
    return _MD_SPECIALS[m[0]]


# The same after each line break of a text (searched for as a literal: far
# quicker than a multiline "^").
_MD_LEADING_LINE = re.compile(r"(\n ?)(?:([-+=])|([0-9]+)([.)])(?= |\n|$))")


def _md_leading(m: re.Match[str]) -> str:
    """The escaped form of a line start that :data:`_MD_LEADING` matches."""
    marker = f"\\{m[2]}" if m[2] else f"{m[3]}\\{m[4]}"
    return m[1] + marker


def markdown_escape(text: str) -> str:
    r"""*text* as Markdown that shows exactly this text and nothing more:
    no heading, list, table, code, link, image, emphasis or HTML can start
    inside it, wherever it stands in a line. Runs of white space that could
    break or indent a line (line feeds, carriage returns, tabs, Unicode line
    and paragraph separators) become one space.

    >>> print(markdown_escape("<b>Ward 3</b> *urgent*\n\n## 5.2"))
    &lt;b&gt;Ward 3&lt;/b&gt; \*urgent\* \#\# 5.2
    >>> print(markdown_escape("1. first [see](javascript:x)"))
    1\. first \[see\](javascript:x)
    """
    # Printable text without two spaces in a row has no run to fold.
    if not text.isprintable():
        text = _MD_BREAKS.sub(" ", text).translate(_MD_TABLE)
    else:
        if "  " in text:
            text = _MD_BREAKS.sub(" ", text)
        text = _MD_SPECIAL.sub(_md_special, text)
    m = _MD_LEADING.match(text)
    if m is None:
        return text
    return _md_leading(m) + text[m.end() :]


def md_code(text: str) -> Markup:
    """*text* as a Markdown code span, fenced by more backticks than it
    holds (the one Markdown construct built around user text)."""
    text = _MD_BREAKS.sub(" ", text).translate(_CONTROLS).strip()
    if not text:
        return Markup("")
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text[0] == "`" or text[-1] == "`" else ""
    return Markup(f"{fence}{pad}{text}{pad}{fence}")


def _is_markdown(name: str | None) -> bool:
    return name is not None and name.endswith(".md.j2")


def _as_markdown(value: Any) -> Any:
    """A value in a Markdown template: escaped as Markdown (the template
    is not autoescaped: what this returns is printed as it is)."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    return markdown_escape(str(value))


def _as_html(value: Any) -> Any:
    """A value in an HTML or SVG template: stripped of control characters
    (the environment's autoescaping then escapes it)."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    text = str(value)
    # printable text holds no control character
    return text if text.isprintable() else text.translate(_HTML_CONTROLS)


@jinja2.pass_context
def _finalize(context: jinja2.runtime.Context, value: Any) -> Any:
    """Every ``{{ value }}``: in Markdown templates escaped as Markdown; in
    HTML and SVG templates stripped of control characters (the environment's
    autoescaping then escapes it). Markup is kept as it is; ``None`` is
    empty."""
    return _as_markdown(value) if _is_markdown(context.name) else _as_html(value)


@jinja2.pass_context
def each_line(
    context: jinja2.runtime.Context,
    values: Iterable[Any],
    before: str = "",
    after: str = "",
    attribute: str | None = None,
) -> Markup:
    """*values* one to a line, each between *before* and *after* (markup)
    and escaped as ``{{ value }}`` is (or its *attribute*): the output of a
    loop over a long list, in one step."""
    if attribute is not None:
        values = map(operator.attrgetter(attribute), values)
    values = list(values)
    markdown = _is_markdown(context.name)
    autoescape = context.eval_ctx.autoescape
    block = _escaped_block(values, markdown, autoescape)
    if block is not None:
        return Markup(before + block.replace("\n", after + "\n" + before) + after if values else "")
    final = _as_markdown if markdown else _as_html
    escape = _escape if autoescape else str
    return Markup("\n".join([before + str(escape(final(v))) + after for v in values]))


def _escaped_block(values: list[Any], markdown: bool, autoescape: bool) -> str | None:
    """*values* escaped as ``{{ value }}`` escapes each, one to a line, in one
    pass over the whole text, when that gives the same: every value is
    printable text (so none holds a line break, and none has a control
    character to strip), and, in Markdown, none has a run of spaces to fold.
    Escaping is then character by character, but for a Markdown line's
    start, which is escaped at the start of each line. ``None`` otherwise."""
    if not values:
        return ""
    if set(map(type, values)) != {str}:
        return None
    block = "\n".join(values)
    if not _printable_lines(block, len(values)):
        return None
    if markdown:
        if "  " in block:
            return None
        for c, escaped in _MD_IN_ORDER:
            if c in block:
                block = block.replace(c, escaped)
        block = _MD_LEADING_LINE.sub(_md_leading, "\n" + block)[1:]
    return str(_escape(block)) if autoescape else block


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))


def _printable_lines(block: str, lines: int) -> bool:
    """Whether *block* is *lines* printable texts joined by line breaks."""
    if block.isascii():
        # what is left once the printable characters are gone
        return len(block.encode("ascii").translate(None, _PRINTABLE_ASCII)) == lines - 1
    return block.count("\n") == lines - 1 and all(map(str.isprintable, block.split("\n")))


@jinja2.pass_eval_context
def _join(
    eval_ctx: jinja2.nodes.EvalContext,
    value: Iterable[Any],
    d: str = "",
    attribute: str | int | None = None,
) -> str:
    """Jinja2's ``join``, quicker for a list of texts (finding ids, say),
    which it joins as they are (the result is then escaped as any
    ``{{ value }}`` is)."""
    if (
        attribute is None
        and type(d) is str
        and isinstance(value, list | tuple)
        and set(map(type, value)) <= {str}
    ):
        return d.join(value)
    return jinja2.filters.sync_do_join(eval_ctx, value, d, attribute)


def _autoescape(name: str | None) -> bool:
    return name is not None and name.endswith((".html.j2", ".svg.j2"))


@functools.cache
def environment() -> jinja2.Environment:
    """The one Jinja2 environment of qifeval's reports, built on first use:
    templates from the package, HTML autoescaped, Markdown escaped through
    :func:`markdown_escape`, undefined names an error."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("qifeval.reports", "_templates"),
        autoescape=_autoescape,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md_code"] = md_code
    env.filters["each_line"] = each_line
    env.filters["join"] = _join
    return env


def render(template_name: str, /, **context: Any) -> str:
    """Fill the package template *template_name* with *context*."""
    return environment().get_template(template_name).render(**context)


def render_string(name: str, source: str, /, **context: Any) -> str:
    """Fill a template given as *source*, escaped as the package template
    called *name* would be (for tests and examples)."""
    env = environment()
    code = env.compile(source, name=name)
    return env.template_class.from_code(env, code, env.make_globals(None)).render(**context)
