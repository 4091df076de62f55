"""Reads on feedback, each with its caller's visibility: the submitter's by tracking code,
officers' by agency (rules.staff_q), the public's only what was published."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.core.errors import NotFound, PermissionDenied
from motcua.core.text import fold
from motcua.core.types import Actor
from motcua.org.selectors import applicant_id

from . import limiter, rules
from .enums import Status
from .models import Feedback

RELATED = ("intake_agency", "agency", "procedure", "dossier", "officer")


def feedback_track(*, code: str, client: str | None = None) -> Feedback:
    """The submitter's view by tracking code; wrong codes are counted per client like the
    dossier lookup's, so codes cannot be tried in bulk."""
    if client is not None:
        limiter.check("track", client)
    f = Feedback.objects.select_related(*RELATED).filter(code=code.strip().upper()).first()
    if f is None:
        if client is not None:
            limiter.count("track", client)
        raise NotFound(
            "phản ánh với mã theo dõi này", "Feedback with this tracking code", field="code"
        )
    return f


def my_feedback(*, user: Actor) -> QuerySet[Feedback]:
    owner = applicant_id(user)
    if owner is None:
        return Feedback.objects.none()
    return Feedback.objects.filter(owner_id=owner).select_related(*RELATED)


def staff_list(
    *,
    user: Actor,
    status: str | None = None,
    late: bool = False,
    now: dt.datetime | None = None,
) -> QuerySet[Feedback]:
    """The feedback an officer may read: sent to or assigned to one of their agencies."""
    qs = Feedback.objects.filter(rules.staff_q(user)).select_related(*RELATED)
    if status:
        qs = qs.filter(status=status)
    if late:
        qs = qs.filter(rules.late_q(now or timezone.now()))
    return qs.order_by("-received_at", "-pk")


def staff_get(*, user: Actor, feedback_id: int) -> Feedback:
    f = Feedback.objects.select_related(*RELATED).filter(pk=feedback_id).first()
    if f is None:
        raise NotFound("phản ánh, kiến nghị", "Feedback", field="feedback_id")
    if not rules.may_read(user, f):
        raise PermissionDenied(
            "Phản ánh này không thuộc cơ quan của bạn.",
            "This feedback does not belong to your agency.",
        )
    return f


def published(*, q: str = "") -> QuerySet[Feedback]:
    """The published answers, newest first; `q` searched without accents."""
    qs = Feedback.objects.filter(status=Status.PUBLISHED).select_related("agency", "procedure")
    key = fold(q)
    if key:
        for word in key.split():
            qs = qs.filter(search_key__contains=word)
    return qs.order_by("-published_at", "-pk")


def published_get(*, feedback_id: int) -> Feedback:
    f = published().filter(pk=feedback_id).first()
    if f is None:
        raise NotFound("câu trả lời được công khai", "Published answer", field="feedback_id")
    return f


def public_q() -> Q:
    return Q(status=Status.PUBLISHED)
