"""Digitization at the counter: a scan's life, each step one function, one transaction,
the rows locked (the dossier, then the scan), the state checked against enums.TRANSITIONS
and a ScanEvent appended.

    scan_request  (officer)  -> queued   files checked and kept, the OCR queued after commit
    scan_start    (worker)   queued -> running
    scan_finish   (worker)   running -> done: the PDF/A stored as the dossier's digitized
                             attachment with its SHA-256, its code and its text; the
                             dossier's digitized fact (dossiers.digitized) and indicators
    scan_fail     (worker)   running -> failed, with the reason
    scan_retry    (officer)  failed -> queued

The OCR itself (ocr.make_pdfa) runs between start and finish, outside any transaction; a
failure there or in the finish leaves nothing stored (FileGuard) and the scan failed."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from motcua.catalog.models import Component
from motcua.core.errors import IllegalTransition, NotFound, ValidationFailed
from motcua.core.text import fold
from motcua.core.types import Actor, actor_user
from motcua.dossiers.attachments import FileGuard, check_file
from motcua.dossiers.models import Attachment, AttachmentKind, Dossier
from motcua.indicators.services import facts_refresh

from . import rules
from .enums import STATUS_EN, TRANSITIONS, ScanStatus
from .models import Scan, ScanEvent
from .ocr import IMAGES, PDF, OcrOutput

MAX_PAGES_PER_SCAN = 200


def _lock_dossier(dossier_id: int) -> Dossier:
    d = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure_version")
        .filter(pk=dossier_id)
        .first()
    )
    if d is None:
        raise NotFound("hồ sơ", "Dossier", field="dossier_id")
    return d


def _lock_scan(scan_id: int) -> Scan:
    """The scan's dossier row, then the scan row (the fixed order of every write here)."""
    dossier_id = Scan.objects.filter(pk=scan_id).values_list("dossier_id", flat=True).first()
    if dossier_id is None:
        raise NotFound("bản số hóa", "Scan", field="scan_id")
    dossier = _lock_dossier(dossier_id)
    scan = Scan.objects.select_for_update().select_related("component").get(pk=scan_id)
    scan.dossier = dossier
    return scan


def _move(scan: Scan, action: str, actor: Actor | None, at: dt.datetime, **data: Any) -> None:
    sources, target = TRANSITIONS[action]
    before = scan.status
    if sources and before not in sources:
        raise IllegalTransition(
            "illegal_scan_transition",
            f"Bản số hóa đang ở trạng thái '{ScanStatus(before).label}', không thể thực hiện.",
            f"The scan is '{STATUS_EN[before]}': '{action}' is not possible.",
            field="status",
            data={"status": before, "action": action},
        )
    scan.status = target
    ScanEvent.objects.create(
        scan=scan,
        action=action,
        at=at,
        actor=actor_user(actor) if actor is not None else None,
        from_status=before if sources else "",
        to_status=target,
        data=data,
    )


def _queue(scan_id: int) -> None:
    from .tasks import ocr_scan

    transaction.on_commit(lambda: ocr_scan.delay(scan_id))


def _check_sources(files: Sequence[Any]) -> list[Any]:
    if not files:
        raise ValidationFailed(
            "no_scan_files",
            "Chưa chọn tệp quét (một tệp PDF hoặc các ảnh trang theo thứ tự).",
            "No scanned file chosen (one PDF, or the page images in order).",
            field="files",
        )
    if len(files) > MAX_PAGES_PER_SCAN:
        raise ValidationFailed(
            "too_many_scan_files",
            f"Mỗi lần số hóa tối đa {MAX_PAGES_PER_SCAN} ảnh trang.",
            f"At most {MAX_PAGES_PER_SCAN} page images per scan.",
            field="files",
        )
    checked = [check_file(f, field="files") for f in files]
    kinds = {c.content_type for c in checked}
    if not (kinds <= IMAGES or (kinds == {PDF} and len(checked) == 1)):
        raise ValidationFailed(
            "scan_type_not_allowed",
            "Bản quét phải là một tệp PDF hoặc các ảnh trang (JPEG, PNG).",
            "A scan is one PDF file or page images (JPEG, PNG).",
            field="files",
        )
    return checked


