"""The ``qifeval`` command line.

Exit codes: 0 success; 1 invalid input (the message names the file, the
field and the finding id; no traceback); 2 usage errors; 3 an internal
error (a bug: please report it).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import warnings
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from ._compare import compare_evaluations
from ._convert import read_document, write_text_atomic
from ._document import DOCUMENT_KIND, dump_evaluation, evaluation_from_dict, load_evaluation
from ._errors import InputError, PersonalDataWarning, QifevalError
from ._evaluate import Evaluation, check_personal_data, evaluate
from ._evidence import EvidenceSet, evidence_from_document, load_findings
from ._framework import Framework
from ._loading import available_frameworks, load_framework
from ._privacy import PersonalDataGuard
from ._report import html_report, json_report_text, markdown_report, position_statement

__all__ = ["main"]

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

_FORMATS = {"json": json_report_text, "markdown": markdown_report, "html": html_report}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
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
        "--strict", action="store_true", help="treat possible personal data as an error"
    )
    val.add_argument("--names", type=Path, help=_NAMES_HELP)

    ev = sub.add_parser("evaluate", help="evaluate a findings file and write a report")
    ev.add_argument("file", type=Path, help="findings file (.toml or .json)")
    ev.add_argument(
        "--framework", help="framework id or TOML file (default: the one the file names)"
    )
    ev.add_argument("--rules", type=Path, help="grading rules file (default: the bundled rules)")
    ev.add_argument("--capacity-rules", type=Path, help="capacity rules file")
    ev.add_argument(
        "--previous", type=Path, help="previous evaluation: a findings file or a saved evaluation"
    )
    ev.add_argument("--format", choices=sorted(_FORMATS), default="markdown")
    ev.add_argument(
        "-o", "--output", type=Path, help="write the report here (default: standard output)"
    )
    ev.add_argument("--save", type=Path, help="also save the whole evaluation (.json or .toml)")
    ev.add_argument(
        "--strict", action="store_true", help="refuse input that looks like personal data"
    )
    ev.add_argument("--names", type=Path, help=_NAMES_HELP)

    diff = sub.add_parser(
        "diff", help="compare two evaluations (findings files or saved evaluations)"
    )
    diff.add_argument("before", type=Path)
    diff.add_argument("after", type=Path)

    rep = sub.add_parser("report", help="write a report of a saved evaluation")
    rep.add_argument("file", type=Path, help="saved evaluation (.json or .toml)")
    rep.add_argument("--format", choices=[*sorted(_FORMATS), "position-statement"], default="html")
    rep.add_argument("-o", "--output", type=Path)
    rep.add_argument("--names", type=Path, help=_NAMES_HELP)
    return p


_NAMES_HELP = (
    "a text file of names to treat as personal data (one per line; # starts a comment), "
    "e.g. the names of the families the partnership works with"
)


def _guard(names: Path | None) -> PersonalDataGuard | None:
    """The personal-data guard, with the names in *names* added."""
    if names is None:
        return None
    try:
        lines = names.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the names file: {exc}", file=names) from None
    listed = [line.split("#", 1)[0].strip() for line in lines]
    return PersonalDataGuard(extra_names=[n for n in listed if n])


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        try:
            write_text_atomic(output, text)
        except OSError as exc:
            raise QifevalError(f"{output}: cannot write: {exc.strerror or exc}") from None


def _load(path: Path, framework: Framework | None = None) -> Evaluation | EvidenceSet:
    """A saved evaluation or a findings file, told apart by the document's
    ``kind``; the file is read once."""
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
        print(f"{fid}\t{fw.info.title} (version {fw.info.version or '-'}; {fw.info.content})")


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
    print("\n".join(out))


def _cmd_validate(args: argparse.Namespace) -> None:
    framework = load_framework(args.framework) if args.framework else None
    loaded = _load(args.file, framework)
    if isinstance(loaded, Evaluation):
        print(f"{args.file}: valid saved evaluation ({len(loaded.evidence.findings)} findings)")
        return
    evidence = loaded
    check_personal_data(evidence, strict=args.strict, guard=_guard(args.names), file=args.file)
    qis = len({f.qi for f in evidence.findings})
    print(f"{args.file}: valid ({len(evidence.findings)} findings on {qis} indicators)")


def _cmd_evaluate(args: argparse.Namespace) -> None:
    guard = _guard(args.names)
    evidence = load_findings(
        args.file, framework=load_framework(args.framework) if args.framework else None
    )
    previous = _evaluation_from(args.previous) if args.previous else None
    evaluation = evaluate(
        evidence,
        framework=args.framework,
        rules=args.rules,
        capacity_rules=args.capacity_rules,
        previous=previous,
        strict=args.strict,
        guard=guard,
    )
    if args.save:
        try:
            dump_evaluation(evaluation, args.save)
        except OSError as exc:
            raise QifevalError(f"{args.save}: cannot write: {exc.strerror or exc}") from None
    _emit(_FORMATS[args.format](evaluation, guard=guard), args.output)


def _cmd_diff(args: argparse.Namespace) -> None:
    d = compare_evaluations(_evaluation_from(args.before), _evaluation_from(args.after))
    print(f"before: {d.before}\nafter:  {d.after}\n")
    print(f"{'QI':<5} {'before':<16} {'after':<16} change")
    for i in d.indicators:

        def g(x: object) -> str:
            return "-" if x is None else str(x)

        qi = i.qi if i.before_qi in (None, i.qi) else f"{i.qi} (was {i.before_qi})"
        direction = i.direction.value if i.direction else ""
        print(f"{qi:<5} {g(i.change.previous):<16} {g(i.change.current):<16} {direction}")
        if i.new_weaknesses:
            print(f"      new weaknesses: {', '.join(i.new_weaknesses)}")
        if i.resolved_weaknesses:
            print(f"      resolved weaknesses: {', '.join(i.resolved_weaknesses)}")


def _cmd_report(args: argparse.Namespace) -> None:
    evaluation = load_evaluation(args.file)
    guard = _guard(args.names)
    if args.format == "position-statement":
        statement = position_statement(evaluation, guard=guard)
        if statement.over_limit:
            print(
                f"qifeval: warning: the position statement has {statement.words} words; "
                f"the limit is {statement.limit}",
                file=sys.stderr,
            )
        _emit(statement.text, args.output)
    else:
        _emit(_FORMATS[args.format](evaluation, guard=guard), args.output)


_COMMANDS = {
    "frameworks": _cmd_frameworks,
    "show": _cmd_show,
    "validate": _cmd_validate,
    "evaluate": _cmd_evaluate,
    "diff": _cmd_diff,
    "report": _cmd_report,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)  # exits with 2 on usage errors
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PersonalDataWarning)
        try:
            _COMMANDS[args.command](args)
            code = EXIT_OK
        except QifevalError as exc:
            print(f"qifeval: error: {exc}", file=sys.stderr)
            code = EXIT_INVALID
        except KeyboardInterrupt:
            code = 130
        except BrokenPipeError:
            code = EXIT_OK
        except Exception as exc:  # noqa: BLE001 - no traceback for users
            print(
                f"qifeval: internal error ({type(exc).__name__}: {exc}); please report it",
                file=sys.stderr,
            )
            code = EXIT_INTERNAL
    for w in caught:
        print(f"qifeval: warning: {w.message}", file=sys.stderr)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
