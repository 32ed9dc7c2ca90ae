"""The improvement plan: the actions that carry a partnership from one
evaluation to the next, drafted from an evaluation's weaknesses, and its
progress as of a date.

A plan is a document of its own (TOML or JSON) or the ``[[plan]]`` table of
a findings file; see :doc:`/reference/schemas`.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .. import _convert
from .._errors import InputError, shown
from .._ids import _natural, sorted_ids
from .._tuples import to_tuple
from ..evidence._findings import Finding
from ..evidence._kinds import Weight
from ..rules._model import Effect

if TYPE_CHECKING:
    from ._evaluate import Evaluation

__all__ = [
    "PLACEHOLDER_LEAD",
    "Action",
    "ActionStatus",
    "ImprovementPlan",
    "PlanProgress",
    "draft_plan",
    "dump_plan",
    "load_plan",
    "plan_progress",
]

PLAN_SCHEMA_VERSION = 1

#: The lead role of a drafted action until people agree one. An action
#: whose lead is this text, or that has no due date, is still to be agreed
#: (see :attr:`Action.to_agree`).
PLACEHOLDER_LEAD = "TO AGREE: lead role"


class ActionStatus(enum.StrEnum):
    """Where an action stands."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


_convert.register_enums(ActionStatus)


def _action_problems(a: Action) -> Iterator[tuple[str, str]]:
    if not a.id.strip():
        yield "id", "must not be empty"
    if not a.action.strip():
        yield "action", "must not be empty: say what will be done"
    if not a.addresses:
        yield (
            "addresses",
            "must name at least one weakness (finding id) or indicator id the action addresses",
        )
    for i, ref in enumerate(a.addresses):
        if not ref.strip():
            yield f"addresses[{i}]", "must not be empty"
    if not a.lead.strip():
        yield "lead", f"must not be empty: give the lead's role (or {PLACEHOLDER_LEAD!r})"
    for i, ref in enumerate(a.impact):
        if not ref.strip():
            yield f"impact[{i}]", "must not be empty"


@attrs.frozen(kw_only=True)
class Action:
    """One action of an improvement plan.

    :param id: unique within the plan, e.g. ``"A3"``.
    :param action: what will be done.
    :param addresses: the ids of the weaknesses (findings of the evaluation
        the plan was made from) and/or the indicators the action addresses.
    :param lead: the lead's role (e.g. ``"Chief Social Work Officer"``),
        never a person's name: it is scanned for personal data like every
        free-text field.
    :param due: when it is due; ``None`` until agreed.
    :param status: planned, in progress, done or dropped.
    :param impact: the ids of findings (of a later evaluation) that
        evidence the action's impact.
    :raises InputError: naming the field, for an empty id, action, lead or
        reference, or no ``addresses``.
    """

    id: str
    action: str
    addresses: tuple[str, ...] = attrs.field(converter=to_tuple)
    lead: str
    due: _dt.date | None = None
    status: ActionStatus = attrs.field(default=ActionStatus.PLANNED, converter=ActionStatus)
    impact: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)

    def __attrs_post_init__(self) -> None:
        for path, problem in _action_problems(self):
            raise InputError(problem, path=path)

    @property
    def is_open(self) -> bool:
        """Neither done nor dropped."""
        return self.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)

    @property
    def to_agree(self) -> tuple[str, ...]:
        """The fields still holding a drafting placeholder (``"lead"``,
        ``"due"``)."""
        out = []
        if self.lead.strip() == PLACEHOLDER_LEAD:
            out.append("lead")
        if self.due is None:
            out.append("due")
        return tuple(out)


@attrs.frozen(kw_only=True)
class ImprovementPlan:
    """An improvement plan: the partnership's actions.

    :param partnership: the partnership's name.
    :param title: e.g. ``"Improvement plan 2024-2026"``.
    :param made_from: the evaluation it was made from, e.g. ``"Joint
        self-evaluation 2024 (2024-09-30)"``.
    :param date: when the plan was made or last revised.
    :param actions: the actions, in the order of the plan.
    :raises InputError: naming the action's path, for two actions with one id.
    """

    partnership: str = ""
    title: str = ""
    made_from: str = ""
    date: _dt.date | None = None
    actions: tuple[Action, ...] = attrs.field(default=(), converter=to_tuple)

    def __attrs_post_init__(self) -> None:
        seen: dict[str, int] = {}
        for i, a in enumerate(self.actions):
            if a.id in seen:
                raise InputError(
                    f"duplicate action id {a.id!r} (also used at plan[{seen[a.id]}].id)",
                    path=f"plan[{i}].id",
                )
            seen[a.id] = i

    def action(self, action_id: str) -> Action:
        """The action with this id.

        :raises KeyError: if there is none.
        """
        for a in self.actions:
            if a.id == action_id:
                return a
        raise KeyError(action_id)

    def progress(self, as_of: _dt.date) -> PlanProgress:
        """The plan's progress as of *as_of* (see :func:`plan_progress`)."""
        return plan_progress(self, as_of)


