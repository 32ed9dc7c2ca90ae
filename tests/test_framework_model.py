import tomllib

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import qifeval
from qifeval import Framework, FrameworkError, QualityIndicator
from qifeval._convert import converter
from qifeval.frameworks._loading import dump_framework, framework_from_dict, framework_to_dict

from .strategies import assert_same_types, frameworks


@given(frameworks())
def test_unstructure_structure_round_trip(fw: Framework) -> None:
    assert_same_types(framework_from_dict(framework_to_dict(fw)), fw)


@given(frameworks())
def test_toml_round_trip(fw: Framework) -> None:
    text = dump_framework(fw)
    again = framework_from_dict(tomllib.loads(text))
    assert again == fw
    assert dump_framework(again) == text


@given(frameworks())
def test_toml_file_round_trip(tmp_path_factory: pytest.TempPathFactory, fw: Framework) -> None:
    path = tmp_path_factory.mktemp("fw") / "custom.toml"
    dump_framework(fw, path)
    assert qifeval.load_framework(path) == fw


@given(frameworks().filter(lambda f: len(f.all_indicators) >= 2), st.data())
def test_duplicate_indicator_id_fails_with_path(fw: Framework, data: st.DataObject) -> None:
    qis = list(fw.all_indicators)
    i, j = data.draw(
        st.lists(st.integers(0, len(qis) - 1), min_size=2, max_size=2, unique=True).map(sorted)
    )
    qis[j] = attrs.evolve(qis[j], id=qis[i].id, key_area=qis[i].key_area)
    raw = framework_to_dict(fw)
    raw["indicators"] = [converter.unstructure(q) for q in qis]
    with pytest.raises(FrameworkError) as info:
        framework_from_dict(raw, file="custom.toml")
    assert info.value.path == f"indicators[{j}].id"
    assert info.value.file == "custom.toml"
    assert "duplicate indicator id" in str(info.value)
    assert str(info.value).startswith("custom.toml at indicators[")


@given(frameworks().filter(lambda f: len(f.questions) >= 2), st.data())
def test_duplicate_question_number_fails_with_path(fw: Framework, data: st.DataObject) -> None:
    raw = framework_to_dict(fw)
    j = data.draw(st.integers(1, len(raw["questions"]) - 1))
    raw["questions"][j]["number"] = raw["questions"][0]["number"]
    with pytest.raises(FrameworkError, match=rf"questions\[{j}\]\.number: duplicate question"):
        framework_from_dict(raw)


def _minimal() -> dict:
    return {
        "schema_version": 1,
        "framework": {"id": "t", "title": "T"},
        "questions": [{"number": 1, "text": "Q?"}],
        "key_areas": [{"number": 1, "title": "KA", "question": 1, "part": "outcomes"}],
        "indicators": [{"id": "1.1", "title": "QI", "key_area": 1}],
    }


def test_minimal_framework_and_navigation() -> None:
    fw = framework_from_dict(_minimal())
    qi = fw.indicator("1.1")
    assert fw.key_area(qi).title == "KA"
    assert fw.question(qi).text == "Q?"
    assert fw.indicators_of(1) == (qi,)
    assert fw.key_areas_of(1) == (fw.key_area(1),)
    assert fw.part("1.1") is qifeval.Part.OUTCOMES
    assert fw.global_indicator is None
    assert "1.1" in fw and "1.2" not in fw


