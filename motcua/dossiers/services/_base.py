"""The opening and the closing every transition shares, written once.

`transition()` opens one transaction, locks the dossier row (SELECT … FOR UPDATE of that
row, a precompiled statement of motcua.core.rows: docs/adr/0003), checks the status against
the one TRANSITIONS table and the actor against motcua.dossiers.access, and yields a
`Transition` that the phase's code fills: the dossier's fields it changes, the reason and
the data of the event. When the block ends without an error, `Transition.save` writes the
changed fields of the row with the status the table gives (enums.status_after) and appends
the one DossierEvent. An error in the block rolls everything back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from motcua.core import rows
from motcua.core.chain import GENESIS
from motcua.core.errors import Conflict, IllegalTransition, NotFound, ValidationFailed
from motcua.core.text import nfc
from motcua.core.types import Actor, actor_user

from .. import hooks, timing
from ..access import Acting, authorize
from ..attachments import FileGuard
from ..chain import event_hash
from ..enums import ACTION_EN, STATUS_EN, TRANSITIONS, Action, Status, status_after
from ..models import BookSequence, Dossier, DossierEvent

_FIELDS = [f for f in Dossier._meta.concrete_fields if not f.primary_key]
_LOCK_JOINS = ("current_step", "receiving_agency", "settling_agency", "procedure")


def _now(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        raise ValidationFailed(
            "naive_datetime", "Thời điểm thiếu múi giờ.", "The moment has no time zone.", field="at"
        )
    return at


def _lock(dossier_id: int, expected_version: int | None, also: tuple[str, ...] = ()) -> Dossier:
    """The dossier row, locked (FOR UPDATE of that row), with its current step, agencies
    and procedure (and the to-one relations `also` names) loaded in the same statement."""
    try:
        dossier = rows.load(
            Dossier, int(dossier_id), joins=(*_LOCK_JOINS, *hooks.lock_joins(), *also), lock=True
        )
    except (ValueError, TypeError, OverflowError):
        dossier = None
    if dossier is None:
        raise NotFound("hồ sơ", "Dossier", field="dossier_id")
    locked = dossier
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            "stale_version",
            "Hồ sơ vừa được người khác thay đổi. Vui lòng tải lại và thử lại.",
            "The dossier was just changed by someone else. Reload and try again.",
            field="version",
            data={"expected": expected_version, "actual": locked.version},
        )
    locked._locked_values = {f.attname: getattr(locked, f.attname) for f in _FIELDS}
    return locked


def lock_for_transition(dossier_id: int, *, also: tuple[str, ...] = ()) -> Dossier:
    """The dossier row locked, as a transition locks it, for a service of another app that
    must hold the dossier's lock before its own rows' (locks in a fixed order: the dossier
    first) and then runs a transition in the same transaction: it passes the dossier to
    the service as `locked`, so the row is locked and read once (a verified payment:
    motcua.payments). `also` names more to-one relations to load in the same statement."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_for_transition needs the caller's transaction")
    return _lock(dossier_id, None, also)


def _check_state(dossier: Dossier, action: str) -> None:
    sources = TRANSITIONS[action][0]
    if dossier.status not in sources:
        label = Status(dossier.status).label
        raise IllegalTransition(
            "illegal_transition",
            f"Không thể '{Action(action).label}' khi hồ sơ đang ở trạng thái '{label}'.",
            f"Cannot '{ACTION_EN[action]}' a dossier in status '{STATUS_EN[dossier.status]}'.",
            field="status",
            data={"status": dossier.status, "action": str(action)},
        )


