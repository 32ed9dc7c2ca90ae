"""The hostile-input suite: a few thousand deterministic hostile inputs run
through the command line and the public API in a child process.

Every case must end in success or a clear error: no crash (a signal), no
hang, no traceback, no input file changed or removed, no user text turned
into Markdown or HTML structure or terminal control sequences, no personal
data or foreign file content in a report, no temporary files left behind.
The corpus is built by ``tests/hostile/corpus.py`` and run by
``tests/hostile/worker.py``; this module supervises the worker: if it dies
by a signal or stops answering, the current case is recorded as a crash or
a hang and a new worker resumes after it.
"""

from __future__ import annotations

import collections
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "hostile"))

from corpus import EXAMPLE, fingerprint  # noqa: E402

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="FIFOs, sockets, /dev and signals as on Linux"
)

WATCHDOG = 10.0  # seconds per case, unless the case sets its own
MAX_HANGS = int(os.environ.get("HOSTILE_MAX_HANGS", "8"))
BAD = (
    "crash",
    "hang",
    "traceback",
    "lost",
    "injection",
    "leak",
    "litter",
    "unclear",
    "wrong",
    "accepted",
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])])
    env["PYTHONWARNINGS"] = "default"
    env.pop("PYTHONHASHSEED", None)
    return env


def _reader(stream: Any, q: queue.Queue[tuple[str, Any] | None]) -> None:
    for line in stream:
        if line.startswith("@@start "):
            q.put(("start", int(line.split()[1])))
        elif line.startswith("@@done "):
            q.put(("done", json.loads(line[7:])))
    q.put(None)


def _drain(stream: Any, tail: collections.deque[str]) -> None:
    for line in stream:
        tail.append(line)


