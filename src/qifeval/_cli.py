"""The ``qifeval`` command line.

Exit codes: 0 success; 1 invalid input (the message names the file, the
field and the finding id; no traceback); 2 usage errors; 3 an internal
error (a bug: please report it).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import textwrap
import threading
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from ._convert import (
    check_output_target,
    document_format,
    dump_document,
    dumps_document,
    read_document,
    read_file_bytes,
    write_text_atomic,
)
from ._errors import (
    EvidenceWarning,
    InputError,
    PersonalDataError,
    PersonalDataWarning,
    QifevalError,
    UnknownIndicatorError,
)
from ._privacy import PersonalDataGuard
from .evaluation._compare import compare_evaluations
from .evaluation._document import (
    DOCUMENT_KIND,
    evaluation_from_dict,
    evaluation_to_dict,
    load_evaluation,
)
from .evaluation._evaluate import Evaluation, check_personal_data, evaluate
from .evaluation._independent import load_independent
from .evaluation._plan import ImprovementPlan, draft_plan, load_plan, plan_from_dict, plan_to_dict
from .evidence._collate import collate, load_collation_template, merge_evidence
from .evidence._consistency import check_findings, refuse_or_warn
from .evidence._findings import (
    EvidenceSet,
    evidence_from_document,
    evidence_to_dict,
    load_findings,
)
from .evidence._sheets import sheet_format, template_bytes
from .frameworks._loading import available_frameworks, load_framework
from .frameworks._model import Framework
from .reports._position import POSITION_FORMATS, position_statement_document
from .reports._render import RENDERERS
from .rules._model import BUNDLED_RULES, bundled_rules, default_capacity_rules, default_rules

__all__ = ["main"]

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

_FORMATS = RENDERERS


class _Parser(argparse.ArgumentParser):
    """argparse, with what it echoes of the command line made safe for a
    terminal."""

    def _print_message(self, message: str, file: object = None) -> None:
        super()._print_message(printable(message), file)  # type: ignore[arg-type]


def _bundled_names(subject: str) -> list[str]:
    """The names of the bundled rule sets for *subject*."""
    return [n for n in BUNDLED_RULES if bundled_rules(n).subject == subject]


def _output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--force", action="store_true", help="replace output files that already exist")
    p.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="write output through a symbolic link to the regular file it points to",
    )


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="qifeval",
        description="Self-evaluation against the Quality Improvement Framework: suggested "
        "grades with explanations. qifeval suggests; people decide.",
        epilog="Exit codes: 0 success, 1 invalid input, 2 usage error, 3 internal error.",
    )
    p.add_argument("--version", action="version", version=f"qifeval {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("frameworks", help="list the bundled frameworks")

    show = sub.add_parser("show", help="print the full text of a quality indicator")
    show.add_argument("qi", help='indicator id, e.g. "5.2" or "10"')
    show.add_argument(
        "--framework", default="qif-2018", help="framework id or TOML file (default qif-2018)"
    )

    val = sub.add_parser("validate", help="check a findings file (or a saved evaluation)")
    val.add_argument("file", type=Path)
    val.add_argument(
        "--framework", help="framework id or TOML file (default: the one the file names)"
    )
    val.add_argument(
        "--strict",
        action="store_true",
        help="treat possible personal data, and findings that fail the consistency checks, "
        "as errors",
    )
    val.add_argument("--names", type=Path, help=_NAMES_HELP)

    ev = sub.add_parser("evaluate", help="evaluate a findings file and write a report")
    ev.add_argument(
        "file",
        type=Path,
        nargs="+",
        help="findings file (.toml, .json, .xlsx or .csv); several are evaluated as one evidence set "
        "(e.g. hand-written and collated findings), the first giving the partnership and "
        "context",
    )
    ev.add_argument(
        "--framework", help="framework id or TOML file (default: the one the file names)"
    )
    ev.add_argument(
        "--rules",
        help="grading rules file, or the name of a bundled rule set "
        f"({', '.join(_bundled_names('indicator'))}; default: {default_rules().name})",
    )
    ev.add_argument(
        "--capacity-rules",
        help="capacity rules file, or the name of a bundled rule set "
        f"({', '.join(_bundled_names('capacity'))}; default: {default_capacity_rules().name})",
    )
    ev.add_argument(
        "--previous", type=Path, help="previous evaluation: a findings file or a saved evaluation"
    )
    ev.add_argument("--format", choices=sorted(_FORMATS), default="markdown")
    ev.add_argument(
        "-o",
        "--output",
        type=Path,
        help="write the report here (default, or -: standard output)",
    )
    ev.add_argument("--save", type=Path, help="also save the whole evaluation (.json or .toml)")
    ev.add_argument(
        "--plan",
        type=Path,
        help="improvement plan file (.toml or .json); by default the findings file's [[plan]] "
        "table, if it has one",
    )
    ev.add_argument(
        "--independent",
        type=Path,
        help="independent evaluation (e.g. an inspection's grades) to set beside this one",
    )
    ev.add_argument("--profile", help=_PROFILE_HELP)
    _output_options(ev)
    ev.add_argument(
        "--strict",
        action="store_true",
        help="refuse input that looks like personal data, and findings that fail the "
        "consistency checks (unless marked checked)",
    )
    ev.add_argument("--names", type=Path, help=_NAMES_HELP)

    pl = sub.add_parser(
        "plan",
        help="draft an improvement plan from an evaluation's weaknesses",
    )
    pl.add_argument("file", type=Path, help="saved evaluation or findings file")
    pl.add_argument(
        "-o",
        "--output",
        type=Path,
        help="write the plan here (.toml or .json; default, or -: standard output as TOML)",
    )
    pl.add_argument("--title", default="", help="the plan's title")
    _output_options(pl)

    diff = sub.add_parser(
        "diff", help="compare two evaluations (findings files or saved evaluations)"
    )
    diff.add_argument("before", type=Path)
    diff.add_argument("after", type=Path)

    col = sub.add_parser(
        "collate",
        help="turn record-reading and survey returns (CSV or XLSX) into quantified findings",
    )
    col.add_argument("file", type=Path, help="collation template (.toml or .json)")
    col.add_argument(
        "-o",
        "--output",
        type=Path,
        help="write the findings here, .toml or .json (default, or -: TOML to standard output)",
    )
    col.add_argument(
        "--framework", help="framework id or TOML file (default: the one the template names)"
    )
    col.add_argument(
        "--policy", type=Path, help="collation policy file (default: the bundled policy)"
    )
    col.add_argument(
        "--strict", action="store_true", help="refuse returns that look like personal data"
    )
    col.add_argument("--names", type=Path, help=_NAMES_HELP)
    _output_options(col)
    tpl = sub.add_parser(
        "template",
        help="write a findings workbook (.xlsx) or CSV file to fill in",
        description="Write a findings workbook to fill in without knowing TOML: a Findings "
        "sheet with drop-down lists, a Context sheet, an About sheet and instructions "
        "(.xlsx needs: pip install 'qifeval[xlsx]'). A .csv file gets the Findings "
        "columns only.",
    )
    tpl.add_argument("file", type=Path, metavar="FILE", help="the file to write (.xlsx or .csv)")
    tpl.add_argument(
        "--framework", default="qif-2018", help="framework id or TOML file (default qif-2018)"
    )
    tpl.add_argument("--partnership", default="", help="the partnership's name")
    tpl.add_argument("--title", default="", help='a title, e.g. "Joint self-evaluation 2026"')
    _output_options(tpl)

    rep = sub.add_parser("report", help="write a report of a saved evaluation")
    rep.add_argument("file", type=Path, help="saved evaluation (.json or .toml)")
    rep.add_argument("--format", choices=[*sorted(_FORMATS), "position-statement"], default="html")
    rep.add_argument(
        "-o",
        "--output",
        type=Path,
        help="write the report here (default, or -: standard output)",
    )
    rep.add_argument("--names", type=Path, help=_NAMES_HELP)
    rep.add_argument(
        "--profile",
        help="position statement: the inspection profile whose statements organise it "
        "(default: the one the evaluation was made for, else the framework's questions)",
    )
    rep.add_argument(
        "--to",
        choices=sorted(POSITION_FORMATS),
        help="position statement: markdown, html or docx (default: from the -o suffix, "
        ".docx, .html or .htm; otherwise markdown)",
    )
    _output_options(rep)

    prog = sub.add_parser(
        "programme",
        help="set many saved evaluations side by side: grades per indicator across "
        "partnerships, national results, key factors and trends",
    )
    prog.add_argument(
        "file",
        type=Path,
        nargs="+",
        metavar="FILES_OR_DIR",
        help="saved evaluations (.json or .toml), or folders whose .json and .toml files "
        "are all saved evaluations",
    )
    prog.add_argument(
        "--format",
        choices=sorted(_PROGRAMME_OUTPUTS),
        help="html, markdown, json, or the records as csv or xlsx (default: by the "
        "suffix of -o, otherwise markdown)",
    )
    prog.add_argument(
        "--table",
        choices=["indicators", "findings"],
        default="indicators",
        help="for csv: the records to write (one row per partnership and indicator, or per "
        "finding; default indicators); xlsx holds both",
    )
    prog.add_argument(
        "-o",
        "--output",
        type=Path,
        help="write the output here (default, or -: standard output)",
    )
    prog.add_argument("--names", type=Path, help=_NAMES_HELP)
    _output_options(prog)
    return p


_PROFILE_HELP = (
    "inspection profile to evaluate for (joint-2014-16, joint-2018, "
    "children-at-risk-of-harm-2021): only the indicators it grades get a grade"
)

#: Output suffix -> position statement format.
_POSITION_SUFFIXES = {".docx": "docx", ".html": "html", ".htm": "html", ".md": "markdown"}


def _position_format(args: argparse.Namespace) -> str:
    """The position statement's format: ``--to``, else the -o suffix."""
    suffix = None if _is_stdout(args.output) else Path(args.output).suffix.lower()
    implied = _POSITION_SUFFIXES.get(suffix or "")
    if args.to is not None and implied is not None and implied != args.to:
        raise InputError(
            f"--to {args.to} does not match the output's suffix {suffix!r} ({implied})",
            file=args.output,
        )
    fmt: str = args.to or implied or "markdown"
    if fmt == "docx" and _is_stdout(args.output):
        raise InputError("a .docx position statement needs an output file: give -o FILE.docx")
    return fmt


