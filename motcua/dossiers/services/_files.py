"""What the applicant hands in: the components of the procedure version, the files checked
before anything is stored, the papers counted at the counter, and the record of what was
received per component (submission, intake, supplement, result)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.db import connection

from motcua.catalog import cases as catalog_cases
from motcua.catalog.models import Component, ProcedureVersion
from motcua.core import rows
from motcua.core.errors import ValidationFailed
from motcua.core.seclog import logs_rejected_upload
from motcua.core.text import nfc
from motcua.core.types import Actor, actor_user

from .. import timing
from ..attachments import CheckedFile, FileGuard, StoredFileCorrupt, check_file, verified_open
from ..models import Attachment, AttachmentKind, AttachmentSource, Dossier, ReceivedComponent
from ..reuse import Reuse, is_reuse

Files = Mapping[int, Sequence[Any]]  # component id -> uploaded files
# component id -> the originals and copies counted at the counter: {"originals": 1, "copies": 2}
Counts = Mapping[int, Mapping[str, int]]
MAX_PAPERS = 99


def _components(version: ProcedureVersion) -> list[Component]:
    return rows.select(
        Component,
        f"{rows.column(Component, 'version', 't0')} = %s",
        [version.pk],
        tail=f"ORDER BY {rows.column(Component, 'order', 't0')}",
    )


def _unknown_component(component_id: object, field: str) -> ValidationFailed:
    return ValidationFailed(
        "unknown_component",
        f"Thành phần hồ sơ {component_id} không thuộc thủ tục này.",
        f"Component {component_id} does not belong to this procedure.",
        field=field,
    )


def _check_files(
    files: Files | None,
    version: ProcedureVersion,
    field: str = "files",
    components: list[Component] | None = None,
) -> list[tuple[Component, CheckedFile]]:
    """Check every file before anything is stored; components must belong to the version."""
    if not files:
        return []
    # The request's volume from the sizes the uploads declare, before any file is read: a
    # request far over the limit does not bring its files into memory.
    _check_request_volume(_declared_size(u) for uploads in files.values() for u in uploads)
    by_id = {c.pk: c for c in (components or _components(version))}
    checked = []
    for component_id, uploads in files.items():
        component = by_id.get(int(component_id)) if str(component_id).isdigit() else None
        if component is None:
            raise _unknown_component(component_id, f"{field}.{component_id}")
        for upload in uploads:
            checked.append((component, check_file(upload, field=f"{field}.{component_id}")))
    return checked


Reused = Mapping[int, Sequence[Reuse]]  # component id -> documents taken from the store


def _check_reused(
    reused: Reused | None, components: list[Component], field: str = "files"
) -> list[tuple[Component, CheckedFile]]:
    """Documents taken from the applicant's store (already resolved for their owner by the
    store): the component must be the procedure's, and the stored bytes must still have
    their recorded SHA-256 (a corrupt one is refused, naming the component)."""
    if not reused:
        return []
    by_id = {c.pk: c for c in components}
    checked = []
    for component_id, reuses in reused.items():
        component = by_id.get(int(component_id)) if str(component_id).isdigit() else None
        if component is None:
            raise _unknown_component(component_id, f"{field}.{component_id}")
        for reuse in reuses:
            try:
                body = verified_open(reuse.path, sha256=reuse.sha256, name=reuse.name)
            except StoredFileCorrupt as exc:
                exc.field = f"{field}.{component_id}"
                raise
            checked.append(
                (
                    component,
                    CheckedFile(
                        name=reuse.name,
                        file=File(body, name=reuse.name),
                        content_type=reuse.content_type,
                        sha256=reuse.sha256,
                        size=reuse.size,
                        reuse=reuse,
                    ),
                )
            )
    return checked


def _declared_size(upload: Any) -> int:
    if isinstance(upload, tuple):
        return len(upload[1])
    return int(getattr(upload, "size", 0) or 0)


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):g}"


@logs_rejected_upload()
def _check_request_volume(sizes: Iterable[int]) -> int:
    """The files of one request (submission, intake, supplement) together: at most
    MOTCUA_MAX_REQUEST_BYTES."""
    total = sum(sizes)
    limit = settings.MOTCUA_MAX_REQUEST_BYTES
    if total > limit:
        raise ValidationFailed(
            "request_too_large",
            f"Tổng dung lượng các tệp gửi một lần ({_mib(total)} MB) vượt quá mức cho phép "
            f"({_mib(limit)} MB).",
            f"The files sent at once ({_mib(total)} MiB) exceed the limit ({_mib(limit)} MiB).",
            field="files",
            data={"bytes": total, "limit": limit},
        )
    return total


_UPLOADED_AT = Attachment._meta.get_field("uploaded_at")


@cache
def _volume_sql(vendor: str) -> str:
    """The bytes a dossier holds (but results) and an account uploaded since an instant, in
    one statement (`vendor` keys the cache): on the hot path, so not built by the ORM."""
    dossier, kind, size, by, at = (
        rows.column(Attachment, n)
        for n in ("dossier", "kind", "size", "uploaded_by", "uploaded_at")
    )
    result = AttachmentKind.RESULT.value
    return (
        f"SELECT SUM(CASE WHEN {dossier} = %s AND {kind} <> '{result}' THEN {size} END), "  # noqa: S608
        f"SUM(CASE WHEN {by} = %s AND {at} >= %s THEN {size} END) FROM {rows.table(Attachment)} "
        f"WHERE {dossier} = %s OR ({by} = %s AND {at} >= %s)"
    )


@logs_rejected_upload(lambda _a, kw: {"dossier_id": kw["dossier"].pk})
def _check_volume(
    *,
    dossier: Dossier,
    files: Iterable[CheckedFile],
    uploader: Actor | None,
    at: dt.datetime,
    new_dossier: bool,
) -> None:
    """The volume an applicant hands in, checked in the transaction before anything is
    stored: per request (MOTCUA_MAX_REQUEST_BYTES), per dossier (its files but results,
    MOTCUA_MAX_DOSSIER_BYTES) and, for files an applicant's account uploads, per account
    per day in Vietnam (MOTCUA_MAX_APPLICANT_DAY_BYTES). One query, and none for a new
    dossier filed at the counter. The dossier's row is locked (no two supplements race);
    two submissions of one account at the same instant may each pass the daily check."""
    total = _check_request_volume(f.size for f in files)
    if not total:
        return
    user = actor_user(uploader) if uploader is not None else None
    held, today = 0, 0
    if user is not None or not new_dossier:
        local = at.astimezone(timing.VN)
        day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        since = _UPLOADED_AT.get_db_prep_value(day, connection)
        uid = user.pk if user is not None else None
        with connection.cursor() as cur:
            cur.execute(_volume_sql(connection.vendor), [dossier.pk, uid, since] * 2)
            row = cur.fetchone()
        held, today = int(row[0] or 0), int(row[1] or 0)
    limit = settings.MOTCUA_MAX_DOSSIER_BYTES
    if held + total > limit:
        raise ValidationFailed(
            "dossier_too_large",
            f"Tổng dung lượng tệp của hồ sơ ({_mib(held + total)} MB) vượt quá mức cho phép "
            f"({_mib(limit)} MB).",
            f"The dossier's files ({_mib(held + total)} MiB) exceed the limit ({_mib(limit)} MiB).",
            field="files",
            data={"bytes": held + total, "limit": limit},
        )
    limit = settings.MOTCUA_MAX_APPLICANT_DAY_BYTES
    if user is not None and today + total > limit:
        raise ValidationFailed(
            "daily_upload_limit",
            f"Tài khoản đã gửi {_mib(today)} MB tệp hôm nay; thêm {_mib(total)} MB sẽ vượt "
            f"mức cho phép mỗi ngày ({_mib(limit)} MB). Vui lòng gửi lại vào ngày mai.",
            f"This account sent {_mib(today)} MiB of files today; {_mib(total)} MiB more "
            f"would exceed the daily limit ({_mib(limit)} MiB). Please send them tomorrow.",
            field="files",
            data={"bytes": today + total, "limit": limit},
        )


def _check_cases(declared: Iterable[str] | None, components: list[Component]) -> list[str]:
    """The cases the applicant declares must be cases of the procedure's components."""
    known = catalog_cases.cases_of(components)
    chosen = []
    for case in declared or ():
        text = nfc(case) if isinstance(case, str) else None
        if text not in known:
            raise ValidationFailed(
                "unknown_case",
                f"Trường hợp '{case}' không thuộc thủ tục này.",
                f"Case '{case}' does not belong to this procedure.",
                field="cases",
            )
        if text not in chosen:
            chosen.append(text)
    return [c for c in known if c in chosen]


