"""Files: the command line never loses a user's file, every read checks the
file's suffix, type and size first, a findings file's framework key is an
id, and what the command line prints cannot act on a terminal."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import qifeval
from qifeval import _convert
from qifeval._cli import clip, main, printable

FINDINGS = """schema_version = 1
partnership = "Example"
framework = "{framework}"

[[findings]]
id = "F1"
qi = "5.2"
statement = "most assessments were timely"
valence = "strength"
weight = "important"
source = "practice"
"""


@pytest.fixture
def findings(tmp_path: Path) -> Path:
    p = tmp_path / "findings.toml"
    p.write_text(FINDINGS.format(framework="qif-2018"), encoding="utf-8")
    return p


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def assert_refused(code: int, err: str, *words: str) -> None:
    assert code == 1, err
    assert err.startswith("qifeval: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for word in words:
        assert word in err, err


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- outputs never replace inputs --------------------------------------------


@pytest.mark.parametrize("option", ["-o", "--save"])
@pytest.mark.parametrize("force", [[], ["--force"]])
def test_an_output_never_replaces_the_input(capsys, findings, option, force) -> None:
    before = findings.read_bytes()
    code, _, err = run(capsys, "evaluate", findings, option, findings, *force)
    assert_refused(code, err, "same file", "input FILE")
    assert findings.read_bytes() == before
    assert leftovers(findings.parent) == []


def test_links_to_the_input_are_the_input(capsys, findings, tmp_path) -> None:
    before = findings.read_bytes()
    (tmp_path / "soft.toml").symlink_to(findings)
    os.link(findings, tmp_path / "hard.toml")
    (tmp_path / "sub").mkdir()
    dotted = tmp_path / "sub" / ".." / "findings.toml"
    for output, extra in (
        (tmp_path / "soft.toml", ["--follow-symlinks"]),
        (tmp_path / "hard.toml", []),
        (dotted, []),
    ):
        code, _, err = run(capsys, "evaluate", findings, "-o", output, "--force", *extra)
        assert_refused(code, err, "same file")
    # and the other way round: the input given through a link
    code, _, err = run(capsys, "evaluate", tmp_path / "soft.toml", "-o", findings, "--force")
    assert_refused(code, err, "same file")
    assert findings.read_bytes() == before


def test_every_input_option_is_protected(capsys, findings, tmp_path) -> None:
    saved = tmp_path / "saved.json"
    assert run(capsys, "evaluate", findings, "--save", saved)[0] == 0
    names = tmp_path / "names.txt"
    names.write_text("Rowan\n", encoding="utf-8")
    rules = tmp_path / "rules.toml"
    rules.write_text('schema_version = 1\nbase = "default"\nname = "mine"\n', encoding="utf-8")
    framework = tmp_path / "fw.toml"
    qifeval.dump_framework(qifeval.load_framework("qif-2018"), framework)
    protected = [
        ("--previous", saved),
        ("--names", names),
        ("--rules", rules),
        ("--capacity-rules", rules),
        ("--framework", framework),
    ]
    for option, path in protected:
        before = path.read_bytes()
        for out in ("-o", "--save"):
            args = ["evaluate", findings, option, path, out, path, "--force"]
            code, _, err = run(capsys, *args)
            assert_refused(code, err, "same file", option)
            assert path.read_bytes() == before
    before = saved.read_bytes()
    for args in (
        ["report", saved, "-o", saved, "--force"],
        ["report", saved, "--names", names, "-o", names, "--force"],
    ):
        code, _, err = run(capsys, *args)
        assert_refused(code, err, "same file")
    assert saved.read_bytes() == before


def test_two_outputs_cannot_be_one_file(capsys, findings, tmp_path) -> None:
    out = tmp_path / "out.json"
    code, _, err = run(capsys, "evaluate", findings, "-o", out, "--save", out)
    assert_refused(code, err, "--output and --save are the same file")
    out.write_text("kept", encoding="utf-8")
    (tmp_path / "link.json").symlink_to(out)
    code, _, err = run(
        capsys,
        "evaluate",
        findings,
        "-o",
        tmp_path / "link.json",
        "--save",
        out,
        "--force",
        "--follow-symlinks",
    )
    assert_refused(code, err, "same file")
    assert out.read_text(encoding="utf-8") == "kept"


# --- existing files, links and targets that are not files ---------------------


def test_existing_files_are_replaced_only_with_force(capsys, findings, tmp_path) -> None:
    report = tmp_path / "report.md"
    report.write_text("my notes", encoding="utf-8")
    for option in ("-o", "--save"):
        target = report if option == "-o" else tmp_path / "notes.json"
        target.write_text("my notes", encoding="utf-8")
        code, _, err = run(capsys, "evaluate", findings, option, target)
        assert_refused(code, err, "existing file", "--force")
        assert target.read_text(encoding="utf-8") == "my notes"
    code, _, err = run(capsys, "evaluate", findings, "-o", report, "--force")
    assert code == 0, err
    assert report.read_text(encoding="utf-8").startswith("# Evaluation of Example")
    assert leftovers(tmp_path) == []


def test_dash_and_no_output_mean_standard_output(capsys, findings) -> None:
    for args in ([], ["-o", "-"]):
        code, out, err = run(capsys, "evaluate", findings, *args)
        assert code == 0, err
        assert out.startswith("# Evaluation of Example")
    with pytest.raises(SystemExit) as info:
        main(["evaluate", str(findings), "--save", "-"])
    assert info.value.code == 2


def special_files(tmp_path: Path) -> dict[str, Path]:
    """A FIFO, a character device like /dev/null (root only), a socket and
    a directory, all inside *tmp_path*."""
    found = {}
    fifo = tmp_path / "fifo.md"
    os.mkfifo(fifo)
    found["a FIFO"] = fifo
    device = tmp_path / "null.md"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        found["a character device"] = device
    except PermissionError:
        pass
    sock_path = tmp_path / "s.md"
    if len(str(sock_path)) < 100:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(sock_path))
        sock.close()
        found["a socket"] = sock_path
    folder = tmp_path / "folder.md"
    folder.mkdir()
    found["a directory"] = folder
    return found


def test_special_files_are_never_written(capsys, findings, tmp_path) -> None:
    for kind, path in special_files(tmp_path).items():
        mode = os.lstat(path).st_mode
        for follow in ([], ["--follow-symlinks"]):
            code, _, err = run(capsys, "evaluate", findings, "-o", path, "--force", *follow)
            assert_refused(code, err, kind, "not a regular file")
            code, _, err = run(capsys, "evaluate", findings, "--save", path, "--force", *follow)
            assert_refused(code, err, kind)
        link = tmp_path / f"link-{path.name}"
        link.symlink_to(path)
        code, _, err = run(capsys, "evaluate", findings, "-o", link, "--force", "--follow-symlinks")
        assert_refused(code, err, "link points to " + kind)
        assert os.lstat(path).st_mode == mode  # not replaced by a regular file
        assert os.path.islink(link)
        with pytest.raises(qifeval.InputError, match=kind):
            _convert.write_text_atomic(path, "text")
        with pytest.raises(qifeval.InputError, match=kind):
            _convert.write_text_atomic(link, "text")
        assert os.lstat(path).st_mode == mode
    assert leftovers(tmp_path) == []


def test_symbolic_links_are_followed_only_when_asked(capsys, findings, tmp_path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    code, _, err = run(capsys, "evaluate", findings, "-o", link, "--force")
    assert_refused(code, err, "symbolic link", "--follow-symlinks")
    assert real.read_text(encoding="utf-8") == "old" and link.is_symlink()
    code, _, err = run(capsys, "evaluate", findings, "-o", link, "--force", "--follow-symlinks")
    assert code == 0, err
    assert link.is_symlink(), "the link is kept"
    assert real.read_text(encoding="utf-8").startswith("# Evaluation of Example")
    # an existing file behind the link still needs --force
    code, _, err = run(capsys, "evaluate", findings, "-o", link, "--follow-symlinks")
    assert_refused(code, err, "existing file")


def test_the_api_writes_regular_files_and_through_links(tmp_path) -> None:
    ev = qifeval.EvidenceSet(partnership="P", findings=[])
    target = tmp_path / "f.toml"
    target.write_text("old", encoding="utf-8")
    qifeval.dump_findings(ev, target)  # replaces, as documented
    assert qifeval.load_findings(target) == ev
    link = tmp_path / "link.toml"
    link.symlink_to(target)
    qifeval.dump_findings(ev, link, fmt="toml")
    assert link.is_symlink() and qifeval.load_findings(target) == ev


# --- atomic writes and temporary files ----------------------------------------


@pytest.mark.parametrize("overwrite", [True, False])
@pytest.mark.parametrize("failure", [KeyboardInterrupt, OSError])
def test_temporary_files_are_removed_on_any_failure(
    tmp_path, monkeypatch, overwrite, failure
) -> None:
    target = tmp_path / "report.md"
    if overwrite:
        target.write_text("previous", encoding="utf-8")
    seen = []

    def fail(src: str, dst: object) -> None:
        seen.append(Path(src).name)
        raise failure("interrupted")

    monkeypatch.setattr(os, "replace", fail)
    monkeypatch.setattr(os, "link", fail)
    with pytest.raises(failure):
        _convert.write_text_atomic(target, "new", overwrite=overwrite)
    assert seen and re.fullmatch(r"\.report\.md\.qifeval-[^.]+\.tmp", seen[0]), seen
    assert _convert.is_temporary_name(seen[0])
    assert leftovers(tmp_path) == []
    if overwrite:
        assert target.read_text(encoding="utf-8") == "previous"
    else:
        assert not target.exists()


def test_leftover_temporary_files_do_not_get_in_the_way(capsys, findings, tmp_path) -> None:
    # what a save killed with SIGKILL leaves behind
    stale = tmp_path / ".report.md.qifeval-abc123.tmp"
    stale.write_text("half", encoding="utf-8")
    code, _, err = run(capsys, "evaluate", findings, "-o", tmp_path / "report.md")
    assert code == 0, err
    assert stale.read_text(encoding="utf-8") == "half"
    code, _, err = run(capsys, "validate", stale)
    assert_refused(code, err, "temporary file", "can be deleted")


def test_no_overwrite_refuses_a_file_that_appears_meanwhile(tmp_path, monkeypatch) -> None:
    target = tmp_path / "out.md"
    real_fsync = os.fsync

    def appear(fd: int) -> None:
        real_fsync(fd)
        target.write_text("someone else's", encoding="utf-8")

    monkeypatch.setattr(os, "fsync", appear)
    with pytest.raises(qifeval.InputError, match="existing file"):
        _convert.write_text_atomic(target, "mine", overwrite=False)
    assert target.read_text(encoding="utf-8") == "someone else's"
    assert leftovers(tmp_path) == []


# --- reading: suffix, type, size ----------------------------------------------


def test_the_suffix_is_checked_before_anything_is_read(capsys) -> None:
    code, _, err = run(capsys, "validate", "/dev/zero")
    assert_refused(code, err, "unknown file type")


def test_only_regular_files_are_read(capsys, findings, tmp_path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)  # opening it for reading would block
    folder = tmp_path / "folder.json"
    folder.mkdir()
    for path, kind in ((fifo, "a FIFO"), (folder, "a directory")):
        with pytest.raises(qifeval.InputError, match=kind) as info:
            qifeval.load_findings(path)
        assert info.value.file == str(path)
        code, _, err = run(capsys, "validate", path)
        assert_refused(code, err, kind)
        code, _, err = run(capsys, "validate", findings, "--names", path)
        assert_refused(code, err, "names file", kind)
        with pytest.raises(qifeval.FrameworkError, match=kind):
            qifeval.load_framework(path)


def test_files_over_the_size_limit_are_refused(capsys, findings, monkeypatch) -> None:
    size = findings.stat().st_size
    monkeypatch.setenv("QIFEVAL_MAX_FILE_BYTES", str(size))
    assert qifeval.load_findings(findings).partnership == "Example"
    monkeypatch.setenv("QIFEVAL_MAX_FILE_BYTES", str(size - 1))
    with pytest.raises(qifeval.InputError, match="larger than the limit") as info:
        qifeval.load_findings(findings)
    assert info.value.file == str(findings)
    code, _, err = run(capsys, "validate", findings)
    assert_refused(code, err, "QIFEVAL_MAX_FILE_BYTES")
    for bad in ("0", "-5", "lots"):
        monkeypatch.setenv("QIFEVAL_MAX_FILE_BYTES", bad)
        with pytest.raises(qifeval.InputError, match="positive whole number"):
            qifeval.load_findings(findings)


def test_a_file_growing_after_the_check_is_read_only_to_the_limit(findings, monkeypatch) -> None:
    monkeypatch.setenv("QIFEVAL_MAX_FILE_BYTES", "1000")
    real_fstat = os.fstat
    reads = []
    real_read = os.read

    def grow(fd: int) -> os.stat_result:
        with open(findings, "a", encoding="utf-8") as fh:
            fh.write("#" * 5000 + "\n")
        return real_fstat(fd)

    def counting_read(fd: int, n: int) -> bytes:
        data = real_read(fd, n)
        reads.append(len(data))
        return data

    monkeypatch.setattr(os, "fstat", grow)
    monkeypatch.setattr(os, "read", counting_read)
    with pytest.raises(qifeval.InputError, match="larger than the limit"):
        _convert.read_document(findings)
    assert sum(reads) == 1001


# --- the framework key is an id -------------------------------------------------


def test_the_framework_key_is_never_a_path(capsys, tmp_path) -> None:
    fifo = tmp_path / "fw.toml"
    os.mkfifo(fifo)
    existing = tmp_path / "exists.toml"
    qifeval.dump_framework(qifeval.load_framework("qif-2018"), existing)
    messages = []
    for value in ("/dev/zero", str(fifo), str(existing), str(tmp_path / "missing.toml")):
        p = tmp_path / "findings.toml"
        p.write_text(FINDINGS.format(framework=value), encoding="utf-8")
        with pytest.raises(qifeval.InputError) as info:
            qifeval.load_findings(p)
        assert info.value.path == "framework"
        assert "bundled framework" in info.value.problem
        messages.append(info.value.problem.replace(repr(value), "VALUE"))
        code, _, err = run(capsys, "validate", p)
        assert_refused(code, err, "at framework")
    # the message does not tell which files exist
    assert len(set(messages)) == 1, messages
    # a framework file is given explicitly
    p = tmp_path / "findings.toml"
    p.write_text(FINDINGS.format(framework="qif-2018"), encoding="utf-8")
    code, _, err = run(capsys, "validate", p, "--framework", existing)
    assert code == 0, err


# --- terminal safety ------------------------------------------------------------

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@given(st.text())
def test_printable_leaves_no_control_characters(text: str) -> None:
    safe = printable(text)
    assert UNSAFE.search(safe) is None
    if UNSAFE.search(text) is None:
        assert safe == text
    else:
        assert "\\x" in safe or "\\u" in safe


@given(st.text(), st.integers(1, 300))
def test_clip_keeps_short_text_and_marks_cut_text(text: str, limit: int) -> None:
    cut = clip(text, limit)
    assert len(cut) <= limit
    assert cut == text if len(text) <= limit else cut.endswith("…") and text.startswith(cut[:-1])


def test_escape_sequences_never_reach_the_terminal(capsys, findings, tmp_path) -> None:
    osc = "\x1b]0;owned\x07\x1b[2J\u202e"
    code, out, err = run(capsys, "show", "5.9" + osc)
    assert code == 1 and UNSAFE.search(out + err) is None and "\\x1b" in err
    code, out, err = run(capsys, "show", "5" + "9" * 1000)
    assert code == 1 and "…" in err and len(err) < 1000
    for argv in (  # usage errors echo the command line too
        ["evaluate", str(findings), "--format", "p\x1bdf"],
        ["validate", str(findings), "\x1b]0;owned\x07", "\x9b2J"],
    ):
        with pytest.raises(SystemExit):
            main(argv)
        out, err = capsys.readouterr()
        assert UNSAFE.search(out + err) is None and "\\x" in err
    evil = tmp_path / "evil.toml"
    evil.write_text(
        FINDINGS.format(framework="qif-2018")
        .replace('partnership = "Example"', 'partnership = "Ex\\u001b[31mample"')
        .replace('id = "F1"', 'id = "F\\u001b]0;x\\u0007"')
        .replace('weight = "important"', 'weight = "huge"'),
        encoding="utf-8",
    )
    code, out, err = run(capsys, "validate", evil)
    assert code == 1 and UNSAFE.search(out + err) is None and "\\x1b" in err
    good = tmp_path / "named\x1b[1m.toml"
    good.write_text(
        evil.read_text(encoding="utf-8").replace('"huge"', '"important"'), encoding="utf-8"
    )
    for args in (["validate", good], ["diff", good, findings]):
        code, out, err = run(capsys, *args)
        assert code == 0, err
        assert UNSAFE.search(out + err) is None


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stopped_save_leaves_no_temporary_file(
    capsys, findings, tmp_path, monkeypatch, signum, code
) -> None:
    target = tmp_path / "saved.json"
    real_fsync = os.fsync

    def stop(fd: int) -> None:
        real_fsync(fd)
        os.kill(os.getpid(), signum)

    monkeypatch.setattr(os, "fsync", stop)
    before = signal.getsignal(signal.SIGTERM)
    assert run(capsys, "evaluate", findings, "--save", target)[0] == code
    assert not target.exists()
    assert leftovers(tmp_path) == []
    assert signal.getsignal(signal.SIGTERM) == before


def test_the_next_write_removes_what_a_killed_writer_left(capsys, findings, tmp_path) -> None:
    import subprocess
    import sys

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)  # a process that has ended
    left = tmp_path / f".report.md.qifeval-{dead_pid}-x1y2z3.tmp"
    live = tmp_path / f".report.md.qifeval-{os.getppid()}-a1b2c3.tmp"  # still running
    other = tmp_path / f".other.md.qifeval-{dead_pid}-q1w2e3.tmp"  # another target's
    for p in (left, live, other):
        p.write_text("half", encoding="utf-8")
    code, _, err = run(capsys, "evaluate", findings, "-o", tmp_path / "report.md")
    assert code == 0, err
    assert not left.exists()
    assert live.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".report")) == [live.name]
