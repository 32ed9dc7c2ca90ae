"""The one adapter over durable-rules. Nothing else in qifeval imports
``durable``.

What it guards against (measured on durable-rules 2.0.28):

- On Python 3.13, a durable-rules built without
  ``CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject`` fails at import with
  ``undefined symbol: PyEval_CallObject``: the import raises one
  :class:`~qifeval.EngineError` that gives the command that rebuilds it.
- Deleting a session in which a fact matched no rule corrupts the C heap
  (the process dies later with SIGSEGV or "free(): invalid pointer"): every
  ruleset gets a catch-all rule, which matches every fact, records nothing
  and never appears in explanations, so every fact matches a rule.
- Asserting a fact twice raises ``MessageObservedException``: facts get
  internal ids, unique within their session, whatever their own ids.
- ``pri`` is read into an unsigned 16-bit integer (``-1`` fires last,
  ``70000`` before ``100``): rules get their rank in firing order as
  ``pri``, so the engine fires in the order of :meth:`RuleSet.ordered`.
- ``durable.lang`` registers every ruleset on one process-wide host and
  cannot unregister: qifeval uses its own host, created once per process,
  lazily, under a lock, and one uniquely named ruleset per registration.
- Every ``durable.engine.Host`` starts two timer threads that never stop and
  that dispatch pending actions of any ruleset in the background. qifeval's
  host does not start them: the engine is used only synchronously, so there
  is nothing for them to do, and freeing a ruleset while a timer thread
  dispatches it would be unsafe.
- The C core has no locks: each engine serialises its calls with its own
  lock, and its ruleset is freed only under that lock, never under a
  running evaluation. An engine retired from the shared cache while another
  thread still holds it stays usable: that thread's evaluation runs on a
  ruleset registered for it and freed at its end.
- At most 1,024 sessions live per ruleset, and a session left behind after
  the 1,025th fails makes a later deletion crash: each evaluation uses one
  session, deleted when it ends. When a session cannot be deleted, or the
  engine failed in a way that leaves its state unknown, the ruleset is
  abandoned (unregistered and never touched again; its memory is not
  freed) and the engine registers a fresh one when next used.
- The batch APIs run failed actions later on a background thread and then
  crash: facts are asserted one at a time.
- Exceptions raised in actions, ``KeyboardInterrupt`` and ``SystemExit``
  included, are swallowed into the session state as text: qifeval runs its
  actions itself, raises :class:`~qifeval.EngineError` for an error and
  lets ``KeyboardInterrupt`` and ``SystemExit`` propagate unchanged. A
  failure to clean up never hides the exception that caused it: it is
  added to that exception as a note.
- An action that takes more than 10 seconds to complete (a paused process)
  is silently left incomplete, and the actions after it never run: the
  evaluation is detected as incomplete and run again on a fresh ruleset.
- durable-rules logs an exception that interrupts its action loop (to
  stderr, when the application has configured no logging) before raising
  it: its logger gets a ``NullHandler``, so the exception is reported once.
- Every action calls ``durable.engine._unix_now``, which uses
  ``datetime.utcfromtimestamp``, deprecated since Python 3.12 (a
  DeprecationWarning per action). It is replaced by an exact equivalent
  that does not warn.
"""

from __future__ import annotations

import copy
import datetime
import itertools
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .._errors import EngineError
from ._model import Comparison, RuleSet

#: The command that rebuilds durable-rules so that it imports on Python 3.13.
REBUILD_COMMAND = (
    "CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject python -m pip install"
    " --no-cache-dir --force-reinstall --no-binary durable-rules durable-rules==2.0.28"
)

try:
    import durable.engine
    import durable_rules_engine
except ImportError as _exc:
    if "PyEval_CallObject" not in str(_exc):
        raise
    raise EngineError(
        "durable-rules 2.0.28 was built without the fix it needs on Python 3.13"
        f" ({_exc}); rebuild it with: {REBUILD_COMMAND}"
    ) from _exc

__all__ = ["REBUILD_COMMAND", "DurableEngine", "live_engines"]

_EPOCH = datetime.datetime(1970, 1, 1)  # what utcfromtimestamp(0) returns


def _unix_now() -> float:
    """durable-rules' own clock (local time since the epoch, for action
    leases), computed without the deprecated ``utcfromtimestamp``."""
    return (datetime.datetime.now() - _EPOCH).total_seconds()


