import inspect
import types

import pytest

import qifeval


def test_all_lists_every_public_name_once() -> None:
    public = {
        n
        for n, v in vars(qifeval).items()
        if not n.startswith("_") and not isinstance(v, types.ModuleType)
    }
    assert set(qifeval.__all__) == public | {"__version__"}
    assert len(qifeval.__all__) == len(set(qifeval.__all__))


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