@pytest.mark.parametrize(
    ("mutate", "path", "message"),
    [
        (lambda r: r["indicators"][0].update(key_area=2), "indicators[0].key_area", "key area 2"),
        (lambda r: r["indicators"][0].update(id="2.1"), "indicators[0].id", "'2.1'"),
        (lambda r: r["indicators"][0].update(id="1"), "indicators[0].id", "'<key area>.<n>'"),
        (lambda r: r["indicators"][0].update(title="  "), "indicators[0].title", "empty"),
        (lambda r: r["key_areas"][0].update(question=9), "key_areas[0].question", "question 9"),
        (lambda r: r["key_areas"][0].update(title=""), "key_areas[0].title", "empty"),
        (lambda r: r["questions"][0].update(text=""), "questions[0].text", "empty"),
        (lambda r: r["framework"].update(title=""), "framework.title", "empty"),
        (lambda r: r["key_areas"][0].update(part="results"), "key_areas[0].part", "results"),
        (
            lambda r: r["indicators"][0].update(colour="red"),
            "indicators[0]",
            "unknown key(s) 'colour'",
        ),
        (
            lambda r: r["indicators"][0].update(key_area="1"),
            "indicators[0].key_area",
            "expected an integer",
        ),
        (
            lambda r: r["indicators"][0].update(key_factors="abc"),
            "indicators[0].key_factors",
            "expected a list",
        ),
        (
            lambda r: r["indicators"][0].update(key_factors=["a", 3]),
            "indicators[0].key_factors[1]",
            "expected a string",
        ),
        (lambda r: r["indicators"][0].update(title=11), "indicators[0].title", "expected a string"),
        (
            lambda r: r["indicators"][0].pop("title"),
            "indicators[0].title",
            "required key is missing",
        ),
        (
            lambda r: r["indicators"][0].update(very_good=[{"subject": "S", "statements": [""]}]),
            "indicators[0].very_good[0].statements[0]",
            "empty",
        ),
        (
            lambda r: r.update(schema_version=2),
            "schema_version",
            "this qifeval reads schema_version = 1",
        ),
    ],
)
def test_invalid_frameworks_name_the_field(mutate, path: str, message: str) -> None:
    raw = _minimal()
    mutate(raw)
    with pytest.raises(FrameworkError) as info:
        framework_from_dict(raw, file="my.toml")
    assert info.value.path == path
    assert message in info.value.problem
    assert str(info.value).startswith(f"my.toml at {path}: ")


def test_load_framework_file_errors(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("schema_version = 1\n[framework\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"bad\.toml: invalid TOML"):
        qifeval.load_framework(bad)
    missing = tmp_path / "missing.toml"
    with pytest.raises(FrameworkError, match=r"missing\.toml: cannot read file"):
        qifeval.load_framework(missing)
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(FrameworkError, match="not a UTF-8 text file"):
        qifeval.load_framework(binary)


def test_unknown_bundled_framework_suggests() -> None:
    with pytest.raises(qifeval.UnknownIndicatorError, match="qif-2018"):
        qifeval.load_framework("qif-2019")


def test_unknown_indicator_suggests_close_ids() -> None:
    fw = qifeval.load_framework("qif-2018")
    with pytest.raises(qifeval.UnknownIndicatorError) as info:
        fw.indicator("5.9")
    assert "5.2" in info.value.suggestions
    assert "did you mean" in str(info.value)


def test_illustration_refs() -> None:
    qi = QualityIndicator(
        id="2.1",
        title="T",
        key_area=2,
        very_good=[
            qifeval.IllustrationGroup(subject="A:", statements=("x", "y")),
            qifeval.IllustrationGroup(subject="B:", statements=("z",)),
        ],
        weak=[qifeval.IllustrationGroup(subject="A:", statements=("w",))],
    )
    refs = [(i.ref, i.subject, i.text) for i in qi.illustrations()]
    assert refs == [
        ("2.1/very_good/1", "A:", "x"),
        ("2.1/very_good/2", "A:", "y"),
        ("2.1/very_good/3", "B:", "z"),
        ("2.1/weak/1", "A:", "w"),
    ]
    assert [i.ref for i in qi.illustrations("weak")] == ["2.1/weak/1"]


def test_objects_are_frozen_and_keyword_only() -> None:
    fw = qifeval.load_framework("qif-2018")
    qi = fw.indicators[0]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        qi.title = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        qifeval.Question(1, "Q?")  # type: ignore[misc]
