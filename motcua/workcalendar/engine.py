"""The working-time engine: pure computation, no database.

Reference §1.5: the appointment date is the moment of valid receipt plus the statutory
duration, counted in working time. A duration of D working days is D × the working hours of
one day, counted from the moment of receipt and skipping every moment outside working
hours; a dossier received outside working hours starts counting at the next working period.
Working hours are counted the same way.

Calendar days follow the Civil Code 2015 (Bộ luật Dân sự 2015, Điều 147–148): counting
starts the day after receipt; the period ends at the end of its last day; when that day is
a weekly day off or a holiday, at the end of the next working day. "End of the day" is, for
an appointment, the close of the agency's working hours that day (the last moment a result
can be handed over at the counter; docs/rules.md). Same-day limits ("trong ngày", chứng
thực: Nghị định 23/2015/NĐ-CP Điều 7) are due at the close of the day of receipt, or of the
next working day when received after the cut-off hour or on a day off.

Vietnam has no daylight saving time since 1975, so local wall-clock arithmetic in
Asia/Ho_Chi_Minh is exact. Internally a moment is (proleptic ordinal of the local date,
microseconds since local midnight).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from motcua.core.errors import ValidationFailed

from .enums import DeclaredDayKind, TimeUnit

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

US_PER_SECOND = 1_000_000
US_PER_DAY = 86_400 * US_PER_SECOND

# The `holidays` data for Vietnam covers these years; keeping the start inside them also
# keeps every reachable due moment (see MAX_VALUE) away from datetime overflow.
MIN_YEAR = 1901
MAX_START_YEAR = 2090

# Upper bounds on a duration, about ten years each: no statutory time limit comes near
# them, and they keep one computation bounded.
MAX_VALUE: dict[str, Decimal] = {
    TimeUnit.WORKING_DAYS: Decimal(2500),
    TimeUnit.WORKING_HOURS: Decimal(2500 * 10),
    TimeUnit.CALENDAR_DAYS: Decimal(3660),
}


# --- public holidays from the library ---------------------------------------------------


@lru_cache(maxsize=256)
def library_year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date], dict[dt.date, str]]:
    """(weekdays off, weekend working days, holiday names) of one year per `holidays.VN`.

    Substituted days off ("Ngày nghỉ (thay cho ngày 22/08/2026)") are holidays of the
    library; the Saturday they are swapped with is in its `weekend_workdays`, which
    `is_working_day` honours, so the library's own test decides every day of the year.
    """
    vn = holidays.VN(years=year, language="vi")
    day = dt.date(year, 1, 1)
    off: set[dt.date] = set()
    weekend_work: set[dt.date] = set()
    while day.year == year:
        working = vn.is_working_day(day)
        weekend = day.weekday() >= 5
        if weekend and working:
            weekend_work.add(day)
        elif not weekend and not working:
            off.add(day)
        day += dt.timedelta(days=1)
    names = {d: str(n) for d, n in vn.items() if d.year == year}
    return frozenset(off), frozenset(weekend_work), names


class DayTable:
    """Which local dates are working days: library holidays, weekends, declared days.

    Built one year at a time (a byte per day plus a running count), then every question is
    an index lookup.
    """

    def __init__(self, declared: Mapping[dt.date, str] | None = None) -> None:
        self.declared: dict[dt.date, str] = dict(declared or {})
        self._years: dict[int, tuple[int, bytes, list[int]]] = {}
        self._lock = threading.Lock()
        # The year looked at last: nearly every lookup falls in it.
        self._last: tuple[int, bytes, list[int]] = (0, b"", [])

    def _year(self, year: int) -> tuple[int, bytes, list[int]]:
        table = self._years.get(year)
        if table is None:
            with self._lock:
                table = self._years.get(year) or self._build(year)
                self._years[year] = table
        return table

    def _build(self, year: int) -> tuple[int, bytes, list[int]]:
        if not MIN_YEAR <= year <= 2100:
            raise ValidationFailed(
                "date_out_of_range",
                f"Lịch làm việc chỉ hỗ trợ các năm {MIN_YEAR}–2100.",
                f"The working calendar only covers the years {MIN_YEAR}–2100.",
            )
        off, weekend_work, _names = library_year(year)
        first = dt.date(year, 1, 1).toordinal()
        last = dt.date(year, 12, 31).toordinal()
        flags = bytearray(last - first + 1)
        for i in range(len(flags)):
            day = dt.date.fromordinal(first + i)
            if day.weekday() >= 5:
                flags[i] = day in weekend_work
            else:
                flags[i] = day not in off
        for day, kind in self.declared.items():
            if day.year == year:
                flags[day.toordinal() - first] = kind == DeclaredDayKind.WORKING_DAY
        cumulative = [0]
        for flag in flags:
            cumulative.append(cumulative[-1] + flag)
        return first, bytes(flags), cumulative

    def is_working(self, ordinal: int) -> bool:
        first, flags, _ = self._last
        index = ordinal - first
        if not 0 <= index < len(flags):
            first, flags, _ = self._last = self._year(dt.date.fromordinal(ordinal).year)
            index = ordinal - first
        return bool(flags[index])

    def count_working(self, first_ordinal: int, last_ordinal: int) -> int:
        """Working days in [first_ordinal, last_ordinal], both included."""
        total = 0
        ordinal = first_ordinal
        while ordinal <= last_ordinal:
            first, flags, cumulative = self._year(dt.date.fromordinal(ordinal).year)
            end = min(last_ordinal, first + len(flags) - 1)
            total += cumulative[end - first + 1] - cumulative[ordinal - first]
            ordinal = end + 1
        return total


# --- the calendar -----------------------------------------------------------------------

Period = tuple[dt.time, dt.time]


def _us(t: dt.time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * US_PER_SECOND + t.microsecond


def _invalid(field: str, vi: str, en: str, code: str = "invalid_input") -> ValidationFailed:
    return ValidationFailed(code, vi, en, field=field)


def _as_decimal(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        raise _invalid("value", "Thời hạn phải là một số.", "The duration must be a number.")
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError) as exc:
        raise _invalid(
            "value", "Thời hạn phải là một số.", "The duration must be a number."
        ) from exc
    if not number.is_finite() or number <= 0:
        raise _invalid(
            "value",
            "Thời hạn phải là một số dương.",
            "The duration must be a positive number.",
        )
    return number


def parse_unit(unit: str) -> TimeUnit:
    try:
        return TimeUnit(unit)
    except ValueError:
        allowed = ", ".join(TimeUnit.values)
        raise _invalid(
            "unit",
            f"Đơn vị thời gian không hợp lệ: '{unit}'. Giá trị cho phép: {allowed}.",
            f"Invalid time unit '{unit}'. Allowed: {allowed}.",
        ) from None


class WorkingCalendar:
    """Working time of one agency: its two daily periods over the shared day table."""

    def __init__(self, periods: Sequence[Period], days: DayTable | None = None) -> None:
        spans = [(_us(a), _us(b)) for a, b in periods]
        if not spans or any(a >= b for a, b in spans):
            raise ValueError("each working period must start before it ends")
        if any(spans[i][1] > spans[i + 1][0] for i in range(len(spans) - 1)):
            raise ValueError("working periods must be ordered and must not overlap")
        self.periods: tuple[Period, ...] = tuple(periods)
        self._spans: tuple[tuple[int, int], ...] = tuple(spans)
        self._day_us: int = sum(b - a for a, b in spans)
        self.days: DayTable = days if days is not None else DayTable()

    def __repr__(self) -> str:
        spans = ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in self.periods)
        return f"<WorkingCalendar {spans}>"

    @property
    def hours_per_day(self) -> float:
        """Working hours in one working day (7.5 with the default 07:30–11:30, 13:30–17:00)."""
        return self._day_us / (3600 * US_PER_SECOND)

    # -- conversions --

    @staticmethod
    def _split(moment: dt.datetime, field: str = "start") -> tuple[int, int]:
        if not isinstance(moment, dt.datetime) or moment.utcoffset() is None:
            raise _invalid(
                field,
                "Thời điểm phải có múi giờ (ví dụ 2027-02-03T10:00:00+07:00).",
                "The moment must be timezone-aware (e.g. 2027-02-03T10:00:00+07:00).",
            )
        local = moment.astimezone(TZ)
        if not MIN_YEAR <= local.year <= MAX_START_YEAR:
            raise _invalid(
                field,
                f"Thời điểm phải nằm trong các năm {MIN_YEAR}–{MAX_START_YEAR}.",
                f"The moment must lie within the years {MIN_YEAR}–{MAX_START_YEAR}.",
                code="date_out_of_range",
            )
        return local.toordinal(), _us(local.time())

    @staticmethod
    def _join(ordinal: int, us: int) -> dt.datetime:
        day = dt.date.fromordinal(ordinal)
        seconds, micro = divmod(us, US_PER_SECOND)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        return dt.datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=TZ)

    # -- questions --

    def is_working_day(self, day: dt.date | dt.datetime) -> bool:
        """Mon–Fri that is no public holiday nor declared day off, or a declared make-up day."""
        if isinstance(day, dt.datetime):
            day = day.astimezone(TZ).date() if day.utcoffset() is not None else day.date()
        return self.days.is_working(day.toordinal())

    def _next_working(self, ordinal: int, us: int) -> tuple[int, int]:
        for _ in range(3700):
            if self.days.is_working(ordinal):
                for start, end in self._spans:
                    if us < end:
                        return ordinal, max(us, start)
            ordinal, us = ordinal + 1, 0
        raise ValidationFailed(
            "no_working_day",
            "Không có ngày làm việc nào trong mười năm kể từ thời điểm này.",
            "There is no working day within ten years of this moment.",
        )

    def next_working_moment(self, moment: dt.datetime) -> dt.datetime:
        """`moment` itself if it lies inside a working period, else the next period's start."""
        return self._join(*self._next_working(*self._split(moment)))

    def _worked_in_day(self, us: int) -> int:
        """Working microseconds of a working day from midnight up to `us`."""
        return sum(min(max(us - start, 0), end - start) for start, end in self._spans)

    def _add_working(self, ordinal: int, us: int, amount: int) -> tuple[int, int]:
        ordinal, us = self._next_working(ordinal, us)
        while True:
            if self.days.is_working(ordinal):
                for start, end in self._spans:
                    if us >= end:
                        continue
                    begin = max(us, start)
                    available = end - begin
                    # `<=`: a due moment falling exactly at a period's end stays there
                    # (17:00 that day, not 07:30 the next morning).
                    if amount <= available:
                        return ordinal, begin + amount
                    amount -= available
            ordinal, us = ordinal + 1, 0
            # Whole working days are skipped without looking at their periods.
            while amount > self._day_us:
                if self.days.is_working(ordinal):
                    amount -= self._day_us
                ordinal += 1

    def _working_day_after(self, ordinal: int) -> int:
        """The first working day after `ordinal` (not `ordinal` itself)."""
        for step in range(1, 3700):
            if self.days.is_working(ordinal + step):
                return ordinal + step
        raise ValidationFailed(
            "no_working_day",
            "Không có ngày làm việc nào trong mười năm kể từ thời điểm này.",
            "There is no working day within ten years of this moment.",
        )

    def close_of(self, ordinal: int) -> dt.datetime:
        """The end of the agency's working hours on the local date `ordinal`."""
        return self._join(ordinal, self._spans[-1][1])

    def add(
        self,
        start: dt.datetime,
        value: Decimal | int | float | None,
        unit: str | TimeUnit,
        *,
        cutoff: dt.time | None = None,
    ) -> dt.datetime:
        """The due moment `value` `unit`s after `start` (aware, in Asia/Ho_Chi_Minh).

        `same_day` takes no value and needs `cutoff`: received on a working day at or
        before it, due at that day's close; later, or on a day off, at the close of the
        next working day. `calendar_days` takes whole days (Civil Code, Điều 147–148).
        """
        time_unit = parse_unit(unit)
        if time_unit == TimeUnit.SAME_DAY:
            if not isinstance(cutoff, dt.time):
                raise _invalid(
                    "cutoff",
                    "Thời hạn 'trong ngày' cần giờ chốt tiếp nhận (ví dụ 15:00).",
                    "A same-day limit needs a cut-off hour (e.g. 15:00).",
                )
            ordinal, us = self._split(start)
            if self.days.is_working(ordinal) and us <= _us(cutoff):
                return self.close_of(ordinal)
            return self.close_of(self._working_day_after(ordinal))
        number = _as_decimal(value)
        if number > MAX_VALUE[time_unit]:
            raise _invalid(
                "value",
                f"Thời hạn quá lớn (tối đa {MAX_VALUE[time_unit]} {time_unit.label}).",
                f"The duration is too large (at most {MAX_VALUE[time_unit]} {time_unit.value}).",
            )
        ordinal, us = self._split(start)
        if time_unit == TimeUnit.CALENDAR_DAYS:
            if number != number.to_integral_value():
                raise _invalid(
                    "value",
                    "Thời hạn tính theo ngày phải là số ngày nguyên.",
                    "A duration in calendar days must be a whole number of days.",
                )
            # Điều 147: the day of receipt is not counted; Điều 148: the last day, moved to
            # the next working day when it is a weekly day off or a holiday.
            last = ordinal + int(number)
            if not self.days.is_working(last):
                last = self._working_day_after(last)
            return self.close_of(last)
        per_unit = self._day_us if time_unit == TimeUnit.WORKING_DAYS else 3600 * US_PER_SECOND
        amount = int((number * per_unit).to_integral_value())
        return self._join(*self._add_working(ordinal, us, amount))

    def working_seconds_between(self, a: dt.datetime, b: dt.datetime) -> int:
        """Whole seconds of working time in [a, b); 0 when b is not after a."""
        day_a, us_a = self._split(a, "a")
        day_b, us_b = self._split(b, "b")
        if (day_b, us_b) <= (day_a, us_a):
            return 0
        if day_a == day_b:
            if not self.days.is_working(day_a):
                return 0
            total = self._worked_in_day(us_b) - self._worked_in_day(us_a)
        else:
            total = 0
            if self.days.is_working(day_a):
                total += self._day_us - self._worked_in_day(us_a)
            if self.days.is_working(day_b):
                total += self._worked_in_day(us_b)
            if day_b - day_a > 1:
                total += self._day_us * self.days.count_working(day_a + 1, day_b - 1)
        return total // US_PER_SECOND


