"""Indicator 2.2 is shown in working days of the agency's own working hours
(motcua.workcalendar), not of a constant 7.5 h."""

import datetime as dt
from decimal import Decimal

import pytest

from motcua.reports.selectors import monthly_cards
from motcua.workcalendar.models import WorkingHours

from .helpers import MARCH, Status, advance, both

pytestmark = pytest.mark.django_db


def test_average_time_uses_the_working_day_of_the_scope(world):
    # The settling agency works 07:00–11:00 and 13:00–17:00: an 8-hour day.
    WorkingHours.objects.create(
        agency=world.a.settling,
        morning_start=dt.time(7, 0),
        morning_end=dt.time(11, 0),
        afternoon_start=dt.time(13, 0),
        afternoon_end=dt.time(17, 0),
    )
    advance(world, Status.RETURNED)  # received 04/03 09:10, approved 11:20
    # Worked on its calendar: 09:10–11:00 = 6,600 s.
    agency = both(**MARCH, agency=world.a.settling).figure("2.2")
    assert (agency.numerator, agency.denominator) == (6600, 1)
    assert agency.rate == Decimal("0.23")  # 6,600 / 28,800 (8 h)
    province = both(**MARCH).figure("2.2")
    assert (province.numerator, province.rate) == (6600, Decimal("0.24"))  # / 27,000 (7.5 h)
    # The open-data / dashboard path makes its figures with the same function.
    cards = monthly_cards([world.a.settling, None], [dt.date(2026, 3, 1)])
    by_id = {f.id: f for f in cards[(world.a.settling.pk, dt.date(2026, 3, 1))]}
    assert by_id["2.2"].rate == Decimal("0.23")
    by_id = {f.id: f for f in cards[(None, dt.date(2026, 3, 1))]}
    assert by_id["2.2"].rate == Decimal("0.24")
