"""Write the audit trail (`motcua.core.models.AuditEntry`).

A service that changes master data calls `record` inside its own transaction, after the
change, with what the object looked like before and after (`snapshot`). A rolled-back
change therefore leaves no entry, and a committed one always has its entry.

    before = snapshot(agency, AGENCY_FIELDS)
    ...change and save...
    record(actor=actor, action=AuditAction.CHANGED, operation="agency_change", obj=agency,
           before=before, after=snapshot(agency, AGENCY_FIELDS), reason=reason)
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from .chain import GENESIS, Broken, link
from .models import AuditAction, AuditEntry
from .requestid import current_request_id
from .types import Actor

SYSTEM_LABEL = "hệ thống"

JSON = None | bool | int | float | str | list["JSON"] | dict[str, "JSON"]


def jsonable(value: Any) -> JSON:
    """`value` as JSON data: dates and times ISO 8601, decimals as strings (no float
    rounding of a time limit), choices as their value, model instances as their key."""
    if isinstance(value, enum.Enum):  # TextChoices are str too: store the plain value
        return jsonable(value.value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return jsonable(value.pk)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Iterable):
        return [jsonable(v) for v in value]
    raise TypeError(f"Cannot write {type(value).__name__} to the audit trail")


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, JSON]:
    """The audited `fields` of `obj` as JSON data; a foreign key by its id (`agency` → the
    agency's pk), so that the snapshot needs no query."""
    out: dict[str, JSON] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = jsonable(getattr(obj, attname))
    return out


def actor_label(actor: Actor) -> str:
    if actor is None or not actor.is_authenticated:
        return SYSTEM_LABEL
    return str(actor.get_username())


def record(
    *,
    actor: Actor,
    action: AuditAction | str,
    operation: str,
    obj: models.Model,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    reason: str = "",
    request_id: str = "",
    object_id: Any = None,
    at: dt.datetime | None = None,
) -> AuditEntry | None:
    """Append who (`actor`, None for the system), what (`action` by `operation` on `obj`)
    and `before` → `after` to the audit trail; return the entry.

    A change that changes nothing (`before == after` for CHANGED) writes nothing and
    returns None: re-saving a form is not a change. `object_id` is for a deleted object,
    whose pk Django has already cleared; `at` defaults to now, `request_id` to the id of
    the request being served (`motcua.core.requestid`), if any.
    """
    action = AuditAction(action)
    before_json = jsonable(before) if before is not None else None
    after_json = jsonable(after) if after is not None else None
    if action == AuditAction.CHANGED and before_json == after_json:
        return None
    user = actor if actor is not None and actor.is_authenticated else None
    entry = AuditEntry(
        at=at or timezone.now(),
        actor_id=user.pk if user is not None else None,
        actor_label=actor_label(actor)[:150],
        action=action,
        operation=operation,
        object_type=obj._meta.label_lower,
        object_id=str(object_id if object_id is not None else obj.pk),
        object_label=str(obj)[:255],
        before=before_json,
        after=after_json,
        reason=reason,
        request_id=request_id or current_request_id.get(),
    )
    with transaction.atomic(savepoint=False):
        _lock_chain()
        prev = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        entry.prev_hash = prev or GENESIS
        entry.hash = entry_hash(entry.prev_hash, entry)
        entry.save(force_insert=True)
    return entry


# pg_advisory_xact_lock key of the audit chain ("motcua.audit" as an int64).
CHAIN_LOCK = int.from_bytes(b"mcaudit1", "big") >> 1


def _lock_chain() -> None:
    """Serialise appends to the one audit chain until the transaction ends: two writers
    would otherwise both read the same last entry and fork the chain (PostgreSQL, a
    transaction-scoped advisory lock). SQLite (development, tests) has one writer at a
    time: a second transaction that read the same last entry cannot write after the first
    one committed (SQLITE_BUSY) instead of forking."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


def entry_record(entry: AuditEntry) -> dict[str, Any]:
    """What the chain hashes of an entry: every field but its id and its hashes."""
    return {
        "at": entry.at,
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": str(AuditAction(entry.action).value),
        "operation": entry.operation,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_label": entry.object_label,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
        "request_id": entry.request_id,
    }


def entry_hash(prev: str, entry: AuditEntry) -> str:
    """The hash of `entry` chained to `prev`: the one rule, for `record`, the migration
    that chained the entries written before the chain, and `audit_verify`."""
    return link(prev, entry_record(entry))


def audit_verify(chunk: int = 2000) -> tuple[int, str, Broken | None]:
    """Walk the audit chain in id order (streamed): the number of entries, the head (the
    last hash) and the first broken link, if any."""
    prev = GENESIS
    count = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=chunk):
        count += 1
        row = f"id={entry.pk}"
        if entry.prev_hash != prev:
            return (
                count,
                prev,
                Broken(
                    "core_auditentry",
                    row,
                    "mắt xích bị đứt: mã băm trước không khớp bản ghi liền trước "
                    "(một bản ghi trước nó bị xóa hoặc sửa)",
                    "missing link: prev_hash is not the hash of the entry before it "
                    "(an entry before it was deleted or altered)",
                ),
            )
        if entry_hash(prev, entry) != entry.hash:
            return (
                count,
                prev,
                Broken(
                    "core_auditentry",
                    row,
                    "mã băm không khớp nội dung (bản ghi bị sửa)",
                    "hash mismatch (the entry was altered)",
                ),
            )
        prev = entry.hash
    return count, prev, None


def history(obj: models.Model) -> models.QuerySet[AuditEntry]:
    """The entries about `obj`, newest first."""
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


__all__ = [
    "AuditAction",
    "AuditEntry",
    "actor_label",
    "audit_verify",
    "entry_hash",
    "history",
    "jsonable",
    "record",
    "snapshot",
]
