"""Memory, resources and durable-rules' known crash paths."""

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

import qifeval
from qifeval import EvidenceSet, Finding
from qifeval.rules import _durable
from qifeval.rules._firing import _engine_for

FW = qifeval.load_framework("qif-2018")
KINDS = ["practice", "performance_data", "stakeholder_views", "documentation"]


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def evidence(i: int) -> EvidenceSet:
    qis = [qi.id for qi in FW.indicators]
    return EvidenceSet(
        partnership=f"P{i}",
        findings=[
            Finding(
                id=f"F{j}",
                qi=qis[(i + j) % 22],
                statement=f"finding {j}",
                valence="strength" if (i * j) % 4 else "weakness",
                weight=("minor", "important", "major")[(i + 2 * j) % 3],
                source=KINDS[(i + j) % 4],
                critical=(i * j) % 4 == 0 and j % 7 == 0,
            )
            for j in range(20 + i % 30)
        ],
    )


pytestmark = pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc (Linux)")


def test_5000_evaluations_keep_memory_and_sessions_bounded() -> None:
    inputs = [evidence(i) for i in range(50)]
    for e in inputs * 4:  # warm up caches and allocator pools
        qifeval.evaluate(e, FW)
    engine = _engine_for(qifeval.default_rules())
    threads = threading.active_count()
    before = rss_bytes()
    for k in range(5000):
        qifeval.evaluate(inputs[k % 50], FW)
        assert engine.live_sessions == 0
    growth = rss_bytes() - before
    print(f"\nmemory: RSS grew {growth / 1e6:.2f} MB over 5,000 evaluations")
    assert growth < 10 * 1024 * 1024
    assert threading.active_count() == threads
    assert _durable.live_engines() <= 8


def test_500_engine_cycles_free_their_rulesets() -> None:
    rules = qifeval.default_rules()
    facts = [{"id": r.qi, **r.profile.counts} for r in qifeval.evaluate(evidence(1), FW).results]
    for _ in range(20):
        with _durable.DurableEngine(rules) as engine:
            engine.fire(facts)
    engines, threads, before = _durable.live_engines(), threading.active_count(), rss_bytes()
    for _ in range(500):
        with _durable.DurableEngine(rules) as engine:
            engine.fire(facts)
    growth = rss_bytes() - before
    print(f"\nmemory: RSS grew {growth / 1e6:.2f} MB over 500 engine create/close cycles")
    assert growth < 10 * 1024 * 1024
    assert _durable.live_engines() == engines
    assert threading.active_count() == threads


def run_probe(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300
    )


def test_probe_the_session_cap_is_real_and_unreachable() -> None:
    """Raw durable-rules fails at the 1,025th live session; qifeval runs
    3,000 evaluations on one engine because each deletes its session."""
    raw = run_probe("""
        import durable.engine as e
        from qifeval.rules._durable import _SynchronousHost
        h = _SynchronousHost()
        h.register_rulesets({"probe": {"r": {"all": [{"m": {"kind": "x"}}], "run": lambda c: None}}})
        try:
            for i in range(1100):
                h.assert_fact("probe", {"sid": str(i), "id": "f", "kind": "x"})
        except MemoryError:
            print("capped at", i)
    """)
    assert "capped at 1024" in raw.stdout, raw.stdout + raw.stderr
    ours = run_probe("""
        import qifeval
        ev = qifeval.EvidenceSet(partnership="P", findings=[qifeval.Finding(
            id="F", qi="5.2", statement="s", valence="strength", weight="minor", source="practice")])
        for _ in range(3000):
            qifeval.evaluate(ev)
        print("ok")
    """)
    assert ours.returncode == 0 and ours.stdout.strip() == "ok", ours.stderr


def test_probe_batch_apis_are_never_called() -> None:
    proc = run_probe("""
        import durable.engine as e
        def forbidden(*a, **k):
            raise SystemExit("batch API called")
        for name in ("assert_facts", "post_batch", "retract_facts"):
            setattr(e.Host, name, forbidden)
            setattr(e.Ruleset, name, forbidden)
        import qifeval
        ev = qifeval.load_findings("examples/findings.toml")
        qifeval.evaluate(ev)
        qifeval.evaluate(ev, engine="python")
        print("ok")
    """)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


def test_probe_rulesets_are_never_redefined() -> None:
    """Equal rule sets, closed and recreated engines, and many custom rule
    sets never register one ruleset name twice (durable-rules raises, and
    has no unregister)."""
    proc = run_probe("""
        import qifeval
        from qifeval.rules import _durable
        names = []
        real = _durable._SynchronousHost.register_rulesets
        def spy(self, defs):
            names.extend(defs)
            return real(self, defs)
        _durable._SynchronousHost.register_rulesets = spy
        ev = qifeval.load_findings("examples/findings.toml")
        rules = qifeval.default_rules()
        for i in range(40):
            qifeval.evaluate(ev, rules=rules.with_points(major=9 + i % 12))
            if i % 10 == 0:
                qifeval.engine_cache_clear()
        with _durable.DurableEngine(rules) as a, _durable.DurableEngine(rules) as b:
            pass
        assert len(names) == len(set(names)), names
        print(len(names), "rulesets, all distinct")
    """)
    assert proc.returncode == 0 and "all distinct" in proc.stdout, proc.stderr


def test_adapter_is_the_only_module_that_imports_durable() -> None:
    src = Path(qifeval.__file__).parent
    importers = sorted(
        str(p.relative_to(src))
        for p in src.rglob("*.py")
        if "import durable" in p.read_text(encoding="utf-8")
        or "from durable" in p.read_text(encoding="utf-8")
    )
    assert importers == ["rules/_durable.py"]
    text = (src / "rules" / "_durable.py").read_text(encoding="utf-8")
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(("#", "-")))
    for batch in ("assert_facts(", "post_batch(", "retract_facts("):
        assert batch not in code


def test_8_threads_x_200_evaluations_match_sequential_runs(in_threads) -> None:
    inputs = [evidence(i) for i in range(64)]
    expected = [qifeval.evaluate(e, FW) for e in inputs]
    mismatches: list[tuple[int, int]] = []
    done = [0] * 8

    def work(t: int) -> None:
        for k in range(200):
            i = (t * 31 + k * 7) % len(inputs)
            got = qifeval.evaluate(inputs[i], FW)
            if got != expected[i]:
                mismatches.append((t, i))
            done[t] += 1

    errors = in_threads(work, 8)
    assert errors == [] and mismatches == []
    assert done == [200] * 8


def test_durable_rules_clock_is_replaced_by_an_exact_equivalent() -> None:
    import datetime
    import warnings

    import durable.engine

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        epoch = datetime.datetime.utcfromtimestamp(0)  # the original's epoch
    assert epoch == _durable._EPOCH
    assert durable.engine._unix_now is _durable._unix_now
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert abs(_durable._unix_now() - (datetime.datetime.now() - epoch).total_seconds()) < 5
