# Sourced by scripts/example.sh and scripts/test.sh: choose a supported
# Python, and make sure the virtual environment in $VENV (default .venv)
# was made by it and finished installing.
#
#   PYTHON=/path/to/python3.12 bash scripts/test.sh   # use this interpreter
#   VENV=.venv-3.13 bash scripts/test.sh               # another environment
#
# Without PYTHON, the newest supported interpreter found is used: python3.14,
# python3.13, python3.12, python3.11 or python3 on PATH, then the same in
# pyenv's versions folder.
#
# Call qifeval_venv EXTRAS (for example "" or "[test,docs,xlsx]").

SUPPORTED_MIN=11   # Python 3.11
SUPPORTED_MAX=14   # Python 3.14

_py_minor() {
    # The minor version of interpreter $1 if it is a supported Python 3, else nothing.
    "$1" -c 'import sys; v = sys.version_info
if v[0] == 3 and '"$SUPPORTED_MIN"' <= v[1] <= '"$SUPPORTED_MAX"': print(v[1])' 2>/dev/null
}

qifeval_python() {
    # Print the interpreter to use, or fail with a message.
    if [ -n "${PYTHON:-}" ]; then
        if [ -z "$(_py_minor "$PYTHON")" ]; then
            echo "error: PYTHON=$PYTHON is not Python 3.$SUPPORTED_MIN to 3.$SUPPORTED_MAX" >&2
            return 1
        fi
        command -v "$PYTHON" || echo "$PYTHON"
        return 0
    fi
    local root candidates=() best="" best_minor=0 c m
    for m in $(seq "$SUPPORTED_MAX" -1 "$SUPPORTED_MIN"); do
        candidates+=("python3.$m")
    done
    candidates+=(python3)
    root="$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"
    for m in $(seq "$SUPPORTED_MAX" -1 "$SUPPORTED_MIN"); do
        for c in "$root"/versions/3."$m".*/bin/python3."$m"; do
            [ -x "$c" ] && candidates+=("$c")
        done
    done
    for c in "${candidates[@]}"; do
        command -v "$c" >/dev/null 2>&1 || [ -x "$c" ] || continue
        m="$(_py_minor "$c")"
        if [ -n "$m" ] && [ "$m" -gt "$best_minor" ]; then
            best="$(command -v "$c" 2>/dev/null || echo "$c")"
            best_minor="$m"
        fi
    done
    if [ -z "$best" ]; then
        echo "error: qifeval needs Python 3.$SUPPORTED_MIN to 3.$SUPPORTED_MAX; none was found" \
             "(python3 is $(python3 --version 2>&1 || echo missing)). Install one, or set PYTHON=/path/to/python3.X." >&2
        return 1
    fi
    echo "$best"
}

qifeval_venv() {
    # Make $VENV with the chosen interpreter and install qifeval with extras $1.
    local extras="$1" python version ready
    VENV="${VENV:-.venv}"
    python="$(qifeval_python)" || return 1
    version="$("$python" -c 'import sys; print(sys.version.split()[0])')"
    # The marker says which interpreter and which project file the
    # environment was completed for; it is written only after a full install.
    ready="$version $(cksum < pyproject.toml | cut -d' ' -f1) $extras"
    # An environment made by another interpreter (or whose interpreter is
    # gone) is rebuilt; one whose last install failed is completed.
    if [ -e "$VENV" ] && [ "$("$VENV/bin/python" -c 'import sys; print(sys.version.split()[0])' 2>/dev/null)" != "$version" ]; then
        echo "Rebuilding $VENV with Python $version ($python)" >&2
        rm -rf "$VENV"
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        "$python" -m venv "$VENV"
    fi
    if [ "$(cat "$VENV/.qifeval-ready" 2>/dev/null)" = "$ready" ]; then
        return 0
    fi
    rm -f "$VENV/.qifeval-ready"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    # durable-rules 2.0.28 ships only a source package whose C extension
    # calls PyEval_CallObject, which Python 3.13 removed; this spelling of
    # the same call builds on every supported version.
    export CPPFLAGS="${CPPFLAGS:-} -DPyEval_CallObject=PyObject_CallObject"
    if ! "$VENV/bin/python" -c 'import durable_rules_engine' 2>/dev/null; then
        # --no-cache-dir: never reuse a wheel built without the fix.
        "$VENV/bin/python" -m pip install --quiet --no-cache-dir --force-reinstall \
            --no-binary durable-rules "durable-rules==2.0.28"
    fi
    "$VENV/bin/python" -m pip install --quiet -e ".$extras"
    "$VENV/bin/python" -c 'import durable_rules_engine' || {
        echo "error: durable-rules' C extension does not import in $VENV" >&2
        return 1
    }
    echo "$ready" > "$VENV/.qifeval-ready"
}
