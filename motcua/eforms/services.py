"""Writes of the form engine: a definition's new version, the link of a procedure version
to a form, and the filled form of a dossier (written once)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.catalog.models import ProcedureVersion
from motcua.core.audit import record
from motcua.core.errors import DomainError
from motcua.core.models import AuditAction

from .definitions import HERE, check_definition, sha256_of
from .models import DossierForm, FormDefinition, ProcedureForm

DEFINITIONS_DIR = HERE / "definitions"


def definition_save(*, actor: Any, document: dict[str, Any]) -> tuple[FormDefinition, bool]:
    """Store a definition: the same document as the key's version in use → nothing
    (returns it, False); otherwise a new row with the next version number, published in
    place of the last (returns it, True). A stored row is never changed, so data filled
    against it keeps its meaning. The document's own "version" is rewritten to the row's.
    Every problem of the definition is refused at once (definitions.check_definition)."""
    check_definition(document)
    key = document["key"]
    with transaction.atomic():
        rows = list(FormDefinition.objects.select_for_update().filter(key=key).order_by("-version"))
        current = next((r for r in rows if r.published), None)
        body = {k: v for k, v in document.items() if k != "version"}
        if current is not None:
            if sha256_of(
                {k: v for k, v in current.document.items() if k != "version"}
            ) == sha256_of(body):
                return current, False
        version = (rows[0].version + 1) if rows else max(1, int(document.get("version", 1)))
        stored = {**document, "version": version}
        if current is not None:
            current.published = False
            current.save(update_fields=["published"])
        row = FormDefinition.objects.create(
            key=key,
            version=version,
            document=stored,
            sha256=sha256_of(stored),
            published=True,
            created_at=timezone.now(),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        record(
            actor=actor if getattr(actor, "pk", None) else None,
            action=AuditAction.CREATED,
            operation="form_definition_save",
            obj=row,
            before={"version": current.version} if current else None,
            after={"key": key, "version": version, "sha256": row.sha256},
        )
        _link_procedures(row)
    return row, True


def _link_procedures(row: FormDefinition) -> None:
    """Every open version of the procedures the form serves uses this form's key."""
    codes = row.document.get("procedure_codes", [])
    if not codes:
        return
    versions = ProcedureVersion.objects.filter(procedure__code__in=codes, effective_to__isnull=True)
    for version in versions:
        ProcedureForm.objects.update_or_create(
            procedure_version=version, defaults={"form_key": row.key}
        )


def definitions_load(
    *, actor: Any = None, folder: Path | None = None
) -> list[tuple[str, int, bool]]:
    """Load every `*.json` of the folder (the shipped definitions by default): idempotent,
    an unchanged file stores nothing, a changed one a new version. Returns (key, version,
    created) per file."""
    out = []
    for path in sorted((folder or DEFINITIONS_DIR).glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        try:
            row, created = definition_save(actor=actor, document=document)
        except DomainError as exc:
            raise DomainError(
                exc.code,
                f"{path.name}: {exc.message}",
                f"{path.name}: {exc.message_en}",
                field=exc.field,
                data=exc.data,
            ) from None
        out.append((row.key, row.version, created))
    return out


def dossier_form_attach(
    *,
    actor: Any,
    dossier: Any,
    definition: FormDefinition,
    data: dict[str, Any],
    at: dt.datetime | None = None,
) -> DossierForm:
    """The filled form joins the dossier, once: the data (already validated by
    answers.validate against `definition`) is frozen with the definition row it was
    filled against. A second attach is refused."""
    with transaction.atomic():
        if DossierForm.objects.select_for_update().filter(dossier_id=dossier.pk).exists():
            raise DomainError(
                "dossier_form_frozen",
                "Tờ khai của hồ sơ đã nộp, không thay đổi được.",
                "The dossier's form was submitted and cannot be changed.",
                field="form",
                status=409,
            )
        return DossierForm.objects.create(
            dossier=dossier,
            definition=definition,
            data=data,
            sha256=sha256_of(data),
            submitted_at=at or timezone.now(),
            submitted_by=actor if getattr(actor, "pk", None) else None,
        )
