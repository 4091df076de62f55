"""Listeners of dossier events: the seam for indicators, forms and notifications.

Two kinds:
- `in_transaction` listeners run inside the service's transaction, right after the event is
  appended (for aggregates that must never disagree with the events, e.g. indicators);
- `after_commit` listeners run once the transaction commits (`transaction.on_commit`), for
  side effects such as rendering PDF forms or sending notifications; they must be idempotent.
  With Celery eager (the default) they run in the request right after the commit; otherwise
  they are queued (by dotted path, with the event id) for a worker.

Apps register in their AppConfig.ready(): `hooks.in_transaction(fn)` / `hooks.after_commit(fn)`;
each listener is called as fn(event, dossier). An in-transaction listener that reads a row
of its own for the dossier (a reverse one-to-one, such as the indicators' fact) may ask for
it to be loaded by the services' row lock, in the same statement: `hooks.load_with_lock(name)`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction

if TYPE_CHECKING:
    from .models import Dossier, DossierEvent

log = logging.getLogger(__name__)
Listener = Callable[..., Any]
_IN_TRANSACTION: list[Listener] = []
_AFTER_COMMIT: list[Listener] = []
_ACTIONS: dict[Listener, frozenset[str] | None] = {}
_LOCK_JOINS: list[str] = []


def load_with_lock(relation: str) -> None:
    """Have the services load the dossier's reverse one-to-one `relation` with the lock."""
    if relation not in _LOCK_JOINS:
        _LOCK_JOINS.append(relation)


def lock_joins() -> tuple[str, ...]:
    return tuple(_LOCK_JOINS)


def in_transaction(fn: Listener) -> Listener:
    if fn not in _IN_TRANSACTION:
        _IN_TRANSACTION.append(fn)
    return fn


def after_commit(fn: Listener, *, actions: Iterable[str] | None = None) -> Listener:
    """Register `fn`; with `actions`, it is called (or queued) only for those actions."""
    if fn not in _AFTER_COMMIT:
        _AFTER_COMMIT.append(fn)
    _ACTIONS[fn] = frozenset(actions) if actions is not None else None
    return fn


def _enqueue(fn: Listener, event_id: int) -> None:
    from .tasks import run_after_commit_listener

    try:
        run_after_commit_listener.delay(f"{fn.__module__}.{fn.__qualname__}", event_id)
    except Exception:
        # The transition is committed; what the listener makes can be made on request.
        log.exception("could not queue %s for event %s", fn, event_id)


def dispatch(event: DossierEvent, dossier: Dossier) -> None:
    for fn in _IN_TRANSACTION:
        fn(event, dossier)
    eager = getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True)
    for fn in _AFTER_COMMIT:
        wanted = _ACTIONS.get(fn)
        if wanted is not None and event.action not in wanted:
            continue
        transaction.on_commit(_later(fn, event, dossier, eager))


def _later(fn: Listener, event: DossierEvent, dossier: Dossier, eager: bool) -> Callable[[], None]:
    """What runs once the transaction commits: the listener itself, or its queueing."""
    if eager:
        return lambda: fn(event, dossier)
    return lambda: _enqueue(fn, event.pk)


# The check of a result file (motcua.signing registers it): called before the attach
# transition with the file's bytes, the dossier id and an optional result code chosen by a
# caller that signed the file itself; returns the facts to record (at least `valid`: the
# file carries a valid signature) or raises ValidationFailed to refuse the file. Only
# these facts make a result electronic (indicator 4.1): never a flag.
ResultCheck = Callable[..., dict[str, Any]]
_RESULT_CHECK: list[ResultCheck] = []


def result_check(fn: ResultCheck) -> ResultCheck:
    _RESULT_CHECK[:] = [fn]
    return fn


def check_result(content: bytes, *, dossier_id: int, code: str | None) -> dict[str, Any]:
    if not _RESULT_CHECK:
        return {"valid": False, "problem": "no_checker"}
    return _RESULT_CHECK[0](content, dossier_id=dossier_id, code=code)


# Whether an attached result was withdrawn by its issuer (motcua.signing registers it: a
# revoked result): called with the attachment's id, returns (when, reason) or None. The
# store's share links of a withdrawn result stop working.
ResultWithdrawal = Callable[[int], "tuple[Any, str] | None"]
_RESULT_WITHDRAWAL: list[ResultWithdrawal] = []


def result_withdrawal(fn: ResultWithdrawal) -> ResultWithdrawal:
    _RESULT_WITHDRAWAL[:] = [fn]
    return fn


def withdrawn_result(attachment_id: int) -> tuple[Any, str] | None:
    if not _RESULT_WITHDRAWAL:
        return None
    return _RESULT_WITHDRAWAL[0](attachment_id)


# The OCR of the papers handed in with an intake (motcua.digitization registers it): called
# inside dossier_intake's transaction once the dossier is received, by every intake path
# (the counter's page, POST /api/dossiers/intake), with keyword arguments dossier_id, actor,
# at. A refusal by its rules (a DomainError) leaves the dossier received, logged: the
# digitization page offers the scans again.
HandedIn = Callable[..., Any]
_HANDED_IN: list[HandedIn] = []


def handed_in(fn: HandedIn) -> HandedIn:
    _HANDED_IN[:] = [fn]
    return fn


def queue_handed_in(*, dossier_id: int, actor: Any, at: Any) -> None:
    from motcua.core.errors import DomainError

    for fn in _HANDED_IN:
        try:  # the listener writes in a savepoint of its own (scan_handed_in is atomic)
            fn(dossier_id=dossier_id, actor=actor, at=at)
        except DomainError as exc:
            log.warning("intake of dossier %s: OCR not queued (%s)", dossier_id, exc.code)


# A dossier's electronic form (motcua.eforms registers both; it sits above dossiers): the
# API reads a dossier's filled form with `read_form` and submits a dossier with its form
# answers through `form_submitter`, which validates the answers as the portal does and
# calls dossier_submit with the components the form decides. Without the app, a dossier
# has no form and a submission with answers is refused.
_FORM_READER: list[Listener] = []
_FORM_SUBMITTER: list[Listener] = []


def form_reader(fn: Listener) -> Listener:
    _FORM_READER[:] = [fn]
    return fn


def read_form(dossier: Dossier) -> dict[str, Any] | None:
    return _FORM_READER[0](dossier) if _FORM_READER else None


def form_submitter(fn: Listener) -> Listener:
    _FORM_SUBMITTER[:] = [fn]
    return fn


def submit_with_form(**kwargs: Any) -> Dossier:
    if not _FORM_SUBMITTER:
        from motcua.core.errors import ValidationFailed

        raise ValidationFailed(
            "forms_not_available",
            "Hệ thống chưa bật tờ khai điện tử.",
            "Electronic forms are not enabled.",
            field="form",
        )
    dossier: Dossier = _FORM_SUBMITTER[0](**kwargs)
    return dossier
