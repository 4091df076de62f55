"""Reads of the form engine."""

from __future__ import annotations

from typing import Any

from .models import DossierForm, FormDefinition, ProcedureForm


def form_for_version(version: Any) -> FormDefinition | None:
    """The form applicants fill for a procedure version (the published version of its
    key), or None when the version has none."""
    key = (
        ProcedureForm.objects.filter(procedure_version_id=version.pk)
        .values_list("form_key", flat=True)
        .first()
    )
    if key is None:
        return None
    return FormDefinition.objects.filter(key=key, published=True).first()


def dossier_form(dossier_id: int) -> DossierForm | None:
    return DossierForm.objects.filter(dossier_id=dossier_id).select_related("definition").first()


def dossier_form_out(dossier: Any) -> dict[str, Any] | None:
    """The dossier's filled form as the API returns it, or None."""
    row = dossier_form(dossier.pk)
    if row is None:
        return None
    return {
        "key": row.definition.key,
        "version": row.definition.version,
        "title": row.definition.title,
        "data": row.data,
        "sha256": row.sha256,
        "submitted_at": row.submitted_at,
    }