durable.engine._unix_now = _unix_now

# durable-rules logs an exception that interrupts an action before raising
# it again; qifeval raises it, so without handlers of the application's
# own, nothing is printed twice.
logging.getLogger("durable").addHandler(logging.NullHandler())

_OPS = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "!=": "$neq"}

#: The name of the catch-all rule in every ruleset (the rule set's own rules
#: are ``r0``, ``r1``, ...).
_CATCH_ALL = "qifeval-catch-all"

#: durable-rules' error code for a session that does not exist.
_SID_NOT_FOUND = "error code: 309"


class _SynchronousHost(durable.engine.Host):  # type: ignore[misc]
    """A durable-rules host without background timer threads."""

    def _run(self) -> None:
        pass

    def remove_ruleset(self, name: str) -> None:
        """Unregister the ruleset *name* and free it."""
        ruleset = self.abandon_ruleset(name)
        if ruleset is not None:
            durable_rules_engine.delete_ruleset(ruleset._handle)

    def abandon_ruleset(self, name: str) -> Any:
        """Unregister the ruleset *name* without freeing it; return it."""
        ruleset = self._ruleset_directory.pop(name, None)
        if ruleset is not None:
            self._ruleset_list.remove(ruleset)
        return ruleset


class _Action(durable.engine.Promise):  # type: ignore[misc]
    """A synchronous action without durable-rules' handling of exceptions
    (which turns them into text): it runs *func* unless *engine*'s session
    has already failed, keeps the exception *func* raises for the engine to
    raise, and completes."""

    def __init__(self, func: Callable[[Any], None], engine: DurableEngine) -> None:
        super().__init__(func)
        self._engine = engine

    def run(self, c: Any, complete: Callable[[Any], None]) -> None:
        if self._engine._failure is None:
            try:
                self._func(c)
            except BaseException as exc:  # noqa: BLE001 - raised again by the engine
                self._engine._failure = exc
        complete(None)


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
    """How many rulesets are registered on the host now."""
    return 0 if _host is None else len(_host._ruleset_list)


class _Incomplete(Exception):
    """durable-rules returned before every action had completed."""


