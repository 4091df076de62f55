"""The engine alone: library holidays, weekends, hours; no database."""

import datetime as dt
from decimal import Decimal

import pytest

from motcua.core.errors import ValidationFailed
from motcua.workcalendar.engine import TZ, build_calendar
from motcua.workcalendar.selectors import DEFAULT_PERIODS

from .conftest import at

WD, WH, CD = "working_days", "working_hours", "calendar_days"


@pytest.fixture
def cal():
    return build_calendar(DEFAULT_PERIODS)


def test_default_day_is_seven_and_a_half_hours(cal):
    assert cal.hours_per_day == 7.5


@pytest.mark.parametrize("day", [16, 17, 18, 19, 20])
def test_tet_2026_is_off(cal, day):
    assert cal.is_working_day(dt.date(2026, 2, day)) is False


@pytest.mark.parametrize("day", [4, 5, 8, 9, 10])
def test_tet_2027_weekdays_are_off(cal, day):
    assert cal.is_working_day(dt.date(2027, 2, day)) is False


def test_ordinary_days(cal):
    assert cal.is_working_day(dt.date(2026, 2, 13)) is True  # Friday before Tết
    assert cal.is_working_day(dt.date(2026, 2, 23)) is True  # Monday after Tết
    assert cal.is_working_day(dt.date(2027, 3, 6)) is False  # Saturday
    assert cal.is_working_day(dt.date(2027, 3, 7)) is False  # Sunday
    assert cal.is_working_day(at(2027, 3, 3, 23, 30)) is True


def test_library_make_up_saturday_and_substituted_day_off(cal):
    # holidays 0.109: "Ngày nghỉ (thay cho ngày 22/08/2026)" on Mon 31/08/2026.
    assert cal.is_working_day(dt.date(2026, 8, 22)) is True
    assert cal.is_working_day(dt.date(2026, 8, 31)) is False


def test_issue_example_across_tet_2027(cal):
    assert cal.add(at(2027, 2, 3, 10), 5, WD) == at(2027, 2, 17, 10)
    assert cal.add(at(2027, 2, 3, 10), 5, WD).isoformat() == "2027-02-17T10:00:00+07:00"


def test_across_tet_2026(cal):
    assert cal.add(at(2026, 2, 13, 10), 1, WD) == at(2026, 2, 23, 10)


def test_across_weekend(cal):
    assert cal.add(at(2027, 3, 5, 15), 1, WD) == at(2027, 3, 8, 15)


def test_library_make_up_saturday_counts(cal):
    assert cal.add(at(2026, 8, 21, 10), 1, WD) == at(2026, 8, 22, 10)


def test_national_day_2026_with_substituted_day_off(cal):
    # Sat 29, Sun 30, Mon 31 (substituted), Tue 1 and Wed 2 September are off.
    assert cal.add(at(2026, 8, 28, 10), 1, WD) == at(2026, 9, 3, 10)


def test_declared_day_off_and_make_up_day():
    off = build_calendar(DEFAULT_PERIODS, {dt.date(2027, 3, 8): "day_off"})
    assert off.add(at(2027, 3, 5, 15), 1, WD) == at(2027, 3, 9, 15)
    make_up = build_calendar(DEFAULT_PERIODS, {dt.date(2027, 3, 6): "working_day"})
    assert make_up.is_working_day(dt.date(2027, 3, 6)) is True
    assert make_up.add(at(2027, 3, 5, 15), 1, WD) == at(2027, 3, 6, 15)


def test_declared_day_overrides_library():
    cal = build_calendar(
        DEFAULT_PERIODS, {dt.date(2026, 8, 22): "day_off", dt.date(2026, 8, 31): "working_day"}
    )
    assert cal.is_working_day(dt.date(2026, 8, 22)) is False
    assert cal.is_working_day(dt.date(2026, 8, 31)) is True


def test_working_hours(cal):
    assert cal.add(at(2027, 3, 3, 10), 3, WH) == at(2027, 3, 3, 15)
    assert cal.add(at(2027, 3, 3, 16), 8, WH) == at(2027, 3, 4, 16, 30)
    assert cal.add(at(2027, 3, 3, 16), Decimal("8.5"), WH) == at(2027, 3, 4, 17)


def test_calendar_days_issue_example_last_day_a_holiday_sunday(cal):
    # Thu 23/4/2026 + 3 days: counting starts Fri 24 (Điều 147); the last day, Sun 26/4, is
    # Giỗ Tổ Hùng Vương, Mon 27/4 its substitute day off; so the end of Tue 28/4 (Điều 148),
    # at the close of working hours.
    assert cal.add(at(2026, 4, 23, 10), 3, CD) == at(2026, 4, 28, 17)


