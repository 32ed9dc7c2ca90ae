"""The durable-rules adapter cannot crash the process: rule sets that match
nothing, clearing the engines under running evaluations, interrupts, and a
durable-rules that does not import."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import attrs
import pytest

import qifeval
from qifeval import EvidenceSet, Finding
from qifeval.rules import _durable

FW = qifeval.load_framework("qif-2018")
KINDS = ["practice", "performance_data", "stakeholder_views", "documentation"]
NO_GRADE = "no rule suggested a grade for this evidence"


def run_child(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


def evidence(i: int, n: int = 12) -> EvidenceSet:
    qis = [qi.id for qi in FW.indicators]
    return EvidenceSet(
        partnership=f"P{i}",
        findings=[
            Finding(
                id=f"F{j}",
                qi=qis[(i + j) % len(qis)],
                statement=f"finding {j}",
                valence="strength" if (i + j) % 3 else "weakness",
                weight=("minor", "important", "major")[(i * j) % 3],
                source=KINDS[(i + j) % 4],
            )
            for j in range(n)
        ],
    )


# --- Rule sets that match nothing ------------------------------------------------

#: Each case runs 30 times, 10 in each of three child processes. Before the
#: adapter added its catch-all rule, deleting a session in which a fact had
#: matched no rule corrupted the C heap, and most children died with SIGSEGV
#: or SIGABRT.
NO_MATCH_CHILD = """
    import contextlib, io, os, sys
    from pathlib import Path
    import qifeval
    from qifeval._cli import main

    case, tmp, no_grade = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    RUNS = 10
    rules_files = {
        "empty": 'schema_version = 1\\nname = "empty"\\n',
        "no-catch-all": (
            'schema_version = 1\\nname = "no-catch-all"\\n[[rules]]\\nname = "r"\\n'
            'reason = "Many strengths."\\neffect = "suggest"\\ngrade = 4\\n'
            'when = [{ field = "strengths", op = ">=", value = 1000 }]\\n'
        ),
        "capacity-nothing": (
            'schema_version = 1\\nname = "capacity-nothing"\\nsubject = "capacity"\\n'
            '[[rules]]\\nname = "r"\\nreason = "Many challenges."\\neffect = "suggest"\\n'
            'grade = 4\\nwhen = [{ field = "challenges", op = ">=", value = 1000 }]\\n'
        ),
        # The example amendment without base = "default": a complete rule
        # set with one limit rule, here one that holds for no partnership.
        "capacity-amendment": Path("docs/examples/capacity-amendment.toml")
        .read_text(encoding="utf-8")
        .replace('base = "default"', "")
        .replace("op = \\">=\\", value = 1 }", "op = \\">=\\", value = 100 }"),
    }
    messages = 0
    if case == "python":
        for _ in range(RUNS):
            e = qifeval.evaluate(qifeval.EvidenceSet(partnership="P"), rules=qifeval.RuleSet(name="x"))
            messages += all(r.no_grade_reason == no_grade for r in e.results)
    else:
        # one file per child: the children run at the same time
        rules = tmp / f"{case}-{os.getpid()}.toml"
        rules.write_text(rules_files[case], encoding="utf-8")
        option = "--capacity-rules" if case.startswith("capacity") else "--rules"
        for _ in range(RUNS):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                code = main(["evaluate", "examples/findings.toml", option, str(rules), "--format", "json"])
            assert code == 0, code
            messages += no_grade in out.getvalue()
    print(f"{case}: {messages} of {RUNS} runs said no rule suggested a grade")
