"""Writes of the working calendar.

The days off and make-up working days of a year are announced by the Prime Minister /
the Ministry of Home Affairs (Labour Code 2019, Art. 112–113); an administrator declares
them here on top of the holidays that the `holidays` library already knows.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.db import transaction

from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.text import nfc
from motcua.core.types import Actor, actor_user
from motcua.org.models import Agency

from .enums import DeclaredDayKind
from .models import DeclaredDay, WorkingHours

T = TypeVar("T")


def _required(value: T, field: str, vi: str, en: str) -> T:
    if value is None or value == "":
        raise ValidationFailed("required", f"Thiếu {vi}.", f"{en} is required.", field=field)
    return value


def declared_day_set(*, date: dt.date, kind: str, name: str, actor: Actor = None) -> DeclaredDay:
    """Declare `date` a day off or a make-up working day (replacing an earlier declaration).

    A declared day overrides both the weekend rule and the public holidays of the library.
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
        if day is None:
            day = DeclaredDay(date=date, created_by=actor_user(actor))
        day.kind = kind
        day.name = name
        day.save()
    return day


def declared_day_delete(*, date: dt.date, actor: Actor = None) -> None:
    """Withdraw the declaration of `date`; the day falls back to the ordinary rules."""
    with transaction.atomic():
        day = DeclaredDay.objects.select_for_update().filter(date=date).first()
        if day is None:
            raise NotFound(f"ngày khai báo {date:%d/%m/%Y}", f"Declared day {date}", field="date")
        day.delete()


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
        if row is None:
            row = WorkingHours(agency=agency)
        for field, value in values.items():
            setattr(row, field, value)
        row.save()
    return row