def test_calendar_days_last_day_a_working_day_ends_at_its_close(cal):
    # Mon 2/3/2026 + 3: Tue, Wed, Thu → Thu 5/3 at 17:00, whatever the hour of receipt
    assert cal.add(at(2026, 3, 2, 10), 3, CD) == at(2026, 3, 5, 17)
    assert cal.add(at(2026, 3, 2, 16, 59), 3, CD) == at(2026, 3, 5, 17)
    # received on a Saturday: counting still starts the next day
    assert cal.add(at(2026, 3, 7, 9), 2, CD) == at(2026, 3, 9, 17)


def test_calendar_days_through_tet(cal):
    # Tết Bính Ngọ 2026: 16–20/2 off. Wed 11/2 + 5 → Mon 16/2, off → Mon 23/2
    assert cal.add(at(2026, 2, 11, 10), 5, CD) == at(2026, 2, 23, 17)
    # Wed 3/2/2027 + 5 → Mon 8/2/2027 (Tết Đinh Mùi) → first working day Thu 11/2/2027
    assert cal.add(at(2027, 2, 3, 10), 5, CD) == at(2027, 2, 11, 17)
    # a limit that ends before Tết is not moved by it: Mon 9/2/2026 + 3 → Thu 12/2
    assert cal.add(at(2026, 2, 9, 10), 3, CD) == at(2026, 2, 12, 17)


def test_calendar_days_last_day_a_declared_make_up_working_day():
    cal = build_calendar(DEFAULT_PERIODS, {dt.date(2026, 3, 7): "working_day"})
    # Thu 5/3 + 2 → Sat 7/3, declared a make-up working day: it ends there
    assert cal.add(at(2026, 3, 5, 10), 2, CD) == at(2026, 3, 7, 17)


def test_calendar_days_must_be_whole(cal):
    with pytest.raises(ValidationFailed) as err:
        cal.add(at(2027, 2, 3, 10), Decimal("0.5"), CD)
    assert (err.value.code, err.value.field) == ("invalid_input", "value")


SD = "same_day"
CUT = dt.time(15)


def test_same_day_before_cutoff_is_due_at_the_close_of_that_day(cal):
    assert cal.add(at(2026, 3, 4, 9), None, SD, cutoff=CUT) == at(2026, 3, 4, 17)
    assert cal.add(at(2026, 3, 4, 6), None, SD, cutoff=CUT) == at(2026, 3, 4, 17)
    # "sau 15 giờ": at 15:00 exactly it is not after
    assert cal.add(at(2026, 3, 4, 15), None, SD, cutoff=CUT) == at(2026, 3, 4, 17)


def test_same_day_after_cutoff_is_due_the_next_working_day(cal):
    assert cal.add(at(2026, 3, 4, 15, 1), None, SD, cutoff=CUT) == at(2026, 3, 5, 17)
    # Friday after the cut-off → Monday
    assert cal.add(at(2026, 3, 6, 16), None, SD, cutoff=CUT) == at(2026, 3, 9, 17)
    # received on a Saturday (online) → Monday
    assert cal.add(at(2026, 3, 7, 10), None, SD, cutoff=CUT) == at(2026, 3, 9, 17)
    # Friday 13/2/2026 after 15:00, Tết 16–20/2 → Mon 23/2
    assert cal.add(at(2026, 2, 13, 15, 30), None, SD, cutoff=CUT) == at(2026, 2, 23, 17)
    # another cut-off hour
    assert cal.add(at(2026, 3, 4, 15, 30), None, SD, cutoff=dt.time(16)) == at(2026, 3, 4, 17)


def test_same_day_needs_a_cutoff(cal):
    with pytest.raises(ValidationFailed) as err:
        cal.add(at(2026, 3, 4, 9), None, SD)
    assert (err.value.code, err.value.field) == ("invalid_input", "cutoff")


def test_received_after_hours_starts_next_morning(cal):
    assert cal.add(at(2027, 3, 3, 18), 1, WD) == at(2027, 3, 4, 17)
    assert cal.add(at(2027, 3, 3, 17), 1, WH) == at(2027, 3, 4, 8, 30)
    assert cal.add(at(2027, 3, 3, 7), 1, WH) == at(2027, 3, 3, 8, 30)


def test_received_at_lunch_starts_in_the_afternoon(cal):
    assert cal.add(at(2027, 3, 3, 12), 1, WD) == at(2027, 3, 4, 11, 30)
    assert cal.add(at(2027, 3, 3, 12), Decimal("0.5"), WD) == at(2027, 3, 4, 7, 45)
    assert cal.add(at(2027, 3, 3, 11, 30), 1, WH) == at(2027, 3, 3, 14, 30)


def test_received_on_sunday_starts_monday(cal):
    assert cal.add(at(2027, 3, 7, 9), 1, WD) == at(2027, 3, 8, 17)


def test_due_at_period_end_stays_there(cal):
    assert cal.add(at(2027, 3, 3, 7, 30), 1, WD) == at(2027, 3, 3, 17)
    assert cal.add(at(2027, 3, 3, 7, 30), 4, WH) == at(2027, 3, 3, 11, 30)