@attrs.frozen(kw_only=True)
class PlanProgress:
    """An improvement plan's progress as of a date: the ids of its actions
    by where they stand, each action in exactly one group.

    :param done: actions done.
    :param dropped: actions dropped.
    :param overdue: open actions (planned or in progress) due before
        *as_of*.
    :param on_track: open actions due on or after *as_of*.
    :param undated: open actions with no due date yet.
    """

    as_of: _dt.date
    done: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    overdue: tuple[str, ...] = ()
    on_track: tuple[str, ...] = ()
    undated: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        """How many actions the plan has."""
        return sum(self.counts.values())

    @property
    def counts(self) -> dict[str, int]:
        """How many actions are in each group, by its name."""
        return {
            "done": len(self.done),
            "overdue": len(self.overdue),
            "on_track": len(self.on_track),
            "undated": len(self.undated),
            "dropped": len(self.dropped),
        }

    @property
    def done_share(self) -> float | None:
        """The share of the actions not dropped that are done (``None`` when
        every action was dropped or there are none)."""
        live = self.total - len(self.dropped)
        return len(self.done) / live if live else None


def plan_progress(plan: ImprovementPlan, as_of: _dt.date) -> PlanProgress:
    """The progress of *plan* as of *as_of*: done, dropped, overdue (open
    and due before *as_of*), on track (open and due on or after *as_of*)
    and undated (open with no due date). An action due on *as_of* itself is
    on track."""
    groups: dict[str, list[str]] = {k: [] for k in ("done", "dropped", "overdue", "on_track")}
    undated: list[str] = []
    for a in plan.actions:
        if a.status is ActionStatus.DONE:
            groups["done"].append(a.id)
        elif a.status is ActionStatus.DROPPED:
            groups["dropped"].append(a.id)
        elif a.due is None:
            undated.append(a.id)
        elif a.due < as_of:
            groups["overdue"].append(a.id)
        else:
            groups["on_track"].append(a.id)
    return PlanProgress(
        as_of=as_of,
        done=tuple(groups["done"]),
        dropped=tuple(groups["dropped"]),
        overdue=tuple(groups["overdue"]),
        on_track=tuple(groups["on_track"]),
        undated=tuple(undated),
    )


# --- Checking a plan against evidence -----------------------------------------


def plan_problems(
    plan: ImprovementPlan,
    *,
    indicators: Iterable[str],
    findings: Iterable[str],
    earlier_findings: Iterable[str] | None = None,
    prefix: str = "plan",
) -> Iterator[tuple[str, str, str]]:
    """``(field path, problem, action id)`` for each reference of *plan*
    that does not resolve: an ``impact`` id that is not among *findings*
    (the evaluation the plan is read with); an ``addresses`` id that is
    neither an indicator id nor, when *earlier_findings* is given (the
    evaluation the plan was made from), one of those findings."""
    qis = set(indicators)
    known = set(findings)
    earlier = None if earlier_findings is None else set(earlier_findings)
    for i, a in enumerate(plan.actions):
        if earlier is not None:
            for j, ref in enumerate(a.addresses):
                if ref not in qis and ref not in earlier and ref not in known:
                    yield (
                        f"{prefix}[{i}].addresses[{j}]",
                        f"{shown(ref)} is neither an indicator nor a finding of the evaluation "
                        "the plan was made from",
                        a.id,
                    )
        for j, ref in enumerate(a.impact):
            if ref not in known:
                yield (
                    f"{prefix}[{i}].impact[{j}]",
                    f"{shown(ref)} is not a finding of this evaluation (impact cites the findings "
                    "that evidence it)",
                    a.id,
                )


# --- Drafting --------------------------------------------------------------------

_WEIGHT_RANK = {Weight.MINOR: 0, Weight.IMPORTANT: 1, Weight.MAJOR: 2}
_LIMITING = (Effect.CAP, Effect.WITHHOLD)


def limiting_weaknesses(evaluation: Evaluation) -> frozenset[str]:
    """The ids of the weaknesses that a decisive cap or withhold cites: the
    weaknesses that hold an indicator's grade down."""
    weak = {f.id for f in evaluation.evidence.findings if not f.is_strength}
    out: set[str] = set()
    for r in evaluation.results:
        for fired in r.rules_fired:
            if fired.decisive and fired.effect in _LIMITING:
                out.update(i for i in fired.evidence if i in weak)
    return frozenset(out)


