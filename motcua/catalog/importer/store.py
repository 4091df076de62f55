"""`catalog_import`: write normalized records, one transaction."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.core.errors import ValidationFailed
from motcua.core.types import Actor

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


@dataclass
class _Planned:
    """One valid record to write: its canonical form, the day its version takes effect,
    and the procedure's latest stored version (None for a new procedure)."""

    norm: dict[str, Any]
    day: dt.date
    current: ProcedureVersion | None


def catalog_import(
    *,
    records: list[dict[str, Any]],
    effective_from: dt.date | None = None,
    actor: Actor = None,
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

    Phases: read (normalize every record), lock and load what is stored, compare (plan),
    reject or write.
    """
    report = ImportReport(dry_run=dry_run)
    if not isinstance(records, list):
        raise ValidationFailed(
            "catalog_import_invalid",
            "Tệp nhập phải là một mảng JSON các thủ tục.",
            "The import must be a JSON array of procedure records.",
            field="records",
        )
    with transaction.atomic():
        normalized = _read(records, report)
        existing, latest = _stored({n["code"] for n in normalized})
        plan = _compare(normalized, latest, effective_from, report)
        if report.errors and not skip_invalid:
            raise _rejected(report.errors)
        _write(plan, existing, report, actor=actor)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _read(records: list[Any], report: ImportReport) -> list[dict[str, Any]]:
    """Every valid record in its canonical form; a code seen twice is an error."""
    normalized: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(records):
        norm = normalize_record(i, raw, report)
        if norm is None:
            continue
        code = norm["code"]
        if code in seen:
            report.errors.append(
                {
                    "index": i,
                    "code": code,
                    "field": f"records[{i}].code",
                    "message": f"Mã {code} trùng với bản ghi {seen[code]}.",
                    "message_en": f"Code {code} repeats record {seen[code]}.",
                }
            )
            continue
        seen[code] = i
        normalized.append(norm)
    return normalized


def _stored(
    codes: set[str],
) -> tuple[dict[str, Procedure], dict[str, ProcedureVersion]]:
    """The procedures of these codes, locked, and the latest version of each."""
    existing = {
        p.code: p
        for p in Procedure.objects.select_for_update(of=("self",))
        .select_related("field")
        .filter(code__in=codes)
        .order_by("pk")
    }
    latest = {}
    for v in (
        ProcedureVersion.objects.filter(procedure__code__in=codes)
        .select_related("procedure")
        .prefetch_related("components", "fees", "steps")
        .order_by("procedure_id", "number")
    ):
        latest[v.procedure.code] = v
    return existing, latest


def _compare(
    normalized: list[dict[str, Any]],
    latest: dict[str, ProcedureVersion],
    effective_from: dt.date | None,
    report: ImportReport,
) -> list[_Planned]:
    """What to write for each record; a changed record dated on or before its latest
    version's start is an error."""
    today = timezone.localdate()
    unread = {e["index"] for e in report.unread_limits}
    plan = []
    for norm in normalized:
        current = latest.get(norm["code"])
        day = effective_from or norm["effective_from"] or today
        if current is not None and norm["index"] in unread:
            _keep_limits(norm, current, report)
        if current is not None and _changed(current, norm) and day <= current.effective_from:
            report.errors.append(_too_early(norm, current))
            continue
        plan.append(_Planned(norm, day, current))
    return plan


def _changed(current: ProcedureVersion, norm: dict[str, Any]) -> bool:
    return version_payload(current) != norm["version"]


def _keep_limits(norm: dict[str, Any], current: ProcedureVersion, report: ImportReport) -> None:
    """A record whose limits could not be read keeps the stored version's limits."""
    if norm["version"]["limits"]:
        return
    kept = version_payload(current)["limits"]
    if kept:
        norm["version"]["limits"] = kept
        report.notes.append(
            f"records[{norm['index']}] {norm['code']}: time limit not read; the "
            f"limits of version {current.number} are kept"
        )


def _too_early(norm: dict[str, Any], current: ProcedureVersion) -> dict[str, Any]:
    i = norm["index"]
    return {
        "index": i,
        "code": norm["code"],
        "field": f"records[{i}].effective_from",
        "message": f"Phiên bản mới phải có hiệu lực sau ngày "
        f"{current.effective_from:%d/%m/%Y} của phiên bản {current.number}.",
        "message_en": f"A new version must take effect after "
        f"{current.effective_from} (version {current.number}).",
    }


def _rejected(errors: list[dict[str, Any]]) -> ValidationFailed:
    first, bad = errors[0], len({e["index"] for e in errors})
    return ValidationFailed(
        "catalog_import_invalid",
        f"{bad} bản ghi không hợp lệ; không có gì được ghi. Lỗi đầu tiên: {first['message']}",
        f"{bad} invalid record(s); nothing was written. First error: {first['message_en']}",
        field=first["field"],
        data={"errors": errors},
    )


# ---------------------------------------------------------------------- writing


def _write(
    plan: list[_Planned], existing: dict[str, Procedure], report: ImportReport, *, actor: Actor
) -> None:
    codes = {item.norm["field"]["code"] for item in plan}
    fields = {f.code: f for f in Field.objects.filter(code__in=codes)}
    for item in plan:
        fld = _field(fields, item.norm["field"])
        proc, changed = _procedure(existing.get(item.norm["code"]), item.norm, fld)
        if item.current is None:
            version_create(
                proc, 1, item.day, item.norm["version"], item.norm["process"], actor=actor
            )
            report.created.append(proc.code)
            continue
        changed = _write_version(proc, item.current, item, actor=actor) or changed
        (report.updated if changed else report.unchanged).append(proc.code)


def _field(fields: dict[str, Field], given: dict[str, str]) -> Field:
    """The lĩnh vực of this code, created or renamed as the record names it."""
    fld = fields.get(given["code"])
    if fld is None:
        fld = fields[given["code"]] = Field.objects.create(code=given["code"], name=given["name"])
    elif fld.name != given["name"]:
        fld.name = given["name"]
        fld.save(update_fields=["name"])
        for other in fld.procedures.all():
            other.save(update_fields=["search_key"])  # the key holds the field name
    return fld


def _procedure(proc: Procedure | None, norm: dict[str, Any], fld: Field) -> tuple[Procedure, bool]:
    """The procedure, created or with its name, field and level as the record states them;
    and whether it was created or changed."""
    if proc is None:
        proc = Procedure(code=norm["code"])
    elif (proc.name, proc.field_id, proc.level) == (norm["name"], fld.pk, norm["level"]):
        return proc, False
    proc.name, proc.field, proc.level = norm["name"], fld, norm["level"]
    proc.save()
    return proc, True


def _write_version(
    proc: Procedure, current: ProcedureVersion, item: _Planned, *, actor: Actor
) -> bool:
    """The next version of a changed record, or the steps of the latest version updated in
    place (the internal process is not part of the published record); whether either was."""
    norm = item.norm
    if _changed(current, norm):
        _version_next(proc, current, item.day, norm, actor=actor)
        return True
    if norm["process"] is not None and norm["process"] != version_steps(current):
        process_set_steps(version=current, steps=norm["process"], actor=actor)
        return True
    return False


def _version_next(
    proc: Procedure,
    current: ProcedureVersion,
    day: dt.date,
    norm: dict[str, Any],
    *,
    actor: Actor,
) -> ProcedureVersion:
    """The next version: the previous one closes the day before; without a `process` in
    the record, the previous steps are kept if they fit the new limits (else the default)."""
    process = norm["process"]
    if process is None:
        previous = version_steps(current)
        _, errs = process_errors(previous, _hours(norm["version"]["limits"]))
        process = None if errs else previous
    version_close(version=current, effective_to=day - dt.timedelta(days=1), actor=actor)
    return version_create(proc, current.number + 1, day, norm["version"], process, actor=actor)


def version_create(
    procedure: Procedure,
    number: int,
    day: dt.date,
    payload: dict[str, Any],
    process: list[dict[str, Any]] | None,
    *,
    actor: Actor,
) -> ProcedureVersion:
    """The one place the importer creates a catalog version: the version with its
    components, fees, time limits and internal process (the default for its limits when
    the record gives none). `actor` is who imports (None: the system)."""
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
    _create_parts(v, payload)
    if process is None:
        process = default_process_for_hours(_hours(payload["limits"]))
    write_process_steps(v, process)
    version_record_created(version=v, actor=actor)
    return v


def _create_parts(v: ProcedureVersion, payload: dict[str, Any]) -> None:
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


def _hours(limits: list[dict[str, Any]]) -> Decimal | None:
    return process_hours(Limit(x["channel"], x["value"], x["unit"], None) for x in limits)


def catalog_import_fixture(
    *, effective_from: dt.date | None = None, actor: Actor = None
) -> ImportReport:
    """Load the demo catalog shipped in `fixtures/procedures.json` (55 real records)."""
    records = json.loads(FIXTURE_PATH.read_text(encoding="utf-8"))
    return catalog_import(records=records, effective_from=effective_from, actor=actor)
