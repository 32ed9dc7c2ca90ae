"""Bad input never crashes or misleads: every malformed findings file,
framework, rules file or saved evaluation ends in a QifevalError that names
the file, and the CLI exits 1 without a traceback."""

import json
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qifeval
from qifeval._cli import main
from qifeval._convert import dumps_document

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = tomllib.loads((ROOT / "examples" / "findings.toml").read_text(encoding="utf-8"))
SMALL_EXAMPLE = {**EXAMPLE, "findings": EXAMPLE["findings"][:6]}
RULES = tomllib.loads(
    (ROOT / "src" / "qifeval" / "rules" / "grading.toml").read_text(encoding="utf-8")
)
FRAMEWORK = qifeval.frameworks._loading.framework_to_dict(qifeval.load_framework("qif-2018"))
SMALL_FRAMEWORK = {**FRAMEWORK, "indicators": FRAMEWORK["indicators"][:3], "wellbeing": []}
SAVED = json.loads(
    qifeval.dump_evaluation(
        qifeval.evaluate(qifeval.evidence._findings.evidence_from_dict(SMALL_EXAMPLE)), fmt="json"
    )
)

LOADERS = {
    "findings": (qifeval.load_findings, SMALL_EXAMPLE),
    "rules": (qifeval.load_rules, RULES),
    "framework": (qifeval.load_framework, SMALL_FRAMEWORK),
    "evaluation": (qifeval.load_evaluation, SAVED),
}

nasty_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**19, max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.text(st.characters(codec="utf-8", categories=("Cc", "Cf", "Zs", "Co")), max_size=30),
    st.just(""),
    st.integers(100_000, 200_000).map(lambda n: "x" * n),
    st.dates().map(str),
)
nasty = st.recursive(
    nasty_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, (*prefix, i))


def _get(doc, path):
    for key in path:
        doc = doc[key]
    return doc


def _set(doc, path, value):
    if not path:
        return value
    doc = json.loads(json.dumps(doc, default=str))
    node = doc
    for key in path[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


_DELETE = object()


@st.composite
def mutated(draw, doc):
    """A document with 1-3 of its nodes replaced, deleted, or given an
    unknown key."""
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "replace", "delete", "extra"]))
        if action == "delete":
            doc = _set(doc, path, _DELETE)
        elif action == "extra":
            tables = [p for p in _paths(doc) if isinstance(_get(doc, p), dict)]
            table = draw(st.sampled_from(tables))
            doc = _set(doc, (*table, draw(st.text(min_size=1, max_size=8))), draw(nasty))
        else:
            doc = _set(doc, path, draw(nasty))
    return doc


def _deep(n: int, fmt: str) -> str:
    return ("[" * n + "]" * n) if fmt == "json" else "a = " + "[" * n + "]" * n


def _encode(doc, fmt):
    if fmt == "json":
        return json.dumps(doc, default=str, allow_nan=True)
    return dumps_document(doc, "toml")


raw_inputs = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200),
    st.sampled_from(
        [
            "",
            "\x00",
            "\ufeff",
            "[[[",
            "{",
            "a = ",
            "null",
            "[]",
            "1",
            '"x"',
            "schema_version = 1",
            '{"schema_version": 1}',
            _deep(50_000, "json"),
            _deep(5_000, "toml"),
        ]
    ),
)


def _check(loader, path: Path) -> None:
    try:
        loader(path)
    except qifeval.QifevalError as exc:
        message = str(exc)
        assert str(path) in message, message
        assert "Traceback" not in message
        _MESSAGES.add(message.replace(str(path), "<file>"))
    _TRIED.append(path.name)


_TRIED: list[str] = []
_MESSAGES: set[str] = set()

fuzz_settings = settings(
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)


@pytest.mark.parametrize("kind", sorted(LOADERS))
@pytest.mark.parametrize("fmt", ["toml", "json"])
@fuzz_settings
@given(data=st.data())
def test_mutated_documents_give_clear_errors(tmp_path, kind, fmt, data) -> None:
    loader, doc = LOADERS[kind]
    if kind == "framework" and fmt == "json":
        return  # frameworks are TOML only
    bad = data.draw(mutated(doc))
    if not isinstance(bad, dict):
        bad = {"value": bad}
    path = tmp_path / f"{kind}.{fmt}"
    try:
        text = _encode(bad, fmt)
    except (TypeError, ValueError):
        return  # not representable in this format
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _check(loader, path)


@pytest.mark.parametrize("kind", sorted(LOADERS))
@pytest.mark.parametrize("fmt", ["toml", "json"])
@fuzz_settings
@given(raw=raw_inputs)
def test_garbage_files_give_clear_errors(tmp_path, kind, fmt, raw) -> None:
    loader, _ = LOADERS[kind]
    path = tmp_path / f"{kind}.{fmt}"
    path.write_bytes(raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass"))
    if kind == "framework" and fmt == "json":
        with pytest.raises(qifeval.QifevalError):
            loader(path)
        return
    _check(loader, path)


@fuzz_settings
@given(data=st.data())
def test_cli_exits_1_without_traceback_on_bad_findings(tmp_path, capsys, data) -> None:
    bad = data.draw(mutated(SMALL_EXAMPLE))
    path = tmp_path / "findings.json"
    path.write_text(
        json.dumps(bad if isinstance(bad, dict) else {"v": bad}, default=str), encoding="utf-8"
    )
    for command in (["validate", str(path)], ["evaluate", str(path), "--format", "json"]):
        code = main(command)
        _, err = capsys.readouterr()
        assert code in (0, 1), err
        assert "Traceback" not in err and "internal error" not in err
        if code == 1:
            assert err.startswith("qifeval: error: ") and str(path) in err


def test_fuzz_summary(capsys) -> None:
    """Runs last in this module: reports how much was tried."""
    with capsys.disabled():
        print(f"\nfuzz: {len(_TRIED)} inputs tried, {len(_MESSAGES)} distinct error messages")
    assert len(_TRIED) > 0