def test_fractional_days(cal):
    assert cal.add(at(2027, 3, 3, 10), Decimal("0.5"), WD) == at(2027, 3, 3, 15, 45)
    assert cal.add(at(2027, 3, 1, 7, 30), 1.5, WD) == at(2027, 3, 2, 11, 15)


def test_other_offsets_and_microseconds(cal):
    start = dt.datetime(2027, 3, 3, 3, 0, 0, 123456, tzinfo=dt.UTC)  # 10:00 in Hà Nội
    due = cal.add(start, 1, WH)
    assert due == at(2027, 3, 3, 11, 0, 0, 123456)
    assert due.tzinfo is TZ
    assert due.isoformat() == "2027-03-03T11:00:00.123456+07:00"


def test_long_duration_skips_whole_days(cal):
    # 60 working days from 01/03/2027: 23 in March, 20 in April (16/04 and 30/04 off),
    # 17 in May (01/05 is a Saturday, 03/05 its observed day off) -> the 60th is 26/05.
    assert cal.add(at(2027, 3, 1, 7, 30), 60, WD) == at(2027, 5, 26, 17)


@pytest.mark.parametrize("value", [0, -1, Decimal("-0.5"), Decimal("NaN"), True, "5", None])
def test_bad_value_names_the_field(cal, value):
    with pytest.raises(ValidationFailed) as err:
        cal.add(at(2027, 3, 3, 10), value, WD)
    assert err.value.field == "value"


def test_too_large_value(cal):
    with pytest.raises(ValidationFailed) as err:
        cal.add(at(2027, 3, 3, 10), 2501, WD)
    assert err.value.field == "value"


def test_bad_unit_names_the_field(cal):
    with pytest.raises(ValidationFailed) as err:
        cal.add(at(2027, 3, 3, 10), 1, "weeks")
    assert err.value.field == "unit"


def test_naive_start_is_refused(cal):
    with pytest.raises(ValidationFailed) as err:
        cal.add(dt.datetime(2027, 3, 3, 10), 1, WD)
    assert err.value.field == "start"


def test_next_working_moment(cal):
    assert cal.next_working_moment(at(2027, 3, 3, 10)) == at(2027, 3, 3, 10)
    assert cal.next_working_moment(at(2027, 3, 3, 12)) == at(2027, 3, 3, 13, 30)
    assert cal.next_working_moment(at(2027, 3, 3, 11, 30)) == at(2027, 3, 3, 13, 30)
    assert cal.next_working_moment(at(2027, 3, 3, 17)) == at(2027, 3, 4, 7, 30)
    assert cal.next_working_moment(at(2027, 2, 3, 17, 30)) == at(2027, 2, 11, 7, 30)


def test_working_seconds_between(cal):
    assert cal.working_seconds_between(at(2027, 3, 3, 8), at(2027, 3, 3, 9)) == 3600
    assert cal.working_seconds_between(at(2027, 3, 3, 11), at(2027, 3, 3, 14)) == 3600
    # across a night
    assert cal.working_seconds_between(at(2027, 3, 3, 16), at(2027, 3, 4, 8, 30)) == 7200
    # across a weekend
    assert cal.working_seconds_between(at(2027, 3, 5, 16), at(2027, 3, 8, 8, 30)) == 7200
    # across Tết 2027
    assert cal.working_seconds_between(at(2027, 2, 3, 16), at(2027, 2, 11, 8, 30)) == 7200
    # two full weeks
    assert cal.working_seconds_between(at(2027, 3, 1, 7, 30), at(2027, 3, 15, 7, 30)) == 270000
    # across New Year: 30/12 afternoon, 31/12, (01/01 off, weekend), 04/01, 05/01 morning
    assert cal.working_seconds_between(at(2026, 12, 30, 12), at(2027, 1, 5, 12)) == 81000
    # outside working hours only
    assert cal.working_seconds_between(at(2027, 3, 6, 8), at(2027, 3, 7, 16)) == 0
    assert cal.working_seconds_between(at(2027, 3, 3, 17), at(2027, 3, 3, 23)) == 0


def test_working_seconds_between_reversed_or_equal_is_zero(cal):
    assert cal.working_seconds_between(at(2027, 3, 4, 9), at(2027, 3, 3, 9)) == 0
    assert cal.working_seconds_between(at(2027, 3, 3, 9), at(2027, 3, 3, 9)) == 0


@pytest.mark.parametrize(
    "start,hours",
    [
        (at(2027, 2, 3, 10), Decimal("37.5")),
        (at(2027, 3, 5, 16, 12, 7), Decimal("11.25")),
        (at(2026, 12, 30, 13, 30), Decimal("100")),
    ],
)
def test_add_and_between_agree(cal, start, hours):
    due = cal.add(start, hours, WH)
    assert cal.working_seconds_between(start, due) == int(hours * 3600)