def _new_event(
    dossier: Dossier,
    action: str,
    actor: Actor,
    acting: Acting,
    from_status: int | None,
    at: dt.datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> DossierEvent:
    """The event of `action` (its seq is the dossier's version), not yet written, chained
    to the dossier's head (dossiers.chain); the dossier's head becomes its hash, to be
    written with the row."""
    user = actor_user(actor)
    event = DossierEvent(
        dossier=dossier,
        seq=dossier.version,
        action=str(action),
        at=at,
        actor=user,
        actor_role=acting.role,
        actor_agency_id=acting.agency_id,
        from_status=from_status,
        to_status=dossier.status,
        reason=reason,
        data=data or {},
    )
    event.hash = event_hash(
        dossier.chain_head if event.seq > 1 else GENESIS,
        seq=event.seq,
        action=event.action,
        at=at,
        actor=user.pk if user is not None else None,
        actor_role=event.actor_role,
        actor_agency=event.actor_agency_id,
        from_status=from_status,
        to_status=event.to_status,
        reason=reason,
        data=event.data,
    )
    dossier.chain_head = event.hash
    return event


def _append(event: DossierEvent, dossier: Dossier) -> DossierEvent:
    """Write the event (after its dossier's row) and dispatch it to the hooks
    (motcua.dossiers.hooks)."""
    event.dossier_id = dossier.pk
    rows.save_new(event)
    hooks.dispatch(event, dossier)
    return event


def _event(
    dossier: Dossier,
    action: str,
    actor: Actor,
    acting: Acting,
    from_status: int | None,
    at: dt.datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> DossierEvent:
    """Append the event of `action` on a dossier whose row is written after it (intake:
    the transition that follows writes the head)."""
    event = _new_event(dossier, action, actor, acting, from_status, at, reason, data)
    return _append(event, dossier)


def _write(dossier: Dossier) -> None:
    """Write the row: only what the transition changed (and updated_at) on a locked row."""
    before: dict[str, Any] | None = getattr(dossier, "_locked_values", None)
    if before is None:
        dossier.save()
        return
    dossier.updated_at = timezone.now()
    changed = {
        f.attname: getattr(dossier, f.attname)
        for f in _FIELDS
        if getattr(dossier, f.attname) != before[f.attname]
    }
    rows.update(Dossier, {"id": dossier.pk}, changed)
    dossier._locked_values = {f.attname: getattr(dossier, f.attname) for f in _FIELDS}


@dataclass
class Transition:
    """One transition under way: the locked dossier, who acts and how, and what its event
    will say. The phase's code changes the dossier's fields and sets `reason` and `data`;
    the status is not its to set: `save` takes it from the table (enums.status_after)."""

    dossier: Dossier
    action: str
    actor: Actor
    acting: Acting
    at: dt.datetime
    from_status: int
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    guard: FileGuard | None = None

    def save(self) -> Dossier:
        """Move the dossier to the table's status, write the row and append the event."""
        dossier = self.dossier
        dossier.status = status_after(self.action, self.from_status)
        dossier.version += 1
        event = _new_event(
            dossier,
            self.action,
            self.actor,
            self.acting,
            self.from_status,
            self.at,
            self.reason,
            self.data,
        )
        _write(dossier)  # with the new head
        _append(event, dossier)
        return dossier


@contextmanager
def transition(
    action: str,
    dossier_id: int,
    actor: Actor,
    at: dt.datetime | None,
    expected_version: int | None,
    *,
    files: bool = False,
    system: Acting | None = None,
    locked: Dossier | None = None,
) -> Iterator[Transition]:
    """The shared opening and closing of a transition on an existing dossier: one
    transaction, the row lock (and the expected version), the state check, authorisation;
    then the phase's code; then the row and the event. With `files`, the transition stores
    files through `Transition.guard`, which deletes them again if anything fails. With
    `system`, no user acts: the system does, under that name (which must be one of the
    action's actors in TRANSITIONS), on evidence the calling service has verified. With
    `locked` (from `lock_for_transition`, in the caller's transaction that is still open),
    the row is not locked and read again and no savepoint is taken: the caller's
    transaction is the transition's, and an error rolls it back whole."""
    if system is not None and system.role not in TRANSITIONS[action][2]:
        raise ValueError(f"{system.role} may not {action}")
    moment = _now(at)
    guard: AbstractContextManager[FileGuard | None] = FileGuard() if files else nullcontext()
    if locked is not None and (
        locked.pk != int(dossier_id)
        or getattr(locked, "_locked_values", None) is None
        or not transaction.get_connection().in_atomic_block
    ):
        raise RuntimeError("`locked` must be this dossier, locked in the open transaction")
    atomic = transaction.atomic(savepoint=locked is None)
    with guard as stored, atomic:
        dossier = locked if locked is not None else _lock(dossier_id, expected_version)
        _check_state(dossier, action)
        acting = system if system is not None else authorize(actor, dossier, action)
        step = Transition(dossier, action, actor, acting, moment, dossier.status, guard=stored)
        yield step
        step.save()


def _require_text(value: str | None, field: str, what: str, what_en: str) -> str:
    text = nfc(value or "")
    if not text:
        raise ValidationFailed(
            f"{field}_required", f"Cần nhập {what}.", f"{what_en} is required.", field=field
        )
    return text


@cache
def _book_upsert(vendor: str) -> str:
    """INSERT … ON CONFLICT DO UPDATE … RETURNING on BookSequence, names from the model."""
    t = rows.table(BookSequence)
    agency, year, book, last = (
        rows.column(BookSequence, n) for n in ("agency", "year", "book", "last")
    )
    return (
        f"INSERT INTO {t} ({agency}, {year}, {book}, {last}) VALUES (%s, %s, %s, 1) "  # noqa: S608
        f"ON CONFLICT ({agency}, {year}, {book}) DO UPDATE SET {last} = {t}.{last} + 1 "
        f"RETURNING {last}"
    )


def _book_number(agency_id: int, at: dt.datetime, book: str) -> int:
    """The next number of the agency's book of this form for the year of `at` ("Số:
    0001/TNHS"), assigned once when the form's act happens and kept in its event.

    One INSERT … ON CONFLICT DO UPDATE … RETURNING, as for dossier codes."""
    year = at.astimezone(timing.VN).year
    with connection.cursor() as cur:
        cur.execute(_book_upsert(connection.vendor), [agency_id, year, book])
        row = cur.fetchone()
    return int(row[0])


def _issuer(step: Transition) -> int:
    """The agency whose book numbers the form: the acting officer's, else the receiving one."""
    return step.acting.agency_id or step.dossier.receiving_agency_id