def draft_order(evaluation: Evaluation) -> tuple[Finding, ...]:
    """The evaluation's weaknesses in the order a drafted plan takes them:
    critical weaknesses (children's safety) first of all, then those a
    decisive cap or withhold cites, then by weight (major, important,
    minor); ties in framework order of the indicator, then id order."""
    limiting = limiting_weaknesses(evaluation)
    order = {r.qi: i for i, r in enumerate(evaluation.results)}

    def key(f: Finding) -> tuple[int, int, int, int, Any]:
        return (
            0 if f.critical else 1,
            0 if f.id in limiting else 1,
            -_WEIGHT_RANK[f.weight],
            order.get(f.qi, len(order)),
            _natural(f.id),
        )

    weaknesses = [f for f in evaluation.evidence.findings if not f.is_strength]
    return tuple(sorted(weaknesses, key=key))


def draft_plan(evaluation: Evaluation, *, title: str = "") -> ImprovementPlan:
    """Draft an improvement plan from *evaluation*'s weaknesses: one action
    per weakness, what most limits the grades first: critical weaknesses
    (children's safety), then those a decisive cap or withhold cites, then
    by weight (major, important, minor), ties in framework order. Each
    action's lead is the placeholder ``"TO AGREE: lead role"`` and it has no
    due date, for people to agree; its text names the indicator and the
    weakness, for people to rewrite as an action. The draft is a valid plan.
    """
    limiting = limiting_weaknesses(evaluation)
    titles = {r.qi: r.title for r in evaluation.results}
    actions = []
    for n, f in enumerate(draft_order(evaluation), start=1):
        why = "safety concern; " if f.critical else ""
        why += "limits the grade; " if f.id in limiting else ""
        actions.append(
            Action(
                id=f"A{n}",
                action=(
                    f"TO AGREE: action on {f.qi} {titles.get(f.qi, '')}".rstrip()
                    + f" ({why}{f.weight.value} weakness): {f.statement}"
                ),
                addresses=(f.id,),
                lead=PLACEHOLDER_LEAD,
            )
        )
    ev = evaluation.evidence
    return ImprovementPlan(
        partnership=ev.partnership,
        title=title or "Improvement plan (draft)",
        made_from=evaluation.label(),
        date=ev.date,
        actions=tuple(actions),
    )


# --- Files -------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _PlanDocument:
    """The plan's keys as a document holds them (actions under ``plan``)."""

    partnership: str = ""
    title: str = ""
    made_from: str = ""
    date: _dt.date | None = None
    plan: tuple[Action, ...] = ()


def plan_from_dict(raw: Mapping[str, Any], *, file: str | Path | None = None) -> ImprovementPlan:
    """Build a plan from a plan document, or from the ``[[plan]]`` table of
    a findings file (its partnership and title are taken too)."""
    if not isinstance(raw, Mapping):
        raise InputError("expected a table", file=file)
    if raw.get("kind") == "qifeval-evaluation":
        raise InputError(
            "a saved evaluation, not an improvement plan; draft one with 'qifeval plan'",
            file=file,
            path="kind",
        )
    if "findings" in raw or "context" in raw:
        if "plan" not in raw:
            raise InputError(
                "this findings file has no [[plan]] table of actions", file=file, path="plan"
            )
        doc = {k: raw[k] for k in ("partnership", "title", "date", "plan") if k in raw}
    else:
        doc = _convert.without_schema_version(raw, PLAN_SCHEMA_VERSION, file=file)
    structured = _convert.structure(doc, _PlanDocument, file=file)
    try:
        return ImprovementPlan(
            partnership=structured.partnership,
            title=structured.title,
            made_from=structured.made_from,
            date=structured.date,
            actions=structured.plan,
        )
    except InputError as exc:
        raise InputError(exc.problem, file=file, path=exc.path) from None


def plan_to_dict(plan: ImprovementPlan) -> dict[str, Any]:
    """The dict form of a plan (the plan schema)."""
    body = _convert.converter.unstructure(plan)
    actions = body.pop("actions")
    return {"schema_version": PLAN_SCHEMA_VERSION, **body, "plan": actions}


def load_plan(path: str | Path) -> ImprovementPlan:
    """Load an improvement plan from a TOML or JSON plan file, or from the
    ``[[plan]]`` table of a findings file.

    :raises InputError: naming the file, the field path and the action id.
    """
    return plan_from_dict(_convert.read_document(path), file=path)


def dump_plan(
    plan: ImprovementPlan, path: str | Path | None = None, *, fmt: str | None = None
) -> str:
    """Return *plan* as TOML or JSON text (by *fmt*, or by the suffix of
    *path*, default TOML) and, if *path* is given, write it there
    atomically. The text loads back into an equal plan."""
    return _convert.dump_document(plan_to_dict(plan), path, fmt, "toml")


def addressed_findings(plan: ImprovementPlan) -> tuple[str, ...]:
    """Every id the plan's actions address, in natural order."""
    return sorted_ids({ref for a in plan.actions for ref in a.addresses})
