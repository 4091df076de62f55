"""Decision 766 indicators over HTTP.

GET /api/indicators — public: aggregate figures only, no personal data.
GET /api/indicators/{id}/dossiers — the dossiers behind a figure, for officers and
monitors, narrowed by motcua.dossiers.access.visible_dossiers (an officer sees the
dossiers of their own agencies; a provincial monitor sees all).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, TypedDict

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router

# The function, not ninja's `Query` shortcut, which the type checker sees as a generic alias.
from ninja.params.functions import Query

from motcua.api.auth import AUTH
from motcua.api.openapi import declare
from motcua.catalog.models import Procedure
from motcua.core.db import replica_reads
from motcua.core.errors import PermissionDenied, ValidationFailed
from motcua.core.paging import MAX_OFFSET
from motcua.dossiers.access import staff_roles, visible_dossiers
from motcua.dossiers.models import Dossier

from . import selectors
from .formulas import ALL, PROVIDED

router = Router(tags=["indicators"])


def _period(
    date_from: dt.date | None, date_to: dt.date | None, period: str | None
) -> tuple[dt.date, dt.date]:
    if period:
        return selectors.period_parse(period)
    if date_from is None or date_to is None:
        raise ValidationFailed(
            "period_required",
            "Cần cho biết kỳ: 'from' và 'to', hoặc 'period' (YYYY, YYYY-MM, YYYY-Qn, ...).",
            "Give the period: 'from' and 'to', or 'period' (YYYY, YYYY-MM, YYYY-Qn, ...).",
            field="from" if date_from is None else "to",
        )
    return date_from, date_to


class _Scope(TypedDict):
    agency: str | None
    procedure: str | None
    field: str | None
    unit: str | None


def _scope(
    agency: str | None, procedure: str | None, field: str | None, unit: str | None
) -> _Scope:
    return {"agency": agency, "procedure": procedure, "field": field, "unit": unit}


@router.get("", auth=None, url_name="indicators", openapi_extra=declare(not_found=True))
def indicators(
    request: HttpRequest,
    date_from: Annotated[dt.date | None, Query(alias="from")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to")] = None,
    period: str | None = Query(None, max_length=10),
    agency: str | None = Query(None, max_length=48),
    procedure: str | None = Query(None, max_length=40),
    field: str | None = Query(None, max_length=40),
    unit: str | None = Query(None, max_length=16),
) -> dict[str, Any]:
    """Every indicator's numerator, denominator, rate (%, or working days for 2.2) and
    points, and the points per group, for a period and a scope."""
    date_from, date_to = _period(date_from, date_to, period)
    with replica_reads():  # public aggregates: the replica when there is one
        card = selectors.indicators_compute(
            date_from=date_from, date_to=date_to, **_scope(agency, procedure, field, unit)
        )
        return card.as_dict()


@router.get(
    "/{indicator_id}/dossiers",
    auth=AUTH,
    url_name="indicator_dossiers",
    openapi_extra=declare(forbidden=True, not_found=True),
)
def dossiers(
    request: HttpRequest,
    indicator_id: str,
    part: str = Query("numerator", max_length=12),
    date_from: Annotated[dt.date | None, Query(alias="from")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to")] = None,
    period: str | None = Query(None, max_length=10),
    agency: str | None = Query(None, max_length=48),
    procedure: str | None = Query(None, max_length=40),
    field: str | None = Query(None, max_length=40),
    unit: str | None = Query(None, max_length=16),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> dict[str, Any]:
    """The dossiers (or, for 3.1, 3.5a and 3.5b, the procedures) behind a figure's numerator or
    denominator. Officers and monitors only."""
    user = request.user
    if not (user.is_superuser or staff_roles(user)):
        raise PermissionDenied(
            "Chỉ cán bộ và người theo dõi, giám sát được xem danh sách hồ sơ của chỉ số.",
            "Only officers and monitors may list the dossiers behind an indicator.",
        )
    date_from, date_to = _period(date_from, date_to, period)
    scope = _scope(agency, procedure, field, unit)
    ind = ALL.get(indicator_id)
    if ind is not None and ind.id in PROVIDED:
        rows = selectors.provided_drill(
            indicator_id, part, date_from=date_from, date_to=date_to, **scope
        )
        if rows.model is Procedure:
            return {
                "indicator": indicator_id,
                "part": part,
                "count": rows.count(),
                "items": [
                    {"code": p.code, "name": p.name, "level": p.level}
                    for p in rows[offset : offset + limit]
                ],
            }
        if rows.model is not Dossier:
            # Another app's rows (feedback, sync log): their id and text.
            return {
                "indicator": indicator_id,
                "part": part,
                "count": rows.count(),
                "items": [{"id": r.pk, "label": str(r)} for r in rows[offset : offset + limit]],
            }
        return _dossier_items(user, rows, indicator_id, part, limit, offset)
    if ind is not None and ind.numerator.startswith("procedures"):
        procedures = selectors.indicator_procedures(
            part, indicator_id=indicator_id, date_from=date_from, date_to=date_to, **scope
        )
        return {
            "indicator": indicator_id,
            "part": part,
            "count": procedures.count(),
            "items": [
                {"code": p.code, "name": p.name, "level": p.level}
                for p in procedures[offset : offset + limit]
            ],
        }
    qs = selectors.indicator_dossiers(
        indicator_id, part, date_from=date_from, date_to=date_to, **scope
    )
    return _dossier_items(user, qs, indicator_id, part, limit, offset)


def _dossier_items(
    user: Any, qs: QuerySet[Dossier], indicator_id: str, part: str, limit: int, offset: int
) -> dict[str, Any]:
    qs = visible_dossiers(user, qs).select_related(
        "procedure", "receiving_agency", "settling_agency"
    )
    qs = qs.order_by("received_at", "pk")
    return {
        "indicator": indicator_id,
        "part": part,
        "count": qs.count(),
        "items": [
            {
                "id": d.pk,
                "code": d.code,
                "status": d.status,
                "channel": d.channel,
                "procedure": d.procedure.code,
                "receiving_agency": d.receiving_agency.code,
                "settling_agency": d.settling_agency.code,
                "received_at": d.received_at,
                "due_at": d.due_at,
                "finished_at": d.finished_at,
                "returned_at": d.returned_at,
                "stopped_at": d.stopped_at,
            }
            for d in qs[offset : offset + limit]
        ],
    }
