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

from django.db import models
from django.utils import timezone

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
    return AuditEntry.objects.create(
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


def history(obj: models.Model) -> models.QuerySet[AuditEntry]:
    """The entries about `obj`, newest first."""
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


__all__ = ["AuditAction", "AuditEntry", "actor_label", "history", "jsonable", "record", "snapshot"]
