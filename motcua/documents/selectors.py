"""Reads: which template a dossier's form uses, stored documents, the tracking log rows."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from motcua.dossiers.models import Dossier, DossierEvent

from .enums import KIND_BY_ACTION
from .models import DossierDocument, ProcedureTemplate
from .rendering.base import DEFAULTS, TEMPLATES
from .rendering.text import VN

RENDER_RELATED = (
    "procedure_version",
    "receiving_agency__unit",
    "receiving_agency__parent",
    "settling_agency__unit",
    "settling_agency__parent",
)


def template_key_for(*, dossier: Dossier, kind: str) -> str:
    """The procedure's own template for this kind when it has one (and it is registered for
    that kind), else the kind's default."""
    key = (
        ProcedureTemplate.objects.filter(procedure_id=dossier.procedure_id, kind=kind)
        .values_list("template", flat=True)
        .first()
    )
    if key and key in TEMPLATES and TEMPLATES[key].kind == kind:
        return key
    return DEFAULTS[kind]


def dossier_for_render(pk: int) -> Dossier:
    """The dossier with what every form prints, loaded afresh (renderings must not depend
    on what a caller happened to have loaded)."""
    return Dossier.objects.select_related(*RENDER_RELATED).get(pk=pk)


def document_find(*, dossier: Dossier, kind: str, event=None) -> DossierDocument | None:
    return DossierDocument.objects.filter(
        dossier=dossier, kind=kind, event=event if event is not None else None
    ).first()


def latest_event(*, dossier: Dossier, kind: str) -> DossierEvent | None:
    """The most recent event that a form of this kind documents."""
    actions = [a for a, k in KIND_BY_ACTION.items() if k == kind]
    return dossier.events.filter(action__in=actions).order_by("-seq").first()


def tracking_log_dossiers(*, agency, start: dt.date, end: dt.date) -> QuerySet[Dossier]:
    """Dossiers the agency received in [start, end] (local dates), by time of receipt."""
    since = dt.datetime.combine(start, dt.time.min, tzinfo=VN)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=VN)
    return (
        Dossier.objects.filter(
            receiving_agency=agency, received_at__gte=since, received_at__lt=until
        )
        .select_related(*RENDER_RELATED)
        .prefetch_related("handovers")
        .order_by("received_at", "pk")
    )