_NAMES_HELP = (
    "a text file of names to treat as personal data (one per line; # starts a comment), "
    "e.g. the names of the families the partnership works with"
)


def _guard(names: Path | None) -> PersonalDataGuard | None:
    """The personal-data guard, with the names in *names* added."""
    if names is None:
        return None
    data = read_file_bytes(names, what="the names file")
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(
            f"cannot read the names file: not UTF-8 text (byte {exc.start} cannot be decoded)",
            file=names,
        ) from None
    listed = [line.split("#", 1)[0].strip() for line in lines]
    return PersonalDataGuard(extra_names=[n for n in listed if n])


# --- terminal safety --------------------------------------------------------

#: Longest input echoed in a message; longer ones end in "…".
MAX_ECHO = 200

# C0 controls but newline and tab, DEL, C1 controls (which include CSI and
# OSC), and the Unicode controls that reorder or break lines.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """*text* with escape sequences and other control characters replaced by
    visible escapes (``\\x1b``), so that it cannot act on a terminal.
    Newlines and tabs are kept."""
    return _UNSAFE.sub(_escape, text)


def clip(text: str, limit: int = MAX_ECHO) -> str:
    """*text* cut to *limit* characters, ending in "…" if it was longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _error_message(exc: BaseException) -> str:
    """The message of *exc* with what it echoes of the input clipped."""
    if isinstance(exc, InputError):
        where = []
        cell = exc.problems[0].cell()
        if cell:  # a spreadsheet: "findings.xlsx, sheet Findings, row 14 (F12), column weight"
            where.append(", ".join(clip(x) for x in (exc.file, cell) if x))
        elif exc.file:
            where.append(clip(exc.file))
        if exc.path and not cell:
            where.append(f"at {clip(exc.path)}")
        if exc.finding_id and not cell:
            where.append(f"(finding {clip(exc.finding_id)!r})")
        prefix = " ".join(where)
        problem = clip(exc.problem, 4 * MAX_ECHO)
        return f"{prefix}: {problem}" if prefix else problem
    if isinstance(exc, UnknownIndicatorError):
        exc = UnknownIndicatorError(
            clip(exc.key), framework_id=exc.framework_id, suggestions=exc.suggestions
        )
    return clip(str(exc), 10 * MAX_ECHO)


