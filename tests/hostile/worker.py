"""Run hostile cases in this process and report one JSON line per case.

``python tests/hostile/worker.py CASES.json START`` runs the cases from
index START on, through ``qifeval._cli.main(argv)`` and the public API, and
prints for each ``@@start <i>`` and then ``@@done <json>`` on standard
output (other output, e.g. from C code, is ignored by the parent). If this
process dies by a signal or hangs, the parent records the current case and
starts a new worker after it.
"""

from __future__ import annotations

import io
import json
import os
import re
import resource
import sys
import threading
import time
import traceback
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import fingerprint

# Terminal control: C0 except tab and newline, DEL, C1 (ESC starts CSI and
# OSC sequences; U+009B and U+009D are their one-character forms).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
INTERNALS = re.compile(
    r"Traceback|File \"|<class '|<function |object at 0x|cattrs|ClassValidationError|"
    r"NoneType|MessageNotHandled|durable|RecursionError|KeyError|AttributeError|"
    r"TypeError|UnicodeEncodeError|MemoryError|\bdict\[|typing\."
)
MAX_MESSAGE = 2000
HTML_INJECTION = re.compile(r"<qxinj|<script>\s*qxinj|href=[\"']?javascript:", re.I)
MD_RENDERED_INJECTION = re.compile(
    r"<qxinj|<script>\s*qxinj|href=\"javascript:|<h[1-6]>\s*qxinj|<img[^>]*qxinj|"
    r"<strong>qxinjbold|<em>qxinjem|<t[dh][^>]*>\s*qxinjpipe|<!-- qxinj|<pre><code>qxinj|"
    r"<blockquote>\s*<p>qxinj|<li>qxinj|<hr />\s*<p>qxinj",
    re.I,
)

try:
    from markdown_it import MarkdownIt

    _MD: Any = MarkdownIt("commonmark", {"html": True}).enable("table")
except ImportError:  # pragma: no cover - the docs extra brings it
    _MD = None


def md_injected(text: str) -> bool:
    """Whether user markers reach Markdown structure once rendered."""
    if _MD is not None:
        return bool(MD_RENDERED_INJECTION.search(_MD.render(text)))
    return bool(
        re.search(r"^ {0,3}(#|>|[-*+] |```|---)\s*qxinj|<qxinj|\]\(javascript:", text, re.M)
    )


def emit(fd: int, tag: str, payload: Any) -> None:
    os.write(fd, f"@@{tag} {json.dumps(payload)}\n".encode())


def _stream() -> tuple[io.BytesIO, io.TextIOWrapper]:
    raw = io.BytesIO()
    return raw, io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="\n")


class Captured:
    """Standard output and error as bytes, encoded strictly as a UTF-8
    terminal would (standard error with backslashreplace, like Python's)."""

    def __enter__(self) -> Captured:
        self.out_raw = io.BytesIO()
        self.err_raw = io.BytesIO()
        self.out = io.TextIOWrapper(self.out_raw, encoding="utf-8", errors="strict", newline="\n")
        self.err = io.TextIOWrapper(
            self.err_raw, encoding="utf-8", errors="backslashreplace", newline="\n"
        )
        self.saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = self.out, self.err
        return self

    def __exit__(self, *exc: object) -> None:
        sys.stdout, sys.stderr = self.saved
        for s in (self.out, self.err):
            try:
                s.flush()
            except (ValueError, UnicodeError):
                pass

    def text(self) -> tuple[str, str]:
        return (
            self.out_raw.getvalue().decode("utf-8", "replace"),
            self.err_raw.getvalue().decode("utf-8", "replace"),
        )


def names_in(argv: list[str]) -> list[str]:
    """What a clear error may name: the paths and options given."""
    names = []
    for a in argv:
        if a.startswith("-"):
            names.append(a.split("=", 1)[0])
        elif not a:
            names.append(".")  # an empty path is the current directory
        else:
            from qifeval._cli import printable

            # as given, as Python or the command line escapes it, and the
            # start of a long one (messages cut echoed names short)
            for form in (a, repr(a)[1:-1], ascii(a)[1:-1], printable(a)):
                names.extend([form, os.path.basename(form.rstrip("/")) or form, form[:120]])
    return [n for n in names if n]


