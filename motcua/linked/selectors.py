"""Reads of linked applications. The applicant sees the whole application (every member,
its status, events and agency); an agency sees only its member dossier, through the
dossiers' own access rules (dossiers.access), never the application."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from motcua.core.errors import NotFound
from motcua.core.types import Actor
from motcua.dossiers.models import DossierEvent
from motcua.org.selectors import applicant_id

from .models import LinkedApplication, LinkedDossier


def my_applications(*, user: Actor) -> QuerySet[LinkedApplication]:
    owner = applicant_id(user)
    return (
        LinkedApplication.objects.filter(owner_id=owner if owner is not None else -1)
        .select_related("linked__procedure")
        .order_by("-submitted_at", "-pk")
    )


def application_get(*, user: Actor, application_id: int) -> LinkedApplication:
    """The application, for its owner only: anyone else is told it does not exist."""
    owner = applicant_id(user)
    found = (
        LinkedApplication.objects.select_related("linked__procedure", "receiving_agency")
        .filter(pk=application_id, owner_id=owner if owner is not None else -1)
        .first()
    )
    if found is None:
        raise NotFound(f"hồ sơ liên thông {application_id}", f"Linked application {application_id}")
    return found


@dataclass
class MemberLine:
    row: LinkedDossier
    events: list[DossierEvent]


def timeline(application: LinkedApplication) -> list[MemberLine]:
    """Each member in the chain's order, with its dossier (code, status, agencies) and the
    dossier's events in order: three queries whatever the number of members."""
    rows = list(
        application.members.select_related(
            "member__procedure",
            "dossier__settling_agency",
            "dossier__receiving_agency",
        ).order_by("order")
    )
    ids = [r.dossier_id for r in rows if r.dossier_id is not None]
    by_dossier: dict[int, list[DossierEvent]] = {}
    for e in (
        DossierEvent.objects.filter(dossier_id__in=ids)
        .select_related("actor_agency")
        .order_by("dossier_id", "seq")
    ):
        by_dossier.setdefault(e.dossier_id, []).append(e)
    return [MemberLine(r, by_dossier.get(r.dossier_id, []) if r.dossier_id else []) for r in rows]


def member_for_dossier(dossier_id: int) -> dict[str, object] | None:
    """What the agency of a member dossier sees of its application: which application and
    step, the data passed to this member (with its labels) and the previous member's
    result — nothing of the other members. None for a dossier outside any application."""
    from .services import DATA_LABELS

    row = (
        LinkedDossier.objects.filter(dossier_id=dossier_id)
        .select_related("application__linked__procedure", "member")
        .first()
    )
    if row is None:
        return None
    return {
        "code": f"LT-{row.application_id}",
        "procedure": row.application.linked.procedure,
        "order": row.order,
        "count": row.application.members.count(),
        "data": [
            {"key": k, "label": DATA_LABELS.get(k, (k, k)), "value": v}
            for k, v in (row.data or {}).items()
        ],
        "previous_result": row.previous_result,
    }