class DurableEngine:
    """One rule set compiled into durable-rules.

    :meth:`fire` runs one session: it asserts one fact per indicator profile
    and returns, per fact, the indices of the rules that fired, in firing
    order. Thread-safe; use as a context manager or call :meth:`close`.
    """

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self._lock = threading.Lock()
        self._sessions = itertools.count(1)
        self._fired: dict[str, list[int]] | None = None
        self._failure: BaseException | None = None
        #: Sessions open now (0 or 1: one per call of fire, deleted at its end).
        self.live_sessions = 0
        #: How many rulesets were abandoned (unregistered but not freed).
        self.abandoned = 0
        # durable-rules reads "pri" as an unsigned 16-bit number: pass each
        # rule's rank in firing order instead of its priority.
        rank = {p: i for i, p in enumerate(sorted({r.priority for r in rules.rules}))}
        self._definition: dict[str, Any] = {
            f"r{index}": {
                "all": [{"m": {"$and": [{"kind": "qi"}, *map(_comparison, rule.when)]}}],
                "pri": rank[rule.priority],
                "run": self._action(index),
            }
            for index, rule in enumerate(rules.rules)
        }
        self._definition[_CATCH_ALL] = {
            "all": [{"m": {"kind": "qi"}}],
            "pri": len(rank),
            "run": self._action(None),
        }
        self._host = _get_host()
        self._name: str | None = None
        self._retired = False
        self._closed = False
        self._register()

    def _register(self) -> str:
        name = f"qifeval-{next(_names)}"
        # durable-rules mutates the definition it is given: give it a copy.
        rules = {
            k: {**copy.deepcopy({**v, "run": None}), "run": _Action(v["run"], self)}
            for k, v in self._definition.items()
        }
        with _host_lock:
            try:
                self._host.register_rulesets({name: rules})
            except Exception as exc:
                self._host.abandon_ruleset(name)
                raise EngineError(
                    f"durable-rules rejected the rule set {self.rules.name!r}: {exc}"
                ) from exc
            self._name = name
        return name

    def _free(self, *, abandon: bool = False) -> None:
        name, self._name = self._name, None
        if name is None:
            return
        with _host_lock:
            if abandon:
                self._host.abandon_ruleset(name)
                self.abandoned += 1
            else:
                self._host.remove_ruleset(name)

    def _action(self, index: int | None) -> Callable[[Any], None]:
        def run(c: Any) -> None:
            if index is not None and self._fired is not None:
                self._fired[c.m["id"]].append(index)

        return run

    def fire(self, facts: Iterable[Mapping[str, int | str]]) -> dict[str, tuple[int, ...]]:
        """Assert each fact (it needs a unique ``"id"``) in one session and
        return fact id -> indices of the rules that fired, in firing order."""
        facts = list(facts)
        ids = [str(fact["id"]) for fact in facts]
        if len(set(ids)) != len(ids):
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            raise EngineError(f"facts need unique ids; repeated: {', '.join(duplicates)}")
        with self._lock:
            if self._closed:
                raise EngineError("the engine is closed")
            try:
                try:
                    return self._fire_once(ids, facts)
                except _Incomplete:
                    return self._fire_once(ids, facts)  # on a fresh ruleset
            except _Incomplete:
                raise EngineError("durable-rules left an action incomplete twice") from None
            finally:
                if self._retired:
                    self._free()

    def _fire_once(
        self, ids: list[str], facts: list[Mapping[str, int | str]]
    ) -> dict[str, tuple[int, ...]]:
        name = self._name if self._name is not None else self._register()
        sid = str(next(self._sessions))
        fired: dict[str, list[int]] = {f"f{i}": [] for i in range(len(facts))}
        self._fired, self._failure = fired, None
        try:
            for i, fact in enumerate(facts):
                self.live_sessions = 1  # from here, a session may exist
                self._assert(name, {**fact, "id": f"f{i}", "sid": sid, "kind": "qi"}, ids[i])
        except BaseException as exc:
            self._end_session(name, sid, exc)
            raise
        finally:
            self._fired, self._failure = None, None
        self._end_session(name, sid, None)
        return {ids[i]: tuple(fired[f"f{i}"]) for i in range(len(facts))}

    def _assert(self, name: str, fact: dict[str, Any], fid: str) -> None:
        try:
            state = self._host.assert_fact(name, fact)
        except (durable.engine.MessageNotHandledException, durable.engine.MessageObservedException):
            self._free(abandon=True)  # deleting the session could corrupt the heap
            raise EngineError(f"durable-rules did not take the fact for {fid!r}") from None
        except Exception as exc:
            if self._failure is None:
                self._free(abandon=True)  # the engine's state is unknown
                raise EngineError(f"durable-rules failed on {fid!r}: {exc}") from exc
        failure = self._failure
        if failure is not None:
            if isinstance(failure, Exception):
                raise EngineError(f"a rule's action failed on {fid!r}: {failure!r}") from failure
            raise failure  # KeyboardInterrupt, SystemExit: unchanged
        if not isinstance(state, dict):
            self._free(abandon=True)  # an action was left incomplete
            raise _Incomplete
        if state.get("exception"):
            raise EngineError(f"a rule's action failed on {fid!r}: {state['exception']}")

    def _end_session(self, name: str, sid: str, pending: BaseException | None) -> None:
        """Delete the session, if it exists; a failure never hides
        *pending*, the exception that ended the session."""
        if not self.live_sessions:
            return
        self.live_sessions = 0
        if self._name != name:
            return  # the ruleset was abandoned, and its sessions with it
        try:
            self._host.delete_state(name, sid)
        except Exception as exc:
            if _SID_NOT_FOUND in str(exc):
                return  # interrupted before the session was created
            self._free(abandon=True)
            problem = f"durable-rules could not delete its session: {exc}"
            if pending is None:
                raise EngineError(problem) from exc
            pending.add_note(problem)
        except BaseException:
            self._free(abandon=True)  # interrupted: whether the session is gone is unknown
            raise

    def retire(self) -> None:
        """Free the ruleset once no evaluation is running on it. The engine
        stays usable: a later :meth:`fire` runs on a ruleset registered for
        that call and freed at its end."""
        with self._lock:
            self._retired = True
            self._free()

    def close(self) -> None:
        """Free the ruleset; a later :meth:`fire` raises. Safe to call more
        than once."""
        with self._lock:
            self._closed = True
            self._free()

    def __enter__(self) -> DurableEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
