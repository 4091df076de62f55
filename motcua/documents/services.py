"""Writes: render a dossier's form, store it with the dossier, re-render on request.

Forms are side effects of committed transitions (CONVENTIONS "Writes"): the listener
`on_dossier_event` runs after commit and is idempotent, so running it twice stores nothing
new. Rendering is pure: the same dossier, event and template give byte-identical PDFs
(the creation date comes from the event, fpdf2's /ID hashes the content), so a stored
form can always be checked against a fresh rendering (same sha256).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.core.errors import ValidationFailed
from motcua.dossiers.models import Dossier, DossierEvent

from .enums import EVENT_KINDS, KIND_BY_ACTION, DocumentKind
from .models import DOCUMENTS_DIR, DossierDocument, document_folder
from .rendering import forms, sheets  # noqa: F401  (registers the templates)
from .rendering.base import TEMPLATES
from .selectors import (
    document_find,
    dossier_for_render,
    dossiers_with_events_since,
    events_missing_forms,
    template_key_for,
)

log = logging.getLogger(__name__)


def _check(kind: str, event: DossierEvent | None) -> None:
    if kind not in DocumentKind.values:
        raise ValidationFailed(
            "unknown_document_kind",
            f"Không có loại giấy tờ '{kind}'.",
            f"No document kind '{kind}'.",
            field="kind",
        )
    if (kind in EVENT_KINDS) != (event is not None):
        raise ValidationFailed(
            "document_event_mismatch",
            "Giấy tờ này phải (hoặc không được) gắn với một sự kiện của hồ sơ.",
            "This form must (or must not) document an event of the dossier.",
            field="event",
        )


def _render(dossier: Dossier, kind: str, event: DossierEvent | None) -> tuple[str, bytes]:
    key = template_key_for(dossier=dossier, kind=kind)
    return key, TEMPLATES[key](dossier_for_render(dossier.pk), event).render()


def document_render(*, dossier: Dossier, kind: str, event: DossierEvent | None = None) -> bytes:
    """The PDF of one form of the dossier, rendered with the procedure's template."""
    _check(kind, event)
    return _render(dossier, kind, event)[1]


