import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.workcalendar.models import DeclaredDay
from motcua.workcalendar.services import working_hours_set

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("calendar", *args, stdout=out)
    return out.getvalue()


def test_due_issue_example():
    assert run("due", "--from", "2027-02-03 10:00", "--working-days", "5") == (
        "2027-02-17T10:00:00+07:00\n"
    )


def test_due_hours_calendar_days_and_offset():
    assert run("due", "--from", "2027-03-03 10:00", "--working-hours", "3") == (
        "2027-03-03T15:00:00+07:00\n"
    )
    assert run("due", "--from", "2027-03-03T03:00:00+00:00", "--calendar-days", "1") == (
        "2027-03-04T17:00:00+07:00\n"
    )
    # 4/2/2027 is in the Tết days off: the end of the next working day, 11/2
    assert run("due", "--from", "2027-02-03T03:00:00+00:00", "--calendar-days", "1") == (
        "2027-02-11T17:00:00+07:00\n"
    )


def test_due_calendar_days_issue_example():
    # Sunday 26/4/2026 is a holiday (and 27/4 its substitute): the end of Tuesday 28/4
    assert run("due", "--from", "2026-04-23 10:00", "--calendar-days", "3") == (
        "2026-04-28T17:00:00+07:00\n"
    )


def test_due_same_day_with_default_and_given_cutoff():
    assert run("due", "--from", "2026-04-23 10:00", "--same-day") == "2026-04-23T17:00:00+07:00\n"
    assert run("due", "--from", "2026-04-23 15:30", "--same-day") == "2026-04-24T17:00:00+07:00\n"
    assert run("due", "--from", "2026-04-23 15:30", "--same-day", "--cutoff", "16:00") == (
        "2026-04-23T17:00:00+07:00\n"
    )
    with pytest.raises(CommandError) as err:
        run("due", "--from", "2026-04-23 15:30", "--working-days", "1", "--cutoff", "16:00")
    assert str(err.value) == "--cutoff chỉ dùng với --same-day / --cutoff goes with --same-day."


def test_due_with_agency_hours(agency):
    working_hours_set(
        agency=agency,
        morning_start=dt.time(8),
        morning_end=dt.time(12),
        afternoon_start=dt.time(13),
        afternoon_end=dt.time(17),
    )
    args = ("due", "--from", "2027-03-03 12:00", "--working-days", "1")
    assert run(*args, "--agency", agency.code) == "2027-03-04T12:00:00+07:00\n"
    assert run(*args) == "2027-03-04T11:30:00+07:00\n"


@pytest.mark.parametrize(
    "args,fragment",
    [
        (("--from", "2027-02-03 10:00", "--working-days", "-5"), "[value]"),
        (("--from", "2027-02-03 10:00", "--working-days", "0"), "[value]"),
        (("--from", "2027-02-03 10:00", "--working-days", "abc"), "'abc' is not a number"),
        (("--from", "hôm qua", "--working-days", "5"), "[from]"),
        (("--from", "2027-02-03 10:00", "--working-days", "5", "--agency", "X"), "[agency]"),
    ],
)
def test_due_bad_input_is_a_command_error(args, fragment):
    with pytest.raises(CommandError) as err:
        run("due", *args)
    assert fragment in str(err.value)


def test_due_needs_exactly_one_amount():
    with pytest.raises(CommandError):
        run("due", "--from", "2027-02-03 10:00")
    with pytest.raises(CommandError):
        run("due", "--from", "2027-02-03 10:00", "--working-days", "1", "--calendar-days", "1")


def test_declare_then_due_and_list():
    out = run("declare", "--date", "06/03/2027", "--kind", "working_day", "--name", "Làm bù")
    assert out == "06/03/2027\tNgày làm việc bù\tLàm bù\n"
    assert DeclaredDay.objects.get().date == dt.date(2027, 3, 6)
    assert run("due", "--from", "2027-03-05 15:00", "--working-days", "1") == (
        "2027-03-06T15:00:00+07:00\n"
    )
    listing = run("list", "--year", "2027").splitlines()
    assert "2027-03-06\tThứ Bảy\tlàm việc\tdeclared\tLàm bù" in listing
    assert "2027-02-06\tThứ Bảy\tnghỉ\tholidays\tTết Nguyên Đán" in listing
    assert run("undeclare", "--date", "2027-03-06") == (
        "06/03/2027\tđã bỏ khai báo / declaration removed\n"
    )
    assert DeclaredDay.objects.count() == 0


def test_list_shows_library_make_up_day():
    listing = run("list", "--year", "2026").splitlines()
    assert "2026-08-22\tThứ Bảy\tlàm việc\tholidays\tNgày làm việc bù" in listing
    assert "2026-08-31\tThứ Hai\tnghỉ\tholidays\tNgày nghỉ (thay cho ngày 22/08/2026)" in listing
    assert len(listing) == 15


@pytest.mark.parametrize(
    "args,fragment",
    [
        (("declare", "--date", "2027-02-30", "--kind", "day_off", "--name", "x"), "[date]"),
        (("declare", "--date", "2027-03-08", "--kind", "day_off", "--name", " "), "[name]"),
        (("undeclare", "--date", "2027-03-08"), "[date]"),
        (("list", "--year", "1800"), "[year]"),
    ],
)
def test_other_bad_input(args, fragment):
    with pytest.raises(CommandError) as err:
        run(*args)
    assert fragment in str(err.value)
    assert DeclaredDay.objects.count() == 0
