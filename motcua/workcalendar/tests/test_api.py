import datetime as dt

import pytest
from django.test import Client

from motcua.workcalendar.services import declared_day_set, working_hours_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client()


def test_due_preview(client):
    r = client.get(
        "/api/calendar/due", {"from": "2027-02-03 10:00", "value": "5", "unit": "working_days"}
    )
    assert r.status_code == 200
    assert r.json() == {
        "from": "2027-02-03T10:00:00+07:00",
        "due": "2027-02-17T10:00:00+07:00",
        "value": 5.0,
        "unit": "working_days",
        "cutoff": None,
        "hours_per_day": 7.5,
        "agency": None,
    }


def test_due_preview_defaults_to_working_days_and_converts_offset(client):
    r = client.get("/api/calendar/due", {"from": "2027-03-03T03:00:00Z", "value": "0.5"})
    assert r.status_code == 200
    body = r.json()
    assert (body["from"], body["due"], body["unit"]) == (
        "2027-03-03T10:00:00+07:00",
        "2027-03-03T15:45:00+07:00",
        "working_days",
    )


def test_due_preview_per_agency(client, agency):
    working_hours_set(
        agency=agency,
        morning_start=dt.time(8),
        morning_end=dt.time(12),
        afternoon_start=dt.time(13),
        afternoon_end=dt.time(17),
    )
    r = client.get(
        "/api/calendar/due",
        {"from": "2027-03-03 12:00", "value": "1", "unit": "working_days", "agency": agency.code},
    )
    assert r.status_code == 200
    assert r.json()["due"] == "2027-03-04T12:00:00+07:00"
    assert r.json()["hours_per_day"] == 8.0
    assert r.json()["agency"] == agency.code


@pytest.mark.parametrize(
    "params,status,code,field",
    [
        ({"from": "2027-02-03 10:00", "value": "-1"}, 422, "invalid_input", "value"),
        ({"from": "2027-02-03 10:00", "value": "0"}, 422, "invalid_input", "value"),
        ({"from": "2027-02-03 10:00", "value": "abc"}, 422, "invalid_input", "value"),
        ({"from": "2027-02-03 10:00", "value": "NaN"}, 422, "invalid_input", "value"),
        ({"from": "2027-02-03 10:00", "value": "1e9"}, 422, "invalid_input", "value"),
        ({"from": "2027-02-03 10:00", "value": "1", "unit": "weeks"}, 422, "invalid_input", "unit"),
        ({"from": "not a date", "value": "1"}, 422, "invalid_input", "from"),
        ({"from": "9999-12-31 10:00", "value": "1"}, 422, "date_out_of_range", "from"),
        ({"value": "1"}, 422, "invalid_input", "from"),
        ({"from": "2027-02-03 10:00", "value": "1", "agency": "NOPE"}, 404, "not_found", "agency"),
    ],
)
def test_due_preview_bad_input(client, params, status, code, field):
    r = client.get("/api/calendar/due", params)
    assert r.status_code == status
    error = r.json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"] and error["message_en"]


def test_holidays_of_year(client):
    declared_day_set(date=dt.date(2027, 3, 8), kind="day_off", name="Nghỉ đột xuất")
    r = client.get("/api/calendar/holidays", {"year": 2027})
    assert r.status_code == 200
    body = r.json()
    assert body["year"] == 2027
    days = {d["date"]: d for d in body["days"]}
    assert [d for d in days if d.startswith("2027-02")] == [
        "2027-02-04",
        "2027-02-05",
        "2027-02-06",
        "2027-02-07",
        "2027-02-08",
        "2027-02-09",
        "2027-02-10",
    ]
    assert days["2027-03-08"] == {
        "date": "2027-03-08",
        "weekday": 0,
        "name": "Nghỉ đột xuất",
        "kind": "day_off",
        "source": "declared",
        "working": False,
    }


@pytest.mark.parametrize("params", [{"year": "abc"}, {"year": "1800"}, {}])
def test_holidays_bad_year(client, params):
    r = client.get("/api/calendar/holidays", params)
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "year"


def test_due_preview_same_day_and_calendar_days(client):
    r = client.get(
        "/api/calendar/due", {"from": "2026-04-23 15:30", "unit": "same_day", "cutoff": "16:00"}
    )
    assert r.status_code == 200
    body = r.json()
    assert (body["due"], body["value"], body["cutoff"]) == (
        "2026-04-23T17:00:00+07:00",
        None,
        "16:00",
    )
    r = client.get("/api/calendar/due", {"from": "2026-04-23 15:30", "unit": "same_day"})
    assert (r.json()["due"], r.json()["cutoff"]) == ("2026-04-24T17:00:00+07:00", "15:00")
    r = client.get(
        "/api/calendar/due", {"from": "2026-04-23 10:00", "value": "3", "unit": "calendar_days"}
    )
    assert r.json()["due"] == "2026-04-28T17:00:00+07:00"
    r = client.get("/api/calendar/due", {"from": "2026-04-23 10:00", "unit": "working_days"})
    assert r.status_code == 422
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == ("invalid_input", "value")
