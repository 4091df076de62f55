"""Writes: render a dossier's form, store it with the dossier, re-render on request.

Forms are side effects of committed transitions (CONVENTIONS "Writes"): the listener
`on_dossier_event` runs after commit and is idempotent, so running it twice stores nothing
new. Rendering is pure: the same dossier, event and template give byte-identical PDFs
(the creation date comes from the event, fpdf2's /ID hashes the content), so a stored
form can always be checked against a fresh rendering (same sha256).
"""

from __future__ import annotations

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from motcua.core.errors import ValidationFailed
from motcua.dossiers.models import Dossier, DossierEvent

from .enums import EVENT_KINDS, KIND_BY_ACTION, DocumentKind
from .models import DossierDocument
from .rendering import forms, sheets  # noqa: F401  (registers the templates)
from .rendering.base import TEMPLATES
from .selectors import document_find, dossier_for_render, template_key_for

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


def document_store(
    *, dossier: Dossier, kind: str, event: DossierEvent | None = None
) -> DossierDocument:
    """Store the form with the dossier. Idempotent: the same bytes (sha256) as the stored
    document leave it untouched; an event form is never replaced once stored; only the
    control sheet (no event) is replaced when its content changed."""
    _check(kind, event)
    existing = document_find(dossier=dossier, kind=kind, event=event)
    if existing is not None and event is not None:
        return existing
    key, content = _render(dossier, kind, event)
    sha = hashlib.sha256(content).hexdigest()
    if existing is not None and existing.sha256 == sha:
        return existing
    doc = existing or DossierDocument(dossier=dossier, kind=kind, event=event)
    old_file = existing.file.name if existing is not None else None
    doc.template, doc.sha256, doc.size = key, sha, len(content)
    doc.file.save("form.pdf", ContentFile(content), save=False)
    storage = doc.file.storage
    try:
        with transaction.atomic():
            doc.save()
            if old_file:
                # Only once the new row is committed may the old file go.
                transaction.on_commit(lambda: storage.delete(old_file))
        return doc
    except IntegrityError:
        # A concurrent listener stored it first: theirs is the same rendering.
        storage.delete(doc.file.name)
        found = document_find(dossier=dossier, kind=kind, event=event)
        if found is None:
            raise
        return found


def document_get_or_render(
    *, dossier: Dossier, kind: str, event: DossierEvent | None = None
) -> DossierDocument:
    """The stored form, rendering and storing it when missing (or, for the control sheet,
    when the handovers moved on since it was stored)."""
    _check(kind, event)
    existing = document_find(dossier=dossier, kind=kind, event=event)
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
