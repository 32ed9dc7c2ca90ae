#!/usr/bin/env bash
# Set up a virtual environment in .venv (if needed) and run every test:
# the pytest suite, the documentation's executed examples, and a strict
# documentation build (warnings are errors).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test,docs]'
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"
.venv/bin/python -m pytest "$@"
if [ -f docs/conf.py ]; then
    rm -rf docs/_build
    .venv/bin/python -m sphinx -n -W --keep-going -q -b html docs docs/_build/html
    .venv/bin/python -m sphinx -n -W --keep-going -q -b doctest docs docs/_build/doctest
fi