def classify_cli(code: object, out: str, err: str, argv: list[str]) -> tuple[str, str]:
    """ok / error / unclear / traceback, with a detail."""
    if "Traceback" in err or "Traceback" in out:
        return "traceback", err[-300:]
    if code == 0:
        return "ok", ""
    if code == 3:
        return "traceback", "exit 3: " + err[-300:]
    if code not in (1, 2):
        return "traceback", f"exit {code!r}: {err[-300:]}"
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("qifeval: warning:")]
    errors = [ln for ln in lines if "error:" in ln]
    if len(errors) != 1:
        return "unclear", f"{len(errors)} error lines: {err[:300]!r}"
    line = errors[0]
    if code == 1 and len(lines) != 1:
        return "unclear", f"more than one line: {err[:300]!r}"
    if len(line) > MAX_MESSAGE:
        return "unclear", f"message of {len(line)} characters"
    m = INTERNALS.search(line)
    if m:
        return "unclear", f"Python internals ({m.group(0)}): {line[:300]!r}"
    if argv and not any(n in line for n in names_in(argv)):
        return "unclear", f"names neither file nor argument: {line[:300]!r}"
    return "error", ""


def run_cli(argv: list[str]) -> tuple[object, str, str]:
    from qifeval._cli import main

    with Captured() as cap:
        try:
            code: object = main(argv)
        except SystemExit as exc:
            code = exc.code if exc.code is not None else 0
        except KeyboardInterrupt:
            code = "KeyboardInterrupt"
        except BaseException:  # noqa: BLE001 - anything escaping main is a finding
            traceback.print_exc()
            code = "exception"
    out, err = cap.text()
    return code, out, err