"""


@pytest.mark.parametrize(
    "case", ["empty", "no-catch-all", "capacity-nothing", "capacity-amendment", "python"]
)
def test_rule_sets_that_match_nothing_never_crash(case: str, tmp_path: Path) -> None:
    children = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(NO_MATCH_CHILD), case, str(tmp_path), NO_GRADE],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for child in children:
        out, err = child.communicate(timeout=600)
        assert child.returncode == 0, f"exit {child.returncode}: {err[-2000:]}"
        assert f"{case}: 10 of 10 runs said no rule suggested a grade" in out, err


def test_a_rule_set_without_rules_gives_no_grade_on_both_engines() -> None:
    e = evidence(3)
    empty = qifeval.RuleSet(name="empty")
    durable = qifeval.evaluate(e, FW, rules=empty)
    reference = qifeval.evaluate(e, FW, rules=empty, engine="python")
    assert durable.results == reference.results
    for r in durable.results:
        assert r.suggested_grade is None and r.no_grade_reason == NO_GRADE
        assert r.rules_fired == ()  # the catch-all rule is never shown


def test_the_catch_all_rule_never_appears_in_explanations() -> None:
    rules = qifeval.default_rules()
    names = {r.name for r in rules.rules}
    for r in qifeval.evaluate(evidence(5, 40), FW).results:
        assert {x.name for x in r.rules_fired} <= names


def test_facts_need_unique_ids_and_may_have_any() -> None:
    rules = qifeval.default_rules()
    counts = qifeval.evaluate(evidence(1), FW).results[0].profile.counts
    with _durable.DurableEngine(rules) as engine:
        with pytest.raises(qifeval.EngineError, match="unique ids; repeated: a"):
            engine.fire([{"id": "a", **counts}, {"id": "a", **counts}])
        # Ids that look like durable-rules' own (its state fact is "sid-1").
        odd = ["sid-1", "sid-2", "0", "f1", ""]
        got = engine.fire([{"id": i, **counts} for i in odd])
        assert set(got) == set(odd)
        assert len({got[i] for i in odd}) == 1 and got["0"] == rules.fire(counts)
        assert engine.live_sessions == 0


# --- Clearing the shared engines under running evaluations ------------------------


def test_clearing_the_engines_while_threads_evaluate_fails_nothing() -> None:
    base = qifeval.default_rules()
    rule_sets = [base, *(base.with_points(major=9 + k) for k in range(1, 4))]
    inputs = [evidence(i) for i in range(6)]
    expected = {
        (r, i): qifeval.evaluate(inputs[i], FW, rules=rule_sets[r], engine="python")
        for r in range(len(rule_sets))
        for i in range(len(inputs))
    }
    failures: list[BaseException] = []
    mismatches: list[tuple[int, int]] = []
    done = threading.Event()
    clears = 0

    def evaluate(t: int) -> None:
        for k in range(120):
            r, i = (t + k) % len(rule_sets), (t * 5 + k) % len(inputs)
            try:
                got = qifeval.evaluate(inputs[i], FW, rules=rule_sets[r])
            except BaseException as exc:  # noqa: BLE001 - counted below
                failures.append(exc)
                continue
            if got.results != expected[(r, i)].results:
                mismatches.append((r, i))

    def clear() -> None:
        nonlocal clears
        while not done.is_set():
            qifeval.engine_cache_clear()
            clears += 1

    clearer = threading.Thread(target=clear)
    workers = [threading.Thread(target=evaluate, args=(t,)) for t in range(8)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, to meet every race
    try:
        clearer.start()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    finally:
        done.set()
        clearer.join()
        sys.setswitchinterval(interval)
    print(f"\n960 evaluations, {clears} clears, {len(failures)} failures")
    assert failures == [] and mismatches == []
    assert clears > 10
    assert _durable.live_engines() <= 8
    qifeval.engine_cache_clear()
    assert _durable.live_engines() == 0


def test_a_retired_engine_finishes_and_stays_usable() -> None:
    rules = qifeval.default_rules()
    counts = qifeval.evaluate(evidence(2), FW).results[0].profile.counts
    before = _durable.live_engines()
    engine = _durable.DurableEngine(rules)
    assert _durable.live_engines() == before + 1
    engine.retire()
    assert _durable.live_engines() == before
    # A thread still holding the engine evaluates on a ruleset of its own,
    # freed when it ends.
    assert engine.fire([{"id": "5.2", **counts}]) == {"5.2": rules.fire(counts)}
    assert _durable.live_engines() == before and engine.live_sessions == 0
    engine.close()
    with pytest.raises(qifeval.EngineError, match="closed"):
        engine.fire([])


# --- Interrupts and failing actions --------------------------------------------------


def facts_for(e: EvidenceSet) -> list[dict[str, int | str]]:
    return [{"id": r.qi, **r.profile.counts} for r in qifeval.evaluate(e, FW).results]


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, SystemExit])
def test_an_interrupt_in_an_action_propagates_unchanged(monkeypatch, interrupt) -> None:
    rules = qifeval.default_rules()
    facts = facts_for(evidence(4, 30))
    expected = {str(f["id"]): rules.fire(f) for f in facts}
    total = sum(map(len, expected.values())) + len(facts)  # with the catch-all's
    real = _durable.DurableEngine._action
    calls = [0]
    raise_at = [0]

    def action(self, index):  # type: ignore[no-untyped-def]
        run = real(self, index)

        def counted(c):  # type: ignore[no-untyped-def]
            calls[0] += 1
            if calls[0] == raise_at[0]:
                raise interrupt()
            run(c)

        return counted

    monkeypatch.setattr(_durable.DurableEngine, "_action", action)
    with _durable.DurableEngine(rules) as engine:
        for k in range(1, total + 1, 7):
            calls[0], raise_at[0] = 0, k
            with pytest.raises(interrupt) as info:
                engine.fire(facts)
            assert type(info.value) is interrupt and not getattr(info.value, "__notes__", None)
            assert engine.live_sessions == 0
            calls[0], raise_at[0] = 0, 0
            assert engine.fire(facts) == expected  # the engine stays usable
        assert engine.abandoned == 0


def test_an_error_in_an_action_is_an_engine_error_naming_the_fact(monkeypatch) -> None:
    rules = qifeval.default_rules()
    facts = facts_for(evidence(4))
    real = _durable.DurableEngine._action

    def action(self, index):  # type: ignore[no-untyped-def]
        def run(c):  # type: ignore[no-untyped-def]
            raise ValueError("boom")

        return run if index == 0 else real(self, index)

    monkeypatch.setattr(_durable.DurableEngine, "_action", action)
    with _durable.DurableEngine(rules) as engine:
        fired_0 = [str(f["id"]) for f in facts if 0 in rules.fire(f)]
        with pytest.raises(qifeval.EngineError, match=f"action failed on {fired_0[0]!r}") as info:
            engine.fire(facts)
        assert isinstance(info.value.__cause__, ValueError)
        assert engine.live_sessions == 0


def test_a_failed_cleanup_is_a_note_on_the_interrupt_and_the_engine_recovers(monkeypatch) -> None:
    rules = qifeval.default_rules()
    facts = facts_for(evidence(6))
    expected = {str(f["id"]): rules.fire(f) for f in facts}
    real_assert = _durable._SynchronousHost.assert_fact
    real_delete = _durable._SynchronousHost.delete_state
    interrupt = [True]

    def assert_fact(self, name, fact):  # type: ignore[no-untyped-def]
        state = real_assert(self, name, fact)
        if interrupt[0]:
            raise KeyboardInterrupt
        return state

    def delete_state(self, name, sid):  # type: ignore[no-untyped-def]
        raise _durable.durable_rules_engine.error("Could not delete state, error code: 111")

    before = _durable.live_engines()
    with _durable.DurableEngine(rules) as engine:
        monkeypatch.setattr(_durable._SynchronousHost, "assert_fact", assert_fact)
        monkeypatch.setattr(_durable._SynchronousHost, "delete_state", delete_state)
        with pytest.raises(KeyboardInterrupt) as info:
            engine.fire(facts)
        assert "could not delete its session" in " ".join(info.value.__notes__)
        assert engine.abandoned == 1 and _durable.live_engines() == before
        # Without an exception in flight, the failed cleanup is the error.
        interrupt[0] = False
        with pytest.raises(qifeval.EngineError, match=r"could not delete its session: .* 111"):
            engine.fire(facts)
        assert engine.abandoned == 2
        monkeypatch.setattr(_durable._SynchronousHost, "delete_state", real_delete)
        assert engine.fire(facts) == expected  # on a fresh ruleset
        assert _durable.live_engines() == before + 1
    assert _durable.live_engines() == before


def test_an_action_left_incomplete_by_a_pause_is_run_again(monkeypatch) -> None:
    """durable-rules silently stops an evaluation whose action took more than
    10 seconds (a paused process); the engine notices and runs it again."""
    rules = qifeval.default_rules()
    facts = facts_for(evidence(7))
    expected = {str(f["id"]): rules.fire(f) for f in facts}
    calls = [0]

    def paused_once() -> float:  # 11 seconds pass during the first action
        calls[0] += 1
        return 0.0 if calls[0] == 1 else 11.0

    def always_paused() -> float:
        calls[0] += 1
        return 11.0 * calls[0]

    with _durable.DurableEngine(rules) as engine:
        monkeypatch.setattr(_durable.durable.engine, "_unix_now", paused_once)
        assert engine.fire(facts) == expected
        assert engine.abandoned == 1 and engine.live_sessions == 0
        monkeypatch.setattr(_durable.durable.engine, "_unix_now", always_paused)
        with pytest.raises(qifeval.EngineError, match="incomplete twice"):
            engine.fire(facts)
        monkeypatch.setattr(_durable.durable.engine, "_unix_now", _durable._unix_now)
        assert engine.fire(facts) == expected


#: Raises KeyboardInterrupt just before or just after the k-th call into
#: durable-rules' C core, for every k up to the number of calls one
#: evaluation makes, and after each interrupt evaluates again. A corrupted
#: heap would crash the child, so this runs in its own process.
INTERRUPT_CHILD = """
    import durable_rules_engine as core
    import qifeval

    FUNCTIONS = ["assert_fact", "start_action_for_state", "update_state",
                 "complete_and_start_action", "abandon_action", "delete_state"]
    real = {name: getattr(core, name) for name in FUNCTIONS}
    plan = {"k": 0, "calls": 0, "after": False}

    def wrap(name):
        def call(*args):
            plan["calls"] += 1
            if plan["calls"] == plan["k"] and not plan["after"]:
                raise KeyboardInterrupt
            result = real[name](*args)
            if plan["calls"] == plan["k"] and plan["after"]:
                raise KeyboardInterrupt
            return result
        return call

    for name in FUNCTIONS:
        setattr(core, name, wrap(name))

    from qifeval.rules._firing import run_rules

    fw = qifeval.load_framework("qif-2018")
    ev = qifeval.load_findings("examples/findings.toml")
    rules = qifeval.default_rules()
    facts = {r.qi: r.profile.counts for r in qifeval.evaluate(ev, fw).results}
    expected = run_rules(rules, facts, "python")
    plan["k"], plan["calls"] = 0, 0
    assert run_rules(rules, facts, "durable") == expected
    per_evaluation = plan["calls"]
    interrupted = 0
    for after in (False, True):
        for k in range(1, per_evaluation + 1):
            plan.update(k=k, calls=0, after=after)
            try:
                run_rules(rules, facts, "durable")
            except KeyboardInterrupt:
                interrupted += 1
            plan.update(k=0)
            assert run_rules(rules, facts, "durable") == expected, (k, after)
    qifeval.engine_cache_clear()
    assert qifeval.evaluate(ev, fw) == qifeval.evaluate(ev, fw, engine="python")
    print(f"{interrupted} interrupts at {2 * per_evaluation} points; every evaluation after them was right")
