"""The optional fields of a finding that quantify and place it: sample,
voice and key factor."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import qifeval

FW = qifeval.load_framework("qif-2018")


def finding(**changes: object) -> qifeval.Finding:
    base: dict[str, object] = {
        "id": "F1",
        "qi": "5.2",
        "statement": "records had an up-to-date chronology",
        "valence": "strength",
        "weight": "important",
        "source": "practice",
    }
    return qifeval.Finding(**{**base, **changes})  # type: ignore[arg-type]


def test_the_fields_are_optional_and_old_files_stay_valid() -> None:
    f = finding()
    assert (f.sample, f.voice, f.key_factor) == (None, None, None)
    assert "sample" not in qifeval.dump_findings(qifeval.EvidenceSet(partnership="P", findings=[f]))


def test_voice_is_a_voice_and_only_for_views() -> None:
    f = finding(source="stakeholder_views", voice="parents_and_carers")
    assert f.voice is qifeval.Voice.PARENTS_AND_CARERS
    assert f.voice.label == "parents and carers"
    with pytest.raises(qifeval.InputError, match="voice") as info:
        finding(voice="staff")
    assert info.value.finding_id == "F1"
    with pytest.raises(ValueError):
        finding(source="stakeholder_views", voice="pupils")


@pytest.mark.parametrize("sample", [0, -3])
def test_a_sample_has_at_least_one_record(sample: int) -> None:
    with pytest.raises(qifeval.InputError, match="sample"):
        finding(sample=sample)


def test_key_factor_references_are_checked_against_the_framework() -> None:
    qi = FW.indicator("5.2")
    assert qi.key_factor_ref(2) == "5.2/key_factor/2"
    with pytest.raises(IndexError):
        qi.key_factor_ref(len(qi.key_factors) + 1)
    ok = qifeval.EvidenceSet(partnership="P", findings=[finding(key_factor="5.2/key_factor/2")])
    ok.validate(FW)
    for ref, words in [
        (f"5.2/key_factor/{len(qi.key_factors) + 1}", "does not exist"),
        ("5.3/key_factor/1", "belongs to indicator 5.3"),
        ("key factor 2", "expected a key factor reference"),
        ("5.2/key_factor/0", "expected a key factor reference"),
    ]:
        bad = qifeval.EvidenceSet(partnership="P", findings=[finding(key_factor=ref)])
        with pytest.raises(qifeval.InputError, match=words) as info:
            bad.validate(FW, file="f.toml")
        assert info.value.path == "findings[0].key_factor"
        assert info.value.finding_id == "F1"


@given(
    sample=st.integers(1, 10_000),
    voice=st.sampled_from(list(qifeval.Voice)),
    n=st.integers(1, len(FW.indicator("5.2").key_factors)),
    fmt=st.sampled_from(["toml", "json"]),
)
def test_round_trips_keep_the_new_fields(
    sample: int, voice: qifeval.Voice, n: int, fmt: str
) -> None:
    f = finding(
        source="stakeholder_views",
        voice=voice,
        sample=sample,
        proportion=0.5,
        key_factor=FW.indicator("5.2").key_factor_ref(n),
    )
    ev = qifeval.EvidenceSet(partnership="P", findings=[f])
    from qifeval._convert import parse_document
    from qifeval.evidence._findings import evidence_from_document

    text = qifeval.dump_findings(ev, fmt=fmt)
    back = evidence_from_document(parse_document(text.encode(), fmt=fmt))
    assert back == ev
    assert type(back.findings[0].sample) is int
    assert back.findings[0].voice is voice
