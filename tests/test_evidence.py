import json
import tomllib

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import qifeval
from qifeval import EvidenceSet, Finding, InputError
from qifeval.evidence._findings import evidence_from_dict, evidence_to_dict

from .strategies import assert_same_types, evidence_sets, findings


@given(evidence_sets())
def test_toml_round_trip_is_lossless(ev: EvidenceSet) -> None:
    text = qifeval.dump_findings(ev, fmt="toml")
    assert_same_types(evidence_from_dict(tomllib.loads(text)), ev)


@given(evidence_sets())
def test_json_round_trip_is_lossless(ev: EvidenceSet) -> None:
    text = qifeval.dump_findings(ev, fmt="json")
    assert_same_types(evidence_from_dict(json.loads(text)), ev)


@given(evidence_sets(max_size=5))
def test_file_round_trip(tmp_path_factory: pytest.TempPathFactory, ev: EvidenceSet) -> None:
    d = tmp_path_factory.mktemp("ev")
    for name in ("f.toml", "f.json"):
        qifeval.dump_findings(ev, d / name)
        assert qifeval.load_findings(d / name) == ev


def test_saved_file_keeps_only_what_was_given() -> None:
    ev = EvidenceSet(
        partnership="P",
        findings=[
            Finding(
                id="F1",
                qi="5.2",
                statement="s",
                valence="strength",
                weight="minor",
                source="practice",
            )
        ],
    )
    raw = evidence_to_dict(ev)
    assert raw["findings"] == [
        {
            "id": "F1",
            "qi": "5.2",
            "statement": "s",
            "valence": "strength",
            "weight": "minor",
            "source": "practice",
        }
    ]


def test_quantified_statement() -> None:
    f = Finding(
        id="F",
        qi="5.2",
        statement="records read had a chronology",
        valence="strength",
        weight="minor",
        source="practice",
        proportion=0.6,
    )
    assert f.quantified() == "the majority of records read had a chronology"
    assert attrs.evolve(f, proportion=1.0).quantified() == "all records read had a chronology"
    assert attrs.evolve(f, proportion=None).quantified() == "records read had a chronology"


VALID = {
    "schema_version": 1,
    "partnership": "Example",
    "framework": "qif-2018",
    "findings": [
        {
            "id": "F1",
            "qi": "5.2",
            "statement": "s",
            "valence": "strength",
            "weight": "important",
            "source": "practice",
        },
        {
            "id": "F2",
            "qi": "2.1",
            "statement": "t",
            "valence": "weakness",
            "weight": "major",
            "source": "stakeholder_views",
        },
    ],
}


