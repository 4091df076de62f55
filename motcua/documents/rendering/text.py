"""Vietnamese dates and times as official documents write them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# Between the words of a date or a time: a line never breaks inside one.
NBSP = "\u00a0"


def local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(VN)


def _day(value: dt.date) -> tuple[str, str, str]:
    # Decree 30/2020/NĐ-CP: days under 10 and the months January and February take a
    # leading zero ("ngày 04 tháng 02"), other months do not ("tháng 3").
    day = f"{value.day:02d}"
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return day, month, str(value.year)


def date_long(value: dt.date | dt.datetime) -> str:
    """ "ngày 04 tháng 3 năm 2026"."""
    if isinstance(value, dt.datetime):
        value = local(value).date()
    d, m, y = _day(value)
    return NBSP.join(("ngày", d, "tháng", m, "năm", y))


def place_date(place: str, value: dt.date | dt.datetime) -> str:
    """ "Bắc Ninh, ngày 04 tháng 3 năm 2026"."""
    return f"{place}, {date_long(value)}"


def time_date(value: dt.datetime | None) -> str:
    """ "09 giờ 10 phút, ngày 04/03/2026"."""
    if value is None:
        return "…"
    v = local(value)
    return NBSP.join((f"{v:%H}", "giờ", f"{v:%M}", "phút,", "ngày", f"{v:%d/%m/%Y}"))


def short_date(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local(value).date()
    return f"{value:%d/%m/%Y}"


def short_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return f"{local(value):%H:%M %d/%m/%Y}"
