import ast
import importlib
import inspect
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

import qifeval


def test_all_lists_every_public_name_once() -> None:
    public = {
        n
        for n in dir(qifeval)
        if not n.startswith("_") and not isinstance(getattr(qifeval, n), types.ModuleType)
    }
    assert set(qifeval.__all__) == public | {"__version__"}
    assert len(qifeval.__all__) == len(set(qifeval.__all__))


LAZY_PACKAGES = ("qifeval", "qifeval.evidence", "qifeval.evaluation")


@pytest.mark.parametrize("name", LAZY_PACKAGES)
def test_lazy_names_are_those_imported_for_type_checkers(name: str) -> None:
    """A package's lazily imported names (its ``_LAZY`` table) are exactly
    the names it imports under ``if TYPE_CHECKING:``, from the same modules."""
    module = importlib.import_module(name)
    tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
    checked: dict[str, tuple[str, ...]] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "_typing.TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom)
                where = "." * imp.level + (imp.module or "")
                checked[where] = tuple(a.name for a in imp.names)
    assert {m: sorted(n) for m, n in checked.items()} == {
        m: sorted(n) for m, n in module._LAZY.items()
    }
    for names in module._LAZY.values():
        for public in names:
            assert public in module.__all__, public


def test_importing_qifeval_leaves_the_engine_and_the_reports_for_later() -> None:
    """``import qifeval`` loads the framework and evidence model; the rules,
    the evaluation and the reports load on first use."""
    code = (
        "import sys, qifeval\n"
        "before = {m for m in sys.modules if m.startswith('qifeval')}\n"
        "qifeval.evaluate\n"
        "after = {m for m in sys.modules if m.startswith('qifeval')}\n"
        "print(sorted(before)); print(sorted(after - before))"
    )
    src = str(Path(qifeval.__file__).parent.parent)
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": src},
    ).stdout.splitlines()
    before, loaded = ast.literal_eval(out[0]), ast.literal_eval(out[1])
    assert "qifeval.evidence._findings" in before
    assert "qifeval.frameworks._model" in before
    for lazy in ("qifeval.rules._model", "qifeval.evaluation._evaluate", "qifeval.reports"):
        assert lazy not in before, lazy
    assert "qifeval.evaluation._evaluate" in loaded
    assert not any(m.startswith("qifeval.reports") for m in loaded)


def test_every_public_object_has_a_docstring() -> None:
    missing = []
    for name in qifeval.__all__:
        obj = getattr(qifeval, name)
        if name.startswith("__") or not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        if not (obj.__doc__ or "").strip():
            missing.append(name)
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_") or not (
                    inspect.isfunction(member) or isinstance(member, property)
                ):
                    continue
                if not (member.__doc__ or "").strip():
                    missing.append(f"{name}.{attr}")
    assert missing == []


def test_value_objects_are_frozen_and_keyword_only() -> None:
    import attrs

    for name in qifeval.__all__:
        obj = getattr(qifeval, name)
        if inspect.isclass(obj) and attrs.has(obj):
            params = inspect.signature(obj).parameters.values()
            assert all(p.kind is p.KEYWORD_ONLY for p in params), name
            assert obj.__setattr__ is not object.__setattr__, name


def test_previous_must_be_an_evaluation_not_an_evidence_set() -> None:
    e = qifeval.load_findings("examples/findings.toml")
    with pytest.raises(TypeError, match=r"previous=evaluate\(earlier_evidence\)"):
        qifeval.evaluate(e, previous=qifeval.load_findings("examples/findings-2024.toml"))  # type: ignore[arg-type]