def scan_request(
    *,
    dossier_id: int,
    component_id: int,
    files: Sequence[Any],
    actor: Actor,
    at: dt.datetime | None = None,
) -> Scan:
    """Scan a paper component of a received dossier: keep the files as scanned (a PDF, or
    page images in order) and queue the OCR. Only the receiving agency's counter."""
    at = at or timezone.now()
    checked = _check_sources(files)
    with transaction.atomic(), FileGuard() as guard:
        dossier = _lock_dossier(dossier_id)
        rules.check_may_digitize(actor, dossier)
        rules.check_open_for_scans(dossier)
        component = Component.objects.filter(
            pk=component_id, version_id=dossier.procedure_version_id
        ).first()
        if component is None:
            raise ValidationFailed(
                "unknown_component",
                f"Thành phần hồ sơ {component_id} không thuộc thủ tục này.",
                f"Component {component_id} does not belong to this procedure.",
                field="component",
            )
        sources = []
        for c in checked:
            path = guard.save(f"scans/{dossier.pk}/{c.sha256[:2]}/{c.sha256}", c.file)
            sources.append(
                {
                    "path": path,
                    "name": c.name,
                    "content_type": c.content_type,
                    "sha256": c.sha256,
                    "size": c.size,
                }
            )
        scan = Scan(
            dossier=dossier,
            component=component,
            sources=sources,
            requested_by=actor_user(actor),
            requested_at=at,
        )
        scan.save()
        _move(scan, "request", actor, at, files=len(sources))
        _queue(scan.pk)
    return scan


def scan_handed_in(*, dossier_id: int, actor: Actor, at: dt.datetime | None = None) -> list[Scan]:
    """Queue the OCR of the files handed in at the counter with the intake form (stored as
    the dossier's submitted attachments, not yet digitized): per component, its page images
    as one scan, each PDF as one; other types (DOCX, XLSX) are not scans. The kept files
    are the sources (no second copy); files already queued are skipped. Only the receiving
    agency's counter. Every intake calls it once the dossier is received (registered with
    dossiers.hooks.handed_in): the counter's page and the API alike."""
    at = at or timezone.now()
    with transaction.atomic():
        dossier = _lock_dossier(dossier_id)
        rules.check_may_digitize(actor, dossier)
        rules.check_open_for_scans(dossier)
        handed = Attachment.objects.filter(
            dossier=dossier,
            kind=AttachmentKind.SUBMITTED,
            component__isnull=False,
            digitized=False,
            content_type__in=[PDF, *IMAGES],
        ).order_by("component_id", "pk")
        # Files already the source of a scan (queued at intake, retried, done) are not
        # queued twice.
        scanned = {
            source["path"]
            for sources in Scan.objects.filter(dossier=dossier).values_list("sources", flat=True)
            for source in sources or []
        }
        groups: dict[tuple[int, int], list[Attachment]] = {}
        for a in handed:
            if a.file.name in scanned:
                continue
            assert a.component_id is not None
            key = (a.component_id, 0 if a.content_type in IMAGES else a.pk)
            groups.setdefault(key, []).append(a)
        made = []
        for (component_id, _), atts in groups.items():
            sources = [
                {
                    "path": a.file.name,
                    "name": a.original_name,
                    "content_type": a.content_type,
                    "sha256": a.sha256,
                    "size": a.size,
                }
                for a in atts
            ]
            scan = Scan(
                dossier=dossier,
                component_id=component_id,
                sources=sources,
                requested_by=actor_user(actor),
                requested_at=at,
            )
            scan.save()
            _move(scan, "request", actor, at, files=len(sources), handed_in=True)
            _queue(scan.pk)
            made.append(scan)
    return made


