"""Sphinx configuration for the qifeval documentation.

Build (warnings are errors, every cross-reference must resolve)::

    python -m sphinx -n -W --keep-going -b html docs docs/_build/html
    python -m sphinx -n -W --keep-going -b doctest docs docs/_build/doctest

The documentation needs only qifeval itself (installed) and the ``docs``
extra: sphinx, furo and myst-parser. It makes no network requests (no
intersphinx), so it builds offline from a fresh clone.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import qifeval

DOCS_DIR = Path(__file__).resolve().parent

project = "qifeval"
author = "qifeval contributors"
copyright = "qifeval contributors"
release = qifeval.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build"]

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = f"qifeval {release}"

# -- autodoc -------------------------------------------------------------------
# The reference pages are hand-written: they choose what to show and in what
# order, and pull in docstrings with autoclass / autofunction.

autodoc_typehints = "description"
autodoc_typehints_description_target = "all"
autodoc_member_order = "bysource"
autodoc_class_signature = "mixed"

# -- doctest -------------------------------------------------------------------
# Every ``>>>`` example, in the pages and in the docstrings autodoc pulls in,
# runs under ``sphinx-build -b doctest``.

# Nothing is injected into the examples' namespace: each page imports what it
# uses, as a reader typing it into a fresh Python session would, and each page
# runs as one script (every example on a page is in the default group). The
# examples open files by paths relative to the repository's root
# (``examples/findings.toml``, ``docs/examples/...``), so they run with the
# root as the working directory, wherever the build was started from.

doctest_global_setup = f"__import__('os').chdir({str(DOCS_DIR.parent)!r})"

# -- nitpicky ------------------------------------------------------------------
# Every cross-reference must resolve. Without intersphinx (no network), the
# standard library's types cannot resolve; they are listed here,
# one by one. Nothing of qifeval's own is ignored.

nitpicky = True
nitpick_ignore = [
    # The standard library, named in type annotations.
    ("py:class", "collections.abc.Iterable"),
    ("py:class", "collections.abc.Iterator"),
    ("py:class", "collections.abc.Mapping"),
    ("py:class", "collections.abc.Sequence"),
    ("py:class", "datetime.date"),
    ("py:class", "pathlib.Path"),
    ("py:class", "Path"),  # pathlib.Path, as the exceptions' signatures name it
    ("py:class", "collections.abc.Callable"),
    ("py:class", "pandas.DataFrame"),  # the optional pandas extra's DataFrame
]


# -- the framework's full text -----------------------------------------------
# reference/qif-2018.md is generated from the bundled data at every build, so
# the reference lists every indicator's full content exactly as qifeval has it.


def _md(text: str) -> str:
    for ch in "\\`*_[]<>|#":
        text = text.replace(ch, "\\" + ch)
    return text


def _framework_page(framework_id: str) -> str:
    fw = qifeval.load_framework(framework_id)
    out = [
        f"# {_md(fw.info.title)}",
        "",
        f"The full text of `{fw.id}` (version {fw.info.version or '-'}) as bundled with",
        "qifeval, generated from its data file. `qifeval show QI` prints the same.",
        "",
    ]
    for q in fw.questions:
        out += [f"## {q.number}. {_md(q.text)}", ""]
        for ka in fw.key_areas_of(q):
            out += [f"### Key area {ka.number}: {_md(ka.title)}", ""]
            if ka.description:
                out += [_md(ka.description), ""]
            for qi in fw.indicators_of(ka):
                out += [f"#### {qi.id} {_md(qi.title)}", ""]
                if qi.aliases:
                    out += ["Also known as: " + "; ".join(_md(a) for a in qi.aliases), ""]
                sections = [
                    ("Key factors", qi.key_factors, qi.key_factors_intro),
                    ("To what extent can we demonstrate", qi.demonstrate, ""),
                    ("Possible evidence to consider", qi.evidence, ""),
                ]
                for heading, items, intro in sections:
                    if items:
                        out += [f"**{heading}**", ""] + ([_md(intro), ""] if intro else [])
                        out += [f"- {_md(i)}" for i in items] + [""]
                if qi.evidence_to_consider:
                    out += ["**Evidence to consider**", "", _md(qi.evidence_to_consider), ""]
                for kind, heading in (
                    ("very_good", "Very good illustration"),
                    ("weak", "Weak illustration"),
                ):
                    items = qi.illustrations(kind)
                    if items:
                        out += [f"**{heading}**", ""]
                        subject = None
                        for item in items:
                            if item.subject and item.subject != subject:
                                out += ["", _md(item.subject), ""]
                            subject = item.subject
                            out.append(f"- `{item.ref}` {_md(item.text)}")
                        out.append("")
    if fw.wellbeing:
        out += ["## Wellbeing indicators", ""]
        for wb in fw.wellbeing:
            out += [
                f"### {_md(wb.name)}",
                "",
                f"**Very good:** {_md(wb.very_good)}",
                "",
                f"**Weak:** {_md(wb.weak)}",
                "",
            ]
    return "\n".join(out)


_generated = DOCS_DIR / "reference" / "qif-2018.md"
_text = _framework_page("qif-2018")
if not _generated.exists() or _generated.read_text(encoding="utf-8") != _text:
    _generated.write_text(_text, encoding="utf-8")


# -- The profile fields' tables, from the field registry ---------------------
# reference/fields.md includes one table per rule subject, written here at
# build time from qifeval's registry of fields, so that the table cannot
# drift from what rules can read.


def _fields_table(subject: str) -> str:
    from qifeval.evidence._fields import FIELDS

    rows = ["| Field | What it counts | Side |", "|---|---|---|"]
    for name, field in FIELDS[subject].items():
        rows.append(f"| `{name}` | {field.description} | {field.side.value} |")
    return "\n".join(rows) + "\n"


for _subject in ("indicator", "capacity"):
    _table = DOCS_DIR / "reference" / f"fields-{_subject}.md.inc"
    _text = _fields_table(_subject)
    if not _table.exists() or _table.read_text(encoding="utf-8") != _text:
        _table.write_text(_text, encoding="utf-8")


# -- The worked cases, from the calibration cases ----------------------------
# explanation/worked-cases.md includes a table written here at build time:
# each calibration case (tests/calibration/cases.toml) with the grade its
# words call for, the grade qifeval's rules suggest and the rules that
# decided it, so that the page shows what the rules do today.


def _cell(text: str) -> str:
    return _md(" ".join(text.split()))


def _int(grade: qifeval.Grade | None) -> int:
    return 0 if grade is None else int(grade)


def _worked_cases_table() -> str:
    import tomllib

    cases_file = DOCS_DIR.parent / "tests" / "calibration" / "cases.toml"
    data = tomllib.loads(cases_file.read_text(encoding="utf-8"))
    rules = qifeval.load_rules("qifeval-2026")
    first = qifeval.load_rules("qifeval-2018")

    def label(grade: int | None) -> str:
        return "no grade" if not grade else f"{grade} {qifeval.Grade(grade).label}"

    rows = [
        f"| Case | QI | Findings | Called for | `{rules.name}` suggests | "
        f"Decided by (rules of `{rules.name}`) | `qifeval-2018` suggests | Rationale |",
        "|---|---|---|---|---|---|---|---|",
    ]
    agree = 0
    per_level: dict[int, list[int]] = {g: [0, 0, 0] for g in range(7)}
    for case in data["cases"]:
        findings = tuple(qifeval.Finding(**{**f, "qi": case["qi"]}) for f in case["findings"])
        evidence = qifeval.EvidenceSet(partnership=f"Case {case['id']}", findings=findings)
        # Some cases are inconsistent on purpose; their warnings are the point
        # of the case, not of the build.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", qifeval.EvidenceWarning)
            result = qifeval.evaluate(evidence, rules=rules, engine="python").result(case["qi"])
            old = qifeval.evaluate(evidence, rules=first, engine="python").result(case["qi"])
        got = _int(result.suggested_grade)
        agree += got == case["grade"]
        per_level[case["grade"]][0] += 1
        per_level[case["grade"]][1] += got == case["grade"]
        per_level[case["grade"]][2] += _int(old.suggested_grade) == case["grade"]
        called = label(case["grade"])
        if case.get("acceptable"):
            called += " (or " + ", ".join(label(g) for g in case["acceptable"]) + ")"
        shape = ", ".join(
            f"{f.weight.value} {f.valence.value}" + (" (critical)" if f.critical else "")
            for f in findings
        )
        decided = ", ".join(f"`{r.name}`" for r in result.rules_fired if r.decisive)
        rows.append(
            f"| {case['id']} {_cell(case['title'])} | {case['qi']} | {_cell(shape)} | "
            f"{called} | {label(got)} | {decided} | {label(_int(old.suggested_grade))} | "
            f"{_cell(case['rationale'])} |"
        )
    levels = [
        f"| Level called for | Cases | `{rules.name}` agrees | `qifeval-2018` agrees |",
        "|---|---:|---:|---:|",
    ]
    for g in range(6, -1, -1):
        n, new_ok, old_ok = per_level[g]
        levels.append(f"| {label(g)} | {n} | {new_ok} | {old_ok} |")
    summary = (
        f"`{rules.name}` suggests the grade called for in {agree} of "
        f"{len(data['cases'])} cases, on both engines (the test suite checks every case).\n\n"
    )
    return summary + "\n".join(levels) + "\n\n" + "\n".join(rows) + "\n"


_table = DOCS_DIR / "explanation" / "worked-cases.md.inc"
_text = _worked_cases_table()
if not _table.exists() or _table.read_text(encoding="utf-8") != _text:
    _table.write_text(_text, encoding="utf-8")


# -- attrs defaults in signatures ----------------------------------------------
# attrs gives a field with a factory default (an empty tuple, an empty
# Context) the sentinel ``NOTHING`` as its default in ``__init__``; show it
# as ``<factory>``, as dataclasses do.


def _factory_defaults(app, what, name, obj, options, signature, return_annotation):
    if signature and "=NOTHING" in signature:
        signature = signature.replace("=NOTHING", "=<factory>")
    return signature, return_annotation


def setup(app):
    app.connect("autodoc-process-signature", _factory_defaults)
