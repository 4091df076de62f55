import datetime as dt

import pytest

from motcua.catalog.enums import AgencyRole, Level
from motcua.catalog.models import Field, Procedure, ProcedureAgency, ProcedureVersion
from motcua.dossiers.tests.factories import make_world
from motcua.portal import search


def add_procedures(w) -> list[Procedure]:
    """A few more procedures so that search has something to tell apart."""
    biz = Field.objects.create(code="kinh-doanh", name="Thành lập và hoạt động của hộ kinh doanh")
    made = []
    for code, name, field in [
        ("2.000575", "Đăng ký thành lập hộ kinh doanh", biz),
        ("2.000720", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", biz),
        ("1.000656", "Đăng ký kết hôn", w.procedure.field),
        ("1.004884", "Đăng ký lại khai tử", w.procedure.field),
    ]:
        p = Procedure.objects.create(code=code, name=name, field=field, level=Level.COMMUNE)
        ProcedureVersion.objects.create(
            procedure=p, number=1, effective_from=dt.date(2020, 1, 1), name=name, channels=[1]
        )
        ProcedureAgency.objects.create(procedure=p, agency=w.b.settling, role=AgencyRole.SETTLING)
        made.append(p)
    return made


@pytest.fixture
def world(db):
    search.vocabulary_clear()
    w = make_world()
    add_procedures(w)
    return w
