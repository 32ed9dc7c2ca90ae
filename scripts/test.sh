#!/usr/bin/env bash
# Set up a virtual environment in .venv (if needed) and run every test:
# lint (ruff), types (mypy --strict), the pytest suite, the documentation's
# executed examples, and a strict documentation build (warnings are errors).
#
# The newest supported Python found is used (3.11 to 3.14); PYTHON=... chooses
# another, VENV=... another environment folder. See scripts/_venv.sh.
# Arguments are passed to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
qifeval_venv "[test,docs,dev,xlsx,pandas,docx]"
PY="$VENV/bin/python"
echo "== Python $("$PY" -c 'import sys; print(sys.version.split()[0])') in $VENV"
"$PY" -m ruff check src tests benchmarks docs/conf.py
"$PY" -m ruff format --check src tests benchmarks docs/conf.py
"$PY" -m mypy
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"
"$PY" -m pytest -p no:cacheprovider "$@"
if [ -f docs/conf.py ]; then
    rm -rf docs/_build/html docs/_build/doctest
    "$PY" -m sphinx -n -W --keep-going -q -b html docs docs/_build/html
    "$PY" -m sphinx -n -W --keep-going -q -b doctest docs docs/_build/doctest
fi
