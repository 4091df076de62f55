import datetime as dt

import pytest

from motcua.org.enums import AgencyKind, UnitKind
from motcua.org.models import AdministrativeUnit, Agency
from motcua.workcalendar.engine import TZ
from motcua.workcalendar.selectors import calendar_cache_clear


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Rows written in a test are rolled back without signals: never reuse the cache."""
    calendar_cache_clear()
    yield
    calendar_cache_clear()


@pytest.fixture
def agency(db):
    unit = AdministrativeUnit.objects.create(
        code="27", name="Tỉnh Bắc Ninh", kind=UnitKind.PROVINCE
    )
    return Agency.objects.create(
        code="000.00.27.H04",
        name="Sở Tư pháp tỉnh Bắc Ninh",
        kind=AgencyKind.DEPARTMENT,
        unit=unit,
    )


def at(year, month, day, hour=0, minute=0, second=0, micro=0):
    return dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=TZ)
