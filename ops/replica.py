"""Reads that may come from a streaming standby (DATABASE_REPLICA_URL): the router and its scope.

Nothing reads the standby unless code opens the scope (`reads_from_replica`): the reports, the
unit summary, the managers' dashboard panel and the exports do. Everything else, and every write
and migration, uses "default", the primary. Inside the scope the models that decide who may see
what (ManagerScope, groups, permissions), sessions and the export log are still read on the
primary: a withdrawn scope or role must take effect at once, whatever the standby's lag.

The standby down must not take the reports down: its state is checked with one small query and
remembered for REPLICA_CHECK_SECONDS; while it is down, the scope's reads go to the primary. A call
decorated with `reads_from_replica()` that fails on the standby runs again on the primary.
"""

import contextlib
import contextvars
import functools
import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"
UP, DOWN, NONE = "up", "down", "none"

# Read on the primary even inside the scope: access rules, sessions, the audit (label_lower).
ALWAYS_ON_PRIMARY = frozenset(
    {"accounts.managerscope", "auth.group", "auth.permission", "sessions.session", "audit.exportlog"}
)

# How far the standby's data is behind the primary's, in seconds. Replay caught up with what it has
# received is 0: the time since the last replayed transaction would make an idle primary look late.
# Behind, with nothing replayed since it started, its data is as old as its start (a base backup).
LAG_SQL = """
    SELECT CASE
        WHEN NOT pg_is_in_recovery() THEN 0
        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
        ELSE EXTRACT(EPOCH FROM now() - COALESCE(pg_last_xact_replay_timestamp(), pg_postmaster_start_time()))
    END
"""

logger = logging.getLogger(__name__)


@dataclass
class _Scope:
    used_replica: bool = False  # a read was sent to the standby (a failure may then be its)
    primary_only: bool = False  # the call is run again on the primary


_scope = contextvars.ContextVar("replica_scope", default=None)


class reads_from_replica:  # noqa: N801 - used like contextlib's context managers
    """Reads inside go to the standby when one is configured and up, else to the primary.

    As a context manager: `with reads_from_replica(): ...`. As a decorator, a call that fails
    with a database error after reading the standby is run again on the primary (the standby's
    state is checked again at once): use it around whole units of work that may be repeated.
    A scope opened inside another one joins it.
    """

    def __enter__(self):
        self._token = _scope.set(_scope.get() or _Scope())
        return self

    def __exit__(self, *exc_info):
        _scope.reset(self._token)

    def __call__(self, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            if _scope.get() is not None:
                return function(*args, **kwargs)  # the outer call decides on a retry
            scope = _Scope()
            token = _scope.set(scope)
            try:
                return function(*args, **kwargs)
            except DatabaseError as error:
                if not scope.used_replica:
                    raise
                logger.warning("Reading the standby failed (%s); reading the primary instead.", error)
                _close_replica_connection()
                replica_state(fresh=True)
                scope.primary_only = True
                return function(*args, **kwargs)
            finally:
                _scope.reset(token)

        return wrapper


def iterate_on_replica(iterable):
    """Items of `iterable` produced inside the scope, one by one: for a streamed response body,
    produced after the view has returned. The scope is closed between items, so nothing else the
    server does meanwhile reads the standby."""
    iterator = iter(iterable)
    while True:
        with reads_from_replica():
            try:
                item = next(iterator)
            except StopIteration:
                return
        yield item


def replica_configured():
    return REPLICA in connections.settings


class ReplicaRouter:
    """DATABASE_ROUTERS: writes and migrations on the primary; reads on the standby only in the scope."""

    def db_for_read(self, model, **hints):
        scope = _scope.get()
        if scope is None or scope.primary_only or model._meta.label_lower in ALWAYS_ON_PRIMARY:
            return DEFAULT_DB_ALIAS
        if replica_state().status != UP:
            return DEFAULT_DB_ALIAS
        scope.used_replica = True
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The standby holds the primary's rows: an object read there may refer to one read here.
        return True if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA} else None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None


# --- the standby's state, checked at most every REPLICA_CHECK_SECONDS per process ----------------


@dataclass(frozen=True)
class ReplicaState:
    status: str  # UP, DOWN, or NONE (no standby configured)
    lag_seconds: float | None  # None when unknown or not PostgreSQL
    checked_at: float = 0.0


_last = None
_checking = threading.Lock()


def replica_state(fresh=False):
    """The standby's state: remembered for REPLICA_CHECK_SECONDS, checked again when older or `fresh`."""
    global _last
    if not replica_configured():
        return ReplicaState(NONE, None)
    last = _last
    if not fresh and last is not None and time.monotonic() - last.checked_at < settings.REPLICA_CHECK_SECONDS:
        return last
    # One thread checks; the others keep the last answer meanwhile (wait only for the first one).
    if not _checking.acquire(blocking=last is None or fresh):
        return last
    try:
        _last = _check()
        if _last.status == DOWN and (last is None or last.status != DOWN):
            logger.warning("The standby database is unreachable; reports read the primary.")
        elif _last.status == UP and last is not None and last.status == DOWN:
            logger.warning("The standby database answers again; reports read it.")
        return _last
    finally:
        _checking.release()


def _check():
    connection = connections[REPLICA]
    try:
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                cursor.execute("SELECT 1")
                return ReplicaState(UP, None, time.monotonic())
            cursor.execute(LAG_SQL)
            (lag,) = cursor.fetchone()
    except DatabaseError:
        _close_replica_connection()
        return ReplicaState(DOWN, None, time.monotonic())
    return ReplicaState(UP, None if lag is None else max(0.0, float(lag)), time.monotonic())


def _close_replica_connection():
    """Drop this thread's standby connection: the next use connects afresh."""
    with contextlib.suppress(DatabaseError):
        connections[REPLICA].close()