def run_api(call: dict[str, Any]) -> tuple[str, str]:
    import qifeval

    fn = call["fn"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if fn == "evaluate_with_rules":
                qifeval.evaluate(qifeval.load_findings(call["path"]), rules=call["rules"])
            else:
                getattr(qifeval, fn)(call["path"])
    except qifeval.QifevalError as exc:
        msg = str(exc)
        if len(msg) > MAX_MESSAGE:
            return "unclear", f"message of {len(msg)} characters"
        m = INTERNALS.search(msg)
        if m:
            return "unclear", f"Python internals ({m.group(0)}): {msg[:300]!r}"
        return "error", ""
    except BaseException as exc:  # noqa: BLE001 - anything else is a finding
        return "traceback", f"{type(exc).__name__}: {str(exc)[:300]}"
    return "ok", ""


_BASELINE: dict[str, Any] = {}


def baseline(path: str) -> Any:
    import qifeval

    if path not in _BASELINE:
        ev = qifeval.evaluate(qifeval.load_findings(path))
        _BASELINE[path] = (ev.suggested_grades, ev.capacity.grade)
    return _BASELINE[path]


def run_threads(call: dict[str, Any]) -> tuple[str, str]:
    import qifeval

    evidence = qifeval.load_findings(call["path"])
    expected = baseline(call["path"])
    problems: list[str] = []
    stop = threading.Event()

    def work() -> None:
        try:
            for _ in range(call["rounds"]):
                ev = qifeval.evaluate(evidence)
                if (ev.suggested_grades, ev.capacity.grade) != expected:
                    problems.append("different result")
        except BaseException as exc:  # noqa: BLE001
            problems.append(f"{type(exc).__name__}: {exc}")

    def clear() -> None:
        k = 0
        while not stop.is_set():
            qifeval.engine_cache_clear()
            k += 1
            time.sleep(0.0005 * (call["seed"] % 3))

    threads = [threading.Thread(target=work) for _ in range(call["threads"])]
    clearer = threading.Thread(target=clear)
    clearer.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    clearer.join()
    if problems:
        kind = "wrong" if all(p == "different result" for p in problems) else "traceback"
        return kind, "; ".join(sorted(set(problems)))[:300]
    return "ok", ""


def run_interrupt(case: dict[str, Any]) -> tuple[str, str]:
    """Interrupt an evaluation at a random point; the library must stay
    usable and give the same results afterwards, and leave no stray files."""
    import _thread

    import qifeval

    call = case["call"]
    expected = baseline(call["path"])
    timer = threading.Timer(call["delay"], _thread.interrupt_main)
    outcome, detail = "ok", ""
    try:
        timer.start()
        if call["api"]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                qifeval.evaluate(qifeval.load_findings(call["path"]))
        else:
            code, out, err = run_cli(case["steps"][0])
            if code not in (0, 130, "KeyboardInterrupt"):
                outcome, detail = classify_cli(code, out, err, case["steps"][0])
                if outcome in ("error", "unclear"):
                    outcome = "traceback"
    except KeyboardInterrupt:
        pass
    except BaseException as exc:  # noqa: BLE001
        outcome, detail = "traceback", f"{type(exc).__name__}: {exc}"[:300]
    try:
        timer.cancel()
        timer.join()
        time.sleep(0.01)  # a late interrupt lands here
    except KeyboardInterrupt:
        pass
    if outcome != "ok":
        return outcome, detail
    if not call["api"]:
        # The next run must succeed and clear up after the interrupted one
        # (the interrupted run may have written its outputs already, so the
        # rerun replaces them as a user would, with --force).
        argv = case["steps"][0]
        code, out, err = run_cli(argv if "--force" in argv else [*argv, "--force"])
        if code != 0:
            return "traceback", f"the run after an interrupt failed: exit {code!r}: {err[-200:]}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ev = qifeval.evaluate(qifeval.load_findings(call["path"]))
        if (ev.suggested_grades, ev.capacity.grade) != expected:
            return "wrong", "results differ after an interrupt"
    except BaseException as exc:  # noqa: BLE001
        return "traceback", f"after an interrupt: {type(exc).__name__}: {exc}"[:300]
    return "ok", ""


def strays(directory: str) -> set[str]:
    try:
        return {n for n in os.listdir(directory) if n.endswith(".tmp")}
    except OSError:
        return set()


RANK = [
    "ok",
    "error",
    "unclear",
    "wrong",
    "accepted",
    "injection",
    "leak",
    "litter",
    "traceback",
    "lost",
]


def run_case(case: dict[str, Any], shared: str) -> dict[str, Any]:
    before = strays(case["dir"]) | {f"shared:{n}" for n in strays(shared)}
    results: list[tuple[str, str]] = []
    start = time.monotonic()
    terminal = ""
    if case["kind"] == "cli":
        for argv in case["steps"]:
            code, out, err = run_cli(argv)
            outcome, detail = classify_cli(code, out, err, argv)
            results.append((outcome, f"{argv[:1]} {detail}" if detail else ""))
            terminal += out + err
            for forbidden in case["forbid"]:
                if forbidden in out:
                    results.append(("leak", f"{forbidden!r} on standard output"))
            if outcome != "ok":
                break  # later steps read what this one wrote
    elif case["kind"] == "api":
        results.append(run_api(case["call"]))
    elif case["kind"] == "threads":
        results.append(run_threads(case["call"]))
    elif case["kind"] == "interrupt":
        results.append(run_interrupt(case))
    if CONTROL.search(terminal):
        ch = CONTROL.search(terminal).group(0)  # type: ignore[union-attr]
        results.append(("injection", f"control character {ch!r} reached the terminal"))
    for path in case["outputs"]:
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if path.endswith(".html") and HTML_INJECTION.search(text):
            results.append(("injection", f"HTML structure from user text in {Path(path).name}"))
        if path.endswith(".md") and md_injected(text):
            results.append(("injection", f"Markdown structure from user text in {Path(path).name}"))
        for forbidden in case["forbid"]:
            if forbidden in text:
                results.append(("leak", f"{forbidden!r} in {Path(path).name}"))
    for path, fp in case["fp"].items():
        now = fingerprint(path)
        if now != fp:
            results.append(("lost", f"{path} changed: {fp[0]} -> {now[0]}"))
    after = strays(case["dir"]) | {f"shared:{n}" for n in strays(shared)}
    if after - before:
        results.append(("litter", f"temporary files left: {sorted(after - before)}"))
    if case["expect"] == "error" and all(o == "ok" for o, _ in results):
        results.append(("accepted", "input that must be refused was accepted"))
    worst = max(results, key=lambda r: RANK.index(r[0])) if results else ("ok", "")
    return {
        "id": case["id"],
        "cat": case["cat"],
        "outcome": worst[0],
        "detail": worst[1],
        "seconds": round(time.monotonic() - start, 3),
    }


def main() -> None:
    cases = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    start = int(sys.argv[2])
    shared = str(Path(sys.argv[1]).parent / "shared")
    limit = 3 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    fd = os.dup(1)
    warnings.simplefilter("default")
    import qifeval  # noqa: F401 - import before the first case's clock starts

    for i in range(start, len(cases)):
        case = cases[i]
        emit(fd, "start", i)
        os.chdir(case["dir"])
        result = run_case(case, shared)
        result["index"] = i
        emit(fd, "done", result)


if __name__ == "__main__":
    main()