def _check_counts(
    received: Counts | None, components: list[Component]
) -> dict[int, tuple[int, int]]:
    """Originals and copies per component, as counted at the counter: whole numbers 0–99."""
    by_id = {c.pk: c for c in components}
    counts: dict[int, tuple[int, int]] = {}
    for key, value in (received or {}).items():
        field = f"received.{key}"
        component = by_id.get(int(key)) if str(key).isdigit() else None
        if component is None:
            raise _unknown_component(key, field)
        pair = []
        for name, vi in (("originals", "bản chính"), ("copies", "bản sao")):
            n = (value or {}).get(name, 0) if isinstance(value, Mapping) else None
            if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_PAPERS:
                raise ValidationFailed(
                    "invalid_count",
                    f'Số {vi} của thành phần "{component.name}" phải là số nguyên từ 0 '
                    f"đến {MAX_PAPERS}.",
                    f'The number of {name} of "{component.name}" must be a whole number '
                    f"from 0 to {MAX_PAPERS}.",
                    field=f"{field}.{name}",
                )
            pair.append(n)
        if any(pair):
            counts[component.pk] = (pair[0], pair[1])
    return counts


def _require_components(
    components: list[Component],
    declared: list[str],
    handed_in: Iterable[int],
    field: str,
    required: Sequence[str] = (),
    omitted: Sequence[str] = (),
) -> None:
    """Every unconditional required component, and those of the declared cases, must be
    handed in (catalog.cases.needed; `required` / `omitted`: what the applicant's
    electronic form decides, motcua.eforms.logic); one error lists all that are missing."""
    lacking = catalog_cases.missing(
        components, declared, handed_in, required=required, omitted=omitted
    )
    if lacking:
        names_vi = "; ".join(f"({i}) {c.name}" for i, c in enumerate(lacking, 1))
        raise ValidationFailed(
            "components_missing",
            f"Hồ sơ còn thiếu {len(lacking)} thành phần bắt buộc: {names_vi}",
            f"The dossier lacks {len(lacking)} required component(s): {names_vi}",
            field=field,
            data={"missing_components": [c.pk for c in lacking]},
        )