def _say(text: str, *, err: bool = False) -> None:
    """Print a line of the command's own output (not a report), made safe."""
    print(printable(text), file=sys.stderr if err else sys.stdout)


# --- output safety ---------------------------------------------------------

_INPUTS = {
    "validate": ("file", "framework", "names"),
    "evaluate": (
        "file",
        "framework",
        "rules",
        "capacity_rules",
        "previous",
        "names",
        "plan",
        "independent",
    ),
    "report": ("file", "names"),
    "collate": ("file", "framework", "policy", "names"),
    "template": ("framework",),
    "plan": ("file",),
    "programme": ("file", "names"),
}
_OUTPUTS = {
    "evaluate": ("output", "save"),
    "report": ("output",),
    "collate": ("output",),
    "template": ("file",),
    "plan": ("output",),
    "programme": ("output",),
}


def _option(dest: str) -> str:
    if dest == "returns":
        return "a returns file"
    return "FILE" if dest == "file" else "--" + dest.replace("_", "-")


def _is_stdout(path: Path | None) -> bool:
    return path is None or str(path) == "-"


def _same_file(a: Path, b: Path) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


def _check_outputs(
    args: argparse.Namespace,
    only: str | None = None,
    more_inputs: Sequence[tuple[str, Path]] = (),
) -> None:
    """Refuse before anything is written: an output over an input of the
    same command or over another output, a target that is not a regular
    file, a symbolic link (without ``--follow-symlinks``) and an existing
    file (without ``--force``)."""
    inputs = []
    for dest in _INPUTS.get(args.command, ()):
        value = getattr(args, dest, None)
        if value is None or (dest == "framework" and value in available_frameworks()):
            continue
        if dest in ("rules", "capacity_rules") and value in BUNDLED_RULES:
            continue
        for item in value if isinstance(value, list) else [value]:
            inputs.append((dest, Path(item)))
    inputs.extend(more_inputs)
    outputs = []
    for dest in _OUTPUTS.get(args.command, ()):
        value = getattr(args, dest)
        if not _is_stdout(value):
            outputs.append((dest, value))
    for i, (dest, path) in enumerate(outputs):
        if only is not None and dest != only:
            continue
        # Which files are the same is checked first, so that --force never
        # lets an output replace an input; then again once links are followed.
        _check_distinct(dest, path, inputs, outputs[:i] + outputs[i + 1 :])
        target = check_output_target(
            path, overwrite=args.force, follow_symlinks=args.follow_symlinks
        )
        if target != path:
            _check_distinct(dest, target, inputs, outputs[:i] + outputs[i + 1 :])


