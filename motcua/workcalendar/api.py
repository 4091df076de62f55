"""Portal preview of due dates and the holiday list: thin callers of the selectors."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router

from motcua.core.errors import ValidationFailed

from .cutoff import default_cutoff, parse_cutoff
from .engine import parse_moment
from .enums import TimeUnit
from .schemas import DueOut, YearOut
from .selectors import agency_by_code, calendar_year, get_calendar

router = Router(tags=["calendar"])


@router.get(
    "/due",
    response=DueOut,
    by_alias=True,
    summary="Xem trước hạn xử lý / preview a due moment",
    # An unknown agency code is 404 (motcua.api.openapi.Declared; that app is a sibling).
    openapi_extra={"x-motcua": {"not_found": True}},
)
def due(
    request: HttpRequest,
    start: Annotated[str, Query(alias="from", description='"2027-02-03 10:00" or ISO 8601')],
    value: Annotated[
        Decimal | None,
        Query(description="number of units, > 0 (0.5 allowed); none for same_day"),
    ] = None,
    unit: Annotated[
        TimeUnit,
        Query(description="working_days | working_hours | calendar_days | same_day"),
    ] = TimeUnit.WORKING_DAYS,
    cutoff: Annotated[
        str | None, Query(description="same_day: cut-off hour, default MOTCUA_SAME_DAY_CUTOFF")
    ] = None,
    agency: Annotated[str | None, Query(description="agency code (mã định danh)")] = None,
) -> dict[str, Any]:
    moment = parse_moment(start, "from")
    calendar = get_calendar(agency_by_code(agency) if agency else None)
    if unit == TimeUnit.SAME_DAY:
        hour = parse_cutoff(cutoff) if cutoff else default_cutoff()
        value = None
    else:
        hour = None
        if value is None:
            raise ValidationFailed(
                "invalid_input",
                "Cần nhập thời hạn (value).",
                "The duration (value) is required.",
                field="value",
            )
    try:
        result = calendar.add(moment, value, unit, cutoff=hour)
    except ValidationFailed as exc:
        if exc.field == "start":
            exc.field = "from"
        raise
    return {
        "from": moment.astimezone(result.tzinfo).isoformat(),
        "due": result.isoformat(),
        "value": float(value) if value is not None else None,
        "unit": unit.value,
        "cutoff": f"{hour:%H:%M}" if hour else None,
        "hours_per_day": calendar.hours_per_day,
        "agency": agency,
    }


@router.get(
    "/holidays", response=YearOut, summary="Ngày nghỉ, ngày làm bù của một năm / days off of a year"
)
def year_days(
    request: HttpRequest, year: Annotated[int, Query(ge=1901, le=2100, description="1901–2100")]
) -> dict[str, Any]:
    rows = calendar_year(year)
    return {
        "year": year,
        "days": [{**row, "weekday": row["date"].weekday()} for row in rows],
    }
