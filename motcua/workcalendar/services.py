"""Writes of the working calendar.

The days off and make-up working days of a year are announced by the Prime Minister /
the Ministry of Home Affairs (Labour Code 2019, Art. 112–113); an administrator declares
them here on top of the holidays that the `holidays` library already knows.

Every declaration, its withdrawal and every change of working hours is written to the
audit trail (`motcua.core.audit.record`) in the same transaction: they move the deadlines
of every dossier.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.db import transaction

from motcua.core.audit import AuditAction, record, snapshot
from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.text import nfc
from motcua.core.types import Actor, actor_user
from motcua.org.models import Agency

from .enums import DeclaredDayKind
from .models import DeclaredDay, WorkingHours

DECLARED_DAY_AUDITED = ("date", "kind", "name")
WORKING_HOURS_AUDITED = (
    "agency",
    "morning_start",
    "morning_end",
    "afternoon_start",
    "afternoon_end",
)
T = TypeVar("T")


def _required(value: T, field: str, vi: str, en: str) -> T:
    if value is None or value == "":
        raise ValidationFailed("required", f"Thiếu {vi}.", f"{en} is required.", field=field)
    return value


def declared_day_set(
    *, date: dt.date, kind: str, name: str, actor: Actor = None, reason: str = ""
) -> DeclaredDay:
    """Declare `date` a day off or a make-up working day (replacing an earlier declaration).

    A declared day overrides both the weekend rule and the public holidays of the library.
    `reason` is the announcement it comes from (a decision of the Prime Minister, a
    notice of the Ministry of Home Affairs), kept in the audit trail.
    """
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise ValidationFailed(
            "invalid_input", "Ngày không hợp lệ.", "The date is invalid.", field="date"
        )
    if kind not in DeclaredDayKind.values:
        allowed = ", ".join(DeclaredDayKind.values)
        raise ValidationFailed(
            "invalid_input",
            f"Loại ngày không hợp lệ: '{kind}'. Giá trị cho phép: {allowed}.",
            f"Invalid kind '{kind}'. Allowed: {allowed}.",
            field="kind",
        )
    name = nfc(name) or ""
    _required(name, "name", "tên hoặc lý do của ngày", "The name of the day")
    if len(name) > (DeclaredDay._meta.get_field("name").max_length or 0):
        raise ValidationFailed(
            "invalid_input",
            "Tên quá dài (tối đa 200 ký tự).",
            "Name too long (max 200).",
            field="name",
        )
    with transaction.atomic():
        day = DeclaredDay.objects.select_for_update().filter(date=date).first()
        before = snapshot(day, DECLARED_DAY_AUDITED) if day is not None else None
        if day is None:
            day = DeclaredDay(date=date, created_by=actor_user(actor))
        day.kind = kind
        day.name = name
        day.save()
        record(
            actor=actor,
            action=AuditAction.CREATED if before is None else AuditAction.CHANGED,
            operation="declared_day_set",
            obj=day,
            before=before,
            after=snapshot(day, DECLARED_DAY_AUDITED),
            reason=nfc(reason) or "",
        )
    return day


def declared_day_delete(*, date: dt.date, actor: Actor = None, reason: str = "") -> None:
    """Withdraw the declaration of `date`; the day falls back to the ordinary rules."""
    with transaction.atomic():
        day = DeclaredDay.objects.select_for_update().filter(date=date).first()
        if day is None:
            raise NotFound(f"ngày khai báo {date:%d/%m/%Y}", f"Declared day {date}", field="date")
        before = snapshot(day, DECLARED_DAY_AUDITED)
        pk = day.pk
        day.delete()
        record(
            actor=actor,
            action=AuditAction.DELETED,
            operation="declared_day_delete",
            obj=day,
            object_id=pk,
            before=before,
            after=None,
            reason=nfc(reason) or "",
        )


def working_hours_set(
    *,
    agency: Agency | None,
    morning_start: dt.time,
    morning_end: dt.time,
    afternoon_start: dt.time,
    afternoon_end: dt.time,
    actor: Actor = None,
) -> WorkingHours:
    """Set the working hours of `agency` (None = the province default).

    Each period starts before it ends, and the afternoon does not start before the morning
    ends (the same rule the database's check constraints guarantee).
    """
    values = {
        "morning_start": morning_start,
        "morning_end": morning_end,
        "afternoon_start": afternoon_start,
        "afternoon_end": afternoon_end,
    }
    for field, value in values.items():
        if not isinstance(value, dt.time):
            raise ValidationFailed(
                "invalid_input", "Giờ không hợp lệ.", "The time is invalid.", field=field
            )
    if not morning_start < morning_end:
        raise ValidationFailed(
            "invalid_hours",
            "Giờ kết thúc buổi sáng phải sau giờ bắt đầu.",
            "The morning must end after it starts.",
            field="morning_end",
        )
    if not morning_end <= afternoon_start:
        raise ValidationFailed(
            "invalid_hours",
            "Buổi chiều không được bắt đầu trước khi buổi sáng kết thúc.",
            "The afternoon cannot start before the morning ends.",
            field="afternoon_start",
        )
    if not afternoon_start < afternoon_end:
        raise ValidationFailed(
            "invalid_hours",
            "Giờ kết thúc buổi chiều phải sau giờ bắt đầu.",
            "The afternoon must end after it starts.",
            field="afternoon_end",
        )
    with transaction.atomic():
        rows = WorkingHours.objects.select_for_update()
        row = (rows.filter(agency=agency) if agency else rows.filter(agency__isnull=True)).first()
        before = snapshot(row, WORKING_HOURS_AUDITED) if row is not None else None
        if row is None:
            row = WorkingHours(agency=agency)
        for field, value in values.items():
            setattr(row, field, value)
        row.save()
        record(
            actor=actor,
            action=AuditAction.CREATED if before is None else AuditAction.CHANGED,
            operation="working_hours_set",
            obj=row,
            before=before,
            after=snapshot(row, WORKING_HOURS_AUDITED),
        )
    return row


def working_hours_delete(*, agency: Agency, actor: Actor = None) -> None:
    """Remove the working hours of `agency`: it falls back to the province default (which
    itself is changed, never removed)."""
    with transaction.atomic():
        row = WorkingHours.objects.select_for_update().filter(agency=agency).first()
        if row is None:
            raise NotFound(
                f"giờ làm việc của {agency}", f"Working hours of {agency}", field="agency"
            )
        before = snapshot(row, WORKING_HOURS_AUDITED)
        pk = row.pk
        row.delete()
        record(
            actor=actor,
            action=AuditAction.DELETED,
            operation="working_hours_delete",
            obj=row,
            object_id=pk,
            before=before,
            after=None,
        )
