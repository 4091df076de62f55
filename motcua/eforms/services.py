"""Writes of the form engine: a definition's new version, the link of a procedure version
to a form, and the filled form of a dossier (written once)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.catalog import cases as catalog_cases
from motcua.catalog.models import ProcedureVersion
from motcua.core.audit import record
from motcua.core.errors import DomainError
from motcua.core.models import AuditAction
from motcua.core.validation import combined

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
        same = current is not None and sha256_of(
            {k: v for k, v in current.document.items() if k != "version"}
        ) == sha256_of(body)
        if current is not None and same:
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


def procedure_form_follow(*, version: ProcedureVersion, actor: Any = None) -> None:
    """A procedure's new version keeps its form (the catalog's `version_created` listener,
    in the import's transaction): the form of the procedure's latest earlier version that
    has one; else the published form naming the procedure's code (`procedure_codes`), as
    `load_eforms` links the versions open when it runs. A version that already has its
    form keeps it."""
    if ProcedureForm.objects.filter(procedure_version_id=version.pk).exists():
        return
    key = (
        ProcedureForm.objects.filter(
            procedure_version__procedure_id=version.procedure_id,
            procedure_version__number__lt=version.number,
        )
        .order_by("-procedure_version__number")
        .values_list("form_key", flat=True)
        .first()
    )
    if key is None:
        code = version.procedure.code
        # A JSON `contains` is PostgreSQL's only (the demo runs on SQLite): the published
        # forms are few, so their codes are read and matched here.
        key = next(
            (
                k
                for k, document in FormDefinition.objects.filter(published=True)
                .order_by("key")
                .values_list("key", "document")
                if code in (document or {}).get("procedure_codes", [])
            ),
            None,
        )
    if key is not None:
        ProcedureForm.objects.create(procedure_version=version, form_key=key)


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


def declaration_component(document: dict[str, Any], components: list[Any]) -> Any | None:
    """The procedure's component the generated declaration stands for: the one the
    definition names (`declaration.component`, a name prefix), else the first whose name
    begins "Tờ khai" or "Đơn đề nghị" (catalog.cases.names_component)."""
    spec = (document.get("declaration") or {}).get("component")
    refs = [spec] if spec else ["Tờ khai", "Đơn đề nghị", "Đơn"]
    for ref in refs:
        for c in components:
            if catalog_cases.names_component(c, ref):
                return c
    return None


def form_errors(errors: list[DomainError]) -> DomainError:
    """The form's errors as one, each field named "form.<path>" (the API's shape)."""
    return combined(
        DomainError(e.code, e.message, e.message_en, field=f"form.{e.field}", status=422)
        for e in errors
    )


def dossier_submit_with_form(
    *,
    actor: Any,
    version: ProcedureVersion,
    definition: FormDefinition,
    answers: dict[str, Any],
    files: dict[int, list[tuple[str, bytes]]] | None = None,
    place: str = "",
    at: dt.datetime | None = None,
    **submission: Any,
) -> Any:
    """An online submission with its electronic form, in one transaction: the answers are
    validated again here (answers.validate, with the account's prefill, so a locked value
    cannot be changed by any door); the form's rules decide the components
    (`components_required` / `components_omitted` of dossiers.services.dossier_submit);
    the declaration PDF made from the data is handed in as the declaration component; the
    data is frozen with the dossier (dossier_form_attach). Raises one error listing every
    problem of the form ("form.<path>") before anything is written."""
    from motcua.dossiers import services as dossier_services

    from .prefill import prefill_for

    applicant = getattr(actor, "applicant", None)
    prefill = prefill_for(definition.document, applicant)
    data, decision, files = _with_declaration(definition, version, answers, prefill, files, place)
    with transaction.atomic():
        dossier = dossier_services.dossier_submit(
            actor=actor,
            procedure=version.procedure,
            files=files,
            components_required=decision.require_components,
            components_omitted=decision.omit_components,
            at=at,
            **submission,
        )
        if not getattr(dossier, "_replayed", False):
            dossier_form_attach(
                actor=actor, dossier=dossier, definition=definition, data=data, at=at
            )
    return dossier


def _with_declaration(
    definition: FormDefinition,
    version: ProcedureVersion,
    answers: dict[str, Any],
    prefill: Any,
    files: dict[int, list[Any]] | None,
    place: str,
) -> tuple[dict[str, Any], Any, dict[int, list[Any]]]:
    """The form validated (every problem as one error, "form.<path>"), its decision, and
    the files with the declaration PDF made from the data as the declaration component."""
    from .answers import validate
    from .declaration import declaration_pdf

    document = definition.document
    result = validate(document, answers, prefill=prefill)
    if result.errors:
        raise form_errors(result.errors)
    assert result.decision is not None
    files = dict(files or {})
    declared = declaration_component(document, list(version.components.all()))
    if declared is not None and document.get("declaration"):
        pdf = declaration_pdf(document, result.data, place=place)
        files[declared.pk] = [(f"to-khai-{definition.key}.pdf", pdf)]
    return result.data, result.decision, files


def dossier_intake_with_form(
    *,
    actor: Any,
    version: ProcedureVersion,
    definition: FormDefinition,
    answers: dict[str, Any],
    files: dict[int, list[Any]] | None = None,
    place: str = "",
    at: dt.datetime | None = None,
    **intake: Any,
) -> Any:
    """The counter's intake with the form the officer filled for the applicant: the same
    validation and rules as online (nothing is locked: the applicant did not log in, the
    officer checked the papers), the declaration PDF handed in, the data frozen with the
    dossier, in one transaction (dossiers.services.dossier_intake)."""
    from motcua.dossiers import services as dossier_services

    data, decision, files = _with_declaration(definition, version, answers, {}, files, place)
    with transaction.atomic():
        dossier = dossier_services.dossier_intake(
            actor=actor,
            procedure=version.procedure,
            files=files,
            components_required=decision.require_components,
            components_omitted=decision.omit_components,
            at=at,
            **intake,
        )
        dossier_form_attach(actor=actor, dossier=dossier, definition=definition, data=data, at=at)
    return dossier


def dossier_submit_api(
    *, actor: Any, procedure: Any, answers: dict[str, Any], **submission: Any
) -> Any:
    """POST /api/dossiers with `form`: the version in force's form, then
    dossier_submit_with_form. A procedure without a form refuses answers."""
    from .selectors import form_for_version

    version = procedure.version_on(timezone.localdate())
    definition = form_for_version(version) if version is not None else None
    if definition is None:
        raise DomainError(
            "procedure_has_no_form",
            "Thủ tục này không có tờ khai điện tử; bỏ trường form.",
            "This procedure has no electronic form; leave out the field form.",
            field="form",
            status=422,
        )
    return dossier_submit_with_form(
        actor=actor, version=version, definition=definition, answers=answers, **submission
    )
