"""Every documentation page runs as a reader types it.

Each page's Python examples (``>>>`` examples in ``doctest`` directives and
``python`` code blocks) are run in document order as one script, in a fresh
interpreter whose working directory is the repository's root, as a reader
pasting them into a Python session started there would. Printed output is
compared with the page where the page shows it. Examples hidden from the
reader (``:hide:``) are left out: a page must not depend on them. They, and
the docstrings the API reference pulls in, run under ``sphinx -b doctest``.

The ``qifeval ...`` commands in a page's shell blocks are run too, as
``python -m qifeval``, twice over (a reader may run them again), in a
temporary copy of the clone's example folders so that nothing is written into
the repository.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Literal

import attrs
import pytest

import qifeval

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
# The folders a page's paths may name, relative to the clone's root.
EXAMPLE_FOLDERS = ("examples", "docs/examples")

Kind = Literal["doctest", "hidden-doctest", "python", "shell"]


@attrs.frozen(kw_only=True)
class Step:
    """One example of a page: its kind, its text and its line in the page."""

    kind: Kind
    text: str
    line: int


_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
_DIRECTIVE = re.compile(r"^(?P<indent>\s*)\.\. (?P<name>[\w-]+)::(?P<args>.*)$")
_SHELL_LANGUAGES = {"sh", "bash", "shell", "console"}
_PYTHON_LANGUAGES = {"python", "py", "python3"}


def _rst_doctests(lines: list[str], first_line: int) -> list[Step]:
    """The ``doctest`` directives of an ``{eval-rst}`` block."""
    steps: list[Step] = []
    i = 0
    while i < len(lines):
        m = _DIRECTIVE.match(lines[i])
        if not m:
            i += 1
            continue
        name, indent = m["name"], len(m["indent"])
        if name in ("testsetup", "testcleanup", "testcode", "testoutput"):
            raise AssertionError(
                f"line {first_line + i}: '.. {name}::' is not run by the page runner; "
                "use a visible '.. doctest::' block"
            )
        i += 1
        body: list[str] = []
        while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > indent):
            body.append(lines[i])
            i += 1
        if name != "doctest":
            continue
        text = textwrap.dedent("\n".join(body)).splitlines()
        # The directive's options come first, up to a blank line.
        n_options = 0
        while n_options < len(text) and text[n_options].startswith(":"):
            n_options += 1
        hidden = ":hide:" in (ln.strip() for ln in text[:n_options])
        code = "\n".join(text[n_options:])
        body_line = first_line + i - len(body) + n_options
        steps.append(
            Step(kind="hidden-doctest" if hidden else "doctest", text=code, line=body_line)
        )
    return steps


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def page_steps(path: Path) -> list[Step]:
    """A page's examples, in document order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    steps: list[Step] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, indent, info = m["fence"], len(m["indent"]), m["info"].strip()
        start = i + 1
        i += 1
        while i < len(lines) and not (
            lines[i].strip().startswith(fence)
            and set(lines[i].strip()) == {fence[0]}
            and _indent(lines[i]) <= indent
        ):
            i += 1
        body = [ln[indent:] if not ln[:indent].strip() else ln.lstrip() for ln in lines[start:i]]
        i += 1
        language = info.split()[0] if info else ""
        if language == "{eval-rst}":
            steps += _rst_doctests(body, start + 1)
        elif language in _PYTHON_LANGUAGES:
            steps.append(Step(kind="python", text="\n".join(body), line=start + 1))
        elif language in _SHELL_LANGUAGES:
            for n, ln in enumerate(body):
                command = ln.removeprefix("$ ")
                if command.startswith("qifeval "):
                    steps.append(Step(kind="shell", text=command, line=start + 1 + n))
    return steps


def _pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.relative_to(DOCS).parts)


PAGES = [p for p in _pages() if page_steps(p)]
PYTHON_PAGES = [p for p in PAGES if any(s.kind in ("doctest", "python") for s in page_steps(p))]
SHELL_PAGES = [p for p in PAGES if any(s.kind == "shell" for s in page_steps(p))]


def _ids(pages: list[Path]) -> list[str]:
    return [p.relative_to(DOCS).as_posix() for p in pages]


