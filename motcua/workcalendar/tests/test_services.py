import datetime as dt
import unicodedata

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from motcua.core.errors import NotFound, ValidationFailed
from motcua.workcalendar.models import DeclaredDay, WorkingHours
from motcua.workcalendar.selectors import calendar_year, get_calendar
from motcua.workcalendar.services import (
    declared_day_delete,
    declared_day_set,
    working_hours_set,
)

from .conftest import at

pytestmark = pytest.mark.django_db


def test_declared_day_off_changes_due_dates_at_once():
    # given a calendar already cached
    assert get_calendar().add(at(2027, 3, 5, 15), 1, "working_days") == at(2027, 3, 8, 15)
    # when Monday is declared a day off
    declared_day_set(date=dt.date(2027, 3, 8), kind="day_off", name="Nghỉ bù")
    # then the next computation skips it
    assert get_calendar().is_working_day(dt.date(2027, 3, 8)) is False
    assert get_calendar().add(at(2027, 3, 5, 15), 1, "working_days") == at(2027, 3, 9, 15)


def test_make_up_working_saturday_and_redeclaration():
    user = get_user_model().objects.create_user("admin1", password="x")
    day = declared_day_set(date=dt.date(2027, 3, 6), kind="working_day", name="Làm bù", actor=user)
    assert day.created_by == user
    assert get_calendar().add(at(2027, 3, 5, 15), 1, "working_days") == at(2027, 3, 6, 15)
    # the same date declared again replaces the earlier declaration
    declared_day_set(date=dt.date(2027, 3, 6), kind="day_off", name="Hủy làm bù")
    assert DeclaredDay.objects.count() == 1
    assert DeclaredDay.objects.get().kind == "day_off"
    assert get_calendar().is_working_day(dt.date(2027, 3, 6)) is False


def test_delete_restores_ordinary_rules():
    declared_day_set(date=dt.date(2027, 3, 8), kind="day_off", name="Nghỉ")
    assert get_calendar().is_working_day(dt.date(2027, 3, 8)) is False
    declared_day_delete(date=dt.date(2027, 3, 8))
    assert DeclaredDay.objects.count() == 0
    assert get_calendar().is_working_day(dt.date(2027, 3, 8)) is True


def test_delete_missing_day():
    with pytest.raises(NotFound) as err:
        declared_day_delete(date=dt.date(2027, 3, 8))
    assert err.value.field == "date"


def test_name_is_normalized_to_nfc():
    day = declared_day_set(
        date=dt.date(2027, 3, 8), kind="day_off", name=unicodedata.normalize("NFD", " Nghỉ  bù ")
    )
    assert day.name == unicodedata.normalize("NFC", "Nghỉ bù")


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"kind": "holiday", "name": "x"}, "kind"),
        ({"kind": "day_off", "name": "  "}, "name"),
        ({"kind": "day_off", "name": "x" * 201}, "name"),
        ({"kind": "day_off", "name": "x", "date": "2027-03-08"}, "date"),
    ],
)
def test_declared_day_validation_writes_nothing(kwargs, field):
    kwargs = {"date": dt.date(2027, 3, 8), **kwargs}
    with pytest.raises(ValidationFailed) as err:
        declared_day_set(**kwargs)
    assert err.value.field == field
    assert DeclaredDay.objects.count() == 0


def test_calendar_year_lists_library_and_declared_days():
    declared_day_set(date=dt.date(2026, 8, 31), kind="working_day", name="Đi làm")
    rows = {row["date"]: row for row in calendar_year(2026)}
    assert rows[dt.date(2026, 2, 17)]["name"] == "Tết Nguyên Đán"
    assert rows[dt.date(2026, 2, 17)]["working"] is False
    assert rows[dt.date(2026, 8, 22)] == {
        "date": dt.date(2026, 8, 22),
        "name": "Ngày làm việc bù",
        "kind": "working_day",
        "source": "holidays",
        "working": True,
    }
    assert rows[dt.date(2026, 8, 31)]["source"] == "declared"
    assert rows[dt.date(2026, 8, 31)]["working"] is True
    assert len(rows) == 15


# --- working hours ---------------------------------------------------------------------


def test_settings_default_without_rows(agency):
    assert get_calendar(agency).hours_per_day == 7.5
    assert get_calendar().hours_per_day == 7.5


def test_settings_override(settings, agency):
    settings.MOTCUA_WORKING_HOURS = (("08:00", "12:00"), ("13:00", "16:00"))
    assert get_calendar(agency).hours_per_day == 7.0


