#!/usr/bin/env bash
# Run the pytest suite against the declared minimum version of every
# run-time dependency (each ">=X" in pyproject.toml's dependencies and in the
# xlsx, pandas and docx extras installed as "==X"), in its own environment (.venv-minimum by
# default).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
VENV="${VENV:-.venv-minimum}"
qifeval_venv "[test,xlsx,pandas,docx]"
pins="$("$VENV/bin/python" - <<'PY'
import re, tomllib
with open("pyproject.toml", "rb") as fh:
    project = tomllib.load(fh)["project"]
deps = project["dependencies"] + project["optional-dependencies"]["xlsx"]
deps += project["optional-dependencies"]["pandas"]
deps += project["optional-dependencies"]["docx"]
for dep in deps:
    m = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?\s*(?:>=|==)\s*([0-9][^,;\s]*).*", dep)
    if m is None:
        raise SystemExit(f"no minimum version in dependency {dep!r}")
    print(f"{m[1]}=={m[2]}")
PY
)"
echo "== minimum versions: $(echo $pins)"
# shellcheck disable=SC2086
"$VENV/bin/python" -m pip install --quiet $pins
# The environment now differs from what the marker records.
rm -f "$VENV/.qifeval-ready"
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"
"$VENV/bin/python" -m pytest -p no:cacheprovider -q "$@"