# The script a fresh interpreter runs: the page's steps arrive as JSON on
# standard input; doctest examples use the flags sphinx.ext.doctest uses.
_RUNNER = r"""
import contextlib, doctest, io, json, sys, traceback
page, steps = json.load(sys.stdin)
flags = doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL | doctest.DONT_ACCEPT_TRUE_FOR_1
runner = doctest.DocTestRunner(verbose=False, optionflags=flags)
parser = doctest.DocTestParser()
ns = {"__name__": "__main__"}
report = []
failed = 0
for kind, text, line in steps:
    if kind == "doctest":
        test = doctest.DocTest(parser.get_examples(text), ns, page, page, line - 1, None)
        test.globs = ns
        before = runner.failures
        runner.run(test, out=report.append, clear_globs=False)
        failed += runner.failures - before
    else:
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(text, f"{page}, line {line}", "exec"), ns)
        except BaseException:
            report.append(f"{page}, line {line}: python block failed\n" + traceback.format_exc())
            failed += 1
sys.stdout.write("".join(report))
sys.exit(1 if failed else 0)
"""


def _environment() -> dict[str, str]:
    """The test's own qifeval first on the path, nothing else changed."""
    env = dict(os.environ)
    source = str(Path(qifeval.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))
    return env


@pytest.mark.parametrize("page", PYTHON_PAGES, ids=_ids(PYTHON_PAGES))
def test_page_runs_as_one_script_from_the_root(page: Path) -> None:
    name = page.relative_to(DOCS).as_posix()
    steps = [(s.kind, s.text, s.line) for s in page_steps(page) if s.kind in ("doctest", "python")]
    done = subprocess.run(
        [sys.executable, "-c", _RUNNER],
        input=json.dumps([name, steps]),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_environment(),
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("page", SHELL_PAGES, ids=_ids(SHELL_PAGES))
def test_page_commands_run_from_a_clone(page: Path, tmp_path: Path) -> None:
    for folder in EXAMPLE_FOLDERS:
        shutil.copytree(ROOT / folder, tmp_path / folder)
    commands = [s for s in page_steps(page) if s.kind == "shell"]
    for attempt in (1, 2):
        for step in commands:
            args = shlex.split(step.text)[1:]
            done = subprocess.run(
                [sys.executable, "-m", "qifeval", *args],
                capture_output=True,
                text=True,
                cwd=tmp_path,
                env=_environment(),
                timeout=600,
            )
            assert done.returncode == 0, (
                f"{page.name}, line {step.line} (run {attempt}): {step.text}\n"
                f"exit {done.returncode}\n{done.stderr}"
            )


def test_the_runner_finds_every_example() -> None:
    # Every ">>>" line of every page is in an example the runner collects, so
    # a page cannot hide an example from it.
    for page in _pages():
        text = page.read_text(encoding="utf-8")
        shown = sum(1 for ln in text.splitlines() if ln.lstrip().startswith(">>> "))
        collected = sum(
            1
            for s in page_steps(page)
            if s.kind in ("doctest", "hidden-doctest")
            for ln in s.text.splitlines()
            if ln.lstrip().startswith(">>> ")
        )
        assert collected == shown, page
    tutorial = page_steps(DOCS / "tutorial.md")
    assert [s.kind for s in tutorial].count("doctest") == 8
    assert [s.text.split()[1] for s in tutorial if s.kind == "shell"] == ["evaluate", "report"]


def test_the_doctest_build_injects_no_names() -> None:
    # The doctest build adds nothing to the examples' namespace, and every
    # doctest on a page is in one group (the default), so a page runs in the
    # build as it does here: as one script, from nothing.
    conf = ast.parse((DOCS / "conf.py").read_text(encoding="utf-8"))
    (setup,) = [
        node.value
        for node in conf.body
        if isinstance(node, ast.Assign)
        and [getattr(t, "id", None) for t in node.targets] == ["doctest_global_setup"]
    ]
    code = eval(compile(ast.Expression(setup), "conf.py", "eval"), {"DOCS_DIR": DOCS})
    namespace: dict[str, object] = {}
    here = Path.cwd()
    try:
        exec(code, namespace)
        assert Path.cwd() == ROOT
    finally:
        os.chdir(here)
    assert set(namespace) == {"__builtins__"}
    for page in _pages():
        for n, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            m = _DIRECTIVE.match(line)
            if m and m["name"] == "doctest":
                assert not m["args"].strip(), f"{page.name}, line {n}: a named doctest group"
