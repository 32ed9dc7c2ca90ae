#!/usr/bin/env bash
# Set up a virtual environment in .venv (if needed) and run the example
# evaluation: the fictional partnership's findings in examples/ are evaluated
# against the 2018 framework and written as an HTML report.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
if [ -f examples/findings.toml ]; then
    .venv/bin/qifeval evaluate examples/findings.toml --format html -o report.html
    echo "Report written to report.html"
else
    .venv/bin/qifeval frameworks
fi