def _write(storage, name: str, content: bytes) -> str:
    """Store the file and make it durable before any row may point at it: on a local disk
    the file and its folder entry are flushed (fsync), so a crash after the row commits
    cannot leave the row pointing at a missing or truncated file. Object stores acknowledge
    a PUT only once the object is stored."""
    stored = storage.save(name, ContentFile(content))
    try:
        path = storage.path(stored)
    except NotImplementedError:
        return stored
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    fd = os.open(os.path.dirname(path), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return stored


def document_store(
    *, dossier: Dossier, kind: str, event: DossierEvent | None = None
) -> DossierDocument:
    """Store the form with the dossier. Idempotent: the same bytes (sha256) as the stored
    document leave it untouched; an event form is never replaced once stored; only the
    control sheet (no event) is replaced when its content changed.

    The file and its row are stored together (nothing half-written): the file is written
    and flushed first, then the row is committed in a transaction of its own (`durable`:
    never inside a caller's transaction, whose rollback would go unseen). If the row does
    not commit — a constraint, a database fault, a lost connection — the new file is
    deleted; a file left by a crash between the two steps has no row and is removed by
    `documents_repair` after a grace period. A replaced control sheet's old file goes only
    once the new row is committed."""
    _check(kind, event)
    existing = document_find(dossier=dossier, kind=kind, event=event)
    if existing is not None and event is not None:
        return existing
    key, content = _render(dossier, kind, event)
    sha = hashlib.sha256(content).hexdigest()
    if existing is not None and existing.sha256 == sha:
        return existing
    doc = DossierDocument(dossier=dossier, kind=kind, event=event)
    doc.template, doc.sha256, doc.size = key, sha, len(content)
    storage = doc.file.storage
    name = _write(storage, doc.file.field.generate_filename(doc, "form.pdf"), content)
    old_file = None
    try:
        with transaction.atomic(durable=True):
            if existing is None:
                doc.file.name = name
                doc.save()
            else:
                # The control sheet: replace the row's file under its lock, unless a
                # concurrent call stored this very rendering first.
                doc = DossierDocument.objects.select_for_update().get(pk=existing.pk)
                if doc.sha256 == sha:
                    old_file = name  # ours is a duplicate of theirs
                else:
                    old_file = doc.file.name
                    doc.template, doc.sha256, doc.size = key, sha, len(content)
                    doc.file.name = name
                    doc.save(update_fields=["template", "sha256", "size", "file"])
    except IntegrityError:
        # A concurrent listener stored it first: theirs is the same rendering.
        storage.delete(name)
        found = document_find(dossier=dossier, kind=kind, event=event)
        if found is None:
            raise
        return found
    except BaseException:
        # The row did not commit: no file without a row.
        storage.delete(name)
        raise
    if old_file:
        # Only once the new row is committed may the old file go.
        storage.delete(old_file)
    return doc


def document_get_or_render(
    *, dossier: Dossier, kind: str, event: DossierEvent | None = None
) -> DossierDocument:
    """The stored form, rendering and storing it when missing (or, for the control sheet,
    when the handovers moved on since it was stored). A row whose file is gone gets the
    file written again (the same bytes) rather than failing the request."""
    _check(kind, event)
    existing = document_find(dossier=dossier, kind=kind, event=event)
    if existing is not None and not existing.file.storage.exists(_file_name(existing)):
        _restore(existing)
    if existing is not None and event is not None:
        return existing
    return document_store(dossier=dossier, kind=kind, event=event)


def document_verify(*, document: DossierDocument) -> bool:
    """Re-render the stored form and say whether the bytes are identical."""
    fresh = document_render(dossier=document.dossier, kind=document.kind, event=document.event)
    return hashlib.sha256(fresh).hexdigest() == document.sha256


def on_dossier_event(event: DossierEvent, dossier: Dossier) -> None:
    """After-commit listener: store the form the committed transition calls for."""
    kind = KIND_BY_ACTION.get(event.action)
    if kind is None:
        return
    try:
        document_store(dossier=dossier, kind=kind, event=event)
    except Exception:
        # The transition is committed; the form can be rendered on request later.
        log.exception("form %s of dossier %s (event %s) failed", kind, dossier.pk, event.pk)


@dataclass
class RepairReport:
    rendered: int = 0  # forms that were missing, now stored
    restored: int = 0  # rows whose file was missing, written again
    orphans_removed: int = 0  # files without a row, older than the grace period, deleted
    failed: int = 0  # forms that could not be stored (logged; the next sweep tries again)


def documents_repair(
    *,
    since: dt.datetime | None,
    grace: dt.timedelta | None = None,
    now: dt.datetime | None = None,
) -> RepairReport:
    """The sweep that keeps forms and rows together (run by the `documents.repair` beat task
    and `motcua documents repair`):

    - every committed event that calls for a form (a receipt for each received dossier, …)
      and has none gets it rendered and stored, so a form lost to a fault after the
      transition is made again without anyone asking for it;
    - a stored row whose file is missing gets the file written again (the same bytes: a
      rendering is reproducible, checked by sha256);
    - a file under a dossier's folder that no row names (a crash between writing the file
      and committing the row) is deleted once older than `grace`, which leaves files a
      running `document_store` is about to commit alone.

    `since` bounds the work to the dossiers with events since then (None: all of them).
    Each form is stored in its own transaction; one failure does not stop the sweep."""
    now = now or timezone.now()
    grace = grace if grace is not None else _grace()
    report = RepairReport()
    for event in events_missing_forms(since=since).iterator(chunk_size=500):
        try:
            document_store(dossier=event.dossier, kind=KIND_BY_ACTION[event.action], event=event)
            report.rendered += 1
        except Exception:
            report.failed += 1
            log.exception("repair: form of event %s (dossier %s)", event.pk, event.dossier_id)
    dossier_ids: Iterable[int]
    if since is None:
        dossier_ids = _dossier_folders()
    else:
        dossier_ids = dossiers_with_events_since(since).iterator(chunk_size=2000)
    for dossier_id in dossier_ids:
        restored, removed, failed = _repair_folder(dossier_id, older_than=now - grace)
        report.restored += restored
        report.orphans_removed += removed
        report.failed += failed
    # Fee receipts without their PDF, their signed XML, or not yet mailed
    # (motcua.documents.receipts).
    from .receipts import receipts_deliver_missing, receipts_store_missing

    stored, failed = receipts_store_missing(since=since)
    report.rendered += stored
    report.failed += failed
    _delivered, failed = receipts_deliver_missing(since=since)
    report.failed += failed
    return report


def _grace() -> dt.timedelta:
    return dt.timedelta(minutes=settings.MOTCUA_DOCUMENTS_ORPHAN_GRACE_MINUTES)


def _dossier_folders() -> list[int]:
    """Every dossier with a folder of forms or a stored form (the full sweep)."""
    try:
        folders, _files = default_storage.listdir(DOCUMENTS_DIR)
    except FileNotFoundError:
        folders = []
    ids = {int(name) for name in folders if name.isdigit()}
    ids.update(DossierDocument.objects.values_list("dossier_id", flat=True).distinct())
    return sorted(ids)


def _repair_folder(dossier_id: int, *, older_than: dt.datetime) -> tuple[int, int, int]:
    """(files restored, orphans removed, failures) for one dossier's folder."""
    folder = document_folder(dossier_id)
    storage = default_storage
    docs = list(DossierDocument.objects.filter(dossier_id=dossier_id).select_related("event"))
    named = {doc.file.name for doc in docs}
    restored = removed = failed = 0
    for doc in docs:
        if storage.exists(_file_name(doc)):
            continue
        try:
            _restore(doc)
            restored += 1
        except Exception:
            failed += 1
            log.exception("repair: file %s of document %s", doc.file.name, doc.pk)
    try:
        _dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return restored, removed, failed
    for name in files:
        path = f"{folder}/{name}"
        if path in named or storage.get_modified_time(path) >= older_than:
            continue
        if DossierDocument.objects.filter(dossier_id=dossier_id, file=path).exists():
            continue  # committed since the rows were read
        storage.delete(path)
        removed += 1
    return restored, removed, failed


def _file_name(doc: DossierDocument) -> str:
    """The storage name of a stored document (every row has one: the file is written
    before the row)."""
    if not doc.file.name:
        raise ValueError(f"document {doc.pk} has no file name")
    return doc.file.name


def _restore(doc: DossierDocument) -> None:
    """Write the missing file of a stored row again from a fresh rendering."""
    key, content = _render(doc.dossier, doc.kind, doc.event)
    sha = hashlib.sha256(content).hexdigest()
    if sha != doc.sha256:
        if doc.event is None:
            # The control sheet moved on since: store the current one in its place.
            document_store(dossier=doc.dossier, kind=doc.kind)
            return
        raise ValueError(f"form {doc.pk} renders differently now ({sha} != {doc.sha256})")
    stored = _write(doc.file.storage, _file_name(doc), content)
    if stored != doc.file.name:
        # The storage chose another name (it should not: the old one is free).
        doc.file.storage.delete(stored)
        raise ValueError(f"form {doc.pk}: storage wrote {stored}, not {doc.file.name}")
