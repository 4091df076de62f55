"""Reads: which template a dossier's form uses, stored documents, the tracking log rows."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, QuerySet

from motcua.dossiers.models import Dossier, DossierEvent

from .enums import KIND_BY_ACTION, ON_REQUEST
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


def events_missing_forms(*, since: dt.datetime | None) -> QuerySet[DossierEvent]:
    """Committed events that call for a form (receipt, supplement request, …) and have no
    stored form, oldest first; `since` bounds the scan by the events' time (None: all).
    Forms rendered on request (the online acknowledgement, ON_REQUEST) are not missing."""
    events = DossierEvent.objects.filter(
        action__in=[a for a in KIND_BY_ACTION if a not in ON_REQUEST]
    )
    if since is not None:
        events = events.filter(at__gte=since)
    stored = DossierDocument.objects.filter(event=OuterRef("pk"))
    return events.filter(~Exists(stored)).select_related("dossier").order_by("at", "pk")


def dossiers_with_events_since(since: dt.datetime) -> QuerySet:
    """Ids of the dossiers with an event at or after `since` (the ones whose forms may have
    been written lately)."""
    return (
        DossierEvent.objects.filter(at__gte=since)
        .values_list("dossier_id", flat=True)
        .distinct()
        .order_by()
    )


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
