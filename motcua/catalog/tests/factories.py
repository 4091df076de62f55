"""Small builders for catalog rows (used by this app's tests; other apps may reuse)."""

import datetime as dt
from decimal import Decimal

from motcua.catalog.enums import Level, TimeUnit
from motcua.catalog.models import Field, Procedure, ProcedureVersion


def make_version(
    *,
    code="9.000001",
    name="Thủ tục thử nghiệm",
    value: Decimal | None = Decimal(3),
    unit=TimeUnit.WORKING_DAYS,
    effective_from=dt.date(2025, 7, 1),
) -> ProcedureVersion:
    field, _ = Field.objects.get_or_create(code="thu-nghiem", defaults={"name": "Thử nghiệm"})
    proc = Procedure.objects.create(code=code, name=name, field=field, level=Level.COMMUNE)
    return ProcedureVersion.objects.create(
        procedure=proc,
        number=1,
        effective_from=effective_from,
        name=name,
        channels=[1],
        time_limit_value=value,
        time_limit_unit=unit,
    )
