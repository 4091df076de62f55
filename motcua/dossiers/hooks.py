"""Listeners of dossier events: the seam for indicators, forms and notifications.

Two kinds:
- `in_transaction` listeners run inside the service's transaction, right after the event is
  appended (for aggregates that must never disagree with the events, e.g. indicators);
- `after_commit` listeners run once the transaction commits (`transaction.on_commit`), for
  side effects such as rendering PDF forms or sending notifications; they must be idempotent.

Apps register in their AppConfig.ready(): `hooks.in_transaction(fn)` / `hooks.after_commit(fn)`;
each listener is called as fn(event, dossier).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

Listener = Callable[..., None]
_IN_TRANSACTION: list[Listener] = []
_AFTER_COMMIT: list[Listener] = []


def in_transaction(fn: Listener) -> Listener:
    if fn not in _IN_TRANSACTION:
        _IN_TRANSACTION.append(fn)
    return fn


def after_commit(fn: Listener) -> Listener:
    if fn not in _AFTER_COMMIT:
        _AFTER_COMMIT.append(fn)
    return fn


def dispatch(event, dossier) -> None:
    for fn in _IN_TRANSACTION:
        fn(event, dossier)
    for fn in _AFTER_COMMIT:
        transaction.on_commit(lambda fn=fn: fn(event, dossier))
