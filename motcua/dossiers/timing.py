"""Deadlines: the appointment, step deadlines, pauses and early / on-time / late.

The working-time arithmetic itself lives in motcua.workcalendar; this module only decides
what is counted (reference §1.5).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from motcua.catalog.enums import TimeUnit
from motcua.catalog.limits import limit_for

from .enums import StepOutcome

if TYPE_CHECKING:
    from motcua.catalog.models import ProcedureVersion
    from motcua.org.models import Agency
    from motcua.workcalendar.engine import WorkingCalendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def calendar_for(agency: Agency | int | None) -> WorkingCalendar:
    from motcua.workcalendar.selectors import get_calendar

    return get_calendar(agency)


def appointment(
    version: ProcedureVersion,
    agency: Agency,
    received_at: dt.datetime,
    channel: int,
    procedure_code: str | None = None,
) -> dt.datetime:
    """NgayHenTra = moment of receipt + the statutory limit of the dossier's channel, in
    the limit's unit (the work calendar counts it: working time, calendar days per the Civil
    Code, or same day with a cut-off).

    No limit is invented: a version without one for `channel` raises `time_limit_missing`
    (the submission and intake refuse such a procedure before; this guards the receipt).
    The limits come from a per-process cache keyed by the version's stamp: no query.
    """
    limit = limit_for(version, channel, procedure_code)
    return calendar_for(agency).add(received_at, limit.value, limit.unit, cutoff=limit.cutoff)


def step_due(agency: Agency, started_at: dt.datetime, hours: Decimal) -> dt.datetime:
    return calendar_for(agency).add(started_at, hours, TimeUnit.WORKING_HOURS)


def classify(finished_at: dt.datetime, due_at: dt.datetime) -> str:
    """Early: finished on a day before the due day; on time: by the due moment; else late."""
    if finished_at > due_at:
        return StepOutcome.LATE
    if finished_at.astimezone(VN).date() < due_at.astimezone(VN).date():
        return StepOutcome.EARLY
    return StepOutcome.ON_TIME


def paused_working_seconds(agency: Agency, start: dt.datetime, end: dt.datetime) -> int:
    return calendar_for(agency).working_seconds_between(start, end)


def shift(agency: Agency, moment: dt.datetime, working_seconds: int) -> dt.datetime:
    """Move a deadline later by an amount of working time (a clock pause)."""
    if working_seconds <= 0:
        return moment
    hours = Decimal(working_seconds) / Decimal(3600)
    return calendar_for(agency).add(moment, hours, TimeUnit.WORKING_HOURS)
