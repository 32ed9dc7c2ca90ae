#!/usr/bin/env bash
# Set up a virtual environment in .venv (if needed) and run the example
# evaluation: the fictional partnership's 2026 findings in examples/ are
# evaluated against the 2018 framework, compared with its 2024 evaluation,
# and written as an HTML report (report.html).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
.venv/bin/qifeval evaluate examples/findings.toml --previous examples/findings-2024.toml \
    --format html --force -o report.html
echo "Report written to report.html"
