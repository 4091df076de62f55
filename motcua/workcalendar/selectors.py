"""Reads of the working calendar, cached in the process.

`get_calendar` is called on every dossier transition and ~100k times by the demo
generator, so the declared days and working hours are read once and kept; holiday tables
are built once per year. The cache is dropped whenever a `DeclaredDay` or `WorkingHours`
row is saved or deleted in this process (signals.py), and re-read after
`MOTCUA_CALENDAR_CACHE_SECONDS` (default 60) so that other worker processes catch up.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction

from motcua.core.errors import NotFound, ValidationFailed
from motcua.org.models import Agency

from .engine import DayTable, Period, WorkingCalendar, holidays_of_year
from .enums import DeclaredDayKind
from .models import (
    DEFAULT_AFTERNOON_END,
    DEFAULT_AFTERNOON_START,
    DEFAULT_MORNING_END,
    DEFAULT_MORNING_START,
    DeclaredDay,
    WorkingHours,
)

DEFAULT_PERIODS: tuple[Period, ...] = (
    (DEFAULT_MORNING_START, DEFAULT_MORNING_END),
    (DEFAULT_AFTERNOON_START, DEFAULT_AFTERNOON_END),
)


@dataclass
class _State:
    days: DayTable
    hours: dict[int | None, tuple[Period, ...]]
    loaded_at: float
    calendars: dict[int | None, WorkingCalendar] = field(default_factory=dict)


_state: _State | None = None
_lock = threading.Lock()
# A write whose transaction has not ended yet: (database alias, its on_commit callback).
# While it is pending nothing is cached, so a rolled-back row cannot linger in the cache.
_pending: tuple[str, Callable[[], None]] | None = None


def calendar_cache_clear() -> None:
    """Forget cached declared days and working hours (next read goes to the database)."""
    global _state, _pending
    _state = None
    _pending = None


def calendar_cache_written(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """A calendar row was written: drop the cache now and again once the write commits."""
    global _state, _pending
    _state = None
    if not transaction.get_connection(using).in_atomic_block:
        return

    def committed() -> None:
        calendar_cache_clear()

    _pending = (using, committed)
    transaction.on_commit(committed, using=using)


def _write_pending() -> bool:
    """Is the last write's transaction still open? (A rollback drops its on_commit callback.)"""
    global _pending
    pending = _pending
    if pending is None:
        return False
    using, callback = pending
    connection = transaction.get_connection(using)
    if connection.in_atomic_block and any(
        entry[1] is callback for entry in connection.run_on_commit
    ):
        return True
    # Committed (the callback cleared everything already) or rolled back: start afresh.
    calendar_cache_clear()
    return False


def _settings_periods() -> tuple[Period, ...]:
    """MOTCUA_WORKING_HOURS = (("07:30", "11:30"), ("13:30", "17:00")) if set."""
    raw = getattr(settings, "MOTCUA_WORKING_HOURS", None)
    if not raw:
        return DEFAULT_PERIODS

    def as_time(value: str | dt.time) -> dt.time:
        return value if isinstance(value, dt.time) else dt.time.fromisoformat(value)

    return tuple((as_time(a), as_time(b)) for a, b in raw)


def _load() -> _State:
    declared = dict(DeclaredDay.objects.values_list("date", "kind"))
    hours: dict[int | None, tuple[Period, ...]] = {
        row.agency_id: (
            (row.morning_start, row.morning_end),
            (row.afternoon_start, row.afternoon_end),
        )
        for row in WorkingHours.objects.all()
    }
    return _State(days=DayTable(declared), hours=hours, loaded_at=time.monotonic())


def _current() -> _State:
    global _state
    state = _state
    ttl = getattr(settings, "MOTCUA_CALENDAR_CACHE_SECONDS", 60)
    if _pending is not None and _write_pending():
        return _load()
    if state is None or time.monotonic() - state.loaded_at > ttl:
        with _lock:
            state = _state
            if state is None or time.monotonic() - state.loaded_at > ttl:
                state = _state = _load()
    return state


def get_calendar(agency: Agency | int | None = None) -> WorkingCalendar:
    """The working calendar of `agency` (an Agency or its pk; None = province default).

    Hours: the agency's own row, else the default row (agency empty), else the settings
    default 07:30–11:30, 13:30–17:00. Days are the same for every agency.
    """
    agency_id = agency.pk if isinstance(agency, Agency) else agency
    state = _current()
    calendar = state.calendars.get(agency_id)
    if calendar is None:
        periods = state.hours.get(agency_id) or state.hours.get(None) or _settings_periods()
        calendar = state.calendars[agency_id] = WorkingCalendar(periods, state.days)
    return calendar


def agency_by_code(code: str, *, field: str = "agency") -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise NotFound(f"cơ quan có mã '{code}'", f"Agency with code '{code}'", field=field)
    return agency


def calendar_year(year: int) -> list[dict[str, Any]]:
    """Every non-ordinary day of `year`: public holidays, library make-up days, declared days.

    Rows are {"date", "name", "kind", "source", "working"} sorted by date; a declared day
    overrides the library on the same date.
    """
    if not isinstance(year, int) or not 1901 <= year <= 2100:
        raise ValidationFailed(
            "invalid_input",
            "Năm phải nằm trong khoảng 1901–2100.",
            "The year must lie within 1901–2100.",
            field="year",
        )
    from .engine import library_weekend_workdays

    rows: dict[dt.date, dict[str, Any]] = {}
    for day, name in holidays_of_year(year).items():
        rows[day] = {
            "date": day,
            "name": name,
            "kind": "holiday",
            "source": "holidays",
            "working": False,
        }
    for day in library_weekend_workdays(year):
        rows[day] = {
            "date": day,
            "name": "Ngày làm việc bù",
            "kind": DeclaredDayKind.WORKING_DAY.value,
            "source": "holidays",
            "working": True,
        }
    for declared in DeclaredDay.objects.filter(date__year=year):
        rows[declared.date] = {
            "date": declared.date,
            "name": declared.name,
            "kind": declared.kind,
            "source": "declared",
            "working": declared.kind == DeclaredDayKind.WORKING_DAY,
        }
    return [rows[day] for day in sorted(rows)]
