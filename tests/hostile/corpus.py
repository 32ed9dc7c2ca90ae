"""Build the hostile-input corpus: files on disk and a list of cases.

Run as ``python tests/hostile/corpus.py DIR``: writes the input files under
DIR and the cases to ``DIR/cases.json``. Everything is deterministic (fixed
seeds, no clock). Every file a case may touch lives under DIR: devices are
only read from ``/dev``, never written to.

A case is a dict:

- ``id``, ``cat``: a unique name and its category;
- ``kind``: ``cli`` (``steps``: argv lists run one after another through
  ``qifeval._cli.main``), ``api`` (``call``: a public function and its
  path), ``threads`` or ``interrupt``;
- ``guard``: paths whose fingerprint (bytes, or kind of special file) must
  not change, with the fingerprints in ``fp``;
- ``outputs``: report files to inspect for Markdown/HTML injection;
- ``forbid``: strings that must reach neither standard output nor a report;
- ``expect``: ``any`` (success or a clear error) or ``error`` (accepting the
  input would be a silent wrong answer: only a clear error will do).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import random
import socket
import stat
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "findings.toml"

Case = dict[str, Any]

# Marker text: every payload starts with plain text, so a marker that opens a
# Markdown block or table cell can only get there by breaking structure.
ESCAPES = {
    "ansi-csi": "pre \x1b[31mqxesc\x1b[0m post",
    "ansi-osc-title": "pre \x1b]0;qxosc\x07 post",
    "ansi-osc-link": "pre \x1b]8;;https://example.invalid\x1b\\qxlink\x1b]8;;\x1b\\ post",
    "c1-csi": "pre \x9b31mqxc1 post",
    "carriage-return": "pre \r\x1b[2Kqxcr post",
    "bell-backspace-del": "pre \x07\x08\x7f qxctl post",
    "bidi-override": "pre \u202eqxbidi\u202c post",
    "bidi-isolate": "pre \u2066qxiso\u2069 post",
    "zero-width": "pre \u200bqx\u200d\ufeff post",
}
MARKUP = {
    "md-heading": "pre\n# qxinj heading",
    "md-heading2": "pre\n\n## qxinj heading",
    "md-link": "pre [qxinj](javascript:alert(1)) post",
    "md-image": "pre ![qxinj](https://example.invalid/x.png) post",
    "md-pipe": "pre | qxinjpipe | x | post",
    "md-bold": "pre **qxinjbold** post",
    "md-emph": "pre _qxinjem_ post",
    "md-fence": "pre\n```\nqxinj fenced\n```",
    "md-comment": "pre <!-- qxinj",
    "md-quote": "pre\n> qxinj quote",
    "md-list": "pre\n- qxinj item",
    "md-rule": "pre\n\n---\nqxinj after rule",
    "md-backslash": "pre \\ qxinj \\",
    "html-tag": "pre <qxinj onerror=alert(1)> post",
    "html-script": "pre <script>qxinj()</script> post",
    "html-attr": 'pre "><qxinj x=" post',
    "html-attr-single": "pre '><qxinj x=' post",
    "html-close-cell": "pre </td></tr></table><qxinj> post",
    "html-entity": "pre &lt;qxinj&gt; &amp; post",
}

PERSONAL = {
    "email": "jane.doe@example.com",
    "phone": "07700 900123",
    "dob": "DOB 01/02/2015",
}


def toml_str(s: str) -> str:
    """A TOML basic string for *s* (control characters escaped)."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\u{o:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return toml_str(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    raise TypeError(type(v))


def findings_toml(top: dict[str, Any], findings: list[dict[str, Any]]) -> str:
    lines = [f"{k} = {toml_value(v)}" for k, v in top.items()]
    for f in findings:
        lines.append("\n[[findings]]")
        lines.extend(f"{k} = {toml_value(v)}" for k, v in f.items())
    return "\n".join(lines) + "\n"


TOP = {"schema_version": 1, "partnership": "Example partnership", "framework": "qif-2018"}


def finding(i: int, **over: Any) -> dict[str, Any]:
    kinds = ["practice", "stakeholder_views", "performance_data", "documentation"]
    qis = ["5.2", "2.1", "1.1", "9.1", "6.5", "7.1"]
    f: dict[str, Any] = {
        "id": f"F{i}",
        "qi": qis[i % len(qis)],
        "statement": f"finding number {i} about practice",
        "valence": "strength" if i % 3 else "weakness",
        "weight": ("minor", "important", "major")[i % 3],
        "source": kinds[i % 4],
    }
    f.update(over)
    return f


def base_findings() -> list[dict[str, Any]]:
    return [finding(i) for i in range(1, 9)]