def _check_distinct(
    dest: str, path: Path, inputs: list[tuple[str, Path]], others: list[tuple[str, Path]]
) -> None:
    for in_dest, in_path in inputs:
        if _same_file(path, in_path):
            raise InputError(
                f"refusing to write {_option(dest)} over the input {_option(in_dest)} "
                f"({clip(str(in_path))}): they are the same file",
                file=path,
            )
    for other_dest, other in others:
        if _same_file(path, other):
            raise InputError(
                f"{_option(dest)} and {_option(other_dest)} are the same file", file=path
            )


def _write(args: argparse.Namespace, dest: str, text: str | bytes) -> None:
    """Write *text* to the output of option *dest* (checked again, as the
    file system may have changed since the command started)."""
    path: Path = getattr(args, dest)
    _check_outputs(args, only=dest)
    try:
        write_text_atomic(path, text, overwrite=args.force, follow_symlinks=args.follow_symlinks)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", file=path) from None


def _emit(args: argparse.Namespace, text: str) -> None:
    """The report: to ``-o``, or to standard output (made safe for a
    terminal if it is one)."""
    if _is_stdout(args.output):
        sys.stdout.write(printable(text) if sys.stdout.isatty() else text)
    else:
        _write(args, "output", text)


def _load(path: Path, framework: Framework | None = None) -> Evaluation | EvidenceSet:
    """A saved evaluation or a findings file, told apart by the document's
    ``kind``; the file is read once."""
    if sheet_format(path) is not None:  # a findings workbook or CSV file
        return load_findings(path, framework=framework)
    raw = read_document(path)
    if raw.get("kind") == DOCUMENT_KIND:
        return evaluation_from_dict(raw, file=path, framework=framework)
    return evidence_from_document(raw, file=path, framework=framework)


def _evaluation_from(path: Path) -> Evaluation:
    """A saved evaluation, or a findings file evaluated now."""
    loaded = _load(path)
    return loaded if isinstance(loaded, Evaluation) else evaluate(loaded)


def _cmd_frameworks(args: argparse.Namespace) -> None:
    for fid in available_frameworks():
        fw = load_framework(fid)
        _say(f"{fid}\t{fw.info.title} (version {fw.info.version or '-'}; {fw.info.content})")


