"""Benchmark: a full evaluation with the durable-rules engine against the
plain-Python evaluator (engine="python") of the same rules, in one run.

    .venv/bin/python benchmarks/bench_evaluate.py [--repeat N]

Prints the median time of each and their ratio for 500 and 10,000 findings
spread over the 22 indicators: for a full evaluation (validation, the
personal-data scan, grading and the capacity judgement) and for the grading
step alone; then each report of the 10,000-finding evaluation against the
evaluation's time. Timings on shared machines are noisy; the ratio, measured
in the same run, is the number to watch.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import warnings

import qifeval
import qifeval.reports
from qifeval.evaluation._evaluate import evaluate_indicators

KINDS = list(qifeval.SourceKind)
WEIGHTS = list(qifeval.Weight)


def make_evidence(n: int, seed: int = 1) -> qifeval.EvidenceSet:
    rnd = random.Random(seed)
    fw = qifeval.load_framework("qif-2018")
    ids = [qi.id for qi in fw.indicators]
    findings = []
    for i in range(n):
        strength = rnd.random() < 0.7
        findings.append(
            qifeval.Finding(
                id=f"F{i}",
                qi=ids[i % len(ids)],
                statement=f"finding {i}",
                valence="strength" if strength else "weakness",
                weight=rnd.choice(WEIGHTS),
                source=rnd.choice(KINDS),
                proportion=rnd.random(),
                critical=not strength and rnd.random() < 0.01,
                sustained=strength and rnd.random() < 0.1,
                sector_leading=strength and rnd.random() < 0.05,
            )
        )
    return qifeval.EvidenceSet(partnership="Benchmark", findings=findings)


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    fw = qifeval.load_framework("qif-2018")
    rules = qifeval.default_rules()
    print(f"{'step':<10} {'findings':>9} {'durable ms':>11} {'python ms':>13} {'ratio':>6}")
    for n in (500, 10_000):
        ev = make_evidence(n)
        qifeval.evaluate(ev, fw, rules)  # warm up: compile the rulesets once
        assert qifeval.evaluate(ev, fw, rules) == qifeval.evaluate(ev, fw, rules, engine="python")
        steps = {
            "full": lambda engine, ev=ev: qifeval.evaluate(ev, fw, rules, engine=engine),
            "grading": lambda engine, ev=ev: evaluate_indicators(ev, fw, rules, engine=engine),
        }
        for step, run in steps.items():
            durable = median_ms(lambda run=run: run("durable"), args.repeat)
            python = median_ms(lambda run=run: run("python"), args.repeat)
            print(f"{step:<10} {n:>9} {durable:>11.2f} {python:>13.2f} {durable / python:>6.2f}")

    report_stage(fw, rules, args.repeat)


def report_stage(fw, rules, repeat: int, n: int = 10_000) -> None:
    """The reports of an evaluation of *n* findings: each renderer's median
    time beside the evaluation's (the HTML report should take at most half
    as long as the evaluation)."""
    ev = make_evidence(n)
    with warnings.catch_warnings():
        # the generated findings fail the consistency checks; reports list them
        warnings.simplefilter("ignore", qifeval.EvidenceWarning)
        evaluation = qifeval.evaluate(ev, fw, rules)
        evaluate_ms = median_ms(lambda: qifeval.evaluate(ev, fw, rules), repeat)
    print(f"\n{'report':<10} {'findings':>9} {'report ms':>11} {'evaluate ms':>13} {'ratio':>6}")
    for name, render in sorted(qifeval.reports.RENDERERS.items()):
        ms = median_ms(lambda render=render: render(evaluation), repeat)
        print(f"{name:<10} {n:>9} {ms:>11.2f} {evaluate_ms:>13.2f} {ms / evaluate_ms:>6.2f}")


if __name__ == "__main__":
    main()
