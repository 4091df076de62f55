"""Reads from a streaming replica (docs/deploy.md "Read replica").

With MOTCUA_REPLICA_URL set, settings add a second database alias, "replica", and
`ReplicaRouter` decides per query:

- every write, every `select_for_update` and every migration goes to the primary
  ("default");
- a read goes to the replica only inside a `reads_from_replica` scope (the decorator on the
  dashboard, report, open-data and public catalogue views), and only while the scope has
  written nothing and no transaction is open on the primary: a read that must see its own
  write (read-your-writes) stays on the primary;
- sessions are always read on the primary: a login written a moment ago must be seen;
- a replica that cannot be reached when a scope opens sends that scope's reads to the
  primary (logged): the page is slower, not broken.

Without the setting there is no "replica" alias and everything goes to "default", as
before. The replica lags the primary by the time WAL takes to replay (usually well under a
second): the scoped pages show aggregates and the public catalogue, where a figure a moment
old is right; a citizen's own dossiers and every page after a write read the primary.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model

REPLICA = "replica"
logger = logging.getLogger(__name__)
# Apps whose rows are read right after a request wrote them (the session of a login).
PRIMARY_ONLY_APPS = frozenset({"sessions"})

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class _Scope:
    # Reads go to the primary from now on: the scope wrote, or the replica is unreachable.
    pinned: bool = False


_scope: ContextVar[_Scope | None] = ContextVar("motcua_replica_scope", default=None)


def replica_configured() -> bool:
    """Whether a replica alias is configured (MOTCUA_REPLICA_URL, or a test that starts one)."""
    return REPLICA in connections.settings


def read_alias() -> str:
    """Where a read issued now would go: "replica" or "default"."""
    scope = _scope.get()
    if scope is None or scope.pinned or not replica_configured():
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        # A transaction on the primary: its reads must see its own (uncommitted) writes
        # and the rows it locked.
        return DEFAULT_DB_ALIAS
    return REPLICA


@contextmanager
def _replica_scope() -> Iterator[_Scope]:
    current = _scope.get()
    if current is not None:  # nested: one scope, one read-your-writes flag
        yield current
        return
    scope = _Scope(pinned=replica_configured() and not _replica_reachable())
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def _replica_reachable() -> bool:
    """Connect to the replica (a no-op when the connection is open). A replica that cannot
    be reached sends the scope's reads to the primary, logged, rather than failing the
    page: the pages it serves are the primary's too. (Put `?connect_timeout=2` in
    MOTCUA_REPLICA_URL so an unreachable host is given up quickly.)"""
    try:
        connections[REPLICA].ensure_connection()
    except DatabaseError:
        logger.warning("replica unreachable: reading from the primary", exc_info=True)
        return False
    return True


def _resolve_user(args: tuple[Any, ...]) -> None:
    """Load the request's user (session, user row) before the scope opens: who is asking
    is a read that must see its own write (a login a moment ago)."""
    request = args[0] if args else None
    user = getattr(request, "user", None)
    if user is not None:
        getattr(user, "is_authenticated", None)


def reads_from_replica(view: Callable[P, R]) -> Callable[P, R]:
    """A view whose reads may go to the replica: aggregates and public pages that write
    nothing. A write inside it (or an open transaction on the primary) sends the reads that
    follow to the primary."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        _resolve_user(args)
        with _replica_scope():
            return view(*args, **kwargs)

    return wrapper


@contextmanager
def replica_reads() -> Iterator[None]:
    """The same scope as `reads_from_replica`, for a block of code (a command, a task)."""
    with _replica_scope():
        yield


class ReplicaRouter:
    """DATABASE_ROUTERS entry: see the module docstring."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        return read_alias()

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        scope = _scope.get()
        if scope is not None:
            scope.pinned = True  # read-your-writes: what follows reads the primary
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The replica holds the same rows as the primary: a row read there may be the
        # target of a foreign key written here.
        aliases = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # A hot standby is read-only: its schema arrives by streaming from the primary.
        return db != REPLICA
