#!/usr/bin/env bash
# Set up a virtual environment in .venv (if needed) and run the example
# evaluation: the fictional partnership's record-reading and survey returns
# (examples/returns/) are collated into findings (collated.toml), evaluated
# with its hand-written 2026 findings against the 2018 framework, compared
# with its 2024 evaluation, with its improvement plan from 2024 read beside
# it, and written as an HTML report (report.html in the clone's root).
#
# The newest supported Python found is used (3.11 to 3.14); PYTHON=... chooses
# another, VENV=... another environment folder. See scripts/_venv.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
qifeval_venv "[xlsx,pandas]"
report="$PWD/report.html"
collated="$PWD/collated.toml"
"$VENV/bin/qifeval" collate examples/collation.toml -o "$collated" --force
"$VENV/bin/qifeval" evaluate examples/findings.toml "$collated" \
    --previous examples/findings-2024.toml --plan examples/plan-2024.toml \
    --format html -o "$report" --force
echo "Collated findings written to $collated"
echo "Report written to $report"