def test_agency_hours_then_default_row(agency):
    working_hours_set(
        agency=agency,
        morning_start=dt.time(8),
        morning_end=dt.time(12),
        afternoon_start=dt.time(13),
        afternoon_end=dt.time(17),
    )
    cal = get_calendar(agency)
    assert cal.hours_per_day == 8.0
    assert cal.add(at(2027, 3, 3, 12), 1, "working_days") == at(2027, 3, 4, 12)
    assert get_calendar(agency.pk).hours_per_day == 8.0
    assert get_calendar().hours_per_day == 7.5

    working_hours_set(
        agency=None,
        morning_start=dt.time(7),
        morning_end=dt.time(11),
        afternoon_start=dt.time(13),
        afternoon_end=dt.time(16),
    )
    assert get_calendar().hours_per_day == 7.0
    assert get_calendar(agency).hours_per_day == 8.0
    assert get_calendar(agency.pk + 1000).hours_per_day == 7.0  # agency without a row

    # setting again updates the same row
    working_hours_set(
        agency=agency,
        morning_start=dt.time(7),
        morning_end=dt.time(11, 30),
        afternoon_start=dt.time(13),
        afternoon_end=dt.time(17),
    )
    assert WorkingHours.objects.count() == 2
    assert get_calendar(agency).hours_per_day == 8.5


@pytest.mark.parametrize(
    "times,field",
    [
        ((dt.time(12), dt.time(8), dt.time(13), dt.time(17)), "morning_end"),
        ((dt.time(8), dt.time(12), dt.time(11), dt.time(17)), "afternoon_start"),
        ((dt.time(8), dt.time(12), dt.time(13), dt.time(13)), "afternoon_end"),
        ((dt.time(8), "12:00", dt.time(13), dt.time(17)), "morning_end"),
    ],
)
def test_working_hours_validation_writes_nothing(agency, times, field):
    with pytest.raises(ValidationFailed) as err:
        working_hours_set(
            agency=agency,
            morning_start=times[0],
            morning_end=times[1],
            afternoon_start=times[2],
            afternoon_end=times[3],
        )
    assert err.value.field == field
    assert WorkingHours.objects.count() == 0


def test_database_refuses_unordered_hours(agency):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkingHours.objects.create(
            agency=agency, morning_start=dt.time(12), morning_end=dt.time(8)
        )


def test_database_allows_one_default_row_only():
    WorkingHours.objects.create(agency=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkingHours.objects.create(agency=None)


def test_database_allows_one_row_per_agency(agency):
    WorkingHours.objects.create(agency=agency)
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkingHours.objects.create(agency=agency)


def test_calendar_is_cached_between_calls(django_assert_num_queries):
    with django_assert_num_queries(2):
        get_calendar().add(at(2027, 3, 3, 10), 1, "working_days")
    with django_assert_num_queries(0):
        for _ in range(5):
            get_calendar().add(at(2027, 3, 3, 10), 1, "working_days")


def test_write_in_open_transaction_is_never_cached(django_assert_num_queries):
    # given a write whose transaction (the test's) has not committed
    declared_day_set(date=dt.date(2027, 3, 8), kind="day_off", name="Nghỉ")
    # then every read goes to the database and sees it
    for _ in range(2):
        with django_assert_num_queries(2):
            assert get_calendar().is_working_day(dt.date(2027, 3, 8)) is False


def test_rolled_back_write_leaves_no_trace_in_the_cache(django_assert_num_queries):
    class Boom(Exception):
        pass

    # given a declaration rolled back after a read had seen it
    with pytest.raises(Boom), transaction.atomic():
        declared_day_set(date=dt.date(2027, 3, 8), kind="day_off", name="Nghỉ")
        assert get_calendar().is_working_day(dt.date(2027, 3, 8)) is False
        raise Boom
    # then the calendar is back to the committed rows, and cached again
    with django_assert_num_queries(2):
        assert get_calendar().is_working_day(dt.date(2027, 3, 8)) is True
    with django_assert_num_queries(0):
        assert get_calendar().is_working_day(dt.date(2027, 3, 8)) is True


def test_committed_write_is_cached(django_capture_on_commit_callbacks, django_assert_num_queries):
    with django_capture_on_commit_callbacks(execute=True):
        declared_day_set(date=dt.date(2027, 3, 8), kind="day_off", name="Nghỉ")
    with django_assert_num_queries(2):
        assert get_calendar().is_working_day(dt.date(2027, 3, 8)) is False
    with django_assert_num_queries(0):
        assert get_calendar().is_working_day(dt.date(2027, 3, 8)) is False
