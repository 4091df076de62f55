"""Record ↔ canonical form: validation and normalization of one import record, and the
same canonical form read back from a stored version (what import compares and export
writes)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from motcua.core.text import fold, nfc

from ..cases import derive_cases
from ..enums import Channel, OnlineLevel
from ..limits import limits_of
from ..models import ProcedureVersion
from .feetext import KEYS as FEE_KEYS
from .feetext import complement_channels
from .schema import ComponentIn, Context, RecordIn

PROVENANCE = ("portal_url", "record_date", "level_raw", "notes")


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    # Every time limit the importer could not read, one entry per record: {index, code,
    # field, message, message_en}. Such a version takes no dossiers by the channels left
    # without a limit until an administrator sets it (`motcua catalog set-limit`).
    unread_limits: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        return (
            f"created {len(self.created)}, updated {len(self.updated)}, "
            f"unchanged {len(self.unchanged)}, rejected {len({e['index'] for e in self.errors})}, "
            f"time limits not read {len(self.unread_limits)}"
        )


def field_code_for(name: str) -> str:
    """A stable lĩnh vực code: slug of the folded name; past 40 characters, cut and suffixed
    with 8 hex digits of its SHA-1 so two long names never collide."""
    slug = fold(name).replace(" ", "-")
    if len(slug) <= 40:
        return slug
    return f"{slug[:31].rstrip('-')}-{hashlib.sha1(slug.encode()).hexdigest()[:8]}"  # noqa: S324


def normalize_record(index: int, raw: Any, report: ImportReport) -> dict[str, Any] | None:
    """One record → the canonical form compared with, and written to, the database; None
    when the record is bad, with every bad field of it in `report.errors`."""
    if not isinstance(raw, dict):
        report.errors.append(
            {
                "index": index,
                "code": None,
                "field": f"records[{index}]",
                "message": f"Bản ghi {index} không phải đối tượng JSON.",
                "message_en": f"Record {index} is not a JSON object.",
            }
        )
        return None
    code = raw.get("code") if isinstance(raw.get("code"), str) else None
    context = Context(index, code, report.notes, report.unread_limits)
    try:
        record = RecordIn.model_validate(raw, context=context)
    except ValidationError as exc:
        report.errors.extend(_errors(index, code, exc))
        return None
    return {
        "index": index,
        "code": record.code,
        "name": record.name,
        "field": {"code": record.field_code or field_code_for(record.field), "name": record.field},
        "level": record.level,
        "version": _version(record, raw),
        "process": record.process,
        "effective_from": record.effective_from,
    }


def _errors(index: int, code: str | None, exc: ValidationError) -> list[dict[str, Any]]:
    """The report's entries for a record's errors, each naming `records[i].<path>`."""
    out = []
    for error in exc.errors(include_url=False, include_input=False):
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
        for sub, vi, en in error.get("ctx", {}).get("errors", [("", error["msg"], error["msg"])]):
            out.append(
                {
                    "index": index,
                    "code": code,
                    "field": f"records[{index}]{path}{sub}",
                    "message": vi,
                    "message_en": en,
                }
            )
    return out


def _version(record: RecordIn, raw: dict[str, Any]) -> dict[str, Any]:
    """The version's canonical form (the shape `version_payload` reads back)."""
    channels = sorted(set(record.channels))
    online = record.online_level or (
        OnlineLevel.PARTIAL if Channel.ONLINE in channels else OnlineLevel.NONE
    )
    return {
        "name": record.name,
        "steps_text": record.steps_text,
        "channels": channels,
        "time_limit_text": record.time_limit.text,
        "limits": [_canonical(x) for x in record.limits],
        "subjects": record.subjects,
        "result": record.result,
        "paper_result_required": record.paper_result_required,
        "conditions": record.conditions,
        "legal_basis": record.legal_basis,
        "online_level": str(online),
        "eligible_full_online": record.eligible_full_online,
        "deciding_agency": record.deciding_agency,
        "receiving_agency": record.receiving_agency,
        "agency": record.agency,
        "publication_decision": record.publication_decision,
        "source": _source(raw, fees_unknown=record.fees is None),
        "components": _components(record.components),
        "fees": _fees(record),
    }


def _fees(record: RecordIn) -> list[dict[str, Any]]:
    """The fee lines; read from the wording (feetext) unless the record states them."""
    fees = [f.canonical() for f in record.fees or []]
    if any(f.computation is not None for f in record.fees or []):
        return fees
    return complement_channels(fees)


def _components(items: list[ComponentIn]) -> list[dict[str, Any]]:
    """The case of each component as the record states it, else read from its wording."""
    derived = derive_cases([(c.name, c.group) for c in items])
    return [c.canonical(case) for c, case in zip(items, derived, strict=True)]


def _source(raw: dict[str, Any], *, fees_unknown: bool) -> dict[str, Any]:
    """Provenance as given (the URL of the record, then `PROVENANCE`), texts in NFC."""
    source: dict[str, Any] = {}
    if raw.get("source") is not None:
        source["url"] = raw["source"]
    for key in PROVENANCE:
        if raw.get(key) is not None:
            source[key] = nfc(raw[key]) if isinstance(raw[key], str) else raw[key]
    if fees_unknown:
        source["fees_unknown"] = True
    return source


def version_payload(v: ProcedureVersion) -> dict[str, Any]:
    """The canonical form of a stored version (same shape as `normalize_record()["version"]`)."""
    return {
        "name": v.name,
        "steps_text": v.steps_text,
        "channels": sorted(v.channels),
        "time_limit_text": v.time_limit_text,
        "limits": [_canonical(x.as_dict()) for x in limits_of(v).values()],
        "subjects": list(v.subjects),
        "result": v.result,
        "paper_result_required": v.paper_result_required,
        "conditions": v.conditions,
        "legal_basis": list(v.legal_basis),
        "online_level": v.online_level,
        "eligible_full_online": v.eligible_full_online,
        "deciding_agency": v.deciding_agency_text,
        "receiving_agency": v.receiving_agency_text,
        "agency": v.settling_agency_text,
        "publication_decision": v.publication_decision,
        "source": dict(v.source),
        "components": [
            {
                "name": c.name,
                "original": c.original_count,
                "copy": c.copy_count,
                "required": c.required,
                "form": c.form,
                "group": c.group,
                "case": c.case,
            }
            for c in v.components.all()
        ],
        "fees": [
            {
                "name": f.name,
                "amount_vnd": f.amount_vnd,
                "note": f.note,
                **{k: getattr(f, k) for k in FEE_KEYS},
            }
            for f in v.fees.all()
        ],
    }


def _canonical(limit: dict[str, Any]) -> dict[str, Any]:
    """A limit as compared and exported: {channel, value (Decimal, 2 places), unit, cutoff
    ("15:00")}."""
    return {
        "channel": int(limit["channel"]),
        "value": limit["value"].quantize(Decimal("0.01")) if limit["value"] is not None else None,
        "unit": str(limit["unit"]),
        "cutoff": limit["cutoff"].strftime("%H:%M")
        if isinstance(limit["cutoff"], dt.time)
        else limit["cutoff"],
    }


def version_steps(v: ProcedureVersion) -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "role": s.role,
            "agency_role": s.agency_role,
            "duration_hours": s.duration_hours,
        }
        for s in v.steps.all()
    ]
