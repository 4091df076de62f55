"""Public catalog API (no authentication): browse, search, detail, fields."""

from __future__ import annotations

from typing import Any

from ninja import Query, Router

from motcua.core.paging import MAX_OFFSET

from .enums import Channel, Level, TimeUnit
from .legal import legal_documents
from .limits import label, limits_of
from .models import ProcedureVersion
from .schemas import FieldWithCountOut, ProcedureDetailOut, ProcedurePageOut
from .selectors import (
    field_list,
    procedure_detail,
    procedure_search,
    public_source,
    receiving_agencies,
)
from .services import statutory_hours

router = Router(tags=["catalog"])


def _time_limit(v: ProcedureVersion) -> dict[str, Any]:
    """Per channel, with the one label (`limits.label`); `missing` lists the channels the
    version offers without a limit (it takes no dossiers by them)."""
    found = limits_of(v)
    return {
        "text": v.time_limit_text,
        "limits": [
            {
                "channel": ch,
                "channel_label": Channel(ch).label,
                "value": x.value,
                "unit": x.unit,
                "unit_label": TimeUnit(x.unit).label,
                "cutoff": f"{x.cutoff:%H:%M}" if x.cutoff else None,
                "label": label(x),
                "label_en": label(x, english=True),
            }
            for ch, x in found.items()
        ],
        "missing": [ch for ch in sorted(v.channels or []) if ch not in found],
    }


@router.get("/procedures", response=ProcedurePageOut, auth=None)
def list_procedures(
    request,
    q: str | None = Query(None, max_length=200),
    field: str | None = Query(None, max_length=40),
    level: Level | None = None,
    agency: str | None = Query(None, max_length=32),
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    page = procedure_search(
        q=q, field=field, level=level, agency=agency, limit=limit, offset=offset
    )
    items = []
    for p in page.items:
        v = p.current_versions[0] if p.current_versions else None
        items.append(
            {
                "code": p.code,
                "name": p.name,
                "field": p.field,
                "level": p.level,
                "level_label": p.get_level_display(),
                "version": v.number if v else None,
                "time_limit": _time_limit(v) if v else None,
                "channels": v.channels if v else [],
                "online_level": v.online_level if v else None,
            }
        )
    return {"count": page.count, "items": items}


@router.get("/procedures/{code}", response=ProcedureDetailOut, auth=None)
def get_procedure(request, code: str):
    v = procedure_detail(code)
    p = v.procedure
    return {
        "code": p.code,
        "name": v.name,
        "field": p.field,
        "level": p.level,
        "level_label": p.get_level_display(),
        "active": p.active,
        "version": v.number,
        "effective_from": v.effective_from,
        "effective_to": v.effective_to,
        "time_limit": _time_limit(v),
        "statutory_hours": statutory_hours(v),
        "channels": v.channels,
        "steps_text": v.steps_text,
        "subjects": v.subjects,
        "result": v.result,
        "paper_result_required": v.paper_result_required,
        "conditions": v.conditions,
        "legal_basis": v.legal_basis,
        "legal_documents": legal_documents(v.legal_basis),
        "online_level": v.online_level,
        "eligible_full_online": v.eligible_full_online,
        "deciding_agency": v.deciding_agency_text,
        "receiving_agency": v.receiving_agency_text,
        "settling_agency": v.settling_agency_text,
        "publication_decision": v.publication_decision,
        "source": public_source(v.source),
        "fee_total_vnd": v.fee_total_vnd,
        "components": list(v.components.all()),
        "receiving_agencies": receiving_agencies(p),
        "fees": list(v.fees.all()),
        "steps": list(v.steps.all()),
    }


@router.get("/fields", response=list[FieldWithCountOut], auth=None)
def list_fields(request):
    return field_list()