def holidays_of_year(year: int) -> dict[dt.date, str]:
    """Public holidays of `year` per the `holidays` library, with Vietnamese names."""
    return dict(library_year(year)[2])


def library_weekend_workdays(year: int) -> frozenset[dt.date]:
    """Weekend days the library declares working days (make-up days for a swapped day off)."""
    return library_year(year)[1]


def build_calendar(
    periods: Iterable[Period], declared: Mapping[dt.date, str] | None = None
) -> WorkingCalendar:
    return WorkingCalendar(list(periods), DayTable(declared))


__all__: list[str] = [
    "TZ",
    "DayTable",
    "WorkingCalendar",
    "build_calendar",
    "holidays_of_year",
    "library_weekend_workdays",
    "parse_unit",
]


def parse_moment(text: str, field: str = "from") -> dt.datetime:
    """'2027-02-03 10:00', '2027-02-03T10:00:00+07:00' or '2027-02-03' -> aware datetime.

    A moment without offset is local time in Asia/Ho_Chi_Minh.
    """
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except (AttributeError, ValueError):
        raise _invalid(
            field,
            f"Thời điểm không hợp lệ: '{text}'. Dùng dạng 2027-02-03 10:00 hoặc ISO 8601.",
            f"Invalid moment '{text}'. Use 2027-02-03 10:00 or ISO 8601.",
        ) from None
    return moment.replace(tzinfo=TZ) if moment.utcoffset() is None else moment


def parse_date(text: str, field: str = "date") -> dt.date:
    """'2027-02-03' or '03/02/2027' -> date."""
    text = (text or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise _invalid(
        field,
        f"Ngày không hợp lệ: '{text}'. Dùng dạng 2027-02-03 hoặc 03/02/2027.",
        f"Invalid date '{text}'. Use 2027-02-03 or 03/02/2027.",
    )