def fingerprint(path: str) -> list[Any]:
    """What must not change about *path*: never opens special files."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return ["missing"]
    if stat.S_ISLNK(st.st_mode):
        return ["link", os.readlink(path)]
    if stat.S_ISREG(st.st_mode):
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        return ["file", h.hexdigest()]
    if stat.S_ISFIFO(st.st_mode):
        return ["fifo"]
    if stat.S_ISSOCK(st.st_mode):
        return ["socket"]
    if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        return ["device", st.st_rdev]
    if stat.S_ISDIR(st.st_mode):
        return ["dir"]
    return ["other", stat.S_IFMT(st.st_mode)]


class Builder:
    """Writes files under *root* and collects cases."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.shared = root / "shared"
        self.shared.mkdir(parents=True, exist_ok=True)
        self.cases: list[Case] = []
        self.rng = random.Random(20261127)
        self.example = self.put("example.toml", EXAMPLE.read_bytes())
        self.small = self.put("small.toml", findings_toml(TOP, base_findings()))

    def put(self, name: str, data: str | bytes, where: Path | None = None) -> str:
        path = (where or self.shared) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return str(path)

    def case_dir(self) -> Path:
        d = self.root / "cases" / f"{len(self.cases):05d}"
        d.mkdir(parents=True, exist_ok=True)
        return d

    def add(
        self,
        cat: str,
        name: str,
        *,
        steps: list[list[str]] | None = None,
        call: dict[str, Any] | None = None,
        kind: str | None = None,
        guard: list[str] = (),  # type: ignore[assignment]
        outputs: list[str] = (),  # type: ignore[assignment]
        forbid: list[str] = (),  # type: ignore[assignment]
        expect: str = "any",
        cwd: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        kind = kind or ("cli" if steps is not None else "api")
        case: Case = {
            "id": f"{cat}/{name}",
            "cat": cat,
            "kind": kind,
            "steps": steps or [],
            "call": call or {},
            "guard": sorted(set(guard) | {self.example, self.small}),
            "outputs": list(outputs),
            "forbid": list(forbid),
            "expect": expect,
            "dir": cwd or str(self.case_dir()),
        }
        case.update(extra or {})
        self.cases.append(case)

    # -- helpers that add the usual commands on one findings file ----------
    def commands_on(
        self,
        cat: str,
        name: str,
        path: str,
        *,
        expect: str = "any",
        forbid: list[str] = (),  # type: ignore[assignment]
        reports: bool = True,
        api: bool = True,
    ) -> None:
        self.add(
            cat,
            f"{name}/validate",
            steps=[["validate", path]],
            guard=[path],
            expect=expect,
            forbid=forbid,
        )
        if reports:
            d = self.case_dir()
            md, html, save = str(d / "r.md"), str(d / "r.html"), str(d / "s.json")
            ps = str(d / "ps.md")
            self.add(
                cat,
                f"{name}/evaluate-reports",
                steps=[
                    ["evaluate", path, "--format", "markdown", "-o", md, "--save", save],
                    ["evaluate", path, "--format", "html", "-o", html],
                    ["evaluate", path, "--format", "markdown"],
                    ["report", save, "--format", "position-statement", "-o", ps],
                ],
                guard=[path],
                outputs=[md, html, ps],
                forbid=forbid,
                expect=expect,
                cwd=str(d),
            )
        if api:
            self.add(
                cat,
                f"{name}/load_findings",
                call={"fn": "load_findings", "path": path},
                guard=[path],
                expect=expect,
            )

    def finalise(self) -> list[Case]:
        for case in self.cases:
            case["fp"] = {p: fingerprint(p) for p in case["guard"]}
        return self.cases


# --------------------------------------------------------------------------
def special_files(b: Builder) -> None:
    sp = b.root / "special"
    sp.mkdir(exist_ok=True)
    fifo = str(sp / "fifo.toml")
    os.mkfifo(fifo)
    fifo_json = str(sp / "fifo.json")
    os.mkfifo(fifo_json)
    sock = str(sp / "sock.toml")
    s = socket.socket(socket.AF_UNIX)
    s.bind(sock)
    s.close()
    directory = str(sp / "dir.toml")
    os.mkdir(directory)
    targets = {
        "fifo": fifo,
        "fifo-json": fifo_json,
        "socket": sock,
        "directory": directory,
        "dev-zero": "/dev/zero",
        "dev-null": "/dev/null",
        "missing": str(sp / "missing.toml"),
    }
    for name, target in list(targets.items()):
        if target.startswith("/dev/"):
            for suffix in (".toml", ".json"):
                link = str(sp / f"{name}-link{suffix}")
                os.symlink(target, link)
                targets[f"{name}-link{suffix}"] = link
        elif name != "missing":
            link = str(sp / (f"{name}-link" + Path(target).suffix))
            os.symlink(target, link)
            targets[f"{name}-link"] = link
    loop = str(sp / "loop.toml")
    os.symlink(loop, loop)
    targets["symlink-loop"] = loop
    guard = [p for p in targets.values() if not p.startswith("/dev/")]
    for name, path in targets.items():
        g = [*guard, path] if not path.startswith("/dev/") else guard
        b.add("special", f"{name}/validate", steps=[["validate", path]], guard=g, expect="error")
        b.add("special", f"{name}/evaluate", steps=[["evaluate", path]], guard=g, expect="error")
        b.add(
            "special",
            f"{name}/rules",
            steps=[["evaluate", b.small, "--rules", path]],
            guard=g,
            expect="error",
        )
        b.add(
            "special",
            f"{name}/capacity-rules",
            steps=[["evaluate", b.small, "--capacity-rules", path]],
            guard=g,
            expect="error",
        )
        b.add(
            "special",
            f"{name}/previous",
            steps=[["evaluate", b.small, "--previous", path]],
            guard=g,
            expect="error",
        )
        b.add(
            "special",
            f"{name}/names",
            steps=[["evaluate", b.small, "--names", path]],
            guard=g,
            expect="error" if "null" not in name else "any",
        )
        b.add(
            "special",
            f"{name}/framework-option",
            steps=[["validate", b.small, "--framework", path]],
            guard=g,
            expect="error",
        )
        b.add("special", f"{name}/report", steps=[["report", path]], guard=g, expect="error")
        b.add("special", f"{name}/diff", steps=[["diff", path, b.small]], guard=g, expect="error")
        b.add(
            "special",
            f"{name}/show-framework",
            steps=[["show", "5.2", "--framework", path]],
            guard=g,
            expect="error",
        )
        fw_key = b.put(
            f"fw-key-{name}.toml", findings_toml({**TOP, "framework": path}, base_findings())
        )
        b.add(
            "special",
            f"{name}/framework-key",
            steps=[["validate", fw_key], ["evaluate", fw_key]],
            guard=[*g, fw_key],
            expect="error",
        )
        for fn in ("load_findings", "load_evaluation", "load_rules", "load_framework"):
            b.add("special", f"{name}/{fn}", call={"fn": fn, "path": path}, guard=g, expect="error")
    # A file outside the project named as the framework: must be refused
    # without echoing its content.
    for name, path in (("etc-passwd", "/etc/passwd"), ("etc-hostname", "/etc/hostname")):
        fw_key = b.put(
            f"fw-key-{name}.toml", findings_toml({**TOP, "framework": path}, base_findings())
        )
        b.add(
            "special",
            f"{name}/framework-key",
            steps=[["validate", fw_key], ["evaluate", fw_key]],
            guard=[fw_key],
            forbid=[":0:0:"],
            expect="error",
        )
        b.add(
            "special",
            f"{name}/framework-option",
            steps=[["validate", b.small, "--framework", path]],
            forbid=[":0:0:"],
            expect="error",
        )


def outputs(b: Builder) -> None:
    """The command writing over its own input, or into special files."""
    formats = [("markdown", "r.md"), ("html", "r.html"), ("json", "r.json")]
    for fmt, _ in formats:
        for ext in ("toml", "json"):
            d = b.case_dir()
            src = b.put(f"in.{ext}", EXAMPLE.read_bytes() if ext == "toml" else _example_json(), d)
            b.add(
                "output",
                f"o-is-input/{fmt}/{ext}",
                steps=[["evaluate", src, "--format", fmt, "-o", src]],
                guard=[src],
                expect="error",
                cwd=str(d),
            )
            d = b.case_dir()
            src = b.put(f"in.{ext}", EXAMPLE.read_bytes() if ext == "toml" else _example_json(), d)
            b.add(
                "output",
                f"save-is-input/{fmt}/{ext}",
                steps=[["evaluate", src, "--format", fmt, "--save", src]],
                guard=[src],
                expect="error",
                cwd=str(d),
            )
            d = b.case_dir()
            src = b.put(f"in.{ext}", EXAMPLE.read_bytes() if ext == "toml" else _example_json(), d)
            link = str(d / f"link.{ext}")
            os.symlink(src, link)
            b.add(
                "output",
                f"o-symlink-to-input/{fmt}/{ext}",
                steps=[["evaluate", src, "--format", fmt, "-o", link]],
                guard=[src, link],
                expect="error",
                cwd=str(d),
            )
            d = b.case_dir()
            src = b.put(f"in.{ext}", EXAMPLE.read_bytes() if ext == "toml" else _example_json(), d)
            link = str(d / f"link.{ext}")
            os.symlink(src, link)
            b.add(
                "output",
                f"save-symlink-to-input/{fmt}/{ext}",
                steps=[["evaluate", link, "--format", fmt, "--save", src]],
                guard=[src, link],
                expect="error",
                cwd=str(d),
            )
            d = b.case_dir()
            src = b.put(f"in.{ext}", EXAMPLE.read_bytes() if ext == "toml" else _example_json(), d)
            rel = f"./in.{ext}"
            b.add(
                "output",
                f"o-same-file-other-spelling/{fmt}/{ext}",
                steps=[["evaluate", src, "--format", fmt, "-o", rel]],
                guard=[src],
                expect="error",
                cwd=str(d),
            )
    # The rules, names and previous files are inputs too.
    for opt, content, name in (
        ("--rules", (ROOT / "docs/examples/rules-amendment.toml").read_bytes(), "rules.toml"),
        (
            "--capacity-rules",
            (ROOT / "docs/examples/capacity-amendment.toml").read_bytes(),
            "capacity.toml",
        ),
        ("--names", b"Alex Example\n", "names.txt"),
        ("--previous", (ROOT / "examples/findings-2024.toml").read_bytes(), "prev.toml"),
    ):
        for out_opt in ("-o", "--save"):
            d = b.case_dir()
            other = b.put(name, content, d)
            src = b.put("in.toml", EXAMPLE.read_bytes(), d)
            b.add(
                "output",
                f"{out_opt}-is{opt}",
                steps=[["evaluate", src, opt, other, out_opt, other]],
                guard=[src, other],
                expect="error",
                cwd=str(d),
            )
    # Report over the saved evaluation it reads.
    for out_opt in ("-o",):
        d = b.case_dir()
        src = b.put("in.toml", EXAMPLE.read_bytes(), d)
        save = str(d / "s.json")
        b.add(
            "output",
            "report-over-its-evaluation",
            steps=[
                ["evaluate", src, "--save", save, "-o", str(d / "r.md")],
                ["report", save, out_opt, save],
            ],
            guard=[src],
            expect="error",
            cwd=str(d),
        )

    # Special files as outputs: they must stay what they are. Each case has
    # its own, so that one case's damage does not spill into the next.
    def make(kind: str, d: Path) -> tuple[str, list[str]] | None:
        if kind == "missing-dir":
            return str(d / "no" / "such" / "r.md"), []
        target = str(
            d
            / {"fifo": "out.md", "directory": "outdir", "device": "null-device"}[
                kind.removesuffix("-link")
            ]
        )
        if kind.startswith("fifo"):
            os.mkfifo(target)
        elif kind.startswith("directory"):
            os.mkdir(target)
        else:
            try:
                os.mknod(target, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
            except OSError:
                return None  # no permission to make devices here
        if not kind.endswith("-link"):
            return target, [target]
        link = str(d / "link.md")
        os.symlink(target, link)
        return link, [target, link]

    for kind in ("fifo", "fifo-link", "directory", "device", "device-link", "missing-dir"):
        for out_opt in ("-o", "--save"):
            d = b.case_dir()
            made = make(kind, d)
            if made is None:
                continue
            path, guard = made
            b.add(
                "output",
                f"{out_opt}-{kind}",
                steps=[["evaluate", b.small, out_opt, path]],
                guard=guard,
                cwd=str(d),
            )


def _example_json() -> bytes:
    import tomllib

    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    return json.dumps(data, default=str, indent=1).encode()


def escapes(b: Builder) -> None:
    payloads = {**ESCAPES, **MARKUP}
    free_text = ["statement", "source_detail", "ref"]
    for pname, payload in payloads.items():
        # Free text takes any characters: one file carries the payload in
        # every free-text field; fields with a shape (id, qi, illustration)
        # each get their own file, as they may be refused.
        fs = base_findings()
        for field in free_text:
            fs[0][field] = payload
            fs[1][field] = payload.replace("qx", "qy")
        top = {**TOP, "partnership": payload, "title": payload}
        path = b.put(f"esc-{pname}-free-text.toml", findings_toml(top, fs))
        b.commands_on("escape", f"{pname}/free-text", path, api=False)
        for field in ("id", "qi", "illustration"):
            fs = base_findings()
            fs[0][field] = payload
            path = b.put(f"esc-{pname}-{field}.toml", findings_toml(TOP, fs))
            b.commands_on("escape", f"{pname}/{field}", path, api=False)
        fs = base_findings()
        fs[0]["statement"] = payload
        path = b.put(f"esc-{pname}-statement.json", json.dumps({**TOP, "findings": fs}))
        b.commands_on("escape", f"{pname}/statement-json", path, reports=False)
    # Escapes in command-line arguments echoed back in errors.
    for pname, payload in ESCAPES.items():
        b.add(
            "escape",
            f"{pname}/argv-path",
            steps=[["validate", str(b.shared / f"{payload}.toml")]],
            expect="error",
        )
        b.add("escape", f"{pname}/argv-qi", steps=[["show", payload]], expect="error")
        b.add(
            "escape",
            f"{pname}/argv-framework",
            steps=[["show", "5.2", "--framework", payload]],
            expect="error",
        )


def encodings(b: Builder) -> None:
    text = findings_toml(TOP, base_findings())
    js = json.dumps({**TOP, "findings": base_findings()})
    raw_statement = "finding number 1 about practice"
    variants: dict[str, tuple[str, bytes, str]] = {
        "utf16-le-bom": ("toml", b"\xff\xfe" + text.encode("utf-16-le"), "any"),
        "utf16-be-bom": ("toml", b"\xfe\xff" + text.encode("utf-16-be"), "any"),
        "utf16-json": ("json", js.encode("utf-16"), "any"),
        "utf32": ("toml", text.encode("utf-32"), "any"),
        "utf8-bom-toml": ("toml", b"\xef\xbb\xbf" + text.encode(), "any"),
        "utf8-bom-json": ("json", b"\xef\xbb\xbf" + js.encode(), "any"),
        "latin1": (
            "toml",
            text.replace(raw_statement, "caf\u00e9 practice").encode("latin-1"),
            "error",
        ),
        "invalid-utf8": ("toml", text.encode().replace(b"about", b"ab\xffout"), "error"),
        "overlong-slash": ("toml", text.encode().replace(b"about", b"ab\xc0\xafout"), "error"),
        "overlong-nul": ("toml", text.encode().replace(b"about", b"ab\xc0\x80out"), "error"),
        "utf8-surrogate": ("toml", text.encode().replace(b"about", b"ab\xed\xa0\x80out"), "error"),
        "nul-raw": ("toml", text.encode().replace(b"about", b"ab\x00out"), "error"),
        "nul-json-escape": ("json", js.replace("about", "ab\\u0000out").encode(), "any"),
        "nul-toml-escape": ("toml", text.replace("about", "ab\\u0000out").encode(), "any"),
        "lone-surrogate-json-statement": (
            "json",
            js.replace("about", "ab\\ud800out").encode(),
            "error",
        ),
        "lone-low-surrogate-json": ("json", js.replace("about", "ab\\udfffout").encode(), "error"),
        "lone-surrogate-json-id": ("json", js.replace('"F1"', '"F\\ud800"').encode(), "error"),
        "lone-surrogate-json-partnership": (
            "json",
            js.replace("Example partnership", "Ex\\udc80").encode(),
            "error",
        ),
        "lone-surrogate-json-key": (
            "json",
            js.replace('"partnership"', '"x\\ud800": 1, "partnership"', 1).encode(),
            "error",
        ),
        "surrogate-pair-json": ("json", js.replace("about", "ab\\ud83d\\ude00out").encode(), "any"),
        "truncated-utf8": ("toml", text.encode()[:-3] + "é".encode()[:1], "error"),
        "raw-c1": ("toml", text.replace("about", "ab\u0085\u009bout").encode(), "any"),
        "cr-only-lines": ("toml", text.replace("\n", "\r").encode(), "error"),
        "crlf-lines": ("toml", text.replace("\n", "\r\n").encode(), "any"),
        "empty": ("toml", b"", "error"),
        "empty-json": ("json", b"", "error"),
        "whitespace": ("toml", b"   \n\t\n", "error"),
        "json-array-top": ("json", b"[]", "error"),
        "json-string-top": ("json", b'"x"', "error"),
        "json-nan": (
            "json",
            js.replace('"findings"', '"proportion": NaN, "findings"').encode(),
            "error",
        ),
        "json-infinity-proportion": (
            "json",
            js.replace(
                '"source": "practice"', '"source": "practice", "proportion": Infinity', 1
            ).encode(),
            "error",
        ),
        "json-huge-int": (
            "json",
            js.replace('"schema_version": 1', '"schema_version": ' + "9" * 5000).encode(),
            "error",
        ),
        "json-huge-float": (
            "json",
            js.replace(
                '"source": "practice"', '"source": "practice", "proportion": 1e999', 1
            ).encode(),
            "error",
        ),
        "toml-huge-int": (
            "toml",
            text.replace("schema_version = 1", "schema_version = " + "9" * 5000).encode(),
            "error",
        ),
    }
    # Duplicate keys.
    dup_stmt = js.replace(
        '"statement": "finding number 1 about practice"',
        '"statement": "finding number 1 about practice", "statement": "a different statement"',
    )
    variants["json-duplicate-statement"] = ("json", dup_stmt.encode(), "error")
    dup_id = js.replace('"id": "F2"', '"id": "F2", "id": "F9"')
    variants["json-duplicate-id-key"] = ("json", dup_id.encode(), "error")
    dup_top = js.replace(
        '"framework": "qif-2018"', '"framework": "qif-2018", "framework": "qif-2014"'
    )
    variants["json-duplicate-top"] = ("json", dup_top.encode(), "error")
    dup_findings = js[:-1] + ', "findings": []}'
    variants["json-duplicate-findings"] = ("json", dup_findings.encode(), "error")
    variants["toml-duplicate-key"] = (
        "toml",
        text.replace(
            'statement = "finding number 1 about practice"', 'statement = "a"\nstatement = "b"'
        ).encode(),
        "error",
    )
    # Types that Python would quietly accept.
    variants["schema-version-true"] = (
        "toml",
        text.replace("schema_version = 1", "schema_version = true").encode(),
        "error",
    )
    variants["schema-version-true-json"] = (
        "json",
        js.replace('"schema_version": 1', '"schema_version": true').encode(),
        "error",
    )
    variants["schema-version-float"] = (
        "toml",
        text.replace("schema_version = 1", "schema_version = 1.0").encode(),
        "error",
    )
    variants["schema-version-string"] = (
        "json",
        js.replace('"schema_version": 1', '"schema_version": "1"').encode(),
        "error",
    )
    for where, val in (
        ("top", "20260301"),
        ("top", "2026.0301"),
        ("finding", "20260301"),
        ("finding", "1e3"),
    ):
        if where == "top":
            t = text.replace('framework = "qif-2018"', f'framework = "qif-2018"\ndate = {val}')
        else:
            t = text.replace('source = "practice"', f'source = "practice"\ndate = {val}', 1)
        variants[f"integer-date-{where}-{val}"] = ("toml", t.encode(), "error")
        j = (
            js.replace('"source": "practice"', f'"source": "practice", "date": {val}', 1)
            if where == "finding"
            else js.replace('"framework"', f'"date": {val}, "framework"')
        )
        variants[f"integer-date-{where}-{val}-json"] = ("json", j.encode(), "error")
    variants["date-string-nonsense"] = (
        "json",
        js.replace(
            '"source": "practice"', '"source": "practice", "date": "2026-02-30"', 1
        ).encode(),
        "error",
    )
    variants["proportion-bool"] = (
        "toml",
        text.replace('source = "practice"', 'source = "practice"\nproportion = true', 1).encode(),
        "error",
    )
    variants["critical-int"] = (
        "json",
        js.replace('"source": "practice"', '"source": "practice", "critical": 1', 1).encode(),
        "error",
    )
    variants["weight-number"] = (
        "json",
        js.replace('"weight": "minor"', '"weight": 1', 1).encode(),
        "error",
    )
    variants["valence-arabic-digit"] = (
        "json",
        js.replace('"valence": "strength"', '"valence": "\u0663"', 1).encode(),
        "error",
    )
    variants["qi-fullwidth"] = (
        "json",
        js.replace('"qi": "5.2"', '"qi": "\uff15.\uff12"', 1).encode(),
        "error",
    )
    variants["qi-arabic-digits"] = (
        "json",
        js.replace('"qi": "5.2"', '"qi": "\u0665.\u0662"', 1).encode(),
        "error",
    )
    variants["qi-number"] = ("json", js.replace('"qi": "5.2"', '"qi": 5.2', 1).encode(), "error")
    variants["id-number"] = ("json", js.replace('"id": "F1"', '"id": 1', 1).encode(), "error")
    for name, (fmt, data, expect) in variants.items():
        path = b.put(f"enc-{name}.{fmt}", data)
        b.commands_on("encoding", name, path, expect=expect, reports=expect == "any")


def depth(b: Builder) -> None:
    ftext = findings_toml(TOP, base_findings()[:2])
    js_base = {**TOP, "findings": base_findings()[:2]}
    cases: dict[str, tuple[str, str]] = {
        "dotted-key-20000-top": (
            "toml",
            ftext + "\n" if False else "a" + ".a" * 19999 + " = 1\n" + ftext,
        ),
        "dotted-key-20000-finding": ("toml", ftext + "x" + ".x" * 19999 + " = 1\n"),
        "dotted-key-3000-finding": ("toml", ftext + "x" + ".x" * 2999 + " = 1\n"),
        "dotted-key-20000-quoted": ("toml", '"a"' + '."a"' * 19999 + " = 1\n" + ftext),
        "table-header-20000": ("toml", ftext + "[" + "t." * 19999 + "t]\nv = 1\n"),
        "array-nesting-5000": ("toml", "x = " + "[" * 5000 + "]" * 5000 + "\n" + ftext),
        "array-nesting-100000": ("toml", "x = " + "[" * 100000 + "]" * 100000 + "\n" + ftext),
        "inline-table-nesting-5000": (
            "toml",
            "x = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n" + ftext,
        ),
        "statement-array-nesting": (
            "toml",
            ftext.replace(
                'statement = "finding number 1 about practice"',
                "statement = " + "[" * 3000 + "]" * 3000,
            ),
        ),
        "unclosed-arrays": ("toml", "x = " + "[" * 100000 + "\n"),
    }
    for name, (fmt, data) in cases.items():
        path = b.put(f"depth-{name}.{fmt}", data)
        b.commands_on("depth", name, path, expect="error", reports=False)
    jcases = {
        "json-array-100000": "[" * 100000 + "]" * 100000,
        "json-object-100000": '{"a":' * 100000 + "1" + "}" * 100000,
        "json-unclosed-200000": "[" * 200000,
    }
    for name, data in jcases.items():
        for where in ("top", "statement", "findings"):
            if where == "top":
                doc = data
            elif where == "statement":
                doc = json.dumps(js_base).replace('"finding number 1 about practice"', data)
            else:
                doc = json.dumps({**TOP, "findings": "@@"}).replace('"@@"', data)
            path = b.put(f"depth-{name}-{where}.json", doc)
            b.commands_on("depth", f"{name}/{where}", path, expect="error", reports=False)
    # Deep structures inside a saved evaluation and a rules file.
    path = b.put(
        "depth-rules.toml", 'schema_version = 1\nname = "deep"\n' + "r" + ".r" * 19999 + " = 1\n"
    )
    b.add(
        "depth",
        "rules-dotted-20000",
        steps=[["evaluate", b.small, "--rules", path]],
        guard=[path],
        expect="error",
    )
    path = b.put(
        "depth-rules.json",
        '{"schema_version": 1, "name": "deep", "rules": ' + "[" * 100000 + "]" * 100000 + "}",
    )
    b.add(
        "depth",
        "rules-json-nesting",
        steps=[["evaluate", b.small, "--rules", path]],
        guard=[path],
        expect="error",
    )


def sizes(b: Builder) -> None:
    big = "x" * (10 * 1024 * 1024)
    fs = base_findings()
    fs[0]["statement"] = "pre " + big
    path = b.put("size-statement-10mb.json", json.dumps({**TOP, "findings": fs}))
    d = b.case_dir()
    b.add(
        "size",
        "statement-10mb",
        steps=[
            ["evaluate", path, "--format", "markdown", "-o", str(d / "r.md")],
            ["evaluate", path, "--format", "html", "-o", str(d / "r.html")],
        ],
        guard=[path],
        cwd=str(d),
        # three runs over 20,000 findings, each loading and checking them:
        # a hang is no answer within a minute, whatever else the machine does
        extra={"timeout": 60},
    )
    long_qi = b.put(
        "size-qi-1mb.json", json.dumps({**TOP, "findings": [finding(1, qi="5." + "9" * 1_000_000)]})
    )
    b.commands_on("size", "qi-1mb", long_qi, expect="error", reports=False)
    long_id = b.put(
        "size-id-dup-1mb.json",
        json.dumps(
            {**TOP, "findings": [finding(1, id="F" * 1_000_000), finding(2, id="F" * 1_000_000)]}
        ),
    )
    b.commands_on("size", "duplicate-id-1mb", long_id, expect="error", reports=False)
    long_val = b.put(
        "size-valence-1mb.json",
        json.dumps({**TOP, "findings": [finding(1, valence="s" * 1_000_000)]}),
    )
    b.commands_on("size", "valence-1mb", long_val, expect="error", reports=False)
    long_key = b.put(
        "size-key-1mb.json", json.dumps({**TOP, "k" * 1_000_000: 1, "findings": [finding(1)]})
    )
    b.commands_on("size", "unknown-key-1mb", long_key, expect="error", reports=False)
    path = b.put("size-invalid-200000.json", json.dumps({**TOP, "findings": [{}] * 200_000}))
    b.add(
        "size",
        "invalid-findings-200000",
        steps=[["validate", path]],
        guard=[path],
        expect="error",
        extra={"timeout": 15},
    )
    path = b.put(
        "size-bad-weight-200000.json",
        json.dumps({**TOP, "findings": [finding(i, weight="huge") for i in range(200_000)]}),
    )
    b.add(
        "size",
        "bad-weight-200000",
        steps=[["validate", path]],
        guard=[path],
        expect="error",
        extra={"timeout": 15},
    )
    path = b.put(
        "size-dup-ids-50000.json",
        json.dumps({**TOP, "findings": [finding(i, id="F1") for i in range(50_000)]}),
    )
    b.add(
        "size",
        "duplicate-ids-50000",
        steps=[["validate", path]],
        guard=[path],
        expect="error",
        extra={"timeout": 15},
    )
    path = b.put(
        "size-findings-20000.json",
        json.dumps({**TOP, "findings": [finding(i) for i in range(20_000)]}),
    )
    d = b.case_dir()
    b.add(
        "size",
        "findings-20000-reports",
        steps=[
            [
                "evaluate",
                path,
                "--format",
                "markdown",
                "-o",
                str(d / "r.md"),
                "--save",
                str(d / "s.json"),
            ],
            ["report", str(d / "s.json"), "--format", "html", "-o", str(d / "r.html")],
            ["report", str(d / "s.json"), "--format", "position-statement", "-o", str(d / "ps.md")],
        ],
        guard=[path],
        cwd=str(d),
        # three runs over 20,000 findings, each loading and checking them:
        # a hang is no answer within a minute, whatever else the machine does
        extra={"timeout": 60},
    )
    names = b.put("size-names-100000.txt", "\n".join(f"Name{i} Surname{i}" for i in range(100_000)))
    b.add(
        "size",
        "names-100000",
        steps=[["evaluate", b.small, "--names", names, "-o", str(b.case_dir() / "r.md")]],
        guard=[names],
        extra={"timeout": 30},
    )


def personal_ids(b: Builder) -> None:
    for pname, pd in PERSONAL.items():
        for field in ("id", "statement", "source_detail", "ref", "title"):
            fs = base_findings()
            top = dict(TOP)
            if field == "title":
                top[field] = f"Partnership {pd}"
            else:
                fs[0][field] = f"pre {pd}" if field != "id" else pd
            path = b.put(f"pd-{pname}-{field}.toml", findings_toml(top, fs))
            b.add(
                "personal",
                f"{pname}/{field}/strict-validate",
                steps=[["validate", path, "--strict"]],
                guard=[path],
                expect="error",
            )
            b.add(
                "personal",
                f"{pname}/{field}/strict-evaluate",
                steps=[["evaluate", path, "--strict"]],
                guard=[path],
                expect="error",
            )
            d = b.case_dir()
            outs = [str(d / "r.md"), str(d / "r.html"), str(d / "r.json"), str(d / "ps.md")]
            b.add(
                "personal",
                f"{pname}/{field}/reports-redacted",
                steps=[
                    ["evaluate", path, "-o", outs[0], "--save", str(d / "s.json")],
                    ["evaluate", path, "--format", "html", "-o", outs[1]],
                    ["evaluate", path, "--format", "json", "-o", outs[2]],
                    ["evaluate", path],
                    ["report", str(d / "s.json"), "--format", "position-statement", "-o", outs[3]],
                ],
                guard=[path],
                outputs=outs,
                forbid=[pd],
                cwd=str(d),
            )


def rule_sets(b: Builder) -> None:
    rules = {
        "empty": 'schema_version = 1\nname = "empty"\n',
        "empty-rules-array": 'schema_version = 1\nname = "empty"\nrules = []\n',
        "never-matches": 'schema_version = 1\nname = "never"\n[[rules]]\nname = "never"\neffect = "suggest"\ngrade = 4\npriority = 1\nreason = "never"\nwhen = [{ field = "findings", op = "<", value = 0 }]\n',
        "only-withhold-never": 'schema_version = 1\nname = "w"\n[[rules]]\nname = "w"\neffect = "withhold"\npriority = 1\nreason = "w"\nwhen = [{ field = "findings", op = ">", value = 1000000 }]\n',
        "amendment-removes-all": None,
        "unknown-field": 'schema_version = 1\nname = "u"\n[[rules]]\nname = "u"\neffect = "suggest"\ngrade = 4\npriority = 1\nreason = "u"\nwhen = [{ field = "no_such_field", op = ">", value = 0 }]\n',
        "bad-op": 'schema_version = 1\nname = "u"\n[[rules]]\nname = "u"\neffect = "suggest"\ngrade = 4\npriority = 1\nreason = "u"\nwhen = [{ field = "findings", op = "~=", value = 0 }]\n',
        "grade-arabic": 'schema_version = 1\nname = "u"\n[[rules]]\nname = "u"\neffect = "suggest"\ngrade = "\u0663"\npriority = 1\nreason = "u"\nwhen = [{ field = "findings", op = ">", value = 0 }]\n',
        "grade-true": 'schema_version = 1\nname = "u"\n[[rules]]\nname = "u"\neffect = "suggest"\ngrade = true\npriority = 1\nreason = "u"\nwhen = [{ field = "findings", op = ">", value = 0 }]\n',
        "huge-priority": 'schema_version = 1\nname = "u"\n[[rules]]\nname = "u"\neffect = "suggest"\ngrade = 4\npriority = 99999999999999999999\nreason = "u"\nwhen = [{ field = "findings", op = ">", value = 0 }]\n',
        "huge-value": 'schema_version = 1\nname = "u"\n[[rules]]\nname = "u"\neffect = "suggest"\ngrade = 4\npriority = 1\nreason = "u"\nwhen = [{ field = "findings", op = ">", value = 99999999999999999999 }]\n',
        "schema-true": 'schema_version = true\nname = "u"\n',
        "name-escape": 'schema_version = 1\nname = "\\u001b]0;qxosc\\u0007"\n',
        "many-rules-300": 'schema_version = 1\nname = "many"\n'
        + "".join(
            f'[[rules]]\nname = "r{i}"\neffect = "suggest"\ngrade = {i % 6 + 1}\npriority = {i}\nreason = "r{i}"\nwhen = [{{ field = "findings", op = ">=", value = {i} }}]\n'
            for i in range(300)
        ),
    }
    amend = (ROOT / "src/qifeval/rules/grading.toml").read_text(encoding="utf-8")
    import tomllib

    names = [r["name"] for r in tomllib.loads(amend)["rules"]]
    rules["amendment-removes-all"] = (
        'schema_version = 1\nbase = "default"\nname = "none"\nremove = ' + json.dumps(names) + "\n"
    )
    cap = (ROOT / "src/qifeval/rules/capacity.toml").read_text(encoding="utf-8")
    cap_names = [r["name"] for r in tomllib.loads(cap)["rules"]]
    rules["capacity-amendment-removes-all"] = (
        'schema_version = 1\nbase = "default"\nname = "none"\nremove = '
        + json.dumps(cap_names)
        + "\n"
    )
    # The crash on a rule set that matches nothing is intermittent: repeat.
    intermittent = ("empty", "empty-rules-array", "never-matches", "amendment-removes-all")
    for name, text in rules.items():
        path = b.put(f"rules-{name}.toml", text)
        as_capacity = 'schema_version = 1\nsubject = "capacity"\n' + text.split("\n", 1)[1].replace(
            'field = "findings"', 'field = "graded"'
        )
        variants = [("rules", path)]
        if name == "capacity-amendment-removes-all":
            variants = [("capacity-rules", b.put(f"rules-{name}.toml", as_capacity))]
        elif name != "amendment-removes-all":
            variants.append(("capacity-rules", b.put(f"capacity-rules-{name}.toml", as_capacity)))
        if name == "empty":
            variants.append(("capacity-rules-wrong-subject", path))
        for opt, rules_path in variants:
            repeats = 4 if name in intermittent or name.startswith("capacity-amendment") else 1
            if opt.endswith("wrong-subject"):
                repeats = 1
            for k in range(repeats):
                for src in (b.small, b.example):
                    d = b.case_dir()
                    flag = "--capacity-rules" if opt.startswith("capacity") else "--rules"
                    b.add(
                        "rules",
                        f"{name}/{opt}/{Path(src).stem}/{k}",
                        steps=[
                            [
                                "evaluate",
                                src,
                                flag,
                                rules_path,
                                "-o",
                                str(d / "r.md"),
                                "--save",
                                str(d / "s.json"),
                            ],
                            ["report", str(d / "s.json"), "-o", str(d / "r.html")],
                        ],
                        guard=[rules_path],
                        outputs=[str(d / "r.md"), str(d / "r.html")],
                        cwd=str(d),
                    )
        b.add("rules", f"{name}/load_rules", call={"fn": "load_rules", "path": path}, guard=[path])
    # Findings on an indicator no rule mentions, through the API with an empty rule set.
    path = b.put("rules-empty-api.toml", rules["empty"])
    for k in range(10):
        b.add(
            "rules",
            f"empty/api-evaluate/{k}",
            call={"fn": "evaluate_with_rules", "path": b.small, "rules": path},
        )


TOML_TAMPERS = {
    "suggested-grade-up",
    "findings-valence-flipped",
    "decision-grade-arabic-3",
    "decision-date-int",
    "schema-true",
    "capacity-grade",
}


def tampering(b: Builder) -> None:
    """Saved evaluations edited by hand. Consistent edits are the caller's
    business; edits that contradict the findings and rules must not load."""
    sys.path.insert(0, str(ROOT / "src"))
    import datetime

    import qifeval
    from qifeval import _convert

    ev = qifeval.evaluate(qifeval.load_findings(EXAMPLE))
    qi = next(r.qi for r in ev.results if r.suggested_grade is not None)
    ev = ev.override(
        qi,
        1 if ev.result(qi).suggested_grade != 1 else 2,
        role="Lead officer",
        rationale="a reason",
        date=datetime.date(2026, 3, 1),
    )
    saved = json.loads(qifeval.dump_evaluation(ev))
    reference = b.put("saved.json", json.dumps(saved, indent=1))
    b.add(
        "tamper",
        "untouched",
        steps=[["report", reference, "-o", str(b.case_dir() / "r.md")]],
        guard=[reference],
    )

    def grade_index() -> int:
        return next(i for i, r in enumerate(saved["results"]) if r["suggested_grade"] is not None)

    edits: dict[str, tuple[Any, str]] = {}

    def edit(name: str, fn: Any, expect: str = "error") -> None:
        edits[name] = (fn, expect)

    gi = grade_index()
    edit(
        "suggested-grade-up",
        lambda d: d["results"][gi].__setitem__(
            "suggested_grade", (d["results"][gi]["suggested_grade"] % 6) + 1
        ),
    )
    edit("suggested-grade-none", lambda d: d["results"][gi].__setitem__("suggested_grade", None))
    edit(
        "no-grade-reason-added",
        lambda d: d["results"][gi].__setitem__("no_grade_reason", "made up"),
    )
    edit(
        "fired-rules-dropped",
        lambda d: (
            d["results"][gi].__setitem__("fired", [])
            if "fired" in d["results"][gi]
            else d["results"][gi].__setitem__("suggested_grade", 6)
        ),
    )
    edit(
        "capacity-grade",
        lambda d: d["capacity"].__setitem__("grade", (d["capacity"]["grade"] or 1) % 6 + 1),
    )
    edit(
        "capacity-confidence",
        lambda d: d["capacity"].__setitem__(
            "confidence",
            "very confident"
            if d["capacity"]["confidence"] != "very confident"
            else "not yet confident",
        ),
    )
    edit(
        "profile-counts",
        lambda d: d["results"][gi]["profile"]["counts"].__setitem__("strengths", 999),
    )
    edit("result-dropped", lambda d: d["results"].pop(gi))
    edit("result-duplicated", lambda d: d["results"].append(copy.deepcopy(d["results"][gi])))

    def flip(d: dict[str, Any]) -> None:
        target = d["results"][gi]["qi"]
        for f in d["evidence"]["findings"]:
            if f["qi"] == target:
                f["valence"] = "weakness" if f["valence"] == "strength" else "strength"
                f.pop("sustained", None)
                f.pop("sector_leading", None)
                f.pop("critical", None)

    edit("findings-valence-flipped", flip)
    edit("finding-removed", lambda d: d["evidence"]["findings"].pop(0), "any")
    edit("rules-name", lambda d: d.__setitem__("rules", "someone-elses-rules"))
    edit("framework-version", lambda d: d.__setitem__("framework_version", "999"))
    edit("framework-path", lambda d: d.__setitem__("framework", "/dev/zero"))
    edit("kind-missing", lambda d: d.pop("kind"))
    edit("schema-true", lambda d: d.__setitem__("schema_version", True))
    edit("schema-float", lambda d: d.__setitem__("schema_version", 1.0))
    for label, value in (
        ("arabic-3", "\u0663"),
        ("fullwidth-3", "\uff13"),
        ("string-3", "3"),
        ("float-3", 3.0),
        ("true", True),
        ("seven", 7),
        ("zero", 0),
        ("minus", -1),
        ("nan-string", "NaN"),
    ):
        edit(
            f"decision-grade-{label}", lambda d, v=value: d["decisions"][0].__setitem__("grade", v)
        )
    edit("decision-date-int", lambda d: d["decisions"][0].__setitem__("date", 20260301))
    edit("decision-unknown-qi", lambda d: d["decisions"][0].__setitem__("qi", "99.9"))
    edit("decision-rationale-dropped", lambda d: d["decisions"][0].__setitem__("rationale", ""))
    edit(
        "decision-role-escape",
        lambda d: d["decisions"][0].__setitem__("role", "\x1b]0;qxosc\x07"),
        "any",
    )
    edit(
        "decision-rationale-markup",
        lambda d: d["decisions"][0].__setitem__(
            "rationale", MARKUP["md-heading"] + " " + MARKUP["html-tag"]
        ),
        "any",
    )
    edit("evidence-date-int", lambda d: d["evidence"].__setitem__("date", 20260301))
    edit("decisions-duplicated", lambda d: d["decisions"].append(copy.deepcopy(d["decisions"][0])))
    for name, (fn, expect) in edits.items():
        doc = copy.deepcopy(saved)
        fn(doc)
        # TOML is slow to write: a sample of the edits in TOML too.
        for fmt in ("json", "toml") if name in TOML_TAMPERS else ("json",):
            if fmt == "json":
                data = json.dumps(doc, indent=1)
            else:
                data = _convert.dumps_document(doc, "toml")
            path = b.put(f"tamper-{name}.{fmt}", data)
            d = b.case_dir()
            outs = [str(d / "r.md"), str(d / "r.html"), str(d / "ps.md")]
            b.add(
                "tamper",
                f"{name}/{fmt}",
                steps=[
                    ["report", path, "--format", "markdown", "-o", outs[0]],
                    ["report", path, "--format", "html", "-o", outs[1]],
                    ["report", path, "--format", "position-statement", "-o", outs[2]],
                    ["validate", path],
                    ["diff", path, reference],
                    ["evaluate", b.small, "--previous", path, "-o", str(d / "e.md")],
                ],
                guard=[path, reference],
                outputs=outs,
                expect=expect,
                cwd=str(d),
            )
            b.add(
                "tamper",
                f"{name}/{fmt}/load_evaluation",
                call={"fn": "load_evaluation", "path": path},
                guard=[path],
                expect=expect,
            )


def concurrency(b: Builder) -> None:
    for k in range(6):
        b.add(
            "threads",
            f"cache-clear/{k}",
            kind="threads",
            call={"path": b.example, "threads": 4, "rounds": 6, "seed": k},
        )


def interrupts(b: Builder) -> None:
    rng = random.Random(7)
    for k in range(40):
        d = b.case_dir()
        b.add(
            "interrupt",
            f"random-point/{k}",
            kind="interrupt",
            call={"path": b.example, "delay": rng.uniform(0.0, 0.25), "api": k % 2 == 0},
            steps=[["evaluate", b.example, "-o", str(d / "r.md"), "--save", str(d / "s.json")]],
            cwd=str(d),
        )


def mutations(b: Builder) -> None:
    """Truncations and byte edits of a valid findings file, TOML and JSON."""
    rng = random.Random(11)
    sources = {
        "toml": findings_toml(TOP, base_findings()[:3]).encode(),
        "json": json.dumps({**TOP, "findings": base_findings()[:3]}).encode(),
    }
    for fmt, data in sources.items():
        for k in range(100):
            cut = rng.randrange(len(data))
            path = b.put(f"mut-{fmt}-cut-{k}.{fmt}", data[:cut])
            b.add("mutation", f"{fmt}/cut-{k}", steps=[["validate", path]], guard=[path])
        for k in range(200):
            edited = bytearray(data)
            for _ in range(rng.randint(1, 4)):
                pos = rng.randrange(len(edited))
                edited[pos] = rng.choice(
                    [0, 0x1B, 0x22, 0x5B, 0x7B, 0x5C, 0x0A, 0xFF, 0xC0, rng.randrange(256)]
                )
            path = b.put(f"mut-{fmt}-edit-{k}.{fmt}", bytes(edited))
            b.add("mutation", f"{fmt}/edit-{k}", steps=[["validate", path]], guard=[path])


def usage(b: Builder) -> None:
    argvs = [
        [],
        ["evaluate"],
        ["evaluate", b.small, "--format", "pdf"],
        ["evaluate", b.small, "-o"],
        ["nonsense"],
        ["evaluate", "-h"],
        ["--version"],
        ["show", "99.9"],
        ["show", "5.2", "--framework", "qif-1999"],
        ["frameworks"],
        ["validate", ""],
        ["evaluate", b.small, "--save", str(b.shared / "out.pdf")],
        ["evaluate", b.small, "-o", ""],
        ["validate", "-"],
        ["validate", "\x00"],
        ["validate", "a" * 300 + ".toml"],
        ["validate", "/" + "a/" * 600 + "x.toml"],
    ]
    for i, argv in enumerate(argvs):
        b.add("usage", f"argv-{i}", steps=[argv], expect="any")


def build(root: Path) -> list[Case]:
    b = Builder(root)
    # Quick categories first, those that hang on blocking reads last: a run
    # stopped after too many hangs has still tried most of the corpus.
    outputs(b)
    escapes(b)
    encodings(b)
    mutations(b)
    usage(b)
    personal_ids(b)
    tampering(b)
    rule_sets(b)
    concurrency(b)
    interrupts(b)
    sizes(b)
    depth(b)
    special_files(b)
    return b.finalise()


if __name__ == "__main__":
    out = Path(sys.argv[1])
    cases = build(out)
    (out / "cases.json").write_text(json.dumps(cases), encoding="utf-8")
    print(len(cases))