def _record_received(
    dossier: Dossier,
    source: str,
    at: dt.datetime,
    checked: Iterable[tuple[Component | None, CheckedFile | None]],
    counts: Mapping[int, tuple[int, int]] | None = None,
) -> None:
    files: dict[int, int] = {}
    for component, _f in checked:
        if component is not None:
            files[component.pk] = files.get(component.pk, 0) + 1
    counts = counts or {}
    ids = set(files) | set(counts)
    if not ids:
        return
    for cid in sorted(ids):
        originals, copies = counts.get(cid, (0, 0))
        # Precompiled INSERTs (motcua.core.rows): the submission is on the hot path.
        rows.insert(
            ReceivedComponent,
            {
                "dossier_id": dossier.pk,
                "component_id": cid,
                "source": str(source),
                "originals": originals,
                "copies": copies,
                "files": files.get(cid, 0),
                "at": at,
            },
        )


def _store(
    guard: FileGuard,
    dossier: Dossier,
    checked: Iterable[tuple[Component | None, CheckedFile]],
    kind: str,
    actor: Actor,
    at: dt.datetime,
) -> list[Attachment]:
    """Store checked files as the dossier's attachments. None is digitized: only the OCR of
    a scan makes a digitized attachment (dossiers.digitized, motcua.digitization)."""
    stored = []
    for component, f in checked:
        path = guard.save(f"dossiers/{dossier.pk}/{f.sha256[:2]}/{f.sha256}", f.file)
        reuse = f.reuse
        attachment = Attachment(
            dossier=dossier,
            component=component,
            kind=kind,
            file=path,
            original_name=f.name,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
            uploaded_by=actor_user(actor),
            uploaded_at=at,
            scanned_at=f.scan.at if f.scan else None,
            scan_engine=f.scan.engine if f.scan else "",
            source=reuse.source if reuse else AttachmentSource.UPLOAD,
            source_attachment_id=reuse.attachment_id if reuse else None,
            source_document_id=reuse.document_id if reuse else None,
            source_label=reuse.label[:500] if reuse else "",
            reused=is_reuse(reuse.source) if reuse else False,
        )
        rows.save_new(attachment)
        stored.append(attachment)
    return stored