"""


def test_interrupts_at_every_call_into_durable_rules_never_corrupt_it() -> None:
    proc = run_child(INTERRUPT_CHILD)
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr[-3000:]}"
    assert "every evaluation after them was right" in proc.stdout, proc.stderr[-3000:]
    interrupted, points = (int(w) for w in proc.stdout.split()[0:4:3])
    assert interrupted == points > 0


# --- Priorities --------------------------------------------------------------------


def test_priorities_outside_durable_rules_range_fire_in_the_reference_order() -> None:
    rules = qifeval.default_rules()
    odd = [-1_000_000, -1, 0, 65_535, 65_536, 70_000, 1_000_000]
    changed = rules.with_rules(
        *(attrs.evolve(r, priority=odd[i % len(odd)]) for i, r in enumerate(rules.rules))
    )
    for i in range(4):
        e = evidence(i, 40)
        durable = qifeval.evaluate(e, FW, rules=changed)
        assert durable.results == qifeval.evaluate(e, FW, rules=changed, engine="python").results
        for r in durable.results:
            priorities = [x.priority for x in r.rules_fired]
            assert priorities == sorted(priorities)


# --- durable-rules that does not import ------------------------------------------------

BROKEN_BUILD_CHILD = """
    import importlib.abc, sys

    class Broken(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "durable_rules_engine":
                raise ImportError(sys.argv[1])
            return None

    sys.meta_path.insert(0, Broken())
    import qifeval  # the rules engine loads on first use, not on import

    try:
        qifeval.evaluate
    except Exception as exc:
        print(type(exc).__name__, "|", exc, "|", type(exc.__cause__).__name__)
    else:
        print("imported")
"""


def test_a_durable_rules_built_without_the_313_fix_gives_the_rebuild_command() -> None:
    message = (
        "/venv/lib/python3.13/site-packages/durable_rules_engine.cpython-313-x86_64-linux-gnu.so:"
        " undefined symbol: PyEval_CallObject"
    )
    proc = run_child(BROKEN_BUILD_CHILD, message)
    assert proc.returncode == 0, proc.stderr
    kind, text, cause = (part.strip() for part in proc.stdout.split("|"))
    assert kind == "EngineError" and cause == "ImportError"
    assert "undefined symbol: PyEval_CallObject" in text
    assert text.endswith(
        "CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject python -m pip install --no-cache-dir"
        " --force-reinstall --no-binary durable-rules durable-rules==2.0.28"
    )
    assert _durable.REBUILD_COMMAND in text


def test_other_import_errors_of_durable_rules_are_not_disguised() -> None:
    proc = run_child(BROKEN_BUILD_CHILD, "No module named 'durable_rules_engine'")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ImportError | No module named"), proc.stdout
