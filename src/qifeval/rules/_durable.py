"""The one adapter over durable-rules. Nothing else in qifeval imports
``durable``.

What it guards against (measured on durable-rules 2.0.28):

- ``durable.lang`` registers every ruleset on one process-wide host and
  cannot unregister: qifeval uses its own host, created once per process,
  lazily, under a lock, and one uniquely named ruleset per engine.
- Every ``durable.engine.Host`` starts two timer threads that never stop and
  that dispatch pending actions of any ruleset in the background. qifeval's
  host does not start them: the engine is used only synchronously, so there
  is nothing for them to do, and freeing a ruleset while a timer thread
  dispatches it would be unsafe.
- The C core has no locks: each engine serialises its calls with its own
  lock.
- At most 1,024 sessions live per ruleset: each evaluation uses one session
  whose state is deleted in ``finally``.
- The batch APIs run failed actions later on a background thread and then
  crash: facts are asserted one at a time.
- Exceptions raised in actions are swallowed into the session state: they
  are checked and raised as :class:`~qifeval.EngineError`.
- Every action calls ``durable.engine._unix_now``, which uses
  ``datetime.utcfromtimestamp``, deprecated since Python 3.12 (a
  DeprecationWarning per action). It is replaced by an exact equivalent
  that does not warn.
"""

from __future__ import annotations

import copy
import datetime
import itertools
import threading
from collections.abc import Iterable, Mapping
from typing import Any

import durable.engine
import durable_rules_engine

from .._errors import EngineError
from ._model import Comparison, RuleSet

__all__ = ["DurableEngine"]

_EPOCH = datetime.datetime(1970, 1, 1)  # what utcfromtimestamp(0) returns


def _unix_now() -> float:
    """durable-rules' own clock (local time since the epoch, for action
    leases), computed without the deprecated ``utcfromtimestamp``."""
    return (datetime.datetime.now() - _EPOCH).total_seconds()


durable.engine._unix_now = _unix_now

_OPS = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "!=": "$neq"}


class _SynchronousHost(durable.engine.Host):  # type: ignore[misc]
    """A durable-rules host without background timer threads."""

    def _run(self) -> None:
        pass

    def remove_ruleset(self, name: str) -> None:
        ruleset = self._ruleset_directory.pop(name)
        self._ruleset_list.remove(ruleset)
        durable_rules_engine.delete_ruleset(ruleset._handle)


_host: _SynchronousHost | None = None
_host_lock = threading.Lock()
_names = itertools.count(1)


def _get_host() -> _SynchronousHost:
    global _host
    with _host_lock:
        if _host is None:
            _host = _SynchronousHost()
        return _host


def _comparison(c: Comparison) -> dict[str, Any]:
    if c.other is None:
        right: Any = c.value
    elif c.times == 1:
        right = {"$m": c.other}
    else:
        right = {"$mul": {"$l": {"$m": c.other}, "$r": c.times}}
    if c.op == "==":
        return {c.field: right} if c.other is None else {"$eq": {c.field: right}}
    return {_OPS[c.op]: {c.field: right}}


def live_engines() -> int:
    """How many engines have a ruleset registered on the host now."""
    return 0 if _host is None else len(_host._ruleset_list)


class DurableEngine:
    """One rule set compiled into one durable-rules ruleset.

    :meth:`fire` runs one session: it asserts one fact per indicator profile
    and returns, per fact, the indices of the rules that fired, in firing
    order. Thread-safe; use as a context manager or call :meth:`close`.
    """

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self._lock = threading.Lock()
        self._sessions = itertools.count(1)
        self._fired: dict[str, list[int]] | None = None
        #: Sessions open now (0 or 1: one per call of fire, deleted at its end).
        self.live_sessions = 0
        self._name = f"qifeval-{next(_names)}"
        definition: dict[str, Any] = {}
        for index, rule in enumerate(rules.rules):
            definition[f"r{index}"] = {
                "all": [{"m": {"$and": [{"kind": "qi"}, *map(_comparison, rule.when)]}}],
                "pri": rule.priority,
                "run": self._action(index),
            }
        self._host = _get_host()
        with _host_lock:
            try:
                self._host.register_rulesets({self._name: copy.deepcopy(definition)})
            except Exception as exc:
                raise EngineError(
                    f"durable-rules rejected the rule set {rules.name!r}: {exc}"
                ) from exc
        self._closed = False

    def _action(self, index: int) -> Any:
        def run(c: Any) -> None:
            assert self._fired is not None
            self._fired[c.m["id"]].append(index)

        return run

    def fire(self, facts: Iterable[Mapping[str, int | str]]) -> dict[str, tuple[int, ...]]:
        """Assert each fact (it needs a unique ``"id"``) in one session and
        return fact id -> indices of the rules that fired, in firing order."""
        with self._lock:
            if self._closed:
                raise EngineError("the engine is closed")
            sid = str(next(self._sessions))
            self._fired = {}
            try:
                for fact in facts:
                    fid = str(fact["id"])
                    self._fired[fid] = []
                    self.live_sessions = 1
                    self._assert({**fact, "sid": sid, "kind": "qi"})
                return {k: tuple(v) for k, v in self._fired.items()}
            finally:
                if self.live_sessions:  # a session exists once a fact was asserted
                    self._host.delete_state(self._name, sid)
                    self.live_sessions = 0
                self._fired = None

    def _assert(self, fact: dict[str, Any]) -> None:
        try:
            state = self._host.assert_fact(self._name, fact)
        except durable.engine.MessageNotHandledException:
            return  # no rule matched this profile
        except Exception as exc:
            raise EngineError(f"a rule's action failed on {fact['id']!r}: {exc}") from exc
        if isinstance(state, dict) and state.get("exception"):
            raise EngineError(f"a rule's action failed on {fact['id']!r}: {state['exception']}")

    def close(self) -> None:
        """Free the ruleset. Safe to call more than once."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            with _host_lock:
                self._host.remove_ruleset(self._name)

    def __enter__(self) -> DurableEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