def _cmd_show(args: argparse.Namespace) -> None:
    fw = load_framework(args.framework)
    qi = fw.indicator(args.qi)
    ka = fw.key_area(qi)
    out = [f"{qi.id} {qi.title}", f"Key area {ka.number}: {ka.title} — {fw.question(qi).text}"]
    if qi.aliases:
        out.append("Also known as: " + "; ".join(qi.aliases))
    if fw.info.content == "titles-only":
        out.append(
            f"({fw.id} holds structure and titles only: its other content is not available.)"
        )

    def block(heading: str, items: Sequence[str], intro: str = "") -> None:
        if items:
            out.extend(["", heading + ":"] + ([f"  {intro}"] if intro else []))
            out.extend(
                textwrap.fill(i, 88, initial_indent="  - ", subsequent_indent="    ") for i in items
            )

    block("Key factors", qi.key_factors, qi.key_factors_intro)
    block("To what extent can we demonstrate", qi.demonstrate)
    block("Possible evidence to consider", qi.evidence)
    if qi.evidence_to_consider:
        block("Evidence to consider", [qi.evidence_to_consider])
    for kind, title in (("very_good", "Very good illustration"), ("weak", "Weak illustration")):
        items = qi.illustrations(kind)
        if items:
            out.extend(["", f"{title}:"])
            subject = None
            for item in items:
                if item.subject != subject and item.subject:
                    out.append(f"  {item.subject}")
                subject = item.subject
                out.append(
                    textwrap.fill(
                        f"[{item.ref}] {item.text}",
                        88,
                        initial_indent="  - ",
                        subsequent_indent="    ",
                    )
                )
    _say("\n".join(out))


def _cmd_validate(args: argparse.Namespace) -> None:
    framework = load_framework(args.framework) if args.framework else None
    loaded = _load(args.file, framework)
    name = clip(str(args.file))
    if isinstance(loaded, Evaluation):
        _say(f"{name}: valid saved evaluation ({len(loaded.evidence.findings)} findings)")
        return
    evidence = loaded
    check_personal_data(evidence, strict=args.strict, guard=_guard(args.names), file=args.file)
    found = check_findings(evidence)
    if args.strict:
        refuse_or_warn(found, strict=True, file=args.file)
    qis = len({f.qi for f in evidence.findings})
    _say(f"{name}: valid ({len(evidence.findings)} findings on {qis} indicators)")
    for w in found:
        checked = " (checked by a person)" if w.checked else ""
        _say(f"qifeval: warning: {name} {clip(str(w), 10 * MAX_ECHO)}{checked}", err=True)


def _cmd_evaluate(args: argparse.Namespace) -> None:
    _check_outputs(args)
    guard = _guard(args.names)
    framework = load_framework(args.framework) if args.framework else None
    sets = [load_findings(path, framework=framework) for path in args.file]
    evidence = sets[0] if len(sets) == 1 else merge_evidence(sets, files=args.file)
    plan: ImprovementPlan | None = None
    if args.plan:
        plan = load_plan(args.plan)
    elif args.file[0].suffix.lower() in (".toml", ".json"):
        # a findings file may hold its plan in a [[plan]] table
        raw = read_document(args.file[0])
        if "plan" in raw:
            plan = plan_from_dict(raw, file=args.file[0])
    independent = (
        load_independent(
            args.independent, framework=framework or load_framework(evidence.framework)
        )
        if args.independent
        else None
    )
    previous = _evaluation_from(args.previous) if args.previous else None
    try:
        evaluation = evaluate(
            evidence,
            framework=args.framework,
            rules=args.rules,
            capacity_rules=args.capacity_rules,
            previous=previous,
            strict=args.strict,
            guard=guard,
            plan=plan,
            independent=independent,
            profile=args.profile,
        )
    except PersonalDataError as exc:
        if exc.file is not None:
            raise
        # The evidence came from FILE (a previous evaluation's label is
        # scanned too, and named as "previous" in the matches).
        raise PersonalDataError(exc.matches, file=args.file[0]) from None
    if args.save:
        _check_outputs(args, only="save")
        try:
            dump_document(
                evaluation_to_dict(evaluation),
                args.save,
                None,
                "json",
                overwrite=args.force,
                follow_symlinks=args.follow_symlinks,
            )
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror or exc}", file=args.save) from None
    _emit(args, _FORMATS[args.format](evaluation, guard=guard))