def scan_retry(*, scan_id: int, actor: Actor, at: dt.datetime | None = None) -> Scan:
    """Queue a failed scan's OCR again (the same files); a scan left running past
    MOTCUA_OCR_STALE_SECONDS (its worker died) counts as failed."""
    at = at or timezone.now()
    with transaction.atomic():
        scan = _lock_scan(scan_id)
        rules.check_may_digitize(actor, scan.dossier)
        rules.check_open_for_scans(scan.dossier)
        if rules.is_stale(scan, at):  # its worker died: failed, then retried
            _move(scan, "fail", actor, at, error="stale")
        _move(scan, "retry", actor, at)
        scan.error = ""
        scan.save(update_fields=["status", "error"])
        _queue(scan.pk)
    return scan


def scan_start(*, scan_id: int, at: dt.datetime | None = None) -> Scan | None:
    """The worker takes a queued scan; None if it is not queued (a duplicate delivery)."""
    at = at or timezone.now()
    with transaction.atomic():
        scan = _lock_scan(scan_id)
        if scan.status != ScanStatus.QUEUED:
            return None
        _move(scan, "start", None, at, attempt=scan.attempts + 1)
        scan.attempts += 1
        scan.started_at = at
        scan.save(update_fields=["status", "attempts", "started_at"])
    return scan


def scan_sources(scan: Scan) -> list[tuple[bytes, str]]:
    """The scanned files' bytes, checked against the SHA-256 recorded when kept."""
    out = []
    for s in scan.sources:
        with default_storage.open(s["path"], "rb") as f:
            data = f.read()
        if hashlib.sha256(data).hexdigest() != s["sha256"]:
            raise ValueError(f"stored scan {s['path']} does not match its SHA-256")
        out.append((data, s["content_type"]))
    return out


def scan_finish(*, scan_id: int, output: OcrOutput, at: dt.datetime | None = None) -> Scan:
    """Store the PDF/A as the dossier's digitized attachment of the component, give it its
    code, keep its text; the dossier's digitized fact follows (dossiers.digitized)."""
    at = at or timezone.now()
    digest = hashlib.sha256(output.pdf).hexdigest()
    with transaction.atomic(), FileGuard() as guard:
        scan = _lock_scan(scan_id)
        dossier = scan.dossier
        _move(scan, "finish", None, at, sha256=digest, pages=output.pages)
        path = guard.save(f"dossiers/{dossier.pk}/{digest[:2]}/{digest}", ContentFile(output.pdf))
        order = scan.component.order
        attachment = Attachment.objects.create(
            dossier=dossier,
            component=scan.component,
            kind=AttachmentKind.SUBMITTED,
            file=path,
            original_name=f"so-hoa-tp{order:02d}-{scan.pk}.pdf",
            content_type=PDF,
            size=len(output.pdf),
            sha256=digest,
            uploaded_by_id=scan.requested_by_id,
            uploaded_at=at,
            digitized=True,  # the one writer (dossiers.digitized)
            text_key=fold(output.text),  # what the inbox search finds (dossiers.selectors)
        )
        n = (
            1
            + Scan.objects.filter(
                dossier=dossier, component=scan.component, status=ScanStatus.DONE
            ).count()
        )
        scan.code = rules.component_code(dossier.code or str(dossier.pk), order, n)
        scan.attachment = attachment
        scan.text, scan.pages, scan.cpu_ms = output.text, output.pages, output.cpu_ms
        scan.finished_at = at
        scan.save()
        digitized = rules.is_digitized(dossier.pk, dossier.channel)
        if digitized != dossier.digitized:
            Dossier.objects.filter(pk=dossier.pk).update(digitized=digitized, updated_at=at)
            facts_refresh([dossier.pk])
    return scan


def scan_fail(*, scan_id: int, error: str, at: dt.datetime | None = None) -> Scan | None:
    """Record why the OCR failed; None if the scan is no longer running."""
    at = at or timezone.now()
    with transaction.atomic():
        scan = _lock_scan(scan_id)
        if scan.status != ScanStatus.RUNNING:
            return None
        _move(scan, "fail", None, at, error=error[:500])
        scan.error = error[:2000]
        scan.finished_at = None
        scan.save(update_fields=["status", "error", "finished_at"])
    return scan
