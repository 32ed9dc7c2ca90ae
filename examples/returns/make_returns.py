"""Write the fictional returns files of the example partnership.

Glenmorven does not exist: every record and respondent below is invented.
Rows carry anonymised ids only. The answers are fixed counts per question,
shuffled with a fixed seed, so running this script again writes the same
files byte for byte:

    python examples/returns/make_returns.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).parent
SEED = 2026

# file -> (id prefix, rows, extra columns {name: values to cycle},
#          {column: [(answer, count), ...]})
RETURNS = {
    "record-reading-2026.csv": (
        "RR",
        60,
        {"lead_agency": ["social work", "health", "education"]},
        {
            # chronology up to date
            "q1": [("yes", 47), ("no", 13)],
            # risk assessment completed within timescales
            "q2": [("yes", 38), ("no", 20), ("n/a", 2)],
            # plan is specific, measurable and time-bound
            "q3": [("yes", 24), ("partly", 21), ("no", 12), ("n/a", 3)],
            # the child's views are recorded in the plan
            "q4": [("yes", 50), ("no", 7), ("n/a", 3)],
            # immediate safety concerns were acted on the same day (critical)
            "q5": [("yes", 19), ("no", 3), ("n/a", 38)],
            # core group met within timescales
            "q6": [("yes", 55), ("no", 3), ("n/a", 2)],
        },
    ),
    "staff-survey-2026.csv": (
        "SS",
        124,
        {"service": ["social work", "health", "education", "police", "third sector"]},
        {
            "confident_cp": [
                ("strongly agree", 61),
                ("agree", 52),
                ("disagree", 6),
                ("strongly disagree", 1),
                ("don't know", 4),
            ],
            "supervision": [
                ("strongly agree", 30),
                ("agree", 47),
                ("disagree", 33),
                ("strongly disagree", 9),
                ("don't know", 5),
            ],
            "joint_working": [
                ("strongly agree", 40),
                ("agree", 60),
                ("disagree", 16),
                ("strongly disagree", 2),
                ("don't know", 6),
            ],
        },
    ),
    "parents-survey-2026.csv": (
        "PS",
        46,
        {},
        {
            "listened_to": [("yes", 39), ("no", 5), ("not sure", 2)],
            "kept_informed": [("yes", 27), ("no", 16), ("not sure", 3)],
            "more_confident": [("yes", 33), ("no", 8), ("not sure", 5)],
        },
    ),
    "young-people-survey-2026.csv": (
        "YP",
        31,
        {},
        {
            "listened_to": [("yes", 27), ("no", 3), ("", 1)],
            "safe_where_i_live": [("yes", 29), ("no", 2)],
            "trusted_adult": [("yes", 26), ("no", 4), ("", 1)],
            # only care leavers answer this one: a small sample
            "leaving_care_help": [("yes", 6), ("no", 2), ("", 23)],
        },
    ),
}


def answers(spec: list[tuple[str, int]], rows: int, rng: random.Random) -> list[str]:
    column = [answer for answer, count in spec for _ in range(count)]
    if len(column) != rows:
        raise SystemExit(f"counts add up to {len(column)}, not {rows}")
    rng.shuffle(column)
    return column


def main() -> None:
    rng = random.Random(SEED)
    for name, (prefix, rows, extra, questions) in RETURNS.items():
        columns = {q: answers(spec, rows, rng) for q, spec in questions.items()}
        header = ["id", *extra, *questions]
        with open(HERE / name, "w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow(header)
            for i in range(rows):
                extras = [values[i % len(values)] for values in extra.values()]
                out.writerow([f"{prefix}-{i + 1:03d}", *extras, *(c[i] for c in columns.values())])


if __name__ == "__main__":
    main()
