"""Small builders for catalog rows (used by this app's tests; other apps may reuse)."""

import datetime as dt
from decimal import Decimal

from motcua.catalog.enums import Channel, Level, TimeUnit
from motcua.catalog.models import Field, Procedure, ProcedureTimeLimit, ProcedureVersion


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
    version = ProcedureVersion.objects.create(
        procedure=proc, number=1, effective_from=effective_from, name=name, channels=[1]
    )
    if value is not None or unit == TimeUnit.SAME_DAY:
        add_limits(version, value, unit)
    return version


def add_limits(version, value, unit=TimeUnit.WORKING_DAYS, channels=tuple(Channel), cutoff=None):
    """One limit for each of `channels` (the way a record stating one limit is imported)."""
    if unit == TimeUnit.SAME_DAY:
        value, cutoff = None, cutoff or dt.time(15)
    ProcedureTimeLimit.objects.bulk_create(
        ProcedureTimeLimit(
            version=version,
            channel=ch,
            value=Decimal(value) if value is not None else None,
            unit=unit,
            cutoff=cutoff,
        )
        for ch in channels
    )
