"""The improvement plan: its files, drafting, progress, and follow-up links
between the findings of two evaluations."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import qifeval
from qifeval import Action, ActionStatus, ImprovementPlan, InputError, PersonalDataError
from qifeval._cli import main
from qifeval.evaluation._plan import PLACEHOLDER_LEAD, draft_order, limiting_weaknesses

from .strategies import assert_same_types, evidence_sets, finding, plans

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
DAY = dt.timedelta(days=1)


def action(id: str = "A1", **kw: object) -> Action:
    fields: dict[str, object] = {
        "action": "Agree a chronology standard.",
        "addresses": ("P17",),
        "lead": "Lead officer, child protection",
    }
    fields.update(kw)
    return Action(id=id, **fields)  # type: ignore[arg-type]


# --- Files ------------------------------------------------------------------------


@given(plans(), st.sampled_from(["toml", "json"]))
def test_a_plan_round_trips_losslessly(plan: ImprovementPlan, fmt: str) -> None:
    from qifeval._convert import parse_document
    from qifeval.evaluation._plan import plan_from_dict

    text = qifeval.dump_plan(plan, fmt=fmt)
    loaded = plan_from_dict(parse_document(text.encode(), fmt=fmt))
    assert loaded == plan
    assert_same_types(loaded, plan)


def test_a_plan_file_round_trips_through_the_file_system(tmp_path: Path) -> None:
    plan = qifeval.load_plan(EXAMPLES / "plan-2024.toml")
    for name in ("p.toml", "p.json"):
        qifeval.dump_plan(plan, tmp_path / name)
        assert qifeval.load_plan(tmp_path / name) == plan


def test_a_findings_file_can_hold_the_plan(tmp_path: Path) -> None:
    findings = (EXAMPLES / "findings.toml").read_text(encoding="utf-8")
    plan = (EXAMPLES / "plan-2024.toml").read_text(encoding="utf-8")
    actions = plan[plan.index("[[plan]]") :]
    path = tmp_path / "with-plan.toml"
    path.write_text(findings + "\n" + actions, encoding="utf-8")
    evidence = qifeval.load_findings(path)
    assert evidence == qifeval.load_findings(EXAMPLES / "findings.toml")
    embedded = qifeval.load_plan(path)
    assert embedded.actions == qifeval.load_plan(EXAMPLES / "plan-2024.toml").actions
    assert embedded.partnership == evidence.partnership


def test_a_findings_file_without_a_plan_says_so(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no \[\[plan\]\] table") as info:
        qifeval.load_plan(EXAMPLES / "findings.toml")
    assert info.value.file and info.value.path == "plan"


@pytest.mark.parametrize(
    ("change", "path", "problem"),
    [
        ({"status": "finished"}, "plan[1].status", "one of 'planned'"),
        ({"lead": " "}, "plan[1].lead", "role"),
        ({"addresses": []}, "plan[1].addresses", "at least one"),
        ({"due": "next spring"}, "plan[1].due", "date"),
        ({"id": "A1"}, "plan[1].id", "duplicate action id"),
        ({"owner": "x"}, "plan[1]", "unknown key"),
    ],
)
def test_bad_actions_are_refused_naming_file_and_path(
    tmp_path: Path, change: dict[str, object], path: str, problem: str
) -> None:
    raw = {
        "schema_version": 1,
        "plan": [
            {"id": "A1", "action": "x", "addresses": ["P1"], "lead": "Head of service"},
            {"id": "A2", "action": "y", "addresses": ["P2"], "lead": "Head of service", **change},
        ],
    }
    file = tmp_path / "plan.json"
    file.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(InputError) as info:
        qifeval.load_plan(file)
    assert info.value.file == str(file)
    assert info.value.path.startswith(path)
    assert problem in str(info.value)


# --- Progress ---------------------------------------------------------------------


@given(plans(), st.dates())
def test_progress_puts_each_action_in_exactly_one_group(
    plan: ImprovementPlan, as_of: dt.date
) -> None:
    p = qifeval.plan_progress(plan, as_of)
    groups = [p.done, p.dropped, p.overdue, p.on_track, p.undated]
    ids = [i for g in groups for i in g]
    assert sorted(ids) == sorted(a.id for a in plan.actions)
    assert p.total == len(plan.actions)
    for a in plan.actions:
        overdue = a.is_open and a.due is not None and a.due < as_of
        assert (a.id in p.overdue) == overdue


def test_progress_at_the_edges_of_the_due_date() -> None:
    due = dt.date(2026, 3, 31)
    open_action = ImprovementPlan(actions=[action(due=due, status="in_progress")])
    assert qifeval.plan_progress(open_action, due).on_track == ("A1",)
    assert qifeval.plan_progress(open_action, due - DAY).on_track == ("A1",)
    assert qifeval.plan_progress(open_action, due + DAY).overdue == ("A1",)
    for status, group in (("done", "done"), ("dropped", "dropped")):
        closed = ImprovementPlan(actions=[action(due=due, status=status)])
        late = qifeval.plan_progress(closed, due + 365 * DAY)
        assert getattr(late, group) == ("A1",) and late.overdue == ()
    undated = ImprovementPlan(actions=[action(status="planned")])
    assert qifeval.plan_progress(undated, due).undated == ("A1",)


@given(plans(), st.dates(), st.data())
def test_completing_an_action_never_worsens_progress(
    plan: ImprovementPlan, as_of: dt.date, data: st.DataObject
) -> None:
    open_ids = [a.id for a in plan.actions if a.is_open]
    if not open_ids:
        return
    chosen = data.draw(st.sampled_from(open_ids))
    before = qifeval.plan_progress(plan, as_of)
    after = qifeval.plan_progress(
        attrs.evolve(
            plan,
            actions=[
                attrs.evolve(a, status=ActionStatus.DONE) if a.id == chosen else a
                for a in plan.actions
            ],
        ),
        as_of,
    )
    assert len(after.done) == len(before.done) + 1
    assert len(after.overdue) <= len(before.overdue)
    assert before.done_share is not None and after.done_share is not None
    assert after.done_share > before.done_share


def test_the_example_plan_is_carried_from_2024_to_2026() -> None:
    before = qifeval.evaluate(qifeval.load_findings(EXAMPLES / "findings-2024.toml"))
    plan = qifeval.load_plan(EXAMPLES / "plan-2024.toml")
    after = qifeval.evaluate(
        qifeval.load_findings(EXAMPLES / "findings.toml"), previous=before, plan=plan
    )
    assert after.plan == plan
    progress = after.plan_progress
    assert progress is not None and progress.as_of == after.evidence.date
    assert progress == plan.progress(dt.date(2026, 9, 30))
    earlier = {f.id for f in before.evidence.findings}
    later = {f.id for f in after.evidence.findings}
    for a in plan.actions:
        assert a.to_agree == ()
        assert all(
            ref in earlier or ref in qifeval.load_framework("qif-2018") for ref in a.addresses
        )
        assert set(a.impact) <= later


# --- References and personal data -------------------------------------------------


def _evidence() -> qifeval.EvidenceSet:
    return qifeval.EvidenceSet(
        partnership="Anytown partnership",
        findings=[
            finding("F1", weight="important"),
            finding("F2", valence="weakness", weight="important"),
        ],
    )


def test_impact_must_cite_findings_of_the_evaluation() -> None:
    plan = ImprovementPlan(actions=[action(impact=("F1", "F9"))])
    with pytest.raises(InputError) as info:
        qifeval.evaluate(_evidence(), plan=plan, engine="python")
    assert info.value.path == "plan[0].impact[1]"
    assert "'A1'" in str(info.value) and "'F9'" in str(info.value)


def test_addresses_are_checked_against_the_evaluation_the_plan_was_made_from() -> None:
    before = qifeval.evaluate(_evidence(), engine="python")
    good = ImprovementPlan(actions=[action(addresses=("F2", "5.2"))])
    qifeval.evaluate(_evidence(), previous=before, plan=good, engine="python")
    bad = ImprovementPlan(actions=[action(addresses=("F2", "P99"))])
    with pytest.raises(InputError) as info:
        qifeval.evaluate(_evidence(), previous=before, plan=bad, engine="python")
    assert info.value.path == "plan[0].addresses[1]"


def test_a_lead_is_a_role_never_a_name() -> None:
    plan = ImprovementPlan(actions=[action(lead="Ms Jane Smith, team manager")])
    with pytest.raises(PersonalDataError) as info:
        qifeval.evaluate(_evidence(), plan=plan, strict=True, engine="python")
    assert "plan[0].lead" in str(info.value)
    with pytest.warns(qifeval.PersonalDataWarning):
        e = qifeval.evaluate(_evidence(), plan=plan, engine="python")
    report = qifeval.markdown_report(e)
    assert "Jane Smith" not in report and "## Improvement plan" in report


def test_a_saved_evaluation_keeps_its_plan_and_checks_it(tmp_path: Path) -> None:
    plan = ImprovementPlan(title="Plan", actions=[action(impact=("F1",), due=dt.date(2026, 1, 1))])
    e = qifeval.evaluate(_evidence(), plan=plan, engine="python")
    for name in ("e.json", "e.toml"):
        qifeval.dump_evaluation(e, tmp_path / name)
        assert qifeval.load_evaluation(tmp_path / name) == e
    raw = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    raw["plan"]["actions"][0]["impact"] = ["F7"]
    (tmp_path / "edited.json").write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(InputError) as info:
        qifeval.load_evaluation(tmp_path / "edited.json")
    assert info.value.path == "plan[0].impact[0]" and "edited.json" in str(info.value)


# --- Drafting ---------------------------------------------------------------------


@given(evidence_sets(max_size=20))
def test_a_draft_takes_safety_then_decisive_caps_then_weight(evidence: qifeval.EvidenceSet) -> None:
    e = qifeval.evaluate(evidence, engine="python", strict=False)
    plan = qifeval.draft_plan(e)
    weaknesses = [f for f in evidence.findings if not f.is_strength]
    assert sorted(a.addresses[0] for a in plan.actions) == sorted(f.id for f in weaknesses)
    limiting = limiting_weaknesses(e)
    rank = {"minor": 0, "important": 1, "major": 2}
    keys = []
    for a in plan.actions:
        f = evidence.finding(a.addresses[0])
        keys.append((not f.critical, f.id not in limiting, -rank[f.weight.value]))
        assert a.lead == PLACEHOLDER_LEAD and a.to_agree == ("lead", "due")
        assert a.status is ActionStatus.PLANNED
    assert keys == sorted(keys)
    assert tuple(evidence.finding(a.addresses[0]) for a in plan.actions) == draft_order(e)
    # the draft is a valid plan: it loads back as it was written
    from qifeval._convert import parse_document
    from qifeval.evaluation._plan import plan_from_dict

    assert plan_from_dict(parse_document(qifeval.dump_plan(plan).encode(), fmt="toml")) == plan


def test_a_weakness_a_decisive_cap_cites_comes_before_a_heavier_one() -> None:
    evidence = qifeval.EvidenceSet(
        partnership="Anytown partnership",
        findings=[
            finding("S1", qi="5.2", weight="major"),
            finding("S2", qi="5.2", weight="major", source="stakeholder_views"),
            finding("S3", qi="5.2", weight="major", source="performance_data"),
            finding("W1", qi="5.2", valence="weakness", weight="minor", critical=True),
            finding("S4", qi="6.1", weight="important"),
            finding("W2", qi="6.1", valence="weakness", weight="major"),
        ],
    )
    e = qifeval.evaluate(evidence, engine="python")
    order = [f.id for f in draft_order(e)]
    assert order[0] == "W1"
    assert "W1" in limiting_weaknesses(e)


# --- Follow-up links --------------------------------------------------------------


@st.composite
def linked_pairs(draw: st.DrawFn) -> tuple[qifeval.EvidenceSet, qifeval.EvidenceSet]:
    """An earlier evidence set and a later one in which some findings follow
    up earlier weaknesses, reworded."""
    before = draw(evidence_sets(min_size=1, max_size=12))
    weak = [f for f in before.findings if not f.is_strength]
    followed = draw(st.lists(st.sampled_from(weak), unique_by=lambda f: f.id)) if weak else []
    later = []
    for i, w in enumerate(followed):
        later.append(
            attrs.evolve(
                w,
                id=f"N{i}",
                statement=draw(st.text(min_size=1, max_size=30).filter(str.strip)),
                follows=w.id,
                valence=draw(st.sampled_from(["strength", "weakness"])),
                critical=False,
                sustained=False,
                sector_leading=False,
            )
        )
    return before, attrs.evolve(before, findings=later)


@given(linked_pairs())
def test_rewording_a_linked_weakness_never_breaks_its_match(
    pair: tuple[qifeval.EvidenceSet, qifeval.EvidenceSet],
) -> None:
    before_ev, after_ev = pair
    before = qifeval.evaluate(before_ev, engine="python")
    after = qifeval.evaluate(after_ev, previous=before, engine="python")
    d = qifeval.compare_evaluations(before, after)
    ups = {u.before: u for i in d.indicators for u in i.follow_ups}
    new = {x for i in d.indicators for x in i.new_weaknesses}
    resolved = {x for i in d.indicators for x in i.resolved_weaknesses}
    for f in after_ev.findings:
        assert f.follows in ups and ups[f.follows].linked
        assert f.id in ups[f.follows].after
        assert f.id not in new and f.follows not in resolved
        if f.is_strength:
            assert ups[f.follows].improved
    assert d.unmatched_links == ()


def test_improvement_is_told_by_weight_criticality_and_extent() -> None:
    was = finding("P1", valence="weakness", weight="important", proportion=0.4)

    def improved(**kw: object) -> bool:
        now = attrs.evolve(was, id="N1", statement="reworded", follows="P1", **kw)
        before = qifeval.evaluate(
            qifeval.EvidenceSet(partnership="x", findings=[was]), engine="python"
        )
        after = qifeval.evaluate(
            qifeval.EvidenceSet(partnership="x", findings=[now]), previous=before, engine="python"
        )
        (up,) = [
            u for i in qifeval.compare_evaluations(before, after).indicators for u in i.follow_ups
        ]
        return up.improved

    assert improved(valence="strength")
    assert improved(weight="minor")
    assert improved(proportion=0.2)
    assert not improved()
    assert not improved(proportion=0.6)
    assert not improved(weight="minor", proportion=0.6)
    assert not improved(weight="major", proportion=0.1)


def test_without_a_link_an_exact_statement_still_matches() -> None:
    was = attrs.evolve(finding("P1", valence="weakness"), statement="Plans lack  timescales.")
    now = attrs.evolve(was, id="N1", statement="plans lack timescales.")
    other = attrs.evolve(was, id="N2", statement="A different weakness.")
    before = qifeval.evaluate(qifeval.EvidenceSet(partnership="x", findings=[was]), engine="python")
    after = qifeval.evaluate(
        qifeval.EvidenceSet(partnership="x", findings=[now, other]), engine="python"
    )
    (i,) = [i for i in qifeval.compare_evaluations(before, after).indicators if i.qi == "5.2"]
    assert [(u.before, u.after, u.linked) for u in i.follow_ups] == [("P1", ("N1",), False)]
    assert i.new_weaknesses == ("N2",) and i.resolved_weaknesses == ()


def test_a_link_to_an_unknown_finding_is_refused_when_the_previous_evaluation_is_known() -> None:
    before = qifeval.evaluate(_evidence(), engine="python")
    later = qifeval.EvidenceSet(
        partnership="x", findings=[finding("N1", valence="weakness", follows="F3")]
    )
    with pytest.raises(InputError) as info:
        qifeval.evaluate(later, previous=before, engine="python")
    assert info.value.path == "findings[0].follows" and info.value.finding_id == "N1"
    # compared without that check, the link is reported, not silently used
    after = qifeval.evaluate(later, engine="python")
    assert qifeval.compare_evaluations(before, after).unmatched_links == ("N1",)


def test_an_empty_follows_is_refused() -> None:
    with pytest.raises(InputError) as info:
        finding("N1", follows=" ")
    assert info.value.path == "follows"


def test_the_example_says_which_areas_for_improvement_improved() -> None:
    before = qifeval.evaluate(qifeval.load_findings(EXAMPLES / "findings-2024.toml"))
    after = qifeval.evaluate(qifeval.load_findings(EXAMPLES / "findings.toml"), previous=before)
    d = qifeval.compare_evaluations(before, after)
    linked = {u.before: u for i in d.indicators for u in i.follow_ups if u.linked}
    links = {f.follows: f for f in after.evidence.findings if f.follows}
    assert set(linked) == set(links)
    improved = {i for d_i in d.indicators for i in d_i.improved}
    assert {k for k, f in links.items() if f.is_strength} <= improved
    # a successor as serious as the weakness it follows is no improvement
    for k, f in links.items():
        was = before.evidence.finding(k)
        if not f.is_strength and (f.weight, f.critical) == (was.weight, was.critical):
            if f.proportion is None or was.proportion is None:
                assert k not in improved


# --- Command line -----------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_plan_drafts_a_loadable_plan_and_needs_force_to_replace(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_file = tmp_path / "plan.toml"
    source = EXAMPLES / "findings-2024.toml"
    code, out, err = run(capsys, "plan", source, "-o", out_file)
    assert code == 0, err
    plan = qifeval.load_plan(out_file)
    weaknesses = [f for f in qifeval.load_findings(source).findings if not f.is_strength]
    assert len(plan.actions) == len(weaknesses)
    assert f"{len(weaknesses)} actions drafted" in out
    code, _, err = run(capsys, "plan", source, "-o", out_file)
    assert code == 1 and "--force" in err
    code, _, err = run(capsys, "plan", source, "-o", out_file, "--force", "--title", "Draft")
    assert code == 0 and qifeval.load_plan(out_file).title == "Draft"
    code, _, err = run(capsys, "plan", out_file, "-o", out_file, "--force")
    assert code == 1 and "same file" in err
    code, out, _ = run(capsys, "plan", source)
    assert code == 0 and out.startswith("schema_version = 1")
    json_file = tmp_path / "plan.json"
    assert run(capsys, "plan", source, "-o", json_file)[0] == 0
    assert json.loads(json_file.read_text(encoding="utf-8"))["schema_version"] == 1
    assert qifeval.load_plan(json_file) == attrs.evolve(plan, title=plan.title)


def test_cli_evaluate_reads_a_plan_and_reports_its_progress(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(
        capsys,
        "evaluate",
        EXAMPLES / "findings.toml",
        "--previous",
        EXAMPLES / "findings-2024.toml",
        "--plan",
        EXAMPLES / "plan-2024.toml",
        "--format",
        "json",
    )
    assert code == 0, err
    report = json.loads(out)
    plan = qifeval.load_plan(EXAMPLES / "plan-2024.toml")
    expected = plan.progress(dt.date(2026, 9, 30))
    assert report["plan"]["counts"] == expected.counts
    assert report["plan"]["overdue"] == list(expected.overdue)
    code, out, err = run(capsys, "evaluate", EXAMPLES / "findings.toml", "--format", "json")
    assert code == 0 and json.loads(out)["plan"] is None
    code, out, err = run(
        capsys, "evaluate", EXAMPLES / "findings.toml", "--plan", EXAMPLES / "findings.toml"
    )
    assert code == 1 and "no [[plan]] table" in err


def test_cli_diff_says_which_weaknesses_improved(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "diff", EXAMPLES / "findings-2024.toml", EXAMPLES / "findings.toml"
    )
    assert code == 0, err
    after = qifeval.load_findings(EXAMPLES / "findings.toml")
    for f in after.findings:
        if f.follows:
            assert f"{f.follows} " in out and f"followed up by {f.id}" in out


@given(evidence_sets(max_size=6), st.lists(st.text(min_size=1, max_size=8).filter(str.strip)))
def test_follows_links_round_trip_through_findings_files(
    evidence: qifeval.EvidenceSet, links: list[str]
) -> None:
    from qifeval._convert import parse_document
    from qifeval.evidence._findings import evidence_from_dict

    linked = evidence.with_findings(
        attrs.evolve(f, follows=links[i]) if i < len(links) else f
        for i, f in enumerate(evidence.findings)
    )
    for fmt in ("toml", "json"):
        text = qifeval.dump_findings(linked, fmt=fmt)
        loaded = evidence_from_dict(parse_document(text.encode(), fmt=fmt))
        assert loaded == linked
        assert_same_types(loaded, linked)


def test_the_capacity_judgement_counts_the_actions_the_plan_counts() -> None:
    """A dropped action is not one the partnership still has to do: the
    capacity statement and the plan's summary count the same actions."""
    previous = qifeval.evaluate(qifeval.load_findings("examples/findings-2024.toml"))
    plan = qifeval.load_plan("examples/plan-2024.toml")
    e = qifeval.evaluate(
        qifeval.load_findings("examples/findings.toml"), previous=previous, plan=plan
    )
    progress = e.plan_progress
    assert progress is not None and progress.dropped
    live = progress.total - len(progress.dropped)
    text = e.capacity.statement()
    assert f"{len(progress.done)} of the {live} actions of the improvement plan are done" in text
    assert f"of the {progress.total} actions" not in text
