"""Benchmark: the programme view scales linearly.

    .venv/bin/python benchmarks/bench_programme.py [--repeat N] [--findings N]

Evaluates the 32 fictional partnerships over 3 years (96 evaluations of 500
findings each, every year with the previous evaluation and the improvement
plan carried from it) and builds the programme view of them, and compares
that with one such evaluation times 96. The two are timed in interleaved
repetitions (one evaluation, then all 96, then one again ...), so that a
machine busy for a while slows both; the medians and their ratio are
printed. A ratio near 1 means the work grows linearly with the number of
evaluations; the programme view's own aggregation is timed separately, for
a quarter of the evaluations and for all of them.

Generating the fictional evidence is not timed.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import qifeval
from qifeval.fictional import fictional_partnerships

PARTNERSHIPS, YEARS = 32, 3


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--findings", type=int, default=500)
    args = parser.parse_args()

    partnerships = fictional_partnerships(PARTNERSHIPS, YEARS, findings=args.findings)
    count = PARTNERSHIPS * YEARS

    def evaluate_all() -> list[qifeval.Evaluation]:
        out = []
        for p in partnerships:
            previous = None
            for evidence, plan in zip(p.evidence, p.plans, strict=True):
                previous = qifeval.evaluate(evidence, previous=previous, plan=plan)
                out.append(previous)
        return out

    # One evaluation like the others: the last year of the first partnership,
    # with its previous evaluation and plan.
    first = partnerships[0]
    previous = qifeval.evaluate(first.evidence[0])
    middle = qifeval.evaluate(first.evidence[1], previous=previous, plan=first.plans[1])

    def evaluate_one() -> qifeval.Evaluation:
        return qifeval.evaluate(first.evidence[2], previous=middle, plan=first.plans[2])

    evaluate_one()  # warm the rule engines
    one, everything = [], []
    evaluations: list[qifeval.Evaluation] = []
    for _ in range(args.repeat):
        one.append(timed(evaluate_one))

        def whole() -> None:
            evaluations[:] = evaluate_all()
            qifeval.programme(evaluations)

        everything.append(timed(whole))
        one.append(timed(evaluate_one))

    quarter = evaluations[: count // 4]
    small, large = [], []
    for _ in range(args.repeat):
        small.append(timed(lambda: qifeval.programme(quarter)))
        large.append(timed(lambda: qifeval.programme(evaluations)))

    t1, tn = statistics.median(one), statistics.median(everything)
    print(
        f"{PARTNERSHIPS} partnerships x {YEARS} years, {args.findings} findings each, "
        f"{args.repeat} interleaved repetitions"
    )
    print(f"one evaluation:                         {t1 * 1000:9.1f} ms")
    print(f"{count} evaluations + programme view:      {tn * 1000:9.1f} ms")
    print(f"ratio to one evaluation x {count}:          {tn / (t1 * count):9.2f}")
    ts, tl = statistics.median(small), statistics.median(large)
    print(
        f"programme view alone: {len(quarter)} evaluations {ts * 1000:.1f} ms, "
        f"{len(evaluations)} evaluations {tl * 1000:.1f} ms "
        f"(per evaluation ratio {tl / len(evaluations) / (ts / len(quarter)):.2f})"
    )


if __name__ == "__main__":
    main()
