"""`catalog_import`: write normalized records, one transaction."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.core.errors import ValidationFailed

from ..limits import Limit, process_hours
from ..models import (
    Component,
    FeeItem,
    Field,
    Procedure,
    ProcedureTimeLimit,
    ProcedureVersion,
)
from ..services import (
    default_process_for_hours,
    process_errors,
    process_set_steps,
    version_close,
    version_record_created,
    write_process_steps,
)
from .records import ImportReport, normalize_record, version_payload, version_steps

FIXTURE_PATH = Path(__file__).resolve().parent.parent / "fixtures" / "procedures.json"


def _create_version(
    procedure: Procedure,
    number: int,
    day: dt.date,
    payload: dict[str, Any],
    process: list[dict[str, Any]] | None,
    actor=None,
) -> ProcedureVersion:
    v = ProcedureVersion.objects.create(
        procedure=procedure,
        number=number,
        effective_from=day,
        name=payload["name"],
        steps_text=payload["steps_text"],
        channels=payload["channels"],
        time_limit_text=payload["time_limit_text"],
        subjects=payload["subjects"],
        result=payload["result"],
        paper_result_required=payload["paper_result_required"],
        conditions=payload["conditions"],
        legal_basis=payload["legal_basis"],
        online_level=payload["online_level"],
        eligible_full_online=payload["eligible_full_online"],
        deciding_agency_text=payload["deciding_agency"],
        receiving_agency_text=payload["receiving_agency"],
        settling_agency_text=payload["agency"],
        publication_decision=payload["publication_decision"],
        source=payload["source"],
    )
    Component.objects.bulk_create(
        Component(
            version=v,
            order=i,
            name=c["name"],
            original_count=c["original"],
            copy_count=c["copy"],
            required=c["required"],
            form=c["form"],
            group=c["group"],
            case=c["case"],
        )
        for i, c in enumerate(payload["components"], start=1)
    )
    FeeItem.objects.bulk_create(
        FeeItem(version=v, order=i, **f) for i, f in enumerate(payload["fees"], start=1)
    )
    ProcedureTimeLimit.objects.bulk_create(
        ProcedureTimeLimit(
            version=v,
            channel=x["channel"],
            value=x["value"],
            unit=x["unit"],
            cutoff=dt.time.fromisoformat(x["cutoff"]) if x["cutoff"] else None,
        )
        for x in payload["limits"]
    )
    if process is None:
        process = default_process_for_hours(_hours(payload["limits"]))
    write_process_steps(v, process)
    version_record_created(version=v, actor=actor)
    return v


def _hours(limits: list[dict[str, Any]]):
    return process_hours(Limit(x["channel"], x["value"], x["unit"], None) for x in limits)


def catalog_import(
    *,
    records: list[dict[str, Any]],
    effective_from: dt.date | None = None,
    actor=None,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> ImportReport:
    """Create or update procedures from `records` in one transaction.

    - A new code → Procedure + version 1.
    - The same content as the procedure's latest version → unchanged (no new version).
    - Changed content → version number + 1, effective from `effective_from` (else the
      record's `effective_from`, else today); the previous version closes the day before.
      The new date must be after the previous version's start.
    - A record with only a different `process` updates the steps of the latest version in
      place (the internal process is not part of the published record). A new version
      without `process` gets the previous steps if they fit its limit, else the default.
    - Any invalid record → ValidationFailed listing every error (`data["errors"]`, each
      with the record index and field) and nothing is written, unless `skip_invalid`,
      which writes the valid records and reports the rest in `report.errors`.
    - Time limits are read per channel from the record (`limits.read_time_limit`), never
      invented: what cannot be read is listed in `report.unread_limits`. When a record's
      limits cannot be read at all and its procedure's latest version has limits (set by an
      administrator), they are kept: the record brings no new information about them.
    - `dry_run` does everything and rolls back.
    """
    report = ImportReport(dry_run=dry_run)
    if not isinstance(records, list):
        raise ValidationFailed(
            "catalog_import_invalid",
            "Tệp nhập phải là một mảng JSON các thủ tục.",
            "The import must be a JSON array of procedure records.",
            field="records",
        )
    today = timezone.localdate()
    with transaction.atomic():
        normalized: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        for i, raw in enumerate(records):
            norm = normalize_record(i, raw, report)
            if norm is None:
                continue
            if norm["code"] in seen:
                report.errors.append(
                    {
                        "index": i,
                        "code": norm["code"],
                        "field": f"records[{i}].code",
                        "message": f"Mã {norm['code']} trùng với bản ghi {seen[norm['code']]}.",
                        "message_en": f"Code {norm['code']} repeats record {seen[norm['code']]}.",
                    }
                )
                continue
            seen[norm["code"]] = i
            normalized.append(norm)

        existing = {
            p.code: p
            for p in Procedure.objects.select_for_update(of=("self",))
            .select_related("field")
            .filter(code__in=seen)
            .order_by("pk")
        }
        latest = {}
        for v in (
            ProcedureVersion.objects.filter(procedure__code__in=seen)
            .select_related("procedure")
            .prefetch_related("components", "fees", "steps")
            .order_by("procedure_id", "number")
        ):
            latest[v.procedure.code] = v

        plan = []
        unread = {e["index"] for e in report.unread_limits}
        for norm in normalized:
            day = effective_from or norm["effective_from"] or today
            current = latest.get(norm["code"])
            if current is not None and not norm["version"]["limits"] and norm["index"] in unread:
                kept = version_payload(current)["limits"]
                if kept:
                    norm["version"]["limits"] = kept
                    report.notes.append(
                        f"records[{norm['index']}] {norm['code']}: time limit not read; the "
                        f"limits of version {current.number} are kept"
                    )
            if (
                current is not None
                and version_payload(current) != norm["version"]
                and day <= current.effective_from
            ):
                i = norm["index"]
                report.errors.append(
                    {
                        "index": i,
                        "code": norm["code"],
                        "field": f"records[{i}].effective_from",
                        "message": f"Phiên bản mới phải có hiệu lực sau ngày "
                        f"{current.effective_from:%d/%m/%Y} của phiên bản {current.number}.",
                        "message_en": f"A new version must take effect after "
                        f"{current.effective_from} (version {current.number}).",
                    }
                )
                continue
            plan.append((norm, day, current))

        if report.errors and not skip_invalid:
            first = report.errors[0]
            raise ValidationFailed(
                "catalog_import_invalid",
                f"{len({e['index'] for e in report.errors})} bản ghi không hợp lệ; "
                f"không có gì được ghi. Lỗi đầu tiên: {first['message']}",
                f"{len({e['index'] for e in report.errors})} invalid record(s); nothing was "
                f"written. First error: {first['message_en']}",
                field=first["field"],
                data={"errors": report.errors},
            )

        fields = {
            f.code: f for f in Field.objects.filter(code__in={n["field"]["code"] for n, *_ in plan})
        }
        for norm, day, current in plan:
            fcode, fname = norm["field"]["code"], norm["field"]["name"]
            fld = fields.get(fcode)
            if fld is None:
                fld = fields[fcode] = Field.objects.create(code=fcode, name=fname)
            elif fld.name != fname:
                fld.name = fname
                fld.save(update_fields=["name"])
                for other in fld.procedures.all():
                    other.save(update_fields=["search_key"])  # the key holds the field name
            proc = existing.get(norm["code"]) or Procedure(code=norm["code"])
            is_new = proc.pk is None
            changed = is_new or (proc.name, proc.field_id, proc.level) != (
                norm["name"],
                fld.pk,
                norm["level"],
            )
            if changed:
                proc.name, proc.field, proc.level = norm["name"], fld, norm["level"]
                proc.save()
            if current is None:
                _create_version(proc, 1, day, norm["version"], norm["process"], actor)
                report.created.append(proc.code)
                continue
            if version_payload(current) != norm["version"]:
                process = norm["process"]
                if process is None:
                    previous = version_steps(current)
                    _, errs = process_errors(previous, _hours(norm["version"]["limits"]))
                    process = None if errs else previous
                version_close(version=current, effective_to=day - dt.timedelta(days=1), actor=actor)
                _create_version(proc, current.number + 1, day, norm["version"], process, actor)
                changed = True
            elif norm["process"] is not None and norm["process"] != version_steps(current):
                process_set_steps(version=current, steps=norm["process"], actor=actor)
                changed = True
            (report.updated if changed and not is_new else report.unchanged).append(proc.code)

        if dry_run:
            transaction.set_rollback(True)
    return report


def catalog_import_fixture(*, effective_from: dt.date | None = None, actor=None) -> ImportReport:
    """Load the demo catalog shipped in `fixtures/procedures.json` (55 real records)."""
    records = json.loads(FIXTURE_PATH.read_text(encoding="utf-8"))
    return catalog_import(records=records, effective_from=effective_from, actor=actor)