def run_corpus(cases_file: Path, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run every case in worker processes; returns one result per case."""
    results: dict[int, dict[str, Any]] = {}
    index, hangs = 0, 0
    while index < len(cases) and hangs < MAX_HANGS:
        proc = subprocess.Popen(
            [sys.executable, str(HERE / "hostile" / "worker.py"), str(cases_file), str(index)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=_env(),
            cwd=ROOT,
        )
        q: queue.Queue[tuple[str, Any] | None] = queue.Queue()
        reader = threading.Thread(target=_reader, args=(proc.stdout, q), daemon=True)
        reader.start()
        err_lines: collections.deque[str] = collections.deque(maxlen=5)
        drain = threading.Thread(target=_drain, args=(proc.stderr, err_lines), daemon=True)
        drain.start()
        current: int | None = None
        while True:
            timeout = (
                WATCHDOG if current is None else float(cases[current].get("timeout", WATCHDOG))
            )
            try:
                msg = q.get(timeout=timeout + (30 if current is None else 0))
            except queue.Empty:
                msg = ("hang", None)
            if msg is not None and msg[0] == "start":
                current = msg[1]
                continue
            if msg is not None and msg[0] == "done":
                results[msg[1]["index"]] = msg[1]
                current = None
                index = msg[1]["index"] + 1
                continue
            # The worker died or stopped answering.
            if msg is not None:
                proc.kill()
            proc.wait()
            if current is None:
                if index >= len(cases):
                    break
                current = index  # died between cases: blame the next one
            case = cases[current]
            if msg is not None:
                outcome, detail = "hang", f"no answer within {timeout:g} s"
                hangs += 1
            else:
                sig = -proc.returncode if proc.returncode and proc.returncode < 0 else None
                name = signal.Signals(sig).name if sig else f"exit {proc.returncode}"
                outcome, detail = "crash", f"worker died ({name}): {' '.join(err_lines)[-200:]}"
            lost = [p for p, fp in case["fp"].items() if fingerprint(p) != fp]
            if lost:
                outcome, detail = "lost", f"{lost} changed ({outcome})"
            results[current] = {
                "index": current,
                "id": case["id"],
                "cat": case["cat"],
                "outcome": outcome,
                "detail": detail,
                "seconds": timeout,
            }
            index = current + 1
            break
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(10)
        drain.join(10)
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]
    return [results[i] for i in sorted(results)]


def summary(cases: list[dict[str, Any]], results: list[dict[str, Any]], seconds: float) -> str:
    by_cat: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for r in results:
        by_cat[r["cat"]][r["outcome"]] += 1
    cols = ["ok", "error", *BAD]
    lines = [f"hostile inputs: {len(results)} of {len(cases)} cases run in {seconds:.0f} s"]
    lines.append(f"{'category':<10}" + "".join(f"{c:>10}" for c in ["tried", *cols]))
    total: collections.Counter[str] = collections.Counter()
    for cat, counts in sorted(by_cat.items()):
        total.update(counts)
        lines.append(
            f"{cat:<10}{sum(counts.values()):>10}" + "".join(f"{counts[c]:>10}" for c in cols)
        )
    lines.append(f"{'all':<10}{sum(total.values()):>10}" + "".join(f"{total[c]:>10}" for c in cols))
    # Failures grouped by outcome and by the first two parts of the case id,
    # with one example each.
    groups: dict[tuple[str, str], list[dict[str, Any]]] = collections.defaultdict(list)
    for r in results:
        if r["outcome"] in BAD:
            groups[(r["outcome"], "/".join(r["id"].split("/")[:2]))].append(r)
    for (outcome, prefix), rs in sorted(groups.items()):
        lines.append(
            f"  {outcome:<9} {prefix} ({len(rs)}): e.g. {rs[0]['id']}: {rs[0]['detail'][:200]}"
        )
    slow = sorted(results, key=lambda r: -r["seconds"])[:3]
    lines.append("slowest: " + ", ".join(f"{r['id']} {r['seconds']:.1f} s" for r in slow))
    return "\n".join(lines)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    root = tmp_path_factory.mktemp("hostile")
    subprocess.run(
        [sys.executable, str(HERE / "hostile" / "corpus.py"), str(root)],
        check=True,
        env=_env(),
        cwd=ROOT,
        timeout=300,
        capture_output=True,
    )
    cases_file = root / "cases.json"
    return cases_file, json.loads(cases_file.read_text(encoding="utf-8"))


def test_corpus_covers_every_category_with_unique_ids(
    corpus: tuple[Path, list[dict[str, Any]]],
) -> None:
    _, cases = corpus
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids))
    cats = collections.Counter(c["cat"] for c in cases)
    for cat in (
        "special",
        "output",
        "escape",
        "encoding",
        "depth",
        "size",
        "personal",
        "rules",
        "tamper",
        "threads",
        "interrupt",
    ):
        assert cats[cat] > 0, cat
    assert len(cases) >= 1000


def test_hostile_inputs(corpus: tuple[Path, list[dict[str, Any]]]) -> None:
    cases_file, cases = corpus
    only = os.environ.get("HOSTILE_ONLY")  # e.g. "rules,tamper": a quicker local run
    if only:
        cases = [c for c in cases if c["cat"] in only.split(",")]
        cases_file = cases_file.with_name("selected.json")
        cases_file.write_text(json.dumps(cases), encoding="utf-8")
    started = time.monotonic()
    results = run_corpus(cases_file, cases)
    report = summary(cases, results, time.monotonic() - started)
    if os.environ.get("HOSTILE_RESULTS"):  # every outcome, for a closer look
        Path(os.environ["HOSTILE_RESULTS"]).write_text(
            json.dumps(results, indent=0), encoding="utf-8"
        )
    print("\n" + report)
    counts = collections.Counter(r["outcome"] for r in results)
    assert len(results) == len(cases) and not any(counts[c] for c in BAD), report


def test_kill_9_leaves_no_temporary_files_and_no_half_written_output(tmp_path: Path) -> None:
    """A run killed at any point leaves the output either absent, as it was,
    or complete, and the next run leaves no stray files behind."""
    src = tmp_path / "findings.toml"
    src.write_bytes(EXAMPLE.read_bytes())
    out, save = tmp_path / "report.html", tmp_path / "saved.json"
    argv = [
        sys.executable,
        "-m",
        "qifeval",
        "evaluate",
        str(src),
        "--format",
        "html",
        "-o",
        str(out),
        "--save",
        str(save),
        "--force",  # each run replaces the outputs of the one before
    ]
    subprocess.run(argv, check=True, env=_env(), timeout=120, capture_output=True)
    full_out, full_save = out.read_bytes(), save.read_bytes()
    started = time.monotonic()
    subprocess.run(argv, check=True, env=_env(), timeout=120, capture_output=True)
    runtime = time.monotonic() - started
    out.write_bytes(b"old report\n")
    expected = {"findings.toml", "report.html", "saved.json"}
    for k in range(8):
        proc = subprocess.Popen(
            argv, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if k % 2 == 0:
            # Kill as soon as anything new appears beside the output (a
            # temporary file being written), or at the end.
            deadline = time.monotonic() + 3 * runtime + 10
            while proc.poll() is None and time.monotonic() < deadline:
                if set(os.listdir(tmp_path)) - expected:
                    break
                time.sleep(0.0005)
        else:
            time.sleep(runtime * (0.5 + 0.1 * k))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert out.read_bytes() in (b"old report\n", full_out)
        if save.exists():
            assert save.read_bytes() == full_save
    subprocess.run(argv, check=True, env=_env(), timeout=120, capture_output=True)
    assert src.read_bytes() == EXAMPLE.read_bytes()
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["findings.toml", "report.html", "saved.json"]), left