def _cmd_plan(args: argparse.Namespace) -> None:
    fmt = "toml" if _is_stdout(args.output) else document_format(args.output)
    _check_outputs(args)
    plan = draft_plan(_evaluation_from(args.file), title=args.title)
    _emit(args, dumps_document(plan_to_dict(plan), fmt))
    if not _is_stdout(args.output):
        to_agree = sum(1 for a in plan.actions if a.to_agree)
        _say(
            f"{clip(str(args.output))}: {len(plan.actions)} actions drafted; "
            f"{to_agree} have a lead role or due date still to agree"
        )


def _cmd_diff(args: argparse.Namespace) -> None:
    d = compare_evaluations(_evaluation_from(args.before), _evaluation_from(args.after))
    _say(f"before: {clip(str(d.before))}\nafter:  {clip(str(d.after))}\n")
    _say(f"{'QI':<5} {'before':<16} {'after':<16} change")
    for i in d.indicators:

        def g(x: object) -> str:
            return "-" if x is None else str(x)

        qi = i.qi if i.before_qi in (None, i.qi) else f"{i.qi} (was {i.before_qi})"
        direction = i.direction.value if i.direction else ""
        _say(f"{qi:<5} {g(i.change.previous):<16} {g(i.change.current):<16} {direction}")
        if i.new_weaknesses:
            _say(f"      new weaknesses: {', '.join(i.new_weaknesses)}")
        if i.resolved_weaknesses:
            _say(f"      resolved weaknesses: {', '.join(i.resolved_weaknesses)}")
        for u in i.follow_ups:
            how = "improved" if u.improved else "not improved"
            link = "followed up by" if u.linked else "same wording as"
            _say(f"      {u.before} {how}: {link} {', '.join(u.after)}")
    if d.unmatched_links:
        _say(
            "\nfollows names no weakness of the earlier evaluation (matched by wording "
            f"instead): {', '.join(d.unmatched_links)}"
        )


def _cmd_report(args: argparse.Namespace) -> None:
    _check_outputs(args)
    evaluation = load_evaluation(args.file)
    guard = _guard(args.names)
    if args.format == "position-statement":
        fmt = _position_format(args)
        document = position_statement_document(evaluation, args.profile, guard=guard)
        if document.over_limit:
            _say(
                f"qifeval: warning: the position statement has {document.words} words; "
                f"the limit is {document.limit}",
                err=True,
            )
        output = POSITION_FORMATS[fmt](document)
        if isinstance(output, bytes):
            _write(args, "output", output)
        else:
            _emit(args, output)
    elif args.profile is not None or args.to is not None:
        raise InputError(
            "--profile and --to are for --format position-statement; the other reports "
            "follow the profile the evaluation was made for (qifeval evaluate --profile)"
        )
    else:
        _emit(args, _FORMATS[args.format](evaluation, guard=guard))


def _cmd_collate(args: argparse.Namespace) -> None:
    template = load_collation_template(args.file)
    folder = args.file.parent
    returns = [("returns", folder / r.file) for r in template.returns]
    _check_outputs(args, more_inputs=returns)
    guard = _guard(args.names)
    collation = collate(
        args.file,
        framework=args.framework,
        policy=args.policy,
        base=folder,
        strict=args.strict,
        guard=guard,
    )
    fmt = "toml" if _is_stdout(args.output) else None
    if _is_stdout(args.output):
        text = dumps_document(evidence_to_dict(collation.evidence), "toml")
        sys.stdout.write(printable(text) if sys.stdout.isatty() else text)
    else:
        _check_outputs(args, only="output", more_inputs=returns)
        try:
            dump_document(
                evidence_to_dict(collation.evidence),
                args.output,
                fmt,
                "toml",
                overwrite=args.force,
                follow_symlinks=args.follow_symlinks,
            )
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror or exc}", file=args.output) from None
    empty = [t for t in collation.tallies if t.proposal is None]
    small = [t for t in collation.tallies if t.proposal is not None and t.proposal.small_sample]
    summary = (
        f"qifeval: collated {len(collation.evidence.findings)} findings from "
        f"{len(template.returns)} returns file(s)"
    )
    if small:
        summary += f"; small sample: {', '.join(t.finding_id for t in small)}"
    if empty:
        summary += f"; no applicable answers (no finding): {', '.join(t.finding_id for t in empty)}"
    _say(clip(summary, 10 * MAX_ECHO), err=True)


