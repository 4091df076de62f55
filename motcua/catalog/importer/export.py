"""`catalog_export`: the import format, read from the database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from ..models import Procedure, ProcedureVersion, ProcessStep
from .records import PROVENANCE, version_payload, version_steps


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def catalog_export(procedures=None, *, on: dt.date | None = None) -> list[dict[str, Any]]:
    """Export procedures (all when None; else an iterable of Procedure or a queryset) in the
    import format, one record per procedure: the version in effect on `on` (default today),
    or the latest version when none is in effect. `catalog_import` reads it back unchanged.
    """
    day = on or timezone.localdate()
    qs = Procedure.objects.select_related("field").order_by("code")
    if procedures is not None:
        qs = qs.filter(pk__in=[p.pk for p in procedures])
    qs = qs.prefetch_related(
        Prefetch(
            "versions",
            queryset=ProcedureVersion.objects.prefetch_related(
                "components",
                "fees",
                Prefetch("steps", queryset=ProcessStep.objects.order_by("order")),
            ).order_by("-number"),
        )
    )
    out = []
    for p in qs:
        versions = list(p.versions.all())
        if not versions:
            continue
        v = next(
            (
                x
                for x in versions
                if x.effective_from <= day and (x.effective_to is None or x.effective_to >= day)
            ),
            versions[0],
        )
        pl = version_payload(v)
        headline = pl["limits"][0] if pl["limits"] else None
        source = dict(pl["source"])
        fees_unknown = source.pop("fees_unknown", False)
        record: dict[str, Any] = {
            "code": p.code,
            "name": pl["name"],
            "field": p.field.name,
            "field_code": p.field.code,
            "level": p.level,
            "agency": pl["agency"],
            "receiving_agency": pl["receiving_agency"],
            "deciding_agency": pl["deciding_agency"],
            # value/unit: the counter channel's limit (else the first), as the national
            # record writes them; `limits` holds every channel and is what import reads back.
            "time_limit": {
                "value": _number(headline["value"]) if headline else None,
                "unit": headline["unit"] if headline else None,
                "text": pl["time_limit_text"],
            },
            "limits": [{**x, "value": _number(x["value"])} for x in pl["limits"]],
            "channels": pl["channels"],
            "online_level": pl["online_level"],
            "eligible_full_online": pl["eligible_full_online"],
            "paper_result_required": pl["paper_result_required"],
            "components": pl["components"],
            "fees": None if fees_unknown else pl["fees"],
            "subjects": pl["subjects"],
            "result": pl["result"],
            "conditions": pl["conditions"],
            "steps_text": pl["steps_text"],
            "legal_basis": pl["legal_basis"],
            "publication_decision": pl["publication_decision"],
            "source": source.pop("url", None),
            **{k: source.get(k) for k in PROVENANCE},
            "process": [
                {**s, "duration_hours": _number(s["duration_hours"])} for s in version_steps(v)
            ],
            "version": v.number,
            "effective_from": v.effective_from.isoformat(),
            "effective_to": v.effective_to.isoformat() if v.effective_to else None,
        }
        out.append(record)
    return out