def _write(tmp_path, mutate, name="findings.toml"):
    raw = json.loads(json.dumps(VALID))
    mutate(raw)
    path = tmp_path / name
    path.write_text(
        json.dumps(raw) if name.endswith(".json") else qifeval._convert.dumps_document(raw, "toml"),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("name", ["findings.toml", "findings.json"])
@pytest.mark.parametrize(
    ("mutate", "path", "finding_id", "message"),
    [
        (
            lambda r: r["findings"][1].update(qi="5.9"),
            "findings[1].qi",
            "F2",
            "no quality indicator '5.9'; did you mean",
        ),
        (
            lambda r: r["findings"][1].update(qi="10"),
            "findings[1].qi",
            "F2",
            "judged from the other indicators",
        ),
        (
            lambda r: r["findings"][0].update(critical=True),
            "findings[0].critical",
            "F1",
            "only a weakness can be critical",
        ),
        (
            lambda r: r["findings"][1].update(sustained=True),
            "findings[1].sustained",
            "F2",
            "only a strength can be sustained",
        ),
        (
            lambda r: r["findings"][1].update(sector_leading=True),
            "findings[1].sector_leading",
            "F2",
            "only a strength",
        ),
        (
            lambda r: r["findings"][0].update(proportion=1.5),
            "findings[0].proportion",
            "F1",
            "from 0 to 1",
        ),
        (
            lambda r: r["findings"][0].update(proportion=-0.1),
            "findings[0].proportion",
            "F1",
            "from 0 to 1",
        ),
        (
            lambda r: r["findings"][0].update(proportion="most"),
            "findings[0].proportion",
            "F1",
            "expected a number",
        ),
        (
            lambda r: r["findings"][1].update(id="F1"),
            "findings[1].id",
            "F1",
            "duplicate id (also used at findings[0].id)",
        ),
        (
            lambda r: r["findings"][0].update(colour="red"),
            "findings[0]",
            "F1",
            "unknown key(s) 'colour'",
        ),
        (lambda r: r.update(colour="red"), "", None, "unknown key(s) 'colour'"),
        (
            lambda r: r["findings"][0].update(weight="huge"),
            "findings[0].weight",
            "F1",
            "expected one of 'minor', 'important', 'major'",
        ),
        (
            lambda r: r["findings"][0].update(valence="good"),
            "findings[0].valence",
            "F1",
            "'strength', 'weakness'",
        ),
        (
            lambda r: r["findings"][0].update(source="gossip"),
            "findings[0].source",
            "F1",
            "'performance_data'",
        ),
        (
            lambda r: r["findings"][0].pop("statement"),
            "findings[0].statement",
            "F1",
            "required key is missing",
        ),
        (
            lambda r: r["findings"][0].update(statement=" "),
            "findings[0].statement",
            "F1",
            "must not be empty",
        ),
        (
            lambda r: r["findings"][0].update(illustration="5.2/very_good/99"),
            "findings[0].illustration",
            "F1",
            "does not exist",
        ),
        (
            lambda r: r["findings"][0].update(illustration="2.1/weak/1"),
            "findings[0].illustration",
            "F1",
            "belongs to indicator 2.1",
        ),
        (
            lambda r: r["findings"][0].update(illustration="vg1"),
            "findings[0].illustration",
            "F1",
            "expected an illustration reference",
        ),
        (
            lambda r: r["findings"][0].update(date="yesterday"),
            "findings[0].date",
            "F1",
            "expected a date",
        ),
        (lambda r: r.update(framework="qif-2099"), "framework", None, "qif-2099"),
        (
            lambda r: r.update(schema_version=7),
            "schema_version",
            None,
            "this qifeval reads schema_version = 1",
        ),
        (lambda r: r.update(findings={"id": "F1"}), "findings", None, "expected a list"),
    ],
)
def test_validation_errors_name_file_field_and_finding(
    tmp_path, name, mutate, path, finding_id, message
) -> None:
    file = _write(tmp_path, mutate, name)
    with pytest.raises(InputError) as info:
        qifeval.load_findings(file)
    err = info.value
    assert err.file == str(file)
    assert err.path == path
    assert err.finding_id == finding_id
    assert message in err.problem
    assert str(err).startswith(str(file))
    if finding_id:
        assert f"(finding {finding_id!r})" in str(err)


def test_valid_file_loads(tmp_path) -> None:
    ev = qifeval.load_findings(_write(tmp_path, lambda r: None))
    assert [f.id for f in ev.findings] == ["F1", "F2"]
    assert ev.for_indicator("5.2") == (ev.finding("F1"),)


def test_not_a_findings_file(tmp_path) -> None:
    p = tmp_path / "f.toml"
    p.write_bytes(b"\x00\x01binary")
    with pytest.raises(InputError, match="not a text file"):
        qifeval.load_findings(p)
    p = tmp_path / "f.txt"
    p.write_text("x")
    with pytest.raises(InputError, match=r"expected \.toml or \.json"):
        qifeval.load_findings(p)
    p = tmp_path / "f.json"
    p.write_text("[1, 2]")
    with pytest.raises(InputError, match="expected a table"):
        qifeval.load_findings(p)


@given(findings())
def test_constructed_findings_keep_their_flags_consistent(f: Finding) -> None:
    assert not (f.is_strength and f.critical)
    assert not (not f.is_strength and (f.sustained or f.sector_leading))


def test_constructor_rejects_inconsistent_flags() -> None:
    with pytest.raises(InputError, match="critical") as info:
        Finding(
            id="X",
            qi="5.2",
            statement="s",
            valence="strength",
            weight="minor",
            source="practice",
            critical=True,
        )
    assert info.value.finding_id == "X"
    with pytest.raises(ValueError):
        Finding(
            id="X", qi="5.2", statement="s", valence="strength", weight="heavy", source="practice"
        )


def test_validation_is_remembered_only_for_the_same_framework_and_findings() -> None:
    fw = qifeval.load_framework("qif-2018")
    f = Finding(
        id="F1", qi="5.2", statement="s", valence="strength", weight="minor", source="practice"
    )
    ev = EvidenceSet(partnership="P", findings=[f])
    ev.validate(fw)
    ev.validate(fw)  # again: nothing to find
    other = attrs.evolve(fw, info=attrs.evolve(fw.info, id="qif-other"))
    with pytest.raises(InputError, match="framework 'qif-2018' but 'qif-other'"):
        ev.validate(other)
    bad = ev.with_findings([attrs.evolve(f, qi="9.9")])
    with pytest.raises(InputError, match=r"no quality indicator '9\.9'") as info:
        bad.validate(fw, file="x.json")
    assert info.value.file is not None and info.value.path == "findings[0].qi"
    assert bad == EvidenceSet(partnership="P", findings=[attrs.evolve(f, qi="9.9")])
    assert "_valid_for" not in repr(ev) and ev == EvidenceSet(partnership="P", findings=[f])


def _spoiled(f: Finding, how: int) -> Finding:
    """*f* with its indicator id (1, 6), illustration (2, 3) or key factor
    (4, 5) made wrong, or left alone (0)."""
    qi = f.qi
    if how in (1, 6):  # with its references, or without
        bad = ["10", "9.9", "5.2 ", "1.1", "51"][len(f.id) % 5]
        if how == 1:
            return attrs.evolve(f, qi=bad)
        return attrs.evolve(f, qi=bad, illustration=None, key_factor=None)
    if how == 2:
        return attrs.evolve(f, illustration=f"{qi}/very_good/99")
    if how == 3:
        return attrs.evolve(f, illustration=f"{'1.1' if qi != '1.1' else '2.1'}/weak/1")
    if how == 4:
        return attrs.evolve(f, key_factor=f"{qi}/key_factor/99")
    if how == 5:
        return attrs.evolve(f, key_factor="key factor 1")
    return f


def _outcome(ev: EvidenceSet, fw: qifeval.Framework) -> InputError | None:
    try:
        ev.validate(fw, file="f.toml")
    except InputError as exc:
        return exc
    return None


@given(st.lists(st.tuples(findings(), st.integers(0, 6)), max_size=8, unique_by=lambda t: t[0].id))
def test_validation_finds_the_first_problem_a_finding_at_a_time_finds(
    items: list[tuple[Finding, int]],
) -> None:
    fw = qifeval.load_framework("qif-2018")
    spoiled = [_spoiled(f, how) for f, how in items]
    ev = EvidenceSet(partnership="P", findings=spoiled)
    expected = None
    for i, f in enumerate(spoiled):  # each finding in order: the first problem
        alone = _outcome(EvidenceSet(partnership="P", findings=[f]), fw)
        if f.qi == "10" or f.qi not in fw:  # an indicator id it cannot have
            assert alone is not None
            expected = (alone.problem, f"findings[{i}].qi", f.id)
            break
        if alone is not None:  # a reference that does not exist
            expected = (alone.problem, alone.path.replace("findings[0]", f"findings[{i}]"), f.id)
            break
    got = _outcome(ev, fw)
    if expected is None:
        assert got is None
    else:
        assert got is not None
        assert (got.problem, got.path, got.finding_id) == expected
        assert str(got.file) == "f.toml"