def _cmd_template(args: argparse.Namespace) -> None:
    fmt = sheet_format(args.file)
    if fmt is None:
        raise InputError(
            f"a template is a workbook (.xlsx) or a CSV file (.csv), not {args.file.suffix!r}",
            file=args.file,
        )
    _check_outputs(args)
    framework = load_framework(args.framework)
    data = template_bytes(
        framework=framework, partnership=args.partnership, title=args.title, fmt=fmt
    )
    _write(args, "file", data)
    _say(f"{clip(str(args.file))}: template written ({framework.id})")


#: The programme command's outputs: the view's formats and the records'.
_PROGRAMME_OUTPUTS = ("csv", "html", "json", "markdown", "xlsx")
_PROGRAMME_SUFFIXES = {
    ".csv": "csv",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".xlsx": "xlsx",
}


def _programme_files(paths: Sequence[Path]) -> list[Path]:
    """The saved evaluations named: files as given, and each folder's
    ``.json`` and ``.toml`` files (not its subfolders), in name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir() if p.suffix.lower() in (".json", ".toml") and p.is_file()
            )
            if not found:
                raise InputError(
                    "the folder holds no saved evaluations (.json or .toml)", file=path
                )
            files += found
        else:
            files.append(path)
    return files


def _cmd_programme(args: argparse.Namespace) -> None:
    from .evaluation._programme import programme
    from .reports._programme import PROGRAMME_FORMATS

    fmt = args.format
    if fmt is None:
        suffix = "" if _is_stdout(args.output) else args.output.suffix.lower()
        fmt = _PROGRAMME_SUFFIXES.get(suffix, "markdown")
    if fmt == "xlsx" and _is_stdout(args.output):
        raise InputError("a workbook is written to a file: give -o FILE.xlsx")
    files = _programme_files(args.file)
    _check_outputs(args, more_inputs=[("file", f) for f in files])
    view = programme(load_evaluation(f) for f in files)
    guard = _guard(args.names)
    if fmt in ("csv", "xlsx"):
        records = view.to_records().redacted((guard or PersonalDataGuard()).redact)
        if fmt == "csv":
            _emit(args, records.to_csv(args.table))
        else:
            _write(args, "output", records.to_xlsx())
    else:
        _emit(args, PROGRAMME_FORMATS[fmt](view, guard=guard))
    if not _is_stdout(args.output):
        _say(
            f"{clip(str(args.output))}: {fmt} of {view.partnerships} partnerships "
            f"({len(files)} evaluations)",
            err=True,
        )


_COMMANDS = {
    "frameworks": _cmd_frameworks,
    "show": _cmd_show,
    "validate": _cmd_validate,
    "evaluate": _cmd_evaluate,
    "plan": _cmd_plan,
    "diff": _cmd_diff,
    "report": _cmd_report,
    "collate": _cmd_collate,
    "template": _cmd_template,
    "programme": _cmd_programme,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)  # exits with 2 on usage errors
    if _is_stdout(getattr(args, "save", None)) and getattr(args, "save", None) is not None:
        parser.error("--save needs a file name; standard output takes the report (-o)")
    restore = _terminate_as_interrupt()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PersonalDataWarning)
            warnings.simplefilter("always", EvidenceWarning)
            code = _run(args)
        for w in caught:
            _say(f"qifeval: warning: {clip(str(w.message), 10 * MAX_ECHO)}", err=True)
    finally:
        restore()
    return code


class _Terminated(BaseException):
    """Raised in the main thread on SIGTERM, so that temporary files are
    removed as they are on an interrupt."""


def _terminate_as_interrupt() -> Callable[[], None]:
    """Turn SIGTERM into :class:`_Terminated` while the command runs (main
    thread only); returns the function that restores the previous handler."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, frame: object) -> None:
        raise _Terminated

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except (ValueError, OSError):  # pragma: no cover - no signals here
        return lambda: None

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore


def _run(args: argparse.Namespace) -> int:
    try:
        _COMMANDS[args.command](args)
        return EXIT_OK
    except QifevalError as exc:
        _say(f"qifeval: error: {_error_message(exc)}", err=True)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
    except _Terminated:
        return 128 + signal.SIGTERM
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - no traceback for users
        _say(
            f"qifeval: internal error ({type(exc).__name__}: {clip(str(exc))}); please report it",
            err=True,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
